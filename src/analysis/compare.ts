/**
 * Side-by-side comparison of runs (variants of one scenario, or several files): the
 * main figures of each summary in one row, and the best row per column.
 */
import type { Summary } from '../metrics/summary.js';
import { tidy } from '../metrics/round.js';

export interface CompareColumn {
  key: string;
  label: string;
  /** Which way is better; null for a figure that is only informative. */
  better: 'lower' | 'higher' | null;
  value(s: Summary): number | boolean | string | null;
}

/** The columns of compare.csv and the compare table, in order. */
export const COMPARE_COLUMNS: readonly CompareColumn[] = [
  { key: 'p50Ms', label: 'p50 ms', better: 'lower', value: (s) => s.latencyMs.p50 },
  { key: 'p99Ms', label: 'p99 ms', better: 'lower', value: (s) => s.latencyMs.p99 },
  { key: 'meanMs', label: 'mean ms', better: 'lower', value: (s) => s.latencyMs.mean },
  { key: 'attainment', label: 'attainment', better: 'higher', value: (s) => s.slo.attainment },
  { key: 'sloMet', label: 'SLO', better: null, value: (s) => s.slo.met },
  // which part of the SLO failed (metrics/slo.ts): latency, errors or both; null when met
  { key: 'sloFailedBy', label: 'failed by', better: null, value: (s) => s.slo.failedBy },
  { key: 'errorRate', label: 'errors', better: 'lower', value: (s) => s.slo.errorRate },
  { key: 'utilization', label: 'GPU util', better: 'higher', value: (s) => s.gpu.utilization },
  { key: 'meanBatchSize', label: 'batch', better: null, value: (s) => s.gpu.meanBatchSize },
  { key: 'replicasMean', label: 'replicas', better: null, value: (s) => s.replicas.mean },
  { key: 'replicasMax', label: 'max repl.', better: null, value: (s) => s.replicas.max },
  { key: 'coldStarts', label: 'cold starts', better: 'lower', value: (s) => s.replicas.coldStarts },
  { key: 'cacheHitRate', label: 'cache hits', better: 'higher', value: (s) => (s.cache ? s.cache.hitRate : null) },
  { key: 'costUsd', label: 'cost $', better: 'lower', value: (s) => s.cost.totalUsd },
  { key: 'monthlyUsd', label: 'monthly $', better: 'lower', value: (s) => s.cost.monthlyUsd },
  // regions: the slowest recovery over the outages (Infinity: one never recovered); null without an outage
  { key: 'recoveryS', label: 'recovery s', better: 'lower', value: recoveryS },
];

/** A part of a run's cost projected to a month at the same rate, as cost.monthlyUsd projects the total (a part of a zero total is zero). */
function monthly(s: Summary, usdInWindow: number): number {
  return s.cost.totalUsd > 0 ? tidy((usdInWindow / s.cost.totalUsd) * s.cost.monthlyUsd) : 0;
}

/**
 * The columns a comparison of several-model runs adds after COMPARE_COLUMNS (none when no run has a
 * models list, so a single-model compare.csv keeps its columns): per model, in the order first seen,
 * its p99 and its own SLO verdict (`model.<name>.p99Ms`, `model.<name>.sloMet`); then the GPUs billed
 * (mean after warmup), the monthly cost of the GPU time paid for and not computing (cost.idleGpuUsd)
 * and of the GPU time no model is charged for (sharing.idleUsd: free MIG slices, shared GPUs' idle time).
 */
export function modelCompareColumns(summaries: readonly Summary[]): CompareColumn[] {
  if (!summaries.some((s) => s.models !== undefined)) return [];
  const names: string[] = [];
  for (const s of summaries) for (const m of s.models ?? []) if (!names.includes(m.name)) names.push(m.name);
  const model = (s: Summary, name: string): NonNullable<Summary['models']>[number] | undefined => s.models?.find((m) => m.name === name);
  return [
    ...names.flatMap((n): CompareColumn[] => [
      { key: `model.${n}.p99Ms`, label: `${n} p99 ms`, better: 'lower', value: (s) => model(s, n)?.latencyMs.p99 ?? null },
      { key: `model.${n}.sloMet`, label: `${n} SLO`, better: null, value: (s) => model(s, n)?.slo.met ?? null },
    ]),
    { key: 'gpusBilled', label: 'GPUs', better: null, value: (s) => s.sharing?.gpus.mean ?? null },
    { key: 'idleMonthlyUsd', label: 'idle $/month', better: 'lower', value: (s) => (s.models !== undefined ? monthly(s, s.cost.idleGpuUsd) : null) },
    { key: 'unchargedMonthlyUsd', label: 'uncharged $/month', better: 'lower', value: (s) => (s.sharing !== undefined ? monthly(s, s.sharing.idleUsd) : null) },
  ];
}

