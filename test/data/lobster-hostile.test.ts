// The LOBSTER importer against hostile and damaged inputs: line ends of every style, values outside their
// domain, files that are empty, swapped, re-saved by a spreadsheet or full of terminal escapes, and the
// float-artefact timestamps of LOBSTER's own writer. Each rule is checked by parseLobster itself, so it
// holds whether or not the replay verification runs afterwards.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parseLobster, type LobsterImport, type LobsterImportOptions } from "../../data/lobster.js";
import { BOOK_EMPTY_ASK_PRICE, BOOK_EMPTY_BID_PRICE } from "../../data/schema.js";
import { available, caught, goog, gzLines, tempFolder } from "./fixtures.js";

const NS = 1_000_000_000n;
const haveGoog = available("LOBSTER hostile inputs on GOOG lines", goog.message, goog.orderbook);

const tmp = tempFolder();
afterAll(tmp.cleanup);
let n = 0;

/** Writes a message/orderbook pair with LOBSTER names, each file's content exactly as given (line ends included). */
function pairOf(message: string | Uint8Array, book: string | Uint8Array, levels = 1): [string, string] {
  n++;
  const base = join(tmp.dir, `H${n}_2020-01-02_34200000_57600000_`);
  const m = `${base}message_${levels}.csv`;
  const b = `${base}orderbook_${levels}.csv`;
  writeFileSync(m, message);
  writeFileSync(b, book);
  return [m, b];
}

/** A pair of LF-terminated files. */
const pair = (messages: readonly string[], book: readonly string[], levels = 1): [string, string] =>
  pairOf(messages.map((l) => `${l}\n`).join(""), book.map((l) => `${l}\n`).join(""), levels);

const BOOK_ROW = "5794100,1,5794000,1";
const books = (rows: number): string[] => Array.from({ length: rows }, () => BOOK_ROW);
const UTC: LobsterImportOptions = { timezone: "UTC" };
const midnight = BigInt(Date.UTC(2020, 0, 2) / 1000) * NS;
/** ns since the epoch of `seconds`.`nanos` after UTC midnight on 2020-01-02. */
const at = (seconds: bigint, nanos = 0n): bigint => midnight + seconds * NS + nanos;

/** A raw control byte or escape sequence anywhere in a message would reach the user's terminal. */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe("LOBSTER line ends", () => {
  it("accepts CR line endings and counts rows as it parses them", () => {
    const messages = ["34200.1,1,1,100,5794000,1", "34200.2,1,2,100,5794000,1", "34200.3,3,1,100,5794000,1", "34200.4,3,2,100,5794000,1"];
    const [m, b] = pairOf(messages.map((l) => `${l}\r`).join(""), books(4).map((l) => `${l}\r`).join(""));
    const imp = parseLobster(m, b, UTC);
    expect(imp.messages.rows).toBe(4);
    expect(imp.book.rows).toBe(4);
    expect(imp.messages.columns.tsNs[3]).toBe(at(34_200n, 400_000_000n));
    expect(imp.messages.columns.type[2]).toBe(3);
    expect(imp.book.columns.bidQtyLots[0].length).toBe(4);
  });

  it("accepts a CR file whose last line has no line end, and a header line ended by CR", () => {
    const [m, b] = pairOf("Time,Type,OrderID,Size,Price,Direction\r34200.1,1,1,100,5794000,1\r34200.2,1,2,100,5794000,1", `${BOOK_ROW}\r${BOOK_ROW}`);
    const imp = parseLobster(m, b, UTC);
    expect(imp.messages.rows).toBe(2);
    expect(imp.messages.columns.orderId[1]).toBe(2n);
  });

  it("reads LF, CRLF and CR mixed in one file as one line end each", () => {
    const [m, b] = pairOf("34200.1,1,1,100,5794000,1\n34200.2,1,2,100,5794000,1\r\n34200.3,1,3,100,5794000,1\r34200.4,1,4,100,5794000,1\n", `${BOOK_ROW}\r${BOOK_ROW}\r\n${BOOK_ROW}\n${BOOK_ROW}\r\n`);
    const imp = parseLobster(m, b, UTC);
    expect(imp.messages.rows).toBe(4);
    expect(imp.book.rows).toBe(4);
    expect([...imp.messages.columns.orderId]).toEqual([1n, 2n, 3n, 4n]);
  });

  it("names a bad line of a CR file by the line count it parses by, and quotes that line alone", () => {
    const [m, b] = pairOf("34200.1,1,1,100,5794000,1\r34200.2,1,2,100,5794000,1\r34200.3,1,3,x,5794000,1\r34200.4,1,4,100,5794000,1\r", books(4).join("\r"));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.line).toBe(3);
    expect(e.message).toContain('(line: "34200.3,1,3,x,5794000,1")');
  });

  it("refuses CR CR LF line ends (a file converted to CRLF twice) as blank lines, and says so", () => {
    const [m, b] = pairOf("34200.1,1,1,100,5794000,1\r\r\n34200.2,1,2,100,5794000,1\r\r\n", books(2).join("\r\r\n"));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.line).toBe(2);
    expect(e.message).toContain("CR CR LF");
  });

  it("refuses a blank line inside a CRLF file, but accepts blank lines at the end", () => {
    const [m, b] = pairOf("34200.1,1,1,100,5794000,1\r\n\r\n34200.2,1,2,100,5794000,1\r\n", books(2).join("\r\n"));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.line).toBe(2);
    expect(e.message).toContain("message file line 2: the line is blank;");
    const [m2, b2] = pairOf("34200.1,1,1,100,5794000,1\r\n\r\n  \r\n", `${BOOK_ROW}\r\n\r\n`);
    expect(parseLobster(m2, b2, UTC).messages.rows).toBe(1);
  });
});

