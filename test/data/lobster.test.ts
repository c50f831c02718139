import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../data/errors.js";
import { parseLobster, parseLobsterFileName, utcOffsetSeconds, writeLobster, type LobsterImport } from "../../data/lobster.js";
import { BOOK_EMPTY_ASK_PRICE, BOOK_EMPTY_BID_PRICE, MessageType } from "../../data/schema.js";
import { available, goog, gzLines, tempFolder, writeLines, caught } from "./fixtures.js";

const NS = 1_000_000_000n;
/** ns since epoch of `seconds` after New York midnight on 2012-06-21 (EDT, UTC−4). */
const goog2012 = (seconds: bigint, nanos: bigint): bigint => (BigInt(Date.UTC(2012, 5, 21) / 1000) + 4n * 3600n + seconds) * NS + nanos;

const haveGoog = available("LOBSTER GOOG import", goog.message, goog.orderbook);

describe.skipIf(!haveGoog)("LOBSTER import of the GOOG 2012-06-21 day", () => {
  let imp: LobsterImport;
  let seconds = 0;
  beforeAll(() => {
    const t0 = performance.now();
    imp = parseLobster(goog.message, goog.orderbook);
    seconds = (performance.now() - t0) / 1000;
    console.log(`GOOG parse: ${seconds.toFixed(3)} s (messages ${imp.timings.messagesS.toFixed(3)} s, book ${imp.timings.bookS.toFixed(3)} s)`);
  });

  it("reads 147,916 messages and as many orderbook rows with 10 levels", () => {
    expect(imp.messages.rows).toBe(147_916);
    expect(imp.book.rows).toBe(147_916);
    expect(imp.book.columns.levels).toBe(10);
    expect(imp.messages.columns.tsNs.length).toBe(147_916);
    expect(imp.book.columns.bidQtyLots[9].length).toBe(147_916);
  });

  it("counts message types as the data README does", () => {
    const counts = new Array<number>(8).fill(0);
    for (const t of imp.messages.columns.type) counts[t]++;
    expect(counts.slice(1)).toEqual([71_258, 19, 64_961, 7_765, 3_913, 0, 0]);
  });

  it("converts the first and last timestamps exactly to ns since the epoch (New York → UTC)", () => {
    const ts = imp.messages.columns.tsNs;
    expect(ts[0]).toBe(goog2012(34200n, 15_105_074n));
    expect(ts[0]).toBe(1_340_285_400_015_105_074n);
    expect(ts[147_915]).toBe(goog2012(57599n, 871_751_084n));
    // Row 1 is "34200.05990197": 8 decimals, trailing zero dropped by LOBSTER.
    expect(ts[1]).toBe(goog2012(34200n, 59_901_970n));
    expect(imp.messages.meta.lobster).toMatchObject({ date: "2012-06-21", timezone: "America/New_York", utcOffsetSeconds: -14_400, levels: 10 });
  });

  it("stores prices in ticks of $0.01 (5794000 → 57940) with the raw price alongside", () => {
    const c = imp.messages.columns;
    expect(c.type[0]).toBe(MessageType.VisibleExecution);
    expect(c.orderId[0]).toBe(15_818_974n);
    expect(c.qtyLots[0]).toBe(4n);
    expect(c.priceTicks[0]).toBe(57_940n);
    expect(c.priceRaw[0]).toBe(5_794_000n);
    expect(c.side[0]).toBe(0); // direction +1: a resting bid was hit
    expect(c.side[147_915]).toBe(1); // last line's direction is -1
    expect(imp.messages.meta).toMatchObject({ symbol: "GOOG", venue: "NASDAQ", tickSize: "0.01", lotSize: "1", priceScale: "100", currency: "USD" });
  });

  it("keeps the 50 half-cent hidden executions exactly in price_raw and floors them in price_ticks", () => {
    const c = imp.messages.columns;
    let offGrid = 0;
    let wrong = 0;
    for (let i = 0; i < imp.messages.rows; i++) {
      if (c.priceRaw[i] % 100n !== 0n) {
        offGrid++;
        if (c.type[i] !== MessageType.HiddenExecution || c.priceTicks[i] !== c.priceRaw[i] / 100n) wrong++;
      } else if (c.priceTicks[i] * 100n !== c.priceRaw[i]) {
        wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(offGrid).toBe(50);
    expect(imp.messages.meta.lobster?.offGridPrices).toBe(50);
  });

  it("stores orderbook row 0 level by level in ticks and lots", () => {
    // 5802300,100,5794000,496,5804300,100,5787000,400,... ,5892600,100,5700000,100
    const b = imp.book.columns;
    expect(b.askPriceTicks[0][0]).toBe(58_023n);
    expect(b.askQtyLots[0][0]).toBe(100n);
    expect(b.bidPriceTicks[0][0]).toBe(57_940n);
    expect(b.bidQtyLots[0][0]).toBe(496n);
    expect(b.askPriceTicks[1][0]).toBe(58_043n);
    expect(b.bidPriceTicks[1][0]).toBe(57_870n);
    expect(b.bidQtyLots[1][0]).toBe(400n);
    expect(b.askPriceTicks[9][0]).toBe(58_926n);
    expect(b.bidPriceTicks[9][0]).toBe(57_000n);
    expect(b.bidQtyLots[9][0]).toBe(100n);
    // Row 1 follows message 1 (300 shares executed at the best bid).
    expect(b.bidQtyLots[0][1]).toBe(196n);
  });

  it("imports the day well within two seconds", () => {
    // The target is < 2 s on an idle machine; the bound here leaves room for a loaded CI runner.
    expect(seconds).toBeLessThan(6);
  });
});

describe("LOBSTER file names and time zones", () => {
  it("reads ticker, date, window and level from LOBSTER's naming", () => {
    expect(parseLobsterFileName("/x/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz")).toEqual({
      symbol: "GOOG",
      date: "2012-06-21",
      startMs: 34_200_000,
      endMs: 57_600_000,
      file: "message",
      levels: 10,
    });
    expect(parseLobsterFileName("BRK.A_2020-01-02_0_86400000_orderbook_1.csv")?.symbol).toBe("BRK.A");
    expect(parseLobsterFileName("goog.csv")).toBeUndefined();
  });

  it("knows New York's offset in summer and winter", () => {
    expect(utcOffsetSeconds("America/New_York", Date.UTC(2012, 5, 21, 14))).toBe(-4 * 3600);
    expect(utcOffsetSeconds("America/New_York", Date.UTC(2012, 0, 5, 15))).toBe(-5 * 3600);
  });
});

describe("LOBSTER import of small synthetic files", () => {
  const tmp = tempFolder();
  afterAll(tmp.cleanup);
  let n = 0;
  /** Writes a message/orderbook pair with LOBSTER names (so the date and symbol come from the name). */
  const pair = (messages: string[], book: string[], levels: number, gzip = false): [string, string] => {
    n++;
    const base = join(tmp.dir, `T${n}_2020-01-02_34200000_57600000_`);
    const ext = gzip ? ".csv.gz" : ".csv";
    return [writeLines(`${base}message_${levels}${ext}`, messages), writeLines(`${base}orderbook_${levels}${ext}`, book)];
  };
  const dummyAsk = String(BOOK_EMPTY_ASK_PRICE);
  const dummyBid = String(BOOK_EMPTY_BID_PRICE);

  it("reads a 5-level file and keeps dummy levels as the documented sentinel with size 0", () => {
    const book = [
      ["1000100", "5", "1000000", "7", "1000200", "3", dummyBid, "0", dummyAsk, "0", dummyBid, "0", dummyAsk, "0", dummyBid, "0", dummyAsk, "0", dummyBid, "0"],
      ["1000100", "5", "1000000", "9", "1000200", "3", "999900", "4", dummyAsk, "0", dummyBid, "0", dummyAsk, "0", dummyBid, "0", dummyAsk, "0", dummyBid, "0"],
    ].map((r) => r.join(","));
    const [m, b] = pair(["34200.5,1,11,7,1000000,1", "34200.500000001,1,12,4,999900,1"], book, 5, true);
    const imp = parseLobster(m, b);
    const c = imp.book.columns;
    expect(c.levels).toBe(5);
    expect(imp.book.rows).toBe(2);
    expect(c.askPriceTicks[0][0]).toBe(10_001n);
    expect(c.bidPriceTicks[1][0]).toBe(BOOK_EMPTY_BID_PRICE);
    expect(c.bidQtyLots[1][0]).toBe(0n);
    expect(c.bidPriceTicks[1][1]).toBe(9_999n);
    expect(c.askPriceTicks[4][1]).toBe(BOOK_EMPTY_ASK_PRICE);
    expect(imp.messages.meta).toMatchObject({ symbol: `T${n}`, lobster: { levels: 5, date: "2020-01-02", utcOffsetSeconds: -5 * 3600 } });
    // Winter: EST, UTC−5. 34200.5 s after midnight = 14:30:00.5 UTC.
    const midnight = BigInt(Date.UTC(2020, 0, 2) / 1000);
    expect(imp.messages.columns.tsNs[0]).toBe((midnight + 5n * 3600n + 34_200n) * NS + 500_000_000n);
    expect(imp.messages.columns.tsNs[1] - imp.messages.columns.tsNs[0]).toBe(1n);
  });

  it("reads a 1-level file, times without decimals, a header line and CRLF line ends", () => {
    const [m, b] = pair(
      ["Time,Type,OrderID,Size,Price,Direction\r", "34200,1,1,100,5000,-1\r", "34201.25,3,1,100,5000,-1\r"],
      ["5000,100,-9999999999,0\r", "9999999999,0,-9999999999,0\r"],
      1,
    );
    const imp = parseLobster(m, b, { tick: 1, timezone: "UTC" });
    expect(imp.messages.rows).toBe(2);
    expect(imp.messages.columns.side[0]).toBe(1);
    expect(imp.messages.columns.priceTicks[0]).toBe(5_000n);
    expect(imp.messages.meta.tickSize).toBe("0.0001");
    const midnight = BigInt(Date.UTC(2020, 0, 2) / 1000);
    expect(imp.messages.columns.tsNs[0]).toBe((midnight + 34_200n) * NS);
    expect(imp.messages.columns.tsNs[1]).toBe((midnight + 34_201n) * NS + 250_000_000n);
    expect(imp.book.columns.askPriceTicks[0][1]).toBe(BOOK_EMPTY_ASK_PRICE);
  });

  it("takes --date and --symbol when the file names do not follow LOBSTER's naming", () => {
    const m = writeLines(join(tmp.dir, "msgs.csv"), ["3600.000000001,7,0,0,-1,-1"]);
    const b = writeLines(join(tmp.dir, "book.csv"), ["5000,100,4900,100"]);
    expect(caught(() => parseLobster(m, b)).code).toBe("INVALID_OPTION");
    const imp = parseLobster(m, b, { date: "2021-03-04", symbol: "XYZ", timezone: "UTC" });
    expect(imp.messages.columns.tsNs[0]).toBe(BigInt(Date.UTC(2021, 2, 4, 1) / 1000) * NS + 1n);
    // A halt keeps LOBSTER's code (−1 halt) in the price columns.
    expect(imp.messages.columns.priceTicks[0]).toBe(-1n);
    expect(caught(() => parseLobster(m, b, { date: "2021-02-30", symbol: "XYZ" })).code).toBe("INVALID_OPTION");
    expect(caught(() => parseLobster(m, b, { date: "2021-03-04", symbol: "XYZ", timezone: "Mars/Olympus" })).code).toBe("INVALID_OPTION");
  });

  it.skipIf(!haveGoog)("names the file and line of a corrupt line in a real file's first lines", () => {
    const head = gzLines(goog.message).slice(0, 50);
    const bookHead = gzLines(goog.orderbook).slice(0, 51);
    const [m, b] = pair([...head, "34200.2,4,15818974,abc,5794000,1"], bookHead, 10);
    const e = caught(() => parseLobster(m, b));
    expect(e.code).toBe("BAD_ROW");
    expect(e.line).toBe(51);
    expect(e.file).toBe(m);
    expect(e.message).toContain(`${m}:51:`);
    expect(e.message).toContain('size (column 4) "abc" is not an integer');
    expect(e.message).toContain("Fix:");
  });

  it.each([
    ["an unknown type", "34200.3,9,1,1,5794000,1", "BAD_ROW", "type 9 is not a LOBSTER message type"],
    ["a fractional price", "34200.3,1,1,1,5794000.5,1", "BAD_ROW", "price (column 5) \"5794000.5\" is not an integer"],
    ["a missing column", "34200.3,1,1,1,5794000", "BAD_ROW", "line has 5 columns, expected 6"],
    ["an extra column", "34200.3,1,1,1,5794000,1,7", "BAD_ROW", "line has 7 columns, expected 6"],
    ["a bad direction", "34200.3,1,1,1,5794000,0", "BAD_ROW", "direction 0"],
    ["time going back", "34200.1,1,1,1,5794000,1", "TIME_DECREASES", "time goes back"],
    ["thirty decimals", "34200.300000000000000000000000001,1,1,1,5794000,1", "BAD_ROW", "17 significant digits"],
    ["a price off the tick grid", "34200.3,1,1,1,5794050,1", "OFF_GRID", "not a multiple of the tick 100"],
  ])("rejects %s with the line number", (_what, bad, code, text) => {
    const [m, b] = pair(["34200.2,1,1,1,5794000,1", bad], ["5794100,1,5794000,1", "5794100,1,5794000,1"], 1);
    const e = caught(() => parseLobster(m, b));
    expect(e.code).toBe(code);
    expect(e.line).toBe(2);
    expect(e.message).toContain(text);
  });

  it("rejects a dummy price with a non-zero size, and an orderbook with a column count not a multiple of 4", () => {
    const [m, b] = pair(["34200.2,1,1,1,5794000,1"], [`${dummyAsk},5,5794000,1`], 1);
    const e = caught(() => parseLobster(m, b));
    expect(e.code).toBe("BAD_ROW");
    expect(e.message).toContain("empty level");
    const [m2, b2] = pair(["34200.2,1,1,1,5794000,1"], ["5794100,1,5794000"], 1);
    expect(caught(() => parseLobster(m2, b2)).message).toContain("has 3 columns");
  });

  it("rejects files whose row counts differ", () => {
    const [m, b] = pair(["34200.2,1,1,1,5794000,1", "34200.3,1,2,1,5794000,1"], ["5794100,1,5794000,1"], 1);
    const e = caught(() => parseLobster(m, b));
    expect(e.code).toBe("ROW_COUNT_MISMATCH");
    expect(e.message).toContain("2 rows");
  });

  it("rejects a truncated gzip input, and a message/orderbook pair from different requests", () => {
    const [m, b] = pair(["34200.2,1,1,1,5794000,1"], ["5794100,1,5794000,1"], 1, true);
    const [m2] = pair(["34200.2,1,1,1,5794000,1"], ["5794100,1,5794000,1"], 1, true);
    expect(caught(() => parseLobster(m2, b)).code).toBe("COMPANION_MISMATCH");
    const bytes = readFileSync(m);
    writeFileSync(m, bytes.subarray(0, bytes.length - 6));
    const e = caught(() => parseLobster(m, b));
    expect(e.code).toBe("TRUNCATED");
    expect(e.file).toBe(m);
    expect(caught(() => parseLobster(join(tmp.dir, "nope_2020-01-02_1_2_message_1.csv"), b)).code).toBe("COMPANION_MISMATCH");
    expect(caught(() => parseLobster(join(tmp.dir, "missing.csv"), b)).code).toBe("FILE_NOT_FOUND");
  });

  it("writes the messages and the book next to each other, each naming the other", () => {
    const [m, b] = pair(["34200.2,1,1,1,5794000,1"], ["5794100,1,5794000,1"], 1);
    const out = join(tmp.dir, "small.arrow");
    const written = writeLobster(parseLobster(m, b), out);
    expect(written).toEqual([out, join(tmp.dir, "small.book.arrow")]);
  });
});
