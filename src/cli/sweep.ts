/**
 * `infersim sweep FILE --vary path=values …`: every grid point at several seeds, in worker
 * threads; writes results/<name>/sweep.csv and sweep.json, prints a table with the cheapest
 * point meeting the SLO. `--shard i/n` runs one share of the grid (combine with `merge`).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildGrid, GridError, inShard, parseShard, parseVary, type Axis, type GridPoint } from '../analysis/grid.js';
import { aggregatePoint, runSets, sweepDocument, type PointResult, type SweepDocument, type SweepRequirement } from '../analysis/sweep.js';
import { formatSweepTable, sweepCsv } from '../report/sweep.js';
import type { Summary } from '../metrics/summary.js';
import { formatIssue, loadScenario, ScenarioError, type ScenarioIssue } from '../scenario/load.js';
import type { Scenario } from '../config/scenario.js';
import { EXIT, UserError } from './errors.js';
import { claimOutputDirs, outputDir, terminalStyle, WriteError, writeResult } from './output.js';
import { interruptExitCode, withInterrupt } from './signals.js';
import { defaultWorkers, RunPool } from './pool.js';
import { runProgress } from './progress.js';
import { readScenarioFile, readSmallFile, traceFilesOf } from './scenario-files.js';
import type { RunJob } from './worker.js';
import { isLlmScenarioFile, readLlmScenario, readLlmScenarioRaw } from './llm-run.js';
import { LlmScenarioError, type LlmScenario } from '../llm/scenario.js';

export interface SweepCommandOptions {
  vary: string[];
  seeds: number;
  workers?: number;
  shard?: string;
  set: string[];
  out?: string;
  format: 'table' | 'json';
  quiet: boolean;
  report?: boolean;
  wide?: boolean;
  headroom?: number;
  maxUtilization?: number;
}

/** Most seeds per point (`--seeds`): 10^4 runs already narrow a confidence interval 100-fold. */
export const MAX_SEEDS = 10_000;
/** Most runs (points × seeds) in one sweep or shard: every run's summary is kept in memory and in sweep.json. */
export const MAX_RUNS = 100_000;
/** Most worker threads (`--workers`): each holds a whole simulation in memory. */
export const MAX_WORKERS = 256;

/** Commander parser for a positive integer option named `name`, at most `max`. */
export function positiveInteger(name: string, max: number = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer (got ${v})`);
    if (n > max) throw new InvalidArgumentError(`${name} must be at most ${max} (got ${v})`);
    return n;
  };
}

/** Commander parser for an integer option ≥ 0 named `name`. */
export function nonNegativeInteger(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer ≥ 0 (got ${v})`);
    return n;
  };
}

/** Commander parser for --max-utilization (sweep, plan, capacity): a share in (0, 1]. */
export function utilizationOption(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError(`--max-utilization must be a number in (0, 1], e.g. 0.8 for GPUs at most 80 % busy (got ${v})`);
  return n;
}

/** Commander parser for --margin (plan, capacity): a share in [0, 1). */
export function marginOption(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !(n >= 0 && n < 1)) throw new InvalidArgumentError(`--margin must be a number in [0, 1), e.g. 0.1 for 10 % headroom (got ${v})`);
  return n;
}

/** Commander collector for repeatable options. */
export function collectOption(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Turns a GridError into the CLI's UserError (exit 2), passing anything else through. */
export function gridErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GridError) throw new UserError([err.message]);
    throw err;
  }
}

/** Most error lines printed for invalid grid points. */
const MAX_POINT_ERRORS = 20;

/**
 * Resolves the scenario of every point (the file's text read once, each point's sets applied on top
 * of `extraSets`) and checks each distinct trace file once; throws UserError listing the invalid
 * points, a problem common to every point once.
 */
export function resolvePoints(file: string, extraSets: string[], points: GridPoint[]): Scenario[] {
  let text: string;
  try {
    text = readSmallFile(file);
  } catch (err) {
    readScenarioFile(file); // throws the same UserError `run` would give
    throw err;
  }
  const baseDir = dirname(resolve(file));
  const scenarios: Scenario[] = [];
  const failures: { point: GridPoint; issues: ScenarioIssue[] }[] = [];
  for (const p of points) {
    try {
      scenarios.push(loadScenario(text, { file, baseDir, sets: [...extraSets, ...p.sets], readFile: (f) => readFileSync(f, 'utf8') }));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      failures.push({ point: p, issues: err.issues });
    }
  }
  if (failures.length > 0) throw new UserError(pointErrors(file, points, failures));
  // each distinct trace file is read through once, as `run` would
  const traced = new Set<string>();
  scenarios.forEach((sc, i) => {
    const fresh = traceFilesOf([sc]).filter((f) => !traced.has(f));
    if (fresh.length > 0) {
      for (const f of fresh) traced.add(f);
      readScenarioFile(file, [...extraSets, ...points[i]!.sets]);
    }
  });
  return scenarios;
}

