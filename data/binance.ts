// Binance raw-feed importer for the hftbacktest collector format (`<local_recv_ts_ns> <json>` per line):
// REST depth snapshots and `@depth` diffs become an `l2` table (synchronised by Binance's rule, gaps reported
// with their position), `@trade` a `trades` table and `@bookTicker` a `bbo` table. Input that would import
// wrongly is refused with the file, the line and the rule it breaks: files out of order, repeated or
// overlapping; receive clocks or update ids that go back; values outside their domain.
import { randomUUID } from "node:crypto";
import { basename, resolve } from "node:path";
import { Int64ColumnBuilder, Uint8ColumnBuilder } from "./columns.js";
import { decimalToSteps, parseGrid, type DecimalGrid } from "./decimal.js";
import { DataError, escapeControls, quoteInput, type DataErrorCode } from "./errors.js";
import { companionPath } from "./paths.js";
import type { BboColumns, BinanceMeta, DatasetMeta, DataTable, DepthGap, L2Columns, SnapshotRecord, TradeColumns } from "./schema.js";
import { readSource } from "./source.js";
import { encodeFixedTable, writeFilesAtomically } from "./writer.js";

/** Options of {@link parseBinance}. */
export interface BinanceImportOptions {
  /** Tick in quote currency as a decimal string. Default: spot "0.01", USD-M "0.1". */
  tick?: string;
  /**
   * Lot in base currency as a decimal string. Default: spot "0.00000001" (the 8 decimals Binance sends: deep spot
   * levels hold legacy orders finer than today's 0.00001 step), USD-M "0.001".
   */
  lot?: string;
}

/** A parsed Binance stream, in memory, as it will be written. */
export interface BinanceImport {
  depth: DataTable<L2Columns>;
  trades: DataTable<TradeColumns>;
  bbo: DataTable<BboColumns>;
  /** Lines read over all files. */
  lines: number;
  /** The input files as given, in the order they were read (writeBinance refuses to write over any of them). */
  sources: string[];
  /** Seconds spent reading+decompressing, and parsing. */
  timings: { readS: number; parseS: number };
  /** What the import accepted but a user should know (one line each; the CLI prints them as notes). */
  notes: string[];
}

/** Market kind: spot or USD-M perpetual futures. They differ in grids and in the diff-continuity rule. */
export type BinanceMarket = "spot" | "usdm";

const DEFAULT_GRID: Record<BinanceMarket, { tick: string; lot: string }> = {
  // Spot quantities are not all on the 0.00001 order step: 7 depth levels in the 2024-08-08/09 BTCUSDT files
  // carry 6 decimals (orders placed when the step was 0.000001). Binance's wire precision (8 decimals) is exact.
  spot: { tick: "0.01", lot: "0.00000001" },
  usdm: { tick: "0.1", lot: "0.001" },
};

const QUOTES = ["USDT", "USDC", "FDUSD", "BUSD", "TUSD", "BTC", "ETH", "BNB", "EUR", "TRY"];

// ---- domains and tolerances ----

/**
 * Receive and exchange times must lie in [2009-01-01, now + 1 day]. Binance opened in 2017 and crypto trading
 * starts with Bitcoin (January 2009): an earlier time is a unit slip (seconds read as ms, `5` for a
 * timestamp) or a corrupt clock. The day of slack above now allows for a collector clock ahead of the reader's.
 */
const MIN_EPOCH_MS = Date.UTC(2009, 0, 1);
const FUTURE_SLACK_MS = 86_400_000;

/**
 * How far a line's receive time may fall behind the latest before it. The collector stamps WebSocket messages
 * in arrival order in one task, but stamps a REST snapshot in the task that fetched it, so a snapshot can be
 * written ahead of messages stamped just before it (hftbacktest `collector/src/binance/mod.rs`); the host's
 * wall clock (`Utc::now()`) may also be stepped by NTP. A minute-long jump back is neither: it is an edited,
 * concatenated or repeated file. The 2024-08-08/09 spot and USD-M files never go back at all.
 */
const RECV_BACKSTEP_NS = 1_000_000_000n;

/** Magic bytes of files that are not collector text, and what to call them. */
const FOREIGN_FORMATS: readonly { magic: readonly number[]; name: string; fix: string }[] = [
  { magic: [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31], name: "an Arrow file (a Tranche import's output?), not collector records", fix: "pass the collector's .gz files; describe an .arrow file with `tranche data info <file.arrow>`" },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: "zstd-compressed; the importer reads gzip or plain text", fix: "decompress it first (zstd -d <file>)" },
  { magic: [0x42, 0x5a, 0x68], name: "bzip2-compressed; the importer reads gzip or plain text", fix: "decompress it first (bunzip2 <file>)" },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: "xz-compressed; the importer reads gzip or plain text", fix: "decompress it first (xz -d <file>)" },
  { magic: [0x50, 0x4b, 0x03, 0x04], name: "a zip archive; the importer reads gzip or plain text", fix: "unzip it and pass the collector files inside" },
];

const COLLECTOR_FIX = "pass hftbacktest collector files (one `<local_recv_ts_ns> <json>` record per line)";
const EDITED_FIX = "the file was edited, or joined from overlapping pieces: use the collector's original file";
const REPEATED_FIX = "pass each recorded file once; the files of one collector run follow one another (it starts a new file at each UTC midnight)";

// ---- reading and ordering the input files ----

/** One input file, read whole, with what ordering needs to know before its lines are parsed. */
interface CollectorFile {
  /** The path as given (errors name it). */
  path: string;
  /** How messages name it: the base name, or the path where two inputs share a base name. */
  label: string;
  sha256: string;
  text: string;
  /** Receive times of the first and last records, if both parse and lie in the epoch range. */
  firstTsNs: bigint | undefined;
  lastTsNs: bigint | undefined;
  /** From the first depth-diff line: USD-M diffs carry `pu`, spot diffs do not. */
  market: BinanceMarket | undefined;
  /** Upper-case symbol of the first stream message. */
  symbol: string | undefined;
}

