/**
 * The KV cache of one replica, as vLLM v1's BlockPool keeps it (vllm/v1/core/block_pool.py,
 * kv_cache_utils.py FreeKVCacheBlockQueue):
 *
 *  - `numGpuBlocks` blocks of `blockSize` tokens; block 0 is vLLM's null block (never handed out),
 *    so `numGpuBlocks − 1` are usable;
 *  - free blocks sit in one doubly linked queue: allocation takes from the head, a request that
 *    finishes (or is preempted) returns its blocks to the tail in reverse order (its last block
 *    first), so the least recently used cached block is evicted first;
 *  - with prefix caching, a full block carries a hash; a freed block keeps it (it stays reusable
 *    until allocation evicts it), and a lookup hit on a free block takes it out of the queue
 *    ("touch"). A hash is identified here by (cache key, block index) instead of a hash of the
 *    token ids: two requests share block j exactly when they share the key and the block lies in
 *    their shared prefix (see engine.ts for how requests get their keys).
 *
 * Typed arrays only; the hash index is an open-addressing table (linear probing, backward-shift
 * deletion) on the key pair (a, b), sized to twice the block count (a block holds at most one
 * hash), so lookups and evictions never allocate.
 */
import { PairIndex } from './pair-index.js';
export class BlockPool {
  readonly numBlocks: number;
  readonly refCnt: Int32Array;
  /** Hash key (a, b) of a block; hasHash marks the blocks that have one. a ≥ 0: a shared-prefix group, indexed; a < 0: −1 − the request whose own content it holds, not indexed. */
  readonly hashA: Int32Array;
  readonly hashB: Int32Array;
  readonly hasHash: Uint8Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = -1;
  private tail = -1;
  /** Blocks in the free queue (cached or not). */
  freeCount = 0;
  /** Shared hash (a ≥ 0, b) → cached block. */
  private readonly index: PairIndex;
  /** Cached blocks evicted (their hash dropped) by allocation. */
  evictions = 0;

  constructor(numGpuBlocks: number) {
    if (!(Number.isInteger(numGpuBlocks) && numGpuBlocks >= 2)) throw new RangeError(`numGpuBlocks must be an integer ≥ 2 (got ${numGpuBlocks})`);
    this.numBlocks = numGpuBlocks;
    this.refCnt = new Int32Array(numGpuBlocks);
    this.hashA = new Int32Array(numGpuBlocks);
    this.hashB = new Int32Array(numGpuBlocks);
    this.hasHash = new Uint8Array(numGpuBlocks);
    this.index = new PairIndex(numGpuBlocks);
    this.prev = new Int32Array(numGpuBlocks).fill(-1);
    this.next = new Int32Array(numGpuBlocks).fill(-1);
    // block 0 is the null block: referenced forever, never free
    this.refCnt[0] = 1;
    for (let b = 1; b < numGpuBlocks; b++) this.pushTail(b);
  }

  /** Usable blocks (all but the null block). */
  get usable(): number {
    return this.numBlocks - 1;
  }

  /** Blocks held by requests (usable − free). */
  get used(): number {
    return this.numBlocks - 1 - this.freeCount;
  }

  private pushTail(b: number): void {
    this.prev[b] = this.tail;
    this.next[b] = -1;
    if (this.tail >= 0) this.next[this.tail] = b;
    else this.head = b;
    this.tail = b;
    this.freeCount++;
  }

  private unlink(b: number): void {
    const p = this.prev[b]!;
    const n = this.next[b]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.prev[b] = -1;
    this.next[b] = -1;
    this.freeCount--;
  }

  /** The cached block with shared hash (a ≥ 0, b), or -1. */
  lookup(a: number, b: number): number {
    return this.index.get(a, b);
  }

  /** Takes one reference on a cached block found by lookup (out of the free queue if it was free). */
  touch(b: number): void {
    if (this.refCnt[b] === 0) this.unlink(b);
    this.refCnt[b]!++;
  }

  /** Takes a block from the head of the free queue (evicting its hash); caller checked freeCount. */
  allocate(): number {
    const b = this.head;
    if (b < 0) throw new RangeError('KV cache: allocate() with no free block');
    this.unlink(b);
    if (this.hasHash[b] === 1) {
      if (this.hashA[b]! >= 0) this.index.delete(this.hashA[b]!, this.hashB[b]!);
      this.hasHash[b] = 0;
      this.evictions++;
    }
    this.refCnt[b] = 1;
    return b;
  }

  /** Gives a full block its hash (a, b), unless another block already holds that hash (vLLM keeps the first). */
  cache(blk: number, a: number, b: number): void {
    if (this.hasHash[blk] === 1) return;
    if (a < 0) {
      // a request's own content: only that request can hit it again (after a preemption), by
      // checking its former blocks' tags, so it needs no index entry
      this.hashA[blk] = a;
      this.hashB[blk] = b;
      this.hasHash[blk] = 1;
      return;
    }
    if (!this.index.add(a, b, blk)) return;
    this.hashA[blk] = a;
    this.hashB[blk] = b;
    this.hasHash[blk] = 1;
  }

  /** Drops one reference; a block that reaches zero goes to the tail of the free queue. */
  release(b: number): void {
    const r = --this.refCnt[b]!;
    if (r < 0) throw new RangeError(`KV cache: block ${b} released twice`);
    if (r === 0) this.pushTail(b);
  }
}
