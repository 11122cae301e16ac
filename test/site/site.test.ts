/**
 * One site, driven by hand: requests handed to Site.arrive at given times, its books, its interval
 * snapshot and its end-of-run totals, in tiny hand-computed cases (one replica, 10 ms per batch).
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';
import { LevelIntegral } from '../../src/metrics/recorder.js';
import { checkBooks, type SiteTotals } from '../../src/metrics/summary.js';
import { RequestPool } from '../../src/serving/requests.js';
import { Site, type Network } from '../../src/site/site.js';
import type { IntervalParts } from '../../src/metrics/timeline.js';
import type { Scenario } from '../../src/config/scenario.js';
import { makeScenario } from '../helpers/scenario.js';

interface Log {
  /** [replica, startMs, size] */
  batches: [number, number, number][];
  /** [replica, arrivedMs, doneMs] */
  responses: [number, number, number][];
}

const ms = (s: number): number => Math.round(s * 1e9) / 1e6;

/** A site of `sc` on a fresh clock; `arrive(tMs)` schedules a request reaching it at tMs. */
function rig(sc: Scenario, o: { network?: Network | null; streamSuffix?: string } = {}) {
  const sim = new Simulation(sc.seed);
  const pool = new RequestPool(16);
  const readySum = new LevelIntegral(sc.warmupS);
  const site = new Site(sim, { sc, name: 'a', plan: null, pool, streamSuffix: o.streamSuffix ?? '', readySum, sloTargetS: Infinity, held: false, network: o.network ?? null });
  const log: Log = { batches: [], responses: [] };
  site.observe({
    batchStarted: (replica, size, t) => log.batches.push([replica, ms(t), size]),
    responded: (replica, a, d) => log.responses.push([replica, ms(a), ms(d)]),
  });
  const onArrive = sim.register((population) => {
    const id = pool.alloc();
    if (o.network) (o.network.pop as Uint16Array)[id] = population;
    pool.arrivedAtS[id] = sim.now;
    pool.key[id] = id;
    pool.counted[id] = sim.now >= sc.warmupS ? 1 : 0;
    site.arrive(id);
  });
  return {
    sim,
    site,
    log,
    readySum,
    /** A request reaching the site at tMs, from `population` (regions). */
    arrive: (tMs: number, population = 0): void => sim.at(tMs / 1000, onArrive, population),
    at: (tMs: number, f: () => void): void => sim.at(tMs / 1000, sim.register(f), 0),
  };
}

/** The interval's parts as a plain record of the figures a hand trace checks. */
function counts(p: IntervalParts) {
  return {
    arrivals: p.arrivals,
    completed: p.completed,
    rejected: p.rejected,
    timedOut: p.timedOut,
    batches: p.batches,
    batchedRequests: p.batchedRequests,
    latencyCount: p.latency.count,
    replicasReady: p.replicasReady,
    queueDepth: p.queueDepth,
  };
}

function balanced(t: SiteTotals): boolean {
  checkBooks(t.rec, t.inFlightAtEnd, t.name);
  return true;
}

