// `npm run bench -- eval`: the six baselines × 500 episodes of `tranche eval` on the default market and parent
// order, timed with one worker and with every core (the ratio is the scaling), and the share of an in-thread run
// spent outside the env: the summary's statistics, the HTML report and the run folder's files.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MARKET } from "../eval/defaults.js";
import { DEFAULT_PARENT, evaluate, type Evaluation } from "../eval/harness.js";
import { DEFAULT_POLICIES } from "../eval/policies.js";
import { renderReport } from "../eval/report.js";
import { writeRunFolder } from "../eval/run-folder.js";
import { type BenchResult, type Benchmark, mustHold, settleHeap, summarize } from "./harness.js";

const EPISODES = 500;
// Each repetition runs three evaluations (in-thread, 1 worker, all cores), about 25 s on 2 idle cores.
const REPETITIONS = 3;
const TARGET_SECONDS = 30;

interface Timed {
  evaluation: Evaluation;
  /** Wall of the evaluate() call as its caller sees it, the summary's statistics included. */
  seconds: number;
  /** CPU seconds of the whole process over the call, every thread: unlike the wall, other work on the machine leaves it alone. */
  cpuSeconds: number;
}

async function timedEvaluate(workers: number): Promise<Timed> {
  settleHeap();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const evaluation = await evaluate(DEFAULT_POLICIES, DEFAULT_MARKET, EPISODES, { workers, parent: DEFAULT_PARENT });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { evaluation, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * What `tranche eval` does after evaluate(): writeRunFolder (episodes.arrow, summary.json, report.html), timed
 * whole; the report's rendering is timed on its own as well, and the files' part is the rest.
 */
function timeRunFolder(evaluation: Evaluation): { reportSeconds: number; filesSeconds: number } {
  const parent = mkdtempSync(join(tmpdir(), "tranche-bench-eval-"));
  try {
    settleHeap();
    const t0 = performance.now();
    renderReport(evaluation.summary);
    const reportSeconds = (performance.now() - t0) / 1000;
    settleHeap();
    const t1 = performance.now();
    writeRunFolder(join(parent, "run"), evaluation);
    const folderSeconds = (performance.now() - t1) / 1000;
    return { reportSeconds, filesSeconds: Math.max(0, folderSeconds - reportSeconds) };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** The worker count must not change a single record: a figure from runs that disagree is void. */
function sameRecords(a: Evaluation, b: Evaluation): boolean {
  return a.records.every((r, p) => r.length === b.records[p].length && r.every((v, i) => Object.is(v, b.records[p][i])))
    && a.hindsightBps.every((v, i) => Object.is(v, b.hindsightBps[i]));
}

export const evalBenchmarks: Benchmark[] = [
  {
    name: "eval",
    description: `evaluate(): 6 baselines × ${EPISODES} episodes, default market, wall s with 1 worker and all cores; share outside the env`,
    async run(ctx) {
      const cores = availableParallelism();
      // Walls measure the machine as much as the code: a high load at the start says other work shared the cores.
      const loadAtStart = loadavg()[0];
      const inThread: number[] = [], inThreadEnv: number[] = [], oneWorker: number[] = [], allCores: number[] = [];
      const oneWorkerEnv: number[] = [], allCoresEnv: number[] = [], scaling: number[] = [];
      const inThreadCpu: number[] = [], oneWorkerCpu: number[] = [], allCoresCpu: number[] = [];
      const nonEnv: number[] = [], report: number[] = [], files: number[] = [], share: number[] = [];
      for (let rep = 0; rep < REPETITIONS; rep++) {
        const here = await timedEvaluate(0);
        const { reportSeconds, filesSeconds } = timeRunFolder(here.evaluation);
        const one = await timedEvaluate(1);
        const all = await timedEvaluate(cores);
        mustHold(sameRecords(here.evaluation, one.evaluation) && sameRecords(here.evaluation, all.evaluation), "in-thread, 1-worker and all-core runs give identical records");

        const outside = here.seconds - here.evaluation.summary.timing.envSeconds;
        inThread.push(here.seconds);
        inThreadEnv.push(here.evaluation.summary.timing.envSeconds);
        oneWorker.push(one.seconds);
        oneWorkerEnv.push(one.evaluation.summary.timing.envSeconds);
        allCores.push(all.seconds);
        allCoresEnv.push(all.evaluation.summary.timing.envSeconds);
        scaling.push(one.seconds / all.seconds);
        inThreadCpu.push(here.cpuSeconds);
        oneWorkerCpu.push(one.cpuSeconds);
        allCoresCpu.push(all.cpuSeconds);
        nonEnv.push(outside);
        report.push(reportSeconds);
        files.push(filesSeconds);
        share.push((outside + reportSeconds + filesSeconds) / (here.seconds + reportSeconds + filesSeconds));
        ctx.log(`rep ${rep + 1}/${REPETITIONS}: in-thread ${here.seconds.toFixed(2)} s (non-env ${outside.toFixed(2)} s), ` +
          `1 worker ${one.seconds.toFixed(2)} s, ${cores} workers ${all.seconds.toFixed(2)} s (CPU ${all.cpuSeconds.toFixed(1)} s), ` +
          `report ${reportSeconds.toFixed(3)} s, files ${filesSeconds.toFixed(3)} s`);
      }

      const med = (xs: number[]) => summarize(xs).median;
      const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
      const workload = {
        policies: DEFAULT_POLICIES.join(","), episodes: EPISODES,
        parent: `${DEFAULT_PARENT.side} ${DEFAULT_PARENT.parentLots} lots, ${DEFAULT_PARENT.horizonSteps} × ${DEFAULT_PARENT.stepNs / 1e9} s`,
        machine: `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${cores} cores, Node ${process.version}`,
        loadAverage1mAtStart: Number(loadAtStart.toFixed(2)),
      };
      const wallAll = summarize(allCores);
      const results: BenchResult[] = [
        {
          name: "eval-all-cores",
          unit: "s",
          ...wallAll,
          peer: "the same run with 1 worker",
          peer_median: med(oneWorker),
          // Seconds: lower is better, so ours/peer in the "higher is better" sense is peer ÷ ours — the scaling.
          ratio: med(oneWorker) / wallAll.median,
          details: {
            ...workload, workers: cores,
            target: `all-cores wall < ${TARGET_SECONDS} s`, withinLimit: wallAll.median < TARGET_SECONDS,
            scalingMedianOfPairs: med(scaling), envSecondsMedian: med(allCoresEnv), cpuSecondsMedian: med(allCoresCpu),
          },
        },
        { name: "eval-1-worker", unit: "s", ...summarize(oneWorker), details: { ...workload, workers: 1, envSecondsMedian: med(oneWorkerEnv), cpuSecondsMedian: med(oneWorkerCpu) } },
        {
          name: "eval-outside-env",
          unit: "share",
          ...summarize(share),
          details: {
            ...workload, workers: 0,
            inThreadWallMedianS: med(inThread), inThreadWallRangeS: range(inThread), envSecondsMedian: med(inThreadEnv), cpuSecondsMedian: med(inThreadCpu),
            nonEnvMedianS: med(nonEnv), reportMedianS: med(report), filesMedianS: med(files),
          },
        },
      ];
      return results;
    },
  },
];
