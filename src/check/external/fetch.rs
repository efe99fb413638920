//! Fetching external URLs: concurrently, a few at a time per host, each request bounded
//! by a timeout, and tried again with a growing pause when the failure may pass (a
//! timeout, a refused connection, 408, 429, 502, 503, 504). A 429's `Retry-After` is
//! honoured up to [`MAX_RETRY_AFTER`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, Response, StatusCode, Url};
use tokio::sync::Semaphore;

use super::settings::ExternalSettings;

/// Requests in flight at once, over all hosts.
const MAX_CONCURRENT: usize = 64;
/// The longest `Retry-After` waited for; a host asking for more is reported unchecked.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The first pause before a retry; each further one doubles it.
const BACKOFF: Duration = Duration::from_millis(500);
/// How much of a page is read to find its ids.
const MAX_BODY: usize = 16 << 20;

/// One URL to fetch (without its fragment), and whether its ids are wanted.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub url: Url,
    pub read_ids: bool,
}

/// What fetching one URL showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// A 2xx (or an accepted) status, maybe after redirects; `ids` when the page was read.
    Working {
        status: u16,
        redirect: Option<String>,
        ids: Option<HashSet<String>>,
    },
    Dead(Dead),
    /// The host would not say (it kept answering 429): neither working nor broken.
    Unchecked(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Dead {
    /// An error status, after `redirect` when there was one.
    Status {
        status: u16,
        redirect: Option<String>,
    },
    TimedOut {
        tries: u32,
    },
    /// No connection: the host's name does not resolve, or it refused or reset.
    Connection(String),
    /// Too many redirects, an invalid response.
    Other(String),
}

#[derive(Debug, Clone)]
pub(super) struct Fetched {
    pub outcome: Outcome,
    /// Requests sent, retries included.
    pub requests: usize,
}

/// Fetches every request; the results are in the order of `requests`.
pub(super) fn fetch_all(requests: Vec<Request>, settings: &ExternalSettings) -> Result<Vec<Fetched>, String> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    // reqwest is built without a default crypto provider (see Cargo.toml); installing one
    // fails only when one is installed already, which is as good. ring's provider is
    // deprecated for lacking post-quantum key exchange, which checking links does not need.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = Client::builder()
        .user_agent(concat!("signpost/", env!("CARGO_PKG_VERSION"), " (link checker)"))
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {}", chain(&e)))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
    let settings = Arc::new(settings.clone());
    runtime.block_on(async move {
        let all = Arc::new(Semaphore::new(MAX_CONCURRENT));
        let mut hosts: HashMap<String, Arc<Host>> = HashMap::new();
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|request| {
                let host = host_key(&request.url);
                let host = Arc::clone(hosts.entry(host).or_insert_with(|| Arc::new(Host::new(settings.per_host))));
                let (all, client, settings) = (Arc::clone(&all), client.clone(), Arc::clone(&settings));
                // The host's turn first, then a place among all: a busy host's queue
                // holds no place another host could use.
                tokio::spawn(async move {
                    let _turn = host.turns.acquire().await;
                    // A name that did not resolve after every retry is not asked again
                    // for each of the host's URLs.
                    if let Some(why) = host.unresolved.lock().ok().and_then(|u| u.clone()) {
                        return Fetched { outcome: Outcome::Dead(Dead::Connection(why)), requests: 0 };
                    }
                    let _all = all.acquire_owned().await;
                    let fetched = fetch_one(&client, request, &settings).await;
                    if let Outcome::Dead(Dead::Connection(why)) = &fetched.outcome {
                        if why.starts_with(UNRESOLVED) {
                            if let Ok(mut unresolved) = host.unresolved.lock() {
                                *unresolved = Some(why.clone());
                            }
                        }
                    }
                    fetched
                })
            })
            .collect();
        let mut fetched = Vec::with_capacity(tasks.len());
        for task in tasks {
            fetched.push(task.await.unwrap_or_else(|e| Fetched {
                outcome: Outcome::Unchecked(format!("the check of this URL failed: {e}")),
                requests: 0,
            }));
        }
        Ok(fetched)
    })
}

/// One host (name and port): its turns, and why its name did not resolve, once it has not.
struct Host {
    turns: Semaphore,
    unresolved: std::sync::Mutex<Option<String>>,
}

