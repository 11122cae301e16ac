/**
 * The rate shape (src/workload/rate-shape.ts) on its own: λ(t) from steps, ramps, a diurnal
 * cosine, spikes and the scale; its breakpoints; its peak over a run; and the operational
 * clock Λ, Λ⁻¹ that maps unit-rate arrivals to real time. Every value traced by hand.
 * (test/workload/peak-rate.test.ts holds the harder peakRate cases: ramp × diurnal interiors.)
 */
import { describe, expect, it } from 'vitest';
import type { Traffic } from '../../src/config/scenario.js';
import { breakpoints, OperationalClock, peakArrivalRate, peakRate, rateAt } from '../../src/workload/rate-shape.js';

type Shape = Partial<Pick<Traffic, 'schedule' | 'diurnal' | 'spikes' | 'scale' | 'trace'>>;

function traffic(s: Shape): Traffic {
  return {
    schedule: [{ atS: 0, rps: 10, rampS: 0 }],
    diurnal: null,
    spikes: [],
    burst: { kind: 'poisson' },
    keys: { kind: 'unique' },
    trace: null,
    ...s,
  };
}

/** 10 req/s, a step to 20 at 10 s, a ramp from 20 down to 4 over 20..30 s. */
const STEPS: Shape = {
  schedule: [
    { atS: 0, rps: 10, rampS: 0 },
    { atS: 10, rps: 20, rampS: 0 },
    { atS: 20, rps: 4, rampS: 10 },
  ],
};
/** 10 req/s × (1 + 0.5 cos(2π(t − 25)/100)): 15 at 25, 5 at 75. */
const DIURNAL: Shape = { diurnal: { amplitude: 0.5, periodS: 100, peakAtS: 25 } };
/** 10 req/s, ×3 over [10, 15), ×2 over [12, 22). */
const SPIKES: Shape = {
  spikes: [
    { atS: 10, factor: 3, forS: 5 },
    { atS: 12, factor: 2, forS: 10 },
  ],
};

describe('rateAt', () => {
  const cases: { name: string; shape: Shape; t: number; left?: boolean; expected: number }[] = [
    { name: 'steps: the first level', shape: STEPS, t: 5, expected: 10 },
    { name: 'steps: the new level from the step on', shape: STEPS, t: 10, expected: 20 },
    { name: 'steps: the old level as the limit from the left', shape: STEPS, t: 10, left: true, expected: 10 },
    { name: 'ramp: starts at the previous level', shape: STEPS, t: 20, expected: 20 },
    { name: 'ramp: halfway, 20 + (4 − 20)/2', shape: STEPS, t: 25, expected: 12 },
    { name: 'ramp: its target at its end', shape: STEPS, t: 30, expected: 4 },
    { name: 'ramp: its target as the limit from the left at its end', shape: STEPS, t: 30, left: true, expected: 4 },
    { name: 'nothing before the first step', shape: { schedule: [{ atS: 5, rps: 10, rampS: 0 }] }, t: 2, expected: 0 },
    { name: 'diurnal: 1 + A at the peak', shape: DIURNAL, t: 25, expected: 15 },
    { name: 'diurnal: 1 − A half a period later', shape: DIURNAL, t: 75, expected: 5 },
    { name: 'diurnal: 1 a quarter period from the peak', shape: DIURNAL, t: 50, expected: 10 },
    { name: 'diurnal: periodic', shape: DIURNAL, t: 125, expected: 15 },
    { name: 'spike: before', shape: SPIKES, t: 9.5, expected: 10 },
    { name: 'spike: from its start', shape: SPIKES, t: 10, expected: 30 },
    { name: 'spike: not at its start from the left', shape: SPIKES, t: 10, left: true, expected: 10 },
    { name: 'two spikes overlapping multiply', shape: SPIKES, t: 13, expected: 60 },
    { name: 'spike: over at its end', shape: SPIKES, t: 15, expected: 20 },
    { name: 'spike: still on at its end from the left', shape: SPIKES, t: 15, left: true, expected: 60 },
    { name: 'scale multiplies everything', shape: { ...SPIKES, scale: 0.5 }, t: 13, expected: 30 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(rateAt(traffic(c.shape), c.t, c.left ?? false)).toBeCloseTo(c.expected, 12);
    });
  }
});

describe('breakpoints', () => {
  const cases: { name: string; shape: Shape; expected: number[] }[] = [
    { name: 'a constant rate: its one step', shape: {}, expected: [0] },
    { name: 'steps and a ramp end', shape: STEPS, expected: [0, 10, 20, 30] },
    { name: 'spike edges, sorted, de-duplicated with the step at 0', shape: SPIKES, expected: [0, 10, 12, 15, 22] },
    { name: 'a diurnal cosine adds none', shape: DIURNAL, expected: [0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(breakpoints(traffic(c.shape))).toEqual(c.expected);
    });
  }
});

