//! The slow tests over real inputs from `../shared`: the NHS Jekyll sites imported and
//! built beside what Jekyll made of them, kramdown's and Liquid's own specifications.
//! Without `../shared` each test says so on the terminal and passes, or fails when
//! `SIGNPOST_REQUIRE_CORPUS=1` (as `.ci/run` sets). Run with `cargo test --test corpus`.

#[path = "../common/mod.rs"]
mod common;

mod corpus;
mod jekyll_sites;
mod kramdown_cases;
mod liquid_spec;
