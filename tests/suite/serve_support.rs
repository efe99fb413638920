//! Helpers for the `serve` tests: a running server over a fixture copy, a plain HTTP/1.1
//! client that sends requests exactly as written (so odd paths reach the server as they
//! are), and a listener on the reload channel.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use signpost::serve::{Notice, ServeOptions, Server};
use signpost::site::LoadOptions;

use crate::common::Fixture;

/// How long a test waits for a rebuild before failing.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Served {
    pub fixture: Fixture,
    pub server: Option<Server>,
    pub addr: SocketAddr,
}

impl Served {
    /// Starts `signpost serve` (the library) on a free port over a copy of a fixture.
    pub fn start(fixture: Fixture) -> Served {
        Served::start_with(fixture, false)
    }

    pub fn start_with(fixture: Fixture, poll: bool) -> Served {
        let mut options = ServeOptions::new(LoadOptions::new(&fixture.root));
        options.port = Some(0);
        options.poll = poll;
        let server = Server::start(options, |notice| {
            if let Notice::Built(report) = notice {
                for d in report.errors.iter() {
                    eprintln!("serve reported: {d}");
                }
            }
        })
        .expect("server starts");
        let addr = server.addr();
        Served { fixture, server: Some(server), addr }
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("running")
    }

    /// Rewrites a file of the site in place with `change` applied to its text.
    pub fn edit(&self, path: &str, change: impl FnOnce(String) -> String) {
        let path = self.fixture.root.join(path);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, change(text)).unwrap();
    }

    /// As [`Served::edit`], saved the way editors do (see [`save_atomically`]).
    pub fn save(&self, path: &str, change: impl FnOnce(String) -> String) {
        let path = self.fixture.root.join(path);
        let text = std::fs::read_to_string(&path).unwrap();
        save_atomically(&path, &change(text));
    }

    pub fn get(&self, path: &str) -> Response {
        request(self.addr, "GET", path)
    }

    /// A reload-channel listener for the page at output path `file`, as the page's
    /// script would open it right after loading the page.
    pub fn listen(&self, file: &str) -> Listener {
        let url = if file.is_empty() { String::new() } else { file.to_string() };
        let page = self.get(&format!("/{url}"));
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            let start = page.body.find(&key).map(|i| i + key.len())?;
            Some(page.body[start..].split('"').next()?.to_string())
        };
        let v = attr("data-v").unwrap_or_else(|| "0".into());
        let at = attr("data-at").unwrap_or_else(|| "0".into());
        Listener::open(self.addr, &format!("/__signpost/events?file={file}&v={v}&at={at}"))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends `METHOD TARGET HTTP/1.1` with the target exactly as given.
pub fn request(addr: SocketAddr, method: &str, target: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Response { status, headers, body: body.to_string() }
}

/// Events of one reload stream, read on a thread: (event name, data).
pub struct Listener {
    events: mpsc::Receiver<(String, String)>,
    pub seen: Vec<(String, String)>,
}

impl Listener {
    pub fn open(addr: SocketAddr, target: &str) -> Listener {
        let mut stream = TcpStream::connect(addr).expect("connect");
        write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let (send, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut name = String::from("message");
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    if send.send((std::mem::replace(&mut name, "message".into()), data.to_string())).is_err() {
                        break;
                    }
                }
            }
        });
        let mut listener = Listener { events, seen: Vec::new() };
        listener.wait_for("hello");
        // The errors and warnings of the moment come right after, on every connection.
        listener.wait_for("errors");
        listener.wait_for("warnings");
        listener
    }

    /// Waits for the next event called `name`, skipping others; returns its data.
    pub fn wait_for(&mut self, name: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok((n, data)) => {
                    self.seen.push((n.clone(), data.clone()));
                    if n == name {
                        return data;
                    }
                }
                Err(_) => panic!("no `{name}` event within {PATIENCE:?}; saw {:?}", self.seen),
            }
        }
    }

    /// Every event that arrives within `time`.
    pub fn drain(&mut self, time: Duration) -> Vec<(String, String)> {
        let deadline = Instant::now() + time;
        let mut got = Vec::new();
        while let Ok(event) = self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            self.seen.push(event.clone());
            got.push(event);
        }
        got
    }
}

/// Writes a file the way editors do: a temporary file beside it, renamed over it.
pub fn save_atomically(path: &std::path::Path, text: &str) {
    let tmp = path.with_file_name(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Polls `check` until it holds.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
