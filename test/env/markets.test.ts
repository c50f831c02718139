// Markets chosen by kind in one config (env/markets.ts): replays read from imported Arrow files with episode
// windows in the market's time of day, and errors that name the field.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance, writeBinance } from "../../data/binance.js";
import { DataError } from "../../data/errors.js";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import { ExecutionVectorEnv } from "../../env/execution.js";
import { checkEnv } from "../../env/index.js";
import { ExecutionEnv } from "../../env/execution.js";
import { loadMarket, type MarketConfig } from "../../env/markets.js";
import type { LobsterReplayData } from "../../native/index.js";
import { available, goog, spot, tempFolder } from "../data/fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

it("builds the Poisson market, and names an unknown kind", () => {
  expect(loadMarket({ kind: "poisson" }).market.flow).toEqual({ kind: "poisson" });
  expect(() => loadMarket({ kind: "garch" } as unknown as MarketConfig)).toThrow(/market\.kind: unknown market kind "garch"/);
});

const haveGoog = available("markets from a LOBSTER import", goog.message, goog.orderbook);
describe.skipIf(!haveGoog)("a LOBSTER market from an imported file", () => {
  const file = join(tmp.dir, "goog.arrow");
  beforeAll(() => writeLobster(parseLobster(goog.message, goog.orderbook), file));

  it("turns a morning window in New York time into episode starts since the file's first message", () => {
    const m = loadMarket({ kind: "lobster", file, starts: { from: "09:45", to: "11:30" } });
    // The file starts at 09:30:00.015105074 New York time.
    expect(m.starts).toEqual({ kind: "window", fromNs: 15 * 60e9 - 15_105_074, toNs: 120 * 60e9 - 15_105_074 });
    expect(m.market.tickSize).toBe(0.01);
    expect(m.description).toContain("GOOG on 2012-06-21");
    const env = new ExecutionEnv({ market: m.market, task: { side: "sell", parentLots: 200, horizonSteps: 12, stepNs: 5e9, starts: m.starts } });
    expect(checkEnv(env, { maxSteps: 20, otherSeeds: 2 }).passed.length).toBeGreaterThan(5);
    const vector = new ExecutionVectorEnv(4, { market: m.market, task: { side: "buy", parentLots: 100, horizonSteps: 6, stepNs: 5e9, starts: m.starts } });
    vector.reset({ seed: 1 });
    for (const s of vector.state.episodeStartNs) expect(s >= 15 * 60e9 - 15_105_074 && s <= 120 * 60e9 - 15_105_074).toBe(true);
  });

  it("mirrors the day about its opening mid: the mirrored book replays exactly, and a buyer there faces the day's sellers", () => {
    const plain = loadMarket({ kind: "lobster", file }), mirror = loadMarket({ kind: "lobster", file, mirror: true });
    expect(mirror.description).toContain("mirrored");
    const data = (m: typeof plain) => (m.market.flow as { data: LobsterReplayData }).data;
    // The replay rule holds row by row on the reflected messages and book, with the sides' counts swapped.
    const a = data(plain).verify(), b = data(mirror).verify();
    expect(b.visibleMismatches).toBe(0);
    expect(b.rowsChecked).toBe(a.rowsChecked);
    expect([b.adoptionsBid, b.adoptionsAsk, b.intoViewBid, b.intoViewAsk]).toEqual([a.adoptionsAsk, a.adoptionsBid, a.intoViewAsk, a.intoViewBid]);
    // One episode each: the mirrored buyer's book is the reflected seller's.
    const task = { parentLots: 100, horizonSteps: 3, stepNs: 5e9, starts: { kind: "list", startsNs: [3_600e9] } } as const;
    const buyer = new ExecutionVectorEnv(1, { market: mirror.market, task: { ...task, side: "buy" } });
    const seller = new ExecutionVectorEnv(1, { market: plain.market, task: { ...task, side: "sell" } });
    buyer.reset({ seed: 1 });
    seller.reset({ seed: 1 });
    // Reflected about one centre C: the mirror's bid is C − the day's ask, its ask C − the day's bid.
    const c1 = buyer.state.bestBidTicks[0] + seller.state.bestAskTicks[0], c2 = buyer.state.bestAskTicks[0] + seller.state.bestBidTicks[0];
    expect(seller.state.bestAskTicks[0] - seller.state.bestBidTicks[0]).toBeGreaterThan(0);
    expect(c1).toBe(c2);
    expect(buyer.state.arrivalMidTicks[0] + seller.state.arrivalMidTicks[0]).toBe(c1);
  });

  it.each([
    [{ from: "9:45", to: "11:30" }, /market\.starts\.from: "9:45" is not a time of day/],
    [{ from: "09:45", to: "17:00" }, /market\.starts\.to: 17:00 is outside the data, which runs from 09:30:00.015 to 15:59:59.871/],
    [{ from: "11:00", to: "10:00" }, /market\.starts\.to: 10:00 is before starts\.from 11:00/],
    [{ at: [] }, /market\.starts\.at: the list of starts is empty/],
  ])("refuses starts %j, naming the field", (starts, message) => {
    expect(() => loadMarket({ kind: "lobster", file, starts })).toThrow(message);
  });

  it("passes the data layer's error for a missing file", () => {
    expect(() => loadMarket({ kind: "lobster", file: join(tmp.dir, "nope.arrow") })).toThrow(DataError);
  });
});

const haveSpot = available("markets from a Binance import", spot.day08, spot.day09);
describe.skipIf(!haveSpot)("a Binance market from an imported file", () => {
  it("reads the depth and trades, and takes UTC times of day", () => {
    const file = join(tmp.dir, "spot.arrow");
    writeBinance(parseBinance([spot.day08, spot.day09]), file);
    const m = loadMarket({ kind: "binance", file, starts: { at: ["23:56", "00:02"] } });
    expect(m.market.flow?.kind).toBe("l2");
    expect(m.market.lotSize).toBe(1e-8);
    // The depth feed starts at 23:54:14.137 UTC; 00:02 is on the next day, six minutes after 23:56.
    const starts = m.starts as { kind: "list"; startsNs: number[] };
    expect(starts.startsNs[1] - starts.startsNs[0]).toBe(6 * 60e9);
    expect(Math.abs(starts.startsNs[0] - (2 * 60 - 14.137) * 1e9)).toBeLessThan(1e6);
    expect(() => loadMarket({ kind: "binance", file, starts: { at: ["01:00"] } })).toThrow(/market\.starts\.at\[0\]: 01:00 is outside the data/);
  });
});
