// Matching semantics of the native L3 book, case by case, through the public OrderBook API.
import { beforeEach, describe, expect, it } from "vitest";
import { OrderBook, Side, Status, Tif, TrancheError, statusName, type OrderResult } from "../../native/index.js";

let book: OrderBook;
beforeEach(() => {
  book = new OrderBook();
});

function bid(id: number, priceTicks: number, qtyLots: number, extra: { tif?: 0 | 1 | 2; trackQueue?: boolean } = {}): OrderResult {
  return book.limit({ id, side: Side.Buy, priceTicks, qtyLots, ...extra });
}
function ask(id: number, priceTicks: number, qtyLots: number, extra: { tif?: 0 | 1 | 2; trackQueue?: boolean } = {}): OrderResult {
  return book.limit({ id, side: Side.Sell, priceTicks, qtyLots, ...extra });
}
/** Everything observable about the book's shape, for "nothing changed" assertions. */
function snapshot(b: OrderBook = book) {
  return {
    bids: b.levels(Side.Bid, 1000),
    asks: b.levels(Side.Ask, 1000),
    bestBid: b.bestBid(),
    bestAsk: b.bestAsk(),
    totals: b.totals(),
  };
}
function thrown(fn: () => unknown): TrancheError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TrancheError);
    return e as TrancheError;
  }
  throw new Error("expected the call to throw");
}

describe("price-time priority", () => {
  it("fills the better price first, whatever the arrival order", () => {
    ask(1, 102, 2);
    ask(2, 101, 2);
    const r = bid(3, 102, 3, { tif: Tif.IOC });
    expect(r.trades.map((t) => [t.makerId, t.priceTicks, t.qtyLots])).toEqual([
      [2, 101, 2],
      [1, 102, 1],
    ]);
  });

  it("fills orders at one price first in, first out", () => {
    ask(1, 101, 2);
    ask(2, 101, 2);
    ask(3, 101, 2);
    const r = bid(4, 101, 5);
    expect(r.trades.map((t) => [t.makerId, t.qtyLots])).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
    ]);
    expect(book.order(3)).toEqual({ side: Side.Sell, priceTicks: 101, qtyLots: 1 });
    expect(book.order(1)).toBeNull();
    expect(book.queueAhead(3)).toBe(0);
  });

  it("puts a later order at an existing price behind the earlier ones", () => {
    bid(1, 100, 1);
    bid(2, 100, 1);
    bid(1_000, 100, 1);
    const r = ask(9, 100, 3, { tif: Tif.IOC });
    expect(r.trades.map((t) => t.makerId)).toEqual([1, 2, 1_000]);
  });
});

describe("partial fills", () => {
  it("walks several levels, each trade at the maker's price", () => {
    ask(1, 101, 2);
    ask(2, 102, 3);
    ask(3, 103, 4);
    const r = bid(4, 103, 7);
    expect(r.trades.map((t) => [t.makerId, t.priceTicks, t.qtyLots])).toEqual([
      [1, 101, 2],
      [2, 102, 3],
      [3, 103, 2],
    ]);
    expect(r).toMatchObject({ accepted: true, filledLots: 7, restingLots: 0, cancelledLots: 0 });
    expect(book.levels(Side.Ask, 10)).toEqual({ priceTicks: [103], qtyLots: [2] });
    expect(book.bestBid()).toBeNull();
  });

  it("rests the remainder of a limit order that partially crosses, at its own limit price", () => {
    ask(1, 101, 3);
    const r = bid(2, 102, 5);
    expect(r).toMatchObject({ accepted: true, filledLots: 3, restingLots: 2, cancelledLots: 0 });
    expect(r.trades).toEqual([{ makerId: 1, takerId: 2, priceTicks: 101, qtyLots: 3, aggressor: Side.Buy }]);
    expect(book.order(2)).toEqual({ side: Side.Buy, priceTicks: 102, qtyLots: 2 });
    expect(book.bestBid()).toBe(102);
    expect(book.bestAsk()).toBeNull();
    expect(book.checkInvariants()).toBeNull();
  });

  it("cancels an IOC remainder instead of resting it", () => {
    ask(1, 101, 3);
    ask(2, 105, 3);
    const r = bid(3, 102, 5, { tif: Tif.IOC });
    expect(r).toMatchObject({ accepted: true, filledLots: 3, restingLots: 0, cancelledLots: 2 });
    expect(book.order(3)).toBeNull();
    expect(book.bestBid()).toBeNull();
    expect(book.bestAsk()).toBe(105);
  });

  it("cancels the whole of an IOC order that crosses nothing", () => {
    ask(1, 101, 3);
    const r = bid(2, 100, 4, { tif: Tif.IOC });
    expect(r).toMatchObject({ accepted: true, filledLots: 0, restingLots: 0, cancelledLots: 4, trades: [] });
    expect(book.levels(Side.Bid, 5).priceTicks).toEqual([]);
  });
});

