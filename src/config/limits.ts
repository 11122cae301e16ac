// The run-size limits the scenario loader enforces (scenario/load.ts) and the memory facts its estimate uses.

/**
 * Magnitudes beyond which a run cannot finish in reasonable time and memory (1e308 req/s,
 * a 2^53-replica fleet, a 1e-300 s report interval …): such a scenario is an input error,
 * not a hang, an out-of-memory crash or an Infinity in the summary.
 */
export const LIMITS = {
  durationS: 365 * 86_400,
  batchLatencyS: 3600,
  minBatchLatencyS: 1e-6,
  expectedRequests: 1e12,
  timelineRows: 1_000_000,
  replicas: 10_000,
  instances: 64,
  maxBatch: 4096,
  queueDepth: 1_000_000,
  cv: 100,
  responseBytes: 1e12,
  hourlyUsd: 1e6,
  /** Shortest period of a repeating event (autoscaler sync, metric scrape, KPA tick): time must still advance. */
  minPeriodS: 1e-3,
  minDiurnalPeriodS: 60,
  maxMetricsWindowS: 3600,
  /** Key ids are 32-bit: Zipf key spaces and tenant counts. */
  keyCount: 2 ** 31 - 1,
  /** Keyed cache entries over all sites (each region or shard keeps its own cache): ~60 bytes each. */
  cacheEntries: 50_000_000,
  /** Relative routing weights (topology.weights): their sum must stay finite. */
  routingWeight: 1e6,
  /** traffic.trace.rateMultiplier: each copy of the trace holds the file open (a descriptor and a 64 KiB buffer). */
  traceCopies: 100,
  /** What a run may hold in memory at once, by memoryEstimate (measured peak below it: README, limits). */
  memoryBytes: 4e9,
} as const;

/** Bytes per request the run may hold at once (its record, queue slot and events; measured ~40, pools grow by doubling). */
export const REQUEST_BYTES = 64;
/** Bytes per keyed cache entry. */
export const CACHE_ENTRY_BYTES = 60;
/** Bytes per timeline row kept in memory and written as CSV. */
export const TIMELINE_ROW_BYTES = 400;
/** What a run holds whatever its size (Node, the code, the scenario). */
export const BASE_BYTES = 100e6;
