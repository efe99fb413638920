//! The bundled portal's three processes are variants of one NHS Digital onboarding
//! process; this pins what each variant draws (stages, lanes, flow).

use std::path::Path;

#[test]
fn the_services_processes_are_variants_of_the_onboarding_process() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (processes, problems) = signpost::process::load_all(root);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(processes["onboarding"].is_abstract);
    for id in ["booking", "nrls", "smsp"] {
        let text = std::fs::read_to_string(root.join(format!("diagrams/{id}.yaml"))).unwrap();
        assert!(text.contains("extends: onboarding"), "{id} extends the shared process");
        assert!(!processes[id].is_abstract);
    }
    let summary = |id: &str| {
        let p = &processes[id];
        let title = |sid: &String| p.stages.iter().find(|s| &s.id == sid).unwrap().title.clone();
        let mut edges: Vec<String> = p
            .stages
            .iter()
            .flat_map(|s| s.next.iter().map(move |n| (s, n)))
            .map(|(s, n)| format!("{} -> {}", s.title, title(n)))
            .collect();
        edges.sort();
        let lanes: Vec<&str> = p.lanes.iter().map(|l| l.title.as_str()).collect();
        (p.stages.len(), lanes.join(" | "), edges)
    };
    let (stages, lanes, edges) = summary("booking");
    assert_eq!(stages, 14);
    assert_eq!(lanes, "Supplier | Service provider or commissioner | Service provider and supplier");
    assert!(edges.contains(&"Completion of SCAL -> Technical conformance certificate".to_string()));
    insta::assert_debug_snapshot!("nrls_flow", summary("nrls"));
    insta::assert_debug_snapshot!("smsp_flow", summary("smsp"));
}