// `<symbol>@depth` or `<symbol>@depth@<n>ms`: the diff stream. `@depth5/10/20` are partial-book streams.
const DIFF_STREAM = /"stream"\s*:\s*"[^"@]*@depth(?:@\d+ms)?"/;
const PARTIAL_STREAM = /"stream"\s*:\s*"([^"@]*@depth\d+(?:@\d+ms)?)"/;
const FIRST_STREAM = /"stream"\s*:\s*"([^"@]*)@/;
const RECORD_TS = /^(\d{1,19}) /;

function lineAt(text: string, at: number): string {
  const start = text.lastIndexOf("\n", at) + 1;
  const eol = text.indexOf("\n", at);
  return text.slice(start, eol < 0 ? text.length : eol);
}

function readCollectorFile(path: string, maxMs: number): CollectorFile {
  const src = readSource(path, "collector file");
  const bytes = src.bytes;
  const where = { file: path };
  if (bytes.length === 0) {
    throw new DataError("EMPTY_FILE", `the file is empty (${src.gzip ? "its gzip stream holds 0 bytes" : "0 bytes"})`, "the collector wrote nothing to it: leave it out, or copy it again", where);
  }
  for (const f of FOREIGN_FORMATS) {
    if (bytes.length >= f.magic.length && f.magic.every((b, i) => bytes[i] === b)) throw new DataError("BAD_JSON", `the file is ${f.name}`, f.fix, where);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
  if (!/\S/.test(text)) throw new DataError("EMPTY_FILE", "the file is empty (blank lines only)", "the collector wrote nothing to it: leave it out, or copy it again", where);

  const firstAt = text.search(/\S/);
  const lastAt = text.trimEnd().length - 1;
  const recordTs = (line: string): bigint | undefined => {
    const m = RECORD_TS.exec(line.trimStart());
    if (!m) return undefined;
    const ns = BigInt(m[1]);
    return ns >= BigInt(MIN_EPOCH_MS) * 1_000_000n && ns <= BigInt(maxMs) * 1_000_000n ? ns : undefined;
  };
  const diff = DIFF_STREAM.exec(text);
  const stream = FIRST_STREAM.exec(text);
  return {
    path,
    label: basename(path),
    sha256: src.sha256,
    text,
    firstTsNs: recordTs(lineAt(text, firstAt)),
    lastTsNs: recordTs(lineAt(text, lastAt)),
    market: diff ? (/"pu"\s*:/.test(lineAt(text, diff.index)) ? "usdm" : "spot") : undefined,
    symbol: stream ? stream[1].toUpperCase() : undefined,
  };
}

const isoNs = (ns: bigint): string => isoMs(Number(ns / 1_000_000n));
const isoMs = (ms: number): string => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`);
const seconds = (ns: bigint): string => (Number(ns / 1_000_000n) / 1000).toFixed(3);
const span = (f: CollectorFile): string => `${f.label} (${isoNs(f.firstTsNs!)} → ${isoNs(f.lastTsNs!)})`;

/**
 * Refuses inputs that cannot be one stream (two markets or symbols, a file repeated, overlapping receive-time
 * spans) and returns the files sorted by their first receive time. Sorting is safe: the collector writes one
 * file per symbol and UTC day, so the files of a recording never overlap and their receive times fix their
 * order; the sync rule and the id checks then run over the whole stream exactly as if given in order.
 */
function orderCollectorFiles(files: readonly CollectorFile[], notes: string[]): CollectorFile[] {
  const MARKET_NAME: Record<BinanceMarket, string> = { spot: "spot", usdm: "USD-M" };
  for (const key of ["market", "symbol"] as const) {
    const first = files.find((f) => f[key] !== undefined);
    const other = first && files.find((f) => f[key] !== undefined && f[key] !== first[key]);
    if (first && other) {
      const show = (f: CollectorFile) => (key === "market" ? `a ${MARKET_NAME[f.market!]} depth stream` : `symbol ${quoteInput(f.symbol!)}`);
      throw new DataError(
        "MIXED_STREAMS",
        `${first.label} holds ${show(first)} and ${other.label} ${show(other)}: one import holds one ${key === "market" ? "market" : "instrument"}`,
        key === "market" ? "import spot and USD-M files separately" : "import each symbol's files separately",
        { file: other.path },
      );
    }
  }
  for (let j = 1; j < files.length; j++) {
    for (let i = 0; i < j; i++) {
      const [a, b] = [files[i], files[j]];
      const same = resolve(a.path) === resolve(b.path)
        ? `${a.label} is given twice`
        : a.sha256 === b.sha256
          ? `${a.label} and ${b.label} hold the same bytes (sha256 ${a.sha256.slice(0, 12)}…)`
          : a.text.length === b.text.length && a.text === b.text
            ? `${a.label} and ${b.label} hold the same lines`
            : undefined;
      if (same) throw new DataError("INPUT_ORDER", `${same}: every record would be imported twice`, REPEATED_FIX, { file: b.path });
    }
  }
  if (files.length < 2 || files.some((f) => f.firstTsNs === undefined || f.lastTsNs === undefined)) {
    // A file whose first or last record has no usable receive time: the line parser refuses that line.
    return [...files];
  }
  const sorted = [...files].sort((a, b) => (a.firstTsNs! < b.firstTsNs! ? -1 : a.firstTsNs! > b.firstTsNs! ? 1 : 0));
  let latest = sorted[0];
  for (const next of sorted.slice(1)) {
    if (next.firstTsNs! + RECV_BACKSTEP_NS < latest.lastTsNs!) {
      const how = next.lastTsNs! <= latest.lastTsNs! ? `${next.label} lies inside ${latest.label}` : `${next.label} starts ${seconds(latest.lastTsNs! - next.firstTsNs!)} s before ${latest.label} ends`;
      throw new DataError("INPUT_ORDER", `${span(latest)} and ${span(next)} overlap: ${how}, so their records would be imported twice or out of time order`, REPEATED_FIX, { file: next.path });
    }
    if (next.lastTsNs! > latest.lastTsNs!) latest = next;
  }
  if (sorted.some((f, i) => f !== files[i])) {
    notes.push(`files given out of time order; read by first receive time: ${sorted.map((f) => `${f.label} (from ${isoNs(f.firstTsNs!)})`).join(", ")}`);
  }
  return sorted;
}

// ---- diagnosing lines that are not records ----

/** What a line without a leading `<ns> ` is, as far as can be told: the problem and its fix. */
function notARecord(line: string): { problem: string; fix: string } {
  const got = quoteInput(line, 60);
  const lobsterFix = "import LOBSTER files with `tranche data import-lobster <message.csv> <orderbook.csv> -o <out.arrow>`";
  if (/^\d+(\.\d+)?,-?\d+,-?\d+,-?\d+,-?\d+,-?1\s*$/.test(line)) {
    return { problem: `the line ${got} looks like a LOBSTER message file (time,type,order id,size,price,direction), not collector output`, fix: lobsterFix };
  }
  if (/^-?\d+(,-?\d+)+\s*$/.test(line) && line.split(",").length % 4 === 0) {
    return { problem: `the line ${got} looks like a LOBSTER orderbook file (ask price,ask size,bid price,bid size per level), not collector output`, fix: lobsterFix };
  }
  if (/^\s*[{[]/.test(line)) {
    return { problem: `the line ${got} is JSON without the receive time the collector writes before it`, fix: `${COLLECTOR_FIX}; a raw WebSocket dump lacks the local receive times` };
  }
  if (/^\d+\.\d+ [{[]/.test(line)) {
    return { problem: `the receive time of ${got} has a fraction; the collector writes whole nanoseconds since the epoch`, fix: COLLECTOR_FIX };
  }
  if (/^[^{]*,/.test(line)) return { problem: `the line ${got} is comma-separated values, not a \`<local_recv_ts_ns> <json>\` record`, fix: COLLECTOR_FIX };
  return { problem: `expected "<local_recv_ts_ns> <json>", got ${got}`, fix: COLLECTOR_FIX };
}

