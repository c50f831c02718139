// Order-book throughput on a GOOG-shaped stream: the engine against nodejs-order-book (JS) and a textbook
// C++ book, each replaying the same ops side by side in the same process.
import { OrderBook as JsOrderBook, Side as JsSide } from "nodejs-order-book";
import { OrderBook } from "../native/index.js";
import { type FloatOpStream, googStream, type Int64OpStream, streamPrefix, toInt64, type GoogStream } from "./goog-stream.js";
import { type BenchContext, type BenchResult, type Benchmark, formatRate, mustHold, settleHeap, summarize, timeSeconds } from "./harness.js";
import { TextbookBook } from "./textbook/index.js";

/** Ops per run for the native books: ~0.1–0.3 s each at the expected rates. */
const STREAM_OPS = 3_000_000;
/** The JS peer runs ~50× slower: it replays a prefix so a run stays near one second. */
const JS_PEER_OPS = 600_000;
const NATIVE_RUNS = 15;
const JS_PEER_RUNS = 7;
/** Order slots both native books reserve up front (the stream keeps ~1,250–1,500 resting). */
const EXPECTED_ORDERS = 4096;

let memo: GoogStream | undefined;
let memo64: Int64OpStream | undefined;

/** Both native books read the stream as int64 columns, the layout Arrow files hand to the engine. */
function stream64(ctx: BenchContext): Int64OpStream {
  memo64 ??= toInt64(stream(ctx));
  return memo64;
}

/** The benchmark stream, generated once per process and shared by every book benchmark. */
function stream(ctx: BenchContext): GoogStream {
  if (memo === undefined) {
    let built: GoogStream | undefined;
    const s = timeSeconds(() => {
      built = googStream({ ops: STREAM_OPS });
    });
    memo = built!;
    const st = memo.stats;
    const pct = (k: number) => `${((100 * k) / st.ops).toFixed(3)}%`;
    ctx.log(`generated ${st.ops.toLocaleString("en-US")} GOOG-shaped ops in ${s.toFixed(1)} s: adds ${pct(st.adds)}, ` +
      `cancels ${pct(st.cancels)}, partial cancels ${pct(st.partialCancels)}, markets ${pct(st.markets)}; ` +
      `${st.restingOrdersMean.toFixed(0)} resting orders (${st.restingOrdersMin}–${st.restingOrdersMax}) on ` +
      `${st.levelsMean.toFixed(0)} levels, spread median ${st.spreadTicksMedian} ticks, mid ${st.midLowTicks}–${st.midHighTicks}`);
  }
  return memo;
}

function streamDetails(s: GoogStream): Record<string, number> {
  const st = s.stats;
  return {
    streamOps: st.ops,
    addShare: st.adds / st.ops,
    cancelShare: st.cancels / st.ops,
    partialCancelShare: st.partialCancels / st.ops,
    marketShare: st.markets / st.ops,
    tradesPerOp: st.expectedTrades / st.ops,
    restingOrdersMean: Math.round(st.restingOrdersMean),
    levelsMean: Math.round(st.levelsMean),
    spreadTicksMedian: st.spreadTicksMedian,
    midRangeTicks: st.midHighTicks - st.midLowTicks,
  };
}

function ourBook(): OrderBook {
  return new OrderBook({ orderCapacity: EXPECTED_ORDERS });
}

/** Replays the stream once on a fresh engine book and checks it did exactly the work the generator planned. */
function verifyOurs(s: GoogStream): void {
  const book = ourBook();
  const st = book.applyOps(s);
  mustHold(st.refused === 0, `the engine refused ${st.refused} ops of the GOOG stream: the generator wrote an invalid stream`);
  mustHold(st.trades === s.stats.expectedTrades && st.tradedLots === s.stats.expectedTradedLots,
    `the engine traded ${st.trades} times / ${st.tradedLots} lots, the generator's book ${s.stats.expectedTrades} / ${s.stats.expectedTradedLots}`);
  const broken = book.checkInvariants();
  mustHold(broken === null, `the engine's book is inconsistent after the stream: ${broken}`);
}

// ---- the JS peer --------------------------------------------------------------------------------

/** The stream in the JS peer's vocabulary (string ids, side names), built before timing. */
interface JsOps {
  ops: FloatOpStream;
  ids: string[];
}

function jsOps(ops: FloatOpStream): JsOps {
  const ids = new Array<string>(ops.kind.length);
  for (let i = 0; i < ids.length; i++) ids[i] = String(ops.id[i]);
  return { ops, ids };
}

/** Replays ops on a fresh nodejs-order-book through its public API; counts traded lots and refusals. */
function replayJs({ ops, ids }: JsOps): { tradedLots: number; refused: number } {
  const book = new JsOrderBook();
  const { kind, side, priceTicks, qtyLots } = ops;
  let tradedLots = 0, refused = 0;
  for (let i = 0; i < kind.length; i++) {
    const s = side[i] === 0 ? JsSide.BUY : JsSide.SELL;
    switch (kind[i]) {
      case 0:
        if (book.limit({ side: s, id: ids[i], size: qtyLots[i], price: priceTicks[i] }).err !== null) refused++;
        break;
      case 3: {
        const r = book.market({ side: s, size: qtyLots[i] });
        tradedLots += qtyLots[i] - r.quantityLeft;
        break;
      }
      case 4:
        if (book.cancel(ids[i]) === undefined) refused++;
        break;
      case 5: {
        // No reduce in its API: modify to the smaller size (the stream only reduces the last order of a
        // level, where modify's cancel-and-re-add keeps the same queue place).
        const o = book.order(ids[i]);
        if (o === undefined || book.modify(ids[i], { size: o.size - qtyLots[i] }).err !== null) refused++;
        break;
      }
      default:
        throw new Error(`the JS peer replay does not handle op kind ${kind[i]}`);
    }
  }
  return { tradedLots, refused };
}

