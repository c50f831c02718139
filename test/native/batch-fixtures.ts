// Shared fixtures for the BatchMarket suites: a quiet market whose book is a known ladder, writing agent
// commands into the caller-owned io arrays, and byte snapshots of those arrays.
import { BATCH_IO, BatchMarket, type BatchIO, type PoissonFlowSpec } from "../../native/index.js";

export const MS = 1_000_000;
export const REFERENCE_PRICE = 10_000;

/**
 * Background flow so slow that nothing happens for hours of simulated time: the book is the seeded ladder,
 * one lot at each of REFERENCE_PRICE ± 1..depth, so every agent fill in a test comes from the agent's order.
 */
export function quietFlow(depth = 5): PoissonFlowSpec {
  return { kind: "poisson", limitRatePerSec: 1e-6, marketRatePerSec: 1e-6, cancelRatePerSec: 0, sizeP: 1, seedDepth: depth, referencePriceTicks: REFERENCE_PRICE };
}

export interface AgentCommandSpec {
  kind: number;
  slot: number;
  side?: number;
  tif?: number;
  priceTicks?: number;
  qtyLots?: number;
}

/** Writes command `c` of market `m`; it is read by the next step. */
export function writeCommand(batch: BatchMarket, m: number, c: number, cmd: AgentCommandSpec): void {
  const k = m * batch.commandsPerMarket + c;
  const io = batch.io;
  io.cmdKind[k] = cmd.kind;
  io.cmdSlot[k] = cmd.slot;
  io.cmdSide[k] = cmd.side ?? 0;
  io.cmdTif[k] = cmd.tif ?? 0;
  io.cmdPriceTicks[k] = cmd.priceTicks ?? 0;
  io.cmdQtyLots[k] = cmd.qtyLots ?? 0;
}

export function clearCommands(io: BatchIO): void {
  io.cmdKind.fill(0);
}

/** Sends the given commands (market 0 unless `m` is given), steps once, and clears the commands again. */
export function stepWith(batch: BatchMarket, dtNs: number, cmds: (AgentCommandSpec & { m?: number })[] = []): void {
  const next = new Map<number, number>();
  for (const cmd of cmds) {
    const m = cmd.m ?? 0;
    const c = next.get(m) ?? 0;
    next.set(m, c + 1);
    writeCommand(batch, m, c, cmd);
  }
  batch.step(dtNs);
  clearCommands(batch.io);
}

const INPUTS = new Set(["cmdKind", "cmdSide", "cmdTif", "cmdSlot", "cmdPriceTicks", "cmdQtyLots"]);
const FILL_ROWS = new Set(Object.entries(BATCH_IO).filter(([, [, dim]]) => dim === "F").map(([name]) => name));

/**
 * A byte copy of every io array (outputs only, unless `withInputs`), keyed by field name. Fill rows past
 * this step's fillCount are leftovers of earlier steps with no meaning, so the copy zeroes them.
 */
export function ioBytes(io: BatchIO, withInputs = false): Record<string, Buffer> {
  const markets = io.fillCount.length, fillsPerMarket = io.fillMaker.length / markets;
  const out: Record<string, Buffer> = {};
  for (const [name, arr] of Object.entries(io) as [string, ArrayBufferView][]) {
    if (!withInputs && INPUTS.has(name)) continue;
    const copy = Buffer.from(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    if (FILL_ROWS.has(name)) {
      const width = arr.byteLength / (markets * fillsPerMarket);
      for (let m = 0; m < markets; m++) {
        const valid = Math.min(io.fillCount[m], fillsPerMarket);
        copy.fill(0, (m * fillsPerMarket + valid) * width, (m + 1) * fillsPerMarket * width);
      }
    }
    out[name] = copy;
  }
  return out;
}

/** Names of the io arrays whose bytes differ between two snapshots. */
export function differingFields(a: Record<string, Buffer>, b: Record<string, Buffer>): string[] {
  return Object.keys(a).filter((k) => !a[k].equals(b[k]));
}

/** xorshift32: a tiny seeded PRNG for command streams, so tests do not depend on Math.random. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}
