/**
 * ResultCache: LRU order and eviction, expiry draws, in-flight keys and their waiters,
 * and the open-addressing index against a Map-based reference LRU over random
 * operations (inserts, touches, removes, clears) with colliding and unique keys.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import { ResultCache } from '../../src/cache/result-cache.js';

const rng = (): RandomStream => new RandomStream(1, 'ttl');

describe('ResultCache', () => {
  it('keeps the most recently used entries and evicts the least recently used', () => {
    const c = new ResultCache(3, 10, 0, rng());
    c.store(1, 0, 0.1);
    c.store(2, 0, 0.1);
    c.store(3, 0, 0.1);
    expect(c.keysByRecency()).toEqual([3, 2, 1]);
    c.touch(c.find(1));
    expect(c.keysByRecency()).toEqual([1, 3, 2]);
    c.store(4, 1, 0.1); // evicts 2
    expect(c.keysByRecency()).toEqual([4, 1, 3]);
    expect(c.find(2)).toBe(-1);
    expect(c.evictions).toBe(1);
    expect(c.size).toBe(3);
    c.remove(c.find(1));
    expect(c.keysByRecency()).toEqual([4, 3]);
    c.store(5, 2, 0.1); // a free slot: no eviction
    expect(c.evictions).toBe(1);
    expect(c.keysByRecency()).toEqual([5, 4, 3]);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.find(5)).toBe(-1);
    expect(c.keysByRecency()).toEqual([]);
  });

  it('stores expiry, store time and compute time; re-storing renews and moves to the front', () => {
    const c = new ResultCache(2, 10, 0, rng());
    const s = c.store(7, 5, 0.25);
    expect(c.expiresAt(s)).toBe(15);
    expect(c.storedAt(s)).toBe(5);
    expect(c.computeTime(s)).toBe(0.25);
    c.store(8, 6, 0.5);
    expect(c.store(7, 9, 0.125)).toBe(s);
    expect(c.expiresAt(s)).toBe(19);
    expect(c.computeTime(s)).toBe(0.125);
    expect(c.keysByRecency()).toEqual([7, 8]);
  });

  it('jittered lifetimes are uniform in ttl·(1 ± j); ttl = ∞ never expires', () => {
    const c = new ResultCache(1, 100, 0.2, rng());
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const l = c.drawLifetimeS();
      min = Math.min(min, l);
      max = Math.max(max, l);
      sum += l;
    }
    expect(min).toBeGreaterThanOrEqual(80);
    expect(max).toBeLessThan(120);
    expect(min).toBeLessThan(80.01);
    expect(max).toBeGreaterThan(119.99);
    expect(Math.abs(sum / n - 100)).toBeLessThan(0.1); // sd of the mean ≈ 0.037
    const forever = new ResultCache(1, Infinity, 0.5, rng());
    expect(forever.expiresAt(forever.store(1, 3, 0))).toBe(Infinity);
    expect(() => new ResultCache(1, 1, 1, rng())).toThrow(RangeError);
  });

  it('capacity 0 stores nothing', () => {
    const c = new ResultCache(0, 10, 0, rng());
    expect(c.store(1, 0, 0)).toBe(-1);
    expect(c.find(1)).toBe(-1);
    expect(c.size).toBe(0);
  });

  it('keys in flight carry FIFO waiter lists', () => {
    const c = new ResultCache(4, 10, 0, rng());
    expect(c.flightOwner(42)).toBe(-1);
    c.beginFlight(42, 100);
    c.beginFlight(43, 101);
    expect(c.flightOwner(42)).toBe(100);
    c.addWaiter(42, 5);
    c.addWaiter(42, 9);
    c.addWaiter(42, 5000); // beyond the initial link array: grows
    const order: number[] = [];
    for (let w = c.endFlight(42); w >= 0; w = c.nextWaiter(w)) order.push(w);
    expect(order).toEqual([5, 9, 5000]);
    expect(c.flightOwner(42)).toBe(-1);
    expect(c.flightOwner(43)).toBe(101);
    expect(c.endFlight(43)).toBe(-1);
    expect(c.keysInFlight).toBe(0);
  });

  it('the flight map grows and deletes correctly with thousands of keys in flight', () => {
    const c = new ResultCache(1, 10, 0, rng());
    const r = new RandomStream(3, 'flights');
    const ref = new Map<number, number>();
    let bad = 0;
    for (let op = 0; op < 200_000; op++) {
      const key = r.int(5000) * 64; // multiples of 64 collide in the top bits more often
      if (ref.has(key)) {
        if (c.flightOwner(key) !== ref.get(key)) bad++;
        if (r.uniform() < 0.5) {
          c.endFlight(key);
          ref.delete(key);
        }
      } else {
        if (c.flightOwner(key) !== -1) bad++;
        c.beginFlight(key, op);
        ref.set(key, op);
      }
    }
    expect(bad).toBe(0);
    expect(c.keysInFlight).toBe(ref.size);
    for (const [k, v] of ref) expect(c.flightOwner(k)).toBe(v);
  });

  it('agrees with a reference LRU over 300 000 random operations, prefetch hints among them', () => {
    const capacity = 257;
    const c = new ResultCache(capacity, 10, 0, rng());
    const ref = new Map<number, number>(); // key → stored time; insertion order = recency (oldest first)
    const r = new RandomStream(9, 'ops');
    let unique = 1_000_000;
    let bad = 0;
    // prefetch() is a hint: interleaved everywhere, it must change nothing
    const hints = new RandomStream(9, 'hints');
    const ahead = new Int32Array(16);
    for (let op = 0; op < 300_000; op++) {
      if (op % 5 === 0) {
        for (let j = 0; j < 16; j++) ahead[j] = hints.uniform() < 0.5 ? hints.int(300) : hints.int(2000) * 1024;
        c.prefetch(ahead, 0, 16);
      }
      const u = r.uniform();
      // hot keys (many hits), a sparse range (collisions), and never-seen keys
      const key = u < 0.4 ? r.int(300) : u < 0.7 ? r.int(2000) * 1024 : u < 0.95 ? unique++ : 0x7fffffff - r.int(10);
      const action = r.uniform();
      const slot = c.find(key);
      if (slot >= 0 !== ref.has(key)) bad++;
      if (action < 0.6) {
        c.store(key, op, 0);
        ref.delete(key);
        ref.set(key, op);
        if (ref.size > capacity) ref.delete(ref.keys().next().value!);
      } else if (action < 0.9) {
        if (slot >= 0) {
          c.touch(slot);
          const v = ref.get(key)!;
          ref.delete(key);
          ref.set(key, v);
        }
      } else if (action < 0.999) {
        if (slot >= 0) {
          c.remove(slot);
          ref.delete(key);
        }
      } else {
        c.clear();
        ref.clear();
      }
      if (c.size !== ref.size) bad++;
    }
    expect(bad).toBe(0);
    expect(c.keysByRecency()).toEqual([...ref.keys()].reverse());
    for (const [k, storedAt] of ref) expect(c.storedAt(c.find(k))).toBe(storedAt);
  });
});
