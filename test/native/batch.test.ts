// Agent orders inside BatchMarket: order-entry and market-data latency, fills and fees, queue position,
// slot life cycle, fill capacity, and scale.
import { describe, expect, it } from "vitest";
import { BatchMarket, CommandKind, Side, SlotState, Tif, type BatchOptions } from "../../native/index.js";
import { MS, REFERENCE_PRICE, quietFlow, stepWith, xorshift } from "./batch-fixtures.js";

const SLOT_BUSY = 8;
const POST_ONLY_WOULD_CROSS = 3;

function quietMarket(options: Partial<BatchOptions> = {}): BatchMarket {
  const batch = new BatchMarket({ markets: 1, flow: quietFlow(), ...options });
  batch.reset(1);
  stepWith(batch, MS); // first observation of the seeded ladder
  return batch;
}
const limitBuy = (slot: number, priceTicks: number, qtyLots: number, tif: number = Tif.GTC) =>
  ({ kind: CommandKind.Limit, slot, side: Side.Buy, priceTicks, qtyLots, tif });
const limitSell = (slot: number, priceTicks: number, qtyLots: number) => ({ kind: CommandKind.Limit, slot, side: Side.Sell, priceTicks, qtyLots });
const marketOrder = (slot: number, side: number, qtyLots: number) => ({ kind: CommandKind.Market, slot, side, qtyLots });
const cancel = (slot: number) => ({ kind: CommandKind.Cancel, slot });

describe("the quiet market fixture", () => {
  it("is the seeded ladder: one lot at each tick around the reference price", () => {
    const b = quietMarket();
    expect([b.io.bestBid[0], b.io.bestAsk[0], b.io.bidQty[0], b.io.askQty[0]]).toEqual([REFERENCE_PRICE - 1, REFERENCE_PRICE + 1, 1, 1]);
    for (let i = 0; i < 100; i++) stepWith(b, 10 * MS);
    expect([b.io.bestBid[0], b.io.bestAsk[0], b.io.fillCount[0]]).toEqual([REFERENCE_PRICE - 1, REFERENCE_PRICE + 1, 0]);
  });
});

describe("order-entry latency", () => {
  it("keeps a limit order in flight for the latency, then rests it in the book", () => {
    const b = quietMarket({ orderEntryLatency: { kind: "constant", ns: 5 * MS } });
    stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE, 2)]);
    expect(b.io.cmdStatus[0]).toBe(0);
    // 1..4 ms after sending: not at the book yet.
    for (let elapsedMs = 1; elapsedMs <= 4; elapsedMs++) {
      expect(b.io.slotState[0], `${elapsedMs} ms after sending`).toBe(SlotState.InFlight);
      expect(b.io.slotQueueAheadLots[0]).toBe(-1);
      expect(b.io.slotRemainingLots[0]).toBe(2);
      expect(b.io.bestBid[0]).toBe(REFERENCE_PRICE - 1);
      stepWith(b, MS);
    }
    // 5 ms after sending: it arrived.
    expect(b.io.slotState[0]).toBe(SlotState.Resting);
    expect(b.io.slotPriceTicks[0]).toBe(REFERENCE_PRICE);
    expect(b.io.slotQueueAheadLots[0]).toBe(0);
    expect([b.io.bestBid[0], b.io.bidQty[0]]).toEqual([REFERENCE_PRICE, 2]);
  });

  it("fills a market order only when it arrives, at the book as it is then", () => {
    const b = quietMarket({ orderEntryLatency: { kind: "constant", ns: 3 * MS } });
    stepWith(b, MS, [marketOrder(0, Side.Buy, 1)]);
    stepWith(b, MS);
    expect(b.io.slotState[0]).toBe(SlotState.InFlight);
    expect(b.io.positionLots[0]).toBe(0);
    stepWith(b, MS);
    expect(b.io.slotState[0]).toBe(SlotState.Filled);
    expect(b.io.fillCount[0]).toBe(1);
    expect(b.io.fillPriceTicks[0]).toBe(REFERENCE_PRICE + 1);
    expect(b.io.positionLots[0]).toBe(1);
  });

  it("never turns an enormous lognormal latency draw into an instant arrival, cap or no cap", () => {
    // Median 9e15 ns, sigma 9.99: P(draw <= 1 ms) = P(z < -2.3) ≈ 1%, so about 2 of 200 orders; every other
    // draw is at least 1 ms, or capped at 1e15 ns. About a quarter of the draws exceed 2^63 ns.
    const arrivedWithinOneMs = (capNs: number | undefined) => {
      let arrived = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const b = new BatchMarket({ markets: 1, flow: quietFlow(), orderEntryLatency: { kind: "lognormal", medianNs: 9e15, sigma: 9.99, capNs } });
        b.reset(seed);
        stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE, 1)]);
        if (b.io.slotState[0] !== SlotState.InFlight) arrived++;
      }
      return arrived;
    };
    const counts = { uncapped: arrivedWithinOneMs(undefined), capped: arrivedWithinOneMs(1e15) };
    expect(counts.uncapped < 12 && counts.capped < 12, `orders of 200 that arrived within 1 ms: ${JSON.stringify(counts)}`).toBe(true);
  });

  it("delivers commands in the order they were sent, even with random latency", () => {
    const b = quietMarket({ orderEntryLatency: { kind: "uniform", minNs: 0, maxNs: 20 * MS } });
    // A cancel sent right after its limit must never overtake it.
    for (let round = 0; round < 20; round++) {
      stepWith(b, 0, [limitBuy(round % 8, REFERENCE_PRICE, 1)]);
      stepWith(b, MS, [cancel(round % 8)]);
      for (let i = 0; i < 25; i++) stepWith(b, MS);
      expect(b.io.slotState[round % 8], `round ${round}`).toBe(SlotState.Cancelled);
    }
    expect(b.io.bidQty[0]).toBe(1);
  });
});

