// `tranche fidelity <preset> --day <day.arrow>`: the fidelity protocol of a preset against the day it models, printed
// and written as an HTML report and JSON (eval/generative/fidelity.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { DataError } from "../data/errors.js";
import { stylizedFacts } from "../eval/microstructure/facts.js";
import { runFidelity } from "../eval/generative/fidelity.js";
import { renderFidelityReport } from "../eval/generative/fidelity-report.js";
import { loadPreset, presetFlow } from "../eval/generative/preset.js";
import { readCalibrationDay } from "./calibrate.js";
import { UsageError, wholeNumber, workAction, type CliIO } from "./program.js";

interface FidelityFlags {
  day?: string;
  regime: string;
  out: string;
  runs?: number;
  days?: number;
}

function run(command: Command, io: CliIO): number {
  if (command.args.length !== 1) throw new UsageError(`expected one preset (a shipped name such as goog, or a preset .json), got ${command.args.length}`);
  const o = command.opts<FidelityFlags>();
  if (o.day === undefined) throw new UsageError("--day <day.arrow> is required: the imported LOBSTER day (or Binance depth stream) the preset is compared with");
  if (!o.out.endsWith(".html")) throw new UsageError(`--out must end in .html (got ${o.out})`);
  const t0 = performance.now();
  const preset = loadPreset(command.args[0]);
  const flow = presetFlow(preset, o.regime);
  const day = stylizedFacts(readCalibrationDay(o.day, preset.source.tickMultiple, io).day);
  const result = runFidelity(preset, o.regime, flow, day, { runs: o.runs, factsDays: o.days, log: (l) => io.print(l) });
  io.print("");
  for (const f of result.facts) io.print(`  ${f.fact.padEnd(40)} day ${f.day.toFixed(2).padStart(9)}  model ${f.model.toFixed(2).padStart(9)}  ×${f.ratio.toFixed(2)}  ${f.pass ? "pass" : "FAIL"}`);
  for (const c of result.impact)
    io.print(`  participation ${c.participation}: exponent ${c.exponent.toFixed(3)} [${c.exponentCi[0].toFixed(3)}, ${c.exponentCi[1].toFixed(3)}], Y ${Math.min(...c.points.map((p) => p.y)).toFixed(2)}–${Math.max(...c.points.map((p) => p.y)).toFixed(2)}, at 2T ${c.relaxation.toFixed(2)} of the peak, unexecuted ${(100 * c.unexecutedShare).toFixed(3)}%`);
  io.print(`  ${Object.entries(result.pass).map(([k, v]) => `${k} ${v ? "pass" : "FAIL"}`).join(", ")}`);
  const json = o.out.replace(/\.html$/, ".json");
  try {
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, renderFidelityReport(result));
    writeFileSync(json, JSON.stringify(result, null, 1) + "\n");
  } catch (e) {
    throw new DataError("WRITE_FAILED", `could not write the report: ${(e as Error).message}`, "check the folder exists and is writable, or choose another --out", { file: o.out });
  }
  io.print(`wrote ${o.out} and ${json} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return Object.values(result.pass).every(Boolean) ? 0 : 1;
}

/** Adds `fidelity` to the program. */
export function addFidelityCommand(program: Command, io: CliIO): Command {
  return program
    .command("fidelity")
    .summary("run the fidelity protocol of a generative preset against its day and write an HTML report")
    .description(
      "Simulates whole days of the preset and compares their stylized facts with the day's (spread, depth by level, event rates, " +
        "the mid's variogram), then runs paired metaorder/control runs at participation 0.1 and 0.25 for the impact exponent with its " +
        "bootstrap interval, Y against the square-root law, unexecuted units and relaxation, and the regime map. Exits 1 when a line of the protocol fails.",
    )
    .usage("<preset> --day <day.arrow> [--regime <name>] [--out fidelity.html]")
    .allowExcessArguments()
    .option("--day <day.arrow>", "the imported LOBSTER day (or Binance depth stream) to compare with")
    .option("--regime <name>", "regime of the preset", "normal")
    .option("--out <file.html>", "where to write the report (the JSON goes beside it)", "fidelity.html")
    .option("--runs <n>", "paired runs per metaorder size (default 300)", wholeNumber(10))
    .option("--days <n>", "simulated days for the stylized facts (default 8)", wholeNumber(1))
    .action(workAction(io, (command) => run(command, io)));
}
