/**
 * Streaming log-linear histogram of positive values (latencies in seconds).
 *
 * Bucket = (binary exponent, top SUB_BITS bits of the mantissa), read straight from
 * the IEEE-754 bits: each octave is split into 512 equal buckets, so a bucket's
 * relative width is ≤ 2^-9 and its midpoint is within 0.098 % of any value in it.
 * Memory is fixed (about 180 KB) whatever the number of values, and recording is a
 * few integer operations. A quantile is the nearest-rank value: the smallest
 * recorded value v with at least ceil(p·n) values ≤ v, to within the bucket error,
 * and clamped to the exact min and max.
 */
const SUB_BITS = 9;
const SUBS = 1 << SUB_BITS;
// 2^-30 s (~1 ns) .. 2^24 s (~194 days): anything outside is clamped to the end buckets.
const EXP_MIN = 1023 - 30;
const EXP_MAX = 1023 + 24;
const BUCKETS = (EXP_MAX - EXP_MIN + 1) * SUBS;

// perf: one shared scratch view to read a double's bits without allocating.
const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word

function bucketOf(v: number): number {
  scratchF64[0] = v;
  const hi = scratchU32[HI]!;
  const exp = (hi >>> 20) & 0x7ff;
  if (exp < EXP_MIN) return 0;
  if (exp > EXP_MAX) return BUCKETS - 1;
  return (exp - EXP_MIN) * SUBS + ((hi >>> (20 - SUB_BITS)) & (SUBS - 1));
}

function bucketMid(b: number): number {
  const exp = Math.floor(b / SUBS) + EXP_MIN - 1023;
  const sub = b % SUBS;
  return Math.pow(2, exp) * (1 + (sub + 0.5) / SUBS);
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private lo = BUCKETS;
  private hi = -1;
  /** Number of recorded values. */
  count = 0;
  /** Sum of recorded values (for the exact mean). */
  sum = 0;
  min = Infinity;
  max = -Infinity;

  /** Records one value (≤ 0 is recorded in the lowest bucket; min/mean stay exact). */
  record(v: number): void {
    const b = v > 0 ? bucketOf(v) : 0;
    this.counts[b]!++;
    if (b < this.lo) this.lo = b;
    if (b > this.hi) this.hi = b;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Mean of recorded values, NaN when empty. */
  mean(): number {
    return this.count > 0 ? this.sum / this.count : NaN;
  }

  /** Nearest-rank p-quantile (0 < p ≤ 1) within 0.1 % relative error; NaN when empty. */
  quantile(p: number): number {
    if (this.count === 0) return NaN;
    return this.atRank(Math.max(1, Math.ceil(p * this.count - 1e-9)));
  }

  /** The `rank`-th smallest recorded value (1 ≤ rank ≤ count; beyond count: the max) within 0.1 %; NaN when empty. */
  atRank(rank: number): number {
    if (this.count === 0) return NaN;
    if (rank >= this.count) return this.max;
    let seen = 0;
    const counts = this.counts;
    for (let b = this.lo; b <= this.hi; b++) {
      seen += counts[b]!;
      if (seen >= rank) {
        const v = bucketMid(b);
        return v < this.min ? this.min : v > this.max ? this.max : v;
      }
    }
    return this.max;
  }

  /** Share of recorded values ≤ x (to bucket resolution); NaN when empty. */
  fractionAtOrBelow(x: number): number {
    if (this.count === 0) return NaN;
    if (x >= this.max) return 1;
    if (x < this.min) return 0;
    const bx = bucketOf(x);
    let seen = 0;
    for (let b = this.lo; b < bx && b <= this.hi; b++) seen += this.counts[b]!;
    // the bucket holding x: count it as below when x is past its midpoint
    if (x >= bucketMid(bx)) seen += this.counts[bx]!;
    return seen / this.count;
  }

  /** Adds (sign 1) or removes (sign −1) every value of `other`; min and max are left to the caller when removing. */
  absorb(other: Histogram, sign: 1 | -1): void {
    if (other.count === 0) return;
    const counts = this.counts;
    const src = other.counts;
    for (let b = other.lo; b <= other.hi; b++) counts[b]! += sign * src[b]!;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
    this.count += sign * other.count;
    this.sum += sign * other.sum;
    if (sign === 1) {
      if (other.min < this.min) this.min = other.min;
      if (other.max > this.max) this.max = other.max;
    }
  }

  /** Sets the exact extremes (after absorb with sign −1). */
  setExtremes(min: number, max: number): void {
    this.min = min;
    this.max = max;
  }

  /** Empties the histogram; cost proportional to the range of buckets used. */
  reset(): void {
    if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = BUCKETS;
    this.hi = -1;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

/** The latency distribution a report draws: quantiles (ms) at increasing probabilities, the tail finely. */
export interface LatencyCdf {
  /** Probabilities, increasing, below 1. */
  p: number[];
  /** The nearest-rank quantile at each, in milliseconds. */
  ms: number[];
}

/** Probabilities of cdfPoints: every 1 % to 99 %, then 99.1 … 99.9 %, 99.91 … 99.99 %. */
const CDF_PROBABILITIES: number[] = (() => {
  const ps: number[] = [0.001, 0.005];
  for (let i = 1; i <= 99; i++) ps.push(i / 100);
  for (let i = 1; i <= 9; i++) ps.push(0.99 + i / 1000);
  for (let i = 1; i <= 9; i++) ps.push(0.999 + i / 10000);
  return ps;
})();

/** The distribution of a histogram of seconds as quantile points in ms (empty when nothing was recorded). */
export function cdfPoints(h: Histogram): LatencyCdf {
  if (h.quantile(0.5) !== h.quantile(0.5)) return { p: [], ms: [] };
  return { p: [...CDF_PROBABILITIES], ms: CDF_PROBABILITIES.map((q) => h.quantile(q) * 1e3) };
}
