// What `tranche data info` and the readers make of bad metadata and of companions that are missing, foreign
// or of the wrong kind (data/schema.ts metaFromArrow, data/reader.ts openCompanion, data/info.ts).
import { copyFileSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDataCommand } from "../../cli/data.js";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import { parseBinance, writeBinance } from "../../data/binance.js";
import { openDataFile, readBinance, readLobster } from "../../data/reader.js";
import { fixedSchema, metaToArrow, type DatasetMeta } from "../../data/schema.js";
import { encodeArrowFile } from "../../data/writer.js";
import { Schema } from "apache-arrow";
import { caught, tempFolder, writeLines } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

async function info(path: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDataCommand(["info", path], { print: (l) => out.push(l), printError: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let imports = 0;
function smallImport(folder = tmp.dir): string {
  const name = `M${++imports}`;
  const base = join(folder, `${name}_2020-01-02_34200000_57600000_`);
  writeLines(`${base}message_1.csv`, ["34200.5,1,1,10,1000000,1", "34201,1,2,5,1000100,-1"]);
  writeLines(`${base}orderbook_1.csv`, ["9999999999,0,1000000,10", "1000100,5,1000000,10"]);
  const out = join(folder, `${name.toLowerCase()}.arrow`);
  writeLobster(parseLobster(`${base}message_1.csv`, `${base}orderbook_1.csv`), out);
  return out;
}

/** An l3 file of two rows whose metadata is `meta` with `raw` keys overridden (sealed, so only the values are wrong). */
function withMetadata(meta: DatasetMeta, raw: Record<string, string>, name: string): string {
  const schema = fixedSchema("l3", meta);
  const map = metaToArrow(meta);
  for (const [k, v] of Object.entries(raw)) map.set(k, v);
  const p = join(tmp.dir, name);
  const i64 = () => new BigInt64Array(2);
  const u8 = () => new Uint8Array(2);
  writeFileSync(p, encodeArrowFile(new Schema(schema.fields, map), [i64(), u8(), i64(), u8(), i64(), i64(), i64()]));
  return p;
}

let meta: DatasetMeta;
beforeAll(() => {
  meta = openDataFile(smallImport()).meta;
});

describe("metadata read through one schema", () => {
  it.each([
    ["tick_size", "abc", /"tick_size" = "abc": the value is not a positive decimal/],
    ["lobster_levels", "ten", /"lobster_levels" = "ten": the value is not a whole number/],
    ["companions", '{"book":"../../etc/x.arrow"}', /"companions" .* is not a \.arrow file name in the same folder/],
    ["companions", '{"book":"/tmp/x.arrow"}', /not a \.arrow file name in the same folder/],
    ["companions", '{"nope":"x.arrow"}', /names an unknown kind "nope"/],
    ["source_files", "[1,2]", /"source_files" .* \[0\] is not a string/],
    ["created_at", "yesterday", /not an ISO 8601 time/],
    ["timezone", "Mars/Olympus", /not an IANA time zone/],
    ["date", "2020-02-30", /not a calendar date/],
  ])("names key %s = %s and the rule it breaks", async (key, value, message) => {
    const p = withMetadata(meta, { [key]: value }, `bad-${key}-${imports++}.arrow`);
    const e = caught(() => openDataFile(p));
    expect(e.code).toBe("BAD_METADATA");
    expect(e.message).toMatch(message);
    const r = await info(p);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/SyntaxError|\n\s+at /);
  });

  it("escapes control characters in an echoed value", async () => {
    const p = withMetadata(meta, { symbol: "GO\u001b[2JOG" }, "ctrl.arrow");
    const r = await info(p);
    expect(r.code).toBe(1);
    expect(r.err).toContain("\\x1b[2J");
    expect(r.err).not.toContain("\u001b");
  });

  it("says a file was written by an older format version", () => {
    const p = withMetadata(meta, { format: "tranche-data/1" }, "v1.arrow");
    expect(caught(() => openDataFile(p)).message).toContain("written by an older Tranche");
  });
});

describe("companions checked by data info and the readers", () => {
  it("fails with the missing companion's name instead of passing without a word", async () => {
    const folder = join(tmp.dir, "missing");
    mkdirSync(folder);
    const out = smallImport(folder);
    rmSync(out.replace(/\.arrow$/, ".book.arrow"));
    const r = await info(out);
    expect(r.out).toContain("L3 messages");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FILE_NOT_FOUND: .*the "book" companion .* is missing/);
  });

  it("fails on a companion from another import", async () => {
    const a = smallImport();
    const b = smallImport();
    copyFileSync(b.replace(/\.arrow$/, ".book.arrow"), a.replace(/\.arrow$/, ".book.arrow"));
    const r = await info(a);
    expect(r.code).toBe(1);
    expect(r.err).toContain("COMPANION_MISMATCH");
    expect(caught(() => readLobster(a)).code).toBe("COMPANION_MISMATCH");
  });

  it("fails on a companion of the wrong kind", async () => {
    const a = smallImport();
    const b = smallImport();
    copyFileSync(b, a.replace(/\.arrow$/, ".book.arrow"));
    const r = await info(a);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/WRONG_KIND: .*named as the "book" companion .* holds a "l3" table/);
  });

  it("fails on a damaged companion and still describes the main file", async () => {
    const a = smallImport();
    writeFileSync(a.replace(/\.arrow$/, ".book.arrow"), "not arrow");
    const r = await info(a);
    expect(r.out).toContain("L3 messages");
    expect(r.code).toBe(1);
    expect(r.err).toContain("NOT_ARROW");
  });

  it("passes a whole import", async () => {
    const r = await info(smallImport());
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("orderbook levels (LOBSTER)");
  });
});

