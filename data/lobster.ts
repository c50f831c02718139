// LOBSTER importer: the message CSV (order-level events) and the orderbook CSV (top N levels after each
// message) become an `l3` table and a `book` table. Lines are parsed byte by byte into preallocated typed
// arrays (no per-row objects): a full NASDAQ day of a liquid stock is a fraction of a second.
import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { int64Column, setInt64 } from "./columns.js";
import { DataError } from "./errors.js";
import { companionPath } from "./paths.js";
import {
  BOOK_EMPTY_ASK_PRICE,
  BOOK_EMPTY_BID_PRICE,
  bookSchema,
  type BookColumns,
  type DataTable,
  type DatasetMeta,
  type L3Columns,
  type LobsterMeta,
} from "./schema.js";
import { readSource, type SourceBytes } from "./source.js";
import { encodeArrowFile, encodeFixedTable, writeFilesAtomically, type ColumnValues } from "./writer.js";

/** Options of {@link parseLobster}. */
export interface LobsterImportOptions {
  /** Tick in LOBSTER price units (USD × 10,000). Default 100 = $0.01, the NASDAQ tick for prices ≥ $1. */
  tick?: number;
  /** Trading date YYYY-MM-DD. Default: the date in the file name (`GOOG_2012-06-21_34200000_...`). */
  date?: string;
  /**
   * IANA zone of LOBSTER's seconds after midnight. Default "America/New_York" (NASDAQ); the timestamps are
   * converted to UTC with that zone's offset on `date`. "UTC" takes the clock as given.
   */
  timezone?: string;
  /** Instrument symbol. Default: the ticker in the file name. */
  symbol?: string;
}

/** Outcome of a replay verification of an import (supplied by the native engine). */
export interface VerifyReport {
  /** True if the replayed book equals the orderbook file wherever the rule says it must. */
  ok: boolean;
  /** Orderbook rows compared. */
  rowsChecked: number;
  /** Rows where the replay and the file differ. */
  mismatches: number;
  /** First differing row, if any. */
  firstMismatchRow?: number;
  /** One line for the CLI. */
  summary: string;
}

/** Replays the messages from the book and compares with every orderbook row (wired in by the native engine). */
export type LobsterVerifier = (messages: DataTable<L3Columns>, book: DataTable<BookColumns>) => VerifyReport;

/** A parsed LOBSTER pair, in memory, as it will be written. */
export interface LobsterImport {
  messages: DataTable<L3Columns>;
  book: DataTable<BookColumns>;
  /** Seconds spent reading+decompressing+parsing each file. */
  timings: { messagesS: number; bookS: number };
  /** What the import accepted but a user should know (one line each; the CLI prints them as notes). */
  notes: string[];
}

const DEFAULT_TICK = 100;
const DEFAULT_TIMEZONE = "America/New_York";
const ASK_EMPTY = Number(BOOK_EMPTY_ASK_PRICE);
const BID_EMPTY = Number(BOOK_EMPTY_BID_PRICE);

/** What a LOBSTER file name says: `TICKER_YYYY-MM-DD_START_END_{message|orderbook}_LEVELS.csv[.gz]`. */
export interface LobsterFileName {
  symbol: string;
  date: string;
  startMs: number;
  endMs: number;
  file: "message" | "orderbook";
  levels: number;
}

/** Reads LOBSTER's file naming; undefined for any other name. */
export function parseLobsterFileName(path: string): LobsterFileName | undefined {
  const m = /^(.+?)_(\d{4}-\d{2}-\d{2})_(\d+)_(\d+)_(message|orderbook)_(\d+)\.csv(?:\.gz)?$/.exec(basename(path));
  if (!m) return undefined;
  return { symbol: m[1], date: m[2], startMs: Number(m[3]), endMs: Number(m[4]), file: m[5] as "message" | "orderbook", levels: Number(m[6]) };
}

// ---- byte-level CSV scanning ----------------------------------------------------------------------

const COMMA = 44;
const LF = 10;
const CR = 13;
const MINUS = 45;
const DOT = 46;

