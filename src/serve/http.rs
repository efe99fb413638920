//! The HTTP side: serves the output files from memory under the site's base path, the
//! site's 404 page for misses, and the live-reload script and channel under
//! `__signpost/`. Only output files are ever served: there is no path to the disk.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use percent_encoding::percent_decode_str;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

use super::files::Snapshot;
use super::reload;

/// Where the live-reload script and channel live, under the site's base path.
pub const LIVE_PREFIX: &str = "__signpost/";

#[derive(Clone)]
pub struct AppState {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    /// Becomes true when the server stops, which ends the reload channels.
    pub closing: watch::Receiver<bool>,
    /// The address the server was told to listen on: the one `Host` besides loopback
    /// names it may answer.
    pub bind: IpAddr,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(state)
        // A preview is never stale: the browser asks again every time.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
}

async fn handle(State(state): State<AppState>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if !host_allowed(headers.get(header::HOST).map(HeaderValue::as_bytes), state.bind) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "signpost serve answers only requests to localhost, a loopback address or the address it listens on\n",
        )
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let snapshot = state.snapshots.borrow().clone();
    let path = uri.path();
    let live = path.strip_prefix(snapshot.base.as_str()).or_else(|| path.strip_prefix('/'));
    match live.and_then(|p| p.strip_prefix(LIVE_PREFIX)) {
        Some("live.js") => return file_response(StatusCode::OK, "live.js", reload::LIVE_JS.as_bytes().to_vec()),
        Some("events") => {
            return reload::events(&state.snapshots, &state.closing, &snapshot, uri.query().unwrap_or(""))
                .into_response()
        }
        Some(_) => return not_found(&snapshot, path, None),
        None => {}
    }
    match resolve(path, &snapshot) {
        Target::File(file) => {
            let bytes = snapshot.files[file.as_str()].bytes.clone();
            if is_html(&file) {
                let html = inject(&bytes, &script_tag(path, &snapshot, &file));
                file_response(StatusCode::OK, &file, html)
            } else {
                let mut response = Response::new(Body::from(bytes));
                response.headers_mut().insert(header::CONTENT_TYPE, content_type(&file));
                response
            }
        }
        Target::Redirect(location) => (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response(),
        Target::Missing(file) => not_found(&snapshot, path, file.as_deref()),
    }
}

/// Whether to answer a request naming `host`. Any other name may be a DNS name an
/// attacker's page rebound to this machine, to read the preview from the reader's browser.
/// Accepted: `localhost` (and names under it, which browsers keep on loopback), loopback
/// addresses, the bind address, and any address when bound to all of them: an address
/// written as digits cannot be rebound. A request without `Host` (HTTP/1.0) comes from no
/// browser page and is answered.
pub fn host_allowed(host: Option<&[u8]>, bind: IpAddr) -> bool {
    let Some(host) = host else { return true };
    let Ok(host) = std::str::from_utf8(host) else { return false };
    let name = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((address, rest)) if rest.is_empty() || rest.starts_with(':') => address,
            _ => return false,
        },
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bind || bind.is_unspecified(),
        Err(_) => false,
    }
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    File(String),
    /// A folder asked for without its `/`, or the root when the site lives under a path:
    /// redirected with a relative location, so it works behind a proxy too.
    Redirect(String),
    /// Nothing; the output path it would be, when it is a valid one.
    Missing(Option<String>),
}

pub fn resolve(path: &str, snapshot: &Snapshot) -> Target {
    let base = snapshot.base.as_str();
    let Some(relative) = path.strip_prefix(base) else {
        let bare = base.trim_end_matches('/');
        if path == bare || (path == "/" && base != "/") {
            let last = bare.rsplit('/').next().unwrap_or("");
            return Target::Redirect(if path == "/" { bare[1..].to_string() + "/" } else { format!("{last}/") });
        }
        return Target::Missing(None);
    };
    let Some(file) = output_path(relative) else { return Target::Missing(None) };
    let file = if file.is_empty() || file.ends_with('/') { format!("{file}index.html") } else { file };
    if snapshot.files.contains_key(file.as_str()) {
        return Target::File(file);
    }
    if snapshot.files.contains_key(format!("{file}/index.html").as_str()) {
        let last = file.rsplit('/').next().unwrap_or(&file);
        return Target::Redirect(format!("{last}/"));
    }
    Target::Missing(Some(file))
}

/// The output path a request path (below the base) names, or `None` for anything that
/// is not plainly a path inside the output: `.` and `..` segments (encoded or not),
/// empty segments (`//`, so no absolute path), backslashes, encoded slashes, drive
/// letters, NUL and text that is not UTF-8.
pub fn output_path(relative: &str) -> Option<String> {
    let mut segments = Vec::new();
    let parts: Vec<&str> = relative.split('/').collect();
    for (i, raw) in parts.iter().enumerate() {
        let segment = percent_decode_str(raw).decode_utf8().ok()?;
        let last = i == parts.len() - 1;
        if segment.is_empty() && last {
            segments.push(String::new());
            continue;
        }
        let bad = segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.contains(['/', '\\', ':', '\0'])
            || segment.chars().any(char::is_control);
        if bad {
            return None;
        }
        segments.push(segment.into_owned());
    }
    Some(segments.join("/"))
}

fn is_html(file: &str) -> bool {
    file.ends_with(".html") || file.ends_with(".htm")
}

