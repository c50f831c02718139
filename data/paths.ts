// Where the shared development data lives, and how an import names the files it writes.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding this package's package.json (works from the sources and from dist/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/**
 * The shared market-data folder (`lobster/`, `binance/`): `$TRANCHE_DATA_DIR` when set, else `../shared/data`
 * next to the repository. The data is licensed for internal use only and is never copied into the repository.
 */
export function sharedDataDir(): string {
  return process.env.TRANCHE_DATA_DIR ?? resolve(repoRoot(), "../shared/data");
}

/**
 * The file name of a companion table of an import: `x.arrow` + `"book"` → `x.book.arrow`.
 * An output name without the `.arrow` suffix gets the suffix appended: `x` + `"book"` → `x.book.arrow`.
 */
export function companionPath(out: string, suffix: string): string {
  const stem = out.endsWith(".arrow") ? out.slice(0, -".arrow".length) : out;
  return `${stem}.${suffix}.arrow`;
}

/** The files of the shared development set that tests and benchmarks replay (they may be absent). */
export function sharedDataFiles() {
  const dir = sharedDataDir();
  const lobster = join(dir, "lobster");
  return {
    goog: {
      message: join(lobster, "GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"),
      orderbook: join(lobster, "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"),
    },
    binanceSpot: [join(dir, "binance", "spot", "btcusdt_20240808.gz"), join(dir, "binance", "spot", "btcusdt_20240809.gz")],
    binanceUsdm: [join(dir, "binance", "usdm", "btcusdt_20240808.gz")],
  };
}