describe("agent fills and fees", () => {
  const tickSize = 0.05, lotSize = 0.1;
  const notional = (priceTicks: number, qtyLots: number) => priceTicks * tickSize * qtyLots * lotSize;

  it("fills a market buy at the ask and changes position and cash by the fill, net of the taker fee", () => {
    const takerBps = 7.5;
    const b = quietMarket({ tickSize, lotSize, fees: { makerBps: -2, takerBps } });
    const ask = b.io.bestAsk[0];
    stepWith(b, MS, [marketOrder(3, Side.Buy, 1)]);
    expect(b.io.fillCount[0]).toBe(1);
    expect([b.io.fillPriceTicks[0], b.io.fillQtyLots[0], b.io.fillSlot[0], b.io.fillMaker[0]]).toEqual([ask, 1, 3, 0]);
    const fee = (notional(ask, 1) * takerBps) / 1e4;
    expect(b.io.fillFee[0]).toBeCloseTo(fee, 12);
    expect(b.io.positionLots[0]).toBe(1);
    expect(b.io.cash[0]).toBeCloseTo(-notional(ask, 1) - fee, 9);
    expect(b.io.feesPaid[0]).toBeCloseTo(fee, 12);
    expect(b.io.slotState[3]).toBe(SlotState.Filled);
    expect(b.io.slotFilledLots[3]).toBe(1);
  });

  it("sweeps several levels, one fill per level at that level's price, and sells back the same way", () => {
    const takerBps = 10;
    const b = quietMarket({ tickSize, lotSize, fees: { makerBps: 0, takerBps } });
    stepWith(b, MS, [marketOrder(0, Side.Buy, 3)]);
    const buys = [1, 2, 3].map((d) => REFERENCE_PRICE + d);
    expect(b.io.fillCount[0]).toBe(3);
    expect(Array.from(b.io.fillPriceTicks.subarray(0, 3))).toEqual(buys);
    expect(Array.from(b.io.fillSide.subarray(0, 3))).toEqual([Side.Buy, Side.Buy, Side.Buy]);
    const buyNotional = buys.reduce((s, p) => s + notional(p, 1), 0);
    expect(b.io.cash[0]).toBeCloseTo(-buyNotional * (1 + takerBps / 1e4), 9);
    stepWith(b, MS, [marketOrder(1, Side.Sell, 2)]);
    const sells = [1, 2].map((d) => REFERENCE_PRICE - d);
    expect(Array.from(b.io.fillPriceTicks.subarray(0, 2))).toEqual(sells);
    // Each fill says the agent's side and when it happened: the sell reached the book within this step.
    expect(Array.from(b.io.fillSide.subarray(0, 2))).toEqual([Side.Sell, Side.Sell]);
    const now = b.nowNs();
    for (const t of b.io.fillTsNs.subarray(0, 2)) expect(t >= now - MS && t <= now).toBe(true);
    const sellNotional = sells.reduce((s, p) => s + notional(p, 1), 0);
    expect(b.io.positionLots[0]).toBe(1);
    expect(b.io.cash[0]).toBeCloseTo(-buyNotional + sellNotional - ((buyNotional + sellNotional) * takerBps) / 1e4, 9);
    expect(b.io.feesPaid[0]).toBeCloseTo(((buyNotional + sellNotional) * takerBps) / 1e4, 12);
  });

  it("fills a market order larger than the opposite side as far as it goes, cancels the rest, and reads the empty side as NaN", () => {
    const b = quietMarket();
    stepWith(b, MS, [marketOrder(0, Side.Buy, 8)]);
    expect(b.io.fillCount[0]).toBe(5);
    expect(b.io.slotState[0]).toBe(SlotState.Cancelled);
    expect([b.io.slotFilledLots[0], b.io.slotRemainingLots[0], b.io.positionLots[0]]).toEqual([5, 0, 5]);
    expect(b.io.bestAsk[0]).toBeNaN();
    expect(b.io.askQty[0]).toBe(0);
    expect(b.io.bestBid[0]).toBe(REFERENCE_PRICE - 1);
  });

  it("charges the taker fee on the crossing part of a limit order and rests the rest", () => {
    const b = quietMarket({ tickSize, lotSize, fees: { makerBps: 1, takerBps: 4 } });
    stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE + 1, 3)]);
    expect(b.io.fillCount[0]).toBe(1);
    expect(b.io.fillMaker[0]).toBe(0);
    expect(b.io.fillFee[0]).toBeCloseTo((notional(REFERENCE_PRICE + 1, 1) * 4) / 1e4, 12);
    expect(b.io.slotState[0]).toBe(SlotState.Resting);
    expect([b.io.slotFilledLots[0], b.io.slotRemainingLots[0]]).toEqual([1, 2]);
    expect([b.io.bestBid[0], b.io.bidQty[0], b.io.bestAsk[0]]).toEqual([REFERENCE_PRICE + 1, 2, REFERENCE_PRICE + 2]);
  });

  it("applies the maker rate to passive fills, and a negative maker rate is a rebate that adds to cash", () => {
    const makerBps = -2.5;
    const b = new BatchMarket({ markets: 1, tickSize, lotSize, fees: { makerBps, takerBps: 7 } });
    b.reset(11);
    stepWith(b, MS);
    const bidAt = b.io.bestBid[0];
    stepWith(b, MS, [limitBuy(0, bidAt, 1)]);
    let steps = 0;
    while (b.io.slotState[0] === SlotState.Resting && steps++ < 20_000) stepWith(b, 10 * MS);
    expect(b.io.slotState[0]).toBe(SlotState.Filled);
    expect(b.io.fillCount[0]).toBe(1);
    expect([b.io.fillPriceTicks[0], b.io.fillMaker[0]]).toEqual([bidAt, 1]);
    const fee = (notional(bidAt, 1) * makerBps) / 1e4;
    expect(fee).toBeLessThan(0);
    expect(b.io.fillFee[0]).toBeCloseTo(fee, 12);
    expect(b.io.feesPaid[0]).toBeCloseTo(fee, 12);
    expect(b.io.cash[0]).toBeCloseTo(-notional(bidAt, 1) - fee, 9);
    expect(b.io.cash[0]).toBeGreaterThan(-notional(bidAt, 1));
  });

  it("rejects a post-only agent order that would cross, with the reason in slotReject", () => {
    const b = quietMarket();
    stepWith(b, MS, [limitBuy(2, REFERENCE_PRICE + 1, 1, Tif.PostOnly)]);
    expect(b.io.cmdStatus[0]).toBe(0);
    expect(b.io.slotState[2]).toBe(SlotState.Rejected);
    expect(b.io.slotReject[2]).toBe(POST_ONLY_WOULD_CROSS);
    expect([b.io.fillCount[0], b.io.positionLots[0], b.io.askQty[0]]).toEqual([0, 0, 1]);
  });
});

