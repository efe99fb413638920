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
 * Words are split exactly as src/search/words.rs splits them. */

const FORMAT = 1;
const WORD = /[\p{L}\p{N}]+/gu;
const EXCERPT_WORDS = 22;
/* A query word may run on past its stem by this many characters ("authorities" over
 * "author"); the longest stem wins. */
const STEM_SLACK = 5;
const MIN_STEM = 3;

const base = new URL(".", import.meta.url).href;
let entry = null;
const shards = new Map();
const pages = new Map();

function normalize(text) {
  return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
}

export function words(text) {
  return normalize(text).match(WORD) || [];
}

function load(path) {
  return entry.then((e) =>
    fetch(base + path + "?v=" + e.build).then((r) => {
      if (!r.ok) {
        throw new Error("search index: " + path + " " + r.status);
      }
      return r.json();
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
        return e;
      });
    entry.catch(() => {
      entry = null; // a later search tries again
    });
  }
  return entry;
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

/* The stems a query word matches: its own (when the word is in the index), the
 * longest stem it begins with, and, for the word being typed, the stems of every word
 * it begins. Each with how well it matches: 1 for the word or its stem, less for a
 * longer word. */
async function match(e, word, typing) {
  typing = typing && word.length >= 2; // one letter would load every shard it begins
  const keys = e.keys.filter((k) => word.startsWith(k) || (typing && k.startsWith(word)));
  const loaded = await Promise.all(keys.map(shard));
  const found = new Map(); // stem -> { stem, pages, postings, weight }
  const add = (s, weight) => {
    const [stem, count, postings] = s;
    const had = found.get(stem);
    if (!had || had.weight < weight) {
      found.set(stem, { stem, pages: count, postings, weight });
    }
  };
  let best = null;
  for (const data of loaded) {
    for (const [w, n] of Object.entries(data.words)) {
      if (w === word) {
        add(data.stems[n], 1);
      } else if (typing && w.startsWith(word)) {
        add(data.stems[n], 0.6);
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
  return [...found.values()];
}

/* BM25's saturation without length normalisation: a part that says a word ten times is
 * not ten times the match. */
function saturate(score) {
  return (score * 2.2) / (score + 1.2);
}

/**
 * Searches the index. `options.service` keeps to one service's pages. Resolves to
 * `{ results: [{ id, score, data() }] }`, best first; `data()` fetches what a result
 * shows.
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
  // scores.get(page) -> Map(part -> Float64Array of one score per query word)
  const scores = new Map();
  matched.forEach((stems, q) => {
    for (const s of stems) {
      const idf = Math.log(1 + e.pages / Math.max(1, s.pages));
      let page = 0;
      const p = s.postings;
      for (let i = 0; i < p.length; i += 3) {
        page += p[i];
        if (service >= 0 && e.page_service[page] !== service) {
          continue;
        }
        let parts = scores.get(page);
        if (!parts) {
          parts = new Map();
          scores.set(page, parts);
        }
        let part = parts.get(p[i + 1]);
        if (!part) {
          part = new Float64Array(query.length);
          parts.set(p[i + 1], part);
        }
        part[q] = Math.max(part[q], idf * s.weight * saturate(p[i + 2]));
      }
    }
  });
  const results = [];
  for (const [page, parts] of scores) {
    const best = new Float64Array(query.length);
    let together = 0;
    for (const part of parts.values()) {
      let sum = 0;
      part.forEach((v, q) => {
        best[q] = Math.max(best[q], v);
        sum += v;
      });
      together = Math.max(together, sum);
    }
    if (best.every((v) => v > 0)) {
      const score = together + 0.5 * best.reduce((a, b) => a + b, 0);
      results.push({ id: page, score, parts, matched });
    }
  }
  results.sort((a, b) => b.score - a.score || a.id - b.id);
  return {
    results: results.map((r) => ({ id: r.id, score: r.score, data: () => data(r, query, matched) })),
  };
}

/* Pages come in runs of PAGES_PER_FILE (src/search/index.rs). */
const PAGES_PER_FILE = 8;

function page(id) {
  const run = Math.floor(id / PAGES_PER_FILE);
  if (!pages.has(run)) {
    const loading = load("pages/" + run + ".json");
    loading.catch(() => pages.delete(run));
    pages.set(run, loading);
  }
  return pages.get(run).then((list) => list[id % PAGES_PER_FILE]);
}

/* What a result shows: the page and the parts it matched in, best first. */
async function data(result, query, matched) {
  const p = await page(result.id);
  const marks = query.map((w, q) => ({ word: w, stems: matched[q].map((s) => s.stem), typing: q === query.length - 1 }));
  const subs = [];
  for (const [n, scores] of result.parts) {
    const part = p.parts[n];
    if (!part) {
      continue;
    }
    const [anchor, title, text] = part;
    subs.push({
      title,
      anchor: anchor || null,
      url: anchor ? p.url + "#" + anchor : p.url,
      excerpt: excerpt(text || title, marks),
      score: scores.reduce((a, b) => a + b, 0) * (1 + scores.filter((v) => v > 0).length),
    });
  }
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

function marked(word, marks) {
  return marks.some(
    (m) =>
      word === m.word ||
      (m.typing && word.startsWith(m.word)) ||
      m.stems.some((s) => word.startsWith(s) && word.length - s.length <= STEM_SLACK)
  );
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
