//! The index files: a vocabulary split into small word shards, the postings of every
//! stem packed into binary files, one file per page for results, and an entry file;
//! `engine.js` (shipped beside them) reads them in the browser. docs/search.md gives the
//! format; in short, under `search-index/`:
//!
//! - `index.json`: the entry. The number of pages, the services and which pages belong
//!   to each (in runs, as pages of a service are neighbours), the stop words, and the
//!   keys of the word shards.
//! - `words/KEY.json`: every indexed word beginning with KEY (the first character of
//!   the word, up to four for a crowded key; KEY is hex-encoded UTF-8 in the file
//!   name), each pointing at its stem; for each stem the pages it is on and where its
//!   postings are (file, offset, length).
//! - `postings/N.bin`: the postings of stems, in stem order: for each page where the
//!   stem occurs, a score, the sum of the weights of its occurrences there
//!   ([`Field`](super::record::Field)), up to 15. Most take one byte ([`encode`]). Which
//!   sections of a page matched is found in the browser from the page's file, for the
//!   few pages shown: keeping it for every page tripled the postings.
//! - `pages/N.json`: page N, with its URL, title, service and parts (anchor, heading,
//!   text), fetched only for the results shown.
//!
//! A query loads the entry once, then the word shards of the words typed (a few KB
//! each), the postings of the stems they match (a common stem has a file of its own,
//! rare ones share one) and one small file per result shown, so a large site costs the
//! reader a few small files per search.
//!
//! Nothing is held for all pages at once but the postings: each page's record is made,
//! written as its page file and read for words in one pass, and every file goes to the
//! sink as soon as it is made.
//!
//! Written by hand rather than with Pagefind: on the 10,000-page benchmark Pagefind
//! took 7 s and 1.1 GB to index what this takes well under a second for
//! (docs/benchmarks.md), and the budget was the build's own time.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::record::{Part, Record};
use super::words::{for_each_word, key, Language};
use crate::spill::Spill;

/// The entry file, the one file a search always loads.
pub(super) const ENTRY: &str = "index.json";

/// The browser side: it finds the index beside itself.
pub(super) const ENGINE: &str = "engine.js";
const ENGINE_JS: &str = include_str!("engine.js");

/// Bumped whenever the files change shape; `engine.js` refuses another.
const FORMAT: u32 = 2;

/// Postings are packed into files of about this many bytes, in stem order; a stem with
/// more has a file of its own. A query then fetches the postings of the stems it
/// matches and of few others.
const POSTINGS_FILE: usize = 16 * 1024;

/// A shard with more words than this is split by one more character of its words,
/// down to [`MAX_KEY`] characters. About 40 bytes a word.
const SHARD_WORDS: usize = 400;
const MAX_KEY: usize = 4;

/// Files of the index: (path relative to its folder, bytes), sorted by path.
pub type Files = Vec<(String, Vec<u8>)>;

/// Receives each file of the index as it is made, from many threads.
pub(super) type Put<'a> = dyn Fn(String, Vec<u8>) -> io::Result<()> + Sync + 'a;

/// What the index holds, for `--verbose` and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Shape {
    pub(super) words: usize,
    pub(super) shards: usize,
    /// Files written, and their bytes.
    pub(super) files: usize,
    pub(super) bytes: usize,
}

/// Where a stem occurs: a page and the score there, in one `u32`: the page in the high
/// 28 bits, the score in the low four. The postings are most of what the index holds
/// while it is made (two million for the 10,000-page benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting(u32);

impl Posting {
    /// Scores stop at [`MAX_SCORE`] as they are added: what `encode` writes is the same.
    fn new(page: u32, score: u32) -> Posting {
        Posting(page << 4 | score.min(MAX_SCORE))
    }

    fn page(self) -> u32 {
        self.0 >> 4
    }

    fn score(self) -> u32 {
        self.0 & MAX_SCORE
    }

    fn add(&mut self, score: u32) {
        *self = Posting::new(self.page(), self.score() + score);
    }
}

/// Pages an index can number: a page's position takes 28 bits of a [`Posting`].
const MAX_PAGES: usize = 1 << 28;

/// Scores are kept to four bits: ranking saturates long before (`saturate` in
/// engine.js: 15 is 93% of the most a word can count).
const MAX_SCORE: u32 = 15;

/// What an index keeps for the next build of the same site, so that the next one reads
/// again only the pages whose record changed: each page's key (a digest of what its
/// record is made from, [`Pages::key`]), service and page file, and every word's
/// postings. The page files of the other pages are kept as they are.
///
/// Kept serialised (postcard): made from the build's own word lists without copying
/// them, and read back only by the build that uses it. A build writes it to a temporary
/// file as it is made, and reads it back when it saves its state: held, it was 21 MB of
/// the index's peak at 100,000 pages, and held through the check.
#[derive(Debug, Clone)]
pub struct Memory(MemoryBytes);

#[derive(Debug, Clone)]
enum MemoryBytes {
    Held(Vec<u8>),
    Aside(Arc<Spill>, usize),
}

impl Memory {
    /// The serialised memory, read back from its file when it was set aside.
    fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        match &self.0 {
            MemoryBytes::Held(bytes) => Ok(bytes.as_slice().into()),
            MemoryBytes::Aside(file, len) => file.read(0, *len).map(Into::into),
        }
    }

    /// `remembering`, written to a temporary file as it is serialised; held when the file
    /// cannot be made or written.
    fn set_aside(remembering: &Remembering) -> io::Result<Memory> {
        let aside = Spill::temporary().and_then(|file| {
            let (_, len) =
                file.put_with(|out| postcard::to_io(remembering, out).map(drop).map_err(io::Error::other))?;
            Ok(MemoryBytes::Aside(Arc::new(file), usize::try_from(len).map_err(io::Error::other)?))
        });
        match aside {
            Ok(aside) => Ok(Memory(aside)),
            Err(_) => Ok(Memory(MemoryBytes::Held(postcard::to_stdvec(remembering).map_err(io::Error::other)?))),
        }
    }
}

