/** plan.ts: the search (against synthetic predicates and real simulations), margins, the analytic start. */
import { peakArrivalRate } from '../../src/workload/rate-shape.js';
import { describe, expect, it } from 'vitest';
import {
  analyticReplicas,
  meetsWithMargin,
  monotonicityViolations,
  planSearch,
  startIndexFor,
  withinUtilization,
} from '../../src/analysis/plan.js';
import type { Summary } from '../../src/metrics/summary.js';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { makeScenario } from '../helpers/scenario.js';

/** Runs planSearch on a threshold predicate (met from `threshold` on; never when null) and records what it evaluated. */
async function searchThreshold(count: number, start: number, threshold: number | null) {
  const calls: number[] = [];
  const r = await planSearch({
    count,
    startIndex: start,
    meets: async (i) => {
      calls.push(i);
      return threshold !== null && i >= threshold;
    },
  });
  return { ...r, calls };
}

describe('planSearch', () => {
  it('finds the threshold from every start, each index once, in O(log) evaluations', async () => {
    const count = 64;
    for (let threshold = 0; threshold < count; threshold++) {
      for (const start of [0, 5, threshold, 40, 63]) {
        const r = await searchThreshold(count, start, threshold);
        expect(r.index).toBe(threshold);
        expect(new Set(r.calls).size).toBe(r.calls.length);
        expect(r.calls[0]).toBe(start);
        // probing ≤ log2(64)+1 steps each way, then a binary search over the last gap
        expect(r.calls.length).toBeLessThanOrEqual(14);
        // the bracket keeps every miss below every met
        const misses = r.probes.filter((p) => !p.met).map((p) => p.index);
        const mets = r.probes.filter((p) => p.met).map((p) => p.index);
        expect(Math.max(-1, ...misses)).toBeLessThan(Math.min(count, ...mets));
      }
    }
  });

  it('a good start costs two evaluations: the start, and the one below it', async () => {
    const r = await searchThreshold(1000, 6, 6);
    expect(r.calls).toEqual([6, 5]);
    expect(r.probes).toEqual([
      { index: 6, met: true },
      { index: 5, met: false },
    ]);
  });

  it('probes up exponentially from a failing start, then bisects', async () => {
    const r = await searchThreshold(100, 1, 20);
    // 1 ✗, 2 ✗, 4 ✗, 8 ✗, 16 ✗, 32 ✓, then 24 ✓, 20 ✓, 18 ✗, 19 ✗
    expect(r.calls).toEqual([1, 2, 4, 8, 16, 32, 24, 20, 18, 19]);
    expect(r.index).toBe(20);
  });

  it('null when nothing in range meets; 0 when everything does; a start outside the range is clamped', async () => {
    const none = await searchThreshold(50, 10, null);
    expect(none.index).toBeNull();
    expect(none.calls).toEqual([10, 11, 13, 17, 25, 41, 49]);
    expect((await searchThreshold(50, 10, 0)).index).toBe(0);
    expect((await searchThreshold(10, 500, 3)).calls[0]).toBe(9);
    expect((await searchThreshold(10, -4, 3)).calls[0]).toBe(0);
    expect((await searchThreshold(1, 0, null)).index).toBeNull();
  });

  it('a non-monotone answer: the search returns a met value and may miss a smaller one', async () => {
    // met at 3, 4 and from 6 on; from 5 the search goes up and answers 6
    const meets = new Set([3, 4, 6, 7, 8, 9]);
    const r = await planSearch({ count: 10, startIndex: 5, meets: async (i) => meets.has(i) });
    expect(r.probes).toEqual([
      { index: 5, met: false },
      { index: 6, met: true },
    ]);
    expect(r.index).toBe(6);
  });
});

describe('monotonicity check on the runs made, seed by seed', () => {
  it('flags a larger value missing at a seed where a smaller one met', () => {
    expect(
      monotonicityViolations([
        { index: 7, seedsMet: [true, true, true] },
        { index: 5, seedsMet: [false, true, true] },
        { index: 6, seedsMet: [true, false, true] },
        { index: 4, seedsMet: [false, false, false] },
      ]),
    ).toEqual([{ metIndex: 5, missedIndex: 6, seed: 1 }]);
    expect(
      monotonicityViolations([
        { index: 1, seedsMet: [false, false] },
        { index: 2, seedsMet: [true, false] },
        { index: 3, seedsMet: [true, true] },
      ]),
    ).toEqual([]);
    // the same pair at two seeds is reported once, at the first
    expect(
      monotonicityViolations([
        { index: 2, seedsMet: [true, true] },
        { index: 3, seedsMet: [false, false] },
      ]),
    ).toEqual([{ metIndex: 2, missedIndex: 3, seed: 0 }]);
  });
});

