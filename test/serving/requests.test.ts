/**
 * Request storage (src/serving/requests.ts): the pool's id recycling and growth, the ring
 * queue's FIFO order through wrap-around and growth. Each case a script and the ids it yields.
 */
import { describe, expect, it } from 'vitest';
import { RequestPool, RingQueue } from '../../src/serving/requests.js';

describe('RequestPool', () => {
  const cases: { name: string; capacity: number; script: ('alloc' | ['free', number])[]; allocated: number[]; live: number }[] = [
    { name: 'fresh ids in order', capacity: 4, script: ['alloc', 'alloc', 'alloc'], allocated: [0, 1, 2], live: 3 },
    // freed 1 then 0: the free list hands back the last freed first, then fresh ids resume at 3
    { name: 'freed ids come back last-freed first', capacity: 4, script: ['alloc', 'alloc', 'alloc', ['free', 1], ['free', 0], 'alloc', 'alloc', 'alloc'], allocated: [0, 1, 2, 0, 1, 3], live: 4 },
    { name: 'grows past its capacity', capacity: 2, script: ['alloc', 'alloc', 'alloc', 'alloc', 'alloc'], allocated: [0, 1, 2, 3, 4], live: 5 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pool = new RequestPool(c.capacity);
      const got: number[] = [];
      for (const s of c.script) {
        if (s === 'alloc') {
          const id = pool.alloc();
          pool.arrivedAtS[id] = 100 + id;
          pool.key[id] = 1000 + id;
          got.push(id);
        } else pool.free(s[1]);
      }
      expect(got).toEqual(c.allocated);
      expect(pool.live).toBe(c.live);
      // fields written before a growth are still there after it
      for (const id of got) expect([pool.arrivedAtS[id], pool.key[id]]).toEqual([100 + id, 1000 + id]);
    });
  }
});

describe('RingQueue', () => {
  const cases: { name: string; capacity: number; script: (number | 'shift')[]; shifted: number[]; left: number[] }[] = [
    { name: 'first in, first out', capacity: 16, script: [1, 2, 3, 'shift', 4, 'shift'], shifted: [1, 2], left: [3, 4] },
    {
      // 16 slots: 12 in, 10 out, 10 more in: the tail wraps past the end of the buffer
      name: 'wraps around its buffer',
      capacity: 16,
      script: [...Array.from({ length: 12 }, (_, i) => i), ...Array<'shift'>(10).fill('shift'), ...Array.from({ length: 10 }, (_, i) => 100 + i)],
      shifted: Array.from({ length: 10 }, (_, i) => i),
      left: [10, 11, ...Array.from({ length: 10 }, (_, i) => 100 + i)],
    },
    {
      // wrapped (head at 10), then grown from 16 to 32: the order survives
      name: 'grows while wrapped, keeping the order',
      capacity: 16,
      script: [...Array.from({ length: 10 }, (_, i) => i), ...Array<'shift'>(10).fill('shift'), ...Array.from({ length: 20 }, (_, i) => 100 + i)],
      shifted: Array.from({ length: 10 }, (_, i) => i),
      left: Array.from({ length: 20 }, (_, i) => 100 + i),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const q = new RingQueue(c.capacity);
      const shifted: number[] = [];
      for (const s of c.script) {
        if (s === 'shift') shifted.push(q.shift());
        else q.push(s);
      }
      expect(shifted).toEqual(c.shifted);
      expect(Array.from({ length: q.length }, (_, i) => q.at(i))).toEqual(c.left);
    });
  }
});
