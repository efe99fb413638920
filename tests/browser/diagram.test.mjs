// The Booking assurance page as a reader uses it: every stage of the process diagram
// leads to its section and back, with the mouse and with the keyboard alone, on a desktop
// and a phone, and axe-core finds no WCAG 2.1 AA violation on any page with a diagram.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, serve, launch, axe, inView, REPO, BIN } from "./lib.mjs";

let server, browser;
const PAGE = "/booking/assurance_overview.html";

before(async () => {
  server = await serve(build());
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The stage links of the drawing shown, in DOM order: { href, anchor, title }. */
async function stages(page) {
  return page.$$eval(".sp-process svg a", (links) =>
    links.filter((a) => a.getBoundingClientRect().width > 0).map((a) => ({
      href: a.getAttribute("href"),
      anchor: decodeURIComponent((a.getAttribute("href") || "").split("#")[1] || ""),
      id: a.id,
    })),
  );
}

test("clicking each stage lands on its section, and Back to the process returns", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + PAGE);
  const all = await stages(page);
  assert.equal(all.length, 14, "the Booking process has 14 stages");
  for (const stage of all) {
    await page.locator(`#${stage.id}`).click();
    await page.waitForFunction((a) => decodeURIComponent(location.hash.slice(1)) === a, stage.anchor);
    assert.ok(await inView(page, stage.anchor), `section #${stage.anchor} is in view`);
    // The mark follows the hashchange event, which the browser fires after the hash has
    // changed: wait for it rather than read it at once (a loaded machine runs the two apart).
    const marked = await page
      .waitForFunction((id) => document.getElementById(id)?.getAttribute("aria-current") === "step", stage.id, {
        timeout: 5000,
      })
      .then(() => true, () => false);
    assert.ok(marked, `stage ${stage.id} is marked current`);
    const back = page.locator(`#${stage.anchor} ~ p.back-to-process a`).first();
    assert.equal(await back.getAttribute("href"), "#process-booking", `section #${stage.anchor} links back`);
    await back.click();
    await page.waitForFunction(() => location.hash === "#process-booking");
    assert.ok(await inView(page, "process-booking"), "the diagram is in view again");
  }
  await page.close();
});

test("the same with Tab and Enter only", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + PAGE);
  const all = await stages(page);
  // Count the Tab presses from the top of the page to the first stage.
  let presses = 0;
  while (presses < 300) {
    await page.keyboard.press("Tab");
    presses++;
    const active = await page.evaluate(() => document.activeElement?.id || "");
    if (active === all[0].id) break;
  }
  assert.ok(presses < 300, "the first stage is reachable with Tab");
  for (let i = 0; i < all.length; i++) {
    await page.goto(server.url + PAGE);
    for (let n = 0; n < presses + i; n++) await page.keyboard.press("Tab");
    const active = await page.evaluate(() => document.activeElement?.id);
    assert.equal(active, all[i].id, `Tab reaches stage ${i + 1} in process order`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "focus is visible");
    await page.keyboard.press("Enter");
    await page.waitForFunction((a) => decodeURIComponent(location.hash.slice(1)) === a, all[i].anchor);
    assert.ok(await inView(page, all[i].anchor), `Enter lands on #${all[i].anchor}`);
    // Tab on from the section to its Back to the process link, and follow it.
    let reached = false;
    for (let n = 0; n < 80 && !reached; n++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.closest("p.back-to-process") !== null);
    }
    assert.ok(reached, `Back to the process is reachable from #${all[i].anchor}`);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => location.hash === "#process-booking");
  }
  await page.close();
});

test("axe-core finds no violations on the pages with a diagram", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (const path of [PAGE, "/nrls/assurance_overview.html", "/smsp/assurance_overview.html"]) {
    await page.goto(server.url + path);
    const violations = await axe(page);
    assert.deepEqual(violations, [], `${path}: ${JSON.stringify(violations, null, 1)}`);
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(server.url + PAGE);
  assert.deepEqual(await axe(page), [], "dark mode too");
  await page.close();
});

/**
 * What a reader sees of every diagram on the page: the drawing shown, its size, its
 * smallest stage title on screen, its smallest stage target, and any arrow that runs
 * through a title (stage, lane or group) or through a stage it does not join.
 */
