// Calibration recovers known parameters from a long stream generated with them: the flow records itself as LOBSTER
// messages, and the estimators the calibration uses read the recording as they read a real day.
import { describe, expect, it } from "vitest";
import { FlowSim, type PoissonFlowSpec } from "../../../native/index.js";
import { cancelRatesByDistance, joinRatesByLevel, limitSizeLaw, modalOrderSize, patientOrders, placementFromMid } from "../../../eval/generative/calibrate.js";
import { dayFromRecording } from "../../../eval/microstructure/day.js";
import { fitHawkes } from "../../../eval/microstructure/hawkes.js";
import { marketOrders } from "../../../eval/microstructure/spread.js";

const HOURS = 6;

describe("the calibration's estimators on a stream generated with known parameters", () => {
  // Cancels per order: 0.4/s within 15 ticks of the opposite quote, 0.05/s beyond; limits placed 5-24 ticks from
  // the reference; Hawkes market orders n 0.5, β 20/s; one-lot orders; the reference fixed (no impact, no news).
  const cancels = Array.from({ length: 60 }, (_, k) => (k < 15 ? 0.4 : 0.05));
  const placement = Array.from({ length: 24 }, (_, k) => (k >= 4 ? 0.1 : 0));
  const truth = { branching: 0.5, decayPerSec: 20 };
  const flow: Omit<PoissonFlowSpec, "kind"> = {
    distanceRatesPerSec: placement, cancelRatesPerSec: cancels, marketRatePerSec: 0.05 * (1 - truth.branching), hawkes: truth,
    sizeP: 1, marketSizeP: 1, referencePriceTicks: 10_000, seedDepth: 20, anchored: true, propagator: { impactTicks: 0, newsPerSec: 0 },
  };
  const sim = new FlowSim(flow);
  sim.reset(5);
  sim.advanceTo(600e9);
  // Every level is recorded, so the estimator sees every resting order's exposure (a LOBSTER file lists ten).
sim.record(60);
  sim.advanceTo((600 + HOURS * 3600) * 1e9);
  const day = dayFromRecording(sim.takeRecording(), { symbol: "SIM", tickSize: 0.01, lotSize: 1 });

  it("finds the cancel rates by distance from the opposite quote where orders rest", () => {
    const est = cancelRatesByDistance(day, 60, 20_000);
    console.log(`cancel rates by distance: ${est.slice(0, 30).map((x) => x.toFixed(3)).join(" ")}`);
    // Orders rest from about 10 ticks from the opposite quote outward: check distances both regimes cover well.
    for (const d of [11, 13]) expect(est[d - 1], `distance ${d}`).toBeGreaterThan(0.4 / 1.25), expect(est[d - 1]).toBeLessThan(0.4 * 1.25);
    for (const d of [18, 22, 26]) expect(est[d - 1], `distance ${d}`).toBeGreaterThan(0.05 / 1.25), expect(est[d - 1]).toBeLessThan(0.05 * 1.25);
  });

  it("finds the placement law's support and its rate per side, adds at a quoted price counted as joins", () => {
    const est = placementFromMid(day, 60);
    const joins = joinRatesByLevel(day);
    const placed = est.reduce((s, x) => s + x, 0), joined = joins.reduce((s, x) => s + x, 0);
    console.log(`placement from the mid: ${est.slice(0, 30).map((x) => x.toFixed(3)).join(" ")}; joins by level: ${joins.map((x) => x.toFixed(3)).join(" ")}`);
    // The mid sits near the reference (no impact, no news), so the table comes back within a tick or two of its support;
    // the adds that land on a price already quoted are the joins, and together they carry the whole rate.
    expect(placed + joined).toBeGreaterThan(0.9 * 2.0); // 20 distances × 0.1 per side per second
    expect(placed + joined).toBeLessThan(1.1 * 2.0);
    expect(joined).toBeGreaterThan(0);
    const inside = est.slice(3, 26).reduce((s, x) => s + x, 0);
    expect(inside / placed).toBeGreaterThan(0.9);
  });

  it("finds the size law by distance of a stream whose sizes depend on distance", () => {
    // Sizes 3 or 7 lots at distances 1-10 from the reference, 50 beyond.
    const sized = new FlowSim({ ...flow, limitSizes: { bucketTicks: 10, atomsLots: [[3, 7], [50, 50]] } });
    sized.reset(9);
    sized.advanceTo(600e9);
    sized.record(60);
    sized.advanceTo(3 * 3600e9);
    const law = limitSizeLaw(dayFromRecording(sized.takeRecording(), { symbol: "SIM", tickSize: 0.01, lotSize: 1 }), { bucketTicks: 5, atoms: 4, maxDistance: 30 });
    console.log(`size atoms by 5-tick bucket: ${law.atomsLots.map((r) => r.join("/")).join(" ")}`);
    // Distances 1-5 from the mid: the small sizes in equal shares; 16-20: 50 lots only. Between, the mid's few ticks
    // from the reference blur the boundary (measured: 3/4/7/25 at 6-10, 24/50/50/50 at 11-15).
    expect(law.atomsLots[0]).toEqual([3, 3, 7, 7]);
    expect(law.atomsLots[3]).toEqual([50, 50, 50, 50]);
  });

  it("finds the unit, and the Hawkes branching and decay of market orders", () => {
    expect(modalOrderSize(day)).toBe(1);
    const times = Float64Array.from(marketOrders(day, { includeHidden: true }), (o) => o.t).sort();
    const fit = fitHawkes(times, day.t[day.t.length - 1]);
    console.log(`${times.length} market orders: n ${fit.n.toFixed(3)} ± ${fit.se.n.toFixed(3)}, β ${fit.beta.toFixed(2)} ± ${fit.se.beta.toFixed(2)}`);
    expect(Math.abs(fit.n - truth.branching)).toBeLessThan(Math.max(4 * fit.se.n, 0.06));
    expect(Math.abs(fit.beta - truth.decayPerSec)).toBeLessThan(Math.max(4 * fit.se.beta, 3));
  });
});

