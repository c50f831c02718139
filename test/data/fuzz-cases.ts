// The fuzz suite's cases and the machinery around them: which mutation case N is (a pure function of the seed
// and N, so one number replays it), the small inputs it mutates (slices of the real shared files, or a
// synthetic stand-in in the same formats), the byte-level mutations, a pool of at most two child processes that
// runs each case under a deadline, and the summary by outcome and DataError code.
//
// Cases run in child processes, not worker threads: a worker's terminate() cannot stop a loop inside the native
// addon, and a native crash or an out-of-memory abort in a worker takes the whole test process with it. A child
// is killed with SIGKILL at the deadline and replaced; its crash is a case result like any other.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import { dataDir, goog, spot, usdm } from "./fixtures.js";

// ---- seeded randomness --------------------------------------------------------------------------

/** mulberry32: a small, fast, well-mixed 32-bit generator; the same seed gives the same stream everywhere. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of case `index` under the run seed `seed` (splitmix32 of both): cases are independent streams. */
export function caseSeed(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca77)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}

// ---- the case plan ------------------------------------------------------------------------------

/** What a case exercises: one of the two import commands, or the readers of imported `.arrow` files. */
export type Suite = "import-lobster" | "import-binance" | "reader";
export const SUITES: readonly Suite[] = ["import-lobster", "import-binance", "reader"];

/**
 * Mutation families of each suite; case N of a suite takes family N mod the list length, so every family runs
 * in even a short CI run. A family listed twice runs twice as often.
 */
export const FAMILIES: { readonly [S in Suite]: readonly string[] } = {
  "import-lobster": [
    "control", "byte-flip", "prefix-both", "digit-change", "truncate-one", "crlf", "special-byte", "duplicate-line",
    "gz-truncate", "swap-args", "byte-flip", "drop-line", "cr-only", "gz-flip", "same-file-twice", "digit-change",
    "swap-lines", "truncate-both", "out-is-input", "special-byte", "mixed-endings", "gz-garbage", "drop-line-both",
    "companion-is-input", "byte-flip", "blank-lines", "gz-multi-member", "duplicate-line-both", "out-is-directory",
    "stray-cr", "swap-lines-both", "move-block", "gz-truncate", "long-number", "no-final-newline", "empty-file",
    "gz-flip", "drop-columns", "header-line", "out-folder-missing", "gz-double", "suffix-both", "input-missing",
    "options", "byte-flip", "options",
  ],
  "import-binance": [
    "control", "byte-flip", "prefix", "json-token", "truncate", "crlf", "special-byte", "duplicate-line", "gz-truncate",
    "wrong-order", "byte-flip", "drop-line", "cr-only", "gz-flip", "same-file-twice", "digit-change", "swap-lines",
    "snapshot-truncated", "out-is-input", "special-byte", "mixed-endings", "gz-garbage", "snapshot-dropped",
    "companion-is-input", "json-token", "blank-lines", "gz-multi-member", "snapshot-duplicated", "out-is-directory",
    "mixed-markets", "move-block", "long-number", "no-snapshot", "no-final-newline", "empty-file", "gz-flip",
    "out-folder-missing", "gz-double", "byte-flip", "input-missing", "json-escape", "options", "concatenated",
    "json-escape", "options",
  ],
  reader: [
    "control", "flip-head", "flip-any", "truncate", "zero-range", "swap-companions", "flip-tail", "flip-any",
    "delete-companion", "flip-head", "replace-companion-same", "truncate", "flip-multi", "replace-companion-other",
    "zero-range", "insert-bytes", "flip-any", "append-garbage", "replace-main-other", "empty-file", "flip-head",
    "foreign-file", "flip-tail", "truncate", "companion-is-directory",
  ],
};

/** One case: everything else (the input, the offsets, the bytes) follows from `rngSeed`. */
export interface FuzzCase {
  /** The run seed. */
  seed: number;
  /** The case number within the run: with the seed, it names the case. */
  index: number;
  suite: Suite;
  family: string;
  rngSeed: number;
}

/** Case `index` of the run seeded `seed`: suites interleave (0 lobster, 1 binance, 2 reader, 3 lobster, …). */
export function caseAt(seed: number, index: number): FuzzCase {
  const suite = SUITES[index % SUITES.length];
  const families = FAMILIES[suite];
  const family = families[Math.floor(index / SUITES.length) % families.length];
  return { seed, index, suite, family, rngSeed: caseSeed(seed, index) };
}

// ---- results ------------------------------------------------------------------------------------

