/**
 * serving/latency.ts by hand: the table's interpolation and extrapolation, the precomputed means
 * and peak throughput, the instance-sharing law σ(m), and the mean-one variability of service times.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import type { LatencyTable, Variability } from '../../src/config/scenario.js';
import { interpolateLatencyS, LatencyModel, lognormalDraw, lognormalSigma, MeanOneNoise, sharingSpeedup } from '../../src/serving/latency.js';

/** A stream whose normal, exponential and gamma draws are fixed values; counts how often each is asked for. */
class FixedDraws extends RandomStream {
  draws = 0;
  gammaShapes: number[] = [];
  constructor(private readonly z: number, private readonly e: number, private readonly g: (shape: number) => number) {
    super(1, 'fixed');
  }
  override normal(): number {
    this.draws++;
    return this.z;
  }
  override exp1(): number {
    this.draws++;
    return this.e;
  }
  override gamma(shape: number): number {
    this.draws++;
    this.gammaShapes.push(shape);
    return this.g(shape);
  }
}

describe('sharingSpeedup: σ(m) = 1 + overlap·(m − 1)', () => {
  it.each([
    { overlap: 0.5, m: 1, sigma: 1 },
    { overlap: 0.5, m: 2, sigma: 1.5 },
    { overlap: 0.5, m: 4, sigma: 2.5 },
    { overlap: 0.25, m: 3, sigma: 1.5 },
    { overlap: 0, m: 4, sigma: 1 }, // the instances only take turns
    { overlap: 1, m: 4, sigma: 4 }, // they scale perfectly
  ])('overlap $overlap, $m instances: σ = $sigma', ({ overlap, m, sigma }) => {
    expect(sharingSpeedup(overlap, m)).toBe(sigma);
  });
});

describe('lognormalSigma and lognormalDraw: a lognormal of the given mean and cv', () => {
  it.each([
    { cv: 0, sigma: 0 },
    { cv: 1, sigma: Math.sqrt(Math.LN2) }, // √ln 2
    { cv: Math.sqrt(Math.E - 1), sigma: 1 }, // √ln e
    { cv: 1e-160, sigma: 0 }, // cv² underflows next to 1
  ])('cv $cv: σ = $sigma', ({ cv, sigma }) => {
    expect(lognormalSigma(cv)).toBeCloseTo(sigma, 15);
  });

  it.each([
    { mean: 2, sigma: 1, z: 0, value: 2 * Math.exp(-0.5) }, // the median sits below the mean
    { mean: 2, sigma: 1, z: 1, value: 2 * Math.exp(0.5) },
    { mean: 3, sigma: Math.sqrt(Math.LN2), z: 0, value: 3 / Math.SQRT2 }, // cv 1: mean·exp(−ln 2 / 2)
    { mean: 3, sigma: 0, z: 5, value: 3 },
  ])('mean $mean, σ $sigma, Z = $z: $value', ({ mean, sigma, z, value }) => {
    const rng = new FixedDraws(z, NaN, () => NaN);
    expect(lognormalDraw(mean, sigma, rng)).toBeCloseTo(value, 14);
    expect(rng.draws).toBe(1);
  });
});

describe('MeanOneNoise: mean × a factor of mean 1', () => {
  const cases: { v: Variability; z: number; e: number; g: (k: number) => number; value: number; draws: number; shape?: number }[] = [
    { v: { dist: 'deterministic', cv: 0 }, z: 1, e: 2, g: (k) => k, value: 2, draws: 0 },
    { v: { dist: 'exponential', cv: 1 }, z: 1, e: 0.5, g: (k) => k, value: 1, draws: 1 }, // 2 × 0.5
    { v: { dist: 'lognormal', cv: 1 }, z: 0, e: 2, g: (k) => k, value: Math.SQRT2, draws: 1 }, // 2·exp(−ln 2 / 2)
    { v: { dist: 'gamma', cv: 0.5 }, z: 1, e: 2, g: () => 2, value: 1, draws: 1, shape: 4 }, // k = 1/cv² = 4: 2 × 2 / 4
    { v: { dist: 'gamma', cv: 0.5 }, z: 1, e: 2, g: (k) => k, value: 2, draws: 1, shape: 4 }, // Gamma(k) = k: the factor is 1
    // cv 0 (or one whose 1/cv² overflows) is deterministic and draws nothing
    { v: { dist: 'lognormal', cv: 0 }, z: 1, e: 2, g: (k) => k, value: 2, draws: 0 },
    { v: { dist: 'gamma', cv: 0 }, z: 1, e: 2, g: (k) => k, value: 2, draws: 0 },
    { v: { dist: 'gamma', cv: 1e-160 }, z: 1, e: 2, g: (k) => k, value: 2, draws: 0 },
  ];
  it.each(cases)('$v.dist, cv $v.cv: scale(2) = $value with $draws draw(s)', ({ v, z, e, g, value, draws, shape }) => {
    const rng = new FixedDraws(z, e, g);
    expect(new MeanOneNoise(v).scale(2, rng)).toBeCloseTo(value, 15);
    expect(rng.draws).toBe(draws);
    if (shape !== undefined) expect(rng.gammaShapes).toEqual([shape]);
  });

  it.each([
    { dist: 'lognormal', cv: 0.5 },
    { dist: 'gamma', cv: 0.5 },
    { dist: 'exponential', cv: 1 },
  ] as Variability[])('$dist, cv $cv: 100 000 draws have mean 1 and that cv within 2 %', (v) => {
    const noise = new MeanOneNoise(v);
    const rng = new RandomStream(7, 'noise');
    let sum = 0;
    let sumSq = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = noise.scale(1, rng);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const cv = Math.sqrt(sumSq / n - mean * mean) / mean;
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(cv - v.cv) / v.cv).toBeLessThan(0.02);
  });

  it('refuses an unknown distribution', () => {
    expect(() => new MeanOneNoise({ dist: 'weibull' as Variability['dist'], cv: 1 })).toThrow('unknown service-time distribution weibull');
  });

  it("is the batch latency's variability: LatencyModel.sample = mean latency of the batch × the noise, draw for draw", () => {
    const table = { batch: [1, 8], latencyS: [0.01, 0.024], source: 'test' };
    const v: Variability = { dist: 'lognormal', cv: 0.3 };
    const model = new LatencyModel(table, 8, v);
    const noise = new MeanOneNoise(v);
    const a = new RandomStream(3, 'service');
    const b = new RandomStream(3, 'service');
    for (const n of [1, 4, 8, 8, 2]) expect(model.sample(n, a)).toBe(noise.scale(model.meanS[n]!, b));
    expect(model.meanS[4]).toBeCloseTo(0.016, 15); // 10 ms + 3 × 2 ms
  });
});


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
