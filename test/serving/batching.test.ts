/** Exact event orders in tiny hand-computed cases: arrivals at given times → batches and completions. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { stringLineSource } from '../../src/cli/line-source.js';
import type { Scenario } from '../../src/config/scenario.js';
import { makeScenario } from '../helpers/scenario.js';
import { companions } from '../../src/theory/companions.js';
import { preferredAtMost } from '../../src/serving/fleet.js';

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
const table8 = { batch: [1, 8], latencyS: [0.01, 0.024], source: 'test' };

describe('dynamic batcher (Triton semantics)', () => {
  it('preferredAtMost: the largest preferred size the walk reaches at each queue length; none means {maxBatch}', () => {
    expect(Array.from(preferredAtMost([4, 8], 16))).toEqual([0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(Array.from(preferredAtMost([8, 2], 8))).toEqual([0, 0, 2, 2, 2, 2, 2, 2, 8]);
    expect(Array.from(preferredAtMost([], 4))).toEqual([0, 0, 0, 0, 4]);
    expect(Array.from(preferredAtMost([1], 3))).toEqual([0, 1, 1, 1]);
  });

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
    // 0: waits; 1: preferred 2 reached → go (done 13); 2,3,3.5,4 queue; at 13 the oldest (2) has
    // waited 11 ms ≥ 5: the delay has expired, everything pending goes (4; done 29)
    expect(t.batches).toEqual([
      [0, 1, 2],
      [0, 13, 4],
    ]);
  });

  it('preferred sizes below maxBatch, no delay: the largest preferred size caps every batch (Triton never sends maxBatch)', () => {
    const sc = makeScenario({ model: { latency: table }, fleet: { batching: { maxBatch: 4, maxQueueDelayS: 0, preferred: [2, 3] } } });
    const t = replay([0, 1, 2, 3, 4, 5, 6, 7], sc);
    // 0: one queued, no preferred size reached, delay 0 → goes alone (done 10). 1..7 queue.
    // 10: 7 queued, the walk stops at maxBatch 4 having reached 3 → 3 (1,2,3; 14 ms, done 24).
    // 24: 4 queued (4..7) → 3 again (4,5,6; done 38). 38: one queued → goes alone (done 48).
    expect(t.batches).toEqual([
      [0, 0, 1],
      [0, 10, 3],
      [0, 24, 3],
      [0, 38, 1],
    ]);
    expect(t.responses.map((x) => x[2])).toEqual([10, 24, 24, 24, 38, 38, 38, 48]);
  });

  it('an expired delay sends everything pending, a queue between two preferred sizes included; an unexpired one the preferred size', () => {
    const sc = makeScenario({ model: { latency: table8 }, fleet: { batching: { maxBatch: 8, maxQueueDelayS: 0.003, preferred: [2, 4] } } });
    const t = replay([0, 1, 2, 3, 4, 25, 25.5, 26, 60], sc);
    // 0: waits (timer at 3). 1: preferred 2 reached, delay not expired → 2 (12 ms, done 13); 2, 3, 4 queue.
    // 13: 3 queued, the oldest (2) has waited 11 ms ≥ 3 → all 3, not the preferred 2 (14 ms, done 27).
    // 27: 25, 25.5, 26 queued, the oldest has waited 2 ms < 3 → preferred 2 (done 39); 26 stays.
    // 39: 26 has waited 13 ms → goes alone (done 49). 60: alone, waits for its delay → 63 (done 73).
    expect(t.batches).toEqual([
      [0, 1, 2],
      [0, 13, 3],
      [0, 27, 2],
      [0, 39, 1],
      [0, 63, 1],
    ]);
    expect(t.responses.map((x) => x[2])).toEqual([13, 13, 27, 27, 27, 39, 39, 49, 73]);
  });

  it('an expired delay sends everything pending up to maxBatch, past the largest preferred size', () => {
    const sc = makeScenario({ model: { latency: table8 }, fleet: { batching: { maxBatch: 6, maxQueueDelayS: 0.001, preferred: [2] } } });
    const t = replay([0, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9], sc);
    // 0.5: preferred 2 → go (done 12.5). 1..9 queue (9 requests); 12.5: oldest waited 11.5 ms → maxBatch 6
    // (1..6; 20 ms, done 32.5). 32.5: 7, 8, 9 expired → 3 (done 46.5).
    expect(t.batches).toEqual([
      [0, 0.5, 2],
      [0, 12.5, 6],
      [0, 32.5, 3],
    ]);
  });

  it('an empty preferred list is {maxBatch}: the same event order with and without it, delay or none', () => {
    const arrivals = [0, 1, 2, 3, 4, 5, 6, 7, 8, 30];
    const run = (delayS: number, preferred: number[]): Trace =>
      replay(arrivals, makeScenario({ model: { latency: table }, fleet: { batching: { maxBatch: 4, maxQueueDelayS: delayS, preferred } } }));
    const none = run(0, []);
    // 0 → alone (done 10); 10: 8 queued → 4 (1..4, done 26); 26: 4 queued → 4 (5..8, done 42); 42: 30 alone (done 52)
    expect(none.batches).toEqual([
      [0, 0, 1],
      [0, 10, 4],
      [0, 26, 4],
      [0, 42, 1],
    ]);
    expect(run(0, [4]).batches).toEqual(none.batches);
    const delayed = run(0.0015, []);
    // 0 waits; 1 waits; 1.5: delay expired → 2 (0, 1; done 13.5); 13.5: 2..8 (7) → 4 (done 29.5);
    // 29.5: 6, 7, 8 expired → 3 (done 43.5); 43.5: 30 expired → 1 (done 53.5)
    expect(delayed.batches).toEqual([
      [0, 1.5, 2],
      [0, 13.5, 4],
      [0, 29.5, 3],
      [0, 43.5, 1],
    ]);
    expect(run(0.0015, [4]).batches).toEqual(delayed.batches);
    expect(run(0.0015, [4]).responses).toEqual(delayed.responses);
  });

  it('a delay timer whose request timed out meanwhile re-arms for the next oldest instead of sending it early', () => {
    const sc = makeScenario({
      model: { latency: table },
      fleet: { batching: { maxBatch: 4, maxQueueDelayS: 0.005, preferred: [] }, queue: { maxDepth: 100, timeoutS: 0.0045 } },
    });
    // 0 waits (timer at 5) and times out at 4.5; at 5 the oldest is 1, which has waited 4 ms < 5: the timer
    // re-arms for 6, and 1 times out at 5.5 (as Triton's batcher, which wakes for the closest timeout first).
    const t = replay([0, 1], sc);
    expect(t.batches).toEqual([]);
    expect(t.summary.requests).toMatchObject({ arrived: 2, completed: 0, timedOut: 2 });
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

describe('saturation throughput of one replica (the batcher against the analytic companion)', () => {
  // W1's latency model: 4 ms + 0.25 ms per request; latency(8) = 6 ms, latency(16) = 8 ms
  const w1Table = { batch: [1, 32], latencyS: [0.00425, 0.012], source: 'w1' };
  const overloaded = (rps: number, maxQueueDelayS: number, preferred: number[]): Scenario =>
    makeScenario({
      durationS: 20,
      warmupS: 0,
      traffic: { schedule: [{ atS: 0, rps, rampS: 0 }] },
      model: { latency: w1Table },
      fleet: { batching: { maxBatch: 16, maxQueueDelayS, preferred } },
    });
  /** Requests per second completed over the run, and the mean batch size. */
  const served = (sc: Scenario): { rps: number; meanBatch: number; p99Ms: number } => {
    const s = simulate(sc).summary;
    return { rps: s.requests.completed / sc.durationS, meanBatch: s.gpu.meanBatchSize, p99Ms: s.latencyMs.p99 };
  };

  it('preferred [4, 8], maxBatch 16, no delay: 8 / latency(8), as the companion says (not 16 / latency(16))', () => {
    const sc = overloaded(3000, 0, [4, 8]);
    const analytic = companions(sc).maxRpsPerReplica;
    expect(analytic).toBeCloseTo(8 / 0.006, 6);
    const sim = served(sc);
    expect(sim.meanBatch).toBeCloseTo(8, 2);
    expect(Math.abs(sim.rps - analytic) / analytic).toBeLessThan(0.002);
  });

  it('the same batcher with a 1 ms delay saturates at maxBatch: 16 / latency(16)', () => {
    const sc = overloaded(3000, 0.001, [4, 8]);
    const analytic = companions(sc).maxRpsPerReplica;
    expect(analytic).toBeCloseTo(16 / 0.008, 6);
    const sim = served(sc);
    expect(sim.meanBatch).toBeGreaterThan(15.9);
    expect(Math.abs(sim.rps - analytic) / analytic).toBeLessThan(0.002);
  });

  it('between the two capacities [4, 8]/16/0 overloads (the queue grows) while the 1 ms delay serves everything', () => {
    // 1 800 req/s: above 8 / 6 ms = 1 333, below 16 / 8 ms = 2 000. The old rule ("maxBatch when maxBatch is
    // queued") served this at a p99 of a few ms with no delay.
    const capped = served(overloaded(1800, 0, [4, 8]));
    expect(capped.rps).toBeLessThan(1340);
    expect(capped.p99Ms).toBeGreaterThan(1000);
    const delayed = served(overloaded(1800, 0.001, [4, 8]));
    expect(delayed.rps).toBeGreaterThan(1780);
    expect(delayed.p99Ms).toBeLessThan(50);
  });

  it('preferred [4], maxBatch 8, 1 ms delay: batches of 5 to 7 appear once the delay has expired (the old rule sent 4)', () => {
    const sc = makeScenario({
      durationS: 20,
      traffic: { schedule: [{ atS: 0, rps: 900, rampS: 0 }] },
      model: { latency: w1Table },
      fleet: { batching: { maxBatch: 8, maxQueueDelayS: 0.001, preferred: [4] } },
    });
    const sizes = new Int32Array(9);
    simulate(sc, { observer: { batchStarted: (_r, size) => sizes[size]!++, responded: () => undefined } });
    expect(sizes[5]! + sizes[6]! + sizes[7]!).toBeGreaterThan(0);
  });
});
