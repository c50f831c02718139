// Encoding typed-array columns as Arrow IPC files, and writing the files of one import so that a failure
// never leaves a half-written file or replaces a good one.
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, linkSync, lstatSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Int64, makeData, RecordBatch, Schema, Struct, Table, Uint8, tableToIPC, type Data } from "apache-arrow";
import { CHECKSUM_KEY, CHECKSUM_PLACEHOLDER, sealArrowFile } from "./arrow-check.js";
import { DataError } from "./errors.js";
import { COLUMNS, fixedSchema, type DatasetMeta, type FixedColumnsByKind, type FixedKind } from "./schema.js";

/** A column ready to encode: BigInt64Array for Int64, Uint8Array for Uint8. */
export type ColumnValues = BigInt64Array | Uint8Array;

/**
 * Encodes equally long columns, in schema field order, as one record batch in an Arrow IPC file, sealed with
 * the SHA-256 of its bytes in the `content_sha256` metadata key (readers verify it before parsing).
 */
export function encodeArrowFile(unsealed: Schema, columns: readonly ColumnValues[]): Uint8Array {
  const schema = new Schema(unsealed.fields, new Map([...unsealed.metadata, [CHECKSUM_KEY, CHECKSUM_PLACEHOLDER]]));
  if (columns.length !== schema.fields.length) {
    throw new Error(`encodeArrowFile: ${columns.length} columns for ${schema.fields.length} fields`);
  }
  const rows = columns.length === 0 ? 0 : columns[0].length;
  const children: Data[] = columns.map((values, i) => {
    if (values.length !== rows) throw new Error(`encodeArrowFile: column ${schema.fields[i].name} has ${values.length} rows, expected ${rows}`);
    return values instanceof BigInt64Array
      ? makeData({ type: new Int64(), length: rows, nullCount: 0, data: values })
      : makeData({ type: new Uint8(), length: rows, nullCount: 0, data: values });
  });
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }));
  const bytes = tableToIPC(new Table(schema, [batch]), "file");
  sealArrowFile(bytes);
  return bytes;
}

/** Encodes a fixed-width table (`l3`, `l2`, `trades`, `bbo`) in its schema's column order. */
export function encodeFixedTable<K extends FixedKind>(kind: K, meta: DatasetMeta, columns: FixedColumnsByKind[K]): Uint8Array {
  const specs = COLUMNS[kind];
  const values = specs.map((c) => (columns as unknown as Record<string, ColumnValues>)[c.key]);
  return encodeArrowFile(fixedSchema(kind, meta), values);
}

/** One output file of an import. */
export interface OutputFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Options of {@link writeFilesAtomically}. */
export interface AtomicWriteOptions {
  /** The import's input files: an output that is one of them (by path, symlink or hard link) is refused first. */
  readonly inputs?: readonly string[];
  /** Runs after every temporary file is written, before the first rename (tests use it to make a rename fail). */
  readonly beforeCommit?: () => void;
}

/** An OS error in words a user can act on. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOSPC":
      return "the disk is full";
    case "EDQUOT":
      return "the disk quota is exhausted";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
    case "ENOTEMPTY":
    case "EEXIST":
      return "a directory is in the way";
    case "EROFS":
      return "the filesystem is read-only";
    case "ENOENT":
      return "the folder was removed while writing";
    default:
      return (e as Error).message;
  }
}

/** Keeps the file at `path` reachable at `aside` without moving it: a hard link, or a copy where links fail. */
function keepAside(path: string, aside: string): void {
  try {
    linkSync(path, aside);
  } catch {
    copyFileSync(path, aside);
  }
}

function identity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Refuses outputs that are inputs: the same path, or the same file through a symlink or hard link. An import
 * writes companions beside its main output (`x.book.arrow`), so every output path is compared, not only `-o`.
 * Throws {@link DataError} `OUTPUT_IS_INPUT` before anything is read or written.
 */
export function refuseOutputsThatAreInputs(outputs: readonly string[], inputs: readonly string[]): void {
  const inputIds = new Map<string, string>();
  for (const input of inputs) {
    inputIds.set(resolve(input), input);
    const id = identity(input);
    if (id !== undefined) inputIds.set(id, input);
  }
  for (const out of outputs) {
    const id = identity(out);
    const input = inputIds.get(resolve(out)) ?? (id === undefined ? undefined : inputIds.get(id));
    if (input !== undefined) {
      throw new DataError(
        "OUTPUT_IS_INPUT",
        `the import would write ${out}, which is its input ${input}; nothing was read or written`,
        "choose another --out (an import writes <out>.arrow and its companions, such as <out>.book.arrow, beside it)",
        { file: out },
      );
    }
  }
}

