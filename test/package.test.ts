// Tranche as a dependency: a project that has it in node_modules imports it by name (package.json "exports"
// → dist/index.js), builds an env and steps it; the installed `tranche` command runs. This reads dist/ as
// built: `npm ci` builds it, and after editing sources `npx tsc -p tsconfig.json` rebuilds it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, "dist", "index.js");

describe("the tranche package", () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "tranche-consumer-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    mkdirSync(join(project, "node_modules"));
    symlinkSync(root, join(project, "node_modules", "tranche"), "dir");
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  const node = (file: string, text: string) => {
    writeFileSync(join(project, file), text);
    return spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8", timeout: 60_000 });
  };

  it("is built (dist/index.js exists: run `npx tsc -p tsconfig.json`)", () => {
    expect(existsSync(built), `${built} is missing: run npx tsc -p tsconfig.json`).toBe(true);
  });

  it("imports by name, builds a Poisson ExecutionVectorEnv, resets and steps it", () => {
    const r = node(
      "run.mjs",
      `import { ExecutionVectorEnv, TrancheError, NativeError, DataError, checkVectorEnv, TwapPolicy } from "tranche";
const config = {
  market: { fees: { makerBps: 0, takerBps: 2 }, flow: { kind: "poisson" } },
  task: { side: "buy", parentLots: 60, horizonSteps: 10, stepNs: 500_000_000 },
};
const env = new ExecutionVectorEnv(2, config);
const [obs] = env.reset({ seed: 1 });
const observationLength = obs.length;
const actions = new Int32Array(4).fill(1); // half a TWAP slice each, at market
const [, rewards, terminated] = env.step(actions);
let refusal;
try { new ExecutionVectorEnv(0, config); } catch (e) { refusal = { tranche: e instanceof TrancheError, native: e instanceof NativeError, name: e.name, code: e.code }; }
console.log(JSON.stringify({
  numEnvs: env.numEnvs, observationLength, rewards: Array.from(rewards), terminated: Array.from(terminated),
  filledLots: Array.from(env.state.filledLots), refusal,
  dataErrorIsTranche: new DataError("BAD_ROW", "p", "f") instanceof TrancheError,
  exports: [typeof checkVectorEnv, typeof TwapPolicy],
}));
env.close();`,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      numEnvs: number;
      observationLength: number;
      rewards: number[];
      terminated: number[];
      filledLots: number[];
      refusal: { tranche: boolean; native: boolean; name: string; code: string };
      dataErrorIsTranche: boolean;
      exports: string[];
    };
    expect(out.numEnvs).toBe(2);
    expect(out.observationLength).toBe(2 * 16);
    expect(out.rewards.every(Number.isFinite)).toBe(true);
    expect(out.terminated).toEqual([0, 0]);
    expect(out.filledLots.every((l) => l >= 0 && l <= 60)).toBe(true);
    expect(out.refusal).toEqual({ tranche: true, native: true, name: "NativeError", code: "INVALID_ARGUMENT" });
    expect(out.dataErrorIsTranche).toBe(true);
    expect(out.exports).toEqual(["function", "function"]);
  });

  it("evaluates on a worker thread from dist/ (dist/eval/worker.js), as in this thread", async () => {
    const parent = { side: "buy" as const, parentLots: 20, horizonSteps: 5, stepNs: 1e9 };
    const r = node(
      "evaluate.mjs",
      `import { evaluate, ZI_MARKET } from "tranche";
const e = await evaluate(["twap", "twap-passive"], ZI_MARKET, 4, { workers: 1, parent: ${JSON.stringify(parent)} });
console.log(JSON.stringify({ means: e.summary.policies.map((p) => p.shortfallBps.mean), workers: e.summary.timing.workers }));`,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { means: number[]; workers: number };
    expect(out.workers).toBe(1);
    expect(out.means).toHaveLength(2);
    expect(out.means.every(Number.isFinite)).toBe(true);
    const { evaluate } = await import("../eval/harness.js");
    const { ZI_MARKET } = await import("../eval/defaults.js");
    const here = await evaluate(["twap", "twap-passive"], ZI_MARKET, 4, { workers: 0, parent });
    expect(out.means).toEqual(here.summary.policies.map((p) => p.shortfallBps.mean));
  });

  it("exports its package.json and nothing under dist/ by path", () => {
    const r = node(
      "paths.mjs",
      `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
let deep;
try { await import("tranche/dist/env/index.js"); deep = "imported"; } catch (e) { deep = e.code; }
console.log(JSON.stringify({ version: require("tranche/package.json").version, deep }));`,
    );
    expect(r.status, r.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(JSON.parse(r.stdout)).toEqual({ version: pkg.version, deep: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  });

  it("runs the installed command from dist/ with the exit-code convention", () => {
    const bin = join(project, "node_modules", "tranche", "bin", "tranche.js");
    const version = spawnSync(process.execPath, [bin, "--version"], { cwd: project, encoding: "utf8" });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version);
    const typo = spawnSync(process.execPath, [bin, "dat"], { cwd: project, encoding: "utf8" });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("(Did you mean data?)");
    const missing = spawnSync(process.execPath, [bin, "data", "info", join(project, "none.arrow")], { cwd: project, encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("FILE_NOT_FOUND");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