describe("post-only orders", () => {
  it("rejects a post-only order that would cross and leaves the book unchanged", () => {
    ask(1, 101, 3);
    bid(2, 99, 3);
    const before = snapshot();
    for (const price of [101, 102]) {
      const r = bid(3, price, 1, { tif: Tif.PostOnly });
      expect(r).toEqual({ accepted: false, rejectReason: "post-only-would-cross", filledLots: 0, restingLots: 0, cancelledLots: 0, trades: [] });
    }
    expect(ask(4, 99, 1, { tif: Tif.PostOnly }).accepted).toBe(false);
    expect(snapshot()).toEqual(before);
    expect(book.order(3)).toBeNull();
  });

  it("rests a post-only order that does not cross", () => {
    ask(1, 101, 3);
    const r = bid(2, 100, 4, { tif: Tif.PostOnly });
    expect(r).toMatchObject({ accepted: true, filledLots: 0, restingLots: 4, cancelledLots: 0, trades: [] });
    expect(book.bestBid()).toBe(100);
    expect(book.depthAt(Side.Bid, 100)).toBe(4);
  });
});

describe("market orders", () => {
  it("takes liquidity at any price, best first, up to its size", () => {
    ask(1, 101, 1);
    ask(2, 150, 1);
    ask(3, 1_000, 1);
    const r = book.market({ id: 7, side: Side.Buy, qtyLots: 2 });
    expect(r.trades).toEqual([
      { makerId: 1, takerId: 7, priceTicks: 101, qtyLots: 1, aggressor: Side.Buy },
      { makerId: 2, takerId: 7, priceTicks: 150, qtyLots: 1, aggressor: Side.Buy },
    ]);
    expect(r).toMatchObject({ filledLots: 2, cancelledLots: 0 });
    expect(book.bestAsk()).toBe(1_000);
  });

  it("cancels the remainder when the opposite side runs dry, leaving that side empty", () => {
    ask(1, 101, 2);
    ask(2, 102, 3);
    bid(3, 99, 4);
    const r = book.market({ side: Side.Buy, qtyLots: 10 });
    expect(r).toMatchObject({ accepted: true, filledLots: 5, restingLots: 0, cancelledLots: 5 });
    expect(r.trades.map((t) => t.takerId)).toEqual([0, 0]);
    expect(book.bestAsk()).toBeNull();
    expect(book.levels(Side.Ask, 10).priceTicks).toEqual([]);
    expect(book.levels(Side.Bid, 10)).toEqual({ priceTicks: [99], qtyLots: [4] });
    expect(book.checkInvariants()).toBeNull();
  });

  it("cancels everything when the opposite side is empty", () => {
    bid(1, 99, 4);
    const r = book.market({ side: Side.Buy, qtyLots: 3 });
    expect(r).toMatchObject({ filledLots: 0, cancelledLots: 3, trades: [] });
  });
});