fn content_type(file: &str) -> HeaderValue {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml" | "svg");
    let value = if text { format!("{mime}; charset=utf-8") } else { mime.to_string() };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

fn file_response(status: StatusCode, file: &str, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, content_type(file));
    response
}

/// The site's 404 page (or a plain one), with the live script so that it turns into the
/// page once the page exists.
fn not_found(snapshot: &Snapshot, path: &str, file: Option<&str>) -> Response {
    let page = match snapshot.files.get("404.html") {
        Some(page) => page.bytes.to_vec(),
        None => b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\
                  <body><h1>Not found</h1><p>No page here.</p></body></html>\n"
            .to_vec(),
    };
    let html = inject(&page, &script_tag(path, snapshot, file.unwrap_or("")));
    file_response(StatusCode::NOT_FOUND, "404.html", html)
}

/// `<script src="../__signpost/live.js" ...>`, relative to the page, so it works under
/// any base path and behind a proxy that mounts the site elsewhere.
fn script_tag(request_path: &str, snapshot: &Snapshot, file: &str) -> String {
    let below_base = request_path.strip_prefix(snapshot.base.as_str()).unwrap_or("");
    let up = "../".repeat(below_base.matches('/').count());
    format!(
        "<script src=\"{up}{LIVE_PREFIX}live.js\" data-file=\"{}\" data-v=\"{}\" data-at=\"{}\" defer></script>",
        crate::markdown::escape_attr(file),
        snapshot.version_of(file),
        snapshot.version
    )
}

/// Puts `tag` before the last `</body>` (or at the end). Only served pages get it; the
/// built site never does.
pub fn inject(html: &[u8], tag: &str) -> Vec<u8> {
    let at = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len() + 1);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::files::{self, Files};

    #[test]
    fn only_local_hosts_are_answered() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let lan: IpAddr = "192.168.1.20".parse().unwrap();
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        for host in [
            "localhost",
            "localhost:4000",
            "LOCALHOST.",
            "app.localhost:1",
            "127.0.0.1:4000",
            "127.8.0.1",
            "[::1]:4000",
            "[::1]",
        ] {
            assert!(host_allowed(Some(host.as_bytes()), local), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:4000",
            "localhost.evil.example",
            "192.168.1.20",
            "[::1",
            "[::1]x",
            "",
            "\u{ff}",
        ] {
            assert!(!host_allowed(Some(host.as_bytes()), local), "{host}");
        }
        assert!(!host_allowed(Some(b"\xff"), local), "a Host that is not text");
        assert!(host_allowed(Some(b"192.168.1.20:4000"), lan), "the bind address");
        assert!(host_allowed(Some(b"10.0.0.7:4000"), any), "any address when bound to all");
        assert!(!host_allowed(Some(b"rebound.example:4000"), any), "but never a name");
        assert!(host_allowed(None, local), "HTTP/1.0 without Host");
    }

    fn snapshot(base: &str, paths: &[&str]) -> Snapshot {
        let mut files = Files::new();
        for p in paths {
            files::put(&mut files, p, b"x".to_vec(), 1);
        }
        Snapshot { version: 1, base: base.into(), files: Arc::new(files), ..Snapshot::default() }
    }

    #[test]
    fn only_plain_paths_inside_the_output() {
        assert_eq!(output_path("guide/setup.html").as_deref(), Some("guide/setup.html"));
        assert_eq!(output_path("guide/").as_deref(), Some("guide/"));
        assert_eq!(output_path("a%20b.html").as_deref(), Some("a b.html"));
        for bad in [
            "../etc/passwd",
            "guide/../../x",
            "%2e%2e/x",
            "%2E%2E%2Fx",
            "./x",
            "/etc/passwd",
            "a//b",
            "..%5c..%5cwindows",
            "a\\b",
            "C:/Windows/win.ini",
            "a%00b",
            "%ff",
        ] {
            assert_eq!(output_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn resolves_folders_and_the_base() {
        let s = snapshot("/portal/", &["index.html", "guide/index.html", "guide/setup.html"]);
        assert_eq!(resolve("/portal/", &s), Target::File("index.html".into()));
        assert_eq!(resolve("/portal/guide/", &s), Target::File("guide/index.html".into()));
        assert_eq!(resolve("/portal/guide", &s), Target::Redirect("guide/".into()));
        assert_eq!(resolve("/portal", &s), Target::Redirect("portal/".into()));
        assert_eq!(resolve("/", &s), Target::Redirect("portal/".into()));
        assert_eq!(resolve("/portal/nope.html", &s), Target::Missing(Some("nope.html".into())));
        assert_eq!(resolve("/portal/../index.html", &s), Target::Missing(None));
        assert_eq!(resolve("/other/index.html", &s), Target::Missing(None));
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        assert_eq!(inject(b"<p>a</p></BODY></html>", "<s>"), b"<p>a</p><s>\n</BODY></html>");
        assert_eq!(inject(b"<p>a</p>", "<s>"), b"<p>a</p><s>\n");
    }

    #[test]
    fn script_is_relative_to_the_page() {
        let s = snapshot("/portal/", &["guide/setup.html"]);
        let tag = script_tag("/portal/guide/setup.html", &s, "guide/setup.html");
        assert!(
            tag.starts_with("<script src=\"../__signpost/live.js\" data-file=\"guide/setup.html\" data-v=\"1\""),
            "{tag}"
        );
        assert!(script_tag("/portal/", &s, "index.html").starts_with("<script src=\"__signpost/live.js\""));
    }
}
