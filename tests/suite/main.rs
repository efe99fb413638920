//! The integration tests, one module per area, in one test binary: each binary links the
//! whole library and its dependencies again, so twenty of them cost minutes of a fresh
//! `cargo test` (mdBook keeps its tests in one `tests/testsuite` for the same reason).
//! The real NHS sites and specs from `../shared` are in `tests/corpus`, the browser tests
//! in `tests/browser.rs`. Run one area with `cargo test --test suite build_site::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../../fuzz/entry_points.rs"]
mod entry_points;
mod serve_support;

mod bad_inputs;
mod build_edit;
mod build_errors;
mod build_site;
mod build_unchanged;
mod bundled_processes;
mod check_external;
mod check_findings;
mod check_links;
mod import_drawio;
mod import_site;
mod jekyll_liquid;
mod process_errors;
mod process_export;
mod process_layout;
mod process_snapshots;
mod process_variants;
mod robustness;
mod search_index;
mod serve_http;
mod serve_incremental;
mod serve_live;
mod services;