impl Default for Memory {
    fn default() -> Memory {
        Memory(MemoryBytes::Held(Vec::new()))
    }
}

impl PartialEq for Memory {
    fn eq(&self, other: &Memory) -> bool {
        match (self.bytes(), other.bytes()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Memory {}

impl Serialize for Memory {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.bytes().map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> serde::Deserialize<'de> for Memory {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Memory, D::Error> {
        serde_bytes::ByteBuf::deserialize(deserializer).map(|bytes| Memory(MemoryBytes::Held(bytes.into_vec())))
    }
}

/// [`Memory`] read back.
#[derive(serde::Deserialize)]
struct Remembered {
    services: Vec<(String, String)>,
    subtag: String,
    pages: Vec<KeptPage>,
    /// Each word with its postings, encoded as in the postings files ([`encode`]).
    words: Vec<(String, Encoded)>,
}

#[derive(serde::Deserialize)]
struct Encoded(#[serde(with = "serde_bytes")] Vec<u8>);

/// [`Remembered`] as it is written, borrowing the build's word lists.
#[derive(Serialize)]
struct Remembering<'a> {
    services: &'a [(String, String)],
    subtag: &'a str,
    pages: &'a [KeptPage],
    words: Vec<(&'a str, &'a serde_bytes::Bytes)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct KeptPage {
    key: Option<u64>,
    service: i64,
    /// Digest and length of `pages/N.json`.
    digest: [u8; 32],
    len: usize,
}

/// The pages an index is made of: `record(n)` is page `n`, and `key(n)` a digest of
/// what it is made from (`None` when it is not known, and then the page is read again).
pub(super) struct Pages<'a> {
    pub(super) count: usize,
    pub(super) record: &'a (dyn Fn(usize) -> io::Result<Record> + Sync),
    pub(super) key: &'a (dyn Fn(usize) -> Option<u64> + Sync),
}

/// What [`build`] made besides the files it wrote.
pub(super) struct Built {
    pub(super) shape: Shape,
    /// Files of the index kept from the last build, not written again.
    pub(super) kept: Vec<String>,
    /// For the next build, when asked for.
    pub(super) memory: Option<Memory>,
}

/// Writes the index of `pages` through `put`. `services` are the portal's (id, display
/// name) in site.yaml order. With `last`, what the last build of the same site kept,
/// only the pages whose key changed are read and their page files written; the files
/// are the same as without it. `remember`: return what to keep for the next build.
pub(super) fn build(
    pages: &Pages,
    services: &[(String, String)],
    subtag: &str,
    put: &Put,
    last: Option<Memory>,
    remember: bool,
) -> io::Result<Built> {
    let count = pages.count;
    if count >= MAX_PAGES {
        return Err(io::Error::other(format!("the search index takes up to {MAX_PAGES} pages, not {count}")));
    }
    let language = Language::new(subtag);
    let writer = Writer { put, written: Mutex::default() };
    let keys: Vec<Option<u64>> = (0..count).into_par_iter().map(|n| (pages.key)(n)).collect();
    let last = last
        .and_then(|m| postcard::from_bytes::<Remembered>(&m.bytes().ok()?).ok())
        .filter(|m| m.services == services && m.subtag == subtag && m.pages.len() == count);
    let (mut words, mut kept_pages) = match last {
        Some(memory) => {
            let kept: Vec<Option<KeptPage>> = memory
                .pages
                .into_iter()
                .zip(&keys)
                .map(|(page, key)| (key.is_some() && page.key == *key).then_some(page))
                .collect();
            // A memory that does not decode (or names pages beyond the count) is not used.
            let lists: Option<Vec<(String, List)>> = memory
                .words
                .into_par_iter()
                .map(|(word, encoded)| {
                    Some((word, List::decoded(&encoded.0, count, |page| kept[page as usize].is_some())?))
                })
                .collect();
            let words: Words = lists.unwrap_or_default().into_iter().filter(|(_, list)| list.count > 0).collect();
            (words, kept)
        }
        None => (Words::default(), vec![None; count]),
    };
    let again: Vec<usize> = (0..count).filter(|&n| kept_pages[n].is_none()).collect();
    let (fresh, read) = read_pages(&again, pages.record, services, &language, &writer)?;
    for (n, service, digest, len) in read {
        kept_pages[n] = Some(KeptPage { key: keys[n], service, digest, len });
    }
    merge(&mut words, fresh);
    let kept_pages: Vec<KeptPage> = kept_pages.into_iter().map(|p| p.expect("every page read or kept")).collect();
    let kept: Vec<String> = (0..count).filter(|n| again.binary_search(n).is_err()).map(page_path).collect();
    let mut service_runs: Vec<(i64, usize)> = Vec::new();
    for page in &kept_pages {
        match service_runs.last_mut() {
            Some((s, n)) if *s == page.service => *n += 1,
            _ => service_runs.push((page.service, 1)),
        }
    }
    // Closed and cut to their length: gathered by doubling, the lists held about 40% more
    // than their bytes through the rest of the index (12 MB at 100,000 pages).
    words.par_iter_mut().for_each(|(_, list)| {
        list.close();
        list.bytes.shrink_to_fit();
    });
    let memory = match remember {
        true => {
            let mut kept_words: Vec<(&str, &serde_bytes::Bytes)> =
                words.iter().map(|(word, list)| (word.as_str(), serde_bytes::Bytes::new(&list.bytes))).collect();
            kept_words.sort_unstable_by_key(|(word, _)| *word);
            Some(Memory::set_aside(&Remembering { services, subtag, pages: &kept_pages, words: kept_words })?)
        }
        false => None,
    };
    let word_count = words.len();
    let (stems, stem_of) = stems_of(words, &language);
    let places = write_postings(&stems, &writer)?;

    let keys = shard_keys(stem_of.keys().map(String::as_str));
    let mut shards: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (word, key) in &keys {
        shards.entry(key.as_str()).or_default().push(word.as_str());
    }
    shards.par_iter().try_for_each(|(key, words_here)| {
        let json = shard_json(words_here, &stem_of, &stems, &places);
        writer.put(format!("words/{}.json", hex::encode(key)), json).map(drop)
    })?;

    let (build, files, bytes) = writer.fingerprint(&kept_pages);
    let entry = Entry {
        format: FORMAT,
        build: &build,
        language: subtag,
        pages: count,
        services: services.iter().map(|(id, name)| [id.as_str(), name.as_str()]).collect(),
        page_services: service_runs,
        stop: language.stop_words(),
        keys: shards.keys().copied().collect(),
    };
    let entry = serde_json::to_vec(&entry).expect("the entry serialises");
    let last = entry.len() + ENGINE_JS.len();
    put(ENTRY.into(), entry)?;
    put(ENGINE.into(), ENGINE_JS.as_bytes().to_vec())?;
    let shape = Shape { words: word_count, shards: shards.len(), files: files + 2, bytes: bytes + last };
    Ok(Built { shape, kept, memory })
}

/// Adds the postings of `fresh` (pages none of `words` has) to `words`, each list
/// still sorted by page.
fn merge(words: &mut Words, fresh: Words) {
    if words.is_empty() {
        *words = fresh;
        return;
    }
    for (word, list) in fresh {
        match words.get_mut(&word) {
            None => {
                words.insert(word, list);
            }
            Some(old) => {
                *old = List::of(&merged(old.postings(), list.postings()));
            }
        }
    }
}

/// Passes files on and remembers a digest of each, for the build's fingerprint. Page
/// files are not remembered here: their digests are kept with the pages (`KeptPage`), and
/// a list of them beside those was about 10 MB more at 100,000 pages.
struct Writer<'a> {
    put: &'a Put<'a>,
    written: Mutex<Vec<(String, [u8; 32], usize)>>,
}

impl Writer<'_> {
    /// Passes a file on; returns its digest and length.
    fn put(&self, path: String, bytes: Vec<u8>) -> io::Result<([u8; 32], usize)> {
        let (digest, len) = (Sha256::digest(&bytes).into(), bytes.len());
        self.written.lock().expect("index writer").push((path.clone(), digest, len));
        (self.put)(path, bytes)?;
        Ok((digest, len))
    }

