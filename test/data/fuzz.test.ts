// Fuzzing the market-data layer on real files (a synthetic stand-in where they are absent): seeded byte flips,
// truncations, line-ending changes, duplicated, dropped and reordered lines, gzip damage and swapped arguments
// for both importers, and damaged, swapped and replaced .arrow files for the readers. Every case must end within
// its deadline in a clear DataError or in files that read back and verify; never a stack trace, a hang, a
// partial output or a changed input. The cases and checks are in fuzz-cases.ts and fuzz-worker.ts;
// `npm run fuzz` runs many more of them.
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import { failureReport, optionsFromEnv, runFuzz, summaryLine, SUITES, type FuzzRun, type Suite } from "./fuzz-cases.js";

// About 1,200 cases fit in the CI minute on 2 cores when every case passes; hangs cost their deadline each, so
// the budget stops handing out cases after 50 s and the run says how many it left.
const options = optionsFromEnv({ cases: 1_200, budgetMs: 50_000 });

let run: FuzzRun;

beforeAll(async () => {
  run = await runFuzz(options);
  console.log(`[fuzz] inputs: ${run.corpus.from}`);
  console.log(summaryLine(run));
}, 180_000);

afterAll(() => {
  if (run && run.notRun.length > 0) {
    console.warn(`[fuzz] the time budget left ${run.notRun.length} cases unrun (from case ${run.notRun[0]}); raise TRANCHE_FUZZ_BUDGET_S to run them`);
  }
});

const TITLES: Record<Suite, string> = {
  "import-lobster": "ends every mutated LOBSTER import in a DataError or in files that read back and verify",
  "import-binance": "ends every mutated Binance import in a DataError or in files that read back with the rows reported",
  reader: "refuses every damaged, swapped or replaced .arrow file with a DataError, or reads exactly the clean content",
};

describe("market-data fuzzing", () => {
  for (const suite of SUITES) {
    it(`${suite}: ${TITLES[suite]}`, () => {
      const mine = run.results.filter((r) => r.suite === suite);
      console.log(summaryLine(run, mine, suite));
      const report = failureReport(run, mine);
      if (report) assert.fail(`${report}\n${summaryLine(run, mine, suite)}`);
      // A replay (TRANCHE_FUZZ_ONLY) may hold no case of this suite; a full run always does.
      if (!options.only) assert.isAbove(mine.length + run.notRun.length, 0, "no cases ran");
    });
  }
});
