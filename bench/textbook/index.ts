// Loads the textbook C++ book (bench/textbook/textbook.cc), built by `npm run build:native` beside the engine.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OpStream } from "../../native/index.js";

/** Cumulative outcome of the ops a TextbookBook applied. */
export interface TextbookStats {
  trades: number;
  tradedLots: number;
  refused: number;
}

interface TextbookHandle {
  applyOps(
    kind: Uint8Array, side: Uint8Array, id: Float64Array | BigInt64Array, priceTicks: Float64Array | BigInt64Array,
    qtyLots: Float64Array | BigInt64Array,
  ): [number, number, number];
}

interface TextbookBinding {
  TextbookBook: new (expectedOrders?: number) => TextbookHandle;
}

let cached: TextbookBinding | undefined;

function binding(): TextbookBinding {
  if (cached !== undefined) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  const path = join(here, "build", "Release", "textbook.node");
  if (!existsSync(path)) {
    throw new Error(
      `The textbook C++ book is not built (${path} is missing).\nPossible solutions:\n` +
        "  npm run build:native        (builds native/ and bench/textbook/ with node-gyp)",
    );
  }
  cached = createRequire(import.meta.url)(path) as TextbookBinding;
  return cached;
}

/** std::map levels, std::list FIFOs, unordered_map id index: the baseline the engine is compared with. */
export class TextbookBook {
  private readonly native: TextbookHandle;

  constructor(expectedOrders = 1024) {
    this.native = new (binding().TextbookBook)(expectedOrders);
  }

  /** Applies the stream in one native call; the counts are cumulative over the book's life. */
  applyOps(ops: OpStream): TextbookStats {
    const [trades, tradedLots, refused] = this.native.applyOps(ops.kind, ops.side, ops.id, ops.priceTicks, ops.qtyLots);
    return { trades, tradedLots, refused };
  }
}
