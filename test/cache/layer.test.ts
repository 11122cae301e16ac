/**
 * The cache layer through the real engine against cache theory (VALIDATION.md):
 * single-key TTL hit ratio, TTL + coalescing shares, LRU under Zipf vs Che's
 * approximation, XFetch recomputes per expiry, the expiry storm and what jitter does
 * to it, and hand-computed timelines for each stampede policy. The books balance in
 * every test, and every id (user or background refresh) is freed once drained.
 */
import { describe, expect, it } from 'vitest';
import {
  cheLruHitRatio,
  singleKeyTtlCoalesced,
  singleKeyTtlHitRatio,
  xfetchExpectedRecomputes,
  zipfPopularities,
} from '../../src/theory/capacity.js';
import { RandomStream } from '../../src/engine/rng.js';
import type { CacheConfig, KeyedCacheConfig } from '../../src/config/cache.js';
import { createKeySampler } from '../../src/workload/keys.js';
import { Harness } from './harness.js';

function keyed(over: Partial<KeyedCacheConfig>): CacheConfig {
  return {
    mode: 'keyed',
    capacity: 1000,
    ttlS: 1,
    ttlJitter: 0,
    lookupLatencyS: 0.001,
    stampede: 'none',
    staleWindowS: 0,
    xfetchBeta: 1,
    prewarmed: false,
    ...over,
  };
}

/** Runs arrivals out, lets everything drain, and checks nothing leaked. */
function drain(h: Harness, untilS: number): void {
  h.sim.run(untilS);
  expect(h.balanced()).toBe(true);
  h.sim.run(untilS + 1e6);
  expect(h.layer.inFlightCounted()).toBe(0);
  expect(h.fleetHeldCounted).toBe(0);
  expect(h.pool.live).toBe(0); // user ids and refresh ids all freed
  expect(h.balanced()).toBe(true);
  const b = h.books;
  expect(b.arrived).toBe(b.completed + b.rejected + b.timedOut);
  const s = h.layer.stats;
  expect(s.lookups).toBe(s.hits + s.staleHits + s.delayedHits + s.misses);
  expect(s.lookups).toBe(b.arrived);
}

