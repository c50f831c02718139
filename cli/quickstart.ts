// `tranche quickstart`: the main job on the embedded default market. Until training lands that is the evaluation
// of every baseline (`tranche eval` with its defaults), on enough episodes for tight intervals: about a minute
// on two cores. It writes the run folder and prints where the report is.
import type { Command } from "commander";
import { addEvalOptions, runEvalCommand } from "./eval.js";
import { EXIT, workAction, type CliIO } from "./program.js";

/** Episodes per policy of the quickstart evaluation. */
export const QUICKSTART_EPISODES = 4000;

/** `tranche quickstart`. */
export function addQuickstartCommand(program: Command, io: CliIO): Command {
  const command = program
    .command("quickstart")
    .summary("evaluate every baseline on the embedded default market and write the report")
    .description(
      "The main job on the embedded default market. Until training exists that is `tranche eval` with every " +
        `baseline (TWAP, TWAP-passive, VWAP, POV, Almgren–Chriss, submit-and-leave) on ${QUICKSTART_EPISODES} ` +
        "episodes of the generative market calibrated on the GOOG LOBSTER day (preset goog; latency and fees on), buying 2,000 lots " +
        "(2,000 shares) over ten minutes in 10-second decisions: " +
        "the statistics table, then the run folder with the HTML report. Every `tranche eval` option applies.",
    );
  addEvalOptions(command, { episodes: QUICKSTART_EPISODES });
  return command.action(
    workAction(io, async (cmd) => {
      io.print("tranche quickstart: training is not built yet, so the main job is the evaluation of the baselines (`tranche eval`).");
      await runEvalCommand(io, cmd.opts(), { episodes: QUICKSTART_EPISODES, title: "tranche quickstart" });
      return EXIT.done;
    }),
  );
}