/** A cursor over the lines of one CSV file that parses integer fields in place and names the line on error. */
class CsvCursor {
  pos = 0;
  line = 0;
  lineStart = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    readonly what: string,
    readonly expectedColumns: number,
  ) {}

  /** Moves to the next non-empty line; false at the end. Skips one header line at the top if there is one. */
  nextLine(): boolean {
    const b = this.bytes;
    const n = b.length;
    for (;;) {
      if (this.pos >= n) return false;
      this.line++;
      this.lineStart = this.pos;
      const c = b[this.pos];
      if (c === LF || c === CR) {
        // An empty line is allowed only as trailing whitespace at the end of the file.
        let p = this.pos;
        while (p < n && (b[p] === LF || b[p] === CR || b[p] === 32)) p++;
        if (p >= n) return false;
        this.fail("BAD_ROW", "empty line inside the file", "remove the empty line; LOBSTER files have one record per line");
      }
      if (this.line === 1 && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
        // A header line (LOBSTER writes none, but spreadsheets add one): skip it.
        const eol = b.indexOf(LF, this.pos);
        this.pos = eol < 0 ? n : eol + 1;
        continue;
      }
      return true;
    }
  }

  /** Parses an integer field; `last` says it must end the line, otherwise a comma must follow. */
  int(column: string, last: boolean): number {
    const b = this.bytes;
    const n = b.length;
    let p = this.pos;
    let negative = false;
    if (p < n && b[p] === MINUS) {
      negative = true;
      p++;
    }
    const start = p;
    let v = 0;
    while (p < n) {
      const c = b[p];
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      p++;
    }
    if (p === start) this.badField(column, "is not an integer");
    if (p - start > 15) this.badField(column, "has more than 15 digits");
    this.pos = p;
    this.endField(column, last, "is not an integer");
    return negative ? -v : v;
  }

  /** Parses LOBSTER's seconds after midnight (up to 9 decimals) exactly into nanoseconds after midnight. */
  secondsAsNs(column: string): number {
    const b = this.bytes;
    const n = b.length;
    let p = this.pos;
    const start = p;
    let seconds = 0;
    while (p < n && b[p] >= 48 && b[p] <= 57) seconds = seconds * 10 + (b[p++] - 48);
    const intDigits = p - start;
    let frac = 0;
    let fracDigits = 0;
    if (p < n && b[p] === DOT) {
      p++;
      while (p < n && b[p] >= 48 && b[p] <= 57) {
        frac = frac * 10 + (b[p++] - 48);
        fracDigits++;
      }
    }
    const notTime = "is not seconds after midnight (digits, then optionally '.' and up to 9 decimals)";
    if (intDigits === 0 || intDigits > 6) this.badField(column, notTime);
    if (fracDigits > 9) this.badField(column, "has more than 9 decimals (finer than a nanosecond)");
    this.pos = p;
    this.endField(column, false, notTime);
    // Exact: seconds < 10^6 and frac < 10^9 keep the sum below 2^53.
    return seconds * 1e9 + frac * 10 ** (9 - fracDigits);
  }

  /** Consumes the delimiter after a field: a comma, or (for the last field) the end of the line. */
  private endField(column: string, last: boolean, notWhat: string): void {
    const b = this.bytes;
    const n = b.length;
    let p = this.pos;
    const c = p < n ? b[p] : LF;
    if (c === COMMA) {
      if (last) {
        this.fail("BAD_ROW", `line has ${this.columnsOnLine()} columns, expected ${this.expectedColumns}`, "the file is corrupt or mixes files of different level counts; copy it again");
      }
      this.pos = p + 1;
      return;
    }
    if (c === LF || c === CR) {
      if (!last) {
        this.fail("BAD_ROW", `line has ${this.columnsOnLine()} columns, expected ${this.expectedColumns}`, "the line is truncated or the file is corrupt; copy it again");
      }
      if (c === CR) p++;
      if (p < n && b[p] === LF) p++;
      this.pos = p;
      return;
    }
    this.badField(column, notWhat);
  }

  /** The current line's text (up to 160 characters), for messages. */
  lineText(): string {
    const b = this.bytes;
    let end = b.indexOf(LF, this.lineStart);
    if (end < 0) end = b.length;
    if (end > this.lineStart && b[end - 1] === CR) end--;
    const text = Buffer.from(b.buffer, b.byteOffset + this.lineStart, Math.min(end - this.lineStart, 160)).toString("latin1");
    return end - this.lineStart > 160 ? text + "…" : text;
  }

  columnsOnLine(): number {
    const text = this.lineText();
    return text.split(",").length;
  }

  fieldText(): string {
    const b = this.bytes;
    let p = this.pos;
    const start = this.lineStart;
    // Back up to the start of the current field.
    while (p > start && b[p - 1] !== COMMA) p--;
    let end = p;
    while (end < b.length && b[end] !== COMMA && b[end] !== LF && b[end] !== CR) end++;
    return Buffer.from(b.buffer, b.byteOffset + p, Math.min(end - p, 40)).toString("latin1");
  }

  badField(column: string, problem: string): never {
    return this.fail("BAD_ROW", `${column} "${this.fieldText()}" ${problem}`, "the file is corrupt or not a LOBSTER file; copy it again from the source");
  }

  fail(code: "BAD_ROW" | "OFF_GRID" | "TIME_DECREASES", problem: string, fix: string): never {
    throw new DataError(code, `${this.what} line ${this.line}: ${problem} (line: "${this.lineText()}")`, fix, { file: this.file, line: this.line });
  }
}

