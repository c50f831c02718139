// The HTML report of an evaluation run: one self-contained page drawn from the run's EvalSummary. It holds the
// setup, a plain-English note on what the numbers mean, the statistics tables and the Vega-Lite charts. Vega,
// Vega-Lite and vega-embed are inlined from node_modules, so the page opens from file:// without a network.
// Every number in a table carries its raw value (`data-value`) and its JSON path (`data-field`), so a test can
// check the page against the summary. When the charts are drawn, the page sets `body[data-rendered]`.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { CostSummary } from "./stats.js";
import type { Comparison, EvalSummary, PolicyMetrics } from "./types.js";

/** How a table shows a number. */
export type NumberFormat =
  /** Basis points: two decimals. */
  | "bps"
  /** A fraction shown as a percentage with one decimal. */
  | "percent"
  /** A p-value: three significant digits, scientific below 0.001. */
  | "pValue"
  /** A whole number with thousands separators. */
  | "count";

const MINUS = "\u2212";
const MISSING = "\u2014";
const SUPERSCRIPT: Record<string, string> = {
  "-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
  "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079",
};

/** The text a table shows for `value`: NaN and null (undefined in the summary) show as "—", signs as "−". */
export function formatNumber(value: number | null, format: NumberFormat): string {
  if (value === null || Number.isNaN(value)) return MISSING;
  if (!Number.isFinite(value)) return value > 0 ? "\u221e" : `${MINUS}\u221e`;
  switch (format) {
    case "bps":
      return signed(value.toFixed(2));
    case "percent":
      return `${signed((value * 100).toFixed(1))}%`;
    case "count":
      return signed(Math.round(value).toLocaleString("en-US"));
    case "pValue": {
      if (value === 0) return "0";
      if (Math.abs(value) >= 0.001) return value.toPrecision(3);
      const [mantissa, exponent] = value.toExponential(2).split("e");
      const power = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPT[c]);
      return `${mantissa}\u00d710${power}`;
    }
  }
}

// A typographic minus, and no "−0.00" for a value that rounds to zero.
function signed(text: string): string {
  if (!text.startsWith("-")) return text;
  return /[1-9]/.test(text) ? MINUS + text.slice(1) : text.slice(1);
}

/** Renders the complete, self-contained HTML document of an evaluation. */
export function renderReport(summary: EvalSummary): string {
  const colours = policyColours(summary);
  const charts = chartSpecs(summary, colours);
  const { setup } = summary;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tranche evaluation: ${escapeHtml(setup.market)}</title>
<style>${STYLESHEET}</style>
</head>
<body data-rendered="pending">
<main>
${headerHtml(summary)}
<div id="render-error" class="render-error" hidden></div>
${readingNoteHtml(summary)}
<section>
<h2>Implementation shortfall</h2>
<p class="lede">Per-episode cost against the arrival mid, in bps, fees included. Every policy ran the same
${formatNumber(setup.episodes, "count")} episodes.</p>
${shortfallTableHtml(summary, colours)}
<div class="charts">
${chartFigureHtml("chart-costs", "Cost per episode", "Each dot is one episode. The box spans the quartiles, the whiskers reach 1.5 × IQR, and the diamond marks the mean.")}
${summary.comparisons.length > 0 ? chartFigureHtml("chart-differences", "Paired differences", `Mean of policy − against per comparison, with its bootstrap ${bootstrapLevelText(summary)} interval. A bar left of 0 means the policy was cheaper on the same episodes.`) : ""}
</div>
</section>
<section>
<h2>Paired comparisons</h2>
<p class="lede">d = IS(policy) − IS(against) on the same episodes, in bps. A negative d means the policy was cheaper.
Rows whose Holm-adjusted p is below 0.05 are coloured.</p>
${comparisonTableHtml(summary, colours)}
</section>
<section>
<h2>Execution quality</h2>
<p class="lede">Prices against the arrival mid and the interval VWAP of everyone else's trades (bps, fees
excluded); spreads against the mid at the fill and ${formatDurationNs(setup.markoutNs)} after it; shares of lots.</p>
${qualityTableHtml(summary, colours)}
</section>
<section>
<h2>Schedules${setup.hasTimeOfDay ? " and time of day" : ""}</h2>
<div class="charts">
${chartFigureHtml("chart-trajectories", "Inventory left to trade", `Mean fraction of the parent order still to trade before each decision, against the Almgren–Chriss curve (κ = ${formatKappa(summary.almgrenChriss.kappaPerS)}/s).`)}
${setup.hasTimeOfDay ? chartFigureHtml("chart-time-of-day", "Cost against time of day", "Each dot is one episode, placed at the episode's start time. The lines join the 30-minute means.") : ""}
</div>
</section>
${policiesHtml(summary, colours)}
${runDetailsHtml(summary)}
</main>
<script type="application/json" id="report-charts">${embedJson(charts)}</script>
${vegaScriptsHtml()}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------------------------
// Page sections

