// Search as a reader uses it: the header box finds a Booking stage and lands on its
// section; the service scope narrows and widens the results; nothing found is said
// plainly; it works with the keyboard alone, on a phone, under a sub-path, and the
// pages stay usable without JavaScript.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, serve, launch, axe, inView } from "./lib.mjs";

let server, portal, browser;
const temporary = [];

before(async () => {
  server = await serve(build());
  // The same portal published under /portal/: the output folder served as a sub-folder.
  const out = build(["--base-url", "/portal/"]);
  const parent = mkdtempSync(join(tmpdir(), "signpost-search-"));
  temporary.push(parent);
  symlinkSync(out, join(parent, "portal"));
  cpSync(join(out, "404.html"), join(parent, "404.html"));
  portal = await serve(parent);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await portal?.close();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const STAGE = "Technical conformance certificate";
const STAGE_SECTION = "/booking/assurance_overview.html#technical-conformance-certificate";

/** Types into the header box and waits for the panel to say how it went. */
async function type(page, text) {
  await page.fill("#sp-search-input", text);
  await page.waitForFunction(
    (t) => {
      const s = document.querySelector("#sp-search-status");
      return s && s.textContent.includes("\u201c" + t + "\u201d");
    },
    text,
  );
}

async function options(page) {
  return page.$$eval("#sp-search-results [role=option]", (all) =>
    all.map((o) => ({ href: o.getAttribute("href"), text: o.textContent, selected: o.getAttribute("aria-selected") })),
  );
}

test("a Booking stage name lands on that stage's section, by keyboard alone", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + "/booking/index.html");
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "sp-search-input", "/ focuses the search box");
  await page.keyboard.type(STAGE);
  await type(page, STAGE);
  assert.equal(await page.getAttribute("#sp-search-input", "aria-expanded"), "true");
  const found = await options(page);
  assert.ok(found.length > 0, "there are results");
  assert.ok(found[0].href.endsWith(STAGE_SECTION), `the first result is the stage's section, not ${found[0].href}`);
  assert.match(found[0].text, /Assurance overview/, "the result names the page");
  assert.match(found[0].text, /Technical conformance certificate/, "and the section");
  const marked = await page.$$eval("#sp-search-results [role=option]:first-child mark", (m) => m.map((x) => x.textContent));
  assert.ok(marked.length > 0, "the excerpt marks the words searched for");

  await page.keyboard.press("ArrowDown");
  assert.equal((await options(page))[0].selected, "true", "ArrowDown chooses the first result");
  assert.equal(
    await page.getAttribute("#sp-search-input", "aria-activedescendant"),
    "sp-search-option-0",
    "the box points screen readers at the chosen result",
  );
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await Promise.all([page.waitForURL("**" + STAGE_SECTION), page.keyboard.press("Enter")]);
  assert.ok(await inView(page, "technical-conformance-certificate"), "the stage's section is in view");
  await page.close();
});

test("typed quickly, only the results shown at the end fetch their pages; fetched, they show at once", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The page's clock, moved by hand: a key every 60 ms, whatever this machine's pace.
  await page.clock.install();
  const fetched = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.includes("/search-index/pages/")) fetched.push(path);
  });
  await page.goto(server.url + "/booking/index.html");
  await page.click("#sp-search-input");
  for (const key of STAGE) {
    await page.keyboard.type(key);
    await page.clock.runFor(60);
    await page.waitForTimeout(20); // lets the index files arrive, in real time
  }
  assert.deepEqual(fetched, [], "no page was fetched for a word half typed");
  assert.equal(await page.textContent("#sp-search-status"), "Searching\u2026", "not \"No results\" for the first letter");
  await page.clock.runFor(300); // the reader pauses
  await type(page, STAGE);
  const found = await options(page);
  assert.ok(found[0].href.endsWith(STAGE_SECTION), `the first result is the stage's section, not ${found[0].href}`);
  assert.ok(fetched.length > 0 && fetched.length <= 6, `the pages of the results shown, not ${fetched.length}`);

  // The same words again: their pages are at hand, so the results need no pause.
  const before = fetched.length;
  await page.fill("#sp-search-input", "");
  await page.clock.runFor(60);
  await page.keyboard.type(STAGE);
  await page.clock.runFor(60);
  await type(page, STAGE);
  assert.equal(fetched.length, before, "nothing fetched again");
  assert.ok((await options(page))[0].href.endsWith(STAGE_SECTION));
  await page.close();
});