async function diagrams(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".sp-process")].map((wrapper) => {
      const shown = [...wrapper.querySelectorAll("svg.sp-diagram")].filter((s) => s.getBoundingClientRect().width > 0);
      const svg = shown[0];
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      const scroll = wrapper.querySelector(".sp-process-scroll");
      const titles = [...svg.querySelectorAll(".sp-stage-title")];
      const font = Math.min(...titles.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
      const stages = [...svg.querySelectorAll("a.sp-stage")];
      const target = Math.min(
        ...stages.map((a) => {
          const r = a.getBoundingClientRect();
          return Math.min(r.width, r.height);
        }),
      );
      // Arrows against text and stage boxes, in the drawing's own units.
      const boxes = [];
      for (const t of svg.querySelectorAll(".sp-stage-title, .sp-stage-lane, .sp-lane-title, .sp-group-title")) {
        const b = t.getBBox();
        boxes.push({ what: `text “${t.textContent.trim()}”`, b, stage: t.closest("a")?.dataset.stage });
      }
      for (const a of stages) {
        const b = a.querySelector(".sp-stage-shape").getBBox();
        boxes.push({ what: `stage ${a.dataset.stage}`, b, stage: a.dataset.stage, shape: true });
      }
      const through = [];
      for (const edge of svg.querySelectorAll(".sp-edge")) {
        const d = edge.querySelector(".sp-edge-line").getAttribute("d");
        const pts = [...d.matchAll(/[ML](-?\d+) (-?\d+)/g)].map((m) => [+m[1], +m[2]]);
        for (let i = 1; i < pts.length; i++) {
          const [x0, x1] = [Math.min(pts[i - 1][0], pts[i][0]), Math.max(pts[i - 1][0], pts[i][0])];
          const [y0, y1] = [Math.min(pts[i - 1][1], pts[i][1]), Math.max(pts[i - 1][1], pts[i][1])];
          for (const { what, b, stage, shape } of boxes) {
            // An arrow may touch the stages it joins, not run inside them.
            const own = stage === edge.dataset.from || stage === edge.dataset.to;
            const m = shape && own ? 1 : 0;
            if (x0 < b.x + b.width - m && x1 > b.x + m && y0 < b.y + b.height - m && y1 > b.y + m) {
              through.push(`${edge.dataset.from}→${edge.dataset.to} through ${what}`);
            }
          }
        }
      }
      return {
        id: wrapper.id,
        shown: shown.length,
        width: Math.round(box.width),
        height: Math.round(box.height),
        sideways: scroll.scrollWidth - scroll.clientWidth,
        font: +font.toFixed(2),
        target: Math.round(target),
        stages: stages.length,
        through,
      };
    }),
  );
}

/** The draw.io pictures of the page: how far each pokes out of its column, its name. */
async function pictures(page) {
  return page.$$eval("figure.sp-drawing", (figures) =>
    figures.map((figure) => {
      const svg = figure.querySelector("svg");
      const column = figure.parentElement.getBoundingClientRect();
      const box = figure.getBoundingClientRect();
      const title = svg?.querySelector("title")?.textContent ?? "";
      return {
        id: figure.id,
        outside: Math.round(Math.max(box.right - column.right, column.left - box.left)),
        name: svg?.getAttribute("role") === "img" && title.trim().length > 0,
        images: figure.querySelectorAll("image, img").length,
      };
    }),
  );
}

/** Every page of a built site that places a diagram. */
function pagesWithDiagrams(dir) {
  const found = spawnSync("grep", ["-rlE", "--include=*.html", 'class="sp-(process|drawing)"', dir], { encoding: "utf8" });
  return found.stdout.split("\n").filter(Boolean).map((p) => p.slice(dir.length)).sort();
}

/**
 * The bundled portal's pages, a fixture whose process is drawn with its lanes named on
 * the stages, and the NHS Booking Standard converted by `signpost import`.
 */
async function everyDiagramPage() {
  const sites = [{ server, pages: ["/booking/assurance_overview.html", "/nrls/assurance_overview.html", "/smsp/assurance_overview.html"] }];
  // Sixteen stages in four lanes: too tall with bands, so each stage names its lane.
  const lanesOnStages = await serve(build([], join(REPO, "tests/fixtures/lanes_on_stages")));
  sites.push({ server: lanesOnStages, pages: ["/index.html"], close: true });
  const source = join(REPO, "../shared/sites/booking-standard");
  if (!existsSync(source)) {
    const message = `../shared/sites/booking-standard is missing: the converted diagrams are not checked`;
    if (process.env.SIGNPOST_REQUIRE_CORPUS === "1") throw new Error(message);
    console.warn(`warning: ${message}`);
    return sites;
  }
  const imported = join(mkdtempSync(join(tmpdir(), "signpost-import-")), "site");
  const run = spawnSync(BIN, ["import", source, imported], { encoding: "utf8" });
  assert.ok(run.status === 0 || run.status === 1, `signpost import failed: ${run.stderr}`);
  const out = mkdtempSync(join(tmpdir(), "signpost-browser-"));
  spawnSync(BIN, ["build", "--root", imported, "--out", out, "--quiet"], { encoding: "utf8" });
  const converted = await serve(out);
  sites.push({ server: converted, pages: pagesWithDiagrams(out), close: true });
  return sites;
}

