//! The index files: an inverted index split into small word shards, one file per page
//! for results, and an entry file; `engine.js` (shipped beside them) reads them in the
//! browser. docs/search.md gives the format; in short, under `search-index/`:
//!
//! - `index.json`: the entry. The number of pages, the services and each page's
//!   service (for the filter), the stop words, and the keys of the word shards.
//! - `words/KEY.json`: every indexed word beginning with KEY (the first character of
//!   the word, up to four for a crowded key; KEY is hex-encoded UTF-8 in the file
//!   name), each pointing at its stem, and for each stem its postings: the page, the
//!   part of the page (its top or a section) and a score, the sum of the weights of the
//!   stem's occurrences there ([`Field`]).
//! - `pages/N.json`: pages 8N to 8N+7, each with its URL, title, service and parts
//!   (anchor, heading, text), fetched only for the results shown.
//!
//! A query loads the entry once and then only the shards of the words typed, so a
//! large site costs the reader a few small files per search.
//!
//! Written by hand rather than with Pagefind: on the 10,000-page benchmark Pagefind
//! took 7 s and 1.1 GB to index what this takes well under a second for
//! (docs/benchmarks.md), and the budget was the build's own time.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::record::{Part, Record};
use super::words::{for_each_word, key, Language};

/// The entry file, the one file a search always loads.
pub(super) const ENTRY: &str = "index.json";

/// The browser side: it finds the index beside itself.
pub(super) const ENGINE: &str = "engine.js";
const ENGINE_JS: &str = include_str!("engine.js");

/// Bumped whenever the files change shape; `engine.js` refuses another.
const FORMAT: u32 = 1;

/// Pages are written in runs of this many to a file: one file per page would double
/// the files a build writes, and a result needs only its own run.
const PAGES_PER_FILE: usize = 8;

/// A shard larger than this (in postings, about 6 bytes each) is split by one more
/// character of its words, down to [`MAX_KEY`] characters.
const SHARD_POSTINGS: usize = 12_000;
const MAX_KEY: usize = 4;

/// Files of the index: (path relative to its folder, bytes), sorted by path.
pub type Files = Vec<(String, Vec<u8>)>;

/// What the index holds, for `--verbose` and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    pub words: usize,
    pub stems: usize,
    pub shards: usize,
}

/// Where a stem occurs: a page, a part of it and the score there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting {
    page: u32,
    part: u32,
    score: u32,
}

