// eval/report.ts: the page's number formats and escaping, then the page itself rendered by headless Chromium
// (Debian's `chromium`): every chart draws its marks, every table number matches the summary JSON, and
// nothing is fetched from the network. The Chromium tests skip, saying why, where `chromium` is not installed;
// CI (.ci/run) installs it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ZI_MARKET } from "../../eval/defaults.js";
import { evaluate } from "../../eval/harness.js";
import { DEFAULT_POLICIES } from "../../eval/policies.js";
import { formatNumber, renderReport, type NumberFormat } from "../../eval/report.js";
import { writeRunFolder } from "../../eval/run-folder.js";
import type { EvalSummary } from "../../eval/types.js";
import { reportFixture } from "./report-fixture.js";

const chromium = (process.env.PATH ?? "")
  .split(delimiter)
  .map((dir) => join(dir, "chromium"))
  .find((path) => existsSync(path));
const noChromium = "chromium is not on PATH (apt-get install chromium); skipping the rendered-page tests";
if (!chromium) console.warn(noChromium);

const workDir = mkdtempSync(join(tmpdir(), "tranche-report-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// What the tables must show, as JSON paths under each row object, with the format each is shown in.
const POLICY_FIELDS: [string, NumberFormat][] = [
  ["shortfallBps.mean", "bps"],
  ["shortfallBps.median", "bps"],
  ["shortfallBps.std", "bps"],
  ["shortfallBps.q05", "bps"],
  ["shortfallBps.q95", "bps"],
  ["shortfallBps.cvar95", "bps"],
  ["arrivalSlippageBps.mean", "bps"],
  ["intervalVwapSlippageBps.mean", "bps"],
  ["effectiveSpreadBps.mean", "bps"],
  ["realisedSpreadBps.mean", "bps"],
  ["feesBps.mean", "bps"],
  ["fillRatio.mean", "percent"],
  ["passiveShare.mean", "percent"],
  ["completionRate", "percent"],
  ["participation.mean", "percent"],
  ["hindsightShare", "percent"],
];
const HINDSIGHT_FIELDS: [string, NumberFormat][] = ["mean", "median", "std", "q05", "q95", "cvar95"].map((f) => [
  `shortfallBps.${f}`,
  "bps",
]);
const COMPARISON_FIELDS: [string, NumberFormat][] = [
  ["meanDiffBps", "bps"],
  ["bootstrap.low", "bps"],
  ["bootstrap.high", "bps"],
  ["tTest.p", "pValue"],
  ["wilcoxon.p", "pValue"],
  ["holmP", "pValue"],
  ["episodesFor80Power", "count"],
];

describe("formatNumber", () => {
  it("shows bps with two decimals, a typographic minus, and no negative zero", () => {
    expect(formatNumber(3.14159, "bps")).toBe("3.14");
    expect(formatNumber(-0.415, "bps")).toBe("\u22120.41");
    expect(formatNumber(-0.001, "bps")).toBe("0.00");
  });

  it("shows shares as percentages with one decimal", () => {
    expect(formatNumber(0.6234, "percent")).toBe("62.3%");
    expect(formatNumber(-0.129, "percent")).toBe("\u221212.9%");
  });

  it("shows p-values to three significant digits, scientific below 0.001", () => {
    expect(formatNumber(0.0736, "pValue")).toBe("0.0736");
    expect(formatNumber(1, "pValue")).toBe("1.00");
    expect(formatNumber(8.384e-4, "pValue")).toBe("8.38\u00d710\u207b\u2074");
    expect(formatNumber(2.41e-18, "pValue")).toBe("2.41\u00d710\u207b\u00b9\u2078");
  });

  it("shows counts with thousands separators, and NaN or null as a dash", () => {
    expect(formatNumber(66692, "count")).toBe("66,692");
    expect(formatNumber(Number.NaN, "bps")).toBe("\u2014");
    expect(formatNumber(null, "count")).toBe("\u2014");
  });
});

describe("renderReport", () => {
  it("inlines the Vega bundles and loads nothing by URL", () => {
    const html = renderReport(reportFixture({ hasTimeOfDay: false, episodes: 40 }));
    for (const library of ["vega", "vega-lite", "vega-embed"]) expect(html).toContain(`<script data-library="${library}">`);
    expect(externalReferences(html)).toEqual([]);
  });

  it("escapes a hostile policy name in the markup and in the embedded chart JSON", () => {
    const html = renderReport(hostileFixture(40));
    // The page's own five scripts (chart JSON, three libraries, the drawing script) and no other.
    expect(html.match(/<script\b/gi)).toHaveLength(5);
    expect(countTagsOutsideScripts(html, "img")).toBe(0);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("\\u003cscript>alert(1)\\u003c/script>");
  });
});

describe("the rendered report in headless Chromium", () => {
  it.skipIf(!chromium)("draws every chart and shows every number of a replay run's summary", () => {
    const summary = reportFixture({ hasTimeOfDay: true });
    const dom = renderInChromium(summary, "replay");
    expectRendered(dom, ["chart-costs", "chart-differences", "chart-trajectories", "chart-time-of-day"]);
    expectTablesMatch(dom, summary);
    expect(externalReferences(dom)).toEqual([]);
  });

  it.skipIf(!chromium)("leaves out the time-of-day chart on a market without time of day", () => {
    const summary = reportFixture({ hasTimeOfDay: false });
    const dom = renderInChromium(summary, "poisson");
    expectRendered(dom, ["chart-costs", "chart-differences", "chart-trajectories"]);
    expectTablesMatch(dom, summary);
  });

  it.skipIf(!chromium)("shows the numbers of a real run's summary.json in the run's report.html", async () => {
    // A real evaluation of every baseline, written as a run folder; the page is read back as a browser shows it.
    const evaluation = await evaluate(DEFAULT_POLICIES, ZI_MARKET, 40, { workers: 0, parent: { side: "buy", parentLots: 100, horizonSteps: 30, stepNs: 1e9 } });
    const run = writeRunFolder(join(workDir, "run"), evaluation);
    const json = JSON.parse(readFileSync(run.summary, "utf8")) as EvalSummary;
    const dom = renderFileInChromium(run.report, "run");
    expectRendered(dom, ["chart-costs", "chart-differences", "chart-trajectories"]);
    expectTablesMatch(dom, json);
    expect(externalReferences(dom)).toEqual([]);
  });

  it.skipIf(!chromium)("shows a hostile policy name as text and injects no element", () => {
    const summary = hostileFixture(200);
    const dom = renderInChromium(summary, "hostile");
    expectRendered(dom, ["chart-costs", "chart-differences", "chart-trajectories"]);
    expect(countTagsOutsideScripts(dom, "script")).toBe(5);
    expect(countTagsOutsideScripts(dom, "img")).toBe(0);
    expect(dom).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expectTablesMatch(dom, summary);
  });
});

// ---------------------------------------------------------------------------------------------------------------

function hostileFixture(episodes: number): EvalSummary {
  return reportFixture({
    hasTimeOfDay: false,
    episodes,
    rename: { vwap: "<script>alert(1)</script>", pov: `"><img src=x onerror=alert(2)>` },
  });
}

/** Writes the page, runs Chromium on it and returns the DOM after the page's scripts have run. */
function renderInChromium(summary: EvalSummary, name: string): string {
  const htmlPath = join(workDir, `${name}.html`);
  writeFileSync(htmlPath, renderReport(summary));
  return renderFileInChromium(htmlPath, name);
}

function renderFileInChromium(htmlPath: string, name: string): string {
  if (!chromium) throw new Error(noChromium);
  const result = spawnSync(
    chromium,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      `--user-data-dir=${join(workDir, `profile-${name}`)}`,
      "--window-size=1280,2000",
      "--virtual-time-budget=10000",
      "--dump-dom",
      pathToFileURL(htmlPath).href,
    ],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`chromium exited with ${result.status ?? result.signal}:\n${result.stderr}`);
  return result.stdout;
}

function expectRendered(dom: string, chartIds: string[]): void {
  expect(attribute(startTag(dom, "body"), "data-rendered")).toBe("ok");
  const drawn = [...dom.matchAll(/<div\b[^>]*\bdata-chart="([^"]*)"[^>]*>/g)].map((m) => m[1]);
  expect(drawn).toEqual(chartIds);
  for (const id of chartIds) {
    const tag = startTag(dom, "div", `id="${id}"`);
    expect(Number(attribute(tag, "data-marks")), `${id} drew no marks`).toBeGreaterThan(0);
    expect(attribute(tag, "data-empty-marks"), `${id} has a mark layer that drew nothing`).toBe("0");
  }
}

/** Every table number of the summary appears once, with its raw value and the text its format gives. */
function expectTablesMatch(dom: string, summary: EvalSummary): void {
  const cells = new Map<string, { value: string; text: string }[]>();
  for (const m of dom.matchAll(/<(td|span)\b([^>]*\bdata-field="[^"]*"[^>]*)>([^<]*)<\/\1>/g)) {
    const attrs = parseAttributes(m[2]);
    const row = attrs["data-row"] ?? [attrs["data-policy"], attrs["data-against"], attrs["data-kind"]].filter(Boolean).join(" | ");
    const key = `${row} :: ${attrs["data-field"]}`;
    cells.set(key, [...(cells.get(key) ?? []), { value: attrs["data-value"] ?? "", text: decodeEntities(m[3]) }]);
  }
  const check = (row: string, field: string, format: NumberFormat, expected: number | null): void => {
    const found = cells.get(`${row} :: ${field}`) ?? [];
    expect(found, `${row} ${field}: cells on the page`).toHaveLength(1);
    const shown = found[0].value === "null" ? null : Number(found[0].value);
    // The page writes a number as summary.json does: NaN has no JSON form and is null.
    expect(shown, `${row} ${field}: data-value`).toBe(expected !== null && Number.isFinite(expected) ? expected : null);
    expect(found[0].text, `${row} ${field}: displayed text`).toBe(formatNumber(expected, format));
  };
  for (const policy of summary.policies)
    for (const [field, format] of POLICY_FIELDS) check(policy.policy, field, format, valueAt(policy, field));
  for (const [field, format] of HINDSIGHT_FIELDS) check("hindsight", field, format, valueAt(summary.hindsight, field));
  for (const c of summary.comparisons)
    for (const [field, format] of COMPARISON_FIELDS) check(`${c.policy} | ${c.against} | ${c.kind}`, field, format, valueAt(c, field));
}

function valueAt(row: object, path: string): number | null {
  const value = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], row);
  if (value !== null && typeof value !== "number") throw new Error(`${path} is not a number in the summary`);
  return value;
}

