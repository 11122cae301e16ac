/**
 * `infersim plan FILE [--find path] [--range a..b | --values list] [--seeds N] [--margin m]`:
 * the smallest value of one field for which the SLO holds at every seed, found by a
 * search (analytic start, exponential probing, binary search) instead of a full grid.
 * Exit 0 whether or not a value is found (value null when none); 130 when interrupted.
 */
import { basename, extname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildGrid, GridError, parseIntRange, parseValues, parseVary, type GridPoint } from '../analysis/grid.js';
import { aggregatePoint, cheapestPoint } from '../analysis/sweep.js';
import { isLlmScenarioFile } from './llm-run.js';
import type { LlmScenario } from '../llm/scenario.js';
import {
  analyticReplicas,
  hasSlo,
  planAccepts,
  monotonicityViolations,
  planSearch,
  startIndexFor,
  type PlanDocument,
  type Probe,
} from '../analysis/plan.js';
import type { Summary } from '../metrics/summary.js';
import { formatLlmPlan, formatPlan, planProbeLine } from '../report/plan.js';
import type { Scenario } from '../config/scenario.js';
import { EXIT, UserError } from './errors.js';
import { claimOutputDirs, outputDir, writeResult } from './output.js';
import { interruptExitCode, withInterrupt } from './signals.js';
import { defaultWorkers, RunPool, runJobs } from './pool.js';
import { readScenarioFile, traceFilesOf, type LoadedScenario } from './scenario-files.js';
import { checkSeeds, collectOption, gridErrors, marginOption, MAX_SEEDS, MAX_WORKERS, positiveInteger, resolveLlmPoints, utilizationOption } from './sweep.js';
import type { RunJob } from './worker.js';

export interface PlanCommandOptions {
  /** Default fleet.replicas (llm.replicas for an LLM scenario). */
  find?: string;
  /** LLM scenarios: the configurations to size, as sweep's --vary (the cheapest answer wins). */
  vary?: string[];
  range?: string;
  values?: string;
  seeds: number;
  margin: number;
  headroom: number;
  maxUtilization?: number;
  workers?: number;
  set: string[];
  out?: string;
  format: 'table' | 'json';
  quiet: boolean;
}

/** The ordered candidates of the search: an integer range or an explicit list. */
interface Candidates {
  count: number;
  value(i: number): unknown;
  text(i: number): string;
  describe: string;
}

/** One evaluated candidate: its summaries (seed order) and whether all met the SLO with the margin. */
interface Evaluation {
  summaries: Summary[];
  met: boolean;
}

class Interrupted extends Error {}

