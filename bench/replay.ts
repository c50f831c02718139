// Replay throughput of the real data (one core, no agent) and the import time of each file. Skipped, with
// the reason, where ../shared/data is absent.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBinance, writeBinance } from "../data/binance.js";
import { parseLobster, writeLobster } from "../data/lobster.js";
import { sharedDataFiles } from "../data/paths.js";
import { L2ReplayData, LobsterReplayData } from "../native/index.js";
import { engineBookRate } from "./book.js";
import { type BenchResult, type Benchmark, formatRate, mustHold, settleHeap, summarize, timeSeconds } from "./harness.js";

const { goog, binanceSpot: spot, binanceUsdm: usdm } = sharedDataFiles();
const REPLAY_RUNS = 15;
const IMPORT_RUNS = 5;

function missing(paths: string[]): string | undefined {
  const absent = paths.filter((p) => !existsSync(p));
  return absent.length ? `skipped: ${absent.join(", ")} missing (set TRANCHE_DATA_DIR to the shared data folder)` : undefined;
}

const replayLobster: Benchmark = {
  name: "replay",
  description: "LOBSTER GOOG 2012-06-21 replay by the exact rule (msgs/s, one core) and the import time of the day",
  run(ctx): BenchResult[] {
    const why = missing([goog.message, goog.orderbook]);
    if (why) {
      ctx.log(why);
      return [];
    }
    const tmp = mkdtempSync(join(tmpdir(), "tranche-bench-"));
    try {
      const imports: number[] = [];
      let imp = parseLobster(goog.message, goog.orderbook);
      for (let r = 0; r < IMPORT_RUNS; r++) {
        settleHeap();
        imports.push(timeSeconds(() => {
          imp = parseLobster(goog.message, goog.orderbook);
          writeLobster(imp, join(tmp, "goog.arrow"));
        }));
      }
      const data = new LobsterReplayData(imp.messages.columns, imp.book.columns);
      const check = data.verify();
      mustHold(check.visibleMismatches === 0, `the replay differs from the orderbook file at ${check.visibleMismatches} rows`);
      // The target is the engine's own `book` rate: each replay run is paired with a book run back to back.
      const rates: number[] = [], book: number[] = [];
      for (let r = 0; r < REPLAY_RUNS; r++) {
        const s = data.replay();
        mustHold(s.invariants === null, `the replayed book is inconsistent: ${s.invariants}`);
        rates.push(s.messages / s.seconds);
        book.push(engineBookRate(ctx));
        if (r % 5 === 4) ctx.log(`run ${r + 1}: replay ${formatRate(rates[r])}, book ${formatRate(book[r])}`);
      }
      const rate = summarize(rates), imported = summarize(imports), paired = summarize(rates.map((v, i) => v / book[i]));
      ctx.log(`import (parse CSV + write Arrow) median ${imported.median.toFixed(3)} s`);
      return [
        { name: "replay", unit: "msgs/s", ...rate, peer: "book (engine on the GOOG-shaped stream)", peer_median: summarize(book).median, ratio: paired.median,
          details: { messages: imp.messages.rows, adoptionsBid: check.adoptionsBid, adoptionsAsk: check.adoptionsAsk, intoViewBid: check.intoViewBid, intoViewAsk: check.intoViewAsk, rowsVerified: check.rowsChecked } },
        { name: "import-goog", unit: "s", ...imported, details: { rows: imp.messages.rows, files: 2 } },
      ];
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

const replayBinance: Benchmark = {
  name: "replay-l2",
  description: "Binance BTCUSDT spot depth + trades replay (events/s, one core) and the import time of each market's files",
  run(ctx): BenchResult[] {
    const why = missing([...spot, ...usdm]);
    if (why) {
      ctx.log(why);
      return [];
    }
    const tmp = mkdtempSync(join(tmpdir(), "tranche-bench-"));
    try {
      const results: BenchResult[] = [];
      for (const [name, files] of [["spot", spot], ["usdm", usdm]] as const) {
        const times: number[] = [];
        let imp = parseBinance(files);
        for (let r = 0; r < IMPORT_RUNS; r++) {
          settleHeap();
          times.push(timeSeconds(() => {
            imp = parseBinance(files);
            writeBinance(imp, join(tmp, `${name}.arrow`));
          }));
        }
        results.push({ name: `import-binance-${name}`, unit: "s", ...summarize(times), details: { lines: imp.lines, depthRows: imp.depth.rows, trades: imp.trades.rows } });
        if (name === "spot") {
          const data = new L2ReplayData(imp.depth.columns, imp.trades.columns);
          const rates: number[] = [];
          for (let r = 0; r < REPLAY_RUNS; r++) {
            const s = data.replay();
            rates.push((s.depthEvents + s.tradeEvents) / s.seconds);
          }
          results.push({ name: "replay-l2", unit: "events/s", ...summarize(rates), details: { depthRows: data.depthRows, trades: data.tradeRows } });
        }
      }
      return results;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

export const replayBenchmarks: Benchmark[] = [replayLobster, replayBinance];
