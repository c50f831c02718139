// Intraday volume profiles for VWAP: the expected share of an episode's volume in each decision step, built
// from volumes observed per time-of-day bucket (e.g. a data file's trades), with a uniform fallback.
import { PolicyError, checkWhole } from "./errors.js";

/** Nanoseconds in a UTC day. */
export const DAY_NS = 86_400_000_000_000;

/** A profile of `steps` equal fractions (1/steps each): VWAP on it is TWAP. */
export function uniformProfile(steps: number): Float64Array {
  checkWhole("steps", steps, 1, 2 ** 31 - 1);
  return new Float64Array(steps).fill(1 / steps);
}

/**
 * Fractions proportional to observed volumes (one per bucket or step), summing to 1. Volumes that sum to 0
 * (no trades seen) give the uniform profile; a negative or non-finite volume is an error.
 */
export function profileFromVolumes(volumes: ArrayLike<number>): Float64Array {
  if (volumes === null || typeof volumes !== "object" || typeof volumes.length !== "number" || volumes.length < 1)
    throw new PolicyError("INVALID_ARGUMENT", "profileFromVolumes(volumes): volumes must be a non-empty array of numbers");
  let total = 0;
  for (let b = 0; b < volumes.length; b++) {
    const v = volumes[b];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw new PolicyError("INVALID_ARGUMENT", `profileFromVolumes(volumes): volumes[${b}] must be a finite number >= 0, got ${String(v)}`);
    total += v;
  }
  if (total === 0) return uniformProfile(volumes.length);
  const fractions = new Float64Array(volumes.length);
  for (let b = 0; b < volumes.length; b++) fractions[b] = volumes[b] / total;
  return fractions;
}

/** Time of day of a UTC timestamp, ns since midnight. */
export function timeOfDayNs(tsNs: bigint | number): number {
  if (typeof tsNs === "bigint") return Number(((tsNs % BigInt(DAY_NS)) + BigInt(DAY_NS)) % BigInt(DAY_NS));
  if (!Number.isFinite(tsNs)) throw new PolicyError("INVALID_ARGUMENT", `timeOfDayNs(tsNs): tsNs must be finite, got ${tsNs}`);
  return ((tsNs % DAY_NS) + DAY_NS) % DAY_NS;
}

/**
 * Traded lots per time-of-day bucket of width `bucketNs`, summed over every day the trades cover: bucket b
 * holds the trades whose UTC time of day lies in [b·bucketNs, (b+1)·bucketNs). There are ⌈day / bucketNs⌉
 * buckets; the last is shorter when `bucketNs` does not divide the day. Pass a trades table's `tsNs` and
 * `qtyLots` columns (data/'s readTrades) as they are.
 */
export function tradeVolumeByTimeOfDay(tsNs: ArrayLike<bigint>, qtyLots: ArrayLike<bigint>, bucketNs: number): Float64Array {
  checkWhole("bucketNs", bucketNs, 1, DAY_NS);
  if (tsNs.length !== qtyLots.length)
    throw new PolicyError("INVALID_ARGUMENT", `tradeVolumeByTimeOfDay: tsNs has ${tsNs.length} rows but qtyLots has ${qtyLots.length}`);
  const volumes = new Float64Array(Math.ceil(DAY_NS / bucketNs));
  for (let r = 0; r < tsNs.length; r++) volumes[Math.floor(timeOfDayNs(tsNs[r]) / bucketNs)] += Number(qtyLots[r]);
  return volumes;
}

/** Where an episode lies in the day and how it is cut into decisions. */
export interface EpisodeClock {
  /** Width of the profile's buckets, ns (as given to {@link tradeVolumeByTimeOfDay}). */
  readonly bucketNs: number;
  /** The episode's start, ns since UTC midnight ({@link timeOfDayNs} of its first timestamp). */
  readonly startTimeOfDayNs: number;
  /** The decision interval, ns. */
  readonly stepNs: number;
  readonly horizonSteps: number;
}

/**
 * The per-step profile of one episode from per-bucket volumes: step k covers the times of day
 * [start + k·stepNs, start + (k+1)·stepNs) (wrapping at midnight) and gets the volume of the buckets it overlaps,
 * pro rata to the overlap (volume is taken as uniform within a bucket). Normalised to sum 1; an episode whose
 * buckets saw no volume gets the uniform profile.
 */
export function stepProfileFromBuckets(bucketVolumes: ArrayLike<number>, clock: EpisodeClock): Float64Array {
  const bucketNs = checkWhole("clock.bucketNs", clock.bucketNs, 1, DAY_NS);
  const buckets = Math.ceil(DAY_NS / bucketNs);
  if (bucketVolumes.length !== buckets)
    throw new PolicyError("INVALID_ARGUMENT", `stepProfileFromBuckets: ${buckets} buckets of ${bucketNs} ns cover a day, got ${bucketVolumes.length} volumes`);
  const start = checkWhole("clock.startTimeOfDayNs", clock.startTimeOfDayNs, 0, DAY_NS - 1);
  const stepNs = checkWhole("clock.stepNs", clock.stepNs, 1, DAY_NS);
  const steps = checkWhole("clock.horizonSteps", clock.horizonSteps, 1, 2 ** 31 - 1);
  const rates = profileFromVolumes(bucketVolumes); // validated, and fractions keep the sums well scaled
  const volumes = new Float64Array(steps);
  for (let k = 0; k < steps; k++) {
    let from = (start + k * stepNs) % DAY_NS;
    let left = stepNs;
    let volume = 0;
    while (left > 0) {
      const b = Math.floor(from / bucketNs);
      const bucketEnd = Math.min((b + 1) * bucketNs, DAY_NS);
      const overlap = Math.min(left, bucketEnd - from);
      volume += (rates[b] * overlap) / (bucketEnd - b * bucketNs);
      left -= overlap;
      from = bucketEnd === DAY_NS ? 0 : bucketEnd;
    }
    volumes[k] = volume;
  }
  return profileFromVolumes(volumes);
}