/** Commander parser for --headroom: replicas that may be lost, an integer ≥ 0. */
function headroomOption(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--headroom must be an integer ≥ 0, the replicas the fleet must be able to lose (got ${v})`);
  return n;
}

function candidatesFrom(o: PlanCommandOptions): Candidates {
  if (o.values !== undefined) {
    if (o.range !== undefined) throw new UserError(['error: plan: give --range or --values, not both']);
    const spec = o.values;
    const { values, texts } = gridErrors(() =>
      parseValues(spec, (why) => {
        throw new GridError(`error: --values ${spec}: ${why}`);
      }),
    );
    // the search assumes candidates from smallest to largest: numbers are put in that order (and
    // duplicates dropped) whatever order they were given in; other values keep the order given
    let order = values.map((_, i) => i);
    if (values.every((v) => typeof v === 'number')) {
      order.sort((a, b) => (values[a] as number) - (values[b] as number));
      order = order.filter((i, k) => k === 0 || values[i] !== values[order[k - 1]!]);
    }
    const shown = order.map((i) => texts[i]!);
    return { count: order.length, value: (i) => values[order[i]!], text: (i) => texts[order[i]!]!, describe: `[${shown.join(', ')}]` };
  }
  const { lo, hi } = gridErrors(() => parseIntRange(o.range ?? '1..1000'));
  return { count: hi - lo + 1, value: (i) => lo + i, text: (i) => String(lo + i), describe: `${lo}..${hi}` };
}

/** The --find path, trimmed; UserError when it is not a dotted path. */
function findPath(given: string): string {
  const find = given.trim();
  if (find === '' || find.split('.').some((s) => s === '')) throw new UserError([`error: --find ${given}: bad field path`]);
  return find;
}

/** One configuration of an LLM plan searched: its grid point, the smallest candidate meeting (null: none), every probe and its runs. */
interface ConfigSearch {
  point: GridPoint;
  index: number | null;
  probes: Probe[];
  evaluations: Map<number, Evaluation>;
  /** With --headroom k: the smallest count meeting, and the runs of that count + k (the configuration's answer). */
  spare?: { minimum: number; summaries: Summary[] };
}

/**
 * plan on an LLM scenario: for each configuration of the --vary grid (just the file's without --vary),
 * the smallest --find (default llm.replicas) meeting every LLM SLO at every seed, by the same search as
 * request-level plan (analysis/plan.ts planSearch, from the range's start: there is no textbook estimate
 * for an LLM fleet); the answer is the cheapest configuration's (analysis/sweep.ts cheapestPoint, the
 * rule of sweep's ★). Runs go to the worker pool; exit 0 whether or not one is found, as request-level plan.
 */
async function planLlmCommand(file: string, o: PlanCommandOptions): Promise<number> {
  const find = findPath(o.find ?? 'llm.replicas');
  const cands = candidatesFrom(o);
  if ((o.headroom ?? 0) > 0 && find !== 'llm.replicas') throw new UserError([`error: plan: --headroom counts replicas lost: it needs --find llm.replicas (got --find ${find})`]);
  const axes = gridErrors(() => (o.vary ?? []).map((v) => parseVary(v)));
  if (axes.some((a) => a.path === find)) throw new UserError([`error: plan: --vary ${find}: that is the field plan searches (--find); vary the others`]);
  const configs: GridPoint[] = axes.length > 0 ? gridErrors(() => buildGrid(axes)) : [{ index: 0, values: {}, sets: [] }];
  const setsAt = (c: GridPoint, i: number): string[] => [...o.set, ...c.sets, `${find}=${cands.text(i)}`];
  // every configuration must load at the smallest candidate; an SLO must exist
  const firsts = resolveLlmPoints(file, o.set, configs.map((c) => ({ ...c, sets: [...c.sets, `${find}=${cands.text(0)}`] })));
  if (firsts.some((sc) => sc.spec.slos.length === 0)) {
    throw new UserError([`error: ${file}: slo: plan needs an SLO to meet (e.g. slo: { ttft: { p99: 2s }, tpot: { p99: 50ms } })`]);
  }
  checkSeeds(file, firsts.map((sc) => ({ seed: sc.spec.seed })), o.seeds);
  const stem = basename(file, extname(file));
  const dir = outputDir(stem, o.out, false);
  const release = claimOutputDirs([dir], [file]);
  try {
    return await planLlmInto(dir, file, find, cands, o, configs, firsts, setsAt);
  } finally {
    release();
  }
}

async function planLlmInto(
  dir: string,
  file: string,
  find: string,
  cands: Candidates,
  o: PlanCommandOptions,
  configs: GridPoint[],
  firsts: LlmScenario[],
  setsAt: (c: GridPoint, i: number) => string[],
): Promise<number> {
  const accept = (s: Summary): boolean => planAccepts(s, o.margin, o.maxUtilization ?? null);
  const pool = new RunPool(Math.max(1, Math.min(o.workers ?? defaultWorkers(), o.seeds)));
  const searches: ConfigSearch[] = [];
  let runs = 0;
  const label = (c: GridPoint, i: number): string => [...c.sets, `${find}=${cands.text(i)}`].join(' ');
  const searchOne = async (c: GridPoint, first: LlmScenario): Promise<void> => {
    const evaluations = new Map<number, Evaluation>();
    const search: ConfigSearch = { point: c, index: null, probes: [], evaluations };
    searches.push(search);
    const meets = async (i: number): Promise<boolean> => {
      const jobs: RunJob[] = [];
      for (let k = 0; k < o.seeds; k++) jobs.push({ file, sets: [...setsAt(c, i), `seed=${first.spec.seed + k}`] });
      const summaries = await runJobs(pool, jobs, `plan ${label(c, i)}`, o.quiet);
      if (summaries === null) throw new Interrupted();
      runs += jobs.length;
      const met = summaries.every(accept);
      evaluations.set(i, { summaries, met });
      search.probes.push({ index: i, met });
      if (!o.quiet) process.stderr.write(`${planProbeLine(label(c, i), met, summaries, o.maxUtilization)}\n`);
      return met;
    };
    search.index = (await planSearch({ count: cands.count, startIndex: 0, meets })).index;
    const headroom = o.headroom ?? 0;
    if (headroom > 0 && search.index !== null) {
      // N+k as request-level plan: the smallest fleet meeting, plus the k replicas it must be able to lose, run for its figures
      const minimum = cands.value(search.index) as number;
      const sets = [...o.set, ...c.sets, `${find}=${minimum + headroom}`];
      const jobs: RunJob[] = [];
      for (let k = 0; k < o.seeds; k++) jobs.push({ file, sets: [...sets, `seed=${first.spec.seed + k}`] });
      const summaries = await runJobs(pool, jobs, `plan ${sets.join(' ')}`, o.quiet);
      if (summaries === null) throw new Interrupted();
      runs += jobs.length;
      search.spare = { minimum, summaries };
    }
  };

  let complete: boolean;
  try {
    complete = await withInterrupt(
      () => {
        process.stderr.write('\ninterrupted: stopping the search (again to abort)\n');
        pool.stop();
      },
      async () => {
        try {
          for (const [k, c] of configs.entries()) await searchOne(c, firsts[k]!);
          return true;
        } catch (err) {
          if (err instanceof Interrupted) return false;
          throw err;
        }
      },
    );
  } finally {
    pool.close();
  }
  // interrupted: a configuration cut short keeps the smallest candidate that met so far
  if (!complete) for (const x of searches) if (x.index === null) x.index = smallestMet(x.probes);
  // a configuration's answer: its smallest count meeting (+ k with --headroom; a search cut short has none then)
  const answerOf = (x: ConfigSearch): { value: unknown; summaries: Summary[] } | null =>
    x.index === null || ((o.headroom ?? 0) > 0 && x.spare === undefined)
      ? null
      : x.spare !== undefined
        ? { value: x.spare.minimum + (o.headroom ?? 0), summaries: x.spare.summaries }
        : { value: cands.value(x.index), summaries: x.evaluations.get(x.index)!.summaries };
  const answers = searches.filter((x) => answerOf(x) !== null).map((x) => aggregatePoint(x.point, answerOf(x)!.summaries));
  const chosenIndex = cheapestPoint(answers);
  const chosen = chosenIndex === null ? null : searches.find((x) => x.point.index === chosenIndex)!;
  const warnings = searches.flatMap((x) =>
    monotonicityViolations([...x.evaluations.entries()].map(([i, e]) => ({ index: i, seedsMet: e.summaries.map(accept) }))).map(
      (v) =>
        `${find}: not monotone${x.point.sets.length > 0 ? ` at ${x.point.sets.join(' ')}` : ''}: at seed ${firsts[0]!.spec.seed + v.seed}, ${cands.text(v.metIndex)} met the SLO but ${cands.text(v.missedIndex)} did not; ` +
        'the answer may not be the smallest (more --seeds or a longer duration smooth the noise)',
    ),
  );
  const configurations = searches.map((x) => {
    const at = answerOf(x)?.summaries[0] ?? null;
    return {
      values: x.point.values,
      value: answerOf(x)?.value ?? null,
      ...(x.spare !== undefined ? { minimumMeeting: x.spare.minimum } : {}),
      monthlyUsd: at?.cost.monthlyUsd ?? null,
      summary: at,
      probes: [...x.probes].sort((a, b) => a.index - b.index).map((p) => ({ value: cands.value(p.index), met: p.met })),
    };
  });
  const doc: PlanDocument & { partial?: true; configuration: Record<string, unknown> | null } = {
    path: find,
    value: chosen === null ? null : answerOf(chosen)!.value,
    summary: chosen === null ? null : answerOf(chosen)!.summaries[0]!,
    runs,
    analytic: null,
    configuration: chosen === null ? null : chosen.point.values,
  };
  if (o.maxUtilization !== undefined) doc.maxUtilization = o.maxUtilization;
  if (chosen?.spare !== undefined) doc.headroom = { replicasLost: o.headroom, minimumMeeting: chosen.spare.minimum };
  if (!complete) doc.partial = true;
  writeResult(
    dir,
    'plan.json',
    `${JSON.stringify({ ...doc, seeds: o.seeds, margin: o.margin, maxUtilization: o.maxUtilization ?? null, candidates: cands.describe, configurations: configurations.map(({ summary: _s, ...c }) => c), warnings }, null, 2)}\n`,
  );
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ ...doc, configurations: configurations.map(({ summary: _s, probes: _p, ...c }) => c) }, null, 2)}\n`);
  else {
    process.stdout.write(
      `${formatLlmPlan({
        name: firsts[0]!.name,
        find,
        candidates: cands.describe,
        seeds: o.seeds,
        margin: o.margin,
        ...(o.maxUtilization !== undefined ? { maxUtilization: o.maxUtilization } : {}),
        ...((o.headroom ?? 0) > 0 ? { headroom: o.headroom } : {}),
        partial: !complete,
        configurations: configurations.map((c, k) => ({ sets: searches[k]!.point.sets, value: c.value, summary: c.summary, probes: c.probes.map((p) => ({ text: String(p.value), met: p.met })) })),
        chosen: chosen === null ? null : searches.indexOf(chosen),
        runs,
        fullGrid: cands.count * o.seeds * configs.length,
      })}\n`,
    );
    process.stdout.write(`results: ${dir}\n`);
  }
  return complete ? EXIT.ok : interruptExitCode();
}