describe("queue position of a resting agent order", () => {
  it("counts what rests ahead at its price, and shrinks as that quantity trades away", () => {
    const b = quietMarket();
    stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE - 1, 2), limitBuy(1, REFERENCE_PRICE - 1, 3)]);
    // The seeded lot at 9999 came first, then slot 0, then slot 1.
    expect([b.io.slotQueueAheadLots[0], b.io.slotQueueAheadLots[1]]).toEqual([1, 3]);
    // Something else trades through the seeded lot ahead: the agent's own sell from another slot.
    stepWith(b, MS, [marketOrder(2, Side.Sell, 1)]);
    expect(b.io.fillPriceTicks[0]).toBe(REFERENCE_PRICE - 1);
    expect([b.io.slotQueueAheadLots[0], b.io.slotQueueAheadLots[1]]).toEqual([0, 2]);
    expect(b.io.slotFilledLots[0]).toBe(0);
    stepWith(b, MS, [cancel(0)]);
    expect(b.io.slotQueueAheadLots[1]).toBe(0);
    expect(b.io.slotQueueAheadLots[0]).toBe(-1);
  });

  it("never grows while its price is unchanged, and fills only once nothing is ahead of it", () => {
    const b = new BatchMarket({ markets: 1 });
    b.reset(5);
    stepWith(b, MS);
    const bidAt = b.io.bestBid[0], depthAtPlacement = b.io.bidQty[0];
    stepWith(b, 0, [limitBuy(0, bidAt, 4)]);
    expect(b.io.slotState[0]).toBe(SlotState.Resting);
    expect(b.io.slotQueueAheadLots[0]).toBe(depthAtPlacement);
    expect(depthAtPlacement).toBeGreaterThan(0);
    let ahead = b.io.slotQueueAheadLots[0];
    let sawQueueShrink = false;
    for (let step = 0; step < 50_000 && b.io.slotState[0] === SlotState.Resting; step++) {
      stepWith(b, MS);
      if (b.io.slotState[0] !== SlotState.Resting) break;
      const now = b.io.slotQueueAheadLots[0];
      expect(now, `step ${step}`).toBeGreaterThanOrEqual(0);
      expect(now, `step ${step}`).toBeLessThanOrEqual(ahead);
      if (now < ahead) sawQueueShrink = true;
      if (b.io.slotFilledLots[0] > 0) expect(now, `partly filled at step ${step} with lots still ahead`).toBe(0);
      ahead = now;
    }
    expect(sawQueueShrink).toBe(true);
    expect(b.io.slotState[0]).toBe(SlotState.Filled);
    expect(b.io.slotFilledLots[0]).toBe(4);
  });
});

