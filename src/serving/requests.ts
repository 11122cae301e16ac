/**
 * Requests in flight, as a struct of arrays indexed by an int id and recycled
 * through a free list: no object is allocated per request. Arrays grow by doubling,
 * so hold the pool, never one of its arrays, across an alloc().
 */
import { grownF64, grownI32, grownU8 } from '../engine/typed-arrays.js';

export class RequestPool {
  arrivedAtS: Float64Array;
  /** When the request entered its current queue (the batcher's delay counts from here). */
  enqueuedAtS: Float64Array;
  key: Int32Array;
  /** 1 when the request arrived after warmup and counts in the summary. */
  counted: Uint8Array;
  private freeList: Int32Array;
  private freeCount = 0;
  private used = 0;
  /** Requests currently allocated. */
  live = 0;

  /** A pool with room for `capacity` requests before it grows. */
  constructor(capacity = 1024) {
    this.arrivedAtS = new Float64Array(capacity);
    this.enqueuedAtS = new Float64Array(capacity);
    this.key = new Int32Array(capacity);
    this.counted = new Uint8Array(capacity);
    this.freeList = new Int32Array(capacity);
  }

  /** Takes a free id (its fields hold stale values until set). */
  alloc(): number {
    this.live++;
    if (this.freeCount > 0) return this.freeList[--this.freeCount]!;
    if (this.used === this.arrivedAtS.length) this.grow();
    return this.used++;
  }

  /** Returns an id to the pool. */
  free(id: number): void {
    this.live--;
    this.freeList[this.freeCount++] = id;
  }

  private grow(): void {
    const cap = this.arrivedAtS.length * 2;
    this.arrivedAtS = grownF64(this.arrivedAtS, cap);
    this.enqueuedAtS = grownF64(this.enqueuedAtS, cap);
    this.key = grownI32(this.key, cap);
    this.counted = grownU8(this.counted, cap);
    this.freeList = grownI32(this.freeList, cap);
  }
}

/** FIFO ring buffer of request ids, grown by doubling. */
export class RingQueue {
  private buf: Int32Array;
  private mask: number;
  private head = 0;
  /** Number of queued ids. */
  length = 0;

  /** An empty queue with room for `capacity` (rounded up to a power of two). */
  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.buf = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Appends an id at the tail. */
  push(id: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & this.mask] = id;
    this.length++;
  }

  /** The id at position i from the head (0 = oldest). */
  at(i: number): number {
    return this.buf[(this.head + i) & this.mask]!;
  }

  /** Removes and returns the oldest id. */
  shift(): number {
    const id = this.buf[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return id;
  }

  private grow(): void {
    const cap = this.buf.length * 2;
    const next = new Int32Array(cap);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & this.mask]!;
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
  }
}