/**
 * resolvePoints for an LLM scenario file (an llm: block): each point's scenario through the LLM loader
 * (the file's trace read once per point, as `run` reads it), problems grouped as for request-level points.
 */
export function resolveLlmPoints(file: string, extraSets: string[], points: GridPoint[]): LlmScenario[] {
  readLlmScenario(file, extraSets); // the file itself, as `run` reads it (an unreadable file, a bad --set)
  const scenarios: LlmScenario[] = [];
  const failures: { point: GridPoint; issues: ScenarioIssue[] }[] = [];
  for (const p of points) {
    try {
      scenarios.push(readLlmScenarioRaw(file, [...extraSets, ...p.sets]));
    } catch (err) {
      if (!(err instanceof LlmScenarioError) && !(err instanceof ScenarioError)) throw err;
      failures.push({ point: p, issues: err.issues });
    }
  }
  if (failures.length > 0) throw new UserError(pointErrors(file, points, failures));
  return scenarios;
}

/**
 * Error lines for invalid points, each problem said once: for the file when every point has it,
 * for a varied value when exactly the points with that value have it, else per point.
 */
function pointErrors(file: string, points: GridPoint[], failures: { point: GridPoint; issues: ScenarioIssue[] }[]): string[] {
  const groups = new Map<string, { issue: ScenarioIssue; points: GridPoint[] }>();
  for (const f of failures) {
    for (const issue of f.issues) {
      const key = formatIssue(file, issue);
      const g = groups.get(key) ?? { issue, points: [] };
      if (g.points[g.points.length - 1] !== f.point) g.points.push(f.point);
      groups.set(key, g);
    }
  }
  const lines: string[] = [];
  const label = (sets: string[]): string => `${file} (${sets.join(' ')})`;
  for (const [key, g] of groups) {
    if (g.points.length === points.length) {
      lines.push(key);
      continue;
    }
    const axes = g.points[0]!.sets.length;
    let byValue: string[] | null = null;
    for (let a = 0; a < axes && byValue === null; a++) {
      const values = new Set(g.points.map((p) => p.sets[a]!));
      if (points.filter((p) => values.has(p.sets[a]!)).length === g.points.length) byValue = [...values];
    }
    if (byValue !== null) for (const v of byValue) lines.push(formatIssue(label([v]), g.issue));
    else for (const p of g.points) lines.push(formatIssue(label(p.sets), g.issue));
  }
  if (lines.length <= MAX_POINT_ERRORS) return lines;
  return [...lines.slice(0, MAX_POINT_ERRORS), `error: ${file}: … and ${lines.length - MAX_POINT_ERRORS} more problem(s) in other grid points`];
}

/** The sweep command; returns the exit code. */
export async function sweepCommand(file: string, o: SweepCommandOptions): Promise<number> {
  if (o.vary.length === 0) throw new UserError(['error: sweep: give at least one --vary path=values, e.g. --vary fleet.replicas=4..16:4']);
  const axes: Axis[] = gridErrors(() => o.vary.map((v) => parseVary(v)));
  const points = gridErrors(() => buildGrid(axes));
  const headroom = o.headroom ?? 0;
  const llm = isLlmScenarioFile(file);
  const replicasPath = llm ? 'llm.replicas' : 'fleet.replicas';
  if (headroom > 0 && !axes.some((a) => a.path === replicasPath)) {
    throw new UserError([`error: sweep: --headroom counts replicas lost: it needs --vary ${replicasPath}=… (the point with k fewer replicas must be in the grid)`]);
  }
  const requirement = headroom > 0 || o.maxUtilization !== undefined ? { headroom, maxUtilization: o.maxUtilization ?? null } : undefined;
  const shard = o.shard === undefined ? null : gridErrors(() => parseShard(o.shard!));
  // every point is validated (not only this shard's), so every shard of a bad grid fails alike
  const scenarios: SweptScenario[] = llm ? resolveLlmPoints(file, o.set, points).map((sc) => ({ name: sc.name, seed: sc.spec.seed })) : resolvePoints(file, o.set, points);
  const stem = basename(file, extname(file));
  const mine = points.filter((p) => inShard(p.index, shard));

  const dir = outputDir(stem, o.out, false);
  const traces = llm ? [] : traceFilesOf(scenarios as Scenario[]);
  checkSeeds(file, scenarios, o.seeds);
  const release = claimOutputDirs([dir], [file, ...traces]);
  try {
    return await sweepInto(dir, file, stem, o, axes, shard, scenarios, mine, requirement);
  } finally {
    release();
  }
}

