/**
 * An index from a pair of int32 keys (a, b) to a non-negative int: open addressing with linear
 * probing in typed arrays (no allocation per operation), backward-shift deletion, sized to a
 * power of two at least twice the entries it must hold. The KV cache's prefix index (block hash
 * → block) and the prefix-affinity router's per-replica sets (block hash → entry) both use it.
 */
export class PairIndex {
  private readonly tA: Int32Array;
  private readonly tB: Int32Array;
  /** Value + 1 in each slot; 0 = empty. */
  private readonly tV: Int32Array;
  private readonly mask: number;

  /** An index for up to `entries` pairs. */
  constructor(entries: number) {
    let cap = 16;
    while (cap < 2 * entries) cap *= 2;
    this.tA = new Int32Array(cap);
    this.tB = new Int32Array(cap);
    this.tV = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    let i = this.slot(a, b);
    for (;;) {
      const v = this.tV[i]!;
      if (v === 0) return -1;
      if (this.tA[i] === a && this.tB[i] === b) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** Adds (a, b) → `value` (≥ 0) and returns true, or returns false when (a, b) is already there (its value kept). */
  add(a: number, b: number, value: number): boolean {
    let i = this.slot(a, b);
    for (;;) {
      const v = this.tV[i]!;
      if (v === 0) break;
      if (this.tA[i] === a && this.tB[i] === b) return false;
      i = (i + 1) & this.mask;
    }
    this.tA[i] = a;
    this.tB[i] = b;
    this.tV[i] = value + 1;
    return true;
  }

  /** Removes (a, b) if present. */
  delete(a: number, b: number): void {
    const m = this.mask;
    let i = this.slot(a, b);
    for (;;) {
      if (this.tV[i] === 0) return;
      if (this.tA[i] === a && this.tB[i] === b) break;
      i = (i + 1) & m;
    }
    // backward-shift deletion keeps every probe chain unbroken
    let j = i;
    for (;;) {
      this.tV[i] = 0;
      for (;;) {
        j = (j + 1) & m;
        if (this.tV[j] === 0) return;
        const k = this.slot(this.tA[j]!, this.tB[j]!);
        // move j into the hole at i unless its home k lies cyclically in (i, j]
        if (i <= j ? i < k && k <= j : i < k || k <= j) continue;
        break;
      }
      this.tA[i] = this.tA[j]!;
      this.tB[i] = this.tB[j]!;
      this.tV[i] = this.tV[j]!;
      i = j;
    }
  }

  /** Empties the index. */
  clear(): void {
    this.tV.fill(0);
  }
}