function headerHtml(summary: EvalSummary): string {
  const { setup } = summary;
  const { makerBps, takerBps } = setup.fees;
  const facts: [string, string][] = [
    ["Market kind", setup.marketKind],
    ["Parent order", parentOrderText(summary)],
    ["Fees", `maker ${formatNumber(makerBps, "bps")} bps${makerBps < 0 ? " (rebate)" : ""}, taker ${formatNumber(takerBps, "bps")} bps`],
    ["Order-entry latency", setup.latency.orderEntry],
    ["Market-data latency", setup.latency.marketData],
    ["Episodes", `${formatNumber(setup.episodes, "count")} per policy, seed ${setup.seed}`],
    ["Reference", setup.reference],
  ];
  return `<header>
<p class="eyebrow">Tranche · evaluation report</p>
<h1>${escapeHtml(parentOrderHeadline(summary))}</h1>
<p class="subtitle">${escapeHtml(setup.market)}</p>
<dl class="facts">
${facts.map(([term, detail]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(detail)}</dd></div>`).join("\n")}
</dl>
</header>`;
}

function parentOrderHeadline(summary: EvalSummary): string {
  const { setup } = summary;
  const side = setup.side === "buy" ? "Buy" : "Sell";
  return `${side} ${formatNumber(setup.parentLots, "count")} lots over ${formatDurationNs(setup.horizonSteps * setup.stepNs)}`;
}

function parentOrderText(summary: EvalSummary): string {
  const { setup } = summary;
  return `${setup.side} ${formatNumber(setup.parentLots, "count")} lots, ${setup.horizonSteps} decisions × ${formatDurationNs(setup.stepNs)} = ${formatDurationNs(setup.horizonSteps * setup.stepNs)}`;
}

function readingNoteHtml(summary: EvalSummary): string {
  const { setup } = summary;
  const reference = `<strong>${escapeHtml(setup.reference)}</strong>`;
  // A preset reacts to the agent (its propagator); the hindsight schedule walks the recorded book without that reaction.
  const reactive = setup.marketKind === "preset";
  const first = summary.comparisons[0];
  const blocks = first?.timeBlocks;
  const bootstrap = first
    ? `The intervals are ${first.bootstrap.method} bootstrap ${bootstrapLevelText(summary)} intervals of the mean
