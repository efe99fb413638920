//! The `signpost` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use signpost::build::{self, BuildError, BuildOptions};
use signpost::content::Scope;
use signpost::diagnostics::Diagnostics;
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
    /// are errors, warnings or ignored is set by `check:` in site.yaml. Exit status:
    /// 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error.
    Check(CheckArgs),
    /// Create a small starter site in DIR.
    New {
        /// Folder to create; it must not exist or be empty.
        dir: PathBuf,
    },
}

#[derive(Args)]
struct SiteArgs {
    /// The site's folder, holding site.yaml [default: the current folder]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Build one service as a standalone site, its pages at the root
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
    /// Also fetch external links (not implemented yet: the check is offline)
    #[arg(long)]
    external: bool,
    /// Print nothing when there are no problems
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => cmd_build(args),
        Command::Check(args) => cmd_check(args),
        Command::New { dir } => cmd_new(&dir),
    }
}

fn load_options(site: &SiteArgs, base_url: Option<String>) -> LoadOptions {
    LoadOptions {
        root: build::root_or_current(site.root.as_deref()),
        scope: site.service.clone().map_or(Scope::Portal, Scope::Service),
        base_url,
    }
}

fn cmd_build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        load: load_options(&args.site, args.base_url.clone()),
        out: args.out.clone(),
        check: !args.no_check,
    };
    let root = options.load.root.clone();
    match build::build(&options) {
        Ok(report) => {
            if !args.quiet {
                print_diagnostics(&root, &report.diagnostics);
            }
            if args.verbose || args.explain {
                for page in &report.output.pages {
                    let from = if page.shared { " (shared)" } else { "" };
                    println!("  {} <- {}{from}", page.file, page.source.display());
                }
                for (own, shared) in &report.overrides {
                    println!("  {} replaces {}", own.display(), shared.display());
                }
            }
            if !args.quiet {
                println!(
                    "Built {} pages ({} files) into {} in {:.2} s{}",
                    report.pages,
                    report.files,
                    options.out_dir().display(),
                    report.elapsed.as_secs_f64(),
                    plural_warnings(report.diagnostics.warnings()),
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            let diagnostics = error.diagnostics();
            print_diagnostics(&root, &diagnostics);
            eprintln!(
                "Build failed: {} error{}{}; the previous output is unchanged.",
                diagnostics.errors(),
                if diagnostics.errors() == 1 { "" } else { "s" },
                plural_warnings(diagnostics.warnings())
            );
            exit_status(&error)
        }
    }
}

/// 1 for problems in the site's files, 2 for usage and I/O problems.
fn exit_status(error: &BuildError) -> ExitCode {
    match error {
        BuildError::Content(d) if d.iter().all(|d| !matches!(d.kind, "io" | "usage")) => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

fn cmd_check(args: CheckArgs) -> ExitCode {
    use signpost::check::{self, report};
    if args.external {
        eprintln!("error: --external is not implemented yet; `signpost check` checks links inside the site only");
        return ExitCode::from(2);
    }
    let load = load_options(&args.site, args.base_url.clone());
    let (checked, problems) = check::check_site(&load);
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
    let errors: Vec<_> = entries.iter().map(|e| &e.diagnostic).filter(|d| d.is_error()).collect();
    if errors.iter().any(|d| matches!(d.kind, "io" | "usage")) {
        ExitCode::from(2)
    } else if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
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
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    }
}

fn print_diagnostics(root: &Path, diagnostics: &Diagnostics) {
    let color = std::io::stderr().is_terminal();
    for d in diagnostics.iter() {
        eprintln!("{}", d.render(root, color));
    }
}
