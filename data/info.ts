// A readable summary of a Tranche data file and its companions: what instrument, what span, how many of
// each event, and (for Binance) where the depth stream breaks.
import { basename } from "node:path";
import { DataError } from "./errors.js";
import { bookColumns, fixedColumns, openCompanion, openDataFile } from "./reader.js";
import { BOOK_EMPTY_ASK_PRICE, BOOK_EMPTY_BID_PRICE, MessageType, type DatasetMeta, type DepthGap, type TableKind } from "./schema.js";

/** A structured summary of one file (what `tranche data info` prints). */
export interface FileSummary {
  path: string;
  kind: TableKind;
  meta: DatasetMeta;
  rows: number;
  /** Earliest and latest `ts_ns` (min/max: depth tables step back after a snapshot). */
  firstTsNs?: bigint;
  lastTsNs?: bigint;
  /** Named counts, in display order (message types, snapshot levels, diff rows, …). */
  counts: [string, number][];
  /** Further facts, one line each. */
  notes: string[];
  /** Depth-stream gaps (Binance `l2`). */
  gaps: DepthGap[];
}

const KIND_TITLE: Record<TableKind, string> = {
  l3: "L3 messages (LOBSTER)",
  book: "orderbook levels (LOBSTER)",
  l2: "L2 depth events",
  trades: "trades",
  bbo: "best bid/offer (bookTicker)",
};

const TYPE_NAMES: Record<number, string> = {
  [MessageType.Add]: "1 add",
  [MessageType.Reduce]: "2 reduce",
  [MessageType.Delete]: "3 delete",
  [MessageType.VisibleExecution]: "4 visible execution",
  [MessageType.HiddenExecution]: "5 hidden execution",
  [MessageType.Cross]: "6 cross",
  [MessageType.Halt]: "7 halt",
};