    /// Passes page `n`'s file on; returns its digest and length, for its `KeptPage`.
    fn put_page(&self, n: usize, bytes: Vec<u8>) -> io::Result<([u8; 32], usize)> {
        let (digest, len) = (Sha256::digest(&bytes).into(), bytes.len());
        (self.put)(page_path(n), bytes)?;
        Ok((digest, len))
    }

    /// The build's fingerprint, with the files and bytes written: search requests carry
    /// it, so a browser never mixes files of two builds from its cache. It hashes every
    /// file's path and digest in the order of the paths, the pages' among the others.
    fn fingerprint(&self, pages: &[KeptPage]) -> (String, usize, usize) {
        let mut others = std::mem::take(&mut *self.written.lock().expect("index writer"));
        others.sort_unstable();
        // "pages/N.json" sorts as N's digits do, a number before those it begins
        // ("1.json" < "10.json", as '.' is below '0').
        let mut order: Vec<u32> = (0..pages.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| Digits::of(a).as_bytes().cmp(Digits::of(b).as_bytes()));
        let mut hash = Sha256::new();
        let mut others_in_order = others.iter().peekable();
        for n in order {
            let path = page_path(n as usize);
            while let Some((other, digest, _)) = others_in_order.next_if(|(other, _, _)| *other < path) {
                hash.update(other.as_bytes());
                hash.update(digest);
            }
            hash.update(path.as_bytes());
            hash.update(pages[n as usize].digest);
        }
        for (other, digest, _) in others_in_order {
            hash.update(other.as_bytes());
            hash.update(digest);
        }
        let bytes = others.iter().map(|(_, _, n)| n).chain(pages.iter().map(|p| &p.len)).sum();
        (hex::encode(&hash.finalize()[..6]), others.len() + pages.len(), bytes)
    }
}

/// Where page `n`'s file is in the index.
fn page_path(n: usize) -> String {
    format!("pages/{n}.json")
}

/// A number's decimal digits, without allocating.
struct Digits {
    bytes: [u8; 10],
    start: usize,
}