/** One broken promise of a case: which check, and what happened. */
export interface CaseFailure {
  check: string;
  detail: string;
  /** The failure's class where `detail` varies from case to case (which columns differ, which file names). */
  cls?: string;
}

/** What running a case gave. */
export interface CaseResult {
  index: number;
  suite: Suite;
  family: string;
  /** The concrete mutation: file, offsets, bytes (enough to see what was done without replaying it). */
  label: string;
  /** `success` and `data-error` are the two allowed endings; anything with failures is `failed`. */
  outcome: "success" | "data-error" | "failed" | "timeout" | "crash";
  /** DataError codes seen, in order (an import: at most one; the readers: one per operation that refused). */
  codes: string[];
  failures: CaseFailure[];
  ms: number;
}

// ---- the inputs ---------------------------------------------------------------------------------

/** Sizes of the real slices: small enough for tens of milliseconds per case, big enough to hold every event. */
export const SLICE = {
  lobsterRows: 2_000,
  /** Spot 08 holds its REST snapshot on line 8; 1,500 lines take the snapshot and a couple of minutes of feed. */
  spot08Lines: 1_500,
  spot09Lines: 800,
  /** USD-M 08 holds its REST snapshot on line 55. */
  usdmLines: 1_500,
} as const;

/** The clean inputs every case starts from, as decompressed text. */
export interface Corpus {
  source: "real" | "synthetic";
  /** Where the slices came from, for the summary line. */
  from: string;
  lobster: {
    /** LOBSTER's naming stem: `TICKER_YYYY-MM-DD_START_END` (the file names add `_message_N.csv`). */
    stem: string;
    symbol: string;
    date: string;
    levels: number;
    message: Buffer;
    orderbook: Buffer;
  };
  spot08: Buffer;
  spot09: Buffer;
  usdm08: Buffer;
}

