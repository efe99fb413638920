//! Signpost: a static documentation-site generator for API developer portals.
//!
//! The flow ([`pipeline`]): load (config, content, diagrams, theme) -> [`site::Site`] ->
//! render pages in parallel -> `output::Output` (files plus every link and anchor with its
//! source position) -> checked -> indexed for search; written atomically, served from
//! memory, or only checked. What a command asks travels beside the `Site`, in
//! [`pipeline::Options`].
//!
//! The binary and the tests use the modules declared `pub`; everything else is
//! `pub(crate)`, which `unreachable_pub` keeps so (an item marked `pub` that nothing
//! outside the crate can reach is a warning).

#![warn(unreachable_pub)]

pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
pub(crate) mod documents;
mod escape;
pub mod import;
pub(crate) mod jekyll;
pub(crate) mod link_scheme;
pub mod liquid;
pub mod markdown;
pub(crate) mod output;
pub mod pipeline;
pub mod process;
pub mod search;
pub mod serve;
pub mod site;
pub(crate) mod spill;
pub mod starter;
pub(crate) mod theme;
pub mod yaml;
