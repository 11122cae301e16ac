/**
 * `infersim run` on LLM scenarios (a top-level `llm:` block): reads the file and the files it
 * names, runs the LLM fleet, writes summary.json (the contract's fields, with E2E as the
 * request latency, plus an `llm` block), timeline.csv and report.html, and prints a table.
 */
import { createRequire } from 'node:module';
import { basename, dirname, extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLlmFleet, type LlmResults, type LlmTimelineRow } from '../llm/fleet.js';
import { llmRunSummary } from '../llm/summary.js';
import type { Summary } from '../metrics/summary.js';
import { formatLlmTable, llmTimelineCsv } from '../report/llm.js';
import { commandLine } from '../report/command-line.js';
import { isLlmDocument, LlmScenarioError, type LlmLoadOptions, type LlmScenario } from '../llm/scenario.js';
import { loadLlmRunScenario, loadLlmRunScenarioVariants, type LlmRunScenario } from '../llm/regions-scenario.js';
import { runLlmRegions, type LlmRegionsOutput } from '../topology/llm-regions.js';
import { formatLlmRegions } from '../report/llm-regions.js';
import { siteTimelineFile } from '../report/topology.js';
import { llmRegionsSummary } from './llm-regions.js';
import { ScenarioError } from '../scenario/load.js';
import { EXIT, UserError } from './errors.js';
import { outputDir, writeResult } from './output.js';
import { readSmallFile } from './scenario-files.js';

/** The largest trace an LLM scenario reads whole (token counts per request): a regular file, like every input. */
const MAX_LLM_INPUT_BYTES = 256 * 1024 * 1024;

/** True when `file` reads as an LLM scenario (unreadable files are left to the usual path's errors). */
export function isLlmScenarioFile(file: string): boolean {
  try {
    return isLlmDocument(readSmallFile(file)); // a FIFO or device is refused, not read (the main loader says why)
  } catch {
    return false;
  }
}

/**
 * Reads an LLM scenario file: its base (`sets` applied; its variants are not resolved, as `run`
 * reads a request-level file), or with `variant` that variant (every variant resolved to find it).
 */
export function readLlmScenario(file: string, sets: string[], variant?: string): LlmRunScenario {
  if (variant === undefined) return loadedAsUser(() => loadLlmRunScenario(readLlmText(file), llmLoadOptions(file, sets)));
  const { variants } = readLlmScenarioVariants(file, sets);
  const v = variants.find((x) => x.name === variant);
  if (v === undefined) {
    throw new UserError([`error: ${file}: variants: no variant named ${JSON.stringify(variant)} (${variants.length > 0 ? `the file has ${variants.map((x) => x.name).join(', ')}` : 'the file has no variants'})`]);
  }
  return v.scenario;
}

/** Reads an LLM scenario file and resolves its base and every variant (errors as UserError, exit 2). */
export function readLlmScenarioVariants(file: string, sets: string[]): { base: LlmRunScenario; variants: { name: string; scenario: LlmRunScenario }[] } {
  return loadedAsUser(() => loadLlmRunScenarioVariants(readLlmText(file), llmLoadOptions(file, sets)));
}

/** The scenario file's text; an unreadable file is a UserError (exit 2). */
function readLlmText(file: string): string {
  try {
    return readSmallFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError([`error: ${file}: cannot read the scenario file (${e.code === 'ENOENT' ? 'no such file' : e.code === 'ENOTREG' || e.code === 'ETOOBIG' ? e.message : (e.code ?? String(err))})`]);
  }
}

/** Runs a loader, turning its scenario errors into a UserError (one line per problem, exit 2). */
function loadedAsUser<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof LlmScenarioError) throw new UserError(err.lines);
    if (err instanceof ScenarioError) throw new UserError(err.message.split('\n'));
    throw err;
  }
}

/** One LLM scenario (the base, `sets` applied; with its regions) for a sweep point: LlmScenarioError or ScenarioError as the loader throws them, for the caller to group. */
export function readLlmScenarioRaw(file: string, sets: string[]): LlmRunScenario {
  return loadLlmRunScenario(readSmallFile(file), llmLoadOptions(file, sets));
}

/** How the CLI loads an LLM scenario: files relative to the scenario's folder, traces up to MAX_LLM_INPUT_BYTES. */
export function llmLoadOptions(file: string, sets: string[]): LlmLoadOptions {
  // the base and every variant read the same trace: read once per load
  const read = new Map<string, string>();
  const readFile = (p: string): string => {
    let text = read.get(p);
    if (text === undefined) {
      text = readSmallFile(p, MAX_LLM_INPUT_BYTES);
      read.set(p, text);
    }
    return text;
  };
  return { file, baseDir: dirname(resolve(file)), sets, readFile };
}

/**
 * Runs an LLM scenario (with its regions when it has them): its summary (the shape of every run's,
 * plus the regions and failover blocks of a region run), the results and the timeline.
 */
