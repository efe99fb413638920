//! Signpost: a static documentation-site generator for API developer portals.
//!
//! The flow: load (config, content, diagrams, theme) -> [`site::Site`] -> render pages in
//! parallel -> [`output::Output`] (files plus every link and anchor with its source
//! position) -> written atomically, served from memory, or checked.

pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
mod escape;
pub mod import;
pub mod jekyll;
pub mod link_scheme;
pub mod liquid;
pub mod markdown;
pub mod output;
pub mod process;
pub mod search;
pub mod serve;
pub mod site;
pub mod starter;
pub mod theme;
pub mod yaml;
