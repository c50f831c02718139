// `tranche quickstart` is the README's first command: today the evaluation of every baseline on the embedded
// default market. It must print the table, write the run folder with its report, and be reproducible.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { DEFAULT_POLICIES } from "../../eval/policies.js";
import type { EvalSummary } from "../../eval/types.js";

async function quickstart(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(["quickstart", ...argv], { print: (l) => out.push(l), printError: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("tranche quickstart", () => {
  const root = mkdtempSync(join(tmpdir(), "tranche-quickstart-"));
  const small = ["--episodes", "12", "--horizon", "20s", "--qty", "500", "--workers", "0"];

  it("evaluates every baseline, prints the table and writes the report", async () => {
    const r = await quickstart(...small, "--out", join(root, "a"));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("the evaluation of the baselines (`tranche eval`)");
    for (const p of DEFAULT_POLICIES) expect(r.out).toContain(p);
    expect(r.out).toContain("best in hindsight");
    expect(r.out).toMatch(/report: .*report\.html/);
    for (const f of ["episodes.arrow", "summary.json", "report.html"]) expect(existsSync(join(root, "a", f))).toBe(true);
    const s = JSON.parse(readFileSync(join(root, "a", "summary.json"), "utf8")) as EvalSummary;
    expect(s.setup.marketKind).toBe("preset");
    expect(s.setup.market).toMatch(/preset goog .*regime normal/);
    expect(s.setup.parentLots).toBe(500);
    expect(s.setup.horizonSteps).toBe(2);
    // The table prints the JSON's numbers.
    expect(r.out).toMatch(new RegExp(`\\btwap +${s.policies[0].shortfallBps.mean.toFixed(2)} `));
  });

  it("is reproducible for a seed and differs across seeds", async () => {
    await quickstart(...small, "--out", join(root, "b"));
    await quickstart(...small, "--seed", "2", "--out", join(root, "c"));
    const read = (d: string) => (JSON.parse(readFileSync(join(root, d, "summary.json"), "utf8")) as EvalSummary).policies;
    expect(read("b")).toEqual(read("a"));
    expect(read("c")[0].shortfallBps.mean).not.toBe(read("a")[0].shortfallBps.mean);
  });
});
