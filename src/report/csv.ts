/** CSV renderings: the timeline (contract columns) and generic tables of records. */
import { stringify } from 'csv-stringify/sync';
import type { Timeline } from '../metrics/timeline.js';

/** Formats a number for CSV: empty for NaN (not applicable), up to 6 decimals otherwise. */
export function csvNumber(v: number): string {
  if (v !== v) return '';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(6)));
}

/** The timeline as CSV text, one row per report interval, header first. */
export function timelineCsv(timeline: Timeline): string {
  const rows: string[][] = [Array.from(timeline.columns)];
  for (const r of timeline.rows) rows.push(Array.from(r, csvNumber));
  return stringify(rows);
}

/** Records as CSV with the given columns (missing or null values are empty cells). */
export function recordsCsv(columns: string[], records: Record<string, unknown>[]): string {
  const rows: string[][] = [columns];
  for (const rec of records) {
    rows.push(
      columns.map((c) => {
        const v = rec[c];
        if (v === null || v === undefined) return '';
        if (typeof v === 'number') return csvNumber(v);
        return String(v);
      }),
    );
  }
  return stringify(rows);
}
