/**
 * The recorder (src/metrics/recorder.ts) on its own: the books (after warmup and per interval),
 * SLO attainment counting, batches, the interval row, flush into the summary histogram, and the
 * LevelIntegral's time integrals. Each case is a script of calls and the state expected after it,
 * traced by hand.
 */
import { describe, expect, it } from 'vitest';
import { LevelIntegral, Recorder } from '../../src/metrics/recorder.js';

type Call =
  /** A request arriving at t. */
  | ['arrive', number]
  /** A response to a request that arrived at t, `latencyS` after it. */
  | ['complete', number, number]
  | ['reject', number]
  | ['timeout', number]
  /** batch(n, t, peakWorkS) */
  | ['batch', number, number, number]
  | ['flush']
  | ['resetInterval'];

interface Books {
  arrived: number;
  completed: number;
  rejected: number;
  timedOut: number;
  withinSlo: number;
  batches: number;
  batchedRequests: number;
  effectiveWorkS: number;
  iArrivals: number;
  iCompleted: number;
  iRejected: number;
  iTimedOut: number;
  iBatches: number;
  iBatchedRequests: number;
  iEffectiveWorkS: number;
  /** The summary histogram: count, min, max (seconds). */
  latency: [number, number, number];
  /** The interval row's p50 and p99 (ms; NaN with nothing completed). */
  p50Ms: number;
  p99Ms: number;
}

function play(rec: Recorder, calls: Call[]): void {
  for (const c of calls) {
    switch (c[0]) {
      case 'arrive':
        rec.arrival(rec.counts(c[1]));
        break;
      case 'complete':
        rec.complete(c[2], rec.counts(c[1]));
        break;
      case 'reject':
        rec.reject(rec.counts(c[1]));
        break;
      case 'timeout':
        rec.timeout(rec.counts(c[1]));
        break;
      case 'batch':
        rec.batch(c[1], c[2], c[3]);
        break;
      case 'flush':
        rec.flush();
        break;
      case 'resetInterval':
        rec.resetInterval();
        break;
    }
  }
}

function books(rec: Recorder): Books {
  const l = rec.iLatency;
  const row = { p50Ms: l.count > 0 ? l.quantile(0.5) * 1e3 : NaN, p99Ms: l.count > 0 ? l.quantile(0.99) * 1e3 : NaN };
  const r = (x: number): number => Math.round(x * 1e12) / 1e12;
  return {
    arrived: rec.arrived,
    completed: rec.completed,
    rejected: rec.rejected,
    timedOut: rec.timedOut,
    withinSlo: rec.withinSlo,
    batches: rec.batches,
    batchedRequests: rec.batchedRequests,
    effectiveWorkS: r(rec.effectiveWorkS),
    iArrivals: rec.iArrivals,
    iCompleted: rec.iCompleted,
    iRejected: rec.iRejected,
    iTimedOut: rec.iTimedOut,
    iBatches: rec.iBatches,
    iBatchedRequests: rec.iBatchedRequests,
    iEffectiveWorkS: r(rec.iEffectiveWorkS),
    latency: [rec.latency.count, rec.latency.min, rec.latency.max],
    p50Ms: row.p50Ms,
    p99Ms: row.p99Ms,
  };
}

const EMPTY: [number, number, number] = [0, Infinity, -Infinity];

