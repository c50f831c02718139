// Opening Tranche's Arrow IPC files: check that the file is whole, of the expected kind, with every column,
// and hand the columns out as typed arrays that view the file's bytes (no copy), ready for native code.
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Table, tableFromIPC, Type, type Vector } from "apache-arrow";
import { ArrowFramingError, checkArrowFile, CHECKSUM_KEY, contentDigest, type ArrowFileLayout } from "./arrow-check.js";
import { DataError } from "./errors.js";
import { companionPath } from "./paths.js";
import { readWholeFile } from "./source.js";
import {
  bookColumnNames,
  COLUMNS,
  FORMAT_VERSION,
  metaFromArrow,
  type BboColumns,
  type BookColumns,
  type ColumnType,
  type DatasetMeta,
  type DataTable,
  type FixedColumnsByKind,
  type FixedKind,
  type L2Columns,
  type L3Columns,
  type TableKind,
  type TradeColumns,
} from "./schema.js";

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const REIMPORT = "re-import it with `tranche data import-lobster` / `tranche data import-binance`, or copy it again";

/** An opened, checked Arrow file. */
export interface OpenedDataFile {
  path: string;
  /** The whole file. Every column array returned by this module views `bytes.buffer`. */
  bytes: Uint8Array;
  table: Table;
  meta: DatasetMeta;
  rows: number;
}

