// The Booking assurance page as a reader uses it: every stage of the process diagram
// leads to its section and back, with the mouse and with the keyboard alone, on a desktop
// and a phone, and axe-core finds no WCAG 2.1 AA violation on any page with a diagram.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, serve, launch, axe, inView } from "./lib.mjs";

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

/** The stage links of the diagram, in DOM order: { href, anchor, title }. */
async function stages(page) {
  return page.$$eval(".sp-process svg a", (links) =>
    links.map((a) => ({
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
    const current = await page.getAttribute(`#${stage.id}`, "aria-current");
    assert.equal(current, "step", `stage ${stage.id} is marked current`);
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

test("on a phone the diagram stays readable and the page does not scroll sideways", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await page.goto(server.url + PAGE);
  const sizes = await page.evaluate(() => {
    const text = [...document.querySelectorAll(".sp-process svg text")];
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      smallest: Math.min(...text.map((t) => t.getBoundingClientRect().height)),
    };
  });
  assert.ok(sizes.overflow <= 1, `the page is ${sizes.overflow}px wider than the phone`);
  assert.ok(sizes.smallest >= 10, `stage text is at least 10px tall (smallest ${sizes.smallest})`);
  await page.close();
});
