/**
 * The resolved scenario: plain data, every unit converted (seconds, bytes, requests/s),
 * every default filled in. scenario/load.ts produces it from YAML/JSON; the engine
 * consumes it and never sees strings like "250ms".
 */
import type { Variability } from './variability.js';

/** One step of a piecewise rate schedule: from `atS` the rate is `rps`; with `rampS` > 0 it moves linearly from the previous level to `rps` over `rampS`. */
export interface RateStep {
  atS: number;
  rps: number;
  rampS: number;
}

export interface Diurnal {
  amplitude: number;
  periodS: number;
  peakAtS: number;
}

export interface Spike {
  atS: number;
  factor: number;
  forS: number;
}

export type Burst =
  | { kind: 'poisson' }
  | { kind: 'gamma'; cv: number }
  /** Two-state Markov-modulated Poisson; `highFactor`/`lowFactor` multiply the rate shape, sojourns are exponential with the given means. */
  | { kind: 'mmpp'; highFactor: number; lowFactor: number; meanHighS: number; meanLowS: number };

export type Keys =
  | { kind: 'unique' }
  | { kind: 'zipf'; count: number; exponent: number }
  | { kind: 'trace' };

export interface TraceSpec {
  /** Path as written in the scenario, resolved against the scenario file's folder. */
  file: string;
  timeColumn: string;
  /** Column holding a request identity (for keyed caches), if any. */
  keyColumn: string | null;
  /** Divides every time (compresses the trace): the same arrivals in 1/speedup of the time. */
  speedup: number;
  /** Replays k× the trace's arrivals over its span (workload/trace-replay.ts: ⌈k⌉ circularly shifted copies, the last thinned to k − ⌊k⌋; k < 1 thins). */
  rateMultiplier: number;
  /** Repeats the trace every period (span + one mean gap) until the run's end. */
  loop: boolean;
  /** 'auto' detects ISO date-times, epoch seconds or epoch milliseconds from the first row. */
  timeFormat: 'auto' | 'iso' | 'epoch-s' | 'epoch-ms';
}

export interface Traffic {
  /** Piecewise schedule; a constant rate is one step at 0. Ignored when `trace` is set. */
  schedule: RateStep[];
  diurnal: Diurnal | null;
  spikes: Spike[];
  burst: Burst;
  keys: Keys;
  trace: TraceSpec | null;
  /**
   * Rate multiplier on the whole traffic, whatever its shape (default 1): λ(t) is multiplied by it
   * in rateAt (schedule, diurnal, spikes, bursts follow), a trace is thinned or replicated by it
   * (workload/arrivals.ts). What `capacity` searches over.
   */
  scale?: number;
}

export type { Variability, VariabilityDist } from './variability.js';

export interface LatencyTable {
  /** Batch sizes, strictly increasing, ≥ 1. */
  batch: number[];
  /** Batch latency in seconds for each batch size. */
  latencyS: number[];
  /** Where the numbers come from ("scenario", or a catalog source). */
  source: string;
}

export interface Model {
  profile: string | null;
  latency: LatencyTable;
  variability: Variability;
  responseBytes: number;
  /** Time each request spends outside the server's queue and model instance (client, network), added to its latency; 0 when absent. */
  overheadS?: number;
}

export interface Batching {
  maxBatch: number;
  maxQueueDelayS: number;
  /** Preferred batch sizes, ascending, each ≤ maxBatch. */
  preferred: number[];
}

export interface QueueLimits {
  /** Requests waiting per replica queue (or in the shared/gateway queue) before new ones are rejected. */
  maxDepth: number;
  /** A request still queued this long after arrival times out; Infinity for never. */
  timeoutS: number;
}

export type Routing = 'random' | 'round-robin' | 'least-outstanding' | 'power-of-two' | 'shared-queue';

/** A phase duration: fixed, lognormal with a mean and coefficient of variation, or uniform. */
export type DurationDist =
  | { kind: 'fixed'; s: number }
  | { kind: 'lognormal'; meanS: number; cv: number }
  | { kind: 'uniform'; minS: number; maxS: number };

