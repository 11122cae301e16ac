/**
 * Replaying a list of requests (arrival, prompt tokens, output tokens) through one replica,
 * and the per-request metrics that come out: TTFT, TPOT, E2E (seconds), as vLLM's benchmark
 * defines them (TPOT = (last − first token) / (output − 1)).
 */
import { Simulation } from '../engine/simulation.js';
import { LlmReplica, LlmRequests } from './engine.js';
import type { EngineConfig, RequestOverheads } from '../config/llm.js';
import type { StepTimeModel } from './step-time.js';

export interface ReplayRequest {
  arrivalS: number;
  prompt: number;
  output: number;
  cacheKey?: number;
  shared?: number;
}

export interface ReplayResult {
  ttft: Float64Array;
  tpot: Float64Array;
  e2e: Float64Array;
  preemptions: number;
  steps: number;
  prefixHitRate: number;
  peakKvUtilization: number;
  meanKvUtilization: number;
  /** Time-average of running + waiting requests, and the span it was averaged over. */
  meanInSystem: number;
  spanS: number;
  finished: number;
  rejected: number;
}

/** Per-request latency additions for the first token and each further token, and the arrival → queue delay (seconds). */
export type { RequestOverheads } from '../config/llm.js';

/** Replays `requests` (any order; sorted by arrival) on one replica; runs until all finish. */
export function replay(requests: readonly ReplayRequest[], cfg: EngineConfig, model: StepTimeModel, overheads: RequestOverheads = { firstTokenS: 0, perTokenS: 0 }): ReplayResult {
  const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.arrivalS - requests[b]!.arrivalS || a - b);
  const sim = new Simulation(0);
  const reqs = new LlmRequests();
  let finished = 0;
  let rejected = 0;
  const rep = new LlmReplica(sim, cfg, model, reqs, {
    onFinish: () => {
      if (++finished + rejected === requests.length) sim.stop();
    },
  });
  const ids = new Int32Array(requests.length);
  for (const i of order) {
    const q = requests[i]!;
    ids[i] = reqs.add(q.arrivalS, q.prompt, q.output, q.cacheKey ?? -1, q.shared ?? 0);
  }
  const queueS = overheads.queueS ?? 0;
  const queuePerTokenS = overheads.queuePerPromptTokenS ?? 0;
  let next = 0;
  const arrive = sim.register(() => {
    const i = order[next++]!;
    if (!rep.enqueue(ids[i]!, queueS + queuePerTokenS * requests[i]!.prompt) && ++rejected + finished === requests.length) sim.stop();
    if (next < order.length) sim.atSource(requests[order[next]!]!.arrivalS, arrive);
  });
  if (order.length > 0) sim.atSource(requests[order[0]!]!.arrivalS, arrive);
  const t0 = order.length > 0 ? requests[order[0]!]!.arrivalS : 0;
  sim.now = Math.min(0, t0);
  // the run stops itself when the last request finishes (or is rejected)
  if (order.length > 0) sim.run(Number.MAX_VALUE);
  rep.flush();
  const n = requests.length;
  const ttft = new Float64Array(n);
  const tpot = new Float64Array(n);
  const e2e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (reqs.state[id] === 3) {
      ttft[i] = tpot[i] = e2e[i] = NaN;
      continue;
    }
    const out = reqs.output[id]!;
    const extra = overheads.firstTokenS + (out - 1) * overheads.perTokenS;
    ttft[i] = reqs.firstT[id]! - reqs.arrival[id]! + overheads.firstTokenS;
    e2e[i] = reqs.lastT[id]! - reqs.arrival[id]! + extra;
    tpot[i] = out > 1 ? (reqs.lastT[id]! - reqs.firstT[id]!) / (out - 1) + overheads.perTokenS : NaN;
  }
  const span = sim.now - t0;
  return {
    ttft,
    tpot,
    e2e,
    preemptions: rep.preemptionCount,
    steps: rep.steps,
    prefixHitRate: rep.prefixQueryTokens > 0 ? rep.prefixHitTokens / rep.prefixQueryTokens : 0,
    peakKvUtilization: rep.peakKvBlocks / rep.pool.usable,
    meanKvUtilization: span > 0 ? rep.kvBlockSeconds / span / rep.pool.usable : 0,
    meanInSystem: span > 0 ? rep.inSystemSeconds / span : 0,
    spanS: span,
    finished,
    rejected,
  };
}

/** Exact order statistics for reports: mean and nearest-rank quantiles over finite values. */
export function stats(values: Float64Array, qs: readonly number[] = [0.5, 0.9, 0.99]): { mean: number; q: number[] } {
  const v = Array.from(values).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { mean: NaN, q: qs.map(() => NaN) };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, q: qs.map((p) => v[Math.max(0, Math.ceil(p * v.length - 1e-9) - 1)]!) };
}
