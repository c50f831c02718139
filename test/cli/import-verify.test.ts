// `tranche data import-lobster` checks what it imports by replaying it: a consistent day passes, a day whose
// orderbook file disagrees with its messages fails naming the row and both books, and writes nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedDataFiles } from "../../data/paths.js";
import { runDataCommand } from "../../cli/data.js";
import { verifyLobster } from "../../cli/verify.js";

const { message, orderbook } = sharedDataFiles().goog;
const have = existsSync(message) && existsSync(orderbook);
if (!have) console.log(`import verification tests skipped: ${message} is missing (set TRANCHE_DATA_DIR)`);

describe.skipIf(!have)("data import-lobster verification", () => {
  let tmp: string;
  let msgPath: string;
  let bookLines: string[];
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "tranche-verify-"));
    // The first 5,000 rows of the day, as plain CSV under LOBSTER's own naming.
    const head = (path: string) => gunzipSync(readFileSync(path)).toString("utf8").split("\n").slice(0, 5_000);
    msgPath = join(tmp, "GOOG_2012-06-21_34200000_57600000_message_10.csv");
    writeFileSync(msgPath, head(message).join("\n") + "\n");
    bookLines = head(orderbook);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function run(bookText: string, out: string) {
    const bookPath = join(tmp, "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv");
    writeFileSync(bookPath, bookText);
    const lines: string[] = [];
    const code = runDataCommand(["import-lobster", msgPath, bookPath, "-o", out], {
      verifyLobster, print: (l) => lines.push(l), printError: (l) => lines.push(l),
    });
    return { code, lines };
  }

  it("passes a consistent day and reports the rows checked and the adoptions by side", async () => {
    const out = join(tmp, "ok.arrow");
    const { code, lines } = run(bookLines.join("\n") + "\n", out);
    expect(await code).toBe(0);
    const v = lines.find((l) => l.startsWith("verification:")) ?? "";
    expect(v).toMatch(/replay exact at every row; adoptions bid \d+ \(\d+ lots\), ask \d+ \(\d+ lots\)/);
    expect(v).toMatch(/5,000 rows/);
    expect(existsSync(out)).toBe(true);
  });

  it("fails on an orderbook row that disagrees with its message, naming the row and both books, and writes nothing", async () => {
    const out = join(tmp, "bad.arrow");
    const bad = [...bookLines];
    const cols = bad[3_000].split(",");
    cols[1] = String(Number(cols[1]) + 7); // best ask size off by 7 shares
    bad[3_000] = cols.join(",");
    const { code, lines } = run(bad.join("\n") + "\n", out);
    expect(await code).toBe(1);
    const text = lines.join("\n");
    expect(text).toMatch(/first mismatch at row 3000/);
    expect(text).toMatch(/asks file:/);
    expect(text).toMatch(/asks replay:/);
    expect(text).toMatch(/nothing was written/);
    expect(existsSync(out)).toBe(false);
  });
});
