/**
 * `infersim compare FILE [FILE...]`: a file's variants (or several files) run with the same
 * seed, so they see the same arrivals (common random numbers), printed side by side.
 * Writes compare.csv, report.html and each run's summary.json and timeline.csv.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { compareRows } from '../analysis/compare.js';
import { timelineCsv } from '../report/csv.js';
import { compareCsv, formatCompare, interruptedCompareLine } from '../report/compare.js';
import { wrapText } from '../report/table.js';
import { terminalStyle } from './output.js';
import { loadScenarioVariants, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../config/scenario.js';
import type { Summary } from '../metrics/summary.js';
import type { RunResult } from '../run.js';
import { EXIT, UserError } from './errors.js';
import { claimOutputDirs, writeResult } from './output.js';
import { interruptExitCode, wasInterrupted, withInterrupt } from './signals.js';
import { checkSiteFiles, finishingRunNotice, runScenario } from './run.js';
import { siteTimelineFile, topologyCompareLines } from '../report/topology.js';
import { readInputFile, readScenarioFiles, readSmallFile, traceFilesOf } from './scenario-files.js';
import { isLlmScenarioFile, readLlmScenario, readLlmScenarioVariants, reportScenario, runLlmScenario } from './llm-run.js';
import { llmTimelineCsv } from '../report/llm.js';
import type { LlmRunScenario } from '../llm/regions-scenario.js';
import type { LlmScenario } from '../llm/scenario.js';
import type { LlmResults, LlmTimelineRow } from '../llm/fleet.js';

export interface CompareOptions {
  seed?: number;
  set: string[];
  out?: string;
  format: 'table' | 'json';
  quiet: boolean;
  report: boolean;
  /** No width limit on the tables (default: fit 100 columns). */
  wide?: boolean;
}

interface Entry {
  label: string;
  scenario: Scenario;
}

/**
 * One run of a comparison, request-level or LLM: its summary, whether it was cut short, its files,
 * and what report.html draws: the request-level result (null for an LLM run), or the LLM run's
 * scenario, results and timeline (null for a request-level run).
 */
interface CompareRun {
  summary: Summary;
  partial: boolean;
  files: Array<[name: string, text: string]>;
  result: RunResult | null;
  llm: { sc: LlmScenario; results: LlmResults; timeline: LlmTimelineRow[] } | null;
}

/** A run to make: its label and how to make it. */
interface CompareJob {
  label: string;
  run(): Promise<CompareRun>;
}

/** The LLM runs to compare: one file's base and variants (same mechanism as request-level ones), or the base of each of several files. */
function llmJobs(files: string[], sets: string[]): { jobs: CompareJob[]; stem: string } {
  const job = (label: string, sc: LlmRunScenario, variant: string | null): CompareJob => ({
    label,
    run: () => {
      const out = runLlmScenario(sc, variant);
      const files: CompareRun['files'] = [['summary.json', `${JSON.stringify(out.summary, null, 2)}\n`], ['timeline.csv', llmTimelineCsv(out.timeline)]];
      return Promise.resolve({ summary: out.summary, partial: false, files, result: null, llm: { sc: reportScenario(sc), results: out.results, timeline: out.timeline } });
    },
  });
  if (files.length > 1) {
    const labels = uniqueLabels(files.map((f) => basename(f, extname(f))));
    const loaded = files.map((f) => readLlmScenario(f, sets));
    return { jobs: loaded.map((sc, i) => job(labels[i]!, sc, labels[i]!)), stem: 'compare' };
  }
  const file = files[0]!;
  const { base, variants } = readLlmScenarioVariants(file, sets);
  if (variants.length === 0) {
    throw new UserError([`error: ${file}: variants: compare needs variants in the file (e.g. variants: { h100: { llm: { gpu: h100-80gb, replicas: 3 } } }) or several files`]);
  }
  return { jobs: [job('base', base, 'base'), ...variants.map((v) => job(v.name, v.scenario, v.name))], stem: basename(file, extname(file)) };
}

/** Labels from file stems: a stem given twice, or one named like compare's own files, gets its position appended. */
function uniqueLabels(stems: string[]): string[] {
  const dupes = stems.filter((l, i) => stems.indexOf(l) !== i);
  // a file named compare.csv.yaml must not make a folder where compare.csv goes
  return stems.map((l, i) => (dupes.includes(l) || /^(compare\.csv|report\.html)$/i.test(l) ? `${l}-${i + 1}` : l));
}

/** The runs to compare: one file's base and variants, or the base of each of several files. */
function entriesOf(files: string[], sets: string[]): { entries: Entry[]; stem: string } {
  if (files.length > 1) {
    const loaded = readScenarioFiles(files, sets);
    const labels = uniqueLabels(loaded.map((l) => l.stem));
    return { entries: loaded.map((l, i) => ({ label: labels[i]!, scenario: l.scenario })), stem: 'compare' };
  }
  const file = files[0]!;
  readScenarioFiles([file], sets); // every error (and the trace) checked as for run
  const text = readSmallFile(file);
  try {
    const { base, variants } = loadScenarioVariants(text, {
      file,
      baseDir: dirname(resolve(file)),
      sets,
      readFile: readInputFile,
    });
    if (variants.length === 0) {
      throw new UserError([`error: ${file}: variants: compare needs variants in the file (e.g. variants: { kpa: { autoscaler: { kind: kpa } } }) or several files`]);
    }
    return { entries: [{ label: 'base', scenario: base }, ...variants.map((v) => ({ label: v.name, scenario: v.scenario }))], stem: basename(file, extname(file)) };
  } catch (e) {
    if (e instanceof ScenarioError) throw new UserError(e.message.split('\n'));
    throw e;
  }
}