describe("LOBSTER sign and range rules, checked as the file is parsed", () => {
  // A valid first line, then the line under test (line 2).
  const FIRST = "34200.1,1,1,100,5794000,1";
  it.each([
    ["a new order of size 0", "34200.2,1,2,0,5794000,1", "OUT_OF_RANGE", "size 0 of a type 1 (new limit order) message must be > 0"],
    ["a partial cancel of size 0", "34200.2,2,1,0,5794000,1", "OUT_OF_RANGE", "type 2 (partial cancellation)"],
    ["a deletion of a negative size", "34200.2,3,1,-5,5794000,1", "OUT_OF_RANGE", "size -5 of a type 3 (deletion) message must be > 0"],
    ["a visible execution of size 0", "34200.2,4,1,0,5794000,1", "OUT_OF_RANGE", "type 4 (execution of a visible order)"],
    ["a hidden execution of size 0", "34200.2,5,0,0,5794000,1", "OUT_OF_RANGE", "type 5 (execution of a hidden order)"],
    ["a price of 0", "34200.2,1,2,100,0,1", "OUT_OF_RANGE", "price 0 of a type 1 (new limit order) message must be > 0"],
    ["a negative price", "34200.2,4,1,100,-5794000,1", "OUT_OF_RANGE", "price -5794000"],
    ["a cross trade at a negative price", "34200.2,6,0,100,-100,1", "OUT_OF_RANGE", "price -100 of a type 6 (cross trade)"],
    ["order_id 0 on a new order", "34200.2,1,0,100,5794000,1", "OUT_OF_RANGE", "order_id 0 of a type 1 (new limit order) message must be > 0"],
    ["order_id 0 on a visible execution", "34200.2,4,0,100,5794000,1", "OUT_OF_RANGE", "order_id 0 of a type 4"],
    ["a negative order_id on a hidden execution", "34200.2,5,-3,100,5794000,1", "OUT_OF_RANGE", "order_id -3 of a type 5"],
    ["a halt with a price of 2", "34200.2,7,0,0,2,-1", "BAD_ROW", "price 2"],
    ["a halt with an order_id", "34200.2,7,5,0,-1,-1", "BAD_ROW", "order_id 5"],
    ["a halt with a size", "34200.2,7,0,100,-1,-1", "BAD_ROW", "size 100"],
    ["a halt with direction 1", "34200.2,7,0,0,-1,1", "BAD_ROW", "direction 1"],
    ["a time of exactly 24 h", "86400,1,2,100,5794000,1", "OUT_OF_RANGE", "past 24 h"],
    ["a time past 24 h", "90000.5,1,2,100,5794000,1", "OUT_OF_RANGE", "past 24 h"],
    ["a time with many digits before the point", "123456789012345678901234567890,1,2,100,5794000,1", "OUT_OF_RANGE", "past 24 h"],
    ["a negative time", "-1.5,1,2,100,5794000,1", "OUT_OF_RANGE", "negative"],
  ])("refuses %s, naming the line and the rule", (_what, bad, code, text) => {
    const [m, b] = pair([FIRST, bad], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe(code);
    expect(e.line).toBe(2);
    expect(e.message).toContain(":2: message file line 2:");
    expect(e.message).toContain(text);
  });

  it("says what a halt row must hold, as LOBSTER's ReadMe gives it", () => {
    const [m, b] = pair([FIRST, "34200.2,7,0,0,2,-1"], books(2));
    expect(caught(() => parseLobster(m, b, UTC)).message).toContain("price -1 (halt), 0 (quoting) or 1 (resume)");
  });

  it("accepts halt, quoting and resume rows and hidden executions with order_id 0, as LOBSTER writes them", () => {
    const [m, b] = pair([FIRST, "36023,7,0,0,-1,-1", "36323,7,0,0,0,-1", "36723,7,0,0,1,-1", "36724,5,0,100,5794050,-1"], books(5));
    const imp = parseLobster(m, b, UTC);
    expect([...imp.messages.columns.priceRaw]).toEqual([5_794_000n, -1n, 0n, 1n, 5_794_050n]);
    expect(imp.messages.columns.tsNs[3]).toBe(at(36_723n));
  });

  it("refuses a time that reaches 24 h only by rounding", () => {
    const [m, b] = pair([FIRST, "86399.9999999999,1,2,100,5794000,1"], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("OUT_OF_RANGE");
    expect(e.line).toBe(2);
  });

  it.each([
    ["a real ask price of 0", "0,1,5794000,1", "OUT_OF_RANGE", "ask_price_1 (column 1) 0 must be > 0"],
    ["a negative bid price", "5794100,1,-5794000,1", "OUT_OF_RANGE", "bid_price_1 (column 3) -5794000 must be > 0"],
    ["a negative ask size", "5794100,-1,5794000,1", "OUT_OF_RANGE", "ask_size_1 (column 2) -1"],
    ["a size 0 at a real bid level", "5794100,1,5794000,0", "OUT_OF_RANGE", "bid_size_1 (column 4) is 0 at the real level 5794000"],
    ["the bid dummy price in an ask column", `${BOOK_EMPTY_BID_PRICE},0,5794000,1`, "BAD_ROW", "bid dummy price -9999999999 in ask_price_1 (column 1)"],
    ["the ask dummy price in a bid column", `5794100,1,${BOOK_EMPTY_ASK_PRICE},0`, "BAD_ROW", "ask dummy price 9999999999 in bid_price_1 (column 3)"],
  ])("refuses an orderbook row with %s, naming the line and the rule", (_what, bad, code, text) => {
    const [m, b] = pair(["34200.1,1,1,100,5794000,1", "34200.2,1,2,100,5794000,1"], [BOOK_ROW, bad]);
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe(code);
    expect(e.line).toBe(2);
    expect(e.file).toBe(b);
    expect(e.message).toContain("orderbook file line 2:");
    expect(e.message).toContain(text);
  });

  it("refuses the ask dummy price in a bid column even when it is on the tick grid (tick 1)", () => {
    const [m, b] = pair(["34200.1,1,1,100,5794000,1"], [`5794100,1,${BOOK_EMPTY_ASK_PRICE},0`]);
    const e = caught(() => parseLobster(m, b, { ...UTC, tick: 1 }));
    expect(e.code).toBe("BAD_ROW");
    expect(e.message).toContain("ask dummy price");
  });

  it.skipIf(!haveGoog)("imports the real GOOG day with every rule in force, its rows unchanged, nothing rounded", () => {
    const imp = parseLobster(goog.message, goog.orderbook);
    expect(imp.messages.rows).toBe(147_916);
    expect(imp.book.rows).toBe(147_916);
    expect(imp.messages.meta.lobster?.roundedTimes).toBe(0);
    expect(imp.notes).toEqual([]);
  });
});

describe("LOBSTER messages name the real problem", () => {
  it("counts the columns of a long line in full", () => {
    const long = ["34200.2", "1", "2", "100", "5794000", "1", ...Array.from({ length: 35 }, () => "123456789")].join(",");
    const [m, b] = pair(["34200.1,1,1,100,5794000,1", long], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.message).toContain("line has 41 columns, expected 6");
  });

  it("calls an empty message or orderbook file empty (plain, gzipped, header only, blank)", () => {
    const [m, b] = pairOf("", `${BOOK_ROW}\n`);
    let e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("EMPTY_FILE");
    expect(e.file).toBe(m);
    expect(e.message).toContain("the message file is empty");
    const [m2, b2] = pairOf("34200.1,1,1,100,5794000,1\n", gzipSync(""));
    e = caught(() => parseLobster(m2, b2, UTC));
    expect(e.code).toBe("EMPTY_FILE");
    expect(e.file).toBe(b2);
    expect(e.message).toContain("the orderbook file is empty");
    const [m3, b3] = pairOf("Time,Type,OrderID,Size,Price,Direction\n", `${BOOK_ROW}\n`);
    e = caught(() => parseLobster(m3, b3, UTC));
    expect(e.code).toBe("EMPTY_FILE");
    expect(e.message).toContain("header line but no records");
    const [m4, b4] = pairOf("34200.1,1,1,100,5794000,1\n", "\n\n  \n");
    e = caught(() => parseLobster(m4, b4, UTC));
    expect(e.code).toBe("EMPTY_FILE");
    expect(e.message).toContain("blank");
  });

  it("says the files look swapped when the orderbook file comes first, by content and by name", () => {
    const [m, b] = pair(["34200.1,1,1,100,5794000,1"], [BOOK_ROW]);
    const e = caught(() => parseLobster(b, m, UTC));
    expect(e.code).toBe("COMPANION_MISMATCH");
    expect(e.message).toContain("look swapped");
    expect(e.fix).toContain("pass the message file first");
    const plainM = join(tmp.dir, "msgs.csv");
    const plainB = join(tmp.dir, "book.csv");
    writeFileSync(plainM, "34200.1,1,1,100,5794000,1\n");
    writeFileSync(plainB, `${BOOK_ROW}\n`);
    const e2 = caught(() => parseLobster(plainB, plainM, { ...UTC, date: "2020-01-02", symbol: "X" }));
    expect(e2.code).toBe("COMPANION_MISMATCH");
    expect(e2.message).toContain("look swapped");
  });

  it("says an orderbook-shaped message file or a message-shaped orderbook file is the wrong file", () => {
    const [m, b] = pair([BOOK_ROW], [BOOK_ROW]);
    expect(caught(() => parseLobster(m, b, UTC)).message).toContain("as a 1-level orderbook file does");
    const [m2, b2] = pair(["34200.1,1,1,100,5794000,1"], ["34200.1,1,1,100,5794000,1"]);
    expect(caught(() => parseLobster(m2, b2, UTC)).message).toContain("as a message file does");
  });

  it("accepts and skips a UTF-8 byte-order mark, and notes it", () => {
    const bom = "\u{feff}";
    const [m, b] = pairOf(`${bom}34200.1,1,1,100,5794000,1\n`, `${bom}${BOOK_ROW}\n`);
    const imp = parseLobster(m, b, UTC);
    expect(imp.messages.rows).toBe(1);
    expect(imp.messages.columns.tsNs[0]).toBe(at(34_200n, 100_000_000n));
    expect(imp.notes.join("\n")).toContain("byte-order mark");
    const [m2, b2] = pairOf(`${bom}Time,Type,OrderID,Size,Price,Direction\n34200.1,1,1,100,5794000,1\n`, `${bom}${BOOK_ROW}\n`);
    expect(parseLobster(m2, b2, UTC).messages.rows).toBe(1);
  });

  it.each([
    ["a time", "3.42001e4,1,2,100,5794000,1", "time (column 1)"],
    ["a time with many decimals", "3.4200123456789012345e4,1,2,100,5794000,1", "time (column 1)"],
    ["a price", "34200.2,1,2,100,5.794e6,1", "price (column 5)"],
    ["a size", "34200.2,1,2,1e2,5794000,1", "size (column 4)"],
  ])("calls %s in scientific notation what it is", (_what, bad, column) => {
    const [m, b] = pair(["34200.1,1,1,100,5794000,1", bad], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.message).toContain(column);
    expect(e.message).toContain("scientific notation, which LOBSTER never writes");
    expect(e.message).not.toContain("decimals");
  });

  it("calls a non-numeric orderbook price not a number, never off the tick grid", () => {
    for (const price of ["abc", "NaN", "", "-", "5794000x"]) {
      const [m, b] = pair(["34200.1,1,1,100,5794000,1"], [`${price},1,5794000,1`]);
      const e = caught(() => parseLobster(m, b, UTC));
      expect(e.code).toBe("BAD_ROW");
      expect(e.message).toContain("ask_price_1 (column 1)");
      expect(e.message).not.toContain("tick");
    }
  });

  it("says a price with a decimal point looks like dollars, not LOBSTER's USD × 10,000", () => {
    const [m, b] = pair(["34200.1,1,1,100,579.40,1"], [BOOK_ROW]);
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.message).toContain('price (column 5) "579.40" is not an integer');
    expect(e.message).toContain("USD × 10,000");
  });

  it("names the separator of a file saved with semicolons or tabs", () => {
    const [m, b] = pair(["34200.1;1;1;100;5794000;1"], [BOOK_ROW]);
    expect(caught(() => parseLobster(m, b, UTC)).message).toContain("separated by ';'");
    const [m2, b2] = pair(["34200.1\t1\t1\t100\t5794000\t1"], [BOOK_ROW]);
    expect(caught(() => parseLobster(m2, b2, UTC)).message).toContain("separated by tabs");
  });

  it("says a zip or 7z archive is an archive, not a corrupt CSV", () => {
    const [m, b] = pairOf(Buffer.from("504b0304140000000800", "hex"), `${BOOK_ROW}\n`);
    expect(caught(() => parseLobster(m, b, UTC)).message).toContain("zip archive");
    const [m2, b2] = pairOf(Buffer.from("377abcaf271c0004", "hex"), `${BOOK_ROW}\n`);
    expect(caught(() => parseLobster(m2, b2, UTC)).message).toContain("7z archive");
  });

  it("says a UTF-16 file is UTF-16", () => {
    const [m, b] = pairOf(Buffer.from("\ufeff34200.1,1,1,100,5794000,1\n", "utf16le"), `${BOOK_ROW}\n`);
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.message).toContain("the message file is UTF-16 text");
  });

  it("says a quoted field or a number with spaces around it was re-saved, not corrupt", () => {
    const [m, b] = pair(['34200.1,1,1,"100",5794000,1'], [BOOK_ROW]);
    let e = caught(() => parseLobster(m, b, UTC));
    expect(e.message).toContain('size (column 4) "\\"100\\"" is quoted');
    expect(e.fix).toContain("as LOBSTER delivered it");
    const [m2, b2] = pair(["34200.1,1,1, 100,5794000,1"], [BOOK_ROW]);
    e = caught(() => parseLobster(m2, b2, UTC));
    expect(e.message).toContain('size (column 4) " 100" has a space around it');
  });

  it("skips a header line whose every field is a name, and notes it", () => {
    const [m, b] = pair(["Time,Type,OrderID,Size,Price,Direction", "34200.1,1,1,100,5794000,1"], ["ask_price_1,ask_size_1,bid_price_1,bid_size_1", BOOK_ROW]);
    const imp = parseLobster(m, b, UTC);
    expect(imp.messages.rows).toBe(1);
    expect(imp.book.rows).toBe(1);
    expect(imp.notes).toEqual([
      "the message file's line 1 is a header (skipped): another program added it, LOBSTER writes none",
      "the orderbook file's line 1 is a header (skipped): another program added it, LOBSTER writes none",
    ]);
  });

  it("does not take a damaged first line that starts with a letter for a header", () => {
    const [m, b] = pair(["x34200.1,1,1,100,5794000,1", "34200.2,1,2,100,5794000,1"], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.line).toBe(1);
    expect(e.message).toContain('time (column 1) "x34200.1"');
  });

  it("shows the times of a decreasing pair in seconds, as the file writes them", () => {
    const [m, b] = pair(["34200.3,1,1,100,5794000,1", "34200.1,1,2,100,5794000,1"], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("TIME_DECREASES");
    expect(e.message).toContain("34200.300000000 s → 34200.100000000 s");
  });
});

describe("LOBSTER messages quote what they echo from a file", () => {
  it("escapes control bytes, escape sequences and quotes of an echoed field and line", () => {
    // Latin-1, so that \x9b is the single byte of a C1 CSI, as a damaged file would hold it.
    const [m, b] = pairOf(Buffer.from('34200.1,1,1,100,5794000,1\n34200.2,1,2,1\u001b[31m"0\u009b\u0000,5794000,1\n', "latin1"), books(2).join("\n"));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.message).not.toMatch(RAW_CONTROL);
    expect(e.message).toContain('size (column 4) "1\\x1b[31m\\"0\\x9b\\x00"');
    expect(e.message).toContain('(line: "34200.2,1,2,1\\x1b[31m\\"0\\x9b\\x00,5794000,1")');
  });

  it("cuts a long echoed field and line with an ellipsis", () => {
    const junk = "9".repeat(30) + "x".repeat(300);
    const [m, b] = pair([`34200.1,1,1,${junk},5794000,1`], [BOOK_ROW]);
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.message).toMatch(/size \(column 4\) "9{30}x{10}"…/);
    expect(e.message).toMatch(/\(line: "34200\.1,1,1,9{30}x+"…\)/);
  });

  it.skipIf(!haveGoog)("escapes a terminal escape planted in a real GOOG line", () => {
    const head = gzLines(goog.message).slice(0, 20);
    head[19] = head[19].replace(/,(-?1)$/, ',"\u001b]0;pwned\u0007$1');
    const [m, b] = pair(head, gzLines(goog.orderbook).slice(0, 20), 10);
    const e = caught(() => parseLobster(m, b));
    expect(e.line).toBe(20);
    expect(e.message).not.toMatch(RAW_CONTROL);
    expect(e.message).toContain('direction (column 6) "\\"\\x1b]0;pwned\\x07');
  });
});

