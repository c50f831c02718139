// LearnedPolicy: an exported model in a real ONNX Runtime session acts as the network does, runs in the evaluation
// harness beside the baselines (in this thread and on worker threads, with the same results), and a model of
// another feature version or a file that is not one is refused with what to do.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LearnedPolicy } from "../../agents/learned.js";
import { ExecutionVectorEnv } from "../../env/execution.js";
import { loadMarket } from "../../env/markets.js";
import { ZI_MARKET } from "../../eval/defaults.js";
import { evaluate } from "../../eval/harness.js";
import { buildPolicyModel, readPolicyMetadata } from "../../models/onnx.js";
import { FEATURES, FEATURE_VERSION } from "../../native/task.js";
import { selectBackend } from "../../training/backend.js";
import { exportPolicy } from "../../training/export.js";
import { ActorCritic, RunningMeanStd } from "../../training/network.js";

const dir = mkdtempSync(join(tmpdir(), "tranche-learned-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TASK = { side: "buy", parentLots: 200, horizonSteps: 20, stepNs: 1e9 } as const;
let network: ActorCritic, stats: RunningMeanStd, file: string, bytes: Uint8Array;

beforeAll(async () => {
  await selectBackend("wasm");
  // Statistics from real observations of the market; weights from a seed (what the model does is beside the point).
  const env = new ExecutionVectorEnv(16, { market: loadMarket(ZI_MARKET).market, task: TASK });
  const [obs] = env.reset({ seed: 1 });
  stats = new RunningMeanStd(FEATURES.length);
  const recorded: Float32Array[] = [];
  const actions = new Int32Array(32).fill(2);
  for (let t = 0; t < 30; t++) {
    stats.update(obs, 16);
    recorded.push(obs.slice());
    env.step(actions);
  }
  env.close();
  network = new ActorCritic({ observationSize: FEATURES.length, actionDims: [5, 4], hiddenSizes: [32, 32], seed: 2 });
  const rows = Float32Array.from(recorded.flatMap((r) => Array.from(r)));
  ({ bytes } = await exportPolicy(network, stats, { names: FEATURES.map((f) => f.name), version: FEATURE_VERSION }, { seed: 2 }, "test", rows, rows.length / FEATURES.length));
  file = join(dir, "model.onnx");
  writeFileSync(file, bytes);
}, 60_000);

describe("LearnedPolicy", () => {
  it("acts as the network's greedy policy does", async () => {
    const policy = await LearnedPolicy.load(file);
    const env = new ExecutionVectorEnv(16, { market: loadMarket(ZI_MARKET).market, task: { ...TASK, actionMode: policy.actionMode } });
    let [obs] = env.reset({ seed: 5 });
    const fromModel = new Int32Array(32), fromNetwork = new Int32Array(32), normalized = new Float32Array(obs.length);
    let differing = 0;
    for (let t = 0; t < 20; t++) {
      await policy.prepare(obs, env.state);
      policy.act(obs, env.state, fromModel);
      stats.normalize(obs, 16, normalized);
      network.greedy(normalized, 16, fromNetwork);
      for (let k = 0; k < 32; k++) differing += fromModel[k] !== fromNetwork[k] ? 1 : 0;
      [obs] = env.step(fromModel);
    }
    expect(differing).toBe(0);
    expect(() => policy.act(obs, { ...env.state, numEnvs: 3 } as typeof env.state, new Int32Array(6))).toThrow();
    env.close();
    await policy.close();
  });

  it("runs in tranche eval beside TWAP, the same in this thread and on worker threads", async () => {
    const policies = ["twap", `model:${file}`];
    const parent = { side: "buy" as const, parentLots: 200, horizonSteps: 20, stepNs: 1e9 };
    const here = await evaluate(policies, ZI_MARKET, 48, { parent, workers: 0, seed: 9 });
    const threads = await evaluate(policies, ZI_MARKET, 48, { parent, workers: 2, seed: 9, batchSize: 16 });
    const model = here.summary.policies.find((p) => p.policy === `model:${file}`)!;
    console.log(`model: IS ${model.shortfallBps.mean.toFixed(2)} bps over ${model.completed} episodes; twap ${here.summary.policies[0].shortfallBps.mean.toFixed(2)}`);
    expect(model.completed).toBe(48);
    expect(Number.isFinite(model.shortfallBps.mean)).toBe(true);
    expect(Array.from(threads.records[1])).toEqual(Array.from(here.records[1]));
  }, 120_000);

  it("refuses a model of another feature version, naming both, and a file that is not a model", async () => {
    const meta = readPolicyMetadata(bytes);
    const { format: _f, ...fields } = meta;
    const old = buildPolicyModel(
      { weights: network.weights(), hiddenLayers: 2, observationMean: stats.mean, observationVar: stats.var, normalizerEps: 1e-8, normalizedClip: 10 },
      { ...fields, featureVersion: "tranche-exec-features/0" },
    );
    const oldFile = join(dir, "old.onnx");
    writeFileSync(oldFile, old);
    await expect(LearnedPolicy.load(oldFile)).rejects.toThrow(`old.onnx was trained on features tranche-exec-features/0; this code computes ${FEATURE_VERSION}`);
    await expect(LearnedPolicy.load(join(dir, "missing.onnx"))).rejects.toThrow(/cannot read .*missing\.onnx: ENOENT/);
    const junk = join(dir, "junk.onnx");
    writeFileSync(junk, "junk");
    await expect(LearnedPolicy.load(junk)).rejects.toThrow(/junk\.onnx is not/);
  });
});
