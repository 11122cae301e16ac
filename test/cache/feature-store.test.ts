/**
 * The feature store station: M/M/c mean wait against Erlang C within 3 %, busy share
 * λ·E[S]/c, M/D/1 against Pollaczek–Khinchine, read replicas as extra servers, a bounded
 * queue that refuses, exact FCFS timings by hand, and the store in front of the fleet
 * through the cache layer (the "DB bottleneck": latency from the store, not the GPUs).
 */
import { describe, expect, it } from 'vitest';
import { md1, mmc } from '../../src/theory/capacity.js';
import { Simulation } from '../../src/engine/simulation.js';
import { FeatureStore } from '../../src/cache/feature-store.js';
import type { FeatureStoreSpec } from '../../src/config/cache.js';
import { Harness } from './harness.js';

/** Poisson arrivals at `rps` into a fresh station until `endS`; returns the station after the run. */
function runStation(spec: FeatureStoreSpec, rps: number, endS: number, warmupS: number): { fs: FeatureStore; done: number; refused: number } {
  const sim = new Simulation(3);
  const fs = new FeatureStore(sim, spec, sim.rng.stream('feature-store'), warmupS);
  let done = 0;
  let refused = 0;
  fs.onDone = (): void => {
    done++;
  };
  const rng = sim.rng.stream('arrivals');
  let id = 0;
  let t = rng.exp1() / rps;
  const arrive = sim.register(() => {
    if (!fs.submit(id++)) refused++;
    t += rng.exp1() / rps;
    if (t < endS) sim.atSource(t, arrive);
  });
  sim.atSource(t, arrive);
  sim.run(endS);
  return { fs, done, refused };
}

const exp = (meanS: number, servers: number, readReplicas = 0): FeatureStoreSpec => ({
  servers,
  readReplicas,
  maxQueue: Infinity,
  serviceTime: { meanS, cv: 1, dist: 'exponential' },
});

describe('FeatureStore', () => {
  it('M/M/4 (λ = 3000/s, μ = 1000/s): mean wait within 3 % of Erlang C, busy share 0.75', () => {
    const { fs } = runStation(exp(0.001, 4), 3000, 520, 20);
    const th = mmc(3000, 1000, 4);
    expect(fs.waits.count).toBeGreaterThan(1_450_000);
    expect(Math.abs(fs.waits.mean() / th.meanWaitS - 1)).toBeLessThan(0.03);
    expect(Math.abs(fs.utilization(520) - 0.75)).toBeLessThan(0.01);
    // Little on the queue: mean length = λ·Wq
    expect(Math.abs(fs.meanQueueLength(520) / (3000 * th.meanWaitS) - 1)).toBeLessThan(0.05);
    // share of arrivals that waited at all: Erlang C
    expect(Math.abs(fs.queuedJobs / fs.waits.count - th.probWait)).toBeLessThan(0.01);
  });

  it('read replicas add servers: 2 servers + 1 replica is M/M/4', () => {
    const { fs } = runStation(exp(0.001, 2, 1), 3000, 220, 20);
    expect(fs.servers).toBe(4);
    expect(Math.abs(fs.waits.mean() / mmc(3000, 1000, 4).meanWaitS - 1)).toBeLessThan(0.05);
  });

  it('M/D/1 (λ = 700/s, D = 1 ms): mean wait within 3 % of ρD/(2(1−ρ))', () => {
    const spec: FeatureStoreSpec = { servers: 1, readReplicas: 0, maxQueue: Infinity, serviceTime: { meanS: 0.001, cv: 0, dist: 'deterministic' } };
    const { fs } = runStation(spec, 700, 1520, 20);
    expect(Math.abs(fs.waits.mean() / md1(700, 0.001).meanWaitS - 1)).toBeLessThan(0.03);
  });

  it('a bounded queue refuses arrivals beyond it (M/M/1/K loss share)', () => {
    // M/M/1 with room for 2 waiting (K = 3 in the system), ρ = 1: each of the 4 states is equally likely
    const spec: FeatureStoreSpec = { ...exp(0.001, 1), maxQueue: 2 };
    const { fs, refused } = runStation(spec, 1000, 500, 0);
    expect(fs.rejected).toBe(refused);
    expect(Math.abs(refused / (refused + fs.waits.count) - 0.25)).toBeLessThan(0.01);
  });

  it('serves first come first served with exact times (2 servers, 1 s each)', () => {
    const sim = new Simulation(1);
    const spec: FeatureStoreSpec = { servers: 2, readReplicas: 0, maxQueue: 1, serviceTime: { meanS: 1, cv: 0, dist: 'deterministic' } };
    const fs = new FeatureStore(sim, spec, sim.rng.stream('fs'));
    const done: string[] = [];
    fs.onDone = (id): void => {
      done.push(`${id}@${sim.now}`);
    };
    const h = sim.register((id) => {
      if (!fs.submit(id)) done.push(`${id} refused@${sim.now}`);
    });
    [0, 0.1, 0.2, 0.3, 1.5].forEach((t, i) => sim.at(t, h, i));
    sim.run(10);
    expect(done).toEqual(['3 refused@0.3', '0@1', '1@1.1', '2@2', '4@2.5']);
    expect(fs.waits.count).toBe(4);
    expect(fs.waits.sum).toBeCloseTo(0.8, 12); // request 2 waited from 0.2 to 1
    expect(fs.busy).toBe(0);
    expect(fs.utilization(10)).toBeCloseTo((1 + 1 + 1 + 1) / 20, 12);
  });

  it('behind the cache: misses pay the store, a full store rejects into the books', () => {
    // unique keys: every lookup misses; one server, 10 ms each, room for 1 waiting; arrivals at fixed times
    const h = new Harness({
      config: { mode: 'keyed', capacity: 10, ttlS: 1, ttlJitter: 0, lookupLatencyS: 0.001, stampede: 'none', staleWindowS: 0, xfetchBeta: 1, prewarmed: false },
      computeS: () => 0.004,
      featureStore: { servers: 1, readReplicas: 0, maxQueue: 1, serviceTime: { meanS: 0.01, cv: 0, dist: 'deterministic' } },
    });
    h.at([0, 0.001, 0.002, 0.1], [1, 2, 3, 4]);
    h.sim.run(0.0035);
    // 1 in service, 2 waiting, 3 refused
    expect(h.layer.inFlightCounted()).toBe(2);
    expect(h.books.rejected).toBe(1);
    expect(h.balanced()).toBe(true);
    h.sim.run(10);
    expect(h.books.completed).toBe(3);
    expect(h.layer.stats.featureStoreRejected).toBe(1);
    expect(h.pool.live).toBe(0);
    // request 2: lookup to 0.002, waits to 0.011, store to 0.021, GPU to 0.025
    expect(h.books.latencyMaxS).toBeCloseTo(0.024, 12);
    // request 1 or 4: lookup 1 ms + store 10 ms + GPU 4 ms
    expect(h.books.latencyMinS).toBeCloseTo(0.015, 12);
  });
});
