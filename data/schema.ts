// The on-disk contract of Tranche's market data: one Arrow IPC file per table, the columns of each table kind,
// and the instrument metadata carried in the Arrow schema metadata. Importers write it, readers check it.
import { Field, Int64, Schema, Uint8, type DataType } from "apache-arrow";
import { DataError, quoteInput } from "./errors.js";

/**
 * Version tag written to every file (`format` metadata key); bumped on any incompatible change.
 * 2: every file carries `content_sha256`; LOBSTER files count `rounded_times`.
 */
export const FORMAT_VERSION = "tranche-data/2";

/**
 * The table kinds. One file holds exactly one kind; an import writes a main file and companions:
 *
 * - `l3`: LOBSTER messages (order-level events). Companion `book`.
 * - `book`: LOBSTER orderbook rows (the top N levels after each message), row i ↔ message i.
 * - `l2`: price-level depth events (Binance REST snapshots and `@depth` diffs). Companions `trades`, `bbo`.
 * - `trades`: the trade tape (Binance `@trade`).
 * - `bbo`: best bid/offer records with the exchange's update id (Binance `@bookTicker`).
 */
export type TableKind = "l3" | "book" | "l2" | "trades" | "bbo";
export const TABLE_KINDS: readonly TableKind[] = ["l3", "book", "l2", "trades", "bbo"];

