//! Each page's search [`Document`] between its render and the index. `serve` keeps them
//! in memory, in the page records it holds anyway. `build` sets each aside in a
//! temporary file as its page renders and keeps only where it went: the index, made
//! once every page has rendered and passed the checks, reads them back one at a time,
//! so the text of the site's pages (about 3.6 KB a page) is never held all at once
//! (issue #18).

use std::borrow::Cow;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use crate::spill::Spill;

use crate::markdown::Section;
use crate::output::{Document, StageEntry};

/// A page's search document, where the render left it.
#[derive(Debug, Clone)]
pub enum Kept {
    /// In memory.
    Held(Box<Document>),
    /// In a build's temporary file.
    Aside(Aside),
}

/// A document set aside: its file, and where in it.
#[derive(Debug, Clone)]
pub struct Aside {
    file: Arc<Documents>,
    place: Place,
}

/// Where in its file a document set aside is, with what the index reads of every page
/// before it reads any page whole: its URL and its stages (few pages place a process),
/// which it places in the sections their links land on. A later build finds the
/// document again by it (`build::edit`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    at: u64,
    len: u64,
    /// A digest of the bytes at `at`, for the index of the next build
    /// (`search::index::Memory`): the same digest, the same document.
    digest: u64,
    url: String,
    stages: Vec<StageEntry>,
}

/// The same document, wherever each is kept: the tests compare the records `serve`
/// keeps with a build's.
impl PartialEq for Kept {
    fn eq(&self, other: &Kept) -> bool {
        match (self.document(), other.document()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Kept {}

impl Kept {
    pub fn held(document: Document) -> Kept {
        Kept::Held(Box::new(document))
    }

    /// The whole document, read back from its file when it was set aside.
    pub fn document(&self) -> io::Result<Cow<'_, Document>> {
        match self {
            Kept::Held(document) => Ok(Cow::Borrowed(document)),
            Kept::Aside(aside) => {
                let bytes = aside.file.read(aside.place.at, aside.place.len)?;
                let mut document = decode(&bytes)?;
                document.url = aside.place.url.clone();
                document.stages = aside.place.stages.clone();
                Ok(Cow::Owned(document))
            }
        }
    }

    /// Where a document set aside is, to be found again by a later build; `None` for one
    /// held in memory.
    pub fn place(&self) -> Option<&Place> {
        match self {
            Kept::Held(_) => None,
            Kept::Aside(aside) => Some(&aside.place),
        }
    }

    /// A digest of the document without its URL and stages, when it was set aside;
    /// `None` for one held in memory.
    pub fn digest(&self) -> Option<u64> {
        match self {
            Kept::Held(_) => None,
            Kept::Aside(aside) => Some(aside.place.digest),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Kept::Held(document) => &document.url,
            Kept::Aside(aside) => &aside.place.url,
        }
    }

    pub fn stages(&self) -> &[StageEntry] {
        match self {
            Kept::Held(document) => &document.stages,
            Kept::Aside(aside) => &aside.place.stages,
        }
    }
}

/// The file a build sets its pages' documents aside in: a temporary file with no name,
/// which goes when the last [`Kept`] pointing into it does, or a file in the build cache
/// that the next build reads back for the pages it does not render again
/// (`build::edit`).
#[derive(Debug)]
pub struct Documents {
    file: Spill,
}

impl Documents {
    pub fn new() -> io::Result<Arc<Documents>> {
        Ok(Arc::new(Documents { file: Spill::temporary()? }))
    }

    /// A new file at `path`, replacing any there.
    pub fn create(path: &Path) -> io::Result<Arc<Documents>> {
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(path)?;
        Ok(Arc::new(Documents { file: Spill::over(file, 0)? }))
    }

    /// The file at `path`, which an earlier build wrote and which must be `len` bytes
    /// long: its documents are read back with [`Documents::kept`], and new ones are
    /// written after them, so what an unfinished build adds is never read.
    pub fn reopen(path: &Path, len: u64) -> io::Result<Arc<Documents>> {
        let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() < len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the search documents file is shorter than recorded",
            ));
        }
        file.set_len(len)?;
        file.seek(SeekFrom::Start(len))?;
        Ok(Arc::new(Documents { file: Spill::over(file, len)? }))
    }

    /// Bytes written so far, flushed to the file.
    pub fn flush(&self) -> io::Result<u64> {
        self.file.flush()
    }

    /// A document this file holds, where [`Kept::place`] said it is.
    pub fn kept(self: &Arc<Self>, place: Place) -> Kept {
        Kept::Aside(Aside { file: Arc::clone(self), place })
    }

    /// Writes `document` to the file; what is returned says where.
    pub fn set_aside(self: &Arc<Self>, mut document: Document) -> io::Result<Kept> {
        let bytes = encode(&document);
        let digest = {
            let mut hasher = rustc_hash::FxHasher::default();
            std::hash::Hasher::write(&mut hasher, &bytes);
            std::hash::Hasher::finish(&hasher)
        };
        let at = self.file.put(&bytes)?;
        Ok(self.kept(Place {
            at,
            len: bytes.len() as u64,
            digest,
            url: std::mem::take(&mut document.url),
            stages: std::mem::take(&mut document.stages),
        }))
    }

    fn read(&self, at: u64, len: u64) -> io::Result<Vec<u8>> {
        self.file.read(at, usize::try_from(len).map_err(io::Error::other)?)
    }
}

