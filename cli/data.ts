// `tranche data …`: import LOBSTER and Binance raw files into Tranche's Arrow files, and describe them.
// The commands' options and progress output only; the work is in data/.
import { basename } from "node:path";
import type { Command } from "commander";
import { binanceOutputPaths, parseBinance, writeBinance } from "../data/binance.js";
import { DataError, escapeControls, quoteInput } from "../data/errors.js";
import { formatSummary, summarizeDataset } from "../data/info.js";
import { lobsterOutputPaths, parseLobster, writeLobster, type LobsterVerifier } from "../data/lobster.js";
import { refuseOutputsThatAreInputs } from "../data/writer.js";
import { addAnalyzeCommand } from "./analyze.js";
import { UsageError, createProgram, processIO, runProgram, workAction, type CliIO } from "./program.js";

/** What `runDataCommand` needs from its caller; every field is optional. */
export interface DataCommandDeps {
  /** Exact replay check of a LOBSTER import (the native engine provides it). */
  verifyLobster?: LobsterVerifier;
  /** Where normal output goes (default: stdout). Receives whole lines without the trailing newline. */
  print?: (line: string) => void;
  /** Where errors go (default: stderr). */
  printError?: (line: string) => void;
}

const seconds = (s: number): string => `${s.toFixed(2)} s`;
const count = (n: number): string => n.toLocaleString("en-US");

/**
 * The files named on the command line. The commands take them as plain operands (their usage line names them)
 * so that the count errors say what is missing in the data layer's words.
 */
const filesOf = (command: Command): string[] => command.args;

/** The `--out` file, checked before any input is read: it ends in .arrow and none of the files written is an input. */
function requireArrowOut(out: string | undefined, inputs: readonly string[], outputsOf: (out: string) => Record<string, string>): string {
  if (out === undefined) throw new UsageError("missing -o/--out <file.arrow>");
  if (!out.endsWith(".arrow")) throw new UsageError(`--out must end in .arrow (got ${out}); market data files stay out of git via *.arrow`);
  // The output's name goes into the files' metadata (their companions' names): check it now, not after the import.
  const name = basename(out);
  if (name === ".arrow" || escapeControls(name) !== name) throw new UsageError(`--out ${quoteInput(name)} needs a name before .arrow and no control characters`);
  refuseOutputsThatAreInputs(Object.values(outputsOf(out)), inputs);
  return out;
}

interface ImportLobsterOptions {
  out?: string;
  tick?: string;
  date?: string;
  timezone?: string;
  symbol?: string;
  /** false with --no-verify. */
  verify: boolean;
}

function importLobster(command: Command, verifyLobster: LobsterVerifier | undefined, print: (l: string) => void): number {
  const files = filesOf(command);
  const o = command.opts<ImportLobsterOptions>();
  if (files.length !== 2) throw new UsageError(`expected 2 files (message, orderbook), got ${files.length}`);
  const [messagePath, orderbookPath] = files;
  const out = requireArrowOut(o.out, files, lobsterOutputPaths);
  let tick: number | undefined;
  if (o.tick !== undefined) {
    tick = Number(o.tick);
    if (!/^\d+$/.test(o.tick) || !Number.isSafeInteger(tick) || tick < 1) {
      throw new UsageError(`--tick must be a positive whole number of LOBSTER price units (USD x 10,000), got "${o.tick}"`);
    }
  }
  const t0 = performance.now();
  const imp = parseLobster(messagePath, orderbookPath, { tick, date: o.date, timezone: o.timezone, symbol: o.symbol });
  const m = imp.messages;
  print(`read ${count(m.rows)} messages in ${seconds(imp.timings.messagesS)}, ${count(imp.book.rows)} orderbook rows (${imp.book.columns.levels} levels) in ${seconds(imp.timings.bookS)}`);
  if (m.meta.lobster && m.meta.lobster.offGridPrices > 0) {
    print(`note: ${count(m.meta.lobster.offGridPrices)} hidden/cross executions priced between ticks (kept exactly in price_raw)`);
  }
  for (const note of imp.notes) print(`note: ${note}`);
  if (!o.verify) {
    print("verification: skipped (--no-verify)");
  } else if (verifyLobster) {
    const tv = performance.now();
    const report = verifyLobster(imp.messages, imp.book);
    print(`verification: ${report.summary} (${count(report.rowsChecked)} rows in ${seconds((performance.now() - tv) / 1000)})`);
    if (!report.ok) {
      throw new DataError(
        "VERIFY_FAILED",
        `the replay differs from the orderbook file at ${count(report.mismatches)} rows${report.firstMismatchRow !== undefined ? `, first at row ${report.firstMismatchRow} (line ${report.firstMismatchRow + 1})` : ""}; nothing was written`,
        "check that the two files belong together; pass --no-verify to import anyway",
        { file: orderbookPath },
      );
    }
  } else {
    print("verification: not available in this build");
  }
  const tw = performance.now();
  const written = writeLobster(imp, out);
  print(`wrote ${written.join(", ")} in ${seconds((performance.now() - tw) / 1000)}; total ${seconds((performance.now() - t0) / 1000)}`);
  return 0;
}