/** L3 message types, LOBSTER's codes. */
export const MessageType = {
  /** A new limit order is added to the book. */
  Add: 1,
  /** Partial cancel: the order's size is reduced by `qty_lots`. */
  Reduce: 2,
  /** Full delete of the order (`qty_lots` is the size deleted). */
  Delete: 3,
  /** Execution against a visible resting order. */
  VisibleExecution: 4,
  /** Execution against a hidden order (`order_id` 0); the visible book is unchanged. */
  HiddenExecution: 5,
  /** Cross trade (auction); the visible book is unchanged. */
  Cross: 6,
  /** Trading halt marker; `price_raw`/`price_ticks` hold LOBSTER's code: -1 halt, 0 quoting resumes, 1 trading resumes. */
  Halt: 7,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Side codes used by every table: 0 bid/buy, 1 ask/sell. */
export const Side = { Bid: 0, Ask: 1 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/**
 * LOBSTER's empty-level sentinel, kept verbatim in the `book` table's price columns (size 0 alongside).
 * It is not divided by the tick: a real price is never this large, so compare against these values.
 */
export const BOOK_EMPTY_ASK_PRICE = 9999999999n;
/** See {@link BOOK_EMPTY_ASK_PRICE}. */
export const BOOK_EMPTY_BID_PRICE = -9999999999n;

// ---- columns --------------------------------------------------------------------------------------

/** Arrow column types used by Tranche: every column is a plain typed array with no nulls. */
export type ColumnType = "int64" | "uint8";

/** One column: its Arrow name, its TypeScript key, its type, and what it means. */
export interface ColumnSpec<K extends string = string> {
  readonly name: string;
  readonly key: K;
  readonly type: ColumnType;
  readonly doc: string;
}

/** The typed array a column type is read into. */
export type ColumnArray<T extends ColumnType> = T extends "int64" ? BigInt64Array : Uint8Array;

/** `l3`: LOBSTER messages, one row per message, in file order (timestamps never decrease). */
export interface L3Columns {
  /** Event time, ns since the Unix epoch, UTC (see the `timezone` metadata key for how it was converted). */
  tsNs: BigInt64Array;
  /** {@link MessageType}: 1 add, 2 reduce, 3 delete, 4 visible execution, 5 hidden execution, 6 cross, 7 halt. */
  type: Uint8Array;
  /** Exchange order reference; 0 for hidden executions and halts. */
  orderId: BigInt64Array;
  /** Side of the RESTING order (LOBSTER's direction): 0 bid (+1), 1 ask (−1). A type-4 on side 0 is a sell hitting a bid. */
  side: Uint8Array;
  /** Price in ticks (`price_raw / price_scale`); floor of it for the rare off-grid hidden/cross executions. */
  priceTicks: BigInt64Array;
  /** Size in lots (LOBSTER: shares). */
  qtyLots: BigInt64Array;
  /** Price exactly as LOBSTER gives it (USD × 10,000); differs from `priceTicks × price_scale` only off the grid. */
  priceRaw: BigInt64Array;
}

/** `l2`: depth events in the order they are applied: each snapshot's levels, then diffs level by level. */
export interface L2Columns {
  /** Local receive time, ns since the Unix epoch, UTC (collector clock). Steps back right after a snapshot. */
  tsNs: BigInt64Array;
  /** Exchange event time `E`, ns since the Unix epoch; 0 where the exchange gave none (spot REST snapshot). */
  exchangeTsNs: BigInt64Array;
  /** 0 bid, 1 ask. */
  side: Uint8Array;
  /** Level price in ticks. */
  priceTicks: BigInt64Array;
  /** New absolute quantity at the level, in lots; 0 removes the level. */
  qtyLots: BigInt64Array;
  /** 1 for a REST snapshot level (a snapshot replaces the whole book), 0 for a diff level. */
  isSnapshot: Uint8Array;
  /** Diff: first update id `U`. Snapshot: `lastUpdateId`. */
  firstUpdateId: BigInt64Array;
  /** Diff: last update id `u`. Snapshot: `lastUpdateId`. Rows of one event share it. */
  lastUpdateId: BigInt64Array;
  /** USD-M diff: `pu` (the previous event's `u`). Spot diffs and snapshots: -1. */
  prevUpdateId: BigInt64Array;
}

/** `trades`: one row per trade, in receive order. */
export interface TradeColumns {
  /** Local receive time, ns since the Unix epoch, UTC. */
  tsNs: BigInt64Array;
  /** Exchange trade time `T`, ns since the Unix epoch. */
  exchangeTsNs: BigInt64Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
  /** 0 buy-initiated (the buyer was the taker), 1 sell-initiated (Binance `m == true`). */
  aggressorSide: Uint8Array;
  /** Exchange trade id `t`. */
  tradeId: BigInt64Array;
}

/** `bbo`: best bid/offer records (Binance `@bookTicker`), in receive order. */
export interface BboColumns {
  /** Local receive time, ns since the Unix epoch, UTC. */
  tsNs: BigInt64Array;
  /** Exchange event time `E`, ns; 0 where the exchange gave none (spot). */
  exchangeTsNs: BigInt64Array;
  /** Order-book update id `u`: compare with the depth table's `last_update_id`. */
  updateId: BigInt64Array;
  bidPriceTicks: BigInt64Array;
  bidQtyLots: BigInt64Array;
  askPriceTicks: BigInt64Array;
  askQtyLots: BigInt64Array;
}

/**
 * `book`: LOBSTER orderbook rows; row i is the top-N book AFTER message i. Arrow columns are
 * `ask_price_1..N, ask_size_1..N, bid_price_1..N, bid_size_1..N` (Int64); here index L−1 holds level L.
 * Prices are ticks, sizes lots; empty levels keep LOBSTER's sentinel prices ({@link BOOK_EMPTY_ASK_PRICE},
 * {@link BOOK_EMPTY_BID_PRICE}) with size 0.
 */
export interface BookColumns {
  levels: number;
  askPriceTicks: BigInt64Array[];
  askQtyLots: BigInt64Array[];
  bidPriceTicks: BigInt64Array[];
  bidQtyLots: BigInt64Array[];
}

/** A table in memory: where it came from, its metadata, and its columns as typed arrays. */
export interface DataTable<C> {
  /** The file the columns were read from (for an import: the first source file). */
  path: string;
  meta: DatasetMeta;
  rows: number;
  columns: C;
}

/** The columns of each fixed-width kind (the `book` kind's columns depend on its level count). */
export interface FixedColumnsByKind {
  l3: L3Columns;
  l2: L2Columns;
  trades: TradeColumns;
  bbo: BboColumns;
}
export type FixedKind = keyof FixedColumnsByKind;

const i64 = "int64" as const;
const u8 = "uint8" as const;

/** Column order and meaning of every fixed-width kind; the Arrow schema is built from these. */
export const COLUMNS: { readonly [K in FixedKind]: readonly ColumnSpec<keyof FixedColumnsByKind[K] & string>[] } = {
  l3: [
    { name: "ts_ns", key: "tsNs", type: i64, doc: "event time, ns since epoch (UTC)" },
    { name: "type", key: "type", type: u8, doc: "1 add, 2 reduce, 3 delete, 4 visible exec, 5 hidden exec, 6 cross, 7 halt" },
    { name: "order_id", key: "orderId", type: i64, doc: "order reference, 0 for hidden" },
    { name: "side", key: "side", type: u8, doc: "side of the resting order: 0 bid, 1 ask" },
    { name: "price_ticks", key: "priceTicks", type: i64, doc: "price in ticks" },
    { name: "qty_lots", key: "qtyLots", type: i64, doc: "size in lots" },
    { name: "price_raw", key: "priceRaw", type: i64, doc: "price in source units (LOBSTER: USD x 10000)" },
  ],
  l2: [
    { name: "ts_ns", key: "tsNs", type: i64, doc: "local receive time, ns since epoch (UTC)" },
    { name: "exchange_ts_ns", key: "exchangeTsNs", type: i64, doc: "exchange event time E, ns; 0 if none" },
    { name: "side", key: "side", type: u8, doc: "0 bid, 1 ask" },
    { name: "price_ticks", key: "priceTicks", type: i64, doc: "level price in ticks" },
    { name: "qty_lots", key: "qtyLots", type: i64, doc: "new absolute quantity in lots, 0 removes" },
    { name: "is_snapshot", key: "isSnapshot", type: u8, doc: "1 REST snapshot level, 0 diff level" },
    { name: "first_update_id", key: "firstUpdateId", type: i64, doc: "U (snapshot: lastUpdateId)" },
    { name: "last_update_id", key: "lastUpdateId", type: i64, doc: "u (snapshot: lastUpdateId)" },
    { name: "prev_update_id", key: "prevUpdateId", type: i64, doc: "pu (USD-M), -1 otherwise" },
  ],
  trades: [
    { name: "ts_ns", key: "tsNs", type: i64, doc: "local receive time, ns since epoch (UTC)" },
    { name: "exchange_ts_ns", key: "exchangeTsNs", type: i64, doc: "exchange trade time T, ns" },
    { name: "price_ticks", key: "priceTicks", type: i64, doc: "price in ticks" },
    { name: "qty_lots", key: "qtyLots", type: i64, doc: "quantity in lots" },
    { name: "aggressor_side", key: "aggressorSide", type: u8, doc: "0 buy-initiated, 1 sell-initiated" },
    { name: "trade_id", key: "tradeId", type: i64, doc: "exchange trade id" },
  ],
  bbo: [
    { name: "ts_ns", key: "tsNs", type: i64, doc: "local receive time, ns since epoch (UTC)" },
    { name: "exchange_ts_ns", key: "exchangeTsNs", type: i64, doc: "exchange event time E, ns; 0 if none" },
    { name: "update_id", key: "updateId", type: i64, doc: "order-book update id u" },
    { name: "bid_price_ticks", key: "bidPriceTicks", type: i64, doc: "best bid price in ticks" },
    { name: "bid_qty_lots", key: "bidQtyLots", type: i64, doc: "best bid quantity in lots" },
    { name: "ask_price_ticks", key: "askPriceTicks", type: i64, doc: "best ask price in ticks" },
    { name: "ask_qty_lots", key: "askQtyLots", type: i64, doc: "best ask quantity in lots" },
  ],
};

/** The `book` kind's columns for N levels, in LOBSTER-grouped order (all ask prices, ask sizes, bid prices, bid sizes). */
export function bookColumnNames(levels: number): { askPrice: string[]; askSize: string[]; bidPrice: string[]; bidSize: string[] } {
  const names = (prefix: string) => Array.from({ length: levels }, (_, i) => `${prefix}_${i + 1}`);
  return { askPrice: names("ask_price"), askSize: names("ask_size"), bidPrice: names("bid_price"), bidSize: names("bid_size") };
}

export function arrowType(type: ColumnType): DataType {
  return type === "int64" ? new Int64() : new Uint8();
}

// ---- metadata -------------------------------------------------------------------------------------

/** LOBSTER-specific metadata (kinds `l3` and `book`). */
export interface LobsterMeta {
  /** Book levels N in the orderbook file (columns / 4). */
  levels: number;
  /** Trading date, YYYY-MM-DD. */
  date: string;
  /** IANA zone the seconds-after-midnight were read in before conversion to UTC ("UTC": taken as given). */
  timezone: string;
  /** UTC offset of that zone on that date, seconds (−14,400 for New York in summer). */
  utcOffsetSeconds: number;
  /** Hidden/cross executions whose price is off the tick grid (midpoint prints); exact value in `price_raw`. */
  offGridPrices: number;
  /** Timestamps written with more than 9 decimals (a float artefact of LOBSTER's writer), rounded to the ns. */
  roundedTimes: number;
}

/** Where a REST snapshot was applied in an `l2` table. */
export interface SnapshotRecord {
  file: string;
  line: number;
  /** First row of the snapshot's levels. */
  row: number;
  /** Number of level rows (bids + asks). */
  levels: number;
  lastUpdateId: number;
  /** Local receive time, ns since epoch, as a decimal string (too large for a JSON number). */
  tsNs: string;
}

/** A break in the depth-diff sequence: the book is unreliable from `row` until the next snapshot. */
export interface DepthGap {
  file: string;
  line: number;
  /** First row of the diff that broke the sequence (rows before it are consistent). */
  row: number;
  tsNs: string;
  /** The rule that failed, e.g. `U == prev u + 1` or `first diff brackets the snapshot`. */
  rule: string;
  /** `u` of the previous applied event (the snapshot's lastUpdateId after a snapshot). */
  prevLastUpdateId: number;
  firstUpdateId: number;
  lastUpdateId: number;
  /** `pu` for USD-M, -1 for spot. */
  prevUpdateId: number;
}

/** Binance-specific metadata (kinds `l2`, `trades`, `bbo`). */
export interface BinanceMeta {
  market: "spot" | "usdm";
  snapshots: SnapshotRecord[];
  gaps: DepthGap[];
  /** Diff events applied (messages, not level rows). */
  diffEvents: number;
  /** Diffs older than the snapshot, dropped by the sync rule. */
  droppedStale: number;
  /** Diffs already covered by an earlier diff (u ≤ previous u), dropped. */
  droppedDuplicate: number;
  /** Diffs received before the first snapshot and buffered (not dropped: applied if not stale). */
  bufferedBeforeSnapshot: number;
  /** Trades whose id is not the previous id + 1 (a trade-tape gap; does not affect the book). */
  tradeIdGaps: number;
  /** Median of local receive time − exchange time `E` over depth diffs, milliseconds (collector clock skew). */
  clockOffsetMsMedian: number;
  /** Lines of streams the importer does not use, by stream name. */
  ignoredLines: Record<string, number>;
}

/** Everything in a Tranche Arrow file's schema metadata. */
export interface DatasetMeta {
  kind: TableKind;
  symbol: string;
  venue: string;
  /** Quote currency per tick, decimal string ("0.01"). Price = price_ticks × tick_size. */
  tickSize: string;
  /** Base units per lot, decimal string ("1" share, "0.00001" BTC). Quantity = qty_lots × lot_size. */
  lotSize: string;
  /** Source price units per tick: LOBSTER "100" (prices are USD × 10,000), Binance the tick as a decimal string. */
  priceScale: string;
  currency: string;
  /** Input file names (base names) in the order they were read, and their SHA-256. */
  sourceFiles: string[];
  sourceSha256: string[];
  /** Shared by every file of one import, so readers can tell matching companions apart from stale ones. */
  importId: string;
  /** ISO time of the import. */
  createdAt: string;
  /** Companion files of the same import by kind, as base names in the same folder (`{ book: "x.book.arrow" }`). */
  companions: Partial<Record<TableKind, string>>;
  lobster?: LobsterMeta;
  binance?: BinanceMeta;
}

/** The Arrow metadata map of a dataset (flat keys; structured values as JSON). */
export function metaToArrow(meta: DatasetMeta): Map<string, string> {
  const m = encodeMeta(meta);
  // Never write what a reader would refuse: the metadata goes through the reader's schema on its way out.
  try {
    metaFromArrow(m, "(metadata being written)");
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    throw new DataError("INVALID_OPTION", `the import's metadata would not read back: ${e.message.replace(/\. Fix: .*$/s, "")}`, "check the --symbol, --date and --timezone options; report this if they are right");
  }
  return m;
}

function encodeMeta(meta: DatasetMeta): Map<string, string> {
  const m = new Map<string, string>([
    ["format", FORMAT_VERSION],
    ["kind", meta.kind],
    ["symbol", meta.symbol],
    ["venue", meta.venue],
    ["tick_size", meta.tickSize],
    ["lot_size", meta.lotSize],
    ["price_scale", meta.priceScale],
    ["currency", meta.currency],
    ["source_files", JSON.stringify(meta.sourceFiles)],
    ["source_sha256", JSON.stringify(meta.sourceSha256)],
    ["import_id", meta.importId],
    ["created_at", meta.createdAt],
    ["companions", JSON.stringify(meta.companions)],
  ]);
  if (meta.lobster) {
    m.set("lobster_levels", String(meta.lobster.levels));
    m.set("date", meta.lobster.date);
    m.set("timezone", meta.lobster.timezone);
    m.set("utc_offset_s", String(meta.lobster.utcOffsetSeconds));
    m.set("off_grid_prices", String(meta.lobster.offGridPrices));
    m.set("rounded_times", String(meta.lobster.roundedTimes));
  }
  if (meta.binance) {
    const b = meta.binance;
    m.set("market", b.market);
    m.set("snapshots", JSON.stringify(b.snapshots));
    m.set("gaps", JSON.stringify(b.gaps));
    m.set(
      "stats",
      JSON.stringify({
        diff_events: b.diffEvents,
        dropped_stale: b.droppedStale,
        dropped_duplicate: b.droppedDuplicate,
        buffered_before_snapshot: b.bufferedBeforeSnapshot,
        trade_id_gaps: b.tradeIdGaps,
        clock_offset_ms_median: b.clockOffsetMsMedian,
        ignored_lines: b.ignoredLines,
      }),
    );
  }
  return m;
}

// ---- reading metadata back: one schema, every key checked once ------------------------------------

const REIMPORT_FIX = "re-import the source files with `tranche data import-lobster` or `tranche data import-binance`";

/** A metadata value that breaks its key's rule. */
class MetaRule extends Error {}

/** One key's reader: takes the raw value (undefined if absent) and returns it typed, or throws {@link MetaRule}. */
type MetaReader<T> = (raw: string) => T;

const text =
  (max = 200): MetaReader<string> =>
  (raw) => {
    if (raw.length > max) throw new MetaRule(`is ${raw.length} characters long (at most ${max})`);
    if (/[\u0000-\u001f\u007f-\u009f]/.test(raw)) throw new MetaRule("contains control characters");
    return raw;
  };
const nonEmpty =
  (max = 200): MetaReader<string> =>
  (raw) => {
    if (raw === "") throw new MetaRule("is empty");
    return text(max)(raw);
  };
const integer =
  (min: number, max: number): MetaReader<number> =>
  (raw) => {
    const v = /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v < min || v > max) throw new MetaRule(`is not a whole number in [${min}, ${max}]`);
    return v;
  };
const decimalStep: MetaReader<string> = (raw) => {
  if (!/^\d{1,15}(\.\d{1,18})?$/.test(raw) || !/[1-9]/.test(raw)) throw new MetaRule("is not a positive decimal such as 0.01");
  return raw;
};
const isoTime: MetaReader<string> = (raw) => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(Date.parse(raw))) throw new MetaRule("is not an ISO 8601 time");
  return raw;
};
const calendarDate: MetaReader<string> = (raw) => {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(raw) && new Date(`${raw}T00:00:00Z`).toISOString().slice(0, 10) === raw;
  if (!ok) throw new MetaRule("is not a calendar date YYYY-MM-DD");
  return raw;
};
const timeZone: MetaReader<string> = (raw) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: raw });
  } catch {
    throw new MetaRule("is not an IANA time zone");
  }
  return raw;
};
const oneOf =
  <T extends string>(values: readonly T[]): MetaReader<T> =>
  (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new MetaRule(`is not one of ${values.join(", ")}`);
    return raw as T;
  };
