/** The analytic companions beside the simulation, and a case where the textbook rule is wrong. */
import { describe, expect, it } from 'vitest';
import { companions } from '../../src/theory/companions.js';
import { peakArrivalRate as peakRate } from '../../src/workload/rate-shape.js';
import { simulate } from '../../src/run.js';
import type { Scenario } from '../../src/config/scenario.js';
import { makeScenario } from '../helpers/scenario.js';

// W1's model: 4 ms + 0.25 ms per request, maxBatch 32, maxQueueDelay 2 ms, random routing
const w1 = (replicas: number, durationS = 60) =>
  makeScenario({
    durationS,
    warmupS: 5,
    slo: { latencyS: { p99: 0.012 }, maxErrorRate: null },
    traffic: { schedule: [{ atS: 0, rps: 10_000, rampS: 0 }] },
    model: { latency: { batch: [1, 32], latencyS: [0.00425, 0.012], source: 'w1' } },
    fleet: { replicas, routing: 'random', batching: { maxBatch: 32, maxQueueDelayS: 0.002, preferred: [] } },
  });

describe('analytic companions', () => {
  it('computes the textbook rule, the per-replica maximum and the peak of a shaped rate', () => {
    const c = companions(w1(6));
    expect(c.maxRpsPerReplica).toBeCloseTo(32 / 0.012, 6);
    expect(c.textbookReplicas).toBe(Math.ceil((10_000 * 0.012) / 0.7 / 32)); // 6
    const shaped = makeScenario({
      durationS: 86_400,
      traffic: {
        schedule: [{ atS: 0, rps: 1000, rampS: 0 }],
        diurnal: { amplitude: 0.5, periodS: 86_400, peakAtS: 50_400 },
        spikes: [{ atS: 3600, factor: 2, forS: 60 }],
      },
    });
    expect(peakRate(shaped)).toBeCloseTo(1500, 6); // the diurnal peak beats the spike at night
  });

  it('disagrees with the simulation: the rule says 6 replicas run at 70 %, the simulated p99 misses a 12 ms SLO even with 10', () => {
    const c = companions(w1(6));
    expect(c.textbookReplicas).toBe(6);
    const at6 = simulate(w1(6)).summary;
    const at10 = simulate(w1(10)).summary;
    // the rule ignores the batcher's delay and the queueing variance behind partial batches
    expect(at6.slo.met).toBe(false);
    expect(at6.latencyMs.p99).toBeGreaterThan(15);
    expect(at10.slo.met).toBe(false);
    // and nvidia-smi would show the GPUs far busier than the rule's 70 %
    expect(at6.gpu.utilization).toBeGreaterThan(0.95);
    expect(at6.analytic!.textbookReplicas).toBe(6);
  });

  it('agrees with Erlang C where Erlang C is the model: no batching, exponential service, one shared queue', () => {
    const sc = makeScenario({
      durationS: 300,
      warmupS: 20,
      traffic: { schedule: [{ atS: 0, rps: 3000, rampS: 0 }] },
      model: { latency: { batch: [1], latencyS: [0.001], source: 'mmc' }, variability: { dist: 'exponential', cv: 1 } },
      fleet: { replicas: 4, routing: 'shared-queue' },
    });
    const s = simulate(sc).summary;
    expect(s.analytic!.erlangC).not.toBeNull();
    expect(Math.abs(s.latencyMs.p99 / s.analytic!.erlangC!.p99Ms - 1)).toBeLessThan(0.04);
  });
});

describe('the cache in the analytic companions', () => {
  const cached = (cache: Scenario['cache'], keys: Scenario['traffic']['keys']) =>
    makeScenario({
      durationS: 120,
      warmupS: 60,
      traffic: { schedule: [{ atS: 0, rps: 10_000, rampS: 0 }], keys },
      model: { latency: { batch: [1, 32], latencyS: [0.00425, 0.012], source: 'w1' } },
      fleet: { replicas: 20, routing: 'random', batching: { maxBatch: 32, maxQueueDelayS: 0.002, preferred: [] } },
      cache,
    });
  const keyed = { mode: 'keyed', capacity: 20_000, ttlS: Infinity, ttlJitter: 0, lookupLatencyS: 0.0005, stampede: 'none', staleWindowS: 0, xfetchBeta: 1, prewarmed: true } as const;

  it('estimates a keyed LRU under Zipf keys within 1 % of the simulated hit rate, and sizes the fleet behind it', () => {
    const sc = cached(keyed, { kind: 'zipf', count: 200_000, exponent: 0.9 });
    const c = companions(sc);
    const simulated = simulate(sc).summary.cache!.hitRate;
    expect(Math.abs(c.cacheHitRate! - simulated)).toBeLessThan(0.01);
    expect(c.textbookReplicasBehindCache).toBe(Math.ceil((10_000 * (1 - c.cacheHitRate!) * 0.012) / 0.7 / 32));
    expect(c.textbookReplicasBehindCache!).toBeLessThan(c.textbookReplicas!);
  });

  it('takes a fixed hit rate as it is, unique keys as 0, and has no estimate without a cache', () => {
    expect(companions(cached({ mode: 'hit-rate', hitRate: 0.4, lookupLatencyS: 0 }, { kind: 'unique' })).cacheHitRate).toBe(0.4);
    expect(companions(cached(keyed, { kind: 'unique' })).cacheHitRate).toBe(0);
    const none = companions(w1(6));
    expect(none.cacheHitRate).toBeNull();
    expect(none.textbookReplicasBehindCache).toBeNull();
  });
});