/// Builds the files of the index of `records`, in their order (a page's number is its
/// position). `services` are the portal's (id, display name) in site.yaml order.
pub(super) fn build(records: &[Record], services: &[(String, String)], subtag: &str) -> (Files, Shape) {
    let language = Language::new(subtag);
    let words = word_postings(records, &language);
    let stems = stems_of(&words, &language);
    let keys = shard_keys(&words);

    let mut files: Files = Vec::with_capacity(records.len() + keys.len() + 2);
    let mut shards: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (word, key) in &keys {
        shards.entry(key.as_str()).or_default().push(word.as_str());
    }
    let shard_files: Vec<(String, Vec<u8>)> = shards
        .par_iter()
        .map(|(key, words_here)| (format!("words/{}.json", hex::encode(key)), shard_json(words_here, &stems)))
        .collect();
    files.extend(shard_files);
    let page_files: Vec<(String, Vec<u8>)> = records
        .par_chunks(PAGES_PER_FILE)
        .enumerate()
        .map(|(i, chunk)| (format!("pages/{i}.json"), pages_json(chunk, services)))
        .collect();
    files.extend(page_files);

    // The build's fingerprint: search requests carry it, so a browser never mixes files
    // of two builds from its cache.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hash = Sha256::new();
    for (path, bytes) in &files {
        hash.update(path.as_bytes());
        hash.update(bytes);
    }
    let build = hex::encode(&hash.finalize()[..6]);
    let entry = Entry {
        format: FORMAT,
        build: &build,
        language: subtag,
        pages: records.len(),
        services: services.iter().map(|(id, name)| [id.as_str(), name.as_str()]).collect(),
        page_service: records
            .iter()
            .map(|r| {
                r.service.as_ref().and_then(|s| services.iter().position(|(id, _)| id == s)).map_or(-1, |i| i as i64)
            })
            .collect(),
        stop: language.stop_words(),
        keys: shards.keys().copied().collect(),
    };
    files.push((ENTRY.into(), serde_json::to_vec(&entry).expect("the entry serialises")));
    files.push((ENGINE.into(), ENGINE_JS.as_bytes().to_vec()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let shape = Shape { words: words.len(), stems: stems.len(), shards: shards.len() };
    (files, shape)
}

#[derive(Serialize)]
struct Entry<'a> {
    format: u32,
    build: &'a str,
    language: &'a str,
    pages: usize,
    /// [id, name] of each service, in site.yaml order.
    services: Vec<[&'a str; 2]>,
    /// Each page's service as a position in `services`, -1 for none.
    page_service: Vec<i64>,
    stop: &'static [&'static str],
    keys: Vec<&'a str>,
}

/// Every indexed word with where it occurs, summed per page and part.
fn word_postings(records: &[Record], language: &Language) -> Words {
    // Runs of pages are read in parallel, each into a map of its own, and the maps are
    // merged in page order, so every list comes out sorted by page. A word is
    // allocated once per run, not once per occurrence.
    records
        .par_iter()
        .enumerate()
        .fold(Words::default, |mut words, (page, record)| {
            for (part, piece) in record.parts.iter().enumerate() {
                for (field, text) in &piece.pieces {
                    for_each_word(text, |word| {
                        if language.is_stop(word) {
                            return;
                        }
                        let posting = Posting { page: page as u32, part: part as u32, score: *field as u32 };
                        let list = match words.get_mut(word) {
                            Some(list) => list,
                            None => words.entry(word.to_string()).or_default(),
                        };
                        match list.last_mut() {
                            Some(last) if last.page == posting.page && last.part == posting.part => {
                                last.score += posting.score
                            }
                            _ => list.push(posting),
                        }
                    });
                }
            }
            words
        })
        .reduce(Words::default, |mut left, right| {
            for (word, list) in right {
                left.entry(word).or_default().extend(list);
            }
            left
        })
}

/// Words and their postings, sorted by page.
type Words = FxHashMap<String, Vec<Posting>>;

/// A stem and its postings, summed over the words it stems.
struct Stem {
    text: String,
    postings: Vec<Posting>,
    /// Pages it occurs on, for the weight of a rare word over a common one.
    pages: usize,
}

/// Each word's stem, with the stems' postings; `stems[word]` indexes the result.
fn stems_of(words: &Words, language: &Language) -> StemTable {
    let stemmed: Vec<(&String, String)> = words.par_iter().map(|(w, _)| (w, language.stem(w))).collect();
    let mut by_stem: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for (word, stem) in stemmed {
        by_stem.entry(stem).or_default().push(word);
    }
    let list: Vec<(String, Vec<&String>)> = by_stem.into_iter().collect();
    let stems: Vec<Stem> = list
        .par_iter()
        .map(|(stem, surface)| {
            let mut postings: Vec<Posting> = surface.iter().flat_map(|w| words[*w].iter().copied()).collect();
            postings.sort_unstable();
            let mut merged: Vec<Posting> = Vec::with_capacity(postings.len());
            for p in postings {
                match merged.last_mut() {
                    Some(last) if last.page == p.page && last.part == p.part => last.score += p.score,
                    _ => merged.push(p),
                }
            }
            let pages = merged.windows(2).filter(|w| w[0].page != w[1].page).count() + usize::from(!merged.is_empty());
            Stem { text: stem.clone(), postings: merged, pages }
        })
        .collect();
    let mut of_word = FxHashMap::default();
    for (i, (_, surface)) in list.iter().enumerate() {
        for word in surface {
            of_word.insert((*word).clone(), i);
        }
    }
    StemTable { stems, of_word }
}

struct StemTable {
    stems: Vec<Stem>,
    of_word: FxHashMap<String, usize>,
}

impl StemTable {
    fn len(&self) -> usize {
        self.stems.len()
    }
}

/// Each word's shard key: its first character, more for a crowded key, so a small
/// site has a few files and a large one many small ones.
fn shard_keys(words: &Words) -> BTreeMap<String, String> {
    let mut keys: BTreeMap<String, String> = words.keys().map(|w| (w.clone(), key(w, 1).to_string())).collect();
    for len in 2..=MAX_KEY {
        let mut size: HashMap<&str, usize> = HashMap::new();
        for (word, key) in &keys {
            *size.entry(key.as_str()).or_default() += words[word].len();
        }
        let crowded: BTreeSet<String> =
            size.into_iter().filter(|&(_, n)| n > SHARD_POSTINGS).map(|(k, _)| k.to_string()).collect();
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

/// One shard: `{"words": {word: n}, "stems": [[stem, pages, [page delta, part, score, ...]], ...]}`,
/// where `n` is a position in `stems` and page numbers are given as the difference
/// from the previous posting's.
fn shard_json(words: &[&str], table: &StemTable) -> Vec<u8> {
    let mut order: Vec<usize> = Vec::new();
    let mut position: HashMap<usize, usize> = HashMap::new();
    let mut word_map: BTreeMap<&str, usize> = BTreeMap::new();
    for word in words {
        let stem = table.of_word[*word];
        let at = *position.entry(stem).or_insert_with(|| {
            order.push(stem);
            order.len() - 1
        });
        word_map.insert(word, at);
    }
    let stems: Vec<(&str, usize, Vec<u32>)> = order
        .iter()
        .map(|&i| {
            let stem = &table.stems[i];
            let mut flat = Vec::with_capacity(stem.postings.len() * 3);
            let mut previous = 0;
            for p in &stem.postings {
                flat.extend([p.page - previous, p.part, p.score]);
                previous = p.page;
            }
            (stem.text.as_str(), stem.pages, flat)
        })
        .collect();
    #[derive(Serialize)]
    struct Shard<'a> {
        words: BTreeMap<&'a str, usize>,
        stems: Vec<(&'a str, usize, Vec<u32>)>,
    }
    serde_json::to_vec(&Shard { words: word_map, stems }).expect("a shard serialises")
}

/// A run of [`PAGES_PER_FILE`] pages, each `{"url", "title", "service", "parts":
/// [[anchor or null, heading, text], ...]}`.
fn pages_json(records: &[Record], services: &[(String, String)]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Page<'a> {
        url: &'a str,
        title: &'a str,
        service: Option<&'a str>,
        parts: Vec<(Option<&'a str>, &'a str, String)>,
    }
    let pages: Vec<Page> = records
        .iter()
        .map(|record| Page {
            url: &record.url,
            title: &record.title,
            service: record
                .service
                .as_ref()
                .map(|id| services.iter().find(|(s, _)| s == id).map_or(id.as_str(), |(_, name)| name.as_str())),
            parts: record.parts.iter().map(|p: &Part| (p.anchor.as_deref(), p.title.as_str(), p.text())).collect(),
        })
        .collect();
    serde_json::to_vec(&pages).expect("pages serialise")
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

    fn file(files: &Files, path: &str) -> Value {
        let bytes = &files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("no {path}")).1;
        serde_json::from_slice(bytes).unwrap()
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
    fn words_point_at_their_stem_whose_postings_hold_page_part_and_score() {
        let services = vec![("nrls".to_string(), "NRLS".to_string())];
        let (files, shape) = build(&sample(), &services, "en");
        let entry = file(&files, ENTRY);
        assert_eq!(entry["pages"], 2);
        assert_eq!(entry["page_service"], serde_json::json!([0, -1]));
        assert_eq!(entry["keys"], serde_json::json!(["g", "l", "o", "s", "w"]), "one letter for a small site");
        assert!(entry["stop"].as_array().unwrap().iter().any(|w| w == "the"), "stop words are listed");

        let st = file(&files, &format!("words/{}.json", hex::encode("s")));
        let words = st["words"].as_object().unwrap();
        let names: Vec<&str> = words.keys().map(String::as_str).collect();
        assert_eq!(names, ["stage", "staged", "stages", "staging"]);
        assert!(words.values().all(|v| v == 0), "all four share the stem: {st}");
        // Page 0 top: "Staging" in the title (8) and "stages" in the body (1); page 0
        // section 1: "staged" (1); page 1 top: "stage" (1).
        assert_eq!(st["stems"][0], serde_json::json!(["stage", 2, [0, 0, 9, 0, 1, 1, 1, 0, 1]]));
        assert_eq!(shape.shards, 5);
    }

    #[test]
    fn a_page_file_holds_what_a_result_shows() {
        let (files, _) = build(&sample(), &[("nrls".into(), "NRLS".into())], "en");
        let page = &file(&files, "pages/0.json")[0];
        assert_eq!(page["url"], "/a.html");
        assert_eq!(page["service"], "NRLS");
        assert_eq!(page["parts"][1], serde_json::json!(["go-live", "Go-live", "A staged go-live."]));
        assert_eq!(page["parts"][0], serde_json::json!([null, "Staging", "The stages of the work."]));
    }

    #[test]
    fn a_crowded_key_is_split_by_more_characters() {
        let mut words = Words::default();
        let many = vec![Posting { page: 0, part: 0, score: 1 }; SHARD_POSTINGS];
        words.insert("stage".into(), many.clone());
        words.insert("store".into(), many);
        words.insert("st".into(), vec![Posting { page: 0, part: 0, score: 1 }]);
        let keys = shard_keys(&words);
        assert_eq!(keys["stage"], "sta");
        assert_eq!(keys["store"], "sto");
        assert_eq!(keys["st"], "st", "a word no longer than the key stays in it");
    }

    #[test]
    fn the_same_records_make_the_same_files() {
        let (a, _) = build(&sample(), &[], "en");
        let (b, _) = build(&sample(), &[], "en");
        assert_eq!(a, b);
    }
}
