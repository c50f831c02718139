// The Binance importer against hostile or mistaken input: files out of order, repeated or overlapping; records
// whose receive clock or update ids go back; fields outside their domain; files that are not collector output.
// Real lines come from the shared spot/USD-M files (read in place, never copied); the rest are synthetic.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parseBinance, type BinanceImport } from "../../data/binance.js";
import { available, caught, goog, gzLines, sameValues, spot, tempFolder, usdm, writeLines } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

const file = (name: string, lines: readonly string[]): string => writeLines(join(tmp.dir, name), lines);
const importLines = (name: string, lines: readonly string[]): BinanceImport => parseBinance([file(name, lines)]);

const channelIs = (channel: string) => (line: string) => line.includes(`"stream":"btcusdt@${channel}`);
const isDepth = channelIs("depth");
const isTrade = channelIs("trade");
const isTicker = channelIs("bookTicker");
/** The line with its receive time moved by `deltaNs`. */
const shifted = (line: string, deltaNs: bigint): string => {
  const space = line.indexOf(" ");
  return `${BigInt(line.slice(0, space)) + deltaNs}${line.slice(space)}`;
};
const HOUR_NS = 3_600_000_000_000n;

/** Every column of every table of two imports holds the same values. */
function sameTables(a: BinanceImport, b: BinanceImport): boolean {
  const columns = (imp: BinanceImport) => [imp.depth.columns, imp.trades.columns, imp.bbo.columns].flatMap((c) => Object.values(c) as ArrayBufferView[]);
  const [x, y] = [columns(a), columns(b)];
  return x.length === y.length && x.every((v, i) => sameValues(v, y[i]));
}

const haveSpot = available("Binance hostile input (spot)", spot.day08, spot.day09);
const haveUsdm = available("Binance hostile input (USD-M)", usdm);

