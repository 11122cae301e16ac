/**
 * Seeded random streams (src/engine/rng.ts): the uniform recurrence is exactly seedrandom's
 * Alea for the stream's seed string, streams are independent by name and cached per run, and
 * the derived draws have the moments of their distributions. (Exponential draws: exp-ziggurat.test.ts.)
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { RandomStream, RandomStreams } from '../../src/engine/rng.js';

describe('RandomStream.uniform', () => {
  const cases: { seed: number; name: string }[] = [
    { seed: 1, name: 'arrivals' },
    { seed: 42, name: 'service' },
    { seed: 2 ** 40 + 3, name: 'lifecycle' },
  ];
  for (const c of cases) {
    it(`seed ${c.seed}, stream ${c.name}: the same 10 000 numbers as seedrandom.alea("infersim:${c.seed}:${c.name}")`, () => {
      const ours = new RandomStream(c.seed, c.name);
      const ref = seedrandom.alea(`infersim:${c.seed}:${c.name}`);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 10_000; i++) {
        a.push(ours.uniform());
        b.push(ref());
      }
      expect(a).toEqual(b);
    });
  }
});

describe('RandomStreams', () => {
  it('one stream per name, kept; other names and seeds give other sequences', () => {
    const s = new RandomStreams(7);
    expect(s.stream('a')).toBe(s.stream('a'));
    const first = (r: RandomStream): number[] => [r.uniform(), r.uniform(), r.uniform()];
    const a = first(new RandomStreams(7).stream('a'));
    expect(first(new RandomStreams(7).stream('a'))).toEqual(a);
    expect(first(new RandomStreams(7).stream('b'))).not.toEqual(a);
    expect(first(new RandomStreams(8).stream('a'))).not.toEqual(a);
  });
});

describe('derived draws: moments over 200 000 draws', () => {
  const n = 200_000;
  const cases: { name: string; draw: (r: RandomStream) => number; mean: number; variance: number; min: number; max: number }[] = [
    { name: 'int(6): 0..5, mean 2.5, variance 35/12', draw: (r) => r.int(6), mean: 2.5, variance: 35 / 12, min: 0, max: 5 },
    { name: 'normal: mean 0, variance 1', draw: (r) => r.normal(), mean: 0, variance: 1, min: -Infinity, max: Infinity },
    { name: 'gamma(0.5): mean and variance 0.5', draw: (r) => r.gamma(0.5), mean: 0.5, variance: 0.5, min: 0, max: Infinity },
    { name: 'gamma(4): mean and variance 4', draw: (r) => r.gamma(4), mean: 4, variance: 4, min: 0, max: Infinity },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = new RandomStream(3, 'moments');
      let sum = 0;
      let sq = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const x = c.draw(r);
        sum += x;
        sq += x * x;
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      // the mean within 5 standard errors, the variance within 3 %
      expect(Math.abs(mean - c.mean)).toBeLessThan(5 * Math.sqrt(c.variance / n));
      expect(Math.abs(variance / c.variance - 1)).toBeLessThan(0.03);
      expect(lo).toBeGreaterThanOrEqual(c.min);
      expect(hi).toBeLessThanOrEqual(c.max);
      if (Number.isFinite(c.max)) expect([lo, hi]).toEqual([c.min, c.max]);
    });
  }
});
