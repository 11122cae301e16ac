/**
 * The run summary (contract: summary.json and `run --format json`). Every field is
 * defined here, with its formula, in one place.
 */
import type { SloPercentile } from '../scenario/types.js';
import type { CostBreakdown } from './cost.js';
import type { Companions } from '../analysis/companions.js';

export interface Summary {
  scenario: string;
  /** Variant name when the run is one variant of a compare, else null. */
  variant: string | null;
  seed: number;
  /** Simulated duration in seconds (warmup included). */
  simulatedSeconds: number;
  /** True when the run was interrupted before the scenario's duration: every figure covers the time simulated. */
  partial: boolean;
  /** Counts of requests that arrived after warmup; arrived = completed + rejected + timedOut + inFlightAtEnd. */
  requests: {
    arrived: number;
    completed: number;
    cacheHits: number;
    rejected: number;
    timedOut: number;
    inFlightAtEnd: number;
  };
  /** completed / measured window (requests/s). */
  throughputRps: number;
  /** Response time − arrival time of completed requests (nearest-rank percentiles, ≤ 0.1 % error); 0 when none completed. */
  latencyMs: { mean: number; p50: number; p90: number; p95: number; p99: number; p999: number; max: number };
  /**
   * met: every latency target is met by the percentile and the error rate ((rejected + timedOut) / finished) is within
   * maxErrorRate. attainment: share of finished requests (completed + rejected + timedOut) that completed within the
   * SLO latency (the p99 target, else the highest percentile given, else any completion counts).
   */
  slo: { met: boolean; attainment: number; errorRate: number; target: Record<string, number> };
  /**
   * utilization: share of ready replica time in which the replica's GPU (or slice) executes at least one batch;
   * effectiveUtilization: work done in seconds of the GPU at its peak throughput / ready replica time;
   * meanBatchSize: requests dispatched / batches dispatched.
   */
  gpu: { utilization: number; meanBatchSize: number; effectiveUtilization: number };
  replicas: { min: number; mean: number; max: number; coldStarts: number };
  /**
   * null without a cache. hitRate = (hits + staleHits) / lookups; lookups = hits + staleHits + delayedHits + misses;
   * gpuRequestsSaved = lookups − misses − backgroundRefreshes; peakMissRatePerS: the highest per-interval miss rate.
   */
  cache: {
    hitRate: number;
    lookups: number;
    hits: number;
    staleHits: number;
    delayedHits: number;
    misses: number;
    backgroundRefreshes: number;
    gpuRequestsSaved: number;
    peakMissRatePerS: number;
    flushes: number;
  } | null;
  /** null without a feature store: its busy share, queueing and refusals (after warmup). */
  featureStore: { servers: number; utilization: number; meanQueueLength: number; meanWaitMs: number; p99WaitMs: number; rejected: number } | null;
  cost: CostBreakdown;
  /** Closed-form estimates for the same scenario, shown beside the simulated figures (analysis/companions.ts). */
  analytic: Companions;
  /** The only part that may differ between two runs with the same seed. */
  engine: { events: number; wallSeconds: number };
  warnings: string[];
}

export const PERCENTILES: readonly [SloPercentile, number][] = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
  ['p999', 0.999],
];

/** Rounds to 12 significant digits so summaries print cleanly and compare stably. */
export function tidy(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}