impl Digits {
    fn of(mut n: u32) -> Digits {
        let mut digits = Digits { bytes: [0; 10], start: 10 };
        loop {
            digits.start -= 1;
            digits.bytes[digits.start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                return digits;
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    format: u32,
    build: &'a str,
    language: &'a str,
    pages: usize,
    /// [id, name] of each service, in site.yaml order.
    services: Vec<[&'a str; 2]>,
    /// [service, pages] runs: the next `pages` pages belong to the service at that
    /// position in `services`, -1 for none. A site without services has one run.
    page_services: Vec<(i64, usize)>,
    stop: &'static [&'static str],
    keys: Vec<&'a str>,
}

/// Words and their postings.
type Words = FxHashMap<String, List>;

/// A word's postings as they are gathered, in page order, one per page: encoded as in
/// the postings files ([`encode`]), about a byte a posting where a `Vec<Posting>` takes
/// four and more, but for the last page's, whose score may still grow. Postings are most
/// of what the index holds while it is made (25 million for 100,000 pages).
#[derive(Debug, Clone, PartialEq, Eq)]
struct List {
    bytes: Vec<u8>,
    /// The page of the last posting in `bytes`, -1 before the first.
    last: i64,
    /// The posting of the page being read, not yet in `bytes`.
    open: Option<Posting>,
    /// Postings, with the open one: the pages the word is on.
    count: usize,
}

impl Default for List {
    fn default() -> List {
        List { bytes: Vec::new(), last: -1, open: None, count: 0 }
    }
}

impl List {
    /// The list of `postings`, sorted by page, one per page.
    fn of(postings: &[Posting]) -> List {
        let bytes = encode(postings);
        List { bytes, last: postings.last().map_or(-1, |p| i64::from(p.page())), open: None, count: postings.len() }
    }

    /// The postings in `bytes`, as [`encode`] wrote them, of the pages below `pages`
    /// that `keep` keeps; `None` when the bytes are not postings of such pages.
    fn decoded(bytes: &[u8], pages: usize, keep: impl Fn(u32) -> bool) -> Option<List> {
        let mut list = List::default();
        let (mut previous, mut at) = (-1i64, 0);
        // Up to the first posting left out, the bytes are copied as they are.
        let mut copied = true;
        while at < bytes.len() {
            let (posting, next) = read_posting(bytes, at, previous, pages)?;
            let kept = keep(posting.page());
            if copied && !kept {
                list.bytes.extend_from_slice(&bytes[..at]);
                list.last = previous;
                copied = false;
            }
            (previous, at) = (i64::from(posting.page()), next);
            if kept {
                if copied {
                    list.count += 1;
                } else {
                    list.push(posting);
                }
            }
        }
        if copied {
            list.bytes = bytes.to_vec();
            list.last = previous;
        }
        Some(list)
    }

    /// Adds `score` to the word's posting on `page`, a page at or after the last one.
    fn add(&mut self, page: u32, score: u32) {
        match &mut self.open {
            Some(open) if open.page() == page => open.add(score),
            _ => {
                self.close();
                self.open = Some(Posting::new(page, score));
                self.count += 1;
            }
        }
    }

    /// Writes the open posting into the bytes.
    fn close(&mut self) {
        if let Some(posting) = self.open.take() {
            push_posting(&mut self.bytes, self.last, posting);
            self.last = i64::from(posting.page());
        }
    }

    fn push(&mut self, posting: Posting) {
        self.close();
        self.open = Some(posting);
        self.count += 1;
    }

    /// Adds the postings of `later`, all on pages after this list's.
    fn append(&mut self, later: List) {
        self.close();
        if let Some((first, next)) = read_posting(&later.bytes, 0, -1, MAX_PAGES) {
            push_posting(&mut self.bytes, self.last, first);
            self.bytes.extend_from_slice(&later.bytes[next..]);
            self.last = later.last;
        }
        self.open = later.open;
        self.count += later.count;
    }

    /// Every posting, in page order.
    fn postings(&self) -> Vec<Posting> {
        let mut out = decode(&self.bytes, MAX_PAGES).expect("a list decodes as it was encoded");
        out.extend(self.open);
        out
    }

    /// The encoded postings, and how many.
    fn finish(mut self) -> (Vec<u8>, usize) {
        self.close();
        (self.bytes, self.count)
    }
}

/// Makes the record of each of `pages` (sorted), writes its page file and reads its
/// words. Returns every indexed word with where it occurs, summed per page and sorted
/// by page, and for each page read its service (a position in `services`, -1 for none)
/// and its page file's digest and length.
#[allow(clippy::type_complexity)]
fn read_pages(
    pages: &[usize],
    record: &(dyn Fn(usize) -> io::Result<Record> + Sync),
    services: &[(String, String)],
    language: &Language,
    writer: &Writer,
) -> io::Result<(Words, Vec<(usize, i64, [u8; 32], usize)>)> {
    // Runs of pages are read in parallel, each into a map of its own, and the maps are
    // merged in page order, so every list comes out sorted by page. A word is
    // allocated once per run, not once per occurrence.
    let page_service = |r: &Record| {
        r.service.as_ref().and_then(|s| services.iter().position(|(id, _)| id == s)).map_or(-1, |i| i as i64)
    };
    pages
        .par_iter()
        .try_fold(
            || (Words::default(), Vec::new()),
            |(mut words, mut of_page), &page| {
                let record = record(page)?;
                let (digest, len) = writer.put_page(page, page_json(&record, services))?;
                of_page.push((page, page_service(&record), digest, len));
                add_words(&mut words, page as u32, &record, language);
                Ok::<_, io::Error>((words, of_page))
            },
        )
        .try_reduce(
            || (Words::default(), Vec::new()),
            |(mut left, mut left_pages), (right, right_pages)| {
                for (word, list) in right {
                    left.entry(word).or_default().append(list);
                }
                left_pages.extend(right_pages);
                Ok((left, left_pages))
            },
        )
        .map(|(words, mut of_page)| {
            of_page.sort_unstable();
            (words, of_page)
        })
}

fn add_words(words: &mut Words, page: u32, record: &Record, language: &Language) {
    for piece in &record.parts {
        for (field, text) in &piece.pieces {
            for_each_word(text, |word| {
                if language.is_stop(word) {
                    return;
                }
                let list = match words.get_mut(word) {
                    Some(list) => list,
                    None => words.entry(word.to_string()).or_default(),
                };
                list.add(page, *field as u32);
            });
        }
    }
}

/// A stem and its postings, summed over the words it stems, encoded for its file.
struct Stem {
    text: String,
    /// Pages it occurs on, for the weight of a rare word over a common one.
    pages: usize,
    postings: Vec<u8>,
}

/// The stems of `words`, sorted, and each word's stem (a position in them). The words'
/// postings are moved into their stems and encoded, so the lists are never held twice.
fn stems_of(words: Words, language: &Language) -> (Vec<Stem>, FxHashMap<String, usize>) {
    let mut stemmed: Vec<(String, String, List)> =
        words.into_par_iter().map(|(w, postings)| (language.stem(&w), w, postings)).collect();
    // Sorted in place and grouped by taking runs, not through a map of stems: at 100,000
    // pages a map beside the list added about 30 MB to the index's peak.
    stemmed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut stem_of = FxHashMap::with_capacity_and_hasher(stemmed.len(), Default::default());
    let mut grouped: Vec<(String, Vec<List>)> = Vec::new();
    for (stem, word, postings) in stemmed {
        match grouped.last_mut() {
            Some((last, lists)) if *last == stem => lists.push(postings),
            _ => grouped.push((stem, vec![postings])),
        }
        stem_of.insert(word, grouped.len() - 1);
    }
    let stems = grouped
        .into_par_iter()
        .map(|(text, mut lists)| {
            // Most stems are one word's: its bytes are the stem's.
            if lists.len() == 1 {
                let (postings, pages) = lists.pop().expect("one list").finish();
                return Stem { text, pages, postings };
            }
            let postings = lists.iter().map(List::postings).reduce(merged).unwrap_or_default();
            let mut merged: Vec<Posting> = Vec::with_capacity(postings.len());
            for p in postings {
                match merged.last_mut() {
                    Some(last) if last.page() == p.page() => last.add(p.score()),
                    _ => merged.push(p),
                }
            }
            Stem { text, pages: merged.len(), postings: encode(&merged) }
        })
        .collect();
    (stems, stem_of)
}

/// The postings of two lists sorted by page, in one sorted by page.
fn merged(a: Vec<Posting>, b: Vec<Posting>) -> Vec<Posting> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        out.push(if x <= y { a.next() } else { b.next() }.expect("peeked"));
    }
    out.extend(a);
    out.extend(b);
    out
}

/// Postings in a byte each where pages are near: the page's distance from the previous
/// posting's page (from -1, so at least 1) in the high four bits and the score in the
/// low four. A distance of 16 or more is written as 0 in the high bits, followed by the
/// distance as a LEB128 varint.
fn encode(postings: &[Posting]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len());
    let mut previous: i64 = -1;
    for &p in postings {
        push_posting(&mut out, previous, p);
        previous = i64::from(p.page());
    }
    out
}

