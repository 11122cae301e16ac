/**
 * What an LLM fleet run takes and gives (LlmFleetSpec, LlmResults, LlmTimelineRow), and the small
 * helpers every part of it shares: token-count samplers and latency percentiles. The run itself is
 * fleet.ts runLlmFleet (one site) and topology/llm-regions.ts (one site per region), both on
 * site.ts LlmSite; arrivals.ts makes the requests.
 */
import type { RandomStream } from '../engine/rng.js';
import type { Histogram } from '../metrics/histogram.js';
import type { StepTimeModel } from './step-time.js';
import type { KpaConfig } from '../config/kpa.js';
import type { EngineConfig, LlmArrivals, LlmAutoscaler, LlmMetric, LlmPrefixAffinity, LlmRouting, LlmSlo, RequestOverheads, TokenDist } from '../config/llm.js';

export interface LlmFleetSpec {
  seed: number;
  durationS: number;
  warmupS: number;
  replicas: number;
  tensorParallel: number;
  engine: EngineConfig;
  model: StepTimeModel;
  routing: LlmRouting;
  /** Knobs of routing prefix-affinity (default PREFIX_AFFINITY_DEFAULTS). */
  prefixAffinity?: LlmPrefixAffinity;
  arrivals: LlmArrivals;
  /** Leading prompt tokens every request shares (a system prompt); 0 for none. */
  systemPromptTokens: number;
  /** Distinct system prompts of that length (default 1); each request draws one uniformly. */
  systemPrompts?: number;
  slos: LlmSlo[];
  /** USD per GPU-hour. */
  pricePerGpuHour: number;
  reportIntervalS: number;
  /** Cold start before a replica serves (s): weights / load bandwidth; 0 = ready at t = 0. */
  coldStartS: number;
  /** An HPA on vLLM's gauges; `replicas` is then the starting count. */
  autoscaler: LlmAutoscaler | null;
  /** Or a KPA (Knative) on in-flight requests or rps (never both: the loader sets one); `replicas` is then the starting count. */
  kpa?: KpaConfig;
  /** Per-request overheads outside the steps (a built-in profile's α's); none when absent. */
  overheads?: RequestOverheads;
}


export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LlmResults {
  requests: { arrived: number; completed: number; rejected: number; inFlightAtEnd: number };
  ttftMs: LatencyStats;
  tpotMs: LatencyStats;
  itlMs: LatencyStats;
  e2eMs: LatencyStats;
  slo: { met: boolean; targets: Array<{ metric: LlmMetric; percentile: string; targetMs: number; actualMs: number; met: boolean }> };
  /** Completed requests (arrived after warmup) meeting every SLO, per second of the measured window. */
  goodputRps: number;
  throughputRps: number;
  inputTokensPerS: number;
  outputTokensPerS: number;
  kvUtilization: { mean: number; peak: number };
  preemptions: number;
  prefixHitRate: number;
  /** Mean sequences per step and share of replica time stepping. */
  meanBatchSequences: number;
  busyShare: number;
  replicas: number;
  replicasStats: { min: number; mean: number; max: number; coldStarts: number };
  gpus: number;
  costUsd: number;
  monthlyUsd: number;
  costPerMillionTokens: number;
  stepModel: string;
  numGpuBlocks: number;
  events: number;
}

export interface LlmTimelineRow {
  t: number;
  arrivals: number;
  completed: number;
  rejected: number;
  /** E2E latency of the interval's completions. */
  p50Ms: number;
  p99Ms: number;
  replicasReady: number;
  replicas: number;
  replicasDesired: number;
  gpuUtilization: number;
  prefixHitRate: number;
  costUsd: number;
  ttftP99Ms: number;
  tpotP99Ms: number;
  running: number;
  waiting: number;
  kvUtilization: number;
  preemptions: number;
  outputTokensPerS: number;
  /** Median TTFT and TPOT of the interval's completions (ms; 0 when none). */
  ttftP50Ms: number;
  tpotP50Ms: number;
  /** The interval's completions meeting every SLO, per second (all of them without SLOs). */
  goodputRps: number;
  /** Prompt tokens of the interval's completions, per second (as the summary's inputTokensPerS counts them). */
  inputTokensPerS: number;
}

export interface LlmRunOutput {
  results: LlmResults;
  timeline: LlmTimelineRow[];
}

function lognormalSampler(rng: RandomStream, mean: number, cv: number): () => number {
  const s2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - s2 / 2;
  const s = Math.sqrt(s2);
  return () => Math.exp(mu + s * rng.normal());
}

/** A sampler of integer token counts ≥ 1. */
export function tokenSampler(d: TokenDist, rng: RandomStream): () => number {
  switch (d.kind) {
    case 'fixed':
      return () => d.value;
    case 'lognormal': {
      const f = lognormalSampler(rng, d.mean, d.cv);
      return () => Math.min(d.max, Math.max(d.min, Math.round(f())));
    }
    case 'empirical': {
      const total = d.weights.reduce((a, b) => a + b, 0);
      const cum = Float64Array.from(d.weights.map(((acc) => (w: number) => (acc += w / total))(0)));
      return () => {
        const u = rng.uniform();
        let i = 0;
        while (i < cum.length - 1 && cum[i]! <= u) i++;
        return d.values[i]!;
      };
    }
  }
}


export function latencyStats(h: Histogram): LatencyStats {
  const ms = (v: number): number => (Number.isFinite(v) ? Number((v * 1e3).toPrecision(12)) : 0);
  return {
    mean: ms(h.mean()),
    p50: ms(h.quantile(0.5)),
    p90: ms(h.quantile(0.9)),
    p95: ms(h.quantile(0.95)),
    p99: ms(h.quantile(0.99)),
    p999: ms(h.quantile(0.999)),
    max: ms(h.count > 0 ? h.max : NaN),
  };
}

