// Bad input at the boundary: every malformed argument is refused with a TrancheError whose code says what
// kind of failure it is and whose message names the argument, and nothing is applied.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  BatchMarket, CommandKind, Instrument, OrderBook, Side, SlotState, Tif, TrancheError, type BatchOptions, type LatencySpec, type OpStream, type TrancheErrorCode,
} from "../../native/index.js";
import { MS, REFERENCE_PRICE, differingFields, ioBytes, quietFlow, stepWith, writeCommand } from "./batch-fixtures.js";

/** Runs `fn`, expects a TrancheError with `code` whose message contains every one of `names`. */
function expectRefusal(fn: () => unknown, code: TrancheErrorCode, ...names: string[]): TrancheError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected the call to throw").toBeInstanceOf(TrancheError);
  const e = caught as TrancheError;
  expect(e.code, e.message).toBe(code);
  for (const name of names) expect(e.message).toContain(name);
  return e;
}
const invalid = (fn: () => unknown, ...names: string[]) => expectRefusal(fn, "INVALID_ARGUMENT", ...names);

/** A book with a little on both sides, and its observable state for "nothing changed" checks. */
function seededBook(): OrderBook {
  const book = new OrderBook();
  book.limit({ id: 1, side: Side.Buy, priceTicks: 100, qtyLots: 5 });
  book.limit({ id: 2, side: Side.Sell, priceTicks: 102, qtyLots: 5 });
  return book;
}
const state = (b: OrderBook) => ({ bids: b.levels(Side.Buy, 10), asks: b.levels(Side.Sell, 10), totals: b.totals() });

const NOT_POSITIVE_WHOLE = [NaN, -1, 0, 1.5, Infinity, -Infinity, 2 ** 53];

describe("quantities", () => {
  it.each(NOT_POSITIVE_WHOLE)("refuses qtyLots = %s on limit and market orders, and byLots on reduce", (q) => {
    const book = seededBook();
    const before = state(book);
    invalid(() => book.limit({ id: 3, side: Side.Buy, priceTicks: 101, qtyLots: q }), "qtyLots", String(q));
    invalid(() => book.market({ side: Side.Buy, qtyLots: q }), "qtyLots");
    invalid(() => book.insertResting({ id: 3, side: Side.Buy, priceTicks: 99, qtyLots: q }), "qtyLots");
    invalid(() => book.reduce(1, q), "byLots");
    expect(state(book)).toEqual(before);
  });
});

describe("prices", () => {
  it.each([100.5, 0.1, -3.25])("refuses priceTicks = %s as off the tick grid", (p) => {
    const book = seededBook();
    const before = state(book);
    invalid(() => book.limit({ id: 3, side: Side.Buy, priceTicks: p, qtyLots: 1 }), "priceTicks", String(p), "off the tick grid");
    invalid(() => book.depthAt(Side.Buy, p), "priceTicks");
    expect(state(book)).toEqual(before);
  });

  it.each([NaN, Infinity, -Infinity])("refuses priceTicks = %s as not finite", (p) => {
    const book = seededBook();
    invalid(() => book.limit({ id: 3, side: Side.Sell, priceTicks: p, qtyLots: 1, tif: Tif.IOC }), "priceTicks", String(p));
    expect(book.totals().tradedLots).toBe(0);
  });

  it("converts decimal prices on the grid to ticks and refuses those between ticks", () => {
    const instrument = new Instrument(0.01, 1);
    expect(instrument.toTicks(100.01)).toBe(10001);
    expect(instrument.toTicks(0.07)).toBe(7);
    invalid(() => instrument.toTicks(100.005), "100.005", "off the tick grid");
    invalid(() => instrument.toTicks(NaN), "off the tick grid");
    invalid(() => new Instrument(0.5, 0.1).toLots(0.25), "0.25", "lot size");
    invalid(() => new Instrument(0, 1), "tickSize");
  });
});