/** `ts` (ns since epoch) as ISO 8601 UTC with all nine decimals. */
export function isoNs(ts: bigint): string {
  const second = ts >= 0n ? ts / 1_000_000_000n : (ts - 999_999_999n) / 1_000_000_000n;
  const nanos = ts - second * 1_000_000_000n;
  return new Date(Number(second) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${nanos.toString().padStart(9, "0")}Z`);
}

/** `steps` × a decimal step ("0.01") as a decimal string, exactly. */
export function formatSteps(steps: bigint, step: string): string {
  const [whole, frac = ""] = step.split(".");
  const units = BigInt(whole + frac);
  const v = steps * units;
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString();
  if (frac.length > 0) {
    digits = digits.padStart(frac.length + 1, "0");
    digits = `${digits.slice(0, -frac.length)}.${digits.slice(-frac.length)}`.replace(/\.?0+$/, "");
  }
  return (negative ? "-" : "") + digits;
}

function minMax(a: BigInt64Array, keep?: (i: number) => boolean): [bigint, bigint] | undefined {
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  for (let i = 0; i < a.length; i++) {
    if (keep && !keep(i)) continue;
    const v = a[i];
    if (lo === undefined || v < lo) lo = v;
    if (hi === undefined || v > hi) hi = v;
  }
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

const fmt = (n: number): string => n.toLocaleString("en-US");

/** Summarises one file (not its companions). */
export function summarizeFile(path: string): FileSummary {
  const file = openDataFile(path);
  const meta = file.meta;
  const summary: FileSummary = { path, kind: meta.kind, meta, rows: file.rows, counts: [], notes: [], gaps: [] };
  const price = (range: [bigint, bigint] | undefined): string =>
    range === undefined ? "none" : `${formatSteps(range[0], meta.tickSize)} – ${formatSteps(range[1], meta.tickSize)} ${meta.currency} (${range[0]} – ${range[1]} ticks)`;
  const span = (ts: BigInt64Array): void => {
    const r = minMax(ts);
    if (r) [summary.firstTsNs, summary.lastTsNs] = r;
  };
  switch (meta.kind) {
    case "l3": {
      const c = fixedColumns(file, "l3");
      span(c.tsNs);
      const byType = new Array<number>(8).fill(0);
      for (const t of c.type) byType[t]++;
      for (let t = 1; t <= 7; t++) summary.counts.push([TYPE_NAMES[t], byType[t]]);
      summary.notes.push(`book prices (types 1-4): ${price(minMax(c.priceTicks, (i) => c.type[i] <= 4))}`);
      if (meta.lobster && meta.lobster.offGridPrices > 0) {
        summary.notes.push(`${fmt(meta.lobster.offGridPrices)} hidden/cross execution prices between ticks (floored in price_ticks, exact in price_raw)`);
      }
      break;
    }
    case "book": {
      const b = bookColumns(file);
      let empty = 0;
      let crossed = 0;
      for (let l = 0; l < b.levels; l++) {
        for (const p of b.askPriceTicks[l]) if (p === BOOK_EMPTY_ASK_PRICE) empty++;
        for (const p of b.bidPriceTicks[l]) if (p === BOOK_EMPTY_BID_PRICE) empty++;
      }
      const ask = b.askPriceTicks[0];
      const bid = b.bidPriceTicks[0];
      for (let i = 0; i < ask.length; i++) if (ask[i] !== BOOK_EMPTY_ASK_PRICE && bid[i] !== BOOK_EMPTY_BID_PRICE && bid[i] >= ask[i]) crossed++;
      summary.counts.push(["empty levels (dummy price, size 0)", empty], ["crossed rows", crossed]);
      summary.notes.push(`best ask: ${price(minMax(ask, (i) => ask[i] !== BOOK_EMPTY_ASK_PRICE))}`);
      summary.notes.push(`best bid: ${price(minMax(bid, (i) => bid[i] !== BOOK_EMPTY_BID_PRICE))}`);
      break;
    }
    case "l2": {
      const c = fixedColumns(file, "l2");
      span(c.tsNs);
      let snapshotRows = 0;
      for (const s of c.isSnapshot) snapshotRows += s;
      const b = meta.binance;
      summary.counts.push(["snapshot levels", snapshotRows], ["diff level rows", file.rows - snapshotRows]);
      if (b) {
        summary.counts.push(
          ["diff events applied", b.diffEvents],
          ["diffs dropped as older than the snapshot", b.droppedStale],
          ["diffs dropped as duplicates", b.droppedDuplicate],
          ["diffs buffered before the first snapshot", b.bufferedBeforeSnapshot],
        );
        for (const s of b.snapshots) {
          summary.notes.push(`snapshot lastUpdateId ${s.lastUpdateId} at rows ${s.row}..${s.row + s.levels - 1} (${s.file}:${s.line}, ${isoNs(BigInt(s.tsNs))})`);
        }
        summary.notes.push(`collector clock: local receive time − exchange time E, median ${b.clockOffsetMsMedian} ms`);
        for (const [stream, n] of Object.entries(b.ignoredLines)) summary.notes.push(`ignored ${fmt(n)} lines of stream ${stream}`);
        summary.gaps = b.gaps;
      }
      summary.notes.push(`prices: ${price(minMax(c.priceTicks, (i) => c.qtyLots[i] !== 0n))}`);
      break;
    }
    case "trades": {
      const c = fixedColumns(file, "trades");
      span(c.tsNs);
      let sells = 0;
      let volume = 0n;
      for (let i = 0; i < file.rows; i++) {
        sells += c.aggressorSide[i];
        volume += c.qtyLots[i];
      }
      summary.counts.push(["buy-initiated", file.rows - sells], ["sell-initiated", sells]);
      if (meta.binance) summary.counts.push(["trade id gaps", meta.binance.tradeIdGaps]);
      summary.notes.push(`volume: ${formatSteps(volume, meta.lotSize)} (${volume} lots of ${meta.lotSize})`);
      summary.notes.push(`prices: ${price(minMax(c.priceTicks))}`);
      break;
    }
    case "bbo": {
      const c = fixedColumns(file, "bbo");
      span(c.tsNs);
      const ids = minMax(c.updateId);
      if (ids) summary.notes.push(`update ids ${ids[0]} – ${ids[1]}`);
      summary.notes.push(`best bid: ${price(minMax(c.bidPriceTicks))}`);
      summary.notes.push(`best ask: ${price(minMax(c.askPriceTicks))}`);
      break;
    }
  }
  return summary;
}

/** What `tranche data info` reports for a file and the companions its import wrote. */
export interface DatasetSummary {
  files: FileSummary[];
  /** What is wrong with a companion: missing, damaged, of another kind, or from another import. */
  problems: DataError[];
}

/** Summaries of a file and of each companion its metadata names, each companion checked first. */
export function summarizeDataset(path: string): DatasetSummary {
  const main = summarizeFile(path);
  const result: DatasetSummary = { files: [main], problems: [] };
  for (const kind of Object.keys(main.meta.companions) as TableKind[]) {
    if (kind === main.kind) continue;
    try {
      result.files.push(summarizeFile(openCompanion(path, main.meta, kind).path));
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      result.problems.push(e);
    }
  }
  return result;
}

/** The text `tranche data info` prints for one summary. */
export function formatSummary(s: FileSummary): string {
  const m = s.meta;
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(11)} ${text}`);
  lines.push(`${basename(s.path)}: ${KIND_TITLE[s.kind]}, ${fmt(s.rows)} rows`);
  row("instrument", `${m.symbol} on ${m.venue}; tick ${m.tickSize} ${m.currency} (price_scale ${m.priceScale}), lot ${m.lotSize}`);
  row("source", m.sourceFiles.join(", "));
  if (s.firstTsNs !== undefined && s.lastTsNs !== undefined) {
    const seconds = Number(s.lastTsNs - s.firstTsNs) / 1e9;
    row("span", `${isoNs(s.firstTsNs)} → ${isoNs(s.lastTsNs)} (${seconds.toLocaleString("en-US", { maximumFractionDigits: 3 })} s)`);
    if (m.lobster) {
      const shift = BigInt(m.lobster.utcOffsetSeconds) * 1_000_000_000n;
      const local = (ts: bigint) => isoNs(ts + shift).slice(11, -1);
      row("", `local ${local(s.firstTsNs)} → ${local(s.lastTsNs)} ${m.lobster.timezone} (UTC offset ${m.lobster.utcOffsetSeconds} s)`);
    }
  }
  if (m.lobster) row("levels", `${m.lobster.levels}`);
  if (m.binance) row("market", m.binance.market);
  if (s.counts.length > 0) row("counts", s.counts.map(([k, n]) => `${k}: ${fmt(n)}`).join(" · "));
  if (m.binance && (s.kind === "l2")) {
    if (s.gaps.length === 0) row("gaps", "none (every diff continues the previous one)");
    else {
      row("gaps", `${s.gaps.length} — the book is unreliable from each row below until the next snapshot`);
      for (const g of s.gaps) {
        row("", `row ${g.row} at ${g.file}:${g.line} (${isoNs(BigInt(g.tsNs))}): ${g.rule} fails: prev u ${g.prevLastUpdateId}, U ${g.firstUpdateId}, u ${g.lastUpdateId}${g.prevUpdateId >= 0 ? `, pu ${g.prevUpdateId}` : ""}`);
      }
    }
  }
  for (const n of s.notes) row("", n);
  return lines.join("\n");
}

/** The full `tranche data info` text for a file and its companions, companion problems last. */
export function describeDataFile(path: string): string {
  const d = summarizeDataset(path);
  return [...d.files.map(formatSummary), ...d.problems.map((e) => `problem: ${e.code}: ${e.message}`)].join("\n\n");
}
