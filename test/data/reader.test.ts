import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Field, Int64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Uint8 } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKSUM_KEY, CHECKSUM_PLACEHOLDER, sealArrowFile } from "../../data/arrow-check.js";
import { DataError } from "../../data/errors.js";
import { parseLobster, writeLobster, type LobsterImport } from "../../data/lobster.js";
import { bookColumns, fixedColumns, openDataFile, readBook, readL2, readL3, readLobster } from "../../data/reader.js";
import { COLUMNS, fixedSchema, metaToArrow, type L3Columns } from "../../data/schema.js";
import { encodeArrowFile } from "../../data/writer.js";
import { available, goog, sameValues, tempFolder, writeLines, caught } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

/** A small LOBSTER import written to `<name>.arrow`; returns its path. */
function smallImport(name: string, sizes = ["1", "2"]): string {
  const base = join(tmp.dir, `${name}_2020-01-02_34200000_57600000_`);
  const m = writeLines(`${base}message_1.csv`, sizes.map((s, i) => `3420${i}.5,1,${i + 1},${s},1000000,1`));
  const b = writeLines(`${base}orderbook_1.csv`, sizes.map(() => "1000100,5,1000000,7"));
  const out = join(tmp.dir, `${name}.arrow`);
  writeLobster(parseLobster(m, b), out);
  return out;
}

const haveGoog = available("reader tests on the GOOG import", goog.message, goog.orderbook);

describe.skipIf(!haveGoog)("reading a GOOG import back", () => {
  let imp: LobsterImport;
  let out: string;
  beforeAll(() => {
    imp = parseLobster(goog.message, goog.orderbook);
    out = join(tmp.dir, "goog.arrow");
    writeLobster(imp, out);
  });

  it("returns the columns as imported, with the metadata and each file naming the other", () => {
    const { messages, book } = readLobster(out);
    expect(messages.rows).toBe(147_916);
    for (const key of Object.keys(imp.messages.columns) as (keyof L3Columns)[]) {
      expect(sameValues(messages.columns[key], imp.messages.columns[key]), key).toBe(true);
    }
    for (let l = 0; l < 10; l++) {
      expect(sameValues(book.columns.askPriceTicks[l], imp.book.columns.askPriceTicks[l])).toBe(true);
      expect(sameValues(book.columns.bidQtyLots[l], imp.book.columns.bidQtyLots[l])).toBe(true);
    }
    expect(messages.meta.companions).toEqual({ book: "goog.book.arrow" });
    expect(book.meta.companions).toEqual({ l3: "goog.arrow" });
    expect(messages.meta.importId).toBe(book.meta.importId);
    expect(messages.meta.lobster).toEqual(imp.messages.meta.lobster);
    expect(messages.meta.sourceSha256[0]).toBe("153e1ca22784f64813b3964b9767ee6acef5bab1a340204ac5eb3aee9744b41e");
  });

  it("hands out typed arrays that view the file's bytes (zero-copy)", () => {
    const file = openDataFile(out, "l3");
    const cols = fixedColumns(file, "l3");
    for (const c of COLUMNS.l3) {
      const arr = cols[c.key];
      expect(arr.buffer, c.name).toBe(file.bytes.buffer);
      expect(arr.length).toBe(147_916);
    }
    expect(cols.tsNs).toBeInstanceOf(BigInt64Array);
    expect(cols.tsNs.byteOffset % 8).toBe(0);
    // The same memory as Arrow's own vector: no copy in between.
    const arrowValues = file.table.getChild("ts_ns")!.data[0].values as BigInt64Array;
    expect(arrowValues.buffer).toBe(cols.tsNs.buffer);
    expect(arrowValues.byteOffset).toBe(cols.tsNs.byteOffset);
    const bookFile = openDataFile(join(tmp.dir, "goog.book.arrow"), "book");
    expect(bookColumns(bookFile).askPriceTicks[3].buffer).toBe(bookFile.bytes.buffer);
  });

  it("reports a truncated import as TRUNCATED, whatever the cut", () => {
    const bytes = readFileSync(out);
    for (const keep of [bytes.length - 1, Math.floor(bytes.length / 2), 200, 0]) {
      const cut = join(tmp.dir, `cut-${keep}.arrow`);
      writeFileSync(cut, bytes.subarray(0, keep));
      const e = caught(() => readL3(cut));
      expect(e.code, `kept ${keep} bytes`).toBe("TRUNCATED");
      expect(e.file).toBe(cut);
      expect(e.message).toContain("Fix:");
    }
    const book = join(tmp.dir, "cut.book.arrow");
    copyFileSync(join(tmp.dir, "goog.book.arrow"), book);
    truncateSync(book, 1_000_000);
    expect(caught(() => readBook(book)).code).toBe("TRUNCATED");
  });

  it("refuses the wrong kind and points at the companion", () => {
    const e = caught(() => readL2(out));
    expect(e.code).toBe("WRONG_KIND");
    expect(e.message).toContain('holds a "l3" table, expected "l2"');
    expect(e.fix).toContain("goog.book.arrow");
    expect(caught(() => readBook(out)).code).toBe("WRONG_KIND");
  });

  it("says NOT_ARROW for a CSV and for an Arrow stream, FILE_NOT_FOUND for a missing path", () => {
    expect(caught(() => readL3(goog.message)).code).toBe("NOT_ARROW");
    const stream = join(tmp.dir, "stream.arrow");
    const table = openDataFile(out).table;
    writeFileSync(stream, tableToIPC(table.slice(0, 10), "stream"));
    const e = caught(() => readL3(stream));
    expect(e.code).toBe("NOT_ARROW");
    expect(e.message).toContain("Arrow IPC stream");
    expect(caught(() => readL3(join(tmp.dir, "nope.arrow"))).code).toBe("FILE_NOT_FOUND");
  });
});

