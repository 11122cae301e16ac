/** `infersim run FILE...`: simulate scenarios, print their summaries, write summary.json, timeline.csv and report.html. */
import { performance } from 'node:perf_hooks';
import { startRun, type RunResult } from '../run.js';
import { timelineCsv } from '../report/csv.js';
import { formatSummary } from '../report/summary.js';
import { wrapText } from '../report/table.js';
import { terminalStyle } from './output.js';
import { formatTopology, siteTimelineFile } from '../report/topology.js';
import { createRequire } from 'node:module';
import type { Scenario } from '../config/scenario.js';
import { traceFileSources } from './line-source.js';
import { claimOutputDirs, outputDir, writeResult } from './output.js';
import { interruptExitCode, signalName, wasInterrupted, withInterrupt, type Handled } from './signals.js';
import { TraceError } from '../workload/trace.js';
import { advanceRun } from './progress.js';
import { readScenarioFiles, scenarioTraces, traceFilesOf, type LoadedScenario } from './scenario-files.js';
import { EXIT, UserError } from './errors.js';
import { ReportRenderer } from './report-worker.js';
import { commandLine } from '../report/command-line.js';
import { isLlmScenarioFile, runLlmCommand } from './llm-run.js';

export interface RunCommandOptions {
  seed?: number;
  set: string[];
  out?: string;
  format: 'table' | 'json';
  assertSlo: boolean;
  quiet: boolean;
  /** Write report.html beside summary.json (commander's --no-report sets false); default true. */
  report?: boolean;
  /** Run this variant of each file instead of its base scenario. */
  variant?: string;
  /** No width limit on the tables (default: fit 100 columns). */
  wide?: boolean;
}

const infersimVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Runs one loaded scenario with progress and interruption (advanceRun: Ctrl-C or SIGTERM is seen at once, the run finishes partial). */
export async function runScenario(sc: Scenario, label: string, quiet: boolean, variant: string | null = null): Promise<RunResult> {
  const trace = sc.traffic.trace;
  // a several-model run opens each model's trace by its path (openTraceFile)
  const files = traceFileSources();
  try {
    const run = startRun(sc, {
      openTrace: trace ? () => files.open(trace.file) : undefined,
      openTraceFile: (f) => files.open(f),
      traceLabel: trace?.file,
      variant,
      wallClockS: () => performance.now() / 1000,
    });
    return run.finish(await advanceRun(run, label, quiet));
  } catch (err) {
    // the trace was checked whole before the run: a bad line now means it changed on disk meanwhile
    const traced = scenarioTraces(sc);
    if (err instanceof TraceError && traced.length > 0) {
      throw new UserError([`error: ${traced.map((t) => t.trace.file).join(', ')}: the trace changed while the run was reading it (${err.message}); nothing was written: run again on a file that stays put`]);
    }
    throw err;
  } finally {
    files.closeAll();
  }
}

/** What run and compare say at the first SIGINT/SIGTERM (withInterrupt): the current run stops and its partial summary is written. */
export function finishingRunNotice(sig: Handled): void {
  process.stderr.write(`\ninterrupted (${signalName(sig)}): finishing the current run and writing a partial summary (again to abort)\n`);
}

/** Refuses (exit 2) two sites of one scenario (regions, models) whose timeline files would have the same name (`us/east` and `us_east`). */
export function checkSiteFiles(file: string, sc: Scenario): void {
  const seen = new Map<string, string>();
  const topo = sc.topology;
  if (topo?.kind !== 'regions' && topo?.kind !== 'models') return;
  const what = topo.kind;
  const names = topo.kind === 'regions' ? topo.regions.map((r) => r.name) : topo.models.map((m) => m.name);
  names.forEach((name, i) => {
    const f = siteTimelineFile(name).toLowerCase();
    const other = seen.get(f);
    if (other !== undefined) {
      throw new UserError([`error: ${file}: ${what}.${i}.name: ${JSON.stringify(name)} and ${JSON.stringify(other)} would write the same ${siteTimelineFile(name)}: rename one`]);
    }
    seen.set(f, name);
  });
}

