// LOBSTER importer: the message CSV (order-level events) and the orderbook CSV (top N levels after each
// message) become an `l3` table and a `book` table. Lines are parsed byte by byte into preallocated typed
// arrays (no per-row objects): a full NASDAQ day of a liquid stock is a fraction of a second. Every rule of
// LOBSTER's format (signs, ranges, halt rows, dummy levels) is checked here, so it holds with or without the
// replay verification that may follow.
import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { int64Column, setInt64 } from "./columns.js";
import { DataError, escapeControls, quoteInput } from "./errors.js";
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
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const MINUS = 45;
const DOT = 46;
const SEMICOLON = 59;

/** A day in ns: LOBSTER's times are seconds after midnight, so each one is below it. */
const DAY_NS = 86_400e9;
/** 10^k for k = 0..9: scales the decimals of a time to ns. */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/**
 * Most significant digits a time past the ninth decimal may have: a double printed to round-trip needs at
 * most 17 (`43002.632812672004`), so a longer digit string is not a float artefact of LOBSTER's writer.
 */
const FLOAT_DIGITS = 17;
/** Characters of a line and of a field echoed in a message. */
const LINE_ECHO = 160;
const FIELD_ECHO = 40;
const CORRUPT = "the file is corrupt or not a LOBSTER file; copy it again from the source";
const RESAVED = "use the file as LOBSTER delivered it: a spreadsheet or another program re-saved and reformatted it";
const NOT_INTEGER = "is not an integer";
const SCIENTIFIC = /^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$/;

// Lines end at LF, CR LF or a lone CR, everywhere in this file: the line count that sizes the columns,
// the cursor, the header skip and the line echoed in a message all read line ends by this one rule.

/** Index of the line end (LF or CR) of the line at `p`, or the end of the bytes. */
function lineEndFrom(b: Uint8Array, p: number): number {
  const n = b.length;
  while (p < n && b[p] !== LF && b[p] !== CR) p++;
  return p;
}

/** Start of the line after the line end at `p` (CR LF is one line end). */
function afterLineEnd(b: Uint8Array, p: number): number {
  if (p >= b.length) return p;
  return b[p] === CR && b[p + 1] === LF ? p + 2 : p + 1;
}

/** Upper bound on data lines from `start`: every line end (a CR LF counts once), plus a last line without one. */
function countLines(bytes: Uint8Array, start: number): number {
  // A Buffer view searches with memchr, several times faster than Uint8Array.prototype.indexOf.
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let p = b.indexOf(LF, start); p >= 0; p = b.indexOf(LF, p + 1)) count++;
  for (let p = b.indexOf(CR, start); p >= 0; p = b.indexOf(CR, p + 1)) if (b[p + 1] !== LF) count++;
  const last = b[b.length - 1];
  if (b.length > start && last !== LF && last !== CR) count++;
  return count;
}

/** True if bytes [from, to) are only spaces, tabs and line ends. */
function isBlank(b: Uint8Array, from: number, to: number): boolean {
  for (let p = from; p < to; p++) {
    const c = b[p];
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) return false;
  }
  return true;
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Bytes [from, to) as text for a message (latin1: one character per byte, so nothing decodes to a bidi control). */
function bytesText(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, to - from)).toString("latin1");
}

/** What is wrong with the separators of the line at `lineStart`, if it has no comma but semicolons or tabs. */
function separatorProblem(b: Uint8Array, lineStart: number): string | undefined {
  const end = lineEndFrom(b, lineStart);
  let semicolons = 0;
  let tabs = 0;
  for (let p = lineStart; p < end; p++) {
    if (b[p] === COMMA) return undefined;
    if (b[p] === SEMICOLON) semicolons++;
    else if (b[p] === TAB) tabs++;
  }
  if (semicolons > 0) return "the fields are separated by ';', not commas as in LOBSTER's CSV files";
  if (tabs > 0) return "the fields are separated by tabs, not commas as in LOBSTER's CSV files";
  return undefined;
}

/** Seconds after midnight of `ns` as LOBSTER writes them, with all 9 decimals. */
function secondsText(ns: number): string {
  return `${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, "0")}`;
}

