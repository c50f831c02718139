// `tranche data …`: import LOBSTER and Binance raw files into Tranche's Arrow files, and describe them.
// Parsing of arguments and progress output only; the work is in data/.
import { parseArgs } from "node:util";
import { basename } from "node:path";
import { binanceOutputPaths, parseBinance, writeBinance } from "../data/binance.js";
import { DataError, escapeControls, quoteInput } from "../data/errors.js";
import { formatSummary, summarizeDataset } from "../data/info.js";
import { lobsterOutputPaths, parseLobster, writeLobster, type LobsterVerifier } from "../data/lobster.js";
import { refuseOutputsThatAreInputs } from "../data/writer.js";

/** What `runDataCommand` needs from its caller; every field is optional. */
export interface DataCommandDeps {
  /** Exact replay check of a LOBSTER import (the native engine provides it). */
  verifyLobster?: LobsterVerifier;
  /** Where normal output goes (default: stdout). Receives whole lines without the trailing newline. */
  print?: (line: string) => void;
  /** Where errors go (default: stderr). */
  printError?: (line: string) => void;
}

const USAGE = {
  main: `Usage: tranche data <command> [options]

Commands:
  import-lobster <message.csv[.gz]> <orderbook.csv[.gz]> -o <out.arrow>
                  LOBSTER message + orderbook files -> <out>.arrow (l3) and <out>.book.arrow (book)
  import-binance <file.gz>... -o <out.arrow>
                  hftbacktest collector files (read by receive time) -> <out>.arrow (l2 depth),
                  <out>.trades.arrow and <out>.bbo.arrow (bookTicker)
  info <file.arrow>
                  kind, instrument, time span, counts and gaps of a file and its companions

\`tranche data <command> --help\` prints the options of one command.`,
  "import-lobster": `Usage: tranche data import-lobster <message.csv[.gz]> <orderbook.csv[.gz]> -o <out.arrow> [options]

Writes <out>.arrow (L3 messages) and <out>.book.arrow (the orderbook rows). Inputs may be gzipped.

Options:
  -o, --out <file.arrow>  output file (must end in .arrow; replaced atomically)
  --tick <N>              tick in LOBSTER price units (USD x 10,000); default 100 = $0.01
  --date <YYYY-MM-DD>     trading date; default: the date in the file name (TICKER_YYYY-MM-DD_...)
  --timezone <zone>       zone of LOBSTER's seconds after midnight; default America/New_York
                          (converted to UTC); "UTC" keeps the clock as given
  --symbol <TICKER>       default: the ticker in the file name
  --no-verify             skip the exact replay check of the book against the orderbook file
  -h, --help              this text`,
  "import-binance": `Usage: tranche data import-binance <file.gz>... -o <out.arrow> [options]

Reads hftbacktest collector files (\`<local_recv_ts_ns> <json>\` per line) as one stream, sorted by their
first receive time (a note says so when that differs from the order given); files that overlap in time,
repeat one another or repeat update or trade ids are refused. Then it
synchronises the depth diffs with the REST snapshot by Binance's rule and reports any gap.
Writes <out>.arrow (l2 depth events), <out>.trades.arrow and <out>.bbo.arrow.

Options:
  -o, --out <file.arrow>  output file (must end in .arrow; replaced atomically)
  --tick <decimal>        price tick in quote currency; default spot 0.01, USD-M 0.1
  --lot <decimal>         quantity lot in base currency; default spot 0.00000001, USD-M 0.001
  -h, --help              this text`,
  info: `Usage: tranche data info <file.arrow>

Prints the table kind, instrument metadata, time span, counts by message type (L3) or
snapshot levels / diffs (L2), book levels, gaps, and the same for the import's companion files.`,
} as const;

type Sub = keyof typeof USAGE;

class UsageError extends Error {
  constructor(
    message: string,
    readonly sub: Sub,
  ) {
    super(message);
  }
}

const seconds = (s: number): string => `${s.toFixed(2)} s`;
const count = (n: number): string => n.toLocaleString("en-US");

/** The `--out` file, checked before any input is read: it ends in .arrow and none of the files written is an input. */
function requireArrowOut(out: string | undefined, sub: Sub, inputs: readonly string[], outputsOf: (out: string) => Record<string, string>): string {
  if (out === undefined) throw new UsageError("missing -o/--out <file.arrow>", sub);
  if (!out.endsWith(".arrow")) throw new UsageError(`--out must end in .arrow (got ${out}); market data files stay out of git via *.arrow`, sub);
  // The output's name goes into the files' metadata (their companions' names): check it now, not after the import.
  const name = basename(out);
  if (name === ".arrow" || escapeControls(name) !== name) throw new UsageError(`--out ${quoteInput(name)} needs a name before .arrow and no control characters`, sub);
  refuseOutputsThatAreInputs(Object.values(outputsOf(out)), inputs);
  return out;
}