const json =
  <T>(check: (v: unknown) => T): MetaReader<T> =>
  (raw) => {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new MetaRule("is not valid JSON");
    }
    return check(v);
  };

// Checks of parsed JSON values; each names what it expected.
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const arrayOf =
  <T>(item: (v: unknown, at: string) => T) =>
  (v: unknown): T[] => {
    if (!Array.isArray(v)) throw new MetaRule("is not a JSON array");
    return v.map((x, i) => item(x, `[${i}]`));
  };
const jsonString = (v: unknown, at = ""): string => {
  if (typeof v !== "string") throw new MetaRule(`${at} is not a string`);
  return text()(v);
};
const jsonInt = (v: unknown, at = "", min = 0): number => {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) throw new MetaRule(`${at} is not a whole number ≥ ${min}`);
  return v;
};
const fields = <T>(v: unknown, at: string, read: (o: Record<string, unknown>) => T): T => {
  if (!isRecord(v)) throw new MetaRule(`${at} is not a JSON object`);
  try {
    return read(v);
  } catch (e) {
    if (e instanceof MetaRule) throw new MetaRule(`${at}${e.message}`);
    throw e;
  }
};
/** A companion's file name: a base name in the same folder, never a path that could lead elsewhere. */
const baseName = (v: unknown, at: string): string => {
  const name = jsonString(v, at);
  if (!/^[^/\\]+\.arrow$/.test(name) || name.startsWith("..")) throw new MetaRule(`${at} ${JSON.stringify(name)} is not a .arrow file name in the same folder`);
  return name;
};
const companionsOf = (v: unknown): Partial<Record<TableKind, string>> => {
  if (!isRecord(v)) throw new MetaRule("is not a JSON object");
  const out: Partial<Record<TableKind, string>> = {};
  for (const [kind, name] of Object.entries(v)) {
    if (!(TABLE_KINDS as readonly string[]).includes(kind)) throw new MetaRule(`names an unknown kind ${JSON.stringify(kind)}`);
    out[kind as TableKind] = baseName(name, `.${kind}`);
  }
  return out;
};
const sha256Hex = (v: unknown, at: string): string => {
  const s = jsonString(v, at);
  if (!/^[0-9a-f]{64}$/.test(s)) throw new MetaRule(`${at} is not a hex SHA-256`);
  return s;
};
const nsText = (v: unknown, at: string): string => {
  const s = jsonString(v, at);
  if (!/^-?\d{1,19}$/.test(s)) throw new MetaRule(`${at} is not a nanosecond time`);
  return s;
};
const snapshotRecord = (v: unknown, at: string): SnapshotRecord =>
  fields(v, at, (o) => ({
    file: jsonString(o.file, ".file"),
    line: jsonInt(o.line, ".line", 1),
    row: jsonInt(o.row, ".row"),
    levels: jsonInt(o.levels, ".levels"),
    lastUpdateId: jsonInt(o.lastUpdateId, ".lastUpdateId"),
    tsNs: nsText(o.tsNs, ".tsNs"),
  }));
