/** A sweep document laid out: sweep.csv and the terminal table with its ★ and closing lines. */
import { failedByText, verdictWord } from '../metrics/slo.js';
import { COST_TIE_TOLERANCE, llmPointFigures, meetsRequirement, SWEEP_METRICS, type PointResult, type SweepDocument, type SweepRequirement } from '../analysis/sweep.js';
import { tidy } from '../metrics/round.js';
import type { Axis } from '../analysis/grid.js';
import { recordsCsv } from './csv.js';
import { fmt, pct, usd } from './format.js';
import { alignTable, colorCells, fitTable, PLAIN, wrapText, type TerminalStyle } from './table.js';

/** sweep.csv columns: one per varied path, then each figure with its interval, sloMet and seeds. */
export function sweepColumns(axes: Axis[]): string[] {
  const cols = axes.map((a) => a.path);
  for (const m of SWEEP_METRICS) {
    cols.push(m, `${m}Lo`, `${m}Hi`);
    if (m === 'attainment') cols.push('sloMet');
  }
  cols.push('seeds', 'seedsMet', 'sloFailedBy');
  return cols;
}

/** The models of a sweep of several-model runs, in the order first seen (none for single-model runs). */
function sweepModels(doc: SweepDocument): string[] {
  const names: string[] = [];
  for (const p of doc.points) for (const r of p.runs) for (const m of r.models ?? []) if (!names.includes(m.name)) names.push(m.name);
  return names;
}

/** A point's figures for one model over its seeds: the mean p99, and whether the model met its own SLO at every seed (null: not in this point). */
function modelFigures(p: PointResult, name: string): { p99Ms: number; sloMet: boolean } | null {
  const blocks = p.runs.map((r) => r.models?.find((m) => m.name === name));
  if (blocks.some((b) => b === undefined)) return null;
  const found = blocks as NonNullable<(typeof blocks)[number]>[];
  return { p99Ms: tidy(found.reduce((a, b) => a + b.latencyMs.p99, 0) / found.length), sloMet: found.every((b) => b.slo.met) };
}

/** A point's mean GPUs billed over its seeds (summary.sharing.gpus.mean), null without a sharing block. */
function gpusBilled(p: PointResult): number | null {
  const g = p.runs.map((r) => r.sharing?.gpus.mean);
  return g.every((x): x is number => x !== undefined) ? tidy(g.reduce((a, b) => a + b, 0) / g.length) : null;
}

/**
 * sweep.csv text: one row per point held, in grid order. A sweep of several-model runs adds, after the
 * usual columns, each model's mean p99 and whether it met its own SLO at every seed (`model.<name>.p99Ms`,
 * `model.<name>.sloMet`) and the GPUs billed (`gpusBilled`); the run's `sloMet` is every model meeting its own.
 */
export function sweepCsv(doc: SweepDocument): string {
  const models = sweepModels(doc);
  const llm = llmColumns(doc);
  const extra = [...(models.length === 0 ? [] : [...models.flatMap((n) => [`model.${n}.p99Ms`, `model.${n}.sloMet`]), 'gpusBilled']), ...llm];
  const records = doc.points.map((p) => {
    const rec: Record<string, unknown> = {};
    for (const a of doc.axes) rec[a.path] = cell(p.values[a.path]);
    for (const [k, v] of Object.entries(p)) if (k !== 'values' && k !== 'runs' && k !== 'sets') rec[k] = v;
    for (const n of models) {
      const f = modelFigures(p, n);
      rec[`model.${n}.p99Ms`] = f?.p99Ms ?? null;
      rec[`model.${n}.sloMet`] = f?.sloMet ?? null;
    }
    if (models.length > 0) rec['gpusBilled'] = gpusBilled(p);
    if (llm.length > 0) Object.assign(rec, llmPointFigures(p));
    return rec;
  });
  return recordsCsv([...sweepColumns(doc.axes), ...extra], records);
}

/**
 * The LLM columns of a sweep of LLM runs, after the usual ones (compare.csv's LLM columns, over seeds:
 * analysis/sweep.ts llmPointFigures), in the order first seen; none for request-level runs.
 */
