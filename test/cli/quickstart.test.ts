// `tranche quickstart` is the README's first command: train an agent on the embedded default market, then evaluate it
// beside every baseline. It must print the table, write the model and the report, and be reproducible. (The README's
// run trains for a million steps; here one update, so the test stays small.)
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
  const small = ["--episodes", "12", "--horizon", "20s", "--qty", "500", "--workers", "0", "--steps", "2048"];

  it("trains an agent, evaluates it beside every baseline, prints the table and writes the model and the report", async () => {
    const r = await quickstart(...small, "--out", join(root, "a"));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("tranche quickstart: train a PPO agent (2,048 steps), then evaluate it beside every baseline");
    for (const p of DEFAULT_POLICIES) expect(r.out).toContain(p);
    expect(r.out).toMatch(/model:.*train\/model\.onnx +-?\d+\.\d+/);
    expect(r.out).toContain("best in hindsight");
    expect(r.out).toMatch(/report: .*report\.html/);
    expect(r.out).toContain(`model: ${join(root, "a", "train", "model.onnx")}`);
    for (const f of ["episodes.arrow", "summary.json", "report.html"]) expect(existsSync(join(root, "a", "eval", f))).toBe(true);
    const s = JSON.parse(readFileSync(join(root, "a", "eval", "summary.json"), "utf8")) as EvalSummary;
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
    const read = (d: string) => (JSON.parse(readFileSync(join(root, d, "eval", "summary.json"), "utf8")) as EvalSummary).policies.map((p) => p.shortfallBps);
    expect(read("b")).toEqual(read("a"));
    // The trained agent's costs too: the same training gives the same model.
    expect(read("c")[0].mean).not.toBe(read("a")[0].mean);
  });
});