/// Encodes `posting` after one on page `previous` (-1 for the first).
fn push_posting(out: &mut Vec<u8>, previous: i64, posting: Posting) {
    let gap = (i64::from(posting.page()) - previous) as u32;
    let score = posting.score() as u8;
    if gap < 16 {
        out.push((gap as u8) << 4 | score);
    } else {
        out.push(score);
        varint(out, gap);
    }
}

/// Postings [`encode`] wrote, each on a page below `pages`; `None` for bytes it did not.
fn decode(bytes: &[u8], pages: usize) -> Option<Vec<Posting>> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut previous, mut at) = (-1i64, 0);
    while at < bytes.len() {
        let (posting, next) = read_posting(bytes, at, previous, pages)?;
        (previous, at) = (i64::from(posting.page()), next);
        out.push(posting);
    }
    Some(out)
}

/// The posting at `at` of `bytes`, after one on page `previous`, and where the next one
/// starts; `None` when the bytes there are not a posting on a page below `pages`.
fn read_posting(bytes: &[u8], mut at: usize, previous: i64, pages: usize) -> Option<(Posting, usize)> {
    let first = *bytes.get(at)?;
    let (mut gap, score) = (u64::from(first >> 4), u32::from(first & 15));
    at += 1;
    if gap == 0 {
        let mut shift = 0;
        loop {
            let byte = *bytes.get(at)?;
            gap |= u64::from(byte & 0x7f).checked_shl(shift)?;
            (shift, at) = (shift + 7, at + 1);
            if byte < 0x80 {
                break;
            }
            if shift > 28 {
                return None;
            }
        }
    }
    let page = previous + i64::try_from(gap).ok()?;
    if gap == 0 || page >= pages as i64 {
        return None;
    }
    Some((Posting::new(page as u32, score), at))
}

fn varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Where a stem's postings are: file number, byte offset, byte length.
type Place = (usize, usize, usize);

/// Packs the stems' postings into files in stem order and writes them; returns each
/// stem's place.
fn write_postings(stems: &[Stem], writer: &Writer) -> io::Result<Vec<Place>> {
    let mut places = Vec::with_capacity(stems.len());
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut file, mut size, mut start) = (0, 0, 0);
    for (i, stem) in stems.iter().enumerate() {
        let len = stem.postings.len();
        if size > 0 && size + len > POSTINGS_FILE {
            runs.push(start..i);
            (file, size, start) = (file + 1, 0, i);
        }
        places.push((file, size, len));
        size += len;
    }
    if start < stems.len() {
        runs.push(start..stems.len());
    }
    runs.par_iter().enumerate().try_for_each(|(n, run)| {
        let bytes: Vec<u8> = stems[run.clone()].iter().flat_map(|s| s.postings.iter().copied()).collect();
        writer.put(format!("postings/{n}.bin"), bytes).map(drop)
    })?;
    Ok(places)
}