describe('peakRate and peakArrivalRate', () => {
  const cases: { name: string; shape: Shape; durationS: number; expected: number | null }[] = [
    { name: 'steps: the highest level reached', shape: STEPS, durationS: 40, expected: 20 },
    { name: 'steps: a level after the end does not count', shape: STEPS, durationS: 5, expected: 10 },
    { name: 'a ramp cut by the end: its value there', shape: { schedule: [{ atS: 0, rps: 100, rampS: 100 }] }, durationS: 50, expected: 50 },
    { name: 'a ramp within the run: its target', shape: { schedule: [{ atS: 0, rps: 100, rampS: 100 }] }, durationS: 200, expected: 100 },
    // no diurnal peak in [0, 20]: the end, 10 · (1 + 0.5 cos(2π · (−5)/100))
    { name: 'diurnal before its peak: the end', shape: DIURNAL, durationS: 20, expected: 10 * (1 + 0.5 * Math.cos(-Math.PI / 10)) },
    { name: 'diurnal with its peak in the run: 1 + A', shape: DIURNAL, durationS: 30, expected: 15 },
    { name: 'a spike over the diurnal peak: (1 + A) × factor', shape: { ...DIURNAL, spikes: [{ atS: 20, factor: 2, forS: 10 }] }, durationS: 100, expected: 30 },
    { name: 'overlapping spikes: 10 × 3 × 2', shape: SPIKES, durationS: 30, expected: 60 },
    {
      name: 'a trace: none (the rate is in the file)',
      shape: { trace: { file: 't.csv', timeColumn: 't', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'auto' } },
      durationS: 30,
      expected: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = traffic(c.shape);
      const p = peakArrivalRate({ traffic: t, durationS: c.durationS });
      if (c.expected === null) expect(p).toBeNull();
      else {
        expect(p).toBeCloseTo(c.expected, 12);
        expect(peakRate(t, c.durationS)).toBe(p);
      }
    });
  }
});

describe('OperationalClock', () => {
  const cases: { name: string; shape: Shape; horizonS?: number; ops: number[]; times: number[]; at: number[]; expectedOps: number[] }[] = [
    // Λ(t) = 10 t
    { name: 'a constant rate', shape: {}, ops: [5, 100], times: [0.5, 10], at: [2, 10], expectedOps: [20, 100] },
    // Λ(10) = 100, then 20/s: u = 150 is 50 past it, 2.5 s at 20/s
    {
      name: 'a step: the rate changes at its time',
      shape: { schedule: [{ atS: 0, rps: 10, rampS: 0 }, { atS: 10, rps: 20, rampS: 0 }] },
      ops: [100, 150],
      times: [10, 12.5],
      at: [10, 12.5],
      expectedOps: [100, 150],
    },
    // λ = t on [0, 10], Λ = t²/2 (Λ(10) = 50), then 10/s
    {
      name: 'a ramp: Λ quadratic, inverted exactly',
      shape: { schedule: [{ atS: 0, rps: 10, rampS: 10 }] },
      ops: [2, 50, 60],
      times: [2, 10, 11],
      at: [4, 10, 11],
      expectedOps: [8, 50, 60],
    },
    // 10/s for 1 s, then 0 for ever: Λ stops at 10
    {
      name: 'a rate that drops to zero for ever: Infinity past the last arrival it can hold',
      shape: { schedule: [{ atS: 0, rps: 10, rampS: 0 }, { atS: 1, rps: 0, rampS: 0 }] },
      ops: [10, 10.5],
      times: [1, Infinity],
      at: [1, 100],
      expectedOps: [10, 10],
    },
    // Λ(20) = 200: u = 250 lies past the cell that ends at 20, beyond the 5 s horizon
    {
      name: 'past the horizon: Infinity',
      shape: { schedule: [{ atS: 0, rps: 10, rampS: 0 }, { atS: 20, rps: 10, rampS: 0 }] },
      horizonS: 5,
      ops: [250],
      times: [Infinity],
      at: [30],
      expectedOps: [300],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fwd = new OperationalClock(traffic(c.shape), c.horizonS);
      expect(c.ops.map((u) => fwd.timeAtOp(u))).toEqual(c.times.map((t) => expect.closeTo(t, 12)));
      const back = new OperationalClock(traffic(c.shape), c.horizonS);
      expect(c.at.map((t) => back.opAtTime(t))).toEqual(c.expectedOps.map((u) => expect.closeTo(u, 12)));
    });
  }
});
