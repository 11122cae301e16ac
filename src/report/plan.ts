/** The terminal answer of `infersim plan`. */
import type { PlanDocument, Probe } from '../analysis/plan.js';
import { COST_TIE_TOLERANCE } from '../analysis/sweep.js';
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
  // an LLM run: each SLO target's figure at worst (the request latency, E2E, may have no target)
  const targets = summaries[0]?.llm?.slo ?? [];
  const figures =
    targets.length > 0
      ? targets.map((t, k) => `${t.metric} ${t.percentile} ${fmt(Math.max(...summaries.map((s) => s.llm?.slo[k]?.actualMs ?? 0)), 2)} ms`).join(', ')
      : `p99 ${fmt(Math.max(...summaries.map((s) => s.latencyMs.p99)), 2)} ms`;
  return `plan: ${candidate} ${met ? 'meets' : 'misses'} the ${maxUtilization !== undefined ? 'requirement' : 'SLO'} (${figures} at worst over ${summaries.length} seed(s)${utilNote})`;
}

/** What the terminal answer of an LLM plan shows (cli/plan.ts planLlmInto). */
export interface LlmPlanView {
  name: string;
  find: string;
  candidates: string;
  seeds: number;
  margin: number;
  maxUtilization?: number;
  /** N+k: each configuration's answer is its smallest count meeting + headroom. */
  headroom?: number;
  partial: boolean;
  /** Each configuration searched: its --vary sets, its answer (null: none in range), the first seed's summary there, the values tried. */
  configurations: { sets: string[]; value: unknown; summary: Summary | null; probes: { text: string; met: boolean }[] }[];
  /** Index of the cheapest configuration meeting the SLO, null when none does. */
  chosen: number | null;
  runs: number;
  fullGrid: number;
}

/** The terminal answer of `infersim plan` on an LLM scenario: the SLO, one row per configuration (★ the cheapest), the answer, what was tried. */
export function formatLlmPlan(v: LlmPlanView): string {
  const first = v.configurations.find((c) => c.summary !== null)?.summary ?? null;
  const slo = (first?.llm?.slo ?? [])
    .map((t) => `${t.metric} ${t.percentile} ≤ ${fmt(t.targetMs, 2)} ms${v.margin > 0 ? ` (${fmt(t.targetMs * (1 - v.margin), 2)} ms with the margin)` : ''}`)
    .join(', ');
  const several = v.configurations.length > 1;
  const lines: string[] = [
    `plan: ${v.name} — smallest ${v.find} in ${v.candidates} meeting every SLO at every one of ${v.seeds} seed(s)${several ? `, for each of ${v.configurations.length} configurations; the cheapest wins` : ''}${v.partial ? ' (INTERRUPTED)' : ''}`,
    `  SLO: ${slo || '(see the scenario: no configuration met it)'}`,
  ];
  if (v.maxUtilization !== undefined) lines.push(`  and GPU utilization ≤ ${pct(v.maxUtilization)} at every seed`);
  if ((v.headroom ?? 0) > 0) lines.push(`  with ${v.headroom} replica(s) lost (N+${v.headroom}): each answer is the smallest count meeting + ${v.headroom}, its figures that fleet's`);
  lines.push('');
  const targets = (first?.llm?.slo ?? []).map((t) => `${t.metric}.${t.percentile}`);
  const rows: string[][] = [['', ...(several ? ['configuration'] : []), v.find, ...targets.map((k) => `${k.replace('.', ' ')} ms`), 'GPUs', 'monthly', '$/M tok', 'tried']];
  v.configurations.forEach((c, k) => {
    const s = c.summary;
    const tried = c.probes.map((p) => `${p.text} ${p.met ? '✓' : '✗'}`).join(', ');
    rows.push([
      k === v.chosen ? '★' : '',
      ...(several ? [c.sets.join(' ')] : []),
      c.value === null ? 'none' : String(c.value),
      ...targets.map((key) => {
        const t = s?.llm?.slo.find((x) => `${x.metric}.${x.percentile}` === key);
        return t === undefined ? '–' : fmt(t.actualMs, 2);
      }),
      s === null || s.llm === undefined ? '–' : fmt(s.replicas.mean * s.llm.gpusPerReplica, 2),
      s === null ? '–' : usd(s.cost.monthlyUsd),
      s === null || s.llm === undefined ? '–' : usd(s.llm.costPerMillionTokens),
      tried,
    ]);
  });
  lines.push(alignTable(rows, '  '));
  lines.push('');
  const c = v.chosen === null ? null : v.configurations[v.chosen]!;
  if (c === null || c.summary === null) lines.push(`answer: none${v.partial ? ' found before the interruption' : ` in ${v.candidates}`}`);
  else {
    lines.push(`answer: ${[...c.sets, `${v.find}=${String(c.value)}`].join(' ')} — ${usd(c.summary.cost.monthlyUsd)}/month (seed ${c.summary.seed})`);
    if (several) lines.push(`  rule: the cheapest configuration meeting every SLO at every seed; monthly costs within ${pct(COST_TIE_TOLERANCE, 0)} count as tied and the lowest E2E p99 among them wins (as sweep's ★)`);
  }
  lines.push(`runs: ${v.runs} simulation(s); the full grid would take ${v.fullGrid}`);
  return lines.join('\n');
}
