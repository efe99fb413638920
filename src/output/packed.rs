//! A page's link and anchor records, packed into bytes until the check reads them.
//!
//! A large site records millions of links (the theme's on every page besides the pages'
//! own), kept from the render until the check: as structs with two strings each they
//! were most of a 100,000-page build's memory. Packed, a link is its text once (the href
//! only when it differs from what was written), a byte for its origin and small numbers
//! for its position, whose file is named once per page.

use std::path::Path;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeSeq, Serializer};

use super::{AnchorRecord, LinkOrigin, LinkRecord};
use crate::diagnostics::Location;
use crate::spill::Spill;

/// The links of one page, packed; [`Links::iter`] gives them back as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links(Packed);

/// The anchors of one page, packed; [`Anchors::iter`] gives them back as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors(Packed);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packed {
    bytes: Box<[u8]>,
    /// The files positions are in, each once, in the order first seen.
    files: Box<[Arc<Path>]>,
    len: usize,
}

/// A page's links or anchors, in memory or set aside in a build's temporary file
/// ([`Spill`]) between its render and its check: at 100,000 pages the links were 100 MB
/// of the records a build holds, and the anchors 55 MB.
#[derive(Debug, Clone)]
pub enum SetAside<P> {
    Held(P),
    Aside { file: Arc<Spill>, at: u64, bytes: u32, files: Box<[Arc<Path>]>, len: usize },
}

/// A page's links, as the render records them.
pub(crate) type PageLinks = SetAside<Links>;
/// A page's anchors, as the render records them.
pub(crate) type PageAnchors = SetAside<Anchors>;

/// [`Links`] and [`Anchors`]: packed records that can be set aside.
pub trait Packing: Clone + Default + PartialEq {
    #[doc(hidden)]
    fn into_packed(self) -> Packed;
    #[doc(hidden)]
    fn from_packed(packed: Packed) -> Self;
    #[doc(hidden)]
    fn packed(&self) -> &Packed;
}

impl Packing for Links {
    fn into_packed(self) -> Packed {
        self.0
    }
    fn from_packed(packed: Packed) -> Self {
        Links(packed)
    }
    fn packed(&self) -> &Packed {
        &self.0
    }
}

impl Packing for Anchors {
    fn into_packed(self) -> Packed {
        self.0
    }
    fn from_packed(packed: Packed) -> Self {
        Anchors(packed)
    }
    fn packed(&self) -> &Packed {
        &self.0
    }
}

impl<P: Packing> Default for SetAside<P> {
    fn default() -> Self {
        SetAside::Held(P::default())
    }
}

