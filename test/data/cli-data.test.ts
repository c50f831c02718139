// `tranche data …` (cli/data.ts), run through runDataCommand with its output captured.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDataCommand, type DataCommandDeps } from "../../cli/data.js";
import type { LobsterVerifier } from "../../data/lobster.js";
import { available, goog, spot, tempFolder, writeLines } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

async function run(argv: string[], deps: DataCommandDeps = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDataCommand(argv, { print: (l) => out.push(l), printError: (l) => err.push(l), ...deps });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let pairs = 0;
function smallPair(lines = ["34200.5,1,1,10,1000000,1", "34201,1,2,5,1000100,-1"]): [string, string] {
  pairs++;
  const base = join(tmp.dir, `CLI${pairs}_2020-01-02_34200000_57600000_`);
  return [writeLines(`${base}message_1.csv`, lines), writeLines(`${base}orderbook_1.csv`, lines.map(() => "1000100,5,1000000,10"))];
}

describe("tranche data: usage", () => {
  it("prints the usage of every command", async () => {
    const main = await run(["--help"]);
    expect(main.code).toBe(0);
    for (const c of ["import-lobster", "import-binance", "info"]) expect(main.out).toContain(`Usage: tranche data ${c}`);
    expect(main.out).toContain("--no-verify");
    expect(main.out).toContain("--lot <decimal>");
    for (const c of ["import-lobster", "import-binance", "info"]) {
      const r = await run([c, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: tranche data ${c}`);
    }
    expect((await run(["import-lobster", "-h"])).out).toContain("--no-verify");
    expect((await run([])).code).toBe(2);
  });

  it("answers a usage mistake with exit code 2 and the command's usage", async () => {
    const [m, b] = smallPair();
    const cases: [string[], string][] = [
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["import-lobster", m, b], "missing -o/--out"],
      [["import-lobster", m, b, "-o", join(tmp.dir, "x.csv")], "--out must end in .arrow"],
      [["import-lobster", m, "-o", join(tmp.dir, "x.arrow")], "expected 2 files"],
      [["import-lobster", m, b, "-o", join(tmp.dir, "x.arrow"), "--tick", "0.5"], "--tick must be a positive whole number"],
      [["import-lobster", m, b, "-o", join(tmp.dir, "x.arrow"), "--frob"], "unknown option '--frob'"],
      [["import-binance", "-o", join(tmp.dir, "x.arrow")], "expected one or more collector files"],
      [["info"], "expected a .arrow file"],
    ];
    for (const [argv, text] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toContain(text);
      expect(r.err).toContain("Usage: tranche data");
    }
  });
});

describe("tranche data import-lobster: verification hook and atomic writes", () => {
  it("says verification is not available when no verifier is wired in", async () => {
    const [m, b] = smallPair();
    const out = join(tmp.dir, "noverify.arrow");
    const r = await run(["import-lobster", m, b, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("verification: not available in this build");
    expect(existsSync(out) && existsSync(join(tmp.dir, "noverify.book.arrow"))).toBe(true);
  });

  it("passes the parsed tables to the verifier and prints its summary", async () => {
    const [m, b] = smallPair();
    let seen = 0;
    const verifyLobster: LobsterVerifier = (messages, book) => {
      seen = messages.rows + book.rows;
      return { ok: true, rowsChecked: book.rows, mismatches: 0, summary: "book matches every row" };
    };
    const r = await run(["import-lobster", m, b, "-o", join(tmp.dir, "verified.arrow")], { verifyLobster });
    expect(r.code).toBe(0);
    expect(seen).toBe(4);
    expect(r.out).toContain("verification: book matches every row (2 rows");
  });

  it("writes nothing when verification fails, and skips the verifier with --no-verify", async () => {
    const [m, b] = smallPair();
    const out = join(tmp.dir, "refused.arrow");
    let calls = 0;
    const verifyLobster: LobsterVerifier = () => {
      calls++;
      return { ok: false, rowsChecked: 2, mismatches: 1, firstMismatchRow: 1, summary: "1 row differs" };
    };
    const r = await run(["import-lobster", m, b, "-o", out], { verifyLobster });
    expect(r.code).toBe(1);
    expect(r.err).toContain("VERIFY_FAILED");
    expect(r.err).toContain("first at row 1");
    expect(r.err).toContain("--no-verify");
    expect(existsSync(out)).toBe(false);
    const skipped = await run(["import-lobster", m, b, "-o", out, "--no-verify"], { verifyLobster });
    expect(skipped.code).toBe(0);
    expect(skipped.out).toContain("verification: skipped (--no-verify)");
    expect(calls).toBe(1);
  });

  it("keeps a good file when a later import fails, naming the line and the fix", async () => {
    const [m, b] = smallPair();
    const out = join(tmp.dir, "keep.arrow");
    expect((await run(["import-lobster", m, b, "-o", out])).code).toBe(0);
    const good = readFileSync(out);
    const [m2, b2] = smallPair(["34200.5,1,1,10,1000000,1", "34200.4,1,2,5,1000100,-1"]);
    const r = await run(["import-lobster", m2, b2, "-o", out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("TIME_DECREASES");
    expect(r.err).toContain(`${m2}:2:`);
    expect(r.err).toContain("Fix:");
    expect(readFileSync(out).equals(good)).toBe(true);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("says WRITE_FAILED with the fix when the output folder does not exist", async () => {
    const [m, b] = smallPair();
    const r = await run(["import-lobster", m, b, "-o", join(tmp.dir, "no", "such", "x.arrow")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("WRITE_FAILED");
    expect(r.err).toContain("mkdir -p");
  });
});

describe.skipIf(!available("CLI on the GOOG day", goog.message, goog.orderbook))("tranche data import-lobster + info on the GOOG day", () => {
  it("imports with progress output, then describes the file", async () => {
    const out = join(tmp.dir, "goog.arrow");
    const imp = await run(["import-lobster", goog.message, goog.orderbook, "-o", out]);
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/read 147,916 messages in \d+\.\d\d s, 147,916 orderbook rows \(10 levels\)/);
    expect(imp.out).toMatch(/wrote .*goog\.arrow, .*goog\.book\.arrow in \d+\.\d\d s; total \d+\.\d\d s/);
    const info = await run(["info", out]);
    expect(info.code).toBe(0);
    expect(info.out).toContain("2012-06-21T13:30:00.015105074Z → 2012-06-21T19:59:59.871751084Z");
    expect(info.out).toContain("1 add: 71,258");
    expect(info.out).toContain("5 hidden execution: 3,913");
  });
});

describe.skipIf(!available("CLI on Binance spot", spot.day08, spot.day09))("tranche data import-binance + info on spot 08+09", () => {
  it("imports both files as one stream without gaps and describes the three files", async () => {
    const out = join(tmp.dir, "spot.arrow");
    const imp = await run(["import-binance", spot.day08, spot.day09, "--out", out]);
    expect(imp.code).toBe(0);
    expect(imp.out).toContain("read 99,574 lines from 2 file(s)");
    expect(imp.out).toContain("19,904 trades, 73,174 bookTicker records");
    expect(imp.out).toContain("gaps: none");
    const info = await run(["info", out]);
    expect(info.out).toMatch(/gaps\s+none/);
    expect(info.out).toContain("spot.trades.arrow: trades, 19,904 rows");
    expect(info.out).toContain("spot.bbo.arrow: best bid/offer (bookTicker), 73,174 rows");
    expect(info.out).toContain("2024-08-08T23:54:14");
    const wrong = await run(["info", join(tmp.dir, "nothing.arrow")]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("FILE_NOT_FOUND");
  });
});
