// The policies an evaluation can run, by name: a policy must be rebuilt inside every worker thread, so the
// harness passes names ("twap", "pov:0.05", "ac:2"), never objects. One table says what each name builds.
import {
  AlmgrenChrissPolicy,
  LearnedPolicy,
  PassiveTwapPolicy,
  PovPolicy,
  SubmitAndLeavePolicy,
  TwapPolicy,
  VwapPolicy,
  stepProfileFromBuckets,
  timeOfDayNs,
  uniformProfile,
  type ExecutionTaskState,
  type Policy,
} from "../agents/index.js";
import type { ReplayClock } from "../env/markets.js";
import { closest } from "../errors.js";
import { EvalError } from "./errors.js";

/** What a policy may be built from: the batch it serves and, on a replay, the day's clock and volume. */
export interface PolicyContext {
  numEnvs: number;
  horizonSteps: number;
  stepNs: number;
  clock?: ReplayClock;
}

/** A built policy and what the harness calls when its envs start episodes (VWAP's per-start profile). */
export interface BuiltPolicy {
  policy: Policy;
  /** Called after every reset, with the envs' first task state. */
  onReset?(state: ExecutionTaskState): void;
}

interface Entry {
  /** The parameter after ":" (e.g. "pov:0.05"), what it means and its default. */
  param?: { meaning: string; default: number; min: number; max: number };
  summary: string;
  build(ctx: PolicyContext, param: number, file?: string): BuiltPolicy | Promise<BuiltPolicy>;
}

/** Every policy name `tranche eval --policies` accepts, with its parameter. */
export const POLICIES: Readonly<Record<string, Entry>> = {
  twap: { summary: "market children of remaining ÷ decisions left", build: () => ({ policy: new TwapPolicy() }) },
  "twap-passive": { summary: "TWAP's schedule worked with a limit at the touch, crossing what falls behind", build: () => ({ policy: new PassiveTwapPolicy() }) },
  vwap: {
    summary: "market children along the day's volume profile by time of day (replays; in-sample, a best case for VWAP); on a generative market, where volume is flat in time, TWAP's schedule",
    build: buildVwap,
  },
  pov: {
    param: { meaning: "participation rate ρ: lots per lot others trade", default: 0.1, min: 1e-6, max: 1 },
    summary: "market children that keep fills at ρ of others' volume; the horizon cross completes the rest",
    build: (_ctx, rate) => ({ policy: new PovPolicy({ participationRate: rate }) }),
  },
  ac: {
    param: { meaning: "urgency κT (κ per second × the horizon in seconds): 0 is TWAP, larger trades sooner", default: 2, min: 0, max: 50 },
    summary: "Almgren–Chriss: market children along the sinh trajectory of urgency κT",
    build: (ctx, kappaT) => ({ policy: new AlmgrenChrissPolicy({ kappaPerS: kappaT / ((ctx.horizonSteps * ctx.stepNs) / 1e9) }) }),
  },
  "submit-and-leave": { summary: "one limit at the touch for the whole parent, left to rest", build: () => ({ policy: new SubmitAndLeavePolicy() }) },
  model: {
    summary: "a learned policy: an ONNX model from `tranche export` (model:<file.onnx>), greedy, run by ONNX Runtime",
    build: async (_ctx, _param, file) => ({ policy: await LearnedPolicy.load(file ?? "") }),
  },
};

/** The six baselines `tranche eval` and `tranche quickstart` run by default. */
export const DEFAULT_POLICIES: readonly string[] = ["twap", "twap-passive", "vwap", "pov", "ac", "submit-and-leave"];

/** A policy name parsed: the table entry's name and its parameter (the default where none was given). */
export interface PolicySpec {
  /** As written ("pov:0.05"); the name results and reports use. */
  label: string;
  name: string;
  param: number;
  /** The model file of "model:<file.onnx>". */
  file?: string;
}

/** Parses one policy name; an unknown name or a bad parameter is an EvalError that lists what is allowed. */
export function parsePolicy(text: string): PolicySpec {
  const trimmed = String(text).trim();
  if (trimmed === "model" || trimmed.startsWith("model:")) {
    const file = trimmed.slice("model:".length);
    if (trimmed === "model" || file === "" || !file.endsWith(".onnx"))
      throw new EvalError("BAD_POLICY_PARAM", `policy ${JSON.stringify(text)}: a learned policy is model:<file.onnx>`, "e.g. --policies twap,model:runs/train-…/model.onnx");
    return { label: trimmed, name: "model", param: 0, file };
  }
  const [name, rest, ...extra] = trimmed.split(":");
  const entry = POLICIES[name];
  if (entry === undefined) {
    const known = Object.keys(POLICIES);
    const guess = closest(name, known);
    throw new EvalError("UNKNOWN_POLICY", `unknown policy ${JSON.stringify(name)}${guess ? `; did you mean "${guess}"?` : ""}`, `choose from ${known.join(", ")}`);
  }
  if (extra.length > 0 || (rest !== undefined && entry.param === undefined))
    throw new EvalError("BAD_POLICY_PARAM", `policy ${JSON.stringify(text)}: ${name} takes no parameter after ":"`, `write it as "${name}"`);
  let param = entry.param?.default ?? 0;
  if (rest !== undefined && entry.param !== undefined) {
    param = Number(rest);
    const p = entry.param;
    if (rest.trim() === "" || !Number.isFinite(param) || param < p.min || param > p.max)
      throw new EvalError("BAD_POLICY_PARAM", `policy ${JSON.stringify(text)}: the ${name} parameter is ${p.meaning}, a number in [${p.min}, ${p.max}]; got ${JSON.stringify(rest)}`, `e.g. "${name}:${p.default}"`);
  }
  const label = rest === undefined ? name : `${name}:${param}`;
  return { label, name, param };
}

/** Parses a list of names and refuses an empty list or the same policy twice. */
export function parsePolicies(names: readonly string[]): PolicySpec[] {
  if (names.length === 0) throw new EvalError("UNKNOWN_POLICY", "no policies to evaluate", `name at least one, e.g. --policies ${DEFAULT_POLICIES.join(",")}`);
  const specs = names.map(parsePolicy);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.label)) throw new EvalError("DUPLICATE_POLICY", `policy "${s.label}" is listed twice`, "list each policy once");
    seen.add(s.label);
  }
  return specs;
}

/** Builds a parsed policy for a batch. */
export function buildPolicy(spec: PolicySpec, ctx: PolicyContext): BuiltPolicy | Promise<BuiltPolicy> {
  return POLICIES[spec.name].build(ctx, spec.param, spec.file);
}

function buildVwap(ctx: PolicyContext): BuiltPolicy {
  const flat = uniformProfile(ctx.horizonSteps);
  const clock = ctx.clock;
  if (clock === undefined) return { policy: new VwapPolicy({ profile: flat }) };
  const policy = new VwapPolicy({ profile: flat, numEnvs: ctx.numEnvs });
  return {
    policy,
    onReset(state) {
      // Each episode follows the day's volume over the times of day it covers.
      for (let i = 0; i < state.numEnvs; i++) {
        const startTimeOfDayNs = timeOfDayNs(clock.originUtcNs + BigInt(Math.round(state.episodeStartNs[i])));
        policy.setProfile(i, stepProfileFromBuckets(clock.volumeByUtcBucket, { bucketNs: clock.bucketNs, startTimeOfDayNs, stepNs: ctx.stepNs, horizonSteps: ctx.horizonSteps }));
      }
    },
  };
}
