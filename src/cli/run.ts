/** `infersim run FILE...`: simulate scenarios, print their summaries, write summary.json, timeline.csv and report.html. */
import { performance } from 'node:perf_hooks';
import { startRun, type RunResult } from '../run.js';
import { timelineCsv } from '../report/csv.js';
import { formatSummary } from '../report/table.js';
import { formatTopology, siteTimelineFile } from '../topology/report.js';
import { createRequire } from 'node:module';
import type { Scenario } from '../scenario/types.js';
import { fileLineSource } from './line-source.js';
import { outputDir, writeResult } from './output.js';
import { createProgress } from './progress.js';
import { readScenarioFiles, type LoadedScenario } from './scenario-files.js';
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
}

const infersimVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Set by the SIGINT handler: runs stop at the next slice and write a partial summary. */
let interrupted = false;

/** Runs one loaded scenario with progress and interruption; yields to the event loop between slices. */
export async function runScenario(sc: Scenario, label: string, quiet: boolean, variant: string | null = null): Promise<RunResult> {
  const trace = sc.traffic.trace;
  const lines = trace ? fileLineSource(trace.file) : undefined;
  try {
    const run = startRun(sc, {
      traceLines: lines,
      traceLabel: trace?.file,
      variant,
      wallClockS: () => performance.now() / 1000,
    });
    const progress = createProgress(label, quiet);
    const slices = 200;
    let stopped = false;
    for (let k = 1; k <= slices; k++) {
      run.runTo((run.endS * k) / slices);
      progress.update(k / slices);
      if (k % 10 === 0) await new Promise<void>((r) => setImmediate(r));
      if (interrupted && k < slices) {
        stopped = true;
        break;
      }
    }
    progress.stop();
    return run.finish(stopped);
  } finally {
    lines?.close();
  }
}

/** Installs a Ctrl-C handler for the duration of `fn`: the first Ctrl-C stops gracefully, the second exits. */
export async function withInterrupt<T>(fn: () => Promise<T>): Promise<T> {
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    process.stderr.write('\ninterrupted: finishing the current run and writing a partial summary (Ctrl-C again to abort)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSigint);
  }
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
  const loaded: LoadedScenario[] = readScenarioFiles(files, sets);
  const several = loaded.length > 1;
  const summaries: unknown[] = [];
  let missed = false;
  let anyPartial = false;
  // started before the first simulation, so the chart renderer loads on another core meanwhile
  const reports = opts.report !== false ? new ReportRenderer() : null;
  try {
    await withInterrupt(async () => {
      for (const l of loaded) {
        const result = await runScenario(l.scenario, l.stem, opts.quiet);
        const dir = outputDir(l.stem, opts.out, several);
        writeResult(dir, 'summary.json', `${JSON.stringify(result.summary, null, 2)}\n`);
        writeResult(dir, 'timeline.csv', timelineCsv(result.timeline));
        for (const st of result.siteTimelines) writeResult(dir, siteTimelineFile(st.name), timelineCsv(st.timeline));
        if (reports !== null) {
          // the command that reproduces this run: the seed pinned, the overrides kept
          const command = commandLine(['npx', 'infersim', 'run', l.file, ...opts.set.flatMap((x) => ['--set', x]), '--seed', String(l.scenario.seed)]);
          writeResult(dir, 'report.html', await reports.render(result, infersimVersion, command));
        }
        summaries.push(result.summary);
        if (!result.summary.slo.met) missed = true;
        if (result.partial) anyPartial = true;
        if (opts.format === 'table') {
          process.stdout.write(`${formatSummary(result.summary, l.scenario)}\n`);
          const sites = formatTopology(result.summary);
          if (sites !== '') process.stdout.write(`${sites}\n`);
          process.stdout.write(`results: ${dir}\n\n`);
        } else if (!opts.quiet) {
          process.stderr.write(`${l.stem}: results in ${dir}\n`);
        }
        if (interrupted) break;
      }
    });
  } finally {
    reports?.close();
  }
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(several ? summaries : summaries[0], null, 2)}\n`);
  if (anyPartial) return EXIT.interrupted;
  return opts.assertSlo && missed ? EXIT.sloMissed : EXIT.ok;
}
