/** llm/pair-index.ts: the (a, b) → value index of the KV cache and the prefix-affinity router. */
import { describe, expect, it } from 'vitest';
import { PairIndex } from '../../src/llm/pair-index.js';

describe('PairIndex', () => {
  it('adds, finds, refuses a second add of the same pair, deletes and clears', () => {
    const ix = new PairIndex(4);
    expect(ix.get(1, 2)).toBe(-1);
    expect(ix.add(1, 2, 0)).toBe(true);
    expect(ix.add(1, 2, 7)).toBe(false);
    expect(ix.get(1, 2)).toBe(0);
    expect(ix.add(2, 1, 5)).toBe(true);
    expect([ix.get(1, 2), ix.get(2, 1)]).toEqual([0, 5]);
    ix.delete(1, 2);
    ix.delete(9, 9);
    expect([ix.get(1, 2), ix.get(2, 1)]).toEqual([-1, 5]);
    ix.clear();
    expect(ix.get(2, 1)).toBe(-1);
  });

  it('agrees with a Map through a full table of colliding probe chains and deletions', () => {
    // 300 live pairs in a table of 1024 slots, with adds and deletes interleaved: every probe chain
    // must survive the backward shifts
    const ix = new PairIndex(512);
    const ref = new Map<string, number>();
    let x = 12345;
    const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 40;
    for (let step = 0; step < 20_000; step++) {
      const a = next();
      const b = next() - 20;
      const k = `${a},${b}`;
      if (ref.has(k) || ref.size >= 300) {
        ix.delete(a, b);
        ref.delete(k);
      } else {
        expect(ix.add(a, b, step)).toBe(true);
        ref.set(k, step);
      }
      if (step % 97 === 0) for (const [key, v] of ref) expect(ix.get(...(key.split(',').map(Number) as [number, number]))).toBe(v);
    }
    for (let a = 0; a < 40; a++) for (let b = -20; b < 20; b++) expect(ix.get(a, b)).toBe(ref.get(`${a},${b}`) ?? -1);
  });
});