describe("reader checks on small files", () => {
  it("names a missing column and a column of the wrong type", () => {
    const out = smallImport("S1");
    const meta = openDataFile(out).meta;
    const full = fixedSchema("l3", meta);
    const rows = 2;
    const i64 = () => new BigInt64Array(rows);
    const u8 = () => new Uint8Array(rows);
    // Drop price_raw.
    const noRaw = new Schema(full.fields.filter((f) => f.name !== "price_raw"), metaToArrow(meta));
    const p1 = join(tmp.dir, "noraw.arrow");
    writeFileSync(p1, encodeArrowFile(noRaw, [i64(), u8(), i64(), u8(), i64(), i64()]));
    const e = caught(() => readL3(p1));
    expect(e.code).toBe("MISSING_COLUMN");
    expect(e.message).toContain('column "price_raw" (Int64) is missing');
    // ts_ns as Uint8.
    const badType = new Schema([new Field("ts_ns", new Uint8(), false), ...full.fields.slice(1)], metaToArrow(meta));
    const p2 = join(tmp.dir, "badtype.arrow");
    writeFileSync(p2, encodeArrowFile(badType, [u8(), u8(), i64(), u8(), i64(), i64(), i64()]));
    expect(caught(() => readL3(p2)).message).toContain('column "ts_ns" has type Uint8, expected Int64');
  });

  it("says BAD_METADATA for an Arrow file that Tranche did not write", () => {
    const schema = new Schema([new Field("x", new Int64(), false)]);
    const p = join(tmp.dir, "foreign.arrow");
    writeFileSync(p, encodeArrowFile(schema, [new BigInt64Array(3)]));
    const e = caught(() => readL3(p));
    expect(e.code).toBe("BAD_METADATA");
    expect(e.message).toContain('"format" is missing');
  });

  it("concatenates a column split over several record batches once", () => {
    const out = smallImport("S2");
    const meta = openDataFile(out).meta;
    const schema = fixedSchema("l3", meta);
    const batch = (start: number, n: number) => {
      const children = COLUMNS.l3.map((c) =>
        c.type === "int64"
          ? makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(start + i)) })
          : makeData({ type: new Uint8(), length: n, nullCount: 0, data: Uint8Array.from({ length: n }, (_, i) => start + i) }),
      );
      return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
    };
    const p = join(tmp.dir, "chunks.arrow");
    // As another writer would: the checksum placeholder in the metadata, then the digest sealed in.
    const bytes = tableToIPC(new Table(schema, [batch(0, 3), batch(3, 2)]), "file");
    expect(() => sealArrowFile(bytes)).toThrow(/placeholder/);
    schema.metadata.set(CHECKSUM_KEY, CHECKSUM_PLACEHOLDER);
    const sealed = tableToIPC(new Table(schema, [batch(0, 3), batch(3, 2)]), "file");
    sealArrowFile(sealed);
    writeFileSync(p, sealed);
    const t = readL3(p);
    expect(t.rows).toBe(5);
    expect([...t.columns.tsNs]).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect([...t.columns.type]).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses a book from another import and a missing companion", () => {
    const a = smallImport("A");
    const b = smallImport("B");
    copyFileSync(join(tmp.dir, "B.book.arrow"), join(tmp.dir, "A.book.arrow"));
    const e = caught(() => readLobster(a));
    expect(e.code).toBe("COMPANION_MISMATCH");
    expect(e.fix).toContain("re-import");
    // Moved away from its book: the companion is looked up next to the file.
    mkdirSync(join(tmp.dir, "alone"));
    copyFileSync(b, join(tmp.dir, "alone", "B.arrow"));
    const missing = caught(() => readLobster(join(tmp.dir, "alone", "B.arrow")));
    expect(missing.code).toBe("FILE_NOT_FOUND");
    expect(missing.message).toContain("B.book.arrow");
  });

  it("keeps an existing file when an import fails, and leaves no temporary file", () => {
    const out = smallImport("D", ["1", "2"]);
    const before = readFileSync(out);
    const base = join(tmp.dir, "D_2020-01-02_34200000_57600000_");
    writeLines(`${base}message_1.csv`, ["34200.5,1,1,1,1000000,1", "34200.6,1,2,x,1000000,1"]);
    expect(() => writeLobster(parseLobster(`${base}message_1.csv`, `${base}orderbook_1.csv`), out)).toThrow(DataError);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(() => readFileSync(`${out}.tmp`)).toThrow();
  });
});