/** The compare command; returns the exit code. */
export async function compareCommand(files: string[], opts: CompareOptions): Promise<number> {
  const sets = opts.seed !== undefined ? [...opts.set, `seed=${opts.seed}`] : opts.set;
  // LLM scenarios (an llm: block) run on their own engine (cli/llm-run.ts); a comparison holds one kind
  const llm = files.filter(isLlmScenarioFile);
  if (llm.length > 0 && llm.length < files.length) {
    const other = files.filter((f) => !llm.includes(f));
    throw new UserError([`error: compare: ${llm.join(', ')} ${llm.length > 1 ? 'are LLM scenarios' : 'is an LLM scenario'} (an llm: block) and ${other.join(', ')} ${other.length > 1 ? 'are' : 'is'} request-level: compare runs one kind at a time`]);
  }
  if (llm.length > 0) {
    const { jobs, stem } = llmJobs(files, sets);
    const dir = opts.out ? resolve(opts.out) : resolve('results', stem);
    const release = claimOutputDirs([dir], files);
    try {
      return await compareInto(dir, jobs, opts);
    } finally {
      release();
    }
  }
  const { entries, stem } = entriesOf(files, sets);
  const dir = opts.out ? resolve(opts.out) : resolve('results', stem);
  for (const e of entries) checkSiteFiles(files.length > 1 ? e.label : files[0]!, e.scenario);
  const inputs = [...files, ...traceFilesOf(entries.map((e) => e.scenario))];
  const release = claimOutputDirs([dir], inputs);
  const jobs = entries.map(
    (e): CompareJob => ({
      label: e.label,
      run: async () => {
        const r = await runScenario(e.scenario, `${stem}:${e.label}`, opts.quiet, e.label);
        const files: CompareRun['files'] = [['summary.json', `${JSON.stringify(r.summary, null, 2)}\n`], ['timeline.csv', timelineCsv(r.timeline)]];
        for (const st of r.siteTimelines) files.push([siteTimelineFile(st.name), timelineCsv(st.timeline)]);
        return { summary: r.summary, partial: r.partial, files, result: r, llm: null };
      },
    }),
  );
  try {
    return await compareInto(dir, jobs, opts);
  } finally {
    release();
  }
}

async function compareInto(dir: string, entries: CompareJob[], opts: CompareOptions): Promise<number> {
  const results: CompareRun[] = [];
  let partial = false;
  await withInterrupt(finishingRunNotice, async () => {
    for (const e of entries) {
      if (wasInterrupted()) break;
      const r = await e.run();
      results.push(r);
      for (const [name, text] of r.files) writeResult(resolve(dir, e.label), name, text);
      if (r.partial) {
        partial = true;
        break;
      }
    }
  });
  // interrupted between two runs: the ones not started are missing, so the comparison is partial too
  if (results.length < entries.length) partial = true;
  if (partial && !opts.quiet) {
    const last = results[results.length - 1];
    const stopped = last?.partial === true ? { label: entries[results.length - 1]!.label, atS: last.summary.simulatedSeconds } : null;
    process.stderr.write(`${interruptedCompareLine(stopped, entries.slice(results.length).map((e) => e.label))}\n`);
  }
  const summaries: Summary[] = results.map((r) => r.summary);
  // a run stopped before its end is marked in every table and file, never shown as complete
  const labels = entries.slice(0, results.length).map((e, i) => (results[i]!.partial ? `${e.label} (partial)` : e.label));
  const { rows } = compareRows(labels, summaries);
  writeResult(dir, 'compare.csv', compareCsv(rows, summaries));
  // report.html: request-level runs' page (html.ts) or LLM runs' (llm-html.ts); a comparison holds one kind
  const runs = results.map((r) => r.result).filter((r): r is RunResult => r !== null);
  const command = `infersim compare ${process.argv.slice(3).join(' ')}`;
  if (opts.report && runs.length === results.length) {
    const { renderCompareReport } = await import('../report/html.js');
    const html = await renderCompareReport({ results: runs, labels, version: packageVersion(), command });
    writeResult(dir, 'report.html', html);
  } else if (opts.report && results.every((r) => r.llm !== null)) {
    const { renderLlmCompareReport } = await import('../report/llm-html.js');
    const llmRuns = results.map((r, i) => ({ label: labels[i]!, ...r.llm! }));
    writeResult(dir, 'report.html', await renderLlmCompareReport({ runs: llmRuns, version: packageVersion(), command }));
  }
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
  else {
    process.stdout.write(`${formatCompare(labels, summaries, terminalStyle(opts.wide))}\n`);
    const sites = topologyCompareLines(labels, summaries);
    if (sites.length > 0) process.stdout.write(`\n${wrapText(sites.join('\n'), terminalStyle(opts.wide).width)}\n`);
    process.stdout.write(`results: ${dir}\n`);
  }
  return partial ? interruptExitCode() : EXIT.ok;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