describe("agent slots", () => {
  it("cancels a resting slot: Cancelled, nothing remaining, its quantity gone from the book", () => {
    const b = quietMarket();
    stepWith(b, MS, [limitBuy(4, REFERENCE_PRICE, 2)]);
    expect(b.io.bestBid[0]).toBe(REFERENCE_PRICE);
    stepWith(b, MS, [cancel(4)]);
    expect(b.io.cmdStatus[0]).toBe(0);
    expect(b.io.slotState[4]).toBe(SlotState.Cancelled);
    expect([b.io.slotRemainingLots[4], b.io.slotFilledLots[4], b.io.slotQueueAheadLots[4]]).toEqual([0, 0, -1]);
    expect([b.io.bestBid[0], b.io.bidQty[0]]).toEqual([REFERENCE_PRICE - 1, 1]);
  });

  it("leaves a slot Filled when its cancel arrives after the fill", () => {
    const b = quietMarket({ orderEntryLatency: { kind: "constant", ns: 2 * MS } });
    stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE, 2)]);
    stepWith(b, MS);
    expect(b.io.slotState[0]).toBe(SlotState.Resting);
    // The agent's own sell (sent first, so it arrives first) fills the bid before the cancel gets there.
    stepWith(b, MS, [limitSell(1, REFERENCE_PRICE, 2), cancel(0)]);
    expect(b.io.slotState[0]).toBe(SlotState.Resting);
    stepWith(b, MS);
    expect(b.io.slotState[0]).toBe(SlotState.Filled);
    expect(b.io.slotFilledLots[0]).toBe(2);
    expect(b.io.slotState[1]).toBe(SlotState.Filled);
    stepWith(b, 10 * MS);
    expect(b.io.slotState[0]).toBe(SlotState.Filled);
  });

  it("refuses a new order into a slot that holds a live order (status 8), changing nothing", () => {
    const b = quietMarket({ orderEntryLatency: { kind: "constant", ns: 2 * MS } });
    stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE, 2)]);
    stepWith(b, 0, [limitBuy(0, REFERENCE_PRICE - 3, 5)]); // busy while in flight
    expect(b.io.cmdStatus[0]).toBe(SLOT_BUSY);
    stepWith(b, MS);
    stepWith(b, MS, [marketOrder(0, Side.Sell, 1)]); // busy while resting
    expect(b.io.cmdStatus[0]).toBe(SLOT_BUSY);
    for (let i = 0; i < 3; i++) stepWith(b, MS);
    expect(b.io.slotState[0]).toBe(SlotState.Resting);
    expect([b.io.slotPriceTicks[0], b.io.slotRemainingLots[0], b.io.positionLots[0]]).toEqual([REFERENCE_PRICE, 2, 0]);
    expect([b.io.bestBid[0], b.io.bidQty[0]]).toEqual([REFERENCE_PRICE, 2]);
    // Once the slot's order is gone the slot takes a new one.
    stepWith(b, MS, [cancel(0)]);
    for (let i = 0; i < 3; i++) stepWith(b, MS);
    stepWith(b, MS, [limitBuy(0, REFERENCE_PRICE - 3, 5)]);
    expect(b.io.cmdStatus[0]).toBe(0);
    expect(b.io.slotState[0]).toBe(SlotState.InFlight);
  });
});