/** src/href/url() references to anything but the page itself, outside the inlined library code. */
function externalReferences(html: string): string[] {
  const markup = withoutScriptBodies(html);
  return [
    ...markup.matchAll(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*/gi),
    ...markup.matchAll(/url\(\s*["']?\s*(?:https?:)?\/\/[^)]*\)/gi),
    ...markup.matchAll(/<script\b[^>]*\bsrc=/gi),
    ...markup.matchAll(/<link\b[^>]*>/gi),
  ].map((m) => m[0]);
}

function withoutScriptBodies(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>");
}

function countTagsOutsideScripts(html: string, tag: string): number {
  return withoutScriptBodies(html).match(new RegExp(`<${tag}\\b`, "gi"))?.length ?? 0;
}

function startTag(html: string, tag: string, containing = ""): string {
  const found = [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, "g"))].find((m) => m[0].includes(containing));
  if (!found) throw new Error(`no <${tag}${containing ? ` ${containing}` : ""}> in the page`);
  return found[0];
}

function attribute(tag: string, name: string): string | undefined {
  return parseAttributes(tag)[name];
}

function parseAttributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)="([^"]*)"/g)) attrs[m[1]] = decodeEntities(m[2]);
  return attrs;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, "\u00a0")
    .replace(/&amp;/g, "&");
}
