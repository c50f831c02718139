// A fuzz case process (started by the pool in fuzz-cases.ts): builds each case's mutated inputs, runs the
// import command or the readers exactly as a user would, and checks every promise the data layer makes:
// a case ends in a clear DataError or in files that read back and verify, never in a stack trace, a stray
// control character, a partial output, or a changed input.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { runDataCommand } from "../../cli/data.js";
import { verifyLobster } from "../../cli/verify.js";
import { DataError } from "../../data/errors.js";
import { bookColumns, fixedColumns, openDataFile, readBinance, readLobster } from "../../data/reader.js";
import type { FixedKind } from "../../data/schema.js";
import {
  flipBytes,
  gzip,
  hex,
  isDigit,
  joinLines,
  lineAt,
  lineEndings,
  lineOffset,
  offsetsWhere,
  readSavedCorpus,
  Rng,
  specialByte,
  splitLines,
  visible,
  type CaseFailure,
  type CaseResult,
  type Corpus,
  type FuzzCase,
  type ParentMessage,
  type WorkerMessage,
} from "./fuzz-cases.js";

const [corpusDir, workDir] = process.argv.slice(2);
const corpus: Corpus = readSavedCorpus(corpusDir);
const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

// ---- running a command as the CLI does ----------------------------------------------------------

interface CommandRun {
  code: number | undefined;
  /** A non-DataError that escaped runDataCommand (it would reach the user as a stack trace). */
  thrown: unknown;
  out: string;
  err: string;
}

async function runCli(argv: string[]): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runDataCommand(argv, { verifyLobster, print: (l) => out.push(l), printError: (l) => err.push(l) });
    return { code, thrown: undefined, out: out.join("\n"), err: err.join("\n") };
  } catch (e) {
    return { code: undefined, thrown: e, out: out.join("\n"), err: err.join("\n") };
  }
}