// ---- benchmarks ---------------------------------------------------------------------------------

const bookVsJs: Benchmark = {
  name: "book",
  description: "engine applyOps on a GOOG-shaped stream (msgs/s), nodejs-order-book side by side on a prefix",
  run(ctx): BenchResult[] {
    const s = stream(ctx);
    const s64 = stream64(ctx);
    verifyOurs(s);
    const prefix = streamPrefix(s, JS_PEER_OPS);
    const js = jsOps(prefix);
    const oursOnPrefix = ourBook().applyOps(prefix);
    const check = replayJs(js);
    mustHold(check.refused === 0, `nodejs-order-book refused ${check.refused} ops of the stream prefix`);
    mustHold(check.tradedLots === oursOnPrefix.tradedLots,
      `nodejs-order-book traded ${check.tradedLots} lots on the prefix, the engine ${oursOnPrefix.tradedLots}`);
    ctx.log(`verified: engine and nodejs-order-book agree (${oursOnPrefix.tradedLots} lots traded on ${JS_PEER_OPS.toLocaleString("en-US")} ops, 0 refused)`);

    const ours: number[] = [], peer: number[] = [];
    for (let r = 0; r < Math.max(NATIVE_RUNS, JS_PEER_RUNS); r++) {
      if (r < NATIVE_RUNS) {
        const book = ourBook();
        settleHeap();
        ours.push(s.kind.length / timeSeconds(() => book.applyOps(s64)));
      }
      if (r < JS_PEER_RUNS) {
        settleHeap();
        peer.push(prefix.kind.length / timeSeconds(() => replayJs(js)));
      }
      const peerNote = r < JS_PEER_RUNS ? `, nodejs-order-book ${formatRate(peer[r])}` : "";
      ctx.log(`run ${r + 1}: engine ${formatRate(ours[r])}${peerNote}`);
    }
    const o = summarize(ours), p = summarize(peer);
    return [
      { name: "book", unit: "msgs/s", ...o, peer: "nodejs-order-book", peer_median: p.median, ratio: o.median / p.median,
        details: { ...streamDetails(s), peerOps: JS_PEER_OPS, peerRuns: p.runs } },
    ];
  },
};

const bookVsTextbook: Benchmark = {
  name: "book-textbook",
  description: "engine applyOps vs a textbook std::map/std::list C++ book on the same stream, runs interleaved",
  run(ctx): BenchResult[] {
    const s = stream(ctx);
    const s64 = stream64(ctx);
    verifyOurs(s);
    const check = new TextbookBook(EXPECTED_ORDERS).applyOps(s64);
    mustHold(check.refused === 0, `the textbook book refused ${check.refused} ops`);
    mustHold(check.trades === s.stats.expectedTrades && check.tradedLots === s.stats.expectedTradedLots,
      `the textbook book traded ${check.trades} times / ${check.tradedLots} lots, the engine ${s.stats.expectedTrades} / ${s.stats.expectedTradedLots}`);
    ctx.log(`verified: engine and textbook agree (${check.trades.toLocaleString("en-US")} trades, ${check.tradedLots.toLocaleString("en-US")} lots, 0 refused)`);

    const ours: number[] = [], textbook: number[] = [];
    for (let r = 0; r < NATIVE_RUNS; r++) {
      // Alternate which goes first so drift in machine state (turbo, neighbours) hits both alike.
      const order = r % 2 === 0 ? ["ours", "textbook"] : ["textbook", "ours"];
      for (const which of order) {
        if (which === "ours") {
          const book = ourBook();
          settleHeap();
          ours.push(s.kind.length / timeSeconds(() => book.applyOps(s64)));
        } else {
          const book = new TextbookBook(EXPECTED_ORDERS);
          settleHeap();
          textbook.push(s.kind.length / timeSeconds(() => book.applyOps(s64)));
        }
      }
      ctx.log(`run ${r + 1}: engine ${formatRate(ours[r])}, textbook ${formatRate(textbook[r])}`);
    }
    const o = summarize(ours), t = summarize(textbook);
    // Each run pairs the two books back to back, so machine noise hits both alike: the ratio is the median
    // of the paired ratios (the ratio of medians is reported beside it).
    const paired = summarize(ours.map((v, i) => v / textbook[i]));
    return [
      { name: "book-textbook", unit: "msgs/s", ...o, peer: "textbook-cpp", peer_median: t.median, ratio: paired.median,
        details: { ...streamDetails(s), ratioOfMedians: o.median / t.median, pairedRatioMin: paired.min, pairedRatioMax: paired.max } },
      { name: "textbook-cpp", unit: "msgs/s", ...t, details: { streamOps: s.stats.ops } },
    ];
  },
};

export const bookBenchmarks: Benchmark[] = [bookVsJs, bookVsTextbook];

/** One timed run of the engine on the GOOG-shaped stream (msgs/s), for benchmarks that compare with `book`. */
export function engineBookRate(ctx: BenchContext): number {
  const s64 = stream64(ctx);
  const book = ourBook();
  settleHeap();
  return s64.kind.length / timeSeconds(() => book.applyOps(s64));
}
