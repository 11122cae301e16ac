/**
 * `infersim capacity FILE [--seeds N] [--tolerance 0.01] [--margin m] [--max-utilization u]`:
 * the most traffic the file's fleet carries within its SLO, as the largest multiplier
 * `traffic.scale` on the file's own traffic shape (any shape, traces included), searched per
 * seed (doubling or halving from ×1, then bisection) so the answer comes with its spread.
 * Writes results/<name>/capacity.json. Exit 0 whether or not a multiplier meets the SLO.
 */
import { basename, extname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { capacityEstimate, ScaleSearch, type CapacityDocument, type CapacityEstimate, type ScaleSearchResult } from '../analysis/max-load.js';
import { hasSlo, planAccepts } from '../analysis/plan.js';
import { peakArrivalRate } from '../workload/rate-shape.js';
import type { Summary } from '../metrics/summary.js';
import { capacityProbeLine, formatCapacity } from '../report/capacity.js';
import { fmt } from '../report/format.js';
import type { Scenario } from '../config/scenario.js';
import { EXIT, UserError } from './errors.js';
import { claimOutputDirs, outputDir, writeResult } from './output.js';
import { interruptExitCode, withInterrupt } from './signals.js';
import { defaultWorkers, RunPool, runJobs } from './pool.js';
import { readScenarioFile, traceFilesOf } from './scenario-files.js';
import { checkSeeds, collectOption, marginOption, MAX_SEEDS, MAX_WORKERS, positiveInteger, utilizationOption } from './sweep.js';
import type { RunJob } from './worker.js';

export interface CapacityCommandOptions {
  seeds: number;
  tolerance: number;
  margin: number;
  maxUtilization?: number;
  workers?: number;
  set: string[];
  out?: string;
  format: 'table' | 'json';
  quiet: boolean;
}

function toleranceOption(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`--tolerance must be a number in (0, 1), e.g. 0.01 for 1 % (got ${v})`);
  return n;
}

/** The capacity command; returns the exit code. */
export async function capacityCommand(file: string, o: CapacityCommandOptions): Promise<number> {
  const first = readScenarioFile(file, o.set).scenario;
  if (first.topology?.kind === 'models') {
    // capacity scales the one traffic.scale; several models each have their own traffic
    throw new UserError([
      `error: ${file}: models: capacity scales the scenario's traffic, and each model here has its own: sweep a model's rate instead (infersim sweep ${file} --vary models.0.traffic.rate=100..1000:100)`,
    ]);
  }
  if (!hasSlo(first)) throw new UserError([`error: ${file}: slo: capacity needs an SLO to hold (e.g. slo: { p99: 100ms }, or --set slo.p99=100ms)`]);
  checkSeeds(file, [first], o.seeds);
  // the output folder is checked and held before anything runs, as run, sweep and plan do
  const dir = outputDir(basename(file, extname(file)), o.out, false);
  const release = claimOutputDirs([dir], [file, ...traceFilesOf([first])]);
  try {
    return await capacityInto(dir, file, first, o);
  } finally {
    release();
  }
}