impl Host {
    fn new(per_host: usize) -> Host {
        Host { turns: Semaphore::new(per_host), unresolved: std::sync::Mutex::new(None) }
    }
}

const UNRESOLVED: &str = "its name does not resolve";

fn host_key(url: &Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0))
}

async fn fetch_one(client: &Client, request: Request, settings: &ExternalSettings) -> Fetched {
    let mut requests = 0;
    let mut attempt = 0;
    loop {
        requests += 1;
        let (failure, wait) = match client.get(request.url.clone()).send().await {
            Ok(response) => {
                let status = response.status();
                let redirect = (response.url() != &request.url).then(|| response.url().to_string());
                if status.is_success() || settings.accept.contains(&status.as_u16()) {
                    let ids = match request.read_ids && is_html(&response) {
                        true => read_ids(response).await,
                        false => None,
                    };
                    return Fetched { outcome: Outcome::Working { status: status.as_u16(), redirect, ids }, requests };
                }
                if status == StatusCode::TOO_MANY_REQUESTS {
                    let wait = retry_after(&response);
                    if let Some(w) = wait.filter(|w| *w > MAX_RETRY_AFTER) {
                        let why = format!(
                            "the host answered 429 Too Many Requests and asked to wait {} s, more than the {} s the check waits",
                            w.as_secs(),
                            MAX_RETRY_AFTER.as_secs()
                        );
                        return Fetched { outcome: Outcome::Unchecked(why), requests };
                    }
                    let why = format!("the host still answered 429 Too Many Requests after {requests} tries");
                    (Outcome::Unchecked(why), wait)
                } else {
                    let dead = Outcome::Dead(Dead::Status { status: status.as_u16(), redirect });
                    if !matches!(status.as_u16(), 408 | 502 | 503 | 504) {
                        return Fetched { outcome: dead, requests };
                    }
                    (dead, None)
                }
            }
            Err(e) if e.is_timeout() => (Outcome::Dead(Dead::TimedOut { tries: attempt + 1 }), None),
            Err(e) if e.is_connect() => (Outcome::Dead(Dead::Connection(connection_failure(&e))), None),
            Err(e) => return Fetched { outcome: Outcome::Dead(Dead::Other(chain(&e))), requests },
        };
        if attempt >= settings.retries {
            return Fetched { outcome: failure, requests };
        }
        let backoff = BACKOFF.saturating_mul(2u32.saturating_pow(attempt)).min(MAX_RETRY_AFTER);
        tokio::time::sleep(wait.unwrap_or(backoff)).await;
        attempt += 1;
    }
}

/// A page without a Content-Type is read too: servers of static files often omit it.
fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.to_ascii_lowercase().contains("html"))
}

/// `Retry-After: 5` or `Retry-After: Fri, 05 Dec 2026 03:00:00 GMT`.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

/// The ids a fragment can reach: `id` on any element, `name` on `<a>` (HTML standard);
/// `None` when the body could not be read.
async fn read_ids(mut response: Response) -> Option<HashSet<String>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.ok()? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            break;
        }
    }
    Some(ids_in(&String::from_utf8_lossy(&body)))
}

pub(super) fn ids_in(html: &str) -> HashSet<String> {
    crate::markdown::html_scan::attributes(html)
        .into_iter()
        .filter(|a| a.name == "id" || (a.name == "name" && a.in_tag("a")))
        .map(|a| html_escape::decode_html_entities(a.value).into_owned())
        .collect()
}

/// Why a connection failed, in its innermost words (`Connection refused (os error 111)`),
/// the rest of the chain being reqwest's and hyper's wrapping.
fn connection_failure(error: &dyn std::error::Error) -> String {
    let mut innermost = error.to_string();
    let mut dns = false;
    let mut source = error.source();
    while let Some(cause) = source {
        innermost = cause.to_string();
        dns |= innermost.starts_with("dns error");
        source = cause.source();
    }
    match dns {
        true => format!("{UNRESOLVED} ({innermost})"),
        false => innermost,
    }
}

/// An error and its causes, as one line: `error sending request: dns error: ...`.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ids_and_anchor_names() {
        let ids = ids_in(r#"<h2 id="a&amp;b">x</h2><a name="old">y</a><meta name="viewport"><!-- <p id="hidden"> -->"#);
        let mut ids: Vec<_> = ids.into_iter().collect();
        ids.sort();
        assert_eq!(ids, ["a&b", "old"]);
    }
}