/** Upper bound on data lines: newline count, plus one for a last line without a newline. */
function maxLines(bytes: Uint8Array): number {
  let count = 0;
  let p = bytes.indexOf(LF);
  while (p >= 0) {
    count++;
    p = bytes.indexOf(LF, p + 1);
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] !== LF) count++;
  return count;
}

// ---- message file ---------------------------------------------------------------------------------

interface ParsedMessages {
  rows: number;
  localNs: Float64Array;
  columns: Omit<L3Columns, "tsNs">;
  offGrid: number;
}

function parseMessageFile(src: SourceBytes, tick: number): ParsedMessages {
  const cap = maxLines(src.bytes);
  const localNs = new Float64Array(cap);
  const type = new Uint8Array(cap);
  const side = new Uint8Array(cap);
  const orderId = int64Column(cap);
  const priceTicks = int64Column(cap);
  const qtyLots = int64Column(cap);
  const priceRaw = int64Column(cap);
  const cur = new CsvCursor(src.bytes, src.path, "message file", 6);
  let rows = 0;
  let offGrid = 0;
  let prevNs = -1;
  while (cur.nextLine()) {
    const ns = cur.secondsAsNs("time (column 1)");
    const t = cur.int("type (column 2)", false);
    const id = cur.int("order_id (column 3)", false);
    const size = cur.int("size (column 4)", false);
    const price = cur.int("price (column 5)", false);
    const direction = cur.int("direction (column 6)", true);
    if (t < 1 || t > 7) cur.fail("BAD_ROW", `type ${t} is not a LOBSTER message type (1..7)`, "the file is corrupt or not a LOBSTER message file");
    if (direction !== 1 && direction !== -1) cur.fail("BAD_ROW", `direction ${direction} is neither 1 (buy) nor -1 (sell)`, "the file is corrupt or not a LOBSTER message file");
    if (id < 0 || size < 0) cur.fail("BAD_ROW", "order_id and size must not be negative", "the file is corrupt or not a LOBSTER message file");
    if (ns < prevNs) {
      cur.fail("TIME_DECREASES", `time goes back from the previous line (${prevNs} ns → ${ns} ns after midnight)`, "LOBSTER message files are sorted by time: the file is corrupt or was concatenated out of order");
    }
    prevNs = ns;
    let ticks = price;
    if (t !== 7) {
      const rem = price % tick;
      if (rem !== 0) {
        // Hidden and cross executions may print between ticks (midpoint executions): keep them, floored.
        if (t !== 5 && t !== 6) {
          cur.fail("OFF_GRID", `price ${price} is not a multiple of the tick ${tick}`, `pass the instrument's tick in LOBSTER units (USD × 10,000) with --tick (e.g. --tick 1 for $0.0001)`);
        }
        offGrid++;
      }
      ticks = Math.floor(price / tick);
    }
    localNs[rows] = ns;
    type[rows] = t;
    side[rows] = direction === 1 ? 0 : 1;
    setInt64(orderId.words, rows, id);
    setInt64(priceTicks.words, rows, ticks);
    setInt64(qtyLots.words, rows, size);
    setInt64(priceRaw.words, rows, price);
    rows++;
  }
  const fit = <T extends Float64Array | Uint8Array | BigInt64Array>(a: T): T => (rows === cap ? a : (a.slice(0, rows) as T));
  return {
    rows,
    localNs: fit(localNs),
    offGrid,
    columns: {
      type: fit(type),
      orderId: fit(orderId.values),
      side: fit(side),
      priceTicks: fit(priceTicks.values),
      qtyLots: fit(qtyLots.values),
      priceRaw: fit(priceRaw.values),
    },
  };
}