describe('CacheLayer against cache theory', () => {
  it('single key, Poisson λ = 10/s, TTL 0.3 s: hit ratio λT/(1+λT) = 0.75 within 1 % absolute', () => {
    const h = new Harness({ config: keyed({ ttlS: 0.3 }), warmupS: 10 });
    h.poisson(10, 40_010, () => 7);
    h.sim.run(20_000);
    expect(h.balanced()).toBe(true);
    drain(h, 40_010);
    const s = h.layer.stats;
    expect(s.lookups).toBeGreaterThan(390_000);
    expect(Math.abs(s.hitRate - singleKeyTtlHitRatio(10, 0.3))).toBeLessThan(0.01);
    expect(s.delayedHits + s.staleHits + s.backgroundRefreshes).toBe(0);
    // a hit costs the lookup, a miss the lookup and a compute time of 0
    expect(h.books.latencyMinS).toBeCloseTo(0.001, 9);
    expect(h.books.latencyMaxS).toBeCloseTo(0.001, 9);
  });

  it('single key, λ = 20/s, T = 0.2 s, fetch D = 50 ms, coalesce: hits, delayed hits, misses per VALIDATION.md', () => {
    const h = new Harness({ config: keyed({ ttlS: 0.2, stampede: 'coalesce' }), computeS: () => 0.05, warmupS: 5 });
    h.poisson(20, 20_005, () => 3);
    drain(h, 20_005);
    const s = h.layer.stats;
    const th = singleKeyTtlCoalesced(20, 0.2, 0.05); // 4/6, 1/6, 1/6
    expect(s.lookups).toBeGreaterThan(390_000);
    expect(Math.abs(s.hits / s.lookups - th.hit)).toBeLessThan(0.01);
    expect(Math.abs(s.delayedHits / s.lookups - th.delayedHit)).toBeLessThan(0.01);
    expect(Math.abs(s.misses / s.lookups - th.miss)).toBeLessThan(0.01);
    // delayed hits finish with their leader: nobody waits longer than lookup + D
    expect(h.books.latencyMaxS).toBeCloseTo(0.051, 9);
  });

  it('the same key without coalescing: every miss during the fetch goes to the model, (1+λD)/(1+λ(D+T))', () => {
    const h = new Harness({ config: keyed({ ttlS: 0.2, stampede: 'none' }), computeS: () => 0.05, warmupS: 5 });
    h.poisson(20, 20_005, () => 3);
    drain(h, 20_005);
    const s = h.layer.stats;
    expect(Math.abs(s.misses / s.lookups - 2 / 6)).toBeLessThan(0.01);
    expect(Math.abs(s.hits / s.lookups - 4 / 6)).toBeLessThan(0.01);
    expect(s.delayedHits).toBe(0);
  });

  for (const exponent of [0.8, 1.2]) {
    for (const capacity of [100, 1000]) {
      it(`LRU, TTL ∞, Zipf s = ${exponent} over 10⁴ keys, capacity ${capacity}: hit ratio within 1 % of Che's approximation`, () => {
        const keys = 10_000;
        const h = new Harness({
          config: keyed({ capacity, ttlS: Infinity, lookupLatencyS: 0 }),
          warmupS: 100,
          seed: 11,
        });
        const sampler = createKeySampler({ kind: 'zipf', count: keys, exponent }, new RandomStream(5, 'keys'));
        h.poisson(2000, 800, () => sampler.next());
        drain(h, 800);
        const s = h.layer.stats;
        expect(s.lookups).toBeGreaterThan(1_350_000);
        const che = cheLruHitRatio(zipfPopularities(keys, exponent), capacity).hitRatio;
        expect(Math.abs(s.hitRate - che)).toBeLessThan(0.01);
        expect(h.layer.cache!.size).toBe(capacity);
      });
    }
  }

  /** Background refreshes forwarded, grouped into rounds (one per entry lifetime). */
  function refreshRounds(h: Harness, fromS: number, gapS: number): { rounds: number; refreshes: number } {
    let rounds = 0;
    let refreshes = 0;
    let roundStartS = -Infinity;
    h.forwardedAtS.forEach((t, i) => {
      if (h.forwardedUser[i] || t < fromS) return;
      refreshes++;
      if (t - roundStartS > gapS) {
        rounds++;
        roundStartS = t;
      }
    });
    return { rounds, refreshes };
  }

  it('XFetch without a lock (β = 1): recomputes per expiry ≈ e^{1/β} within 4 %, no user misses', () => {
    // λβδ = 30 and T/(βδ) = 10: the first trigger lands well inside the lifetime
    const h = new Harness({ config: keyed({ ttlS: 1, stampede: 'xfetch', xfetchBeta: 1 }), computeS: () => 0.1, warmupS: 10 });
    h.recordForwards = true;
    h.poisson(300, 3010, () => 1);
    drain(h, 3010);
    const { rounds, refreshes } = refreshRounds(h, 10, 0.2);
    expect(rounds).toBeGreaterThan(3500);
    const perRound = refreshes / rounds;
    expect(Math.abs(perRound / xfetchExpectedRecomputes(1) - 1)).toBeLessThan(0.04);
    expect(h.layer.stats.misses).toBe(0); // refreshed before expiry every time
    expect(h.layer.stats.backgroundRefreshes).toBe(refreshes);
  });

  it('XFetch with a lock: exactly one recompute per expiry', () => {
    const h = new Harness({
      config: keyed({ ttlS: 1, stampede: 'xfetch', xfetchBeta: 1, xfetchLock: true }),
      computeS: () => 0.1,
      warmupS: 10,
    });
    h.recordForwards = true;
    h.poisson(300, 1010, () => 1);
    drain(h, 1010);
    const { rounds, refreshes } = refreshRounds(h, 10, 0.2);
    expect(rounds).toBeGreaterThan(1000);
    expect(refreshes).toBe(rounds);
    expect(h.layer.stats.misses).toBe(0);
  });

  // storm parameters: Zipf s = 0.8 over 500 keys, Poisson 5000/s (every key ≥ 2.7/s), TTL 30 s, compute 50 ms
  const STORM = { keys: 500, exponent: 0.8, rps: 5000, ttlS: 30, computeS: 0.05, endS: 60 };

  /** Misses per 1 s report interval from a cold cache (entry i is the interval (i, i+1] s). */
  function stormRun(jitter: number): number[] {
    const h = new Harness({
      config: keyed({ capacity: 5000, ttlS: STORM.ttlS, ttlJitter: jitter }),
      computeS: () => STORM.computeS,
      seed: 4,
    });
    const sampler = createKeySampler({ kind: 'zipf', count: STORM.keys, exponent: STORM.exponent }, new RandomStream(4, 'keys'));
    h.poisson(STORM.rps, STORM.endS, () => sampler.next());
    const misses: number[] = [];
    for (let t = 1; t <= STORM.endS; t++) {
      h.sim.run(t);
      misses.push(h.layer.interval.misses);
      h.layer.resetInterval();
    }
    drain(h, STORM.endS);
    return misses;
  }

  it('expiry storm: with no jitter the interval holding t = TTL has ≥ 5× the steady miss rate; ±20 % jitter at least halves the peak', () => {
    // steady miss rate by renewal: each key's cycle is D + T + 1/λₖ, with 1 + λₖD misses (stampede none)
    const { keys, exponent, rps, ttlS, computeS } = STORM;
    let steadyPerS = 0;
    for (const pk of zipfPopularities(keys, exponent)) {
      const lk = rps * pk;
      steadyPerS += (lk * (1 + lk * computeS)) / (1 + lk * (computeS + ttlS));
    }
    const flat = stormRun(0);
    const peak = flat[ttlS]!; // the interval (T, T + 1 s]
    expect(peak).toBeGreaterThanOrEqual(5 * steadyPerS);
    const jittered = stormRun(0.2);
    const jitterPeak = Math.max(...jittered.slice(ttlS / 2, (3 * ttlS) / 2));
    expect(jitterPeak).toBeLessThanOrEqual(0.5 * peak);
  });
});

