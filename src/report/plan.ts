/** The terminal answer of `infersim plan`. */
import type { PlanDocument, Probe } from '../analysis/plan.js';
import type { Summary } from '../metrics/summary.js';
import type { Scenario } from '../config/scenario.js';
import { fmt, pct, usd } from './format.js';
import { alignTable } from './table.js';

/** The ordered candidates of a plan search, as the table names them. */
export interface PlanCandidates {
  count: number;
  text(i: number): string;
  describe: string;
}

/** What the plan was asked: seeds per candidate, the latency margin, the utilization bound and N+k. */
export interface PlanTableOptions {
  seeds: number;
  margin: number;
  maxUtilization?: number;
  headroom?: number;
}

function targetText(sc: Scenario, margin: number): string {
  // several models: each model's own SLO ("bert: p99 ≤ 30 ms; resnet: …"), all of which must hold
  if (sc.topology?.kind === 'models') {
    return sc.topology.models.map((m) => `${m.name}: ${sloText(m.slo ?? sc.slo, margin) || 'none'}`).join('; ');
  }
  return sloText(sc.slo, margin);
}

function sloText(slo: Scenario['slo'], margin: number): string {
  const parts: string[] = [];
  for (const [p, s] of Object.entries(slo.latencyS)) {
    const ms = s * 1e3;
    parts.push(`${p} ≤ ${fmt(ms, 2)} ms${margin > 0 ? ` (${fmt(ms * (1 - margin), 2)} ms with the margin)` : ''}`);
  }
  if (slo.maxErrorRate !== null) parts.push(`error rate ≤ ${pct(slo.maxErrorRate, 3)}`);
  return parts.join(', ');
}

/** The terminal answer of `infersim plan`: the requirement, the answer and its figures, the analytic estimate, what was tried. */
export function formatPlan(
  sc: Scenario,
  find: string,
  cands: PlanCandidates,
  o: PlanTableOptions,
  doc: PlanDocument & { partial?: true },
  probes: readonly Probe[],
  evaluations: ReadonlyMap<number, { summaries: Summary[] }>,
): string {
  const lines: string[] = [];
  lines.push(`plan: ${sc.name} — smallest ${find} in ${cands.describe} meeting the SLO at every one of ${o.seeds} seed(s)${doc.partial ? ' (INTERRUPTED)' : ''}`);
  lines.push(`  SLO: ${targetText(sc, o.margin)}`);
  if (o.maxUtilization !== undefined) lines.push(`  and GPU utilization ≤ ${pct(o.maxUtilization)} at every seed`);
  if ((o.headroom ?? 0) > 0) lines.push(`  with ${o.headroom} replica(s) lost (N+${o.headroom})`);
  lines.push('');
  const rows: string[][] = [];
  if (doc.summary !== null) {
    const s = doc.summary;
    rows.push(['answer', `${find} = ${String(doc.value)}`]);
    if (doc.headroom !== undefined) {
      rows.push(['', `${String(doc.headroom.minimumMeeting)} meet(s) it; + ${doc.headroom.replicasLost} to lose = ${String(doc.value)}; figures below are for ${String(doc.value)}`]);
    }
    rows.push(['', `p99 ${fmt(s.latencyMs.p99, 2)} ms, attainment ${pct(s.slo.attainment, 2)}, gpu util ${pct(s.gpu.utilization)} (seed ${s.seed})`]);
    rows.push([
      'cost',
      sc.cost.gpuHourlyUsd === null && s.cost.monthlyUsd === 0
        ? 'n/a (no GPU price: set fleet.gpu from the catalog or cost.gpuHourly)'
        : `${usd(s.cost.monthlyUsd)}/month (${usd(s.cost.totalUsd)} for the ${fmt(s.simulatedSeconds, 0)} s simulated)`,
    ]);
  } else {
    const sorted = [...probes].sort((a, b) => a.index - b.index);
    const largest = sorted[sorted.length - 1];
    const worst = largest === undefined ? '' : ` — even ${find} = ${cands.text(largest.index)} gives p99 ${fmt(evaluations.get(largest.index)!.summaries[0]!.latencyMs.p99, 2)} ms`;
    rows.push(['answer', `none${doc.partial ? ' found before the interruption' : ` in ${cands.describe}`}${worst}`]);
  }
  const a = doc.analytic;
  if (a !== null) {
    rows.push([
      'analytic',
      `${a.replicas} replica(s): textbook rule, peak ${fmt(a.peakRps, 1)} rps / (${pct(a.targetUtilization, 0)} × ${fmt(a.perReplicaRps, 1)} rps per replica at batch ${a.batch} in ${fmt(a.batchLatencyMs, 3)} ms)` +
        (a.erlangCReplicas !== null ? `; Erlang C (M/M/c, p99): ${a.erlangCReplicas}` : '') +
        (a.replicasBehindCache !== null && a.cacheHitRate !== null ? `; behind the cache (hit rate ${pct(a.cacheHitRate)} estimated by Che's approximation): ${a.replicasBehindCache}` : ''),
    ]);
  } else if (find === 'fleet.replicas') {
    rows.push(['analytic', 'n/a (trace replay or no traffic)']);
  }
  const tried = [...probes]
    .sort((x, y) => x.index - y.index)
    .map((p) => `${cands.text(p.index)} ${p.met ? '✓' : '✗'}`)
    .join(', ');
  rows.push(['tried', tried === '' ? '(nothing)' : tried]);
  rows.push(['runs', `${doc.runs} simulation(s) (${probes.length} value(s) × ${o.seeds} seed(s)); the full grid would take ${cands.count * o.seeds}`]);
  lines.push(alignTable(rows, '  '));
  return lines.join('\n');
}

/** The log line of one candidate (`candidate` as path=value) over its seeds: met or missed, the worst p99 and, with a bound, the busiest GPUs. */
export function planProbeLine(candidate: string, met: boolean, summaries: readonly Summary[], maxUtilization: number | undefined): string {
  const busiest = Math.max(...summaries.map((s) => s.gpu.utilization));
  const utilNote = maxUtilization !== undefined ? `, GPUs ${pct(busiest)} busy at most (max ${pct(maxUtilization)})` : '';
  return `plan: ${candidate} ${met ? 'meets' : 'misses'} the ${maxUtilization !== undefined ? 'requirement' : 'SLO'} (p99 ${fmt(Math.max(...summaries.map((s) => s.latencyMs.p99)), 2)} ms at worst over ${summaries.length} seed(s)${utilNote})`;
}
