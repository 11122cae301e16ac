/**
 * Batch latency: the model's table (batch size → seconds), linear between points and
 * extrapolated from the last two beyond the largest, times a variability factor of
 * mean 1 drawn per batch from the "service" stream (MeanOneNoise, which the feature
 * store's service times use too), and the instance-sharing law σ(m) by which m model
 * instances on one GPU together outrun one.
 */
import type { RandomStream } from '../engine/rng.js';
import type { LatencyTable, Variability, VariabilityDist } from '../config/scenario.js';

/**
 * σ(m) = 1 + overlap·(m − 1): the throughput of m model instances running batches on one GPU
 * at once, in units of one instance's (each of the m batches advances at σ(m)/m). `overlap`
 * is the gain per extra instance (0: they only take turns, 1: they scale perfectly).
 */
export function sharingSpeedup(overlap: number, m: number): number {
  return 1 + overlap * (m - 1);
}

/** σ of the normal under a lognormal of mean 1 and coefficient of variation `cv`: √ln(1 + cv²). */
export function lognormalSigma(cv: number): number {
  return Math.sqrt(Math.log(1 + cv * cv));
}

/** A lognormal draw of mean `mean` whose normal has standard deviation `sigma` (lognormalSigma): mean·exp(−σ²/2 + σZ). */
export function lognormalDraw(mean: number, sigma: number, rng: RandomStream): number {
  return mean * Math.exp(-0.5 * sigma * sigma + sigma * rng.normal());
}

const NOISE_DISTS: readonly VariabilityDist[] = ['deterministic', 'exponential', 'lognormal', 'gamma'];

/**
 * The variability of a service time: a mean times a random factor of mean 1 and coefficient of
 * variation cv (deterministic: 1; exponential: cv 1; lognormal: exp(−σ²/2 + σZ), σ = lognormalSigma(cv);
 * gamma: Gamma(k)/k, k = 1/cv²). A lognormal or gamma with cv 0 (or so small that 1/cv² overflows)
 * is deterministic and draws nothing: a gamma of infinite shape would draw NaN.
 */
export class MeanOneNoise {
  // perf: a small int instead of a string switch on every draw
  private readonly kind: number;
  private readonly sigma: number;
  private readonly shape: number;

  constructor(variability: Variability) {
    const { dist, cv } = variability;
    const kind = NOISE_DISTS.indexOf(dist);
    if (kind < 0) throw new RangeError(`unknown service-time distribution ${String(dist)}`);
    this.kind = (kind === 2 || kind === 3) && !(1 / (cv * cv) < Infinity) ? 0 : kind;
    this.sigma = lognormalSigma(cv);
    this.shape = cv > 0 ? 1 / (cv * cv) : 0;
  }

  /** `mean` times one draw of the factor, from `rng`. */
  scale(mean: number, rng: RandomStream): number {
    const kind = this.kind;
    if (kind === 0) return mean;
    if (kind === 1) return mean * rng.exp1();
    if (kind === 2) return lognormalDraw(mean, this.sigma, rng);
    return (mean * rng.gamma(this.shape)) / this.shape;
  }
}

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
  private readonly noise: MeanOneNoise;

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
    this.noise = new MeanOneNoise(variability);
  }

  /** One batch's latency in seconds for a batch of n (1 ≤ n ≤ maxBatch). */
  sample(n: number, rng: RandomStream): number {
    return this.noise.scale(this.meanS[n]!, rng);
  }
}
