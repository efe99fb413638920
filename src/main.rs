//! The `signpost` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use signpost::build::{self, BuildError, BuildOptions};
use signpost::content::Scope;
use signpost::diagnostics::{Diagnostics, Exit, Kind};
use signpost::site::LoadOptions;

/// Signpost builds documentation portals from Markdown, with process diagrams whose
/// stages link to the sections that explain them.
#[derive(Parser)]
#[command(name = "signpost", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (ROOT/public by default).
    ///
    /// Exit status: 0 built, 1 the site has errors, 2 usage or I/O error. A failed
    /// build leaves the previous output as it was.
    Build(BuildArgs),
    /// Check every link, anchor and stage link of the site, writing nothing.
    ///
    /// Reports like a compiler (or as JSON, documented in docs/check.md). Which kinds
    /// are errors, warnings or ignored is set by `check:` in site.yaml. Links to other
    /// hosts are counted, not followed, unless --external is given. Exit status:
    /// 0 no errors (warnings allowed), 1 errors found (a dead external link among them),
    /// 2 usage or I/O error.
    Check(CheckArgs),
    /// Write one process diagram on its own, as SVG or PNG.
    Diagram(DiagramArgs),
    /// Preview the site: build it, serve it from memory, rebuild what each saved change
    /// touches and reload the open pages (docs/serve.md).
    ///
    /// Exit status: 0 stopped with Ctrl+C, 2 usage error, busy port or I/O error. Errors
    /// in the site do not stop the server: they show over the page until fixed.
    Serve(ServeArgs),
    /// Bring a Jekyll site over as a Signpost site, with its draw.io diagrams as processes.
    ///
    /// Writes OUT_DIR/site.yaml (from _config.yml), content/ (pages, _data, sidebars,
    /// files), _includes/ and diagrams/ (a process for each embedded draw.io diagram), and
    /// reports what it could not carry over, per page and line (docs/jekyll.md). Exit
    /// status: 0 imported, 1 imported with errors (a diagram left as it was), 2 usage or I/O error.
    Import(ImportArgs),
    /// Create a small starter site in DIR.
    New {
        /// Folder to create; it must not exist or be empty.
        dir: PathBuf,
    },
}

