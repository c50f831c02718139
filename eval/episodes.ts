// Runs one unit of an evaluation: a block of episodes (seeds seed + e, episode 0 of each) for one policy, or
// the same block without the agent to find the best execution in hindsight. A worker thread runs these; so
// does the calling thread when `workers` is 0. Episode e's result depends only on (seed + e, the policy), never
// on which worker ran it or how many episodes shared its batch.
import type { ActionMode } from "../agents/task-state.js";
import { ExecutionVectorEnv } from "../env/execution.js";
import { episodeStarts, loadMarket, localTimeOfDayS, type LoadedMarket, type MarketConfig } from "../env/markets.js";
import type { EpisodeStarts, ExecutionTaskSpec } from "../native/index.js";
import { bestInHindsight, hasHorizonPrice } from "./hindsight.js";
import { buildPolicy, type BuiltPolicy, type PolicySpec } from "./policies.js";

/** What every unit of a run shares: built once per worker. */
export interface RunSpec {
  market: MarketConfig;
  /** The parent order (side, lots, horizon, step); the market config's starts are added to it. */
  task: Omit<ExecutionTaskSpec, "starts" | "markoutNs" | "actionMode">;
  policies: PolicySpec[];
  seed: number;
  markoutNs: number;
  /** Book levels the hindsight run records per decision. */
  levels: number;
}

/** A block of episodes: [first, first + count) for policy `policy`, or for the hindsight run when it is -1. */
export interface Unit {
  id: number;
  policy: number;
  first: number;
  count: number;
}

/** The per-episode fields a policy unit returns, in this order (`RECORD_FIELDS.length` values per episode). */
export const RECORD_FIELDS = [
  "shortfallBps",
  "incomplete",
  "filledLots",
  "arrivalSlippageBps",
  "intervalVwapSlippageBps",
  "effectiveSpreadBps",
  "realisedSpreadBps",
  "fillRatio",
  "passiveShare",
  "feesBps",
  "participation",
  "startNs",
  "startTimeOfDayS",
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];
export const FIELD: { readonly [K in RecordField]: number } = Object.fromEntries(RECORD_FIELDS.map((f, i) => [f, i])) as { [K in RecordField]: number };

/** What a unit sends back. Policy units fill `records` and `remaining`; the hindsight unit fills `hindsightBps`. */
export interface UnitResult {
  id: number;
  records?: Float64Array;
  /** Fraction of the parent left before decision k = 0 … horizon, per episode (count × (horizon + 1)). */
  remaining?: Float64Array;
  hindsightBps?: Float64Array;
  /** Seconds spent stepping the env (and the policy). */
  envSeconds: number;
}

/** A worker's copy of the run: the market loaded once, envs and policies built per batch size. */
export class UnitRunner {
  readonly loaded: LoadedMarket;
  private readonly envs = new Map<string, ExecutionVectorEnv>();
  private readonly built = new Map<string, BuiltPolicy>();

  constructor(private readonly spec: RunSpec) {
    this.loaded = loadMarket(spec.market);
  }

  async run(unit: Unit): Promise<UnitResult> {
    return unit.policy < 0 ? this.hindsight(unit) : this.policy(unit);
  }

  /** Envs by use and batch size; a policy's envs take its action mode (the baselines' lots, a learned policy's multipliers). */
  private env(kind: "policy" | "hindsight", count: number, actionMode: ActionMode = "lots"): ExecutionVectorEnv {
    const key = `${kind}:${count}:${actionMode}`;
    let env = this.envs.get(key);
    if (env === undefined) {
      const { task, markoutNs } = this.spec;
      // The hindsight run needs the book at the horizon too: one decision more, and no markouts.
      const horizonSteps = kind === "hindsight" ? task.horizonSteps + 1 : task.horizonSteps;
      env = new ExecutionVectorEnv(count, {
        market: this.loaded.market,
        task: { ...task, horizonSteps, actionMode, starts: this.starts(), markoutNs: kind === "hindsight" ? 0 : markoutNs },
      });
      this.envs.set(key, env);
    }
    return env;
  }

  /**
   * Where episodes start: the market config's window or list, else, on a replay, anywhere in the file that leaves
   * room for the horizon, the hindsight run's extra decision and the markout.
   */
  private starts(): EpisodeStarts | undefined {
    const { task, markoutNs } = this.spec;
    return episodeStarts(this.loaded, (task.horizonSteps + 1) * task.stepNs + markoutNs);
  }

  private seeds(unit: Unit): number[] {
    return Array.from({ length: unit.count }, (_, j) => this.spec.seed + unit.first + j);
  }

