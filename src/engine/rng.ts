import seedrandom from 'seedrandom';

/**
 * Named, seeded random streams. Every random draw in a run comes from a stream
 * named after its purpose ("arrivals", "routing", "service" …) and derived from
 * the scenario seed, so two variants of one scenario see the same arrivals
 * (common random numbers) and a run is reproducible bit for bit.
 */
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

  /** Exponential with mean 1. */
  exp1(): number {
    return -Math.log(1 - this.uniform());
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