function summaryWith(p99: number, met: boolean, target: Record<string, number>, p99WithFailures: number | null = p99): Summary {
  const s = simulate(makeScenario({ durationS: 1 })).summary;
  return { ...s, latencyMs: { ...s.latencyMs, p99, p999: p99 }, slo: { ...s.slo, met, target, withFailuresMs: { p99: p99WithFailures } } };
}

describe('SLO with a margin', () => {
  it('every latency target must hold with room: percentile ≤ target·(1 − margin)', () => {
    const s = summaryWith(90, true, { p99Ms: 100, maxErrorRate: 0.01 });
    expect(meetsWithMargin(s, 0)).toBe(true);
    expect(meetsWithMargin(s, 0.1)).toBe(true);
    expect(meetsWithMargin(s, 0.11)).toBe(false);
    expect(meetsWithMargin(summaryWith(90, false, { p99Ms: 100 }), 0)).toBe(false);
    expect(() => meetsWithMargin(s, 1)).toThrow('margin must be in [0, 1) (got 1)');
  });

  it('the margin applies to the percentile with failures counted, not to the completions alone', () => {
    // completions' p99 90 ms, but the failures push the p99 over all finished requests to 95 ms
    const s = summaryWith(90, true, { p99Ms: 100 }, 95);
    expect(meetsWithMargin(s, 0.05)).toBe(true);
    expect(meetsWithMargin(s, 0.06)).toBe(false);
  });
});

describe('the utilization bound (plan, capacity and sweep --max-utilization)', () => {
  const busy = summaryWith(90, true, { p99Ms: 100 });
  it.each([
    { utilization: 0.8, max: 0.8, within: true }, // at the bound is within it
    { utilization: 0.8, max: 0.79, within: false },
    { utilization: 0.95, max: null, within: true }, // no bound
  ])('utilization $utilization, bound $max: $within', ({ utilization, max, within }) => {
    expect(withinUtilization({ gpu: { ...busy.gpu, utilization } }, max)).toBe(within);
  });
});

describe('the analytic start', () => {
  const w1 = makeScenario({
    traffic: { schedule: [{ atS: 0, rps: 10_000, rampS: 0 }] },
    model: { latency: { batch: [1, 32], latencyS: [0.00425, 0.012], source: 'test' } },
    fleet: { batching: { maxBatch: 32, maxQueueDelayS: 0.002, preferred: [] } },
  });

  it('textbook rule at the peak rate and the largest batch, target utilization 0.7', () => {
    const a = analyticReplicas(w1)!;
    // 32 per 12 ms = 2666.7 rps per replica; 10 000 / (0.7 · 2666.7) = 5.36 → 6
    expect(a.perReplicaRps).toBeCloseTo(2666.6667, 3);
    expect(a).toMatchObject({ method: 'textbook', peakRps: 10_000, batch: 32, targetUtilization: 0.7, replicas: 6, erlangCReplicas: null });
    expect(a.batchLatencyMs).toBeCloseTo(12, 10);
    // two instances with overlap 0.5: σ = 1.5, 4000 rps per replica → ceil(3.57) = 4
    expect(analyticReplicas(makeScenario({ ...w1, fleet: { ...w1.fleet, instances: 2, overlap: 0.5 } }))!.replicas).toBe(4);
  });

  it('with no delay and preferred sizes below maxBatch, the batch is the largest preferred size (Triton never sends more)', () => {
    const capped = analyticReplicas(makeScenario({ ...w1, fleet: { ...w1.fleet, batching: { maxBatch: 32, maxQueueDelayS: 0, preferred: [8, 16] } } }))!;
    // 16 per 8 ms = 2000 rps per replica; 10 000 / (0.7 · 2000) = 7.14 → 8 (not 6 at maxBatch 32)
    expect(capped).toMatchObject({ batch: 16, replicas: 8 });
    expect(capped.perReplicaRps).toBeCloseTo(2000, 6);
    expect(capped.batchLatencyMs).toBeCloseTo(8, 10);
    // with a delay the queue of a saturated replica outwaits it: maxBatch again
    expect(analyticReplicas(makeScenario({ ...w1, fleet: { ...w1.fleet, batching: { maxBatch: 32, maxQueueDelayS: 0.001, preferred: [8, 16] } } }))!.batch).toBe(32);
  });

  it('the peak includes diurnal swings, spikes and schedule steps; trace replay has none', () => {
    const diurnal = makeScenario({ durationS: 86_400, traffic: { diurnal: { amplitude: 0.5, periodS: 86_400, peakAtS: 50_000 } } });
    expect(peakArrivalRate(diurnal)).toBeCloseTo(75, 6);
    const spiky = makeScenario({ durationS: 100, traffic: { spikes: [{ atS: 10, factor: 3, forS: 5 }], schedule: [{ atS: 0, rps: 50, rampS: 0 }, { atS: 60, rps: 80, rampS: 10 }] } });
    expect(peakArrivalRate(spiky)).toBe(150);
    const trace = makeScenario({ traffic: { trace: { file: 'x.csv', timeColumn: 't', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'auto' } } });
    expect(peakArrivalRate(trace)).toBeNull();
    expect(analyticReplicas(trace)).toBeNull();
  });

  it('Erlang C beside it without batching', () => {
    const mm = makeScenario({
      traffic: { schedule: [{ atS: 0, rps: 400, rampS: 0 }] },
      model: { latency: { batch: [1], latencyS: [0.01], source: 'test' } },
      slo: { latencyS: { p99: 0.06 }, maxErrorRate: null },
    });
    expect(analyticReplicas(mm)).toMatchObject({ replicas: 6, perReplicaRps: 100, erlangCReplicas: 6 });
  });

  it('a list start: the first value at or above the estimate', () => {
    expect(startIndexFor([1, 2, 4, 8, 16], 5)).toBe(3);
    expect(startIndexFor([1, 2, 4], 50)).toBe(2);
    expect(startIndexFor(['a', 'b'], 5)).toBe(0);
  });
});

