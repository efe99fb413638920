//! Laying out and drawing a 100-stage, 6-lane process (groups, branches and cycles):
//! `cargo bench --bench process_layout`. Prints the median and the 90th percentile of
//! `place` (layout, routing, SVG and text alternative) and of `export_svg`.

use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use signpost::process;

/// A process shaped like real ones: mostly a chain, with branches, joins, a few loops
/// back, and groups of neighbouring stages. A small linear congruential generator keeps
/// it the same on every run.
fn generated(stages: usize, lanes: usize) -> String {
    let mut seed: u64 = 0x5eed;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut y = String::from("id: bench\ntitle: A generated process\nlanes:\n");
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
            "  - id: s{i}\n    title: Stage {i} checks the requirements\n    lane: lane-{}\n    kind: {kind}\n    summary: What happens in stage {i}.\n    next: [{}]",
            next(lanes),
            targets.join(", ")
        );
    }
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
    y
}

fn time(name: &str, runs: usize, mut f: impl FnMut() -> usize) {
    let mut bytes = 0;
    for _ in 0..runs / 10 {
        bytes = f();
    }
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            bytes = std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[runs / 2];
    let p90 = samples[runs * 9 / 10];
    println!(
        "{name}: median {:.3} ms, p90 {:.3} ms over {runs} runs ({bytes} bytes)",
        median.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3
    );
}

fn main() {
    let text = generated(100, 6);
    let process = process::parse(&text, Path::new("diagrams/bench.yaml")).expect("the generated process is valid");
    time("place (layout + SVG + text alternative), 100 stages, 6 lanes", 300, || process::place(&process).html.len());
    time("export_svg, 100 stages, 6 lanes", 300, || process::export_svg(&process).len());
}
