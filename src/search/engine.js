/* Signpost search: queries the index the build wrote beside this file.
 *
 *   const engine = await import(BASE + "search-index/engine.js");
 *   const found = await engine.search("go-live", { service: "booking" });
 *   found.results[0].data()  // -> { url, meta: { title, service }, sub_results, excerpt }
 *
 * Every word of the query must match, anywhere on the page; the last word also
 * matches as the start of a longer word, as you type. The index is made of words and
 * their stems (src/search/index.rs); there is no stemmer here, so a query word is
 * matched to the longest stem in the index it begins with ("stages" -> "stage").
 * Words are split exactly as src/search/words.rs splits them.
 *
 * A search fetches the word shards of the words typed, then the postings of the stems
 * they match, then one file per result shown; every file is fetched once. */

const FORMAT = 2;
const WORD = /[\p{L}\p{N}]+/gu;
const EXCERPT_WORDS = 22;
/* A query word may run on past its stem by this many characters ("authorities" over
 * "author"); the longest stem wins. */
const STEM_SLACK = 5;
const MIN_STEM = 3;
/* The word being typed matches the words it begins, the commonest first, as long as
 * their postings come to no more than this many bytes: "co" would otherwise fetch the
 * postings of every word in "co". Rare words are cheap, so many of them fit. */
const COMPLETION_BYTES = 8 * 1024;

const base = new URL(".", import.meta.url).href;
let entry = null;
const shards = new Map();
const postingFiles = new Map();
const postingLists = new Map();
const pages = new Map();

function normalize(text) {
  return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
}

export function words(text) {
  return normalize(text).match(WORD) || [];
}

function load(path, binary) {
  return entry.then((e) =>
    fetch(base + path + "?v=" + e.build).then((r) => {
      if (!r.ok) {
        throw new Error("search index: " + path + " " + r.status);
      }
      return binary ? r.arrayBuffer() : r.json();
    })
  );
}

/** Loads the entry; resolves when the index can be searched. */
export function init() {
  if (!entry) {
    entry = fetch(base + "index.json", { cache: "no-cache" })
      .then((r) => {
        if (!r.ok) {
          throw new Error("search index: index.json " + r.status);
        }
        return r.json();
      })
      .then((e) => {
        if (e.format !== FORMAT) {
          throw new Error("search index: format " + e.format + ", this engine reads " + FORMAT);
        }
        e.stopSet = new Set(e.stop);
        e.serviceOf = serviceOf(e.page_services, e.pages);
        return e;
      });
    entry.catch(() => {
      entry = null; // a later search tries again
    });
  }
  return entry;
}

/* Each page's service (a position in `services`, -1 for none), from the runs. */
function serviceOf(runs, count) {
  const of = new Int16Array(count);
  let page = 0;
  for (const [service, n] of runs) {
    of.fill(service, page, page + n);
    page += n;
  }
  return of;
}