// Two small fleets whose full 1..40 grid is monotone: the plan must agree with it at a third of the cost.
const BATCHED = `name: batched (W1-like)
duration: 4s
slo: { p99: 10ms }
traffic: { rate: 2000 }
model: { latency: { 1: 4.25ms, 32: 12ms }, variability: { dist: deterministic } }
fleet: { replicas: 1, routing: random, batching: { maxBatch: 32, maxQueueDelay: 2ms } }
`;
const UNBATCHED = `name: unbatched M/M/c-like
duration: 5s
slo: { p99: 60ms }
traffic: { rate: 400 }
model: { latency: { 1: 10ms }, variability: { dist: exponential } }
fleet: { replicas: 1, routing: least-outstanding }
`;

describe('plan against the full grid (real simulations, 3 seeds, replicas 1..40)', () => {
  const SEEDS = [1, 2, 3];
  const meetsAt = (text: string, replicas: number): boolean =>
    SEEDS.every((seed) =>
      meetsWithMargin(simulate(loadScenario(text, { file: 'test.yaml', baseDir: '.', sets: [`fleet.replicas=${replicas}`, `seed=${seed}`] })).summary, 0),
    );

  // analytic starts 2 and 6: probes 2 ✗ 3 ✗ 5 ✓ 4 ✗ (12 runs) and 6 ✓ 5 ✗ (6 runs), vs 120 for the grid
  for (const [text, expected, expectedRuns] of [
    [BATCHED, 5, 12],
    [UNBATCHED, 6, 6],
  ] as const) {
    it(text.split('\n')[0]!, async () => {
      const grid = Array.from({ length: 40 }, (_, i) => meetsAt(text, i + 1));
      const gridAnswer = grid.indexOf(true) + 1;
      expect(gridAnswer).toBe(expected);
      expect(grid.slice(gridAnswer - 1).every(Boolean)).toBe(true); // monotone, so the search's premise holds
      const analytic = analyticReplicas(loadScenario(text, { file: 'test.yaml', baseDir: '.' }))!;
      let runs = 0;
      const r = await planSearch({
        count: 40,
        startIndex: analytic.replicas - 1,
        meets: async (i) => {
          runs += SEEDS.length;
          return meetsAt(text, i + 1);
        },
      });
      expect(r.index! + 1).toBe(gridAnswer);
      expect(runs).toBeLessThanOrEqual((40 * SEEDS.length) / 3);
      expect(runs).toBe(expectedRuns);
    });
  }
});