/** A JSON.parse failure, described without echoing V8's unescaped excerpt of the input. */
function describeJsonError(e: unknown, json: string, column0: number): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(message);
  const fault = message
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/ in JSON at position \d+.*$/s, "")
    .replace(/^Unexpected token '(.*?)'/s, (_m, token: string) => `unexpected character ${quoteInput(token)}`)
    .replace(/^[A-Z]/, (c) => c.toLowerCase());
  if (!at) return `invalid JSON (${fault}): ${quoteInput(json, 60)}`;
  const pos = Number(at[1]);
  return `invalid JSON at column ${column0 + pos + 1} (${fault}): ${quoteInput(json.slice(Math.max(0, pos - 20), pos + 20), 40)}`;
}

/** Why `text` did not convert to steps of `grid` (the caller has ruled out a value ≤ 0 on the grid). */
function decimalFault(text: string, grid: DecimalGrid): { code: DataErrorCode; fault: string } {
  if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(text)) return { code: "BAD_JSON", fault: "is in scientific notation; Binance sends plain decimal strings" };
  const m = /^([+-]?)(\d*)\.?(\d*)$/.exec(text);
  if (!m || m[2] + m[3] === "") return { code: "BAD_JSON", fault: "is not a decimal number" };
  if (m[1] === "-" && /[1-9]/.test(text)) return { code: "OUT_OF_RANGE", fault: "is negative" };
  const frac = m[3].replace(/0+$/, "");
  const onGrid = frac.length <= grid.decimals && BigInt((m[2] || "0") + frac.padEnd(grid.decimals, "0")) % BigInt(grid.units) === 0n;
  return onGrid ? { code: "OUT_OF_RANGE", fault: "is beyond 2^53" } : { code: "OFF_GRID", fault: "is not a whole number" };
}

/** What a JSON value is, for "lacks a valid …" messages. */
function holds(v: unknown, expected: string): string {
  if (v === undefined) return "it is missing";
  const shown = typeof v === "string" ? `the string ${quoteInput(v, 40)}` : typeof v === "number" ? String(v) : quoteInput(JSON.stringify(v) ?? String(v), 40);
  return `it holds ${shown}, not ${expected}`;
}

/** One `@depth` diff as the sync rule sees it. */
interface DepthDiff {
  /** The input path as given (errors name it; gap records keep its base name). */
  file: string;
  line: number;
  tsNs: bigint;
  eventMs: number;
  firstId: number;
  lastId: number;
  /** `pu` (USD-M), -1 for spot. */
  prevId: number;
  bids: unknown;
  asks: unknown;
}

type Json = Record<string, unknown>;

function quoteOf(symbol: string): string {
  return QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length) ?? "";
}

/**
 * Reads collector files as one stream, in receive-time order, and applies Binance's order-book sync rule:
 *
 * - diffs received before the first REST snapshot are buffered, then handled after it;
 * - diffs already contained in the snapshot are dropped: spot `u <= lastUpdateId`, USD-M `u < lastUpdateId`;
 * - the first diff applied must bracket the snapshot: spot `U <= lastUpdateId + 1 <= u`,
 *   USD-M `U <= lastUpdateId <= u`;
 * - every later diff must continue the previous one: spot `U == prev u + 1`, USD-M `pu == prev u`;
 *   a diff with `u <= prev u` is a duplicate and is dropped (refused if the diff it repeats is in another file).
 *
 * A break in either rule is recorded as a {@link DepthGap} (file, line, update ids, depth row) and the diff is
 * still written: the book is unreliable from that row until the next snapshot. A later snapshot replaces the
 * book and restarts the rule. Sources: Binance "How to manage a local order book correctly" (spot and USD-M
 * WebSocket docs); the hftbacktest collector's file format.
 *
 * Refused, with the file, the line and the rule:
 * - across files: two markets or symbols, a file given twice or under two names, overlapping receive-time spans
 *   (files given out of order are sorted by their first receive time, with a note);
 * - a receive time more than 1 s behind an earlier line's; a trade id or bookTicker update id that does not
 *   increase (Binance numbers both in increasing order per symbol);
 * - times outside [2009-01-01, now + 1 day]; prices ≤ 0; trade quantities ≤ 0; depth and bookTicker quantities
 *   < 0 (0 removes a level); update ids < 0, `U > u`, USD-M `pu >= U`.
 */