// ---- orderbook file -------------------------------------------------------------------------------

function countColumns(bytes: Uint8Array): number {
  let p = 0;
  // Skip a header line, as CsvCursor does.
  if (bytes.length > 0 && ((bytes[0] >= 65 && bytes[0] <= 90) || (bytes[0] >= 97 && bytes[0] <= 122))) {
    const eol = bytes.indexOf(LF);
    p = eol < 0 ? bytes.length : eol + 1;
  }
  let columns = 1;
  for (; p < bytes.length && bytes[p] !== LF && bytes[p] !== CR; p++) if (bytes[p] === COMMA) columns++;
  return columns;
}

function parseBookFile(src: SourceBytes, tick: number): { rows: number; columns: BookColumns } {
  const width = countColumns(src.bytes);
  if (width % 4 !== 0) {
    throw new DataError(
      "BAD_ROW",
      `orderbook file line 1 has ${width} columns; LOBSTER orderbook lines have 4 per level (ask price, ask size, bid price, bid size)`,
      "check that this is the orderbook file and not the message file",
      { file: src.path, line: 1 },
    );
  }
  const levels = width / 4;
  const cap = maxLines(src.bytes);
  // Field j of a line is level ⌊j/4⌋, quantity j mod 4 (ask price, ask size, bid price, bid size).
  const cols = Array.from({ length: width }, () => int64Column(cap));
  const words = cols.map((c) => c.words);
  const names = Array.from({ length: width }, (_, j) => `${["ask_price", "ask_size", "bid_price", "bid_size"][j % 4]}_${(j >> 2) + 1} (column ${j + 1})`);
  const cur = new CsvCursor(src.bytes, src.path, "orderbook file", width);
  const last = width - 1;
  let rows = 0;
  while (cur.nextLine()) {
    let emptyLevel = false;
    for (let j = 0; j < width; j++) {
      let v = cur.int(names[j], j === last);
      const q = j & 3;
      if (q === 0 || q === 2) {
        emptyLevel = v === (q === 0 ? ASK_EMPTY : BID_EMPTY);
        if (!emptyLevel) {
          if (v % tick !== 0) {
            cur.fail("OFF_GRID", `${names[j]} ${v} is not a multiple of the tick ${tick}`, "pass the instrument's tick in LOBSTER units (USD × 10,000) with --tick");
          }
          v /= tick;
        }
      } else if (emptyLevel && v !== 0) {
        cur.fail("BAD_ROW", `${names[j]} is ${v} at an empty level (dummy price ±9999999999 must have size 0)`, "the file is corrupt; copy it again from the source");
      }
      setInt64(words[j], rows, v);
    }
    rows++;
  }
  const pick = (q: number): BigInt64Array[] =>
    Array.from({ length: levels }, (_, l) => (rows === cap ? cols[l * 4 + q].values : cols[l * 4 + q].values.slice(0, rows)));
  return { rows, columns: { levels, askPriceTicks: pick(0), askQtyLots: pick(1), bidPriceTicks: pick(2), bidQtyLots: pick(3) } };
}

