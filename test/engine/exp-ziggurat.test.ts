import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/engine/rng.js';

describe('exponential draws (ziggurat)', () => {
  it('match Exp(1): mean, variance and tail probabilities', () => {
    const s = new RandomStreams(11).stream('exp');
    const n = 2_000_000;
    let sum = 0;
    let sq = 0;
    const over = [0, 0, 0, 0]; // P(X > 0.1), > 1, > 3, > 8
    let negative = 0;
    const cuts = [0.1, 1, 3, 8];
    for (let i = 0; i < n; i++) {
      const x = s.exp1();
      if (!(x >= 0)) negative++;
      sum += x;
      sq += x * x;
      for (let k = 0; k < 4; k++) if (x > cuts[k]!) over[k]!++;
    }
    expect(negative).toBe(0);
    const mean = sum / n;
    expect(Math.abs(mean - 1)).toBeLessThan(0.003);
    expect(Math.abs(sq / n - mean * mean - 1)).toBeLessThan(0.01);
    cuts.forEach((c, k) => {
      const p = Math.exp(-c);
      const se = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(over[k]! / n - p)).toBeLessThan(5 * se);
    });
  });
});