/// Each word's shard key: its first character, more for a crowded key, so a small
/// site has a few files and a large one many small ones.
fn shard_keys<'w>(words: impl Iterator<Item = &'w str>) -> BTreeMap<String, String> {
    let mut keys: BTreeMap<String, String> = words.map(|w| (w.to_string(), key(w, 1).to_string())).collect();
    for len in 2..=MAX_KEY {
        let mut size: HashMap<&str, usize> = HashMap::new();
        for key in keys.values() {
            *size.entry(key.as_str()).or_default() += 1;
        }
        let crowded: BTreeSet<String> =
            size.into_iter().filter(|&(_, n)| n > SHARD_WORDS).map(|(k, _)| k.to_string()).collect();
        if crowded.is_empty() {
            break;
        }
        for (word, k) in keys.iter_mut() {
            if crowded.contains(k.as_str()) {
                *k = key(word, len).to_string();
            }
        }
    }
    keys
}

/// One shard: `{"words": {word: n}, "stems": [[stem, pages, file, offset, length], ...]}`,
/// where `n` is a position in `stems` and the postings of a stem are bytes `offset`
/// to `offset + length` of `postings/FILE.bin`.
fn shard_json(words: &[&str], stem_of: &FxHashMap<String, usize>, stems: &[Stem], places: &[Place]) -> Vec<u8> {
    let mut order: Vec<usize> = Vec::new();
    let mut position: HashMap<usize, usize> = HashMap::new();
    let mut word_map: BTreeMap<&str, usize> = BTreeMap::new();
    for word in words {
        let stem = stem_of[*word];
        let at = *position.entry(stem).or_insert_with(|| {
            order.push(stem);
            order.len() - 1
        });
        word_map.insert(word, at);
    }
    let entries: Vec<(&str, usize, usize, usize, usize)> = order
        .iter()
        .map(|&i| {
            let (file, offset, len) = places[i];
            (stems[i].text.as_str(), stems[i].pages, file, offset, len)
        })
        .collect();
    #[derive(Serialize)]
    struct Shard<'a> {
        words: BTreeMap<&'a str, usize>,
        stems: Vec<(&'a str, usize, usize, usize, usize)>,
    }
    serde_json::to_vec(&Shard { words: word_map, stems: entries }).expect("a shard serialises")
}

/// One page: `{"url", "title", "service", "parts": [[anchor or null, heading, text], ...]}`.
fn page_json(record: &Record, services: &[(String, String)]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Page<'a> {
        url: &'a str,
        title: &'a str,
        service: Option<&'a str>,
        parts: Vec<(Option<&'a str>, &'a str, String)>,
    }
    let page = Page {
        url: &record.url,
        title: &record.title,
        service: record
            .service
            .as_ref()
            .map(|id| services.iter().find(|(s, _)| s == id).map_or(id.as_str(), |(_, name)| name.as_str())),
        parts: record.parts.iter().map(|p: &Part| (p.anchor.as_deref(), p.title.as_str(), p.text())).collect(),
    };
    serde_json::to_vec(&page).expect("a page serialises")
}

#[cfg(test)]
mod tests {
    use super::super::record::Field;
    use super::*;
    use serde_json::Value;

    fn part(anchor: Option<&str>, title: &str, pieces: &[(Field, &str)]) -> Part {
        Part {
            anchor: anchor.map(str::to_string),
            title: title.into(),
            pieces: pieces.iter().map(|(f, t)| (*f, t.to_string())).collect(),
        }
    }

    fn build_files(records: &[Record], services: &[(String, String)]) -> (Files, Shape) {
        let files = Mutex::new(Files::new());
        let put = |path: String, bytes: Vec<u8>| {
            files.lock().unwrap().push((path, bytes));
            Ok(())
        };
        let pages = Pages { count: records.len(), record: &|i| Ok(records[i].clone()), key: &|_| None };
        let built = build(&pages, services, "en", &put, None, false).unwrap();
        let mut files = files.into_inner().unwrap();
        files.sort();
        (files, built.shape)
    }

    /// Builds with the memory of a build of `before`; returns the files written, the
    /// paths kept, and the memory for the next build.
    fn build_after(before: &[Record], records: &[Record]) -> (Files, Vec<String>, Memory) {
        let key = |r: &Record| {
            let mut hasher = rustc_hash::FxHasher::default();
            std::hash::Hash::hash(&format!("{r:?}"), &mut hasher);
            Some(std::hash::Hasher::finish(&hasher))
        };
        let none = |_: String, _: Vec<u8>| Ok(());
        let first = Pages { count: before.len(), record: &|i| Ok(before[i].clone()), key: &|i| key(&before[i]) };
        let memory = build(&first, &[], "en", &none, None, true).unwrap().memory;
        let files = Mutex::new(Files::new());
        let put = |path: String, bytes: Vec<u8>| {
            files.lock().unwrap().push((path, bytes));
            Ok(())
        };
        let pages = Pages { count: records.len(), record: &|i| Ok(records[i].clone()), key: &|i| key(&records[i]) };
        let built = build(&pages, &[], "en", &put, memory, true).unwrap();
        let mut files = files.into_inner().unwrap();
        files.sort();
        (files, built.kept, built.memory.unwrap())
    }

