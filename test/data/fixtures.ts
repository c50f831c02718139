// Shared test fixtures: where the real data files are, temporary folders, and small file writers.
// The real files are read in place from the shared data folder and never copied into the repository.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataError } from "../../data/errors.js";
import { gzipSync, gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { sharedDataDir } from "../../data/paths.js";

export const dataDir = sharedDataDir();

export const goog = {
  message: join(dataDir, "lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"),
  orderbook: join(dataDir, "lobster/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"),
};
export const spot = {
  day08: join(dataDir, "binance/spot/btcusdt_20240808.gz"),
  day09: join(dataDir, "binance/spot/btcusdt_20240809.gz"),
};
export const usdm = join(dataDir, "binance/usdm/btcusdt_20240808.gz");

/** True if every path exists; otherwise says on the console which test group skips and why. */
export function available(group: string, ...paths: string[]): boolean {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    console.warn(`[skip] ${group}: ${missing.join(", ")} not found. Set TRANCHE_DATA_DIR to the shared data folder (default ../shared/data).`);
  }
  return missing.length === 0;
}

/** A fresh folder under the OS temp dir, and a cleanup function. */
export function tempFolder(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tranche-data-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The decompressed lines of a .gz file (without the trailing empty string). */
export function gzLines(path: string): string[] {
  const lines = gunzipSync(readFileSync(path)).toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Writes lines (newline-terminated) as plain text or gzip. */
export function writeLines(path: string, lines: readonly string[], gzip = path.endsWith(".gz")): string {
  const text = lines.map((l) => l + "\n").join("");
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

/** Byte-wise equality of two typed arrays (fast for large arrays, unlike a deep equal). */
export function sameValues(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The DataError `f` throws (any other outcome fails the test). */
export function caught(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error("expected a DataError");
}
