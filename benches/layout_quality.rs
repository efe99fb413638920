//! How good the drawings are, process by process, next to Graphviz `dot` with the lanes
//! as clusters: `cargo bench --bench layout_quality -- [SITE_ROOT ...] [--only=NAME]`. Every process of
//! each site root (the repository's own `diagrams/` by default) and generated ones of 5
//! to 100 stages are laid out as a page places them (fitted to the content column) and
//! measured: crossings, bends, arrows through text or stages, the closest gap between
//! parallel arrows, size, and the median layout time. docs/diagram-layout.md holds a run.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use signpost::process::fit;
use signpost::process::layout::{self, Layout};
use signpost::process::quality::{self, Polyline};
use signpost::process::{self, Direction, Process};

/// A process shaped like real ones (as in benches/process_layout.rs): mostly a chain,
/// with branches, joins, a few loops back, and groups of neighbouring stages.
fn generated(stages: usize, lanes: usize, seed: u64) -> String {
    let mut seed = seed;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut y = format!("id: gen-{stages}-{lanes}\ntitle: A generated process\nlanes:\n");
    for l in 0..lanes {
        let _ = writeln!(y, "  - id: lane-{l}\n    title: Lane {l} of the process");
    }
    y.push_str("stages:\n");
    for i in 0..stages {
        let mut targets = vec![];
        if i + 1 < stages {
            targets.push(i + 1);
        }
        if i + 3 < stages && next(4) == 0 {
            targets.push(i + 3);
        }
        if i > 5 && next(12) == 0 {
            targets.push(i - 1 - next(5));
        }
        let targets: Vec<String> = targets.iter().map(|t| format!("s{t}")).collect();
        let kind = ["stage", "stage", "stage", "milestone"][next(4)];
        let _ = writeln!(
            y,
            "  - id: s{i}\n    title: Stage {i} checks the requirements\n    lane: lane-{}\n    kind: {kind}\n    next: [{}]",
            next(lanes),
            targets.join(", ")
        );
    }
    if stages >= 20 {
        y.push_str("groups:\n");
        for g in 0..stages / 20 {
            let _ = writeln!(
                y,
                "  - id: g{g}\n    title: Group {g}\n    stages: [s{}, s{}, s{}]",
                g * 20 + 2,
                g * 20 + 3,
                g * 20 + 4
            );
        }
    }
    y
}

/// The same graph for `dot`: each lane a cluster, each stage a box of the size we draw
/// it, flowing the way our drawing flows.
fn dot_source(process: &Process, drawn: &Layout) -> String {
    let rankdir = if drawn.direction == Direction::Right { "LR" } else { "TB" };
    let mut d = format!("digraph p {{\n  rankdir={rankdir}; splines=true; node [shape=box, fixedsize=true];\n");
    for (l, lane) in process.lanes.iter().enumerate() {
        let _ = writeln!(d, "  subgraph cluster_{l} {{");
        for (s, stage) in process.stages.iter().enumerate().filter(|(_, s)| s.lane == lane.id) {
            let r = drawn.stages[s].rect;
            let _ = writeln!(
                d,
                "    s{s} [width={:.2}, height={:.2}, label=\"{}\"];",
                f64::from(r.w) / 72.0,
                f64::from(r.h) / 72.0,
                stage.id
            );
        }
        d.push_str("  }\n");
    }
    for (s, stage) in process.stages.iter().enumerate() {
        for next in &stage.next {
            let t = process.stages.iter().position(|o| &o.id == next).expect("a checked reference");
            let _ = writeln!(d, "  s{s} -> s{t};");
        }
    }
    d.push_str("}\n");
    d
}

/// `dot -Tplain`'s edges as polylines: each cubic Bézier piece sampled at 12 points.
fn dot_edges(source: &str) -> Option<Vec<Polyline>> {
    let mut child = Command::new("dot")
        .arg("-Tplain")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    std::io::Write::write_all(child.stdin.as_mut()?, source.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let stage = |name: &str| name.trim_start_matches('s').parse::<usize>().ok();
    let mut lines = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("edge ")) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (from, to, n) = (stage(f[1])?, stage(f[2])?, f[3].parse::<usize>().ok()?);
        let control: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                (f[4 + 2 * i].parse::<f64>().unwrap_or(0.0) * 72.0, f[5 + 2 * i].parse::<f64>().unwrap_or(0.0) * 72.0)
            })
            .collect();
        let mut points = vec![control[0]];
        for piece in control.windows(4).step_by(3) {
            for k in 1..=12 {
                let t = f64::from(k) / 12.0;
                let u = 1.0 - t;
                let b = |i: usize| -> f64 {
                    let c = |p: (f64, f64)| if i == 0 { p.0 } else { p.1 };
                    u * u * u * c(piece[0])
                        + 3.0 * u * u * t * c(piece[1])
                        + 3.0 * u * t * t * c(piece[2])
                        + t * t * t * c(piece[3])
                };
                points.push((b(0), b(1)));
            }
        }
        lines.push(Polyline { from, to, points });
    }
    Some(lines)
}

