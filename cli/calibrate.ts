// `tranche calibrate <file.arrow> -o <preset.json>`: fits the generative market to an imported LOBSTER day and
// writes the preset (eval/generative/calibrate.ts holds the estimators).
import { writeFileSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { DataError } from "../data/errors.js";
import { parseTimeOfDay } from "../env/markets.js";
import { openDataFile } from "../data/reader.js";
import { calibrate, meanMarketOrderSize } from "../eval/generative/calibrate.js";
import { sliceDay, type L3Day } from "../eval/microstructure/day.js";
import { loadL2Day } from "../eval/microstructure/l2-day.js";
import { readL3Day } from "./analyze.js";
import { UsageError, wholeNumber, workAction, type CliIO } from "./program.js";

interface CalibrateCommandOptions {
  out?: string;
  name?: string;
  tickMultiple?: number;
  from?: string;
  until?: string;
}

/** "HH:MM[:SS]" as seconds after midnight; a usage error naming the flag otherwise. */
function secondsOfDay(flag: string, text: string): number {
  const seconds = parseTimeOfDay(text);
  if (Number.isNaN(seconds)) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a time of day: write it as HH:MM or HH:MM:SS, e.g. 12:30`);
  return seconds;
}

/** Default coarser tick of an L2 (Binance) day: on BTCUSDT's 0.01 tick the price moves tens of thousands of ticks in
 * ten minutes; at 1 USDT, 98% of limit orders arrive within 160 ticks of the mid (the model's distance table). */
export const L2_TICK_MULTIPLE = 100;

/**
 * The day a preset is calibrated on or compared with: a LOBSTER import as it is, a Binance depth import replayed into
 * L3 messages on a coarser tick (`tickMultiple` native ticks; default L2_TICK_MULTIPLE).
 */
export function readCalibrationDay(file: string, tickMultiple: number | undefined, io: Pick<CliIO, "print">): { day: L3Day; unitLots?: number; tickMultiple?: number } {
  const meta = openDataFile(file).meta;
  if (meta.kind === "l2") {
    const m = tickMultiple ?? L2_TICK_MULTIPLE;
    const day = loadL2Day(file, { tickMultiple: m });
    const unitLots = meanMarketOrderSize(day);
    io.print(`an L2 stream: its depth diffs and trades read as L3 messages on a tick of ${m} native ticks (${+(day.tickSize).toPrecision(6)}); one unit = the mean market order, ${unitLots} lots`);
    return { day, unitLots, tickMultiple: m };
  }
  if (tickMultiple !== undefined && tickMultiple !== 1) throw new UsageError("--tick-multiple applies to an L2 (Binance depth) file; a LOBSTER day calibrates on its own tick");
  return { day: readL3Day(file) };
}

function run(command: Command, io: CliIO): number {
  const files = command.args;
  if (files.length !== 1) throw new UsageError(`expected one .arrow file, got ${files.length}`);
  const o = command.opts<CalibrateCommandOptions>();
  if (o.out === undefined || !o.out.endsWith(".json")) throw new UsageError(`-o <preset.json> is required and must end in .json${o.out ? ` (got ${o.out})` : ""}`);
  const t0 = performance.now();
  const read = readCalibrationDay(files[0], o.tickMultiple, io);
  const { unitLots, tickMultiple } = read;
  let day = read.day;
  if (o.from !== undefined || o.until !== undefined) {
    const from = o.from === undefined ? 0 : secondsOfDay("--from", o.from), until = o.until === undefined ? 86_400 : secondsOfDay("--until", o.until);
    if (until <= from) throw new UsageError(`--until ${o.until} is not after --from ${o.from ?? "00:00"}`);
    try {
      day = sliceDay(day, from, until);
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(`${e.message}; choose --from/--until inside it`);
      throw e;
    }
  }
  const clock = (s: number) => new Date(Math.round(s) * 1000).toISOString().slice(11, 16);
  io.print(`calibrating on ${day.symbol} ${day.date}: ${day.t.length.toLocaleString("en-US")} messages over ${(day.t[day.t.length - 1] / 60).toFixed(1)} min (${clock(day.startLocalS)}–${clock(day.startLocalS + day.t[day.t.length - 1])} local time)`);
  const preset = calibrate(day, files[0], { name: o.name, unitLots, log: (line) => io.print(line) });
  if (tickMultiple !== undefined) preset.source.tickMultiple = tickMultiple;
  if (o.from !== undefined || o.until !== undefined) preset.source.window = `${clock(day.startLocalS)}–${clock(day.startLocalS + day.t[day.t.length - 1])}`;
  const f = preset.fit;
  io.print("fit:");
  for (const [k, v] of Object.entries(f)) io.print(`  ${k.padEnd(24)} ${typeof v === "number" ? +v.toPrecision(4) : v}`);
  const tmp = `${o.out}.partial`;
  try {
    writeFileSync(tmp, JSON.stringify(preset, null, 1) + "\n");
    renameSync(tmp, o.out);
  } catch (e) {
    throw new DataError("WRITE_FAILED", `could not write the preset: ${(e as Error).message}`, "check the folder exists and is writable, or choose another -o", { file: o.out });
  }
  io.print(`wrote ${o.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s; run it with --market '{"kind":"preset","file":"${o.out}"}' or check it with \`tranche fidelity ${o.out}\``);
  return 0;
}

/** Adds `calibrate` to the program. */
export function addCalibrateCommand(program: Command, io: CliIO): Command {
  return program
    .command("calibrate")
    .summary("fit the generative market to a LOBSTER day or a Binance depth stream and write a preset JSON")
    .description(
      "Estimates the generative market's parameters from an imported LOBSTER day (`tranche data import-lobster`) or Binance " +
        "depth stream (`tranche data import-binance`; its diffs and trades are read as L3 messages on a coarser tick): limit " +
        "arrivals by distance from the mid, cancel rates by distance from the opposite quote, market orders with their Hawkes " +
        "clustering, the propagator's amplitude and time scale, and news; then fits the placement offset and the news rate " +
        "by simulating whole days. Prints the fit and writes the preset (figures only: no data is copied).",
    )
    .usage("<file.arrow> -o <preset.json> [--name <name>] [--tick-multiple <n>] [--from <HH:MM>] [--until <HH:MM>]")
    .allowExcessArguments()
    .option("-o, --out <preset.json>", "where to write the preset")
    .option("--name <name>", "the preset's name (default: the symbol in lower case)")
    .option("--tick-multiple <n>", `an L2 file only: native ticks per model tick (default ${L2_TICK_MULTIPLE})`, wholeNumber(1))
    .option("--from <HH:MM>", "calibrate on the messages from this local time of day on (LOBSTER: the exchange's; Binance: UTC)")
    .option("--until <HH:MM>", "… and before this one: e.g. --until 12:30 fits the morning alone")
    .action(workAction(io, (command) => run(command, io)));
}