describe('Site (one fleet, by hand)', () => {
  it('two requests, one replica, 10 ms each: the second waits for the first; the books and the interval agree', () => {
    const r = rig(makeScenario());
    r.arrive(0);
    r.arrive(4);
    r.sim.run(1);
    // replica 0 serves 0 → 10 ms, then the queued request 10 → 20 ms
    expect(r.log.batches).toEqual([
      [0, 0, 1],
      [0, 10, 1],
    ]);
    expect(r.log.responses).toEqual([
      [0, 0, 10],
      [0, 4, 20],
    ]);
    const p = r.site.closeInterval(1, 1);
    expect(counts(p)).toEqual({ arrivals: 2, completed: 2, rejected: 0, timedOut: 0, batches: 2, batchedRequests: 2, latencyCount: 2, replicasReady: 1, queueDepth: 0 });
    // busy 20 ms of 1 s ready
    expect(p.busyS).toBeCloseTo(0.02, 12);
    expect(p.readyS).toBe(1);
    // latencies 10 and 16 ms: p50 is the first, p99 the second (nearest rank, within 0.1 %)
    expect(p.latency.quantile(0.5)).toBeCloseTo(0.01, 4);
    expect(p.latency.quantile(0.99)).toBeCloseTo(0.016, 4);
    // the site's own timeline got the row of the same parts
    const tl = r.site.timeline;
    expect(tl.rows).toHaveLength(1);
    expect(tl.column('completed')).toEqual([2]);
    expect(tl.column('meanBatchSize')).toEqual([1]);
    expect(tl.column('gpuUtilization')[0]).toBeCloseTo(0.02, 12);
    expect(Number.isNaN(tl.column('cacheHitRate')[0])).toBe(true);
    expect(Number.isNaN(tl.column('costUsd')[0])).toBe(true); // finalised by the run at the end
    expect(r.site.costSoFar).toEqual([{ gpuS: 1, completed: 2, foreign: 0 }]);
    r.site.resetInterval();
    const t = r.site.end(1);
    expect(t.rec).toMatchObject({ arrived: 2, completed: 2, rejected: 0, timedOut: 0, batches: 2, batchedRequests: 2 });
    expect(t.rec.latency.count).toBe(2);
    expect(t.rec.latency.mean()).toBeCloseTo(0.013, 12);
    expect(t).toMatchObject({ inFlightAtEnd: 0, readyS: 1, readyLevel: 1, readyMin: 1, readyMax: 1, billedGpuS: 1, coldStarts: 0, foreignCompleted: 0, cache: null, featureStore: null });
    expect(balanced(t)).toBe(true);
  });

  it('stopped while one request runs and one queues: both are in flight at the end, and the books balance', () => {
    const r = rig(makeScenario());
    r.arrive(0);
    r.arrive(1);
    r.arrive(2);
    r.sim.run(0.015); // the first is done at 10 ms, the second runs until 20 ms, the third waits
    r.site.closeInterval(0.015, 0.015);
    r.site.resetInterval();
    const t = r.site.end(0.015);
    expect(t.rec).toMatchObject({ arrived: 3, completed: 1 });
    expect(t.inFlightAtEnd).toBe(2);
    expect(balanced(t)).toBe(true);
  });

  it('a full queue rejects: maxDepth 1 holds one request behind the running one, the third is rejected at once', () => {
    const r = rig(makeScenario({ fleet: { queue: { maxDepth: 1, timeoutS: Infinity } } }));
    r.arrive(0);
    r.arrive(1);
    r.arrive(2);
    r.sim.run(1);
    expect(r.log.responses).toEqual([
      [0, 0, 10],
      [0, 1, 20],
    ]);
    const p = r.site.closeInterval(1, 1);
    expect(counts(p)).toMatchObject({ arrivals: 3, completed: 2, rejected: 1 });
    r.site.resetInterval();
    expect(balanced(r.site.end(1))).toBe(true);
  });

  it('a region outage: the request in service fails, arrivals while down are rejected at once, restore starts pods again', () => {
    const r = rig(makeScenario());
    r.arrive(0); // in service when the outage hits at 5 ms
    r.at(5, () => r.site.outage(r.sim.now));
    r.arrive(6); // down: rejected
    r.arrive(7); // down: rejected
    r.at(8, () => r.site.restore());
    r.arrive(50); // the replica is back (cold start 0): served 50 → 60 ms
    r.sim.run(1);
    expect(r.site.down).toBe(false);
    expect(r.log.responses).toEqual([[expect.any(Number), 50, 60]]);
    const p = r.site.closeInterval(1, 1);
    expect(counts(p)).toMatchObject({ arrivals: 4, completed: 1, rejected: 3, timedOut: 0 });
    r.site.resetInterval();
    const t = r.site.end(1);
    expect(t.rec).toMatchObject({ arrived: 4, completed: 1, rejected: 3 });
    expect(balanced(t)).toBe(true);
  });

  it('a region site: users see the round trip from their population, and completions from away are foreign', () => {
    // two populations: 0 is this site's home (5 ms away), 1 is 40 ms away
    const network: Network = { pop: new Uint16Array(16), rttByPopS: Float64Array.from([0.005, 0.04]), home: 0 };
    const r = rig(makeScenario(), { network, streamSuffix: ':a' });
    r.arrive(0, 0); // served 0 → 10 ms: seen 15 ms
    r.arrive(20, 1); // served 20 → 30 ms: seen 50 ms, and foreign
    r.sim.run(1);
    expect(r.log.responses).toEqual([
      [0, 0, 10],
      [0, 20, 30],
    ]);
    expect(r.site.closeInterval(1, 1).completed).toBe(2);
    expect(r.site.costSoFar).toEqual([{ gpuS: 1, completed: 2, foreign: 1 }]);
    r.site.resetInterval();
    const t = r.site.end(1);
    expect(t.foreignCompleted).toBe(1);
    expect(t.rec.latency.min).toBeCloseTo(0.015, 12);
    expect(t.rec.latency.max).toBeCloseTo(0.05, 12);
    expect(balanced(t)).toBe(true);
  });
});
