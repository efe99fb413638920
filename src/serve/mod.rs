//! `signpost serve`: builds the site once, serves it from memory, watches the sources,
//! rebuilds only what a change touches, and reloads the open pages when it is done.
//!
//! Threads: the watcher's ([`watch`]) hands batches of changed paths to one rebuild
//! thread, which owns the [`rebuild::Preview`] and publishes each finished rebuild as a
//! [`files::Snapshot`] on a `tokio::sync::watch` channel; the HTTP server ([`http`]) and
//! every page's reload stream ([`reload`]) read the latest snapshot from it. Nothing is
//! shared but that channel.

pub mod files;
pub mod http;
pub mod index;
mod model;
mod plan;
pub mod rebuild;
pub mod reload;
mod reread;
pub mod watch;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::diagnostics::Diagnostics;
use crate::site::LoadOptions;
pub use files::Snapshot;
pub use rebuild::{Preview, Report};

/// The port tried first when none is given (Jekyll's, which the portals' authors know).
pub const DEFAULT_PORT: u16 = 4000;
/// How many ports after the default are tried when it is busy.
const PORTS_TO_TRY: u16 = 10;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub load: LoadOptions,
    pub bind: IpAddr,
    /// `None`: [`DEFAULT_PORT`], or the next free one. `Some(0)`: any free port.
    pub port: Option<u16>,
    /// Poll the files instead of asking the system for events.
    pub poll: bool,
}

impl ServeOptions {
    pub fn new(load: LoadOptions) -> Self {
        ServeOptions { load, bind: IpAddr::V4(Ipv4Addr::LOCALHOST), port: None, poll: false }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("port {port} on {bind} is in use; stop the other server or choose another port with --port (0 picks any free port)")]
    PortInUse { bind: IpAddr, port: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("cannot watch the site's files: {0}; try --poll")]
    Watch(#[from] notify::Error),
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

/// What the server tells whoever started it.
pub enum Notice<'a> {
    /// The first build, or a rebuild, finished.
    Built(&'a Report),
    /// The watcher reported a problem.
    Watcher(&'a str),
}

enum Message {
    Batch(watch::Batch),
    Indexed(index::Indexed),
    Stop,
}

/// How long the author pauses before the search index is made again.
const INDEX_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// A running preview server. Dropping it without [`Server::stop`] leaves it running
/// until the process ends.
pub struct Server {
    addr: SocketAddr,
    /// Set when the default port was busy and another was taken.
    pub port_note: Option<String>,
    runtime: tokio::runtime::Runtime,
    snapshots: tokio::sync::watch::Receiver<Arc<Snapshot>>,
    closing: tokio::sync::watch::Sender<bool>,
    messages: mpsc::Sender<Message>,
    rebuilder: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds, builds once, then serves and watches. Returns once the first build is
    /// served; `notify` hears of every build after that, from the rebuild thread.
    pub fn start(options: ServeOptions, notify: impl Fn(Notice) + Send + 'static) -> Result<Server, ServeError> {
        let (listener, port_note) = bind(options.bind, options.port)?;
        let addr = listener.local_addr()?;
        // Watching starts first: a change saved during the first build is rebuilt after it.
        let (messages, inbox) = mpsc::channel();
        let forward = messages.clone();
        let watcher = watch::Watcher::start(&options.load.root, options.poll, move |batch| {
            let _ = forward.send(Message::Batch(batch));
        })?;
        let mut preview = Preview::new(options.load.clone());
        let report = preview.full("the first build");
        notify(Notice::Built(&report));
        let (publish, snapshots) = tokio::sync::watch::channel(Arc::new(preview.snapshot()));
        let outbox = messages.clone();
        let (closing, closing_rx) = tokio::sync::watch::channel(false);
        let rebuilder = std::thread::Builder::new()
            .name("signpost-rebuild".into())
            .spawn(move || rebuild_loop(preview, watcher, inbox, outbox, publish, notify))?;

        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        listener.set_nonblocking(true)?;
        let state = http::AppState { snapshots: snapshots.clone(), closing: closing_rx.clone(), bind: options.bind };
        let app = http::router(state);
        let mut shutdown = closing_rx;
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a bound listener");
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.wait_for(|closing| *closing).await;
                })
                .await;
        });
        Ok(Server { addr, port_note, runtime, snapshots, closing, messages, rebuilder: Some(rebuilder) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the site's home page.
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() => "localhost".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        format!("http://{host}:{}{}", self.addr.port(), self.snapshot().base)
    }

    /// What is served now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshots.borrow().clone()
    }

