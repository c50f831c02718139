// Markets of the execution env chosen by `kind` in one config: a LOBSTER replay or a Binance L2 replay read from
// an imported Arrow file, with episode windows in the market's local time of day, or the zero-intelligence
// Poisson flow. Turns such a config into the market options and episode starts the env takes.
import { tradeVolumeByTimeOfDay } from "../agents/volume-profile.js";
import { loadPreset, presetFlow } from "../eval/generative/preset.js";
import { readBinance, readLobster } from "../data/reader.js";
import { BOOK_EMPTY_ASK_PRICE, BOOK_EMPTY_BID_PRICE, MessageType } from "../data/schema.js";
import { L2ReplayData, LobsterReplayData, TrancheError, type BatchOptions, type EpisodeStarts, type ImpactSpec, type PoissonFlowSpec } from "../native/index.js";

/** Episode starts in the market's local time of day ("09:45", "10:30:15"): a window, or a list. */
export type TimeOfDayStarts = { from: string; to: string } | { at: readonly string[] };

/** The market of an execution env, by kind. Costs and latencies are shared by every kind. */
export type MarketConfig = MarketCosts &
  (
    /** The zero-intelligence Poisson flow; tick and lot sizes default to 0.01 and 1. */
    | { kind: "poisson"; tickSize?: number; lotSize?: number; flow?: Omit<PoissonFlowSpec, "kind"> }
    /**
     * A calibrated generative market: a shipped preset by name ("goog") or a preset file (`tranche calibrate`), under
     * a regime (default "normal"); `flow` overrides single parameters of it.
     */
    | { kind: "preset"; name?: string; file?: string; regime?: string; flow?: Partial<Omit<PoissonFlowSpec, "kind">> }
    /**
     * A LOBSTER import (`tranche data import-lobster`); times of day are the exchange's local time. `mirror` replays
     * the day reflected about its opening mid (prices p → 2·mid − p, bids and asks swapped): a buyer in the mirror
     * faces what a seller faced, so a policy trained on a day and its mirror cannot learn the day's drift.
     */
    | { kind: "lobster"; file: string; starts?: TimeOfDayStarts; impact?: ImpactSpec; mirror?: boolean }
    /** A Binance import (`tranche data import-binance`); times of day are UTC. */
    | { kind: "binance"; file: string; starts?: TimeOfDayStarts; impact?: ImpactSpec }
  );

/** What every market kind shares: fees and latencies (see BatchOptions). */
export type MarketCosts = Pick<BatchOptions, "fees" | "orderEntryLatency" | "marketDataLatency" | "book">;

/** A loaded market: the env's market options and, for a replay, where episodes start. */
export interface LoadedMarket {
  market: Omit<BatchOptions, "markets">;
  starts?: EpisodeStarts;
  /** One line for logs and reports: what was loaded. */
  description: string;
  /** A replay's clock: its first event in UTC and local time, and the day's traded volume by time of day. */
  clock?: ReplayClock;
}

/** Where a replay lies in the day. Episode start times (`episodeStartNs`) count from `originUtcNs`. */
export interface ReplayClock {
  /** The file's first event, ns since the epoch (UTC). */
  originUtcNs: bigint;
  /** Its time of day in the market's local time (LOBSTER: the exchange's; Binance: UTC), ns after midnight. */
  originLocalNs: number;
  /** Width of the volume buckets, ns. */
  bucketNs: number;
  /** The file's traded lots per UTC time-of-day bucket (tradeVolumeByTimeOfDay): VWAP's in-sample profile. */
  volumeByUtcBucket: Float64Array;
}

/** The volume profile's bucket width: five minutes. */
export const VOLUME_BUCKET_NS = 5 * 60 * 1_000_000_000;

/** Local time of day of an episode that starts `startNs` after the replay's first event, seconds after midnight. */
export function localTimeOfDayS(clock: ReplayClock, startNs: number): number {
  return (((clock.originLocalNs + startNs) % (86_400 * NS_PER_S)) + 86_400 * NS_PER_S) % (86_400 * NS_PER_S) / NS_PER_S;
}

function fail(field: string, problem: string, fix: string): never {
  throw new TrancheError("INVALID_ARGUMENT", `market.${field}: ${problem}. Fix: ${fix}`);
}

const NS_PER_S = 1_000_000_000;

/** "HH:MM" or "HH:MM:SS" (optionally with a fraction of a second) as seconds after midnight; NaN for anything else. */
export function parseTimeOfDay(text: unknown): number {
  const m = typeof text === "string" ? /^(\d{2}):(\d{2})(?::(\d{2}(?:\.\d{1,9})?))?$/.exec(text) : null;
  const seconds = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : NaN;
  return m && Number(m[1]) <= 23 && Number(m[2]) <= 59 && seconds < 86_400 ? seconds : NaN;
}