/// The same records, wherever each is kept: the tests compare the records `serve` keeps
/// with a build's.
impl<P: Packing> PartialEq for SetAside<P> {
    fn eq(&self, other: &SetAside<P>) -> bool {
        match (self.held(), other.held()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl<P: Packing> Eq for SetAside<P> {}

impl<P: Packing> From<P> for SetAside<P> {
    fn from(records: P) -> SetAside<P> {
        SetAside::Held(records)
    }
}

impl<P: Packing> SetAside<P> {
    /// `records`, written to `file` (when there is one): only where they went is kept.
    /// Held in memory when the file cannot take them (a full disk, an earlier failure):
    /// the build goes on with more memory rather than fail.
    pub fn new(records: P, file: Option<&Arc<Spill>>) -> SetAside<P> {
        let packed = records.packed();
        let Some(file) = file.filter(|_| packed.len > 0) else { return SetAside::Held(records) };
        let (Ok(bytes), Ok(at)) = (u32::try_from(packed.bytes.len()), file.put(&packed.bytes)) else {
            return SetAside::Held(records);
        };
        let Packed { files, len, .. } = records.into_packed();
        SetAside::Aside { file: Arc::clone(file), at, bytes, files, len }
    }

    /// The records, read back from their file when they were set aside.
    pub fn held(&self) -> std::io::Result<std::borrow::Cow<'_, P>> {
        match self {
            SetAside::Held(records) => Ok(std::borrow::Cow::Borrowed(records)),
            SetAside::Aside { file, at, bytes, files, len } => {
                let bytes = file.read(*at, *bytes as usize)?.into_boxed_slice();
                Ok(std::borrow::Cow::Owned(P::from_packed(Packed { bytes, files: files.clone(), len: *len })))
            }
        }
    }

    pub fn len(&self) -> usize {
        match self {
            SetAside::Held(records) => records.packed().len,
            SetAside::Aside { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// As [`Links::saved`], the bytes read back when they were set aside.
    pub(crate) fn saved(&self) -> std::io::Result<SavedPackedRef<'_>> {
        match self {
            SetAside::Held(records) => Ok(records.packed().saved()),
            SetAside::Aside { file, at, bytes, files, len } => Ok(SavedPackedRef {
                bytes: file.read(*at, *bytes as usize)?.into(),
                files: files.iter().map(|f| &**f).collect(),
                len: *len,
            }),
        }
    }
}

const ORIGINS: [LinkOrigin; 7] = [
    LinkOrigin::Markdown,
    LinkOrigin::Image,
    LinkOrigin::Html,
    LinkOrigin::Include,
    LinkOrigin::Sidebar,
    LinkOrigin::Template,
    LinkOrigin::Stage,
];

/// A link origin's byte: its place in [`ORIGINS`]. A match, so that a new origin is a
/// compile error here rather than a panic while packing.
fn origin_byte(origin: LinkOrigin) -> u8 {
    match origin {
        LinkOrigin::Markdown => 0,
        LinkOrigin::Image => 1,
        LinkOrigin::Html => 2,
        LinkOrigin::Include => 3,
        LinkOrigin::Sidebar => 4,
        LinkOrigin::Template => 5,
        LinkOrigin::Stage => 6,
    }
}

impl Links {
    pub fn pack(links: &[LinkRecord]) -> Links {
        let mut w = Writer::for_texts(links.iter().map(|l| l.written.len() + l.href.len()), links.len());
        for link in links {
            w.bytes.push(origin_byte(link.origin));
            w.text(&link.written);
            if link.href == link.written {
                w.number(0);
            } else {
                w.number(link.href.len() + 1);
                w.bytes.extend_from_slice(link.href.as_bytes());
            }
            w.location(&link.location);
            w.number(link.len);
        }
        Links(w.finish(links.len()))
    }

    pub fn iter(&self) -> impl Iterator<Item = LinkRecord> + '_ {
        let mut r = Reader { packed: &self.0, at: 0 };
        (0..self.0.len).map(move |_| {
            let origin = ORIGINS[r.byte() as usize];
            let written = r.text().to_string();
            let href = match r.number() {
                0 => written.clone(),
                n => r.take(n - 1).to_string(),
            };
            let location = r.location();
            LinkRecord { written, href, origin, location, len: r.number() }
        })
    }

    /// The links borrowed from the packed bytes, made into records only where needed: the
    /// check reads every link's href and origin, and wants a whole record only for a link
    /// with a finding.
    pub fn views(&self) -> impl Iterator<Item = LinkView<'_>> + '_ {
        let mut r = Reader { packed: &self.0, at: 0 };
        (0..self.0.len).map(move |_| {
            let origin = ORIGINS[r.byte() as usize];
            // Texts are read as UTF-8 only when wanted: the check takes the outcome of
            // most of a layout's links by their bytes (`check::links::Seen`).
            let written = r.text_bytes();
            let href = match r.number() {
                0 => written,
                n => r.take_bytes(n - 1),
            };
            let file = &self.0.files[r.number()];
            let (line, column) = (r.number(), r.number());
            LinkView { written, href, origin, file, line, column, len: r.number() }
        })
    }

    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }
}

/// A packed link read in place: [`LinkRecord`] with its strings borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkView<'a> {
    written: &'a [u8],
    href: &'a [u8],
    pub origin: LinkOrigin,
    file: &'a Arc<Path>,
    line: usize,
    column: usize,
    len: usize,
}

impl<'a> LinkView<'a> {
    pub fn href(&self) -> &'a str {
        utf8(self.href)
    }

    /// The href's bytes, which are those of [`LinkView::href`].
    pub fn href_bytes(&self) -> &'a [u8] {
        self.href
    }

    /// The link as it was recorded.
    pub fn record(&self) -> LinkRecord {
        LinkRecord {
            written: utf8(self.written).to_string(),
            href: self.href().to_string(),
            origin: self.origin,
            location: Location { file: self.file.clone(), line: self.line, column: self.column },
            len: self.len,
        }
    }
}

impl Anchors {
    pub fn pack(anchors: &[AnchorRecord]) -> Anchors {
        let mut w = Writer::for_texts(anchors.iter().map(|a| a.id.len()), anchors.len());
        for anchor in anchors {
            w.text(&anchor.id);
            match &anchor.location {
                Some(location) => {
                    w.bytes.push(1);
                    w.location(location);
                }
                None => w.bytes.push(0),
            }
        }
        Anchors(w.finish(anchors.len()))
    }

    pub fn iter(&self) -> impl Iterator<Item = AnchorRecord> + '_ {
        let mut r = Reader { packed: &self.0, at: 0 };
        (0..self.0.len).map(move |_| {
            let id = r.text().to_string();
            let location = (r.byte() == 1).then(|| r.location());
            AnchorRecord { id, location }
        })
    }

    /// The ids alone, borrowed: what a link's anchor is looked up in.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.id_bytes().map(utf8)
    }

    /// The ids' bytes: comparing them needs no check that they are UTF-8, which cost more
    /// than the comparison.
    pub(crate) fn id_bytes(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut r = Reader { packed: &self.0, at: 0 };
        (0..self.0.len).map(move |_| {
            let id = r.text_bytes();
            if r.byte() == 1 {
                r.skip_location();
            }
            id
        })
    }

    /// Whether an anchor has this id.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.id_bytes().any(|a| a == id.as_bytes())
    }

    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for link in self.iter() {
            seq.serialize_element(&link)?;
        }
        seq.end()
    }
}