describe("market-data latency", () => {
  it("shows the top of book as it was one latency ago: a zero-latency twin's earlier observation", () => {
    const lagSteps = 20, dt = 10 * MS;
    const now = new BatchMarket({ markets: 1 });
    const late = new BatchMarket({ markets: 1, marketDataLatency: { kind: "constant", ns: lagSteps * dt } });
    now.reset(77);
    late.reset(77);
    const top = (b: BatchMarket) => [b.io.bestBid[0], b.io.bestAsk[0], b.io.bidQty[0], b.io.askQty[0]];
    stepWith(now, 0); // the twin's observation at time 0, before any flow
    const seenNow = [top(now)], seenLate: number[][] = [top(now)];
    for (let k = 1; k <= 300; k++) {
      stepWith(now, dt);
      stepWith(late, dt);
      seenNow.push(top(now));
      seenLate.push(top(late));
    }
    let differs = 0;
    for (let k = 1; k <= 300; k++) {
      expect(seenLate[k], `step ${k}`).toEqual(seenNow[Math.max(0, k - lagSteps)]);
      if (JSON.stringify(seenLate[k]) !== JSON.stringify(seenNow[k])) differs++;
    }
    expect(differs).toBeGreaterThan(30); // the market moved, so the lag is visible
  });
});

describe("fill reporting", () => {
  it("counts fills beyond fillsPerMarket without writing past the market's own fill rows", () => {
    const b = new BatchMarket({ markets: 2, fillsPerMarket: 2, flow: quietFlow(6) });
    b.reset(1);
    b.io.fillPriceTicks.fill(-7);
    stepWith(b, MS, [
      { m: 0, ...marketOrder(0, Side.Buy, 5) },
      { m: 1, ...marketOrder(0, Side.Buy, 1) },
    ]);
    expect(Array.from(b.io.fillCount)).toEqual([5, 1]);
    expect(Array.from(b.io.fillPriceTicks)).toEqual([REFERENCE_PRICE + 1, REFERENCE_PRICE + 2, REFERENCE_PRICE + 1, -7]);
    // Position and cash count every fill, written or not.
    expect(b.io.positionLots[0]).toBe(5);
    expect(b.io.cash[0]).toBeCloseTo(-[1, 2, 3, 4, 5].reduce((s, d) => s + (REFERENCE_PRICE + d) * 0.01, 0), 9);
    expect(b.io.slotFilledLots[0]).toBe(5);
    stepWith(b, MS);
    expect(Array.from(b.io.fillCount)).toEqual([0, 0]);
  });
});