interface ImportBinanceOptions {
  out?: string;
  tick?: string;
  lot?: string;
}

function importBinance(command: Command, print: (l: string) => void): number {
  const files = filesOf(command);
  const o = command.opts<ImportBinanceOptions>();
  if (files.length === 0) throw new UsageError("expected one or more collector files");
  const out = requireArrowOut(o.out, files, binanceOutputPaths);
  const t0 = performance.now();
  const imp = parseBinance(files, { tick: o.tick, lot: o.lot });
  const b = imp.depth.meta.binance;
  print(`read ${count(imp.lines)} lines from ${files.length} file(s) in ${seconds(imp.timings.readS)}, parsed in ${seconds(imp.timings.parseS)}`);
  for (const note of imp.notes) print(`note: ${note}`);
  if (b) {
    print(
      `${b.market} ${imp.depth.meta.symbol}: ${count(b.snapshots.length)} snapshot(s), ${count(b.diffEvents)} diffs applied (${count(b.droppedStale)} older than the snapshot dropped), ` +
        `${count(imp.depth.rows)} depth rows, ${count(imp.trades.rows)} trades, ${count(imp.bbo.rows)} bookTicker records`,
    );
    if (b.gaps.length === 0) print("gaps: none");
    else {
      print(`gaps: ${b.gaps.length} (the book is unreliable after each until the next snapshot; see \`tranche data info\`)`);
      for (const g of b.gaps.slice(0, 5)) print(`  ${g.file}:${g.line} row ${g.row}: ${g.rule} fails (prev u ${g.prevLastUpdateId}, U ${g.firstUpdateId}, u ${g.lastUpdateId})`);
    }
  }
  const tw = performance.now();
  const written = writeBinance(imp, out);
  print(`wrote ${written.join(", ")} in ${seconds((performance.now() - tw) / 1000)}; total ${seconds((performance.now() - t0) / 1000)}`);
  return 0;
}

function info(command: Command, io: CliIO): number {
  const files = filesOf(command);
  if (files.length === 0) throw new UsageError("expected a .arrow file");
  // Describe every file given, then fail if any companion is missing, damaged or foreign.
  let problems = 0;
  files.forEach((p, i) => {
    if (i > 0) io.print("");
    const d = summarizeDataset(p);
    io.print(d.files.map(formatSummary).join("\n\n"));
    for (const e of d.problems) io.printError(`tranche data info: ${e.code}: ${e.message}`);
    problems += d.problems.length;
  });
  return problems === 0 ? 0 : 1;
}

/**
 * Adds `data` and its commands to `program`. A DataError exits 1 with `tranche data <command>: <code>:
 * <message>` (the message names the file, line, problem and fix); a usage mistake exits 2 with the usage.
 */