/** The first `n` lines of a gzipped file, decompressing only as much of it as that takes. */
function gzHeadLines(path: string, n: number): Buffer {
  const gz = readFileSync(path);
  for (let take = 256 * 1024; ; take *= 2) {
    // A sync flush decompresses a prefix of the stream without asking for the rest of it.
    const text = gunzipSync(gz.subarray(0, Math.min(take, gz.length)), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    let end = -1;
    let count = 0;
    while (count < n) {
      end = text.indexOf(10, end + 1);
      if (end < 0) break;
      count++;
    }
    if (count === n) return Buffer.from(text.subarray(0, end + 1));
    if (take >= gz.length) return Buffer.from(text);
  }
}

/** The clean inputs: real slices where the shared files exist, the synthetic stand-in otherwise. */
export function loadCorpus(): Corpus {
  const real = [goog.message, goog.orderbook, spot.day08, spot.day09, usdm];
  if (real.every((p) => existsSync(p))) {
    return {
      source: "real",
      from: dataDir,
      lobster: {
        stem: "GOOG_2012-06-21_34200000_57600000",
        symbol: "GOOG",
        date: "2012-06-21",
        levels: 10,
        message: gzHeadLines(goog.message, SLICE.lobsterRows),
        orderbook: gzHeadLines(goog.orderbook, SLICE.lobsterRows),
      },
      spot08: gzHeadLines(spot.day08, SLICE.spot08Lines),
      spot09: gzHeadLines(spot.day09, SLICE.spot09Lines),
      usdm08: gzHeadLines(usdm, SLICE.usdmLines),
    };
  }
  const missing = real.filter((p) => !existsSync(p));
  return { ...syntheticCorpus(20240808), from: `synthetic stand-in (${missing.join(", ")} not found; set TRANCHE_DATA_DIR)` };
}

/** Writes the corpus for the child processes (they read it instead of slicing the shared files again). */
export function saveCorpus(corpus: Corpus, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const { message, orderbook, ...lobster } = corpus.lobster;
  writeFileSync(join(dir, "corpus.json"), JSON.stringify({ source: corpus.source, from: corpus.from, lobster }));
  writeFileSync(join(dir, "message.csv"), message);
  writeFileSync(join(dir, "orderbook.csv"), orderbook);
  writeFileSync(join(dir, "spot08.txt"), corpus.spot08);
  writeFileSync(join(dir, "spot09.txt"), corpus.spot09);
  writeFileSync(join(dir, "usdm08.txt"), corpus.usdm08);
}

/** Reads what {@link saveCorpus} wrote. */
export function readSavedCorpus(dir: string): Corpus {
  const head = JSON.parse(readFileSync(join(dir, "corpus.json"), "utf8")) as Omit<Corpus, "lobster" | "spot08" | "spot09" | "usdm08"> & {
    lobster: Omit<Corpus["lobster"], "message" | "orderbook">;
  };
  return {
    ...head,
    lobster: { ...head.lobster, message: readFileSync(join(dir, "message.csv")), orderbook: readFileSync(join(dir, "orderbook.csv")) },
    spot08: readFileSync(join(dir, "spot08.txt")),
    spot09: readFileSync(join(dir, "spot09.txt")),
    usdm08: readFileSync(join(dir, "usdm08.txt")),
  };
}

// ---- the synthetic stand-in ---------------------------------------------------------------------

/** LOBSTER's seconds after midnight as it writes them: up to 9 decimals, trailing zeros dropped. */
function lobsterTime(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const frac = String(ns % 1e9).padStart(9, "0").replace(/0+$/, "");
  return frac === "" ? String(s) : `${s}.${frac}`;
}

/**
 * A small market in the shared files' formats, for machines without them: an L3 book whose every resting
 * order stays inside the 5 levels the orderbook file shows (so the replay check can match every row exactly),
 * and a Binance spot 08/09 pair and a USD-M file with a REST snapshot, continuous depth diffs, trades and
 * bookTickers.
 */
export function syntheticCorpus(seed: number): Omit<Corpus, "from"> {
  const rng = new Rng(seed);
  const levels = 5;
  const tick = 100;
  // Bids rest on ticks 10000..10004 and asks on 10005..10009: at most 5 levels a side, never crossed.
  type Order = { side: 1 | -1; ticks: number; qty: number };
  const orders = new Map<number, Order>();
  let nextId = 1000;
  let ns = 34_200_000_000_000 + 15_105_074;
  const messages: string[] = [];
  const books: string[] = [];
  const bookRow = (): string => {
    const side = (s: 1 | -1) => {
      const byPrice = new Map<number, number>();
      for (const o of orders.values()) if (o.side === s) byPrice.set(o.ticks, (byPrice.get(o.ticks) ?? 0) + o.qty);
      return [...byPrice.entries()].sort((a, b) => (s === -1 ? a[0] - b[0] : b[0] - a[0]));
    };
    const asks = side(-1);
    const bids = side(1);
    const cells: number[] = [];
    for (let l = 0; l < levels; l++) {
      cells.push(asks[l] ? asks[l][0] * tick : 9999999999, asks[l] ? asks[l][1] : 0);
      cells.push(bids[l] ? bids[l][0] * tick : -9999999999, bids[l] ? bids[l][1] : 0);
    }
    return cells.join(",");
  };
  const emit = (type: number, id: number, size: number, ticks: number, side: 1 | -1) => {
    messages.push(`${lobsterTime(ns)},${type},${id},${size},${ticks * tick},${side}`);
    books.push(bookRow());
    ns += rng.chance(0.2) ? 0 : rng.range(1, 40_000_000);
  };
  const best = (side: 1 | -1): [number, Order] | undefined => {
    let found: [number, Order] | undefined;
    for (const [id, o] of orders) {
      if (o.side !== side) continue;
      if (!found || (side === 1 ? o.ticks > found[1].ticks : o.ticks < found[1].ticks)) found = [id, o];
    }
    return found;
  };
  for (let i = 0; i < 800; i++) {
    const roll = i < 20 ? 0 : rng.next();
    const side: 1 | -1 = rng.chance(0.5) ? 1 : -1;
    const resting = [...orders.entries()];
    if (roll < 0.5 || resting.length < 4) {
      const ticks = side === 1 ? rng.range(10000, 10004) : rng.range(10005, 10009);
      const qty = rng.pick([100, 100, 200, 50, 300, 17]);
      const id = nextId++;
      orders.set(id, { side, ticks, qty });
      emit(1, id, qty, ticks, side);
    } else if (roll < 0.7) {
      const [id, o] = rng.pick(resting);
      orders.delete(id);
      emit(3, id, o.qty, o.ticks, o.side);
    } else if (roll < 0.8) {
      const [id, o] = rng.pick(resting);
      if (o.qty < 2) continue;
      const by = rng.range(1, o.qty - 1);
      o.qty -= by;
      emit(2, id, by, o.ticks, o.side);
    } else if (roll < 0.95) {
      const hit = best(side);
      if (!hit) continue;
      const [id, o] = hit;
      const size = rng.chance(0.5) ? o.qty : rng.range(1, o.qty);
      o.qty -= size;
      if (o.qty === 0) orders.delete(id);
      emit(4, id, size, o.ticks, o.side);
    } else {
      emit(5, 0, rng.range(1, 100), side === 1 ? 10004 : 10005, side);
    }
  }

  // Binance collector lines: `<local_recv_ts_ns> <json>`.
  // The order book's update id advances on every line (the book changes between records); a depth diff covers
  // the ids since the last diff (U = last u + 1, USD-M pu = last u), a bookTicker carries the current id.
  type FeedState = { ts: bigint; id: number; lastDiff: number; trade: number };
  const feed = (market: "spot" | "usdm", lineCount: number, withSnapshot: boolean, start: FeedState) => {
    const dp = market === "spot" ? 2 : 1;
    const qp = market === "spot" ? 8 : 3;
    const price = (ticks: number) => (ticks / 10 ** dp).toFixed(market === "spot" ? 8 : dp);
    const qty = () => (rng.range(1, 5000) / 10 ** (market === "spot" ? 5 : 3)).toFixed(qp);
    const lines: string[] = [];
    let { ts, id, lastDiff, trade } = start;
    const mid = market === "spot" ? 6_158_322 : 615_903;
    const eventMs = () => Number(ts / 1_000_000n) + 1272;
    const levelsOf = (from: number, step: number, n: number) => Array.from({ length: n }, (_, k) => [price(from + step * k), qty()]);
    const depth = () => {
      const [first, prev] = [lastDiff + 1, lastDiff];
      lastDiff = id;
      const b = JSON.stringify(levelsOf(mid - rng.range(0, 40), -1, rng.range(0, 3)));
      const a = JSON.stringify(levelsOf(mid + 1 + rng.range(0, 40), 1, rng.range(1, 3)));
      return market === "spot"
        ? `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${eventMs()},"s":"BTCUSDT","U":${first},"u":${id},"b":${b},"a":${a}}}`
        : `{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":${eventMs()},"T":${eventMs() - 1},"s":"BTCUSDT","U":${first},"u":${id},"pu":${prev},"b":${b},"a":${a}}}`;
    };
    for (let i = 0; i < lineCount; i++) {
      ts += BigInt(rng.range(1, 400_000_000));
      id += rng.range(1, 6);
      let json: string;
      if (withSnapshot && i === 4) {
        // At the last diff's u: the next diff brackets it (spot U <= lastUpdateId + 1 <= u, USD-M U <= lastUpdateId <= u).
        const head = market === "spot" ? `{"lastUpdateId":${lastDiff}` : `{"lastUpdateId":${lastDiff},"E":${eventMs()},"T":${eventMs() - 8}`;
        json = `${head},"bids":${JSON.stringify(levelsOf(mid, -1, 40))},"asks":${JSON.stringify(levelsOf(mid + 1, 1, 40))}}`;
      } else {
        const roll = i < 4 ? 0 : rng.next();
        if (roll < 0.25) json = depth();
        else if (roll < 0.55) {
          trade++;
          const p = price(mid + rng.range(-3, 3));
          json =
            market === "spot"
              ? `{"stream":"btcusdt@trade","data":{"e":"trade","E":${eventMs()},"s":"BTCUSDT","t":${trade},"p":"${p}","q":"${qty()}","T":${eventMs() - 1},"m":${rng.chance(0.5)},"M":true}}`
              : `{"stream":"btcusdt@trade","data":{"e":"trade","E":${eventMs()},"T":${eventMs() - 1},"s":"BTCUSDT","t":${trade},"p":"${p}","q":"${qty()}","X":"MARKET","m":${rng.chance(0.5)}}}`;
        } else {
          const b = price(mid);
          const a = price(mid + 1);
          json =
            market === "spot"
              ? `{"stream":"btcusdt@bookTicker","data":{"u":${id},"s":"BTCUSDT","b":"${b}","B":"${qty()}","a":"${a}","A":"${qty()}"}}`
              : `{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":${id},"s":"BTCUSDT","b":"${b}","B":"${qty()}","a":"${a}","A":"${qty()}","T":${eventMs()},"E":${eventMs()}}}`;
        }
      }
      lines.push(`${ts} ${json}`);
    }
    return { text: Buffer.from(lines.map((l) => l + "\n").join("")), end: { ts, id, lastDiff, trade } };
  };
  const spot08 = feed("spot", 700, true, { ts: 1_723_161_253_937_085_768n, id: 50_093_239_189, lastDiff: 50_093_239_188, trade: 3_741_000_000 });
  const spot09 = feed("spot", 400, false, spot08.end);
  const usdm08 = feed("usdm", 700, true, { ts: 1_723_161_255_030_314_667n, id: 5_123_107_832_006, lastDiff: 5_123_107_832_005, trade: 5_266_583_935 });
  return {
    source: "synthetic",
    lobster: {
      stem: "SYNTH_2012-06-21_34200000_57600000",
      symbol: "SYNTH",
      date: "2012-06-21",
      levels,
      message: Buffer.from(messages.map((l) => l + "\n").join("")),
      orderbook: Buffer.from(books.map((l) => l + "\n").join("")),
    },
    spot08: spot08.text,
    spot09: spot09.text,
    usdm08: usdm08.text,
  };
}

// ---- byte-level mutations ------------------------------------------------------------------------

/** The lines of `text`, each with its terminator (the last may lack one). */
export function splitLines(text: Uint8Array): Buffer[] {
  const b = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  const lines: Buffer[] = [];
  let start = 0;
  while (start < b.length) {
    const eol = b.indexOf(10, start);
    const end = eol < 0 ? b.length : eol + 1;
    lines.push(b.subarray(start, end));
    start = end;
  }
  return lines;
}

export const joinLines = (lines: readonly Uint8Array[]): Buffer => Buffer.concat(lines);

/** A line without its terminator. */
const stripEol = (line: Buffer): Buffer => (line.length > 0 && line[line.length - 1] === 10 ? line.subarray(0, -1) : line);

/** Where line `i` starts in the joined text. */
export function lineOffset(lines: readonly Uint8Array[], i: number): number {
  let at = 0;
  for (let k = 0; k < i; k++) at += lines[k].length;
  return at;
}

/** The 1-based line holding byte `offset`. */
export function lineAt(text: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === 10) line++;
  return line;
}

