/**
 * summary.json of an LLM run with regions: the single-fleet LLM summary over the whole run
 * (llm-run.ts llmSummary), its cost with inter-region transfer (in egress, as the request-level
 * run counts it), and the request-level `regions` and `failover` blocks (metrics/summary.ts
 * SiteSummary, OutageReport), each region's block with its own `llm` figures.
 */
import type { LlmFleetSpec, LlmResults } from '../llm/fleet.js';
import type { LlmRegionsOutput } from '../topology/llm-regions.js';

/** The SLO block of a region: the LLM rule (every target met), with the request-level fields; failedBy names latency (the LLM SLOs do not judge errors). */
function regionSlo(r: LlmResults): { met: boolean; failedBy: 'latency' | null; attainment: number; errorRate: number } {
  const finished = r.requests.completed + r.requests.rejected;
  return {
    met: r.slo.met,
    failedBy: r.slo.met ? null : 'latency',
    attainment: r.throughputRps > 0 ? r.goodputRps / r.throughputRps : 0,
    errorRate: finished > 0 ? r.requests.rejected / finished : 0,
  };
}

/** `base` is llmSummary of the whole run's results (llm-run.ts). */
export function llmRegionsSummary(base: Record<string, unknown>, spec: LlmFleetSpec, out: LlmRegionsOutput): Record<string, unknown> {
  const r = out.results;
  const inter = out.interRegionUsd;
  const windowShare = (spec.durationS - spec.warmupS) / spec.durationS;
  const millions = r.requests.completed / 1e6;
  const cost = {
    totalUsd: r.costUsd + inter,
    gpuUsd: r.costUsd,
    cacheUsd: 0,
    egressUsd: inter,
    perMillionRequestsUsd: millions > 0 ? (r.costUsd * windowShare + inter) / millions : 0,
    monthlyUsd: r.monthlyUsd,
    idleGpuUsd: r.costUsd * (1 - r.busyShare),
    interRegionUsd: inter,
  };
  const regions = out.regions.map((g) => {
    const x = g.results;
    return {
      name: g.name,
      arrivedShare: g.arrivedShare,
      requests: { arrived: x.requests.arrived, completed: x.requests.completed, cacheHits: 0, rejected: x.requests.rejected, timedOut: 0, inFlightAtEnd: x.requests.inFlightAtEnd },
      latencyMs: { p50: x.e2eMs.p50, p99: x.e2eMs.p99 },
      slo: regionSlo(x),
      gpu: { utilization: x.busyShare },
      replicas: x.replicasStats,
      cacheHitRate: null,
      costUsd: x.costUsd + g.interRegionUsd,
      llm: {
        ttftMs: x.ttftMs,
        tpotMs: x.tpotMs,
        itlMs: x.itlMs,
        e2eMs: x.e2eMs,
        slo: x.slo.targets,
        goodputRps: x.goodputRps,
        inputTokensPerS: x.inputTokensPerS,
        outputTokensPerS: x.outputTokensPerS,
        kvUtilization: x.kvUtilization,
        preemptions: x.preemptions,
        prefixHitRate: x.prefixHitRate,
        gpuUsd: x.costUsd,
        interRegionUsd: g.interRegionUsd,
        monthlyUsd: x.monthlyUsd,
        costPerMillionTokens: x.costPerMillionTokens,
        numGpuBlocks: x.numGpuBlocks,
        stepModel: x.stepModel,
      },
    };
  });
  // the request-level order: … cache, regions, failover, cost …
  const { cost: _gpuOnly, llm, engine, warnings, ...head } = base;
  return { ...head, regions, failover: { outages: out.outages }, cost, llm, engine, warnings };
}
