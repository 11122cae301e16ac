/**
 * The run summary (contract: summary.json and `run --format json`). Every field is
 * defined here, and computed here (summarize) from plain counters: each site's totals
 * (SiteTotals, from site/site.ts end()), the run's few figures of its own, and the analytic
 * companions as data. Cost formulas: metrics/cost.ts runCost; SLO rule: metrics/slo.ts.
 */
/**
 * The analytic companions of a run (MODELS.md §8), a field of the summary: computed from the
 * scenario alone by theory/companions.ts; the run passes them in as data.
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
import type { Scenario, Slo } from '../config/scenario.js';
import { runCost, type CostBreakdown, type RunBill } from './cost.js';
import { judgeSlo, type SloFailedBy, type SloVerdict } from './slo.js';
import { tidy } from './round.js';
import { Recorder } from './recorder.js';
import type { Histogram } from './histogram.js';

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
   * utilization: share of ready replica time in which the replica's GPU (or slice) executes at least one batch
   * (models time-slicing GPUs, sharing.mode shared: share of the GPUs' billed time in which any batch runs);
   * effectiveUtilization: work done in seconds of the GPU at its peak throughput / ready replica time (or GPU time);
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
  /**
   * Only with a models list (absent otherwise): one block per model, in the scenario's order, each judged on its own SLO. The run's
   * `slo` is met when every model meets its own (its attainment and error rate over all models' requests).
   */
  models?: ModelSummary[];
  /** Only with a models list: how the models shared GPUs, what the GPUs cost and who used them (site/gpu-pool.ts). */
  sharing?: SharingSummary;
  /** null without shards: the busiest shard's arrivals / the mean shard's arrivals (1 is perfectly even). */
  shardImbalance: number | null;
  /**
   * With regions or shards the figures are over all sites (GPU, cache: each site's cache nodes; egress on all responses).
   * interRegionUsd (regions only): responses served outside their users' region × responseBytes × cost.interRegionPerGB,
   * included in egressUsd.
   */
  cost: CostBreakdown & { interRegionUsd?: number };
  /** Closed-form estimates for the same scenario, shown beside the simulated figures (theory/companions.ts); null for an LLM run (none apply). */
  analytic: Companions | null;
  /** The only part that may differ between two runs with the same seed. */
  engine: { events: number; wallSeconds: number };
  warnings: string[];
  /**
   * Only in an LLM run's summary (a scenario with an `llm:` block, src/llm/summary.ts): its token-level figures. The
   * request-level fields above hold E2E as the request latency, and slo.target / slo.withFailuresMs are keyed
   * `<metric>.<percentile>` (e.g. `ttft.p99`).
   */
  llm?: LlmSummaryBlock;
}

/** One LLM SLO target and its verdict. */
export interface LlmSloVerdict {
  metric: 'ttft' | 'tpot' | 'itl' | 'e2e';
  percentile: string;
  targetMs: number;
  actualMs: number;
  met: boolean;
}