export function runLlmScenario(sc: LlmRunScenario, variant: string | null = null): { summary: Summary; results: LlmResults; timeline: LlmTimelineRow[]; regions: LlmRegionsOutput | null } {
  const t0 = performance.now();
  if (sc.regions !== null) {
    const out = runLlmRegions(sc.spec, sc.regions);
    const base = llmRunSummary(sc, out.results, (performance.now() - t0) / 1000, variant);
    // the region blocks (cli/llm-regions.ts) are added to the summary's own fields
    const summary = llmRegionsSummary(base as unknown as Record<string, unknown>, sc.spec, out) as unknown as Summary;
    return { summary, results: out.results, timeline: out.timeline, regions: out };
  }
  const out = runLlmFleet(sc.spec);
  const wall = (performance.now() - t0) / 1000;
  return { summary: llmRunSummary(sc, out.results, wall, variant), results: out.results, timeline: out.timeline, regions: null };
}

/**
 * The scenario a report's title and table describe: with regions, its replica count is every
 * region's starting replicas (when they all span as many GPUs); without, the scenario itself.
 */
export function reportScenario(sc: LlmRunScenario): LlmScenario {
  const regions = sc.regions;
  if (regions === null) return sc;
  const sameTp = regions.regions.every((g) => g.spec.tensorParallel === sc.spec.tensorParallel);
  return sameTp ? { ...sc, spec: { ...sc.spec, replicas: regions.regions.reduce((a, g) => a + g.spec.replicas, 0) } } : sc;
}

export interface LlmRunOptions {
  set: string[];
  seed?: number;
  out?: string;
  format: 'table' | 'json';
  assertSlo: boolean;
  quiet: boolean;
  /** Write report.html (commander's --no-report sets false); default true. */
  report?: boolean;
  /** Run this variant of each file instead of its base scenario. */
  variant?: string;
}

// the report module loads vega (~0.4 s): only when a report is written, so every other command starts without it
const llmHtml = (): Promise<typeof import('../report/llm-html.js')> => import('../report/llm-html.js');

const infersimVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export async function runLlmCommand(files: string[], opts: LlmRunOptions): Promise<number> {
  const sets = opts.seed !== undefined ? [...opts.set, `seed=${opts.seed}`] : opts.set;
  const loaded = files.map((f) => ({ file: f, stem: basename(f, extname(f)), sc: readLlmScenario(f, sets, opts.variant) }));
  const several = loaded.length > 1;
  const summaries: unknown[] = [];
  let missed = false;
  for (const l of loaded) {
    const out = runLlmScenario(l.sc);
    const summary = out.summary;
    const regions = l.sc.regions;
    if (regions !== null && out.regions !== null) {
      // one LLM fleet per region behind the region router (topology/llm-regions.ts)
      const dir = outputDir(l.stem, opts.out, several);
      writeResult(dir, 'summary.json', `${JSON.stringify(summary, null, 2)}\n`);
      writeResult(dir, 'timeline.csv', llmTimelineCsv(out.timeline));
      for (const g of out.regions.regions) writeResult(dir, siteTimelineFile(g.name), llmTimelineCsv(g.timeline));
      summaries.push(summary);
      if (!out.results.slo.met) missed = true;
      const titled = reportScenario(l.sc);
      if (opts.report !== false) {
        const command = commandLine(['npx', 'infersim', 'run', l.file, ...opts.set.flatMap((x) => ['--set', x]), '--seed', String(l.sc.spec.seed)]);
        writeResult(dir, 'report.html', await (await llmHtml()).renderLlmRunReport({ sc: titled, results: out.results, timeline: out.timeline, version: infersimVersion, command, regions: out.regions }));
      }
      if (opts.format === 'table') process.stdout.write(`${formatLlmTable(titled, out.results)}\n${formatLlmRegions(out.regions, l.sc.notes, regions.regions)}\nresults: ${dir}\n\n`);
      else if (!opts.quiet) process.stderr.write(`${l.stem}: results in ${dir}\n`);
      continue;
    }
    const dir = outputDir(l.stem, opts.out, several);
    writeResult(dir, 'summary.json', `${JSON.stringify(summary, null, 2)}\n`);
    writeResult(dir, 'timeline.csv', llmTimelineCsv(out.timeline));
    if (opts.report !== false) {
      // the command that reproduces this run: the seed pinned, the overrides kept
      const command = commandLine(['npx', 'infersim', 'run', l.file, ...opts.set.flatMap((x) => ['--set', x]), '--seed', String(l.sc.spec.seed)]);
      writeResult(dir, 'report.html', await (await llmHtml()).renderLlmRunReport({ sc: l.sc, results: out.results, timeline: out.timeline, version: infersimVersion, command }));
    }
    summaries.push(summary);
    if (!out.results.slo.met) missed = true;
    if (opts.format === 'table') process.stdout.write(`${formatLlmTable(l.sc, out.results)}\nresults: ${dir}\n\n`);
    else if (!opts.quiet) process.stderr.write(`${l.stem}: results in ${dir}\n`);
  }
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(several ? summaries : summaries[0], null, 2)}\n`);
  return opts.assertSlo && missed ? EXIT.sloMissed : EXIT.ok;
}
