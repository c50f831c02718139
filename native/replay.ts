// Replayed market data in memory: LobsterReplayData (L3) and L2ReplayData, their column inputs and their stats.
import { fail } from "./checks.js";
import { binding, type NativeL2DataHandle, type NativeLobsterDataHandle } from "./load.js";

/** LOBSTER message columns (the `l3` table) as typed arrays; data/reader.ts returns them. */
export interface L3ColumnsInput {
  tsNs: BigInt64Array;
  type: Uint8Array;
  orderId: BigInt64Array;
  side: Uint8Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
}
/** LOBSTER orderbook rows (the `book` table): one array per level, prices in ticks, size 0 = empty level. */
export interface BookRowsInput {
  levels: number;
  askPriceTicks: BigInt64Array[];
  askQtyLots: BigInt64Array[];
  bidPriceTicks: BigInt64Array[];
  bidQtyLots: BigInt64Array[];
}
export type LobsterColumnsInput = L3ColumnsInput & BookRowsInput;

/** Depth events (the `l2` table) and, optionally, trades. */
export interface L2DepthInput {
  tsNs: BigInt64Array;
  side: Uint8Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
  isSnapshot: Uint8Array;
  lastUpdateId: BigInt64Array;
}
export interface L2TradesInput {
  tsNs: BigInt64Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
  aggressorSide: Uint8Array;
}
export interface L2ColumnsInput {
  depth: L2DepthInput;
  trades?: L2TradesInput;
}
export interface BboColumnsInput {
  updateId: BigInt64Array;
  bidPriceTicks: BigInt64Array;
  bidQtyLots: BigInt64Array;
  askPriceTicks: BigInt64Array;
  askQtyLots: BigInt64Array;
}

export interface LobsterReplayStats {
  messages: number;
  /** Orderbook rows compared (verification only). */
  rowsChecked: number;
  /** Rows where the replay's top N levels differed from the file's (verification; must be 0 without an agent). */
  visibleMismatches: number;
  firstMismatchRow: number;
  /** Levels that came into view changed since the replay last saw them (or new), adopted from the file, and
   *  their net lots, by side. */
  adoptionsBid: number;
  adoptionsAsk: number;
  adoptedLotsBid: number;
  adoptedLotsAsk: number;
  /** Adoptions at prices the previous row already showed (inside the visible range): the rule forbids them. */
  adoptionsInViewBid: number;
  adoptionsInViewAsk: number;
  /** Removals of orders the replay never saw (resting before the file began, or placed beyond view). */
  unknownIdMessages: number;
  /** Messages about liquidity the agent had taken, shrunk to what was left, and the lots they lost. */
  reconciled: number;
  reconciledLots: number;
  /** Replayed executions that met one of the agent's orders first. */
  agentFillsByReplay: number;
  hiddenExecutions: number;
  /** Messages after which prices beyond the previous row's N-th level came into view, by side. */
  intoViewBid: number;
  intoViewAsk: number;
}

/** A LOBSTER replay's counters and where it stands in its market. */
export interface LobsterReplayState extends LobsterReplayStats {
  /** Current impact offset of replayed prices, ticks. */
  offsetTicks: number;
  /** Next message row to replay. */
  nextRow: number;
  /** Lots the agent took that the file still shows: the replayed book holds that much less than the file. */
  agentTakenLots: number;
}

export interface L2ReplayStats {
  depthEvents: number;
  tradeEvents: number;
  snapshots: number;
  outOfRange: number;
  crossRepairs: number;
  queueAdvanceLots: number;
  cancelsAheadLots: number;
  cancelsBehindLots: number;
  agentFillsByTrades: number;
}

export interface BboCheck {
  compared: number;
  matched: number;
  firstMismatchRow: number;
  firstMismatch: string;
}

function checkColumns(name: string, cols: Record<string, unknown>, keys: readonly string[], rows: number): void {
  for (const k of keys) {
    const v = cols[k];
    if (!ArrayBuffer.isView(v)) fail(`${name}.${k} is missing or not a typed array`);
    if ((v as unknown as { length: number }).length !== rows) fail(`${name}.${k} has ${(v as unknown as { length: number }).length} rows, expected ${rows}`);
  }
}

