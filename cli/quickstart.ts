// `tranche quickstart`: the main job on the embedded default market, end to end: train a PPO agent (`tranche train`,
// a few minutes on two cores), then evaluate it beside every baseline on episodes it never saw (`tranche eval`), and
// print where the report and the ONNX model are.
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_POLICIES } from "../eval/policies.js";
import { addEvalOptions, runEvalCommand } from "./eval.js";
import { EXIT, wholeNumber, workAction, type CliIO } from "./program.js";
import { EXIT_INTERRUPTED, runTrainCommand } from "./train.js";

/** Episodes per policy of the quickstart evaluation. */
export const QUICKSTART_EPISODES = 4000;
/** Training steps of the quickstart agent: about three minutes on two cores with the wasm backend. */
export const QUICKSTART_STEPS = 1_000_000;

interface QuickstartFlags {
  out?: string;
  steps: number;
  market?: string;
  side?: string;
  qty?: number;
  horizon?: string;
  step?: string;
  [flag: string]: unknown;
}

/** `tranche quickstart`. */
export function addQuickstartCommand(program: Command, io: CliIO): Command {
  const command = program
    .command("quickstart")
    .summary("train an agent on the embedded default market, evaluate it beside every baseline and write the report")
    .description(
      "The main job on the embedded default market, the generative market calibrated on the GOOG LOBSTER day (preset goog; latency " +
        "and fees on), buying 2,000 shares over ten minutes in 10-second decisions: trains a PPO agent for " +
        `${QUICKSTART_STEPS.toLocaleString("en-US")} steps (tranche train; a few minutes on two cores), then evaluates it beside every ` +
        `baseline (TWAP, TWAP-passive, VWAP, POV, Almgren–Chriss, submit-and-leave) on ${QUICKSTART_EPISODES} episodes training never saw ` +
        "(tranche eval): the statistics table, the HTML report and the ONNX model, in one folder. Every tranche eval option applies " +
        "to both (the market and the parent order too).",
    );
  addEvalOptions(command, { episodes: QUICKSTART_EPISODES });
  command.option("--steps <n>", `training steps (default ${QUICKSTART_STEPS.toLocaleString("en-US")})`, wholeNumber(1), QUICKSTART_STEPS);
  return command.action(
    workAction(io, async (cmd) => {
      const flags = cmd.opts<QuickstartFlags>();
      const folder = resolve(flags.out ?? `runs/quickstart-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`);
      io.print(`tranche quickstart: train a PPO agent (${flags.steps.toLocaleString("en-US")} steps), then evaluate it beside every baseline`);
      // The agent trains on the market and parent order the evaluation runs.
      const parent: Record<string, unknown> = {};
      if (flags.side !== undefined) parent.side = flags.side;
      if (flags.qty !== undefined) parent.lots = flags.qty;
      if (flags.horizon !== undefined) parent.horizon = flags.horizon;
      if (flags.step !== undefined) parent.step = flags.step;
      const set = [`ppo.totalSteps=${flags.steps}`, ...(flags.market !== undefined ? [`market=${JSON.stringify(flags.market)}`] : []), ...(Object.keys(parent).length > 0 ? [`parent=${JSON.stringify(parent)}`] : [])];
      const trained = await runTrainCommand(io, { set, out: join(folder, "train") });
      if (trained.interrupted || trained.model === undefined) return EXIT_INTERRUPTED;
      io.print("");
      const policies = [...DEFAULT_POLICIES, `model:${trained.model.file}`].join(",");
      await runEvalCommand(io, { ...(flags as object), set: (flags.set as string[] | undefined) ?? [], policies, out: join(folder, "eval") } as Parameters<typeof runEvalCommand>[1], { episodes: QUICKSTART_EPISODES, title: "tranche quickstart" });
      io.print(`model: ${trained.model.file}`);
      return EXIT.done;
    }),
  );
}