/** `TypeError: message (at data/reader.ts:123)`: enough to find the throw without a full stack. */
function describeThrown(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${String(e).slice(0, 200)}`;
  const frame = (e.stack ?? "").split("\n").find((l) => /^\s+at /.test(l) && !l.includes("node:internal"));
  const where = frame?.match(/([\w.-]+\/[\w.-]+\.[cm]?[jt]s):(\d+)/);
  const code = (e as { code?: unknown }).code;
  return `${e.name}${typeof code === "string" ? ` [${code}]` : ""}: ${e.message.split("\n")[0].slice(0, 200)}${where ? ` (at ${where[1]}:${where[2]})` : ""}`;
}

// C0 (but tab and newline), DEL, C1, and the line and paragraph separators: what data/errors.ts escapes.
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/;
const STACK_FRAME = /^\s+at \S.*(:\d+:\d+\)?|\(native\))$/m;
const DATA_ERROR_LINE = /^tranche data [a-z-]+: ([A-Z_]+): [\s\S]*\. Fix: \S/;

/** The output of a command is fit for a terminal: no stack frames, no raw control characters, bounded errors. */
function checkOutput(run: CommandRun, failures: CaseFailure[], what: string, usageAllowed = false): string | undefined {
  if (run.thrown !== undefined) failures.push({ check: "no uncaught error", detail: `${what}: ${describeThrown(run.thrown)}`, cls: `${what.split(" ")[0]}: ${describeThrown(run.thrown)}` });
  const text = `${run.out}\n${run.err}`;
  if (STACK_FRAME.test(text) || text.includes("    at ")) {
    failures.push({ check: "no stack trace in the output", detail: `${what}: ${(text.match(STACK_FRAME)?.[0] ?? "").trim().slice(0, 160)}`, cls: what.split(" ")[0] });
  }
  const control = RAW_CONTROL.exec(text);
  if (control) {
    const around = text.slice(Math.max(0, control.index - 30), control.index + 10);
    failures.push({ check: "no raw control characters in the output", detail: `${what}: ${hex(control[0].charCodeAt(0))} in ${visible(around)}`, cls: what.split(" ")[0] });
  }
  if (run.code === undefined) return undefined;
  if (usageAllowed && run.code === 2 && run.err.includes("Usage: tranche data")) return "usage error (exit 2)";
  if (run.code !== 0 && run.code !== 1) {
    failures.push({ check: "exit code 0 or 1", detail: `${what}: exit ${run.code}: ${run.err.split("\n")[0].slice(0, 200)}`, cls: `${what.split(" ")[0]}: exit ${run.code}: ${run.err.split("\n")[0].replace(/\S*\/\S*/g, "<path>").slice(0, 120)}` });
    return undefined;
  }
  if (run.code === 0) return undefined;
  const m = DATA_ERROR_LINE.exec(run.err);
  if (!m) {
    failures.push({ check: "exit 1 carries a DataError", detail: `${what}: stderr is ${visible(run.err.slice(0, 200))}` });
    return undefined;
  }
  if (run.err.length > 4000) failures.push({ check: "error message is bounded", detail: `${what}: ${m[1]} message is ${run.err.length} characters` });
  return m[1];
}

/** Runs a reader call: its value, or the DataError it refused with; anything else thrown is a failure. */
function tryRead<T>(read: () => T, failures: CaseFailure[], what: string): { value?: T; code?: string; message?: string } {
  try {
    return { value: read() };
  } catch (e) {
    if (e instanceof DataError) {
      if (RAW_CONTROL.test(e.message)) failures.push({ check: "no raw control characters in the output", detail: `${what}: ${e.code} message`, cls: what.replace(/\(.*/, "") });
      return { code: e.code, message: e.message };
    }
    failures.push({ check: "no uncaught error", detail: `${what}: ${describeThrown(e)}`, cls: `${what.replace(/\(.*/, "")}: ${describeThrown(e)}` });
    return {};
  }
}

// ---- files ----------------------------------------------------------------------------------------

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex").slice(0, 16);

/** Every file under `root` (relative path → short sha256; directories as "dir"). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = join(root, rel);
    for (const name of readdirSync(abs)) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const st = statSync(join(root, r));
      if (st.isDirectory()) {
        out.set(r, "dir");
        walk(r);
      } else out.set(r, sha(readFileSync(join(root, r))));
    }
  };
  walk("");
  return out;
}

/** Decompresses `bytes` the way the importers do (by the gzip magic), or undefined if that fails. */
function textOf(bytes: Uint8Array): Buffer | undefined {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch {
      return undefined;
    }
  }
  return Buffer.from(bytes);
}

/** LOBSTER data lines: non-blank lines, any line ending, without a header line (a first line starting with a letter). */
function lobsterDataLines(bytes: Uint8Array): number | undefined {
  const text = textOf(bytes);
  if (!text) return undefined;
  const lines = text.toString("latin1").split(/\r\n|\r|\n/);
  if (lines.length > 0 && /^[A-Za-z]/.test(lines[0])) lines.shift();
  return lines.filter((l) => l.trim() !== "").length;
}

const printedCount = (out: string, re: RegExp): number[] | undefined => {
  const m = re.exec(out);
  return m ? m.slice(1).map((s) => Number(s.replace(/,/g, ""))) : undefined;
};

// ---- reference imports (for the readers and for pre-existing outputs) ------------------------------

/** A comparable summary of what a read returned: metadata, rows, and a hash of every column. */
function fingerprint(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) return sha(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    if (Array.isArray(v)) return v.map(walk);
    // `path` is where a table was read from, not what it holds.
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "path").map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return JSON.stringify(walk(value));
}

/** Opens one file without asking for a kind, and reads all its columns, as a consumer of any kind would. */
function openAll(path: string) {
  const file = openDataFile(path);
  const columns = file.meta.kind === "book" ? bookColumns(file) : fixedColumns(file, file.meta.kind as FixedKind);
  return { meta: file.meta, rows: file.rows, columns };
}

type SetName = "lob" | "spot" | "usdm";

/** One clean import: its folder, file names, and what every reader gives on it. */
interface RefSet {
  dir: string;
  files: string[];
  /** readLobster / readBinance of the main file. */
  read: string;
  /** The same, columns only (no metadata): what an import of the same records holds whatever the file names. */
  columns: string;
  /** openAll of each file, by name. */
  open: Map<string, string>;
  /** The `info` block of each file, by name. */
  infoBlocks: Map<string, string>;
}

const refs = new Map<string, RefSet>();

const LOBSTER_FILES = ["a.arrow", "a.book.arrow"];
const BINANCE_FILES = ["a.arrow", "a.trades.arrow", "a.bbo.arrow"];

/** Splits `info` output into per-file blocks keyed by the file name their first line starts with. */
function infoBlocks(out: string): Map<string, string>[] {
  return out
    .split(/\n\n+/)
    .filter((b) => b.trim() !== "")
    .map((b) => new Map([[b.slice(0, b.indexOf(": ")), b]]));
}

async function prepareRef(name: string, set: SetName, inputs: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const dir = join(workDir, "refs", name);
  mkdirSync(dir, { recursive: true });
  const paths = inputs.map((f) => {
    const p = join(dir, "src", f.name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
    return p;
  });
  const main = join(dir, "a.arrow");
  const run = await runCli([set === "lob" ? "import-lobster" : "import-binance", ...paths, "-o", main]);
  if (run.code !== 0) throw new Error(`clean import ${name} failed: ${run.thrown ? describeThrown(run.thrown) : run.err.slice(0, 300)}`);
  const files = set === "lob" ? LOBSTER_FILES : BINANCE_FILES;
  const tables = set === "lob" ? readLobster(main) : readBinance(main);
  const read = fingerprint(tables);
  const columns = fingerprint("depth" in tables ? { depth: tables.depth.columns, trades: tables.trades?.columns, bbo: tables.bbo?.columns } : {});
  const open = new Map(files.map((f) => [f, fingerprint(openAll(join(dir, f)))]));
  const info = await runCli(["info", main]);
  if (info.code !== 0) throw new Error(`info on clean import ${name} failed: ${info.err.slice(0, 300)}`);
  const blocks = new Map<string, string>();
  for (const b of infoBlocks(info.out.split(dir).join("<dir>"))) for (const [k, v] of b) blocks.set(k, v);
  refs.set(name, { dir, files, read, columns, open, infoBlocks: blocks });
}

const lobsterNames = (stem: string, levels: number, gz = false) => ({
  message: `${stem}_message_${levels}.csv${gz ? ".gz" : ""}`,
  orderbook: `${stem}_orderbook_${levels}.csv${gz ? ".gz" : ""}`,
});

const headLines = (text: Buffer, n: number) => joinLines(splitLines(text).slice(0, n));

async function prepareRefs(): Promise<void> {
  const L = corpus.lobster;
  const names = lobsterNames(L.stem, L.levels);
  const lob = [
    { name: names.message, bytes: L.message },
    { name: names.orderbook, bytes: L.orderbook },
  ];
  const half = Math.floor(splitLines(L.message).length / 2);
  await prepareRef("lob", "lob", lob);
  await prepareRef("lob-same", "lob", lob);
  await prepareRef("lob-other", "lob", [
    { name: names.message, bytes: headLines(L.message, half) },
    { name: names.orderbook, bytes: headLines(L.orderbook, half) },
  ]);
  const spot = [
    { name: "btcusdt_20240808.txt", bytes: corpus.spot08 },
    { name: "btcusdt_20240809.txt", bytes: corpus.spot09 },
  ];
  await prepareRef("spot", "spot", spot);
  await prepareRef("spot-same", "spot", spot);
  await prepareRef("spot-other", "spot", spot.slice(0, 1));
  const usdm = [{ name: "btcusdt_20240808.txt", bytes: corpus.usdm08 }];
  await prepareRef("usdm", "usdm", usdm);
  await prepareRef("usdm-same", "usdm", usdm);
  await prepareRef("usdm-other", "usdm", [{ name: "btcusdt_20240808.txt", bytes: headLines(corpus.usdm08, Math.floor(splitLines(corpus.usdm08).length * 0.6)) }]);
}

// ---- building an import case --------------------------------------------------------------------

/** What an import case writes, runs and expects. Paths are relative to the case folder (`in/…`, `out/…`). */
interface ImportSetup {
  label: string;
  files: { rel: string; bytes: Uint8Array | "dir" }[];
  argv: string[];
  /** The main output and its companions. */
  outputs: string[];
  /** Why this input must import (a clean slice, a prefix pair, …); undefined if either ending is allowed. */
  mustSucceed?: string;
  /** Option values out of range may be refused as usage errors (exit 2, with the usage text). */
  usageAllowed?: boolean;
  /**
   * Inputs out of time order or repeated: the import may refuse them (INPUT_ORDER) or put them right, but a
   * success must hold exactly the columns of this clean reference import (the files in order, each once).
   */
  sameAs?: { ref: string; why: string };
}

interface Mutated {
  bytes: Buffer;
  what: string;
}

/** Line-level mutations shared by both importers; `both` applies the same edit at the same line to every text. */
function lineMutation(rng: Rng, family: string, texts: Buffer[], which: number[]): { texts: Buffer[]; what: string } | undefined {
  const split = texts.map((t) => splitLines(t));
  const n = Math.min(...which.map((w) => split[w].length));
  const out = [...texts];
  const edit = (f: (lines: Buffer[]) => Buffer[]) => {
    for (const w of which) out[w] = joinLines(f([...split[w]]));
  };
  switch (family) {
    case "duplicate-line":
    case "duplicate-line-both": {
      const i = rng.int(n);
      const count = rng.chance(0.8) ? 1 : rng.range(2, 20);
      edit((l) => [...l.slice(0, i + 1), ...Array.from({ length: count }, () => withEol(l[i])), ...l.slice(i + 1)]);
      return { texts: out, what: `line ${i + 1} repeated ${count}×` };
    }
    case "drop-line":
    case "drop-line-both":
    case "snapshot-dropped": {
      const i = rng.int(n);
      edit((l) => [...l.slice(0, i), ...l.slice(i + 1)]);
      return { texts: out, what: `line ${i + 1} dropped` };
    }
    case "swap-lines":
    case "swap-lines-both": {
      const i = rng.int(n);
      const j = rng.chance(0.5) ? Math.min(n - 1, i + 1) : rng.int(n);
      edit((l) => {
        const a = withEol(l[i]);
        const b = withEol(l[j]);
        l[i] = b;
        l[j] = a;
        return l;
      });
      return { texts: out, what: `lines ${i + 1} and ${j + 1} swapped` };
    }
    case "move-block": {
      const from = rng.int(n);
      const len = rng.range(1, Math.min(50, n - from));
      const to = rng.int(n - len + 1);
      edit((l) => {
        const block = l.splice(from, len).map(withEol);
        l.splice(to, 0, ...block);
        return l;
      });
      return { texts: out, what: `lines ${from + 1}..${from + len} moved to line ${to + 1}` };
    }
    case "prefix-both":
    case "prefix": {
      const k = rng.range(1, n);
      edit((l) => l.slice(0, k));
      return { texts: out, what: `cut after line ${k}` };
    }
    case "suffix-both": {
      const k = rng.range(1, n - 1);
      edit((l) => l.slice(k));
      return { texts: out, what: `first ${k} lines dropped` };
    }
    default:
      return undefined;
  }
}

const withEol = (line: Buffer): Buffer => (line.length > 0 && line[line.length - 1] === 10 ? line : Buffer.concat([line, Buffer.from("\n")]));

/** Byte-level mutations of one text (family by family). */
function textMutation(rng: Rng, family: string, text: Buffer, json: boolean): Mutated | undefined {
  switch (family) {
    case "byte-flip": {
      const m = flipBytes(rng, text, 3);
      return { bytes: m.bytes, what: `${m.what} (line ${lineAt(text, Number(/@(\d+)/.exec(m.what)?.[1] ?? 0))})` };
    }
    case "digit-change": {
      const digits = offsetsWhere(text, isDigit);
      const at = rng.pick(digits);
      const b = Buffer.from(text);
      b[at] = 48 + ((b[at] - 48 + rng.range(1, 9)) % 10);
      return { bytes: b, what: `digit @${at} (line ${lineAt(text, at)}) ${String.fromCharCode(text[at])}→${String.fromCharCode(b[at])}` };
    }
    case "special-byte":
      return specialByte(rng, text);
    case "long-number": {
      const digits = offsetsWhere(text, isDigit);
      const at = rng.pick(digits);
      const value = rng.pick(["9".repeat(rng.range(16, 30)), "-", "-0", "1e5", "0x1f", "Infinity", "NaN", "4294967296", "9007199254740993", "-9999999999"]);
      const b = Buffer.concat([text.subarray(0, at), Buffer.from(value), text.subarray(at)]);
      return { bytes: b, what: `"${value}" inserted @${at} (line ${lineAt(text, at)})` };
    }
    case "json-token": {
      const tokens = offsetsWhere(text, (c) => c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x22 || c === 0x3a || c === 0x2c);
      const at = rng.pick(tokens);
      const to = rng.pick(["", "{", "}", "[", "]", '"', ":", ",", "null", "0"]);
      const b = Buffer.concat([text.subarray(0, at), Buffer.from(to), text.subarray(at + 1)]);
      return { bytes: b, what: `${JSON.stringify(String.fromCharCode(text[at]))} @${at} (line ${lineAt(text, at)}) → ${JSON.stringify(to)}` };
    }
    case "json-escape": {
      // A JSON escape is valid JSON that decodes to a control character: the parser lets it through.
      const quotes = offsetsWhere(text, (c) => c === 0x22);
      const q = rng.int(quotes.length - 1);
      // Half inside a stream name (it reaches the metadata and `info` when the stream is unknown), half
      // anywhere between a quote and the next one: inside a string (a price, a symbol) or between two.
      const streams: number[] = [];
      for (let p = text.indexOf('"stream":"'); p >= 0; p = text.indexOf('"stream":"', p + 1)) streams.push(p + 10);
      const inStream = streams.length > 0 && rng.chance(0.5);
      const at = inStream ? rng.pick(streams) + rng.range(0, 16) : rng.range(quotes[q] + 1, quotes[q + 1]);
      const esc = rng.pick(["\\u001b[31m", "\\u0000", "\\u2028", "\\r", "\\n", "\\u009b", "\\b"]);
      const b = Buffer.concat([text.subarray(0, at), Buffer.from(esc), text.subarray(at)]);
      return { bytes: b, what: `JSON escape ${esc} inserted @${at} (line ${lineAt(text, at)})` };
    }
    case "truncate":
    case "truncate-one":
    case "truncate-both": {
      const at = rng.int(text.length);
      return { bytes: text.subarray(0, at), what: `truncated at byte ${at} of ${text.length} (line ${lineAt(text, at)})` };
    }
    case "crlf":
      return lineEndings(rng, text, "crlf");
    case "cr-only":
      return lineEndings(rng, text, "cr");
    case "mixed-endings":
      return lineEndings(rng, text, "mixed");
    case "blank-lines": {
      const lines = splitLines(text);
      const where = rng.pick(["start", "middle", "end"] as const);
      const blank = Buffer.from(rng.pick(["\n", "\r\n", "  \n", "\n\n\n", "\t\n"]));
      const i = where === "start" ? 0 : where === "end" ? lines.length : rng.range(1, lines.length - 1);
      const b = joinLines([...lines.slice(0, i).map(withEol), blank, ...lines.slice(i)]);
      return { bytes: b, what: `blank line ${JSON.stringify(blank.toString())} at the ${where} (before line ${i + 1})` };
    }
    case "no-final-newline":
      return { bytes: text.subarray(0, text[text.length - 1] === 10 ? -1 : undefined), what: "final newline removed" };
    case "stray-cr": {
      const at = rng.chance(0.5) ? rng.pick(offsetsWhere(text, (c) => c === 10)) : rng.int(text.length);
      const b = Buffer.concat([text.subarray(0, at), Buffer.from("\r"), text.subarray(at)]);
      return { bytes: b, what: `CR inserted @${at} (line ${lineAt(text, at)})` };
    }
    case "empty-file":
      return { bytes: Buffer.alloc(rng.chance(0.7) ? 0 : 1, 10), what: "empty file" };
    case "header-line": {
      const header = json ? "local_recv_ts_ns json\n" : rng.pick(["time,type,order_id,size,price,direction\n", "ask_price_1,ask_size_1,bid_price_1,bid_size_1\n"]);
      return { bytes: Buffer.concat([Buffer.from(header), text]), what: `header line ${JSON.stringify(header.trim())} added` };
    }
    default:
      return undefined;
  }
}

/** Gzip-level mutations: applied to the compressed bytes of one input. */
function gzMutation(rng: Rng, family: string, text: Buffer): Mutated | undefined {
  const gz = gzip(rng, text);
  switch (family) {
    case "gz-truncate": {
      const at = rng.chance(0.15) ? rng.int(10) : rng.chance(0.15) ? gz.length - rng.range(1, 8) : rng.int(gz.length);
      return { bytes: gz.subarray(0, at), what: `gzip truncated at byte ${at} of ${gz.length}` };
    }
    case "gz-flip": {
      const region = rng.pick(["header", "body", "trailer"] as const);
      const [from, to] = region === "header" ? [0, 10] : region === "trailer" ? [gz.length - 8, gz.length] : [10, gz.length - 8];
      const m = flipBytes(rng, gz, 1, from, to);
      return { bytes: m.bytes, what: `gzip ${region} byte ${m.what}` };
    }
    case "gz-garbage": {
      const tail = rng.chance(0.5) ? Buffer.from([0x1f, 0x8b, ...Array.from({ length: rng.range(0, 20) }, () => rng.int(256))]) : Buffer.from(Array.from({ length: rng.range(1, 64) }, () => rng.int(256)));
      return { bytes: Buffer.concat([gz, tail]), what: `${tail.length} bytes after the gzip stream (${tail.subarray(0, 4).toString("hex")}…)` };
    }
    case "gz-multi-member": {
      const at = rng.int(text.length);
      return { bytes: Buffer.concat([gzip(rng, text.subarray(0, at)), gzip(rng, text.subarray(at))]), what: `two gzip members split at byte ${at}` };
    }
    case "gz-double":
      return { bytes: gzip(rng, gz), what: "gzipped twice" };
    default:
      return undefined;
  }
}

function snapshotLineIndex(text: Buffer): number {
  return splitLines(text).findIndex((l) => l.includes('"lastUpdateId"'));
}

/** Text families, line families and gzip families, applied to the chosen inputs; the rest are argument families. */
function mutateInputs(rng: Rng, family: string, texts: Buffer[], which: number[], json: boolean): { texts: Buffer[]; gz: (Buffer | undefined)[]; what: string } | undefined {
  const gz: (Buffer | undefined)[] = texts.map(() => undefined);
  const lines = lineMutation(rng, family, texts, which);
  if (lines) return { texts: lines.texts, gz, what: lines.what };
  const out = [...texts];
  const parts: string[] = [];
  for (const w of which) {
    const m = textMutation(rng, family, texts[w], json);
    if (m) {
      out[w] = m.bytes;
      parts.push(m.what);
      continue;
    }
    const g = gzMutation(rng, family, texts[w]);
    if (!g) return undefined;
    gz[w] = g.bytes;
    parts.push(g.what);
  }
  return { texts: out, gz, what: parts.join("; ") };
}

function buildLobster(c: FuzzCase, rng: Rng): ImportSetup {
  const L = corpus.lobster;
  const gzInputs = rng.chance(0.4);
  const named = !["out-is-input", "companion-is-input"].includes(c.family) && rng.chance(0.75);
  const names = named ? lobsterNames(L.stem, L.levels, gzInputs) : { message: `msg.csv${gzInputs ? ".gz" : ""}`, orderbook: `book.csv${gzInputs ? ".gz" : ""}` };
  const options = named ? [] : ["--date", L.date, "--symbol", L.symbol];
  let texts = [L.message, L.orderbook];
  let gzForms: (Buffer | undefined)[] = [undefined, undefined];
  const both = c.family.endsWith("-both") || (["crlf", "cr-only", "mixed-endings", "no-final-newline"].includes(c.family) && rng.chance(0.4));
  const which = both ? [0, 1] : [rng.int(2)];
  const fileWord = both ? "both files" : which[0] === 0 ? "message file" : "orderbook file";
  let what = "no change";
  let mustSucceed: string | undefined;
  let msgRel = `in/${names.message}`;
  let bookRel = `in/${names.orderbook}`;
  let out = "out/a.arrow";
  const extra: ImportSetup["files"] = [];
  let positionals = () => [msgRel, bookRel];
  switch (c.family) {
    case "control":
      mustSucceed = "the clean slice";
      break;
    case "prefix-both":
    case "suffix-both": {
      const m = lineMutation(rng, c.family, texts, [0, 1]);
      if (m) [texts, what] = [m.texts, `both files: ${m.what}`];
      // A window of a LOBSTER pair is a LOBSTER pair: the replay starts from the book in its first row.
      mustSucceed = c.family === "prefix-both" ? "the first k rows of a LOBSTER pair are a LOBSTER pair" : "rows k.. of a LOBSTER pair are a LOBSTER pair";
      break;
    }
    case "drop-columns": {
      texts = [texts[0], joinLines(splitLines(texts[1]).map((l) => Buffer.from(stripLast(l.toString("latin1"), 4), "latin1")))];
      what = "orderbook file: the last level (4 columns) dropped from every line";
      break;
    }
    case "swap-args":
      positionals = () => [bookRel, msgRel];
      what = "orderbook file first, message file second";
      break;
    case "same-file-twice": {
      const first = rng.chance(0.5);
      positionals = () => (first ? [msgRel, msgRel] : [bookRel, bookRel]);
      what = `the ${first ? "message" : "orderbook"} file twice`;
      break;
    }
    case "out-is-input":
      msgRel = "in/a.arrow";
      out = "in/a.arrow";
      what = "-o names the message input (in/a.arrow)";
      break;
    case "companion-is-input":
      bookRel = "in/a.book.arrow";
      out = "in/a.arrow";
      what = "-o in/a.arrow, whose book companion in/a.book.arrow is the orderbook input";
      break;
    case "out-is-directory": {
      const rel = rng.chance(0.5) ? "out/a.arrow" : "out/a.book.arrow";
      extra.push({ rel, bytes: "dir" });
      what = `${rel} is a directory`;
      break;
    }
    case "out-folder-missing":
      [out, what] = OUT_FOLDER_MISSING;
      break;
    case "options": {
      const choice = rng.pick(LOBSTER_OPTIONS);
      options.push(...choice);
      what = describeOptions(choice);
      break;
    }
    case "input-missing": {
      const first = rng.chance(0.5);
      positionals = () => (first ? ["in/nothing.csv", bookRel] : [msgRel, "in/nothing.csv"]);
      what = `the ${first ? "message" : "orderbook"} file does not exist`;
      break;
    }
    default: {
      const m = mutateInputs(rng, c.family, texts, which, false);
      if (!m) throw new Error(`unknown import-lobster family ${c.family}`);
      texts = m.texts;
      gzForms = m.gz;
      what = `${fileWord}: ${m.what}`;
      if (c.family === "no-final-newline") mustSucceed = "a last line without a newline is still a line";
      if (c.family === "gz-multi-member") mustSucceed = "a gzip file of several members is valid gzip (RFC 1952)";
      if (c.family === "header-line") mustSucceed = "the importer skips one header line";
    }
  }
  const encode = (i: number): Uint8Array => gzForms[i] ?? (gzInputs || c.family.startsWith("gz-") ? gzip(rng, texts[i]) : texts[i]);
  const files: ImportSetup["files"] = [{ rel: msgRel, bytes: encode(0) }, { rel: bookRel, bytes: encode(1) }, ...extra];
  return {
    label: `${named ? "LOBSTER names" : "plain names + --date/--symbol"}, ${gzInputs || c.family.startsWith("gz-") ? "gzip" : "plain"} inputs; ${what}`,
    files,
    argv: ["import-lobster", ...positionals(), "-o", out, ...options],
    outputs: [out, out.replace(/\.arrow$/, ".book.arrow")],
    mustSucceed,
    usageAllowed: c.family === "options",
  };
}

/** Option values for LOBSTER imports: valid, out of range, malformed. */
const LOBSTER_OPTIONS: readonly string[][] = [
  ["--tick", "1"], ["--tick", "7"], ["--tick", "0"], ["--tick", "-100"], ["--tick", "1e2"], ["--tick", "99999999999999999999"],
  ["--date", "2012-02-30"], ["--date", "1900-01-01"], ["--date", "2012-03-11"], ["--date", "21-06-2012"], ["--date", ""],
  ["--timezone", "UTC"], ["--timezone", "Asia/Kathmandu"], ["--timezone", "Mars/Olympus"], ["--timezone", "Europe/London"], ["--timezone", ""],
  ["--symbol", "Ωmega"], ["--symbol", "X".repeat(300)], ["--symbol", ""], ["--no-verify"], ["--frob"], ["--tick"],
];

/** Option values for Binance imports. */
const BINANCE_OPTIONS: readonly string[][] = [
  ["--tick", "0.001"], ["--tick", "1"], ["--tick", "0"], ["--tick", "abc"], ["--tick", "1e-2"], ["--tick", "-0.01"],
  ["--lot", "0.1"], ["--lot", "0.000000000000000000001"], ["--lot", "1"], ["--lot", ""], ["--frob"], ["--lot"],
];

/** A CSV line without its last `n` fields (keeping the line ending). */
function stripLast(line: string, n: number): string {
  const eol = line.endsWith("\n") ? "\n" : "";
  const fields = line.slice(0, line.length - eol.length).split(",");
  return fields.slice(0, Math.max(1, fields.length - n)).join(",") + eol;
}

function buildBinance(c: FuzzCase, rng: Rng): ImportSetup {
  type Input = { name: string; text: Buffer };
  const s08: Input = { name: "spot_btcusdt_20240808", text: corpus.spot08 };
  const s09: Input = { name: "spot_btcusdt_20240809", text: corpus.spot09 };
  const u08: Input = { name: "usdm_btcusdt_20240808", text: corpus.usdm08 };
  let group: Input[] = rng.pick([[s08], [s08, s09], [u08]]);
  const gzInputs = rng.chance(0.5);
  let what = "no change";
  let mustSucceed: string | undefined;
  let sameAs: ImportSetup["sameAs"];
  const extraArgs: string[] = [];
  let out = "out/a.arrow";
  const extra: ImportSetup["files"] = [];
  let rels: string[] | undefined;
  let texts = group.map((g) => g.text);
  let gzForms: (Buffer | undefined)[] = texts.map(() => undefined);
  const snapshotFile = group.findIndex((g) => snapshotLineIndex(g.text) >= 0);
  let target = ["snapshot-truncated", "snapshot-dropped", "snapshot-duplicated"].includes(c.family) ? snapshotFile : rng.int(group.length);
  switch (c.family) {
    case "control":
      mustSucceed = "the clean slice";
      break;
    case "prefix": {
      target = group.length - 1;
      const lines = splitLines(texts[target]);
      const min = target === snapshotFile ? snapshotLineIndex(texts[target]) + 1 : 1;
      const k = rng.range(min, lines.length);
      texts[target] = joinLines(lines.slice(0, k));
      what = `${group[target].name}: cut after line ${k}`;
      mustSucceed = "a recording cut at a line boundary after its snapshot is a valid recording";
      break;
    }
    case "snapshot-truncated": {
      const lines = splitLines(texts[target]);
      const i = snapshotLineIndex(texts[target]);
      const start = lineOffset(lines, i);
      const at = start + rng.range(1, lines[i].length - 2);
      if (rng.chance(0.5)) {
        texts[target] = texts[target].subarray(0, at);
        what = `${group[target].name}: truncated inside the snapshot line ${i + 1} (byte ${at})`;
      } else {
        const len = rng.range(1, Math.min(2000, start + lines[i].length - 1 - at));
        texts[target] = Buffer.concat([texts[target].subarray(0, at), texts[target].subarray(at + len)]);
        what = `${group[target].name}: ${len} bytes cut out of the snapshot line ${i + 1} at byte ${at}`;
      }
      break;
    }
    case "snapshot-dropped":
    case "snapshot-duplicated": {
      const lines = splitLines(texts[target]);
      const i = snapshotLineIndex(texts[target]);
      if (c.family === "snapshot-dropped") {
        lines.splice(i, 1);
        what = `${group[target].name}: snapshot line ${i + 1} dropped`;
      } else {
        const to = rng.range(i + 1, lines.length);
        lines.splice(to, 0, withEol(lines[i]));
        what = `${group[target].name}: snapshot line ${i + 1} repeated at line ${to + 1}`;
      }
      texts[target] = joinLines(lines.map((l, k) => (k < lines.length - 1 ? withEol(l) : l)));
      break;
    }
    case "wrong-order":
      group = [s09, s08];
      texts = group.map((g) => g.text);
      gzForms = [undefined, undefined];
      what = "spot 09 before spot 08";
      sameAs = { ref: "spot", why: "inputs given out of time order" };
      break;
    case "same-file-twice": {
      const g = rng.pick([s08, u08]);
      group = [g, g];
      texts = [g.text, g.text];
      gzForms = [undefined, undefined];
      rels = [`in/${g.name}${gzInputs ? ".gz" : ".txt"}`, `in/${g.name}${gzInputs ? ".gz" : ".txt"}`];
      what = `${g.name} twice`;
      sameAs = { ref: g === s08 ? "spot-other" : "usdm", why: "the same input twice" };
      break;
    }
    case "mixed-markets":
      group = rng.chance(0.5) ? [s08, u08] : [u08, s08];
      texts = group.map((g) => g.text);
      gzForms = [undefined, undefined];
      what = `${group[0].name} then ${group[1].name}`;
      break;
    case "no-snapshot":
      group = [s09];
      texts = [s09.text];
      gzForms = [undefined];
      what = "spot 09 alone (its snapshot is in 08)";
      break;
    case "out-is-input":
      rels = group.map((g, i) => (i === target ? "in/a.arrow" : `in/${g.name}.txt`));
      out = "in/a.arrow";
      what = `-o names the input ${group[target].name} (in/a.arrow)`;
      break;
    case "companion-is-input": {
      const companion = rng.pick(["a.trades.arrow", "a.bbo.arrow"]);
      rels = group.map((g, i) => (i === target ? `in/${companion}` : `in/${g.name}.txt`));
      out = "in/a.arrow";
      what = `-o in/a.arrow, whose companion in/${companion} is the input ${group[target].name}`;
      break;
    }
    case "out-is-directory": {
      const rel = rng.pick(["out/a.arrow", "out/a.trades.arrow", "out/a.bbo.arrow"]);
      extra.push({ rel, bytes: "dir" });
      what = `${rel} is a directory`;
      break;
    }
    case "out-folder-missing":
      [out, what] = OUT_FOLDER_MISSING;
      break;
    case "options": {
      const choice = rng.pick(BINANCE_OPTIONS);
      extraArgs.push(...choice);
      what = describeOptions(choice);
      break;
    }
    case "concatenated":
      group = [{ name: "spot_btcusdt_20240808_09", text: Buffer.concat([s08.text, s09.text]) }];
      texts = [group[0].text];
      gzForms = [undefined];
      what = "spot 08 and 09 in one file";
      sameAs = { ref: "spot", why: "one file holding 08 then 09" };
      break;
    case "input-missing":
      rels = group.map((g, i) => (i === target ? "in/nothing.gz" : `in/${g.name}.txt`));
      texts = texts.filter((_, i) => i !== target);
      what = `${group[target].name} does not exist`;
      break;
    default: {
      const m = mutateInputs(rng, c.family, texts, [target], true);
      if (!m) throw new Error(`unknown import-binance family ${c.family}`);
      texts = m.texts;
      gzForms = m.gz;
      what = `${group[target].name}: ${m.what}`;
      if (c.family === "no-final-newline") mustSucceed = "a last line without a newline is still a line";
      if (c.family === "gz-multi-member") mustSucceed = "a gzip file of several members is valid gzip (RFC 1952)";
    }
  }
  const gzAll = gzInputs || c.family.startsWith("gz-");
  const paths = rels ?? group.map((g) => `in/${g.name}${gzAll ? ".gz" : ".txt"}`);
  const files: ImportSetup["files"] = [];
  const written = new Set<string>();
  let t = 0;
  paths.forEach((rel, i) => {
    if (rel === "in/nothing.gz" || written.has(rel)) return;
    written.add(rel);
    files.push({ rel, bytes: gzForms[i] ?? (gzAll ? gzip(rng, texts[t]) : texts[t]) });
    t++;
  });
  return {
    label: `${group.map((g) => g.name).join(" + ")}, ${gzAll ? "gzip" : "plain"}; ${what}`,
    files: [...files, ...extra],
    argv: ["import-binance", ...paths, "-o", out, ...extraArgs],
    outputs: [out, out.replace(/\.arrow$/, ".trades.arrow"), out.replace(/\.arrow$/, ".bbo.arrow")],
    mustSucceed,
    usageAllowed: c.family === "options",
    sameAs,
  };
}

// ---- running an import case ---------------------------------------------------------------------

async function runImportCase(c: FuzzCase, dir: string): Promise<Omit<CaseResult, "ms">> {
  const rng = new Rng(c.rngSeed);
  const setup = c.suite === "import-lobster" ? buildLobster(c, rng) : buildBinance(c, rng);
  // Some cases find a previous good import at the output paths: a failed import must leave it as it was.
  const previous = setup.outputs.every((o) => o.startsWith("out/a.")) && rng.chance(0.35);
  let label = setup.label + (previous ? "; a previous import at the output paths" : "");
  send({ type: "started", index: c.index, label });
  mkdirSync(join(dir, "in"), { recursive: true });
  mkdirSync(join(dir, "out"), { recursive: true });
  for (const f of setup.files) {
    const p = join(dir, f.rel);
    mkdirSync(dirname(p), { recursive: true });
    if (f.bytes === "dir") mkdirSync(p, { recursive: true });
    else writeFileSync(p, f.bytes);
  }
  if (previous) {
    const ref = refs.get(c.suite === "import-lobster" ? "lob-other" : "spot-other");
    if (ref) for (const o of setup.outputs) if (!existsSync(join(dir, o))) cpSync(join(ref.dir, o.slice("out/".length)), join(dir, o));
  }
  const before = snapshot(dir);
  const argv = setup.argv.map((a) => (a.startsWith("in/") || a.startsWith("out/") ? join(dir, a) : a));
  const run = await runCli(argv);
  const failures: CaseFailure[] = [];
  const code = checkOutput(run, failures, setup.argv[0], setup.usageAllowed);
  const after = snapshot(dir);
  const inputs = setup.files.filter((f) => f.rel.startsWith("in/") && f.bytes !== "dir").map((f) => f.rel);

  for (const rel of inputs) {
    if (after.get(rel) !== before.get(rel)) failures.push({ check: "inputs unchanged", detail: `${rel} ${after.has(rel) ? "was overwritten" : "was deleted"}`, cls: "an input file is overwritten or deleted" });
  }
  const tmp = [...after.keys()].filter((p) => p.endsWith(".tmp"));
  if (tmp.length > 0) failures.push({ check: "no temporary files left", detail: tmp.join(", "), cls: "*.tmp files left" });
  const created = [...after.keys()].filter((p) => !before.has(p));
  const changed = [...before.keys()].filter((p) => after.get(p) !== before.get(p));

  if (run.code !== 0) {
    const partial = created.filter((p) => !p.endsWith(".tmp"));
    if (partial.length > 0) failures.push({ check: "no partial output on failure", detail: `left ${partial.join(", ")}`, cls: "output files left by a failed import" });
    const touched = changed.filter((p) => !inputs.includes(p));
    if (touched.length > 0) failures.push({ check: "existing files kept on failure", detail: `${touched.join(", ")} changed or removed`, cls: "a previous output changed by a failed import" });
    if (setup.mustSucceed && run.code !== undefined) failures.push({ check: "valid input imports", detail: `${setup.mustSucceed}: ${run.err.split("\n")[0].slice(0, 300)}`, cls: `${setup.mustSucceed}: ${code ?? "?"}` });
  } else {
    const stray = created.filter((p) => !setup.outputs.includes(p) && after.get(p) !== "dir");
    if (stray.length > 0) failures.push({ check: "a successful import writes only its outputs", detail: stray.join(", "), cls: "stray files" });
    const missing = setup.outputs.filter((p) => !after.has(p) || after.get(p) === "dir");
    if (missing.length > 0) failures.push({ check: "a successful import writes all its outputs", detail: `missing ${missing.join(", ")}`, cls: "missing outputs" });
    const inputsChanged = failures.some((f) => f.check === "inputs unchanged");
    // An overwritten input is reported once: counting its lines again would only repeat the same failure.
    if (missing.length === 0 && !inputsChanged) await checkImported(c, setup, dir, run, failures);
  }
  label = setup.label + (previous ? "; a previous import at the output paths" : "");
  const outcome = failures.length > 0 ? "failed" : run.code === 0 ? "success" : "data-error";
  return { index: c.index, suite: c.suite, family: c.family, label, outcome, codes: code ? [code] : [], failures };
}

/**
 * A successful import's files read back, hold as many rows as the inputs, verify, hold values in range, and
 * `tranche data info` describes them.
 */
async function checkImported(c: FuzzCase, setup: ImportSetup, dir: string, run: CommandRun, failures: CaseFailure[]): Promise<void> {
  const main = join(dir, setup.outputs[0]);
  const info = await runCli(["info", main]);
  const infoCode = checkOutput(info, failures, "info");
  const readable = c.suite === "import-lobster" ? checkLobsterImport(setup, dir, main, run, failures) : checkBinanceImport(setup, dir, main, run, failures);
  // A file the readers refuse is reported once, by the read-back check.
  if (infoCode && readable) failures.push({ check: "info describes a successful import", detail: `info refused with ${infoCode}: ${info.err.slice(0, 200)}`, cls: infoCode });
}

/** The LOBSTER outputs: rows = data lines of both inputs, an exact replay, values in range. False if unreadable. */
function checkLobsterImport(setup: ImportSetup, dir: string, main: string, run: CommandRun, failures: CaseFailure[]): boolean {
  const back = tryRead(() => readLobster(main), failures, "readLobster(output)");
  if (!back.value) {
    if (back.code) failures.push({ check: "a successful import reads back", detail: `readLobster: ${back.code}: ${back.message?.slice(0, 300)}`, cls: `readLobster: ${back.code}` });
    return false;
  }
  const { messages, book } = back.value;
  const positional = setup.argv.slice(1, 3).map((rel) => readFileSync(join(dir, rel)));
  const [msgLines, bookLines] = positional.map(lobsterDataLines);
  const printed = printedCount(run.out, /read ([\d,]+) messages/)?.[0];
  const counts = `messages ${messages.rows}, book ${book.rows}, message data lines ${msgLines}, orderbook data lines ${bookLines}${printed !== undefined ? `, printed ${printed}` : ""}`;
  if (messages.rows !== msgLines || book.rows !== bookLines || (printed !== undefined && printed !== messages.rows)) {
    failures.push({ check: "rows read back = data lines of the inputs", detail: counts, cls: "" });
  }
  const report = setup.argv.includes("--no-verify") ? {} : tryRead(() => verifyLobster(messages, book), failures, "verifyLobster(output)");
  if (report.value && !report.value.ok) failures.push({ check: "a successful import verifies", detail: report.value.summary.slice(0, 200), cls: "" });
  const m = messages.columns;
  const lob = messages.meta.lobster;
  const midnight = lob ? BigInt(Date.parse(`${lob.date}T00:00:00Z`)) * 1_000_000n - BigInt(lob.utcOffsetSeconds) * 1_000_000_000n : 0n;
  for (let i = 0; i < messages.rows; i++) {
    const local = m.tsNs[i] - midnight;
    const bad =
      m.type[i] < 1 || m.type[i] > 7 ? `type ${m.type[i]}` :
      m.type[i] <= 6 && m.priceRaw[i] <= 0n ? `price ${m.priceRaw[i]}` :
      m.qtyLots[i] < 0n ? `size ${m.qtyLots[i]}` :
      local < 0n || local >= 86_400_000_000_000n ? `time ${local} ns after midnight` : undefined;
    if (bad) {
      failures.push({ check: "imported values are in range (OUT_OF_RANGE)", detail: `message row ${i}: ${bad}`, cls: bad.split(" ")[0] });
      break;
    }
  }
  return true;
}

/** The Binance outputs: every line read, rows as reported, values in range. False if unreadable. */
function checkBinanceImport(setup: ImportSetup, dir: string, main: string, run: CommandRun, failures: CaseFailure[]): boolean {
  const back = tryRead(() => readBinance(main), failures, "readBinance(output)");
  if (!back.value) {
    if (back.code) failures.push({ check: "a successful import reads back", detail: `readBinance: ${back.code}: ${back.message?.slice(0, 300)}`, cls: `readBinance: ${back.code}` });
    return false;
  }
  const { depth, trades, bbo } = back.value;
  if (setup.sameAs) {
    const got = fingerprint({ depth: depth.columns, trades: trades?.columns, bbo: bbo?.columns });
    if (got !== refs.get(setup.sameAs.ref)?.columns) {
      failures.push({ check: "inputs out of order or repeated: refused, or imported as if given right", detail: `${setup.sameAs.why} imported, and the tables differ from the import of the files in order, each once`, cls: setup.sameAs.why });
    }
  }
  // Non-blank lines of the inputs, split at LF (the collector's ending) or at any line ending (an importer may
  // accept CR and CRLF too): the count printed must be one of the two.
  const texts = setup.argv.slice(1, setup.argv.indexOf("-o")).map((rel) => textOf(readFileSync(join(dir, rel)))?.toString("utf8") ?? "");
  const count = (split: RegExp) => texts.reduce((n, t) => n + t.split(split).filter((l) => l.trim() !== "").length, 0);
  const lines = [count(/\n/), count(/\r\n|\r|\n/)];
  const printedLines = printedCount(run.out, /read ([\d,]+) lines/)?.[0];
  const printedRows = printedCount(run.out, /([\d,]+) depth rows, ([\d,]+) trades, ([\d,]+) bookTicker records/);
  if (printedLines !== undefined && !lines.includes(printedLines)) {
    failures.push({ check: "every input line is read", detail: `printed ${printedLines} lines, the inputs hold ${lines[0]} (${lines[1]} counting CR endings)`, cls: "" });
  }
  if (printedRows && (printedRows[0] !== depth.rows || printedRows[1] !== (trades?.rows ?? 0) || printedRows[2] !== (bbo?.rows ?? 0))) {
    failures.push({ check: "rows read back = rows reported", detail: `printed ${printedRows.join("/")}, read ${depth.rows}/${trades?.rows}/${bbo?.rows}`, cls: "" });
  }
  const range = (what: string, ok: boolean) => ok || failures.push({ check: "imported values are in range (OUT_OF_RANGE)", detail: what, cls: what.replace(/ at row.*/, "") });
  const firstBad = (a: BigInt64Array, ok: (v: bigint) => boolean) => a.findIndex((v) => !ok(v));
  const checks: [string, number][] = [
    ["depth price ≤ 0", firstBad(depth.columns.priceTicks, (v) => v > 0n)],
    ["depth quantity < 0", firstBad(depth.columns.qtyLots, (v) => v >= 0n)],
    ["trade price ≤ 0", trades ? firstBad(trades.columns.priceTicks, (v) => v > 0n) : -1],
    ["trade quantity ≤ 0", trades ? firstBad(trades.columns.qtyLots, (v) => v > 0n) : -1],
    ["bookTicker bid ≤ 0", bbo ? firstBad(bbo.columns.bidPriceTicks, (v) => v > 0n) : -1],
    ["bookTicker ask ≤ 0", bbo ? firstBad(bbo.columns.askPriceTicks, (v) => v > 0n) : -1],
  ];
  for (const [what, row] of checks) if (row >= 0) range(`${what} at row ${row}`, false);
  return true;
}

// ---- running a reader case ----------------------------------------------------------------------

async function runReaderCase(c: FuzzCase, dir: string): Promise<Omit<CaseResult, "ms">> {
  const rng = new Rng(c.rngSeed);
  const set = rng.pick(["lob", "spot", "usdm"] as const);
  const ref = refs.get(set);
  const result = (label: string, outcome: CaseResult["outcome"], codes: string[], failures: CaseFailure[]) => ({ index: c.index, suite: c.suite, family: c.family, label, outcome, codes, failures });
  if (!ref || !refs.get(`${set}-same`) || !refs.get(`${set}-other`)) {
    return result(`${set}: no reference import`, "failed", [], [{ check: "setup", detail: setupError ?? "reference imports missing" }]);
  }
  // Each file of the case folder and the clean file its bytes come from ("set/name"; "foreign" for none).
  const origin = new Map<string, string>();
  for (const f of ref.files) {
    cpSync(join(ref.dir, f), join(dir, f));
    origin.set(f, `${set}/${f}`);
  }
  const companions = ref.files.slice(1);
  let target = c.family.includes("companion") ? rng.pick(companions) : c.family === "replace-main-other" ? "a.arrow" : rng.pick(ref.files);
  const path = (f: string) => join(dir, f);
  const bytes = readFileSync(path(target));
  let what = "";
  const put = (b: Uint8Array, text: string) => {
    writeFileSync(path(target), b);
    what = `${target}: ${text}`;
  };
  const n = bytes.length;
  switch (c.family) {
    case "control":
      what = "no change";
      break;
    case "flip-head": {
      const m = flipBytes(rng, bytes, 2, 0, Math.min(n, 1024));
      put(m.bytes, `${m.what} (of ${n} bytes)`);
      break;
    }
    case "flip-any": {
      const m = flipBytes(rng, bytes, 1);
      put(m.bytes, `${m.what} (of ${n} bytes)`);
      break;
    }
    case "flip-tail": {
      const m = flipBytes(rng, bytes, 2, Math.max(0, n - 1024), n);
      put(m.bytes, `${m.what} (of ${n} bytes)`);
      break;
    }
    case "flip-multi": {
      const m = flipBytes(rng, bytes, 16);
      put(m.bytes, `${m.what} (of ${n} bytes)`);
      break;
    }
    case "truncate": {
      const at = rng.int(n);
      put(bytes.subarray(0, at), `truncated at byte ${at} of ${n}`);
      break;
    }
    case "zero-range": {
      const at = rng.int(n);
      const len = Math.min(n - at, rng.range(1, 4096));
      const b = Buffer.from(bytes);
      b.fill(0, at, at + len);
      put(b, `bytes ${at}..${at + len - 1} of ${n} zeroed`);
      break;
    }
    case "insert-bytes": {
      const at = rng.int(n);
      const len = rng.range(1, 64);
      const chunk = rng.chance(0.5) ? bytes.subarray(at, Math.min(n, at + len)) : Buffer.from(Array.from({ length: len }, () => rng.int(256)));
      put(Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]), `${chunk.length} bytes inserted at ${at} of ${n}`);
      break;
    }
    case "append-garbage": {
      const tail = Buffer.concat([Buffer.from(Array.from({ length: rng.range(1, 64) }, () => rng.int(256))), Buffer.from(rng.chance(0.5) ? "ARROW1" : "")]);
      put(Buffer.concat([bytes, tail]), `${tail.length} bytes appended`);
      break;
    }
    case "empty-file":
      put(Buffer.alloc(0), "emptied");
      origin.set(target, "foreign");
      break;
    case "foreign-file": {
      const kind = rng.pick(["csv", "gzip", "framed"] as const);
      const b =
        kind === "csv" ? corpus.lobster.message.subarray(0, 4096) :
        kind === "gzip" ? gzipSync(corpus.spot08.subarray(0, 4096)) :
        Buffer.concat([Buffer.from("ARROW1\0\0"), Buffer.from(Array.from({ length: rng.range(8, 512) }, () => rng.int(256))), Buffer.from("ARROW1")]);
      put(b, `replaced by ${kind === "framed" ? "random bytes between ARROW1 magics" : `a ${kind} input`}`);
      origin.set(target, "foreign");
      break;
    }
    case "swap-companions": {
      const [a, b] = set === "lob" ? ["a.arrow", "a.book.arrow"] : rng.pick([["a.arrow", "a.trades.arrow"], ["a.trades.arrow", "a.bbo.arrow"], ["a.arrow", "a.bbo.arrow"]]);
      const ba = readFileSync(path(a));
      writeFileSync(path(a), readFileSync(path(b)));
      writeFileSync(path(b), ba);
      origin.set(a, `${set}/${b}`);
      origin.set(b, `${set}/${a}`);
      target = a;
      what = `${a} and ${b} swapped`;
      break;
    }
    case "companion-is-directory":
      unlinkSync(path(target));
      mkdirSync(path(target));
      origin.delete(target);
      what = `${target} is a directory`;
      break;
    case "delete-companion":
      unlinkSync(path(target));
      origin.delete(target);
      what = `${target} deleted`;
      break;
    case "replace-companion-same":
    case "replace-companion-other":
    case "replace-main-other": {
      const from = c.family === "replace-companion-same" ? `${set}-same` : `${set}-other`;
      cpSync(join((refs.get(from) as RefSet).dir, target), path(target));
      origin.set(target, `${from}/${target}`);
      what = `${target} replaced by the same file of another import (${from === `${set}-same` ? "same inputs" : "other inputs"})`;
      break;
    }
    default:
      throw new Error(`unknown reader family ${c.family}`);
  }
  const label = `${set} import; ${what}`;
  send({ type: "started", index: c.index, label });

  const failures: CaseFailure[] = [];
  const codes: string[] = [];
  let refused = false;
  const before = snapshot(dir);
  const main = path("a.arrow");
  const cleanBlock = (name: string): string | undefined => {
    const o = origin.get(name);
    if (o === undefined || o === "foreign") return undefined;
    const [from, file] = o.split("/");
    const block = refs.get(from)?.infoBlocks.get(file);
    return block === undefined ? undefined : name + block.slice(file.length);
  };

  // `tranche data info` on the main file and on the mutated one: every block it prints describes the bytes
  // of that file exactly as their clean original does.
  for (const f of new Set(["a.arrow", target])) {
    if (!existsSync(path(f))) continue;
    const run = await runCli(["info", path(f)]);
    const code = checkOutput(run, failures, `info ${f}`);
    if (code) {
      codes.push(code);
      refused = true;
    }
    if (run.code === 0) {
      // Folder paths differ between the case and its reference: compare what info says about the files.
      for (const block of infoBlocks(run.out.split(dir).join("<dir>"))) {
        for (const [name, text] of block) {
          const clean = cleanBlock(name);
          if (clean === text) continue;
          failures.push({
            check: "info shows only unchanged content",
            detail: clean === undefined ? `info ${f} described ${name}, which has no clean original` : `info ${f}: the block of ${name} differs from its clean original at ${firstDiff(clean, text)}`,
            cls: clean === undefined ? "info describes a foreign file" : "info succeeds on changed content",
          });
        }
      }
    }
  }

  // readLobster / readBinance on the main file: refuse, or return exactly what the clean import holds.
  const read = tryRead(() => (set === "lob" ? readLobster(main) : readBinance(main)), failures, set === "lob" ? "readLobster" : "readBinance");
  if (read.code) {
    codes.push(read.code);
    refused = true;
  } else if (read.value !== undefined && fingerprint(read.value) !== ref.read) {
    const got = fingerprint(read.value);
    const fn = set === "lob" ? "readLobster" : "readBinance";
    failures.push({ check: "a successful read returns the clean content", detail: `${fn}(a.arrow) succeeded with different ${diffWhat(ref.read, got)}`, cls: `${fn} succeeds on a changed ${changedPart(ref.read, got)}` });
  }

  // openDataFile on the mutated file, without a kind: refuse, or return what its clean original holds.
  if (existsSync(path(target))) {
    const opened = tryRead(() => openAll(path(target)), failures, `openDataFile(${target})`);
    if (opened.code) {
      codes.push(opened.code);
      refused = true;
    } else if (opened.value !== undefined) {
      const o = origin.get(target) ?? "foreign";
      const [from, file] = o.split("/");
      const clean = refs.get(from)?.open.get(file);
      const got = fingerprint(opened.value);
      if (clean !== got) {
        failures.push({
          check: "a successful read returns the clean content",
          detail: `openDataFile(${target}) succeeded with ${clean === undefined ? "a file that is no Tranche file" : `different ${diffWhat(clean, got)}`}`,
          cls: clean === undefined ? "openDataFile succeeds on a foreign file" : `openDataFile succeeds on a changed ${changedPart(clean, got)}`,
        });
      }
    }
  }
  const after = snapshot(dir);
  for (const [p, h] of before) if (after.get(p) !== h) failures.push({ check: "reading changes no file", detail: `${p} changed`, cls: "" });
  if (c.family === "control" && refused) failures.push({ check: "clean files read", detail: `refused with ${codes.join(", ")}` });
  return result(label, failures.length > 0 ? "failed" : refused ? "data-error" : "success", codes, failures);
}

/** Where two texts first differ: `line N: "clean" vs "got"`. */
function firstDiff(clean: string, got: string): string {
  const a = clean.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: ${visible((a[i] ?? "").slice(0, 70))} vs ${visible((b[i] ?? "").slice(0, 70))}`;
  }
  return "(no difference)";
}

