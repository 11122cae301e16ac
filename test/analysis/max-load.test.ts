/**
 * Capacity (the largest traffic multiplier meeting the SLO) against M/M/c's closed form, the
 * search's bracketing on a known threshold, and the generic rate multiplier on every shape.
 */
import { describe, expect, it } from 'vitest';
import { mmc } from '../../src/theory/capacity.js';
import { capacityEstimate, ScaleSearch, searchScale } from '../../src/analysis/max-load.js';
import { stringLineSource } from '../../src/cli/line-source.js';
import { simulate } from '../../src/run.js';
import { makeScenario } from '../helpers/scenario.js';

/** The largest λ with M/M/c sojourn p99 ≤ target, by bisection on the exact tail. */
function mmcMaxLambda(mu: number, c: number, targetS: number): number {
  let lo = 0;
  let hi = c * mu * (1 - 1e-9);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mmc(mid, mu, c).sojournTailProb(targetS) <= 0.01) lo = mid;
    else hi = mid;
  }
  return lo;
}

describe('capacity search', () => {
  it('brackets a known threshold to the tolerance: doubling, then bisection', async () => {
    const r = await searchScale((s) => s <= 2.7, { tolerance: 0.01 });
    expect(r.met).toBeLessThanOrEqual(2.7);
    expect(r.missed).toBeGreaterThan(2.7);
    expect((r.missed! - r.met!) / r.met!).toBeLessThanOrEqual(0.01);
    expect(r.probes.slice(0, 3)).toEqual([
      { scale: 1, met: true },
      { scale: 2, met: true },
      { scale: 4, met: false },
    ]);
    // halving when ×1 already misses
    const down = await searchScale((s) => s <= 0.3);
    expect(down.probes.slice(0, 3).map((p) => p.scale)).toEqual([1, 0.5, 0.25]);
    expect(down.met! / 0.3).toBeGreaterThan(0.99);
    // nothing meets: null; everything meets: capped, flagged "at least"
    expect((await searchScale(() => false)).met).toBeNull();
    const all = await searchScale(() => true, { max: 64 });
    expect([all.met, all.missed]).toEqual([64, null]);
    expect(capacityEstimate([all]).atLeast).toBe(true);
    const search = new ScaleSearch();
    expect(() => search.record(3, true)).toThrow(/does not answer next/);
  });

  it('the mean, interval and every-seed value over seeds', () => {
    const e = capacityEstimate([
      { met: 2, missed: 2.02, probes: [] },
      { met: 2.1, missed: 2.12, probes: [] },
      { met: 2.05, missed: 2.07, probes: [] },
    ]);
    expect(e.everySeed).toBe(2);
    expect(e.stats!.mean).toBeCloseTo(2.05, 10);
    expect(e.stats!.lo!).toBeLessThan(2.05);
    expect(capacityEstimate([{ met: null, missed: 1 / 1024, probes: [] }]).everySeed).toBeNull();
  });

  it('M/M/c (c = 4, μ = 1000/s, p99 ≤ 6 ms): the largest λ found by simulation is within 3 % of the closed form', async () => {
    const target = 0.006;
    const expected = mmcMaxLambda(1000, 4, target); // ≈ 2998/s, ρ ≈ 0.75
    const r = await searchScale(
      (scale) => {
        const sc = makeScenario({
          seed: 11,
          durationS: 220,
          warmupS: 20,
          slo: { latencyS: { p99: target }, maxErrorRate: null },
          traffic: { schedule: [{ atS: 0, rps: 1000, rampS: 0 }], scale },
          model: { latency: { batch: [1], latencyS: [0.001], source: 'theory' }, variability: { dist: 'exponential', cv: 1 } },
          fleet: { replicas: 4, routing: 'shared-queue' },
          report: { intervalS: 10 },
        });
        return simulate(sc).summary.slo.met;
      },
      { tolerance: 0.005 },
    );
    expect(r.met).not.toBeNull();
    const found = r.met! * 1000;
    expect(Math.abs(found / expected - 1), `${found} vs ${expected}`).toBeLessThanOrEqual(0.03);
  });
});

describe('traffic.scale, the rate multiplier on every shape', () => {
  it('multiplies a rate shape (schedule, diurnal, spikes) and leaves ×1 bit-identical', () => {
    const base = makeScenario({
      durationS: 200,
      traffic: { schedule: [{ atS: 0, rps: 100, rampS: 0 }, { atS: 100, rps: 300, rampS: 50 }], spikes: [{ atS: 20, factor: 2, forS: 10 }], burst: { kind: 'gamma', cv: 2 } },
      fleet: { replicas: 20 },
    });
    const one = simulate(base).summary;
    const same = simulate({ ...base, traffic: { ...base.traffic, scale: 1 } }).summary;
    expect({ ...same, engine: null }).toEqual({ ...one, engine: null });
    const expectedBase = 100 * 100 + 200 * 50 + 300 * 50 + 100 * 10; // ∫ schedule (step, ramp, level) + the spike's extra = 36 000
    const scaled = simulate({ ...base, traffic: { ...base.traffic, scale: 1.5 } }).summary;
    expect(one.requests.arrived / expectedBase).toBeGreaterThan(0.96);
    expect(one.requests.arrived / expectedBase).toBeLessThan(1.04);
    expect(scaled.requests.arrived / (1.5 * expectedBase)).toBeGreaterThan(0.96);
    expect(scaled.requests.arrived / (1.5 * expectedBase)).toBeLessThan(1.04);
  });

  it('thins or replicates a trace, its shape kept: ×0.5 and ×2.5', () => {
    // 100 s of trace: 20 arrivals/s in the first half, 80/s in the second
    const times: number[] = [];
    for (let t = 0; t < 50; t += 1 / 20) times.push(t);
    for (let t = 50; t < 100; t += 1 / 80) times.push(t);
    const csv = `TIMESTAMP\n${times.map((t) => (1_700_000_000 + t).toFixed(4)).join('\n')}\n`;
    const run = (scale: number) => {
      const sc = makeScenario({
        durationS: 100,
        traffic: { trace: { file: 'trace.csv', timeColumn: 'TIMESTAMP', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'epoch-s' }, scale },
        fleet: { replicas: 50 },
        report: { intervalS: 50 },
      });
      return simulate(sc, { traceLines: stringLineSource(csv) });
    };
    for (const scale of [0.5, 2.5]) {
      const r = run(scale);
      const arrivals = r.timeline.column('arrivals');
      expect(arrivals).toHaveLength(2);
      expect(arrivals[0]! / (1000 * scale)).toBeGreaterThan(0.9);
      expect(arrivals[0]! / (1000 * scale)).toBeLessThan(1.1);
      expect(arrivals[1]! / (4000 * scale)).toBeGreaterThan(0.95);
      expect(arrivals[1]! / (4000 * scale)).toBeLessThan(1.05);
    }
  });
});
