import { describe, expect, it } from 'vitest';
import { cdfPoints, Histogram } from '../../src/metrics/histogram.js';

describe('Histogram', () => {
  it('quantiles are within 0.1 % of the exact nearest-rank values', () => {
    const h = new Histogram();
    const values: number[] = [];
    let x = 42;
    for (let i = 0; i < 100_000; i++) {
      x = (x * 16807) % 2147483647;
      const v = 1e-5 * Math.exp((x / 2147483647) * 12); // 10 µs .. 1.6 s, spread over many octaves
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [0.01, 0.5, 0.9, 0.99, 0.999, 0.9999]) {
      const exact = values[Math.ceil(p * values.length) - 1]!;
      expect(Math.abs(h.quantile(p) / exact - 1)).toBeLessThanOrEqual(0.001);
    }
    expect(h.quantile(1)).toBe(values[values.length - 1]);
    expect(h.min).toBe(values[0]);
    expect(h.mean()).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12);
  });

  it('handles tiny samples exactly at the ends and resets', () => {
    const h = new Histogram();
    expect(h.quantile(0.5)).toBeNaN();
    h.record(0.004);
    h.record(0.002);
    expect(h.quantile(0.5)).toBeCloseTo(0.002, 5);
    expect(h.quantile(0.99)).toBe(0.004);
    expect(h.fractionAtOrBelow(0.003)).toBe(0.5);
    h.reset();
    expect(h.count).toBe(0);
    h.record(1);
    expect(h.quantile(0.5)).toBe(1);
  });
});

describe('Histogram by hand: buckets of 1/512 of an octave, a value reported as its bucket’s midpoint', () => {
  // 1, 2, 3, 4 s. A value v = 2^e · (1 + k/512 + …) lies in bucket (e, k), reported as 2^e · (1 + (k + ½)/512):
  // 1 → 1.0009765625, 2 → 2.001953125, 3 = 2 · 1.5 → 2 · (1 + 256.5/512) = 3.001953125; rank ≥ count → the exact max.
  const values = [1, 2, 3, 4];
  const ranks: { rank: number; expected: number }[] = [
    { rank: 1, expected: 1.0009765625 },
    { rank: 2, expected: 2.001953125 },
    { rank: 3, expected: 3.001953125 },
    { rank: 4, expected: 4 },
    { rank: 9, expected: 4 },
  ];
  for (const c of ranks) {
    it(`atRank(${c.rank})`, () => {
      const h = new Histogram();
      for (const v of values) h.record(v);
      expect(h.atRank(c.rank)).toBe(c.expected);
    });
  }

  // a value counts as ≤ x when x is at or past its bucket's midpoint: 2 itself is not (2 < 2.00195…)
  const fractions: { x: number; expected: number }[] = [
    { x: 0.5, expected: 0 },
    { x: 1.5, expected: 0.25 },
    { x: 2, expected: 0.25 },
    { x: 2.002, expected: 0.5 },
    { x: 3.5, expected: 0.75 },
    { x: 4, expected: 1 },
  ];
  for (const c of fractions) {
    it(`fractionAtOrBelow(${c.x})`, () => {
      const h = new Histogram();
      for (const v of values) h.record(v);
      expect(h.fractionAtOrBelow(c.x)).toBe(c.expected);
    });
  }

  it('absorb adds and removes counts and sums; extremes after a removal are the caller’s', () => {
    const h = new Histogram();
    for (const v of values) h.record(v);
    const other = new Histogram();
    other.record(8);
    h.absorb(other, 1);
    expect([h.count, h.sum, h.min, h.max, h.quantile(1)]).toEqual([5, 18, 1, 8, 8]);
    h.absorb(other, -1);
    h.setExtremes(1, 4);
    expect([h.count, h.sum, h.min, h.max, h.mean(), h.atRank(4)]).toEqual([4, 10, 1, 4, 2.5, 4]);
  });

  it('cdfPoints: nothing for an empty histogram, else 119 probabilities from 0.1 % to 99.99 %, in ms', () => {
    expect(cdfPoints(new Histogram())).toEqual({ p: [], ms: [] });
    const h = new Histogram();
    for (const v of values) h.record(v);
    const c = cdfPoints(h);
    expect([c.p.length, c.p[0], c.p[1], c.p[2], c.p[c.p.length - 1]]).toEqual([119, 0.001, 0.005, 0.01, expect.closeTo(0.9999, 12)]);
    expect([c.ms[0], c.ms[c.ms.length - 1]]).toEqual([1000.9765625, 4000]);
  });
});
