//! The preview's search index. Making it reads every page's record (about half a
//! second for the 10,000-page corpus), so it is made on a thread of its own once the
//! author pauses, from the records of the last good render, and swapped in when done;
//! no rebuild or reload waits for it. Until then the previous index is served.

use std::time::Instant;

use super::model::SEARCH_PREFIX;
use super::rebuild::{Preview, Report};
use crate::config::SiteConfig;
use crate::output::Output;
use crate::search::{self, Index};

/// What making the index needs, owned, so it can go to another thread.
pub struct IndexJob {
    config: SiteConfig,
    output: Output,
}

/// A finished index, to hand back to [`Preview::apply_index`].
pub struct Indexed {
    index: Index,
    started: Instant,
}

impl IndexJob {
    pub fn run(self) -> Indexed {
        let started = Instant::now();
        Indexed { index: search::build_index(&self.config, &self.output), started }
    }
}

impl Preview {
    /// Pages changed since the index was made.
    pub fn index_pending(&self) -> bool {
        self.index_stale
    }

    /// The job that makes the index again, when pages changed since it was made.
    pub fn index_job(&mut self) -> Option<IndexJob> {
        if !std::mem::take(&mut self.index_stale) {
            return None;
        }
        let output = self.output()?;
        let config = self.model.as_ref()?.site.config.clone();
        Some(IndexJob { config, output })
    }

    /// Serves a finished index in place of the previous one.
    pub fn apply_index(&mut self, indexed: Indexed) -> Option<Report> {
        let model = self.model.as_mut()?;
        let mut report = Report { cause: "the search index".into(), ..Report::default() };
        let index = indexed.index;
        model.generated.paths.retain(|p| !p.starts_with(SEARCH_PREFIX));
        model.generated.paths.extend(index.files.iter().map(|(p, _)| p.clone()));
        let mut expected = model.generated.paths.clone();
        expected.extend(model.pages.keys().cloned());
        self.next_version();
        report.files_changed = self.apply_files(index.files.into_iter().collect(), Some(&expected));
        report.errors = self.errors();
        report.findings = self.findings().clone();
        report.elapsed = indexed.started.elapsed();
        Some(report)
    }

    /// Makes the index now, on this thread: for tests, which compare with `build`.
    pub fn index_search(&mut self) -> Option<Report> {
        let job = self.index_job()?;
        self.apply_index(job.run())
    }
}