/// The median time of laying out a process as a page does, in milliseconds.
fn layout_ms(process: &Process) -> f64 {
    let runs = if process.stages.len() > 50 { 31 } else { 101 };
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(fit::fitted(process, layout::COLUMN));
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[runs / 2]
}

fn main() {
    let mut roots: Vec<PathBuf> =
        std::env::args().skip(1).filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    if roots.is_empty() {
        roots.push(PathBuf::from("."));
    }
    let mut processes: Vec<(String, Process)> = Vec::new();
    for root in &roots {
        let (loaded, problems) = process::load_all(root);
        if !problems.is_empty() {
            eprintln!("{}: some processes did not load", root.display());
        }
        let site = root.file_name().map_or(String::from("."), |n| n.to_string_lossy().into_owned());
        processes.extend(loaded.into_values().filter(|p| !p.is_abstract).map(|p| (format!("{site}/{}", p.id), p)));
    }
    // The first ten as in the earlier runs (each one's seed is its place in the list), then more sizes.
    let sizes = [
        (5, 2),
        (8, 3),
        (12, 3),
        (16, 4),
        (16, 6),
        (20, 4),
        (30, 5),
        (50, 6),
        (75, 6),
        (100, 6),
        (6, 2),
        (10, 3),
        (14, 4),
        (24, 5),
        (40, 6),
        (60, 6),
        (90, 6),
    ];
    for (i, &(stages, lanes)) in sizes.iter().enumerate() {
        let text = generated(stages, lanes, 0x5eed + i as u64);
        let p = process::parse(&text, &PathBuf::from(format!("diagrams/gen-{stages}-{lanes}.yaml")))
            .expect("the generated process is valid");
        processes.push((format!("generated/{stages}x{lanes}"), p));
    }

    // `--only=NAME` keeps the processes whose names hold NAME (a quicker look at a few).
    if let Some(only) = std::env::args().find_map(|a| a.strip_prefix("--only=").map(str::to_string)) {
        processes.retain(|(name, _)| name.contains(&only));
    }
    println!("| process | stages | lanes | arrangement | crossings | dot crossings | bends | through text or stage | closest parallel gap | size (px) | aspect | layout (ms) |");
    println!("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut misses, mut worse_than_dot) = (0, 0);
    for (name, p) in &processes {
        let drawn = fit::fitted(p, layout::COLUMN);
        let q = quality::measure(&drawn);
        let dot = dot_edges(&dot_source(p, &drawn)).map(|lines| quality::crossings(&lines));
        let mut arrangement = match (drawn.direction, drawn.tiers) {
            (Direction::Down, _) => "down".to_string(),
            (Direction::Right, 1) => "right".to_string(),
            (Direction::Right, t) => format!("right, {t} rows"),
        };
        if drawn.lanes_in_captions && p.lanes.len() > 1 {
            arrangement.push_str(", lanes on stages");
        }
        let gap = q.closest_parallel.map_or("-".to_string(), |g| g.to_string());
        if !q.through.is_empty() || q.closest_parallel.is_some_and(|g| g < quality::MIN_PARALLEL_GAP) {
            misses += 1;
        }
        if dot.is_some_and(|d| q.crossings > d) {
            worse_than_dot += 1;
        }
        println!(
            "| {name} | {} | {} | {arrangement} | {} | {} | {} | {} | {gap} | {} x {} | {:.2} | {:.3} |",
            p.stages.len(),
            p.lanes.len(),
            q.crossings,
            dot.map_or("?".to_string(), |d| d.to_string()),
            q.bends,
            q.through.len(),
            q.width,
            q.height,
            f64::from(q.width) / f64::from(q.height.max(1)),
            layout_ms(p),
        );
        if std::env::args().any(|a| a == "--why") {
            for t in &q.through {
                eprintln!("{name}: {t}");
            }
        }
    }
    println!();
    println!(
        "{} processes; {misses} with an arrow through text or a stage or parallel arrows under {} px apart; {worse_than_dot} with more crossings than dot.",
        processes.len(),
        quality::MIN_PARALLEL_GAP
    );
}
