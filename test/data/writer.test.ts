// Writing the files of an import (data/writer.ts, through the CLI): all or nothing, and never over an input.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDataCommand } from "../../cli/data.js";
import { DataError } from "../../data/errors.js";
import { writeFilesAtomically } from "../../data/writer.js";
import { caught, tempFolder, writeLines } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

const sha = (p: string): string => createHash("sha256").update(readFileSync(p)).digest("hex");

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await runDataCommand(argv, { print: () => {}, printError: (l) => err.push(l) });
  return { code, err: err.join("\n") };
}

let folders = 0;
/** A fresh folder holding one small LOBSTER pair under LOBSTER's naming. */
function pairFolder(): { dir: string; message: string; orderbook: string } {
  const dir = join(tmp.dir, `w${++folders}`);
  mkdirSync(dir);
  const base = join(dir, "W_2020-01-02_34200000_57600000_");
  const message = writeLines(`${base}message_1.csv`, ["34200.5,1,1,10,1000000,1", "34201,1,2,5,1000100,-1"]);
  const orderbook = writeLines(`${base}orderbook_1.csv`, ["9999999999,0,1000000,10", "1000100,5,1000000,10"]);
  return { dir, message, orderbook };
}

describe("writeFilesAtomically", () => {
  const files = (dir: string, tag: string) => [
    { path: join(dir, "x.arrow"), bytes: Buffer.from(`main ${tag}`) },
    { path: join(dir, "x.book.arrow"), bytes: Buffer.from(`book ${tag}`) },
  ];

  it("refuses a directory in the way of a companion before writing anything, and leaves no temporary file", () => {
    const dir = join(tmp.dir, "dir-in-way");
    mkdirSync(dir);
    writeFilesAtomically(files(dir, "old"));
    rmSync(join(dir, "x.book.arrow"));
    mkdirSync(join(dir, "x.book.arrow"));
    const e = caught(() => writeFilesAtomically(files(dir, "new")));
    expect(e.code).toBe("WRITE_FAILED");
    expect(e.message).toContain("is not a file (a directory?); nothing was written");
    expect(readFileSync(join(dir, "x.arrow"), "utf8")).toBe("main old");
    expect(readdirSync(dir).sort()).toEqual(["x.arrow", "x.book.arrow"]);
  });

  it("puts back every file already renamed when a later rename fails, so the folder is as before", () => {
    const dir = join(tmp.dir, "rollback");
    mkdirSync(dir);
    writeFilesAtomically(files(dir, "old"));
    // The companion is renamed first, then the main file: a directory appearing at the main file's path after
    // the temporaries are written makes that last rename fail for real.
    const e = caught(() =>
      writeFilesAtomically(files(dir, "new"), {
        beforeCommit: () => {
          rmSync(join(dir, "x.arrow"));
          mkdirSync(join(dir, "x.arrow"));
          writeFileSync(join(dir, "x.arrow", "keep"), "");
        },
      }),
    );
    expect(e.code).toBe("WRITE_FAILED");
    expect(e.message).toContain("a directory is in the way; nothing of this import was kept");
    expect(readFileSync(join(dir, "x.book.arrow"), "utf8")).toBe("book old");
    expect(readdirSync(dir).sort()).toEqual(["x.arrow", "x.book.arrow"]);
  });

  it("replaces a previous import whole when every rename succeeds", () => {
    const dir = join(tmp.dir, "replace");
    mkdirSync(dir);
    writeFilesAtomically(files(dir, "old"));
    writeFilesAtomically(files(dir, "new"));
    expect(readFileSync(join(dir, "x.arrow"), "utf8")).toBe("main new");
    expect(readFileSync(join(dir, "x.book.arrow"), "utf8")).toBe("book new");
    expect(readdirSync(dir).sort()).toEqual(["x.arrow", "x.book.arrow"]);
  });

  it("names a missing output folder", () => {
    const e = caught(() => writeFilesAtomically(files(join(tmp.dir, "no", "such"), "x")));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain("does not exist; nothing was written");
  });
});

