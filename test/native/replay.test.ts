// Proof of fidelity: the replays against the real data in ../shared/data (skipped, saying why, without it).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance } from "../../data/binance.js";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import { sharedDataDir, sharedDataFiles } from "../../data/paths.js";
import { readLobster } from "../../data/reader.js";
import { BatchMarket, CommandKind, L2ReplayData, LobsterReplayData, Side, SlotState, type ImpactSpec, type LobsterReplayState, type LobsterReplayStats } from "../../native/index.js";
import { clearCommands, writeCommand } from "./batch-fixtures.js";

const dir = sharedDataDir();
const { goog, binanceSpot: spot, binanceUsdm: usdm } = sharedDataFiles();
const haveGoog = existsSync(goog.message) && existsSync(goog.orderbook);
const haveBinance = [...spot, ...usdm].every((f) => existsSync(f));
if (!haveGoog) console.log(`replay tests for LOBSTER skipped: ${goog.message} is missing (set TRANCHE_DATA_DIR to the shared data folder)`);
if (!haveBinance) console.log(`replay tests for Binance skipped: files under ${join(dir, "binance")} are missing (set TRANCHE_DATA_DIR)`);

const SEC = 1_000_000_000;

describe.skipIf(!haveGoog)("LOBSTER replay of GOOG 2012-06-21", () => {
  let data: LobsterReplayData;
  let rows: number;
  let bestBidOfRow: (row: number) => number;
  let bestAskOfRow: (row: number) => number;
  let rowAt: (tNs: number) => number;
  let fileLevels: (s: Side, row: number) => { priceTicks: number[]; qtyLots: number[] };

  beforeAll(() => {
    const imp = parseLobster(goog.message, goog.orderbook);
    data = new LobsterReplayData(imp.messages.columns, imp.book.columns);
    rows = imp.messages.rows;
    const b = imp.book.columns, ts = imp.messages.columns.tsNs, t0 = ts[0];
    bestBidOfRow = (r) => Number(b.bidPriceTicks[0][r]);
    bestAskOfRow = (r) => Number(b.askPriceTicks[0][r]);
    fileLevels = (s, r) => {
      const [p, q] = s === Side.Buy ? [b.bidPriceTicks, b.bidQtyLots] : [b.askPriceTicks, b.askQtyLots];
      return { priceTicks: p.map((c) => Number(c[r])), qtyLots: q.map((c) => Number(c[r])) };
    };
    // Last row at or before replay time t (the book the replay must show at t).
    rowAt = (t) => {
      let lo = 0, hi = rows;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (Number(ts[mid] - t0) <= t) lo = mid + 1; else hi = mid;
      }
      return lo - 1;
    };
  });

  it("reproduces all 10 levels of every orderbook row from row 0, adopting only beyond the visible range", () => {
    const v = data.verify();
    console.log(`GOOG verify: ${v.rowsChecked} rows, visible mismatches ${v.visibleMismatches}, adoptions bid ${v.adoptionsBid} ` +
      `(${v.adoptedLotsBid} lots) ask ${v.adoptionsAsk} (${v.adoptedLotsAsk} lots), unknown-id messages ${v.unknownIdMessages}, ` +
      `rows bringing prices into view bid ${v.intoViewBid} ask ${v.intoViewAsk}, hidden executions ${v.hiddenExecutions}`);
    expect(v.rowsChecked).toBe(147_916);
    expect(v.visibleMismatches, v.report).toBe(0);
    expect(v.adoptionsInViewBid).toBe(0);
    expect(v.adoptionsInViewAsk).toBe(0);
    expect(v.firstMismatchRow).toBe(-1);
    expect(v.reconciled).toBe(0);
    // Levels come into view on both sides; the replay kept most of them from when they left view, and adopts
    // those that changed unseen (new, larger or smaller): far fewer adoptions than levels coming into view.
    expect(v.intoViewBid).toBeGreaterThan(10_000);
    expect(v.intoViewAsk).toBeGreaterThan(10_000);
    expect(v.adoptionsBid).toBeGreaterThan(1000);
    expect(v.adoptionsAsk).toBeGreaterThan(1000);
    expect(v.adoptionsBid).toBeLessThan(v.intoViewBid / 2);
    expect(v.adoptionsAsk).toBeLessThan(v.intoViewAsk / 2);
    expect(v.hiddenExecutions).toBe(3_913);
  });

  it("starts exactly from the book of any row", () => {
    // Where a replay starts decides which levels beyond view it holds: starts spread over the whole day.
    for (const from of [1, 64, 65, 1_000, 12_345, 30_000, 47_111, 70_000, 90_001, 110_000, 130_313, 147_000, 147_915]) {
      const v = data.verify(from);
      expect(v.rowsChecked).toBe(rows - from);
      expect(v.visibleMismatches, `from row ${from}: ${v.report}`).toBe(0);
      expect(v.adoptionsInViewBid + v.adoptionsInViewAsk, `from row ${from}`).toBe(0);
    }
  });

  it("adopts the same levels on its fast path as the row-by-row verification, and leaves a consistent book", () => {
    const fast = data.replay();
    const full = data.verify();
    expect(fast.messages).toBe(rows);
    expect(fast.adoptionsBid).toBe(full.adoptionsBid);
    expect(fast.adoptionsAsk).toBe(full.adoptionsAsk);
    expect(fast.adoptedLotsBid).toBe(full.adoptedLotsBid);
    expect(fast.invariants).toBeNull();
  });

  it("replays a file read back from Arrow without copying its columns", () => {
    const tmp = mkdtempSync(join(tmpdir(), "tranche-replay-"));
    try {
      const out = join(tmp, "goog.arrow");
      writeLobster(parseLobster(goog.message, goog.orderbook), out);
      const { messages, book } = readLobster(out);
      const fromArrow = new LobsterReplayData(messages.columns, book.columns);
      const v = fromArrow.verify(140_000);
      expect(v.rowsChecked).toBe(rows - 140_000);
      expect(v.visibleMismatches).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("replays N windows of the day in N markets from one copy, each exactly", () => {
    const n = 8;
    const batch = new BatchMarket({ markets: n, commandsPerMarket: 1, flow: { kind: "lobster", data } });
    const starts = Array.from({ length: n }, (_, i) => i * 2_500 * SEC);
    batch.reset(1, starts);
    for (let step = 1; step <= 30; step++) {
      batch.step(SEC);
      for (let m = 0; m < n; m++) {
        const row = rowAt(starts[m] + step * SEC);
        expect(batch.io.bestBid[m], `market ${m} at ${step} s`).toBe(bestBidOfRow(row));
        expect(batch.io.bestAsk[m], `market ${m} at ${step} s`).toBe(bestAskOfRow(row));
      }
    }
    const next = Array.from({ length: n }, (_, m) => (batch.replayStats(m) as { nextRow: number }).nextRow);
    expect(new Set(next).size).toBe(n);
    expect(batch.checkInvariants()).toBeNull();
  });

  it("shifts later replayed prices by the configured permanent impact of an agent market order", () => {
    const cases: [ImpactSpec, number][] = [
      [{ kind: "linear", permanentTicks: 0.05 }, 10],
      [{ kind: "sqrt", permanentTicks: 1 }, Math.round(Math.sqrt(200))],
      [{ kind: "power", permanentTicks: 2, delta: 0.3 }, Math.round(2 * 200 ** 0.3)],
    ];
    for (const [impact, expected] of cases) {
      // Market 0 buys 200 shares at the market; market 1 is the same window without the agent.
      const batch = new BatchMarket({ markets: 2, commandsPerMarket: 1, flow: { kind: "lobster", data, impact } });
      batch.reset(1, 3_600 * SEC);
      batch.step(SEC);
      writeCommand(batch, 0, 0, { kind: CommandKind.Market, slot: 0, side: Side.Buy, qtyLots: 200 });
      batch.step(SEC);
      clearCommands(batch.io);
      expect(batch.io.positionLots[0]).toBe(200);
      const diffs: number[] = [];
      for (let s = 0; s < 120; s++) {
        batch.step(SEC);
        diffs.push(batch.io.bestBid[0] - batch.io.bestBid[1]);
      }
      expect((batch.replayStats(0) as LobsterReplayStats & { offsetTicks: number }).offsetTicks).toBe(expected);
      // The bid side the agent never touched is the control's, moved by the impact.
      const exact = diffs.filter((d) => d === expected).length;
      expect(exact / diffs.length, `${impact.kind}: bid differences ${diffs.slice(0, 20).join(",")}`).toBeGreaterThan(0.9);
      expect(batch.checkInvariants()).toBeNull();
    }
  });

  it("lets transient impact decay back to the unimpacted prices", () => {
    const batch = new BatchMarket({
      markets: 2, commandsPerMarket: 1,
      flow: { kind: "lobster", data, impact: { kind: "linear", transientTicks: 0.05, decayNs: 5 * SEC } },
    });
    batch.reset(1, 7_200 * SEC);
    batch.step(SEC);
    writeCommand(batch, 0, 0, { kind: CommandKind.Market, slot: 0, side: Side.Sell, qtyLots: 200 });
    batch.step(SEC);
    clearCommands(batch.io);
    batch.step(SEC);
    const early = batch.io.bestAsk[0] - batch.io.bestAsk[1];
    for (let s = 0; s < 60; s++) batch.step(SEC);
    expect(early).toBeLessThanOrEqual(-5);
    expect((batch.replayStats(0) as { offsetTicks: number }).offsetTicks).toBe(0);
    expect(batch.io.bestAsk[0] - batch.io.bestAsk[1]).toBe(0);
  });

  it("keeps every replayed order addressable through impact shifts: once the impact has decayed, the shifted replay is the unshifted one", () => {
    // Market 0 sells 200 shares with transient impact; market 1 makes the same sale without impact.
    const shifted = new BatchMarket({
      markets: 1, commandsPerMarket: 1,
      flow: { kind: "lobster", data, impact: { kind: "linear", transientTicks: 0.05, decayNs: 5 * SEC } },
    });
    const plain = new BatchMarket({ markets: 1, commandsPerMarket: 1, flow: { kind: "lobster", data } });
    for (const batch of [shifted, plain]) {
      batch.reset(1, 7_200 * SEC);
      batch.step(SEC);
      writeCommand(batch, 0, 0, { kind: CommandKind.Market, slot: 0, side: Side.Sell, qtyLots: 200 });
      batch.step(SEC);
      clearCommands(batch.io);
      for (let s = 0; s < 300; s++) batch.step(SEC);
    }
    const a = shifted.replayStats(0) as LobsterReplayState, b = plain.replayStats(0) as LobsterReplayState;
    expect(a.offsetTicks).toBe(0);
    // Messages about orders that moved found them again (a lost order would be an unknown id taken from
    // its level instead), and both books hold the same orders at every level.
    for (const k of ["messages", "unknownIdMessages", "reconciled", "reconciledLots", "adoptionsBid", "adoptionsAsk", "agentTakenLots"] as const)
      expect(a[k], k).toBe(b[k]);
    for (const side of [Side.Buy, Side.Sell]) expect(shifted.depth(0, side, 20)).toEqual(plain.depth(0, side, 20));
    expect(shifted.checkInvariants()).toBeNull();
  });

  it("fills a passive agent order only after the quantity ahead of it has traded or been cancelled", () => {
    const n = 6;
    const batch = new BatchMarket({ markets: n, commandsPerMarket: 1, flow: { kind: "lobster", data } });
    const starts = Array.from({ length: n }, (_, i) => (600 + i * 3_000) * SEC);
    batch.reset(1, starts);
    batch.step(SEC);
    const io = batch.io;
    const price = Array.from({ length: n }, (_, m) => io.bestBid[m]);
    for (let m = 0; m < n; m++) writeCommand(batch, m, 0, { kind: CommandKind.Limit, slot: 0, side: Side.Buy, priceTicks: price[m], qtyLots: 100 });
    batch.step(1_000_000); // 1 ms: the order is in the book
    clearCommands(io);
    let filledMarkets = 0;
    for (let m = 0; m < n; m++) {
      // On L3 data the queue is exact: everything resting at the price is ahead of a new order.
      expect(io.slotQueueAheadLots[m * 8], `market ${m}`).toBe(batch.depth(m, Side.Buy, 30).qtyLots[batch.depth(m, Side.Buy, 30).priceTicks.indexOf(price[m])] - 100);
    }
    const lastAhead = Array.from({ length: n }, (_, m) => io.slotQueueAheadLots[m * 8]);
    const lastFilled = new Float64Array(n);
    for (let s = 0; s < 1_800; s++) {
      batch.step(SEC);
      for (let m = 0; m < n; m++) {
        const k = m * 8;
        const filled = io.slotFilledLots[k];
        const resting = io.slotState[k] === SlotState.Resting;
        if (resting) {
          expect(io.slotQueueAheadLots[k], `market ${m}: queue ahead only shrinks at an unchanged price`).toBeLessThanOrEqual(lastAhead[m]);
          lastAhead[m] = io.slotQueueAheadLots[k];
        }
        if (filled > lastFilled[m]) {
          // A fill needs the queue ahead gone: the order is at the front (or gone, fully filled).
          expect(resting ? io.slotQueueAheadLots[k] : 0, `market ${m} filled with lots still ahead`).toBe(0);
          lastFilled[m] = filled;
        }
      }
    }
    for (let m = 0; m < n; m++) if (lastFilled[m] > 0) filledMarkets++;
    console.log(`passive bids filled in ${filledMarkets} of ${n} windows; replayed executions meeting the agent first: ` +
      Array.from({ length: n }, (_, m) => (batch.replayStats(m) as LobsterReplayStats).agentFillsByReplay).join(","));
    expect(filledMarkets).toBeGreaterThan(0);
    expect(batch.checkInvariants()).toBeNull();
  });

  it("reconciles later messages about liquidity the agent took: the book is the file less what the agent took", () => {
    const start = 1_800 * SEC;
    const batch = new BatchMarket({ markets: 1, commandsPerMarket: 1, flow: { kind: "lobster", data } });
    batch.reset(1, start);
    batch.step(SEC);
    writeCommand(batch, 0, 0, { kind: CommandKind.Market, slot: 0, side: Side.Buy, qtyLots: 3_000 });
    batch.step(SEC);
    clearCommands(batch.io);
    const bought = batch.io.positionLots[0];
    expect(bought).toBeGreaterThan(0);
    // Every second for an hour: at each visible price the replay holds the file's size, or less by at most
    // what the agent took and the file still shows; never more (no liquidity comes back twice).
    let equalSeconds = 0, worstShort = 0;
    for (let s = 3; s < 3_603; s++) {
      batch.step(SEC);
      const row = rowAt(start + s * SEC);
      const st = batch.replayStats(0) as LobsterReplayState;
      let same = true, short = 0;
      for (const side of [Side.Buy, Side.Sell]) {
        const book = batch.depth(0, side, 10), file = fileLevels(side, row);
        const last = file.priceTicks[9];
        const visible = (p: number) => (side === Side.Buy ? p >= last : p <= last);
        for (let k = 0; k < 10; k++) {
          if (book.priceTicks[k] !== file.priceTicks[k] || book.qtyLots[k] !== file.qtyLots[k]) same = false;
          const p = book.priceTicks[k];
          if (!visible(p)) continue;
          const f = file.qtyLots[file.priceTicks.indexOf(p)] ?? 0;
          expect(book.qtyLots[k], `${side === Side.Buy ? "bid" : "ask"} ${p} at ${s} s`).toBeLessThanOrEqual(f);
        }
        for (let k = 0; k < 10; k++) {
          const at = book.priceTicks.indexOf(file.priceTicks[k]);
          short += file.qtyLots[k] - (at >= 0 ? book.qtyLots[at] : 0);
        }
      }
      expect(short, `at ${s} s`).toBeLessThanOrEqual(st.agentTakenLots);
      worstShort = Math.max(worstShort, short);
      if (same) equalSeconds++;
    }
    const st = batch.replayStats(0) as LobsterReplayState;
    console.log(`after an agent sweep of 3,000 shares: ${bought} bought; over the next hour the book equals the file in ` +
      `${equalSeconds} of 3,600 seconds, at most ${worstShort} lots short; ${st.reconciled} messages reconciled ` +
      `(${st.reconciledLots} lots), ${st.agentTakenLots} lots the file still shows`);
    expect(st.reconciled).toBeGreaterThan(0);
    expect(st.reconciledLots).toBeGreaterThan(0);
    expect(equalSeconds).toBeGreaterThan(0);
    expect(batch.checkInvariants()).toBeNull();
  });
});

describe.skipIf(!haveBinance)("Binance L2 replay", () => {
  let spotData: ReturnType<typeof parseBinance>;
  let usdmData: ReturnType<typeof parseBinance>;
  beforeAll(() => {
    spotData = parseBinance(spot);
    usdmData = parseBinance(usdm);
  });
  afterAll(() => undefined);

  it("rebuilds best bid/ask equal to the recorded bookTicker wherever update ids coincide", () => {
    for (const [name, imp, atLeast] of [["spot", spotData, 1_000], ["usdm", usdmData, 126]] as const) {
      const data = new L2ReplayData(imp.depth.columns, imp.trades.columns);
      const r = data.checkBbo(imp.bbo.columns);
      console.log(`${name}: bookTicker compared at ${r.compared} coinciding update ids, ${r.matched} equal`);
      expect(r.compared).toBeGreaterThanOrEqual(atLeast);
      expect(r.matched, r.firstMismatch).toBe(r.compared);
    }
  });

  it("fills a passive agent order only after trades and modelled cancels clear the queue ahead", () => {
    const data = new L2ReplayData(spotData.depth.columns, spotData.trades.columns);
    const n = 4;
    const batch = new BatchMarket({ markets: n, commandsPerMarket: 1, tickSize: 0.01, lotSize: 1e-8, flow: { kind: "l2", data } });
    batch.reset(1, [30, 120, 240, 400].map((s) => s * SEC));
    batch.step(SEC);
    const io = batch.io;
    for (let m = 0; m < n; m++) writeCommand(batch, m, 0, { kind: CommandKind.Limit, slot: 0, side: m % 2 === 0 ? Side.Buy : Side.Sell, priceTicks: m % 2 === 0 ? io.bestBid[m] : io.bestAsk[m], qtyLots: 1_000 });
    batch.step(1_000_000);
    clearCommands(io);
    const lastAhead = Array.from({ length: n }, (_, m) => io.slotQueueAheadLots[m * 8]);
    for (let m = 0; m < n; m++) expect(lastAhead[m], `market ${m} joined behind the level`).toBeGreaterThan(0);
    const lastFilled = new Float64Array(n);
    for (let s = 0; s < 240; s++) {
      batch.step(SEC);
      for (let m = 0; m < n; m++) {
        const k = m * 8;
        const resting = io.slotState[k] === SlotState.Resting;
        if (resting) {
          expect(io.slotQueueAheadLots[k]).toBeLessThanOrEqual(lastAhead[m]);
          lastAhead[m] = io.slotQueueAheadLots[k];
        }
        if (io.slotFilledLots[k] > lastFilled[m]) {
          expect(resting ? io.slotQueueAheadLots[k] : 0).toBe(0);
          lastFilled[m] = io.slotFilledLots[k];
        }
      }
    }
    const stats = Array.from({ length: n }, (_, m) => batch.replayStats(m) as { queueAdvanceLots: number; cancelsAheadLots: number });
    console.log(`L2 queue: advanced by trades ${stats.map((s) => s.queueAdvanceLots).join(",")} lots, by modelled cancels ${stats.map((s) => s.cancelsAheadLots).join(",")} lots; filled ${Array.from(lastFilled).join(",")}`);
    expect(stats.some((s) => s.queueAdvanceLots > 0)).toBe(true);
    expect(stats.some((s) => s.cancelsAheadLots > 0)).toBe(true);
    expect(batch.checkInvariants()).toBeNull();
  });
});