describe("the calibration's estimators on a stream with patient orders", () => {
  // The stream above, with 30% of the orders patient: cancelled at 1e-6/s whatever their distance (GOOG's fit: 1.6e-7/s),
  // so they leave the book only when a market order reaches them.
  const cancels = Array.from({ length: 60 }, (_, k) => (k < 15 ? 0.4 : 0.05));
  const truth = { share: 0.3, cancelPerSec: 1e-6 };
  const flow: Omit<PoissonFlowSpec, "kind"> = {
    distanceRatesPerSec: Array.from({ length: 24 }, (_, k) => (k >= 4 ? 0.1 : 0)), cancelRatesPerSec: cancels, marketRatePerSec: 0.025,
    hawkes: { branching: 0.5, decayPerSec: 20 }, sizeP: 1, marketSizeP: 1, referencePriceTicks: 10_000, seedDepth: 20, anchored: true,
    propagator: { impactTicks: 0, newsPerSec: 0 }, patience: { share: truth.share, fromTicks: 1, cancelPerSec: truth.cancelPerSec },
  };
  const sim = new FlowSim(flow);
  sim.reset(9);
  // Recorded from the start: a patient order placed before the recording would rest unseen for an hour, in the
  // others' volume (as orders placed before a LOBSTER file's first message do).
  sim.record(60);
  sim.advanceTo(HOURS * 3600e9);
  const day = dayFromRecording(sim.takeRecording(), { symbol: "SIM", tickSize: 0.01, lotSize: 1 });

  it("finds the patient share and their cancel rate from the orders that outlive 10 minutes", () => {
    // Orders placed 12 or more ticks from the mid rarely meet a market order: their ends are cancels.
    const est = patientOrders(day, 12, 600);
    console.log(`patient share ${est.share.toFixed(3)} (truth ${truth.share}), cancel rate ${est.cancelPerSec.toExponential(2)}/s (truth ${truth.cancelPerSec.toExponential(2)})`);
    expect(est.share).toBeGreaterThan(truth.share / 1.25);
    expect(est.share).toBeLessThan(truth.share * 1.25);
    // Six hours see a handful of their cancels at most: the rate is known to be slow, not how slow.
    expect(est.cancelPerSec).toBeLessThan(1e-4);
  });

  // Where orders rest far from the opposite quote. Nearer, patient orders reach the touch and are executed within 10
  // minutes, and such an order is counted with the others (the estimate there is several times too low: known, and
  // why the calibration's simulated moments, not this table alone, set the near book).
  it("measures the other orders' cancel rates without the patient ones, which would drag them down", () => {
    const patient = patientOrders(day, 1, 600).ids;
    const without = cancelRatesByDistance(day, 60, 20_000, patient), mixed = cancelRatesByDistance(day, 60, 20_000);
    console.log(`cancel rates without the patient orders: ${without.slice(10, 26).map((x) => x.toFixed(3)).join(" ")}; with them: ${mixed.slice(10, 26).map((x) => x.toFixed(3)).join(" ")}`);
    for (const d of [18, 22, 26]) {
      expect(without[d - 1], `distance ${d}`).toBeGreaterThan(0.05 / 1.3);
      expect(without[d - 1]).toBeLessThan(0.05 * 1.3);
      expect(mixed[d - 1]).toBeLessThan(without[d - 1] / 2);
    }
  });
});
