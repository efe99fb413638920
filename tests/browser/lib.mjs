// Shared helpers for the browser tests: build a site with the real binary, serve a
// folder on loopback, and launch Debian's Chromium through playwright-core.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, normalize } from "node:path";
import { chromium } from "playwright-core";

export const REPO = new URL("../..", import.meta.url).pathname;
export const BIN = process.env.SIGNPOST_BIN || join(REPO, "target/debug/signpost");

/** Builds `root` (default: the bundled portal) into a new temporary folder. */
export function build(args = [], root = REPO) {
  const out = mkdtempSync(join(tmpdir(), "signpost-browser-"));
  const run = spawnSync(BIN, ["build", "--root", root, "--out", out, "--quiet", ...args], { encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`signpost build failed (${run.status}):\n${run.stderr}`);
  }
  return out;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".xml": "application/xml",
};

/** Serves `dir` on 127.0.0.1 at a free port; resolves to { url, close }. */
export function serve(dir) {
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path.includes("..")) {
      res.writeHead(404).end();
      return;
    }
    let file = join(dir, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/html" }).end(readFileSync(join(dir, "404.html")));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** The axe-core tags of WCAG 2.1 A and AA. */
export const WCAG21 = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** The axe-core tags of WCAG 2.2 A and AA, which NHS services must meet. */
export const WCAG22 = [...WCAG21, "wcag22aa"];

/** Adds axe-core to the page, once. */
export async function loadAxe(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    const source = readFileSync(join(REPO, "tests/browser/node_modules/axe-core/axe.min.js"), "utf8");
    await page.addScriptTag({ content: source });
  }
}

/** Runs axe-core (by default its WCAG 2.1 A and AA rules) on the page and returns its violations. */
export async function axe(page, tags = WCAG21) {
  await loadAxe(page);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      count: v.nodes.length,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  }, tags);
}

/** Whether the element with this id has its top inside the viewport. */
export async function inView(page, id) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.top >= -2 && r.top < window.innerHeight;
  }, id);
}
