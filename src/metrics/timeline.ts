/**
 * The timeline: one row per report interval. Columns are defined here once; a cell
 * that does not apply is NaN in memory and an empty cell in CSV.
 */
export const TIMELINE_COLUMNS = [
  'timeS',
  'arrivals',
  'completed',
  'rejected',
  'timedOut',
  'p50Ms',
  'p99Ms',
  'meanBatchSize',
  'replicasReady',
  'replicasStarting',
  'replicasDesired',
  'queueDepth',
  'gpuUtilization',
  'cacheHitRate',
  'cacheMissRate',
  'featureStoreUtilization',
  'costUsd',
] as const;

export type TimelineColumn = (typeof TIMELINE_COLUMNS)[number];

/** Rows of numbers keyed by column; memory grows with intervals, never with requests. */
export class Timeline {
  readonly columns: readonly TimelineColumn[] = TIMELINE_COLUMNS;
  readonly rows: Float64Array[] = [];

  /** Appends a row; columns missing from `values` are NaN (not applicable). */
  add(values: Partial<Record<TimelineColumn, number>>): void {
    const row = new Float64Array(this.columns.length).fill(NaN);
    this.columns.forEach((c, i) => {
      const v = values[c];
      if (v !== undefined) row[i] = v;
    });
    this.rows.push(row);
  }

  /** The values of one column, row by row. */
  column(name: TimelineColumn): number[] {
    const i = this.columns.indexOf(name);
    return this.rows.map((r) => r[i]!);
  }
}
