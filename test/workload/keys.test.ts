/**
 * Key samplers: unique keys never repeat; zipf frequencies match the exact probabilities
 * P(k) ∝ (k+1)^−s (chi-square, p = 10⁻⁴ critical value) for s = 0, 0.6, 1, 1.2 and
 * 10 or 10⁶ keys, and the test has the power to tell s = 1 from s = 1.02.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import { zipfPopularities } from '../../src/theory/capacity.js';
import { createKeySampler, withLookahead, type KeySampler } from '../../src/workload/keys.js';

/** Chi-square critical value for `df` degrees of freedom at upper tail 10⁻⁴ (Wilson–Hilferty). */
function chiSquareCritical(df: number): number {
  const z = 3.719; // standard normal upper 10⁻⁴ quantile
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

/** Bins ranks so every bin expects ≥ 50 draws: single ranks first, then growing ranges. */
function bins(p: Float64Array, draws: number): { edges: number[]; expected: number[] } {
  const edges: number[] = [0];
  const expected: number[] = [];
  let acc = 0;
  let width = 1;
  let start = 0;
  for (let k = 0; k < p.length; k++) {
    acc += p[k]!;
    const end = k + 1;
    if (end - start >= width && acc * draws >= 50) {
      edges.push(end);
      expected.push(acc * draws);
      acc = 0;
      start = end;
      if (end > 20) width = Math.ceil(width * 1.3);
    }
  }
  if (acc > 0) {
    if (acc * draws < 50 && expected.length > 0) {
      expected[expected.length - 1]! += acc * draws;
      edges[edges.length - 1] = p.length;
    } else {
      edges.push(p.length);
      expected.push(acc * draws);
    }
  }
  return { edges, expected };
}

/** Chi-square statistic of `draws` samples against popularities `p`, and its degrees of freedom. */
function chiSquare(sampler: KeySampler, p: Float64Array, draws: number): { stat: number; df: number } {
  const counts = new Float64Array(p.length);
  for (let i = 0; i < draws; i++) {
    const k = sampler.next();
    if (!(k >= 0 && k < p.length && Number.isInteger(k))) throw new Error(`key out of range: ${k}`);
    counts[k]!++;
  }
  const { edges, expected } = bins(p, draws);
  let stat = 0;
  for (let b = 0; b < expected.length; b++) {
    let observed = 0;
    for (let k = edges[b]!; k < edges[b + 1]!; k++) observed += counts[k]!;
    stat += (observed - expected[b]!) ** 2 / expected[b]!;
  }
  return { stat, df: expected.length - 1 };
}

describe('createKeySampler', () => {
  it('unique keys count 0, 1, 2, … and never repeat', () => {
    const s = createKeySampler({ kind: 'unique' }, new RandomStream(1, 'keys'));
    for (let i = 0; i < 1000; i++) expect(s.next()).toBe(i);
  });

  it('one key is always key 0; invalid specs are refused', () => {
    const rng = new RandomStream(1, 'keys');
    const s = createKeySampler({ kind: 'zipf', count: 1, exponent: 1 }, rng);
    for (let i = 0; i < 10; i++) expect(s.next()).toBe(0);
    expect(() => createKeySampler({ kind: 'zipf', count: 0, exponent: 1 }, rng)).toThrow(RangeError);
    expect(() => createKeySampler({ kind: 'zipf', count: 10.5, exponent: 1 }, rng)).toThrow(RangeError);
    expect(() => createKeySampler({ kind: 'zipf', count: 10, exponent: -0.1 }, rng)).toThrow(RangeError);
  });

  for (const count of [10, 1_000_000]) {
    for (const exponent of [0, 0.6, 1, 1.2]) {
      it(`zipf count ${count}, s = ${exponent}: frequencies pass chi-square against (k+1)^−s`, () => {
        const rng = new RandomStream(7, `keys-${count}-${exponent}`);
        const sampler = createKeySampler({ kind: 'zipf', count, exponent }, rng);
        const p = zipfPopularities(count, exponent);
        const draws = 2_000_000;
        const { stat, df } = chiSquare(sampler, p, draws);
        expect(df).toBeGreaterThanOrEqual(count === 10 ? 9 : 40);
        expect(stat).toBeLessThan(chiSquareCritical(df));
      });
    }
  }

  it('zipf count 10: the most popular key has its exact share within 0.2 % absolute', () => {
    // P(0) for s = 1 over 10 keys is 1/H₁₀ = 0.341417…
    const sampler = createKeySampler({ kind: 'zipf', count: 10, exponent: 1 }, new RandomStream(3, 'k'));
    let zeros = 0;
    const n = 1_000_000;
    for (let i = 0; i < n; i++) if (sampler.next() === 0) zeros++;
    expect(Math.abs(zeros / n - 0.3414171521474055)).toBeLessThan(0.002);
  });

  it('the chi-square check has power: s = 1 draws fail against s = 1.02 probabilities', () => {
    const sampler = createKeySampler({ kind: 'zipf', count: 1_000_000, exponent: 1 }, new RandomStream(7, 'power'));
    const { stat, df } = chiSquare(sampler, zipfPopularities(1_000_000, 1.02), 2_000_000);
    expect(stat).toBeGreaterThan(5 * chiSquareCritical(df));
  });
});

describe('withLookahead', () => {
  it('yields the same keys as its sampler and shows each block once, before its keys are used', () => {
    const plain = createKeySampler({ kind: 'zipf', count: 1000, exponent: 1.1 }, new RandomStream(3, 'keys'));
    const seen: number[][] = [];
    let used = 0;
    const ahead = withLookahead(createKeySampler({ kind: 'zipf', count: 1000, exponent: 1.1 }, new RandomStream(3, 'keys')), 4, (keys, from, to) => {
      expect(used % 4).toBe(0); // a block is drawn only when the last one is used up
      seen.push([...keys.subarray(from, to)]);
    });
    const got: number[] = [];
    for (let i = 0; i < 10; i++) {
      got.push(ahead.next());
      used++;
    }
    const want = Array.from({ length: 10 }, () => plain.next());
    expect(got).toEqual(want);
    expect(seen.length).toBe(3);
    expect(seen.flat().slice(0, 10)).toEqual(want);
    expect(() => withLookahead(plain, 0, () => {})).toThrow(/block/);
  });
});
