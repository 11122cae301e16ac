import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/metrics/histogram.js';

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
