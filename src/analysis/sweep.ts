/**
 * Sweeps: a grid of `path=value` points, each run at several seeds, aggregated to one
 * row per point (mean and 95 % Student-t interval over seeds). Pure: the CLI runs
 * the simulations (in worker threads) and hands the summaries over; report/sweep.ts
 * lays the document out (sweep.csv, the terminal table).
 *
 *   axes ──grid.ts──► points ──(cli: runs per point × seed)──► summaries
 *        ──aggregatePoint──► PointResult ──sweepDocument──► sweep.json ──report/sweep.ts──► sweep.csv, table
 *   shard documents ──mergeSweeps──► the document an unsharded sweep would have written
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { Summary } from '../metrics/summary.js';
import { tidy } from '../metrics/round.js';
import type { SloFailedBy } from '../metrics/slo.js';
import { gridPoint, gridSize, type Axis, type GridPoint, type Shard } from './grid.js';
import { withinUtilization } from './plan.js';
import { llmCompareColumns } from './compare.js';

/** Figures aggregated over seeds, in sweep.csv column order (each followed by its Lo/Hi interval columns). */
export const SWEEP_METRICS = ['p99Ms', 'attainment', 'utilization', 'costUsd', 'monthlyUsd'] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];

/** The per-seed value of each aggregated figure. */
const PICK: Record<SweepMetric, (s: Summary) => number> = {
  p99Ms: (s) => s.latencyMs.p99,
  attainment: (s) => s.slo.attainment,
  utilization: (s) => s.gpu.utilization,
  costUsd: (s) => s.cost.totalUsd,
  monthlyUsd: (s) => s.cost.monthlyUsd,
};

/** Mean over seeds with its 95 % confidence interval; lo/hi are null with a single seed. */
export interface SeedStats {
  mean: number;
  lo: number | null;
  hi: number | null;
}

/** One grid point's row: the varied values, aggregates over seeds (flat: p99Ms, p99MsLo, p99MsHi, …) and the per-seed summaries. */
export interface PointResult {
  index: number;
  values: Record<string, unknown>;
  sets: string[];
  /** Number of seeds run. */
  seeds: number;
  seedList: number[];
  /** The SLO was met at every seed. */
  sloMet: boolean;
  seedsMet: number;
  /** Which part failed over the seeds that missed (latency, errors, both: different seeds can differ); null when met. */
  sloFailedBy: SloFailedBy | null;
  p99Ms: number;
  p99MsLo: number | null;
  p99MsHi: number | null;
  attainment: number;
  attainmentLo: number | null;
  attainmentHi: number | null;
  utilization: number;
  utilizationLo: number | null;
  utilizationHi: number | null;
  costUsd: number;
  costUsdLo: number | null;
  costUsdHi: number | null;
  monthlyUsd: number;
  monthlyUsdLo: number | null;
  monthlyUsdHi: number | null;
  /** The summary of each seed, in seed order. */
  runs: Summary[];
}

/** sweep.json: the grid, the points it holds (all of them, or one shard's), and which is the cheapest meeting the SLO. */
export interface SweepDocument {
  kind: 'infersim-sweep';
  version: 1;
  scenario: string;
  /** Scenario file name without extension: the default results folder. */
  stem: string;
  axes: Axis[];
  /** Extra `--set` overrides applied under every point. */
  sets: string[];
  /** Seeds per point (base seed = the point's scenario seed, then +1, +2 …). */
  seeds: number;
  /** Points in the whole grid. */
  pointCount: number;
  /** Set when this document holds one shard of the grid. */
  shard: Shard | null;
  /** Grid indices of the points held, ascending. */
  pointIndices: number[];
  /** True when the sweep was interrupted: some points of the grid (or shard) are missing. */
  partial: boolean;
  /**
   * Grid index of the chosen point among those held (null if none meets the SLO): the cheapest point (monthlyUsd)
   * meeting the SLO at every seed, where monthly costs within COST_TIE_TOLERANCE of the cheapest count as tied and
   * the lowest p99 among those wins (then the lower cost, then grid order). A shard's value is local: merge decides.
   */
  cheapest: number | null;
  /**
   * What ★ requires beyond the SLO (sweep --headroom / --max-utilization); absent: the SLO alone.
   * headroom k: the point with k fewer fleet.replicas (llm.replicas for an LLM scenario; same other values) met the SLO at every seed (N+k);
   * maxUtilization: GPU utilization at most that at every seed.
   */
  requirement?: SweepRequirement;
  points: PointResult[];
}

// two-sided 95 %: the 0.975 quantile of Student's t for 1..30 degrees of freedom
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/** The 0.975 quantile of Student's t with `df` ≥ 1 degrees of freedom (table to 30, Cornish–Fisher expansion beyond, error < 1e-4). */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`df must be ≥ 1 (got ${df})`);
  if (df <= 30) return T975[Math.floor(df) - 1]!;
  const z = 1.959963985;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Mean of `xs` with the 95 % Student-t interval mean ± t·sd/√n (null bounds for n = 1). */
