// VWAP on the GOOG replay with a time-of-day volume profile estimated from the day's own executions: each
// episode gets the profile of its start time, and its fills follow the profile's cumulative fractions.
import { beforeAll, describe, expect, it } from "vitest";
import { stepProfileFromBuckets, timeOfDayNs, tradeVolumeByTimeOfDay, VwapPolicy } from "../../agents/index.js";
import { parseLobster } from "../../data/lobster.js";
import { MessageType } from "../../data/schema.js";
import { ExecutionVectorEnv } from "../../env/execution.js";
import { LobsterReplayData } from "../../native/index.js";
import { available, goog } from "../data/fixtures.js";

const haveGoog = available("VWAP on the GOOG replay", goog.message, goog.orderbook);

describe.skipIf(!haveGoog)("VWAP with a volume profile from the GOOG day", () => {
  const BUCKET_NS = 5 * 60e9, STEP_NS = 10e9, H = 30, PARENT = 600, N = 12;
  let data: LobsterReplayData;
  let volumes: Float64Array;
  let dayStartNs: bigint;
  beforeAll(() => {
    const imp = parseLobster(goog.message, goog.orderbook);
    data = new LobsterReplayData(imp.messages.columns, imp.book.columns);
    dayStartNs = imp.messages.columns.tsNs[0];
    // Executions (visible and hidden) are the day's traded volume.
    const c = imp.messages.columns;
    const ts: bigint[] = [], qty: bigint[] = [];
    for (let i = 0; i < imp.messages.rows; i++) {
      if (c.type[i] === MessageType.VisibleExecution || c.type[i] === MessageType.HiddenExecution) ts.push(c.tsNs[i]), qty.push(c.qtyLots[i]);
    }
    volumes = tradeVolumeByTimeOfDay(ts, qty, BUCKET_NS);
  });

  it("gives each episode the profile of its start and fills along it", () => {
    const env = new ExecutionVectorEnv(N, {
      market: { fees: { makerBps: 0, takerBps: 0.3 }, orderEntryLatency: { kind: "constant", ns: 200_000 }, flow: { kind: "lobster", data } },
      task: { side: "buy", parentLots: PARENT, horizonSteps: H, stepNs: STEP_NS, actionMode: "lots", starts: { kind: "window", fromNs: 10 * 60e9, toNs: 5 * 3600e9 } },
    });
    const vwap = new VwapPolicy({ profile: new Float64Array(H).fill(1 / H), numEnvs: N });
    const [obs] = env.reset({ seed: 7 });
    const s = env.state;
    const profiles = Array.from({ length: N }, (_, i) => {
      const start = timeOfDayNs(dayStartNs + BigInt(s.episodeStartNs[i]));
      const p = stepProfileFromBuckets(volumes, { bucketNs: BUCKET_NS, startTimeOfDayNs: start, stepNs: STEP_NS, horizonSteps: H });
      vwap.setProfile(i, p);
      return p;
    });
    // The profiles follow the day's volume, which is not flat: they are not uniform, and differ by start time.
    const furthest = Math.max(...profiles.map((p) => Math.max(...Array.from(p, (w) => Math.abs(w - 1 / H)))));
    expect(furthest).toBeGreaterThan(0.1 / H);
    expect(new Set(profiles.map((p) => p[0].toFixed(6))).size).toBeGreaterThan(1);
    const actions = new Int32Array(2 * N);
    const worst = new Float64Array(N);
    const cumulative = new Float64Array(N);
    for (let k = 0; k < H; k++) {
      vwap.act(obs, s, actions);
      env.step(actions);
      for (let i = 0; i < N; i++) {
        cumulative[i] += profiles[i][k];
        worst[i] = Math.max(worst[i], Math.abs(s.filledLots[i] - PARENT * cumulative[i]));
      }
    }
    for (let i = 0; i < N; i++) {
      expect(s.terminated[i]).toBe(1);
      expect(s.filledLots[i]).toBe(PARENT);
      // Marketable slices on GOOG fill at once: the schedule is followed to within a few shares.
      expect(worst[i]).toBeLessThanOrEqual(3);
    }
  });
});
