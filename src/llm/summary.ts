/**
 * The summary of an LLM run, in the shape of every run's summary (metrics/summary.ts Summary):
 * the contract's request-level fields, with E2E as the request latency, and the `llm` block of
 * token-level figures. One shape, so `run`, `compare`, `sweep` and `plan` read an LLM run as
 * they read any other (analysis/compare.ts, analysis/sweep.ts, analysis/plan.ts).
 */
import type { Summary } from '../metrics/summary.js';
import type { LlmResults } from './fleet.js';
import type { LlmScenario } from './scenario.js';

/** An LLM run's summary.json; `variant` names the variant a compare ran (null for `run`). */
export function llmRunSummary(sc: LlmScenario, r: LlmResults, wallSeconds: number, variant: string | null = null): Summary {
  const spec = sc.spec;
  const windowS = spec.durationS - spec.warmupS;
  const requestsMillion = r.requests.completed / 1e6;
  const finished = r.requests.completed + r.requests.rejected;
  const errorRate = finished > 0 ? r.requests.rejected / finished : 0;
  return {
    scenario: sc.name,
    variant,
    seed: spec.seed,
    simulatedSeconds: spec.durationS,
    partial: false,
    requests: { arrived: r.requests.arrived, completed: r.requests.completed, cacheHits: 0, rejected: r.requests.rejected, timedOut: 0, inFlightAtEnd: r.requests.inFlightAtEnd },
    throughputRps: r.throughputRps,
    latencyMs: r.e2eMs,
    slo: {
      met: r.slo.met,
      // the LLM verdict judges the completed requests' percentiles (fleet.ts): a miss is a latency miss
      failedBy: r.slo.met ? null : 'latency',
      attainment: r.throughputRps > 0 ? r.goodputRps / r.throughputRps : 0,
      errorRate,
      target: Object.fromEntries(r.slo.targets.map((t) => [`${t.metric}.${t.percentile}`, t.targetMs])),
      withFailuresMs: Object.fromEntries(r.slo.targets.map((t) => [`${t.metric}.${t.percentile}`, t.actualMs])),
    },
    gpu: { utilization: r.busyShare, meanBatchSize: r.meanBatchSequences, effectiveUtilization: r.busyShare },
    replicas: r.replicasStats,
    cache: null,
    featureStore: null,
    regions: null,
    failover: null,
    shards: null,
    shardImbalance: null,
    cost: {
      totalUsd: r.costUsd,
      gpuUsd: r.costUsd,
      cacheUsd: 0,
      egressUsd: 0,
      perMillionRequestsUsd: requestsMillion > 0 ? (r.costUsd * (windowS / spec.durationS)) / requestsMillion : 0,
      monthlyUsd: r.monthlyUsd,
      idleGpuUsd: r.costUsd * (1 - r.busyShare),
    },
    analytic: null,
    llm: {
      ttftMs: r.ttftMs,
      tpotMs: r.tpotMs,
      itlMs: r.itlMs,
      e2eMs: r.e2eMs,
      slo: r.slo.targets,
      goodputRps: r.goodputRps,
      inputTokensPerS: r.inputTokensPerS,
      outputTokensPerS: r.outputTokensPerS,
      kvUtilization: r.kvUtilization,
      preemptions: r.preemptions,
      prefixHitRate: r.prefixHitRate,
      costPerMillionTokens: r.costPerMillionTokens,
      gpusPerReplica: spec.tensorParallel,
      numGpuBlocks: r.numGpuBlocks,
      stepModel: r.stepModel,
    },
    engine: { events: r.events, wallSeconds },
    warnings: sc.warnings,
  };
}