describe("order ids", () => {
  it.each([0, -1, 1.5, 2 ** 53, NaN])("refuses id = %s for new orders and for lookups", (id) => {
    const book = seededBook();
    const before = state(book);
    invalid(() => book.limit({ id, side: Side.Buy, priceTicks: 99, qtyLots: 1 }), "id", String(id));
    invalid(() => book.insertResting({ id, side: Side.Buy, priceTicks: 99, qtyLots: 1 }), "id");
    invalid(() => book.cancel(id), "id");
    invalid(() => book.reduce(id, 1), "id");
    invalid(() => book.queueAhead(id), "id");
    invalid(() => book.order(id), "id");
    expect(state(book)).toEqual(before);
  });

  it("refuses a negative taker id on a market order", () => {
    const book = seededBook();
    invalid(() => book.market({ id: -1, side: Side.Sell, qtyLots: 1 }), "id");
    expect(state(book).totals.tradedLots).toBe(0);
  });
});

describe("sides, time in force and level counts", () => {
  it.each([2, -1, NaN, 0.5, "buy"])("refuses side = %s", (s) => {
    const book = seededBook();
    const side = s as unknown as Side;
    invalid(() => book.limit({ id: 3, side, priceTicks: 99, qtyLots: 1 }), "side");
    invalid(() => book.market({ side, qtyLots: 1 }), "side");
    invalid(() => book.depthAt(side, 100), "side");
    invalid(() => book.levels(side, 3), "side");
    expect(book.totals().addedLots).toBe(10);
  });

  it.each([3, -1, 1.5, NaN])("refuses tif = %s", (tif) => {
    const book = seededBook();
    invalid(() => book.limit({ id: 3, side: Side.Buy, priceTicks: 103, qtyLots: 1, tif: tif as Tif }), "tif");
    expect(book.totals().tradedLots).toBe(0);
  });

  it("refuses a negative level count with an error naming n", () => {
    invalid(() => seededBook().levels(Side.Buy, -1), "n");
  });
});

/**
 * Runs a script against the addon in a child process with a deadline, for inputs that could hang or crash
 * the test runner. The script prints "refused <code> <message>" or "accepted" for the call it makes.
 */
function runIsolated(call: string, timeoutMs = 4_000): Promise<{ stdout: string; timedOut: boolean }> {
  const indexUrl = new URL("../../native/index.ts", import.meta.url).href;
  const script = `const T = await import(${JSON.stringify(indexUrl)});
    try { ${call}; console.log("accepted"); } catch (e) { console.log("refused " + e.code + " " + e.message); }`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    let stdout = "", timedOut = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ stdout: stdout.trim(), timedOut });
    });
  });
}

describe("book options", () => {
  it.each([
    [{ initialLevels: 0 }, "initialLevels"],
    [{ maxLevels: -1 }, "maxLevels"],
    [{ orderCapacity: 1.5 }, "orderCapacity"],
    [{ maxLevels: NaN }, "maxLevels"],
  ])("refuses %o", (options, name) => {
    invalid(() => new OrderBook(options), name);
  });

  it("refuses maxLevels beyond 32 bits instead of truncating it", () => {
    invalid(() => new OrderBook({ maxLevels: 2 ** 32 + 4096 }), "maxLevels");
  });
});

describe("batch options", () => {
  it.each([0, -1, 1.5, NaN, 2 ** 17])("refuses markets = %s with an error naming markets", (markets) => {
    invalid(() => new BatchMarket({ markets }), "markets");
  });

  it.each<[Partial<BatchOptions>, string]>([
    [{ commandsPerMarket: 0 }, "commandsPerMarket"],
    [{ fillsPerMarket: 5000 }, "fillsPerMarket"],
    [{ tickSize: 0 }, "tickSize"],
    [{ lotSize: -1 }, "lotSize"],
    [{ fees: { makerBps: NaN, takerBps: 1 } }, "makerBps"],
    [{ fees: { makerBps: 1, takerBps: Infinity } }, "takerBps"],
    [{ flow: { kind: "poisson", limitRatePerSec: -1 } }, "flow.limitRatePerSec"],
    [{ flow: { kind: "poisson", cancelRatePerSec: NaN } }, "flow.cancelRatePerSec"],
    [{ flow: { kind: "poisson", distanceP: 0 } }, "flow.distanceP"],
    [{ flow: { kind: "poisson", sizeP: 1.5 } }, "flow.sizeP"],
    [{ flow: { kind: "hawkes" } as unknown as BatchOptions["flow"] }, "flow.kind"],
  ])("refuses %o", (options, name) => {
    invalid(() => new BatchMarket({ markets: 2, ...options }), name);
  });

});