type LineCode = "BAD_ROW" | "OFF_GRID" | "TIME_DECREASES" | "OUT_OF_RANGE";

/** A cursor over the lines of one CSV file that parses number fields in place and names the line on error. */
class CsvCursor {
  pos: number;
  line = 0;
  lineStart = 0;
  fieldStart = 0;
  /** Line 1 was a header line, skipped. */
  header = false;
  /** Times written with more than 9 decimals, rounded to the ns. */
  roundedTimes = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    readonly what: string,
    readonly expectedColumns: number,
    start: number,
  ) {
    this.pos = start;
  }

  /** Moves to the next non-blank line; false at the end. Skips one header line at the top if there is one. */
  nextLine(): boolean {
    const b = this.bytes;
    const n = b.length;
    for (;;) {
      if (this.pos >= n) return false;
      this.line++;
      this.lineStart = this.pos;
      const c = b[this.pos];
      if (c === LF || c === CR || c === SPACE || c === TAB) {
        const end = lineEndFrom(b, this.pos);
        if (isBlank(b, this.pos, end)) {
          // Blank lines are allowed only as trailing whitespace at the end of the file.
          if (isBlank(b, end, n)) return false;
          this.blankLine();
        }
        // A line that only starts with whitespace: the field parse names it.
        return true;
      }
      if (this.line === 1 && isLetter(c) && this.isHeader()) {
        // LOBSTER writes no header, but spreadsheets add one.
        this.header = true;
        this.pos = afterLineEnd(b, lineEndFrom(b, this.pos));
        continue;
      }
      return true;
    }
  }

  /** A header is printable text whose every field starts with a letter; a damaged data line is not one. */
  private isHeader(): boolean {
    const b = this.bytes;
    const end = lineEndFrom(b, this.lineStart);
    let atFieldStart = true;
    for (let p = this.lineStart; p < end; p++) {
      const c = b[p];
      if (c < 32 || c > 126) return false;
      if (c === COMMA) {
        if (atFieldStart) return false;
        atFieldStart = true;
      } else if (atFieldStart && c !== SPACE && c !== QUOTE) {
        if (!isLetter(c)) return false;
        atFieldStart = false;
      }
    }
    return !atFieldStart;
  }

  private blankLine(): never {
    const b = this.bytes;
    const p = this.lineStart;
    // CR CR LF: each CR LF of a CRLF file was turned into CR CR LF by a second conversion.
    if (p > 0 && b[p - 1] === CR && b[p] === CR && b[p + 1] === LF) {
      return this.fail(
        "BAD_ROW",
        "the line is blank: the line ends are CR CR LF, as when a file is converted to CRLF twice",
        "remove the extra CRs (e.g. tr -d '\\r' < FILE > FIXED), or copy the file again from the source",
      );
    }
    return this.fail("BAD_ROW", "the line is blank; blank lines are allowed only at the end of the file", "remove the blank line; LOBSTER files have one record per line");
  }

  /** Parses an integer field; `last` says it must end the line, otherwise a comma must follow. */
  int(column: string, last: boolean): number {
    const b = this.bytes;
    const n = b.length;
    let p = this.pos;
    this.fieldStart = p;
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
    if (p === start) this.badField(column, NOT_INTEGER);
    if (p - start > 15) this.badField(column, "has more than 15 digits");
    this.pos = p;
    this.endField(column, last, NOT_INTEGER);
    return negative ? -v : v;
  }

  /**
   * Parses LOBSTER's seconds after midnight exactly into ns after midnight. Digits past the ninth decimal
   * (a float artefact of LOBSTER's writer) are rounded half up on the digits themselves, never via a float.
   */
  secondsAsNs(column: string): number {
    const b = this.bytes;
    const n = b.length;
    let p = this.pos;
    const start = p;
    this.fieldStart = p;
    let seconds = 0;
    while (p < n) {
      const c = b[p];
      if (c < 48 || c > 57) break;
      seconds = seconds * 10 + (c - 48);
      p++;
    }
    if (p === start) this.badTime(column);
    let frac = 0;
    let fracDigits = 0;
    let roundUp = 0;
    let pastNs = false;
    if (p < n && b[p] === DOT) {
      p++;
      while (p < n && fracDigits < 9) {
        const c = b[p];
        if (c < 48 || c > 57) break;
        frac = frac * 10 + (c - 48);
        fracDigits++;
        p++;
      }
      if (fracDigits === 9 && p < n && isDigit(b[p])) {
        pastNs = true;
        // Round half up: the tenth decimal decides, a 5 alone is a tie.
        roundUp = b[p] >= 53 ? 1 : 0;
        while (p < n && isDigit(b[p])) p++;
      }
    }
    this.pos = p;
    this.endField(column, false, "is not seconds after midnight (digits, then optionally '.' and decimals)");
    if (pastNs) this.checkFloatTime(column, start, p);
    // Exact below 2^53: a time under a day is below 8.64e13 ns; anything larger is refused just below.
    const ns = seconds * 1e9 + frac * POW10[9 - fracDigits] + roundUp;
    if (ns >= DAY_NS) {
      this.fail("OUT_OF_RANGE", `${column} ${this.fieldText()} is 86,400 s or more after midnight: past 24 h`, "LOBSTER times are seconds after midnight of the trading day: the file is corrupt; copy it again from the source");
    }
    return ns;
  }

  /** Accepts a time with more than 9 decimals only if it has no more digits than a printed float can. */
  private checkFloatTime(column: string, start: number, end: number): void {
    const b = this.bytes;
    let p = start;
    while (p < end && (b[p] === 48 || b[p] === DOT)) p++;
    let significant = 0;
    for (; p < end; p++) if (b[p] !== DOT) significant++;
    if (significant > FLOAT_DIGITS) {
      const decimals = end - b.indexOf(DOT, start) - 1;
      this.badField(
        column,
        `has ${decimals} decimals (${significant} significant digits): LOBSTER writes up to 9 (ns), and a float artefact of its writer, which is rounded to the ns, has at most ${FLOAT_DIGITS} significant digits in all (e.g. 43002.632812672004)`,
      );
    }
    this.roundedTimes++;
  }

  /** Consumes the delimiter after a field: a comma, or (for the last field) the end of the line. */
  private endField(column: string, last: boolean, notWhat: string): void {
    const b = this.bytes;
    const n = b.length;
    const p = this.pos;
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
      this.pos = afterLineEnd(b, p);
      return;
    }
    this.badField(column, notWhat);
  }

  /** The current line, quoted and escaped for a message. */
  lineText(): string {
    const end = lineEndFrom(this.bytes, this.lineStart);
    return quoteInput(bytesText(this.bytes, this.lineStart, Math.min(end, this.lineStart + LINE_ECHO + 1)), LINE_ECHO);
  }

  /** Columns of the current line, counted over all of it. */
  columnsOnLine(): number {
    const b = this.bytes;
    const end = lineEndFrom(b, this.lineStart);
    let columns = 1;
    for (let p = this.lineStart; p < end; p++) if (b[p] === COMMA) columns++;
    return columns;
  }

  /** The current field's raw text (cut well past what a message shows). */
  private rawField(): string {
    const b = this.bytes;
    let end = this.fieldStart;
    const limit = Math.min(b.length, this.fieldStart + 4 * FIELD_ECHO);
    while (end < limit && b[end] !== COMMA && b[end] !== LF && b[end] !== CR) end++;
    return bytesText(b, this.fieldStart, end);
  }

  /** The current field, quoted and escaped for a message. */
  fieldText(): string {
    return quoteInput(this.rawField(), FIELD_ECHO);
  }

  private badTime(column: string): never {
    if (/^-\d+(?:\.\d*)?$/.test(this.rawField())) {
      this.fail("OUT_OF_RANGE", `${column} ${this.fieldText()} is negative: times are seconds after midnight, from 0 to under 86,400`, CORRUPT);
    }
    return this.badField(column, "is not seconds after midnight (digits, then optionally '.' and decimals)");
  }

  /** Refuses the current field, naming the most likely reason before the generic `problem`. */
  badField(column: string, problem: string): never {
    const separators = separatorProblem(this.bytes, this.lineStart);
    if (separators !== undefined) this.fail("BAD_ROW", separators, RESAVED);
    const raw = this.rawField();
    const quoted = quoteInput(raw, FIELD_ECHO);
    if (raw === "") this.fail("BAD_ROW", `${column} is empty`, CORRUPT);
    if (SCIENTIFIC.test(raw)) this.fail("BAD_ROW", `${column} ${quoted} is in scientific notation, which LOBSTER never writes`, RESAVED);
    if (raw.startsWith('"')) this.fail("BAD_ROW", `${column} ${quoted} is quoted; LOBSTER writes bare numbers`, RESAVED);
    if (/^\s|\s$/.test(raw)) this.fail("BAD_ROW", `${column} ${quoted} has a space around it; LOBSTER writes bare numbers`, RESAVED);
    if (problem === NOT_INTEGER && /^-?\d*\.\d*$/.test(raw)) {
      // A dollar price (579.40) is the likely cause: name LOBSTER's units.
      const unit = column.includes("price") ? "prices as whole numbers of USD × 10,000 (5794000 = $579.40)" : `${column.split(" ")[0]} as a whole number`;
      this.fail("BAD_ROW", `${column} ${quoted} is not an integer: it has a decimal point, and LOBSTER writes ${unit}`, CORRUPT);
    }
    return this.fail("BAD_ROW", `${column} ${quoted} ${problem}`, CORRUPT);
  }

  fail(code: LineCode, problem: string, fix: string): never {
    throw new DataError(code, `${this.what} line ${this.line}: ${problem} (line: ${this.lineText()})`, fix, { file: this.file, line: this.line });
  }
}

