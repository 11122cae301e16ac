/** A comparison laid out: compare.csv and the terminal table (the best value per column marked with *). */
import { compareColumns, compareRows, type CompareColumn, type CompareRow } from '../analysis/compare.js';
import { failedByText, type SloFailedBy } from '../metrics/slo.js';
import type { Summary } from '../metrics/summary.js';
import { recordsCsv } from './csv.js';
import { fmt, pct, usd } from './format.js';
import { colorCells, fitTable, PLAIN, wrapText, type TerminalStyle } from './table.js';

/** compare.csv: one row per run (its label, scenario and seed, then every compare column). */
export function compareCsv(rows: readonly CompareRow[], summaries: readonly Summary[]): string {
  return recordsCsv(
    ['variant', 'scenario', 'seed', ...compareColumns(summaries).map((c) => c.key)],
    rows.map((r, i) => ({ variant: r.variant, scenario: summaries[i]!.scenario, seed: summaries[i]!.seed, ...r.values })),
  );
}

/**
 * The compare table's columns in order: a single-model comparison's as ever; with several-model runs
 * first what decides between sharing modes (each model's p99 and SLO, the run's verdict, GPUs billed,
 * GPU use and cost, idle cost), then the rest.
 */
function shownColumns(summaries: readonly Summary[]): CompareColumn[] {
  const all = compareColumns(summaries);
  if (summaries.some((s) => s.llm !== undefined)) return llmShownColumns(all);
  if (!summaries.some((s) => s.models !== undefined)) return all;
  const first = ['sloMet', 'sloFailedBy', 'errorRate', 'gpusBilled', 'utilization', 'costUsd', 'monthlyUsd', 'idleMonthlyUsd', 'unchargedMonthlyUsd'];
  // one column per model: its p99 with its own verdict beside it ("3.44 met"); the CSV keeps the two apart
  const perModel = all
    .filter((c) => c.key.startsWith('model.') && c.key.endsWith('.p99Ms'))
    .map((c) => ({ ...c, label: c.label.replace(/ p99 ms$/, ' p99 ms / SLO') }));
  const sloOf = all.filter((c) => c.key.startsWith('model.') && c.key.endsWith('.sloMet'));
  const lead = first.map((k) => all.find((c) => c.key === k)!);
  const placed = new Set([...perModel, ...sloOf, ...lead].map((c) => c.key));
  return [...perModel, ...lead, ...all.filter((c) => !placed.has(c.key))];
}

/**
 * The compare table of LLM runs: what sizes the fleet (replicas, GPUs), each SLO target measured with its
 * verdict beside it ("312.74 met"), the p99 of TTFT, TPOT and E2E that no target names, the run's verdict,
 * goodput, output tokens/s, preemptions, KV peak, GPU busy share and cost (monthly, per million tokens);
 * compare.csv keeps every column.
 */
function llmShownColumns(all: CompareColumn[]): CompareColumn[] {
  const by = (k: string): CompareColumn | undefined => all.find((c) => c.key === k);
  const slos = all.filter((c) => c.key.startsWith('slo.') && c.key.endsWith('Ms')).map((c) => ({ ...c, label: `${c.label} / SLO` }));
  const p99 = ['ttft', 'tpot', 'e2e'].filter((m) => !slos.some((c) => c.key === `slo.${m}.p99Ms`)).map((m) => by(`${m}P99Ms`)!);
  const rest = ['sloMet', 'goodputRps', 'outputTokensPerS', 'preemptions', 'kvUtilizationPeak', 'utilization', 'monthlyUsd', 'costPerMillionTokens'].map((k) => by(k)!);
  return [{ ...by('replicasMean')!, label: 'replicas' }, by('gpus')!, ...slos, ...p99, ...rest];
}

/** The line an interrupted compare prints: which run stopped where (null: none was cut short) and which were not run. */
export function interruptedCompareLine(stopped: { label: string; atS: number } | null, notRun: readonly string[]): string {
  return `compare: interrupted${stopped !== null ? `; ${stopped.label} is partial (stopped at ${fmt(stopped.atS, 1)} s)` : ''}${notRun.length > 0 ? `; not run: ${notRun.join(', ')}` : ''}`;
}

/** The compare table: one row per run, the best value per column marked with *. */
export function formatCompare(labels: string[], summaries: Summary[], style: TerminalStyle = PLAIN): string {
  const { rows, best } = compareRows(labels, summaries);
  const shown = shownColumns(summaries).filter(
    (c) => (c.key !== 'cacheHitRate' || summaries.some((s) => s.cache !== null)) && (c.key !== 'recoveryS' || summaries.some((s) => (s.failover?.outages.length ?? 0) > 0)) &&
      (c.key !== 'sloFailedBy' || summaries.some((s) => !s.slo.met)),
  );
  const cell = (key: string, v: number | boolean | string | null, row: CompareRow): string => {
    if (key.startsWith('model.') && key.endsWith('.p99Ms')) {
      const met = row.values[`${key.slice(0, -'.p99Ms'.length)}.sloMet`];
      return v === null ? '–' : `${fmt(v as number, 2)} ${met === true ? 'met' : met === false ? 'MISSED' : ''}`.trimEnd();
    }
    if (key.startsWith('slo.') && key.endsWith('Ms')) {
      const met = row.values[`${key.slice(0, -'Ms'.length)}Met`];
      return v === null ? '–' : `${fmt(v as number, 2)} ${met === true ? 'met' : met === false ? 'MISSED' : ''}`.trimEnd();
    }
    if (v === null) return '–';
    if (typeof v === 'string') return key === 'sloFailedBy' ? failedByText(v as SloFailedBy) : v;
    if (key === 'recoveryS') return v === Infinity ? 'never' : fmt(v as number, 0);
    if (typeof v === 'boolean') return v ? 'met' : 'MISSED';
    if (key === 'attainment' || key === 'utilization' || key === 'cacheHitRate' || key === 'errorRate' || key === 'kvUtilizationMean' || key === 'kvUtilizationPeak' || key === 'prefixHitRate') return pct(v, key === 'errorRate' ? 2 : 1);
    if (key === 'costUsd' || key === 'monthlyUsd' || key === 'idleMonthlyUsd' || key === 'unchargedMonthlyUsd' || key === 'costPerMillionTokens') return usd(v);
    if (key === 'coldStarts' || key === 'replicasMax' || key === 'preemptions' || key === 'inputTokensPerS' || key === 'outputTokensPerS') return fmt(v, 0);
    return fmt(v, 2);
  };
  const table: string[][] = [['variant', ...shown.map((c) => c.label)]];
  rows.forEach((r, i) => {
    table.push([r.variant, ...shown.map((c) => cell(c.key, r.values[c.key]!, r) + (best[c.key] === i ? ' *' : '  '))]);
  });
  const title = `compare: ${summaries[0]?.scenario ?? ''} (seed ${summaries[0]?.seed ?? ''}, same arrivals for every run); * marks the best per column`;
  return `${wrapText(title, style.width)}\n\n${colorCells(fitTable(table, style.width, '  ', 1), style.color)}`;
}
