// `npm run fuzz`: the long fuzz run of the market-data layer before a release (the CI run is
// test/data/fuzz.test.ts). Many more cases than CI and a fresh seed each run unless --seed is given; prints
// progress, the summary by outcome and DataError code, and every failure class with a command that replays it.
//
//   npm run fuzz -- [--cases 6000] [--seed S] [--only 17,240] [--suite import-lobster|import-binance|reader]
//                   [--deadline-ms 10000] [--workers 2] [--keep]
import { tsImport } from "tsx/esm/api";

const { fuzzMain } = await tsImport("../test/data/fuzz-cases.ts", import.meta.url);
process.exitCode = await fuzzMain(process.argv.slice(2));