impl<P: Packing + Serialize> Serialize for SetAside<P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.held().map_err(serde::ser::Error::custom)?.serialize(serializer)
    }
}

impl Serialize for Anchors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for anchor in self.iter() {
            seq.serialize_element(&anchor)?;
        }
        seq.end()
    }
}

/// Packed records as a later build reads them back (`build::edit`): the bytes as they
/// are, and the files their positions are in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct SavedPacked {
    #[serde(with = "serde_bytes")]
    bytes: Box<[u8]>,
    files: Vec<std::path::PathBuf>,
    len: usize,
}

/// [`SavedPacked`] as it is written, borrowing what it writes.
#[derive(Debug, serde::Serialize)]
pub(crate) struct SavedPackedRef<'a> {
    #[serde(with = "serde_bytes")]
    bytes: std::borrow::Cow<'a, [u8]>,
    files: Vec<&'a Path>,
    len: usize,
}

impl Packed {
    fn saved(&self) -> SavedPackedRef<'_> {
        SavedPackedRef { bytes: (&*self.bytes).into(), files: self.files.iter().map(|f| &**f).collect(), len: self.len }
    }

    fn from_saved(saved: SavedPacked) -> Packed {
        let files = saved.files.into_iter().map(Arc::from).collect();
        Packed { bytes: saved.bytes, files, len: saved.len }
    }
}

impl Links {
    /// Links a build saved with [`Links::saved`]. The bytes are trusted: the record they
    /// are kept in is checked whole before it is read (`build::edit`).
    pub(crate) fn from_saved(saved: SavedPacked) -> Links {
        Links(Packed::from_saved(saved))
    }
}

impl Anchors {
    /// As [`Links::from_saved`].
    pub(crate) fn from_saved(saved: SavedPacked) -> Anchors {
        Anchors(Packed::from_saved(saved))
    }
}

#[derive(Default)]
struct Writer {
    bytes: Vec<u8>,
    files: Vec<Arc<Path>>,
}

impl Writer {
    /// A writer with room for records of these texts: a few bytes of numbers each
    /// besides, so that the bytes are not moved again and again as they grow.
    fn for_texts(texts: impl Iterator<Item = usize>, records: usize) -> Writer {
        Writer { bytes: Vec::with_capacity(texts.sum::<usize>() + 8 * records), files: Vec::new() }
    }

    /// LEB128: seven bits a byte, the high bit set on all but the last.
    fn number(&mut self, mut n: usize) {
        while n >= 0x80 {
            self.bytes.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
    }

    fn text(&mut self, text: &str) {
        self.number(text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    fn location(&mut self, location: &Location) {
        // Compared as bytes: `Path`'s own equality parses both into components, and a
        // page's links name two or three files (the page, a template), each many times.
        // The files are all different, so the last one, when it is the same `Arc` (most
        // often: a page's records are in order), is the one.
        let same = |f: &Arc<Path>| Arc::ptr_eq(f, &location.file) || f.as_os_str() == location.file.as_os_str();
        let last = self.files.last().filter(|f| Arc::ptr_eq(f, &location.file)).map(|_| self.files.len() - 1);
        let file = match last.or_else(|| self.files.iter().position(same)) {
            Some(i) => i,
            None => {
                self.files.push(location.file.clone());
                self.files.len() - 1
            }
        };
        self.number(file);
        self.number(location.line);
        self.number(location.column);
    }

    fn finish(self, len: usize) -> Packed {
        Packed { bytes: self.bytes.into_boxed_slice(), files: self.files.into_boxed_slice(), len }
    }
}

/// Packed text read back: only whole strings are written, and read back at the offsets
/// they were written at.
fn utf8(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("packed text is UTF-8")
}

struct Reader<'a> {
    packed: &'a Packed,
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        self.at += 1;
        self.packed.bytes[self.at - 1]
    }

    fn number(&mut self) -> usize {
        let (mut n, mut shift) = (0, 0);
        loop {
            let b = self.byte();
            n |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    fn take(&mut self, len: usize) -> &'a str {
        utf8(self.take_bytes(len))
    }

    fn text(&mut self) -> &'a str {
        let len = self.number();
        self.take(len)
    }

    fn text_bytes(&mut self) -> &'a [u8] {
        let len = self.number();
        self.take_bytes(len)
    }