test("a last word of one or two letters waits for a longer pause before its pages load", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The page's clock moves only when the test moves it; the index files arrive in real time.
  await page.clock.install({ time: new Date("2026-12-01T09:00:00Z") });
  const fetched = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.includes("/search-index/pages/")) fetched.push(path);
  });
  await page.goto(server.url + "/booking/index.html");
  await page.clock.pauseAt(new Date("2026-12-01T09:01:00Z"));
  await page.click("#sp-search-input");
  await page.keyboard.type("as");
  // A pause a reader makes between two keys: long enough for a word of three letters.
  await page.clock.runFor(300);
  await page.waitForTimeout(300); // lets the index files arrive, in real time
  assert.deepEqual(fetched, [], "no page fetched for two letters after 300 ms");
  // The reader has stopped: the results of the two letters show.
  await page.clock.runFor(400);
  await page.waitForFunction(() => document.querySelectorAll("#sp-search-results [role=option]").length > 0);
  assert.ok(fetched.length > 0 && fetched.length <= 6, `the pages of the results shown, not ${fetched.length}`);
  await page.close();
});

test("the service scope: one service, then all", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + "/nrls/index.html");
  assert.equal(await page.inputValue("#sp-search-scope"), "nrls", "on an NRLS page the search starts in NRLS");

  // A term only the SMSP pages use.
  await page.click("#sp-search-input");
  await type(page, "Authority to Proceed");
  const status = await page.textContent("#sp-search-status");
  assert.match(status, /No results for “Authority to Proceed” in NRLS/, "says plainly that nothing matched");
  assert.equal((await options(page)).length, 0);

  await page.click("text=Search all services");
  await page.waitForFunction(() => document.querySelectorAll("#sp-search-results [role=option]").length > 0);
  assert.equal(await page.inputValue("#sp-search-scope"), "", "the scope is now all services");
  const all = await options(page);
  assert.ok(all.every((o) => o.href.startsWith("/smsp/")), "every result is an SMSP page");
  assert.ok(all.some((o) => o.text.includes("SMSP")), "results name their service");

  // A term every service uses: scoped to NRLS, only NRLS pages; unscoped, others too.
  await page.selectOption("#sp-search-scope", "nrls");
  await type(page, "assurance");
  const scoped = await options(page);
  assert.ok(scoped.length > 0);
  assert.ok(
    scoped.filter((o) => !o.text.startsWith("All ")).every((o) => o.href.startsWith("/nrls/")),
    "scoped: NRLS pages only",
  );
  await page.selectOption("#sp-search-scope", "");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("#sp-search-results [role=option]")].some((o) => !o.getAttribute("href").startsWith("/nrls/")),
  );
  await page.close();
});

test("nothing found is said plainly; Escape closes; Enter without a choice opens the search page", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + "/index.html");
  await page.click("#sp-search-input");
  await type(page, "qwxzy");
  assert.match(await page.textContent("#sp-search-status"), /No results for “qwxzy”\./);
  await page.keyboard.press("Escape");
  assert.ok(await page.locator("#sp-search-panel").isHidden(), "Escape closes the panel");

  await page.fill("#sp-search-input", "");
  await page.keyboard.type("pointer");
  await type(page, "pointer");
  await Promise.all([page.waitForURL(/search\.html\?q=pointer/), page.keyboard.press("Enter")]);
  await page.waitForSelector(".sp-search-page-list li");
  assert.ok(await page.locator("[data-sp-search-nojs]").isHidden(), "with JavaScript the explanation is hidden");
  const links = await page.$$eval(".sp-search-page-list a", (a) => a.map((x) => x.getAttribute("href")));
  assert.ok(links.some((h) => h.startsWith("/nrls/pointer_model.html")), "the search page lists the pointer model");
  await page.close();
});

