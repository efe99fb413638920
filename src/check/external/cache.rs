//! The results of earlier external checks, kept in a JSON file under the site root so a
//! CI run does not fetch every URL again. Only links that worked are kept: a broken one
//! is fetched again on the next run, so a fix on the other side shows at once and a
//! passing outage is never remembered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Raised when the file's meaning changes; an older file is then ignored.
const VERSION: u32 = 1;

/// What fetching one URL (without its fragment) showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Entry {
    /// When it was fetched, in seconds since 1970 (UTC).
    pub checked: u64,
    pub status: u16,
    /// Where the URL redirected to, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// The fragments looked for in the page and found; absent when the page was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Vec<String>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug)]
pub(super) struct Cache {
    path: PathBuf,
    entries: BTreeMap<String, Entry>,
    now: u64,
}

impl Cache {
    /// Reads the cache at `path`. A missing file is an empty cache, and so is one that
    /// does not parse (it is rewritten whole after the check).
    pub(super) fn open(path: &Path) -> Cache {
        let entries = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|f| f.version == VERSION)
            .map(|f| f.entries)
            .unwrap_or_default();
        Cache { path: path.to_path_buf(), entries, now: now() }
    }

    /// The entry for `url` if it is younger than `max_age`.
    pub(super) fn fresh(&self, url: &str, max_age: Duration) -> Option<&Entry> {
        self.entries.get(url).filter(|e| e.checked <= self.now && self.now - e.checked < max_age.as_secs())
    }

    pub(super) fn put(&mut self, url: String, mut entry: Entry) {
        entry.checked = self.now;
        self.entries.insert(url, entry);
    }

    /// Writes the cache, less the entries older than `max_age` (links no longer on the
    /// site go that way), through a temporary file so a reader never sees half of it.
    pub(super) fn save(&self, max_age: Duration) -> std::io::Result<()> {
        let entries = self
            .entries
            .iter()
            .filter(|(_, e)| e.checked <= self.now && self.now - e.checked < max_age.as_secs().max(1))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let file = File { version: VERSION, entries };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let temporary = self.path.with_extension("json.partial");
        let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, &self.path)
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/external.json");
        let mut cache = Cache::open(&path);
        let entry = Entry { checked: 0, status: 200, redirect: None, anchors: None };
        cache.put("https://example.org/".into(), entry);
        cache.entries.insert(
            "https://old.example.org/".into(),
            Entry { checked: 5, status: 200, redirect: None, anchors: None },
        );
        let day = Duration::from_secs(86400);
        assert!(cache.fresh("https://example.org/", day).is_some());
        assert!(cache.fresh("https://example.org/", Duration::ZERO).is_none());
        assert!(cache.fresh("https://old.example.org/", day).is_none());
        cache.save(day).unwrap();
        let again = Cache::open(&path);
        assert!(again.fresh("https://example.org/", day).is_some());
        assert!(!again.entries.contains_key("https://old.example.org/"));
        std::fs::write(&path, "not json").unwrap();
        assert!(Cache::open(&path).entries.is_empty());
    }
}
