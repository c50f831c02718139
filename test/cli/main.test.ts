// The `tranche` program (cli/main.ts over cli/program.ts): --version, --help for every command, suggestions
// for typos, and the one exit-code convention: 0 done, 1 the work failed, 2 a usage error.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, main } from "../../cli/main.js";
import { UsageError, createProgram, runProgram, workAction, type CliIO } from "../../cli/program.js";
import { DataError } from "../../data/errors.js";
import { TrancheError } from "../../errors.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

function capture(): { io: CliIO; result: (code: number) => Run } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { print: (l) => out.push(l), printError: (l) => err.push(l) },
    result: (code) => ({ code, out: out.join("\n"), err: err.join("\n") }),
  };
}

async function tranche(...argv: string[]): Promise<Run> {
  const c = capture();
  return c.result(await main(argv, c.io));
}

/** A program with one extra command whose work does `work`, as a new command would be added. */
async function withCommand(work: (command: Command) => number | void | Promise<number | void>, ...argv: string[]): Promise<Run> {
  const c = capture();
  const program = createProgram();
  program.command("job").option("--n <N>").action(workAction(c.io, work));
  return c.result(await runProgram(program, ["job", ...argv], c.io));
}

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Every command of the program, as the words that run it. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

describe("tranche: help and version", () => {
  it("prints the version from package.json and exits 0", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await tranche(flag);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(version);
    }
  });

  it("prints the overview with every command and the exit codes, and exits 0", async () => {
    const r = await tranche("--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: tranche");
    for (const c of ["quickstart", "data"]) expect(r.out).toContain(c);
    expect(r.out).toMatch(/Exit codes.*0 done; 1 the work failed/s);
    expect((await tranche("help")).code).toBe(0);
  });

  it("answers --help for every command and subcommand with its usage", async () => {
    const paths = commandPaths(buildProgram());
    expect(paths).toEqual(expect.arrayContaining([["quickstart"], ["data"], ["data", "import-lobster"], ["data", "import-binance"], ["data", "info"]]));
    for (const path of paths) {
      const r = await tranche(...path, "--help");
      expect(r.code, path.join(" ")).toBe(0);
      expect(r.out).toContain(`Usage: tranche ${path.join(" ")}`);
      expect((await tranche("help", ...path)).out).toContain(`Usage: tranche ${path.join(" ")}`);
    }
    expect((await tranche("quickstart", "--help")).out).toContain("--episodes <K>");
  });
});

describe("tranche: usage errors exit 2", () => {
  it("suggests the command meant by a typo", async () => {
    const r = await tranche("dat");
    expect(r.code).toBe(2);
    expect(r.err).toContain("tranche: unknown command 'dat'");
    expect(r.err).toContain("(Did you mean data?)");
    expect(r.out).toBe("");
    const sub = await tranche("data", "inf");
    expect(sub.code).toBe(2);
    expect(sub.err).toContain("(Did you mean info?)");
  });

  it("suggests the option meant by a typo", async () => {
    const r = await tranche("quickstart", "--episdoes", "3");
    expect(r.code).toBe(2);
    expect(r.err).toContain("tranche quickstart: unknown option '--episdoes'");
    expect(r.err).toContain("(Did you mean --episodes?)");
    expect(r.err).toContain("Usage: tranche quickstart");
  });

  it("refuses a bad or missing option value, naming the option", async () => {
    for (const argv of [["--episodes", "abc"], ["--episodes", "0"], ["--seed", "-1"], ["--qty", "1.5"], ["--episodes"]]) {
      const r = await tranche("quickstart", ...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toContain(`'${argv[0]} <`);
    }
  });

  it("prints the overview to stderr and exits 2 when no command is given", async () => {
    for (const argv of [[], ["data"]]) {
      const r = await tranche(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain("Usage: tranche");
    }
  });

  it("treats a UsageError from a command's work as a usage error, with the usage", async () => {
    const r = await withCommand(() => {
      throw new UsageError("--n is needed");
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tranche job: --n is needed\n\nUsage: tranche job/);
  });
});

describe("tranche: failures of the work exit 1", () => {
  it("prints a TrancheError as `tranche <command>: <code>: <message>` with its hint, and no stack", async () => {
    const r = await withCommand(() => {
      throw new TrancheError("SOMETHING_WRONG", "the thing is wrong", "do the other thing");
    });
    expect(r.code).toBe(1);
    expect(r.err).toBe("tranche job: SOMETHING_WRONG: the thing is wrong\nhint: do the other thing");
  });

  it("prints a subclass the same way (a DataError has its fix in the message, so no hint)", async () => {
    const r = await withCommand(async () => {
      await Promise.resolve();
      throw new DataError("BAD_ROW", "line is bad", "fix the line", { file: "a.csv", line: 3 });
    });
    expect(r.code).toBe(1);
    expect(r.err).toBe("tranche job: BAD_ROW: a.csv:3: line is bad. Fix: fix the line");
  });

  it("prints any other error with its stack, since it is a bug", async () => {
    const r = await withCommand(() => {
      throw new RangeError("oops");
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^tranche job: RangeError: oops\n\s+at /);
  });

  it("passes on the exit code the work returns, and 0 when it returns nothing", async () => {
    expect((await withCommand(() => 1)).code).toBe(1);
    expect((await withCommand((command) => void command.opts())).code).toBe(0);
    expect((await withCommand(() => 0, "--n", "3")).code).toBe(0);
  });

  it("escapes control characters that an error echoes from the input", async () => {
    const r = await withCommand(() => {
      throw new TrancheError("BAD", "name \u001b[31mred");
    });
    expect(r.err).toBe("tranche job: BAD: name \\x1b[31mred");
    const option = await tranche("quickstart", "--x\u001b");
    expect(option.err).toContain("\\x1b");
    expect(option.err).not.toContain("\u001b");
  });

  it("reports data info on a missing file as FILE_NOT_FOUND, exit 1", async () => {
    const r = await tranche("data", "info", "/nonexistent/x.arrow");
    expect(r.code).toBe(1);
    expect(r.err).toContain("tranche data info: FILE_NOT_FOUND: /nonexistent/x.arrow");
  });
});