function startsWithMagic(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < MAGIC.length; i++) if (bytes[at + i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Reads and checks an Arrow IPC file written by Tranche. `kind`, if given, is the kind (or kinds) the caller
 * accepts. The framing is checked against the file size and the content against its checksum before
 * apache-arrow parses anything, so a damaged file fails in time linear in its size, never hangs.
 * Throws {@link DataError}: FILE_NOT_FOUND, NOT_ARROW, TRUNCATED, CORRUPT, BAD_METADATA, WRONG_KIND.
 */
export function openDataFile(path: string, kind?: TableKind | readonly TableKind[]): OpenedDataFile {
  const bytes = readWholeFile(path, "Arrow file", "check the path, or create the file with `tranche data import-lobster` / `tranche data import-binance`");
  if (bytes.length === 0) throw new DataError("TRUNCATED", "the file is empty (0 bytes)", REIMPORT, { file: path });
  if (bytes.length < MAGIC.length || !startsWithMagic(bytes, 0)) {
    const stream = bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
    throw new DataError(
      "NOT_ARROW",
      stream ? "this is an Arrow IPC stream, not an Arrow IPC file (no ARROW1 magic)" : "not an Arrow IPC file (it does not start with the ARROW1 magic bytes)",
      stream ? "convert it to the file format (pyarrow: pa.ipc.new_file), or re-import" : "pass a .arrow file written by `tranche data import-*`; CSV and .gz inputs go to the import commands",
      { file: path },
    );
  }
  if (bytes.length < 2 * MAGIC.length + 4 || !startsWithMagic(bytes, bytes.length - MAGIC.length)) {
    throw new DataError("TRUNCATED", `the file ends early (${bytes.length} bytes, no Arrow footer): an interrupted copy or write`, REIMPORT, { file: path });
  }
  let layout: ArrowFileLayout;
  try {
    layout = checkArrowFile(bytes);
  } catch (e) {
    if (!(e instanceof ArrowFramingError)) throw e;
    throw new DataError("CORRUPT", `the Arrow framing is broken (${e.problem}): the file was damaged after it was written`, REIMPORT, { file: path });
  }
  if (layout.checksum !== undefined && contentDigest(bytes, layout.checksumAt) !== layout.checksum) {
    throw new DataError("CORRUPT", `the content does not match the checksum written at import (${CHECKSUM_KEY}): the file changed after it was written`, REIMPORT, { file: path });
  }
  if (layout.unsupported !== undefined) {
    throw new DataError("NOT_ARROW", `an Arrow file that Tranche does not read: ${layout.unsupported}`, "pass a .arrow file written by `tranche data import-*`", { file: path });
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new DataError("CORRUPT", `the Arrow file is corrupt (${(e as Error).message})`, REIMPORT, { file: path });
  }
  if (table.numRows !== layout.rows) {
    throw new DataError("CORRUPT", `the footer counts ${layout.rows} rows but the batches hold ${table.numRows}`, REIMPORT, { file: path });
  }
  const meta = metaFromArrow(table.schema.metadata, path);
  if (layout.checksum === undefined) {
    throw new DataError("CORRUPT", `the file has no content checksum (${CHECKSUM_KEY}), which every ${FORMAT_VERSION} file carries: its metadata was damaged`, REIMPORT, { file: path });
  }
  const accepted = kind === undefined ? undefined : typeof kind === "string" ? [kind] : kind;
  if (accepted && !accepted.includes(meta.kind)) {
    throw new DataError(
      "WRONG_KIND",
      `the file holds a "${meta.kind}" table, expected ${accepted.map((k) => `"${k}"`).join(" or ")}`,
      kindHint(meta, path),
      { file: path },
    );
  }
  return { path, bytes, table, meta, rows: table.numRows };
}

function kindHint(meta: DatasetMeta, path: string): string {
  const companions = Object.entries(meta.companions).map(([k, f]) => `${k}: ${join(dirname(path), f)}`);
  return companions.length > 0 ? `open the companion file instead (${companions.join(", ")})` : "open the file of the kind you need";
}

/**
 * A column as a typed array. A single-chunk column (every file Tranche writes) is returned as a view of the
 * file's bytes, without copying. A column split over several record batches (files from other writers) is
 * concatenated once into a new array, so that caller always gets one contiguous array.
 */
function columnArray(file: OpenedDataFile, name: string, type: ColumnType): BigInt64Array | Uint8Array {
  const vector = file.table.getChild(name) as Vector | null;
  const expected = type === "int64" ? "Int64" : "Uint8";
  if (!vector) {
    throw new DataError("MISSING_COLUMN", `column "${name}" (${expected}) is missing from this "${file.meta.kind}" table`, REIMPORT, { file: file.path });
  }
  const t = vector.type as { typeId: Type; bitWidth?: number; isSigned?: boolean };
  const ok = t.typeId === Type.Int && (type === "int64" ? t.bitWidth === 64 && t.isSigned === true : t.bitWidth === 8 && t.isSigned === false);
  if (!ok) {
    throw new DataError("MISSING_COLUMN", `column "${name}" has type ${String(vector.type)}, expected ${expected}`, REIMPORT, { file: file.path });
  }
  if (vector.nullCount > 0) {
    throw new DataError("MISSING_COLUMN", `column "${name}" has ${vector.nullCount} nulls; Tranche columns have none`, REIMPORT, { file: file.path });
  }
  const chunks = vector.data.map((d) => {
    const values = d.values as BigInt64Array | Uint8Array;
    return values.subarray(d.offset, d.offset + d.length);
  });
  if (chunks.length === 1) return chunks[0];
  const out = type === "int64" ? new BigInt64Array(vector.length) : new Uint8Array(vector.length);
  let at = 0;
  for (const c of chunks) {
    (out as Uint8Array).set(c as Uint8Array, at);
    at += c.length;
  }
  return out;
}

/** Reads a fixed-width table (`l3`, `l2`, `trades`, `bbo`) from an opened file. */
export function fixedColumns<K extends FixedKind>(file: OpenedDataFile, kind: K): FixedColumnsByKind[K] {
  const out: Record<string, BigInt64Array | Uint8Array> = {};
  for (const c of COLUMNS[kind]) out[c.key] = columnArray(file, c.name, c.type);
  return out as unknown as FixedColumnsByKind[K];
}

/** Reads a fixed-width table of `kind` from `path`, zero-copy. */
export function readFixedTable<K extends FixedKind>(path: string, kind: K): DataTable<FixedColumnsByKind[K]> {
  const file = openDataFile(path, kind);
  return { path, meta: file.meta, rows: file.rows, columns: fixedColumns(file, kind) };
}

/** LOBSTER messages (`l3`). */
export function readL3(path: string): DataTable<L3Columns> {
  return readFixedTable(path, "l3");
}

/** Depth events (`l2`). */
export function readL2(path: string): DataTable<L2Columns> {
  return readFixedTable(path, "l2");
}

/** Trades. */
export function readTrades(path: string): DataTable<TradeColumns> {
  return readFixedTable(path, "trades");
}

/** Best bid/offer records. */
export function readBbo(path: string): DataTable<BboColumns> {
  return readFixedTable(path, "bbo");
}

/** Reads the `book` columns of an opened file (level count from the metadata), zero-copy. */
export function bookColumns(file: OpenedDataFile): BookColumns {
  const levels = file.meta.lobster?.levels;
  if (levels === undefined) {
    throw new DataError("BAD_METADATA", 'metadata key "lobster_levels" is missing from a book table', REIMPORT, { file: file.path });
  }
  const names = bookColumnNames(levels);
  const read = (list: string[]) => list.map((n) => columnArray(file, n, "int64") as BigInt64Array);
  return { levels, askPriceTicks: read(names.askPrice), askQtyLots: read(names.askSize), bidPriceTicks: read(names.bidPrice), bidQtyLots: read(names.bidSize) };
}

/** LOBSTER orderbook rows (`book`), zero-copy. */
export function readBook(path: string): DataTable<BookColumns> {
  const file = openDataFile(path, "book");
  return { path, meta: file.meta, rows: file.rows, columns: bookColumns(file) };
}

/** The path of a companion named in `meta`, next to `path`, or undefined if the import wrote none. */
export function companionOf(path: string, meta: DatasetMeta, kind: TableKind): string | undefined {
  const name = meta.companions[kind];
  return name === undefined ? undefined : join(dirname(path), name);
}

/**
 * Opens the `kind` companion that the file at `path` (with metadata `meta`) names, and checks that it is there,
 * of that kind, and from the same import. Throws {@link DataError}: FILE_NOT_FOUND, WRONG_KIND,
 * COMPANION_MISMATCH, or whatever opening the companion finds wrong with it.
 */
export function openCompanion(path: string, meta: DatasetMeta, kind: TableKind): OpenedDataFile {
  const recorded = companionOf(path, meta, kind);
  // Where the import put it; beside the file a symlink points to; or renamed along with the main file
  // (x.arrow → y.arrow, x.book.arrow → y.book.arrow). The import id below says whether it is the right one.
  const renamed = renamedCompanion(path, meta.kind, kind);
  const real = realpathOrSelf(path);
  const candidates =
    recorded === undefined ? [] : [recorded, join(dirname(real), basename(recorded)), renamed, renamedCompanion(real, meta.kind, kind)];
  const p = candidates.find((c) => existsSync(c));
  if (p === undefined) {
    throw new DataError(
      "FILE_NOT_FOUND",
      `the "${kind}" companion of ${basename(path)} (${recorded ?? "not recorded"}${recorded === undefined ? "" : ` or ${renamed}`}) is missing`,
      "keep the files of one import together in one folder (renamed together: x.arrow with x.book.arrow), or re-import",
      { file: path },
    );
  }
  const other = openDataFile(p);
  if (other.meta.kind !== kind) {
    throw new DataError("WRONG_KIND", `${basename(p)}, named as the "${kind}" companion of ${basename(path)}, holds a "${other.meta.kind}" table`, "re-import so that the files of one import are written together", { file: p });
  }
  if (other.meta.importId !== meta.importId) {
    throw new DataError(
      "COMPANION_MISMATCH",
      `${basename(p)} comes from a different import than ${basename(path)} (import ids ${other.meta.importId} vs ${meta.importId})`,
      "re-import so that both files are written together",
      { file: p },
    );
  }
  return other;
}

/** Where the `kind` companion of `path` (a `own` table) is if the import's files were renamed together. */
function renamedCompanion(path: string, own: TableKind, kind: TableKind): string {
  const main = (k: TableKind) => k === "l3" || k === "l2";
  let stem = path.endsWith(".arrow") ? path.slice(0, -".arrow".length) : path;
  if (!main(own) && stem.endsWith(`.${own}`)) stem = stem.slice(0, -(own.length + 1));
  return main(kind) ? `${stem}.arrow` : companionPath(`${stem}.arrow`, kind);
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** A LOBSTER import: the messages and the orderbook rows, checked to come from the same import. */
export function readLobster(path: string): { messages: DataTable<L3Columns>; book: DataTable<BookColumns> } {
  const messages = readL3(path);
  const file = openCompanion(path, messages.meta, "book");
  const book: DataTable<BookColumns> = { path: file.path, meta: file.meta, rows: file.rows, columns: bookColumns(file) };
  if (book.rows !== messages.rows) {
    throw new DataError("ROW_COUNT_MISMATCH", `${messages.rows} messages but ${book.rows} book rows`, "re-import the LOBSTER files", { file: book.path });
  }
  return { messages, book };
}

/** A Binance import: depth events plus the trades and bookTicker companions when the import wrote them. */
export function readBinance(path: string): { depth: DataTable<L2Columns>; trades?: DataTable<TradeColumns>; bbo?: DataTable<BboColumns> } {
  const depth = readL2(path);
  const result: { depth: DataTable<L2Columns>; trades?: DataTable<TradeColumns>; bbo?: DataTable<BboColumns> } = { depth };
  const companion = <K extends "trades" | "bbo">(kind: K): DataTable<FixedColumnsByKind[K]> => {
    const file = openCompanion(path, depth.meta, kind);
    return { path: file.path, meta: file.meta, rows: file.rows, columns: fixedColumns(file, kind) };
  };
  if (depth.meta.companions.trades !== undefined) result.trades = companion("trades");
  if (depth.meta.companions.bbo !== undefined) result.bbo = companion("bbo");
  return result;
}
