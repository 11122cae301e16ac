/** Exact event orders in tiny hand-computed cases: arrivals at given times → batches and completions. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { stringLineSource } from '../../src/cli/line-source.js';
import type { Scenario } from '../../src/scenario/types.js';
import { makeScenario } from '../helpers/scenario.js';

interface Trace {
  batches: [number, number, number][]; // [replica, startMs, size]
  responses: [number, number, number][]; // [replica, arrivedMs, doneMs]
}

/** Runs `sc` on arrivals at the given times (ms) and records every batch and response. */
function replay(arrivalsMs: number[], sc: Scenario): Trace & { summary: ReturnType<typeof simulate>['summary'] } {
  const csv = ['t', ...arrivalsMs.map((ms) => String(ms / 1000))].join('\n');
  const scenario: Scenario = {
    ...sc,
    traffic: { ...sc.traffic, trace: { file: 'inline.csv', timeColumn: 't', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'epoch-s' } },
  };
  const out: Trace = { batches: [], responses: [] };
  const r = (v: number): number => Math.round(v * 1e9) / 1e6; // s → ms, rounded to the nanosecond
  const res = simulate(scenario, {
    traceLines: stringLineSource(csv),
    observer: {
      batchStarted: (replica, size, t) => out.batches.push([replica, r(t), size]),
      responded: (replica, a, d) => out.responses.push([replica, r(a), r(d)]),
    },
  });
  return { ...out, summary: res.summary };
}

// batch latency 10 ms + 2 ms per extra request
const table = { batch: [1, 4], latencyS: [0.01, 0.016], source: 'test' };

describe('dynamic batcher (Triton semantics)', () => {
  it('a full batch goes at once; the rest wait for the instance, then go without delay', () => {
    const sc = makeScenario({ model: { latency: table }, fleet: { batching: { maxBatch: 4, maxQueueDelayS: 0.002, preferred: [] } } });
    const t = replay([0, 0.5, 1, 1.2, 5, 6, 20], sc);
    expect(t.batches).toEqual([
      [0, 1.2, 4],
      [0, 17.2, 2],
      [0, 29.2, 1],
    ]);
    expect(t.responses).toEqual([
      [0, 0, 17.2],
      [0, 0.5, 17.2],
      [0, 1, 17.2],
      [0, 1.2, 17.2],
      [0, 5, 29.2],
      [0, 6, 29.2],
      [0, 20, 39.2],
    ]);
    expect(t.summary.requests).toMatchObject({ arrived: 7, completed: 7, rejected: 0, timedOut: 0, inFlightAtEnd: 0 });
    expect(t.summary.gpu.meanBatchSize).toBeCloseTo(7 / 3, 10);
  });

  it('a partial batch waits for the oldest request’s max queue delay', () => {
    const sc = makeScenario({ model: { latency: table }, fleet: { batching: { maxBatch: 4, maxQueueDelayS: 0.002, preferred: [] } } });
    const t = replay([0, 1, 10], sc);
    expect(t.batches).toEqual([
      [0, 2, 2],
      [0, 14, 1],
    ]);
    expect(t.responses.map((x) => x[2])).toEqual([14, 14, 24]);
  });

  it('dispatches the largest reachable preferred size without waiting', () => {
    const sc = makeScenario({ model: { latency: table }, fleet: { batching: { maxBatch: 4, maxQueueDelayS: 0.005, preferred: [2] } } });
    const t = replay([0, 1, 2, 3, 3.5, 4], sc);
    // 0: waits; 1: preferred 2 reached → go (done 13); 2,3,3.5,4 queue; at 13 → 4 = maxBatch (done 29)
    expect(t.batches).toEqual([
      [0, 1, 2],
      [0, 13, 4],
    ]);
  });

  it('with maxQueueDelay 0 a free instance takes whatever is queued', () => {
    const sc = makeScenario({ model: { latency: table }, fleet: { batching: { maxBatch: 4, maxQueueDelayS: 0, preferred: [] } } });
    const t = replay([0, 1, 2, 3], sc);
    expect(t.batches).toEqual([
      [0, 0, 1],
      [0, 10, 3],
    ]);
  });

  it('two instances on one GPU share it: each batch runs at σ(2)/2 = 0.75 speed while both run', () => {
    const sc = makeScenario({
      model: { latency: { batch: [1], latencyS: [0.01], source: 'test' } },
      fleet: { instances: 2, overlap: 0.5, batching: { maxBatch: 1, maxQueueDelayS: 0, preferred: [] } },
    });
    const t = replay([0, 2], sc);
    // A alone 0..2 ms: 2 ms of work done, 8 left. Both run from 2 ms at 0.75: A done at 2 + 8/0.75 = 12.6667;
    // B has done 10.6667·0.75 = 8 ms of work by then, 2 left alone: done at 14.6667.
    expect(t.responses[0]![2]).toBeCloseTo(2 + 8 / 0.75, 6);
    expect(t.responses[1]![2]).toBeCloseTo(2 + 8 / 0.75 + 2, 6);
  });

  it('a full queue rejects and a request queued past its timeout times out; the books balance', () => {
    const sc = makeScenario({
      model: { latency: { batch: [1], latencyS: [0.01], source: 'test' } },
      fleet: { batching: { maxBatch: 1, maxQueueDelayS: 0, preferred: [] }, queue: { maxDepth: 2, timeoutS: 0.015 } },
    });
    // 0 runs (done 10). 1, 2 queue; 3 is rejected (queue full). At 10 request 1 runs (done 20);
    // request 2 (arrived 2) times out at 17 while queued; 18 arrives, runs at 20 (done 30).
    const t = replay([0, 1, 2, 3, 18], sc);
    expect(t.responses).toEqual([
      [0, 0, 10],
      [0, 1, 20],
      [0, 18, 30],
    ]);
    expect(t.summary.requests).toMatchObject({ arrived: 5, completed: 3, rejected: 1, timedOut: 1, inFlightAtEnd: 0 });
  });

  it('round-robin spreads requests over replicas in turn', () => {
    const sc = makeScenario({ fleet: { replicas: 3, routing: 'round-robin' } });
    const t = replay([0, 1, 2, 3], sc);
    expect(t.batches.map((b) => b[0])).toEqual([0, 1, 2, 0]);
  });

  it('shared-queue: idle replicas pull from one queue', () => {
    const sc = makeScenario({ fleet: { replicas: 2, routing: 'shared-queue' } });
    const t = replay([0, 1, 2, 3], sc);
    // 0 → r0, 1 → r1; 2 and 3 wait in the shared queue until 10 (r0) and 11 (r1)
    expect(t.batches).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [0, 10, 1],
      [1, 11, 1],
    ]);
  });
});
