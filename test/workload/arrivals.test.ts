/**
 * Arrival processes (src/workload/arrivals.ts) on their own. Exact cases use what has no
 * randomness: gamma arrivals whose cv is so small they are evenly spaced in operational time,
 * and traces (as recorded, or replicated at an integer scale). Poisson is checked on its mean.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import type { Traffic } from '../../src/config/scenario.js';
import { createArrivals, type TraceSource } from '../../src/workload/arrivals.js';

function traffic(over: Partial<Traffic>): Traffic {
  return {
    schedule: [{ atS: 0, rps: 10, rampS: 0 }],
    diurnal: null,
    spikes: [],
    burst: { kind: 'poisson' },
    keys: { kind: 'unique' },
    trace: null,
    ...over,
  };
}

const REGULAR = { kind: 'gamma', cv: 1e-300 } as const;
const TRACE = { file: 't.csv', timeColumn: 't', keyColumn: 'k', speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'auto' } as const;

/** A trace reader over fixed times and keys (NaN and key −1 past the end). */
function traceOf(times: number[], keys: number[]): TraceSource {
  let i = -1;
  return {
    nextTimeS: () => (++i < times.length ? times[i]! : NaN),
    lastKey: () => keys[i] ?? -1,
  };
}

describe('createArrivals: exact sequences', () => {
  const cases: { name: string; traffic: Traffic; trace?: [number[], number[]]; count: number; times: number[]; keys?: number[] }[] = [
    {
      // one arrival per unit of Λ: Λ(t) = 10 t
      name: 'evenly spaced at 10 req/s',
      traffic: traffic({ burst: REGULAR }),
      count: 4,
      times: [0.1, 0.2, 0.3, 0.4],
    },
    {
      // Λ(1) = 10; then 20/s: the 11th at 1.05, the 12th at 1.1
      name: 'evenly spaced through a step from 10 to 20 req/s at 1 s',
      traffic: traffic({ burst: REGULAR, schedule: [{ atS: 0, rps: 10, rampS: 0 }, { atS: 1, rps: 20, rampS: 0 }] }),
      count: 12,
      times: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.05, 1.1],
    },
    {
      // Λ stops at 10 when the rate drops to 0 at 1 s: the 11th never comes
      name: 'a rate that drops to zero for ever ends the arrivals',
      traffic: traffic({ burst: REGULAR, schedule: [{ atS: 0, rps: 10, rampS: 0 }, { atS: 1, rps: 0, rampS: 0 }] }),
      count: 12,
      times: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, Infinity, Infinity],
    },
    {
      name: 'a trace as recorded, with its keys, then the end',
      traffic: traffic({ trace: TRACE }),
      trace: [
        [0.5, 1, 2],
        [7, 8, 9],
      ],
      count: 4,
      times: [0.5, 1, 2, Infinity],
      keys: [7, 8, 9, -1], // past its end the reader has no key
    },
    {
      // scale 2: each arrival becomes two, spread evenly over the gap to the next (0, 0.5 | 1, 2 | 3, 3: no next, no gap)
      name: 'a trace at twice its rate',
      traffic: traffic({ trace: TRACE, scale: 2 }),
      trace: [
        [0, 1, 3],
        [7, 8, 9],
      ],
      count: 7,
      times: [0, 0.5, 1, 2, 3, 3, Infinity],
      keys: [7, 7, 8, 8, 9, 9, 9],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = createArrivals(c.traffic, new RandomStream(1, 'arrivals'), new RandomStream(1, 'arrival-states'), c.trace ? traceOf(...c.trace) : null);
      const times: number[] = [];
      const keys: number[] = [];
      for (let i = 0; i < c.count; i++) {
        times.push(a.nextTimeS());
        keys.push(a.lastKey());
      }
      expect(times).toEqual(c.times.map((t) => expect.closeTo(t, 12)));
      expect(keys).toEqual(c.keys ?? new Array<number>(c.count).fill(-1));
    });
  }

  it('a trace without a reader is refused', () => {
    expect(() => createArrivals(traffic({ trace: TRACE }), new RandomStream(1, 'a'), new RandomStream(1, 'b'), null)).toThrow(/no trace reader/);
  });
});

describe('createArrivals: random processes on their means', () => {
  const cases: { name: string; traffic: Traffic; rps: number }[] = [
    { name: 'constant Poisson at 50 req/s', traffic: traffic({ schedule: [{ atS: 0, rps: 50, rampS: 0 }] }), rps: 50 },
    { name: 'gamma cv 2 at 50 req/s', traffic: traffic({ schedule: [{ atS: 0, rps: 50, rampS: 0 }], burst: { kind: 'gamma', cv: 2 } }), rps: 50 },
    {
      // the states' mean factor: (1·3 + 1·1)/2 = 2 → 2 × 25 req/s
      name: 'MMPP ×3 / ×1 with equal sojourns of 1 s at 25 req/s',
      traffic: traffic({ schedule: [{ atS: 0, rps: 25, rampS: 0 }], burst: { kind: 'mmpp', highFactor: 3, lowFactor: 1, meanHighS: 1, meanLowS: 1 } }),
      rps: 50,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: arrivals in 2 000 s within 3 % of rate × time`, () => {
      const a = createArrivals(c.traffic, new RandomStream(3, 'arrivals'), new RandomStream(3, 'arrival-states'), null);
      let n = 0;
      while (a.nextTimeS() <= 2000) n++;
      expect(Math.abs(n / (c.rps * 2000) - 1)).toBeLessThan(0.03);
    });
  }
});