const depthGap = (v: unknown, at: string): DepthGap =>
  fields(v, at, (o) => ({
    file: jsonString(o.file, ".file"),
    line: jsonInt(o.line, ".line", 1),
    row: jsonInt(o.row, ".row"),
    tsNs: nsText(o.tsNs, ".tsNs"),
    rule: jsonString(o.rule, ".rule"),
    prevLastUpdateId: jsonInt(o.prevLastUpdateId, ".prevLastUpdateId"),
    firstUpdateId: jsonInt(o.firstUpdateId, ".firstUpdateId"),
    lastUpdateId: jsonInt(o.lastUpdateId, ".lastUpdateId"),
    prevUpdateId: jsonInt(o.prevUpdateId, ".prevUpdateId", -1),
  }));
type BinanceStats = Omit<BinanceMeta, "market" | "snapshots" | "gaps">;
const binanceStats = (v: unknown): BinanceStats =>
  fields(v, "", (o) => {
    const offset = o.clock_offset_ms_median;
    if (typeof offset !== "number" || !Number.isFinite(offset)) throw new MetaRule(".clock_offset_ms_median is not a number");
    const ignored = o.ignored_lines ?? {};
    if (!isRecord(ignored)) throw new MetaRule(".ignored_lines is not a JSON object");
    const ignoredLines: Record<string, number> = {};
    for (const [stream, n] of Object.entries(ignored)) ignoredLines[text()(stream)] = jsonInt(n, `.ignored_lines.${stream}`);
    return {
      diffEvents: jsonInt(o.diff_events, ".diff_events"),
      droppedStale: jsonInt(o.dropped_stale, ".dropped_stale"),
      droppedDuplicate: jsonInt(o.dropped_duplicate, ".dropped_duplicate"),
      bufferedBeforeSnapshot: jsonInt(o.buffered_before_snapshot, ".buffered_before_snapshot"),
      tradeIdGaps: jsonInt(o.trade_id_gaps, ".trade_id_gaps"),
      clockOffsetMsMedian: offset,
      ignoredLines,
    };
  });

