/**
 * The run summary (contract: summary.json and `run --format json`). Every field is
 * defined here, with its formula, in one place.
 */
import type { SloPercentile } from '../config/scenario.js';
import type { CostBreakdown } from './cost.js';

/** Why an SLO was missed (metrics/slo.ts judges it). */
export type SloFailedBy = 'latency' | 'errors' | 'both';

/**
 * The analytic companions of a run (MODELS.md §8), a field of the summary: computed from the
 * scenario alone by theory/companions.ts.
 */
export interface Companions {
  /** Highest arrival rate of the rate shape (req/s); null for trace replay. */
  peakRps: number | null;
  /**
   * Requests/s one replica serves flat out (theory/capacity.ts replicaPeak): σ(instances) · b / latency(b),
   * b the batch the dynamic batcher runs when saturated (theory/capacity.ts saturationBatch: maxBatch, or
   * the largest preferred size when maxQueueDelay is 0).
   */
  maxRpsPerReplica: number;
  /** The textbook rule (theory/capacity.ts textbookFleetReplicas) at 70 % target utilization with saturated batches: ceil(peak · (latency(b)/σ) / 0.7 / b). */
  textbookReplicas: number | null;
  targetUtilization: number;
  /**
   * The share of requests the cache answers, estimated from the scenario alone: the set
   * hit rate, or for a keyed LRU under Zipf keys Che's approximation (TTL as a per-key
   * bound at the peak rate; stampede policies ignored); 0 for unique keys; null without a
   * cache or when it cannot be estimated (trace keys).
   */
  cacheHitRate: number | null;
  /** The textbook rule on the traffic the cache leaves to the GPUs, peak·(1 − cacheHitRate); null without an estimate. */
  textbookReplicasBehindCache: number | null;
  /** M/M/c without batching (service = latency(1), exponential) at the peak with the scenario's replicas: probability of waiting and p99 in ms; null when unstable or not applicable. */
  erlangC: { replicas: number; utilization: number; probWait: number; p99Ms: number } | null;
}

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
   * The SLO verdict (metrics/slo.ts owns the rule). A failed (rejected or timed-out) request is a miss.
   * attainment: share of finished requests (completed + rejected + timedOut) that completed within the SLO latency
   * (the p99 target, else the highest percentile given, else any completion counts). withFailuresMs: each named
   * percentile over the finished requests with the failed ones counted as infinitely slow (the p-quantile of N finished
   * is the ⌈p·N⌉-th fastest completion, or null when that rank falls on a failure: beyond any target). met: every
   * withFailuresMs value is within its target, and errorRate ((rejected + timedOut) / finished) ≤ maxErrorRate when
   * given; so a p99 SLO cannot be met with more than 1 % failed. failedBy (null when met): "latency" when the
   * completed requests alone are too slow at a named percentile (latencyMs, or nothing finished), "errors" when the
   * failures alone miss it (errorRate > maxErrorRate, or a withFailuresMs null), "both" when both do or only the two
   * together do. In-flight requests at the end are in neither count (their outcome is unknown).
   */
  slo: { met: boolean; failedBy: SloFailedBy | null; attainment: number; errorRate: number; target: Record<string, number>; withFailuresMs: Record<string, number | null> };
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
  /**
   * null without regions: one block per region (its users' latency includes their round trip to it), in the order
   * of the scenario's regions. Its books balance on their own; arrivedShare is the share of the run's arrivals it received.
   */
  regions: SiteSummary[] | null;
  /** null without regions: each region-outage event, when it was detected, when traffic moved, when service recovered. */
  failover: { outages: OutageReport[] } | null;
  /** null without shards: one block per shard (shard-0 …). */
  shards: SiteSummary[] | null;
  /** null without shards: the busiest shard's arrivals / the mean shard's arrivals (1 is perfectly even). */
  shardImbalance: number | null;
  /**
   * With regions or shards the figures are over all sites (GPU, cache: each site's cache nodes; egress on all responses).
   * interRegionUsd (regions only): responses served outside their users' region × responseBytes × cost.interRegionPerGB,
   * included in egressUsd.
   */
  cost: CostBreakdown & { interRegionUsd?: number };
  /** Closed-form estimates for the same scenario, shown beside the simulated figures (theory/companions.ts). */
  analytic: Companions;
  /** The only part that may differ between two runs with the same seed. */
  engine: { events: number; wallSeconds: number };
  warnings: string[];
}

/** One site (a region or a shard) of a multi-site run. */
export interface SiteSummary {
  name: string;
  /** Share of the run's counted arrivals routed to this site. */
  arrivedShare: number;
  /** As the run's requests block, for this site: arrived = completed + rejected + timedOut + inFlightAtEnd. */
  requests: { arrived: number; completed: number; cacheHits: number; rejected: number; timedOut: number; inFlightAtEnd: number };
  /** Latency as the users see it (a region adds their network round trip). */
  latencyMs: { p50: number; p99: number };
  /** The scenario's SLO judged on this site alone, by the run's rule (metrics/slo.ts): failedBy null when met. */
  slo: { met: boolean; failedBy: SloFailedBy | null; attainment: number; errorRate: number };
  gpu: { utilization: number };
  replicas: { min: number; mean: number; max: number; coldStarts: number };
  /** (hits + staleHits) / lookups of this site's own cache; null without a cache. */
  cacheHitRate: number | null;
  /** This site's GPU and cache bill, its share of egress (by completions) and the inter-region transfer it sent. */
  costUsd: number;
}

/**
 * One region-outage event. detectedAtS: the health check that made the region unhealthy (failureThreshold consecutive
 * failures); trafficMovedAtS: detectedAtS + dnsTtl, when the clients' DNS view drops the region; recoveredAtS: the end of
 * the first report interval starting at or after the outage whose overall latency at the SLO percentile (p99, else the
 * highest given) is within target and that has no rejected or timed-out request; recoveryS = recoveredAtS − atS;
 * failedRequests: counted rejected + timed-out requests from the outage to the recovery (to the end when never).
 * Each of the times is null when it never happened within the run.
 */
export interface OutageReport {
  region: string;
  atS: number;
  detectedAtS: number | null;
  trafficMovedAtS: number | null;
  recoveredAtS: number | null;
  recoveryS: number | null;
  failedRequests: number;
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