    fn take_bytes(&mut self, len: usize) -> &'a [u8] {
        let bytes = &self.packed.bytes[self.at..self.at + len];
        self.at += len;
        bytes
    }

    /// Passes over a location without cloning its file.
    fn skip_location(&mut self) {
        for _ in 0..3 {
            self.number();
        }
    }

    fn location(&mut self) -> Location {
        let file = self.packed.files[self.number()].clone();
        let line = self.number();
        Location { file, line, column: self.number() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_origin_is_read_back_from_its_byte() {
        for (i, origin) in ORIGINS.into_iter().enumerate() {
            assert_eq!(usize::from(origin_byte(origin)), i, "{origin:?}");
        }
    }

    #[test]
    fn records_come_back_as_packed() {
        let page: Arc<Path> = Path::new("content/a.md").into();
        let theme: Arc<Path> = Path::new("themes/t/templates/page.html").into();
        let at = |file: &Arc<Path>, line, column| Location { file: file.clone(), line, column };
        let links = vec![
            LinkRecord {
                written: "b.md#x".into(),
                href: "/base/b.html#x".into(),
                origin: LinkOrigin::Markdown,
                location: at(&page, 3, 200),
                len: 6,
            },
            LinkRecord {
                written: "/tags.html".into(),
                href: "/tags.html".into(),
                origin: LinkOrigin::Template,
                location: at(&theme, 70_000, 1),
                len: 10,
            },
            LinkRecord {
                written: "ü".repeat(100),
                href: String::new(),
                origin: LinkOrigin::Stage,
                location: at(&page, 1, 1),
                len: 100,
            },
        ];
        let packed = Links::pack(&links);
        assert_eq!(packed.iter().collect::<Vec<_>>(), links);
        assert_eq!(packed.views().map(|v| v.record()).collect::<Vec<_>>(), links);
        assert_eq!(packed.0.files.len(), 2, "each file once");
        // The same file in another `Arc`, after the last file or after another one.
        let page_again: Arc<Path> = Path::new("content/a.md").into();
        let mut more = links.clone();
        more.push(LinkRecord { location: at(&page_again, 2, 2), ..links[0].clone() });
        more.push(LinkRecord { location: at(&theme, 2, 2), ..links[0].clone() });
        more.push(LinkRecord { location: at(&page_again, 3, 3), ..links[0].clone() });
        let packed = Links::pack(&more);
        assert_eq!(packed.iter().collect::<Vec<_>>(), more);
        assert_eq!(packed.0.files.len(), 2, "each file once, whichever Arc names it");

        let anchors = vec![
            AnchorRecord { id: "x".into(), location: Some(at(&page, 4, 1)) },
            AnchorRecord { id: "top-bar".into(), location: None },
        ];
        let packed = Anchors::pack(&anchors);
        assert_eq!(packed.iter().collect::<Vec<_>>(), anchors);
        assert_eq!(packed.ids().collect::<Vec<_>>(), ["x", "top-bar"]);
        assert!(Anchors::pack(&[]).is_empty());
    }

    #[test]
    fn records_set_aside_come_back_as_packed() {
        let page: Arc<Path> = Path::new("content/a.md").into();
        let file = Arc::new(Spill::temporary().unwrap());
        let pages: Vec<(Links, Anchors)> = (0..50)
            .map(|n| {
                let links: Vec<LinkRecord> = (0..n % 7)
                    .map(|i| LinkRecord {
                        written: format!("p{n}.html#s{i}"),
                        href: format!("/base/p{n}.html#s{i}"),
                        origin: LinkOrigin::Markdown,
                        location: Location { file: page.clone(), line: n + 1, column: i + 1 },
                        len: 9,
                    })
                    .collect();
                let anchors: Vec<AnchorRecord> =
                    (0..n % 5).map(|i| AnchorRecord { id: format!("s{i}"), location: None }).collect();
                (Links::pack(&links), Anchors::pack(&anchors))
            })
            .collect();
        // Written in turn, and read back in another order once all are written, as the
        // check does; a page without records keeps nothing in the file.
        let aside: Vec<(PageLinks, PageAnchors)> = pages
            .iter()
            .map(|(l, a)| (SetAside::new(l.clone(), Some(&file)), SetAside::new(a.clone(), Some(&file))))
            .collect();
        for ((links, anchors), (aside_links, aside_anchors)) in pages.iter().zip(&aside).rev() {
            assert_eq!(matches!(aside_links, SetAside::Aside { .. }), !links.is_empty());
            assert_eq!(*aside_links.held().unwrap(), *links);
            assert_eq!(*aside_anchors.held().unwrap(), *anchors);
            assert_eq!((aside_links.len(), aside_anchors.len()), (links.len(), anchors.len()));
            assert_eq!(*aside_links, SetAside::Held(links.clone()), "equal to the same records held");
        }
    }
}
