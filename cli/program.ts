// The frame every `tranche` command runs in: one commander program, one exit-code convention and one error
// format. A command is a function that adds itself to the program and does its work through `workAction`,
// which turns what the work throws into the printed error and the exit code.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { escapeControls } from "../data/errors.js";
import { TrancheError } from "../errors.js";

/**
 * The exit codes of every command: 0 the work is done; 1 the work failed (a TrancheError, whose message says
 * what and whose hint says what to do, or any other error while working); 2 the command line is wrong (an
 * unknown command or option, a missing or invalid argument value).
 */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

/** Where a command's output goes. Each call receives whole lines, without the trailing newline. */
export interface CliIO {
  print(line: string): void;
  printError(line: string): void;
}

/** The process's stdout and stderr. */
export const processIO: CliIO = {
  print: (line) => {
    quietOnClosedPipe();
    process.stdout.write(line + "\n");
  },
  printError: (line) => process.stderr.write(line + "\n"),
};

// `tranche data --help | head`: a reader that stops early closes the pipe; that ends the output, not in a crash.
let pipeWatched = false;
function quietOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? 0);
  });
}

/**
 * A command line the command cannot run with, found by the command itself (commander finds the rest):
 * exit code 2, and the command's usage is printed after the message.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

// Thrown by workAction once it has printed what went wrong; runProgram turns it into the return value.
class Exit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** `tranche data import-lobster`: the words that name a command, as errors are prefixed with them. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

// Every line of text that echoes user input (a file name, an option) reaches the terminal with control
// characters escaped, so no input can move the cursor or forge a line.
const terminalSafe = (text: string): string => text.split("\n").map(escapeControls).join("\n");

/**
 * What the CLI prints for an error thrown while working: `<where>: <code>: <message>` and `hint: <hint>` for a
 * TrancheError; anything else is a bug, so its stack is printed to say where.
 */
export function formatError(where: string, e: unknown): string {
  if (e instanceof TrancheError) {
    const text = `${where}: ${e.code}: ${terminalSafe(e.message)}`;
    return e.hint === undefined ? text : `${text}\nhint: ${terminalSafe(e.hint)}`;
  }
  if (e instanceof Error) return `${where}: ${terminalSafe(e.stack ?? `${e.name}: ${e.message}`)}`;
  return `${where}: ${terminalSafe(String(e))}`;
}

/**
 * The action of a command that does work: `run` gets the command (its `opts()` and `processedArgs`) and returns
 * the exit code (nothing = 0). A UsageError it throws exits 2 after the command's usage; any other error exits
 * 1 after `formatError`.
 */
export function workAction(io: CliIO, run: (command: Command) => number | void | Promise<number | void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // commander passes the declared arguments, the options, then the command itself.
    const command = args[args.length - 1] as Command;
    let code: number;
    try {
      code = (await run(command)) ?? EXIT.done;
    } catch (e) {
      if (e instanceof CommanderError) throw e;
      if (e instanceof UsageError) {
        io.printError(`${commandPath(command)}: ${terminalSafe(e.message)}\n\n${command.helpInformation().trimEnd()}`);
        throw new Exit(EXIT.usage);
      }
      io.printError(formatError(commandPath(command), e));
      throw new Exit(EXIT.failed);
    }
    if (code !== EXIT.done) throw new Exit(code);
  };
}

/** An option parser for whole numbers ≥ `min`; anything else is a usage error naming the option. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}.`);
    return n;
  };
}

/** The version in the package.json above this file (dist/cli/ or cli/). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tranche" && typeof pkg.version === "string") return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}

/** The bare `tranche` program: name, version, and the description the overview prints. Commands add themselves. */
export function createProgram(): Command {
  return new Command("tranche")
    .description("Reinforcement-learning execution agents on a native limit-order-book simulator.")
    .version(packageVersion(), "-V, --version", "print the version")
    .usage("<command> [options]")
    .helpOption("-h, --help", "print this help")
    .helpCommand("help [command]", "print the help of a command")
    .addHelpText(
      "after",
      "\nExit codes (every command): 0 done; 1 the work failed (the error names the\n" +
        "problem, and a `hint:` line what to do about it); 2 a usage error.\n" +
        "`tranche <command> --help` prints a command's options.",
    );
}

/**
 * The settings that make every command follow the convention, applied to the whole tree once it is built (so
 * that commands added in any order, or built apart and added, all get them): output through `io`, errors
 * prefixed with the command's words, a suggestion for a mistyped command or option, the usage after a usage
 * error, and errors thrown rather than process.exit.
 */
function configureTree(command: Command, io: CliIO): void {
  const where = commandPath(command);
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError(true)
    .configureOutput({
      writeOut: (text) => io.print(text.replace(/\n$/, "")),
      writeErr: (text) => io.printError(text.replace(/\n$/, "")),
      // commander's messages start "error: "; ours start with the command, like every other error.
      outputError: (text, write) => write(`${where}: ${terminalSafe(text.replace(/^error: /, "").replace(/\n$/, ""))}\n`),
    });
  for (const sub of command.commands) configureTree(sub, io);
}

/** commander's verdicts as exit codes: help and version asked for are done; everything else is a usage error. */
function commanderExitCode(e: CommanderError): number {
  if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.done;
  // `tranche help` is asked for (exit 0); a command with subcommands run without one prints its help as an error.
  if (e.code === "commander.help") return e.exitCode === 0 ? EXIT.done : EXIT.usage;
  return EXIT.usage;
}

/** Parses `argv` (the words after `tranche`) and runs the command; resolves to the exit code, never rejects. */
export async function runProgram(program: Command, argv: readonly string[], io: CliIO = processIO): Promise<number> {
  configureTree(program, io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.done;
  } catch (e) {
    if (e instanceof Exit) return e.exitCode;
    if (e instanceof CommanderError) return commanderExitCode(e);
    io.printError(formatError(commandPath(program), e));
    return EXIT.failed;
  }
}
