/** The percentiles a summary reports and an SLO may name, and the rounding every summary figure gets. */
import type { SloPercentile } from '../config/scenario.js';

export const PERCENTILES: readonly [SloPercentile, number][] = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
  ['p999', 0.999],
];

/** Rounds to 12 significant digits so summaries print cleanly and compare stably. */
export function tidy(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}
