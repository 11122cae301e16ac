/** A sweep document laid out: sweep.csv and the terminal table with its ★ and closing lines. */
import { failedByText, verdictWord } from '../metrics/slo.js';
import { COST_TIE_TOLERANCE, meetsRequirement, SWEEP_METRICS, type SweepDocument, type SweepRequirement } from '../analysis/sweep.js';
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

/** sweep.csv text: one row per point held, in grid order. */
export function sweepCsv(doc: SweepDocument): string {
  const records = doc.points.map((p) => {
    const rec: Record<string, unknown> = {};
    for (const a of doc.axes) rec[a.path] = cell(p.values[a.path]);
    for (const [k, v] of Object.entries(p)) if (k !== 'values' && k !== 'runs' && k !== 'sets') rec[k] = v;
    return rec;
  });
  return recordsCsv(sweepColumns(doc.axes), records);
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
  const header = ['', ...doc.axes.map((a) => a.path), 'p99 ms', ...(interval ? ['p99 95% CI'] : []), 'attainment', 'gpu util', 'cost', 'monthly', 'SLO'];
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

/** " with 1 replica lost (N+1), GPUs ≤ 80 % busy", or "" without a requirement. */
function requirementText(req: SweepRequirement | undefined): string {
  if (req === undefined) return '';
  const parts: string[] = [];
  if (req.headroom > 0) parts.push(`with ${req.headroom} replica(s) lost (N+${req.headroom})`);
  if (req.maxUtilization !== null) parts.push(`GPUs ≤ ${pct(req.maxUtilization, 0)} busy`);
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}
