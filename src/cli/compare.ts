/**
 * `infersim compare FILE [FILE...]`: a file's variants (or several files) run with the same
 * seed, so they see the same arrivals (common random numbers), printed side by side.
 * Writes compare.csv and each run's summary.json and timeline.csv.
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

/** The runs to compare: one file's base and variants, or the base of each of several files. */
function entriesOf(files: string[], sets: string[]): { entries: Entry[]; stem: string } {
  if (files.length > 1) {
    const loaded = readScenarioFiles(files, sets);
    const labels = loaded.map((l) => l.stem);
    const dupes = labels.filter((l, i) => labels.indexOf(l) !== i);
    return {
      // a file named compare.csv.yaml must not make a folder where compare.csv goes
      entries: loaded.map((l, i) => ({ label: dupes.includes(l.stem) || /^(compare\.csv|report\.html)$/i.test(l.stem) ? `${l.stem}-${i + 1}` : l.stem, scenario: l.scenario })),
      stem: 'compare',
    };
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
  const { entries, stem } = entriesOf(files, sets);
  const dir = opts.out ? resolve(opts.out) : resolve('results', stem);
  for (const e of entries) checkSiteFiles(files.length > 1 ? e.label : files[0]!, e.scenario);
  const inputs = [...files, ...traceFilesOf(entries.map((e) => e.scenario))];
  const release = claimOutputDirs([dir], inputs);
  try {
    return await compareInto(dir, entries, stem, opts);
  } finally {
    release();
  }
}

async function compareInto(dir: string, entries: Entry[], stem: string, opts: CompareOptions): Promise<number> {
  const results: RunResult[] = [];
  let partial = false;
  await withInterrupt(finishingRunNotice, async () => {
    for (const e of entries) {
      if (wasInterrupted()) break;
      const r = await runScenario(e.scenario, `${stem}:${e.label}`, opts.quiet, e.label);
      results.push(r);
      writeResult(resolve(dir, e.label), 'summary.json', `${JSON.stringify(r.summary, null, 2)}\n`);
      writeResult(resolve(dir, e.label), 'timeline.csv', timelineCsv(r.timeline));
      for (const st of r.siteTimelines) writeResult(resolve(dir, e.label), siteTimelineFile(st.name), timelineCsv(st.timeline));
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
  if (opts.report) {
    const { renderCompareReport } = await import('../report/html.js');
    const html = await renderCompareReport({ results, labels, version: packageVersion(), command: `infersim compare ${process.argv.slice(3).join(' ')}` });
    writeResult(dir, 'report.html', html);
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