describe('CacheLayer policies, step by step', () => {
  it('stale-while-revalidate: serves stale within the window, one refresh per key at a time, misses after', () => {
    // TTL 1 s, window 0.5 s, compute 0.2 s, lookup 1 ms; lookups happen 1 ms after arrival
    const h = new Harness({ config: keyed({ stampede: 'stale-while-revalidate', staleWindowS: 0.5 }), computeS: () => 0.2 });
    h.recordForwards = true;
    // 0: miss, stored at 0.201, expires 1.201, stale until 1.701
    // 1.0: fresh hit; 1.3: stale hit + refresh (stored 1.501, expires 2.501, stale until 3.001)
    // 1.4: stale hit, refresh already in flight; 1.6: fresh; 3.1: expired past the window → miss
    h.at([0, 1.0, 1.3, 1.4, 1.6, 3.1], [5, 5, 5, 5, 5, 5]);
    drain(h, 10);
    const s = h.layer.stats;
    expect([s.lookups, s.hits, s.staleHits, s.misses, s.backgroundRefreshes]).toEqual([6, 2, 2, 2, 1]);
    expect(h.forwardedAtS.map((t) => Math.round(t * 1000))).toEqual([1, 1301, 3101]);
    expect(h.forwardedUser).toEqual([true, false, true]);
    expect(h.books.completed).toBe(6);
    expect(h.books.latencyMaxS).toBeCloseTo(0.201, 9);
  });

  it('coalesce: a failed computation fails its waiters the same way; nothing is lost', () => {
    const h = new Harness({
      config: keyed({ stampede: 'coalesce' }),
      computeS: () => 0.1,
      fleetOutcome: () => 'timedOut',
    });
    // key 1: leader at 0 with waiters at 0.02, 0.05; key 2: leader alone at 0.03
    h.at([0, 0.02, 0.03, 0.05], [1, 1, 2, 1]);
    h.sim.run(0.04);
    expect(h.layer.inFlightCounted()).toBe(1); // the waiter at 0.02 (0.05 has not arrived)
    expect(h.fleetHeldCounted).toBe(2);
    expect(h.balanced()).toBe(true);
    drain(h, 1);
    expect(h.books.timedOut).toBe(4);
    expect(h.layer.stats.delayedHits).toBe(2);
    expect(h.layer.stats.misses).toBe(2);
    expect(h.layer.cache!.size).toBe(0); // nothing stored from failures
    expect(h.layer.cache!.keysInFlight).toBe(0);
  });

  it('a rejected background refresh is dropped without touching the books', () => {
    let n = 0;
    const h = new Harness({
      config: keyed({ stampede: 'stale-while-revalidate', staleWindowS: 10 }),
      computeS: () => 0.1,
      fleetOutcome: () => (n++ === 0 ? 'completed' : 'rejected'),
    });
    // 0: miss (completes); 2: stale hit, refresh rejected; 3: stale hit, a new refresh (also rejected)
    h.at([0, 2, 3], [9, 9, 9]);
    drain(h, 10);
    const s = h.layer.stats;
    expect([s.misses, s.staleHits, s.backgroundRefreshes, s.refreshesDropped]).toEqual([1, 2, 2, 2]);
    expect(h.books.completed).toBe(3);
    expect(h.books.rejected).toBe(0);
  });

  it('prewarmed: the most popular keys hit from t = 0 and, without jitter, all expire together at TTL', () => {
    const h = new Harness({ config: keyed({ capacity: 100, ttlS: 10, prewarmed: true }), keySpace: 1000 });
    expect(h.layer.cache!.size).toBe(100);
    expect(h.layer.cache!.keysByRecency().slice(0, 3)).toEqual([0, 1, 2]);
    const times: number[] = [];
    const keys: number[] = [];
    for (let k = 0; k < 100; k++) {
      times.push(5, 12);
      keys.push(k, k);
    }
    times.push(5);
    keys.push(100); // not prewarmed
    h.at(times, keys);
    h.sim.run(6);
    expect([h.layer.stats.hits, h.layer.stats.misses]).toEqual([100, 1]);
    drain(h, 20);
    expect([h.layer.stats.hits, h.layer.stats.misses]).toEqual([100, 101]);
  });

  it('cache-flush empties the cache: the next lookups miss', () => {
    const h = new Harness({ config: keyed({ ttlS: 100 }) });
    h.at([0, 1, 3, 4], [1, 1, 1, 1]);
    const flushAt = h.sim.register(() => h.layer.flush(h.sim.now));
    h.sim.at(2, flushAt, 0);
    drain(h, 10);
    expect([h.layer.stats.misses, h.layer.stats.hits]).toEqual([2, 2]);
    expect(h.layer.flushes).toBe(1);
    expect(h.layer.lastFlushS).toBe(2);
  });

  it('capacity 0: every lookup misses', () => {
    const h = new Harness({ config: keyed({ capacity: 0 }) });
    h.poisson(100, 10, () => 1);
    drain(h, 10);
    expect(h.layer.stats.hits).toBe(0);
    expect(h.layer.stats.misses).toBe(h.books.arrived);
  });

  it('hit-rate mode: hits with the given probability, answered after exactly the lookup latency', () => {
    const h = new Harness({ config: { mode: 'hit-rate', hitRate: 0.3, lookupLatencyS: 0.002 }, computeS: () => 0.01 });
    h.poisson(1000, 200, () => -1);
    drain(h, 200);
    const s = h.layer.stats;
    expect(s.lookups).toBeGreaterThan(190_000);
    expect(Math.abs(s.hitRate - 0.3)).toBeLessThan(0.005); // sd ≈ 0.001
    expect(h.books.latencyMinS).toBeCloseTo(0.002, 12);
    expect(h.books.latencyMaxS).toBeCloseTo(0.012, 12);
    expect(h.books.latencySumS / h.books.completed).toBeCloseTo(0.002 + 0.7 * 0.01, 3);
  });

  it('keyed mode refuses requests without keys', () => {
    const h = new Harness({ config: keyed({}) });
    h.at([0], [-1]);
    expect(() => h.sim.run(1)).toThrow(/no key/);
  });

  it('counts only after-warmup requests in the totals, all in the interval counters', () => {
    const h = new Harness({ config: keyed({ ttlS: 100 }), warmupS: 1 });
    h.at([0, 0.5, 2, 3], [1, 1, 1, 1]);
    drain(h, 10);
    expect([h.layer.stats.lookups, h.layer.stats.hits, h.layer.stats.misses]).toEqual([2, 2, 0]);
    expect([h.layer.interval.lookups, h.layer.interval.hits, h.layer.interval.misses]).toEqual([4, 3, 1]);
    h.layer.resetInterval();
    expect(h.layer.interval.lookups).toBe(0);
  });
});
