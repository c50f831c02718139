// "Best possible execution" in hindsight: on the realised path of an episode's market, the cheapest schedule of
// marketable orders that completes the parent. No policy could run it (it knows the future book), but it bounds
// what there was to save, and a report gives each policy's share of that saving.
//
// The path: the book on the side the parent takes, at every decision (and at the horizon), from a run of the
// same episode without the agent. A market order of q lots at decision k walks that book's levels; the book at
// later decisions is the realised one (the agent's earlier orders do not deplete it: liquidity is taken to
// refill between decisions, the market's own resilience), and the market's impact model shifts later prices:
// with a linear permanent impact of η ticks per lot, every price at decision k moves by η × the lots bought
// before k against the trader.
//
// Minimising Σ_k cost_k(q_k) subject to Σ q_k = X is a dynamic programme over decisions and the inventory left:
//   V(K+1, 0) = 0,   V(k, x) = min_{0 ≤ q ≤ x} cost_k(q | X − x bought before) + V(k+1, x − q).
// Without impact each cost_k is convex (a walk pays non-decreasing prices), the programme is separable, and
// taking the X cheapest lots across every decision's book solves it exactly: that is the fast path; the DP
// runs when there is impact, and a test checks both agree without it.

/** How the cost of a lot is counted: against the arrival mid, with the taker fee. */
export interface HindsightCosts {
  side: "buy" | "sell";
  parentLots: number;
  arrivalMidTicks: number;
  takerBps: number;
  /** Linear permanent impact, ticks per lot bought before the decision (0: none). */
  permanentTicksPerLot?: number;
}

/** The best schedule found: its cost in bps of the arrival notional and its lots per decision. */
export interface HindsightResult {
  costBps: number;
  lots: Float64Array;
  /** Lots past the recorded levels: bought at the horizon at its deepest recorded level's price. */
  beyondDepthLots: number;
}

/**
 * The best marketable schedule for one episode. `depth` holds `steps` snapshots of `levels` (price ticks, lots)
 * pairs, best first (missing levels: NaN, 0), decision-major; the last snapshot is the horizon's.
 */
export function bestInHindsight(depth: Float64Array, steps: number, levels: number, costs: HindsightCosts): HindsightResult {
  checkShape(depth, steps, levels, costs);
  return (costs.permanentTicksPerLot ?? 0) === 0 ? cheapestLots(depth, steps, levels, costs) : programme(depth, steps, levels, costs);
}

/** Cost of one lot at `price` ticks, in ticks against the arrival mid, fee included. */
function lotCost(price: number, c: HindsightCosts): number {
  const s = c.side === "buy" ? 1 : -1;
  return s * (price - c.arrivalMidTicks) + (c.takerBps / 1e4) * price;
}

function toBps(ticks: number, c: HindsightCosts): number {
  return (ticks / (c.parentLots * c.arrivalMidTicks)) * 1e4;
}

/** Without impact: the X cheapest lots over every decision's levels. */
function cheapestLots(depth: Float64Array, steps: number, levels: number, c: HindsightCosts): HindsightResult {
  const n = steps * levels;
  const order = new Int32Array(n);
  const price = new Float64Array(n);
  // The horizon's deepest recorded level holds whatever the recorded levels cannot (the DP walks past it at its price).
  const unlimited = deepestIndex(depth, steps - 1, levels);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(depth[2 * i]) || (depth[2 * i + 1] <= 0 && i !== unlimited)) continue;
    price[i] = lotCost(depth[2 * i], c);
    order[m++] = i;
  }
  const used = order.subarray(0, m).sort((a, b) => price[a] - price[b] || a - b);
  const lots = new Float64Array(steps);
  let left = c.parentLots;
  let ticks = 0;
  let beyond = 0;
  for (let j = 0; j < used.length && left > 0; j++) {
    const i = used[j];
    const q = i === unlimited ? left : Math.min(left, depth[2 * i + 1]);
    if (i === unlimited) beyond = Math.max(0, q - depth[2 * i + 1]);
    ticks += q * price[i];
    lots[Math.floor(i / levels)] += q;
    left -= q;
  }
  return { costBps: toBps(ticks, c), lots, beyondDepthLots: beyond };
}