// Each runs in a child process killed after a few seconds, so a hang fails the test instead of the run.
describe("inputs that must not hang the process", () => {
  it.concurrent("the isolated runner itself: a refused option comes back as a refusal", async () => {
    const r = await runIsolated("new T.OrderBook({ initialLevels: 0 })");
    expect(r).toMatchObject({ timedOut: false });
    expect(r.stdout).toMatch(/^refused INVALID_ARGUMENT .*initialLevels/);
  });

  it.concurrent("new OrderBook({ initialLevels: 2 ** 31 + 1 }) returns (refused, naming initialLevels)", async () => {
    const r = await runIsolated("new T.OrderBook({ initialLevels: 2 ** 31 + 1 })");
    expect(r.timedOut, "did not return within 4 s").toBe(false);
    expect(r.stdout).toMatch(/^refused INVALID_ARGUMENT .*initialLevels/);
  });

  it.concurrent.each([
    ["all rates zero", "limitRatePerSec: 0, marketRatePerSec: 0, cancelRatePerSec: 0"],
    ["only cancels", "limitRatePerSec: 0, marketRatePerSec: 0, cancelRatePerSec: 1"],
  ])("stepping a flow with %s returns (or the flow is refused, naming it)", async (_, rates) => {
    const r = await runIsolated(`const b = new T.BatchMarket({ markets: 1, flow: { kind: "poisson", ${rates} } }); b.reset(1); b.step(100e9)`);
    expect(r.timedOut, "did not return within 4 s").toBe(false);
    expect(r.stdout).toMatch(/^accepted$|^refused INVALID_ARGUMENT .*flow/);
  });
});

describe("latency specs", () => {
  it.each<[LatencySpec, string]>([
    [{ kind: "constant", ns: -1 }, "orderEntryLatency.ns"],
    [{ kind: "constant", ns: 1.5 }, "orderEntryLatency.ns"],
    [{ kind: "constant", ns: NaN }, "orderEntryLatency.ns"],
    [{ kind: "uniform", minNs: 10, maxNs: 5 }, "orderEntryLatency.maxNs"],
    [{ kind: "uniform", minNs: -5, maxNs: 5 }, "orderEntryLatency.minNs"],
    [{ kind: "lognormal", medianNs: 1000, sigma: -1 }, "orderEntryLatency.sigma"],
    [{ kind: "lognormal", medianNs: 1000, sigma: NaN }, "orderEntryLatency.sigma"],
    [{ kind: "lognormal", medianNs: -1, sigma: 0.5 }, "orderEntryLatency.medianNs"],
    [{ kind: "gamma" } as unknown as LatencySpec, "orderEntryLatency.kind"],
  ])("refuses order-entry latency %o", (spec, name) => {
    invalid(() => new BatchMarket({ markets: 1, orderEntryLatency: spec }), name);
    invalid(() => new BatchMarket({ markets: 1, marketDataLatency: spec }), name.replace("orderEntryLatency", "marketDataLatency"));
  });

  it("refuses a null latency spec with an error naming it", () => {
    invalid(() => new BatchMarket({ markets: 1, orderEntryLatency: null as unknown as LatencySpec }), "orderEntryLatency");
  });
});

