/**
 * Request identities (cache keys) for generated traffic (MODELS.md §1 "Keys").
 *
 *   unique: 0, 1, 2, … (every request new)
 *   zipf:   key ids [0, count), P(k) ∝ (k+1)^−s, by rejection-inversion
 *           (Hörmann & Derflinger 1996): O(1) per draw whatever `count` is, no table.
 */
import type { RandomStream } from '../engine/rng.js';

/** The key distributions a sampler can draw from (a trace column is read, not sampled). */
export type KeySpec = { kind: 'unique' } | { kind: 'zipf'; count: number; exponent: number };

/** A stream of key ids (non-negative ints below 2^31). */
export interface KeySampler {
  next(): number;
}

/** Largest key id an Int32Array holds; unique keys wrap after it (see UniqueKeys). */
const MAX_KEY = 0x7fffffff;

/**
 * Unique keys. After 2^31 requests the counter wraps to 0: a key last seen 2^31
 * requests ago is far outside any cache, so the keys stay unique in effect.
 */
class UniqueKeys implements KeySampler {
  private n = 0;
  next(): number {
    const k = this.n;
    this.n = k === MAX_KEY ? 0 : k + 1;
    return k;
  }
}

/** s = 0: every key equally likely; no need for the general machinery. */
class UniformKeys implements KeySampler {
  constructor(private readonly count: number, private readonly rng: RandomStream) {}
  next(): number {
    return Math.floor(this.uniform53() * this.count);
  }
  private uniform53(): number {
    // two 32-bit draws: a count near 2^31 needs more than 32 bits of resolution
    return this.rng.uniform() + this.rng.uniform() * 2.3283064365386963e-10;
  }
}

// log1p(x)/x and expm1(x)/x with their limits at 0: these make s = 1 exact (H(x) = ln x)
// and keep s near 1 accurate, as in Apache Commons RNG's RejectionInversionZipfSampler.
function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}
function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/** H(x) = (x^{1−s} − 1)/(1 − s), ln x at s = 1: an antiderivative of x^−s, accurate for s near 1. */
export function zipfHIntegral(x: number, s: number): number {
  const logX = Math.log(x);
  return expm1OverX((1 - s) * logX) * logX;
}

/**
 * Zipf over ranks 1..n with weight h(k) = k^−s, by rejection-inversion: draw u uniformly
 * under H (an antiderivative of h) between H(1.5) − h(1) and H(n + 0.5), invert, round
 * to the nearest rank k, and accept when u falls in k's share of the area. The squeeze
 * k − x ≤ s₀ accepts most draws without evaluating H; the expected number of
 * iterations is bounded by a constant independent of n.
 */
class ZipfKeys implements KeySampler {
  private readonly hX1: number;
  private readonly hN: number;
  private readonly squeeze: number;
  constructor(private readonly n: number, private readonly s: number, private readonly rng: RandomStream) {
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.squeeze = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  next(): number {
    const rng = this.rng;
    const n = this.n;
    for (;;) {
      // 64 bits of uniform: with n = 10^6 and s > 1 the tail ranks are narrower than 2^−32
      const v = rng.uniform() + rng.uniform() * 2.3283064365386963e-10;
      const u = this.hN + v * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= this.squeeze || u >= this.hIntegral(k + 0.5) - this.h(k)) return k - 1;
    }
  }

  /** H(x) = (x^{1−s} − 1)/(1 − s), ln x at s = 1. */
  private hIntegral(x: number): number {
    return zipfHIntegral(x, this.s);
  }
  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }
  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1; // rounding can push t just below −1, where log1p is undefined
    return Math.exp(log1pOverX(t) * x);
  }
}

/**
 * The same keys as `inner`, drawn `block` at a time ahead of use; `onBlock(keys, from, to)`
 * sees each block when it is drawn (the keyed cache prefetches their memory). Drawing
 * ahead changes nothing else: the keys stream is used by nothing but the sampler.
 */
export function withLookahead(inner: KeySampler, block: number, onBlock: (keys: Int32Array, from: number, to: number) => void): KeySampler {
  if (!Number.isInteger(block) || block < 1) throw new RangeError(`block must be a positive integer, got ${block}`);
  const buf = new Int32Array(block);
  let at = block;
  return {
    next(): number {
      if (at === block) {
        for (let i = 0; i < block; i++) buf[i] = inner.next();
        onBlock(buf, 0, block);
        at = 0;
      }
      return buf[at++]!;
    },
  };
}

/** A key sampler for `spec` drawing from `rng`; throws RangeError unless count is an integer in [1, 2^31) and exponent ≥ 0. */
export function createKeySampler(spec: KeySpec, rng: RandomStream): KeySampler {
  if (spec.kind === 'unique') return new UniqueKeys();
  const { count, exponent } = spec;
  if (!Number.isInteger(count) || count < 1 || count > MAX_KEY) {
    throw new RangeError(`zipf count must be an integer in [1, 2^31 − 1], got ${count}`);
  }
  if (!Number.isFinite(exponent) || exponent < 0) {
    throw new RangeError(`zipf exponent must be a finite number >= 0, got ${exponent}`);
  }
  if (count === 1) return { next: (): number => 0 };
  if (exponent === 0) return new UniformKeys(count, rng);
  return new ZipfKeys(count, exponent, rng);
}
