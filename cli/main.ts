#!/usr/bin/env node
// The `tranche` command: builds the program from one function per command and runs it; the work lives in
// library modules. Every command follows cli/program.ts: exit 0 done, 1 the work failed, 2 a usage error.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { addCalibrateCommand } from "./calibrate.js";
import { addDataCommand } from "./data.js";
import { addEvalCommand } from "./eval.js";
import { addFidelityCommand } from "./fidelity.js";
import { createProgram, processIO, runProgram, type CliIO } from "./program.js";
import { addQuickstartCommand } from "./quickstart.js";
import { addExportCommand, addTrainCommand } from "./train.js";
import { verifyLobster } from "./verify.js";

export { EXIT, UsageError, createProgram, formatError, processIO, runProgram, wholeNumber, workAction, type CliIO } from "./program.js";

/** The whole `tranche` program. A new command is one `add…Command(program, io)` line here. */
export function buildProgram(io: CliIO = processIO): Command {
  const program = createProgram();
  addQuickstartCommand(program, io);
  addDataCommand(program, io, verifyLobster);
  addTrainCommand(program, io);
  addExportCommand(program, io);
  addEvalCommand(program, io);
  addCalibrateCommand(program, io);
  addFidelityCommand(program, io);
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