/**
 * The columns a comparison of LLM runs adds after COMPARE_COLUMNS (none when no run has an `llm` block,
 * so a request-level compare.csv keeps its columns; there latencyMs is E2E): TTFT, TPOT, ITL and E2E
 * p99; for each SLO target, in the order first seen, the percentile measured and its verdict
 * (`slo.<metric>.<percentile>Ms`, `slo.<metric>.<percentile>Met`); goodput, tokens/s, preemptions,
 * KV-cache utilization, prefix-cache hits; GPUs per replica and in all (mean replicas × GPUs per
 * replica); cost per million tokens (input + output).
 */
export function llmCompareColumns(summaries: readonly Summary[]): CompareColumn[] {
  if (!summaries.some((s) => s.llm !== undefined)) return [];
  const targets: string[] = [];
  for (const s of summaries) for (const t of s.llm?.slo ?? []) if (!targets.includes(`${t.metric}.${t.percentile}`)) targets.push(`${t.metric}.${t.percentile}`);
  const verdict = (s: Summary, key: string): NonNullable<Summary['llm']>['slo'][number] | undefined => s.llm?.slo.find((t) => `${t.metric}.${t.percentile}` === key);
  const llm = (label: string, better: CompareColumn['better'], pick: (l: NonNullable<Summary['llm']>, s: Summary) => number, key: string): CompareColumn => ({
    key,
    label,
    better,
    value: (s) => (s.llm !== undefined ? pick(s.llm, s) : null),
  });
  return [
    llm('TTFT p99 ms', 'lower', (l) => l.ttftMs.p99, 'ttftP99Ms'),
    llm('TPOT p99 ms', 'lower', (l) => l.tpotMs.p99, 'tpotP99Ms'),
    llm('ITL p99 ms', 'lower', (l) => l.itlMs.p99, 'itlP99Ms'),
    llm('E2E p99 ms', 'lower', (l) => l.e2eMs.p99, 'e2eP99Ms'),
    ...targets.flatMap((k): CompareColumn[] => [
      { key: `slo.${k}Ms`, label: `${k.split('.')[0]!.toUpperCase()} ${k.split('.')[1]!} ms`, better: 'lower', value: (s) => verdict(s, k)?.actualMs ?? null },
      { key: `slo.${k}Met`, label: `${k.split('.')[0]!.toUpperCase()} ${k.split('.')[1]!} SLO`, better: null, value: (s) => verdict(s, k)?.met ?? null },
    ]),
    llm('goodput/s', 'higher', (l) => l.goodputRps, 'goodputRps'),
    llm('in tok/s', null, (l) => l.inputTokensPerS, 'inputTokensPerS'),
    llm('out tok/s', 'higher', (l) => l.outputTokensPerS, 'outputTokensPerS'),
    llm('preemptions', 'lower', (l) => l.preemptions, 'preemptions'),
    llm('KV mean', null, (l) => l.kvUtilization.mean, 'kvUtilizationMean'),
    llm('KV peak', null, (l) => l.kvUtilization.peak, 'kvUtilizationPeak'),
    llm('prefix hits', 'higher', (l) => l.prefixHitRate, 'prefixHitRate'),
    llm('GPUs/replica', null, (l) => l.gpusPerReplica, 'gpusPerReplica'),
    llm('GPUs', null, (l, s) => tidy(s.replicas.mean * l.gpusPerReplica), 'gpus'),
    llm('$/M tokens', 'lower', (l) => l.costPerMillionTokens, 'costPerMillionTokens'),
  ];
}

/** The columns of a comparison of these runs: COMPARE_COLUMNS, then those of several-model runs (modelCompareColumns) and of LLM runs (llmCompareColumns). */
export function compareColumns(summaries: readonly Summary[]): CompareColumn[] {
  return [...COMPARE_COLUMNS, ...modelCompareColumns(summaries), ...llmCompareColumns(summaries)];
}

function recoveryS(s: Summary): number | null {
  const outages = s.failover?.outages ?? [];
  if (outages.length === 0) return null;
  return Math.max(...outages.map((o) => o.recoveryS ?? Infinity));
}

export interface CompareRow {
  variant: string;
  values: Record<string, number | boolean | string | null>;
}

/** One row per summary, labelled; and for each column with a direction, the index of the best row (ties: the first), or null. */
export function compareRows(labels: string[], summaries: Summary[]): { rows: CompareRow[]; best: Record<string, number | null> } {
  const columns = compareColumns(summaries);
  const rows = summaries.map((s, i) => ({
    variant: labels[i]!,
    values: Object.fromEntries(columns.map((c) => [c.key, c.value(s)])),
  }));
  const best: Record<string, number | null> = {};
  for (const c of columns) {
    best[c.key] = null;
    if (c.better === null || rows.length < 2) continue;
    let bestIdx: number | null = null;
    rows.forEach((r, i) => {
      const v = r.values[c.key];
      if (typeof v !== 'number') return;
      const b = bestIdx === null ? null : rows[bestIdx]!.values[c.key];
      if (typeof b !== 'number' || (c.better === 'lower' ? v < b : v > b)) bestIdx = i;
    });
    // a column where every row is equal has no winner
    const vals = rows.map((r) => r.values[c.key]);
    best[c.key] = vals.every((v) => v === vals[0]) ? null : bestIdx;
  }
  return { rows, best };
}