    /// Waits for Ctrl+C.
    pub fn wait_for_interrupt(&self) {
        let _ = self.runtime.block_on(tokio::signal::ctrl_c());
    }

    /// Stops watching and serving, ends open reload streams, and saves the cache.
    pub fn stop(mut self) {
        let _ = self.closing.send(true);
        let _ = self.messages.send(Message::Stop);
        if let Some(thread) = self.rebuilder.take() {
            let _ = thread.join();
        }
        self.runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    }
}

/// The port asked for, or the default and then the next free ones.
fn bind(ip: IpAddr, port: Option<u16>) -> Result<(TcpListener, Option<String>), ServeError> {
    let busy = |e: &std::io::Error| e.kind() == std::io::ErrorKind::AddrInUse;
    if let Some(port) = port {
        let addr = SocketAddr::new(ip, port);
        return match TcpListener::bind(addr) {
            Ok(listener) => Ok((listener, None)),
            Err(e) if busy(&e) => Err(ServeError::PortInUse { bind: ip, port }),
            Err(source) => Err(ServeError::Listen { addr, source }),
        };
    }
    for port in DEFAULT_PORT..DEFAULT_PORT + PORTS_TO_TRY {
        let addr = SocketAddr::new(ip, port);
        match TcpListener::bind(addr) {
            Ok(listener) => {
                let note = (port != DEFAULT_PORT).then(|| format!("port {DEFAULT_PORT} is in use; using {port}"));
                return Ok((listener, note));
            }
            Err(e) if busy(&e) => continue,
            Err(source) => return Err(ServeError::Listen { addr, source }),
        }
    }
    Err(ServeError::PortInUse { bind: ip, port: DEFAULT_PORT })
}