/** The smallest candidate index that met among `probes`, or null. */
function smallestMet(probes: readonly Probe[]): number | null {
  const met = probes.filter((p) => p.met).map((p) => p.index);
  return met.length > 0 ? Math.min(...met) : null;
}

/** The plan command; returns the exit code. */
export async function planCommand(file: string, o: PlanCommandOptions): Promise<number> {
  if (isLlmScenarioFile(file)) return planLlmCommand(file, o);
  if ((o.vary ?? []).length > 0) throw new UserError(['error: plan: --vary sizes each configuration of an LLM scenario (an llm: block); for this file use sweep, or plan once per configuration with --set']);
  const find = findPath(o.find ?? 'fleet.replicas');
  const cands = candidatesFrom(o);
  const headroom = o.headroom ?? 0;
  if (headroom > 0 && find !== 'fleet.replicas') throw new UserError([`error: plan: --headroom counts replicas lost: it needs --find fleet.replicas (got --find ${find})`]);
  const setsAt = (i: number): string[] => [...o.set, `${find}=${cands.text(i)}`];
  // the file, the path and the smallest candidate must load; an SLO must exist
  const first = readScenarioFile(file, setsAt(0));
  if (!hasSlo(first.scenario)) {
    throw new UserError([`error: ${file}: slo: plan needs an SLO to meet (e.g. slo: { p99: 100ms }, or --set slo.p99=100ms)`]);
  }
  // several models: the textbook start would be the first model's alone, so the search starts at the range's start
  const analytic = find === 'fleet.replicas' && first.scenario.topology?.kind !== 'models' ? analyticReplicas(first.scenario) : null;
  let startIndex = 0;
  if (analytic !== null) {
    // behind a cache the GPUs see only the misses: start from the rule on those
    const start = analytic.replicasBehindCache ?? analytic.replicas;
    startIndex = o.values !== undefined ? startIndexFor(Array.from({ length: cands.count }, (_, i) => cands.value(i)), start) : start - (cands.value(0) as number);
  }

  checkSeeds(file, [first.scenario], o.seeds);
  const stem = basename(file, extname(file));
  const dir = outputDir(stem, o.out, false);
  const release = claimOutputDirs([dir], [file, ...traceFilesOf([first.scenario])]);
  try {
    return await planInto(dir, file, find, cands, o, first, analytic, startIndex, setsAt);
  } finally {
    release();
  }
}