  private async policy(unit: Unit): Promise<UnitResult> {
    const { task } = this.spec;
    const spec = this.spec.policies[unit.policy];
    const n = unit.count, K = task.horizonSteps, F = RECORD_FIELDS.length;
    const key = `${spec.label}:${n}`;
    let built = this.built.get(key);
    if (built === undefined) {
      built = await buildPolicy(spec, { numEnvs: n, horizonSteps: K, stepNs: task.stepNs, clock: this.loaded.clock });
      this.built.set(key, built);
    }
    const env = this.env("policy", n, built.policy.actionMode);
    const records = new Float64Array(n * F);
    const remaining = new Float64Array(n * (K + 1));
    const actions = new Int32Array(2 * n);
    const done = new Uint8Array(n);
    const started = performance.now();
    const [obs] = env.reset({ seed: this.seeds(unit) });
    const s = env.state;
    built.onReset?.(s);
    for (let i = 0; i < n; i++) built.policy.reset?.(i);
    let finished = 0;
    while (finished < n) {
      for (let i = 0; i < n; i++) if (!done[i]) remaining[i * (K + 1) + s.elapsedSteps[i]] = s.remainingLots[i] / s.parentLots[i];
      if (built.policy.prepare) await built.policy.prepare(obs, s);
      built.policy.act(obs, s, actions);
      env.step(actions);
      for (let i = 0; i < n; i++) {
        if (done[i] || !s.terminated[i]) continue;
        done[i] = 1;
        finished++;
        // What is left after the horizon (0 unless the book could not complete it) holds to the end.
        for (let k = s.elapsedSteps[i]; k <= K; k++) remaining[i * (K + 1) + k] = s.remainingLots[i] / s.parentLots[i];
        this.record(records.subarray(i * F, (i + 1) * F), env, i);
      }
    }
    return { id: unit.id, records, remaining, envSeconds: (performance.now() - started) / 1000 };
  }

  /** One episode's metrics from the task state at its last step. */
  private record(out: Float64Array, env: ExecutionVectorEnv, i: number): void {
    const s = env.state;
    const sign = s.side[i] === 0 ? 1 : -1;
    const filled = s.filledLots[i];
    const px = s.episodeFillPriceTicks[i];
    const vwap = s.episodeMarketVwapTicks[i];
    const others = s.episodeMarketVolumeLots[i];
    out[FIELD.shortfallBps] = s.episodeCostBps[i];
    out[FIELD.incomplete] = s.incomplete[i];
    out[FIELD.filledLots] = filled;
    out[FIELD.arrivalSlippageBps] = (sign * (px - s.arrivalMidTicks[i])) / s.arrivalMidTicks[i] * 1e4;
    out[FIELD.intervalVwapSlippageBps] = (sign * (px - vwap)) / vwap * 1e4;
    out[FIELD.effectiveSpreadBps] = s.episodeEffectiveSpreadBps[i];
    out[FIELD.realisedSpreadBps] = s.episodeRealisedSpreadBps[i];
    out[FIELD.fillRatio] = s.episodePlacedLots[i] > 0 ? filled / s.episodePlacedLots[i] : NaN;
    out[FIELD.passiveShare] = filled > 0 ? s.episodeMakerLots[i] / filled : NaN;
    out[FIELD.feesBps] = s.episodeFeesBps[i];
    out[FIELD.participation] = filled + others > 0 ? filled / (filled + others) : NaN;
    out[FIELD.startNs] = s.episodeStartNs[i];
    out[FIELD.startTimeOfDayS] = this.loaded.clock ? localTimeOfDayS(this.loaded.clock, s.episodeStartNs[i]) : NaN;
  }

  private hindsight(unit: Unit): UnitResult {
    const { task, levels, market } = this.spec;
    const n = unit.count, steps = task.horizonSteps + 1;
    const env = this.env("hindsight", n);
    const snapshot = new Float64Array(n * levels * 2);
    const depth = new Float64Array(n * steps * levels * 2);
    const actions = new Int32Array(2 * n); // size 0 everywhere: the market without the agent
    const started = performance.now();
    env.reset({ seed: this.seeds(unit) });
    const s = env.state;
    const arrival = Float64Array.from(s.arrivalMidTicks);
    for (let k = 0; k < steps; k++) {
      env.takeSideDepth(snapshot, levels);
      for (let i = 0; i < n; i++) depth.set(snapshot.subarray(i * levels * 2, (i + 1) * levels * 2), (i * steps + k) * levels * 2);
      if (k < steps - 1) env.step(actions);
    }
    const impact = market.kind === "lobster" || market.kind === "binance" ? market.impact : undefined;
    const eta = impact?.kind === "linear" ? (impact.permanentTicks ?? 0) : 0;
    const hindsightBps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const path = depth.subarray(i * steps * levels * 2, (i + 1) * steps * levels * 2);
      // A market whose side the parent takes is empty at the horizon has no price to complete at: no bound (NaN).
      if (!hasHorizonPrice(path, steps, levels)) {
        hindsightBps[i] = NaN;
        continue;
      }
      hindsightBps[i] = bestInHindsight(path, steps, levels, {
        side: task.side,
        parentLots: task.parentLots,
        arrivalMidTicks: arrival[i],
        takerBps: market.fees?.takerBps ?? 0,
        permanentTicksPerLot: eta,
      }).costBps;
    }
    return { id: unit.id, hindsightBps, envSeconds: (performance.now() - started) / 1000 };
  }
}
