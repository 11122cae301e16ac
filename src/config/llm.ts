/**
 * The plain data of an LLM scenario (llm/scenario.ts loads it): vLLM's engine settings,
 * routing, arrivals, token distributions, SLOs and the HPA on vLLM's gauges. The step-time
 * model it runs with is behaviour, not data: it stays in llm/ (LlmFleetSpec, llm/fleet.ts).
 */
import type { HpaSpec } from './hpa.js';

/** vLLM's engine settings for one replica. */
export interface EngineConfig {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  /** KV blocks as vLLM logs them ("# GPU blocks"), the null block included. */
  numGpuBlocks: number;
  enablePrefixCaching: boolean;
  /** vLLM's scheduler_reserve_full_isl (default true). */
  reserveFullSequence: boolean;
}

/** vLLM's Prometheus gauges an HPA can target (per pod, AverageValue). */
export type LlmScalingMetric = 'vllm:num_requests_waiting' | 'vllm:num_requests_running' | 'vllm:kv_cache_usage_perc';

export interface LlmAutoscaler {
  hpa: HpaSpec;
  syncPeriodS: number;
}

export type LlmRouting = 'least-requests' | 'least-tokens' | 'kv-utilization' | 'round-robin' | 'prefix-affinity';

/** The routing names, in the order the loader lists them. */
export const LLM_ROUTINGS: readonly LlmRouting[] = ['least-requests', 'least-tokens', 'kv-utilization', 'round-robin', 'prefix-affinity'];

/**
 * Knobs of routing prefix-affinity: SGLang router's cache-aware policy (llm/prefix-affinity.ts
 * says which file and commit, and what is simplified).
 */
export interface LlmPrefixAffinity {
  /** Route by prefix when (matched prompt tokens / prompt tokens) exceeds this (0…1). */
  cacheThreshold: number;
  /** The fleet is imbalanced (route to the least loaded) when max − min outstanding requests exceeds this… */
  balanceAbsThreshold: number;
  /** …and max > min × this. */
  balanceRelThreshold: number;
  /** Prompt tokens the router remembers per replica (LRU, in whole blocks). */
  maxTreeSize: number;
}

/**
 * SGLang router's `CacheAwareConfig::default()` (sgl-project/sglang, sgl-router/src/policies/mod.rs
 * @ d112e89e3d8fa550f9aab37e2aa61f8437e35cdf); max_tree_size is characters there, tokens here.
 */
export const PREFIX_AFFINITY_DEFAULTS: Readonly<LlmPrefixAffinity> = {
  cacheThreshold: 0.5,
  balanceAbsThreshold: 32,
  balanceRelThreshold: 1.1,
  maxTreeSize: 10000,
};

export type TokenDist =
  | { kind: 'fixed'; value: number }
  | { kind: 'lognormal'; mean: number; cv: number; min: number; max: number }
  | { kind: 'empirical'; values: number[]; weights: number[] };

export type LlmArrivals =
  | { kind: 'trace'; timesS: Float64Array; prompt: Int32Array; output: Int32Array; loop: boolean }
  | { kind: 'poisson'; schedule: Array<{ atS: number; rps: number }>; prompt: TokenDist; output: TokenDist }
  | { kind: 'closed'; users: number; thinkS: number; prompt: TokenDist; output: TokenDist };

export type LlmMetric = 'ttft' | 'tpot' | 'itl' | 'e2e';

export interface LlmSlo {
  metric: LlmMetric;
  percentile: 'p50' | 'p90' | 'p95' | 'p99' | 'p999';
  targetS: number;
}
