/** An LLM run laid out: its terminal table and its timeline.csv. */
import type { LlmResults, LlmTimelineRow } from '../llm/fleet.js';
import type { LlmScenario } from '../llm/scenario.js';

/** timeline.csv of an LLM run: the request-level columns, then the LLM ones. */
export function llmTimelineCsv(rows: LlmTimelineRow[]): string {
  const cols = 'timeS,arrivals,completed,rejected,timedOut,p50Ms,p99Ms,replicasReady,replicasStarting,replicasDesired,queueDepth,gpuUtilization,cacheHitRate,costUsd,ttftP99Ms,tpotP99Ms,running,waiting,kvUtilization,preemptions,outputTokensPerS,ttftP50Ms,tpotP50Ms,goodputRps,inputTokensPerS';
  const lines = rows.map((r) =>
    [r.t, r.arrivals, r.completed, r.rejected, 0, r.p50Ms, r.p99Ms, r.replicasReady, r.replicas - r.replicasReady, r.replicasDesired, r.waiting, r.gpuUtilization, r.prefixHitRate, r.costUsd, r.ttftP99Ms, r.tpotP99Ms, r.running, r.waiting, r.kvUtilization, r.preemptions, r.outputTokensPerS, r.ttftP50Ms, r.tpotP50Ms, r.goodputRps, r.inputTokensPerS].join(','),
  );
  return `${cols}\n${lines.join('\n')}\n`;
}

/** A duration: milliseconds to one decimal, seconds to two from 1 s up. */
function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** The terminal table of an LLM run: requests, TTFT/TPOT/ITL/E2E percentiles, SLO lines, tokens, KV cache, replicas and cost. */
export function formatLlmTable(sc: LlmScenario, r: LlmResults): string {
  const s = sc.spec;
  const lines = [
    `${sc.name}: ${s.replicas} replica(s) × ${s.tensorParallel} GPU, ${s.durationS} s simulated (${s.warmupS} s warmup)`,
    ...sc.notes.map((n) => `  ${n}`),
    ...sc.warnings.map((w) => `  warning: ${w}`),
    `  requests   arrived ${r.requests.arrived}  completed ${r.requests.completed}  rejected ${r.requests.rejected}  in flight at end ${r.requests.inFlightAtEnd}`,
    '  metric      mean       p50        p90        p99        p999',
    ...(['ttftMs', 'tpotMs', 'itlMs', 'e2eMs'] as const).map((k) => `  ${k.replace('Ms', '').toUpperCase().padEnd(6)} ${[r[k].mean, r[k].p50, r[k].p90, r[k].p99, r[k].p999].map((v) => duration(v).padStart(10)).join(' ')}`),
    ...r.slo.targets.map((t) => `  SLO ${t.metric} ${t.percentile} ≤ ${duration(t.targetMs)}: ${duration(t.actualMs)} ${t.met ? 'met' : 'MISSED'}`),
    `  goodput ${r.goodputRps.toFixed(2)} req/s of ${r.throughputRps.toFixed(2)}   tokens/s in ${r.inputTokensPerS.toFixed(0)} out ${r.outputTokensPerS.toFixed(0)}`,
    `  KV cache ${r.numGpuBlocks} blocks: mean ${(r.kvUtilization.mean * 100).toFixed(1)} %, peak ${(r.kvUtilization.peak * 100).toFixed(1)} %   preemptions ${r.preemptions}   prefix hit rate ${(r.prefixHitRate * 100).toFixed(1)} %`,
    `  replicas min ${r.replicasStats.min} mean ${r.replicasStats.mean.toFixed(2)} max ${r.replicasStats.max}, cold starts ${r.replicasStats.coldStarts}`,
    `  busy ${(r.busyShare * 100).toFixed(1)} %, mean batch ${r.meanBatchSequences.toFixed(1)} sequences   cost $${r.costUsd.toFixed(2)} ($${r.monthlyUsd.toFixed(0)}/month, $${r.costPerMillionTokens.toFixed(3)} per million tokens)`,
  ];
  return lines.join('\n');
}