export function seedStats(xs: number[]): SeedStats {
  if (xs.length === 0) throw new RangeError('seedStats needs at least one value');
  const m = mean(xs);
  if (xs.length < 2) return { mean: tidy(m), lo: null, hi: null };
  const half = (tQuantile975(xs.length - 1) * sampleStandardDeviation(xs)) / Math.sqrt(xs.length);
  return { mean: tidy(m), lo: tidy(m - half), hi: tidy(m + half) };
}

/** The aggregated row of `point` from its runs (one summary per seed, in seed order). */
export function aggregatePoint(point: GridPoint, runs: Summary[]): PointResult {
  if (runs.length === 0) throw new RangeError(`point ${point.index} has no runs`);
  const stats = {} as Record<SweepMetric, SeedStats>;
  for (const m of SWEEP_METRICS) stats[m] = seedStats(runs.map(PICK[m]));
  const seedsMet = runs.filter((r) => r.slo.met).length;
  const parts = new Set(runs.map((r) => r.slo.failedBy).filter((f) => f !== null));
  return {
    index: point.index,
    values: point.values,
    sets: point.sets,
    seeds: runs.length,
    seedList: runs.map((r) => r.seed),
    sloMet: seedsMet === runs.length,
    seedsMet,
    sloFailedBy: seedsMet === runs.length ? null : parts.size === 1 ? [...parts][0]! : 'both',
    p99Ms: stats.p99Ms.mean,
    p99MsLo: stats.p99Ms.lo,
    p99MsHi: stats.p99Ms.hi,
    attainment: stats.attainment.mean,
    attainmentLo: stats.attainment.lo,
    attainmentHi: stats.attainment.hi,
    utilization: stats.utilization.mean,
    utilizationLo: stats.utilization.lo,
    utilizationHi: stats.utilization.hi,
    costUsd: stats.costUsd.mean,
    costUsdLo: stats.costUsd.lo,
    costUsdHi: stats.costUsd.hi,
    monthlyUsd: stats.monthlyUsd.mean,
    monthlyUsdLo: stats.monthlyUsd.lo,
    monthlyUsdHi: stats.monthlyUsd.hi,
    runs,
  };
}

/**
 * An LLM point's figures over its seeds, under compare.csv's LLM column keys (analysis/compare.ts
 * llmCompareColumns): numbers are the mean over seeds, a verdict is true when met at every seed;
 * empty for a request-level point.
 */
export function llmPointFigures(p: PointResult): Record<string, number | boolean | null> {
  const out: Record<string, number | boolean | null> = {};
  for (const c of llmCompareColumns(p.runs)) {
    const vs = p.runs.map((r) => c.value(r));
    if (vs.every((v): v is number => typeof v === 'number')) out[c.key] = tidy(mean(vs));
    else if (vs.every((v): v is boolean => typeof v === 'boolean')) out[c.key] = vs.every((v) => v);
    else out[c.key] = null;
  }
  return out;
}

/** The `--set` list of one run: the sweep's extra sets, the point's, then its seed (so it equals `run --set … --seed`). */
export function runSets(extraSets: string[], point: GridPoint, seed: number): string[] {
  return [...extraSets, ...point.sets, `seed=${seed}`];
}

/** Monthly costs within this share of the cheapest point meeting the SLO count as tied (the lower p99 wins among them). */
export const COST_TIE_TOLERANCE = 0.01;

/**
 * Grid index of the point to choose among those meeting the SLO at every seed, or null: the cheapest (monthlyUsd),
 * except that every point within COST_TIE_TOLERANCE of the cheapest's monthly cost counts as tied with it, and the
 * lowest p99 among the tied wins (then the lower cost, then grid order): a cent saved is no reason to take 69 ms over 12.
 */
export function cheapestPoint(points: PointResult[]): number | null {
  const meeting = points.filter((p) => p.sloMet);
  if (meeting.length === 0) return null;
  const bound = Math.min(...meeting.map((p) => p.monthlyUsd)) * (1 + COST_TIE_TOLERANCE);
  let best: PointResult | null = null;
  for (const p of meeting) {
    if (p.monthlyUsd > bound) continue;
    if (
      best === null ||
      p.p99Ms < best.p99Ms ||
      (p.p99Ms === best.p99Ms && (p.monthlyUsd < best.monthlyUsd || (p.monthlyUsd === best.monthlyUsd && p.index < best.index)))
    ) {
      best = p;
    }
  }
  return best!.index;
}

/** sweep --headroom / --max-utilization. */
export interface SweepRequirement {
  headroom: number;
  maxUtilization: number | null;
}

