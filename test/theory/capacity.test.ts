import { describe, it, expect } from 'vitest';
import {
  mm1,
  erlangC,
  mmc,
  md1,
  mg1,
  bulkServiceMMK1,
  singleKeyTtlHitRatio,
  singleKeyTtlCoalesced,
  cheLruHitRatio,
  cheZipfHitRatio,
  zipfPopularities,
  xfetchExpectedRecomputes,
  textbookReplicas,
  maxThroughputPerReplica,
  saturationBatch,
  erlangCReplicas,
  replicaPeak,
  textbookFleetReplicas,
  TEXTBOOK_TARGET_UTILIZATION,
} from '../../src/theory/capacity.js';

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

/** Erlang B by the direct factorial sum, then C = B / (1 - rho(1 - B)). */
function erlangCByFactorials(c: number, a: number): number {
  let sum = 0;
  for (let k = 0; k <= c; k++) sum += a ** k / factorial(k);
  const b = a ** c / factorial(c) / sum;
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/** Erlang C by the other textbook form: P_c * c/(c - a) over the full normalizer. */
function erlangCClassic(c: number, a: number): number {
  let sum = 0;
  for (let k = 0; k < c; k++) sum += a ** k / factorial(k);
  const top = (a ** c / factorial(c)) * (c / (c - a));
  return top / (sum + top);
}

/**
 * M/M/c sojourn tail by direct numerical convolution:
 * (1 - C) e^{-mu t} + C [e^{-theta t} + integral_0^t theta e^{-theta s} e^{-mu (t - s)} ds].
 */
function sojournTailByQuadrature(lambda: number, mu: number, c: number, t: number): number {
  const C = erlangCByFactorials(c, lambda / mu);
  const theta = c * mu - lambda;
  const n = 20_000; // even, Simpson
  const h = t / n;
  let acc = 0;
  for (let i = 0; i <= n; i++) {
    const s = i * h;
    const f = theta * Math.exp(-theta * s) * Math.exp(-mu * (t - s));
    acc += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  const integral = (acc * h) / 3;
  return (1 - C) * Math.exp(-mu * t) + C * (Math.exp(-theta * t) + integral);
}

describe('mm1', () => {
  it('matches the textbook case lambda=8, mu=10', () => {
    const q = mm1(8, 10);
    expect(q.utilization).toBeCloseTo(0.8, 15);
    expect(q.meanSojournS).toBeCloseTo(0.5, 15);
    expect(q.meanWaitS).toBeCloseTo(0.4, 15);
    expect(q.sojournQuantileS(0.99)).toBeCloseTo(4.6052 / 2, 4);
    expect(q.sojournQuantileS(0.99)).toBeCloseTo(Math.log(100) / 2, 12);
    expect(q.sojournQuantileS(0.5)).toBeCloseTo(Math.LN2 / 2, 12);
    expect(q.sojournQuantileS(0)).toBe(0);
    expect(q.sojournTailProb(1)).toBeCloseTo(Math.exp(-2), 15);
  });

  it('rejects unstable and invalid input', () => {
    expect(() => mm1(10, 10)).toThrow(RangeError);
    expect(() => mm1(10, 10)).toThrow('M/M/1 is unstable: lambda (10) must be < mu (10)');
    expect(() => mm1(12, 10)).toThrow(/unstable/);
    expect(() => mm1(-1, 10)).toThrow('lambda must be a finite number >= 0, got -1');
    expect(() => mm1(1, 0)).toThrow('mu must be a finite number > 0, got 0');
    expect(() => mm1(8, 10).sojournQuantileS(1)).toThrow('p must be in [0, 1), got 1');
    expect(() => mm1(8, 10).sojournTailProb(-1)).toThrow('t must be >= 0, got -1');
  });
});

describe('erlangC', () => {
  it('gives 1/3 for c=2, a=1', () => {
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 15);
  });

  it('reduces to rho for one server', () => {
    expect(erlangC(1, 0.8)).toBeCloseTo(0.8, 15);
    expect(erlangC(1, 0.25)).toBeCloseTo(0.25, 15);
  });

  it('is 0 with no load', () => {
    expect(erlangC(5, 0)).toBe(0);
  });

  it('agrees with the factorial Erlang B->C relation and the classic formula for small c', () => {
    for (let c = 1; c <= 12; c++) {
      for (const rho of [0.1, 0.5, 0.8, 0.95, 0.999]) {
        const a = rho * c;
        const expected = erlangCByFactorials(c, a);
        expect(erlangC(c, a)).toBeCloseTo(expected, 12);
        expect(erlangCClassic(c, a)).toBeCloseTo(expected, 12);
      }
    }
  });

  it('stays finite and in (0,1) for thousands of servers where factorials overflow', () => {
    const v = erlangC(5000, 4900);
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(1);
    // Erlang C is increasing in load at fixed c.
    expect(erlangC(5000, 4950)).toBeGreaterThan(v);
  });

  it('rejects unstable and invalid input', () => {
    expect(() => erlangC(2, 2)).toThrow('M/M/c is unstable: offered load (2 erlangs) must be < c (2)');
    expect(() => erlangC(2, 3)).toThrow(RangeError);
    expect(() => erlangC(1.5, 1)).toThrow('c must be an integer >= 1, got 1.5');
    expect(() => erlangC(0, 0)).toThrow('c must be an integer >= 1, got 0');
    expect(() => erlangC(2, Number.NaN)).toThrow('offeredLoad must be a finite number >= 0, got NaN');
  });
});

describe('mmc', () => {
  it('M/M/2 with lambda=1, mu=1: hand-computed measures', () => {
    const q = mmc(1, 1, 2);
    expect(q.utilization).toBeCloseTo(0.5, 15);
    expect(q.probWait).toBeCloseTo(1 / 3, 15);
    expect(q.meanWaitS).toBeCloseTo(1 / 3, 15); // C / (c mu - lambda) = (1/3)/1
    expect(q.meanSojournS).toBeCloseTo(4 / 3, 15);
    expect(q.waitTailProb(0)).toBeCloseTo(1 / 3, 15);
    expect(q.waitTailProb(2)).toBeCloseTo(Math.exp(-2) / 3, 15);
    // c - 1 - a = 0: the limit e^{-mu t}(1 + C mu t).
    expect(q.sojournTailProb(0)).toBe(1);
    expect(q.sojournTailProb(3)).toBeCloseTo(Math.exp(-3) * (1 + 3 / 3), 15);
  });

  it('sojourn tail is continuous across the c-1-a = 0 special case', () => {
    const at = mmc(1, 1, 2).sojournTailProb(2.5);
    expect(mmc(1 + 1e-9, 1, 2).sojournTailProb(2.5)).toBeCloseTo(at, 8);
    expect(mmc(1 - 1e-9, 1, 2).sojournTailProb(2.5)).toBeCloseTo(at, 8);
  });

  it('reduces to M/M/1 with one server', () => {
    const one = mmc(8, 10, 1);
    const ref = mm1(8, 10);
    expect(one.probWait).toBeCloseTo(0.8, 15);
    expect(one.meanWaitS).toBeCloseTo(ref.meanWaitS, 12);
    expect(one.meanSojournS).toBeCloseTo(ref.meanSojournS, 12);
    for (const t of [0.1, 1, 5, 20]) {
      expect(one.sojournTailProb(t)).toBeCloseTo(ref.sojournTailProb(t), 12);
    }
    expect(one.sojournQuantileS(0.99)).toBeCloseTo(ref.sojournQuantileS(0.99), 9);
    expect(one.sojournQuantileS(0.5)).toBeCloseTo(ref.sojournQuantileS(0.5), 9);
  });

  it('sojourn tail matches a numerical convolution of wait and service (both signs of c-1-a)', () => {
    // (lambda, mu, c): c-1-a > 0, < 0 and a large-c case
    const cases: Array<[number, number, number]> = [
      [2, 1, 4],
      [3.5, 1, 4],
      [45, 10, 5],
      [70, 2, 40],
    ];
    for (const [lambda, mu, c] of cases) {
      const q = mmc(lambda, mu, c);
      for (const t of [0.05, 0.5, 1, 3]) {
        expect(q.sojournTailProb(t)).toBeCloseTo(sojournTailByQuadrature(lambda, mu, c, t), 9);
      }
    }
  });

  it('the integral of the sojourn tail equals the mean sojourn', () => {
    const q = mmc(3.5, 1, 4);
    const tMax = 80;
    const n = 80_000;
    const h = tMax / n;
    let acc = 0;
    for (let i = 0; i <= n; i++) {
      acc += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * q.sojournTailProb(i * h);
    }
    expect((acc * h) / 3).toBeCloseTo(q.meanSojournS, 7);
  });

  it('sojourn quantile inverts the tail; wait quantile honours the atom at zero', () => {
    const q = mmc(45, 10, 5);
    for (const p of [0.5, 0.9, 0.99, 0.999]) {
      const tq = q.sojournQuantileS(p);
      expect(q.sojournTailProb(tq)).toBeCloseTo(1 - p, 10);
    }
    expect(q.sojournQuantileS(0)).toBe(0);
    const c = q.probWait;
    expect(q.waitQuantileS(1 - c - 0.01)).toBe(0);
    expect(q.waitQuantileS(0.99)).toBeCloseTo(Math.log(c / 0.01) / (50 - 45), 12);
  });

  it('rejects unstable and invalid input', () => {
    expect(() => mmc(20, 10, 2)).toThrow('M/M/c is unstable: lambda (20) must be < c*mu (2*10 = 20)');
    expect(() => mmc(1, 1, 0)).toThrow('c must be an integer >= 1, got 0');
    expect(() => mmc(1, -1, 2)).toThrow('mu must be a finite number > 0, got -1');
    expect(() => mmc(1, 1, 2).sojournQuantileS(1)).toThrow('p must be in [0, 1), got 1');
    expect(() => mmc(1, 1, 2).waitTailProb(-0.5)).toThrow('t must be >= 0, got -0.5');
  });
});

describe('md1 and mg1', () => {
  it('M/D/1 lambda=5, D=0.1: Wq = 0.05, W = 0.15', () => {
    const q = md1(5, 0.1);
    expect(q.utilization).toBeCloseTo(0.5, 15);
    expect(q.meanWaitS).toBeCloseTo(0.05, 15);
    expect(q.meanSojournS).toBeCloseTo(0.15, 15);
  });

  it('M/G/1 reproduces M/D/1 with E[S^2] = D^2 and M/M/1 with E[S^2] = 2/mu^2', () => {
    expect(mg1(5, 0.1, 0.01).meanWaitS).toBeCloseTo(md1(5, 0.1).meanWaitS, 15);
    const g = mg1(8, 0.1, 2 * 0.01);
    expect(g.meanWaitS).toBeCloseTo(mm1(8, 10).meanWaitS, 12);
    expect(g.meanSojournS).toBeCloseTo(0.5, 12);
    expect(g.utilization).toBeCloseTo(0.8, 15);
  });

  it('M/D/1 waits half as long as M/M/1 at the same load', () => {
    expect(md1(8, 0.1).meanWaitS).toBeCloseTo(mm1(8, 10).meanWaitS / 2, 12);
  });

  it('rejects unstable and invalid input', () => {
    expect(() => md1(10, 0.1)).toThrow(/^M\/D\/1 is unstable: utilization lambda\*serviceS = 1/);
    expect(() => md1(1, 0)).toThrow('serviceS must be a finite number > 0, got 0');
    expect(() => mg1(20, 0.1, 0.02)).toThrow(/M\/G\/1 is unstable/);
    expect(() => mg1(1, 0.1, 0.005)).toThrow(
      'secondMomentS2 (0.005) must be >= meanS^2 (0.010000000000000002): variance cannot be negative',
    );
  });
});

describe('bulkServiceMMK1', () => {
  it('K=1 reduces to the M/M/1 waiting tail rho e^{-(mu-lambda)t}', () => {
    const b = bulkServiceMMK1(8, 10, 1);
    expect(b.r0).toBeCloseTo(0.8, 12);
    expect(b.probWait).toBeCloseTo(0.8, 12);
    for (const t of [0, 0.3, 1, 4]) {
      expect(b.waitTailProb(t)).toBeCloseTo(0.8 * Math.exp(-2 * t), 12);
    }
    expect(b.meanWaitS).toBeCloseTo(mm1(8, 10).meanWaitS, 10);
  });

  it('K=2, lambda=mu=1: r0 is the golden-ratio conjugate', () => {
    const b = bulkServiceMMK1(1, 1, 2);
    const phiInv = (Math.sqrt(5) - 1) / 2;
    expect(b.r0).toBeCloseTo(phiInv, 14);
    expect(b.probWait).toBeCloseTo(1 / (2 - phiInv), 12);
    // decay mu(1 - r0^2) = phiInv because r0^2 = 1 - r0
    expect(b.waitTailProb(2)).toBeCloseTo(Math.exp(-2 * phiInv) / (2 - phiInv), 12);
  });

  it('r0 is a root of mu r^{K+1} - (lambda+mu) r + lambda even near saturation and for large K', () => {
    const cases: Array<[number, number, number]> = [
      [30, 1, 32],
      [31.9, 1, 32],
      [100, 10, 11],
      [0.5, 1, 64],
    ];
    for (const [lambda, mu, K] of cases) {
      const r = bulkServiceMMK1(lambda, mu, K).r0;
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThan(1);
      const poly = mu * r ** (K + 1) - (lambda + mu) * r + lambda;
      expect(Math.abs(poly)).toBeLessThan(1e-10 * (lambda + mu));
    }
  });

  it('wait quantile inverts the tail and is 0 inside the no-wait atom', () => {
    const b = bulkServiceMMK1(100, 10, 11);
    for (const p of [0.9, 0.99]) {
      expect(b.waitTailProb(b.waitQuantileS(p))).toBeCloseTo(1 - p, 12);
    }
    expect(b.waitQuantileS(0)).toBe(0);
    expect(b.waitQuantileS(Math.max(0, 1 - b.probWait - 0.01))).toBe(0);
  });

  it('rejects unstable and invalid input', () => {
    expect(() => bulkServiceMMK1(20, 10, 2)).toThrow(
      'M/M^[K]/1 is unstable: lambda (20) must be < K*mu (2*10 = 20)',
    );
    expect(() => bulkServiceMMK1(1, 10, 0)).toThrow('K must be an integer >= 1, got 0');
    expect(() => bulkServiceMMK1(1, 10, 2).waitQuantileS(1)).toThrow('p must be in [0, 1), got 1');
  });
});

describe('single-key TTL caches', () => {
  it('hit ratio lambda T / (1 + lambda T)', () => {
    expect(singleKeyTtlHitRatio(2, 3)).toBeCloseTo(6 / 7, 15);
    expect(singleKeyTtlHitRatio(0, 3)).toBe(0);
    expect(singleKeyTtlHitRatio(5, 0)).toBe(0);
  });

  it('coalesced shares lambda=2, T=3, D=0.5 are 6/8, 1/8, 1/8', () => {
    const s = singleKeyTtlCoalesced(2, 3, 0.5);
    expect(s.hit).toBeCloseTo(0.75, 15);
    expect(s.delayedHit).toBeCloseTo(0.125, 15);
    expect(s.miss).toBeCloseTo(0.125, 15);
    expect(s.hit + s.delayedHit + s.miss).toBeCloseTo(1, 15);
  });

  it('coalescing with zero fetch time reduces to the plain TTL hit ratio', () => {
    const s = singleKeyTtlCoalesced(2, 3, 0);
    expect(s.hit).toBeCloseTo(singleKeyTtlHitRatio(2, 3), 15);
    expect(s.delayedHit).toBe(0);
  });

  it('rejects invalid input', () => {
    expect(() => singleKeyTtlHitRatio(-1, 3)).toThrow('lambda must be a finite number >= 0, got -1');
    expect(() => singleKeyTtlCoalesced(1, 3, -0.1)).toThrow('fetchS must be a finite number >= 0, got -0.1');
  });
});

describe('zipfPopularities', () => {
  it('n=3, s=1 gives 6/11, 3/11, 2/11', () => {
    const p = zipfPopularities(3, 1);
    expect(p).toBeInstanceOf(Float64Array);
    expect(p[0]).toBeCloseTo(6 / 11, 15);
    expect(p[1]).toBeCloseTo(3 / 11, 15);
    expect(p[2]).toBeCloseTo(2 / 11, 15);
  });

  it('exponent 0 is uniform', () => {
    const p = zipfPopularities(4, 0);
    expect(Array.from(p)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('rejects invalid input', () => {
    expect(() => zipfPopularities(0, 1)).toThrow('n must be an integer >= 1, got 0');
    expect(() => zipfPopularities(3, -1)).toThrow('exponent must be a finite number >= 0, got -1');
  });
});

describe('cheLruHitRatio', () => {
  it('capacity >= N gives hit ratio 1', () => {
    const r = cheLruHitRatio(zipfPopularities(100, 0.9), 100);
    expect(r.hitRatio).toBe(1);
    expect(r.characteristicTime).toBe(Infinity);
    // A key that is never requested needs no slot.
    expect(cheLruHitRatio([3, 1, 0], 2).hitRatio).toBe(1);
  });

  it('capacity 0 gives hit ratio 0', () => {
    expect(cheLruHitRatio([1, 2, 3], 0)).toEqual({ hitRatio: 0, characteristicTime: 0 });
  });

  it('uniform popularity gives C/N, with t_C = -N ln(1 - C/N)', () => {
    const n = 1000;
    const r = cheLruHitRatio(new Array<number>(n).fill(1), 100);
    expect(r.hitRatio).toBeCloseTo(0.1, 9);
    expect(r.characteristicTime).toBeCloseTo(-n * Math.log(0.9), 6);
  });

  it('two keys 3:1 with one slot solves y^3 + y = 1 (Cardano)', () => {
    // With y = e^{-t/4}: e^{-3t/4} + e^{-t/4} = 1.
    const s = Math.sqrt(1 / 4 + 1 / 27);
    const y = Math.cbrt(0.5 + s) + Math.cbrt(0.5 - s);
    const expected = 0.75 * (1 - y ** 3) + 0.25 * (1 - y);
    const r = cheLruHitRatio([3, 1], 1);
    expect(r.hitRatio).toBeCloseTo(expected, 10);
    expect(r.characteristicTime).toBeCloseTo(-4 * Math.log(y), 8);
  });

  it('normalizes popularities and ignores zero-popularity keys', () => {
    const a = cheLruHitRatio([6, 3, 2], 1.5);
    const b = cheLruHitRatio(zipfPopularities(3, 1), 1.5);
    const c = cheLruHitRatio([6, 0, 3, 0, 2], 1.5);
    expect(a.hitRatio).toBeCloseTo(b.hitRatio, 12);
    expect(c.hitRatio).toBeCloseTo(b.hitRatio, 12);
  });

  it('the characteristic time satisfies sum(1 - e^{-p t}) = C and hit ratio grows with capacity', () => {
    const p = zipfPopularities(10_000, 0.8);
    let prev = 0;
    for (const cap of [10, 100, 1000, 5000, 9990]) {
      const r = cheLruHitRatio(p, cap);
      let occupied = 0;
      for (const pi of p) occupied += 1 - Math.exp(-pi * r.characteristicTime);
      expect(occupied).toBeCloseTo(cap, 6);
      expect(r.hitRatio).toBeGreaterThan(prev);
      expect(r.hitRatio).toBeLessThan(1);
      prev = r.hitRatio;
    }
  });

  // its speed (well under a second) is measured by `npm run bench`, not asserted here
  it('handles 10^6 Zipf keys', () => {
    const p = zipfPopularities(1_000_000, 1);
    const r = cheLruHitRatio(p, 10_000);
    let occupied = 0;
    for (const pi of p) occupied += 1 - Math.exp(-pi * r.characteristicTime);
    expect(occupied).toBeCloseTo(10_000, 4);
    expect(r.hitRatio).toBeGreaterThan(0.5);
    expect(r.hitRatio).toBeLessThan(1);
  });

  it('rejects invalid input', () => {
    expect(() => cheLruHitRatio([], 1)).toThrow('popularities must not be empty');
    expect(() => cheLruHitRatio([1, -1], 1)).toThrow('popularities must be finite and >= 0, got -1 at index 1');
    expect(() => cheLruHitRatio([0, 0], 1)).toThrow('popularities must have a positive sum');
    expect(() => cheLruHitRatio([1, 2], -1)).toThrow('capacity must be a finite number >= 0, got -1');
  });
});

describe('xfetchExpectedRecomputes', () => {
  it('is e^{1/beta}', () => {
    expect(xfetchExpectedRecomputes(1)).toBeCloseTo(Math.E, 14);
    expect(xfetchExpectedRecomputes(0.5)).toBeCloseTo(Math.E ** 2, 13);
  });

  it('rejects beta <= 0', () => {
    expect(() => xfetchExpectedRecomputes(0)).toThrow('beta must be a finite number > 0, got 0');
  });
});

describe('sizing rules', () => {
  it('textbookReplicas rounds up, but not on floating-point noise', () => {
    expect(textbookReplicas({ peakRps: 1000, latencyS: 0.02, targetUtilization: 0.6, batch: 4 })).toBe(9);
    // 100 * 0.07 / 0.7 is 10.000000000000002 in floating point.
    expect(textbookReplicas({ peakRps: 100, latencyS: 0.07, targetUtilization: 0.7, batch: 1 })).toBe(10);
    expect(textbookReplicas({ peakRps: 101, latencyS: 0.07, targetUtilization: 0.7, batch: 1 })).toBe(11);
    expect(textbookReplicas({ peakRps: 100, latencyS: 0.1, targetUtilization: 1 })).toBe(10);
    expect(textbookReplicas({ peakRps: 0, latencyS: 0.1, targetUtilization: 0.5, batch: 8 })).toBe(0);
  });

  it('textbookReplicas rejects invalid input', () => {
    expect(() => textbookReplicas({ peakRps: 100, latencyS: 0.1, targetUtilization: 0, batch: 1 })).toThrow(
      'targetUtilization must be in (0, 1], got 0',
    );
    expect(() => textbookReplicas({ peakRps: 100, latencyS: 0.1, targetUtilization: 1.2, batch: 1 })).toThrow(
      'targetUtilization must be in (0, 1], got 1.2',
    );
    expect(() => textbookReplicas({ peakRps: 100, latencyS: 0.1, targetUtilization: 0.5, batch: 0 })).toThrow(
      'batch must be a finite number > 0, got 0',
    );
  });

  it('maxThroughputPerReplica = instances * batch / latency', () => {
    // W1's latency model: 4 ms + 0.25 ms * 32 = 12 ms at maxBatch 32
    expect(maxThroughputPerReplica(32, 0.012)).toBeCloseTo(32 / 0.012, 9);
    expect(maxThroughputPerReplica(32, 0.012, 2)).toBeCloseTo(64 / 0.012, 9);
    expect(() => maxThroughputPerReplica(32, 0)).toThrow('latencyAtBatchS must be a finite number > 0, got 0');
  });

  // batch latency 10 ms + 2 ms per extra request
  const table = { batch: [1, 8], latencyS: [0.01, 0.024], source: 'test' };
  const fleet = (instances: number, overlap: number, maxQueueDelayS: number, preferred: number[]) => ({
    batching: { maxBatch: 8, maxQueueDelayS, preferred },
    instances,
    overlap,
  });
  it.each([
    { name: 'one instance, a delay: maxBatch', f: fleet(1, 0.5, 0.002, []), batch: 8, latencyS: 0.024, sigma: 1, rps: 8 / 0.024 },
    { name: 'two instances at overlap 0.5: σ = 1.5', f: fleet(2, 0.5, 0.002, []), batch: 8, latencyS: 0.024, sigma: 1.5, rps: 500 },
    { name: 'four instances at overlap 0.25: σ = 1.75', f: fleet(4, 0.25, 0.002, []), batch: 8, latencyS: 0.024, sigma: 1.75, rps: 14 / 0.024 },
    { name: 'no delay, preferred [4]: batch 4 at 16 ms', f: fleet(1, 0.5, 0, [4]), batch: 4, latencyS: 0.016, sigma: 1, rps: 250 },
  ])('replicaPeak, $name', ({ f, batch, latencyS, sigma, rps }) => {
    const r = replicaPeak(f, table);
    expect(r.batch).toBe(batch);
    expect(r.latencyS).toBeCloseTo(latencyS, 15);
    expect(r.sigma).toBe(sigma);
    expect(r.rps).toBeCloseTo(rps, 9);
    expect(r.rps).toBe(maxThroughputPerReplica(r.batch, r.latencyS, r.sigma));
  });

  it.each([
    // ceil(peak · (latency/σ) / u / batch) = ceil(peak / (u · rps))
    { peak: 1000, instances: 2, u: 0.7, replicas: 3 }, // 1000 / 350 = 2.86
    { peak: 1000, instances: 2, u: 0.5, replicas: 4 }, // 1000 / 250 = 4 exactly (16 / 0.5 / 8 in floating point)
    { peak: 1000, instances: 1, u: 0.7, replicas: 5 }, // 1000 / 233.3 = 4.29
    { peak: 0, instances: 1, u: 0.7, replicas: 0 },
  ])('textbookFleetReplicas: peak $peak req/s, $instances instance(s), target utilization $u: $replicas', ({ peak, instances, u, replicas }) => {
    expect(textbookFleetReplicas(peak, replicaPeak(fleet(instances, 0.5, 0.002, []), table), u)).toBe(replicas);
  });

  it('textbookFleetReplicas aims at 70 % busy unless told otherwise', () => {
    expect(TEXTBOOK_TARGET_UTILIZATION).toBe(0.7);
    const r = replicaPeak(fleet(2, 0.5, 0.002, []), table);
    expect(textbookFleetReplicas(1000, r)).toBe(textbookFleetReplicas(1000, r, 0.7));
  });

  it('saturationBatch: maxBatch with a delay or no preferred sizes; the largest preferred size with no delay', () => {
    expect(saturationBatch({ maxBatch: 16, maxQueueDelayS: 0, preferred: [4, 8] })).toBe(8);
    expect(saturationBatch({ maxBatch: 16, maxQueueDelayS: 0, preferred: [8, 4] })).toBe(8);
    expect(saturationBatch({ maxBatch: 16, maxQueueDelayS: 0.001, preferred: [4, 8] })).toBe(16);
    expect(saturationBatch({ maxBatch: 16, maxQueueDelayS: 0, preferred: [] })).toBe(16);
    expect(saturationBatch({ maxBatch: 16, maxQueueDelayS: 0.002, preferred: [] })).toBe(16);
    expect(saturationBatch({ maxBatch: 16, maxQueueDelayS: 0, preferred: [4, 16] })).toBe(16);
    expect(saturationBatch({ maxBatch: 1, maxQueueDelayS: 0, preferred: [1] })).toBe(1);
  });

  it('erlangCReplicas: lambda=8, S=0.1 needs 1 server for p99 2.31 s and 2 for 2.30 s', () => {
    // One server is M/M/1 with p99 = ln(100)/2 = 2.3026 s.
    expect(erlangCReplicas({ lambda: 8, serviceS: 0.1, targetSojournS: 2.31 }).replicas).toBe(1);
    expect(erlangCReplicas({ lambda: 8, serviceS: 0.1, targetSojournS: 2.3 }).replicas).toBe(2);
  });

  it('erlangCReplicas returns the smallest c that meets the target', () => {
    for (const [lambda, serviceS, target, quantile] of [
      [100, 0.1, 0.5, 0.99],
      [2000, 0.05, 0.3, 0.99],
      [500, 0.02, 0.05, 0.9],
    ] as Array<[number, number, number, number]>) {
      const r = erlangCReplicas({ lambda, serviceS, targetSojournS: target, quantile });
      const mu = 1 / serviceS;
      expect(mmc(lambda, mu, r.replicas).sojournQuantileS(quantile)).toBeLessThanOrEqual(target);
      const fewer = r.replicas - 1;
      if (fewer * mu > lambda) {
        expect(mmc(lambda, mu, fewer).sojournQuantileS(quantile)).toBeGreaterThan(target);
      }
      expect(r.sojournQuantileS).toBeLessThanOrEqual(target);
      expect(r.utilization).toBeCloseTo(lambda / (r.replicas * mu), 12);
      expect(r.probWait).toBeCloseTo(erlangC(r.replicas, lambda * serviceS), 12);
    }
  });

  it('erlangCReplicas rejects a target no server count can reach', () => {
    // Exponential service alone has p99 = 0.1 * ln(100) = 0.4605 s.
    expect(() => erlangCReplicas({ lambda: 10, serviceS: 0.1, targetSojournS: 0.46 })).toThrow(
      /targetSojournS \(0\.46 s\) must exceed the service-time p99 \(0\.4605\d* s\): no replica count can meet it/,
    );
    expect(() => erlangCReplicas({ lambda: 10, serviceS: 0.1, targetSojournS: 1, quantile: 1 })).toThrow(
      'quantile must be in (0, 1), got 1',
    );
  });
});

describe('cheZipfHitRatio', () => {
  it('agrees with cheLruHitRatio on explicit Zipf popularities within 1e-6 (head summed, tail integrated)', () => {
    for (const [n, s, c] of [
      [5000, 0.9, 100],
      [100_000, 0.6, 30_000],
      [100_000, 1, 1000],
      [300_000, 1.2, 10],
      [300_000, 0.9, 50_000],
    ] as const) {
      const exact = cheLruHitRatio(zipfPopularities(n, s), c).hitRatio;
      expect(Math.abs(cheZipfHitRatio(n, s, c) - exact), `n ${n} s ${s} C ${c}`).toBeLessThan(1e-6);
    }
  });

  it('is 1 when everything fits, 0 without room, and the TTL formula per key when the TTL binds', () => {
    expect(cheZipfHitRatio(1000, 0.9, 1000)).toBeCloseTo(1, 12);
    expect(cheZipfHitRatio(1000, 0.9, 0)).toBe(0);
    // one key: λT/(1 + λT)
    expect(cheZipfHitRatio(1, 1, 10, { ttlS: 2, ratePerS: 3 })).toBeCloseTo(6 / 7, 12);
    // a TTL far longer than the characteristic time changes nothing
    expect(cheZipfHitRatio(100_000, 0.9, 1000, { ttlS: 1e9, ratePerS: 100 })).toBeCloseTo(cheZipfHitRatio(100_000, 0.9, 1000), 6);
    // never above 1 (the popularities sum to 1 + 1 ulp), and an overflowing λT is a bound of 1, not NaN
    for (const n of [1, 67, 4096, 5000]) expect(cheZipfHitRatio(n, 1, n)).toBeLessThanOrEqual(1);
    expect(cheZipfHitRatio(100, 0.9, 10, { ttlS: 1e308, ratePerS: 1e308 })).toBeCloseTo(cheZipfHitRatio(100, 0.9, 10), 12);
    // 10^9 keys cost what 10^4 do
    const r = cheZipfHitRatio(1_000_000_000, 0.9, 1_000_000);
    expect(r).toBeGreaterThan(0.3);
    expect(r).toBeLessThan(0.6);
  });
});