/**
 * Writes the files of one import all or nothing. Each goes to a temporary name beside it first; only when all
 * are complete are they renamed into place (companions first, the main file, the first entry, last, so a main
 * file never names missing companions). A file already there is kept as a hard link until the set is in place:
 * if any rename fails, the renamed files are put back, the temporaries removed, and the folder is as before.
 */
export function writeFilesAtomically(files: readonly OutputFile[], options: AtomicWriteOptions = {}): void {
  refuseOutputsThatAreInputs(
    files.map((f) => f.path),
    options.inputs ?? [],
  );
  for (const f of files) {
    const dir = dirname(f.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new DataError("WRITE_FAILED", `output folder ${dir} does not exist; nothing was written`, `create it first (mkdir -p ${dir}) or choose another --out`, { file: f.path });
    }
    if (existsSync(f.path) && !lstatSync(f.path).isFile() && !lstatSync(f.path).isSymbolicLink()) {
      throw new DataError("WRITE_FAILED", `${f.path} exists and is not a file (a directory?); nothing was written`, "remove it or choose another --out", { file: f.path });
    }
  }
  const releaseLock = lockOutput(files[0].path);
  try {
    commitFiles(files, options);
  } finally {
    releaseLock();
  }
}

/**
 * Takes `<main>.lock` (created exclusively, holding the pid) so that two imports to one output cannot
 * interleave their renames and leave companions of different imports. A lock whose process is gone is stale
 * and taken over. Returns the release function.
 */
function lockOutput(main: string): () => void {
  const lock = `${main}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      return () => {
        try {
          unlinkSync(lock);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new DataError("WRITE_FAILED", `could not create the lock ${lock}: ${fsReason(e)}; nothing was written`, "fix the output folder's permissions, then import again", { file: main });
      }
      const owner = Number(readFileSync(lock, "utf8"));
      if (Number.isSafeInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new DataError("WRITE_FAILED", `another import (process ${owner}) is writing ${main}; nothing was written`, `wait for it to finish, or remove ${lock} if no import is running`, { file: main });
      }
      unlinkSync(lock); // stale: its process is gone
    }
  }
  throw new DataError("WRITE_FAILED", `could not take the lock ${lock}; nothing was written`, `remove ${lock} if no import is running`, { file: main });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function commitFiles(files: readonly OutputFile[], options: AtomicWriteOptions): void {
  const token = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const staged = files.map((f) => ({ ...f, tmp: `${f.path}.${token}.tmp`, backup: `${f.path}.${token}.bak` }));
  const removeQuietly = (path: string): void => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  let current = staged[0]?.path ?? "";
  try {
    for (const f of staged) {
      current = f.tmp;
      writeFileSync(f.tmp, f.bytes, { flag: "wx" });
    }
  } catch (e) {
    for (const f of staged) removeQuietly(f.tmp);
    throw new DataError("WRITE_FAILED", `could not write ${current}: ${fsReason(e)}; nothing was written`, "free disk space or fix the output folder's permissions, then import again", { file: current });
  }
  // Commit: companions first, the main file last.
  const order = [...staged.slice(1), staged[0]];
  const kept: (typeof staged)[number][] = [];
  const installed: (typeof staged)[number][] = [];
  try {
    options.beforeCommit?.();
    for (const f of order) {
      current = f.path;
      if (existsSync(f.path)) {
        keepAside(f.path, f.backup);
        kept.push(f);
      }
      renameSync(f.tmp, f.path);
      installed.push(f);
    }
  } catch (e) {
    const restoreFailures: string[] = [];
    for (const f of installed.reverse()) {
      try {
        if (kept.includes(f)) renameSync(f.backup, f.path);
        else unlinkSync(f.path);
      } catch (r) {
        restoreFailures.push(`${f.path} (${fsReason(r)}${kept.includes(f) ? `; the previous file is at ${f.backup}` : ""})`);
      }
    }
    for (const f of kept) if (!installed.includes(f)) removeQuietly(f.backup);
    for (const f of staged) removeQuietly(f.tmp);
    const restored = restoreFailures.length === 0 ? "the files already there are unchanged" : `could not restore ${restoreFailures.join(", ")}`;
    throw new DataError("WRITE_FAILED", `could not put ${current} in place: ${fsReason(e)}; nothing of this import was kept and ${restored}`, "remove what is in the way or choose another --out, then import again", { file: current });
  }
  for (const f of kept) removeQuietly(f.backup);
}