function llmColumns(doc: SweepDocument): string[] {
  const keys: string[] = [];
  for (const p of doc.points) for (const k of Object.keys(llmPointFigures(p))) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** A varied value as a CSV or table cell: scalars as written, anything else as JSON. */
function cell(v: unknown): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/**
 * The terminal table of a sweep: one line per point, ★ on the chosen point (cheapestPoint), and closing lines saying
 * which and by what rule. A shard's table stars nothing: its local choice is not the sweep's answer.
 */
export function formatSweepTable(doc: SweepDocument, style: TerminalStyle = PLAIN): string {
  const lines: string[] = [];
  const what = doc.shard ? `, shard ${doc.shard.index}/${doc.shard.count}` : '';
  lines.push(
    `sweep: ${doc.scenario} — ${doc.points.length} of ${doc.pointCount} point(s)${what}, ${doc.seeds} seed(s) each${doc.partial ? ' (INTERRUPTED: partial)' : ''}`,
  );
  lines.push('');
  const interval = doc.seeds > 1;
  // several-model runs: each model's p99 and own verdict, and the GPUs billed, before the run's verdict
  const models = sweepModels(doc);
  const perModel = models.length === 0 ? [] : [...models.map((n) => `${n} p99 ms / SLO`), 'GPUs'];
  // LLM runs: each SLO target's mean figure with its verdict at every seed, and the GPUs (the p99 column is E2E)
  const llmSlos = llmColumns(doc).filter((k) => k.startsWith('slo.') && k.endsWith('Ms'));
  const perLlm = !doc.points.some((p) => p.runs.some((r) => r.llm !== undefined)) ? [] : [...llmSlos.map((k) => `${k.slice(4, -2).replace('.', ' ').replace(/^\w+/, (m) => m.toUpperCase())} ms / SLO`), 'GPUs', '$/M tok'];
  const header = ['', ...doc.axes.map((a) => a.path), perLlm.length > 0 ? 'E2E p99 ms' : 'p99 ms', ...(interval ? ['p99 95% CI'] : []), 'attainment', 'gpu util', 'cost', 'monthly', ...perModel, ...perLlm, 'SLO'];
  const rows: string[][] = [header];
  for (const p of doc.points) {
    const why = p.sloFailedBy === null ? '' : failedByText(p.sloFailedBy);
    const slo = p.sloMet ? 'met' : p.seedsMet > 0 ? `missed (${why}; ${p.seedsMet}/${p.seeds} seeds met)` : verdictWord({ met: false, failedBy: p.sloFailedBy });
    rows.push([
      p.index === doc.cheapest && !doc.shard ? '★' : '',
      ...doc.axes.map((a) => String(cell(p.values[a.path]))),
      fmt(p.p99Ms, 2),
      ...(interval ? [p.p99MsLo === null || p.p99MsHi === null ? '' : `${fmt(p.p99MsLo, 2)}–${fmt(p.p99MsHi, 2)}`] : []),
      pct(p.attainment, 2),
      pct(p.utilization, 1),
      usd(p.costUsd),
      usd(p.monthlyUsd),
      ...(models.length === 0
        ? []
        : [
            ...models.map((n) => {
              const f = modelFigures(p, n);
              return f === null ? '–' : `${fmt(f.p99Ms, 2)} ${f.sloMet ? 'met' : 'MISSED'}`;
            }),
            fmt(gpusBilled(p) ?? 0, 2),
          ]),
      ...(perLlm.length === 0 ? [] : llmCells(p, llmSlos)),
      slo,
    ]);
  }
  // narrow: leave out the run's cost (the monthly projection, what ★ compares, stays) before stacking column blocks
  const costCol = header.indexOf('cost');
  const tooWide = alignTable(rows, '  ').split('\n').some((l) => l.length > style.width);
  const fitted = tooWide ? rows.map((r) => r.filter((_c, i) => i !== costCol)) : rows;
  const table = colorCells(fitTable(fitted, style.width, '  ', 1 + doc.axes.length), style.color);
  const head = wrapText(lines.splice(0, lines.length).join('\n'), style.width);
  lines.push('');
  const best = doc.shard ? undefined : doc.points.find((p) => p.index === doc.cheapest);
  const meeting = doc.points.filter((p) => meetsRequirement(p, doc.points, doc.requirement));
  if (best) {
    const where = best.sets.length > 0 ? best.sets.join(' ') : '(the file as it is)';
    const free = doc.points.every((p) => p.monthlyUsd === 0);
    const cheapest = Math.min(...meeting.map((p) => p.monthlyUsd));
    const what = free
      ? 'lowest p99 among the points meeting the SLO (no GPU price set: every point costs $0)'
      : best.monthlyUsd === cheapest
        ? 'cheapest point meeting the SLO'
        : `lowest p99 among the points meeting the SLO within ${pct(COST_TIE_TOLERANCE, 0)} of the cheapest's ${usd(cheapest)}/month`;
    lines.push(`★ ${what}${requirementText(doc.requirement)}: ${where} — p99 ${fmt(best.p99Ms, 2)} ms, ${usd(best.monthlyUsd)}/month`);
    lines.push(
      `  rule: among the points meeting the SLO at every seed, monthly costs within ${pct(COST_TIE_TOLERANCE, 0)} of the cheapest count as tied; ` +
        'the lowest p99 among them wins (then the lower cost, then grid order)',
    );
  } else if (doc.points.length > 0 && (meeting.length === 0 || !doc.shard)) {
    lines.push(`no point${doc.shard ? ' of this shard' : ''} meets the SLO at every seed${requirementText(doc.requirement)}`);
  }
  if (doc.shard) {
    if (meeting.length > 0) lines.push(`${meeting.length} point(s) of this shard meet the SLO at every seed; no star: the choice is made over the whole grid`);
    lines.push(`shard ${doc.shard.index}/${doc.shard.count}: combine the shards' folders with \`infersim merge DIR... --out DIR\``);
  }
  return `${head}\n${table}\n${colorCells(wrapText(lines.join('\n'), style.width), style.color)}`;
}

/** An LLM point's table cells: each SLO target's mean figure with its verdict ("312.74 met"), the GPUs and the cost per million tokens. */
function llmCells(p: PointResult, slos: string[]): string[] {
  const f = llmPointFigures(p);
  const num = (k: string): number | null => (typeof f[k] === 'number' ? f[k] : null);
  return [
    ...slos.map((k) => {
      const v = num(k);
      const met = f[`${k.slice(0, -2)}Met`];
      return v === null ? '–' : `${fmt(v, 2)} ${met === true ? 'met' : 'MISSED'}`;
    }),
    fmt(num('gpus') ?? 0, 2),
    usd(num('costPerMillionTokens') ?? 0),
  ];
}

/** " with 1 replica lost (N+1), GPUs ≤ 80 % busy", or "" without a requirement. */
function requirementText(req: SweepRequirement | undefined): string {
  if (req === undefined) return '';
  const parts: string[] = [];
  if (req.headroom > 0) parts.push(`with ${req.headroom} replica(s) lost (N+${req.headroom})`);
  if (req.maxUtilization !== null) parts.push(`GPUs ≤ ${pct(req.maxUtilization, 0)} busy`);
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}
