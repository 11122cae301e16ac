/**
 * Batch latency: the model's table (batch size → seconds), linear between points and
 * extrapolated from the last two beyond the largest, times a variability factor of
 * mean 1 drawn per batch from the "service" stream.
 */
import type { RandomStream } from '../engine/rng.js';
import type { LatencyTable, Variability } from '../config/scenario.js';

/** Mean batch latency in seconds for a batch of `n` by linear interpolation of `table`. */
export function interpolateLatencyS(table: LatencyTable, n: number): number {
  const b = table.batch;
  const l = table.latencyS;
  if (b.length === 1) return l[0]!; // one point: the same latency at every batch size
  if (n <= b[0]!) {
    // below the first point: follow the first segment, but never faster per request than the first point
    // (a steep first segment would otherwise reach ~0 s and infinite throughput)
    const slope = (l[1]! - l[0]!) / (b[1]! - b[0]!);
    return Math.max(l[0]! - slope * (b[0]! - n), (l[0]! * n) / b[0]!);
  }
  for (let i = 1; i < b.length; i++) {
    if (n <= b[i]!) {
      const f = (n - b[i - 1]!) / (b[i]! - b[i - 1]!);
      return l[i - 1]! + f * (l[i]! - l[i - 1]!);
    }
  }
  const k = b.length - 1;
  const slope = (l[k]! - l[k - 1]!) / (b[k]! - b[k - 1]!);
  return l[k]! + slope * (n - b[k]!);
}

export class LatencyModel {
  /** Mean latency by batch size, index 0 unused. */
  readonly meanS: Float64Array;
  /** Highest throughput the hardware reaches on the table (requests/s), for effective utilization. */
  readonly peakRps: number;
  private readonly sigma: number;
  private readonly mu: number;
  private readonly shape: number;
  // perf: a small int instead of a string switch on every batch
  private readonly dist: number;

  /** Precomputes latencies for batches 1..maxBatch. */
  constructor(table: LatencyTable, readonly maxBatch: number, variability: Variability) {
    this.meanS = new Float64Array(maxBatch + 1);
    let peak = 0;
    for (let n = 1; n <= maxBatch; n++) {
      const s = interpolateLatencyS(table, n);
      this.meanS[n] = s;
      if (n / s > peak) peak = n / s;
    }
    for (let i = 0; i < table.batch.length; i++) {
      const r = table.batch[i]! / table.latencyS[i]!;
      if (r > peak) peak = r;
    }
    this.peakRps = peak;
    const cv = variability.cv;
    this.sigma = Math.sqrt(Math.log(1 + cv * cv));
    this.mu = -0.5 * this.sigma * this.sigma;
    this.shape = cv > 0 ? 1 / (cv * cv) : 0;
    // gamma with cv 0 (or so small that 1/cv² overflows) is deterministic: drawing with that shape gives NaN
    this.dist = variability.dist === 'gamma' && !(1 / (cv * cv) < Infinity) ? 0 : ['deterministic', 'exponential', 'lognormal', 'gamma'].indexOf(variability.dist);
  }

  /** One batch's latency in seconds for a batch of n (1 ≤ n ≤ maxBatch). */
  sample(n: number, rng: RandomStream): number {
    const mean = this.meanS[n]!;
    const dist = this.dist;
    if (dist === 0) return mean;
    if (dist === 1) return mean * rng.exp1();
    if (dist === 2) return mean * Math.exp(this.mu + this.sigma * rng.normal());
    return (mean * rng.gamma(this.shape)) / this.shape;
  }
}