test("on a phone the results fit the screen and a tap opens one", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(server.url + "/booking/index.html");
  await page.tap("#sp-search-input");
  await page.keyboard.type("Go-live");
  await type(page, "Go-live");
  const box = await page.locator("#sp-search-panel").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 375, `the panel fits the width (${box.x}, ${box.width})`);
  const first = page.locator("#sp-search-results [role=option]").first();
  const target = await first.boundingBox();
  assert.ok(target.height >= 44, "results are large enough to tap");
  const href = await first.getAttribute("href");
  await Promise.all([page.waitForURL("**" + href), first.tap()]);
  await context.close();
});

test("under --base-url /portal/ the index and every result stay under /portal/", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const outside = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith("/portal/")) outside.push(path);
  });
  await page.goto(portal.url + "/portal/booking/index.html");
  await page.click("#sp-search-input");
  await type(page, STAGE);
  const found = await options(page);
  assert.ok(found[0].href === "/portal" + STAGE_SECTION, `lands under /portal/: ${found[0].href}`);
  await Promise.all([page.waitForURL("**/portal" + STAGE_SECTION), page.click("#sp-search-option-0")]);
  assert.deepEqual(outside, [], "nothing was requested outside /portal/");
  await page.close();
});

test("with results open, axe finds no WCAG 2.1 AA violation", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + "/nrls/index.html");
  await page.click("#sp-search-input");
  await type(page, "pointer");
  await page.keyboard.press("ArrowDown");
  assert.deepEqual(await axe(page), []);
  await page.close();
});

test("without JavaScript every page works and the search page says what to do", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url + "/booking/index.html");
  assert.ok(await page.locator("#sp-search-panel").isHidden(), "no empty panel without JavaScript");
  await page.fill("#sp-search-input", "Go-live");
  await Promise.all([page.waitForURL(/search\.html\?q=Go-live/), page.press("#sp-search-input", "Enter")]);
  const text = await page.textContent("main");
  assert.match(text, /needs JavaScript/);
  await Promise.all([page.waitForURL("**/booking/"), page.click("main >> text=NHS Booking Standard")]);
  await context.close();
});

test("a large site whose words fill several index files is searched whole", async () => {
  // Six words beginning "qu" on each of 2,100 pages crowd that key past one file
  // (400 words), so the index splits it by more letters ("quag", "quok", "quin"...).
  const root = mkdtempSync(join(tmpdir(), "signpost-shards-"));
  temporary.push(root);
  writeFileSync(join(root, "site.yaml"), "title: Shards\n");
  mkdirSync(join(root, "content"));
  const pages = 2100;
  for (let i = 0; i < pages; i++) {
    const n = String(i).padStart(4, "0");
    writeFileSync(
      join(root, "content", `p${n}.md`),
      `---\ntitle: Page ${n}\n---\n\nA wallaby note, number quokka${n}, quoll${n}, quagga${n}, quail${n}, quince${n} and quartz${n}.\n`,
    );
  }
  const shards = await serve(build([], root));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(shards.url + "/p0000.html");
    await page.click("#sp-search-input");
    await type(page, "wallaby");
    assert.match(await page.textContent("#sp-search-status"), new RegExp(`^${pages} pages match`), "every page answers");
    for (const [word, n] of [["quokka", "0007"], ["quince", "1234"], ["quartz", "2099"]]) {
      await type(page, `${word}${n}`);
      const found = await options(page);
      assert.equal(found[0].href, `/p${n}.html`, `${word}${n} is found whichever file holds it`);
    }
    // A prefix shorter than the split key reads every file under it, and matches the
    // words it begins as far as their postings fit the engine's budget: one word of
    // each page is enough here.
    await type(page, "wallaby qu");
    assert.match(await page.textContent("#sp-search-status"), new RegExp(`^${pages} pages match`));
  } finally {
    await page.close();
    await shards.close();
  }
});