/** Where the records of a file start, and the shape of its first record. */
interface TextShape {
  /** Offset past a byte-order mark, if any. */
  start: number;
  /** Line number and column count of the first record. */
  line: number;
  columns: number;
}

/** Reads the start of a file: refuses archives and UTF-16, skips a UTF-8 BOM, refuses a file with no records. */
function shapeOf(src: SourceBytes, what: string, notes: string[]): TextShape {
  const b = src.bytes;
  const begins = (...signature: number[]): boolean => signature.every((v, i) => b[i] === v);
  const refuse = (problem: string, fix: string): never => {
    throw new DataError("BAD_ROW", `the ${what} ${problem}`, fix, { file: src.path });
  };
  const extract = "extract the CSV files first (LOBSTER delivers them in archives) and pass the ..._message_N.csv and ..._orderbook_N.csv inside";
  if (begins(0x50, 0x4b, 0x03, 0x04)) refuse("is a zip archive, not a CSV file", extract);
  if (begins(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) refuse("is a 7z archive, not a CSV file", extract);
  if (begins(0xff, 0xfe) || begins(0xfe, 0xff)) refuse("is UTF-16 text; LOBSTER files are ASCII", RESAVED);
  let start = 0;
  if (begins(0xef, 0xbb, 0xbf)) {
    start = 3;
    notes.push(`the ${what} starts with a UTF-8 byte-order mark (skipped): another program re-saved it, LOBSTER writes none`);
  }
  const probe = new CsvCursor(b, src.path, what, 0, start);
  if (!probe.nextLine()) {
    const why =
      b.length === start ? ` (no bytes${start > 0 ? " after its byte-order mark" : src.gzip ? " after gunzip" : ""})` : probe.header ? ": it has a header line but no records" : " (it holds only blank lines)";
    throw new DataError("EMPTY_FILE", `the ${what} is empty${why}`, "check that the file was written completely; LOBSTER files have one record per line", { file: src.path });
  }
  if (probe.header) notes.push(`the ${what}'s line 1 is a header (skipped): another program added it, LOBSTER writes none`);
  const separators = separatorProblem(b, probe.lineStart);
  if (separators !== undefined) probe.fail("BAD_ROW", separators, RESAVED);
  return { start, line: probe.line, columns: probe.columnsOnLine() };
}

// ---- message file ---------------------------------------------------------------------------------

interface ParsedMessages {
  rows: number;
  localNs: Float64Array;
  columns: Omit<L3Columns, "tsNs">;
  offGrid: number;
  roundedTimes: number;
}

/** LOBSTER's message types, as its ReadMe names them (6, cross trade, is in its later documentation). */
const TYPE_NAMES = ["", "new limit order", "partial cancellation", "deletion", "execution of a visible order", "execution of a hidden order", "cross trade", "trading halt"];
const NOT_MESSAGES = "the file is corrupt or not a LOBSTER message file; copy it again from the source";

/** Refuses a field of a type 1–6 message that is outside its domain, naming the rule. */
function outOfRange(cur: CsvCursor, field: string, value: number, type: number, rule: string): never {
  return cur.fail("OUT_OF_RANGE", `${field} ${value} of a type ${type} (${TYPE_NAMES[type]}) message must be ${rule}`, NOT_MESSAGES);
}

/** Refuses a type 7 row that is not one of the ReadMe's three halt rows. */
function badHalt(cur: CsvCursor, id: number, size: number, price: number, direction: number): never {
  const wrong = [id !== 0 ? `order_id ${id}` : "", size !== 0 ? `size ${size}` : "", price < -1 || price > 1 ? `price ${price}` : "", direction !== -1 ? `direction ${direction}` : ""];
  return cur.fail(
    "BAD_ROW",
    `a type 7 (trading halt) row has ${wrong.filter((w) => w !== "").join(", ")}; LOBSTER's ReadMe writes a halt row with order_id 0, size 0, price -1 (halt), 0 (quoting) or 1 (resume), and direction -1`,
    NOT_MESSAGES,
  );
}

function parseMessageFile(src: SourceBytes, shape: TextShape, tick: number): ParsedMessages {
  const cap = countLines(src.bytes, shape.start);
  const localNs = new Float64Array(cap);
  const type = new Uint8Array(cap);
  const side = new Uint8Array(cap);
  const orderId = int64Column(cap);
  const priceTicks = int64Column(cap);
  const qtyLots = int64Column(cap);
  const priceRaw = int64Column(cap);
  const cur = new CsvCursor(src.bytes, src.path, "message file", 6, shape.start);
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
    if (t < 1 || t > 7) cur.fail("BAD_ROW", `type ${t} is not a LOBSTER message type (1..7)`, NOT_MESSAGES);
    if (t === 7) {
      if (id !== 0 || size !== 0 || price < -1 || price > 1 || direction !== -1) badHalt(cur, id, size, price, direction);
    } else {
      if (direction !== 1 && direction !== -1) cur.fail("BAD_ROW", `direction ${direction} is neither 1 (buy) nor -1 (sell)`, NOT_MESSAGES);
      // Types 1–5 add, cancel or execute shares; a cross trade (6) may print none.
      if (size <= 0 && (t <= 5 || size < 0)) outOfRange(cur, "size", size, t, t <= 5 ? "> 0 (shares)" : "≥ 0 (shares)");
      if (price <= 0) outOfRange(cur, "price", price, t, "> 0 (USD × 10,000)");
      // Types 1–4 name the order they act on; LOBSTER writes order_id 0 for hidden executions.
      if (id <= 0 && (t <= 4 || id < 0)) outOfRange(cur, "order_id", id, t, t <= 4 ? "> 0 (the order it acts on)" : "≥ 0 (LOBSTER writes 0 here)");
    }
    if (ns < prevNs) {
      cur.fail("TIME_DECREASES", `time goes back from the previous line (${secondsText(prevNs)} s → ${secondsText(ns)} s after midnight)`, "LOBSTER message files are sorted by time: the file is corrupt or was concatenated out of order");
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
    roundedTimes: cur.roundedTimes,
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

const EMPTY_RULE = "an empty level has the dummy price 9999999999 (ask) or -9999999999 (bid) and size 0";

/** Refuses a price of a real (non-dummy) level: ≤ 0, the other side's dummy, or off the tick grid. */
function badBookPrice(cur: CsvCursor, name: string, ask: boolean, v: number, tick: number): never {
  if (v === (ask ? BID_EMPTY : ASK_EMPTY)) {
    cur.fail(
      "BAD_ROW",
      `the ${ask ? "bid" : "ask"} dummy price ${v} in ${name}: ${EMPTY_RULE}, so the columns are out of order`,
      "LOBSTER writes ask price, ask size, bid price, bid size per level: the file is corrupt or was rearranged; copy it again from the source",
    );
  }
  if (v <= 0) cur.fail("OUT_OF_RANGE", `${name} ${v} must be > 0 (USD × 10,000; ${EMPTY_RULE})`, CORRUPT);
  return cur.fail("OFF_GRID", `${name} ${v} is not a multiple of the tick ${tick}`, "pass the instrument's tick in LOBSTER units (USD × 10,000) with --tick");
}

/** Refuses a size: non-zero at a dummy level, or not positive at a real one. */
function badBookSize(cur: CsvCursor, name: string, v: number, empty: boolean, price: number): never {
  if (empty) cur.fail("BAD_ROW", `${name} is ${v} at an empty level (dummy price ±9999999999 must have size 0)`, "the file is corrupt; copy it again from the source");
  if (v < 0) cur.fail("OUT_OF_RANGE", `${name} ${v} is negative: sizes are shares, and the real level ${price} holds some`, CORRUPT);
  return cur.fail("OUT_OF_RANGE", `${name} is 0 at the real level ${price}: LOBSTER lists occupied levels only (${EMPTY_RULE})`, CORRUPT);
}

function parseBookFile(src: SourceBytes, shape: TextShape, tick: number): { rows: number; columns: BookColumns } {
  const width = shape.columns;
  const levels = width / 4;
  const cap = countLines(src.bytes, shape.start);
  // Field j of a line is level ⌊j/4⌋, quantity j mod 4 (ask price, ask size, bid price, bid size).
  const cols = Array.from({ length: width }, () => int64Column(cap));
  const words = cols.map((c) => c.words);
  const names = Array.from({ length: width }, (_, j) => `${["ask_price", "ask_size", "bid_price", "bid_size"][j % 4]}_${(j >> 2) + 1} (column ${j + 1})`);
  const cur = new CsvCursor(src.bytes, src.path, "orderbook file", width, shape.start);
  const last = width - 1;
  let rows = 0;
  while (cur.nextLine()) {
    let emptyLevel = false;
    let levelPrice = 0;
    for (let j = 0; j < width; j++) {
      let v = cur.int(names[j], j === last);
      const q = j & 3;
      if (q === 0 || q === 2) {
        emptyLevel = v === (q === 0 ? ASK_EMPTY : BID_EMPTY);
        if (!emptyLevel) {
          // The ask dummy is on a tick-1 grid, so it needs its own test in a bid column.
          if (v <= 0 || v % tick !== 0 || v === ASK_EMPTY) badBookPrice(cur, names[j], q === 0, v, tick);
          levelPrice = v;
          v /= tick;
        }
      } else if (emptyLevel ? v !== 0 : v <= 0) {
        badBookSize(cur, names[j], v, emptyLevel, levelPrice);
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

const SWAPPED_FIX = "pass the message file first and the orderbook file second";

/** Refuses a pair whose first records do not have the shapes of a message file and an orderbook file. */
function checkShapes(msgPath: string, msg: TextShape, bookPath: string, book: TextShape, msgName: LobsterFileName | undefined): void {
  const orderbookLike = (columns: number): boolean => columns !== 6 && columns % 4 === 0;
  if (orderbookLike(msg.columns) && book.columns === 6) {
    throw new DataError(
      "COMPANION_MISMATCH",
      `${basename(msgPath)} has ${msg.columns} columns per line, as an orderbook file does, and ${basename(bookPath)} has 6, as a message file does: these look swapped`,
      SWAPPED_FIX,
    );
  }
  if (orderbookLike(msg.columns)) {
    throw new DataError(
      "BAD_ROW",
      `message file line ${msg.line} has ${msg.columns} columns, as a ${msg.columns / 4}-level orderbook file does; message files have 6`,
      `${SWAPPED_FIX}; check that this is the ..._message_N.csv file`,
      { file: msgPath, line: msg.line },
    );
  }
  if (book.columns === 6) {
    throw new DataError(
      "BAD_ROW",
      `orderbook file line ${book.line} has 6 columns, as a message file does; orderbook files have 4 per level (ask price, ask size, bid price, bid size)`,
      `${SWAPPED_FIX}; check that this is the ..._orderbook_N.csv file`,
      { file: bookPath, line: book.line },
    );
  }
  if (book.columns % 4 !== 0) {
    throw new DataError(
      "BAD_ROW",
      `orderbook file line ${book.line} has ${book.columns} columns; LOBSTER orderbook lines have 4 per level (ask price, ask size, bid price, bid size)`,
      "the line is truncated or the file is corrupt; copy it again from the source",
      { file: bookPath, line: book.line },
    );
  }
  if (msgName && msgName.levels !== book.columns / 4) {
    throw new DataError(
      "COMPANION_MISMATCH",
      `the file name says ${msgName.levels} levels but the orderbook lines have ${book.columns / 4} (columns / 4)`,
      "check that the orderbook file belongs to this message file",
      { file: bookPath },
    );
  }
}

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
    if (same && msgName.file === "orderbook" && bookName.file === "message") {
      throw new DataError("COMPANION_MISMATCH", `${basename(messagePath)} is named as an orderbook file and ${basename(orderbookPath)} as a message file: these look swapped`, SWAPPED_FIX);
    }
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
  if (!/^[^\u0000-\u001f\u007f-\u009f]{1,64}$/.test(symbol)) {
    throw new DataError("INVALID_OPTION", `symbol ${quoteInput(symbol)} is not 1 to 64 printable characters`, "pass --symbol TICKER, e.g. --symbol GOOG");
  }

  // Both files are read before either is parsed, so a swapped or empty pair is named before a long parse.
  let t0 = performance.now();
  const msgSrc = readSource(messagePath, "message file");
  let messagesS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const bookSrc = readSource(orderbookPath, "orderbook file");
  let bookS = (performance.now() - t0) / 1000;
  const notes: string[] = [];
  const msgShape = shapeOf(msgSrc, "message file", notes);
  const bookShape = shapeOf(bookSrc, "orderbook file", notes);
  checkShapes(msgSrc.path, msgShape, bookSrc.path, bookShape, msgName);

  t0 = performance.now();
  const msgs = parseMessageFile(msgSrc, msgShape, tick);
  messagesS += (performance.now() - t0) / 1000;
  t0 = performance.now();
  const book = parseBookFile(bookSrc, bookShape, tick);
  bookS += (performance.now() - t0) / 1000;

  if (msgs.rows !== book.rows) {
    throw new DataError(
      "ROW_COUNT_MISMATCH",
      `the message file has ${msgs.rows} rows and the orderbook file ${book.rows}; orderbook row i is the book after message i, so they must match`,
      "use the message and orderbook files of the same LOBSTER request, and check neither is truncated",
      { file: orderbookPath },
    );
  }
  if (msgs.roundedTimes > 0) {
    notes.push(`${msgs.roundedTimes} timestamp${msgs.roundedTimes === 1 ? "" : "s"} had more than 9 decimals (a float artefact of LOBSTER's writer) and ${msgs.roundedTimes === 1 ? "was" : "were"} rounded to the nearest ns`);
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

  const lobster: LobsterMeta = { levels: book.columns.levels, date, timezone, utcOffsetSeconds: offsetFirst, offGridPrices: msgs.offGrid, roundedTimes: msgs.roundedTimes };
  const common: Omit<DatasetMeta, "kind"> = {
    symbol,
    venue: "NASDAQ",
    tickSize: tickInDollars(tick),
    lotSize: "1",
    priceScale: String(tick),
    currency: "USD",
    sourceFiles: [escapeControls(basename(messagePath)), escapeControls(basename(orderbookPath))],
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
    notes,
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
  ], { inputs: [imp.messages.path, imp.book.path] });
  return [paths.messages, paths.book];
}