describe("an import never writes over its inputs", () => {
  it("refuses import-lobster whose companion output is its orderbook input, before reading anything", async () => {
    const { dir, message, orderbook } = pairFolder();
    // z.arrow's companion is z.book.arrow: give the orderbook under that name.
    const z = join(dir, "z.book.arrow");
    writeFileSync(z, readFileSync(orderbook));
    const before = sha(z);
    const r = await run(["import-lobster", message, z, "-o", join(dir, "z.arrow"), "--no-verify", "--date", "2020-01-02", "--symbol", "W"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("OUTPUT_IS_INPUT");
    expect(r.err).toContain("z.book.arrow, which is its input");
    expect(sha(z)).toBe(before);
    expect(existsSync(join(dir, "z.arrow"))).toBe(false);
  });

  it("refuses import-binance whose trades companion is one of its inputs", async () => {
    const dir = join(tmp.dir, "bin-collide");
    mkdirSync(dir);
    const input = writeLines(join(dir, "f.trades.arrow"), ['1 {"lastUpdateId":1,"bids":[],"asks":[]}']);
    const before = sha(input);
    const r = await run(["import-binance", input, "-o", join(dir, "f.arrow")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("OUTPUT_IS_INPUT");
    expect(sha(input)).toBe(before);
  });

  it("sees through a symlink and a hard link to an input", async () => {
    const { dir, message, orderbook } = pairFolder();
    symlinkSync(message, join(dir, "s.arrow"));
    const viaSymlink = await run(["import-lobster", message, orderbook, "-o", join(dir, "s.arrow")]);
    expect(viaSymlink.code).toBe(1);
    expect(viaSymlink.err).toContain("OUTPUT_IS_INPUT");
    linkSync(orderbook, join(dir, "h.book.arrow"));
    const before = sha(orderbook);
    const viaLink = await run(["import-lobster", message, orderbook, "-o", join(dir, "h.arrow")]);
    expect(viaLink.code).toBe(1);
    expect(viaLink.err).toContain("OUTPUT_IS_INPUT");
    expect(sha(orderbook)).toBe(before);
  });
});

describe("two imports to one output, and inputs that are not files", () => {
  it("refuses to write while another live import holds the output's lock, and takes over a stale one", () => {
    const dir = join(tmp.dir, "locked");
    mkdirSync(dir);
    const files = [{ path: join(dir, "l.arrow"), bytes: Buffer.from("main") }];
    writeFileSync(join(dir, "l.arrow.lock"), String(process.pid));
    const e = caught(() => writeFilesAtomically(files));
    expect(e.code).toBe("WRITE_FAILED");
    expect(e.message).toContain(`another import (process ${process.pid}) is writing`);
    expect(existsSync(join(dir, "l.arrow"))).toBe(false);
    // A lock left by a process that has exited.
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(join(dir, "l.arrow.lock"), gone);
    writeFilesAtomically(files);
    expect(readdirSync(dir)).toEqual(["l.arrow"]);
  });

  it("refuses a pipe as an input instead of hanging on it or calling it empty", async () => {
    const { dir, orderbook } = pairFolder();
    const fifo = join(dir, "W_2020-01-02_34200000_57600000_message_1.fifo");
    spawnSync("mkfifo", [fifo]);
    const r = await run(["import-lobster", fifo, orderbook, "-o", join(dir, "p.arrow"), "--date", "2020-01-02", "--symbol", "W"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("UNREADABLE");
    expect(r.err).toContain("is a pipe (FIFO), not a regular file");
  });

  it("checks the --out name before reading anything", async () => {
    const { dir, message, orderbook } = pairFolder();
    for (const name of [".arrow", "c\u001b[31m.arrow"]) {
      const err: string[] = [];
      const code = await runDataCommand(["import-lobster", message, orderbook, "-o", join(dir, name)], { print: () => {}, printError: (l) => err.push(l) });
      expect(code).toBe(2);
      expect(err.join("\n")).toContain("needs a name before .arrow and no control characters");
    }
  });
});
