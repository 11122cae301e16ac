/** Terminal lines and file names for the sites of a run with regions or shards. */
import type { SiteSummary, Summary } from '../metrics/summary.js';
import { fmt, pct, usd } from './format.js';
import { alignTable } from './table.js';
import { failedByText } from '../metrics/slo.js';

/** The table of regions or shards and the failover report, for the terminal; '' for a single fleet. */
export function formatTopology(s: Summary): string {
  const blocks: SiteSummary[] | null = s.regions ?? s.shards;
  if (blocks === null) return '';
  const lines: string[] = [];
  const head = [s.regions !== null ? 'region' : 'shard', 'share', 'arrived', 'errors', 'p50', 'p99', 'SLO', 'GPU busy', 'replicas', 'cold starts', 'cost'];
  const rows = blocks.map((b) => [
    b.name,
    pct(b.arrivedShare),
    fmt(b.requests.arrived, 0),
    pct(b.slo.errorRate, 2),
    `${fmt(b.latencyMs.p50, 1)} ms`,
    `${fmt(b.latencyMs.p99, 1)} ms`,
    b.slo.met ? 'met' : b.slo.failedBy === null ? 'MISSED' : `MISSED (${failedByText(b.slo.failedBy)})`,
    pct(b.gpu.utilization),
    fmt(b.replicas.mean, 2),
    fmt(b.replicas.coldStarts, 0),
    usd(b.costUsd),
  ]);
  lines.push(alignTable([head, ...rows], '  '));
  if (s.shardImbalance !== null) lines.push(`  shard imbalance (busiest / mean arrivals): ${fmt(s.shardImbalance, 2)}`);
  if (s.cost.interRegionUsd !== undefined) lines.push(`  inter-region transfer: ${usd(s.cost.interRegionUsd)} (in egress)`);
  for (const o of s.failover?.outages ?? []) {
    const at = (x: number | null): string => (x === null ? 'never' : `${fmt(x, 0)} s`);
    lines.push(
      `  outage of ${o.region} at ${at(o.atS)}: detected ${at(o.detectedAtS)}, traffic moved ${at(o.trafficMovedAtS)}, ` +
        `recovered ${at(o.recoveredAtS)}${o.recoveryS === null ? '' : ` (${fmt(o.recoveryS, 0)} s after it)`}, ${fmt(o.failedRequests, 0)} failed requests`,
    );
  }
  return lines.join('\n');
}

/** One line per run of a compare with regions or shards: its outages' recovery, or its shard imbalance; [] when none has either. */
export function topologyCompareLines(labels: readonly string[], summaries: readonly Summary[]): string[] {
  const lines: string[] = [];
  summaries.forEach((s, i) => {
    const label = labels[i] ?? s.variant ?? s.scenario;
    for (const o of s.failover?.outages ?? []) {
      const recovered = o.recoveryS === null ? 'never recovered' : `recovered after ${fmt(o.recoveryS, 0)} s`;
      const moved = o.trafficMovedAtS === null ? 'traffic never moved' : `traffic moved after ${fmt(o.trafficMovedAtS - o.atS, 0)} s`;
      lines.push(`${label}: outage of ${o.region} at ${fmt(o.atS, 0)} s: ${moved}, ${recovered}, ${fmt(o.failedRequests, 0)} failed requests`);
    }
    if (s.shardImbalance !== null) {
      const missed = (s.shards ?? []).filter((b) => !b.slo.met).map((b) => b.name);
      lines.push(`${label}: shard imbalance ${fmt(s.shardImbalance, 2)}; ${missed.length === 0 ? 'every shard meets the SLO' : `SLO missed on ${missed.join(', ')}`}`);
    }
  });
  return lines;
}

/** The file name of a site's timeline: timeline-<name>.csv, with anything but letters, digits, '.', '_' and '-' replaced by '_'. */
export function siteTimelineFile(name: string): string {
  return `timeline-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`;
}
