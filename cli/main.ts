#!/usr/bin/env node
// The `tranche` command: builds the program from one function per command and runs it; the work lives in
// library modules. Every command follows cli/program.ts: exit 0 done, 1 the work failed, 2 a usage error.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { addDataCommand } from "./data.js";
import { EXIT, createProgram, processIO, runProgram, wholeNumber, workAction, type CliIO } from "./program.js";
import { quickstartDefaults, runQuickstart, type QuickstartOptions } from "./quickstart.js";
import { verifyLobster } from "./verify.js";

export { EXIT, UsageError, createProgram, formatError, processIO, runProgram, wholeNumber, workAction, type CliIO } from "./program.js";

/** `tranche quickstart`: the most complete job the project runs today (cli/quickstart.ts). */
export function addQuickstartCommand(program: Command, io: CliIO): Command {
  const d = quickstartDefaults;
  return program
    .command("quickstart")
    .summary("run the main job on the embedded default market")
    .description(
      "Runs the main job on the embedded default market. Today (before evaluation and training exist) that is the " +
        "TWAP and TWAP-passive baselines on the same episodes of the execution env (Poisson flow, latency, fees); it " +
        "prints their implementation shortfall and the env's throughput.",
    )
    .option("--markets <N>", "markets stepped together", wholeNumber(1), d.markets)
    .option("--parent-lots <Q>", "parent order size in lots, bought in every market", wholeNumber(1), d.parentLots)
    .option("--steps <S>", "decision steps to the horizon", wholeNumber(1), d.horizonSteps)
    .option("--step-ms <MS>", "decision interval in milliseconds", wholeNumber(1), d.stepMs)
    .option("--seed <K>", "seed; the same seed gives the same run", wholeNumber(0), d.seed)
    .action(
      workAction(io, (command) => {
        const o = command.opts<{ markets: number; parentLots: number; steps: number; stepMs: number; seed: number }>();
        const opts: QuickstartOptions = { markets: o.markets, parentLots: o.parentLots, horizonSteps: o.steps, stepMs: o.stepMs, seed: o.seed };
        io.print("tranche quickstart: evaluation and training are not built yet, so this runs the most complete job available:");
        io.print(`  the agents/ TWAP and TWAP-passive baselines on the same ${opts.markets} episodes of the execution env (native batch,`);
        io.print(`  zero-intelligence Poisson flow, lognormal order-entry latency, taker fee 2 bps), each buying ${opts.parentLots} lots`);
        io.print(`  over ${opts.horizonSteps} decisions of ${opts.stepMs} ms; what is left at the horizon crosses the book.`);
        const r = runQuickstart(opts, io.print);
        io.print("results (implementation shortfall vs the arrival mid, bps, fees included):");
        for (const p of r.policies) {
          const incomplete = p.incomplete > 0 ? `, ${p.incomplete} incomplete (not averaged in)` : "";
          io.print(`  ${p.policy.padEnd(13)} ${p.meanShortfallBps.toFixed(2)} mean, ${p.stdShortfallBps.toFixed(2)} std across episodes; ${p.filledLots} of ${opts.parentLots * r.markets} lots filled${incomplete}`);
        }
        io.print(`  env steps/s    ${r.envStepsPerSec.toFixed(0)} (${r.seconds.toFixed(2)} s wall)`);
        return EXIT.done;
      }),
    );
}

/** The whole `tranche` program. A new command is one `add…Command(program, io)` line here. */
export function buildProgram(io: CliIO = processIO): Command {
  const program = createProgram();
  addQuickstartCommand(program, io);
  addDataCommand(program, io, verifyLobster);
  // The evaluation command goes here: addEvalCommand(program, io).
  return program;
}

/** Runs `tranche <argv…>` (the words after `tranche`); resolves to the exit code, never rejects, never exits. */
export function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  return runProgram(buildProgram(io), argv, io);
}

// Run when this file is the entry (`node dist/cli/main.js`, `node --import tsx cli/main.ts`); bin/tranche.js
// imports it and calls main itself.
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) process.exitCode = await main(process.argv.slice(2));