describe("an import writes only metadata its readers accept", () => {
  it("refuses an empty or overlong --symbol before writing", () => {
    const base = join(tmp.dir, "SYM_2020-01-02_34200000_57600000_");
    writeLines(`${base}message_1.csv`, ["34200.5,1,1,10,1000000,1"]);
    writeLines(`${base}orderbook_1.csv`, ["9999999999,0,1000000,10"]);
    for (const symbol of ["", "X".repeat(300), "GO\u0007OG"]) {
      const e = caught(() => parseLobster(`${base}message_1.csv`, `${base}orderbook_1.csv`, { symbol }));
      expect(e.code).toBe("INVALID_OPTION");
      expect(e.message).toContain("is not 1 to 64 printable characters");
    }
  });

  it("keeps an ignored stream's name printable, so the import reads back and info prints no control character", async () => {
    const lines = [
      '1723161253937000000 {"lastUpdateId":10,"bids":[["100.00","1.0"]],"asks":[["100.10","1.0"]]}',
      '1723161253938000000 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255000,"s":"BTCUSDT","U":11,"u":11,"b":[["100.00","2.0"]],"a":[]}}',
      '1723161253939000000 {"stream":"btcusdt@kline\\u2028\\u009b","data":{}}',
    ];
    const path = writeLines(join(tmp.dir, "ignored.txt"), lines);
    const out = join(tmp.dir, "ignored.arrow");
    writeBinance(parseBinance([path]), out);
    const read = readBinance(out);
    expect(Object.keys(read.depth.meta.binance?.ignoredLines ?? {})).toEqual(["btcusdt@kline\\u2028\\x9b"]);
    const r = await info(out);
    expect(r.code).toBe(0);
    expect(r.out).toContain("ignored 1 lines of stream btcusdt@kline\\u2028\\x9b");
    expect(r.out).not.toMatch(/[\u2028\u009b]/);
  });
});

describe("companions found where a user leaves them", () => {
  it("follows an import renamed as a whole, and a symlink to its main file", async () => {
    const folder = join(tmp.dir, "renamed");
    mkdirSync(folder);
    const out = smallImport(folder);
    renameSync(out, join(folder, "y.arrow"));
    renameSync(out.replace(/\.arrow$/, ".book.arrow"), join(folder, "y.book.arrow"));
    const r = await info(join(folder, "y.arrow"));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readLobster(join(folder, "y.arrow")).book.rows).toBe(2);
    const book = await info(join(folder, "y.book.arrow"));
    expect(book.err).toBe("");
    const elsewhere = join(tmp.dir, "links");
    mkdirSync(elsewhere);
    symlinkSync(join(folder, "y.arrow"), join(elsewhere, "y.arrow"));
    const linked = await info(join(elsewhere, "y.arrow"));
    expect(linked.err).toBe("");
  });
});
