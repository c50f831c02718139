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
      Runs the main job on the embedded default market. Today (before evaluation and training exist)
      that is the TWAP and TWAP-passive baselines on the same episodes of the execution env (Poisson
      flow, latency, fees); prints their implementation shortfall and the env's throughput.
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
  console.log("tranche quickstart: evaluation and training are not built yet, so this runs the most complete job available:");
  console.log(`  the agents/ TWAP and TWAP-passive baselines on the same ${opts.markets} episodes of the execution env (native batch,`);
  console.log(`  zero-intelligence Poisson flow, lognormal order-entry latency, taker fee 2 bps), each buying ${opts.parentLots} lots`);
  console.log(`  over ${opts.horizonSteps} decisions of ${opts.stepMs} ms; what is left at the horizon crosses the book.`);
  const r = runQuickstart(opts, console.log);
  console.log("results (implementation shortfall vs the arrival mid, bps, fees included):");
  for (const p of r.policies) {
    const incomplete = p.incomplete > 0 ? `, ${p.incomplete} incomplete (not averaged in)` : "";
    console.log(`  ${p.policy.padEnd(13)} ${p.meanShortfallBps.toFixed(2)} mean, ${p.stdShortfallBps.toFixed(2)} std across episodes; ${p.filledLots} of ${opts.parentLots * r.markets} lots filled${incomplete}`);
  }
  console.log(`  env steps/s    ${r.envStepsPerSec.toFixed(0)} (${r.seconds.toFixed(2)} s wall)`);
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
