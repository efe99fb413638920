//! The live-reload channel: Server-Sent Events on the site's own origin, one stream per
//! open page. The page says which output file it shows and at which version; the stream
//! tells it, after each rebuild has finished and been published, whether to reload,
//! swap stylesheets, or show or clear the error overlay.
//!
//! Events: `hello` (on connecting), `errors` (the list, empty when fixed), `warnings`
//! (the check's, likewise), `reload`,
//! `css` (`{"paths": [...], "version": N}`), and `built` (`{"version": N}`) after every
//! rebuild, for tools that wait on rebuilds.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use percent_encoding::percent_decode_str;
use serde_json::json;
use tokio::sync::watch;

use super::files::{ShownError, Snapshot};

/// The browser side, served as `__signpost/live.js` and added to served pages only.
pub const LIVE_JS: &str = include_str!("live.js");

/// One open page and what it has been told.
struct Connection {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    closing: watch::Receiver<bool>,
    /// The output file the page shows (or would show: a 404 page waits for its file).
    file: String,
    /// The version of that file the page has; 0 for none.
    file_version: u64,
    /// The last rebuild the page knows about.
    seen: u64,
    errors: Option<Arc<Vec<ShownError>>>,
    warnings: Option<Arc<Vec<ShownError>>>,
    first: bool,
}

/// `events?file=guide/setup.html&v=3&at=7`: a stream that follows `snapshots` until
/// `closing` turns true.
pub fn events(
    snapshots: &watch::Receiver<Arc<Snapshot>>,
    closing: &watch::Receiver<bool>,
    snapshot: &Snapshot,
    query: &str,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let param = |name: &str| {
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then(|| percent_decode_str(&value.replace('+', " ")).decode_utf8_lossy().into_owned())
        })
    };
    let number = |name: &str| param(name).and_then(|v| v.parse::<u64>().ok());
    let connection = Connection {
        snapshots: snapshots.clone(),
        closing: closing.clone(),
        file: param("file").unwrap_or_default(),
        file_version: number("v").unwrap_or(0),
        seen: number("at").unwrap_or(snapshot.version),
        errors: None,
        warnings: None,
        first: true,
    };
    let stream = stream::unfold(connection, next).flat_map(|events| stream::iter(events.into_iter().map(Ok)));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn next(mut connection: Connection) -> Option<(Vec<Event>, Connection)> {
    if *connection.closing.borrow() {
        return None;
    }
    if !connection.first {
        tokio::select! {
            changed = connection.snapshots.changed() => changed.ok()?,
            _ = connection.closing.changed() => return None,
        }
    }
    let snapshot = connection.snapshots.borrow_and_update().clone();
    let events = connection.tell(&snapshot);
    Some((events, connection))
}

impl Connection {
    fn tell(&mut self, snapshot: &Snapshot) -> Vec<Event> {
        let mut events = Vec::new();
        if self.first {
            events.push(event("hello", json!({"version": snapshot.version})));
        }
        if self.errors.as_ref().is_none_or(|e| **e != *snapshot.errors) {
            events.push(event("errors", json!(*snapshot.errors)));
        }
        self.errors = Some(snapshot.errors.clone());
        if self.warnings.as_ref().is_none_or(|w| **w != *snapshot.warnings) {
            events.push(event("warnings", json!(*snapshot.warnings)));
        }
        self.warnings = Some(snapshot.warnings.clone());
        let version = snapshot.version_of(&self.file);
        let mut reload = version != self.file_version;
        self.file_version = version;
        // Other files matter when the page names them: its stylesheets are swapped, its
        // scripts and images reload it; the search index and the rest do not.
        let page = snapshot.files.get(self.file.as_str()).or_else(|| snapshot.files.get("404.html"));
        let shows = |path: &str| {
            let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
            page.is_some_and(|p| p.bytes.windows(name.len()).any(|w| w == name))
        };
        let mut stylesheets = Vec::new();
        for (path, _) in snapshot.files.iter().filter(|(p, f)| f.version > self.seen && !p.ends_with(".html")) {
            if !shows(path) {
                continue;
            }
            if path.ends_with(".css") {
                stylesheets.push(path.to_string());
            } else {
                reload = true;
            }
        }
        if reload {
            events.push(event("reload", json!({"version": snapshot.version})));
        } else if !stylesheets.is_empty() {
            events.push(event("css", json!({"paths": stylesheets, "version": snapshot.version})));
        }
        if snapshot.version > self.seen {
            events.push(event("built", json!({"version": snapshot.version})));
            self.seen = snapshot.version;
        }
        self.first = false;
        events
    }
}

fn event(name: &str, data: serde_json::Value) -> Event {
    Event::default().event(name).data(data.to_string())
}