describe("malformed batch commands", () => {
  const MALFORMED: [string, { kind: number; slot: number; side?: number; tif?: number; priceTicks?: number; qtyLots?: number }][] = [
    ["cmdQtyLots", { kind: CommandKind.Limit, slot: 0, priceTicks: REFERENCE_PRICE, qtyLots: NaN }],
    ["cmdQtyLots", { kind: CommandKind.Market, slot: 0, qtyLots: 2.5 }],
    ["cmdPriceTicks", { kind: CommandKind.Limit, slot: 0, priceTicks: REFERENCE_PRICE + 0.5, qtyLots: 1 }],
    ["cmdSlot", { kind: CommandKind.Limit, slot: 9, priceTicks: REFERENCE_PRICE, qtyLots: 1 }],
    ["cmdKind", { kind: 7, slot: 0, priceTicks: REFERENCE_PRICE, qtyLots: 1 }],
    ["cmdSide", { kind: CommandKind.Limit, slot: 0, side: 2, priceTicks: REFERENCE_PRICE, qtyLots: 1 }],
    ["cmdTif", { kind: CommandKind.Limit, slot: 0, tif: 3, priceTicks: REFERENCE_PRICE, qtyLots: 1 }],
  ];

  it.each(MALFORMED)("refuses a bad %s: INVALID_COMMAND naming the market and the field, nothing applied", (field, bad) => {
    const options = { markets: 3, commandsPerMarket: 2, flow: quietFlow() };
    const batch = new BatchMarket(options), twin = new BatchMarket(options);
    for (const b of [batch, twin]) {
      b.reset(4);
      stepWith(b, MS);
    }
    const before = ioBytes(batch.io);
    const nowBefore = batch.nowNs();
    // A good command in market 0 and a bad one in market 2, command 1, in the same step.
    const good = { kind: CommandKind.Limit, slot: 1, side: Side.Buy, priceTicks: REFERENCE_PRICE, qtyLots: 3 };
    writeCommand(batch, 0, 0, good);
    writeCommand(batch, 2, 1, bad);
    expectRefusal(() => batch.step(MS), "INVALID_COMMAND", "market 2", "command 1", field);
    expect(differingFields(before, ioBytes(batch.io))).toEqual([]);
    expect(batch.nowNs()).toBe(nowBefore);
    // Without the bad command the step runs, and matches a twin that never saw it.
    batch.io.cmdKind[2 * 2 + 1] = 0;
    batch.step(MS);
    stepWith(twin, MS, [good]);
    expect(differingFields(ioBytes(twin.io), ioBytes(batch.io))).toEqual([]);
    expect(batch.io.slotState[1]).toBe(SlotState.Resting); // the good command did rest, once
    expect(batch.io.bidQty[0]).toBe(3);
  });
});

describe("applyOps", () => {
  function stream(rows: [kind: number, side: number, id: number, priceTicks: number, qtyLots: number][]): OpStream<Float64Array> {
    return {
      kind: Uint8Array.from(rows, (r) => r[0]),
      side: Uint8Array.from(rows, (r) => r[1]),
      id: Float64Array.from(rows, (r) => r[2]),
      priceTicks: Float64Array.from(rows, (r) => r[3]),
      qtyLots: Float64Array.from(rows, (r) => r[4]),
    };
  }

  it("throws at a NaN in the middle, naming its index and field; the ops before it applied, none after", () => {
    const book = new OrderBook();
    const ops = stream([
      [0, Side.Buy, 1, 100, 5],
      [0, Side.Sell, 2, 103, 5],
      [0, Side.Buy, 3, 101, NaN],
      [0, Side.Buy, 4, 99, 5],
      [3, Side.Buy, 0, 0, 5],
    ]);
    invalid(() => book.applyOps(ops), "OpStream.qtyLots[2]", "2 ops before it were applied");
    expect(state(book)).toEqual({
      bids: { priceTicks: [100], qtyLots: [5] },
      asks: { priceTicks: [103], qtyLots: [5] },
      totals: { addedLots: 10, tradedLots: 0, cancelledLots: 0, restingLots: 10, orders: 2 },
    });
  });

  it.each([
    ["priceTicks[1]", [[0, 0, 1, 100, 1], [0, 0, 2, 100.5, 1]]],
    ["kind[0]", [[9, 0, 1, 100, 1]]],
    ["side[1]", [[0, 0, 1, 100, 1], [0, 2, 2, 100, 1]]],
    ["id[0]", [[0, 0, -4, 100, 1]]],
    ["id[0]", [[4, 0, 1.5, 0, 0]]],
    ["qtyLots[0]", [[5, 0, 1, 0, 0]]],
    ["qtyLots[0]", [[1, 0, 1, 100, Infinity]]],
  ] as [string, [number, number, number, number, number][]][])("names OpStream.%s when that op is malformed", (where, rows) => {
    const book = new OrderBook();
    invalid(() => book.applyOps(stream(rows)), `OpStream.${where}`);
  });

  it("refuses columns of different lengths, naming the column", () => {
    const ops = stream([[0, 0, 1, 100, 1], [0, 0, 2, 100, 1]]);
    invalid(() => new OrderBook().applyOps({ ...ops, priceTicks: new Float64Array(1) }), "OpStream.priceTicks", "2");
  });
});
