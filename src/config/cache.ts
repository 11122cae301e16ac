/**
 * Configuration of the result cache and the feature store (MODELS.md §6), in the units
 * the simulator uses (seconds, entries). The scenario loader resolves YAML into these.
 */
import type { VariabilityDist } from './variability.js';

/** What happens when many requests miss the same key at once. */
export type StampedePolicy = 'none' | 'coalesce' | 'stale-while-revalidate' | 'xfetch';

/** Simple mode: every lookup hits with a fixed probability; no keys. */
export interface HitRateCacheConfig {
  mode: 'hit-rate';
  /** Probability in [0, 1] that a lookup hits. */
  hitRate: number;
  lookupLatencyS: number;
}

/** Keyed mode: an LRU of `capacity` entries with TTL, and a stampede policy. */
export interface KeyedCacheConfig {
  mode: 'keyed';
  /** Entries; 0 caches nothing. */
  capacity: number;
  /** Entry lifetime before jitter; Infinity never expires. */
  ttlS: number;
  /** j in [0, 1): lifetime = ttl·(1 + U(−j, j)), drawn per insert. */
  ttlJitter: number;
  lookupLatencyS: number;
  stampede: StampedePolicy;
  /** stale-while-revalidate: how long after expiry a stale entry may still be served. */
  staleWindowS: number;
  /** xfetch: β > 0; larger refreshes earlier. */
  xfetchBeta: number;
  /**
   * xfetch only: at most one background refresh per key in flight (XFetch "with a lock").
   * Absent or false is the design's xfetch: several refreshes of one key can be triggered.
   */
  xfetchLock?: boolean;
  /** Fill the `capacity` most popular keys (0, 1, 2, …) at t = 0. */
  prewarmed: boolean;
}

export type CacheConfig = HitRateCacheConfig | KeyedCacheConfig;

/** A service-time distribution with a given mean and coefficient of variation. */
export interface ServiceTimeSpec {
  meanS: number;
  /** Coefficient of variation (ignored by deterministic; exponential has cv 1). */
  cv: number;
  dist: VariabilityDist;
}

/** The feature store: a FCFS station with servers·(1 + readReplicas) servers and a bounded queue. */
export interface FeatureStoreSpec {
  servers: number;
  serviceTime: ServiceTimeSpec;
  /** Each read replica adds `servers` more servers. */
  readReplicas: number;
  /** Requests that may wait for a server (Infinity: unbounded); an arrival finding it full is rejected. */
  maxQueue: number;
}
