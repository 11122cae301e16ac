/** Shards: the traffic split by key hash or Zipf tenant onto separate fleets; per-shard books and the imbalance. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { hash32 } from '../../src/topology/shards.js';
import type { Summary } from '../../src/metrics/summary.js';

function sharded(shards: string, extra = '', traffic = '{ rate: 400 }'): ReturnType<typeof simulate> {
  return simulate(
    loadScenario(
      `
name: shards
seed: 9
duration: 200s
warmup: 10s
slo: { p99: 50ms }
traffic: ${traffic}
model: { latency: { 1: 2ms, 16: 8ms } }
fleet: { replicas: 1, batching: { maxBatch: 16 }, queue: { timeout: 1s } }
cost: { gpuHourly: 1 }
shards: ${shards}
${extra}
`,
      { file: 's.yaml', baseDir: '.' },
    ),
  );
}

function expectBooksBalance(s: Summary): void {
  const q = s.requests;
  expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
  for (const b of s.shards!) {
    const r = b.requests;
    expect(r.arrived).toBe(r.completed + r.rejected + r.timedOut + r.inFlightAtEnd);
  }
  for (const k of ['arrived', 'completed', 'rejected', 'timedOut', 'inFlightAtEnd', 'cacheHits'] as const) {
    expect(s.shards!.reduce((a, b) => a + b.requests[k], 0)).toBe(q[k]);
  }
  expect(s.shards!.reduce((a, b) => a + b.arrivedShare, 0)).toBeCloseTo(1, 9);
}

describe('hash32', () => {
  it('is lowbias32: 0 stays 0, consecutive ids scatter, and mod 4 is even over 100 000 ids', () => {
    expect(hash32(0)).toBe(0);
    expect(hash32(1)).not.toBe(hash32(2));
    expect(hash32(1) >>> 0).toBe(hash32(1));
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 100_000; k++) counts[hash32(k) % 4]!++;
    for (const c of counts) expect(Math.abs(c - 25_000)).toBeLessThan(500);
  });
});

describe('shards', () => {
  it('by key-hash with unique keys: four even shards, imbalance ≈ 1, the books balance per shard', () => {
    const r = sharded('{ count: 4, by: key-hash }');
    const s = r.summary;
    expectBooksBalance(s);
    expect(s.shards!.map((b) => b.name)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    for (const b of s.shards!) expect(Math.abs(b.arrivedShare - 0.25)).toBeLessThan(0.01);
    expect(s.shardImbalance!).toBeLessThan(1.03);
    expect(s.regions).toBeNull();
    expect(s.failover).toBeNull();
    // four fleets of one replica each, a dollar an hour, for the 190 s after warmup
    expect(s.replicas).toMatchObject({ min: 4, max: 4, mean: 4 });
    expect(s.cost.gpuUsd).toBeCloseTo((4 * 190) / 3600, 9);
    expect(s.shards!.reduce((a, b) => a + b.costUsd, 0)).toBeCloseTo(s.cost.totalUsd, 9);
    expect(r.siteTimelines.map((t) => t.name)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    expect(sum(r.siteTimelines.map((t) => sum(t.timeline.column('completed'))))).toBe(sum(r.timeline.column('completed')));
  });

  it('by tenant: tenant mod count makes the most popular tenants’ shard hot, as Zipf predicts', () => {
    const s = sharded('{ count: 4, by: tenant, tenants: { count: 200, exponent: 1.1 } }').summary;
    expectBooksBalance(s);
    // Σ_{k ≡ 1 mod 4} k^−1.1 / Σ_k k^−1.1 over k = 1..200
    let all = 0;
    const byShard = [0, 0, 0, 0];
    for (let k = 1; k <= 200; k++) {
      all += k ** -1.1;
      byShard[(k - 1) % 4]! += k ** -1.1;
    }
    const expected = byShard.map((x) => x / all);
    expect(expected[0]).toBeCloseTo(0.373, 3);
    s.shards!.forEach((b, i) => expect(Math.abs(b.arrivedShare - expected[i]!)).toBeLessThan(0.01));
    expect(Math.abs(s.shardImbalance! - 4 * expected[0]!)).toBeLessThan(0.04);
    // 400 req/s: shard-0 gets ~150 req/s on a replica good for 2 000, so all is well here; the load is just uneven
    expect(s.shards![0]!.gpu.utilization).toBeGreaterThan(s.shards![3]!.gpu.utilization);
  });

  it('a keyed cache per shard: hashing the key keeps each key on one shard', () => {
    const s = sharded('{ count: 2, by: key-hash }', 'cache: { capacity: 600 }', '{ rate: 400, keys: { kind: zipf, count: 1000, exponent: 0.8 } }').summary;
    expectBooksBalance(s);
    // each shard sees its ~500 of the 1 000 keys and holds them all in 600 entries: only a key's first sight misses
    // (spread at random, each shard would see all 1 000 keys through 600 entries and keep missing)
    expect(s.cache!.misses).toBeLessThanOrEqual(1000);
    expect(s.shards!.every((b) => b.cacheHitRate! > 0.9)).toBe(true);
  });
});
