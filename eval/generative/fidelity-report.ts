// The fidelity report: one self-contained HTML page (charts drawn the same way as the evaluation report: Vega-Lite
// inlined, no network) with the stylized-fact table, impact against size with the fit and its interval, and the
// regime map.
import type { TopLevelSpec } from "vega-lite";
import { PAGE_SCRIPT, STYLESHEET, chartFigureHtml, embedJson, escapeHtml, vegaScriptsHtml } from "../report.js";
import type { FidelityResult } from "./fidelity.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "—");

function factsTableHtml(r: FidelityResult): string {
  const rows = r.facts.map((f) => `<tr class="${f.pass ? "" : "fail"}"><td>${escapeHtml(f.fact)}</td><td class="num" data-value="${f.day}">${fmt(f.day)}</td><td class="num" data-value="${f.model}">${fmt(f.model)}</td><td class="num" data-value="${f.ratio}">${fmt(f.ratio)}</td><td class="num">×${f.tolerance}</td><td>${f.pass ? "pass" : "FAIL"}</td></tr>`);
  return `<table><thead><tr><th>fact</th><th class="num">day</th><th class="num">model (${r.factsDays} days)</th><th class="num">ratio</th><th class="num">within</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function impactTableHtml(r: FidelityResult): string {
  const rows = r.impact.map((c) => `<tr><td class="num">${c.participation}</td><td class="num" data-value="${c.exponent}">${fmt(c.exponent, 3)}</td><td class="num">[${fmt(c.exponentCi[0], 3)}, ${fmt(c.exponentCi[1], 3)}]</td><td class="num">${fmt(c.lowSlope, 3)} / ${fmt(c.highSlope, 3)}</td><td class="num">${fmt(Math.min(...c.points.map((p) => p.y)))}–${fmt(Math.max(...c.points.map((p) => p.y)))}</td><td class="num">${fmt(c.relaxation)}</td><td class="num">${(100 * c.unexecutedShare).toFixed(3)}%</td></tr>`);
  return `<table><thead><tr><th class="num">participation</th><th class="num">exponent</th><th class="num">95% CI</th><th class="num">low / high half</th><th class="num">Y</th><th class="num">at 2T ÷ peak</th><th class="num">unexecuted</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function impactSpec(r: FidelityResult): TopLevelSpec {
  const values = r.impact.flatMap((c) => c.points.map((p) => ({ participation: String(c.participation), units: p.units, impact: p.peakTicks, lo: p.peakTicks - 1.96 * p.peakSeTicks, hi: p.peakTicks + 1.96 * p.peakSeTicks })));
  const x = { field: "units", type: "quantitative", scale: { type: "log" }, title: "metaorder size, units (market orders of the preset)" } as const;
  return {
    $schema: SCHEMA, width: 520, height: 300, data: { values },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x, y: { field: "impact", type: "quantitative", scale: { type: "log" }, title: "impact at the end, ticks" }, color: { field: "participation", type: "nominal" } } },
      { mark: "rule", encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { field: "participation", type: "nominal" } } },
    ],
  } as TopLevelSpec;
}

function regimeSpec(r: FidelityResult): TopLevelSpec {
  return {
    $schema: SCHEMA, width: 520, height: 240, data: { values: r.regimeMap },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "durationTimesMemoryRate", type: "quantitative", scale: { type: "log" }, title: "duration of the median metaorder × 1/τ0" },
      y: { field: "exponent", type: "quantitative", title: "impact exponent" },
      tooltip: [{ field: "participation" }, { field: "exponent", format: ".3f" }],
    },
  } as TopLevelSpec;
}

/** The report page of a fidelity run. */
export function renderFidelityReport(r: FidelityResult): string {
  const charts = [{ id: "chart-impact", spec: impactSpec(r) }, { id: "chart-regimes", spec: regimeSpec(r) }];
  const verdict = Object.entries(r.pass).map(([k, v]) => `${k}: ${v ? "pass" : "FAIL"}`).join(" · ");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tranche fidelity: ${escapeHtml(r.preset)} (${escapeHtml(r.regime)})</title>
<style>${STYLESHEET} tr.fail td { color: #b42318; font-weight: 600; }</style></head>
<body data-rendered="pending"><main>
<header><h1>Fidelity of the ${escapeHtml(r.preset)} preset, regime ${escapeHtml(r.regime)}</h1>
<p class="subtitle">${escapeHtml(verdict)}</p></header>
<div id="render-error" class="render-error" hidden></div>
<section><h2>Stylized facts against the day</h2>
<p class="lede">Each within a factor of 1.5 of the day (the variogram at 30 minutes within 2). Depth is per level, the two sides averaged.</p>
${factsTableHtml(r)}</section>
<section><h2>Metaorder impact</h2>
<p class="lede">Buys of one unit (the preset's market-order size) each at fixed participation; impact is the paired difference of mid moves between the run with the
metaorder and a control on the same random numbers. Passes when the exponent's bootstrap 95% interval lies in [0.3, 0.7], fewer than 1%
of units go unexecuted and Y lies in [0.3, 3].</p>
${impactTableHtml(r)}
<div class="charts">${chartFigureHtml("chart-impact", "Impact against size", "Mean paired impact at the end of the metaorder with its 95% interval, log-log.")}
${chartFigureHtml("chart-regimes", "Regime map", "The fitted exponent against the metaorder's duration in units of the propagator's time scale τ0, one point per participation.")}</div>
</section>
</main>
<script type="application/json" id="report-charts">${embedJson(charts)}</script>
${vegaScriptsHtml()}
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