    #[test]
    fn a_build_after_one_page_changed_reads_it_alone_and_makes_the_same_files() {
        let before = sample();
        let mut after = sample();
        after[1].parts[0].pieces[1].1 = "One stage, and a zeppelin.".into();
        let (files, kept, memory) = build_after(&before, &after);
        assert_eq!(kept, ["pages/0.json"], "the page that did not change is kept");
        let (whole, _) = build_files(&after, &[]);
        let written: Vec<&(String, Vec<u8>)> = whole.iter().filter(|(p, _)| !kept.contains(p)).collect();
        assert_eq!(files.iter().collect::<Vec<_>>(), written, "the rest as a whole build writes it");
        let z = file(&files, &format!("words/{}.json", hex::encode("z")));
        assert_eq!(postings(&files, &z["stems"][0]), [(1, 1)]);

        // And what it keeps serves the build after it: back to the first text.
        let files_again = Mutex::new(Files::new());
        let put = |path: String, bytes: Vec<u8>| {
            files_again.lock().unwrap().push((path, bytes));
            Ok(())
        };
        let pages = Pages {
            count: before.len(),
            record: &|i| Ok(before[i].clone()),
            key: &|i| {
                let remembered: Remembered = postcard::from_bytes(&memory.bytes().unwrap()).unwrap();
                Some(if i == 1 { 1 } else { remembered.pages[i].key.unwrap() })
            },
        };
        build(&pages, &[], "en", &put, Some(memory.clone()), false).unwrap();
        let mut files_again = files_again.into_inner().unwrap();
        files_again.sort();
        let (whole, _) = build_files(&before, &[]);
        let written: Vec<&(String, Vec<u8>)> = whole.iter().filter(|(p, _)| p != "pages/0.json").collect();
        assert_eq!(files_again.iter().collect::<Vec<_>>(), written);
    }

    #[test]
    fn a_memory_of_another_site_shape_is_not_used() {
        let (_, _, memory) = build_after(&sample(), &sample());
        let three: Vec<Record> = sample().into_iter().chain(sample().into_iter().take(1)).collect();
        let pages = Pages { count: 3, record: &|i| Ok(three[i].clone()), key: &|_| Some(7) };
        let none = |_: String, _: Vec<u8>| Ok(());
        let built = build(&pages, &[], "en", &none, Some(memory), false).unwrap();
        assert!(built.kept.is_empty(), "three pages, not two: every page is read");
    }

    fn file(files: &Files, path: &str) -> Value {
        serde_json::from_slice(bytes(files, path)).unwrap()
    }

