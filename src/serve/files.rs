//! What the server serves: the output files in memory, each with the version of the
//! rebuild that last changed its bytes, and the errors of the last rebuild. A rebuild
//! publishes a new [`Snapshot`] whole, so a request never sees half a rebuild, and the
//! reload channel compares versions to tell each page whether it changed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};

/// One output file and the rebuild that last changed it.
#[derive(Debug, Clone)]
pub struct Served {
    pub bytes: Bytes,
    pub version: u64,
}

pub type Files = BTreeMap<Arc<str>, Served>;

/// An error as the browser's overlay shows it: the compiler-style text (file, line,
/// column, the source line underlined) and the same facts as fields.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShownError {
    pub text: String,
    pub kind: Kind,
    pub message: String,
    pub location: Option<Location>,
    /// The served pages are behind the sources until it is fixed (a page or the site did
    /// not build); otherwise the pages are up to date and `signpost build` would refuse them.
    pub stale: bool,
}

impl ShownError {
    pub fn new(diagnostic: &Diagnostic, root: &Path, stale: bool) -> ShownError {
        ShownError {
            stale,
            text: diagnostic.render(root, false),
            kind: diagnostic.kind,
            message: diagnostic.message.clone(),
            location: diagnostic.location.clone(),
        }
    }
}

/// The state of the preview at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Counts rebuilds; a file's version is the rebuild that last changed it.
    pub version: u64,
    /// The path the site is served under, such as `/` or `/portal/`.
    pub base: String,
    pub files: Arc<Files>,
    /// Errors that kept the last edits out of the served pages, then errors `signpost
    /// build` would refuse the served pages for; empty when all is well.
    pub errors: Arc<Vec<ShownError>>,
    /// What the check warns about in the served pages.
    pub warnings: Arc<Vec<ShownError>>,
}

impl Snapshot {
    /// The version of an output file, 0 when there is none.
    pub fn version_of(&self, file: &str) -> u64 {
        self.files.get(file).map_or(0, |f| f.version)
    }
}

/// Puts new bytes for `path` into `files`, keeping the old version when nothing changed.
/// Returns whether the bytes changed.
pub fn put(files: &mut Files, path: &str, bytes: Vec<u8>, version: u64) -> bool {
    match files.get_mut(path) {
        Some(old) if old.bytes[..] == bytes[..] => false,
        Some(old) => {
            *old = Served { bytes: Bytes::from(bytes), version };
            true
        }
        None => {
            files.insert(Arc::from(path), Served { bytes: Bytes::from(bytes), version });
            true
        }
    }
}

/// The errors shown to the author: those of the rebuild, then those of the check.
pub fn shown(errors: &Diagnostics, findings: &Diagnostics, root: &Path) -> Vec<ShownError> {
    let stale = errors.iter().filter(|d| d.is_error()).map(|d| ShownError::new(d, root, true));
    stale.chain(findings.iter().filter(|d| d.is_error()).map(|d| ShownError::new(d, root, false))).collect()
}

/// The check's warnings, shown one click away.
pub fn shown_warnings(findings: &Diagnostics, root: &Path) -> Vec<ShownError> {
    findings.iter().filter(|d| !d.is_error()).map(|d| ShownError::new(d, root, false)).collect()
}