/** summary.llm: an LLM run's token-level figures. */
export interface LlmSummaryBlock {
  /** Milliseconds, as the request latency's figures. */
  ttftMs: Summary['latencyMs'];
  tpotMs: Summary['latencyMs'];
  itlMs: Summary['latencyMs'];
  e2eMs: Summary['latencyMs'];
  slo: LlmSloVerdict[];
  /** Completed requests meeting every SLO per second of the measured window. */
  goodputRps: number;
  inputTokensPerS: number;
  outputTokensPerS: number;
  kvUtilization: { mean: number; peak: number };
  preemptions: number;
  prefixHitRate: number;
  costPerMillionTokens: number;
  gpusPerReplica: number;
  numGpuBlocks: number;
  stepModel: string;
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

/** One model of a several-model run: a site's block with the run's full latency, SLO and throughput figures. */
export interface ModelSummary extends Omit<SiteSummary, 'latencyMs' | 'slo' | 'gpu'> {
  throughputRps: number;
  latencyMs: Summary['latencyMs'];
  slo: SloVerdict;
  /** utilization: busy share of the model's replicas' ready time (on shared GPUs: the GPU time it was attributed, not time its batches waited for the GPU); meanBatchSize of its batches. */
  gpu: { utilization: number; meanBatchSize: number };
  /** GPU-hours attributed to the model (its GPUs, its slices' share, or its share of shared GPUs' busy time; after warmup). */
  gpuHours: number;
  /** The closed forms for this model alone (its traffic on its fleet). */
  analytic: Companions | null;
}

/** How the models of a run shared GPUs (summary.sharing). */
export interface SharingSummary {
  mode: 'dedicated' | 'mig' | 'shared';
  gpu: string | null;
  /** mig: the slices of each GPU. */
  layout: string[] | null;
  /** shared: unit (a fixed pool, every model on every GPU) or per-model (each model scales on its own); null otherwise. */
  scaling: 'unit' | 'per-model' | null;
  /** GPUs billed: lowest, mean and highest after warmup (dedicated: every model's GPU-equivalents). */
  gpus: { min: number; mean: number; max: number };
  /** GPU-hours billed after warmup, those attributed to models, and the rest (idle slices, idle shared GPUs). */
  gpuHours: number;
  attributedGpuHours: number;
  idleGpuHours: number;
  /** The cost of the GPU-hours no model is charged for. */
  idleUsd: number;
  /** Per GPU of the pool (mig, shared; null for dedicated): its busy share and the share of its time each model used. */
  perGpu: GpuUse[] | null;
}

/** One GPU of a pool several models share: its busy share (MIG: slices held) and each model's share of its time. */
export interface GpuUse {
  gpu: number;
  utilization: number;
  models: Record<string, number>;
}

/** What a GPU pool shared by several models reports at the end of a run (site/gpu-pool.ts). */
export interface PoolTotals {
  mode: 'mig' | 'shared';
  gpu: string;
  layout: string[] | null;
  /** GPU-seconds billed after warmup, and the GPU count's lowest and highest after warmup. */
  gpuS: number;
  gpusMin: number;
  gpusMax: number;
  /** Time-sliced GPUs (mode shared): seconds after warmup any batch ran, over all GPUs; null for MIG (its slices' busy time is the models'). */
  busyS: number | null;
  perGpu: GpuUse[];
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

/** Share of cache lookups answered from the cache, fresh or stale: (hits + staleHits) / lookups; NaN without lookups. */
export function cacheHitRatio(c: { lookups: number; hits: number; staleHits: number }): number {
  return c.lookups > 0 ? (c.hits + c.staleHits) / c.lookups : NaN;
}

/** A site's cache counters after warmup (CacheCounters' fields), and its flushes. */
export interface CacheTotals {
  lookups: number;
  hits: number;
  staleHits: number;
  delayedHits: number;
  misses: number;
  backgroundRefreshes: number;
  flushes: number;
}

/** A site's feature store at the end: busy share and mean queue length over the window, waits of counted requests. */
export interface FeatureStoreTotals {
  servers: number;
  utilization: number;
  meanQueueLength: number;
  waits: Histogram;
  rejected: number;
}

/** One site at the end of a run: plain counters (site/site.ts end()). */
export interface SiteTotals {
  name: string;
  /** The site's recorder, flushed: its counted requests' outcomes and latencies. */
  rec: Recorder;
  /** Counted requests still queued, running or held by the cache. */
  inFlightAtEnd: number;
  /** Ready and busy replica-seconds after warmup; the ready level now and its lowest and highest after warmup. */
  readyS: number;
  busyS: number;
  readyLevel: number;
  readyMin: number;
  readyMax: number;
  /** Billed GPU-seconds after warmup, and the billed GPU level's lowest and highest after warmup (GPU-equivalents). */
  billedGpuS: number;
  billedMin?: number;
  billedMax?: number;
  coldStarts: number;
  /** Counted completions served outside their users' region (regions). */
  foreignCompleted: number;
  prices: { gpuHourlyUsd: number | null; cacheHourlyUsd: number };
  slo: Slo;
  /** null without a cache. */
  cache: CacheTotals | null;
  /** null without a feature store. */
  featureStore: FeatureStoreTotals | null;
}

/** A run at its end: its sites' totals and the few figures that belong to the run as a whole. */
export interface RunTotals {
  sc: Scenario;
  variant: string | null;
  partial: boolean;
  /** Simulated time at the stop, and the measured window (stop − warmup, ≥ 0). */
  stopS: number;
  windowS: number;
  sites: SiteTotals[];
  /** The sum of the sites' ready replicas: its level now, lowest and highest after warmup. */
  replicas: { level: number; min: number; max: number };
  /** The highest per-interval cache miss rate of the run (after warmup). */
  peakMissRatePerS: number;
  /** Which per-site blocks the summary carries (null: a plain run, no per-site block). */
  siteBlocks: 'regions' | 'shards' | 'models' | null;
  /** The GPU pool several models shared (mig, shared), else null. */
  pool: PoolTotals | null;
  failover: Summary['failover'];
  analytic: Companions;
  /** With a models list: each model's companions, in site order. */
  modelAnalytic: Companions[] | null;
  events: number;
  wallSeconds: number;
}

/** Every counted request is completed, rejected, timed out or still in flight: anything else is a bug. */
export function checkBooks(rec: Recorder, inFlightAtEnd: number, who: string): void {
  const books = rec.completed + rec.rejected + rec.timedOut + inFlightAtEnd;
  if (books !== rec.arrived) throw new Error(`internal: books do not balance for ${who}: arrived ${rec.arrived} ≠ accounted ${books}`);
}

/** The run's recorder: its sites' totals merged, in site order (after each site's flush). */
export function mergeRecorders(recs: readonly Recorder[], warmupS: number, sloTargetS: number): Recorder {
  const rec = new Recorder(warmupS, sloTargetS);
  for (const r of recs) rec.absorbTotals(r);
  return rec;
}

/** Share of ready replica time the GPUs were executing; 0 with no ready time (busy ≤ ready, but rounding can put the ratio an ulp above 1). */
function utilizationOf(busyS: number, readyS: number): number {
  return readyS > 0 ? Math.min(1, busyS / readyS) : 0;
}

/**
 * The summary of a run of N ≥ 1 sites, with the merged recorder (for the latency chart) and the
 * bill (for the timeline's cost column). Checks that every site's books and the run's balance.
 */
export function summarize(x: RunTotals): { summary: Summary; rec: Recorder; bill: RunBill } {
  const { sc, sites, windowS } = x;
  const rec = mergeRecorders(
    sites.map((s) => s.rec),
    sc.warmupS,
    sites[0]!.rec.sloTargetS,
  );
  let inFlightAtEnd = 0;
  let readyS = 0;
  let busyS = 0;
  for (const s of sites) {
    checkBooks(s.rec, s.inFlightAtEnd, s.name);
    inFlightAtEnd += s.inFlightAtEnd;
    readyS += s.readyS;
    busyS += s.busyS;
  }
  checkBooks(rec, inFlightAtEnd, 'the run');
  // on time-sliced GPUs the GPUs are what is busy or not (the models' replicas are all on them): the pool's figures
  const poolBusyS = x.pool?.busyS ?? null;
  const capacityS = poolBusyS !== null ? x.pool!.gpuS : readyS;
  const utilization = poolBusyS !== null ? utilizationOf(poolBusyS, capacityS) : utilizationOf(busyS, readyS);
  const bill = runBill(sc, sites, rec.completed, windowS, x.pool);
  const blocks = x.siteBlocks !== null && x.siteBlocks !== 'models' ? sites.map((s, i) => siteBlock(s, windowS, rec.arrived, bill.siteUsd[i]!)) : null;
  const models = x.siteBlocks === 'models' ? sites.map((s, i) => modelBlock(s, windowS, rec.arrived, bill.siteUsd[i]!, x.modelAnalytic?.[i] ?? null, x.pool?.mode === 'shared')) : null;
  const caches = sites.map((s) => s.cache).filter((c): c is CacheTotals => c !== null);
  const cache = caches.length > 0 ? cacheBlock(caches, x.peakMissRatePerS) : null;
  const fs = sites.length === 1 ? sites[0]!.featureStore : null;
  const summary: Summary = {
    scenario: sc.name,
    variant: x.variant,
    seed: sc.seed,
    simulatedSeconds: tidy(x.stopS),
    partial: x.partial,
    requests: {
      arrived: rec.arrived,
      completed: rec.completed,
      cacheHits: cache ? cache.hits + cache.staleHits : 0,
      rejected: rec.rejected,
      timedOut: rec.timedOut,
      inFlightAtEnd,
    },
    throughputRps: windowS > 0 ? tidy(rec.completed / windowS) : 0,
    latencyMs: latencyBlock(rec.latency),
    slo: models !== null ? judgeModels(models.map((m) => m.slo), rec) : judgeSlo(sc.slo, rec),
    gpu: {
      utilization: tidy(utilization),
      meanBatchSize: rec.batches > 0 ? tidy(rec.batchedRequests / rec.batches) : 0,
      // work is booked when a batch starts: batches still running at the stop would count work not yet done
      effectiveUtilization: tidy(capacityS > 0 ? Math.min(utilization, rec.effectiveWorkS / capacityS) : 0),
    },
    replicas: {
      min: x.replicas.min,
      mean: tidy(windowS > 0 ? readyS / windowS : x.replicas.level),
      max: x.replicas.max,
      coldStarts: sites.reduce((a, s) => a + s.coldStarts, 0),
    },
    cache,
    featureStore: fs !== null ? featureStoreBlock(fs) : null,
    regions: x.siteBlocks === 'regions' ? blocks : null,
    failover: x.failover,
    ...(models !== null ? { models, sharing: sharingBlock(sc, sites, bill, x.pool, windowS) } : {}),
    shards: x.siteBlocks === 'shards' ? blocks : null,
    shardImbalance: x.siteBlocks === 'shards' ? imbalance(sites.map((s) => s.rec.arrived)) : null,
    // inter-region transfer is a regions figure: a plain run or shards have none
    cost: costBlock(bill.cost, x.siteBlocks === 'regions'),
    analytic: tidyCompanions(x.analytic),
    engine: { events: x.events, wallSeconds: x.wallSeconds },
    warnings: [...sc.warnings],
  };
  return { summary, rec, bill };
}

/** The run's bill (metrics/cost.ts runCost) from its sites' GPU time, prices and completions; a shared pool's idle GPU time is one more line. */
function runBill(sc: Scenario, sites: readonly SiteTotals[], completed: number, windowS: number, pool: PoolTotals | null): RunBill {
  const idle = pool !== null ? [{ billedGpuSeconds: poolIdleS(pool, sites), gpuHourlyUsd: sites[0]!.prices.gpuHourlyUsd, cacheHourlyUsd: 0, utilization: 0, completed: 0, foreignCompleted: 0 }] : [];
  return runCost(
    [
      ...sites.map((s) => ({
      billedGpuSeconds: s.billedGpuS,
      gpuHourlyUsd: s.prices.gpuHourlyUsd,
      cacheHourlyUsd: s.prices.cacheHourlyUsd,
      // on shared GPUs a model is billed only the GPU time it used: none of its bill is idle (the pool's idle line is)
      utilization: pool?.mode === 'shared' ? 1 : utilizationOf(s.busyS, s.readyS),
      completed: s.rec.completed,
      foreignCompleted: s.foreignCompleted,
      })),
      ...idle,
    ],
    {
      completed,
      windowS,
      responseBytes: sc.model.responseBytes,
      egressPerGbUsd: sc.cost.egressPerGbUsd,
      interRegionPerGbUsd: sc.topology?.kind === 'regions' ? sc.topology.interRegionPerGbUsd : 0,
    },
  );
}

/** Latency in ms of the counted completions: mean, nearest-rank percentiles and max (0 when none completed). */
function latencyBlock(h: Histogram): Summary['latencyMs'] {
  const ms = (p: number): number => (h.count > 0 ? tidy(h.quantile(p) * 1e3) : 0);
  return {
    mean: h.count > 0 ? tidy(h.mean() * 1e3) : 0,
    p50: ms(0.5),
    p90: ms(0.9),
    p95: ms(0.95),
    p99: ms(0.99),
    p999: ms(0.999),
    max: h.count > 0 ? tidy(h.max * 1e3) : 0,
  };
}

/** The cost block, tidied; interRegionUsd only when `interRegion` (regions). */
function costBlock(cost: RunBill['cost'], interRegion: boolean): Summary['cost'] {
  return {
    totalUsd: tidy(cost.totalUsd),
    gpuUsd: tidy(cost.gpuUsd),
    cacheUsd: tidy(cost.cacheUsd),
    egressUsd: tidy(cost.egressUsd),
    perMillionRequestsUsd: tidy(cost.perMillionRequestsUsd),
    monthlyUsd: tidy(cost.monthlyUsd),
    idleGpuUsd: tidy(cost.idleGpuUsd),
    ...(interRegion ? { interRegionUsd: tidy(cost.interRegionUsd) } : {}),
  };
}

/** The busiest site's arrivals / the mean site's arrivals (shardImbalance; 0 when nothing arrived). */
function imbalance(arrived: number[]): number {
  const mean = arrived.reduce((a, b) => a + b, 0) / arrived.length;
  return mean > 0 ? tidy(Math.max(...arrived) / mean) : 0;
}

/** A site's block: its own books, latency, SLO verdict, replicas and bill; arrivedShare of the run's `totalArrived`. */
function siteBlock(s: SiteTotals, windowS: number, totalArrived: number, costUsd: number): SiteSummary {
  const rec = s.rec;
  const h = rec.latency;
  const ms = (p: number): number => (h.count > 0 ? tidy(h.quantile(p) * 1e3) : 0);
  const st = s.cache;
  return {
    name: s.name,
    arrivedShare: totalArrived > 0 ? tidy(rec.arrived / totalArrived) : 0,
    requests: {
      arrived: rec.arrived,
      completed: rec.completed,
      cacheHits: st !== null ? st.hits + st.staleHits : 0,
      rejected: rec.rejected,
      timedOut: rec.timedOut,
      inFlightAtEnd: s.inFlightAtEnd,
    },
    latencyMs: { p50: ms(0.5), p99: ms(0.99) },
    slo: siteSlo(judgeSlo(s.slo, rec)),
    gpu: { utilization: tidy(utilizationOf(s.busyS, s.readyS)) },
    replicas: {
      min: s.readyMin,
      mean: tidy(windowS > 0 ? s.readyS / windowS : s.readyLevel),
      max: s.readyMax,
      coldStarts: s.coldStarts,
    },
    cacheHitRate: st !== null ? (st.lookups > 0 ? tidy(cacheHitRatio(st)) : 0) : null,
    costUsd: tidy(costUsd),
  };
}

/** GPU-seconds of a pool that no model is charged for: billed minus what the models were attributed (never below 0). */
function poolIdleS(pool: PoolTotals, sites: readonly SiteTotals[]): number {
  return Math.max(0, pool.gpuS - sites.reduce((a, s) => a + s.billedGpuS, 0));
}

/** A model's block: the site's block with its full latency, SLO verdict, throughput, batch size and GPU-hours. */
function modelBlock(s: SiteTotals, windowS: number, totalArrived: number, costUsd: number, analytic: Companions | null, sharedGpus: boolean): ModelSummary {
  const site = siteBlock(s, windowS, totalArrived, costUsd);
  const rec = s.rec;
  // on shared GPUs a batch waiting for the GPU (speed 0) is not using it: the model's busy share is the GPU time it was attributed
  const utilization = sharedGpus ? tidy(utilizationOf(s.billedGpuS, s.readyS)) : site.gpu.utilization;
  return {
    ...site,
    throughputRps: windowS > 0 ? tidy(rec.completed / windowS) : 0,
    latencyMs: latencyBlock(rec.latency),
    slo: judgeSlo(s.slo, rec),
    gpu: { utilization, meanBatchSize: rec.batches > 0 ? tidy(rec.batchedRequests / rec.batches) : 0 },
    gpuHours: tidy(s.billedGpuS / 3600),
    analytic: analytic !== null ? tidyCompanions(analytic) : null,
  };
}

/**
 * The run's verdict over several models: met when every model meets its own SLO; failed by latency,
 * errors or both as the models that missed were; attainment and error rate over all their requests.
 */
function judgeModels(verdicts: readonly SloVerdict[], rec: Recorder): SloVerdict {
  const missed = verdicts.filter((v) => !v.met);
  const latency = missed.some((v) => v.failedBy === 'latency' || v.failedBy === 'both');
  const errors = missed.some((v) => v.failedBy === 'errors' || v.failedBy === 'both');
  const failed = rec.rejected + rec.timedOut;
  const finished = rec.completed + failed;
  return {
    met: missed.length === 0,
    failedBy: missed.length === 0 ? null : latency && errors ? 'both' : latency ? 'latency' : 'errors',
    attainment: finished > 0 ? tidy(rec.withinSlo / finished) : 0,
    errorRate: tidy(finished > 0 ? failed / finished : 0),
    target: {},
    withFailuresMs: {},
  };
}

/** The sharing block: the GPUs billed, those the models were charged for, and the idle rest. */
function sharingBlock(sc: Scenario, sites: readonly SiteTotals[], bill: RunBill, pool: PoolTotals | null, windowS: number): SharingSummary {
  const topo = sc.topology;
  const sharing = topo?.kind === 'models' ? topo.sharing : { mode: 'dedicated' as const };
  const attributedS = sites.reduce((a, s) => a + s.billedGpuS, 0);
  const gpuS = pool !== null ? pool.gpuS : attributedS;
  const idleS = pool !== null ? poolIdleS(pool, sites) : 0;
  return {
    mode: sharing.mode,
    gpu: sharing.mode === 'dedicated' ? null : sharing.gpu,
    layout: sharing.mode === 'mig' ? [...sharing.layout] : null,
    scaling: sharing.mode === 'shared' ? sharing.scaling : null,
    gpus: {
      // dedicated: each model's billed GPU-equivalents (a MIG profile counts k/7), lowest and highest summed over the models
      min: pool !== null ? pool.gpusMin : tidy(sites.reduce((a, s) => a + (s.billedMin ?? s.readyMin), 0)),
      mean: tidy(windowS > 0 ? gpuS / windowS : 0),
      max: pool !== null ? pool.gpusMax : tidy(sites.reduce((a, s) => a + (s.billedMax ?? s.readyMax), 0)),
    },
    gpuHours: tidy(gpuS / 3600),
    attributedGpuHours: tidy(attributedS / 3600),
    idleGpuHours: tidy(idleS / 3600),
    idleUsd: tidy(pool !== null ? bill.siteUsd[sites.length]! : 0),
    perGpu: pool !== null ? pool.perGpu.map((g) => ({ gpu: g.gpu, utilization: tidy(g.utilization), models: Object.fromEntries(Object.entries(g.models).map(([k, v]) => [k, tidy(v)])) })) : null,
  };
}

/** A site's SLO block: the run's verdict rule on the site's own requests. */
function siteSlo(v: SloVerdict): SiteSummary['slo'] {
  return { met: v.met, failedBy: v.failedBy, attainment: v.attainment, errorRate: v.errorRate };
}

/** The cache block over the sites' caches: counters summed, flushes counted per cache. */
function cacheBlock(caches: readonly CacheTotals[], peakMissRate: number): NonNullable<Summary['cache']> {
  const st = { lookups: 0, hits: 0, staleHits: 0, delayedHits: 0, misses: 0, backgroundRefreshes: 0, flushes: 0 };
  for (const c of caches) {
    st.lookups += c.lookups;
    st.hits += c.hits;
    st.staleHits += c.staleHits;
    st.delayedHits += c.delayedHits;
    st.misses += c.misses;
    st.backgroundRefreshes += c.backgroundRefreshes;
    st.flushes += c.flushes;
  }
  return {
    hitRate: st.lookups > 0 ? tidy(cacheHitRatio(st)) : 0,
    lookups: st.lookups,
    hits: st.hits,
    staleHits: st.staleHits,
    delayedHits: st.delayedHits,
    misses: st.misses,
    backgroundRefreshes: st.backgroundRefreshes,
    gpuRequestsSaved: st.lookups - st.misses - st.backgroundRefreshes,
    peakMissRatePerS: tidy(peakMissRate),
    flushes: st.flushes,
  };
}

function featureStoreBlock(fs: FeatureStoreTotals): NonNullable<Summary['featureStore']> {
  return {
    servers: fs.servers,
    utilization: tidy(Math.min(1, fs.utilization)),
    meanQueueLength: tidy(fs.meanQueueLength),
    meanWaitMs: fs.waits.count > 0 ? tidy(fs.waits.mean() * 1e3) : 0,
    p99WaitMs: fs.waits.count > 0 ? tidy(fs.waits.quantile(0.99) * 1e3) : 0,
    rejected: fs.rejected,
  };
}

function tidyCompanions(c: Companions): Companions {
  return {
    ...c,
    peakRps: c.peakRps === null ? null : tidy(c.peakRps),
    cacheHitRate: c.cacheHitRate === null ? null : tidy(c.cacheHitRate),
    maxRpsPerReplica: tidy(c.maxRpsPerReplica),
    erlangC: c.erlangC && { replicas: c.erlangC.replicas, utilization: tidy(c.erlangC.utilization), probWait: tidy(c.erlangC.probWait), p99Ms: tidy(c.erlangC.p99Ms) },
  };
}