/** How long a new replica takes to become ready, phase by phase (MODELS.md §4). */
export interface ColdStart {
  /** Only when no GPU is free on an existing node. */
  nodeProvision: DurationDist;
  /** Skipped when the node already holds the image. */
  imagePull: DurationDist;
  modelLoad: DurationDist;
  warmup: DurationDist;
}

/** GPU nodes: when set, replicas are packed onto nodes and whole nodes are billed. */
export interface Nodes {
  gpusPerNode: number;
  idleNodeTimeoutS: number;
}

/** Modelled CPU use of a pod, for HPA CPU metrics: baseCores + rps·perRequestCoreS cores, against requestCores. */
export interface CpuModel {
  requestCores: number;
  baseCores: number;
  perRequestCoreS: number;
}

export interface Fleet {
  gpu: string | null;
  mig: string | null;
  /** Share of a full GPU's compute that one replica gets (1 for a whole GPU, k/7 for a MIG slice). */
  gpuShare: number;
  replicas: number;
  instances: number;
  /** Throughput gain per extra concurrent instance on one GPU: σ(m) = 1 + overlap·(m − 1). */
  overlap: number;
  batching: Batching;
  queue: QueueLimits;
  routing: Routing;
  coldStart: ColdStart;
  /** Loaded standby replicas (billed, not routed) that scale-up takes first. */
  warmPool: number;
  /** Node packing and node billing; null bills each replica for its GPU (share). */
  nodes: Nodes | null;
  /** Replicas (or MIG slices) one node holds: gpusPerNode × slices per GPU. */
  replicasPerNode: number;
  cpu: CpuModel;
}

/** What a simulated pod signal an HPA metric name stands for. */
export type Signal = 'rps' | 'concurrency' | 'queueDepth' | 'gpuUtilization' | 'cpu' | 'latencyP99Ms';

/** How an HPA metric relates to a simulated signal: the metric's value = signal × scale (e.g. a 0–100 GPU percent: scale 100). */
export interface SignalMapping {
  signal: Signal;
  scale: number;
}

/** Named metrics pipelines (README "Metrics pipeline"); `default` is a fast best case. */
export type MetricsPreset = 'default' | 'metrics-server' | 'prometheus-adapter';

export interface MetricsPipelineSpec {
  preset: MetricsPreset;
  /** How often each pod (and the fleet) is scraped. */
  scrapeIntervalS: number;
  /** The rate window for counter signals (rps, cpu): Prometheus `rate(x[window])` over the scraped samples. */
  windowS: number;
  /** Gauges (concurrency, queueDepth, gpuUtilization) are averaged over this much of their 1 s samples (1 s = the latest value). */
  gaugeWindowS: number;
  /** How long after a scrape the autoscaler sees it. */
  delayS: number;
  /**
   * `prometheus`: rate() with Prometheus' extrapolation over the samples in (now − window, now];
   * `two-point`: metrics-server's usage between the last two scrapes (a fresh pod's first one from its start).
   */
  rate: 'prometheus' | 'two-point';
}

export type Autoscaler =
  | { kind: 'none' }
  | {
      kind: 'hpa';
      /** The HorizontalPodAutoscaler spec, from a manifest file or inline. */
      spec: import('./hpa.js').HpaSpec;
      /** Metric name → simulated signal and scale (cpu is implied for Resource cpu). */
      signals: Record<string, SignalMapping>;
      syncPeriodS: number;
      tolerance: number;
      /** The pipeline for Pods, Object and External metrics (custom metrics). */
      metrics: MetricsPipelineSpec;
      /** The pipeline for Resource/ContainerResource cpu (metrics-server in a cluster); the same as `metrics` unless set. */
      resourceMetrics: MetricsPipelineSpec;
    }
  | { kind: 'kpa'; config: import('./kpa.js').KpaConfig }
  | { kind: 'schedule'; steps: { atS: number; replicas: number }[] };

