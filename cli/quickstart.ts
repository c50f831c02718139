// `tranche quickstart`: the main job on the embedded default market. Until a trained agent beats the baselines there
// (issue 17: `tranche train` exists, its GOOG agent does not yet), that is the evaluation of every baseline (`tranche
// eval` with its defaults), on enough episodes for tight intervals. It writes the run folder and prints the report.
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
      "The main job on the embedded default market. Until a trained agent beats the baselines there, that is `tranche eval` with every " +
        `baseline (TWAP, TWAP-passive, VWAP, POV, Almgren–Chriss, submit-and-leave) on ${QUICKSTART_EPISODES} ` +
        "episodes of the generative market calibrated on the GOOG LOBSTER day (preset goog; latency and fees on), buying 2,000 lots " +
        "(2,000 shares) over ten minutes in 10-second decisions: " +
        "the statistics table, then the run folder with the HTML report. Every `tranche eval` option applies.",
    );
  addEvalOptions(command, { episodes: QUICKSTART_EPISODES });
  return command.action(
    workAction(io, async (cmd) => {
      io.print("tranche quickstart: the evaluation of the baselines (`tranche eval`); `tranche train` trains an agent, which does not yet beat them on this market.");
      await runEvalCommand(io, cmd.opts(), { episodes: QUICKSTART_EPISODES, title: "tranche quickstart" });
      return EXIT.done;
    }),
  );
}
