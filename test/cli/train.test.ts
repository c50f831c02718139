// `tranche train` end to end on the zero-intelligence market (small enough for CI): the run folder, the metrics
// log, the best model exported with its parity check, the eval config that runs it beside the baselines, config
// errors that name the field, and a run stopped by Ctrl-C and resumed that ends as the uninterrupted one.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import type { CliIO } from "../../cli/program.js";
import { runTrainCommand, trainConfigSchema, trainingSpec } from "../../cli/train.js";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import type { ExecutionEnvConfig } from "../../env/execution.js";
import { available, goog } from "../data/fixtures.js";
import { readPolicyMetadata } from "../../models/onnx.js";
import { FEATURE_VERSION } from "../../native/task.js";

const root = mkdtempSync(join(tmpdir(), "tranche-train-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ZI = JSON.stringify({ kind: "poisson", tickSize: 0.01, lotSize: 1, flow: { referencePriceTicks: 10000 }, fees: { makerBps: 0, takerBps: 2 } });
const SMALL = ["--set", `market=${ZI}`, "--set", "parent.lots=200", "--set", "parent.horizon=20", "--set", "parent.step=1", "--set", "ppo.numEnvs=16", "--set", "ppo.rolloutSteps=64",
  "--set", "ppo.totalSteps=4096", "--set", "validation.every=2", "--set", "validation.episodes=32", "--backend", "wasm"];

function capture(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return { out, err, print: (l) => void out.push(l), printError: (l) => void err.push(l) };
}

describe("tranche train", () => {
  it("trains, validates, exports the best model and writes an eval config for it", async () => {
    const io = capture(), folder = join(root, "run");
    const code = await main(["train", ...SMALL, "--out", folder], io);
    expect(io.err.join("\n")).toBe("");
    expect(code).toBe(0);
    const text = io.out.join("\n");
    expect(text).toContain("backend: wasm");
    expect(text).toMatch(/done after 4 updates/);
    expect(text).toMatch(/ONNX Runtime vs TensorFlow\.js: [\d.]+e-\d+ at most over 10000 observations/);
    for (const f of ["config.json", "metrics.jsonl", "checkpoint.json", "best.json", "model.onnx", "eval.json"]) expect(existsSync(join(folder, f)), f).toBe(true);
    const lines = readFileSync(join(folder, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.update)).toEqual([1, 2, 3, 4]);
    for (const key of ["episodeIsBps", "episodeReturn", "policyLoss", "valueLoss", "entropy", "approxKl", "clipfrac", "explainedVariance", "stepsPerSecond"]) expect(typeof lines[0][key], key).toBe("number");
    expect(lines.map((l) => l.validationIsBps === null)).toEqual([true, false, true, false]);
    expect(readPolicyMetadata(readFileSync(join(folder, "model.onnx"))).featureVersion).toBe(FEATURE_VERSION);
    // The eval config runs the model beside the baselines on the same market and parent.
    const evalIo = capture();
    expect(await main(["eval", "-c", join(folder, "eval.json"), "--episodes", "32", "--workers", "0", "--out", join(folder, "eval")], evalIo)).toBe(0);
    expect(evalIo.out.join("\n")).toMatch(/model:.*model\.onnx +-?\d+\.\d+/);
    // tranche export writes the best policy again, checked.
    const exportIo = capture(), again = join(folder, "again.onnx");
    expect(await main(["export", folder, "-o", again, "--backend", "wasm"], exportIo)).toBe(0);
    expect(exportIo.out.join("\n")).toMatch(/parity \(wasm\): ONNX Runtime vs TensorFlow\.js [\d.]+e-\d+ at most over 10000 observations/);
    expect(readPolicyMetadata(readFileSync(again)).configHash).toBe(readPolicyMetadata(readFileSync(join(folder, "model.onnx"))).configHash);
    const notRun = capture();
    expect(await main(["export", join(root, "nowhere")], notRun)).toBe(1);
    expect(notRun.err.join("\n")).toMatch(/not a run folder of tranche train/);
  }, 120_000);

  it("names the field a config gets wrong, and refuses a folder that holds a run", async () => {
    const io = capture();
    expect(await main(["train", "--set", "ppo.clipCoef=-1", "--out", join(root, "bad")], io)).toBe(1);
    expect(io.err.join("\n")).toMatch(/CONFIG_INVALID.*ppo\.clipCoef/s);
    const typo = capture();
    expect(await main(["train", "--set", "ppo.learningrate=0.1", "--out", join(root, "bad2")], typo)).toBe(1);
    expect(typo.err.join("\n")).toMatch(/learningrate.*did you mean "learningRate"/s);
    const again = capture();
    expect(await main(["train", ...SMALL, "--out", join(root, "run")], again)).toBe(1);
    expect(again.err.join("\n")).toMatch(/already holds a run.*--resume/s);
    const nothing = capture();
    expect(await main(["train", "--resume", join(root, "nowhere")], nothing)).toBe(1);
  });

  it("stops at Ctrl-C with a checkpoint, and --resume ends where the uninterrupted run ends", async () => {
    const whole = join(root, "whole"), cut = join(root, "cut");
    expect(await main(["train", ...SMALL, "--out", whole], capture())).toBe(0);
    // Ctrl-C during the second update: the run stops after it, checkpointed.
    const io = capture();
    let updates = 0;
    const stopper = setInterval(() => {
      const log = existsSync(join(cut, "metrics.jsonl")) ? readFileSync(join(cut, "metrics.jsonl"), "utf8").trim().split("\n").length : 0;
      if (log >= 1 && updates === 0) (updates = log), process.emit("SIGINT");
    }, 1);
    const stopped = await runTrainCommand(io, { set: SMALL.filter((_, i) => SMALL[i - 1] === "--set"), out: cut, backend: "wasm" });
    clearInterval(stopper);
    expect(stopped.interrupted).toBe(true);
    expect(io.err.join("\n")).toMatch(/stopping after this update and writing a checkpoint/);
    expect(io.out.join("\n")).toContain(`tranche train --resume ${cut}`);
    expect(await main(["train", "--resume", cut], capture())).toBe(0);
    const a = readFileSync(join(whole, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    const b = readFileSync(join(cut, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
    const curve = (ms: Record<string, number>[]) => ms.map((m) => [m.update, m.episodeIsBps, m.policyLoss, m.valueLoss, m.approxKl, m.validationIsBps]);
    expect(curve(b)).toEqual(curve(a));
    expect(JSON.parse(readFileSync(join(cut, "best.json"), "utf8")).weights).toEqual(JSON.parse(readFileSync(join(whole, "best.json"), "utf8")).weights);
  }, 120_000);

  it("trains on a mixture of markets, keeps the list in config.json and evaluates on the first", async () => {
    const io = capture(), folder = join(root, "mixture");
    const wide = JSON.stringify({ kind: "poisson", tickSize: 0.01, lotSize: 1, flow: { referencePriceTicks: 10000, marketRatePerSec: 2 }, fees: { makerBps: 0, takerBps: 2 } });
    const sets = [...SMALL.map((a) => (a === `market=${ZI}` ? `market=[${ZI},${wide}]` : a)), "--set", `validation.market=${wide}`];
    expect(await main(["train", ...sets, "--out", folder], io)).toBe(0);
    expect(io.out.join("\n")).toContain("market: a mixture of poisson, poisson");
    expect(io.out.join("\n")).toContain("learner: fused");
    const config = JSON.parse(readFileSync(join(folder, "config.json"), "utf8")) as { market: unknown[]; validation: { market: unknown } };
    expect(config.market).toHaveLength(2);
    // Validation runs on its own market (held-out replay windows, in a real run).
    expect(config.validation.market).toEqual(config.market[1]);
    expect(JSON.parse(readFileSync(join(folder, "eval.json"), "utf8")).market).toEqual(config.market[0]);
    // A list of no markets names the field.
    const empty = capture();
    expect(await main(["train", "--set", "market=[]", "--out", join(root, "empty")], empty)).toBe(1);
    expect(empty.err.join("\n")).toMatch(/market/);
    const unknown = capture();
    expect(await main(["train", "--set", 'validation.market={"kind":"garch"}', "--out", join(root, "garch")], unknown)).toBe(1);
    expect(unknown.err.join("\n")).toMatch(/validation\.market/);
  }, 120_000);
});

const haveGoog = available("training on a LOBSTER replay", goog.message, goog.orderbook);
describe.skipIf(!haveGoog)("tranche train on a replay", () => {
  it("starts episodes in the market's window (anywhere in the file without one), for training and validation", () => {
    const file = join(root, "goog.arrow");
    writeLobster(parseLobster(goog.message, goog.orderbook), file);
    const config = trainConfigSchema.parse({
      market: [{ kind: "lobster", file, starts: { from: "09:35", to: "11:40" } }, { kind: "lobster", file }],
      validation: { market: { kind: "lobster", file, starts: { from: "11:50", to: "12:15" } } },
    });
    const spec = trainingSpec(config);
    const [windowed, whole] = spec.env as ExecutionEnvConfig[];
    // The file starts at 09:30:00.015105074 New York time.
    const open = 15_105_074;
    expect(windowed.task.starts).toEqual({ kind: "window", fromNs: 5 * 60e9 - open, toNs: 130 * 60e9 - open });
    // No window: anywhere that leaves the 10-minute horizon and a decision before the file's last message.
    expect(whole.task.starts).toMatchObject({ kind: "window", fromNs: 0 });
    expect((whole.task.starts as { toNs: number }).toNs).toBeGreaterThan(6 * 3600e9 - 11 * 60e9 - 1e9);
    expect((whole.task.starts as { toNs: number }).toNs).toBeLessThan(6.5 * 3600e9 - 10 * 60e9);
    expect((spec.validationEnv as ExecutionEnvConfig[])[0].task.starts).toEqual({ kind: "window", fromNs: 140 * 60e9 - open, toNs: 165 * 60e9 - open });
  });
});