export type ScenarioEvent =
  | { atS: number; kind: 'replica-crash'; count: number }
  | { atS: number; kind: 'cache-flush' }
  /** Every replica of `region` dies at once and the region serves nothing for `forS` (Infinity: until the end). */
  | { atS: number; kind: 'region-outage'; region: string; forS: number };

export interface Slo {
  /** Latency targets in seconds by percentile name (p50, p90, p95, p99, p999). */
  latencyS: Partial<Record<SloPercentile, number>>;
  maxErrorRate: number | null;
}

export type SloPercentile = 'p50' | 'p90' | 'p95' | 'p99' | 'p999';

export interface Cost {
  /** Price per GPU-hour (whole GPU); null when neither the scenario nor the catalog gives one. */
  gpuHourlyUsd: number | null;
  gpuPriceSource: string;
  cacheHourlyUsd: number;
  egressPerGbUsd: number | null;
}

/** The result cache and the feature store (config/cache.ts). */
export type CacheSpec = import('./cache.js').CacheConfig;
export type FeatureStoreSpec = import('./cache.js').FeatureStoreSpec;

export interface Scenario {
  name: string;
  seed: number;
  durationS: number;
  warmupS: number;
  slo: Slo;
  traffic: Traffic;
  model: Model;
  fleet: Fleet;
  cost: Cost;
  /** The result cache in front of the model; null without one. */
  cache: CacheSpec | null;
  /** A feature store on the miss path (before inference); null without one. */
  featureStore: FeatureStoreSpec | null;
  autoscaler: Autoscaler;
  events: ScenarioEvent[];
  report: { intervalS: number };
  /** Non-fatal remarks found while resolving (e.g. maxBatch beyond the latency table). */
  warnings: string[];
  /**
   * Several fleets instead of one: regions (with failover) or shards. Absent for a single
   * fleet, so every scenario written before it resolves exactly as it did.
   */
  topology?: Topology;
}

/** What one site (a region or a shard: its own fleet, lifecycle, autoscaler and cache) runs; the rest of the scenario is shared. */
export interface SitePlan {
  name: string;
  /** The model as this site's fleet sees it (a region on another GPU has another latency table). */
  model: Model;
  fleet: Fleet;
  autoscaler: Autoscaler;
  /** Prices for this site (a region on another GPU has another catalog price). */
  cost: Cost;
  /** A model of a several-model scenario brings its own traffic, SLO, cache and feature store; absent: the scenario's. */
  traffic?: Traffic;
  slo?: Slo;
  cache?: CacheSpec | null;
  featureStore?: FeatureStoreSpec | null;
}

export interface RegionSpec extends SitePlan {
  /** Share of the users (the traffic) that originate in this region; the shares sum to 1. */
  share: number;
  /** Network round trip in seconds from this region's users to each region, by region index (added to their latency). */
  rttS: number[];
}

/** Health checks and DNS, as Route 53 or Cloud DNS with health-checked records behave (README: regions). */
export interface Failover {
  healthCheckIntervalS: number;
  /** Consecutive failed (or passed) checks that make a region unhealthy (or healthy again). */
  failureThreshold: number;
  /** Clients see a health change this long after it happens (all at once). */
  dnsTtlS: number;
}

export type RegionRouting = 'nearest' | 'latency-weighted' | 'weighted';

export interface RegionsTopology {
  kind: 'regions';
  regions: RegionSpec[];
  mode: 'active-active' | 'active-passive';
  /** How a population picks among the regions its DNS view holds healthy (active-passive: among the standbys). */
  routing: RegionRouting;
  /** Relative weights by region index for routing `weighted`; null otherwise. */
  weights: number[] | null;
  /** Index of the primary region (active-passive); null for active-active. */
  primary: number | null;
  /** active-passive: warm standbys run their fleet; cold ones hold 0 replicas until traffic reaches them. */
  standby: 'warm' | 'cold';
  failover: Failover;
  /** USD per GB of responses served outside their users' region (cost.interRegionPerGB). */
  interRegionPerGbUsd: number;
}

