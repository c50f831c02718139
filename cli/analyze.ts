// `tranche data analyze <file.arrow>`: the microstructure report of one imported day, printed as a table and,
// with --json, written as JSON. The command's options and output only; the estimators are in eval/microstructure/.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { DataError } from "../data/errors.js";
import { openDataFile } from "../data/reader.js";
import { analyzeDay, formatMicrostructure, microstructureJson } from "../eval/microstructure/analyze.js";
import { loadL3Day, type L3Day } from "../eval/microstructure/day.js";
import { UsageError, workAction, type CliIO } from "./program.js";

interface AnalyzeCommandOptions {
  json?: string;
}

/** The day in `file`, refusing any file that is not a LOBSTER L3 import before reading its book. */
export function readL3Day(file: string): L3Day {
  const meta = openDataFile(file).meta;
  if (meta.kind !== "l3" || meta.lobster === undefined) {
    const what = meta.binance !== undefined ? `a Binance "${meta.kind}" table` : `a "${meta.kind}" table`;
    throw new DataError(
      "WRONG_KIND",
      `the file holds ${what}; \`tranche data analyze\` supports only LOBSTER L3 files so far`,
      "pass the .arrow file of a LOBSTER import (`tranche data import-lobster <message.csv> <orderbook.csv> -o <day.arrow>`)",
      { file },
    );
  }
  return loadL3Day(file);
}

function analyze(command: Command, io: CliIO): number {
  const files = command.args;
  if (files.length !== 1) throw new UsageError(`expected one .arrow file, got ${files.length}`);
  const o = command.opts<AnalyzeCommandOptions>();
  if (o.json !== undefined && !o.json.endsWith(".json")) throw new UsageError(`--json must end in .json (got ${o.json})`);
  const t0 = performance.now();
  const report = analyzeDay(readL3Day(files[0]));
  for (const line of formatMicrostructure(report)) io.print(line);
  if (o.json !== undefined) {
    try {
      writeFileSync(o.json, microstructureJson(report));
    } catch (e) {
      throw new DataError("WRITE_FAILED", `could not write the report: ${(e as Error).message}`, "check the folder exists and is writable, or choose another --json", { file: o.json });
    }
    io.print(`wrote ${o.json}`);
  }
  io.print(`analyzed in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return 0;
}

/** Adds `analyze` to the `tranche data` command. */
export function addAnalyzeCommand(data: Command, io: CliIO): Command {
  return data
    .command("analyze")
    .summary("microstructure report of a LOBSTER day: spreads, impact, VPIN, predictability, queues, stylized facts")
    .description(
      "Reads an imported LOBSTER day (the .arrow file of `tranche data import-lobster`) and prints: quoted and " +
        "effective spreads with the realised-spread / price-impact split at 1, 5 and 30 s; Kyle's lambda over 1-minute " +
        "intervals; the immediate impact of market orders by size; VPIN on volume buckets; the out-of-sample R² of " +
        "book features for the next mid move; queue fill curves; stylized facts. Only LOBSTER L3 files are supported so far.",
    )
    .usage("<file.arrow> [--json <out.json>]")
    .allowExcessArguments()
    .option("--json <out.json>", "also write the whole report as JSON (NaN written as null)")
    .action(workAction(io, (command) => analyze(command, io)));
}
