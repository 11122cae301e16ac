/** The terminal lines of an LLM run with regions: a row per region and the failover report. */
import type { LlmRegionsOutput } from '../topology/llm-regions.js';
import { fmt, pct, usd } from './format.js';
import { alignTable } from './table.js';

/** A duration in ms: milliseconds to one decimal, seconds to two from 1 s up. */
function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/**
 * The regions table (users' TTFT and E2E include their round trip), inter-region transfer and each
 * outage's timing; then each region's notes (KV cache, step time …) that differ from the run's `notes`.
 */
export function formatLlmRegions(out: LlmRegionsOutput, notes: readonly string[] = [], regionNotes: readonly { name: string; notes: readonly string[] }[] = []): string {
  const head = ['region', 'share', 'arrived', 'completed', 'rejected', 'in flight', 'TTFT p99', 'TPOT p99', 'E2E p99', 'SLO', 'replicas', 'cold starts', 'cost'];
  const rows = out.regions.map((g) => {
    const r = g.results;
    return [
      g.name,
      pct(g.arrivedShare),
      fmt(r.requests.arrived, 0),
      fmt(r.requests.completed, 0),
      fmt(r.requests.rejected, 0),
      fmt(r.requests.inFlightAtEnd, 0),
      duration(r.ttftMs.p99),
      duration(r.tpotMs.p99),
      duration(r.e2eMs.p99),
      r.slo.met ? 'met' : 'MISSED',
      fmt(r.replicasStats.mean, 2),
      fmt(r.replicasStats.coldStarts, 0),
      usd(r.costUsd + g.interRegionUsd),
    ];
  });
  const lines = [alignTable([head, ...rows], '  ')];
  lines.push(`  inter-region transfer: ${usd(out.interRegionUsd)} (in the cost)`);
  for (const o of out.outages) {
    const at = (x: number | null): string => (x === null ? 'never' : `${fmt(x, 0)} s`);
    lines.push(
      `  outage of ${o.region} at ${at(o.atS)}: detected ${at(o.detectedAtS)}, traffic moved ${at(o.trafficMovedAtS)}, ` +
        `recovered ${at(o.recoveredAtS)}${o.recoveryS === null ? '' : ` (${fmt(o.recoveryS, 0)} s after it)`}, ${fmt(o.failedRequests, 0)} failed requests`,
    );
  }
  for (const g of regionNotes) for (const n of g.notes) if (!notes.includes(n)) lines.push(`  ${g.name}: ${n}`);
  return lines.join('\n');
}
