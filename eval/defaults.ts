// The embedded default market of `tranche eval` and `tranche quickstart`, until a calibrated preset replaces it.
import type { MarketConfig } from "../env/markets.js";

/**
 * Zero-intelligence Poisson background flow around 100.00 (tick 0.01, so one tick is 1 bps), lognormal
 * order-entry latency (median 0.3 ms, σ 0.5, capped at 5 ms), a constant 0.1 ms market-data latency, and
 * fees of maker 0 / taker 2 bps.
 */
export const DEFAULT_MARKET: MarketConfig = {
  kind: "poisson",
  tickSize: 0.01,
  lotSize: 1,
  fees: { makerBps: 0, takerBps: 2 },
  orderEntryLatency: { kind: "lognormal", medianNs: 300_000, sigma: 0.5, capNs: 5_000_000 },
  marketDataLatency: { kind: "constant", ns: 100_000 },
  flow: { referencePriceTicks: 10_000 },
};