difference (${formatNumber(first.bootstrap.resamples, "count")} resamples of whole episodes). The p-values are
two-sided, from the paired t-test and the Wilcoxon signed-rank test. The Holm column adjusts the Wilcoxon p-values
for all ${summary.comparisons.length} comparisons of the run (Holm's step-down correction), so a Holm p below
0.05 holds at a family-wise 5% level.${blocks ? ` On a replay, episodes that start within one horizon of each other see the
same prices, so they are not independent, and these intervals and p-values treat them as if they were: the column
<strong>over ${blocks.blocks} time windows</strong> resamples whole windows of the horizon's length instead (a block
bootstrap), and is the one to trust for a claim about this market.` : ""}`
    : "";
  return `<section class="reading-note">
<h2>How to read these numbers</h2>
<p>Each cost is the <strong>implementation shortfall</strong> (IS) of one episode: what the fills cost
against the mid price when the parent order arrived, in basis points of its value, fees included.
A <strong>positive number is a cost</strong> to the trader, and a negative one is a gain. Every policy ran the
same ${formatNumber(setup.episodes, "count")} episodes, with the same seeds and so the same background flow
(common random numbers). The comparisons are therefore <strong>paired</strong>: each difference is policy −
reference (${reference}, or the best baseline) on the same episode, and a negative difference means the
policy was cheaper. ${bootstrap}</p>
<p><strong>Best in hindsight</strong> is not a policy that could run. For each episode it is the cheapest
schedule of marketable orders found after the fact (${escapeHtml(summary.hindsight.method)}). ${reactive ? "On this generative market the price reacts to the agent's own orders (the preset's propagator), which the hindsight schedule does not model: it is a reference point for what aggressive trading could have saved, not a bound." : "It bounds what aggressive trading could have saved."} A policy's <strong>hindsight share</strong> is the part of that saving
(from ${reference}'s mean cost down to the hindsight mean) that the policy captured: 0% for ${reference}, 100% at
the hindsight mean.</p>
</section>`;
}

export function chartFigureHtml(id: string, title: string, caption: string): string {
  return `<figure class="chart-card">
<figcaption><strong>${escapeHtml(title)}</strong> ${escapeHtml(caption)}</figcaption>
<div class="chart" id="${id}" data-chart="${id}"></div>
</figure>`;
}

function policiesHtml(summary: EvalSummary, colours: Map<string, string>): string {
  const items = summary.policies.map((p) => {
    const params = Object.entries(p.params)
      .map(([key, value]) => `<code>${escapeHtml(key)} = ${escapeHtml(String(value))}</code>`)
      .join(" ");
    return `<li><span class="policy-label">${policyLabelHtml(p.policy, colours)}</span><span class="policy-summary">${escapeHtml(p.summary)}</span>${params ? `<span class="params">${params}</span>` : ""}</li>`;
  });
  return `<section>
<h2>Policies</h2>
<ul class="policies">
${items.join("\n")}
</ul>
</section>`;
}

function runDetailsHtml(summary: EvalSummary): string {
  const { timing, codeVersion } = summary;
  const code = `tranche ${codeVersion.package}${codeVersion.commit ? ` (${codeVersion.commit})` : ""}`;
  const rows: [string, string][] = [
    ["Created", summary.createdAt],
    ["Code", code],
    ["Format", summary.format],
    [
      "Timing",
      `${timing.seconds.toFixed(1)} s in all, ${timing.envSeconds.toFixed(1)} s in the environment; ` +
        `${timing.workers} workers, batches of ${timing.batchSize}`,
    ],
    ["Realised spread markout", formatDurationNs(summary.setup.markoutNs)],
  ];
  return `<section class="run-details">
<h2>Run</h2>
<dl class="facts small">
${rows.map(([term, detail]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(detail)}</dd></div>`).join("\n")}
</dl>
<details>
<summary>Resolved configuration</summary>
<pre>${escapeHtml(JSON.stringify(summary.config, null, 2) ?? "null")}</pre>
</details>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

/** One numeric column of a policy table: its heading, the JSON path under the row object, and its format. */
interface Column<Row> {
  heading: string;
  /** Path of the value in the row's JSON object (`data-field`). */
  field: string;
  format: NumberFormat;
  value: (row: Row) => number | null;
  /** Tooltip of the cell, when the value needs one. */
  title?: (row: Row) => string | undefined;
}

const COST_COLUMNS: Column<CostSummary>[] = [
  { heading: "Mean", field: "mean", format: "bps", value: (s) => s.mean },
  { heading: "Median", field: "median", format: "bps", value: (s) => s.median },
  { heading: "Std", field: "std", format: "bps", value: (s) => s.std },
  { heading: "5%", field: "q05", format: "bps", value: (s) => s.q05 },
  { heading: "95%", field: "q95", format: "bps", value: (s) => s.q95 },
  { heading: "CVaR 95%", field: "cvar95", format: "bps", value: (s) => s.cvar95 },
];

/** A cost column read from the row's `shortfallBps` (a policy's, or the hindsight bound's). */
function shortfallColumn<Row extends { shortfallBps: CostSummary }>(c: Column<CostSummary>): Column<Row> {
  return { heading: c.heading, field: `shortfallBps.${c.field}`, format: c.format, value: (row) => c.value(row.shortfallBps) };
}

type MeanOfField =
  | "arrivalSlippageBps"
  | "intervalVwapSlippageBps"
  | "effectiveSpreadBps"
  | "realisedSpreadBps"
  | "feesBps"
  | "fillRatio"
  | "passiveShare"
  | "participation";

function meanOfColumn(heading: string, field: MeanOfField, format: NumberFormat): Column<PolicyMetrics> {
  return {
    heading,
    field: `${field}.mean`,
    format,
    value: (p) => p[field].mean,
    title: (p) => (p[field].n < p.episodes ? `mean over the ${p[field].n} of ${p.episodes} episodes that define it` : undefined),
  };
}

const QUALITY_COLUMNS: Column<PolicyMetrics>[] = [
  meanOfColumn("Arrival slippage", "arrivalSlippageBps", "bps"),
  meanOfColumn("Interval-VWAP slippage", "intervalVwapSlippageBps", "bps"),
  meanOfColumn("Effective spread", "effectiveSpreadBps", "bps"),
  meanOfColumn("Realised spread", "realisedSpreadBps", "bps"),
  meanOfColumn("Fees", "feesBps", "bps"),
  meanOfColumn("Fill ratio", "fillRatio", "percent"),
  meanOfColumn("Passive share", "passiveShare", "percent"),
  meanOfColumn("Participation", "participation", "percent"),
];

const COMPARISON_COLUMNS: Column<Comparison>[] = [
  { heading: "Mean d", field: "meanDiffBps", format: "bps", value: (c) => c.meanDiffBps },
  { heading: "t-test p", field: "tTest.p", format: "pValue", value: (c) => c.tTest.p },
  { heading: "Wilcoxon p", field: "wilcoxon.p", format: "pValue", value: (c) => c.wilcoxon.p },
  { heading: "Holm p", field: "holmP", format: "pValue", value: (c) => c.holmP },
  { heading: "Episodes for 80% power", field: "episodesFor80Power", format: "count", value: (c) => c.episodesFor80Power },
];

/** A `<td>` (or `<span>`) showing one number, with its raw value and where it came from. */
function valueCell<Row>(tag: "td" | "span", column: Column<Row>, row: Row, keys: string, extraClass = ""): string {
  const value = column.value(row);
  const title = column.title?.(row);
  const classes = ["num", extraClass].filter(Boolean).join(" ");
  // As summary.json writes it: NaN and ±Infinity have no JSON form and are written null.
  const raw = value === null || !Number.isFinite(value) ? "null" : String(value);
  return `<${tag} class="${classes}" ${keys} data-field="${escapeHtml(column.field)}" data-value="${raw}"${title ? ` title="${escapeHtml(title)}"` : ""}>${formatNumber(value, column.format)}</${tag}>`;
}

function shortfallTableHtml(summary: EvalSummary, colours: Map<string, string>): string {
  const completion: Column<PolicyMetrics> = {
    heading: "Completed",
    field: "completionRate",
    format: "percent",
    value: (p) => p.completionRate,
    title: (p) => `${p.completed} of ${p.episodes} episodes completed by the horizon`,
  };
  const hindsightShare: Column<PolicyMetrics> = {
    heading: "Hindsight share",
    field: "hindsightShare",
    format: "percent",
    value: (p) => p.hindsightShare,
  };
  const policyColumns = [...COST_COLUMNS.map(shortfallColumn<PolicyMetrics>), completion, hindsightShare];
  const rows = summary.policies.map((p) => {
    const keys = `data-policy="${escapeHtml(p.policy)}"`;
    const cells = policyColumns.map((c) => valueCell("td", c, p, keys)).join("");
    return `<tr${p.policy === summary.best ? ' class="best"' : ""}>${policyHeaderCell(p.policy, summary, colours)}${cells}</tr>`;
  });
  // The hindsight row's fields are paths under `summary.hindsight`.
  const hindsightCells = COST_COLUMNS.map(shortfallColumn<EvalSummary["hindsight"]>)
    .map((c) => valueCell("td", c, summary.hindsight, 'data-row="hindsight"'))
    .join("");
  rows.push(
    `<tr class="hindsight"><th scope="row">${swatchHtml(HINDSIGHT_COLOUR)}best in hindsight <span class="tag">${summary.setup.marketKind === "preset" ? "reference point" : "bound"}</span></th>${hindsightCells}<td></td><td></td></tr>`,
  );
  return tableHtml(
    [text("Policy"), ...policyColumns.map(numeric)],
    rows,
    "Implementation shortfall per policy, bps",
  );
}

function qualityTableHtml(summary: EvalSummary, colours: Map<string, string>): string {
  const rows = summary.policies.map((p) => {
    const keys = `data-policy="${escapeHtml(p.policy)}"`;
    return `<tr>${policyHeaderCell(p.policy, summary, colours)}${QUALITY_COLUMNS.map((c) => valueCell("td", c, p, keys)).join("")}</tr>`;
  });
  return tableHtml([text("Policy"), ...QUALITY_COLUMNS.map(numeric)], rows, "Execution quality per policy");
}

function comparisonTableHtml(summary: EvalSummary, colours: Map<string, string>): string {
  if (summary.comparisons.length === 0) return `<p class="muted">This run made no comparisons.</p>`;
  const [meanDiff, tTestP, wilcoxonP, holmP, power] = COMPARISON_COLUMNS;
  const low: Column<Comparison> = { heading: "", field: "bootstrap.low", format: "bps", value: (c) => c.bootstrap.low };
  const high: Column<Comparison> = { heading: "", field: "bootstrap.high", format: "bps", value: (c) => c.bootstrap.high };
  // A replay's episodes overlap in time: the interval over windows of the horizon's length beside the episodes' own.
  const withBlocks = summary.comparisons.some((c) => c.timeBlocks !== undefined);
  const blockLow: Column<Comparison> = { heading: "", field: "timeBlocks.low", format: "bps", value: (c) => c.timeBlocks?.low ?? NaN };
  const blockHigh: Column<Comparison> = { heading: "", field: "timeBlocks.high", format: "bps", value: (c) => c.timeBlocks?.high ?? NaN };
  const rows = summary.comparisons.map((c) => {
    const keys = `data-policy="${escapeHtml(c.policy)}" data-against="${escapeHtml(c.against)}" data-kind="${c.kind}"`;
    const significant = c.holmP < 0.05;
    const verdict = significant ? (c.meanDiffBps < 0 ? "cheaper" : "dearer") : "";
    const blocks = withBlocks ? `<td class="num ci">${c.timeBlocks ? `${valueCell("span", blockLow, c, keys)} to ${valueCell("span", blockHigh, c, keys)}` : "—"}</td>` : "";
    return `<tr${verdict ? ` class="${verdict}"` : ""}>${policyLabelCell(c.policy, colours)}<td>${escapeHtml(c.against)}</td><td><span class="tag">${c.kind}</span></td>${valueCell("td", meanDiff, c, keys, "diff")}<td class="num ci">${valueCell("span", low, c, keys)} to ${valueCell("span", high, c, keys)}</td>${blocks}${valueCell("td", tTestP, c, keys)}${valueCell("td", wilcoxonP, c, keys)}<td class="method" ${keys} data-field="wilcoxon.method">${c.wilcoxon.method}</td>${valueCell("td", holmP, c, keys)}${valueCell("td", power, c, keys)}</tr>`;
  });
  const firstBlocks = summary.comparisons.find((c) => c.timeBlocks !== undefined)?.timeBlocks;
  return tableHtml(
    [
      text("Policy"),
      text("Against"),
      text("Kind"),
      numeric(meanDiff),
      { label: `Bootstrap ${bootstrapLevelText(summary)}`, numeric: true },
      ...(withBlocks && firstBlocks ? [{ label: `Over ${firstBlocks.blocks} time windows`, numeric: true }] : []),
      numeric(tTestP),
      numeric(wilcoxonP),
      text("Method"),
      numeric(holmP),
      numeric(power),
    ],
    rows,
    "Paired comparisons, policy − against, bps",
  );
}

/** A table; the headings of numeric columns are right-aligned with their numbers. */
function tableHtml(headings: { label: string; numeric: boolean }[], rows: string[], caption: string): string {
  const head = headings.map((h) => `<th scope="col"${h.numeric ? ' class="num"' : ""}>${escapeHtml(h.label)}</th>`).join("");
  return `<div class="table-wrap"><table>
<caption class="visually-hidden">${escapeHtml(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table></div>`;
}

const text = (label: string) => ({ label, numeric: false });
const numeric = <Row>(column: Column<Row>) => ({ label: column.heading, numeric: true });

function policyHeaderCell(policy: string, summary: EvalSummary, colours: Map<string, string>): string {
  const tags = [
    policy === summary.best ? '<span class="tag best-tag">best</span>' : "",
    policy === summary.setup.reference ? '<span class="tag">reference</span>' : "",
  ].join("");
  return `<th scope="row">${policyLabelHtml(policy, colours)}${tags}</th>`;
}

function policyLabelCell(policy: string, colours: Map<string, string>): string {
  return `<th scope="row">${policyLabelHtml(policy, colours)}</th>`;
}

function policyLabelHtml(policy: string, colours: Map<string, string>): string {
  return `${swatchHtml(colours.get(policy) ?? HINDSIGHT_COLOUR)}<span class="policy-name">${escapeHtml(policy)}</span>`;
}

function swatchHtml(colour: string): string {
  return `<span class="swatch" style="background:${colour}"></span>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Charts: one Vega-Lite spec per chart, built from the summary

/** A chart of the page: the id of its container and its Vega-Lite spec. */
interface ReportChart {
  id: string;
  spec: TopLevelSpec;
}

// Tableau 10: distinguishable, print-safe, and calm next to the page's greys.
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];
const HINDSIGHT_COLOUR = "#6e7781";
const ALMGREN_CHRISS_COLOUR = "#1f2328";
const HINDSIGHT_LABEL = "best in hindsight";
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

const CHART_CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelColor: "#59636e", titleColor: "#1f2328", titleFontWeight: 600, gridColor: "#eaeef2", domainColor: "#afb8c1", tickColor: "#afb8c1", labelFontSize: 11, titleFontSize: 12 },
  legend: { labelColor: "#1f2328", titleColor: "#1f2328", labelFontSize: 11, titleFontSize: 12, symbolSize: 80 },
} as const;

function policyColours(summary: EvalSummary): Map<string, string> {
  return new Map(summary.policies.map((p, i) => [p.policy, PALETTE[i % PALETTE.length]]));
}

/** The page's charts, in the order they appear; the time-of-day chart only on replay markets. */
function chartSpecs(summary: EvalSummary, colours: Map<string, string>): ReportChart[] {
  const charts: ReportChart[] = [{ id: "chart-costs", spec: costDistributionSpec(summary, colours) }];
  if (summary.comparisons.length > 0) charts.push({ id: "chart-differences", spec: differencesSpec(summary, colours) });
  charts.push({ id: "chart-trajectories", spec: trajectorySpec(summary, colours) });
  if (summary.setup.hasTimeOfDay) charts.push({ id: "chart-time-of-day", spec: timeOfDaySpec(summary, colours) });
  return charts;
}

/** Strip and box plot of every episode's IS per policy, with the best-in-hindsight costs as the last row. */
function costDistributionSpec(summary: EvalSummary, colours: Map<string, string>): TopLevelSpec {
  const rows = [...summary.policies.map((p) => p.policy), HINDSIGHT_LABEL];
  const costsOf = (row: string): number[] =>
    row === HINDSIGHT_LABEL ? summary.episodes.hindsightBps.map((x) => x ?? NaN) : (summary.episodes.shortfallBps[row] ?? []);
  // A deterministic jitter (golden-ratio sequence over the episode index) keeps the page reproducible.
  const episodes = rows.flatMap((row) =>
    costsOf(row)
      .map((costBps, i) => ({ series: row, costBps, jitter: ((i * 0.6180339887) % 1) - 0.5 }))
      .filter((d) => Number.isFinite(d.costBps)),
  );
  const means = [
    ...summary.policies.map((p) => ({ series: p.policy, meanBps: p.shortfallBps.mean })),
    { series: HINDSIGHT_LABEL, meanBps: summary.hindsight.shortfallBps.mean },
  ].filter((d) => Number.isFinite(d.meanBps));
  const y = { field: "series", type: "nominal", sort: rows, title: null, axis: { labelLimit: 180 } } as const;
  const x = { field: "costBps", type: "quantitative", title: "Implementation shortfall (bps, positive = cost)" } as const;
  const colour = { field: "series", type: "nominal", scale: seriesScale(rows, colours), legend: null } as const;
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    width: "container",
    height: { step: 38 },
    data: { values: episodes },
    layer: [
      {
        mark: { type: "point", filled: true, size: 9, opacity: 0.35 },
        encoding: {
          x,
          y,
          yOffset: { field: "jitter", type: "quantitative", scale: { domain: [-0.5, 0.5], range: [6, 32] } },
          color: colour,
        },
      },
      {
        mark: {
          type: "boxplot",
          extent: 1.5,
          outliers: false,
          size: 14,
          box: { fillOpacity: 0.18, strokeWidth: 1.2 },
          median: { color: "#1f2328", strokeWidth: 1.5 },
          rule: { strokeWidth: 1.2 },
        },
        encoding: { x, y, color: colour, stroke: colour },
      },
      {
        data: { values: means },
        mark: { type: "point", shape: "diamond", filled: true, size: 60, color: "#1f2328" },
        encoding: {
          x: { field: "meanBps", type: "quantitative" },
          y,
          tooltip: [
            { field: "series", title: "policy" },
            { field: "meanBps", title: "mean IS (bps)", format: ".2f" },
          ],
        },
      },
    ],
  };
}

/** Mean paired difference per comparison with its bootstrap interval, against a rule at 0. */
function differencesSpec(summary: EvalSummary, colours: Map<string, string>): TopLevelSpec {
  const rows = summary.comparisons.map((c) => ({
    label: `${c.policy} \u2212 ${c.against}`,
    policy: c.policy,
    meanBps: c.meanDiffBps,
    lowBps: c.bootstrap.low,
    highBps: c.bootstrap.high,
    holmP: c.holmP,
  }));
  const y = { field: "label", type: "nominal", sort: rows.map((r) => r.label), title: null, axis: { labelLimit: 220 } } as const;
  const policies = summary.policies.map((p) => p.policy);
  const colour = { field: "policy", type: "nominal", scale: seriesScale(policies, colours), legend: null } as const;
  const xTitle = "Mean difference, policy − against (bps)";
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    width: "container",
    height: { step: 26 },
    data: { values: rows },
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", color: "#8c959f", strokeDash: [4, 3] },
        encoding: { x: { field: "zero", type: "quantitative" } },
      },
      {
        mark: { type: "rule", strokeWidth: 2 },
        encoding: { x: { field: "lowBps", type: "quantitative", title: xTitle }, x2: { field: "highBps" }, y, color: colour },
      },
      {
        mark: { type: "point", filled: true, size: 60, opacity: 1 },
        encoding: {
          x: { field: "meanBps", type: "quantitative" },
          y,
          color: colour,
          tooltip: [
            { field: "label", title: "comparison" },
            { field: "meanBps", title: "mean d (bps)", format: ".2f" },
            { field: "lowBps", title: "low", format: ".2f" },
            { field: "highBps", title: "high", format: ".2f" },
            { field: "holmP", title: "Holm p", format: ".3g" },
          ],
        },
      },
    ],
  };
}