/** Every metadata key a Tranche file may carry, with the rule its value must meet. */
const META_KEYS = {
  kind: oneOf(TABLE_KINDS),
  symbol: nonEmpty(64),
  venue: nonEmpty(64),
  tick_size: decimalStep,
  lot_size: decimalStep,
  price_scale: decimalStep,
  currency: text(16),
  source_files: json(arrayOf(jsonString)),
  source_sha256: json(arrayOf(sha256Hex)),
  import_id: nonEmpty(64),
  created_at: isoTime,
  companions: json(companionsOf),
  lobster_levels: integer(1, 10_000),
  date: calendarDate,
  timezone: timeZone,
  utc_offset_s: integer(-16 * 3600, 16 * 3600),
  off_grid_prices: integer(0, Number.MAX_SAFE_INTEGER),
  rounded_times: integer(0, Number.MAX_SAFE_INTEGER),
  market: oneOf(["spot", "usdm"] as const),
  snapshots: json(arrayOf(snapshotRecord)),
  gaps: json(arrayOf(depthGap)),
  stats: json(binanceStats),
} satisfies Record<string, MetaReader<unknown>>;
type MetaKey = keyof typeof META_KEYS;

/**
 * Parses and checks the metadata of a Tranche file through {@link META_KEYS}; `file` names it in errors.
 * Throws {@link DataError} `BAD_METADATA` naming the key, its value and the rule it breaks.
 */
