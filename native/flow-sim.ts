// The generative flow alone on a book (NativeFlowSim): its messages recorded as a LOBSTER day would list them, and
// paired metaorder runs for the impact protocol. The execution env runs the same flow with an agent in it.
import type { BookOptions } from "./book.js";
import { bookOptions, fail } from "./checks.js";
import { nativeFlow, type PoissonFlowSpec } from "./batch.js";
import { binding, type NativeFlowSimHandle } from "./load.js";

/** A recorded stretch of the flow: one entry per visible message, with the book's top levels after it. */
export interface FlowRecording {
  tsNs: Float64Array;
  /** 1 add, 3 delete, 4 execution (on the resting order's side), as LOBSTER numbers them. */
  type: Uint8Array;
  side: Uint8Array;
  orderId: Float64Array;
  priceTicks: Float64Array;
  qtyLots: Float64Array;
  /** [level][message]; NaN prices where the level is empty. */
  bidPrice: Float64Array[];
  bidQty: Float64Array[];
  askPrice: Float64Array[];
  askQty: Float64Array[];
}

/** One batch of paired runs: the metaorder and, on the same random numbers, a control without it. */
export interface ImpactRunsSpec {
  seeds: readonly number[];
  /** 0: the metaorder buys; 1: it sells. */
  side: 0 | 1;
  /** Market orders of `unitLots` lots each. */
  units: number;
  unitLots: number;
  /** The flow runs alone this long first. */
  warmupNs: number;
  /** Between units; the first goes half an interval after the warm-up. */
  intervalNs: number;
  /** After the warm-up: mids recorded there. */
  checkpointsNs: readonly number[];
}

export interface ImpactRuns {
  /** [run × checkpoint] mids with the metaorder and in the control (NaN where a side was empty). */
  meta: Float64Array;
  control: Float64Array;
  /** Mid at the end of the warm-up (the same in both runs). */
  startMid: Float64Array;
  /** Units that found the other side empty, per run. */
  unexecuted: Float64Array;
}

/** The Poisson flow (with its Hawkes and latent parts) on a book of its own. */
export class FlowSim {
  private readonly handle: NativeFlowSimHandle;

  constructor(flow: Omit<PoissonFlowSpec, "kind">, book?: BookOptions) {
    this.handle = new (binding()).NativeFlowSim({ flow: nativeFlow({ kind: "poisson", ...flow }), book: bookOptions("book", book) });
  }

  reset(seed: number, startNs = 0): void {
    this.handle.reset(seed, startNs);
  }
  advanceTo(tNs: number): void {
    this.handle.advanceTo(tNs);
  }
  /** A market order now; returns the lots it filled. */
  market(side: 0 | 1, qty: number): number {
    return this.handle.market(side, qty);
  }
  /** The book's top now (NaN prices where a side is empty). */
  top(): { bid: number; ask: number; bidQty: number; askQty: number; nowNs: number } {
    const t = this.handle.top();
    return { bid: t[0], ask: t[1], bidQty: t[2], askQty: t[3], nowNs: t[4] };
  }
  /** Flow events applied since the last reset. */
  events(): number {
    return this.handle.events();
  }
  /** Records every visible message from now on, with the top `levels` levels after each; null stops. */
  record(levels: number | null): void {
    this.handle.record(levels);
  }
  /** What was recorded since record() or the last take, then cleared. */
  takeRecording(): FlowRecording {
    return this.handle.takeRecording();
  }
  /** Paired metaorder and control runs, one pair per seed, in this thread. */
  impactRuns(spec: ImpactRunsSpec): ImpactRuns {
    if (!Number.isInteger(spec.units) || spec.units < 1) fail(`units must be a whole number >= 1, got ${spec.units}`);
    if (!Number.isInteger(spec.unitLots) || spec.unitLots < 1) fail(`unitLots must be a whole number >= 1, got ${spec.unitLots}`);
    if (!(spec.intervalNs >= 1)) fail(`intervalNs must be at least 1, got ${spec.intervalNs}`);
    return this.handle.impactRuns({
      seeds: Float64Array.from(spec.seeds), side: spec.side, units: spec.units, unitLots: spec.unitLots, warmupNs: Math.round(spec.warmupNs),
      intervalNs: Math.round(spec.intervalNs), checkpointsNs: Float64Array.from(spec.checkpointsNs, Math.round),
    });
  }
}
