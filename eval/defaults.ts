// The embedded default market of `tranche eval` and `tranche quickstart`: the generative market calibrated on the
// GOOG LOBSTER day (presets/goog.json), with the costs of a retail-latency participant.
import type { MarketConfig } from "../env/markets.js";

/**
 * The GOOG preset (one lot = 100 shares, tick 1 cent) in its calibrated regime, lognormal order-entry latency
 * (median 0.3 ms, σ 0.5, capped at 5 ms), a constant 0.1 ms market-data latency, and fees of maker 0 / taker 2 bps.
 */
export const DEFAULT_MARKET: MarketConfig = {
  kind: "preset",
  name: "goog",
  regime: "normal",
  fees: { makerBps: 0, takerBps: 2 },
  orderEntryLatency: { kind: "lognormal", medianNs: 300_000, sigma: 0.5, capNs: 5_000_000 },
  marketDataLatency: { kind: "constant", ns: 100_000 },
};

/**
 * The zero-intelligence Poisson flow around 100.00 (tick 0.01, so one tick is 1 bps) with the same costs: the
 * default market before the calibrated preset, kept for tests of the harness that need a fast, deep book.
 */
export const ZI_MARKET: MarketConfig = {
  kind: "poisson",
  tickSize: 0.01,
  lotSize: 1,
  fees: DEFAULT_MARKET.fees,
  orderEntryLatency: DEFAULT_MARKET.orderEntryLatency,
  marketDataLatency: DEFAULT_MARKET.marketDataLatency,
  flow: { referencePriceTicks: 10_000 },
};