export interface ShardsTopology {
  kind: 'shards';
  count: number;
  /** key-hash: a hash of the request key; tenant: a Zipf tenant per request, shard = tenant mod count. */
  by: 'key-hash' | 'tenant';
  tenants: { count: number; exponent: number } | null;
}

/**
 * How the models of a several-model scenario share GPUs (README "Several models per GPU"):
 * - dedicated: each model runs on GPUs of its own (a Deployment per model, `nvidia.com/gpu: 1`);
 * - mig: GPUs cut into a fixed layout of MIG slices (the GPU Operator's mig-manager, "mixed"
 *   strategy); each model's pods request its profile (`nvidia.com/mig-3g.40gb: 1`) and take a free
 *   slice of that profile on any node, else a new node with the same layout is provisioned;
 * - shared: several models on each GPU (Triton with several models loaded, or GPU time-slicing/MPS
 *   with a pod per model on one GPU): each model keeps its own queue and batcher, batches of
 *   different models run concurrently and slow each other by the sharing law
 *   σ(m) = 1 + overlap·(m − 1) (0 = strict time-slicing; serving/shared-gpus.ts); `scaling` unit:
 *   one replica of every model per GPU, the pool following the largest wish of the models' autoscalers (run.ts scaleAsUnit); per-model: each model scales on its own.
 */
export type Sharing =
  | { mode: 'dedicated' }
  | {
      mode: 'mig';
      gpu: string;
      /** The slices of every GPU, by MIG profile id (a valid NVIDIA layout). */
      layout: string[];
      /** Compute share (k/7) of each slice of the layout, in layout order. */
      shares: number[];
      /** GPUs (nodes of one GPU) that exist at t = 0 even when the models' pods need fewer. */
      minGpus: number;
    }
  | {
      mode: 'shared';
      gpu: string;
      /** unit: GPUs at t = 0 and at least (one replica of every model each); per-model: the GPUs the node group always keeps. */
      gpus: number;
      overlap: number;
      /**
       * unit: one server holds every model on each GPU (Triton), the pool scales as one; per-model: each
       * model's pods scale on their own (time-slicing/MPS), one pod of a model per GPU, a new GPU node
       * when every GPU has one.
       */
      scaling: 'unit' | 'per-model';
    };

/** Several models, each a site of its own with its own arrivals, on GPUs shared as `sharing` says. */
export interface ModelsTopology {
  kind: 'models';
  /** Each model's plan: its traffic, latency model, fleet, autoscaler, SLO, cache and prices. */
  models: SitePlan[];
  sharing: Sharing;
}

export type Topology = RegionsTopology | ShardsTopology | ModelsTopology;

/**
 * Which fleet a site of a run has: a region brings its own model (latency table), fleet, autoscaler
 * and prices (its plan), a model of a several-model scenario also its traffic, SLO, cache and feature
 * store; a shard, and a single fleet, run the scenario's own. Used by the sites (site/site.ts), the
 * closed forms (theory/companions.ts) and the reports (a site's charts draw its own capacity).
 * The scenario a site runs: the run's, with the site's plan over it when it has one.
 */
export function siteScenario(base: Scenario, plan: SitePlan | null): Scenario {
  if (plan === null) return base;
  const sc: Scenario = { ...base, model: plan.model, fleet: plan.fleet, autoscaler: plan.autoscaler, cost: plan.cost };
  // a model of a several-model scenario brings its own traffic, SLO, cache and feature store
  if (plan.traffic !== undefined) sc.traffic = plan.traffic;
  if (plan.slo !== undefined) sc.slo = plan.slo;
  if (plan.cache !== undefined) sc.cache = plan.cache;
  if (plan.featureStore !== undefined) sc.featureStore = plan.featureStore;
  return sc;
}
