import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance, writeBinance } from "../../data/binance.js";
import { describeDataFile, formatSteps, isoNs, summarizeDataset } from "../../data/info.js";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import { available, goog, gzLines, spot, tempFolder, writeLines } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

describe("formatting", () => {
  it("prints ns timestamps as ISO UTC with nine decimals", () => {
    expect(isoNs(1_340_285_400_015_105_074n)).toBe("2012-06-21T13:30:00.015105074Z");
    expect(isoNs(0n)).toBe("1970-01-01T00:00:00.000000000Z");
    expect(isoNs(-1n)).toBe("1969-12-31T23:59:59.999999999Z");
  });

  it("multiplies ticks by a decimal tick exactly", () => {
    expect(formatSteps(57_940n, "0.01")).toBe("579.4");
    expect(formatSteps(6_183_763n, "0.01")).toBe("61837.63");
    expect(formatSteps(378_826_000n, "0.00000001")).toBe("3.78826");
    expect(formatSteps(5n, "0.001")).toBe("0.005");
    expect(formatSteps(-3n, "0.5")).toBe("-1.5");
    expect(formatSteps(12n, "100")).toBe("1200");
  });
});

describe.skipIf(!available("info on the GOOG import", goog.message, goog.orderbook))("info on the GOOG import", () => {
  let text = "";
  beforeAll(() => {
    const out = join(tmp.dir, "goog.arrow");
    writeLobster(parseLobster(goog.message, goog.orderbook), out);
    text = describeDataFile(out);
  });

  it("shows the span in UTC and in New York time", () => {
    expect(text).toContain("2012-06-21T13:30:00.015105074Z → 2012-06-21T19:59:59.871751084Z");
    expect(text).toContain("local 09:30:00.015105074 → 15:59:59.871751084 America/New_York");
  });

  it("shows message counts by type, levels, rows and the companion book", () => {
    for (const s of ["1 add: 71,258", "2 reduce: 19", "3 delete: 64,961", "4 visible execution: 7,765", "5 hidden execution: 3,913", "7 halt: 0"]) {
      expect(text).toContain(s);
    }
    expect(text).toMatch(/levels\s+10/);
    expect(text).toContain("goog.arrow: L3 messages (LOBSTER), 147,916 rows");
    expect(text).toContain("goog.book.arrow: orderbook levels (LOBSTER), 147,916 rows");
    expect(text).toContain("GOOG on NASDAQ; tick 0.01 USD (price_scale 100), lot 1");
    expect(text).toContain("crossed rows: 0");
    expect(text).toContain("best bid: 563.71 – 579.4 USD");
  });
});

describe.skipIf(!available("info on Binance imports", spot.day08))("info on a Binance import with a gap", () => {
  it("lists the gap with its file, line, row and update ids", () => {
    const lines = gzLines(spot.day08).slice(0, 3_000);
    const depth = lines.flatMap((l, i) => (l.includes("@depth") && i > 100 ? [i] : []));
    const path = writeLines(join(tmp.dir, "gap.gz"), lines.filter((_, i) => i !== depth[3]));
    const out = join(tmp.dir, "gap.arrow");
    writeBinance(parseBinance([path]), out);
    const { files, problems } = summarizeDataset(out);
    expect(files.map((s) => s.kind)).toEqual(["l2", "trades", "bbo"]);
    expect(problems).toEqual([]);
    expect(files[0].gaps).toHaveLength(1);
    const text = describeDataFile(out);
    expect(text).toMatch(/gaps\s+1 — the book is unreliable/);
    expect(text).toContain(`at gap.gz:${depth[4]} `);
    expect(text).toContain("U == prev u + 1 fails");
    expect(text).toContain("snapshot lastUpdateId 50093239218 at rows 0..1999");
  });
});
