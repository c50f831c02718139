// `tranche eval` (cli/eval.ts) through main(argv, io): a run prints the table and writes the run folder whose
// summary.json holds the resolved config and the table's numbers; the config comes from a file, then the flags,
// then --set; and bad input is refused with an error that names it, before anything is written.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import type { CliIO } from "../../cli/program.js";
import { DEFAULT_MARKET } from "../../eval/defaults.js";
import { DEFAULT_POLICIES } from "../../eval/policies.js";
import type { EvalSummary } from "../../eval/types.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function tranche(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { print: (l) => out.push(l), printError: (l) => err.push(l) };
  const code = await main(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const root = mkdtempSync(join(tmpdir(), "tranche-eval-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh, empty folder; the run folder of a test goes inside it, so a left-behind temporary shows. */
function freshParent(): string {
  const dir = join(root, `case-${++folders}`);
  mkdirSync(dir);
  return dir;
}

const configs = join(root, "configs");
mkdirSync(configs);
function configFile(name: string, text: string): string {
  const path = join(configs, name);
  writeFileSync(path, text);
  return path;
}

const summaryOf = (dir: string): EvalSummary => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as EvalSummary;

/** The cells of the table row that starts with `label` (cells are separated by two or more spaces). */
function tableRow(out: string, label: string): string[] {
  const line = out.split("\n").find((l) => l.startsWith(`  ${label}  `) || l.startsWith(`  ${label} *  `));
  expect(line, `no table row for ${label} in:\n${out}`).toBeDefined();
  return line!.trim().split(/\s{2,}/);
}

// Small runs: ten one-second decisions.
const SMALL = ["--horizon", "10s", "--step", "1s", "--qty", "500"]; // 500 shares of the GOOG preset: every baseline completes in 10 s

describe("tranche eval: a run", () => {
  it("prints the table of every policy, the hindsight bound and the reference, and writes the run folder", async () => {
    const out = join(freshParent(), "run");
    const r = await tranche("eval", "--episodes", "6", ...SMALL, "--seed", "3", "--workers", "0", "--out", out);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["episodes.arrow", "report.html", "summary.json"]);
    const s = summaryOf(out);

    // The resolved config that ran.
    const config = s.config as Record<string, unknown>;
    expect(config.episodes).toBe(6);
    expect(config.seed).toBe(3);
    expect(config.policies).toEqual([...DEFAULT_POLICIES]);
    expect(config.parent).toEqual({ side: "buy", lots: 500, horizon: 10e9, step: 1e9 });
    expect(config.market).toEqual(DEFAULT_MARKET);
    expect(config.out).toBe(out);
    expect(s.setup).toMatchObject({ side: "buy", parentLots: 500, marketKind: "preset", horizonSteps: 10, stepNs: 1e9, episodes: 6, seed: 3, reference: "twap", hasTimeOfDay: false });
    expect(s.episodes.seeds).toEqual([3, 4, 5, 6, 7, 8]);

    // The table: a row per policy in the order asked for, the reference, the bound, and the JSON's numbers.
    expect(r.out).toContain("Δ vs twap [95% CI]");
    for (const m of s.policies) {
      const [label, mean, median, std, cvar95, vsReference] = tableRow(r.out, m.policy);
      expect(label).toBe(m.policy === s.best ? `${m.policy} *` : m.policy);
      expect([mean, median, std, cvar95]).toEqual([m.shortfallBps.mean, m.shortfallBps.median, m.shortfallBps.std, m.shortfallBps.cvar95].map((v) => v.toFixed(2)));
      if (m.policy === "twap") expect(vsReference).toBe("(reference)");
      else {
        const c = s.comparisons.find((x) => x.kind === "reference" && x.policy === m.policy)!;
        expect(vsReference).toBe(`${c.meanDiffBps.toFixed(2)} [${c.bootstrap.low.toFixed(2)}, ${c.bootstrap.high.toFixed(2)}]`);
      }
    }
    expect(tableRow(r.out, "twap")[1]).toBe(s.policies[0].shortfallBps.mean.toFixed(2));
    const hindsight = tableRow(r.out, "best in hindsight");
    expect(hindsight.slice(1, 5)).toEqual([s.hindsight.shortfallBps.mean, s.hindsight.shortfallBps.median, s.hindsight.shortfallBps.std, s.hindsight.shortfallBps.cvar95].map((v) => v.toFixed(2)));
    expect(r.out).toContain("6 episodes every policy completed");
    expect(r.out).toContain(`run folder: ${out}`);
  });

  it("gives the same numbers on worker threads as in this thread", async () => {
    const here = join(freshParent(), "run");
    const threads = join(freshParent(), "run");
    const args = ["eval", "--episodes", "6", ...SMALL, "--policies", "twap,pov:0.05,submit-and-leave", "--batch-size", "4"];
    expect((await tranche(...args, "--workers", "0", "--out", here)).code).toBe(0);
    const r = await tranche(...args, "--workers", "2", "--out", threads);
    expect(r.code).toBe(0);
    expect(r.out).toContain("2 worker threads");
    expect(summaryOf(threads).policies).toEqual(summaryOf(here).policies);
    expect(summaryOf(threads).comparisons).toEqual(summaryOf(here).comparisons);
    expect(summaryOf(threads).timing.workers).toBe(2);
  });

  it("sells, measuring the cost against the bids", async () => {
    const out = join(freshParent(), "run");
    const r = await tranche("eval", "--episodes", "4", ...SMALL, "--side", "sell", "--policies", "twap,twap-passive", "--workers", "0", "--out", out);
    expect(r.code).toBe(0);
    expect(r.out).toContain("parent: sell 500 lots over 10 s in 1 s decisions");
    const s = summaryOf(out);
    expect(s.setup.side).toBe("sell");
    expect(s.policies.every((m) => Number.isFinite(m.shortfallBps.mean) && m.completionRate === 1)).toBe(true);
  });

  it("compares against the --reference policy", async () => {
    const out = join(freshParent(), "run");
    const r = await tranche("eval", "--episodes", "4", ...SMALL, "--policies", "twap,submit-and-leave", "--reference", "submit-and-leave", "--workers", "0", "--out", out);
    expect(r.code).toBe(0);
    const s = summaryOf(out);
    expect(s.setup.reference).toBe("submit-and-leave");
    expect(r.out).toContain("Δ vs submit-and-leave [95% CI]");
    expect(tableRow(r.out, "submit-and-leave")).toContain("(reference)");
    expect(s.comparisons.filter((c) => c.kind === "reference").map((c) => [c.policy, c.against])).toEqual([["twap", "submit-and-leave"]]);
  });

  it("reads a bare number as seconds (--horizon 10 is 10 s)", async () => {
    const out = join(freshParent(), "run");
    expect((await tranche("eval", "--episodes", "2", "--horizon", "10", "--step", "0.5", "--policies", "twap", "--workers", "0", "--out", out)).code).toBe(0);
    expect(summaryOf(out).setup).toMatchObject({ horizonSteps: 20, stepNs: 5e8 });
  });

  it("fills in the parent order's other durations and the markout with their defaults, in ns", async () => {
    const horizonOnly = join(freshParent(), "run");
    expect((await tranche("eval", "--episodes", "2", "--horizon", "60s", "--policies", "twap", "--workers", "0", "--out", horizonOnly)).code).toBe(0);
    expect(summaryOf(horizonOnly).setup).toMatchObject({ horizonSteps: 6, stepNs: 10e9, markoutNs: 5e9 });
    const stepOnly = join(freshParent(), "run");
    expect((await tranche("eval", "--episodes", "2", "--step", "2s", "--policies", "twap", "--workers", "0", "--out", stepOnly)).code).toBe(0);
    expect(summaryOf(stepOnly).setup).toMatchObject({ horizonSteps: 300, stepNs: 2e9 });
    expect(summaryOf(stepOnly).config).toMatchObject({ parent: { horizon: 600e9, step: 2e9 }, markout: 5e9 });
  });

  it("writes into an out folder that exists but is empty", async () => {
    const out = join(freshParent(), "run");
    mkdirSync(out);
    expect((await tranche("eval", "--episodes", "2", ...SMALL, "--policies", "twap", "--workers", "0", "--out", out)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["episodes.arrow", "report.html", "summary.json"]);
  });
});

describe("tranche eval: config file < flags < --set", () => {
  const file = configFile(
    "precedence.yaml",
    ["# the file gives every field it names", "episodes: 4", "seed: 7", "policies: [twap, vwap]", "parent:", "  lots: 50", "  horizon: 5s", "  step: 1s"].join("\n"),
  );

  it("takes the file's fields where no flag gives them", async () => {
    const out = join(freshParent(), "run");
    expect((await tranche("eval", "-c", file, "--workers", "0", "--out", out)).code).toBe(0);
    expect(summaryOf(out).config).toMatchObject({ episodes: 4, seed: 7, policies: ["twap", "vwap"], parent: { side: "buy", lots: 50, horizon: 5e9, step: 1e9 } });
  });

  it("lets a flag override the file, field by field inside parent", async () => {
    const out = join(freshParent(), "run");
    expect((await tranche("eval", "-c", file, "--episodes", "5", "--qty", "40", "--workers", "0", "--out", out)).code).toBe(0);
    // --qty replaces parent.lots only; the file's horizon and step stay.
    expect(summaryOf(out).config).toMatchObject({ episodes: 5, seed: 7, parent: { lots: 40, horizon: 5e9, step: 1e9 } });
  });

  it("lets --set override both", async () => {
    const out = join(freshParent(), "run");
    const r = await tranche("eval", "-c", file, "--episodes", "5", "--qty", "40", "--set", "episodes=6", "--set", "parent.lots=30", "--workers", "0", "--out", out);
    expect(r.code).toBe(0);
    const s = summaryOf(out);
    expect(s.config).toMatchObject({ episodes: 6, seed: 7, parent: { lots: 30, horizon: 5e9, step: 1e9 } });
    expect(s.setup).toMatchObject({ episodes: 6, parentLots: 30, horizonSteps: 5 });
  });
});

describe("tranche eval: bad input is refused, naming it, and nothing is written", () => {
  const lobsterBadStart = configFile("bad-start.yaml", 'kind: lobster\nfile: /nonexistent/goog.arrow\nstarts: {from: "9:45", to: "11:00"}\n');
  const lobsterMisspelt = configFile("misspelt-start.yaml", 'kind: lobster\nfile: /nonexistent/goog.arrow\nstarts: {form: "09:45", to: "11:00"}\n');
  const lobster = configFile("lobster.yaml", "kind: lobster\nfile: /nonexistent/goog.arrow\n");
  const poisson = configFile("poisson.yaml", "kind: poisson\nflow: {referencePriceTicks: 5000}\n");
  const aFolder = join(root, "a-folder");
  mkdirSync(aFolder);

  // [what, argv after `eval` (the run folder is added), exit code, what stderr must say]
  const cases: [string, string[], number, RegExp[]][] = [
    ["an unknown policy", ["--policies", "twap,twpa"], 1, [/UNKNOWN_POLICY: unknown policy "twpa"; did you mean "twap"\?/]],
    ["zero episodes", ["--episodes", "0"], 2, [/'--episodes <K>' argument '0' is invalid/, /Usage: tranche eval/]],
    ["a market file that does not exist", ["--market", "/nonexistent/x.arrow"], 1, [/FILE_NOT_FOUND: \/nonexistent\/x\.arrow/]],
    ["a folder as the market", ["--market", aFolder], 1, [/CONFIG_INVALID: market: ".*a-folder" is neither "default", an imported \.arrow file nor a \.json\/\.yaml market config/]],
    ["a misspelt config field", ["-c", configFile("misspelt.yaml", "policys: [twap]\n")], 1, [/CONFIG_INVALID: .*misspelt\.yaml with the command line: policys: unknown key; did you mean "policies"\?/]],
    ["a bad side in the config", ["-c", configFile("side.yaml", "parent: {side: hold}\n")], 1, [/parent\.side: must be one of "buy", "sell", got "hold"/]],
    ["a wrongly cased --side", ["--side", "SELL"], 2, [/option '--side <side>' argument 'SELL' is invalid\. Allowed choices are buy, sell/]],
    ["--set episodes=0", ["--set", "episodes=0"], 1, [/CONFIG_INVALID: the command line: episodes: must be >= 1, got 0/]],
    ["--set of a word where a number goes", ["--set", "episodes=abc"], 1, [/episodes: expected a number, got "abc"/]],
    ["a malformed --set", ["--set", "episodes"], 1, [/CONFIG_SET: --set "episodes": expected key=value/]],
    ["a negative horizon", ["--horizon", "-1s", "--step", "1s"], 2, [/option '--horizon <duration>' argument '-1s' is invalid\. expected a duration longer than 0/]],
    ["a horizon in scientific notation", ["--horizon", "1e9", "--step", "1s"], 2, [/option '--horizon <duration>' argument '1e9' is invalid/]],
    ["a negative horizon in a config", ["--set", "parent.horizon=-1s"], 1, [/parent\.horizon: a duration such as "500ms", "90s", "2m" or "1h", got "-1s"/]],
    ["a horizon that is not a whole number of steps", ["--horizon", "10s", "--step", "3s"], 1, [/CONFIG_INVALID: parent\.horizon \(10 s\) must be a whole number of decision steps of parent\.step \(3 s\)/]],
    ["a step longer than the horizon", ["--horizon", "10s", "--step", "20s"], 1, [/parent\.horizon \(10 s\) must be a whole number of decision steps of parent\.step \(20 s\)/]],
    ["a zero horizon", ["--horizon", "0s"], 2, [/option '--horizon <duration>' argument '0s' is invalid/]],
    ["a zero horizon in a config", ["--set", "parent.horizon=0s"], 1, [/CONFIG_INVALID: the command line: parent\.horizon: a duration longer than 0/]],
    ["a zero step", ["--step", "0s"], 2, [/option '--step <duration>' argument '0s' is invalid/]],
    ["a badly written --from", ["--market", lobster, "--from", "9:45", "--to", "10:00"], 2, [/option '--from <HH:MM>' argument '9:45' is invalid/]],
    ["a participation rate of 0", ["--policies", "pov:0"], 1, [/BAD_POLICY_PARAM: policy "pov:0": the pov parameter is participation rate .* a number in \[0\.000001, 1\]; got "0"/]],
    ["a participation rate that is not a number", ["--policies", "pov:abc"], 1, [/BAD_POLICY_PARAM: policy "pov:abc".*got "abc"/]],
    ["a negative urgency", ["--policies", "ac:-1"], 1, [/BAD_POLICY_PARAM: policy "ac:-1": the ac parameter is urgency .* a number in \[0, 50\]; got "-1"/]],
    ["a parameter on a policy that takes none", ["--policies", "twap:3"], 1, [/BAD_POLICY_PARAM: policy "twap:3": twap takes no parameter/]],
    ["the same policy twice, written two ways", ["--policies", "pov:0.10,pov:0.1"], 1, [/DUPLICATE_POLICY: policy "pov:0\.1" is listed twice/]],
    ["an empty policy list", ["--policies", ",,"], 1, [/policies: must be at least 1 item, got 0 items/]],
    ["a reference that does not run", ["--policies", "twap", "--reference", "vwap"], 1, [/CONFIG_INVALID: reference: "vwap" is not among the policies evaluated \(twap\)/]],
    ["a misspelt reference", ["--policies", "twap,vwap", "--reference", "twpa"], 1, [/reference: "twpa" is not among .*; did you mean "twap"\?/]],
    ["a replay window on the default market", ["--from", "09:45", "--to", "10:00"], 1, [/--from\/--to set a replay's episode window, but the market is the generative preset/]],
    ["a seed past 2^47", ["--seed", "140737488355329"], 1, [/seed: must be <= 140737488355328/]],
    ["too many decisions", ["--horizon", "10h", "--step", "1ms"], 1, [/parent\.horizon ÷ parent\.step is 36000000 decisions; at most 1048576/]],
    ["too many workers", ["--workers", "300"], 1, [/workers: must be <= 256, got 300/]],
    ["a replay window on the Poisson market", ["--market", poisson, "--from", "09:45", "--to", "10:00"], 1, [/--from\/--to set a replay's episode window, but the market is the generative Poisson flow/]],
    ["only one end of a replay window", ["--market", lobster, "--from", "09:45"], 1, [/CONFIG_INVALID: a replay window needs both --from and --to/]],
    ["a badly written start in a market config", ["--market", lobsterBadStart], 1, [/bad-start\.yaml: starts\.from: a time of day "HH:MM" or "HH:MM:SS", got "9:45"/]],
    ["a misspelt start key in a market config", ["--market", lobsterMisspelt], 1, [/starts\.form: unknown key; did you mean "from"\?/]],
    ["an unknown option", ["--episode", "3"], 2, [/unknown option '--episode'/, /Did you mean --episodes\?/]],
  ];

  it.each(cases)("refuses %s", async (_what, argv, code, messages) => {
    const parent = freshParent();
    const out = join(parent, "run");
    const r = await tranche("eval", ...SMALL, "--episodes", "2", "--workers", "0", ...argv, "--out", out);
    expect(r.code, r.err).toBe(code);
    for (const m of messages) expect(r.err).toMatch(m);
    if (code === 1) expect(r.err).toMatch(/^tranche eval: [A-Z_]+: /);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack: these are the user's mistakes, not bugs
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]); // no .partial folder either
  });

  it("refuses an out folder that already holds files, and leaves them untouched", async () => {
    const parent = freshParent();
    const out = join(parent, "used");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "mine");
    const r = await tranche("eval", "--episodes", "2", ...SMALL, "--workers", "0", "--out", out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`tranche eval: RUN_FOLDER: the run folder ${out} already holds files`);
    expect(r.err).toContain("hint: choose another --out");
    expect(readdirSync(out)).toEqual(["keep.txt"]);
    expect(readFileSync(join(out, "keep.txt"), "utf8")).toBe("mine");
    expect(readdirSync(parent)).toEqual(["used"]);
  });

  it("refuses an out path that is a file, or under one", async () => {
    const parent = freshParent();
    const file = join(parent, "x.txt");
    writeFileSync(file, "mine");
    const onFile = await tranche("eval", "--episodes", "2", ...SMALL, "--workers", "0", "--out", file);
    expect(onFile.code).toBe(1);
    expect(onFile.err).toContain(`RUN_FOLDER: ${file} exists and is not a folder`);
    const under = await tranche("eval", "--episodes", "2", ...SMALL, "--workers", "0", "--out", join(file, "run"));
    expect(under.code).toBe(1);
    expect(under.err).toContain(`RUN_FOLDER: ${file} is not a folder`);
    expect(readdirSync(parent)).toEqual(["x.txt"]);
    expect(readFileSync(file, "utf8")).toBe("mine");
  });
});

describe("tranche eval --help", () => {
  it("exits 0 and lists the options", async () => {
    const r = await tranche("eval", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: tranche eval");
    for (const option of ["--policies <list>", "--market <market>", "--episodes <K>", "--side <side>", "--qty <lots>", "--horizon <duration>", "--step <duration>", "--out <dir>", "--config <file>", "--set <key=value>"]) {
      expect(r.out).toContain(option);
    }
  });
});

describe("tranche eval: a parent the book cannot complete", () => {
  it("writes the run folder, then exits 1 naming the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tranche-eval-nostats-"));
    const out: string[] = [], err: string[] = [];
    const code = await main(["eval", "--qty", "300000", "--horizon", "10s", "--episodes", "4", "--workers", "0", "--out", join(dir, "run")], { print: (l) => out.push(l), printError: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/NO_STATISTICS: only 0 of 4 episodes were completed by every policy/);
    expect(err.join("\n")).toMatch(/hint: the book could not absorb 300000 lots within 10 s/);
    expect(existsSync(join(dir, "run", "summary.json"))).toBe(true);
    const s = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8")) as { best: string | null; policies: { completionRate: number }[] };
    expect(s.best).toBeNull();
    for (const p of s.policies) expect(p.completionRate).toBe(0);
    // No row is marked best, and only the reference reads "(reference)".
    expect(out.join("\n")).not.toMatch(/^ {2}[\w:.-]+ \* /m);
    expect(out.join("\n").match(/\(reference\)/g)).toHaveLength(1);
  });
});