function secondsOfDay(field: string, text: unknown): number {
  const seconds = parseTimeOfDay(text);
  if (Number.isNaN(seconds)) fail(field, `${JSON.stringify(text)} is not a time of day`, 'write it as "HH:MM" or "HH:MM:SS", e.g. "09:45"');
  return seconds;
}

/**
 * Episode starts as ns since the replay's first event, from local times of day. `firstLocalNs` is the
 * first event's time of day in ns after local midnight; `durationNs` bounds the window.
 */
function startsFrom(starts: TimeOfDayStarts | undefined, firstLocalNs: number, durationNs: number): EpisodeStarts | undefined {
  if (starts === undefined) return undefined;
  const since = (field: string, text: string): number => {
    let ns = Math.round(secondsOfDay(field, text) * NS_PER_S) - firstLocalNs;
    // A time before the first event's is on the next day (a feed that runs past midnight).
    if (ns < 0) ns += 86_400 * NS_PER_S;
    if (ns > durationNs) {
      const first = new Date(firstLocalNs / 1e6).toISOString().slice(11, 23);
      const last = new Date((firstLocalNs + durationNs) / 1e6).toISOString().slice(11, 23);
      fail(field, `${text} is outside the data, which runs from ${first} to ${last}`, "choose times inside the file");
    }
    return ns;
  };
  if ("at" in starts) {
    if (!Array.isArray(starts.at) || starts.at.length === 0) fail("starts.at", "the list of starts is empty", 'give times such as ["10:00", "11:00"]');
    return { kind: "list", startsNs: starts.at.map((t, i) => since(`starts.at[${i}]`, t)) };
  }
  const fromNs = since("starts.from", starts.from), toNs = since("starts.to", starts.to);
  if (toNs < fromNs) fail("starts.to", `${starts.to} is before starts.from ${starts.from}`, "swap them");
  return { kind: "window", fromNs, toNs };
}

/**
 * A LOBSTER day reflected about its first row's mid: every price p becomes 2·mid − p (in ticks, so the grid is kept),
 * every side is flipped, and the book's bid levels become its ask levels. Hidden executions priced between ticks
 * (floored on import) land a tick off in the mirror; they never touch the visible book.
 */
function mirroredReplay(messages: ReturnType<typeof readLobster>["messages"]["columns"], book: ReturnType<typeof readLobster>["book"]["columns"]): LobsterReplayData {
  const centre = book.askPriceTicks[0][0] + book.bidPriceTicks[0][0];
  if (book.askQtyLots[0][0] === 0n || book.bidQtyLots[0][0] === 0n) fail("mirror", "the day's first row has an empty side, so it has no mid to mirror about", "replay it without mirror");
  const reflect = (prices: BigInt64Array, emptyIn: bigint, emptyOut: bigint) => prices.map((p) => (p === emptyIn ? emptyOut : centre - p));
  // A price above twice the opening mid has no positive mirror image.
  for (const column of [messages.priceTicks, ...book.askPriceTicks]) {
    for (const p of column) if (p !== BOOK_EMPTY_ASK_PRICE && p >= centre) fail("mirror", `a price of ${p} ticks is at or above twice the opening mid (${centre} ticks): its mirror image is not a price`, "replay it without mirror");
  }
  const halt = BigInt(MessageType.Halt);
  const priceTicks = messages.priceTicks.map((p, i) => (BigInt(messages.type[i]) === halt ? p : centre - p));
  return new LobsterReplayData(
    { ...messages, priceTicks, side: messages.side.map((s) => 1 - s) },
    {
      levels: book.levels,
      askPriceTicks: book.bidPriceTicks.map((c) => reflect(c, BOOK_EMPTY_BID_PRICE, BOOK_EMPTY_ASK_PRICE)),
      askQtyLots: book.bidQtyLots,
      bidPriceTicks: book.askPriceTicks.map((c) => reflect(c, BOOK_EMPTY_ASK_PRICE, BOOK_EMPTY_BID_PRICE)),
      bidQtyLots: book.askQtyLots,
    },
  );
}

/**
 * Where a market's episodes start: its config's window or list, else, on a replay, anywhere in the file that leaves
 * `spanNs` after the start (the horizon and whatever the caller runs past it); a generative market has no clock.
 */
export function episodeStarts(loaded: LoadedMarket, spanNs: number): EpisodeStarts | undefined {
  const flow = loaded.market.flow;
  if (loaded.starts !== undefined || flow === undefined || flow.kind === "poisson") return loaded.starts;
  return { kind: "window", fromNs: 0, toNs: Math.max(0, flow.data.durationNs - spanNs) };
}

