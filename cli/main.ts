#!/usr/bin/env node
// The `tranche` command: parses arguments and dispatches; the work lives in library modules.
import { parseArgs } from "node:util";
import { TrancheError } from "../native/index.js";
import { runDataCommand } from "./data.js";
import { verifyLobster } from "./verify.js";
import { quickstartDefaults, runQuickstart } from "./quickstart.js";

const usage = `tranche — reinforcement-learning execution agents on a native order-book simulator

Usage:
  tranche quickstart [--markets N] [--parent-lots Q] [--steps S] [--step-ms MS] [--seed K]
      Runs the main job on the embedded default market. Today (before training exists) that is a
      batch of simulated markets (zero-intelligence Poisson flow, latency, fees) in which a TWAP-style
      parent order is executed; prints throughput and implementation-shortfall statistics.
  tranche data import-lobster <message> <orderbook> -o <file.arrow> [--tick N] [--date D] [--timezone Z] [--symbol S] [--no-verify]
  tranche data import-binance <files...> -o <file.arrow> [--tick T] [--lot L]
  tranche data info <file.arrow>
      Market data as Apache Arrow files; \`tranche data --help\` for details.
  tranche --help
`;

function intOption(name: string, v: string | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new TrancheError("INVALID_ARGUMENT", `--${name} must be a whole number >= ${min}, got "${v}"`);
  return n;
}

async function quickstart(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        markets: { type: "string" }, "parent-lots": { type: "string" }, steps: { type: "string" },
        "step-ms": { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`tranche quickstart: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const opts = {
    markets: intOption("markets", str("markets"), quickstartDefaults.markets),
    parentLots: intOption("parent-lots", str("parent-lots"), quickstartDefaults.parentLots),
    horizonSteps: intOption("steps", str("steps"), quickstartDefaults.horizonSteps),
    stepMs: intOption("step-ms", str("step-ms"), quickstartDefaults.stepMs),
    seed: intOption("seed", str("seed"), quickstartDefaults.seed, 0),
  };
  console.log("tranche quickstart: training is not built yet, so this runs the most complete job available:");
  console.log(`  ${opts.markets} simulated markets (native batch engine, zero-intelligence Poisson flow, lognormal order-entry latency,`);
  console.log(`  taker fee 2 bps), each buying ${opts.parentLots} lots over ${opts.horizonSteps} steps of ${opts.stepMs} ms with a TWAP schedule`);
  console.log("  (passive slice at the bid, market order when behind schedule, remainder crossed at the horizon).");
  const r = runQuickstart(opts, console.log);
  console.log("results:");
  console.log(`  market-steps/s          ${r.marketStepsPerSec.toFixed(0)} (${r.seconds.toFixed(2)} s wall)`);
  console.log(`  lots filled             ${r.filledLots} of ${opts.parentLots * opts.markets}`);
  console.log(`  passive fill share      ${(r.passiveFillShare * 100).toFixed(1)}%`);
  console.log(`  shortfall vs arrival    ${r.meanShortfallBps.toFixed(2)} bps mean, ${r.stdShortfallBps.toFixed(2)} bps std across markets`);
  console.log(`  fees paid               ${r.feesPaid.toFixed(2)} (quote currency, all markets)`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "quickstart":
      return quickstart(rest);
    case "data":
      return runDataCommand(rest, { verifyLobster });
    case undefined:
    case "--help":
    case "-h":
    case "help":
      process.stdout.write(usage);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`tranche: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof TrancheError) process.stderr.write(`tranche: ${err.message}\n`);
    else if (err instanceof Error) process.stderr.write(`tranche: ${err.stack ?? err.message}\n`);
    else process.stderr.write(`tranche: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