/** What a sweep needs of each point's scenario, request-level or LLM. */
type SweptScenario = Pick<Scenario, 'name' | 'seed'>;

/** Refuses seeds past 2^53 − 1 (neighbouring integers there are one double: "different" seeds would be one stream). */
export function checkSeeds(file: string, scenarios: readonly Pick<Scenario, 'seed'>[], seeds: number): void {
  const top = Math.max(...scenarios.map((sc) => sc.seed));
  if (top + seeds - 1 > Number.MAX_SAFE_INTEGER) {
    throw new UserError([`error: ${file}: seed: ${top} + ${seeds - 1} more seeds passes 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, where seeds stop being distinct: use a smaller seed`]);
  }
}

async function sweepInto(
  dir: string,
  file: string,
  stem: string,
  o: SweepCommandOptions,
  axes: Axis[],
  shard: ReturnType<typeof parseShard> | null,
  scenarios: SweptScenario[],
  mine: GridPoint[],
  requirement: SweepRequirement | undefined,
): Promise<number> {
  if (mine.length * o.seeds > MAX_RUNS) {
    throw new UserError([`error: sweep: ${mine.length} point(s) × ${o.seeds} seed(s) = ${mine.length * o.seeds} runs, more than ${MAX_RUNS} (each run's summary is kept): use fewer values, seeds, or --shard`]);
  }
  const jobs: RunJob[] = [];
  for (const p of mine) {
    const base = scenarios[p.index]!.seed;
    for (let k = 0; k < o.seeds; k++) jobs.push({ file, sets: runSets(o.set, p, base + k) });
  }
  // filled, not sparse: every() and slice() must see the runs that never finished
  const summaries: (Summary | undefined)[] = new Array<Summary | undefined>(jobs.length).fill(undefined);
  const pool = new RunPool(Math.max(1, Math.min(o.workers ?? defaultWorkers(), jobs.length)));
  const progress = runProgress(`sweep ${stem}`, jobs.length, o.quiet);
  let complete: boolean;
  try {
    complete = await withInterrupt(
      () => {
        progress.stop();
        process.stderr.write('\ninterrupted: keeping the finished points and writing a partial sweep (again to abort)\n');
        pool.stop();
      },
      () => {
        // printed once Ctrl-C is handled: from here on an interruption keeps what finished
        if (!o.quiet) process.stderr.write(`sweep: ${mine.length} point(s) × ${o.seeds} seed(s) = ${jobs.length} run(s) on ${pool.size} worker thread(s)\n`);
        return pool.run(jobs, (i, s) => {
          summaries[i] = s;
          progress.increment();
        });
      },
    );
  } finally {
    progress.stop();
    pool.close();
  }

  const results: PointResult[] = [];
  mine.forEach((p, pos) => {
    const runs = summaries.slice(pos * o.seeds, (pos + 1) * o.seeds);
    if (runs.every((s) => s !== undefined)) results.push(aggregatePoint(p, runs as Summary[]));
  });
  const doc = sweepDocument({
    scenario: scenarios[0]!.name,
    stem,
    axes,
    sets: o.set,
    seeds: o.seeds,
    shard,
    partial: !complete,
    points: results,
    ...(requirement !== undefined ? { requirement } : {}),
  });
  try {
    writeSweep(dir, doc);
    if (o.report !== false && doc.shard === null) writeResult(dir, 'report.html', await sweepReport(doc));
  } catch (err) {
    // a long sweep's numbers are not lost with its files: the table (or the JSON) still goes to stdout
    if (err instanceof WriteError) printSweep(doc, '(not written)', o);
    throw err;
  }
  printSweep(doc, dir, o);
  return complete ? EXIT.ok : interruptExitCode();
}