// ---- time -----------------------------------------------------------------------------------------

/** Seconds to add to UTC to get local time in `timeZone` at the instant `utcMs` (−14,400 for New York in summer). */
export function utcOffsetSeconds(timeZone: string, utcMs: number): number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(utcMs))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 1000);
}

/** The UTC offset in force at local seconds-after-midnight `localS` on `date` in `timeZone`. */
function offsetAtLocal(timeZone: string, midnightUtcMs: number, localS: number): number {
  const guess = utcOffsetSeconds(timeZone, midnightUtcMs + localS * 1000);
  return utcOffsetSeconds(timeZone, midnightUtcMs + (localS - guess) * 1000);
}

function checkTimezone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new DataError("INVALID_OPTION", `unknown time zone "${timeZone}"`, 'pass an IANA zone name such as "America/New_York", or "UTC" to keep the clock as given');
  }
}

/** Tick in LOBSTER units (USD × 10,000) as a decimal price: 100 → "0.01". */
function tickInDollars(tick: number): string {
  const digits = String(tick).padStart(5, "0");
  const whole = digits.slice(0, -4).replace(/^0+(?=\d)/, "");
  const frac = digits.slice(-4).replace(/0+$/, "");
  return frac === "" ? whole : `${whole}.${frac}`;
}

// ---- import ---------------------------------------------------------------------------------------

