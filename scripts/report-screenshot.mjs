// The README's picture of an evaluation report: opens a report.html in headless Chromium and saves a PNG.
//
//   node scripts/report-screenshot.mjs runs/<run>/report.html docs/report.png [--width 1280] [--height 2000]
//
// Needs Debian's `chromium` on PATH (apt-get install chromium). The page is self-contained, so this works offline.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

function usage(message) {
  console.error(`${message}\nusage: node scripts/report-screenshot.mjs <report.html> <out.png> [--width 1280] [--height 2000]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const positional = [];
const size = { width: 1280, height: 2000 };
for (let i = 0; i < args.length; i++) {
  const flag = args[i].match(/^--(width|height)$/);
  if (!flag) {
    positional.push(args[i]);
    continue;
  }
  const value = Number(args[++i]);
  if (!Number.isInteger(value) || value < 200 || value > 10_000) usage(`--${flag[1]} must be a whole number of pixels in [200, 10000], got ${args[i]}`);
  size[flag[1]] = value;
}
if (positional.length !== 2) usage(`expected a report.html and an output .png, got ${positional.length} paths`);
const [htmlPath, pngPath] = positional.map((p) => resolve(p));
try {
  statSync(htmlPath);
} catch {
  usage(`no such report: ${htmlPath}`);
}

// A throwaway profile, so the screenshot neither reads nor leaves a user's Chromium state.
const profile = mkdtempSync(join(tmpdir(), "tranche-screenshot-"));
try {
  const result = spawnSync(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      `--window-size=${size.width},${size.height}`,
      // Virtual time lets the page's scripts finish drawing the charts before the capture.
      "--virtual-time-budget=10000",
      `--screenshot=${pngPath}`,
      pathToFileURL(htmlPath).href,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (result.error?.code === "ENOENT") {
    console.error("chromium is not on PATH.\nPossible solutions:\n  sudo apt-get install -y chromium");
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`chromium exited with ${result.status ?? result.signal}:\n${result.stderr}`);
    process.exit(1);
  }
  console.log(`wrote ${pngPath} (${size.width}×${size.height})`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}