/** Mean fraction of the parent left before each decision, per policy, against the Almgren–Chriss curve. */
function trajectorySpec(summary: EvalSummary, colours: Map<string, string>): TopLevelSpec {
  const stepS = summary.setup.stepNs / 1e9;
  const acLabel = "Almgren\u2013Chriss";
  const series = [...summary.trajectories.map((t) => t.policy), acLabel];
  const points = [
    ...summary.trajectories.flatMap((t) => t.remaining.map((remaining, k) => ({ series: t.policy, timeS: k * stepS, remaining }))),
    ...summary.almgrenChriss.remaining.map((remaining, k) => ({ series: acLabel, timeS: k * stepS, remaining })),
  ].filter((d) => Number.isFinite(d.remaining));
  const scale = seriesScale(series, new Map([...colours, [acLabel, ALMGREN_CHRISS_COLOUR]]));
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    width: "container",
    height: 300,
    data: { values: points },
    mark: { type: "line", strokeWidth: 2, interpolate: "linear" },
    encoding: {
      x: { field: "timeS", type: "quantitative", title: "Time since arrival (s)", scale: { nice: false } },
      y: { field: "remaining", type: "quantitative", title: "Share of the parent left", axis: { format: ".0%" }, scale: { domain: [0, 1] } },
      color: { field: "series", type: "nominal", scale, legend: { title: null, orient: "top-right", direction: "vertical", fillColor: "#ffffffe0", padding: 6 } },
      strokeDash: {
        field: "series",
        type: "nominal",
        scale: { domain: series, range: series.map((s) => (s === acLabel ? [6, 4] : [1, 0])) },
        legend: null,
      },
      tooltip: [
        { field: "series", title: "policy" },
        { field: "timeS", title: "time (s)", format: ".3~f" },
        { field: "remaining", title: "left", format: ".1%" },
      ],
    },
  };
}