/** One LOBSTER day in memory (borrowed columns, no copy), shared by every market that replays it. */
export class LobsterReplayData {
  /** @internal */
  readonly native: NativeLobsterDataHandle;
  readonly rows: number;
  readonly levels: number;
  /** First message time, ns since the Unix epoch: replay time 0. */
  readonly startNs: bigint;
  /** Replay time of the last message, ns: episodes must start and end before it. */
  readonly durationNs: number;

  constructor(messages: L3ColumnsInput, book: BookRowsInput) {
    const rows = messages.tsNs.length;
    if (rows === 0) fail("the LOBSTER messages are empty");
    checkColumns("messages", messages as unknown as Record<string, unknown>, ["tsNs", "type", "orderId", "side", "priceTicks", "qtyLots"], rows);
    if (!Number.isSafeInteger(book.levels) || book.levels < 1) fail(`book.levels must be a positive whole number, got ${book.levels}`);
    for (const k of ["askPriceTicks", "askQtyLots", "bidPriceTicks", "bidQtyLots"] as const) {
      if (book[k].length !== book.levels) fail(`book.${k} has ${book[k].length} columns, expected ${book.levels}`);
      book[k].forEach((c, i) => { if (c.length !== rows) fail(`book.${k}[${i}] has ${c.length} rows, the messages ${rows}`); });
    }
    this.native = new (binding().NativeLobsterData)({ ...messages, ...book });
    this.rows = rows;
    this.levels = book.levels;
    this.startNs = messages.tsNs[0];
    this.durationNs = Number(messages.tsNs[rows - 1] - messages.tsNs[0]);
  }

  /**
   * Replays from `fromRow` (seeded from the orderbook row before it; row 0 with message 0 undone) with no
   * agent and compares every later row with the orderbook file by the replay rule.
   */
  verify(fromRow = 0): LobsterReplayStats & { report: string } {
    if (!Number.isSafeInteger(fromRow) || fromRow < 0 || fromRow >= this.rows) fail(`fromRow must be in [0, ${this.rows - 1}], got ${fromRow}`);
    return this.native.verify(fromRow);
  }

  /** The replay's fast path over the whole file from `fromRow`, timed natively (for benchmarks). */
  replay(fromRow = 0): LobsterReplayStats & { seconds: number; invariants: string | null } {
    if (!Number.isSafeInteger(fromRow) || fromRow < 0 || fromRow > this.rows) fail(`fromRow must be in [0, ${this.rows}], got ${fromRow}`);
    return this.native.replay(fromRow);
  }
}

/** An L2 depth + trades recording in memory (borrowed columns), shared by every market that replays it. */
export class L2ReplayData {
  /** @internal */
  readonly native: NativeL2DataHandle;
  readonly depthRows: number;
  readonly tradeRows: number;
  /** Replay time of the last depth event, ns since the first (the feed's receive clock). */
  readonly durationNs: number;

  constructor(depth: L2DepthInput, trades?: L2TradesInput) {
    const rows = depth.tsNs.length;
    if (rows === 0) fail("the depth table is empty");
    checkColumns("depth", depth as unknown as Record<string, unknown>, ["tsNs", "side", "priceTicks", "qtyLots", "isSnapshot", "lastUpdateId"], rows);
    if (depth.isSnapshot[0] !== 1) fail("the depth table must start with a snapshot (is_snapshot = 1 on row 0)");
    if (trades) checkColumns("trades", trades as unknown as Record<string, unknown>, ["tsNs", "priceTicks", "qtyLots", "aggressorSide"], trades.tsNs.length);
    this.native = new (binding().NativeL2Data)({ depth, trades });
    this.depthRows = rows;
    let first = depth.tsNs[0], last = depth.tsNs[0];
    for (const t of depth.tsNs) if (t < first) first = t; else if (t > last) last = t;
    this.durationNs = Number(last - first);
    this.tradeRows = trades?.tsNs.length ?? 0;
  }

  /** Rebuilds the book from the depth rows alone and compares its touch with bookTicker where update ids coincide. */
  checkBbo(bbo: BboColumnsInput, maxLevels = 1 << 20): BboCheck {
    checkColumns("bbo", bbo as unknown as Record<string, unknown>, ["updateId", "bidPriceTicks", "bidQtyLots", "askPriceTicks", "askQtyLots"], bbo.updateId.length);
    return this.native.checkBbo(bbo, maxLevels);
  }

  /** Every depth row and trade, no agent, timed natively. */
  replay(): L2ReplayStats & { seconds: number } {
    return this.native.replay();
  }
}