async function planInto(
  dir: string,
  file: string,
  find: string,
  cands: Candidates,
  o: PlanCommandOptions,
  first: LoadedScenario,
  analytic: ReturnType<typeof analyticReplicas> | null,
  startIndex: number,
  setsAt: (i: number) => string[],
): Promise<number> {
  const headroom = o.headroom ?? 0;
  const accept = (s: Summary): boolean => planAccepts(s, o.margin, o.maxUtilization ?? null);
  const pool = new RunPool(Math.max(1, Math.min(o.workers ?? defaultWorkers(), o.seeds)));
  const evaluations = new Map<number, Evaluation>();
  let runs = 0;
  const meets = async (i: number): Promise<boolean> => {
    const sc: Scenario = i === 0 ? first.scenario : readScenarioFile(file, setsAt(i)).scenario;
    const jobs: RunJob[] = [];
    for (let k = 0; k < o.seeds; k++) jobs.push({ file, sets: [...setsAt(i), `seed=${sc.seed + k}`] });
    const summaries = await runJobs(pool, jobs, `plan ${find}=${cands.text(i)}`, o.quiet);
    if (summaries === null) throw new Interrupted();
    runs += jobs.length;
    const met = summaries.every(accept);
    evaluations.set(i, { summaries, met });
    if (!o.quiet) process.stderr.write(`${planProbeLine(`${find}=${cands.text(i)}`, met, summaries, o.maxUtilization)}\n`);
    return met;
  };

  let interrupted = false;
  let found: { index: number | null; probes: Probe[] } | null;
  try {
    found = await withInterrupt(
      () => {
        interrupted = true;
        process.stderr.write('\ninterrupted: stopping the search (again to abort)\n');
        pool.stop();
      },
      async () => {
        try {
          return await planSearch({ count: cands.count, startIndex, meets });
        } catch (err) {
          if (err instanceof Interrupted) return null;
          throw err;
        }
      },
    );
  } finally {
    pool.close();
  }
  let index: number | null;
  let probes: Probe[];
  if (found === null) {
    // interrupted: the best known answer so far is the smallest candidate that met
    probes = [...evaluations.entries()].map(([i, e]) => ({ index: i, met: e.met }));
    const met = probes.filter((p) => p.met).map((p) => p.index);
    index = met.length > 0 ? Math.min(...met) : null;
  } else {
    ({ index, probes } = found);
  }
  const warnings = monotonicityViolations(
    [...evaluations.entries()].map(([i, e]) => ({ index: i, seedsMet: e.summaries.map(accept) })),
  ).map(
    (v) =>
      `${find}: not monotone: at seed ${first.scenario.seed + v.seed}, ${cands.text(v.metIndex)} met the SLO but ${cands.text(v.missedIndex)} did not; ` +
      'the answer may not be the smallest (more --seeds or a longer duration smooth the noise)',
  );

  let at = index === null ? null : evaluations.get(index)!;
  let value: unknown = index === null ? null : cands.value(index);
  let spare: PlanDocument['headroom'];
  if (headroom > 0 && index !== null && found !== null && !interrupted) {
    // N+k: the smallest fleet meeting the requirement, plus the k replicas it must be able to lose;
    // that fleet is run too, for its cost and figures
    const minimum = cands.value(index) as number;
    value = minimum + headroom;
    const sets = [...o.set, `${find}=${String(value)}`];
    const sc = readScenarioFile(file, sets).scenario;
    const jobs: RunJob[] = [];
    for (let k = 0; k < o.seeds; k++) jobs.push({ file, sets: [...sets, `seed=${sc.seed + k}`] });
    const summaries: Summary[] = new Array<Summary>(jobs.length);
    const pool2 = new RunPool(Math.max(1, Math.min(o.workers ?? defaultWorkers(), o.seeds)));
    try {
      await pool2.run(jobs, (j, s) => {
        summaries[j] = s;
      });
    } finally {
      pool2.close();
    }
    runs += jobs.length;
    at = { summaries, met: summaries.every(accept) };
    spare = { replicasLost: headroom, minimumMeeting: minimum };
  }
  const doc: PlanDocument & { partial?: true } = {
    path: find,
    value,
    summary: at === null ? null : at.summaries[0]!,
    runs,
    analytic,
  };
  if (spare !== undefined) doc.headroom = spare;
  if (o.maxUtilization !== undefined) doc.maxUtilization = o.maxUtilization;
  if (found === null) doc.partial = true;
  const trail = [...probes]
    .sort((a, b) => a.index - b.index)
    .map((p) => {
      const e = evaluations.get(p.index)!;
      return { value: cands.value(p.index), met: p.met, p99Ms: e.summaries.map((s) => s.latencyMs.p99), monthlyUsd: e.summaries[0]!.cost.monthlyUsd };
    });
  writeResult(
    dir,
    'plan.json',
    `${JSON.stringify({ ...doc, seeds: o.seeds, margin: o.margin, headroom: doc.headroom ?? null, maxUtilization: o.maxUtilization ?? null, candidates: cands.describe, probes: trail, warnings }, null, 2)}\n`,
  );
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (o.format === 'json') {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatPlan(first.scenario, find, cands, o, doc, probes, evaluations)}\n`);
    process.stdout.write(`results: ${dir}\n`);
  }
  return found === null || interrupted ? interruptExitCode() : EXIT.ok;
}

/** Adds `plan` to the program; `setExit` receives the exit code. */
export function registerPlan(program: Command, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('find the smallest value of a field (default fleet.replicas) that meets the SLO at every seed')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--find <path>', 'the field to size (default fleet.replicas; llm.replicas for an LLM scenario)')
    .option('--vary <path=values>', 'LLM scenarios: size each configuration of this grid (repeatable, as sweep --vary, e.g. llm.gpu=a100-80gb,h100-80gb); the cheapest answer wins', collectOption, [])
    .option('--range <a..b>', 'integer candidates (default 1..1000)')
    .option('--values <list>', 'an ordered list of candidates instead of --range, e.g. 1,2,4,8,16,32')
    .option('--seeds <n>', `seeds per candidate: the scenario seed, +1, … (at most ${MAX_SEEDS})`, positiveInteger('--seeds', MAX_SEEDS), 3)
    .option('--margin <share>', 'headroom: every latency percentile must be ≤ target·(1 − margin)', marginOption, 0)
    .option('--headroom <k>', 'N+k: the SLO must hold with k replicas lost (answer = smallest meeting + k; --find fleet.replicas, or llm.replicas)', headroomOption, 0)
    .option('--max-utilization <share>', 'also require GPU utilization ≤ share at every seed, e.g. 0.8', utilizationOption)
    .option('--workers <n>', `worker threads (default: one per CPU; at most --seeds are used; at most ${MAX_WORKERS})`, positiveInteger('--workers', MAX_WORKERS))
    .option('--set <path=value>', 'override a field, value parsed as YAML (repeatable)', collectOption, [])
    .option('--out <dir>', 'output folder for plan.json (default results/<scenario file name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'no progress or log lines on stderr', false)
    .action(async (file: string, o: PlanCommandOptions) => {
      setExit(await planCommand(file, o));
    });
}