/** IS against the episode's start time of day, per policy, with the means of 30-minute bins. */
function timeOfDaySpec(summary: EvalSummary, colours: Map<string, string>): TopLevelSpec {
  const binS = 1800;
  const starts = summary.episodes.startTimeOfDayS;
  const policies = summary.policies.map((p) => p.policy);
  const episodes = policies.flatMap((policy) =>
    (summary.episodes.shortfallBps[policy] ?? [])
      .map((costBps, i) => ({ policy, startS: starts[i], costBps }))
      .filter((d): d is { policy: string; startS: number; costBps: number } => d.startS !== null && Number.isFinite(d.costBps)),
  );
  const known = starts.filter((s): s is number => s !== null);
  const firstS = known.length ? Math.floor(Math.min(...known) / binS) * binS : 0;
  const lastS = known.length ? Math.ceil(Math.max(...known) / binS) * binS : binS;
  // Ticks on whole half-hours (hours on a long day), labelled HH:MM; the seconds are after local midnight.
  const tickS = lastS - firstS > 4 * 3600 ? 3600 : binS;
  const ticks: number[] = [];
  for (let t = Math.ceil(firstS / tickS) * tickS; t <= lastS; t += tickS) ticks.push(t);
  const domain: number[] = [firstS, lastS];
  const x = {
    field: "startS",
    type: "quantitative",
    title: "Episode start (time of day)",
    scale: { domain, nice: false },
    axis: { values: ticks, labelExpr: "utcFormat(datum.value * 1000, '%H:%M')" },
  } as const;
  const y = { type: "quantitative", title: "Implementation shortfall (bps)" } as const;
  const colour = { field: "policy", type: "nominal", scale: seriesScale(policies, colours), legend: { title: null, orient: "bottom", columns: 3, symbolOpacity: 1, labelLimit: 200 } } as const;
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    width: "container",
    height: 300,
    data: { values: episodes },
    layer: [
      {
        mark: { type: "point", filled: true, size: 12, opacity: 0.25 },
        encoding: { x, y: { ...y, field: "costBps" }, color: colour },
      },
      {
        transform: [
          { calculate: `floor(datum.startS / ${binS}) * ${binS} + ${binS / 2}`, as: "binMidS" },
          { aggregate: [{ op: "mean", field: "costBps", as: "meanBps" }, { op: "count", as: "episodes" }], groupby: ["policy", "binMidS"] },
        ],
        mark: { type: "line", strokeWidth: 2, point: { filled: true, size: 30 } },
        encoding: {
          x: { ...x, field: "binMidS" },
          y: { ...y, field: "meanBps" },
          color: colour,
          tooltip: [
            { field: "policy" },
            { field: "meanBps", title: "mean IS (bps)", format: ".2f" },
            { field: "episodes", title: "episodes" },
          ],
        },
      },
    ],
  };
}

