// A market preset: the generative flow's parameters calibrated on one day (figures, not data: presets live in the
// repo), with the day's figures the calibration read, and the regimes that scale or shift it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EvalError } from "../errors.js";
import type { PoissonFlowSpec } from "../../native/index.js";

export const PRESET_FORMAT = "tranche-preset/1";

/** What the calibration read from the day, in the preset's own units (its lot and tick). */
export interface PresetTargets {
  durationS: number;
  /** Standard deviation of the mid over the day, ticks: √(variance rate at the longest lag × duration). */
  sigmaDayTicks: number;
  /** Traded lots in the day (visible and hidden executions). */
  volumeDayLots: number;
  /** Traded lots per second. */
  volumePerSLots: number;
  meanSpreadTicks: number;
}

export interface MarketPreset {
  format: typeof PRESET_FORMAT;
  name: string;
  description: string;
  /** The data it was calibrated on; `tickMultiple`: native ticks per model tick, for an L2 stream read on a coarser tick. */
  /** `window`: the local times of day calibrated on, where `--from`/`--until` cut the day ("09:30–12:30"). */
  source: { symbol: string; date: string; file: string; messages: number; calibratedAt: string; tickMultiple?: number; window?: string };
  /** The preset's instrument: the day's tick and lot; `unitLots` lots are one unit, the size of its market orders and of the impact protocol's. */
  instrument: { tickSize: number; lotSize: number; unitLots: number };
  flow: Omit<PoissonFlowSpec, "kind">;
  targets: PresetTargets;
  /** How each calibrated figure was found, for the report and the README. */
  fit: Record<string, number | string>;
}

/** Regimes: each scales or shifts the calibrated preset (see REGIMES for what each changes). */
export const REGIME_NAMES = ["normal", "calm", "trending", "mean-reverting", "volatile", "crisis"] as const;
export type RegimeName = (typeof REGIME_NAMES)[number];

export interface Regime {
  name: RegimeName;
  /** One line: what it changes. */
  changes: string;
  apply(flow: Omit<PoissonFlowSpec, "kind">): Omit<PoissonFlowSpec, "kind">;
}

const scaled = (rates: readonly number[] | undefined, by: number) => rates?.map((r) => r * by);

export const REGIMES: readonly Regime[] = [
  { name: "normal", changes: "the calibrated day as it is", apply: (f) => f },
  {
    name: "calm",
    changes: "news variance ×0.5, market orders ×0.7",
    apply: (f) => ({ ...f, marketRatePerSec: (f.marketRatePerSec ?? 0) * 0.7, propagator: f.propagator && { ...f.propagator, newsPerSec: (f.propagator.newsPerSec ?? 0) * 0.5 } }),
  },
  {
    name: "trending",
    changes: "news drifts up: 60% of jumps up (a drift of 0.2 × news rate × jump, ticks/s)",
    apply: (f) => ({ ...f, propagator: f.propagator && { ...f.propagator, newsUpProbability: 0.6 } }),
  },
  {
    name: "mean-reverting",
    changes: "news variance ×0.25, impact G0 ×1.5: the mid is mostly the propagator's, which decays back",
    apply: (f) => ({ ...f, propagator: f.propagator && { ...f.propagator, newsPerSec: (f.propagator.newsPerSec ?? 0) * 0.25, impactTicks: f.propagator.impactTicks * 1.5 } }),
  },
  {
    name: "volatile",
    changes: "news variance ×2, market orders ×1.5",
    apply: (f) => ({ ...f, marketRatePerSec: (f.marketRatePerSec ?? 0) * 1.5, propagator: f.propagator && { ...f.propagator, newsPerSec: (f.propagator.newsPerSec ?? 0) * 2 } }),
  },
  {
    name: "crisis",
    changes: "news variance ×4, market orders ×2.5, cancels ×1.5, limit placement 50% further out, impact G0 ×1.5",
    apply: (f) => ({
      ...f,
      marketRatePerSec: (f.marketRatePerSec ?? 0) * 2.5,
      cancelRatesPerSec: scaled(f.cancelRatesPerSec, 1.5),
      cancelRatePerSec: (f.cancelRatePerSec ?? 0.1) * 1.5,
      distanceRatesPerSec: f.distanceRatesPerSec && stretched(f.distanceRatesPerSec, 1.5),
      propagator: f.propagator && { ...f.propagator, newsPerSec: (f.propagator.newsPerSec ?? 0) * 4, impactTicks: f.propagator.impactTicks * 1.5 },
    }),
  },
];

/** The distance law with every distance × by (rates summed into the stretched bins). */
function stretched(rates: readonly number[], by: number): number[] {
  const out = new Array<number>(Math.ceil(rates.length * by)).fill(0);
  rates.forEach((r, k) => (out[Math.min(out.length - 1, Math.round((k + 1) * by) - 1)] += r));
  return out;
}

export function regime(name: string): Regime {
  const r = REGIMES.find((x) => x.name === name);
  if (!r) throw new EvalError("INVALID_OPTION", `unknown regime ${JSON.stringify(name)}. Fix: use one of ${REGIMES.map((x) => x.name).join(", ")}`);
  return r;
}

/** The shipped presets' folder (presets/ at the package root). */
export function presetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new EvalError("INVALID_OPTION", `cannot find the package root above ${import.meta.url}`);
    dir = up;
  }
  return join(dir, "presets");
}

export const SHIPPED_PRESETS = ["goog", "btcusdt"] as const;

/** Reads a preset by shipped name ("goog") or from a .json file, checking its shape. */
export function loadPreset(nameOrFile: string): MarketPreset {
  const file = nameOrFile.endsWith(".json") ? nameOrFile : join(presetsDir(), `${nameOrFile}.json`);
  if (!existsSync(file)) {
    throw new EvalError(
      "INVALID_OPTION",
      `no preset ${JSON.stringify(nameOrFile)} (looked for ${file}). Fix: use a shipped preset (${SHIPPED_PRESETS.join(", ")}) or the .json file \`tranche calibrate\` wrote`,
    );
  }
  let preset: MarketPreset;
  try {
    preset = JSON.parse(readFileSync(file, "utf8")) as MarketPreset;
  } catch (e) {
    throw new EvalError("INVALID_OPTION", `${file} is not valid JSON (${(e as Error).message}). Fix: write it again with \`tranche calibrate\``);
  }
  if (preset?.format !== PRESET_FORMAT || typeof preset.flow !== "object" || typeof preset.instrument?.tickSize !== "number") {
    throw new EvalError("INVALID_OPTION", `${file} is not a ${PRESET_FORMAT} preset. Fix: write it again with \`tranche calibrate\``);
  }
  return preset;
}

/** The preset's flow under a regime. */
export function presetFlow(preset: MarketPreset, regimeName: string = "normal"): Omit<PoissonFlowSpec, "kind"> {
  return regime(regimeName).apply(preset.flow);
}