describe.skipIf(!haveSpot)("Binance input files: order, overlap and repeats across files", () => {
  // 6,000 real lines (about 50 s of the 2024-08-08 spot stream, the REST snapshot on line 8) cut in two.
  const lines = haveSpot ? gzLines(spot.day08).slice(0, 6_000) : [];
  const first = lines.slice(0, 3_000);
  const second = lines.slice(3_000);

  it("reads files given out of time order by their first receive time, and says so in a note", () => {
    const a = file("part_a.gz", first);
    const b = file("part_b.gz", second);
    const given = parseBinance([b, a]);
    const ordered = parseBinance([a, b]);
    expect(ordered.notes).toEqual([]);
    expect(given.notes).toHaveLength(1);
    expect(given.notes[0]).toMatch(/out of time order/);
    expect(given.notes[0]).toContain("part_a.gz (from 2024-08-08T23:54:13.937Z)");
    expect(given.notes[0]).toContain("part_b.gz (from 2024-08-08T23:54:");
    expect(given.depth.meta.sourceFiles).toEqual(["part_a.gz", "part_b.gz"]);
    expect(given.depth.path).toBe(a);
    expect(sameTables(given, ordered)).toBe(true);
    expect(given.depth.meta.binance).toMatchObject({ gaps: [], droppedDuplicate: 0 });
  });

  it("imports the real 09 file given before 08 exactly as 08 then 09", () => {
    const imp = parseBinance([spot.day09, spot.day08]);
    expect(imp.notes[0]).toContain("btcusdt_20240808.gz (from 2024-08-08T23:54:13.937Z), btcusdt_20240809.gz (from 2024-08-09T00:00:00.001Z)");
    const b = imp.depth.meta.binance!;
    expect(b.gaps).toEqual([]);
    expect(b.droppedDuplicate).toBe(0);
    expect(b.diffEvents + b.droppedStale).toBe(3_451 + 3_044);
    expect(imp.trades.rows).toBe(9_757 + 10_147);
    expect(imp.bbo.rows).toBe(28_040 + 45_134);
  });

  it("refuses one file given twice, naming it", () => {
    const a = file("twice.gz", first);
    const e = caught(() => parseBinance([a, file("other.gz", second), a]));
    expect(e.code).toBe("INPUT_ORDER");
    expect(e.message).toContain("twice.gz is given twice");
  });

  it("refuses the same content under two names, whether the bytes or only the lines are the same", () => {
    const a = file("orig.gz", first);
    const copy = caught(() => parseBinance([a, file("copy.gz", first)]));
    expect(copy.code).toBe("INPUT_ORDER");
    expect(copy.message).toContain("orig.gz and copy.gz hold the same bytes");
    const plain = caught(() => parseBinance([a, file("orig.txt", first)]));
    expect(plain.code).toBe("INPUT_ORDER");
    expect(plain.message).toContain("orig.gz and orig.txt hold the same lines");
  });

  it("refuses a file whose receive-time span lies inside another's, naming both spans", () => {
    const whole = file("whole.gz", lines);
    const part = file("inner.gz", lines.slice(2_000, 4_000));
    for (const order of [
      [whole, part],
      [part, whole],
    ]) {
      const e = caught(() => parseBinance(order));
      expect(e.code).toBe("INPUT_ORDER");
      expect(e.message).toMatch(/whole\.gz \(2024-08-08T23:54:13\.937Z → 2024-08-08T23:5\d:\d\d\.\d{3}Z\) and inner\.gz \(.*\) overlap/);
      expect(e.message).toContain("inner.gz lies inside whole.gz");
    }
  });

  it("refuses files that partly overlap", () => {
    const e = caught(() => parseBinance([file("head.gz", lines.slice(0, 4_000)), file("tail.gz", lines.slice(3_000))]));
    expect(e.code).toBe("INPUT_ORDER");
    expect(e.message).toContain("head.gz");
    expect(e.message).toContain("tail.gz starts");
  });

  // The receive clock alone cannot tell a re-recorded or re-stamped copy: the update ids can.
  it.each([
    ["trades", isTrade, "trade id"],
    ["bookTicker records", isTicker, "bookTicker update id"],
    ["depth diffs", isDepth, "depth diff"],
  ])("refuses a file whose %s repeat an earlier file's update ids even when its receive times do not", (_what, keep, rule) => {
    const a = file("first.gz", first);
    const again = file("again.gz", first.filter(keep).map((l) => shifted(l, HOUR_NS)));
    const e = caught(() => parseBinance([a, again]));
    expect(e.code).toBe("INPUT_ORDER");
    expect(e.message).toContain(rule);
    expect(e.message).toContain("first.gz:");
    expect(e.file).toBe(again);
    expect(e.message).toContain("pass each recorded file once");
  });
});