export const hex = (b: number): string => `0x${b.toString(16).padStart(2, "0")}`;

/** `text` with every control character (C0 but newline, DEL, C1, line separators) written as `\uXXXX`. */
export function escapeRaw(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `text` quoted for a report: JSON escapes, plus DEL, C1 and the line separators JSON leaves raw. */
export function visible(text: string): string {
  return escapeRaw(JSON.stringify(text));
}

/** XORs 1–`max` random bytes with a random non-zero mask; returns the mutated copy and what it did. */
export function flipBytes(rng: Rng, text: Uint8Array, max: number, from = 0, to = text.length): { bytes: Buffer; what: string } {
  const out = Buffer.from(text);
  const n = rng.range(1, max);
  const parts: string[] = [];
  for (let k = 0; k < n && to > from; k++) {
    const at = rng.range(from, to - 1);
    const mask = rng.chance(0.5) ? 1 << rng.int(8) : rng.range(1, 255);
    const before = out[at];
    out[at] ^= mask;
    parts.push(`@${at} ${hex(before)}→${hex(out[at])}`);
  }
  return { bytes: out, what: parts.join(", ") };
}

/** A gzip form of `text`: mostly level 1 (a few milliseconds), sometimes level 9 (tens of milliseconds). */
export function gzip(rng: Rng, text: Uint8Array): Buffer {
  return gzipSync(text, { level: rng.chance(0.1) ? 9 : 1 });
}

/** The offsets of every byte in `text` for which `keep` holds. */
export function offsetsWhere(text: Uint8Array, keep: (byte: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) if (keep(text[i])) out.push(i);
  return out;
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Bytes that mean something to a CSV or JSON-lines parser, or to a terminal, and some that mean nothing. */
export const SPECIAL_BYTES: readonly (readonly number[])[] = [
  [0x00], [0x0d], [0x0a], [0x2c], [0x2d], [0x2e], [0x20], [0x09], [0x22], [0x7b], [0x7d], [0x5b], [0x5d], [0x3a],
  [0x1b, 0x5b, 0x33, 0x31, 0x6d], [0xff], [0xc3], [0xe2, 0x80, 0xa8], [0x65], [0x2b], [0x41], [0x7f], [0x9b], [0xef, 0xbb, 0xbf],
];

/** Replaces or inserts one of {@link SPECIAL_BYTES} at a random offset. */
export function specialByte(rng: Rng, text: Uint8Array): { bytes: Buffer; what: string } {
  const seq = rng.pick(SPECIAL_BYTES);
  const at = rng.int(Math.max(1, text.length));
  const insert = rng.chance(0.5);
  const b = Buffer.from(text);
  const bytes = Buffer.concat([b.subarray(0, at), Buffer.from(seq), b.subarray(insert ? at : Math.min(b.length, at + 1))]);
  return { bytes, what: `${insert ? "insert" : "replace"} [${seq.map(hex).join(" ")}] @${at} (line ${lineAt(b, at)})` };
}

/** Rewrites the line endings of `text`: every LF as CRLF or CR, or a random mix. */
export function lineEndings(rng: Rng, text: Uint8Array, mode: "crlf" | "cr" | "mixed"): { bytes: Buffer; what: string } {
  const lines = splitLines(text).map(stripEol);
  const ends = lines.map(() => (mode === "crlf" ? "\r\n" : mode === "cr" ? "\r" : rng.pick(["\n", "\r\n", "\r"])));
  const bytes = Buffer.concat(lines.flatMap((l, i) => [l, Buffer.from(ends[i])]));
  return { bytes, what: mode === "mixed" ? "LF, CRLF and CR endings mixed at random" : `every LF as ${mode.toUpperCase()}` };
}

// ---- the pool -----------------------------------------------------------------------------------

const WORKER = fileURLToPath(new URL("./fuzz-worker.ts", import.meta.url));
const REPO = resolve(dirname(WORKER), "../..");

/** Messages from a child: ready after start-up, started before each case (so a timeout can name it), the result. */
export type WorkerMessage =
  | { type: "ready"; setupError?: string }
  | { type: "started"; index: number; label: string }
  | { type: "result"; result: CaseResult };

/** Messages to a child. */
export type ParentMessage = { type: "case"; case: FuzzCase; keep: boolean };

/** One child process that runs cases one at a time; replaced after a timeout or a crash. */
class Lane {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private output = "";
  private spawned = 0;

  constructor(
    private readonly id: number,
    private readonly workDir: string,
    private readonly corpusDir: string,
  ) {}

  private start(): Promise<void> {
    const dir = join(this.workDir, `w${this.id}-${this.spawned++}`);
    mkdirSync(dir, { recursive: true });
    this.output = "";
    const child = fork(WORKER, [this.corpusDir, dir], {
      cwd: REPO,
      execArgv: ["--import", "tsx", "--max-old-space-size=2048"],
      silent: true,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    // A child that dies between cases is replaced on the next case.
    child.on("exit", () => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    return new Promise((resolveReady, rejectReady) => {
      const onMessage = (m: WorkerMessage) => {
        if (m.type !== "ready") return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (m.setupError) console.warn(`[fuzz] worker ${this.id}: ${m.setupError}`);
        resolveReady();
      };
      const onExit = (code: number | null, signal: string | null) => {
        rejectReady(new Error(`fuzz worker exited during start-up (code ${code}, signal ${signal}):\n${this.output}`));
      };
      child.on("message", onMessage);
      child.on("exit", onExit);
    });
  }

  /** Runs one case; a case that outlives `deadlineMs` is killed and reported as a timeout. */
  async run(c: FuzzCase, deadlineMs: number, keep: boolean): Promise<CaseResult> {
    if (!this.child) this.ready = this.start();
    await this.ready;
    const child = this.child as ChildProcess;
    const t0 = Date.now();
    let label = `${c.suite} ${c.family}`;
    return new Promise<CaseResult>((done) => {
      const finish = (r: CaseResult) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(r);
      };
      const dead = (outcome: "timeout" | "crash", detail: string): CaseResult => ({
        index: c.index,
        suite: c.suite,
        family: c.family,
        label,
        outcome,
        codes: [],
        failures: [{ check: outcome === "timeout" ? "time bound" : "process crash", detail, cls: `${outcome === "timeout" ? "hang" : detail.replace(/\).*/s, ")")} in ${c.family}` }],
        ms: Date.now() - t0,
      });
      const onMessage = (m: WorkerMessage) => {
        if (m.type === "started" && m.index === c.index) label = m.label;
        if (m.type === "result" && m.result.index === c.index) finish(m.result);
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.child = undefined;
        const tail = this.output.trim().split("\n").slice(-3).join(" | ");
        finish(dead("crash", `the case process died (exit code ${code}, signal ${signal})${tail ? `: ${tail}` : ""}`));
      };
      const timer = setTimeout(() => {
        child.off("exit", onExit);
        child.kill("SIGKILL");
        this.child = undefined;
        finish(dead("timeout", `no result within ${deadlineMs} ms (killed)`));
      }, deadlineMs);
      child.on("message", onMessage);
      child.on("exit", onExit);
      child.send({ type: "case", case: c, keep } satisfies ParentMessage);
    });
  }

  close(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
  }
}

/** How a run is sized and bounded. */
export interface FuzzOptions {
  seed: number;
  /** Cases 0..cases-1 (or exactly `only`). */
  cases: number;
  /** Run just these case numbers (a replay). */
  only?: readonly number[];
  /** Restrict to one suite. */
  suite?: Suite;
  /** Child processes; at most 2 (CI has 2 cores). */
  workers: number;
  /** Per-case wall-clock limit. */
  deadlineMs: number;
  /** Stop handing out cases after this long (the rest are reported as not run). */
  budgetMs?: number;
  /** Keep each case's folder (inputs and outputs) and print where it is. */
  keep?: boolean;
  onResult?: (r: CaseResult) => void;
}

/** Run options from the environment: TRANCHE_FUZZ_SEED, _CASES, _ONLY, _WORKERS, _DEADLINE_MS, _BUDGET_S, _KEEP. */
export function optionsFromEnv(defaults: { cases: number; budgetMs?: number }): FuzzOptions {
  const env = process.env;
  const num = (v: string | undefined, d: number) => (v !== undefined && v !== "" && Number.isFinite(Number(v)) ? Number(v) : d);
  const only = env.TRANCHE_FUZZ_ONLY ? env.TRANCHE_FUZZ_ONLY.split(",").map((s) => Number(s.trim())) : undefined;
  return {
    seed: num(env.TRANCHE_FUZZ_SEED, DEFAULT_SEED),
    cases: num(env.TRANCHE_FUZZ_CASES, defaults.cases),
    only,
    workers: Math.min(2, Math.max(1, num(env.TRANCHE_FUZZ_WORKERS, 2))),
    deadlineMs: num(env.TRANCHE_FUZZ_DEADLINE_MS, 10_000),
    budgetMs: env.TRANCHE_FUZZ_BUDGET_S !== undefined ? num(env.TRANCHE_FUZZ_BUDGET_S, 0) * 1000 || undefined : defaults.budgetMs,
    keep: env.TRANCHE_FUZZ_KEEP === "1",
  };
}

/** The CI seed: fixed, so a CI failure is the same case on every machine. */
export const DEFAULT_SEED = 20240808;

/** The outcome of a run. */
export interface FuzzRun {
  corpus: Corpus;
  options: FuzzOptions;
  results: CaseResult[];
  /** Cases the budget left unrun. */
  notRun: number[];
  seconds: number;
}

/** The case numbers a run covers: `only`, or 0..cases-1, restricted to `suite`. */
export function planIndexes(options: Pick<FuzzOptions, "seed" | "cases" | "only" | "suite">): number[] {
  return (options.only ?? Array.from({ length: options.cases }, (_, i) => i)).filter((i) => options.suite === undefined || caseAt(options.seed, i).suite === options.suite);
}

/** Runs the cases of `options` through a pool of child processes. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzRun> {
  const t0 = Date.now();
  const corpus = loadCorpus();
  if (corpus.source === "synthetic") console.warn(`[fuzz] ${corpus.from}`);
  const workDir = mkdtempSync(join(tmpdir(), "tranche-fuzz-"));
  const corpusDir = join(workDir, "corpus");
  saveCorpus(corpus, corpusDir);
  const queue = planIndexes(options).map((i) => caseAt(options.seed, i));
  const results: CaseResult[] = [];
  const lanes = Array.from({ length: Math.min(options.workers, Math.max(1, queue.length)) }, (_, k) => new Lane(k, workDir, corpusDir));
  const overBudget = () => options.budgetMs !== undefined && Date.now() - t0 > options.budgetMs;
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        while (queue.length > 0 && !overBudget()) {
          const c = queue.shift() as FuzzCase;
          const r = await lane.run(c, options.deadlineMs, options.keep === true);
          results.push(r);
          options.onResult?.(r);
        }
        lane.close();
      }),
    );
  } finally {
    for (const lane of lanes) lane.close();
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
    else console.log(`[fuzz] case folders kept under ${workDir}`);
  }
  results.sort((a, b) => a.index - b.index);
  return { corpus, options, results, notRun: queue.map((c) => c.index), seconds: (Date.now() - t0) / 1000 };
}

// ---- reporting ----------------------------------------------------------------------------------

/** The command that reruns case `index` of `seed` alone. */
export function replayCommand(seed: number, index: number): string {
  return `TRANCHE_FUZZ_SEED=${seed} TRANCHE_FUZZ_ONLY=${index} npx vitest run test/data/fuzz.test.ts  (or: npm run fuzz -- --seed ${seed} --only ${index} --keep)`;
}

/** A failure with the details that vary from case to case (numbers, paths, quoted input) taken out. */
function failureClass(r: CaseResult, f: CaseFailure): string {
  const detail = (f.cls ?? f.detail)
    .replace(/\/[^\s:"',)]+/g, "<path>")
    .replace(/\b(in|out)\/[\w.\/-]+/g, "<file>")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/0x[0-9a-f]+/gi, "0x…")
    .replace(/\d[\d,._]*/g, "N")
    .slice(0, 110);
  return `${r.suite} · ${f.check} · ${detail}`;
}

/** Distinct failure classes, each with its count and the first case that shows it. */
export function failureClasses(results: readonly CaseResult[]): { key: string; count: number; first: CaseResult; failure: CaseFailure }[] {
  const classes = new Map<string, { key: string; count: number; first: CaseResult; failure: CaseFailure }>();
  for (const r of results) {
    // Counted in cases: one case may break the same promise in two operations.
    for (const [key, f] of new Map(r.failures.map((f) => [failureClass(r, f), f]))) {
      const c = classes.get(key);
      if (c) c.count++;
      else classes.set(key, { key, count: 1, first: r, failure: f });
    }
  }
  return [...classes.values()];
}

/** One line: cases by outcome and by DataError code, and the time taken. */
export function summaryLine(run: FuzzRun, results: readonly CaseResult[] = run.results, what = "fuzz"): string {
  const outcomes = new Map<string, number>();
  const codes = new Map<string, number>();
  for (const r of results) {
    outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    for (const code of new Set(r.codes)) codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  const list = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
  return (
    `${what}: ${results.length} cases (seed ${run.options.seed}, ${run.corpus.source} data) — ${list(outcomes) || "none"}` +
    ` | DataError codes: ${list(codes) || "none"} | ${run.seconds.toFixed(1)} s` +
    (run.notRun.length > 0 ? ` | ${run.notRun.length} not run (budget)` : "")
  );
}

/** The failure report: every class, how often, and the first case with its label and replay command. */
export function failureReport(run: FuzzRun, results: readonly CaseResult[] = run.results): string {
  const classes = failureClasses(results);
  if (classes.length === 0) return "";
  const lines = [`${classes.length} failure classes in ${results.filter((r) => r.failures.length > 0).length} of ${results.length} cases:`];
  for (const c of classes) {
    const cls = c.failure.cls ? `: ${c.failure.cls.replace(/\/[^\s:"',)]+/g, "<path>")}` : "";
    lines.push(
      `- [${c.count}×] ${c.first.suite} · ${c.failure.check}${cls}`,
      `    first: case ${c.first.index} (${c.first.family}): ${escapeRaw(c.first.label)}`,
      `    got:   ${escapeRaw(c.failure.detail.slice(0, 400))}`,
      `    replay: ${replayCommand(run.options.seed, c.first.index)}`,
    );
  }
  return lines.join("\n");
}

// ---- the long run ---------------------------------------------------------------------------------

/**
 * `npm run fuzz -- [--cases N] [--seed S] [--only i,j] [--suite S] [--deadline-ms MS] [--workers W] [--keep]`:
 * many more cases than CI (default 6,000 and a fresh seed), progress, then the summary and the failure classes.
 * Returns the exit code: 0 no failure, 1 failures.
 */
export async function fuzzMain(argv: readonly string[]): Promise<number> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const base = optionsFromEnv({ cases: 6_000 });
  const seed = arg("seed") ?? process.env.TRANCHE_FUZZ_SEED;
  const options: FuzzOptions = {
    ...base,
    seed: seed !== undefined ? Number(seed) : Math.floor(Math.random() * 2 ** 31),
    cases: Number(arg("cases") ?? base.cases),
    only: arg("only")?.split(",").map(Number) ?? base.only,
    suite: (arg("suite") as Suite | undefined) ?? undefined,
    workers: Math.min(2, Number(arg("workers") ?? base.workers)),
    deadlineMs: Number(arg("deadline-ms") ?? base.deadlineMs),
    keep: argv.includes("--keep") || base.keep,
  };
  let done = 0;
  let failed = 0;
  const total = planIndexes(options).length;
  const t0 = Date.now();
  options.onResult = (r) => {
    done++;
    if (r.failures.length > 0) failed++;
    if (done % 250 === 0 || done === total) {
      process.stdout.write(`[fuzz] ${done}/${total} cases, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  };
  const run = await runFuzz(options);
  console.log(`[fuzz] inputs: ${run.corpus.from}`);
  for (const suite of SUITES) {
    const mine = run.results.filter((r) => r.suite === suite);
    if (mine.length > 0) console.log(summaryLine(run, mine, suite));
  }
  console.log(summaryLine(run));
  const slow = run.results.filter((r) => r.ms > 1_000 && r.outcome !== "timeout");
  if (slow.length > 0) console.log(`slow cases (> 1 s): ${slow.map((r) => `${r.index} (${r.ms} ms)`).slice(0, 20).join(", ")}`);
  const report = failureReport(run);
  if (report) console.log(`\n${report}`);
  return report ? 1 : 0;
}
