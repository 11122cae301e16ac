import seedrandom from 'seedrandom';

/**
 * Named, seeded random streams. Every random draw in a run comes from a stream
 * named after its purpose ("arrivals", "routing", "service" …) and derived from
 * the scenario seed, so two variants of one scenario see the same arrivals
 * (common random numbers) and a run is reproducible bit for bit.
 */
// Ziggurat tables for the exponential distribution (Marsaglia & Tsang 2000, 256 layers),
// scaled for 24-bit positions.
const ZIG_R = 7.697117470131487;
const ZIG_V = 3.949659822581572e-3;
const ZIG_M = 16777216; // 2^24
const ZIG_K = new Uint32Array(256);
const ZIG_W = new Float64Array(256);
const ZIG_F = new Float64Array(256);
{
  let d = ZIG_R;
  let t = d;
  const q = ZIG_V / Math.exp(-d);
  ZIG_K[0] = Math.floor((d / q) * ZIG_M);
  ZIG_K[1] = 0;
  ZIG_W[0] = q / ZIG_M;
  ZIG_W[255] = d / ZIG_M;
  ZIG_F[0] = 1;
  ZIG_F[255] = Math.exp(-d);
  for (let i = 254; i >= 1; i--) {
    d = -Math.log(ZIG_V / d + Math.exp(-d));
    ZIG_K[i + 1] = Math.floor((d / t) * ZIG_M);
    t = d;
    ZIG_F[i] = Math.exp(-d);
    ZIG_W[i] = d / ZIG_M;
  }
}

export class RandomStream {
  // perf: Baagoe's Alea recurrence run inline on our own fields, seeded by seedrandom's
  // alea (so the numbers are exactly seedrandom's); saves two calls per draw in the hot path.
  private c: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private spareNormal = NaN;

  /** Creates the stream `name` of the run seeded with `seed`. */
  constructor(seed: number, readonly name: string) {
    const state = seedrandom.alea(`infersim:${seed}:${name}`, { state: true }).state();
    this.c = state.c;
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
  }

  /** Uniform in [0, 1) (32 bits of resolution). */
  uniform(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Exponential with mean 1, by Marsaglia and Tsang's ziggurat: 256 layers, one uniform
   * and a table look-up in about 98 % of draws instead of a logarithm every time.
   * The layer index comes from the low 8 bits and the position from the upper 24 bits
   * of the same 32-bit draw, so the two are independent.
   */
  exp1(): number {
    // perf: Math.log per arrival was 11 % of the W1 profile
    const j = (this.uniform() * 4294967296) >>> 0;
    const i = j & 255;
    const u = j >>> 8;
    if (u < ZIG_K[i]!) return u * ZIG_W[i]!;
    // perf: the `+` tells V8 the tail's result is a number, so the two returns meet as a raw double;
    // without it the fast path's value was boxed, an allocation per arrival
    return +this.exp1Tail(i, u);
  }

  private exp1Tail(i: number, u: number): number {
    for (;;) {
      if (i === 0) return ZIG_R - Math.log(1 - this.uniform());
      const x = u * ZIG_W[i]!;
      if (ZIG_F[i]! + this.uniform() * (ZIG_F[i - 1]! - ZIG_F[i]!) < Math.exp(-x)) return x;
      const j = (this.uniform() * 4294967296) >>> 0;
      i = j & 255;
      u = j >>> 8;
      if (u < ZIG_K[i]!) return u * ZIG_W[i]!;
    }
  }

  /** Standard normal (Marsaglia polar method; caches the second value). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return u * m;
  }

  /** Gamma with the given shape and scale 1 (Marsaglia–Tsang; shape < 1 by boosting). */
  gamma(shape: number): number {
    if (shape < 1) {
      const g = this.gamma(shape + 1);
      return g * Math.pow(1 - this.uniform(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}

/** The set of streams of one run; a stream is created on first use and kept. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  /** Streams derived from `seed`. */
  constructor(readonly seed: number) {}

  /** The stream named `name` (same name, same sequence, for the same seed). */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