/** Reads, validates and converts a LOBSTER message + orderbook pair. Throws {@link DataError}. */
export function parseLobster(messagePath: string, orderbookPath: string, options: LobsterImportOptions = {}): LobsterImport {
  const tick = options.tick ?? DEFAULT_TICK;
  if (!Number.isSafeInteger(tick) || tick < 1) {
    throw new DataError("INVALID_OPTION", `--tick must be a positive whole number of LOBSTER price units (USD × 10,000), got ${tick}`, "use --tick 100 for a $0.01 tick");
  }
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  checkTimezone(timezone);
  const msgName = parseLobsterFileName(messagePath);
  const bookName = parseLobsterFileName(orderbookPath);
  if (msgName && bookName) {
    const same = msgName.symbol === bookName.symbol && msgName.date === bookName.date && msgName.startMs === bookName.startMs && msgName.endMs === bookName.endMs && msgName.levels === bookName.levels;
    if (!same || msgName.file !== "message" || bookName.file !== "orderbook") {
      throw new DataError(
        "COMPANION_MISMATCH",
        `${basename(messagePath)} and ${basename(orderbookPath)} are not the message and orderbook files of one LOBSTER request`,
        "pass the message file first and the orderbook file with the same ticker, date, window and level second",
      );
    }
  }
  const date = options.date ?? msgName?.date ?? bookName?.date;
  if (date === undefined) {
    throw new DataError("INVALID_OPTION", `cannot tell the trading date: ${basename(messagePath)} does not follow LOBSTER's naming (TICKER_YYYY-MM-DD_..._message_N.csv)`, "pass --date YYYY-MM-DD");
  }
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const midnightUtcMs = dm ? Date.UTC(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3])) : NaN;
  if (!dm || new Date(midnightUtcMs).toISOString().slice(0, 10) !== date) {
    throw new DataError("INVALID_OPTION", `--date "${date}" is not a calendar date YYYY-MM-DD`, "pass e.g. --date 2012-06-21");
  }
  const symbol = options.symbol ?? msgName?.symbol ?? bookName?.symbol;
  if (symbol === undefined) {
    throw new DataError("INVALID_OPTION", `cannot tell the symbol: ${basename(messagePath)} does not follow LOBSTER's naming`, "pass --symbol TICKER");
  }

  let t0 = performance.now();
  const msgSrc = readSource(messagePath, "message file");
  const msgs = parseMessageFile(msgSrc, tick);
  const messagesS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const bookSrc = readSource(orderbookPath, "orderbook file");
  const book = parseBookFile(bookSrc, tick);
  const bookS = (performance.now() - t0) / 1000;

  if (msgs.rows !== book.rows) {
    throw new DataError(
      "ROW_COUNT_MISMATCH",
      `the message file has ${msgs.rows} rows and the orderbook file ${book.rows}; orderbook row i is the book after message i, so they must match`,
      "use the message and orderbook files of the same LOBSTER request, and check neither is truncated",
      { file: orderbookPath },
    );
  }
  if (msgs.rows === 0) {
    throw new DataError("BAD_ROW", "the message file has no rows", "check the file; LOBSTER files have one record per line", { file: messagePath });
  }
  if (msgName && msgName.levels !== book.columns.levels) {
    throw new DataError(
      "COMPANION_MISMATCH",
      `the file name says ${msgName.levels} levels but the orderbook lines have ${book.columns.levels} (columns / 4)`,
      "check that the orderbook file belongs to this message file",
      { file: orderbookPath },
    );
  }

  // One UTC offset per file: the trading day never spans a daylight-saving change (they happen at 02:00).
  const offsetFirst = offsetAtLocal(timezone, midnightUtcMs, Math.floor(msgs.localNs[0] / 1e9));
  const offsetLast = offsetAtLocal(timezone, midnightUtcMs, Math.floor(msgs.localNs[msgs.rows - 1] / 1e9));
  if (offsetFirst !== offsetLast) {
    throw new DataError(
      "INVALID_OPTION",
      `the UTC offset of ${timezone} changes inside the file (${offsetFirst} s → ${offsetLast} s): a daylight-saving switch`,
      "split the file at the switch, or pass --timezone UTC to keep the clock as given",
      { file: messagePath },
    );
  }
  const baseNs = BigInt(midnightUtcMs / 1000 - offsetFirst) * 1_000_000_000n;
  const tsNs = new BigInt64Array(msgs.rows);
  for (let i = 0; i < msgs.rows; i++) tsNs[i] = baseNs + BigInt(msgs.localNs[i]);

  const lobster: LobsterMeta = { levels: book.columns.levels, date, timezone, utcOffsetSeconds: offsetFirst, offGridPrices: msgs.offGrid, roundedTimes: 0 };
  const common: Omit<DatasetMeta, "kind"> = {
    symbol,
    venue: "NASDAQ",
    tickSize: tickInDollars(tick),
    lotSize: "1",
    priceScale: String(tick),
    currency: "USD",
    sourceFiles: [basename(messagePath), basename(orderbookPath)],
    sourceSha256: [msgSrc.sha256, bookSrc.sha256],
    importId: randomUUID(),
    createdAt: new Date().toISOString(),
    companions: {},
    lobster,
  };
  return {
    messages: { path: messagePath, meta: { ...common, kind: "l3" }, rows: msgs.rows, columns: { tsNs, ...msgs.columns } },
    book: { path: orderbookPath, meta: { ...common, kind: "book" }, rows: book.rows, columns: book.columns },
    timings: { messagesS, bookS },
    notes: [],
  };
}

/** The files of a LOBSTER import: the messages at `out`, the orderbook rows at `<out stem>.book.arrow`. */
export function lobsterOutputPaths(out: string): { messages: string; book: string } {
  return { messages: out, book: companionPath(out, "book") };
}

/** Writes a parsed import atomically; returns the paths written (messages first). */
export function writeLobster(imp: LobsterImport, out: string): string[] {
  const paths = lobsterOutputPaths(out);
  const messagesMeta: DatasetMeta = { ...imp.messages.meta, companions: { book: basename(paths.book) } };
  const bookMeta: DatasetMeta = { ...imp.book.meta, companions: { l3: basename(paths.messages) } };
  const messageBytes = encodeFixedTable("l3", messagesMeta, imp.messages.columns);
  const b = imp.book.columns;
  const bookColumns: ColumnValues[] = [...b.askPriceTicks, ...b.askQtyLots, ...b.bidPriceTicks, ...b.bidQtyLots];
  const bookBytes = encodeArrowFile(bookSchema(b.levels, bookMeta), bookColumns);
  writeFilesAtomically([
    { path: paths.messages, bytes: messageBytes },
    { path: paths.book, bytes: bookBytes },
  ]);
  return [paths.messages, paths.book];
}
