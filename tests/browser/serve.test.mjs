// `signpost serve` as an author sees it in a real browser: the page they have open
// follows their edits on disk without a manual reload and keeps its scroll position; an
// edited stylesheet is swapped in place; a broken edit shows its error over the page,
// which keeps the last good version, until the file is fixed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO, launch } from "./lib.mjs";

let site, server, url, browser;

/** Saves like an editor: a temporary file beside the page, renamed over it. */
function save(path, text) {
  const tmp = join(path, "..", ".signpost-test.tmp");
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function edit(relative, change) {
  const path = join(site, relative);
  save(path, change(readFileSync(path, "utf8")));
}

/** Starts `signpost serve --port 0` and resolves to the address it prints. */
function startServe(root) {
  const child = spawn(BIN, ["serve", "--root", root, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/Serving (http:\/\/\S+)/);
      if (found) resolve({ child, url: found[1] });
    });
    child.on("exit", (code) => reject(new Error(`signpost serve exited (${code}): ${out}`)));
  });
}

before(async () => {
  site = join(mkdtempSync(join(tmpdir(), "signpost-serve-")), "site");
  cpSync(join(REPO, "tests/fixtures/basic"), site, { recursive: true });
  cpSync(join(REPO, "themes/default"), join(site, "themes/default"), { recursive: true });
  const paragraphs = Array.from({ length: 120 }, (_, i) => `Paragraph ${i} of a long page.`).join("\n\n");
  writeFileSync(join(site, "content/long.md"), `---\ntitle: Long page\n---\n\nThe first line.\n\n${paragraphs}\n`);
  ({ child: server, url } = await startServe(site));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test("an edit on disk shows in the open page, which keeps its scroll position", async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(url + "long.html");
  await page.evaluate(() => window.scrollTo(0, 1500));
  await page.waitForFunction(() => window.scrollY === 1500);

  edit("content/long.md", (text) => text.replace("The first line.", "The first line, edited on disk."));
  await page.waitForFunction(() => document.body.innerText.includes("edited on disk"), null, { timeout: 15000 });
  await page.waitForFunction(() => document.readyState === "complete");
  await page.waitForFunction(() => Math.abs(window.scrollY - 1500) <= 2, null, { timeout: 5000 });
  assert.ok(Math.abs((await page.evaluate(() => window.scrollY)) - 1500) <= 2);
  await page.close();
});

test("a stylesheet edit is swapped in without reloading the page", async () => {
  const page = await browser.newPage();
  await page.goto(url + "overview.html");
  await page.evaluate(() => (window.stillTheSamePage = true));
  edit("themes/default/static/assets/signpost.css", (text) => text + "\nbody { outline: 7px solid rgb(1, 2, 3); }\n");
  await page.waitForFunction(() => getComputedStyle(document.body).outlineWidth === "7px", null, { timeout: 15000 });
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true, "no reload");
  await page.close();
});

test("a broken edit shows its error over the last good page until it is fixed", async () => {
  const page = await browser.newPage();
  await page.goto(url + "guide/setup.html");
  const good = readFileSync(join(site, "content/guide/setup.md"), "utf8");

  save(join(site, "content/guide/setup.md"), good.replace("title: Set up", "title: [Set up"));
  const overlay = page.locator("signpost-errors pre");
  await overlay.first().waitFor({ timeout: 15000 });
  assert.match(await overlay.first().innerText(), /content\/guide\/setup\.md:\d+:\d+/);
  assert.match(await page.locator("h1").innerText(), /Set up/, "the last good page stays");

  save(join(site, "content/guide/setup.md"), good.replace("Go back to the", "Fixed. Go back to the"));
  await page.waitForFunction(() => document.body.innerText.includes("Fixed. Go back"), null, { timeout: 15000 });
  await page.locator("signpost-errors").waitFor({ state: "detached", timeout: 5000 });
  await page.close();
});

test("a link build would refuse shows in an overlay a keyboard can reach and close, until fixed", async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 700 } });
  await page.goto(url + "overview.html");
  const good = readFileSync(join(site, "content/overview.md"), "utf8");
  const long = "a-very-long-file-name-that-would-run-off-the-right-edge-of-a-phone-".repeat(2);
  save(join(site, "content/overview.md"), good + `\nSee [the call](scall-${long}.html).\n`);

  const overlay = page.locator("signpost-errors");
  await overlay.locator("pre").first().waitFor({ timeout: 15000 });
  assert.equal(await overlay.getAttribute("role"), "alert", "announced");
  const text = await overlay.locator("pre").first().innerText();
  assert.match(text, /broken-link/);
  assert.match(text, /content\/overview\.md:\d+:\d+/);
  // Long lines wrap inside the box: nothing runs off the screen.
  const widths = await overlay.locator("pre").first().evaluate((pre) => [pre.scrollWidth, pre.clientWidth]);
  assert.ok(widths[0] <= widths[1], `the error text wraps: ${widths}`);
  assert.ok(await overlay.evaluate((o) => o.shadowRoot.activeElement !== null), "the overlay has the focus");

  await page.keyboard.press("Escape");
  await overlay.waitFor({ state: "detached", timeout: 5000 });
  const badge = page.locator("signpost-problems button");
  assert.match(await badge.innerText(), /1 error/, "one click away once hidden");
  await badge.click();
  await overlay.locator("pre").first().waitFor({ timeout: 5000 });

  save(join(site, "content/overview.md"), good);
  await overlay.waitFor({ state: "detached", timeout: 15000 });
  // What is left is the check's warning about long.html, which nothing links to.
  await page.waitForFunction(() => !document.querySelector("signpost-problems")?.shadowRoot.textContent.includes("error"));
  await badge.click();
  assert.match(await overlay.locator("pre").first().innerText(), /orphan-page/, "warnings one click away");
  await page.keyboard.press("Escape");
  await overlay.waitFor({ state: "detached", timeout: 5000 });
  await page.close();
});