test("every diagram fits the content column at 1280 px (with or without a scrollbar) and a phone at 375 px", async () => {
  const sites = await everyDiagramPage();
  const problems = [];
  let views = 0;
  let pictureViews = 0;
  // 1263: a 1280 px window with a classic (not overlay) 17 px scrollbar, as on Windows.
  for (const [width, phone] of [[1280, false], [1263, false], [375, true]]) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, isMobile: phone });
    for (const site of sites) {
      for (const path of site.pages) {
        await page.goto(site.server.url + path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) problems.push(`${path} at ${width}: the page is ${overflow}px wider than the window`);
        for (const d of await diagrams(page)) {
          views++;
          const at = `${path} ${d.id} at ${width}`;
          if (d.shown !== 1) problems.push(`${at}: ${d.shown} drawings shown`);
          if (d.sideways > 1) problems.push(`${at}: scrolls sideways by ${d.sideways}px`);
          if (d.font < 13) problems.push(`${at}: stage titles at ${d.font}px`);
          if (d.target < 24) problems.push(`${at}: a stage is ${d.target}px across`);
          // Seen whole on a laptop screen.
          if (!phone && d.stages <= 16 && d.height > 800) problems.push(`${at}: ${d.height}px tall`);
          for (const t of d.through) problems.push(`${at}: arrow ${t}`);
        }
        // draw.io pictures (not processes): inside the column, named, never fetching.
        for (const p of await pictures(page)) {
          pictureViews++;
          const at = `${path} ${p.id} at ${width}`;
          if (p.outside > 1) problems.push(`${at}: ${p.outside}px wider than the column`);
          if (!p.name) problems.push(`${at}: the picture has no accessible name`);
          if (p.images) problems.push(`${at}: ${p.images} images fetched`);
        }
      }
    }
    await page.close();
  }
  for (const site of sites) if (site.close) await site.server.close();
  assert.ok(views >= 6, `only ${views} diagram views`);
  if (sites.length > 1) assert.ok(pictureViews >= 20, `only ${pictureViews} picture views`);
  assert.deepEqual(problems, [], problems.join("\n"));
});

test("the keyboard skips the diagram, Back returns to the stage, and scrolling marks the stage read", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + PAGE);
  // The skip link is the first stop inside the diagram, and leads past its stages.
  let presses = 0;
  while (presses < 100) {
    await page.keyboard.press("Tab");
    presses++;
    if (await page.evaluate(() => document.activeElement?.classList.contains("sp-process-skip"))) break;
  }
  assert.ok(presses < 100, "the skip link is reachable with Tab");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "process-booking-after");
  await page.keyboard.press("Tab");
  const next = await page.evaluate(() => document.activeElement?.closest(".sp-process svg"));
  assert.equal(next, null, "Tab after skipping does not land on a stage");

  // Back to the process puts focus on the stage the reader came from.
  const all = await stages(page);
  const stage = all[4];
  await page.locator(`#${stage.id}`).click();
  await page.waitForFunction((a) => decodeURIComponent(location.hash.slice(1)) === a, stage.anchor);
  await page.locator(`#${stage.anchor} ~ p.back-to-process a`).first().click();
  await page.waitForFunction(() => location.hash === "#process-booking");
  assert.equal(await page.evaluate(() => document.activeElement?.id), stage.id, "focus is back on the stage");

  // Scrolling to a section (no link followed) marks its stage in the diagram.
  const other = all[8];
  await page.evaluate((a) => {
    history.replaceState(null, "", location.pathname);
    document.getElementById(a).scrollIntoView();
    window.scrollBy(0, -40);
  }, other.anchor);
  await page.waitForFunction((id) => document.getElementById(id).classList.contains("sp-stage--reading"), other.id);
  const marked = await page.$$eval(".sp-stage--reading", (els) => els.map((e) => e.dataset.stage));
  assert.ok(marked.length >= 1 && marked.every((s) => s === marked[0]), `one stage is marked: ${marked}`);
  await page.close();
});
