//! Process variants (`extends:`): overrides, removals that re-join the flow, inserts
//! before and after, lane and group changes, chains, and the cycle error.

use std::path::Path;

use signpost::diagnostics::Kind;
use signpost::process::{self, Process};

const BASE: &str = "\
id: base
title: Onboarding
description: The shared process.
lanes:
  - id: supplier
    title: Supplier
  - id: nhsd
    title: NHS Digital
stages:
  - id: explore
    title: Explore the standard
    lane: supplier
    kind: start
    next: [build]
  - id: build
    title: Build and test
    lane: supplier
    next: [assure]
  - id: assure
    title: Assurance
    lane: nhsd
    next: [live]
  - id: live
    title: Go live
    lane: nhsd
    kind: end
groups:
  - id: work
    title: Development
    stages: [build]
";

fn load(
    files: &[(&str, &str)],
) -> (std::collections::BTreeMap<String, Process>, signpost::diagnostics::Diagnostics, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("diagrams")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("diagrams").join(format!("{name}.yaml")), text).unwrap();
    }
    let (processes, problems) = process::load_all(dir.path());
    (processes, problems, dir)
}

fn flow(p: &Process) -> Vec<String> {
    p.stages.iter().map(|s| format!("{}->{}", s.id, s.next.join(","))).collect()
}

#[test]
fn overrides_change_only_the_fields_named() {
    let variant = "id: v\nextends: base\ntitle: Variant\nstages:\n  override:\n    build:\n      title: Build against the test bench\n      link: guide.html#bench\n";
    let (p, problems, _d) = load(&[("base", BASE), ("v", variant)]);
    assert!(problems.is_empty(), "{problems:?}");
    let v = &p["v"];
    assert_eq!(v.title, "Variant");
    assert_eq!(v.description, "The shared process.", "inherited");
    let build = v.stages.iter().find(|s| s.id == "build").unwrap();
    assert_eq!(build.title, "Build against the test bench");
    assert_eq!(build.lane, "supplier");
    assert_eq!(build.link.as_deref(), Some("guide.html#bench"));
    assert_eq!(
        &*build.link_location.as_ref().unwrap().file,
        Path::new("diagrams/v.yaml"),
        "the link's position names the variant"
    );
    let explore = v.stages.iter().find(|s| s.id == "explore").unwrap();
    assert_eq!(&*explore.location.file, Path::new("diagrams/base.yaml"), "inherited stages point at the base");
    assert_eq!(p["base"].stages[1].title, "Build and test", "the base is unchanged");
}

#[test]
fn removing_a_stage_joins_its_predecessors_to_its_successors() {
    let variant = "id: v\nextends: base\nstages:\n  remove: [build]\n";
    let (p, problems, _d) = load(&[("base", BASE), ("v", variant)]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(flow(&p["v"]), ["explore->assure", "assure->live", "live->"]);
    assert!(p["v"].groups.is_empty(), "a group left empty goes too");
}

#[test]
fn insert_before_and_after() {
    let variant = "\
id: v
extends: base
stages:
  insert:
    - after: explore
      stages:
        - { id: access, title: Get access, lane: nhsd }
        - { id: bench, title: Use the test bench, lane: supplier }
    - before: live
      stages:
        - { id: sign, title: Sign the agreement, lane: nhsd, kind: milestone }
";
    let (p, problems, _d) = load(&[("base", BASE), ("v", variant)]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        flow(&p["v"]),
        ["explore->access", "access->bench", "bench->build", "build->assure", "assure->sign", "sign->live", "live->"]
    );
}

#[test]
fn lanes_and_groups_are_added_renamed_and_removed() {
    let variant = "\
id: v
extends: base
lanes:
  rename: { nhsd: NHS England }
  add:
    - { id: provider, title: Care provider }
stages:
  override:
    live: { lane: provider }
groups:
  rename: { work: Solution assurance }
  add:
    - { id: end, title: Deployment, stages: [live] }
";
    let (p, problems, _d) = load(&[("base", BASE), ("v", variant)]);
    assert!(problems.is_empty(), "{problems:?}");
    let v = &p["v"];
    let lanes: Vec<_> = v.lanes.iter().map(|l| (l.id.as_str(), l.title.as_str())).collect();
    assert_eq!(lanes, [("supplier", "Supplier"), ("nhsd", "NHS England"), ("provider", "Care provider")]);
    assert_eq!(v.groups[0].title, "Solution assurance");
    assert_eq!(v.groups[1].stages, ["live"]);

    let removed = "id: w\nextends: base\nlanes:\n  remove: [nhsd]\n";
    let (_, problems, _d) = load(&[("base", BASE), ("w", removed)]);
    let d = problems.iter().find(|d| d.message.contains("nhsd")).expect("stages left in a removed lane are reported");
    assert!(d.location.is_some());
}

#[test]
fn chains_of_extends_apply_in_order() {
    let middle = "id: middle\nextends: base\nstages:\n  override:\n    build: { title: Build it }\n";
    let top = "id: top\nextends: middle\nstages:\n  remove: [assure]\n";
    let (p, problems, _d) = load(&[("base", BASE), ("middle", middle), ("top", top)]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(p["top"].stages[1].title, "Build it");
    assert_eq!(flow(&p["top"]), ["explore->build", "build->live", "live->"]);
}

#[test]
fn a_cycle_is_an_error_naming_the_chain() {
    let a = "id: a\nextends: b\n";
    let b = "id: b\nextends: a\n";
    let (p, problems, _d) = load(&[("a", a), ("b", b)]);
    assert!(p.is_empty());
    let d = problems.iter().find(|d| d.kind == Kind::ProcessExtends).expect("cycle reported");
    assert!(d.message.contains("a -> b -> a") || d.message.contains("b -> a -> b"), "{}", d.message);
    let loc = d.location.as_ref().unwrap();
    assert_eq!(loc.line, 2, "points at the extends line");
}

#[test]
fn unknown_names_are_errors_with_positions() {
    let variant = "id: v\nextends: base\nstages:\n  remove: [nonesuch]\n  override:\n    ghost: { title: Boo }\n";
    let (_, problems, _d) = load(&[("base", BASE), ("v", variant)]);
    let messages: Vec<_> = problems.iter().map(|d| (d.message.clone(), d.location.clone().unwrap().line)).collect();
    assert!(messages.iter().any(|(m, l)| m.contains("no stage `nonesuch`") && *l == 4), "{messages:?}");
    assert!(messages.iter().any(|(m, _)| m.contains("no stage `ghost`")), "{messages:?}");
    let missing_base = "id: v\nextends: nowhere\n";
    let (_, problems, _d) = load(&[("v", missing_base)]);
    assert!(problems.iter().any(|d| d.message.contains("extends `nowhere`")));
    let unknown_key = "id: v\nextends: base\ncolour: red\n";
    let (_, problems, _d) = load(&[("base", BASE), ("v", unknown_key)]);
    let d = problems.iter().next().unwrap();
    assert!(d.message.contains("colour"), "{d:?}");
    assert_eq!(d.location.as_ref().unwrap().line, 3);
}