describe('Recorder: warmup 10 s, SLO target 50 ms', () => {
  // Each step: calls, then the books expected after them. p50 of a histogram is a bucket midpoint
  // (within 0.1 %, compared so); p99 of two values is their max, exactly.
  const steps: { name: string; calls: Call[]; expected: Books }[] = [
    {
      // arrivals at 5 (warmup) and 12, 15; the one from 5 completes in 20 ms (not counted), 12's in 40 ms (counted,
      // within 50), 15's is rejected; a batch at 9 (warmup) and one at 12
      name: 'warmup requests and batches count in the interval only',
      calls: [
        ['arrive', 5],
        ['arrive', 12],
        ['arrive', 15],
        ['complete', 5, 0.02],
        ['complete', 12, 0.04],
        ['reject', 15],
        ['batch', 2, 9, 0.01],
        ['batch', 1, 12, 0.005],
      ],
      expected: {
        arrived: 2,
        completed: 1,
        rejected: 1,
        timedOut: 0,
        withinSlo: 1,
        batches: 1,
        batchedRequests: 1,
        effectiveWorkS: 0.005,
        iArrivals: 3,
        iCompleted: 2,
        iRejected: 1,
        iTimedOut: 0,
        iBatches: 2,
        iBatchedRequests: 3,
        iEffectiveWorkS: 0.015,
        latency: EMPTY, // filled at flush
        p50Ms: 20,
        p99Ms: 40,
      },
    },
    {
      // the interval's counted latency (40 ms) moves into the summary; the warmup one (20 ms) is taken out again
      name: 'flush moves only counted latencies into the summary',
      calls: [['flush']],
      expected: {
        arrived: 2,
        completed: 1,
        rejected: 1,
        timedOut: 0,
        withinSlo: 1,
        batches: 1,
        batchedRequests: 1,
        effectiveWorkS: 0.005,
        iArrivals: 3,
        iCompleted: 2,
        iRejected: 1,
        iTimedOut: 0,
        iBatches: 2,
        iBatchedRequests: 3,
        iEffectiveWorkS: 0.015,
        latency: [1, 0.04, 0.04],
        p50Ms: NaN, // flush empties the interval histogram
        p99Ms: NaN,
      },
    },
    {
      // a new interval: 50 ms (within: the target is inclusive) and 60 ms (not), a timeout, all counted
      name: 'a new interval: counters from zero, the summary keeps growing',
      calls: [['resetInterval'], ['arrive', 20], ['arrive', 21], ['arrive', 22], ['complete', 20, 0.05], ['complete', 21, 0.06], ['timeout', 22], ['flush']],
      expected: {
        arrived: 5,
        completed: 3,
        rejected: 1,
        timedOut: 1,
        withinSlo: 2,
        batches: 1,
        batchedRequests: 1,
        effectiveWorkS: 0.005,
        iArrivals: 3,
        iCompleted: 2,
        iRejected: 0,
        iTimedOut: 1,
        iBatches: 0,
        iBatchedRequests: 0,
        iEffectiveWorkS: 0,
        latency: [3, 0.04, 0.06],
        p50Ms: NaN,
        p99Ms: NaN,
      },
    },
  ];

  it('books after each step', () => {
    const rec = new Recorder(10, 0.05);
    for (const s of steps) {
      play(rec, s.calls);
      const got = books(rec);
      const want = s.expected;
      // the p50 is a bucket midpoint: compare it to 0.1 %, everything else exactly
      if (Number.isNaN(want.p50Ms)) expect(got.p50Ms, s.name).toBeNaN();
      else expect(Math.abs(got.p50Ms / want.p50Ms - 1), s.name).toBeLessThanOrEqual(0.001);
      expect({ ...got, p50Ms: 0 }, s.name).toEqual({ ...want, p50Ms: 0 });
    }
  });

  it('counts(t): from warmup on, inclusive', () => {
    const rec = new Recorder(10, Infinity);
    expect([9.999, 10, 10.001].map((t) => rec.counts(t))).toEqual([false, true, true]);
  });

  it('no SLO target (Infinity): every counted completion is within it', () => {
    const rec = new Recorder(0, Infinity);
    play(rec, [['complete', 0, 1e6], ['complete', 1, 0.001]]);
    expect([rec.completed, rec.withinSlo]).toEqual([2, 2]);
  });
});

describe('LevelIntegral', () => {
  type Op = ['set', number, number] | ['advance', number] | ['take', number];
  const cases: {
    name: string;
    fromS: number;
    ops: Op[];
    /** takeInterval's returns, in order */
    taken: number[];
    expected: { level: number; total: number; all: number; interval: number; min: number; max: number };
  }[] = [
    {
      // level 2 on [0, 5), 4 on [5, 12), 1 on [12, 20]. Intervals: [0, 8] = 2·5 + 4·3 = 22; [8, 20] = 4·4 + 1·8 = 24.
      // total from 10: 4·2 + 1·8 = 16; all: 10 + 28 + 8 = 46; held after 10: 4 and 1
      name: 'a level stepping twice, counted from 10 s, read in two intervals',
      fromS: 10,
      ops: [
        ['set', 0, 2],
        ['set', 5, 4],
        ['take', 8],
        ['set', 12, 1],
        ['take', 20],
      ],
      taken: [22, 24],
      expected: { level: 1, total: 16, all: 46, interval: 0, min: 1, max: 4 },
    },
    {
      // nothing held after fromS yet: min and max are the current level
      name: 'before fromS: no total, extremes are the current level',
      fromS: 10,
      ops: [
        ['set', 0, 7],
        ['set', 3, 2],
        ['advance', 10],
      ],
      taken: [],
      expected: { level: 2, total: 0, all: 7 * 3 + 2 * 7, interval: 7 * 3 + 2 * 7, min: 2, max: 2 },
    },
    {
      // 3 on [0, 4], then 5 replaced by 6 at the same instant: 5 is never held (no time, not an extreme)
      name: 'a level replaced at the same instant neither accrues nor counts as an extreme',
      fromS: 0,
      ops: [
        ['set', 0, 3],
        ['set', 4, 5],
        ['set', 4, 6],
        ['advance', 6],
      ],
      taken: [],
      expected: { level: 6, total: 3 * 4 + 6 * 2, all: 3 * 4 + 6 * 2, interval: 3 * 4 + 6 * 2, min: 3, max: 6 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const li = new LevelIntegral(c.fromS);
      const taken: number[] = [];
      for (const op of c.ops) {
        if (op[0] === 'set') li.set(op[1], op[2]);
        else if (op[0] === 'advance') li.advance(op[1]);
        else taken.push(li.takeInterval(op[1]));
      }
      expect(taken).toEqual(c.taken);
      expect({ level: li.level, total: li.total, all: li.all, interval: li.interval, min: li.min, max: li.max }).toEqual(c.expected);
    });
  }
});