/** The run command; returns the exit code. */
export async function runCommand(files: string[], opts: RunCommandOptions): Promise<number> {
  // LLM scenarios (a top-level `llm:` block) take their own run path (src/llm, cli/llm-run.ts)
  const llm = files.filter(isLlmScenarioFile);
  if (llm.length > 0) {
    if (llm.length !== files.length) throw new UserError(['error: LLM scenarios (with an llm: block) and request-level scenarios cannot be run in one command']);
    return runLlmCommand(files, opts);
  }
  const sets = opts.seed !== undefined ? [...opts.set, `seed=${opts.seed}`] : opts.set;
  const loaded: LoadedScenario[] = readScenarioFiles(files, sets, opts.variant);
  const several = loaded.length > 1;
  // two files with one name (a/s.yaml, b/s.yaml) would write one results folder
  const dirs = loaded.map((l) => outputDir(l.stem, opts.out, several));
  const problems: string[] = [];
  dirs.forEach((d, i) => {
    const j = dirs.findIndex((x) => x.toLowerCase() === d.toLowerCase());
    if (j !== i) problems.push(`error: ${loaded[i]!.file}: its results would go to ${d}, as those of ${loaded[j]!.file}: rename one or run them separately with --out`);
  });
  for (const l of loaded) {
    try {
      checkSiteFiles(l.file, l.scenario);
    } catch (err) {
      if (err instanceof UserError) problems.push(...err.lines);
      else throw err;
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  const inputs = loaded.flatMap((l) => [l.file, ...traceFilesOf([l.scenario])]);
  const release = claimOutputDirs(dirs, inputs);
  const summaries: unknown[] = [];
  let missed = false;
  let anyPartial = false;
  // started before the first simulation, so the chart renderer loads on another core meanwhile
  const reports = opts.report !== false ? new ReportRenderer() : null;
  try {
    await withInterrupt(finishingRunNotice, async () => {
      for (const [i, l] of loaded.entries()) {
        if (wasInterrupted()) {
          // stopped between two files: the ones not started are not run (and the exit code says so)
          anyPartial = true;
          if (!opts.quiet) process.stderr.write(`${l.stem}: not run (interrupted)\n`);
          continue;
        }
        const result = await runScenario(l.scenario, l.stem, opts.quiet);
        const dir = dirs[i]!;
        writeResult(dir, 'summary.json', `${JSON.stringify(result.summary, null, 2)}\n`);
        writeResult(dir, 'timeline.csv', timelineCsv(result.timeline));
        for (const st of result.siteTimelines) writeResult(dir, siteTimelineFile(st.name), timelineCsv(st.timeline));
        if (reports !== null) {
          // the command that reproduces this run: the seed pinned, the overrides kept
          const command = commandLine(['npx', 'infersim', 'run', l.file, ...(opts.variant !== undefined ? ['--variant', opts.variant] : []), ...opts.set.flatMap((x) => ['--set', x]), '--seed', String(l.scenario.seed)]);
          writeResult(dir, 'report.html', await reports.render(result, infersimVersion, command, opts.set));
        }
        summaries.push(result.summary);
        if (!result.summary.slo.met) missed = true;
        if (result.partial) anyPartial = true;
        if (opts.format === 'table') {
          process.stdout.write(`${formatSummary(result.summary, l.scenario, terminalStyle(opts.wide), opts.set)}\n`);
          const sites = formatTopology(result.summary);
          if (sites !== '') process.stdout.write(`${wrapText(sites, terminalStyle(opts.wide).width)}\n`);
          process.stdout.write(`results: ${dir}\n\n`);
        } else if (!opts.quiet) {
          process.stderr.write(`${l.stem}: results in ${dir}\n`);
        }
      }
    });
  } finally {
    reports?.close();
    release();
  }
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(several ? summaries : summaries[0], null, 2)}\n`);
  if (anyPartial || wasInterrupted()) return interruptExitCode();
  return opts.assertSlo && missed ? EXIT.sloMissed : EXIT.ok;
}
