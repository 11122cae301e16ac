/**
 * Capacity: the most traffic a given fleet carries within its SLO (perf_analyzer's
 * `--latency-threshold` question), as the largest rate multiplier `traffic.scale` on the
 * scenario's own traffic shape (constant, schedule, diurnal, spikes, bursts or a trace) for
 * which the SLO holds. Pure search logic; the CLI runs the simulations.
 *
 *   scale 1 ──met?── yes ──► double until a miss ─┐
 *               └── no ───► halve until a met   ──┴─► bisect until (miss − met)/met ≤ tolerance
 *
 * One search per seed (each seed's capacity is a sample), so the answer comes with its spread:
 * the per-seed capacities, their mean and 95 % interval, and the lowest (holds at every seed).
 */
import type { Summary } from '../metrics/summary.js';
import { seedStats, type SeedStats } from './sweep.js';

/** One multiplier tried and whether the SLO held at it. */
export interface ScaleProbe {
  scale: number;
  met: boolean;
}

export interface ScaleSearchOptions {
  /** First multiplier tried (default 1: the file's traffic). */
  start?: number;
  /** Stop when (smallest miss − largest met) / largest met ≤ tolerance (default 0.01). */
  tolerance?: number;
  /** Give up below this multiplier: nothing meets the SLO (default 1/1024). */
  min?: number;
  /** Stop doubling above it: the fleet carries at least this much (default 1024). */
  max?: number;
}

/** The result of one search: the largest multiplier found to meet the SLO and the smallest found to miss it. */
export interface ScaleSearchResult {
  /** Largest multiplier that met the SLO; null when none down to `min` did. */
  met: number | null;
  /** Smallest multiplier that missed it; null when none up to `max` did (capacity ≥ max). */
  missed: number | null;
  probes: ScaleProbe[];
}

/**
 * A bracketing search for the largest multiplier meeting the SLO, as a state machine so that
 * several searches (one per seed) can run their simulations side by side: next() gives the next
 * multiplier to try (null when done), record() its outcome. Assumes a monotone answer (more
 * traffic never helps); the bracket keeps every met below every miss it has seen.
 */
export class ScaleSearch {
  private lo: number | null = null;
  private hi: number | null = null;
  private pending: number | null = null;
  readonly probes: ScaleProbe[] = [];
  private readonly start: number;
  private readonly tolerance: number;
  private readonly min: number;
  private readonly max: number;

  constructor(opts: ScaleSearchOptions = {}) {
    this.start = opts.start ?? 1;
    this.tolerance = opts.tolerance ?? 0.01;
    this.min = opts.min ?? 1 / 1024;
    this.max = opts.max ?? 1024;
    if (!(this.start > 0 && Number.isFinite(this.start))) throw new RangeError(`start must be a positive number (got ${this.start})`);
    if (!(this.tolerance > 0 && this.tolerance < 1)) throw new RangeError(`tolerance must be in (0, 1) (got ${this.tolerance})`);
    if (!(this.min > 0 && this.min <= this.start && this.start <= this.max)) throw new RangeError(`need 0 < min ≤ start ≤ max (got ${this.min}, ${this.start}, ${this.max})`);
  }

  /** The next multiplier to try, or null when the search is over. */
  next(): number | null {
    if (this.pending !== null) return this.pending;
    let s: number | null;
    if (this.lo === null && this.hi === null) s = this.start;
    else if (this.lo === null) s = this.hi! / 2 < this.min ? null : this.hi! / 2;
    else if (this.hi === null) s = this.lo * 2 > this.max ? null : this.lo * 2;
    else s = (this.hi - this.lo) / this.lo <= this.tolerance ? null : (this.lo + this.hi) / 2;
    this.pending = s;
    return s;
  }

  /** Records the outcome at the multiplier next() gave. */
  record(scale: number, met: boolean): void {
    if (scale !== this.pending) throw new Error(`record(${scale}) does not answer next() = ${String(this.pending)}`);
    this.pending = null;
    this.probes.push({ scale, met });
    if (met) this.lo = this.lo === null ? scale : Math.max(this.lo, scale);
    else this.hi = this.hi === null ? scale : Math.min(this.hi, scale);
  }

  get done(): boolean {
    return this.next() === null;
  }

  result(): ScaleSearchResult {
    return { met: this.lo, missed: this.hi, probes: [...this.probes] };
  }
}

/** Runs one search to the end with `meets` deciding each multiplier (sequential; the CLI interleaves seeds instead). */
export async function searchScale(meets: (scale: number) => Promise<boolean> | boolean, opts: ScaleSearchOptions = {}): Promise<ScaleSearchResult> {
  const search = new ScaleSearch(opts);
  for (let s = search.next(); s !== null; s = search.next()) search.record(s, await meets(s));
  return search.result();
}

/** The capacity over seeds: each seed's largest met multiplier, their mean with a 95 % interval, and the lowest. */
export interface CapacityEstimate {
  perSeed: (number | null)[];
  /** Mean and 95 % Student-t interval of the per-seed capacities (null when a seed met nothing). */
  stats: SeedStats | null;
  /** The lowest per-seed capacity: the multiplier that held at every seed (null when a seed met nothing). */
  everySeed: number | null;
  /** True when some seed never missed up to the search's maximum (the capacity is at least that). */
  atLeast: boolean;
}

export function capacityEstimate(results: ScaleSearchResult[]): CapacityEstimate {
  const perSeed = results.map((r) => r.met);
  const all = perSeed.every((v): v is number => v !== null);
  return {
    perSeed,
    stats: all && perSeed.length > 0 ? seedStats(perSeed as number[]) : null,
    everySeed: all && perSeed.length > 0 ? Math.min(...(perSeed as number[])) : null,
    atLeast: results.some((r) => r.missed === null && r.met !== null),
  };
}

/** capacity.json (and `capacity --format json`). */
export interface CapacityDocument {
  kind: 'infersim-capacity';
  scenario: string;
  path: 'traffic.scale';
  seeds: number[];
  tolerance: number;
  margin: number;
  maxUtilization: number | null;
  /** The largest multiplier meeting the requirement at each seed (null: none down to 1/1024). */
  perSeed: (number | null)[];
  /** Mean of perSeed with its 95 % interval (lo/hi null with one seed); null when a seed met nothing. */
  mean: number | null;
  lo: number | null;
  hi: number | null;
  /** The multiplier that held at every seed (the lowest per-seed capacity). */
  scale: number | null;
  /** True when a seed never missed up to ×1024: the capacity is at least that. */
  atLeast: boolean;
  /** The file's peak arrival rate (requests/s) and × scale; null for a trace. */
  peakRps: number | null;
  capacityPeakRps: number | null;
  /** Mean arrival rate measured after warmup at `scale` (first seed), requests/s. */
  capacityMeanRps: number | null;
  /** The summary at `scale`, first seed. */
  summary: Summary | null;
  /** Each seed's probes, in the order made. */
  probes: { seed: number; scale: number; met: boolean; p99Ms: number; utilization: number }[];
  runs: number;
  partial?: true;
}
