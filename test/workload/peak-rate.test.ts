/**
 * The peak arrival rate, sup of λ(t) = schedule · diurnal · spikes over the run: one function
 * (workload/rate-shape.ts peakRate), used by `run`'s companions, `plan` and the load-time limits.
 */
import { describe, expect, it } from 'vitest';
import { companions } from '../../src/theory/companions.js';
import { analyticReplicas } from '../../src/analysis/plan.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { Traffic } from '../../src/config/scenario.js';
import { peakArrivalRate, peakRate, rateAt } from '../../src/workload/rate-shape.js';

/**
 * A ramp 0 → 1000 req/s over the hour × a diurnal cosine (amplitude 0.5, period 1 h, peak at 45 min).
 * By hand: with u = t / 1 h, cos(2π(u − 3/4)) = −sin 2πu, so λ = 1000 · g(u), g(u) = u (1 − ½ sin 2πu).
 * g′(u) = 1 − ½ sin 2πu − πu cos 2πu: +1.5 at u = ¾ (the diurnal peak), 1 − π < 0 at u = 1, so the
 * maximum is inside the ramp, at the root of g′ in (¾, 1): bisected, u* = 0.8404693544870893
 * (t* = 3025.69 s), g(u*) = 1.1946196413638927. Breakpoints and diurnal peaks alone see
 * max(g(¾), g(1)) = max(1.125, 1): 6 % low.
 */
const RAMP_DIURNAL = `name: ramp x diurnal
duration: 1h
traffic:
  rate: [ { at: 0, rps: 1000, ramp: 1h } ]
  diurnal: { amplitude: 0.5, period: 1h, peakAt: 45m }
model: { latency: { 1: 10ms, 8: 20ms } }
fleet: { replicas: 2, batching: { maxBatch: 8 } }
slo: { p99: 100ms }
`;
const HAND_PEAK = 1194.6196413638927;

describe('peakRate', () => {
  it('ramp × diurnal: the interior maximum found by hand (1194.62 req/s at 50 min 26 s), not the breakpoints\' 1125', () => {
    const sc = loadScenario(RAMP_DIURNAL, { file: 'r.yaml', baseDir: '.' });
    const peak = peakArrivalRate(sc)!;
    expect(Math.abs(peak / HAND_PEAK - 1)).toBeLessThan(1e-12);
    // λ at the hand's t* is the peak, and no point of a 1 ms grid is above it
    expect(Math.abs(rateAt(sc.traffic, 0.8404693544870893 * 3600) / HAND_PEAK - 1)).toBeLessThan(1e-12);
    let grid = 0;
    for (let i = 0; i <= 3_600_000; i++) grid = Math.max(grid, rateAt(sc.traffic, i / 1000));
    expect(grid).toBeLessThanOrEqual(peak);
    expect(grid).toBeGreaterThan(peak * (1 - 1e-9));
  });

  it('run (its analytic companions), plan and the load-time limit all use it', () => {
    const sc = loadScenario(RAMP_DIURNAL, { file: 'r.yaml', baseDir: '.' });
    expect(companions(sc).peakRps).toBe(peakArrivalRate(sc));
    expect(analyticReplicas(sc)!.peakRps).toBe(peakArrivalRate(sc));
    // the limit's estimate: a year at the shape's peak (1.5e7 req/s) is 4.73e14 requests, over the 1e12 limit
    const big = RAMP_DIURNAL.replace('duration: 1h', 'duration: 365d').replace('rps: 1000, ramp: 1h', 'rps: 10000000, ramp: 1h');
    let message = '';
    try {
      loadScenario(big, { file: 'r.yaml', baseDir: '.' });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      message = e.message;
    }
    // after the ramp the diurnal peaks reach 1e7 × 1.5; the same function gives the peak in the message
    expect(message).toContain('would simulate about 4.73e+14 requests (peak 1.50e+7 req/s for 31536000s)');
  });

  it('closed cells: both sides of a step count, a step at the run\'s end does not; spikes multiply; flat cells take 1 + A only when a peak falls in them', () => {
    const base: Traffic = { schedule: [], diurnal: null, spikes: [], burst: { kind: 'poisson' }, keys: { kind: 'unique' }, trace: null };
    const steps = { ...base, schedule: [{ atS: 0, rps: 100, rampS: 0 }, { atS: 10, rps: 40, rampS: 0 }, { atS: 20, rps: 500, rampS: 0 }] };
    expect(peakRate(steps, 20)).toBe(100); // 500 starts at the end: never served
    expect(peakRate(steps, 20.5)).toBe(500);
    expect(peakRate({ ...steps, spikes: [{ atS: 12, factor: 3, forS: 1 }] }, 20)).toBe(120);
    const flat = { ...base, schedule: [{ atS: 0, rps: 100, rampS: 0 }], diurnal: { amplitude: 0.2, periodS: 100, peakAtS: 50 } };
    expect(peakRate(flat, 40)).toBeCloseTo(100 * (1 + 0.2 * Math.cos((2 * Math.PI * 10) / 100)), 12); // rising to the peak at 50: the end
    expect(peakRate(flat, 60)).toBeCloseTo(120, 12);
    expect(peakRate({ ...flat, diurnal: { ...flat.diurnal, peakAtS: 1e308 } }, 3600)).toBeCloseTo(120, 9);
  });

  it('agrees with a fine grid on random shapes: never below it, at most its step\'s slope above it', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 60; n++) {
      const durationS = 600;
      const schedule = [{ atS: 0, rps: Math.round(rnd() * 1000), rampS: 0 }];
      for (let k = 0, at = 0; k < 4; k++) {
        at += rnd() * 200;
        schedule.push({ atS: at, rps: Math.round(rnd() * 1000), rampS: rnd() < 0.7 ? rnd() * 300 : 0 });
      }
      const traffic: Traffic = {
        schedule,
        diurnal: { amplitude: rnd() * 0.95, periodS: 30 + rnd() * 400, peakAtS: rnd() * 500 },
        spikes: rnd() < 0.5 ? [{ atS: rnd() * 500, factor: 0.5 + rnd() * 2, forS: rnd() * 100 }] : [],
        burst: { kind: 'poisson' },
        keys: { kind: 'unique' },
        trace: null,
      };
      const peak = peakRate(traffic, durationS);
      let grid = 0;
      const dt = 0.01;
      for (let i = 0; i * dt <= durationS; i++) grid = Math.max(grid, rateAt(traffic, i * dt, false), rateAt(traffic, i * dt, true));
      expect(peak, `shape ${n}`).toBeGreaterThanOrEqual(grid * (1 - 1e-12));
      // λ changes by at most |λ′| · dt/2 between grid points: ≤ (1000/ramp + 1000·A·ω) · 3 · dt/2, bounded loosely here
      expect(peak, `shape ${n}`).toBeLessThanOrEqual(grid * (1 + 2e-3) + 1e-9);
    }
  });
});