describe.skipIf(!haveSpot)("Binance records within one file: receive clock and update ids", () => {
  const lines = haveSpot ? gzLines(spot.day08).slice(0, 3_000) : [];

  it("refuses a line received more than 1 s before an earlier line, naming both lines and the rule", () => {
    // Line 101 moved to after line 2,500: over 20 s back in receive time.
    const edited = [...lines.slice(0, 100), ...lines.slice(101, 2_500), lines[100], ...lines.slice(2_500)];
    const e = caught(() => importLines("moved.gz", edited));
    expect(e.code).toBe("TIME_DECREASES");
    expect(e.line).toBe(2_500);
    expect(e.message).toMatch(/moved\.gz:2500: the receive time 2024-08-08T23:54:\d\d\.\d{3}Z is \d+\.\d{3} s before line 2499's/);
    expect(e.message).toContain("at most 1 s");
  });

  it("accepts lines up to 1 s out of receive order (a REST snapshot is stamped in another task)", () => {
    const at = lines.findIndex((l) => l.includes('{"lastUpdateId"'));
    const edited = lines.map((l, i) => (i === at ? shifted(l, 900_000_000n) : l));
    const imp = importLines("late_snapshot.gz", edited);
    const base = importLines("base.gz", lines);
    expect([imp.depth.rows, imp.trades.rows, imp.bbo.rows]).toEqual([base.depth.rows, base.trades.rows, base.bbo.rows]);
  });

  it.each([
    ["a repeated trade", isTrade, "repeat", "trade id", "repeats"],
    ["a trade id that goes back", isTrade, "swap", "trade id", "goes back"],
    ["a repeated bookTicker record", isTicker, "repeat", "bookTicker update id", "repeats"],
    ["a bookTicker update id that goes back", isTicker, "swap", "bookTicker update id", "goes back"],
  ])("refuses %s, naming the line of the previous id", (_what, keep, edit, rule, verb) => {
    const at = lines.flatMap((l, i) => (keep(l) && i > 200 ? [i] : []));
    const edited = [...lines];
    if (edit === "repeat") edited.splice(at[0] + 1, 0, lines[at[0]]);
    else [edited[at[0]], edited[at[1]]] = [lines[at[1]], lines[at[0]]];
    const e = caught(() => importLines("ids.gz", edited));
    expect(e.code).toBe("TIME_DECREASES");
    expect(e.line).toBe(edit === "repeat" ? at[0] + 2 : at[1] + 1);
    expect(e.message).toContain(`${rule} `);
    expect(e.message).toContain(verb);
    expect(e.message).toContain(`line ${at[0] + 1}`);
  });

  it("notes depth diffs dropped because they repeat an earlier diff's update ids", () => {
    const at = lines.findIndex((l, i) => i > 100 && isDepth(l));
    const imp = importLines("dup_diff.gz", [...lines.slice(0, at + 1), lines[at], ...lines.slice(at + 1)]);
    expect(imp.depth.meta.binance!.droppedDuplicate).toBe(1);
    expect(imp.notes).toEqual([`1 depth diff repeated update ids already applied and was dropped (first at dup_diff.gz:${at + 2})`]);
  });
});

// ---- synthetic streams ----
const T0_NS = 1_723_161_253_000_000_000n;
const T0_MS = 1_723_161_254_000;
const ts = (i: number) => String(T0_NS + BigInt(i) * 1_000_000n);
type Fields = Record<string, unknown>;
const record = (i: number, json: unknown) => `${ts(i)} ${JSON.stringify(json)}`;
const snapshot = (over: Fields = {}) => record(0, { lastUpdateId: 10, bids: [["99.99", "2.5"]], asks: [["100.01", "1"]], ...over });
const diff = (over: Fields = {}) => record(1, { stream: "btcusdt@depth@100ms", data: { e: "depthUpdate", E: T0_MS + 1, s: "BTCUSDT", U: 11, u: 12, b: [["100.00", "1.0"]], a: [["100.02", "0"]], ...over } });
const trade = (over: Fields = {}) => record(2, { stream: "btcusdt@trade", data: { e: "trade", E: T0_MS + 2, s: "BTCUSDT", t: 7, p: "100.01", q: "0.5", T: T0_MS + 2, m: false, M: true, ...over } });
const ticker = (over: Fields = {}) => record(3, { stream: "btcusdt@bookTicker", data: { u: 12, s: "BTCUSDT", b: "100.00", B: "1.0", a: "100.01", A: "1", ...over } });
const usdmSnapshot = () => record(0, { lastUpdateId: 10, E: T0_MS, T: T0_MS, bids: [["99.9", "2.5"]], asks: [["100.1", "1"]] });
const usdmDiff = (over: Fields = {}) => record(1, { stream: "btcusdt@depth@0ms", data: { e: "depthUpdate", E: T0_MS + 1, T: T0_MS + 1, s: "BTCUSDT", U: 9, u: 12, pu: 8, b: [["100.0", "1.0"]], a: [], ...over } });
const usdmTrade = (over: Fields = {}) => record(2, { stream: "btcusdt@trade", data: { e: "trade", E: T0_MS + 2, T: T0_MS + 2, s: "BTCUSDT", t: 7, p: "100.1", q: "0.5", X: "MARKET", m: false, ...over } });
const usdmTicker = (over: Fields = {}) => record(3, { stream: "btcusdt@bookTicker", data: { e: "bookTicker", u: 12, s: "BTCUSDT", b: "100.0", B: "1.0", a: "100.1", A: "1", T: T0_MS + 3, E: T0_MS + 3, ...over } });
/** The base spot stream with line `n` (1-based) replaced. */
const spotWith = (n: number, line: string): string[] => {
  const lines = [snapshot(), diff(), trade(), ticker()];
  lines[n - 1] = line;
  return lines;
};
const usdmWith = (n: number, line: string): string[] => {
  const lines = [usdmSnapshot(), usdmDiff(), usdmTrade(), usdmTicker()];
  lines[n - 1] = line;
  return lines;
};
const withTs = (tsText: string, line: string) => `${tsText}${line.slice(line.indexOf(" "))}`;

describe("Binance field domains: every value is checked where it is parsed", () => {
  it("accepts the base synthetic streams, zero quantities included where Binance uses them", () => {
    const imp = importLines("base.txt", spotWith(4, ticker({ B: "0.00000000" })));
    expect([imp.depth.rows, imp.trades.rows, imp.bbo.rows]).toEqual([4, 1, 1]);
    expect(imp.depth.columns.qtyLots[3]).toBe(0n); // "0" removes the level
    const fut = importLines("base_usdm.txt", usdmWith(4, usdmTicker()));
    expect([fut.depth.rows, fut.trades.rows, fut.bbo.rows]).toEqual([3, 1, 1]);
  });

  const year2100 = "4102444800000000000";
  const cases: [string, string[], number, string][] = [
    ["a receive time from 1970", spotWith(2, withTs("5", diff())), 2, "receive time 5 ns (1970-01-01T00:00:00.000Z) is before 2009-01-01"],
    ["a receive time in 2100", spotWith(3, withTs(year2100, trade())), 3, "receive time 4102444800000000000 ns (2100-01-01T00:00:00.000Z) is more than 1 day in the future"],
    ["a receive time beyond 64 bits", spotWith(2, withTs("99999999999999999999", diff())), 2, "receive time 99999999999999999999 ns is beyond"],
    ["a depth event time in seconds", spotWith(2, diff({ E: 1_723_161_254 })), 2, '"E" 1723161254 ms is 1970-01-20T22:39:21.254Z, before 2009-01-01 (seconds, not milliseconds?)'],
    ["a depth event time in nanoseconds", spotWith(2, diff({ E: 1_723_161_254_000_000_000 })), 2, '"E" 1723161254000000000 ms is beyond 2^53'],
    ["a trade time of 0", spotWith(3, trade({ T: 0 })), 3, '"T" 0 ms is 1970-01-01T00:00:00.000Z, before 2009-01-01'],
    ["a USD-M bookTicker event time in 2100", usdmWith(4, usdmTicker({ E: 4_102_444_800_000 })), 4, '"E" 4102444800000 ms is 2100-01-01T00:00:00.000Z, more than 1 day in the future'],
    ["a USD-M snapshot event time from 1970", [record(0, { lastUpdateId: 10, E: 5, T: 5, bids: [], asks: [] }), usdmDiff()], 1, '"E" 5 ms is 1970-01-01T00:00:00.005Z'],
    ["a depth price of 0", spotWith(2, diff({ b: [["0.00", "1.0"]] })), 2, 'price "0.00" is not > 0'],
    ["a negative depth price", spotWith(2, diff({ a: [["-100.02", "1.0"]] })), 2, 'price "-100.02" is not > 0'],
    ["a negative depth quantity", spotWith(2, diff({ b: [["100.00", "-1.0"]] })), 2, 'quantity "-1.0" is negative'],
    ["a snapshot price of 0", spotWith(1, snapshot({ asks: [["0", "1"]] })), 1, 'price "0" is not > 0'],
    ["a trade price of 0", spotWith(3, trade({ p: "0.00000000" })), 3, 'trade price "0.00000000" is not > 0'],
    ["a trade quantity of 0", spotWith(3, trade({ q: "0.00000000" })), 3, 'trade quantity "0.00000000" is not > 0'],
    ["a negative trade quantity", spotWith(3, trade({ q: "-0.5" })), 3, 'trade quantity "-0.5" is not > 0'],
    ["a bookTicker bid price of 0", spotWith(4, ticker({ b: "0.00" })), 4, 'bookTicker bid price "0.00" is not > 0'],
    ["a negative bookTicker ask quantity", spotWith(4, ticker({ A: "-1" })), 4, 'bookTicker ask quantity "-1" is negative'],
    ["a price too large for 2^53 ticks", spotWith(3, trade({ p: "100000000000000000000.00" })), 3, 'trade price "100000000000000000000.00" is beyond 2^53 ticks of 0.01'],
    ["U above u", spotWith(2, diff({ U: 13, u: 12 })), 2, "U 13 > u 12: a diff's first update id is at most its last"],
    ["a negative U", spotWith(2, diff({ U: -1 })), 2, `"U" -1 is negative: Binance's ids are ≥ 0`],
    ["a negative snapshot lastUpdateId", spotWith(1, snapshot({ lastUpdateId: -10 })), 1, '"lastUpdateId" -10 is negative'],
    ["a negative trade id", spotWith(3, trade({ t: -7 })), 3, '"t" -7 is negative'],
    ["a negative bookTicker update id", spotWith(4, ticker({ u: -12 })), 4, '"u" -12 is negative'],
    ["a USD-M pu not below U", usdmWith(2, usdmDiff({ pu: 9 })), 2, "pu 9 ≥ U 9: the previous event's last update id comes before this event's first"],
  ];
  it.each(cases)("refuses %s as OUT_OF_RANGE with the line and the rule", (name, lines, line, rule) => {
    const e = caught(() => importLines(`range_${name.replace(/\W+/g, "_")}.txt`, lines));
    expect(e.code, e.message).toBe("OUT_OF_RANGE");
    expect(e.line).toBe(line);
    expect(e.message).toContain(rule);
  });

  it("skips USD-M trades that Binance marks X \"NA\" with price and quantity 0, and notes them", () => {
    // Binance's USD-M @trade stream sends such placeholders (hftbacktest issue #263); they are no executions.
    const lines = [usdmSnapshot(), usdmDiff(), usdmTrade({ t: 7 }), usdmTrade({ t: 8, p: "0", q: "0", X: "NA" }), usdmTrade({ t: 9 }), usdmTicker()];
    const imp = importLines("usdm_na.txt", lines);
    expect(imp.trades.rows).toBe(2);
    expect([...imp.trades.columns.tradeId]).toEqual([7n, 9n]);
    expect(imp.depth.meta.binance!.tradeIdGaps).toBe(0);
    expect(imp.notes).toEqual(['1 USD-M trade with X "NA" (price and quantity 0: no execution) skipped (first at usdm_na.txt:4)']);
    const zeroMarket = caught(() => importLines("usdm_zero.txt", [...lines.slice(0, 3), usdmTrade({ t: 8, p: "0", q: "0" })]));
    expect(zeroMarket.code).toBe("OUT_OF_RANGE");
  });
});

describe("Binance messages name what is wrong, and quote what they echo", () => {
  it.each([
    ["empty.txt", ""],
    ["empty.gz", gzipSync("")],
    ["blank.txt", "\n\n  \n"],
  ])("says the file is empty for %s", (name, content) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, content);
    for (const paths of [[path], [file("ok.txt", spotWith(4, ticker())), path]]) {
      const e = caught(() => parseBinance(paths));
      expect(e.code).toBe("EMPTY_FILE");
      expect(e.file).toBe(path);
      expect(e.message).toContain("the file is empty");
    }
  });

  it("quotes a line that is not `<ns> <json>`, escaping quotes and control characters and cutting it short", () => {
    const e = caught(() => importLines("noise.txt", [snapshot(), 'hello "world"\u001b[2J' + "x".repeat(200)]));
    expect(e.code).toBe("BAD_JSON");
    expect(e.line).toBe(2);
    expect(e.message).toContain('got "hello \\"world\\"\\x1b[2Jxxx');
    expect(e.message).toContain("…");
    expect(e.message).not.toContain("\u001b");
  });

  it("quotes invalid JSON at the place it breaks", () => {
    const bad = `${ts(1)} {"stream":"btcusdt@trade","data":{"p":"1\u001b[31m"}}`;
    const e = caught(() => importLines("badjson.txt", [snapshot(), bad]));
    expect(e.code).toBe("BAD_JSON");
    expect(e.message).toContain(`invalid JSON at column ${bad.indexOf("\u001b") + 1} (bad control character in string literal): "`);
    expect(e.message).toContain('\\"p\\":\\"1\\x1b[31m\\"}}"');
    expect(e.message).not.toContain("the last line is cut short");
    const path = join(tmp.dir, "cut.txt");
    writeFileSync(path, [snapshot(), diff(), `${ts(5)} {"stream":"btcusdt@trade","da`].join("\n"));
    const cut = caught(() => parseBinance([path]));
    expect(cut.message).toContain("the last line is cut short");
    expect(cut.fix).toContain("truncated");
  });

  it("names line endings of CR alone rather than calling the JSON invalid", () => {
    const path = join(tmp.dir, "cr.txt");
    writeFileSync(path, spotWith(4, ticker()).join("\r") + "\r");
    const e = caught(() => parseBinance([path]));
    expect(e.code).toBe("BAD_JSON");
    expect(e.message).toContain("the file's lines end in CR alone, not LF");
    expect(e.fix).toContain("tr");
  });

  it("refuses a JSON value that is not an object, without a crash", () => {
    for (const json of ["null", "5", '"text"', "[1,2]"]) {
      const e = caught(() => importLines("notobject.txt", [snapshot(), `${ts(1)} ${json}`]));
      expect(e.code).toBe("BAD_JSON");
      expect(e.message).toContain("neither a combined-stream message");
    }
  });

  it("names the field, what it holds, and quotes the symbol of a mixed stream", () => {
    const asText = caught(() => importLines("fieldtext.txt", spotWith(2, diff({ U: "11" }))));
    expect(asText.code).toBe("BAD_JSON");
    expect(asText.message).toContain('depth diff lacks a valid "U" (it holds the string "11", not a whole number)');
    const missing = caught(() => importLines("fieldmissing.txt", spotWith(3, trade({ t: undefined }))));
    expect(missing.message).toContain('trade lacks a valid "t" (it is missing)');
    const fraction = caught(() => importLines("fieldfraction.txt", spotWith(4, ticker({ u: 12.5 }))));
    expect(fraction.message).toContain('bookTicker lacks a valid "u" (it holds 12.5, not a whole number)');
    const symbol = caught(() => importLines("symbol.txt", [...spotWith(4, ticker()), record(4, { stream: 'eth"usdt\u0007@trade', data: {} })]));
    expect(symbol.code).toBe("BAD_JSON");
    expect(symbol.message).toContain('stream symbol "eth\\"usdt\\x07" is not a Binance symbol');
    const mixed = caught(() => importLines("mixed.txt", [...spotWith(4, ticker()), record(4, { stream: "ethusdt@trade", data: {} })]));
    expect(mixed.code).toBe("MIXED_STREAMS");
    expect(mixed.message).toContain('symbol "ETHUSDT" after "BTCUSDT"');
  });

  it("names scientific notation as such, not as a value off the grid", () => {
    const e = caught(() => importLines("sci.txt", spotWith(3, trade({ p: "3.42e4" }))));
    expect(e.code).toBe("BAD_JSON");
    expect(e.message).toContain('trade price "3.42e4" is in scientific notation');
    expect(e.message).not.toContain("whole number of ticks");
    const word = caught(() => importLines("word.txt", spotWith(2, diff({ b: [["100.00", "one"]] }))));
    expect(word.message).toContain('quantity "one" is not a decimal number');
    const offGrid = caught(() => importLines("offgrid.txt", spotWith(2, diff({ b: [["100.005", "1"]] }))));
    expect(offGrid.code).toBe("OFF_GRID");
    expect(offGrid.message).toContain('depth diff price "100.005" is not a whole number of ticks of 0.01');
  });

  it("recognises a LOBSTER file and names the command that imports it", () => {
    const message = caught(() => importLines("lobster_message.csv", ["34200.004241176,1,16113575,18,5853300,1", "34200.025552900,1,16120456,18,5853600,1"]));
    expect(message.code).toBe("BAD_JSON");
    expect(message.message).toContain("looks like a LOBSTER message file");
    expect(message.message).toContain("tranche data import-lobster");
    const book = caught(() => importLines("lobster_book.csv", [Array.from({ length: 40 }, (_, i) => 5_853_300 + i * 100).join(",")]));
    expect(book.message).toContain("looks like a LOBSTER orderbook file");
  });

  it.skipIf(!available("Binance hostile input (LOBSTER sample)", goog.message))("recognises the real LOBSTER sample passed to import-binance", () => {
    const e = caught(() => parseBinance([goog.message]));
    expect(e.message).toContain("looks like a LOBSTER message file");
    expect(e.line).toBe(1);
  });

  it("recognises bare JSON without a receive time, an Arrow file and other compressions", () => {
    const bare = caught(() => importLines("bare.txt", [JSON.stringify({ stream: "btcusdt@trade", data: {} })]));
    expect(bare.message).toContain("JSON without the receive time");
    const arrow = join(tmp.dir, "out.arrow");
    writeFileSync(arrow, Buffer.concat([Buffer.from("ARROW1\0\0"), Buffer.alloc(64, 0xff)]));
    const a = caught(() => parseBinance([arrow]));
    expect(a.code).toBe("BAD_JSON");
    expect(a.message).toContain("an Arrow file");
    expect(a.message).toContain("tranche data info");
    const zst = join(tmp.dir, "x.zst");
    writeFileSync(zst, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    expect(caught(() => parseBinance([zst])).message).toContain("zstd-compressed");
  });

  it("tells a partial book depth stream from the diff stream", () => {
    const partial = (i: number) => record(i, { stream: "btcusdt@depth20@100ms", data: { lastUpdateId: 10 + i, bids: [["99.99", "1"]], asks: [["100.01", "1"]] } });
    const only = caught(() => importLines("partial.txt", [partial(0), partial(1), trade()]));
    expect(only.code).toBe("NO_SNAPSHOT");
    expect(only.message).toContain('"btcusdt@depth20@100ms" is a partial book depth stream');
    const mixed = importLines("partial_mixed.txt", [...spotWith(4, ticker()), partial(5)]);
    expect(mixed.depth.meta.binance!.ignoredLines).toEqual({ "btcusdt@depth20@100ms": 1 });
  });

  it.skipIf(!haveSpot || !haveUsdm)("refuses spot and USD-M files together as mixed markets before comparing their spans", () => {
    const e = caught(() => parseBinance([spot.day08, usdm]));
    expect(e.code).toBe("MIXED_STREAMS");
    // Both are named btcusdt_20240808.gz: the message names them by path.
    expect(e.message).toContain(`${spot.day08} holds a spot depth stream and ${usdm} a USD-M depth stream`);
  });
});
