import { describe, expect, it } from "vitest";
import { OrderBook, Side, Tif } from "../../native/index.js";

describe("OrderBook", () => {
  it("fills an IOC buy across two ask levels at the makers' prices", () => {
    const book = new OrderBook();
    book.limit({ id: 1, side: Side.Sell, priceTicks: 101, qtyLots: 5 });
    book.limit({ id: 2, side: Side.Sell, priceTicks: 102, qtyLots: 5 });
    const r = book.limit({ id: 3, side: Side.Buy, priceTicks: 102, qtyLots: 7, tif: Tif.IOC });
    expect(r.trades).toEqual([
      { makerId: 1, takerId: 3, priceTicks: 101, qtyLots: 5, aggressor: Side.Buy },
      { makerId: 2, takerId: 3, priceTicks: 102, qtyLots: 2, aggressor: Side.Buy },
    ]);
    expect(book.bestAsk()).toBe(102);
    expect(book.depthAt(Side.Sell, 102)).toBe(3);
    expect(book.checkInvariants()).toBeNull();
  });
});
