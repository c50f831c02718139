// Damaged Arrow files (data/arrow-check.ts, through the readers): the framing is checked against the file's size
// before apache-arrow parses it, and the content against the checksum written at import, so a damaged file is
// reported as CORRUPT in bounded time and never read as data.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as Arrow from "apache-arrow";
import { Schema } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkArrowFile, CHECKSUM_KEY, contentDigest } from "../../data/arrow-check.js";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import { openDataFile, readL3, readLobster } from "../../data/reader.js";
import { fixedSchema, metaToArrow } from "../../data/schema.js";
import { encodeArrowFile } from "../../data/writer.js";
import { caught, tempFolder, writeLines } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

let out = "";
let original = new Uint8Array();
beforeAll(() => {
  // A small LOBSTER pair, imported as the CLI would.
  const base = join(tmp.dir, "AC_2020-01-02_34200000_57600000_");
  const messages = Array.from({ length: 200 }, (_, i) => `${34200 + i * 0.5},1,${i + 1},${10 + (i % 7)},${1000000 - 100 * (i % 5)},1`);
  const book: string[] = [];
  const bids = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const price = 1000000 - 100 * (i % 5);
    bids.set(price, (bids.get(price) ?? 0) + 10 + (i % 7));
    const best = Math.max(...bids.keys());
    book.push(`9999999999,0,${best},${bids.get(best)}`);
  }
  writeLines(`${base}message_1.csv`, messages);
  writeLines(`${base}orderbook_1.csv`, book);
  out = join(tmp.dir, "ac.arrow");
  writeLobster(parseLobster(`${base}message_1.csv`, `${base}orderbook_1.csv`), out);
  original = readFileSync(out);
});

function damaged(name: string, change: (b: Uint8Array) => void): string {
  const bytes = Uint8Array.from(original);
  change(bytes);
  const p = join(tmp.dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe("checksum written at import", () => {
  it("is in the schema metadata and covers every byte of the file", () => {
    const layout = checkArrowFile(original);
    expect(layout.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(layout.checksumAt).toHaveLength(1);
    expect(contentDigest(original, layout.checksumAt)).toBe(layout.checksum);
    expect(openDataFile(out).table.schema.metadata.get(CHECKSUM_KEY)).toBe(layout.checksum);
  });

  it("reports one changed value inside a column as CORRUPT instead of reading it", () => {
    // The body starts after the first message's metadata; byte 1,000 is inside the ts_ns column.
    const p = damaged("value.arrow", (b) => (b[1000] ^= 0x01));
    const e = caught(() => readL3(p));
    expect(e.code).toBe("CORRUPT");
    expect(e.message).toContain("does not match the checksum written at import");
    expect(e.fix).toContain("re-import");
  });

  it("reports a changed metadata value (the symbol) as CORRUPT", () => {
    const at = Buffer.from(original).indexOf("AC\0");
    expect(at).toBeGreaterThan(0);
    const p = damaged("symbol.arrow", (b) => (b[at] = "Z".charCodeAt(0)));
    expect(caught(() => openDataFile(p)).code).toBe("CORRUPT");
  });

  it("refuses a file whose checksum was removed from the metadata", () => {
    const file = openDataFile(out);
    const metadata = new Map(file.table.schema.metadata);
    metadata.delete(CHECKSUM_KEY);
    const bytes = Arrow.tableToIPC(new Arrow.Table(new Schema(file.table.schema.fields, metadata), file.table.batches.map((b) => new Arrow.RecordBatch(new Schema(file.table.schema.fields, metadata), b.data))), "file");
    const p = join(tmp.dir, "nochecksum.arrow");
    writeFileSync(p, bytes);
    const e = caught(() => openDataFile(p));
    expect(e.code).toBe("CORRUPT");
    expect(e.message).toContain("no content checksum");
  });
});

describe("framing checked before apache-arrow parses", () => {
  it("reports flipped bytes anywhere in the first 512 and the last 512 bytes as an error, never as data", () => {
    const n = original.length;
    const offsets = [...Array.from({ length: 512 }, (_, i) => i), ...Array.from({ length: 512 }, (_, i) => n - 512 + i)];
    const codes = new Map<string, number>();
    for (const at of offsets) {
      const p = damaged("flip.arrow", (b) => {
        b[at] ^= 0xff;
        if (at + 1 < n) b[at + 1] ^= 0xff;
      });
      const code = caught(() => openDataFile(p)).code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect([...codes.keys()].every((c) => ["CORRUPT", "NOT_ARROW", "TRUNCATED", "BAD_METADATA"].includes(c))).toBe(true);
    expect(codes.get("CORRUPT")).toBeGreaterThan(900);
  });

  it("refuses a footer whose length points outside the file, and a record batch that claims more bytes than there are", () => {
    const n = original.length;
    const footer = damaged("footer.arrow", (b) => new DataView(b.buffer).setInt32(n - 10, n * 2, true));
    expect(caught(() => openDataFile(footer)).message).toMatch(/footer length .* does not fit/);
    const layout = new DataView(original.buffer, original.byteOffset);
    const metaLength = layout.getInt32(12, true);
    const body = damaged("body.arrow", (b) => new DataView(b.buffer).setInt32(12, metaLength + 1_000_000_000, true));
    expect(() => checkArrowFile(readFileSync(body))).toThrow(/metadata length .* does not fit/);
    expect(caught(() => openDataFile(body)).code).toBe("CORRUPT");
  });

  // apache-arrow 21 loops for minutes on these two bytes (the record batch's metadata length and its root
  // offset); a child process bounds the wait so a regression fails here instead of hanging the suite.
  it("answers `tranche data info` on the two-byte flip that hung the reader within 20 seconds", () => {
    for (const at of [8, 16, 24]) {
      const p = damaged(`hang${at}.arrow`, (b) => {
        b[at] ^= 0xff;
        b[at + 1] ^= 0xff;
      });
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "data", "info", p], { timeout: 20_000, encoding: "utf8" });
      const seconds = (performance.now() - t0) / 1000;
      expect(r.signal, `data info on a flip at byte ${at} was killed after ${seconds.toFixed(1)} s`).toBeNull();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/CORRUPT/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("foreign Arrow files", () => {
  it("says what Tranche does not read (a string column) rather than calling it corrupt", () => {
    const meta = openDataFile(out).meta;
    const schema = new Schema([new Arrow.Field("name", new Arrow.Utf8(), false)], metaToArrow(meta));
    const table = Arrow.tableFromArrays({ name: ["a", "b"] });
    const bytes = Arrow.tableToIPC(new Arrow.Table(schema, table.batches.map((b) => new Arrow.RecordBatch(schema, b.data))), "file");
    const p = join(tmp.dir, "strings.arrow");
    writeFileSync(p, bytes);
    const e = caught(() => openDataFile(p));
    expect(e.code).toBe("NOT_ARROW");
    expect(e.message).toContain('column "name" has Arrow type Utf8');
    // A sealed file of Tranche's own kind still reads: the check is not a blanket refusal.
    const sealed = join(tmp.dir, "sealed.arrow");
    writeFileSync(sealed, encodeArrowFile(fixedSchema("l3", meta), [new BigInt64Array(2), new Uint8Array(2), new BigInt64Array(2), new Uint8Array(2), new BigInt64Array(2), new BigInt64Array(2), new BigInt64Array(2)]));
    expect(readL3(sealed).rows).toBe(2);
    expect(readLobster(out).book.rows).toBe(200);
  });
});

