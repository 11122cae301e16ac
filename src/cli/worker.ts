/**
 * Worker-thread entry for sweep and plan: receives run jobs (a scenario file and its
 * `--set` overrides), loads the file and opens its trace itself, simulates, and posts
 * the summary back. Runs exactly like `infersim run FILE --set …` (same slicing), so a
 * sweep point equals the single run with the same values and seed.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import type { Summary } from '../metrics/summary.js';
import { startRun } from '../run.js';
import { runInSlices } from '../run-slices.js';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import { TraceError } from '../workload/trace.js';
import { traceFileSources } from './line-source.js';
import { RUN_SLICES } from './progress.js';
import { isLlmDocument, LlmScenarioError } from '../llm/scenario.js';
import { loadLlmRunScenario } from '../llm/regions-scenario.js';
import { llmLoadOptions, runLlmScenario } from './llm-run.js';

/** One simulation: the scenario file (as given on the command line) and the overrides, seed included. */
export interface RunJob {
  file: string;
  sets: string[];
}

/** Main thread → worker. */
export interface WorkerRequest {
  id: number;
  job: RunJob;
}

/** Worker → main thread: the summary, or the error that stopped the run. */
export type WorkerReply = { id: number; summary: Summary } | { id: number; error: string; stack: string; input?: boolean };


const texts = new Map<string, { text: string; llm: boolean }>();

/** Loads and simulates one job in this thread (the main thread validated it beforehand). */
export function runJob(job: RunJob): Summary {
  let file = texts.get(job.file);
  if (file === undefined) {
    const read = readFileSync(job.file, 'utf8');
    file = { text: read, llm: isLlmDocument(read) };
    texts.set(job.file, file);
  }
  const text = file.text;
  // an LLM scenario (an llm: block) runs as `infersim run` runs it (cli/llm-run.ts)
  if (file.llm) return runLlmScenario(loadLlmRunScenario(text, llmLoadOptions(job.file, job.sets))).summary;
  const sc = loadScenario(text, { file: job.file, baseDir: dirname(resolve(job.file)), sets: job.sets, readFile: (f) => readFileSync(f, 'utf8') });
  const trace = sc.traffic.trace;
  // a several-model run opens each model's trace by its path (openTraceFile)
  const files = traceFileSources();
  try {
    const run = startRun(sc, {
      openTrace: trace ? () => files.open(trace.file) : undefined,
      openTraceFile: (f) => files.open(f),
      traceLabel: trace?.file,
      wallClockS: () => performance.now() / 1000,
    });
    // the same slices as `infersim run` (cli/progress.ts advanceRun), so results match it bit for bit
    const steps = runInSlices(run, RUN_SLICES);
    while (steps.next().done !== true);
    return run.finish(false).summary;
  } finally {
    files.closeAll();
  }
}

const port = parentPort;
if (port) {
  port.on('message', (msg: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: msg.id, summary: runJob(msg.job) };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      // the files were checked before the sweep: failing on them now means they changed meanwhile
      const input = err instanceof TraceError || err instanceof ScenarioError || err instanceof LlmScenarioError;
      reply = { id: msg.id, error: input ? `${msg.job.file}: an input changed while the sweep ran (${e.message})` : e.message, stack: e.stack ?? '', input };
    }
    port.postMessage(reply);
  });
}