describe("LOBSTER timestamps finer than a nanosecond", () => {
  /** Imports one message line per time, all else equal. */
  const importTimes = (times: readonly string[]): LobsterImport => {
    const [m, b] = pair(times.map((t, i) => `${t},1,${i + 1},100,5794000,1`), books(times.length));
    return parseLobster(m, b, UTC);
  };

  it("rounds a float-artefact time to the nearest ns on its digits, counts it and notes it", () => {
    const imp = importTimes(["43002.632812672004", "43002.6328126725", "43002.632812673499", "43002.632812673500", "43002.9999999996", "43003.1"]);
    const ts = imp.messages.columns.tsNs;
    expect(ts[0]).toBe(at(43_002n, 632_812_672n));
    // A tie rounds up.
    expect(ts[1]).toBe(at(43_002n, 632_812_673n));
    // ...673499 and ...673500 parse to one double (which rounds to ...674): only the digits tell them apart.
    expect(ts[2]).toBe(at(43_002n, 632_812_673n));
    expect(ts[3]).toBe(at(43_002n, 632_812_674n));
    // The carry reaches the whole seconds.
    expect(ts[4]).toBe(at(43_003n));
    expect(ts[5]).toBe(at(43_003n, 100_000_000n));
    expect(imp.messages.meta.lobster?.roundedTimes).toBe(5);
    expect(imp.notes).toContain("5 timestamps had more than 9 decimals (a float artefact of LOBSTER's writer) and were rounded to the nearest ns");
  });

  it("applies the time-never-decreases rule after rounding", () => {
    expect(importTimes(["34200.1000000004", "34200.1"]).messages.rows).toBe(2);
    const [m, b] = pair(["34200.1000000006,1,1,100,5794000,1", "34200.1,1,2,100,5794000,1"], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("TIME_DECREASES");
    expect(e.line).toBe(2);
  });

  it("refuses a time with more digits than a float can carry, naming the limit", () => {
    const [m, b] = pair(["34200.1,1,1,100,5794000,1", `34200.${"123456789".repeat(3)}123,1,2,100,5794000,1`], books(2));
    const e = caught(() => parseLobster(m, b, UTC));
    expect(e.code).toBe("BAD_ROW");
    expect(e.line).toBe(2);
    expect(e.message).toContain("30 decimals");
    expect(e.message).toContain("17 significant digits");
  });

  it.skipIf(!haveGoog)("rounds a float-artefact time planted in the real GOOG file and keeps every other row", () => {
    const head = gzLines(goog.message).slice(0, 100);
    const bookHead = gzLines(goog.orderbook).slice(0, 100);
    // Row 1 is "34200.05990197,...": give it the artefact digits of LOBSTER's writer.
    head[1] = head[1].replace(/^34200\.05990197,/, "34200.059901970004,");
    const [m, b] = pair(head, bookHead, 10);
    const imp = parseLobster(m, b);
    expect(imp.messages.rows).toBe(100);
    expect(imp.messages.meta.lobster?.roundedTimes).toBe(1);
    expect(imp.messages.columns.tsNs[1] - imp.messages.columns.tsNs[0]).toBe(59_901_970n - 15_105_074n);
  });
});