async function capacityInto(dir: string, file: string, first: Scenario, o: CapacityCommandOptions): Promise<number> {
  const baseScale = first.traffic.scale ?? 1;
  const seeds = Array.from({ length: o.seeds }, (_, k) => first.seed + k);
  const searches = seeds.map(() => new ScaleSearch({ tolerance: o.tolerance }));
  const at = new Map<string, Summary>();
  const probes: CapacityDocument['probes'] = [];
  const setsFor = (scale: number, seed: number): string[] => [...o.set, `traffic.scale=${String(scale * baseScale)}`, `seed=${seed}`];
  // every multiplier is validated (limits on requests per run) before it runs
  const pool = new RunPool(Math.max(1, Math.min(o.workers ?? defaultWorkers(), o.seeds)));
  let runs = 0;
  let complete = true;
  try {
    complete = await withInterrupt(
      () => {
        process.stderr.write('\ninterrupted: stopping the search (Ctrl-C again to abort)\n');
        pool.stop();
      },
      async () => {
        for (;;) {
          const step = searches.map((s, k) => ({ k, scale: s.next() })).filter((x): x is { k: number; scale: number } => x.scale !== null);
          if (step.length === 0) return true;
          const jobs: RunJob[] = [];
          for (const x of step) {
            const sets = setsFor(x.scale, seeds[x.k]!);
            readScenarioFile(file, sets);
            jobs.push({ file, sets });
          }
          const summaries = await runJobs(pool, jobs, `capacity ×${step.map((x) => fmt(x.scale, 3)).join(', ×')}`, o.quiet);
          if (summaries === null) return false;
          runs += jobs.length;
          step.forEach((x, j) => {
            const s = summaries[j]!;
            const met = planAccepts(s, o.margin, o.maxUtilization ?? null);
            searches[x.k]!.record(x.scale, met);
            at.set(`${x.k}/${x.scale}`, s);
            probes.push({ seed: seeds[x.k]!, scale: x.scale * baseScale, met, p99Ms: s.latencyMs.p99, utilization: s.gpu.utilization });
            if (!o.quiet) {
              process.stderr.write(`${capacityProbeLine(seeds[x.k]!, x.scale * baseScale, met, s)}\n`);
            }
          });
        }
      },
    );
  } finally {
    pool.close();
  }
  const results: ScaleSearchResult[] = searches.map((s) => s.result());
  const est: CapacityEstimate = capacityEstimate(results);
  const scale = est.everySeed;
  // the summary at the answer: the seed whose capacity it is
  const k = scale === null ? -1 : results.findIndex((r) => r.met === scale);
  const summary = k < 0 ? null : (at.get(`${k}/${scale}`) ?? null);
  const peak = peakArrivalRate(first);
  const mul = (v: number | null): number | null => (v === null ? null : v * baseScale);
  const doc: CapacityDocument = {
    kind: 'infersim-capacity',
    scenario: first.name,
    path: 'traffic.scale',
    seeds,
    tolerance: o.tolerance,
    margin: o.margin,
    maxUtilization: o.maxUtilization ?? null,
    perSeed: est.perSeed.map(mul),
    mean: mul(est.stats?.mean ?? null),
    lo: mul(est.stats?.lo ?? null),
    hi: mul(est.stats?.hi ?? null),
    scale: mul(scale),
    atLeast: est.atLeast,
    peakRps: peak === null ? null : peak / baseScale,
    capacityPeakRps: peak === null || scale === null ? null : peak * scale,
    capacityMeanRps: summary === null ? null : summary.requests.arrived / Math.max(1e-9, summary.simulatedSeconds - first.warmupS),
    summary,
    probes,
    runs,
  };
  if (!complete) doc.partial = true;
  writeResult(dir, 'capacity.json', `${JSON.stringify(doc, null, 2)}\n`);
  if (o.format === 'json') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else {
    process.stdout.write(`${formatCapacity(first, doc)}\n`);
    process.stdout.write(`results: ${dir}\n`);
  }
  return complete ? EXIT.ok : interruptExitCode();
}

/** Adds `capacity` to the program; `setExit` receives the exit code. */
export function registerCapacity(program: Command, setExit: (code: number) => void): void {
  program
    .command('capacity')
    .description('the most traffic the fleet carries within the SLO: the largest traffic.scale on the file\'s traffic shape, per seed')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--seeds <n>', `seeds: the scenario seed, +1, … (one search each; mean and 95% interval over them; at most ${MAX_SEEDS})`, positiveInteger('--seeds', MAX_SEEDS), 3)
    .option('--tolerance <share>', 'stop when the bracket is this narrow, relative', toleranceOption, 0.01)
    .option('--margin <share>', 'every latency percentile must be ≤ target·(1 − margin)', marginOption, 0)
    .option('--max-utilization <share>', 'also require GPU utilization ≤ share, e.g. 0.8', utilizationOption)
    .option('--workers <n>', `worker threads (default: one per CPU; at most --seeds are used; at most ${MAX_WORKERS})`, positiveInteger('--workers', MAX_WORKERS))
    .option('--set <path=value>', 'override a field, value parsed as YAML (repeatable)', collectOption, [])
    .option('--out <dir>', 'output folder for capacity.json (default results/<scenario file name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'no progress or log lines on stderr', false)
    .action(async (file: string, o: CapacityCommandOptions) => {
      setExit(await capacityCommand(file, o));
    });
}
