/**
 * `infersim run` on LLM scenarios (a top-level `llm:` block): reads the file and the files it
 * names, runs the LLM fleet, writes summary.json (the contract's fields, with E2E as the
 * request latency, plus an `llm` block), timeline.csv and report.html, and prints a table.
 */
import { createRequire } from 'node:module';
import { basename, dirname, extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLlmFleet, type LlmResults } from '../llm/fleet.js';
import { formatLlmTable, llmTimelineCsv } from '../report/llm.js';
import { renderLlmRunReport } from '../report/llm-html.js';
import { commandLine } from '../report/command-line.js';
import { isLlmDocument, LlmScenarioError, type LlmScenario } from '../llm/scenario.js';
import { loadLlmRunScenario, type LlmRunScenario } from '../llm/regions-scenario.js';
import { runLlmRegions } from '../topology/llm-regions.js';
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

export function readLlmScenario(file: string, sets: string[]): LlmRunScenario {
  let text: string;
  try {
    text = readSmallFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError([`error: ${file}: cannot read the scenario file (${e.code === 'ENOENT' ? 'no such file' : e.code === 'ENOTREG' || e.code === 'ETOOBIG' ? e.message : (e.code ?? String(err))})`]);
  }
  try {
    return loadLlmRunScenario(text, { file, baseDir: dirname(resolve(file)), sets, readFile: (p) => readSmallFile(p, MAX_LLM_INPUT_BYTES) });
  } catch (err) {
    if (err instanceof LlmScenarioError) throw new UserError(err.lines);
    if (err instanceof ScenarioError) throw new UserError(err.message.split('\n'));
    throw err;
  }
}

/** The summary.json of an LLM run: the contract's request-level fields and the `llm` block. */
export function llmSummary(sc: LlmScenario, r: LlmResults, wallSeconds: number): Record<string, unknown> {
  const spec = sc.spec;
  const windowS = spec.durationS - spec.warmupS;
  const requestsMillion = r.requests.completed / 1e6;
  return {
    scenario: sc.name,
    variant: null,
    seed: spec.seed,
    simulatedSeconds: spec.durationS,
    partial: false,
    requests: { arrived: r.requests.arrived, completed: r.requests.completed, cacheHits: 0, rejected: r.requests.rejected, timedOut: 0, inFlightAtEnd: r.requests.inFlightAtEnd },
    throughputRps: r.throughputRps,
    latencyMs: r.e2eMs,
    slo: {
      met: r.slo.met,
      attainment: r.throughputRps > 0 ? r.goodputRps / r.throughputRps : 0,
      errorRate: r.requests.completed + r.requests.rejected > 0 ? r.requests.rejected / (r.requests.completed + r.requests.rejected) : 0,
      target: Object.fromEntries(r.slo.targets.map((t) => [`${t.metric}.${t.percentile}`, t.targetMs])),
    },
    gpu: { utilization: r.busyShare, meanBatchSize: r.meanBatchSequences, effectiveUtilization: r.busyShare },
    replicas: r.replicasStats,
    cache: null,
    cost: {
      totalUsd: r.costUsd,
      gpuUsd: r.costUsd,
      cacheUsd: 0,
      egressUsd: 0,
      perMillionRequestsUsd: requestsMillion > 0 ? (r.costUsd * (windowS / spec.durationS)) / requestsMillion : 0,
      monthlyUsd: r.monthlyUsd,
      idleGpuUsd: r.costUsd * (1 - r.busyShare),
    },
    llm: {
      ttftMs: r.ttftMs,
      tpotMs: r.tpotMs,
      itlMs: r.itlMs,
      e2eMs: r.e2eMs,
      slo: r.slo.targets,
      goodputRps: r.goodputRps,
      inputTokensPerS: r.inputTokensPerS,
      outputTokensPerS: r.outputTokensPerS,
      kvUtilization: r.kvUtilization,
      preemptions: r.preemptions,
      prefixHitRate: r.prefixHitRate,
      costPerMillionTokens: r.costPerMillionTokens,
      gpusPerReplica: spec.tensorParallel,
      numGpuBlocks: r.numGpuBlocks,
      stepModel: r.stepModel,
    },
    engine: { events: r.events, wallSeconds },
    warnings: sc.warnings,
  };
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
}

const infersimVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export async function runLlmCommand(files: string[], opts: LlmRunOptions): Promise<number> {
  const sets = opts.seed !== undefined ? [...opts.set, `seed=${opts.seed}`] : opts.set;
  const loaded = files.map((f) => ({ file: f, stem: basename(f, extname(f)), sc: readLlmScenario(f, sets) }));
  const several = loaded.length > 1;
  const summaries: unknown[] = [];
  let missed = false;
  for (const l of loaded) {
    const regions = l.sc.regions;
    if (regions !== null) {
      // one LLM fleet per region behind the region router (topology/llm-regions.ts)
      const t0 = performance.now();
      const out = runLlmRegions(l.sc.spec, regions);
      const summary = llmRegionsSummary(llmSummary(l.sc, out.results, (performance.now() - t0) / 1000), l.sc.spec, out);
      const dir = outputDir(l.stem, opts.out, several);
      writeResult(dir, 'summary.json', `${JSON.stringify(summary, null, 2)}\n`);
      writeResult(dir, 'timeline.csv', llmTimelineCsv(out.timeline));
      for (const g of out.regions) writeResult(dir, siteTimelineFile(g.name), llmTimelineCsv(g.timeline));
      summaries.push(summary);
      if (!out.results.slo.met) missed = true;
      // the title counts every region's starting replicas (when they all span as many GPUs)
      const sameTp = regions.regions.every((g) => g.spec.tensorParallel === l.sc.spec.tensorParallel);
      const titled = sameTp ? { ...l.sc, spec: { ...l.sc.spec, replicas: regions.regions.reduce((a, g) => a + g.spec.replicas, 0) } } : l.sc;
      if (opts.report !== false) {
        const command = commandLine(['npx', 'infersim', 'run', l.file, ...opts.set.flatMap((x) => ['--set', x]), '--seed', String(l.sc.spec.seed)]);
        writeResult(dir, 'report.html', await renderLlmRunReport({ sc: titled, results: out.results, timeline: out.timeline, version: infersimVersion, command, regions: out }));
      }
      if (opts.format === 'table') process.stdout.write(`${formatLlmTable(titled, out.results)}\n${formatLlmRegions(out, l.sc.notes, regions.regions)}\nresults: ${dir}\n\n`);
      else if (!opts.quiet) process.stderr.write(`${l.stem}: results in ${dir}\n`);
      continue;
    }
    const t0 = performance.now();
    const out = runLlmFleet(l.sc.spec);
    const wall = (performance.now() - t0) / 1000;
    const summary = llmSummary(l.sc, out.results, wall);
    const dir = outputDir(l.stem, opts.out, several);
    writeResult(dir, 'summary.json', `${JSON.stringify(summary, null, 2)}\n`);
    writeResult(dir, 'timeline.csv', llmTimelineCsv(out.timeline));
    if (opts.report !== false) {
      // the command that reproduces this run: the seed pinned, the overrides kept
      const command = commandLine(['npx', 'infersim', 'run', l.file, ...opts.set.flatMap((x) => ['--set', x]), '--seed', String(l.sc.spec.seed)]);
      writeResult(dir, 'report.html', await renderLlmRunReport({ sc: l.sc, results: out.results, timeline: out.timeline, version: infersimVersion, command }));
    }
    summaries.push(summary);
    if (!out.results.slo.met) missed = true;
    if (opts.format === 'table') process.stdout.write(`${formatLlmTable(l.sc, out.results)}\nresults: ${dir}\n\n`);
    else if (!opts.quiet) process.stderr.write(`${l.stem}: results in ${dir}\n`);
  }
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(several ? summaries : summaries[0], null, 2)}\n`);
  return opts.assertSlo && missed ? EXIT.sloMissed : EXIT.ok;
}