/** Reads a market config once; every error names the field (the data layer's errors name the file). */
export function loadMarket(config: MarketConfig): LoadedMarket {
  if (typeof config !== "object" || config === null) fail("kind", "the market config must be an object", 'use e.g. { kind: "poisson" }');
  const costs: MarketCosts = { fees: config.fees, orderEntryLatency: config.orderEntryLatency, marketDataLatency: config.marketDataLatency, book: config.book };
  switch (config.kind) {
    case "poisson":
      return { market: { ...costs, tickSize: config.tickSize, lotSize: config.lotSize, flow: { kind: "poisson", ...config.flow } }, description: "zero-intelligence Poisson flow" };
    case "preset": {
      if ((config.name === undefined) === (config.file === undefined)) fail("name", "a preset market needs a name or a file (one of them)", 'use { kind: "preset", name: "goog" } or { kind: "preset", file: "my-preset.json" }');
      const preset = loadPreset(config.file ?? config.name ?? "");
      const regimeName = config.regime ?? "normal";
      const flow = { ...presetFlow(preset, regimeName), ...config.flow };
      return {
        market: { ...costs, tickSize: preset.instrument.tickSize, lotSize: preset.instrument.lotSize, flow: { kind: "poisson", ...flow } },
        description: `generative market, preset ${preset.name} (${preset.source.symbol} ${preset.source.date}), regime ${regimeName}`,
      };
    }
    case "lobster": {
      const { messages, book } = readLobster(config.file);
      const data = config.mirror === true ? mirroredReplay(messages.columns, book.columns) : new LobsterReplayData(messages.columns, book.columns);
      const offsetNs = BigInt(messages.meta.lobster?.utcOffsetSeconds ?? 0) * BigInt(NS_PER_S);
      const dayNs = 86_400n * BigInt(NS_PER_S);
      const firstLocalNs = Number((((data.startNs + offsetNs) % dayNs) + dayNs) % dayNs);
      const tick = Number(messages.meta.tickSize), lot = Number(messages.meta.lotSize);
      // Executions (visible and hidden) are the day's traded volume.
      const c = messages.columns;
      const ts: bigint[] = [], qty: bigint[] = [];
      for (let i = 0; i < c.type.length; i++) {
        if (c.type[i] === MessageType.VisibleExecution || c.type[i] === MessageType.HiddenExecution) ts.push(c.tsNs[i]), qty.push(c.qtyLots[i]);
      }
      const clock: ReplayClock = { originUtcNs: data.startNs, originLocalNs: firstLocalNs, bucketNs: VOLUME_BUCKET_NS, volumeByUtcBucket: tradeVolumeByTimeOfDay(ts, qty, VOLUME_BUCKET_NS) };
      return {
        clock,
        market: { ...costs, tickSize: tick, lotSize: lot, flow: { kind: "lobster", data, impact: config.impact } },
        starts: startsFrom(config.starts, firstLocalNs, data.durationNs),
        description: `LOBSTER replay of ${messages.meta.symbol} on ${messages.meta.lobster?.date ?? "?"}${config.mirror === true ? ", mirrored" : ""} (${config.file})`,
      };
    }
    case "binance": {
      const { depth, trades } = readBinance(config.file);
      const data = new L2ReplayData(depth.columns, trades?.columns);
      let first = depth.columns.tsNs[0];
      for (const t of depth.columns.tsNs) if (t < first) first = t;
      const dayNs = 86_400n * BigInt(NS_PER_S);
      const firstLocalNs = Number(((first % dayNs) + dayNs) % dayNs);
      const volumeByUtcBucket = trades ? tradeVolumeByTimeOfDay(trades.columns.tsNs, trades.columns.qtyLots, VOLUME_BUCKET_NS) : new Float64Array(Math.ceil(86_400 * NS_PER_S / VOLUME_BUCKET_NS));
      return {
        clock: { originUtcNs: first, originLocalNs: firstLocalNs, bucketNs: VOLUME_BUCKET_NS, volumeByUtcBucket },
        market: { ...costs, tickSize: Number(depth.meta.tickSize), lotSize: Number(depth.meta.lotSize), flow: { kind: "l2", data, impact: config.impact } },
        starts: startsFrom(config.starts, firstLocalNs, data.durationNs),
        description: `Binance ${depth.meta.binance?.market ?? ""} L2 replay of ${depth.meta.symbol} (${config.file})`,
      };
    }
    default:
      return fail("kind", `unknown market kind ${JSON.stringify((config as { kind: unknown }).kind)}`, 'use "preset", "poisson", "lobster" or "binance"');
  }
}
