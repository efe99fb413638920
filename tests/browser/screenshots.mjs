// Screenshots of every placed process diagram as a reader sees it, at 1280 and 375 px,
// light and dark: `node tests/browser/screenshots.mjs OUT_DIR [SITE_ROOT ...]` (the
// bundled portal by default; add an imported site, such as the Booking Standard after
// `signpost import`). Prints each diagram's size on screen; docs/diagram-layout.md
// shows a selection.
import { mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { build, serve, launch, REPO } from "./lib.mjs";

const [out = join(REPO, "docs/images"), ...roots] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await launch();
for (const root of roots.length ? roots : [REPO]) {
  const dir = build([], root);
  const found = spawnSync("grep", ["-rl", "--include=*.html", 'class="sp-process"', dir], { encoding: "utf8" });
  const pages = found.stdout.split("\n").filter(Boolean).map((p) => p.slice(dir.length)).sort();
  const server = await serve(dir);
  const seen = new Set();
  for (const [width, scheme] of [[1280, "light"], [1280, "dark"], [375, "light"], [375, "dark"]]) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, isMobile: width < 600, colorScheme: scheme });
    for (const path of pages) {
      await page.goto(server.url + path);
      for (const id of await page.$$eval(".sp-process", (els) => els.map((e) => e.id))) {
        const key = `${id}-${width}-${scheme}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const wrapper = page.locator(`#${id}`);
        const size = await page.$eval(`#${id}`, (w) => {
          const svg = [...w.querySelectorAll("svg.sp-diagram")].find((s) => s.getBoundingClientRect().width > 0);
          const r = svg.getBoundingClientRect();
          return `${Math.round(r.width)} x ${Math.round(r.height)}`;
        });
        await wrapper.screenshot({ path: join(out, `${key.replace(/^process-/, "diagram-")}.png`) });
        console.log(`${path} ${id} at ${width} ${scheme}: ${size}`);
      }
    }
    await page.close();
  }
  await server.close();
}
await browser.close();