export function metaFromArrow(map: ReadonlyMap<string, string>, file: string): DatasetMeta {
  const format = map.get("format");
  if (format === undefined) throw new DataError("BAD_METADATA", 'metadata key "format" is missing: not a Tranche data file', REIMPORT_FIX, { file });
  if (format !== FORMAT_VERSION) {
    const older = /^tranche-data\/\d+$/.test(format) && format < FORMAT_VERSION;
    throw new DataError("BAD_METADATA", `format is ${quoteInput(format)}, this build reads "${FORMAT_VERSION}"${older ? " (the file was written by an older Tranche)" : ""}`, REIMPORT_FIX, { file });
  }
  const get = <K extends MetaKey>(key: K): ReturnType<(typeof META_KEYS)[K]> => {
    const raw = map.get(key);
    if (raw === undefined) throw new DataError("BAD_METADATA", `metadata key "${key}" is missing`, REIMPORT_FIX, { file });
    try {
      return META_KEYS[key](raw) as ReturnType<(typeof META_KEYS)[K]>;
    } catch (e) {
      if (!(e instanceof MetaRule)) throw e;
      throw new DataError("BAD_METADATA", `metadata key "${key}" = ${quoteInput(raw, 60)}: the value ${e.message.trimStart()}`, REIMPORT_FIX, { file });
    }
  };
  const kind = get("kind");
  const meta: DatasetMeta = {
    kind,
    symbol: get("symbol"),
    venue: get("venue"),
    tickSize: get("tick_size"),
    lotSize: get("lot_size"),
    priceScale: get("price_scale"),
    currency: get("currency"),
    sourceFiles: get("source_files"),
    sourceSha256: get("source_sha256"),
    importId: get("import_id"),
    createdAt: get("created_at"),
    companions: get("companions"),
  };
  if (meta.sourceSha256.length !== meta.sourceFiles.length) {
    throw new DataError("BAD_METADATA", `${meta.sourceFiles.length} source files but ${meta.sourceSha256.length} checksums`, REIMPORT_FIX, { file });
  }
  if (kind === "l3" || kind === "book" || map.has("lobster_levels")) {
    meta.lobster = {
      levels: get("lobster_levels"),
      date: get("date"),
      timezone: get("timezone"),
      utcOffsetSeconds: get("utc_offset_s"),
      offGridPrices: get("off_grid_prices"),
      roundedTimes: get("rounded_times"),
    };
  }
  if (map.has("market")) meta.binance = { market: get("market"), snapshots: get("snapshots"), gaps: get("gaps"), ...get("stats") };
  return meta;
}

/** The Arrow schema of a fixed-width kind with its metadata. */
export function fixedSchema(kind: FixedKind, meta: DatasetMeta): Schema {
  const fields = COLUMNS[kind].map((c) => new Field(c.name, arrowType(c.type), false));
  return new Schema(fields, metaToArrow(meta));
}

/** The Arrow schema of a `book` table with N levels. */
export function bookSchema(levels: number, meta: DatasetMeta): Schema {
  const n = bookColumnNames(levels);
  const fields = [...n.askPrice, ...n.askSize, ...n.bidPrice, ...n.bidSize].map((name) => new Field(name, new Int64(), false));
  return new Schema(fields, metaToArrow(meta));
}