    fn bytes<'f>(files: &'f Files, path: &str) -> &'f [u8] {
        &files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("no {path}")).1
    }

    /// Postings decoded as engine.js decodes them: (page, score).
    fn decode(bytes: &[u8]) -> Vec<(u32, u32)> {
        let (mut out, mut page, mut at) = (Vec::new(), -1i64, 0);
        while at < bytes.len() {
            let (mut gap, score) = (u32::from(bytes[at] >> 4), u32::from(bytes[at] & 15));
            at += 1;
            if gap == 0 {
                let mut shift = 0;
                loop {
                    gap |= u32::from(bytes[at] & 0x7f) << shift;
                    shift += 7;
                    at += 1;
                    if bytes[at - 1] < 0x80 {
                        break;
                    }
                }
            }
            page += i64::from(gap);
            out.push((page as u32, score));
        }
        out
    }

    /// The postings of a stem entry of a shard.
    fn postings(files: &Files, stem: &Value) -> Vec<(u32, u32)> {
        let at = |i: usize| stem[i].as_u64().unwrap() as usize;
        let file = bytes(files, &format!("postings/{}.bin", at(2)));
        decode(&file[at(3)..at(3) + at(4)])
    }

    fn sample() -> Vec<Record> {
        vec![
            Record {
                url: "/a.html".into(),
                title: "Staging".into(),
                service: Some("nrls".into()),
                parts: vec![
                    part(None, "Staging", &[(Field::Title, "Staging"), (Field::Body, "The stages of the work.")]),
                    part(
                        Some("go-live"),
                        "Go-live",
                        &[(Field::Heading, "Go-live"), (Field::Body, "A staged go-live.")],
                    ),
                ],
            },
            Record {
                url: "/b.html".into(),
                title: "Other".into(),
                service: None,
                parts: vec![part(None, "Other", &[(Field::Title, "Other"), (Field::Body, "One stage.")])],
            },
        ]
    }

    #[test]
    fn words_point_at_their_stem_whose_postings_hold_page_and_score() {
        let services = vec![("nrls".to_string(), "NRLS".to_string())];
        let (files, shape) = build_files(&sample(), &services);
        let entry = file(&files, ENTRY);
        assert_eq!(entry["pages"], 2);
        assert_eq!(entry["page_services"], serde_json::json!([[0, 1], [-1, 1]]));
        assert_eq!(entry["keys"], serde_json::json!(["g", "l", "o", "s", "w"]), "one letter for a small site");
        assert!(entry["stop"].as_array().unwrap().iter().any(|w| w == "the"), "stop words are listed");

        let st = file(&files, &format!("words/{}.json", hex::encode("s")));
        let words = st["words"].as_object().unwrap();
        let names: Vec<&str> = words.keys().map(String::as_str).collect();
        assert_eq!(names, ["stage", "staged", "stages", "staging"]);
        assert!(words.values().all(|v| v == 0), "all four share the stem: {st}");
        assert_eq!(st["stems"][0][0], "stage");
        assert_eq!(st["stems"][0][1], 2, "on two pages");
        // Page 0: "Staging" in the title (8), "stages" and "staged" in the body (1 each);
        // page 1: "stage" (1).
        assert_eq!(postings(&files, &st["stems"][0]), [(0, 10), (1, 1)]);
        assert_eq!(shape.shards, 5);
        assert_eq!(shape.files, files.len());
        assert_eq!(shape.bytes, files.iter().map(|(_, b)| b.len()).sum::<usize>());
    }

    #[test]
    fn a_site_without_services_has_one_run_of_pages() {
        let mut records = sample();
        records[0].service = None;
        let (files, _) = build_files(&records, &[]);
        assert_eq!(file(&files, ENTRY)["page_services"], serde_json::json!([[-1, 2]]));
    }

    #[test]
    fn a_page_file_holds_what_a_result_shows() {
        let (files, _) = build_files(&sample(), &[("nrls".into(), "NRLS".into())]);
        let page = &file(&files, "pages/0.json");
        assert_eq!(page["url"], "/a.html");
        assert_eq!(page["service"], "NRLS");
        assert_eq!(page["parts"][1], serde_json::json!(["go-live", "Go-live", "A staged go-live."]));
        assert_eq!(page["parts"][0], serde_json::json!([null, "Staging", "The stages of the work."]));
        assert_eq!(file(&files, "pages/1.json")["url"], "/b.html");
    }

    #[test]
    fn a_crowded_key_is_split_by_more_characters() {
        let mut words: Vec<String> = (0..SHARD_WORDS).map(|i| format!("stage{i}")).collect();
        words.extend((0..SHARD_WORDS).map(|i| format!("store{i}")));
        words.push("st".into());
        words.push("apple".into());
        let keys = shard_keys(words.iter().map(String::as_str));
        assert_eq!(keys["stage1"], "sta");
        assert_eq!(keys["store1"], "sto");
        assert_eq!(keys["st"], "st", "a word no longer than the key stays in it");
        assert_eq!(keys["apple"], "a", "a quiet key keeps one character");
    }

    #[test]
    fn small_postings_share_a_file_and_large_ones_have_their_own() {
        let stem = |text: &str, len: usize| Stem { text: text.into(), pages: 1, postings: vec![1; len] };
        let stems = [stem("a", 10), stem("b", 20), stem("c", POSTINGS_FILE + 1), stem("d", 5)];
        let put = |_: String, _: Vec<u8>| Ok(());
        let writer = Writer { put: &put, written: Mutex::default() };
        let places = write_postings(&stems, &writer).unwrap();
        assert_eq!(places, [(0, 0, 10), (0, 10, 20), (1, 0, POSTINGS_FILE + 1), (2, 0, 5)]);
    }

    #[test]
    fn near_pages_take_a_byte_far_ones_more_and_scores_stop_at_fifteen() {
        let postings = [Posting::new(0, 3), Posting::new(15, 40), Posting::new(16, 1), Posting::new(300, 2)];
        let bytes = encode(&postings);
        assert_eq!(bytes, [0x13, 0xff, 0x11, 0x02, 0x9c, 0x02]);
        assert_eq!(decode(&bytes), [(0, 3), (15, 15), (16, 1), (300, 2)]);
    }

    #[test]
    fn postings_decode_as_encoded_and_bad_bytes_do_not() {
        let postings = [Posting::new(0, 3), Posting::new(15, 15), Posting::new(16, 1), Posting::new(300, 2)];
        assert_eq!(super::decode(&encode(&postings), 301), Some(postings.to_vec()));
        assert_eq!(super::decode(&encode(&postings), 300), None, "a page beyond the count");
        assert_eq!(super::decode(&[0x02, 0x9c], 1000), None, "a varint cut short");
        assert_eq!(super::decode(&[0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 1000), None, "a varint too long");
        assert_eq!(super::decode(&[0x02, 0x00], 1000), None, "a gap of nothing");
    }

    #[test]
    fn a_list_gathered_in_runs_encodes_as_its_postings_do() {
        // Pages far apart and near, scores adding up on a page, and a run joined to another.
        let mut left = List::default();
        for (page, score) in [(0, 1), (0, 2), (3, 4), (40, 1)] {
            left.add(page, score);
        }
        let mut right = List::default();
        for (page, score) in [(41, 2), (41, 15), (400, 3), (401, 1)] {
            right.add(page, score);
        }
        left.append(right);
        left.append(List::default());
        let expected = [
            Posting::new(0, 3),
            Posting::new(3, 4),
            Posting::new(40, 1),
            Posting::new(41, 15),
            Posting::new(400, 3),
            Posting::new(401, 1),
        ];
        assert_eq!(left.postings(), expected);
        assert_eq!(left.clone().finish(), (encode(&expected), 6));
        let odd = List::decoded(&encode(&expected), 402, |page| page % 2 == 1).unwrap();
        assert_eq!(odd.postings(), [Posting::new(3, 4), Posting::new(41, 15), Posting::new(401, 1)]);
        assert_eq!(List::decoded(&encode(&expected), 401, |_| true), None, "a page beyond the count");
        let all = List::decoded(&encode(&expected), 402, |_| true).unwrap();
        assert_eq!((all.postings(), all.finish()), (expected.to_vec(), (encode(&expected), 6)));
        let mut later = List::decoded(&encode(&expected), 402, |page| page != 40).unwrap();
        later.add(500, 2);
        let mut without: Vec<Posting> = expected.iter().copied().filter(|p| p.page() != 40).collect();
        without.push(Posting::new(500, 2));
        assert_eq!(later.finish(), (encode(&without), 6));
        let stem = [Posting::new(3, 1), Posting::new(400, 2)];
        assert_eq!(merged(expected[..2].to_vec(), stem.to_vec()), [expected[0], stem[0], expected[1], stem[1]]);
    }

    #[test]
    fn varints_take_seven_bits_a_byte() {
        let mut out = Vec::new();
        for n in [0, 127, 128, 300] {
            varint(&mut out, n);
        }
        assert_eq!(out, [0, 127, 0x80, 1, 0xac, 2]);
    }

    #[test]
    fn the_same_records_make_the_same_files() {
        let (a, _) = build_files(&sample(), &[]);
        let (b, _) = build_files(&sample(), &[]);
        assert_eq!(a, b);
    }
}