describe("cancel and reduce", () => {
  it("cancel removes the order, returns what it had left, and moves the touch", () => {
    bid(1, 100, 5);
    bid(2, 99, 2);
    ask(3, 101, 2, { tif: Tif.GTC });
    book.market({ side: Side.Sell, qtyLots: 1 });
    expect(book.cancel(1)).toBe(4);
    expect(book.order(1)).toBeNull();
    expect(book.bestBid()).toBe(99);
    expect(book.depthAt(Side.Bid, 100)).toBe(0);
    expect(book.checkInvariants()).toBeNull();
  });

  it("reduce shrinks the order and keeps its time priority", () => {
    bid(1, 100, 5);
    bid(2, 100, 5);
    expect(book.reduce(1, 3)).toBe(2);
    expect(book.order(1)).toEqual({ side: Side.Buy, priceTicks: 100, qtyLots: 2 });
    expect(book.queueAhead(2)).toBe(2);
    const r = ask(3, 100, 3, { tif: Tif.IOC });
    expect(r.trades.map((t) => [t.makerId, t.qtyLots])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it("reducing by the order's whole size, or more, removes it", () => {
    bid(1, 100, 5);
    bid(2, 100, 5);
    bid(3, 99, 1);
    expect(book.reduce(1, 5)).toBe(0);
    expect(book.order(1)).toBeNull();
    expect(book.queueAhead(2)).toBe(0);
    expect(book.reduce(2, 50)).toBe(0);
    expect(book.order(2)).toBeNull();
    expect(book.bestBid()).toBe(99);
    expect(book.totals()).toMatchObject({ addedLots: 11, cancelledLots: 10, restingLots: 1, orders: 1 });
    expect(book.checkInvariants()).toBeNull();
  });

  it("throws UNKNOWN_ORDER for an id that is not resting, and the book still works afterwards", () => {
    bid(1, 100, 5);
    ask(2, 101, 1);
    bid(3, 101, 1); // fills order 2: its id is no longer resting
    bid(4, 98, 1);
    book.cancel(4);
    const before = snapshot();
    for (const id of [999, 2, 3, 4]) {
      const c = thrown(() => book.cancel(id));
      expect(c.code).toBe("UNKNOWN_ORDER");
      expect(c.message).toContain(String(id));
      expect(thrown(() => book.reduce(id, 1)).code).toBe("UNKNOWN_ORDER");
    }
    expect(snapshot()).toEqual(before);
    expect(ask(5, 100, 2).trades).toEqual([{ makerId: 1, takerId: 5, priceTicks: 100, qtyLots: 2, aggressor: Side.Sell }]);
    expect(book.cancel(1)).toBe(3);
    expect(book.checkInvariants()).toBeNull();
  });

  it("throws DUPLICATE_ORDER_ID when a new order reuses a resting order's id, changing nothing", () => {
    bid(1, 100, 5);
    ask(2, 105, 5);
    const before = snapshot();
    const e = thrown(() => ask(1, 100, 1));
    expect(e.code).toBe("DUPLICATE_ORDER_ID");
    expect(e.message).toContain("1");
    expect(thrown(() => bid(2, 90, 1)).code).toBe("DUPLICATE_ORDER_ID");
    expect(snapshot()).toEqual(before);
  });

  it("accepts an id again once its order has left the book", () => {
    ask(1, 101, 1);
    bid(2, 101, 1);
    expect(ask(1, 102, 3).restingLots).toBe(3);
    expect(book.order(1)).toEqual({ side: Side.Sell, priceTicks: 102, qtyLots: 3 });
  });
});

describe("trade reports", () => {
  it("name the maker, the taker, the maker's price, the quantity and the aggressor's side", () => {
    bid(10, 100, 3);
    bid(11, 99, 3);
    const sell = ask(20, 99, 4);
    expect(sell.trades).toEqual([
      { makerId: 10, takerId: 20, priceTicks: 100, qtyLots: 3, aggressor: Side.Sell },
      { makerId: 11, takerId: 20, priceTicks: 99, qtyLots: 1, aggressor: Side.Sell },
    ]);
    ask(30, 103, 2);
    const buy = bid(31, 110, 1);
    expect(buy.trades).toEqual([{ makerId: 30, takerId: 31, priceTicks: 103, qtyLots: 1, aggressor: Side.Buy }]);
    expect(book.totals().tradedLots).toBe(5);
  });
});

describe("queueAhead", () => {
  // A: untracked 3, B: tracked 4, C: untracked 5, D: tracked 2, all bids at 100, in that order.
  beforeEach(() => {
    bid(1, 100, 3);
    bid(2, 100, 4, { trackQueue: true });
    bid(3, 100, 5);
    bid(4, 100, 2, { trackQueue: true });
  });
  const ahead = () => [1, 2, 3, 4].map((id) => book.queueAhead(id));

  it("is the quantity resting ahead at the same price, for tracked and untracked orders", () => {
    expect(ahead()).toEqual([0, 3, 7, 12]);
  });

  it("decreases as orders ahead are filled", () => {
    ask(9, 100, 2, { tif: Tif.IOC });
    expect(ahead()).toEqual([0, 1, 5, 10]);
    ask(10, 100, 4, { tif: Tif.IOC }); // takes the last of A and 3 of B
    expect(ahead()).toEqual([null, 0, 1, 6]);
    expect(book.checkInvariants()).toBeNull();
  });

  it("decreases as orders ahead are cancelled or reduced", () => {
    book.reduce(1, 1);
    expect(ahead()).toEqual([0, 2, 6, 11]);
    book.cancel(3);
    expect(ahead()).toEqual([0, 2, null, 6]);
    book.reduce(2, 10);
    expect(ahead()).toEqual([0, null, null, 2]);
    expect(book.checkInvariants()).toBeNull();
  });

  it("is unchanged by orders behind it or at other prices", () => {
    bid(5, 100, 7, { trackQueue: true });
    bid(6, 99, 3);
    bid(7, 101, 3, { trackQueue: true });
    expect(ahead()).toEqual([0, 3, 7, 12]);
    book.reduce(5, 2);
    book.cancel(6);
    ask(8, 101, 2, { tif: Tif.IOC }); // fills at 101 only
    book.cancel(7);
    expect(ahead()).toEqual([0, 3, 7, 12]);
    expect(book.queueAhead(5)).toBe(14);
    book.cancel(5);
    expect(ahead()).toEqual([0, 3, 7, 12]);
    expect(book.checkInvariants()).toBeNull();
  });

  it("is null for an order that is not resting", () => {
    expect(book.queueAhead(42)).toBeNull();
    book.cancel(2);
    expect(book.queueAhead(2)).toBeNull();
  });
});

describe("levels and totals", () => {
  it("levels() lists the best n prices of one side from the touch outward, quantities summed per price", () => {
    bid(1, 100, 1);
    bid(2, 98, 2);
    bid(3, 100, 4);
    bid(4, 95, 8);
    ask(5, 103, 1);
    ask(6, 101, 2);
    ask(7, 103, 3);
    expect(book.levels(Side.Bid, 10)).toEqual({ priceTicks: [100, 98, 95], qtyLots: [5, 2, 8] });
    expect(book.levels(Side.Bid, 2)).toEqual({ priceTicks: [100, 98], qtyLots: [5, 2] });
    expect(book.levels(Side.Ask, 10)).toEqual({ priceTicks: [101, 103], qtyLots: [2, 4] });
    expect(book.levels(Side.Ask, 0)).toEqual({ priceTicks: [], qtyLots: [] });
    expect(book.depthAt(Side.Ask, 103)).toBe(4);
    expect(book.depthAt(Side.Ask, 102)).toBe(0);
  });

  it("levels() returns more than 64 levels when asked", () => {
    for (let i = 0; i < 100; i++) bid(i + 1, 1_000 - 2 * i, i + 1);
    const l = book.levels(Side.Bid, 200);
    expect(l.priceTicks.length).toBe(100);
    expect(l.priceTicks[99]).toBe(1_000 - 198);
    expect(l.qtyLots[99]).toBe(100);
  });

  it("totals() conserve quantity: added = resting + traded + cancelled", () => {
    bid(1, 100, 5); // added 5
    bid(2, 99, 4); // added 9
    ask(3, 100, 2, { tif: Tif.IOC }); // traded 2 (IOC takers add nothing)
    ask(4, 99, 6); // traded 8: the last 3 of order 1 and 3 of order 2; nothing rests
    book.reduce(2, 1); // cancelled 1: order 2 had 1 left and is gone
    ask(5, 105, 7); // added 16
    book.market({ side: Side.Buy, qtyLots: 2 }); // traded 10
    book.cancel(5); // cancelled 1 + 5 = 6
    bid(6, 90, 3); // added 19
    const t = book.totals();
    expect(t).toEqual({ addedLots: 19, tradedLots: 10, cancelledLots: 6, restingLots: 3, orders: 1 });
    expect(t.addedLots).toBe(t.restingLots + t.tradedLots + t.cancelledLots);
  });
});

describe("level window", () => {
  it("re-centres when the price walks far away, and the book stays consistent", () => {
    for (const [i, price] of [100, 100_000, 10_000_000, 100].entries()) {
      const id = 10 * (i + 1);
      bid(id, price, 3, { trackQueue: true });
      bid(id + 1, price - 1, 2);
      bid(id + 2, price, 1);
      expect(book.levels(Side.Bid, 5)).toEqual({ priceTicks: [price, price - 1], qtyLots: [4, 2] });
      expect(book.queueAhead(id + 2)).toBe(3);
      expect(book.checkInvariants()).toBeNull();
      const r = book.market({ side: Side.Sell, qtyLots: 6 });
      expect(r.trades.map((t) => [t.makerId, t.priceTicks])).toEqual([
        [id, price],
        [id + 2, price],
        [id + 1, price - 1],
      ]);
      expect(book.bestBid()).toBeNull();
      expect(book.checkInvariants()).toBeNull();
    }
  });

  it("grows the window around resting orders when a new price is far but within maxLevels", () => {
    bid(1, 100, 3);
    bid(2, 100, 4, { trackQueue: true });
    ask(3, 100_000, 5);
    ask(4, 900_000, 6);
    ask(5, 100 + (1 << 20) - 1, 7); // the widest span maxLevels (2^20) allows
    expect(book.levels(Side.Bid, 5)).toEqual({ priceTicks: [100], qtyLots: [7] });
    expect(book.levels(Side.Ask, 5)).toEqual({ priceTicks: [100_000, 900_000, 100 + (1 << 20) - 1], qtyLots: [5, 6, 7] });
    expect(book.queueAhead(2)).toBe(3);
    expect(book.checkInvariants()).toBeNull();
    expect(book.market({ side: Side.Buy, qtyLots: 11 }).trades.map((t) => t.priceTicks)).toEqual([100_000, 900_000]);
    expect(ask(6, 150, 1).trades).toEqual([]);
    expect(book.checkInvariants()).toBeNull();
  });

  it("refuses a price further than maxLevels from the resting orders with PRICE_OUT_OF_RANGE, touching nothing", () => {
    book = new OrderBook({ maxLevels: 4096 });
    bid(1, 10_000, 2, { trackQueue: true });
    ask(2, 10_010, 3);
    const before = snapshot();
    // Span of [10_000, p] is p - 10_000 + 1 ticks.
    expect(thrown(() => ask(3, 10_000 + 4096, 1)).code).toBe("PRICE_OUT_OF_RANGE");
    expect(thrown(() => bid(4, 10_010 - 4096, 1)).code).toBe("PRICE_OUT_OF_RANGE");
    // Refused before matching: the crossing part of a far GTC buy did not trade either.
    expect(thrown(() => bid(5, 20_000, 5)).code).toBe("PRICE_OUT_OF_RANGE");
    expect(thrown(() => book.insertResting({ id: 6, side: Side.Sell, priceTicks: 50_000, qtyLots: 1 })).code).toBe("PRICE_OUT_OF_RANGE");
    expect(snapshot()).toEqual(before);
    expect(book.order(3)).toBeNull();
    expect(book.queueAhead(1)).toBe(0);
    expect(book.checkInvariants()).toBeNull();
    // Exactly maxLevels wide is allowed.
    expect(ask(3, 10_000 + 4095, 1).restingLots).toBe(1);
    expect(book.checkInvariants()).toBeNull();
  });

  it("lets a far IOC order match, since it never rests", () => {
    book = new OrderBook({ maxLevels: 4096 });
    bid(1, 10_000, 2);
    ask(2, 10_010, 3);
    const r = bid(3, 1_000_000, 5, { tif: Tif.IOC });
    expect(r).toMatchObject({ filledLots: 3, cancelledLots: 2 });
    expect(book.checkInvariants()).toBeNull();
  });

  it("names the refused price in the PRICE_OUT_OF_RANGE message", () => {
    book = new OrderBook({ maxLevels: 4096 });
    bid(1, 10_000, 2);
    const e = thrown(() => ask(2, 20_000, 1));
    expect(e.code).toBe("PRICE_OUT_OF_RANGE");
    expect(e.message).toContain("20000");
    expect(e.message).toContain("maxLevels");
  });

  it.each([
    { maxLevels: 3000, bidAt: 10_000, asks: [11_000, 12_900, 13_400] },
    { maxLevels: 100, bidAt: 1_000, asks: [1_050, 1_400] },
  ])("never lets resting orders span more than maxLevels ticks (maxLevels $maxLevels)", ({ maxLevels, bidAt, asks }) => {
    book = new OrderBook({ maxLevels });
    bid(1, bidAt, 1);
    for (const [i, p] of asks.entries()) {
      try {
        ask(2 + i, p, 1);
      } catch (e) {
        expect((e as TrancheError).code).toBe("PRICE_OUT_OF_RANGE");
      }
    }
    const restingAsks = book.levels(Side.Ask, 100).priceTicks;
    const spanTicks = restingAsks[restingAsks.length - 1] - bidAt + 1;
    expect(spanTicks, `asks resting at ${restingAsks.join(", ")}`).toBeLessThanOrEqual(maxLevels);
  });
});

describe("clear", () => {
  it("empties both sides, resets the totals and frees every id", () => {
    bid(1, 100, 5);
    ask(2, 101, 5, { trackQueue: true });
    ask(3, 102, 5);
    book.market({ side: Side.Buy, qtyLots: 2 });
    book.clear();
    expect(snapshot()).toEqual({
      bids: { priceTicks: [], qtyLots: [] },
      asks: { priceTicks: [], qtyLots: [] },
      bestBid: null,
      bestAsk: null,
      totals: { addedLots: 0, tradedLots: 0, cancelledLots: 0, restingLots: 0, orders: 0 },
    });
    expect(book.order(2)).toBeNull();
    expect(thrown(() => book.cancel(1)).code).toBe("UNKNOWN_ORDER");
    expect(book.checkInvariants()).toBeNull();
    // Ids are free again and a distant price is fine in the emptied book.
    expect(bid(1, 5_000_000, 2).restingLots).toBe(2);
    expect(ask(2, 5_000_001, 2).restingLots).toBe(2);
    expect(bid(3, 5_000_001, 1).trades).toEqual([{ makerId: 2, takerId: 3, priceTicks: 5_000_001, qtyLots: 1, aggressor: Side.Buy }]);
    expect(book.checkInvariants()).toBeNull();
  });
});

describe("status codes", () => {
  it("are exported by name, one for each code the engine names", () => {
    const names = Object.entries(Status);
    expect(names.map(([, code]) => code)).toEqual(names.map((_, i) => i));
    for (const [, code] of names) expect(statusName(code)).not.toMatch(/^status \d+$/);
    expect(statusName(names.length)).toBe(`status ${names.length}`);
  });
});
