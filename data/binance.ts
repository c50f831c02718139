// Binance raw-feed importer for the hftbacktest collector format (`<local_recv_ts_ns> <json>` per line):
// REST depth snapshots and `@depth` diffs become an `l2` table (synchronised by Binance's rule, gaps reported
// with their position), `@trade` a `trades` table and `@bookTicker` a `bbo` table.
import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { Int64ColumnBuilder, Uint8ColumnBuilder } from "./columns.js";
import { decimalToSteps, parseGrid } from "./decimal.js";
import { DataError } from "./errors.js";
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

/** Finds the market kind from the first depth diff: USD-M diffs carry `pu`, spot diffs do not. */
function detectMarket(texts: readonly { path: string; text: string }[]): BinanceMarket {
  for (const { text } of texts) {
    const at = text.indexOf("@depth");
    if (at < 0) continue;
    const eol = text.indexOf("\n", at);
    const line = text.slice(at, eol < 0 ? text.length : eol);
    return line.includes('"pu":') ? "usdm" : "spot";
  }
  throw new DataError(
    "NO_SNAPSHOT",
    `no @depth diffs in ${texts.map((t) => basename(t.path)).join(", ")}: no order book can be built`,
    "pass the collector files that hold the depth stream (lines with \"stream\":\"<symbol>@depth...\")",
  );
}

function quoteOf(symbol: string): string {
  return QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length) ?? "";
}

/**
 * Reads collector files in order as one stream and applies Binance's order-book sync rule:
 *
 * - diffs received before the first REST snapshot are buffered, then handled after it;
 * - diffs already contained in the snapshot are dropped: spot `u <= lastUpdateId`, USD-M `u < lastUpdateId`;
 * - the first diff applied must bracket the snapshot: spot `U <= lastUpdateId + 1 <= u`,
 *   USD-M `U <= lastUpdateId <= u`;
 * - every later diff must continue the previous one: spot `U == prev u + 1`, USD-M `pu == prev u`;
 *   a diff with `u <= prev u` is a duplicate and is dropped.
 *
 * A break in either rule is recorded as a {@link DepthGap} (file, line, update ids, depth row) and the diff is
 * still written: the book is unreliable from that row until the next snapshot. A later snapshot replaces the
 * book and restarts the rule. Sources: Binance "How to manage a local order book correctly" (spot and USD-M
 * WebSocket docs); the hftbacktest collector's file format.
 */
