/**
 * Batch latency (src/serving/latency.ts) on its own: the table's interpolation and
 * extrapolation, the precomputed means and peak throughput, and the variability factor
 * (deterministic, or random with mean one and the configured cv).
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import type { LatencyTable, Variability } from '../../src/scenario/types.js';
import { interpolateLatencyS, LatencyModel } from '../../src/serving/latency.js';

const t = (batch: number[], latencyS: number[]): LatencyTable => ({ batch, latencyS, source: 'test' });
/** 10 ms at 1, 16 ms at 4, 32 ms at 8. */
const T3 = t([1, 4, 8], [0.01, 0.016, 0.032]);

describe('interpolateLatencyS', () => {
  const cases: { name: string; table: LatencyTable; n: number; expected: number }[] = [
    { name: 'at a point', table: T3, n: 4, expected: 0.016 },
    { name: 'between points: linear (1 → 4: +2 ms per request)', table: T3, n: 2, expected: 0.012 },
    { name: 'between the next points (4 → 8: +4 ms per request)', table: T3, n: 6, expected: 0.024 },
    { name: 'beyond the last point: the last segment extended', table: T3, n: 10, expected: 0.04 },
    { name: 'one point: the same at every size', table: t([4], [0.02]), n: 9, expected: 0.02 },
    { name: 'below the first point: the first segment extended back (10 ms − 1 ms)', table: t([2, 4], [0.01, 0.012]), n: 1, expected: 0.009 },
    // the first segment would reach 0 at n = 1; never faster per request than the first point: 10 ms · 1/2
    { name: 'below the first point, a steep segment: capped at the first point’s per-request time', table: t([2, 4], [0.01, 0.03]), n: 1, expected: 0.005 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(interpolateLatencyS(c.table, c.n)).toBeCloseTo(c.expected, 15);
    });
  }
});

describe('LatencyModel: means and peak throughput', () => {
  const cases: { name: string; table: LatencyTable; maxBatch: number; meanS: number[]; peakRps: number }[] = [
    // 1/0.010 = 100, 2/0.012 = 166.7, 3/0.014 = 214.3, 4/0.016 = 250 req/s
    { name: 'the table up to maxBatch', table: t([1, 4], [0.01, 0.016]), maxBatch: 4, meanS: [0, 0.01, 0.012, 0.014, 0.016], peakRps: 250 },
    // sizes 1, 2 reach 166.7 req/s, but the table's point 4 (250 req/s) is the hardware's peak
    { name: 'the peak counts the table’s points beyond maxBatch', table: t([1, 4], [0.01, 0.016]), maxBatch: 2, meanS: [0, 0.01, 0.012], peakRps: 250 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = new LatencyModel(c.table, c.maxBatch, { dist: 'deterministic', cv: 0 });
      expect(Array.from(m.meanS).map((x) => Math.round(x * 1e12) / 1e12)).toEqual(c.meanS);
      expect(m.peakRps).toBeCloseTo(c.peakRps, 9);
    });
  }
});

describe('LatencyModel: variability', () => {
  const table = t([1, 4], [0.01, 0.016]);
  const exact: { name: string; v: Variability }[] = [
    { name: 'deterministic', v: { dist: 'deterministic', cv: 0 } },
    { name: 'gamma with cv 0', v: { dist: 'gamma', cv: 0 } },
    { name: 'gamma with cv 1e-300 (1/cv² overflows)', v: { dist: 'gamma', cv: 1e-300 } },
    { name: 'lognormal with cv 0', v: { dist: 'lognormal', cv: 0 } },
  ];
  for (const c of exact) {
    it(`${c.name}: every draw is the table's mean`, () => {
      const m = new LatencyModel(table, 4, c.v);
      const rng = new RandomStream(3, 'service');
      expect([1, 2, 3, 4].map((n) => m.sample(n, rng))).toEqual([0.01, 0.012, 0.014, 0.016].map((x) => expect.closeTo(x, 15)));
    });
  }

  const random: { name: string; v: Variability; cv: number }[] = [
    { name: 'exponential', v: { dist: 'exponential', cv: 1 }, cv: 1 },
    { name: 'lognormal', v: { dist: 'lognormal', cv: 0.5 }, cv: 0.5 },
    { name: 'gamma', v: { dist: 'gamma', cv: 0.3 }, cv: 0.3 },
  ];
  for (const c of random) {
    it(`${c.name}: a factor of mean one (the table's mean) with the configured cv, over 100 000 draws`, () => {
      const m = new LatencyModel(table, 4, c.v);
      const rng = new RandomStream(5, 'service');
      const n = 100_000;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const f = m.sample(4, rng) / 0.016;
        sum += f;
        sq += f * f;
      }
      const mean = sum / n;
      const sd = Math.sqrt(sq / n - mean * mean);
      expect(Math.abs(mean - 1)).toBeLessThan(0.01);
      expect(Math.abs(sd / mean / c.cv - 1)).toBeLessThan(0.03);
    });
  }
});