function importLobster(args: string[], deps: DataCommandDeps, print: (l: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string", short: "o" },
      tick: { type: "string" },
      date: { type: "string" },
      timezone: { type: "string" },
      symbol: { type: "string" },
      "no-verify": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    print(USAGE["import-lobster"]);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`expected 2 files (message, orderbook), got ${positionals.length}`, "import-lobster");
  const [messagePath, orderbookPath] = positionals;
  const out = requireArrowOut(values.out, "import-lobster", positionals, lobsterOutputPaths);
  let tick: number | undefined;
  if (values.tick !== undefined) {
    tick = Number(values.tick);
    if (!/^\d+$/.test(values.tick) || !Number.isSafeInteger(tick) || tick < 1) {
      throw new UsageError(`--tick must be a positive whole number of LOBSTER price units (USD x 10,000), got "${values.tick}"`, "import-lobster");
    }
  }
  const t0 = performance.now();
  const imp = parseLobster(messagePath, orderbookPath, { tick, date: values.date, timezone: values.timezone, symbol: values.symbol });
  const m = imp.messages;
  print(`read ${count(m.rows)} messages in ${seconds(imp.timings.messagesS)}, ${count(imp.book.rows)} orderbook rows (${imp.book.columns.levels} levels) in ${seconds(imp.timings.bookS)}`);
  if (m.meta.lobster && m.meta.lobster.offGridPrices > 0) {
    print(`note: ${count(m.meta.lobster.offGridPrices)} hidden/cross executions priced between ticks (kept exactly in price_raw)`);
  }
  for (const note of imp.notes) print(`note: ${note}`);
  if (values["no-verify"]) {
    print("verification: skipped (--no-verify)");
  } else if (deps.verifyLobster) {
    const tv = performance.now();
    const report = deps.verifyLobster(imp.messages, imp.book);
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

function importBinance(args: string[], print: (l: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string", short: "o" },
      tick: { type: "string" },
      lot: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    print(USAGE["import-binance"]);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("expected one or more collector files", "import-binance");
  const out = requireArrowOut(values.out, "import-binance", positionals, binanceOutputPaths);
  const t0 = performance.now();
  const imp = parseBinance(positionals, { tick: values.tick, lot: values.lot });
  const b = imp.depth.meta.binance;
  print(`read ${count(imp.lines)} lines from ${positionals.length} file(s) in ${seconds(imp.timings.readS)}, parsed in ${seconds(imp.timings.parseS)}`);
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

function info(args: string[], print: (l: string) => void, printError: (l: string) => void): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help) {
    print(USAGE.info);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("expected a .arrow file", "info");
  // Describe every file given, then fail if any companion is missing, damaged or foreign.
  let problems = 0;
  positionals.forEach((p, i) => {
    if (i > 0) print("");
    const d = summarizeDataset(p);
    print(d.files.map(formatSummary).join("\n\n"));
    for (const e of d.problems) printError(`tranche data info: ${e.code}: ${e.message}`);
    problems += d.problems.length;
  });
  return problems === 0 ? 0 : 1;
}

/**
 * Runs `tranche data <argv…>` (argv is what follows `data`). Returns the exit code: 0 done, 1 a data error
 * (the message names the file, line, problem and fix), 2 a usage error.
 */
export async function runDataCommand(argv: string[], deps: DataCommandDeps = {}): Promise<number> {
  const print = deps.print ?? ((line: string) => process.stdout.write(line + "\n"));
  const printError = deps.printError ?? ((line: string) => process.stderr.write(line + "\n"));
  const [sub, ...rest] = argv;
  try {
    if (sub === undefined) {
      printError(USAGE.main);
      return 2;
    }
    if (sub === "--help" || sub === "-h" || sub === "help") {
      // The overview, then every command's options, so one --help shows everything.
      print([USAGE.main, USAGE["import-lobster"], USAGE["import-binance"], USAGE.info].join("\n\n"));
      return 0;
    }
    switch (sub) {
      case "import-lobster":
        return importLobster(rest, deps, print);
      case "import-binance":
        return importBinance(rest, print);
      case "info":
        return info(rest, print, printError);
      default:
        printError(`tranche data: unknown command ${quoteInput(sub)}\n\n${USAGE.main}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      printError(`tranche data ${e.sub}: ${escapeControls(e.message)}\n\n${USAGE[e.sub]}`);
      return 2;
    }
    if (e instanceof DataError) {
      printError(`tranche data ${sub}: ${e.code}: ${e.message}`);
      return 1;
    }
    // parseArgs reports unknown options and missing values as TypeErrors with a code.
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      const s = (sub in USAGE ? sub : "main") as Sub;
      printError(`tranche data ${escapeControls(sub)}: ${escapeControls((e as Error).message)}\n\n${USAGE[s]}`);
      return 2;
    }
    throw e;
  }
}
