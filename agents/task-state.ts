// The typed state of N execution tasks that policies read: one array per field, element i is env i.
// The native execution task writes these arrays in place at every step (no object per env per step); a
// live loop will fill the same arrays from its mirrored book, so a policy written against them runs unchanged.

/** Parent order side: 0 buy, 1 sell (the book's bid/ask codes). */
export type ParentSide = 0 | 1;

/**
 * Placement of a child order, the second action component:
 * 0 market; 1 limit at the touch (best bid for a buy, best ask for a sell); 2 limit one tick inside the spread
 * (at the touch when the spread is one tick); 3 limit one tick behind the touch.
 */
export const Placement = { Market: 0, Touch: 1, Inside: 2, Behind: 3 } as const;
export type Placement = (typeof Placement)[keyof typeof Placement];

/**
 * How the first action component is read.
 * - `multiplier`: index into {0, ½, 1, 2, 4} × the adaptive TWAP slice (remaining ÷ steps left), the
 *   default `MultiDiscrete([5, 4])` space agents learn in;
 * - `lots`: the child order's size in lots, exactly (baselines use this to follow their schedules exactly).
 * Size 0 means wait: no new child this step, and a resting child stays as it is. Children at the asked
 * price (resting or on their way) are resized to the size asked: a reduce keeps their queue places, growing
 * adds an order behind them. At another price, or to market, the oldest child is replaced by the new order,
 * which carries its remaining lots when the replace lands; the others are cancelled. What is sent is capped
 * so that the live children and replaces in flight never hold more than what is left of the parent (a child
 * being cancelled may still fill on the way), so the parent is never overfilled.
 */
export type ActionMode = "multiplier" | "lots";

/** The per-env arrays; all have length N (`numEnvs`). Prices are ticks, sizes lots, NaN where undefined. */
export interface ExecutionTaskState {
  readonly numEnvs: number;
  /** Decision interval, ns (the same for every env of a batch). */
  readonly stepNs: number;
  readonly side: Uint8Array;
  readonly parentLots: Float64Array;
  readonly remainingLots: Float64Array;
  readonly filledLots: Float64Array;
  /** Decisions taken so far in this episode (0 at the first decision). */
  readonly elapsedSteps: Int32Array;
  readonly horizonSteps: Int32Array;
  /** What a linear (TWAP) schedule would still hold now: parent × (horizon − elapsed) / horizon. */
  readonly scheduleRemainingLots: Float64Array;
  /** When the episode started, ns since the flow's origin (a replay: since the file's first message). */
  readonly episodeStartNs: Float64Array;
  /** Mid at the episode's start, ticks: the benchmark of implementation shortfall. */
  readonly arrivalMidTicks: Float64Array;
  /** Top of book as the agent sees it (market-data latency applied); NaN when that side is empty. */
  readonly bestBidTicks: Float64Array;
  readonly bestAskTicks: Float64Array;
  readonly bidQtyLots: Float64Array;
  readonly askQtyLots: Float64Array;
  /** The agent's fills in the last step. */
  readonly stepFilledLots: Float64Array;
  /** Volume traded by everyone else in the last step, and since the episode started (for POV). */
  readonly stepMarketVolumeLots: Float64Array;
  readonly episodeMarketVolumeLots: Float64Array;
  /** The agent's resting child orders: total lots and their price (NaN when none rests). */
  readonly restingLots: Float64Array;
  readonly restingPriceTicks: Float64Array;
}
