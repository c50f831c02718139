// `tranche calibrate <file.arrow> -o <preset.json>`: fits the generative market to an imported LOBSTER day and
// writes the preset (eval/generative/calibrate.ts holds the estimators).
import { writeFileSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { DataError } from "../data/errors.js";
import { calibrate } from "../eval/generative/calibrate.js";
import { readL3Day } from "./analyze.js";
import { UsageError, workAction, type CliIO } from "./program.js";

interface CalibrateCommandOptions {
  out?: string;
  name?: string;
}

function run(command: Command, io: CliIO): number {
  const files = command.args;
  if (files.length !== 1) throw new UsageError(`expected one .arrow file, got ${files.length}`);
  const o = command.opts<CalibrateCommandOptions>();
  if (o.out === undefined || !o.out.endsWith(".json")) throw new UsageError(`-o <preset.json> is required and must end in .json${o.out ? ` (got ${o.out})` : ""}`);
  const t0 = performance.now();
  const day = readL3Day(files[0]);
  io.print(`calibrating on ${day.symbol} ${day.date}: ${day.t.length.toLocaleString("en-US")} messages`);
  const preset = calibrate(day, files[0], { name: o.name, log: (line) => io.print(line) });
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
    .summary("fit the generative market to a LOBSTER day and write a preset JSON")
    .description(
      "Estimates the generative market's parameters from an imported LOBSTER day (`tranche data import-lobster`): limit " +
        "arrivals by distance from the mid, cancel rates by distance from the opposite quote, market orders with their Hawkes " +
        "clustering, the propagator's amplitude and time scale, and news; then fits the placement offset and the news rate " +
        "by simulating whole days. Prints the fit and writes the preset (figures only: no data is copied).",
    )
    .usage("<file.arrow> -o <preset.json> [--name <name>]")
    .allowExcessArguments()
    .option("-o, --out <preset.json>", "where to write the preset")
    .option("--name <name>", "the preset's name (default: the symbol in lower case)")
    .action(workAction(io, (command) => run(command, io)));
}