/// A document without its URL and stages, which stay in memory: strings as a length
/// (four bytes, little-endian) and their UTF-8, an absent value as a length of
/// `u32::MAX`, lists as a count and their items.
fn encode(document: &Document) -> Vec<u8> {
    let text: usize = document.sections.iter().map(|s| s.title.len() + s.text.len() + 16).sum();
    let mut out = Encoder(Vec::with_capacity(text + document.title.len() + 64));
    out.optional(document.service.as_deref());
    out.string(&document.title);
    out.optional(document.summary.as_deref());
    out.strings(&document.keywords);
    out.strings(&document.tags);
    out.count(document.sections.len());
    for section in &document.sections {
        out.optional(section.anchor.as_deref());
        out.string(&section.title);
        out.string(&section.text);
    }
    out.0
}

fn decode(bytes: &[u8]) -> io::Result<Document> {
    let mut input = Decoder(bytes);
    let service = input.optional()?;
    let title = input.string()?;
    let summary = input.optional()?;
    let keywords = input.strings()?;
    let tags = input.strings()?;
    let sections = (0..input.count()?)
        .map(|_| Ok(Section { anchor: input.optional()?, title: input.string()?, text: input.string()? }))
        .collect::<io::Result<_>>()?;
    Ok(Document { url: String::new(), service, title, summary, keywords, tags, sections, stages: Vec::new() })
}

const ABSENT: u32 = u32::MAX;

struct Encoder(Vec<u8>);

impl Encoder {
    fn count(&mut self, n: usize) {
        let n = u32::try_from(n).ok().filter(|&n| n != ABSENT).expect("a page's text is under 4 GB");
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        self.count(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn optional(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.0.extend_from_slice(&ABSENT.to_le_bytes()),
        }
    }

    fn strings(&mut self, list: &[String]) {
        self.count(list.len());
        for s in list {
            self.string(s);
        }
    }
}

struct Decoder<'b>(&'b [u8]);

impl Decoder<'_> {
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "a search document ends early"));
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn word(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }

    fn count(&mut self) -> io::Result<usize> {
        Ok(self.word()? as usize)
    }

    fn text(&mut self, len: usize) -> io::Result<String> {
        String::from_utf8(self.take(len)?.to_vec()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    fn string(&mut self) -> io::Result<String> {
        let len = self.count()?;
        self.text(len)
    }

    fn optional(&mut self) -> io::Result<Option<String>> {
        match self.word()? {
            ABSENT => Ok(None),
            len => self.text(len as usize).map(Some),
        }
    }

    fn strings(&mut self) -> io::Result<Vec<String>> {
        (0..self.count()?).map(|_| self.string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(url: &str) -> Document {
        Document {
            url: url.into(),
            service: Some("nrls".into()),
            title: "Apply for access".into(),
            summary: None,
            keywords: vec!["access".into(), "".into()],
            tags: vec![],
            sections: vec![
                Section { anchor: None, title: String::new(), text: "Intro, with ünïcode.".into() },
                Section { anchor: Some("apply".into()), title: "Apply".into(), text: "Send the form.".into() },
            ],
            stages: vec![StageEntry {
                title: "Sign".into(),
                summary: Some("Sign it.".into()),
                process: "Journey".into(),
                target: None,
                wrapper: "process-journey".into(),
            }],
        }
    }

    #[test]
    fn a_document_set_aside_reads_back_the_same() {
        let documents = Documents::new().unwrap();
        let kept: Vec<Kept> =
            ["/a.html", "/b.html", "/c.html"].iter().map(|url| documents.set_aside(document(url)).unwrap()).collect();
        // Reading does not move where the next one is written.
        assert_eq!(kept[1].document().unwrap().into_owned(), document("/b.html"));
        let last = documents.set_aside(Document { summary: Some("".into()), ..document("/d.html") }).unwrap();
        assert_eq!(kept[0].document().unwrap().into_owned(), document("/a.html"));
        assert_eq!(kept[2].document().unwrap().into_owned(), document("/c.html"));
        assert_eq!(last.document().unwrap().summary.as_deref(), Some(""));
        assert_eq!(last.url(), "/d.html");
        assert_eq!(last.stages(), document("/d.html").stages);
        assert_ne!(kept[0], kept[1]);
        assert_eq!(kept[0], Kept::held(document("/a.html")), "the same document, wherever it is kept");
    }
}
