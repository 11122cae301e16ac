/**
 * The plain data of an LLM scenario (llm/scenario.ts loads it): vLLM's engine settings,
 * routing, arrivals, token distributions, SLOs and the HPA on vLLM's gauges. The step-time
 * model it runs with is behaviour, not data: it stays in llm/ (LlmFleetSpec, llm/fleet.ts).
 */
import type { HpaSpec } from './hpa.js';
import type { Traffic } from './scenario.js';

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

/**
 * Per-request latency outside the engine's steps (seconds): CPU-side work a fitted step model
 * leaves out (inference-sim's α's). `queueS` + `queuePerPromptTokenS` × prompt tokens delays a
 * request between its arrival at the replica and its entering the scheduler's waiting queue
 * (it is scheduled that much later); `firstTokenS` is added to its TTFT and `perTokenS` to
 * every later inter-token gap, without holding up the engine's next step.
 */
export interface RequestOverheads {
  firstTokenS: number;
  perTokenS: number;
  /** Fixed arrival → queue delay (0 when absent). */
  queueS?: number;
  /** Arrival → queue delay per prompt token (0 when absent). */
  queuePerPromptTokenS?: number;
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
 * SGLang router's defaults for the cache-aware policy, as `python -m sglang_router.launch_router`
 * gives them (sgl-project/sglang, sgl-router/py_src/sglang_router/router_args.py @
 * e46dcd87adca58ec70831ad7cb01a3892b2c9e50: cache_threshold 0.3, balance_abs_threshold 64,
 * balance_rel_threshold 1.5, max_tree_size 2^26). max_tree_size counts characters there and
 * tokens here (the index grows as it fills, so the large default costs nothing up front).
 */
export const PREFIX_AFFINITY_DEFAULTS: Readonly<LlmPrefixAffinity> = {
  cacheThreshold: 0.3,
  balanceAbsThreshold: 64,
  balanceRelThreshold: 1.5,
  maxTreeSize: 2 ** 26,
};

export type TokenDist =
  | { kind: 'fixed'; value: number }
  | { kind: 'lognormal'; mean: number; cv: number; min: number; max: number }
  | { kind: 'empirical'; values: number[]; weights: number[] };

export type LlmArrivals =
  /**
   * `scale` and `rateMultiplier` (≠ 1 when given): the request-level traffic.scale (thinned or
   * replicated in place, workload/arrivals.ts) and traffic.trace.rateMultiplier (shifted copies,
   * workload/trace-replay.ts) on a token trace.
   */
  | { kind: 'trace'; timesS: Float64Array; prompt: Int32Array; output: Int32Array; loop: boolean; scale?: number; rateMultiplier?: number }
  | { kind: 'poisson'; schedule: Array<{ atS: number; rps: number }>; prompt: TokenDist; output: TokenDist }
  /**
   * Any other open-loop rate shape, written as a request-level scenario's traffic (ramps, diurnal,
   * spikes, burst gamma or mmpp, scale) and drawn by the request-level arrival processes
   * (workload/arrivals.ts createArrivals); `traffic.trace` is null. A plain Poisson rate or step
   * schedule stays `poisson` (its own draws, so existing scenarios keep their results).
   */
  | { kind: 'shaped'; traffic: Traffic; prompt: TokenDist; output: TokenDist }
  | { kind: 'closed'; users: number; thinkS: number; prompt: TokenDist; output: TokenDist; sessions?: LlmSessions };

/**
 * Multi-turn sessions of a closed-loop user: the first turn's prompt is drawn from `prompt`; each
 * later turn's prompt is the previous turn's prompt and output plus `followUp` new tokens (the
 * whole conversation so far), so turn k + 1 shares turn k's context as a prefix. After `turns`
 * turns (or a turn too long for the KV cache) the user starts a new session.
 */
export interface LlmSessions {
  turns: number;
  followUp: TokenDist;
}

export type LlmMetric = 'ttft' | 'tpot' | 'itl' | 'e2e';

export interface LlmSlo {
  metric: LlmMetric;
  percentile: 'p50' | 'p90' | 'p95' | 'p99' | 'p999';
  targetS: number;
}