fn rebuild_loop(
    mut preview: Preview,
    mut watcher: watch::Watcher,
    inbox: mpsc::Receiver<Message>,
    outbox: mpsc::Sender<Message>,
    publish: tokio::sync::watch::Sender<Arc<Snapshot>>,
    notify: impl Fn(Notice),
) {
    let mut indexing = false;
    loop {
        let first = if preview.index_pending() && !indexing {
            match inbox.recv_timeout(INDEX_AFTER) {
                Ok(message) => message,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // A pause: the search index, on a thread of its own.
                    if let Some(job) = preview.index_job() {
                        indexing = true;
                        let outbox = outbox.clone();
                        std::thread::spawn(move || outbox.send(Message::Indexed(job.run())));
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match inbox.recv() {
                Ok(message) => message,
                Err(_) => break,
            }
        };
        // Whatever arrived during the last rebuild joins this one.
        let mut batch: Option<watch::Batch> = None;
        let mut stop = false;
        for message in std::iter::once(first).chain(std::iter::from_fn(|| inbox.try_recv().ok())) {
            match message {
                Message::Batch(more) => merge(batch.get_or_insert_with(watch::Batch::default), more),
                Message::Indexed(indexed) => {
                    indexing = false;
                    if let Some(report) = preview.apply_index(indexed) {
                        publish.send_replace(Arc::new(preview.snapshot()));
                        notify(Notice::Built(&report));
                    }
                }
                Message::Stop => stop = true,
            }
        }
        if stop {
            break;
        }
        let Some(batch) = batch else { continue };
        for error in &batch.errors {
            notify(Notice::Watcher(error));
        }
        watcher.watch_new_folders(&batch.paths);
        if let Some(report) = preview.rebuild(&batch) {
            publish.send_replace(Arc::new(preview.snapshot()));
            notify(Notice::Built(&report));
        }
    }
    drop(watcher);
    preview.save_cache();
}

fn merge(batch: &mut watch::Batch, more: watch::Batch) {
    batch.rescan |= more.rescan;
    for path in more.paths {
        if !batch.paths.contains(&path) {
            batch.paths.push(path);
        }
    }
    batch.errors.extend(more.errors);
}

/// Runs `signpost serve` in the terminal until Ctrl+C: prints the address, each rebuild,
/// and every error as `signpost build` prints it.
pub fn run(options: ServeOptions, open: bool) -> Result<(), ServeError> {
    let root = options.load.root.clone();
    let color = std::io::stderr().is_terminal();
    let terminal = std::sync::Mutex::new(Terminal::default());
    let server = Server::start(options, move |notice| {
        let mut terminal = terminal.lock().expect("the terminal's state");
        terminal.print(&root, color, &notice)
    })?;
    if let Some(note) = &server.port_note {
        println!("Note: {note}.");
    }
    let url = server.url();
    println!("Serving {url} (Ctrl+C to stop)");
    if server.addr().ip().is_unspecified() {
        println!("Note: the preview is reachable from other machines on the network.");
    }
    if open {
        open_browser(&url);
    }
    server.wait_for_interrupt();
    server.stop();
    Ok(())
}

/// What the terminal has been told, so that each rebuild prints what is new.
#[derive(Default)]
struct Terminal {
    /// Warnings are printed once, not again with every rebuild that finds them still there.
    warned: HashSet<String>,
    /// The check's errors as last printed; printed again only when they change.
    standing: Vec<String>,
}

impl Terminal {
    fn print(&mut self, root: &Path, color: bool, notice: &Notice) {
        match notice {
            Notice::Watcher(message) => eprintln!("warning: file watcher: {message}"),
            Notice::Built(report) => self.print_report(root, color, report),
        }
    }

    fn print_report(&mut self, root: &Path, color: bool, report: &Report) {
        let warnings = report.warnings.iter().chain(report.findings.iter().filter(|d| !d.is_error()));
        let new_warnings = warnings.filter(|w| self.warned.insert(w.to_string())).cloned().collect();
        print_diagnostics(root, color, &Diagnostics(new_warnings));
        print_diagnostics(root, color, &report.errors);
        let refused = Diagnostics(report.findings.iter().filter(|d| d.is_error()).cloned().collect());
        let standing: Vec<String> = refused.iter().map(|d| d.to_string()).collect();
        let changed = standing != self.standing;
        if changed {
            print_diagnostics(root, color, &refused);
        }
        let time = format!("{:.0} ms", report.elapsed.as_secs_f64() * 1000.0);
        if report.errors.has_errors() {
            let n = report.errors.errors();
            eprintln!("{}: {}; the last good pages stay served", report.cause, plural(n, "error"));
        } else if report.full {
            println!("Built {} pages ({}) in {time}", report.pages_rendered, report.cause);
        } else {
            let files = plural(report.files_changed, "file");
            match report.pages_rendered {
                0 => println!("{}: {files} changed in {time}", report.cause),
                n => println!("{}: {} rendered, {files} changed in {time}", report.cause, plural(n, "page")),
            }
        }
        match (standing.len(), self.standing.len()) {
            (0, 0) => {}
            (0, _) if !report.errors.has_errors() => println!("Fixed: `signpost build` would accept the site now."),
            (0, _) => {}
            // A reminder after each rebuild of pages, not after the search index.
            (n, _) if changed || report.full || report.pages_rendered > 0 => {
                let still = if changed { "" } else { " (as above)" };
                eprintln!("{} that `signpost build` would refuse the site for{still}", plural(n, "error"));
            }
            (_, _) => {}
        }
        // While other errors stand the check does not run; its errors are not fixed.
        if !report.errors.has_errors() {
            self.standing = standing;
        }
    }
}

/// `1 error`, `2 errors`.
fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn print_diagnostics(root: &Path, color: bool, diagnostics: &Diagnostics) {
    for d in diagnostics.iter() {
        eprintln!("{}", d.render(root, color));
    }
}

/// Opens the system's browser; failing to is only worth a line. The opener's own output
/// is held back: on a machine without a desktop, `xdg-open` tries one browser after
/// another and complains about each.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let url = url.to_string();
    let say = move |why: String| eprintln!("Could not open a browser ({why}); open {url} yourself.");
    match spawned {
        Err(e) => say(format!("{program}: {e}")),
        // Waited for on a thread of its own, so the server is not held up.
        Ok(mut child) => {
            let _ = std::thread::Builder::new().name("signpost-open".into()).spawn(move || match child.wait() {
                Ok(status) if !status.success() => say(format!("{program} {status}")),
                Ok(_) => {}
                Err(e) => say(format!("{program}: {e}")),
            });
        }
    }
}
