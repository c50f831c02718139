// Encoding typed-array columns as Arrow IPC files, and writing the files of one import so that a failure
// never leaves a half-written file or replaces a good one.
import { existsSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Int64, makeData, RecordBatch, Struct, Table, Uint8, tableToIPC, type Data, type Schema } from "apache-arrow";
import { DataError } from "./errors.js";
import { COLUMNS, fixedSchema, type DatasetMeta, type FixedColumnsByKind, type FixedKind } from "./schema.js";

/** A column ready to encode: BigInt64Array for Int64, Uint8Array for Uint8. */
export type ColumnValues = BigInt64Array | Uint8Array;

/** Encodes equally long columns, in schema field order, as one record batch in an Arrow IPC file. */
export function encodeArrowFile(schema: Schema, columns: readonly ColumnValues[]): Uint8Array {
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
  return tableToIPC(new Table(schema, [batch]), "file");
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

/**
 * Writes every file to `<path>.tmp`, then renames them into place. If any write fails, all temporaries are
 * removed and no existing file is touched. Each rename is atomic on one filesystem; the set is renamed
 * companions first and the main file (the first entry) last, so a main file never points at missing companions.
 */
export function writeFilesAtomically(files: readonly OutputFile[]): void {
  for (const f of files) {
    const dir = dirname(f.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new DataError("WRITE_FAILED", `output folder ${dir} does not exist`, `create it first (mkdir -p ${dir}) or choose another --out`, { file: f.path });
    }
  }
  const written: string[] = [];
  try {
    for (const f of files) {
      const tmp = `${f.path}.tmp`;
      written.push(tmp);
      writeFileSync(tmp, f.bytes);
    }
  } catch (e) {
    for (const tmp of written) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
    throw new DataError("WRITE_FAILED", `could not write ${written[written.length - 1]}: ${(e as Error).message}`, "check free disk space and write permission on the output folder");
  }
  for (const f of [...files.slice(1), files[0]]) {
    if (f) renameSync(`${f.path}.tmp`, f.path);
  }
}