export function parseBinance(paths: readonly string[], options: BinanceImportOptions = {}): BinanceImport {
  if (paths.length === 0) throw new DataError("INVALID_OPTION", "no input files", "pass one or more collector files (.gz)");
  const maxMs = Date.now() + FUTURE_SLACK_MS;
  const minNs = BigInt(MIN_EPOCH_MS) * 1_000_000n;
  const maxNs = BigInt(maxMs) * 1_000_000n;
  const notes: string[] = [];
  let t0 = performance.now();
  const read = paths.map((path) => readCollectorFile(path, maxMs));
  for (const f of read) if (read.some((g) => g !== f && basename(g.path) === basename(f.path))) f.label = f.path;
  const readS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const files = orderCollectorFiles(read, notes);
  const labels = new Map(files.map((f) => [f.path, f.label]));
  const labelOf = (path: string): string => labels.get(path) ?? basename(path);

  // Without a diff stream there is no book; the lines are still read first, so that a file which is not
  // collector output at all is named as such rather than as a stream without depth.
  const detected = files.find((f) => f.market !== undefined)?.market;
  const market: BinanceMarket = detected ?? "spot";
  const tickText = options.tick ?? DEFAULT_GRID[market].tick;
  const lotText = options.lot ?? DEFAULT_GRID[market].lot;
  const tick = parseGrid(tickText);
  const lot = parseGrid(lotText);
  if (!tick) throw new DataError("INVALID_OPTION", `--tick ${quoteInput(tickText)} is not a positive decimal`, "pass e.g. --tick 0.01");
  if (!lot) throw new DataError("INVALID_OPTION", `--lot ${quoteInput(lotText)} is not a positive decimal`, "pass e.g. --lot 0.00001");
  const spot = market === "spot";

  // Output columns.
  const depthCols = {
    tsNs: new Int64ColumnBuilder(1 << 16),
    exchangeTsNs: new Int64ColumnBuilder(1 << 16),
    side: new Uint8ColumnBuilder(1 << 16),
    priceTicks: new Int64ColumnBuilder(1 << 16),
    qtyLots: new Int64ColumnBuilder(1 << 16),
    isSnapshot: new Uint8ColumnBuilder(1 << 16),
    firstUpdateId: new Int64ColumnBuilder(1 << 16),
    lastUpdateId: new Int64ColumnBuilder(1 << 16),
    prevUpdateId: new Int64ColumnBuilder(1 << 16),
  };
  const tradeCols = {
    tsNs: new Int64ColumnBuilder(),
    exchangeTsNs: new Int64ColumnBuilder(),
    priceTicks: new Int64ColumnBuilder(),
    qtyLots: new Int64ColumnBuilder(),
    aggressorSide: new Uint8ColumnBuilder(),
    tradeId: new Int64ColumnBuilder(),
  };
  const bboCols = {
    tsNs: new Int64ColumnBuilder(),
    exchangeTsNs: new Int64ColumnBuilder(),
    updateId: new Int64ColumnBuilder(),
    bidPriceTicks: new Int64ColumnBuilder(),
    bidQtyLots: new Int64ColumnBuilder(),
    askPriceTicks: new Int64ColumnBuilder(),
    askQtyLots: new Int64ColumnBuilder(),
  };

  let symbol: string | undefined;
  let file = "";
  let lineNo = 0;
  const fail = (code: DataErrorCode, problem: string, fix: string): never => {
    throw new DataError(code, problem, fix, { file, line: lineNo });
  };
  const badField = (what: string, field: string, v: unknown, expected: string): never =>
    fail("BAD_JSON", `${what} lacks a valid "${field}" (${holds(v, expected)})`, "the line is corrupt or not from the hftbacktest collector; copy the file again");
  // Update ids and trade ids: whole numbers ≥ 0 (JSON numbers are exact up to 2^53, and Binance's ids are far below).
  const id = (o: Json, field: string, what: string): number => {
    const v = o[field];
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v !== "number" || !Number.isInteger(v)) return badField(what, field, v, "a whole number");
    return fail("OUT_OF_RANGE", `${what} "${field}" ${v} ${v < 0 ? "is negative: Binance's ids are ≥ 0" : "is beyond 2^53"}`, "the line is corrupt: copy the file again");
  };
  // Exchange times (E, T): milliseconds since the epoch in [2009-01-01, now + 1 day].
  const timeMs = (o: Json, field: string, what: string): number => {
    const v = o[field];
    if (typeof v === "number" && v >= MIN_EPOCH_MS && v <= maxMs && Number.isInteger(v)) return v;
    if (typeof v !== "number" || !Number.isInteger(v)) return badField(what, field, v, "a whole number of milliseconds");
    const where = !Number.isSafeInteger(v)
      ? "is beyond 2^53 (nanoseconds, not milliseconds?)"
      : v < MIN_EPOCH_MS
        ? `is ${isoMs(v)}, before 2009-01-01${v >= 1e9 && v < 1e11 ? " (seconds, not milliseconds?)" : ""}`
        : `is ${isoMs(v)}, more than 1 day in the future${v > 1e14 ? " (microseconds, not milliseconds?)" : ""}`;
    return fail("OUT_OF_RANGE", `${what} "${field}" ${v} ms ${where}: exchange times lie between 2009-01-01 and one day from now`, "the field is corrupt or in another unit: Binance sends E and T in milliseconds since the epoch");
  };
  const optionalTimeMs = (o: Json, field: string, what: string): number => (o[field] === undefined ? 0 : timeMs(o, field, what));
  // A decimal string as whole steps of `grid`, > 0 (`positive`) or ≥ 0.
  const steps = (v: unknown, grid: DecimalGrid, positive: boolean, what: string, name: string, field: string): number => {
    if (typeof v !== "string") return badField(what, field, v, "a decimal string");
    const n = decimalToSteps(v, grid);
    if (n !== undefined && (positive ? n > 0 : n >= 0)) return n;
    const isPrice = grid === tick;
    if (n !== undefined) {
      const rule = positive ? (isPrice ? "prices are > 0" : "traded quantities are > 0") : "depth and bookTicker quantities are ≥ 0 (0 removes a level)";
      return fail("OUT_OF_RANGE", `${what} ${name} ${quoteInput(v)} ${positive ? "is not > 0" : "is negative"}: ${rule}`, "the line is corrupt: copy the file again");
    }
    const { code, fault } = decimalFault(v, grid);
    const unit = isPrice ? `ticks of ${tick.text}` : `lots of ${lot.text}`;
    const problem = `${what} ${name} ${quoteInput(v)} ${fault === "is negative" && positive ? "is not > 0" : fault}${code === "OFF_GRID" ? ` of ${unit}` : fault === "is beyond 2^53" ? ` ${unit}` : ""}`;
    const fix =
      code === "OFF_GRID"
        ? isPrice
          ? `pass the instrument's tick with --tick (the ${market} default is ${DEFAULT_GRID[market].tick})`
          : `pass the instrument's lot with --lot (the ${market} default is ${DEFAULT_GRID[market].lot})`
        : fault === "is beyond 2^53"
          ? `the value is corrupt, or the ${isPrice ? "--tick" : "--lot"} is far too fine for it`
          : "the line was rewritten by a tool or is corrupt: use the collector's original file";
    return fail(code, problem, fix);
  };
  const checkSymbol = (s: string): void => {
    const upper = s.toUpperCase();
    // Binance symbols are letters and digits (BTCUSDT, 1000PEPEUSDT); anything else is a damaged stream name.
    if (!/^[A-Z0-9]{1,32}$/.test(upper)) fail("BAD_JSON", `stream symbol ${quoteInput(s)} is not a Binance symbol (1 to 32 letters and digits)`, "the line is corrupt or not from the hftbacktest collector; copy the file again");
    if (symbol === undefined) symbol = upper;
    else if (symbol !== upper) fail("MIXED_STREAMS", `symbol ${quoteInput(upper)} after ${quoteInput(symbol)}: one import holds one instrument`, "import each symbol's files separately");
  };

  // An id that must increase from record to record (trade ids; bookTicker update ids): refused where it does
  // not, as a file edited (same file) or files that repeat each other (the previous id in another file).
  interface Sequence {
    label: string;
    rule: string;
    id: number;
    file: string;
    line: number;
  }
  const advance = (seq: Sequence, next: number): void => {
    if (seq.line > 0 && next <= seq.id) {
      const verb = next === seq.id ? "repeats" : "goes back from";
      const sameFile = seq.file === file;
      const at = sameFile ? `line ${seq.line}` : `${labelOf(seq.file)}:${seq.line}`;
      const problem = `${seq.label} ${next} ${verb} ${seq.label} ${seq.id} at ${at}: ${seq.rule}`;
      if (sameFile) fail("TIME_DECREASES", problem, EDITED_FIX);
      fail("INPUT_ORDER", `${problem}; ${labelOf(file)} repeats records of ${labelOf(seq.file)}`, REPEATED_FIX);
    }
    seq.id = next;
    seq.file = file;
    seq.line = lineNo;
  };
  const tradeSeq: Sequence = { label: "trade id", rule: "Binance numbers a symbol's trades in increasing order", id: 0, file: "", line: 0 };
  const tickerSeq: Sequence = { label: "bookTicker update id", rule: "each bookTicker record carries a newer order-book update id than the last", id: 0, file: "", line: 0 };

  // Appends one level row per [price, qty] pair of `levels` (an array of 2-string arrays).
  const pushLevels = (levels: unknown, side: 0 | 1, tsNs: bigint, exchangeNs: bigint, snapshot: 0 | 1, first: number, last: number, prev: number, what: string, field: string): number => {
    if (!Array.isArray(levels)) return badField(what, field, levels, "a list of [price, quantity] pairs");
    for (const level of levels as unknown[]) {
      if (!Array.isArray(level) || typeof level[0] !== "string" || typeof level[1] !== "string") return badField(what, field, level, "a [price, quantity] pair of decimal strings");
      depthCols.tsNs.pushBigInt(tsNs);
      depthCols.exchangeTsNs.pushBigInt(exchangeNs);
      depthCols.side.push(side);
      depthCols.priceTicks.push(steps(level[0], tick, true, what, "price", field));
      depthCols.qtyLots.push(steps(level[1], lot, false, what, "quantity", field));
      depthCols.isSnapshot.push(snapshot);
      depthCols.firstUpdateId.push(first);
      depthCols.lastUpdateId.push(last);
      depthCols.prevUpdateId.push(prev);
    }
    return levels.length;
  };

  // ---- the sync rule ----
  type SyncState = "awaiting-snapshot" | "awaiting-bracket" | "live";
  let state: SyncState = "awaiting-snapshot";
  let snapshotId = 0;
  let prevLast = 0;
  let prevLastFile = "";
  let prevLastLine = 0;
  const buffered: DepthDiff[] = [];
  const snapshots: SnapshotRecord[] = [];
  const gaps: DepthGap[] = [];
  let diffEvents = 0;
  let droppedStale = 0;
  let droppedDuplicate = 0;
  let firstDuplicate = "";
  let bufferedBeforeSnapshot = 0;
  const clockOffsetsMs: number[] = [];

  const applyDiff = (diff: DepthDiff, gapRule: string | undefined, prevForGap: number): void => {
    if (gapRule !== undefined) {
      gaps.push({
        file: basename(diff.file),
        line: diff.line,
        row: depthCols.tsNs.length,
        tsNs: diff.tsNs.toString(),
        rule: gapRule,
        prevLastUpdateId: prevForGap,
        firstUpdateId: diff.firstId,
        lastUpdateId: diff.lastId,
        prevUpdateId: diff.prevId,
      });
    }
    const exchangeNs = BigInt(diff.eventMs) * 1_000_000n;
    const savedFile = file;
    const savedLine = lineNo;
    file = diff.file;
    lineNo = diff.line;
    pushLevels(diff.bids, 0, diff.tsNs, exchangeNs, 0, diff.firstId, diff.lastId, diff.prevId, "depth diff", "b");
    pushLevels(diff.asks, 1, diff.tsNs, exchangeNs, 0, diff.firstId, diff.lastId, diff.prevId, "depth diff", "a");
    file = savedFile;
    lineNo = savedLine;
    clockOffsetsMs.push(Number(diff.tsNs / 1_000_000n) - diff.eventMs);
    diffEvents++;
    prevLast = diff.lastId;
    prevLastFile = diff.file;
    prevLastLine = diff.line;
  };

  const onDiff = (diff: DepthDiff): void => {
    if (state === "awaiting-snapshot") {
      buffered.push(diff);
      return;
    }
    if (state === "awaiting-bracket") {
      const stale = spot ? diff.lastId <= snapshotId : diff.lastId < snapshotId;
      if (stale) {
        droppedStale++;
        return;
      }
      const target = spot ? snapshotId + 1 : snapshotId;
      const brackets = diff.firstId <= target && target <= diff.lastId;
      state = "live";
      applyDiff(diff, brackets ? undefined : spot ? "U <= lastUpdateId + 1 <= u (first diff after the snapshot)" : "U <= lastUpdateId <= u (first diff after the snapshot)", snapshotId);
      return;
    }
    if (diff.lastId <= prevLast) {
      // Within a file, a re-sent diff is harmless and dropped; one that repeats another file's means two
      // files hold the same part of the stream.
      if (diff.file !== prevLastFile) {
        throw new DataError(
          "INPUT_ORDER",
          `depth diff U ${diff.firstId} u ${diff.lastId} repeats update ids already applied from ${labelOf(prevLastFile)}:${prevLastLine} (u ${prevLast}); ${labelOf(diff.file)} repeats records of ${labelOf(prevLastFile)}`,
          REPEATED_FIX,
          { file: diff.file, line: diff.line },
        );
      }
      if (droppedDuplicate++ === 0) firstDuplicate = `${labelOf(diff.file)}:${diff.line}`;
      return;
    }
    const continues = spot ? diff.firstId === prevLast + 1 : diff.prevId === prevLast;
    applyDiff(diff, continues ? undefined : spot ? "U == prev u + 1" : "pu == prev u", prevLast);
  };

  const onSnapshot = (o: Json, tsNs: bigint): void => {
    const what = "REST depth snapshot";
    snapshotId = id(o, "lastUpdateId", what);
    const exchangeNs = BigInt(optionalTimeMs(o, "E", what)) * 1_000_000n;
    const row = depthCols.tsNs.length;
    const nb = pushLevels(o.bids, 0, tsNs, exchangeNs, 1, snapshotId, snapshotId, -1, what, "bids");
    const na = pushLevels(o.asks, 1, tsNs, exchangeNs, 1, snapshotId, snapshotId, -1, what, "asks");
    snapshots.push({ file: basename(file), line: lineNo, row, levels: nb + na, lastUpdateId: snapshotId, tsNs: tsNs.toString() });
    const wasAwaiting = state === "awaiting-snapshot";
    state = "awaiting-bracket";
    if (wasAwaiting) {
      bufferedBeforeSnapshot = buffered.length;
      for (const diff of buffered.splice(0)) onDiff(diff);
    }
  };

  const ignoredLines: Record<string, number> = {};
  let tradeIdGaps = 0;
  let skippedNaTrades = 0;
  let firstNaTrade = "";
  let lines = 0;
  // The latest receive time so far and where it was read (the receive clock may step back RECV_BACKSTEP_NS).
  let latestNs = 0n;
  let latestFile = "";
  let latestLine = 0;

  for (const input of files) {
    file = input.path;
    const text = input.text;
    lineNo = 0;
    let pos = 0;
    while (pos < text.length) {
      let eol = text.indexOf("\n", pos);
      if (eol < 0) eol = text.length;
      lineNo++;
      const line = text.slice(pos, eol);
      pos = eol + 1;
      if (line.trim() === "") continue;
      lines++;
      const space = line.indexOf(" ");
      const tsText = space > 0 ? line.slice(0, space) : "";
      if (!/^\d+$/.test(tsText)) {
        const { problem, fix } = notARecord(line);
        fail("BAD_JSON", problem, fix);
      }
      if (tsText.length > 19) fail("OUT_OF_RANGE", `receive time ${tsText} ns is beyond 64 bits (year 2262)`, COLLECTOR_FIX);
      const tsNs = BigInt(tsText);
      if (tsNs < minNs || tsNs > maxNs) {
        fail(
          "OUT_OF_RANGE",
          `receive time ${tsText} ns (${isoNs(tsNs)}) is ${tsNs < minNs ? "before 2009-01-01" : "more than 1 day in the future"}: receive times are nanoseconds since the epoch between 2009-01-01 and one day from now`,
          "the timestamp is corrupt or in another unit: the collector writes nanoseconds since 1970-01-01 UTC",
        );
      }
      if (tsNs + RECV_BACKSTEP_NS < latestNs) {
        const problem = `the receive time ${isoNs(tsNs)} is ${seconds(latestNs - tsNs)} s before`;
        const rule = `the collector stamps records as they arrive, so its clock goes back at most 1 s (a REST snapshot stamped in another task, a clock step)`;
        if (latestFile === file) fail("TIME_DECREASES", `${problem} line ${latestLine}'s (${isoNs(latestNs)}): ${rule}`, EDITED_FIX);
        fail("INPUT_ORDER", `${problem} ${labelOf(latestFile)}:${latestLine}'s (${isoNs(latestNs)}): the two files overlap in time`, REPEATED_FIX);
      }
      if (tsNs > latestNs) {
        latestNs = tsNs;
        latestFile = file;
        latestLine = lineNo;
      }
      const json = line.slice(space + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch (e) {
        // A last line without its newline that breaks off at its end: the copy stopped mid-record.
        const atEnd = /end of JSON input|Unterminated/i.test(String(e)) || Number(/at position (\d+)/.exec(String(e))?.[1] ?? -1) >= json.length - 1;
        const truncated = eol >= text.length && pos > text.length && atEnd;
        if (/\r(?!\s*$)/.test(json)) {
          return fail("BAD_JSON", `the line holds a carriage return (\\r) before its end: the file's lines end in CR alone, not LF (${describeJsonError(e, json, space + 1)})`, "convert the line endings to LF (e.g. tr '\\r' '\\n' < in > out)");
        }
        return fail(
          "BAD_JSON",
          truncated ? `the last line is cut short (${describeJsonError(e, json, space + 1)})` : describeJsonError(e, json, space + 1),
          truncated ? "the file is truncated: copy it again" : "the line is corrupt: copy the file again",
        );
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return fail("BAD_JSON", `the record ${quoteInput(json, 40)} is neither a combined-stream message ("stream") nor a REST snapshot ("lastUpdateId")`, COLLECTOR_FIX);
      }
      const msg = parsed as Json;
      const stream = msg.stream;
      if (typeof stream !== "string") {
        if (msg.lastUpdateId !== undefined) {
          onSnapshot(msg, tsNs);
          continue;
        }
        fail("BAD_JSON", `the record ${quoteInput(json, 40)} is neither a combined-stream message ("stream") nor a REST snapshot ("lastUpdateId")`, COLLECTOR_FIX);
      }
      const s = stream as string;
      const at = s.indexOf("@");
      const channel = at > 0 ? s.slice(at + 1) : "";
      const data = msg.data;
      if (typeof data !== "object" || data === null) return fail("BAD_JSON", `stream message without "data"`, "the line is corrupt: copy the file again");
      const o = data as Json;
      if (channel === "depth" || channel.startsWith("depth@")) {
        checkSymbol(s.slice(0, at));
        const hasPu = o.pu !== undefined;
        if (hasPu !== !spot) {
          fail("MIXED_STREAMS", `a ${hasPu ? "USD-M" : "spot"} depth diff in a ${spot ? "spot" : "USD-M"} stream`, "import spot and USD-M files separately");
        }
        const what = "depth diff";
        const eventMs = timeMs(o, "E", what);
        const firstId = id(o, "U", what);
        const lastId = id(o, "u", what);
        if (firstId > lastId) fail("OUT_OF_RANGE", `U ${firstId} > u ${lastId}: a diff's first update id is at most its last`, "the line is corrupt: copy the file again");
        const prevId = spot ? -1 : id(o, "pu", what);
        // USD-M: pu is the last update id of the previous event, so it precedes this event's first.
        if (!spot && prevId >= firstId) fail("OUT_OF_RANGE", `pu ${prevId} ≥ U ${firstId}: the previous event's last update id comes before this event's first`, "the line is corrupt: copy the file again");
        onDiff({ file, line: lineNo, tsNs, eventMs, firstId, lastId, prevId, bids: o.b, asks: o.a });
      } else if (channel === "trade") {
        checkSymbol(s.slice(0, at));
        const what = "trade";
        const tradeId = id(o, "t", what);
        const hadTrade = tradeSeq.line > 0;
        const prevId = tradeSeq.id;
        advance(tradeSeq, tradeId);
        if (hadTrade && tradeId !== prevId + 1) tradeIdGaps++;
        // USD-M sends placeholders with X "NA" and price and quantity "0" (hftbacktest issue #263): they take
        // a trade id but are no execution.
        if (!spot && o.X === "NA" && o.p !== undefined && decimalToSteps(String(o.p), tick) === 0 && decimalToSteps(String(o.q), lot) === 0) {
          if (skippedNaTrades++ === 0) firstNaTrade = `${labelOf(file)}:${lineNo}`;
          continue;
        }
        const exchangeMs = timeMs(o, "T", what);
        const priceTicks = steps(o.p, tick, true, what, "price", "p");
        const qtyLots = steps(o.q, lot, true, what, "quantity", "q");
        if (typeof o.m !== "boolean") badField(what, "m", o.m, "true or false");
        tradeCols.tsNs.pushBigInt(tsNs);
        tradeCols.exchangeTsNs.pushBigInt(BigInt(exchangeMs) * 1_000_000n);
        tradeCols.priceTicks.push(priceTicks);
        tradeCols.qtyLots.push(qtyLots);
        // m: the buyer is the maker, so the seller took liquidity.
        tradeCols.aggressorSide.push(o.m === true ? 1 : 0);
        tradeCols.tradeId.push(tradeId);
      } else if (channel === "bookTicker") {
        checkSymbol(s.slice(0, at));
        const what = "bookTicker";
        const updateId = id(o, "u", what);
        advance(tickerSeq, updateId);
        // Spot bookTicker records carry no time; USD-M ones carry E and T.
        bboCols.exchangeTsNs.pushBigInt(BigInt(optionalTimeMs(o, "E", what)) * 1_000_000n);
        bboCols.tsNs.pushBigInt(tsNs);
        bboCols.updateId.push(updateId);
        bboCols.bidPriceTicks.push(steps(o.b, tick, true, what, "bid price", "b"));
        bboCols.bidQtyLots.push(steps(o.B, lot, false, what, "bid quantity", "B"));
        bboCols.askPriceTicks.push(steps(o.a, tick, true, what, "ask price", "a"));
        bboCols.askQtyLots.push(steps(o.A, lot, false, what, "ask quantity", "A"));
      } else {
        // The name is stored in the metadata and printed by `data info`: keep it printable and short.
        const name = escapeControls(s).slice(0, 100);
        ignoredLines[name] = (ignoredLines[name] ?? 0) + 1;
      }
    }
  }

  if (detected === undefined) {
    const partial = files.map((f) => PARTIAL_STREAM.exec(f.text)).find((m) => m !== null);
    throw new DataError(
      "NO_SNAPSHOT",
      `no @depth diffs in ${files.map((f) => f.label).join(", ")}: no order book can be built` +
        (partial ? `; ${quoteInput(partial[1])} is a partial book depth stream (the top levels, resent whole), which has no update ids to synchronise` : ""),
      "pass the collector files that hold the depth diff stream (lines with \"stream\":\"<symbol>@depth@100ms\" or @depth@0ms)",
    );
  }
  if (snapshots.length === 0) {
    throw new DataError(
      "NO_SNAPSHOT",
      `no REST depth snapshot (a line with "lastUpdateId") in ${files.map((f) => f.label).join(", ")}; ${buffered.length} diffs wait for one`,
      "include the file that holds the collector's start-up snapshot (the first file of a recording)",
    );
  }
  if (symbol === undefined) throw new DataError("NO_SNAPSHOT", "no stream messages, so no symbol", COLLECTOR_FIX);
  if (droppedDuplicate > 0) {
    notes.push(`${droppedDuplicate} depth diff${droppedDuplicate === 1 ? "" : "s"} repeated update ids already applied and ${droppedDuplicate === 1 ? "was" : "were"} dropped (first at ${firstDuplicate})`);
  }
  if (skippedNaTrades > 0) {
    notes.push(`${skippedNaTrades} USD-M trade${skippedNaTrades === 1 ? "" : "s"} with X "NA" (price and quantity 0: no execution) skipped (first at ${firstNaTrade})`);
  }

  clockOffsetsMs.sort((a, b) => a - b);
  const median = clockOffsetsMs.length === 0 ? 0 : clockOffsetsMs[Math.floor(clockOffsetsMs.length / 2)];
  const binance: BinanceMeta = {
    market,
    snapshots,
    gaps,
    diffEvents,
    droppedStale,
    droppedDuplicate,
    bufferedBeforeSnapshot,
    tradeIdGaps,
    clockOffsetMsMedian: median,
    ignoredLines,
  };
  const common: Omit<DatasetMeta, "kind"> = {
    symbol,
    venue: `binance-${market}`,
    tickSize: tick.text,
    lotSize: lot.text,
    priceScale: tick.text,
    currency: quoteOf(symbol),
    sourceFiles: files.map((f) => escapeControls(basename(f.path))),
    sourceSha256: files.map((f) => f.sha256),
    importId: randomUUID(),
    createdAt: new Date().toISOString(),
    companions: {},
    binance,
  };
  const parseS = (performance.now() - t0) / 1000;
  const first = files[0].path;
  return {
    depth: {
      path: first,
      meta: { ...common, kind: "l2" },
      rows: depthCols.tsNs.length,
      columns: {
        tsNs: depthCols.tsNs.finish(),
        exchangeTsNs: depthCols.exchangeTsNs.finish(),
        side: depthCols.side.finish(),
        priceTicks: depthCols.priceTicks.finish(),
        qtyLots: depthCols.qtyLots.finish(),
        isSnapshot: depthCols.isSnapshot.finish(),
        firstUpdateId: depthCols.firstUpdateId.finish(),
        lastUpdateId: depthCols.lastUpdateId.finish(),
        prevUpdateId: depthCols.prevUpdateId.finish(),
      },
    },
    trades: {
      path: first,
      meta: { ...common, kind: "trades" },
      rows: tradeCols.tsNs.length,
      columns: {
        tsNs: tradeCols.tsNs.finish(),
        exchangeTsNs: tradeCols.exchangeTsNs.finish(),
        priceTicks: tradeCols.priceTicks.finish(),
        qtyLots: tradeCols.qtyLots.finish(),
        aggressorSide: tradeCols.aggressorSide.finish(),
        tradeId: tradeCols.tradeId.finish(),
      },
    },
    bbo: {
      path: first,
      meta: { ...common, kind: "bbo" },
      rows: bboCols.tsNs.length,
      columns: {
        tsNs: bboCols.tsNs.finish(),
        exchangeTsNs: bboCols.exchangeTsNs.finish(),
        updateId: bboCols.updateId.finish(),
        bidPriceTicks: bboCols.bidPriceTicks.finish(),
        bidQtyLots: bboCols.bidQtyLots.finish(),
        askPriceTicks: bboCols.askPriceTicks.finish(),
        askQtyLots: bboCols.askQtyLots.finish(),
      },
    },
    lines,
    sources: files.map((f) => f.path),
    timings: { readS, parseS },
    notes,
  };
}

/** The files of a Binance import: depth at `out`, `<stem>.trades.arrow`, `<stem>.bbo.arrow`. */
export function binanceOutputPaths(out: string): { depth: string; trades: string; bbo: string } {
  return { depth: out, trades: companionPath(out, "trades"), bbo: companionPath(out, "bbo") };
}

/** Writes a parsed import atomically; returns the paths written (depth first). */
export function writeBinance(imp: BinanceImport, out: string): string[] {
  const paths = binanceOutputPaths(out);
  const companions = { l2: basename(paths.depth), trades: basename(paths.trades), bbo: basename(paths.bbo) };
  const withCompanions = (meta: DatasetMeta): DatasetMeta => ({ ...meta, companions });
  writeFilesAtomically([
    { path: paths.depth, bytes: encodeFixedTable("l2", withCompanions(imp.depth.meta), imp.depth.columns) },
    { path: paths.trades, bytes: encodeFixedTable("trades", withCompanions(imp.trades.meta), imp.trades.columns) },
    { path: paths.bbo, bytes: encodeFixedTable("bbo", withCompanions(imp.bbo.meta), imp.bbo.columns) },
  ], { inputs: imp.sources });
  return [paths.depth, paths.trades, paths.bbo];
}