export function parseBinance(paths: readonly string[], options: BinanceImportOptions = {}): BinanceImport {
  if (paths.length === 0) throw new DataError("INVALID_OPTION", "no input files", "pass one or more collector files (.gz) in time order");
  let t0 = performance.now();
  const texts = paths.map((path) => {
    const src = readSource(path, "collector file");
    return { path, sha256: src.sha256, text: Buffer.from(src.bytes.buffer, src.bytes.byteOffset, src.bytes.length).toString("utf8") };
  });
  const readS = (performance.now() - t0) / 1000;
  t0 = performance.now();

  const market = detectMarket(texts);
  const tickText = options.tick ?? DEFAULT_GRID[market].tick;
  const lotText = options.lot ?? DEFAULT_GRID[market].lot;
  const tick = parseGrid(tickText);
  const lot = parseGrid(lotText);
  if (!tick) throw new DataError("INVALID_OPTION", `--tick "${tickText}" is not a positive decimal`, 'pass e.g. --tick 0.01');
  if (!lot) throw new DataError("INVALID_OPTION", `--lot "${lotText}" is not a positive decimal`, 'pass e.g. --lot 0.00001');
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
  const fail = (code: "BAD_JSON" | "OFF_GRID" | "MIXED_STREAMS", problem: string, fix: string): never => {
    throw new DataError(code, problem, fix, { file, line: lineNo });
  };
  const badField = (what: string, field: string): never =>
    fail("BAD_JSON", `${what} lacks a valid "${field}"`, "the line is corrupt or not from the hftbacktest collector; copy the file again");
  const num = (o: Json, field: string, what: string): number => {
    const v = o[field];
    return typeof v === "number" && Number.isSafeInteger(v) ? v : badField(what, field);
  };
  const str = (o: Json, field: string, what: string): string => {
    const v = o[field];
    return typeof v === "string" ? v : badField(what, field);
  };
  const ticks = (s: string): number =>
    decimalToSteps(s, tick) ??
    fail("OFF_GRID", `price "${s}" is not a whole number of ticks of ${tick.text}`, `pass the instrument's tick with --tick (the ${market} default is ${DEFAULT_GRID[market].tick})`);
  const lots = (s: string): number =>
    decimalToSteps(s, lot) ??
    fail("OFF_GRID", `quantity "${s}" is not a whole number of lots of ${lot.text}`, `pass the instrument's lot with --lot (the ${market} default is ${DEFAULT_GRID[market].lot})`);
  const checkSymbol = (s: string): void => {
    const upper = s.toUpperCase();
    if (symbol === undefined) symbol = upper;
    else if (symbol !== upper) fail("MIXED_STREAMS", `symbol ${upper} after ${symbol}: one import holds one instrument`, "import each symbol's files separately");
  };

  // Appends one level row per [price, qty] pair of `levels` (an array of 2-string arrays).
  const pushLevels = (levels: unknown, side: 0 | 1, tsNs: bigint, exchangeNs: bigint, snapshot: 0 | 1, first: number, last: number, prev: number, what: string): number => {
    if (!Array.isArray(levels)) return badField(what, side === 0 ? "b/bids" : "a/asks");
    for (const level of levels as unknown[]) {
      if (!Array.isArray(level) || typeof level[0] !== "string" || typeof level[1] !== "string") return badField(what, "[price, qty] level");
      depthCols.tsNs.pushBigInt(tsNs);
      depthCols.exchangeTsNs.pushBigInt(exchangeNs);
      depthCols.side.push(side);
      depthCols.priceTicks.push(ticks(level[0]));
      depthCols.qtyLots.push(lots(level[1]));
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
  const buffered: DepthDiff[] = [];
  const snapshots: SnapshotRecord[] = [];
  const gaps: DepthGap[] = [];
  let diffEvents = 0;
  let droppedStale = 0;
  let droppedDuplicate = 0;
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
    pushLevels(diff.bids, 0, diff.tsNs, exchangeNs, 0, diff.firstId, diff.lastId, diff.prevId, "depth diff");
    pushLevels(diff.asks, 1, diff.tsNs, exchangeNs, 0, diff.firstId, diff.lastId, diff.prevId, "depth diff");
    file = savedFile;
    lineNo = savedLine;
    clockOffsetsMs.push(Number(diff.tsNs / 1_000_000n) - diff.eventMs);
    diffEvents++;
    prevLast = diff.lastId;
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
      droppedDuplicate++;
      return;
    }
    const continues = spot ? diff.firstId === prevLast + 1 : diff.prevId === prevLast;
    applyDiff(diff, continues ? undefined : spot ? "U == prev u + 1" : "pu == prev u", prevLast);
  };

  const onSnapshot = (o: Json, tsNs: bigint): void => {
    const what = "REST depth snapshot";
    snapshotId = num(o, "lastUpdateId", what);
    const eventMs = typeof o.E === "number" ? o.E : 0;
    const exchangeNs = BigInt(eventMs) * 1_000_000n;
    const row = depthCols.tsNs.length;
    const nb = pushLevels(o.bids, 0, tsNs, exchangeNs, 1, snapshotId, snapshotId, -1, what);
    const na = pushLevels(o.asks, 1, tsNs, exchangeNs, 1, snapshotId, snapshotId, -1, what);
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
  let prevTradeId: number | undefined;
  let lines = 0;

  for (const input of texts) {
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
      if (!/^\d{1,19}$/.test(tsText)) {
        fail("BAD_JSON", `expected "<local_recv_ts_ns> <json>", got "${line.slice(0, 60)}"`, "pass hftbacktest collector files (one `<ns> <json>` record per line)");
      }
      const tsNs = BigInt(tsText);
      let msg: Json;
      try {
        msg = JSON.parse(line.slice(space + 1)) as Json;
      } catch (e) {
        const truncated = eol >= text.length && pos > text.length;
        return fail(
          "BAD_JSON",
          `${truncated ? "the last line is cut short" : "invalid JSON"} (${(e as Error).message})`,
          truncated ? "the file is truncated: copy it again" : "the line is corrupt: copy the file again",
        );
      }
      const stream = msg.stream;
      if (typeof stream !== "string") {
        if (typeof msg.lastUpdateId === "number") {
          onSnapshot(msg, tsNs);
          continue;
        }
        fail("BAD_JSON", 'a line that is neither a combined-stream message ("stream") nor a REST snapshot ("lastUpdateId")', "pass hftbacktest collector files");
      }
      const s = stream as string;
      const at = s.indexOf("@");
      const channel = s.slice(at + 1);
      const data = msg.data;
      if (typeof data !== "object" || data === null) return fail("BAD_JSON", `stream message without "data"`, "the line is corrupt: copy the file again");
      const o = data as Json;
      if (channel.startsWith("depth")) {
        checkSymbol(s.slice(0, at));
        const hasPu = typeof o.pu === "number";
        if (hasPu !== !spot) {
          fail("MIXED_STREAMS", `a ${hasPu ? "USD-M" : "spot"} depth diff in a ${market} stream`, "import spot and USD-M files separately");
        }
        const what = "depth diff";
        onDiff({
          file,
          line: lineNo,
          tsNs,
          eventMs: num(o, "E", what),
          firstId: num(o, "U", what),
          lastId: num(o, "u", what),
          prevId: spot ? -1 : num(o, "pu", what),
          bids: o.b,
          asks: o.a,
        });
      } else if (channel === "trade") {
        checkSymbol(s.slice(0, at));
        const what = "trade";
        const id = num(o, "t", what);
        if (prevTradeId !== undefined && id !== prevTradeId + 1) tradeIdGaps++;
        prevTradeId = id;
        tradeCols.tsNs.pushBigInt(tsNs);
        tradeCols.exchangeTsNs.pushBigInt(BigInt(num(o, "T", what)) * 1_000_000n);
        tradeCols.priceTicks.push(ticks(str(o, "p", what)));
        tradeCols.qtyLots.push(lots(str(o, "q", what)));
        if (typeof o.m !== "boolean") badField(what, "m");
        // m: the buyer is the maker, so the seller took liquidity.
        tradeCols.aggressorSide.push(o.m === true ? 1 : 0);
        tradeCols.tradeId.push(id);
      } else if (channel === "bookTicker") {
        checkSymbol(s.slice(0, at));
        const what = "bookTicker";
        bboCols.tsNs.pushBigInt(tsNs);
        bboCols.exchangeTsNs.pushBigInt(typeof o.E === "number" ? BigInt(o.E) * 1_000_000n : 0n);
        bboCols.updateId.push(num(o, "u", what));
        bboCols.bidPriceTicks.push(ticks(str(o, "b", what)));
        bboCols.bidQtyLots.push(lots(str(o, "B", what)));
        bboCols.askPriceTicks.push(ticks(str(o, "a", what)));
        bboCols.askQtyLots.push(lots(str(o, "A", what)));
      } else {
        ignoredLines[s] = (ignoredLines[s] ?? 0) + 1;
      }
    }
  }

  if (snapshots.length === 0) {
    throw new DataError(
      "NO_SNAPSHOT",
      `no REST depth snapshot (a line with "lastUpdateId") in ${paths.map((p) => basename(p)).join(", ")}; ${buffered.length} diffs wait for one`,
      "put the file that holds the collector's start-up snapshot first (it is in the first file of a recording)",
    );
  }
  if (symbol === undefined) throw new DataError("NO_SNAPSHOT", "no stream messages, so no symbol", "pass hftbacktest collector files");

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
    sourceFiles: texts.map((t) => basename(t.path)),
    sourceSha256: texts.map((t) => t.sha256),
    importId: randomUUID(),
    createdAt: new Date().toISOString(),
    companions: {},
    binance,
  };
  const parseS = (performance.now() - t0) / 1000;
  const first = paths[0];
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
    timings: { readS, parseS },
    notes: [],
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
  ]);
  return [paths.depth, paths.trades, paths.bbo];
}