function hex(text) {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

function shard(key) {
  if (!shards.has(key)) {
    const loading = load("words/" + hex(key) + ".json");
    loading.catch(() => shards.delete(key));
    shards.set(key, loading);
  }
  return shards.get(key);
}

/* The postings of a stem entry [stem, pages, file, offset, length] of a word shard,
 * decoded into [page, score, page, score, ...]: a byte each, the distance from the
 * previous page in the high four bits (0: a varint follows) and the score in the low
 * four (src/search/index.rs, `encode`). */
async function postings(s) {
  const [stem, count, file, offset, length] = s;
  if (!postingLists.has(stem)) {
    if (!postingFiles.has(file)) {
      const loading = load("postings/" + file + ".bin", true);
      loading.catch(() => postingFiles.delete(file));
      postingFiles.set(file, loading);
    }
    const bytes = new Uint8Array(await postingFiles.get(file), offset, length);
    const list = new Int32Array(count * 2);
    let page = -1;
    let at = 0;
    for (let n = 0; n < count; n++) {
      const b = bytes[at++];
      let gap = b >> 4;
      if (gap === 0) {
        for (let shift = 0; ; shift += 7) {
          const v = bytes[at++];
          gap |= (v & 0x7f) << shift;
          if (v < 0x80) {
            break;
          }
        }
      }
      page += gap;
      list[2 * n] = page;
      list[2 * n + 1] = b & 15;
    }
    postingLists.set(stem, list);
  }
  return postingLists.get(stem);
}

/* The stems a query word matches: its own (when the word is in the index), the
 * longest stem it begins with, and, for the word being typed, the stems of the
 * commonest words it begins (COMPLETION_BYTES). Each with how well it matches: 1 for the word or its
 * stem, less for a longer word. */
async function match(e, word, typing) {
  typing = typing && word.length >= 2; // one letter would load every shard it begins
  const keys = e.keys.filter((k) => word.startsWith(k) || (typing && k.startsWith(word)));
  const loaded = await Promise.all(keys.map(shard));
  const found = new Map(); // stem -> { stem, pages, entry, weight }
  const add = (s, weight) => {
    const had = found.get(s[0]);
    if (!had || had.weight < weight) {
      found.set(s[0], { stem: s[0], pages: s[1], entry: s, weight });
    }
  };
  let best = null;
  const longer = [];
  for (const data of loaded) {
    for (const [w, n] of Object.entries(data.words)) {
      if (w === word) {
        add(data.stems[n], 1);
      } else if (typing && w.startsWith(word)) {
        longer.push(data.stems[n]);
      }
    }
    for (const s of data.stems) {
      const stem = s[0];
      if (
        stem.length >= MIN_STEM &&
        word.startsWith(stem) &&
        word.length - stem.length <= STEM_SLACK &&
        (!best || stem.length > best[0].length)
      ) {
        best = s;
      }
    }
  }
  if (best) {
    add(best, 1);
  }
  longer.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let bytes = 0;
  for (const s of longer) {
    if (found.has(s[0])) {
      continue;
    }
    bytes += s[4];
    if (bytes > COMPLETION_BYTES && found.size) {
      break;
    }
    add(s, 0.6);
  }
  const stems = [...found.values()];
  await Promise.all(stems.map(async (s) => (s.postings = await postings(s.entry))));
  return stems;
}

/* BM25's saturation without length normalisation: a page that says a word ten times is
 * not ten times the match. */
function saturate(score) {
  return (score * 2.2) / (score + 1.2);
}

/**
 * Searches the index. `options.service` keeps to one service's pages. Resolves to
 * `{ results: [{ id, score, cached, data() }] }`, best first; `data()` fetches what a
 * result shows (its page's file), at once when `cached` (fetched before).
 */
export async function search(term, options = {}) {
  const e = await init();
  const typed = words(term);
  const typing = !/\s$/.test(term);
  const query = typed.filter((w, i) => !e.stopSet.has(w) || (typing && i === typed.length - 1 && typed.length === 1));
  if (!query.length) {
    return { results: [] };
  }
  const service = options.service ? e.services.findIndex((s) => s[0] === options.service) : -1;
  if (options.service && service < 0) {
    return { results: [] };
  }
  const matched = await Promise.all(query.map((w, i) => match(e, w, typing && i === query.length - 1)));
  // Each page's best match for each query word: scores[page * words + word].
  const n = query.length;
  const scores = new Float64Array(e.pages * n);
  matched.forEach((stems, q) => {
    for (const s of stems) {
      const idf = Math.log(1 + e.pages / Math.max(1, s.pages));
      const p = s.postings;
      for (let i = 0; i < p.length; i += 2) {
        const at = p[i] * n + q;
        scores[at] = Math.max(scores[at], idf * s.weight * saturate(p[i + 1]));
      }
    }
  });
  const results = [];
  for (let page = 0; page < e.pages; page++) {
    let score = 0;
    let q = 0;
    for (; q < n && scores[page * n + q] > 0; q++) {
      score += scores[page * n + q];
    }
    if (q === n && (service < 0 || e.serviceOf[page] === service)) {
      results.push({ id: page, score });
    }
  }
  results.sort((a, b) => b.score - a.score || a.id - b.id);
  const marks = query.map((w, q) => ({
    word: w,
    stems: matched[q].map((s) => s.stem),
    typing: typing && q === n - 1,
    idf: Math.max(...matched[q].map((s) => Math.log(1 + e.pages / Math.max(1, s.pages))), 0),
  }));
  return {
    results: results.map((r) => ({ id: r.id, score: r.score, cached: pages.has(r.id), data: () => data(r, marks) })),
  };
}

function page(id) {
  if (!pages.has(id)) {
    const loading = load("pages/" + id + ".json");
    loading.catch(() => pages.delete(id));
    pages.set(id, loading);
  }
  return pages.get(id);
}

/* How much a word counts where it stands, as the index weighs it (src/search/record.rs,
 * `Field`): the page title, a heading, the rest. */
const TITLE = 8;
const HEADING = 4;

/* What a result shows: the page and the parts it matched in, best first; a part that
 * matches more of the words before one that matches one word often. */
async function data(result, marks) {
  const p = await page(result.id);
  const subs = [];
  p.parts.forEach(([anchor, title, text], n) => {
    const weight = new Float64Array(marks.length);
    const count = (t, w) => {
      for (const found of normalize(t).match(WORD) || []) {
        marks.forEach((m, q) => {
          if (matches(found, m)) {
            weight[q] += w;
          }
        });
      }
    };
    count(title, n === 0 && !anchor ? TITLE : HEADING);
    count(text, 1);
    const scores = marks.map((m, q) => (weight[q] ? m.idf * saturate(weight[q]) : 0));
    const sum = scores.reduce((a, b) => a + b, 0);
    if (sum > 0) {
      subs.push({
        title,
        anchor: anchor || null,
        url: anchor ? p.url + "#" + anchor : p.url,
        excerpt: excerpt(text || title, marks),
        score: sum * (1 + scores.filter((v) => v > 0).length),
      });
    }
  });
  subs.sort((a, b) => b.score - a.score);
  return {
    url: p.url,
    meta: { title: p.title, service: p.service || "" },
    sub_results: subs,
    excerpt: subs.length ? subs[0].excerpt : "",
  };
}

function escape(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/* Whether a normalised word of the text is one the query word `m` matched. */
function matches(word, m) {
  return (
    word === m.word ||
    (m.typing && word.startsWith(m.word)) ||
    m.stems.some((s) => word.startsWith(s) && word.length - s.length <= STEM_SLACK)
  );
}

function marked(word, marks) {
  return marks.some((m) => matches(word, m));
}

/* About EXCERPT_WORDS words of `text` around the first word that matched, escaped,
 * with every matching word in <mark>. */
export function excerpt(text, marks) {
  const found = [];
  const re = new RegExp(WORD.source, "gu");
  let m;
  while ((m = re.exec(text))) {
    found.push({ at: m.index, end: m.index + m[0].length, hit: marked(normalize(m[0]), marks) });
  }
  if (!found.length) {
    return escape(text);
  }
  const first = Math.max(0, found.findIndex((w) => w.hit));
  const start = Math.max(0, Math.min(first - 5, found.length - EXCERPT_WORDS));
  const end = Math.min(found.length, start + EXCERPT_WORDS);
  let out = start > 0 ? "… " : "";
  let at = found[start].at;
  for (let i = start; i < end; i++) {
    const w = found[i];
    out += escape(text.slice(at, w.at));
    const shown = escape(text.slice(w.at, w.end));
    out += w.hit ? "<mark>" + shown + "</mark>" : shown;
    at = w.end;
  }
  out += end < found.length ? " …" : escape(text.slice(at));
  return out;
}