function seriesScale(series: string[], colours: Map<string, string>): { domain: string[]; range: string[] } {
  return { domain: series, range: series.map((s) => colours.get(s) ?? HINDSIGHT_COLOUR) };
}

// ---------------------------------------------------------------------------------------------------------------
// Inlined libraries, escaping, small formats

// The packages' own UMD builds (their `unpkg` files): each defines a browser global from a classic <script>,
// vega → `vega`, vega-lite → `vegaLite` (needs `vega`), vega-embed → `vegaEmbed` (needs both).
const VEGA_BUNDLES: readonly { pkg: string; file: string }[] = [
  { pkg: "vega", file: "build/vega.min.js" },
  { pkg: "vega-lite", file: "build/vega-lite.min.js" },
  { pkg: "vega-embed", file: "build/vega-embed.min.js" },
];

let vegaScripts: string | undefined;

export function vegaScriptsHtml(): string {
  vegaScripts ??= VEGA_BUNDLES.map(({ pkg, file }) => {
    const path = join(packageRoot(pkg), file);
    // The source-map comment would only send devtools looking for a file that the page does not carry.
    const code = readFileSync(path, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
    if (/<\/script|<!--/i.test(code))
      throw new Error(`${path} contains "</script" or "<!--", which would end the inlined <script> early`);
    return `<script data-library="${pkg}">${code}</script>`;
  }).join("\n");
  return vegaScripts;
}

// The packages' exports maps hide their build folders, so resolve the entry point and walk up to package.json.
function packageRoot(pkg: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === pkg) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package folder of ${pkg} above ${require.resolve(pkg)}; run npm ci`);
    dir = parent;
  }
}

/** JSON for a `<script type="application/json">`: `<` as \u003c, so no string can close the element. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function bootstrapLevelText(summary: EvalSummary): string {
  const level = summary.comparisons[0]?.bootstrap.level ?? 0.95;
  return `${Number((level * 100).toPrecision(3))}%`;
}

function formatKappa(kappaPerS: number): string {
  return Number.isFinite(kappaPerS) ? Number(kappaPerS.toPrecision(3)).toString() : MISSING;
}

/** A duration in the largest unit that keeps it ≥ 1, to three significant digits: "5 s", "10 min", "300 µs". */
function formatDurationNs(ns: number): string {
  const units: [number, string][] = [
    [3600e9, "h"],
    [60e9, "min"],
    [1e9, "s"],
    [1e6, "ms"],
    [1e3, "\u00b5s"],
  ];
  for (const [size, unit] of units) if (Math.abs(ns) >= size) return `${Number((ns / size).toPrecision(3))} ${unit}`;
  return `${ns} ns`;
}

// ---------------------------------------------------------------------------------------------------------------
// The page's stylesheet and script

export const STYLESHEET = `
:root { --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da;
  --good: #1a7f37; --bad: #cf222e; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--text);
  font: 14px/1.5 ${FONT}; font-variant-numeric: tabular-nums; }
main { max-width: 1200px; margin: 0 auto; padding: 32px 32px 64px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 20px; margin-bottom: 24px; }
.eyebrow { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: 0.06em; text-transform: uppercase; }
h1 { margin: 4px 0 2px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
.subtitle { margin: 0 0 16px; color: var(--muted); font-size: 15px; }
h2 { font-size: 18px; font-weight: 650; margin: 0 0 6px; }
section { margin: 0 0 36px; }
.lede { margin: 0 0 12px; color: var(--muted); max-width: 80ch; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px 24px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.facts dd { margin: 2px 0 0; overflow-wrap: anywhere; }
.facts.small dd { font-size: 13px; }
.muted { color: var(--muted); }
.reading-note { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; }
.reading-note p { margin: 0 0 8px; max-width: 110ch; }
.reading-note p:last-child { margin-bottom: 0; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
thead th { background: var(--soft); font-weight: 600; font-size: 12px; color: var(--muted); vertical-align: bottom;
  white-space: normal; }
tbody tr:last-child th, tbody tr:last-child td { border-bottom: 0; }
tbody th { font-weight: 500; }
.num { text-align: right; }
td.method { color: var(--muted); }
tr.best th .policy-name { font-weight: 650; }
tr.hindsight th, tr.hindsight td { color: var(--muted); font-style: italic; background: #fbfcfd; }
tr.cheaper td.diff { color: var(--good); font-weight: 600; }
tr.dearer td.diff { color: var(--bad); font-weight: 600; }
.tag { display: inline-block; margin-left: 6px; padding: 0 6px; border: 1px solid var(--line); border-radius: 10px;
  font-size: 11px; font-style: normal; color: var(--muted); line-height: 16px; }
.best-tag { border-color: #9dd4a9; color: var(--good); background: #effaf1; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 8px; vertical-align: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 20px; margin-top: 20px; }
.chart-card { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 10px; min-width: 0; }
.chart-card figcaption { color: var(--muted); font-size: 13px; margin-bottom: 8px; }
.chart-card figcaption strong { color: var(--text); display: block; font-size: 14px; }
.chart { width: 100%; }
.policies { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
.policies li { display: grid; grid-template-columns: 220px 1fr; column-gap: 16px; row-gap: 2px; }
.policies .policy-label { font-weight: 500; overflow-wrap: anywhere; }
.policies .params { grid-column: 2; color: var(--muted); font-size: 12px; }
.policies code { background: var(--soft); border-radius: 4px; padding: 1px 5px; margin-right: 4px; }
.run-details details { margin-top: 14px; }
.run-details summary { cursor: pointer; color: var(--accent); }
.run-details pre { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px;
  overflow: auto; max-height: 420px; font-size: 12px; }
.render-error { border: 1px solid var(--bad); background: #fff5f5; color: var(--bad); border-radius: 8px;
  padding: 12px 16px; margin-bottom: 24px; white-space: pre-wrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media print { .chart-card, .table-wrap { break-inside: avoid; } }
`;

// Runs in the page: draws every chart, then records how many mark elements each drew and whether all succeeded.
export const PAGE_SCRIPT = `
(function () {
  "use strict";
  function fail(error) {
    var message = String(error && error.message ? error.message : error);
    document.body.dataset.rendered = "error: " + message;
    var box = document.getElementById("render-error");
    box.textContent = "The charts could not be drawn: " + message;
    box.hidden = false;
  }
  // Items drawn by the data marks: children of the SVG groups of role "mark" (axes and legends have other roles).
  function recordMarks(container) {
    var groups = container.querySelectorAll("svg g.role-mark:not(.mark-group)");
    var drawn = 0, empty = 0;
    for (var i = 0; i < groups.length; i++) {
      var n = groups[i].childElementCount;
      drawn += n;
      if (n === 0) empty++;
    }
    container.dataset.marks = String(drawn);
    container.dataset.emptyMarks = String(empty);
  }
  try {
    var charts = JSON.parse(document.getElementById("report-charts").textContent);
    Promise.all(charts.map(function (chart) {
      var container = document.getElementById(chart.id);
      return vegaEmbed(container, chart.spec, { renderer: "svg", actions: false }).then(function () {
        recordMarks(container);
      });
    })).then(function () {
      document.body.dataset.rendered = "ok";
    }, fail);
  } catch (error) {
    fail(error);
  }
})();
`;