#[derive(Args)]
struct ImportArgs {
    /// The Jekyll site's folder, holding _config.yml
    jekyll_site: PathBuf,
    /// Folder to write the Signpost site into; it must not exist or be empty
    out_dir: PathBuf,
    /// Print only the summary line and errors
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct DiagramArgs {
    /// The process id: the name of its file in diagrams/
    id: String,
    /// The site's folder, holding diagrams/ [default: the current folder]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// svg (a standalone document with its own styles) or png (drawn at twice the size)
    #[arg(long, value_enum, default_value = "svg")]
    format: DiagramFormat,
    /// The file to write
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiagramFormat {
    Svg,
    Png,
}

#[derive(Args)]
struct SiteArgs {
    /// The site's folder, holding site.yaml [default: the current folder]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Only this service, as a standalone site with its pages at the root (as `build --service` makes it)
    #[arg(long, value_name = "ID")]
    service: Option<String>,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder [default: ROOT/public]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Publish under this URL or path (e.g. /portal/), overriding site.yaml's base_url
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Print nothing on success, and no warnings
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print each page's source file and output path
    #[arg(long, short)]
    verbose: bool,
    /// Say which file each page came from, and which shared pages a service replaced
    #[arg(long)]
    explain: bool,
    /// Write the site even if its links are broken (skip the checks of `signpost check`)
    #[arg(long)]
    no_check: bool,
    /// Write no search index (the search box is then left out of the pages)
    #[arg(long)]
    no_search: bool,
    /// Build even if nothing has changed since the last build into the output folder
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Check as published under this URL or path, overriding site.yaml's base_url
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// How to report: text like a compiler, or JSON (docs/check.md describes it)
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    /// Also fetch every http(s) link to another host, a few at a time per host, and
    /// report the dead (4xx, 5xx, no answer), the redirected and, with --external-anchors,
    /// the missing #fragments. Results that worked are kept in .signpost-cache/external.json
    /// and reused for a day; `check: external:` in site.yaml sets the cache, its age,
    /// timeout, retries, per-host limit and which URLs to include or exclude
    #[arg(long)]
    external: bool,
    /// With --external: also look for each link's #fragment (an id or <a name>) in the
    /// fetched page, as site.yaml's `check: external: anchors: true` does
    #[arg(long, requires = "external")]
    external_anchors: bool,
    /// With --external: reuse cached results younger than this (90s, 15m, 12h, 7d);
    /// 0 fetches every URL again [default: site.yaml's `max_age:`, else 1d]
    #[arg(long, value_name = "AGE", requires = "external", value_parser = parse_age)]
    max_age: Option<std::time::Duration>,
    /// Print nothing when there are no problems
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also say how long loading and rendering, and the check itself, took
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Port to listen on; 0 picks any free port [default: 4000, or the next free one]
    #[arg(long, short, value_name = "N")]
    port: Option<u16>,
    /// Address to listen on; 0.0.0.0 makes the preview reachable from other machines
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the system's browser
    #[arg(long)]
    open: bool,
    /// Look for changes by polling, where file events do not arrive (network drives,
    /// some containers and VMs)
    #[arg(long)]
    poll: bool,
}

/// Pages render on rayon's threads. Liquid and Markdown nest as deep as their limits allow
/// (100 blocks; see docs/jekyll.md), which a debug build's frames can take past the 2 MiB a
/// thread gets by default; the stack is reserved, not used, until it is needed.
const RENDER_STACK: usize = 16 << 20;

/// mimalloc in place of glibc's allocator. A cold build of 10,000 pages spent about a fifth
/// of its samples in glibc's malloc and free, most of them for syntect's regex regions;
/// docs/benchmarks.md has the figures. It also takes C's malloc (the `override` feature),
/// as onig, syntect's regex engine, allocates a region for every match.
#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc, asked for word-aligned memory by its plain calls: the `mimalloc` crate's
/// allocator asks for every block by `mi_malloc_aligned`, whose checks cost about 30
/// instructions a call and which takes its slow path for any block over 1 KiB (a
/// twelfth of `check`'s calls; callgrind). Every block mimalloc hands out is aligned to
/// at least a word, so alignments up to 8 need nothing more.
struct Mimalloc;

const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each function hands the layout's request to mimalloc, by the aligned call when
// the alignment is more than the word every mimalloc block starts on; blocks are freed
// and resized by mimalloc, which allocated them.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        if layout.align() <= WORD {
            unsafe { mi_malloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        if layout.align() <= WORD {
            unsafe { mi_zalloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        if layout.align() <= WORD {
            unsafe { mi_realloc(ptr.cast(), new_size) as *mut u8 }
        } else {
            unsafe { mi_realloc_aligned(ptr.cast(), new_size, layout.align()) as *mut u8 }
        }
    }
}

// The options' places in `mi_option_t` of the mimalloc that libmimalloc-sys builds (its
// Rust bindings do not name them).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// mimalloc keeps freed memory for a second before it returns it, and commits its arenas
/// ahead. A build frees each page's working memory as the next one is rendered, so freed
/// memory goes back after 10 ms, and arenas are committed as they are used: at 10,000
/// pages the peak is then 111-125 MB against 150-160 with mimalloc's defaults. Returning
/// it at once (0 ms) saved another 13 MB there and 25 MB at 100,000 pages, but doubled
/// the system time of `check` (0.13 -> 0.32 s) and cost a build 0.3 s of CPU time.
/// Transparent huge pages are off: backing memory 2 MiB at a time held about 22 MB more
/// at 10,000 pages and 40 MB more at 100,000. A `MIMALLOC_*` variable set by the user
/// still wins.
fn tune_allocator() {
    for (option, variable, value) in [
        (PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 10),
        (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
        (ALLOW_THP, "MIMALLOC_ALLOW_THP", 0),
    ] {
        set_allocator_option(option, variable, value);
    }
    // mimalloc read ALLOW_THP when the runtime first allocated, before `main`, and asked
    // for huge pages on its first arena: only the process-wide switch takes that back.
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE takes one integer and changes only how the kernel
        // backs this process's memory; a kernel without it returns an error, ignored.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// In `check` freed memory goes back after a second, not after 10 ms: a check of 10,000
/// pages gave memory back and faulted it in again all the way (this alone: 0.77 -> 0.72 s,
/// 62 -> 81 MB at the peak; `check` has no output to keep room for, a build does).
fn hold_freed_memory() {
    set_allocator_option(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 1000);
}

/// Sets one of mimalloc's options, unless the user set it with its `MIMALLOC_*` variable.
fn set_allocator_option(option: libmimalloc_sys::mi_option_t, variable: &str, value: std::ffi::c_long) {
    if std::env::var_os(variable).is_none() {
        // SAFETY: sets one of mimalloc's numeric options; it reads them at any time and
        // every value is valid.
        unsafe { libmimalloc_sys::mi_option_set(option, value) };
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    // Fails only if a pool already exists, which nothing before this line makes.
    let _ = rayon::ThreadPoolBuilder::new().stack_size(RENDER_STACK).build_global();
    if let Some(code) = refuse_jekyll_site(&cli.command) {
        return code;
    }
    match cli.command {
        Command::Build(args) => cmd_build(args),
        Command::Check(args) => {
            hold_freed_memory();
            cmd_check(args)
        }
        Command::Diagram(args) => cmd_diagram(args),
        Command::Serve(args) => cmd_serve(args),
        Command::Import(args) => cmd_import(args),
        Command::New { dir } => cmd_new(&dir),
    }
}

/// A Jekyll site is imported first; building it as it is would misread it.
fn refuse_jekyll_site(command: &Command) -> Option<ExitCode> {
    let root = match command {
        Command::Build(a) => &a.site.root,
        Command::Check(a) => &a.site.root,
        Command::Serve(a) => &a.site.root,
        _ => return None,
    };
    let root = build::root_or_current(root.as_deref());
    if !signpost::import::jekyll::is_jekyll_site(&root) {
        return None;
    }
    eprintln!("error[usage]: {} is a Jekyll site (it has _config.yml and no site.yaml)", root.display());
    eprintln!("help: import it first: signpost import {} NEW_DIR, then build NEW_DIR", root.display());
    Some(ExitCode::from(2))
}

fn cmd_import(args: ImportArgs) -> ExitCode {
    match signpost::import::import(&args.jekyll_site, &args.out_dir) {
        Ok(report) => {
            let color = std::io::stderr().is_terminal();
            for d in report.diagnostics.iter().filter(|d| !args.quiet || d.is_error()) {
                eprintln!("{}", d.render(&args.jekyll_site, color));
            }
            println!("{}", report.summary(&args.out_dir));
            if report.diagnostics.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(signpost::import::ImportError::Config(d)) => {
            eprintln!("{}", d.render(&args.jekyll_site, std::io::stderr().is_terminal()));
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn load_options(site: &SiteArgs, base_url: Option<String>) -> LoadOptions {
    LoadOptions {
        root: build::root_or_current(site.root.as_deref()),
        scope: site.service.clone().map_or(Scope::Portal, Scope::Service),
        base_url,
        bodies: Default::default(),
    }
}

fn cmd_build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        load: load_options(&args.site, args.base_url.clone()),
        out: args.out.clone(),
        check: !args.no_check,
        search: !args.no_search,
        force: args.force,
    };
    let root = options.load.root.clone();
    match build::build(&options) {
        Ok(report) => {
            if !args.quiet {
                print_diagnostics(&root, &report.diagnostics);
            }
            if args.verbose || args.explain {
                for page in &report.listing {
                    let from = if page.shared { " (shared)" } else { "" };
                    println!("  {} <- {}{from}", page.file, page.source.display());
                }
                for (own, shared) in &report.overrides {
                    println!("  {} replaces {}", own.display(), shared.display());
                }
                if let Some(search) = report.search.as_ref().filter(|_| !report.unchanged()) {
                    println!(
                        "  search index: {} pages, {} words in {} shards, {} files, {} KB in {:.2} s",
                        search.pages,
                        search.words,
                        search.shards,
                        search.files,
                        search.bytes / 1024,
                        search.elapsed.as_secs_f64()
                    );
                }
            }
            if !args.quiet {
                if report.unchanged() {
                    println!(
                        "Nothing changed since the last build: {} is up to date ({} pages, {} files; \
                         looked in {:.2} s){}",
                        options.out_dir().display(),
                        report.pages,
                        report.files,
                        report.elapsed.as_secs_f64(),
                        plural_warnings(report.diagnostics.warnings()),
                    );
                } else {
                    let again = match report.again {
                        Some(again) => format!(
                            " ({} rendered again, {} written{})",
                            plural(again.pages, "page"),
                            plural(again.written, "file"),
                            if again.removed > 0 { format!(", {} removed", again.removed) } else { String::new() }
                        ),
                        None => String::new(),
                    };
                    println!(
                        "Built {} pages ({} files) into {} in {:.2} s{again}{}",
                        report.pages,
                        report.files,
                        options.out_dir().display(),
                        report.elapsed.as_secs_f64(),
                        plural_warnings(report.diagnostics.warnings()),
                    );
                }
                let config = signpost::config::SiteConfig::load(&root).ok();
                let base_is_url = options.load.base_url.as_deref().unwrap_or_default().contains("://")
                    || config.as_ref().is_some_and(|c| c.base_url.contains("://"));
                if config.is_some_and(|c| c.url.is_none()) && !base_is_url {
                    eprintln!(
                        "note: sitemap.xml lists paths, not full URLs, as site.yaml has no `url`; \
                         add `url: https://...` (where the site is published) for search engines"
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            let diagnostics = error.diagnostics();
            print_diagnostics(&root, &diagnostics);
            eprintln!(
                "Build failed: {}{}; the previous output is unchanged.",
                plural(diagnostics.errors(), "error"),
                plural_warnings(diagnostics.warnings())
            );
            exit_status(&error)
        }
    }
}

/// 1 for problems in the site's files, 2 for usage and I/O problems.
fn exit_status(error: &BuildError) -> ExitCode {
    match error {
        BuildError::Content(d) => ExitCode::from(Exit::of(d.iter()).code()),
        BuildError::Io(_) => ExitCode::from(Exit::UsageOrIo.code()),
    }
}

fn cmd_check(args: CheckArgs) -> ExitCode {
    use signpost::check::{self, report};
    let load = load_options(&args.site, args.base_url.clone());
    let external = args
        .external
        .then_some(check::external::ExternalRequest { anchors: args.external_anchors, max_age: args.max_age });
    let (checked, problems) = signpost::pipeline::check_site_with(&load, external.as_ref());
    let entries = report::entries(checked.as_ref(), &problems);
    match args.format {
        CheckFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&report::json(&entries, checked.as_ref())).expect("JSON"));
        }
        CheckFormat::Text if args.quiet && entries.is_empty() => {}
        CheckFormat::Text => {
            print!("{}", report::text(&entries, checked.as_ref(), &load.root, std::io::stdout().is_terminal()));
        }
    }
    if let (true, Some(r)) = (args.verbose, &checked) {
        let (rendered, took) = (r.rendered.as_secs_f64(), r.checked.as_secs_f64());
        eprintln!("loaded and rendered {} pages in {rendered:.3} s; checked them in {took:.3} s", r.pages);
        if let Some(x) = &r.external_checked {
            eprintln!(
                "fetched {} external URLs with {} requests in {:.3} s",
                x.fetched,
                x.requests,
                x.took.as_secs_f64()
            );
        }
    }
    let errors: Vec<_> = entries.iter().map(|e| &e.diagnostic).filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(Exit::of(errors).code())
    }
}

fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    signpost::check::external::parse_duration(text)
}

fn cmd_diagram(args: DiagramArgs) -> ExitCode {
    let root = build::root_or_current(args.root.as_deref());
    let (processes, diagnostics) = signpost::process::load_all(&root);
    let Some(process) = processes.get(&args.id) else {
        print_diagnostics(&root, &diagnostics);
        if diagnostics.has_errors() {
            return ExitCode::from(1);
        }
        let known: Vec<&str> = processes.keys().map(String::as_str).collect();
        eprintln!("error: no process `{}` in {}/diagrams (there are: {})", args.id, root.display(), known.join(", "));
        return ExitCode::from(2);
    };
    // In the colour of the service that places it, if site.yaml names one.
    let primary = signpost::config::SiteConfig::load(&root).ok().and_then(|config| {
        config.services.into_iter().find(|s| s.process.as_deref() == Some(args.id.as_str())).map(|s| s.colours.primary)
    });
    let written = match args.format {
        DiagramFormat::Svg => {
            std::fs::write(&args.output, signpost::process::export_svg_in(process, primary.as_deref())).map_err(|e| {
                signpost::diagnostics::Diagnostic::error(
                    Kind::Io,
                    format!("cannot write {}: {e}", args.output.display()),
                )
            })
        }
        DiagramFormat::Png => signpost::process::export_png_in(process, &args.output, primary.as_deref()),
    };
    match written {
        Ok(()) => {
            let (w, h) = signpost::process::export_size(process);
            let scale = if matches!(args.format, DiagramFormat::Png) { 2 } else { 1 };
            println!(
                "Wrote process `{}` ({}, {}) to {}: {} x {} px",
                process.id,
                plural(process.stages.len(), "stage"),
                plural(process.lanes.len(), "lane"),
                args.output.display(),
                w * scale,
                h * scale
            );
            ExitCode::SUCCESS
        }
        Err(d) => {
            print_diagnostics(&root, &d.into());
            ExitCode::from(2)
        }
    }
}

fn cmd_serve(args: ServeArgs) -> ExitCode {
    let mut options = signpost::serve::ServeOptions::new(load_options(&args.site, None));
    options.bind = args.bind;
    options.port = args.port;
    options.poll = args.poll;
    match signpost::serve::run(options, args.open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn cmd_new(dir: &Path) -> ExitCode {
    match signpost::starter::create(dir) {
        Ok(()) => {
            println!("Created a site in {}. Build it with: signpost build --root {}", dir.display(), dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn plural_warnings(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(", {}", plural(n, "warning")),
    }
}

/// `1 stage`, `2 stages`.
fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn print_diagnostics(root: &Path, diagnostics: &Diagnostics) {
    let color = std::io::stderr().is_terminal();
    for d in diagnostics.iter() {
        eprintln!("{}", d.render(root, color));
    }
}

#[cfg(test)]
mod tests {
    use std::alloc::{alloc, alloc_zeroed, dealloc, realloc, Layout};

    /// The allocator gives each block the alignment asked for, by either of its two
    /// ways, and keeps a block's bytes when it grows or shrinks.
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes_when_resized() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 24, 40, 1000, 5000, 1 << 20] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: the layouts have a non-zero size; each block is used within it
                // and freed once, with the layout it has then.
                unsafe {
                    let zeroed = alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} bytes at {align}");
                    assert!(std::slice::from_raw_parts(zeroed, size).iter().all(|&b| b == 0));
                    dealloc(zeroed, layout);

                    let block = alloc(layout);
                    assert_eq!(block as usize % align, 0, "{size} bytes at {align}");
                    for i in 0..size {
                        *block.add(i) = i as u8;
                    }
                    // Grown to three times its size, then shrunk to half of that.
                    let (mut at, mut len) = (block, size);
                    for new_len in [size * 3, size * 3 / 2] {
                        at = realloc(at, Layout::from_size_align(len, align).unwrap(), new_len);
                        assert_eq!(at as usize % align, 0, "{len} -> {new_len} bytes at {align}");
                        let kept = size.min(new_len);
                        assert!((0..kept).all(|i| *at.add(i) == i as u8), "{len} -> {new_len} at {align}");
                        len = new_len;
                    }
                    dealloc(at, Layout::from_size_align(len, align).unwrap());
                }
            }
        }
    }
}