/** report.html for a sweep: p99 and cost against the first varied value, the SLO line, the chosen point. */
export async function sweepReport(doc: SweepDocument, command?: string): Promise<string> {
  const { renderSweepReport } = await import('../report/html.js');
  const varied = doc.axes.map((a) => a.path);
  // a mapping (--vary 'sharing={mode: shared, …},…') as JSON, as the terminal table and sweep.csv show it
  const scalar = (v: unknown): string | number => (typeof v === 'number' ? v : typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v) : String(v));
  const points = doc.points.map((p) => ({
    values: Object.fromEntries(varied.map((k) => [k, scalar(p.values[k])])),
    p99Ms: p.p99Ms,
    ...(p.p99MsLo !== null && p.p99MsHi !== null ? { p99MsLo: p.p99MsLo, p99MsHi: p.p99MsHi } : {}),
    costUsd: p.costUsd,
    monthlyUsd: p.monthlyUsd,
    sloMet: p.sloMet,
  }));
  const first = doc.points[0]?.runs[0];
  // an LLM run's targets are keyed metric.percentile ("ttft.p99"); its p99 column and chart are E2E's
  const llm = first?.llm !== undefined;
  const target = llm ? first.slo.target['e2e.p99'] : first?.slo.target.p99Ms;
  // several models: each is judged on its own SLO (the run's verdict has no target of its own)
  const models = first?.models;
  const llmSlo = llm ? Object.entries(first.slo.target).map(([k, v]) => `${k.replace(/^\w+/, (m) => m.toUpperCase()).replace('.', ' ')} ≤ ${v} ms`) : [];
  const sloText =
    models !== undefined
      ? `each model\u2019s own (${models.map((m) => `${m.name} ${Object.entries(m.slo.target).map(([k, v]) => (k === 'maxErrorRate' ? `errors ≤ ${v}` : `${k.replace(/Ms$/, '')} ≤ ${v} ms`)).join(', ') || 'none'}`).join('; ')})`
      : llmSlo.length > 0
        ? llmSlo.join(', ')
        : undefined;
  const chosen = doc.cheapest === null ? null : doc.points.findIndex((p) => p.index === doc.cheapest);
  const args = process.argv.slice(2).map((a) => (/[\s'"$]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a));
  return renderSweepReport({
    points,
    varied,
    sloP99Ms: typeof target === 'number' ? target : null,
    ...(sloText !== undefined ? { sloText } : {}),
    chosenIndex: chosen === null || chosen < 0 ? null : chosen,
    version: packageVersion(),
    command: command ?? `npx infersim ${args.join(' ')}`,
    title: `${doc.scenario}: sweep of ${varied.join(' × ')}`,
  });
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Writes sweep.json, and sweep.csv unless the document is one shard (a shard's rows are not the sweep). */
export function writeSweep(dir: string, doc: SweepDocument): void {
  writeResult(dir, 'sweep.json', `${JSON.stringify(doc, null, 2)}\n`);
  if (doc.shard === null) writeResult(dir, 'sweep.csv', sweepCsv(doc));
}

/** Prints the table (or, with --format json, the document and nothing else) and where the files went. */
export function printSweep(doc: SweepDocument, dir: string, o: { format: 'table' | 'json'; quiet: boolean; wide?: boolean }): void {
  if (o.format === 'json') {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    if (!o.quiet) process.stderr.write(`${doc.stem}: results in ${dir}\n`);
  } else {
    process.stdout.write(`${formatSweepTable(doc, terminalStyle(o.wide))}\n`);
    process.stdout.write(`results: ${dir}\n`);
  }
}

/** Adds `sweep` to the program; `setExit` receives the exit code. */
export function registerSweep(program: Command, setExit: (code: number) => void): void {
  program
    .command('sweep')
    .description('run a grid of variations at several seeds; writes results/<name>/sweep.csv and sweep.json')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--vary <path=values>', 'a field and its values: 8,16,32 | 1..10:2 | l4,a100-80gb (repeatable: the cartesian product, first --vary slowest)', collectOption, [])
    .option('--seeds <n>', `seeds per point: the scenario seed, +1, … (mean and 95% interval over them; at most ${MAX_SEEDS})`, positiveInteger('--seeds', MAX_SEEDS), 1)
    .option('--workers <n>', `worker threads (default: one per CPU; at most ${MAX_WORKERS})`, positiveInteger('--workers', MAX_WORKERS))
    .option('--shard <i/n>', 'run only the points with index ≡ i (mod n), 0-based; combine the parts with `infersim merge`')
    .option('--set <path=value>', 'override a field under every point, value parsed as YAML (repeatable)', collectOption, [])
    .option('--out <dir>', 'output folder (default results/<scenario file name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'no progress or log lines on stderr', false)
    .option('--no-report', 'do not write report.html')
    .option('--wide', 'tables as wide as they need (default: fit 100 columns)', false)
    .option('--headroom <k>', '★ needs the SLO met with k fewer fleet.replicas (llm.replicas for an LLM scenario) too (N+k; needs --vary of it)', nonNegativeInteger('--headroom'), 0)
    .option('--max-utilization <share>', '★ needs GPU utilization ≤ share at every seed, e.g. 0.8', utilizationOption)
    .action(async (file: string, o: SweepCommandOptions) => {
      setExit(await sweepCommand(file, o));
    });
}
