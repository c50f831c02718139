// Part of a day as a day of its own (sliceDay): what `tranche calibrate --from/--until` fits on.
import { expect, it } from "vitest";
import { sliceDay, type L3Day } from "../../../eval/microstructure/day.js";

function day(): L3Day {
  const n = 6;
  const col = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  return {
    symbol: "X", date: "2012-06-21", tickSize: 0.01, lotSize: 1, startLocalS: 9.5 * 3600,
    // Messages at 09:30:00, 10:00, 11:00, 12:00, 12:30, 13:00.
    t: Float64Array.from([0, 1800, 5400, 9000, 10_800, 12_600]),
    type: Uint8Array.from([1, 1, 3, 4, 1, 3]), side: Uint8Array.from([0, 1, 0, 1, 0, 1]),
    orderId: col((i) => i + 1), priceTicks: col((i) => 100 + i), qtyLots: col(() => 10),
    levels: 1, bidPrice: [col((i) => 99 + i)], bidQty: [col(() => 5)], askPrice: [col((i) => 101 + i)], askQty: [col(() => 7)],
    mid: col((i) => 100 + i),
  };
}

it("keeps the messages from --from up to, not including, --until, on a clock that starts at the first kept one", () => {
  const d = sliceDay(day(), 10 * 3600, 12.5 * 3600);
  expect(d.startLocalS).toBe(10 * 3600);
  expect(Array.from(d.t)).toEqual([0, 3600, 7200]);
  expect(Array.from(d.orderId)).toEqual([2, 3, 4]);
  expect(Array.from(d.type)).toEqual([1, 3, 4]);
  expect(Array.from(d.bidPrice[0])).toEqual([100, 101, 102]);
  expect(Array.from(d.mid)).toEqual([101, 102, 103]);
  expect(d.symbol).toBe("X");
});

it("refuses a window with no messages in it, naming the day's span", () => {
  expect(() => sliceDay(day(), 14 * 3600, 86_400)).toThrow("no messages between 14:00:00 and 24:00:00: the day runs from 09:30:00 to 13:00:00");
});
