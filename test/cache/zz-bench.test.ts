import { it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import { ResultCache } from '../../src/cache/result-cache.js';
import { createKeySampler } from '../../src/workload/keys.js';
import { Harness } from './harness.js';

function keysOf(n: number, count: number, s: number): Int32Array {
  const z = createKeySampler({ kind: 'zipf', count, exponent: s }, new RandomStream(1, 'k'));
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = z.next();
  return a;
}

it('bench', () => {
  const n = 5_000_000;
  for (const [count, s] of [[10_000_000, 0.9], [10_000_000, 0.6], [2_000_000, 1.1]] as const) {
    const keys = keysOf(n, count, s);
    const c = new ResultCache(1_000_000, Infinity, 0, new RandomStream(1, 't'));
    // warm
    for (let i = 0; i < n; i++) { const sl = c.find(keys[i]!); if (sl >= 0) c.touch(sl); else c.store(keys[i]!, i, 0); }
    let hits = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) { const sl = c.find(keys[i]!); if (sl >= 0) { c.touch(sl); hits++; } else c.store(keys[i]!, i, 0); }
    const t1 = performance.now();
    console.log(`BENCH cache zipf N=${count} s=${s}: ${((t1 - t0) * 1e6 / n).toFixed(1)} ns/lookup, hit ${(hits / n).toFixed(3)}`);
  }
  {
    const c = new ResultCache(1_000_000, Infinity, 0, new RandomStream(1, 't'));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) { const sl = c.find(i); if (sl >= 0) c.touch(sl); else c.store(i, i, 0); }
    const t1 = performance.now();
    console.log(`BENCH cache unique: ${((t1 - t0) * 1e6 / n).toFixed(1)} ns/lookup (miss+insert+evict)`);
  }
  {
    const t0 = performance.now();
    const z = createKeySampler({ kind: 'zipf', count: 10_000_000, exponent: 0.9 }, new RandomStream(1, 'k'));
    let x = 0;
    for (let i = 0; i < n; i++) x += z.next();
    const t1 = performance.now();
    console.log(`BENCH zipf draw: ${((t1 - t0) * 1e6 / n).toFixed(1)} ns/draw ${x > 0}`);
  }
  {
    // whole layer through the engine: Poisson arrivals, lookup latency 0.5 ms, compute 5 ms
    const h = new Harness({ config: { mode: 'keyed', capacity: 1_000_000, ttlS: 3600, ttlJitter: 0.1, lookupLatencyS: 0.0005, stampede: 'coalesce', staleWindowS: 0, xfetchBeta: 1, prewarmed: true }, computeS: () => 0.005, keySpace: 10_000_000 });
    const z = createKeySampler({ kind: 'zipf', count: 10_000_000, exponent: 0.9 }, new RandomStream(1, 'k'));
    h.poisson(10000, 400, () => z.next());
    const t0 = performance.now();
    h.sim.run(400);
    const t1 = performance.now();
    const s = h.layer.stats;
    console.log(`BENCH layer: ${((t1 - t0) * 1e6 / s.lookups).toFixed(1)} ns/request end-to-end (arrival+lookup+fake fleet), ${s.lookups} lookups, hit ${s.hitRate.toFixed(3)}, events ${h.sim.events}`);
  }
});