/** The class of a content change: "metadata", "column data", or both. */
function changedPart(clean: string, got: string): string {
  const parts = diffWhat(clean, got).split(", ");
  const meta = parts.some((p) => /(^|\.)meta(\.|$)/.test(p));
  const data = parts.some((p) => !/(^|\.)meta(\.|$)/.test(p));
  return meta && data ? "metadata and column data" : meta ? "metadata" : "column data";
}

/** Which parts of two fingerprints differ: metadata, row counts, or the named columns. */
function diffWhat(clean: string, got: string): string {
  const a = JSON.parse(clean) as Record<string, unknown>;
  const b = JSON.parse(got) as Record<string, unknown>;
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, at: string) => {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (x && y && typeof x === "object" && typeof y === "object" && !Array.isArray(x) && at.split(".").length < 3) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
    } else out.push(at || "value");
  };
  walk(a, b, "");
  return out.slice(0, 6).join(", ") || "content";
}

// ---- the message loop ---------------------------------------------------------------------------

let setupError: string | undefined;

async function runCase(c: FuzzCase, keep: boolean): Promise<CaseResult> {
  const dir = join(workDir, `case-${c.index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  let r: Omit<CaseResult, "ms">;
  try {
    r = c.suite === "reader" ? await runReaderCase(c, dir) : await runImportCase(c, dir);
  } catch (e) {
    // A throw here is a bug in the harness itself (or a throw that escaped every guard): report it as such.
    r = { index: c.index, suite: c.suite, family: c.family, label: `${c.suite} ${c.family}`, outcome: "failed", codes: [], failures: [{ check: "harness", detail: describeThrown(e) }] };
  }
  if (keep) r = { ...r, label: `${r.label} [kept in ${dir}]` };
  else rmSync(dir, { recursive: true, force: true });
  return { ...r, ms: Math.round(performance.now() - t0) };
}

try {
  await prepareRefs();
} catch (e) {
  setupError = e instanceof Error ? e.message : String(e);
}
// The pool going away (a killed test run) takes its case processes with it.
process.on("disconnect", () => process.exit(0));
process.on("message", (m: ParentMessage) => {
  if (m.type !== "case") return;
  void runCase(m.case, m.keep).then((result) => send({ type: "result", result }));
});
send({ type: "ready", setupError });

/** A mutation's options as the failure report prints them (long values cut). */
function describeOptions(choice: readonly string[]): string {
  return `options ${choice.map((o) => (o.length > 40 ? `"${o.slice(0, 12)}…" (${o.length} characters)` : JSON.stringify(o))).join(" ")}`;
}

const OUT_FOLDER_MISSING: [string, string] = ["out/missing/a.arrow", "-o into a folder that does not exist"];
