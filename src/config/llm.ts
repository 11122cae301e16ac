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

export type LlmRouting = 'least-requests' | 'least-tokens' | 'kv-utilization' | 'round-robin';

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
