#!/usr/bin/env node
// What a reader's search costs, in Debian's Chromium: the bytes fetched from
// search-index/ by a first query typed into the header box, and the time from the last
// keystroke to the results shown once the files are cached. Also the bytes of the same
// query entered whole (pasted), without the prefixes typed on the way.
//
//   node scripts/bench-search.mjs OUT [QUERY ...]
//
// OUT is a built site (`signpost build --out OUT`); the queries default to a few made of
// the generated corpus's words (../shared/bench/gen_corpus.py). Each query is typed a
// key at a time, 150 ms apart, as a quick reader types (KEY_DELAY=300 for a slower
// one), into a fresh page with an empty cache; then, in the same page, the box is
// cleared and the query typed again, ten times, and the time from its last key to the
// status line naming it is recorded.
// Needs tests/browser/node_modules (playwright-core; a symlink to an installed copy
// will do) and /usr/bin/chromium (or CHROMIUM=...).
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { serve, launch } from "../tests/browser/lib.mjs";

const [out, ...given] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/bench-search.mjs OUT [QUERY ...]");
  process.exit(2);
}
const queries = given.length ? given : ["bridge", "configure cache", "pointer certificate", "webhook schema upload"];
// A page to type on: the home page, or the search page, which every build with search has.
const first = existsSync(join(out, "index.html")) ? "/index.html" : "/search.html";

const delay = Number(process.env.KEY_DELAY || 150);
const server = await serve(out);
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Types `query` into the header box and resolves with the ms from its last key to the
 * status line naming it. */
async function typed(page, query, delay) {
  await page.evaluate(() => {
    window.__shown = null;
    const status = document.querySelector("#sp-search-status");
    new MutationObserver((_, observer) => {
      const input = document.querySelector("#sp-search-input");
      if (status.textContent.includes("\u201c" + input.value.trim() + "\u201d") && window.__last) {
        window.__shown = performance.now() - window.__last;
        observer.disconnect();
      }
    }).observe(status, { childList: true, characterData: true, subtree: true });
    document.querySelector("#sp-search-input").addEventListener("keydown", () => (window.__last = performance.now()));
  });
  await page.type("#sp-search-input", query, { delay });
  await page.waitForFunction(() => window.__shown !== null, null, { timeout: 30000 });
  return page.evaluate(() => window.__shown);
}

console.log(`search at ${out}: first query from an empty cache, typed ${delay} ms a key, then cached (median of 10)`);
for (const query of queries) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = new Map();
  const pending = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.includes("/search-index/")) {
      pending.push(
        response.body().then(
          (body) => fetched.set(url.pathname, body),
          () => {}
        )
      );
    }
  });
  await page.goto(server.url + first);
  const cold = await typed(page, query, delay);
  await page.waitForTimeout(500);
  await Promise.all(pending);
  const bytes = [...fetched.values()].reduce((n, b) => n + b.length, 0);
  const gzipped = [...fetched.values()].reduce((n, b) => n + gzipSync(b).length, 0);
  const largest = Math.max(...[...fetched.values()].map((b) => b.length));
  // The same query entered whole (pasted, or from a link to the search page), in a
  // fresh cache: what one search costs, without the prefixes typed on the way.
  const once = await browser.newContext();
  const whole = await once.newPage();
  const reads = [];
  whole.on("response", (response) => {
    if (new URL(response.url()).pathname.includes("/search-index/")) {
      reads.push(response.body().then((b) => b.length, () => 0));
    }
  });
  await whole.goto(server.url + first);
  await whole.fill("#sp-search-input", query);
  await whole.waitForFunction(
    (q) => document.querySelector("#sp-search-status").textContent.includes("\u201c" + q + "\u201d"),
    query
  );
  await whole.waitForTimeout(500);
  const entered = (await Promise.all(reads)).reduce((a, b) => a + b, 0);
  await once.close();
  const warm = [];
  for (let i = 0; i < 10; i++) {
    await page.fill("#sp-search-input", "");
    await page.waitForTimeout(50);
    warm.push(await typed(page, query, 0));
  }
  console.log(
    `  ${JSON.stringify(query).padEnd(24)} typed: ${fetched.size} files, ${(bytes / 1024).toFixed(0)} KB ` +
      `(${(gzipped / 1024).toFixed(0)} KB gzipped, largest ${(largest / 1024).toFixed(0)} KB); ` +
      `entered whole: ${(entered / 1024).toFixed(0)} KB; ` +
      `results ${cold.toFixed(0)} ms after the last key cold, ${median(warm).toFixed(0)} ms cached`
  );
  await context.close();
}
await browser.close();
await server.close();