/** The dynamic programme over decisions and inventory left (whole lots), with linear permanent impact. */
function programme(depth: Float64Array, steps: number, levels: number, c: HindsightCosts): HindsightResult {
  const X = c.parentLots;
  const s = c.side === "buy" ? 1 : -1;
  const eta = c.permanentTicksPerLot ?? 0;
  const width = X + 1;
  // value[k·width + x]: the cheapest cost (ticks) of buying x lots from decision k on; choice: the lots at k.
  const value = new Float64Array((steps + 1) * width).fill(Infinity);
  const choice = new Int32Array(steps * width);
  value[steps * width] = 0;
  let beyond = 0;
  for (let k = steps - 1; k >= 0; k--) {
    const last = k === steps - 1;
    const row = 2 * k * levels;
    for (let x = 0; x <= X; x++) {
      // Everything before k was bought: the book at k is shifted by η × (X − x) against the trader.
      const shift = s * eta * (X - x);
      let best = Infinity, bestQ = 0, walked = 0, level = 0, inLevel = 0;
      for (let q = 0; q <= x; q++) {
        if (q > 0) {
          // The q-th lot: the next lot of the walk, or past the recorded levels (only at the horizon).
          while (level < levels && inLevel >= depth[row + 2 * level + 1]) (level += 1), (inLevel = 0);
          const p = level < levels && Number.isFinite(depth[row + 2 * level]) ? depth[row + 2 * level] : last ? deepestPrice(depth, k, levels) : NaN;
          if (Number.isNaN(p)) break;
          walked += lotCost(p + shift, c);
          inLevel += 1;
        }
        const total = walked + value[(k + 1) * width + (x - q)];
        if (total < best) (best = total), (bestQ = q);
      }
      value[k * width + x] = best;
      choice[k * width + x] = bestQ;
    }
  }
  const lots = new Float64Array(steps);
  let x = X;
  for (let k = 0; k < steps; k++) {
    lots[k] = choice[k * width + x];
    x -= lots[k];
  }
  let held = 0;
  for (let l = 0; l < levels; l++) held += depth[2 * (steps - 1) * levels + 2 * l + 1];
  beyond = Math.max(0, lots[steps - 1] - held);
  return { costBps: toBps(value[X], c), lots, beyondDepthLots: beyond };
}

function deepestIndex(depth: Float64Array, k: number, levels: number): number {
  for (let l = levels - 1; l >= 0; l--) if (Number.isFinite(depth[2 * (k * levels + l)])) return k * levels + l;
  return -1;
}

function deepestPrice(depth: Float64Array, k: number, levels: number): number {
  const i = deepestIndex(depth, k, levels);
  return i < 0 ? NaN : depth[2 * i];
}

/** Whether the horizon's snapshot (the last of `steps`) has a price on the side the parent takes. */
export function hasHorizonPrice(depth: Float64Array, steps: number, levels: number): boolean {
  return Number.isFinite(deepestPrice(depth, steps - 1, levels));
}

function checkShape(depth: Float64Array, steps: number, levels: number, c: HindsightCosts): void {
  if (!(depth instanceof Float64Array) || depth.length !== steps * levels * 2) throw new RangeError(`bestInHindsight: depth must hold steps × levels × 2 = ${steps * levels * 2} values, got ${depth?.length}`);
  if (!Number.isSafeInteger(c.parentLots) || c.parentLots < 1) throw new RangeError(`bestInHindsight: parentLots must be a whole number >= 1, got ${c.parentLots}`);
  if (!Number.isFinite(deepestPrice(depth, steps - 1, levels))) throw new RangeError("bestInHindsight: the horizon's book is empty on the side the parent takes; there is no price to complete at");
}