/** Whether `p` meets the requirement among `points` (the SLO at every seed, the utilization bound, N+k). */
export function meetsRequirement(p: PointResult, points: PointResult[], req: SweepRequirement | undefined): boolean {
  if (!p.sloMet) return false;
  if (req === undefined) return true;
  if (!p.runs.every((r) => withinUtilization(r, req.maxUtilization))) return false;
  if (req.headroom > 0) {
    // the replica count varied: fleet.replicas, or llm.replicas in a sweep of an LLM scenario
    const path = 'fleet.replicas' in p.values || !('llm.replicas' in p.values) ? 'fleet.replicas' : 'llm.replicas';
    const n = p.values[path];
    if (typeof n !== 'number') return false;
    const same = (q: PointResult): boolean =>
      Object.keys(p.values).every((k) => (k === path ? q.values[k] === n - req.headroom : JSON.stringify(q.values[k]) === JSON.stringify(p.values[k])));
    const smaller = points.find(same);
    if (smaller === undefined || !smaller.sloMet) return false;
  }
  return true;
}

/** Assembles sweep.json from the finished points (sorted by grid index). */
export function sweepDocument(x: {
  scenario: string;
  stem: string;
  axes: Axis[];
  sets: string[];
  seeds: number;
  shard: Shard | null;
  partial: boolean;
  points: PointResult[];
  requirement?: SweepRequirement;
}): SweepDocument {
  const points = [...x.points].sort((a, b) => a.index - b.index);
  const req = x.requirement;
  const eligible = req === undefined ? points : points.filter((p) => meetsRequirement(p, points, req));
  return {
    kind: 'infersim-sweep',
    version: 1,
    scenario: x.scenario,
    stem: x.stem,
    axes: x.axes,
    sets: x.sets,
    seeds: x.seeds,
    pointCount: gridSize(x.axes),
    shard: x.shard,
    pointIndices: points.map((p) => p.index),
    partial: x.partial,
    cheapest: cheapestPoint(eligible),
    ...(req !== undefined ? { requirement: req } : {}),
    points,
  };
}

/** A set of sweep documents that cannot be merged (different grids, missing or conflicting points). */
export class SweepMergeError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'SweepMergeError';
  }
}

/** The grid a document describes, as a comparable key (everything but the points and how they were split). */
function gridKey(d: SweepDocument): string {
  return JSON.stringify({ scenario: d.scenario, axes: d.axes, sets: d.sets, seeds: d.seeds, pointCount: d.pointCount, requirement: d.requirement ?? null });
}

/** Without engine figures (the only part that may differ between equal runs). */
function comparable(p: PointResult): string {
  return JSON.stringify({ ...p, runs: p.runs.map((r) => ({ ...r, engine: null })) });
}

/**
 * Combines shard documents (labelled, e.g. by folder) into the document of the whole grid, as an
 * unsharded sweep would write it; throws SweepMergeError when the grids differ, a point appears twice
 * with different results, or a point is missing.
 */
export function mergeSweeps(parts: { label: string; doc: SweepDocument }[]): SweepDocument {
  if (parts.length === 0) throw new SweepMergeError(['error: merge: nothing to merge']);
  const first = parts[0]!;
  const key = gridKey(first.doc);
  const problems: string[] = [];
  for (const p of parts.slice(1)) {
    if (gridKey(p.doc) !== key) {
      problems.push(`error: ${p.label}: a different sweep than ${first.label} (scenario, --vary axes, --set or --seeds differ)`);
    }
  }
  if (problems.length > 0) throw new SweepMergeError(problems);
  const byIndex = new Map<number, { label: string; point: PointResult }>();
  for (const p of parts) {
    for (const point of p.doc.points) {
      const seen = byIndex.get(point.index);
      if (seen === undefined) byIndex.set(point.index, { label: p.label, point });
      else if (comparable(seen.point) !== comparable(point)) {
        problems.push(`error: ${p.label}: point ${point.index} (${point.sets.join(' ')}) differs from the same point in ${seen.label}`);
      }
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < first.doc.pointCount; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((i) => `${i} (${gridPoint(first.doc.axes, i).sets.join(' ')})`);
    problems.push(
      `error: merge: ${missing.length} of ${first.doc.pointCount} point(s) missing: ${shown.join(', ')}${missing.length > 10 ? ', …' : ''}` +
        ' (a shard not given, or an interrupted one)',
    );
  }
  if (problems.length > 0) throw new SweepMergeError(problems);
  return sweepDocument({
    scenario: first.doc.scenario,
    stem: first.doc.stem,
    axes: first.doc.axes,
    sets: first.doc.sets,
    seeds: first.doc.seeds,
    shard: null,
    partial: false,
    points: [...byIndex.values()].map((v) => v.point),
    ...(first.doc.requirement !== undefined ? { requirement: first.doc.requirement } : {}),
  });
}

/** Checks that parsed JSON looks like a sweep.json document; returns a problem or null. */
export function sweepDocumentProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'not a sweep.json document';
  const d = x as Partial<SweepDocument>;
  if (d.kind !== 'infersim-sweep') return 'not a sweep.json document (no "kind": "infersim-sweep")';
  if (d.version !== 1) return `sweep.json version ${String(d.version)} is not supported (expected 1)`;
  if (!Array.isArray(d.axes) || !Array.isArray(d.points) || typeof d.pointCount !== 'number') return 'sweep.json is incomplete (axes, points or pointCount missing)';
  return null;
}