describe("scale and consistency", () => {
  it("keeps every book consistent, and every agent's account equal to its fills, over many steps of 16 markets", () => {
    const markets = 16, fillsPerMarket = 64, tickSize = 0.01;
    const fees = { makerBps: -1, takerBps: 3 };
    const b = new BatchMarket({
      markets,
      fillsPerMarket,
      fees,
      orderEntryLatency: { kind: "uniform", minNs: 0, maxNs: 3 * MS },
      marketDataLatency: { kind: "lognormal", medianNs: MS, sigma: 0.5, capNs: 20 * MS },
    });
    b.reset(2024);
    const rand = xorshift(99);
    // The io reports fills by slot, not side: remember the side of the order each slot was last given.
    const slotSide = new Uint8Array(markets * 8);
    const position = new Float64Array(markets), cash = new Float64Array(markets), feesPaid = new Float64Array(markets);
    let fills = 0, makerFills = 0;
    for (let step = 0; step < 3000; step++) {
      const cmds = [];
      for (let m = 0; m < markets; m++) {
        if (rand() >= 0.2) continue;
        const slot = Math.floor(rand() * 8), side = rand() < 0.5 ? Side.Buy : Side.Sell, r = rand();
        const mid = Number.isNaN(b.io.bestBid[m] + b.io.bestAsk[m]) ? REFERENCE_PRICE : Math.round((b.io.bestBid[m] + b.io.bestAsk[m]) / 2);
        if (r < 0.5) cmds.push({ m, ...limitBuy(slot, mid + Math.floor(rand() * 7) - 3, 1 + Math.floor(rand() * 3)), side });
        else if (r < 0.7) cmds.push({ m, ...marketOrder(slot, side, 1 + Math.floor(rand() * 2)) });
        else cmds.push({ m, ...cancel(slot) });
      }
      stepWith(b, MS, cmds);
      const sent = new Map<number, number>();
      for (const cmd of cmds) {
        const c = sent.get(cmd.m) ?? 0;
        sent.set(cmd.m, c + 1);
        if (cmd.kind !== CommandKind.Cancel && b.io.cmdStatus[cmd.m * b.commandsPerMarket + c] === 0) slotSide[cmd.m * 8 + cmd.slot] = cmd.side;
      }
      for (let m = 0; m < markets; m++) {
        expect(b.io.fillCount[m]).toBeLessThanOrEqual(fillsPerMarket); // every fill is visible to the books kept here
        for (let f = 0; f < b.io.fillCount[m]; f++) {
          const k = m * fillsPerMarket + f;
          const buy = slotSide[m * 8 + b.io.fillSlot[k]] === Side.Buy;
          const notional = b.io.fillPriceTicks[k] * tickSize * b.io.fillQtyLots[k];
          const fee = (notional * (b.io.fillMaker[k] ? fees.makerBps : fees.takerBps)) / 1e4;
          expect(b.io.fillFee[k]).toBeCloseTo(fee, 9);
          position[m] += buy ? b.io.fillQtyLots[k] : -b.io.fillQtyLots[k];
          cash[m] += (buy ? -notional : notional) - fee;
          feesPaid[m] += fee;
          fills++;
          makerFills += b.io.fillMaker[k];
        }
        expect(b.io.positionLots[m], `market ${m} step ${step}`).toBe(position[m]);
        expect(b.io.cash[m]).toBeCloseTo(cash[m], 6);
        expect(b.io.feesPaid[m]).toBeCloseTo(feesPaid[m], 9);
      }
      if (step % 250 === 0) expect(b.checkInvariants(), `step ${step}`).toBeNull();
    }
    expect(b.checkInvariants()).toBeNull();
    expect(fills).toBeGreaterThan(500);
    expect(makerFills).toBeGreaterThan(50);
  });

  it("constructs and steps 1024 markets, each with its own independent stream", () => {
    const b = new BatchMarket({ markets: 1024 });
    b.reset(3);
    for (let i = 0; i < 50; i++) stepWith(b, 10 * MS);
    expect(b.checkInvariants()).toBeNull();
    expect(b.nowNs()).toBe(500 * MS);
    for (let m = 0; m < 1024; m++) expect(b.io.bestBid[m], `market ${m}`).toBeLessThan(b.io.bestAsk[m]);
    const distinctTops = new Set(Array.from({ length: 1024 }, (_, m) => `${b.io.bestBid[m]}/${b.io.bestAsk[m]}/${b.io.bidQty[m]}/${b.io.askQty[m]}`));
    expect(distinctTops.size).toBeGreaterThan(50);
  });
});

describe("BatchMarket flow event counter", () => {
  it("counts the background events it applied, at the flow's Poisson rate, and restarts at reset", () => {
    // Limit and market rates only (no cancels): events arrive at 2 × (40 + 10) = 100 per second per market.
    const batch = new BatchMarket({ markets: 8, flow: { kind: "poisson", limitRatePerSec: 40, marketRatePerSec: 10, cancelRatePerSec: 0 } });
    batch.reset(3);
    for (let s = 0; s < 100; s++) batch.step(100_000_000);
    const perMarketPerSec = batch.flowEvents() / 8 / 10;
    expect(perMarketPerSec).toBeGreaterThan(90);
    expect(perMarketPerSec).toBeLessThan(110);
    batch.reset(3);
    expect(batch.flowEvents()).toBe(0);
  });
});
