/** The run's figures are its sites' recorders merged: N sites merged = one recorder that saw every request. */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';
import { mergeRecorders } from '../../src/metrics/summary.js';
import { addParts, emptyParts, resetParts, Timeline } from '../../src/metrics/timeline.js';

type Event = ['arrive' | 'complete' | 'reject' | 'timeout', number, boolean] | ['batch', number, number];

/** Plays `events` ([kind, latency or size, counted / time]) into `rec`. */
function play(rec: Recorder, events: Event[]): void {
  for (const e of events) {
    if (e[0] === 'batch') rec.batch(e[1], e[2], 0.001 * e[1]);
    else if (e[0] === 'arrive') rec.arrival(e[2]);
    else if (e[0] === 'complete') rec.complete(e[1], e[2]);
    else if (e[0] === 'reject') rec.reject(e[2]);
    else rec.timeout(e[2]);
  }
}

// warmup until 1 s; SLO target 50 ms
const site0: Event[] = [
  ['arrive', 0, false],
  ['complete', 0.2, false], // warmup: not in the summary
  ['batch', 1, 0.5],
  ['arrive', 0, true],
  ['arrive', 0, true],
  ['complete', 0.01, true],
  ['complete', 0.03, true],
  ['batch', 2, 2],
];
const site1: Event[] = [
  ['arrive', 0, true],
  ['arrive', 0, true],
  ['arrive', 0, true],
  ['complete', 0.02, true],
  ['complete', 0.09, true], // over the SLO target
  ['reject', 0, true],
  ['batch', 3, 3],
];
const site2: Event[] = [
  ['arrive', 0, true],
  ['timeout', 0, true],
];

describe('recorder merge', () => {
  it('three sites merged: the counts, SLO tally, batches and latency quantiles of one recorder that saw everything', () => {
    const sites = [site0, site1, site2].map((ev) => {
      const r = new Recorder(1, 0.05);
      play(r, ev);
      r.flush();
      return r;
    });
    const one = new Recorder(1, 0.05);
    play(one, [...site0, ...site1, ...site2]);
    one.flush();
    const m = mergeRecorders(sites, 1, 0.05);
    expect(m).toMatchObject({ arrived: 6, completed: 4, rejected: 1, timedOut: 1, withinSlo: 3, batches: 2, batchedRequests: 5 });
    expect(m.effectiveWorkS).toBeCloseTo(0.005, 15);
    for (const k of ['arrived', 'completed', 'rejected', 'timedOut', 'withinSlo', 'batches', 'batchedRequests'] as const) expect(m[k]).toBe(one[k]);
    // 10, 20, 30, 90 ms (the warmup's 200 ms is out)
    expect(m.latency.count).toBe(4);
    expect(m.latency.min).toBe(0.01);
    expect(m.latency.max).toBe(0.09);
    for (const q of [0.25, 0.5, 0.75, 0.99]) expect(m.latency.quantile(q)).toBe(one.latency.quantile(q));
    expect(m.latency.quantile(0.5)).toBeCloseTo(0.02, 4);
    expect(m.latency.mean()).toBeCloseTo(0.0375, 12);
  });

  it('one site merged is that site, to the bit (a plain run is N = 1)', () => {
    const r = new Recorder(1, 0.05);
    play(r, site1);
    r.flush();
    const m = mergeRecorders([r], 1, 0.05);
    expect(m.latency.sum).toBe(r.latency.sum);
    expect(m.effectiveWorkS).toBe(r.effectiveWorkS);
    expect(m.latency.quantile(0.99)).toBe(r.latency.quantile(0.99));
  });

  it("an interval's parts summed over sites give the run's row: sums, ratios of sums, quantiles of the merged histogram", () => {
    const recs = [site0, site1, site2].map((ev) => {
      const r = new Recorder(1, 0.05);
      play(r, ev);
      return r;
    });
    const run = emptyParts();
    resetParts(run, 10, 10);
    recs.forEach((r, i) => {
      const p = { ...emptyParts(10, 10), latency: r.iLatency };
      p.arrivals = r.iArrivals;
      p.completed = r.iCompleted;
      p.rejected = r.iRejected;
      p.timedOut = r.iTimedOut;
      p.batches = r.iBatches;
      p.batchedRequests = r.iBatchedRequests;
      p.replicasReady = i + 1;
      p.readyS = 10 * (i + 1);
      p.busyS = 2;
      addParts(run, p);
    });
    const tl = new Timeline();
    tl.addParts(run);
    const row = Object.fromEntries(tl.columns.map((c, i) => [c, tl.rows[0]![i]]));
    // all requests count in an interval, warmup included: 5 completions 10, 20, 30, 90, 200 ms
    expect(row).toMatchObject({ timeS: 10, arrivals: 7, completed: 5, rejected: 1, timedOut: 1, replicasReady: 6, meanBatchSize: 2 });
    expect(row.p50Ms).toBeCloseTo(30, 1);
    expect(row.p99Ms).toBeCloseTo(200, 1);
    expect(row.gpuUtilization).toBeCloseTo(6 / 60, 15);
    expect(Number.isNaN(row.cacheHitRate)).toBe(true);
    expect(Number.isNaN(row.costUsd)).toBe(true);
  });
});
