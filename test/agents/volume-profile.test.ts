// Volume profiles for VWAP: from observed volumes, from a trades table's columns, and cut into an episode's steps.
import { describe, expect, it } from "vitest";
import {
  DAY_NS,
  PolicyError,
  VwapPolicy,
  profileFromVolumes,
  stepProfileFromBuckets,
  timeOfDayNs,
  tradeVolumeByTimeOfDay,
  uniformProfile,
} from "../../agents/index.js";
import { ToyMarket, childSizes } from "./toy-market.js";

const HOUR_NS = 3_600_000_000_000;
const MINUTE_NS = 60_000_000_000;

describe("volume profiles", () => {
  it("normalises observed volumes, and falls back to uniform when nothing traded", () => {
    expect(Array.from(profileFromVolumes([1, 3, 0, 4]))).toEqual([0.125, 0.375, 0, 0.5]);
    expect(Array.from(profileFromVolumes([0, 0, 0, 0]))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(uniformProfile(3))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(() => profileFromVolumes([1, -1])).toThrow(PolicyError);
    expect(() => profileFromVolumes([])).toThrow(PolicyError);
    expect(() => uniformProfile(0)).toThrow(PolicyError);
  });

  it("buckets trades by UTC time of day, summed over days", () => {
    const day0 = 1_700_000_000n * 1_000_000_000n - (1_700_000_000n * 1_000_000_000n) % BigInt(DAY_NS); // a UTC midnight
    const at = (day: number, hours: number) => day0 + BigInt(day * DAY_NS) + BigInt(Math.round(hours * HOUR_NS));
    const ts = BigInt64Array.from([at(0, 0.5), at(0, 9.25), at(1, 9.75), at(1, 23.99), at(2, 9)]);
    const qty = BigInt64Array.from([1n, 10n, 20n, 3n, 5n]);
    const hourly = tradeVolumeByTimeOfDay(ts, qty, HOUR_NS);
    expect(hourly.length).toBe(24);
    expect(hourly[0]).toBe(1);
    expect(hourly[9]).toBe(35);
    expect(hourly[23]).toBe(3);
    expect(hourly.reduce((a, b) => a + b, 0)).toBe(39);
    // 7 h buckets: ⌈24/7⌉ = 4, the last 3 h long.
    expect(tradeVolumeByTimeOfDay(ts, qty, 7 * HOUR_NS).length).toBe(4);
    expect(timeOfDayNs(at(3, 9.25))).toBe(9.25 * HOUR_NS);
    expect(timeOfDayNs(-1)).toBe(DAY_NS - 1);
  });

  it("cuts per-bucket volumes into an episode's steps, pro rata to the overlap, across midnight too", () => {
    const hourly = new Float64Array(24);
    hourly[9] = 60;
    hourly[10] = 30;
    hourly[23] = 10;
    hourly[0] = 30;
    // 09:30 to 11:00 in 30-minute steps: half of 9 h, half of 10 h, the other half of 10 h.
    const morning = stepProfileFromBuckets(hourly, { bucketNs: HOUR_NS, startTimeOfDayNs: 9.5 * HOUR_NS, stepNs: 30 * MINUTE_NS, horizonSteps: 3 });
    expect(Array.from(morning).map((f) => +f.toFixed(12))).toEqual([0.5, 0.25, 0.25]);
    // 23:00 to 01:00 in 1-hour steps wraps at midnight.
    const night = stepProfileFromBuckets(hourly, { bucketNs: HOUR_NS, startTimeOfDayNs: 23 * HOUR_NS, stepNs: HOUR_NS, horizonSteps: 2 });
    expect(Array.from(night).map((f) => +f.toFixed(12))).toEqual([0.25, 0.75]);
    // Hours without trades: uniform.
    const quiet = stepProfileFromBuckets(hourly, { bucketNs: HOUR_NS, startTimeOfDayNs: 3 * HOUR_NS, stepNs: MINUTE_NS, horizonSteps: 4 });
    expect(Array.from(quiet)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(() => stepProfileFromBuckets(hourly, { bucketNs: 2 * HOUR_NS, startTimeOfDayNs: 0, stepNs: 1, horizonSteps: 1 })).toThrow(/12 buckets/);
  });

  it("gives VwapPolicy a time-of-day profile per episode", () => {
    const hourly = new Float64Array(24);
    hourly[9] = 75;
    hourly[10] = 25;
    const clock = { bucketNs: HOUR_NS, stepNs: HOUR_NS, horizonSteps: 2 };
    const policy = new VwapPolicy({ profile: uniformProfile(2), numEnvs: 2 });
    policy.setProfile(0, stepProfileFromBuckets(hourly, { ...clock, startTimeOfDayNs: 9 * HOUR_NS }));
    policy.setProfile(1, stepProfileFromBuckets(hourly, { ...clock, startTimeOfDayNs: 10 * HOUR_NS }));
    const logs = new ToyMarket({ numEnvs: 2 }).run(policy, [
      { parentLots: 40, horizonSteps: 2 },
      { parentLots: 40, horizonSteps: 2 },
    ]);
    expect(childSizes(logs[0])).toEqual([30, 10]);
    expect(childSizes(logs[1])).toEqual([40]); // all of 10 h's volume, none at 11 h
  });
});