export function addDataCommand(program: Command, io: CliIO, verifyLobster?: LobsterVerifier): Command {
  const data = program
    .command("data")
    .summary("import LOBSTER and Binance files into Arrow files, and describe them")
    .description("Market data as Apache Arrow files.")
    .usage("<command> [options]");

  data
    .command("import-lobster")
    .summary("LOBSTER message + orderbook files -> <out>.arrow (l3) and <out>.book.arrow (book)")
    .description(
      "Writes <out>.arrow (L3 messages) and <out>.book.arrow (the orderbook rows). Inputs may be gzipped. Before " +
        "writing, the native replay runs the whole day and compares its book with every orderbook row; if any row " +
        "differs, nothing is written.",
    )
    .usage("<message.csv[.gz]> <orderbook.csv[.gz]> -o <out.arrow> [options]")
    .allowExcessArguments()
    .option("-o, --out <file.arrow>", "output file (must end in .arrow; replaced atomically)")
    .option("--tick <N>", "tick in LOBSTER price units (USD x 10,000); default 100 = $0.01")
    .option("--date <YYYY-MM-DD>", "trading date; default: the date in the file name (TICKER_YYYY-MM-DD_...)")
    .option("--timezone <zone>", 'zone of LOBSTER\'s seconds after midnight; default America/New_York (converted to UTC); "UTC" keeps the clock as given')
    .option("--symbol <TICKER>", "default: the ticker in the file name")
    .option("--no-verify", "skip the exact replay check of the book against the orderbook file")
    .action(workAction(io, (command) => importLobster(command, verifyLobster, io.print)));

  data
    .command("import-binance")
    .summary("hftbacktest collector files (read by receive time) -> <out>.arrow (l2 depth), <out>.trades.arrow and <out>.bbo.arrow (bookTicker)")
    .description(
      "Reads hftbacktest collector files (`<local_recv_ts_ns> <json>` per line) as one stream, sorted by their " +
        "first receive time (a note says so when that differs from the order given); files that overlap in time, " +
        "repeat one another or repeat update or trade ids are refused. Then it synchronises the depth diffs with " +
        "the REST snapshot by Binance's rule and reports any gap. Writes <out>.arrow (l2 depth events), " +
        "<out>.trades.arrow and <out>.bbo.arrow.",
    )
    .usage("<file.gz>... -o <out.arrow> [options]")
    .allowExcessArguments()
    .option("-o, --out <file.arrow>", "output file (must end in .arrow; replaced atomically)")
    .option("--tick <decimal>", "price tick in quote currency; default spot 0.01, USD-M 0.1")
    .option("--lot <decimal>", "quantity lot in base currency; default spot 0.00000001, USD-M 0.001")
    .action(workAction(io, (command) => importBinance(command, io.print)));

  data
    .command("info")
    .summary("kind, instrument, time span, counts and gaps of a file and its companions")
    .description(
      "Prints the table kind, instrument metadata, time span, counts by message type (L3) or snapshot levels / " +
        "diffs (L2), book levels, gaps, and the same for the import's companion files. Exits 1, after describing " +
        "what it could, if a companion is missing, damaged, of another kind or from another import.",
    )
    .usage("<file.arrow>")
    .allowExcessArguments()
    .action(workAction(io, (command) => info(command, io)));

  addAnalyzeCommand(data, io);
  // `tranche data --help` shows every command's options, so one help shows everything.
  data.addHelpText("after", (context) =>
    context.error ? "" : "\n" + data.commands.filter((c) => c.name() !== "help").map((c) => c.helpInformation().trimEnd()).join("\n\n"),
  );
  return data;
}

/**
 * Runs `tranche data <argv…>` (argv is what follows `data`). Resolves to the exit code: 0 done, 1 a data error
 * (the message names the file, line, problem and fix), 2 a usage error.
 */
export async function runDataCommand(argv: string[], deps: DataCommandDeps = {}): Promise<number> {
  const io: CliIO = { print: deps.print ?? processIO.print, printError: deps.printError ?? processIO.printError };
  const program = createProgram();
  addDataCommand(program, io, deps.verifyLobster);
  return runProgram(program, ["data", ...argv], io);
}
