/**
 * The keyed result cache: an LRU of `capacity` entries with per-entry expiry, and the
 * set of keys being computed ("in flight") with the requests waiting on each.
 *
 *   index: open addressing, linear probing, 2^k ≥ 2·capacity cells of (key, slot)
 *   per slot, hot (read on every hit), 16 bytes: int32 prev | int32 next | float64 expiresAtS
 *   per slot, cold (misses, evictions): key, storedAtS, computeS
 *   flights (open addressing, grows with keys in flight) : key ──► owner id, waiter head/tail
 *   waiterNext[request id] : the waiter list, linked through request ids
 *
 * perf: with 10^6 entries a lookup is two memory reads that mostly miss the CPU caches
 * (the index cell, then the entry), so the layout is about lines and pages. Key ids are
 * popularity-ordered in practice (Zipf ranks, trace keys numbered by first appearance),
 * so the index keeps each block of 8 consecutive ids in one 64-byte line: the hot keys'
 * cells sit together instead of one line (and one page) each. A probe compares keys in
 * the index without reading an entry, and a hit reads one 16-byte record.
 *
 * Everything is typed arrays sized by capacity (the flight map and waiter links by the
 * number of requests in flight), so unique keys never make anything grow, and lookup,
 * insert, touch and evict are O(1) without allocation. Deletions shift the probe run
 * back (no tombstones), so the tables never degrade however many keys pass through.
 */
import type { RandomStream } from '../engine/rng.js';

const EMPTY = -1;
// Fibonacci hashing of a key's block (its id without the low 3 bits): multiply by 2^32/φ
// and keep the top bits.
const GOLDEN = 0x9e3779b1 | 0;
const BLOCK_BITS = 3;
const BLOCK_MASK = (1 << BLOCK_BITS) - 1;

function tableBits(minCells: number): number {
  let bits = BLOCK_BITS + 1;
  while (1 << bits < minCells) bits++;
  if (bits > 29) throw new RangeError(`cache too large: ${minCells} index cells`);
  return bits;
}

/** LRU + TTL entries keyed by int ids (≥ 0), and the keys in flight with their waiters. */
export class ResultCache {
  /** Entries currently held (fresh or expired). */
  size = 0;
  /** Entries pushed out by LRU to make room. */
  evictions = 0;
  /** The hot record of each slot: int32 words 4s (prev), 4s+1 (next); float64 word 2s+1 (expiresAtS). */
  private readonly links: Int32Array;
  private readonly expires: Float64Array;
  private readonly slotKey: Int32Array;
  private readonly storedAtS: Float64Array;
  private readonly computeS: Float32Array;
  private head = EMPTY;
  private tail = EMPTY;
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  /** (key, slot) pairs; key EMPTY marks a free cell. */
  private readonly index: Int32Array;
  /** Mask over the index's int32 words (cell c is words 2c, 2c + 1). */
  private readonly indexMask: number;
  private readonly blockShift: number;
  private readonly flights: FlightMap;
  private waiterNext: Int32Array;
  /** prefetch()'s scratch: the slots it found. */
  private found = new Int32Array(16);

  /** An empty cache of `capacity` entries whose lifetimes are ttlS·(1 + U(−ttlJitter, ttlJitter)) drawn from `ttlRng`. */
  constructor(
    readonly capacity: number,
    readonly ttlS: number,
    readonly ttlJitter: number,
    private readonly ttlRng: RandomStream,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be an integer >= 0, got ${capacity}`);
    if (!(ttlS >= 0)) throw new RangeError(`ttlS must be >= 0, got ${ttlS}`);
    // j = 1 could draw a lifetime of exactly 0 (∞·0 = NaN with ttl = ∞)
    if (!(ttlJitter >= 0 && ttlJitter < 1)) throw new RangeError(`ttlJitter must be in [0, 1), got ${ttlJitter}`);
    const hot = new ArrayBuffer(capacity * 16);
    this.links = new Int32Array(hot);
    this.expires = new Float64Array(hot);
    this.slotKey = new Int32Array(capacity);
    this.storedAtS = new Float64Array(capacity);
    this.computeS = new Float32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.freeCount = 0;
    const bits = tableBits(2 * Math.max(1, capacity));
    this.index = new Int32Array(2 << bits);
    this.indexMask = (2 << bits) - 1;
    this.blockShift = 32 - (bits - BLOCK_BITS);
    this.flights = new FlightMap();
    this.waiterNext = new Int32Array(1024);
    this.clear();
  }

  /** A fresh lifetime for an entry stored now. */
  drawLifetimeS(): number {
    const ttl = this.ttlS;
    if (this.ttlJitter === 0 || ttl === Infinity) return ttl;
    return ttl * (1 + this.ttlJitter * (2 * this.ttlRng.uniform() - 1));
  }

  /** Slot holding `key` (expired or not), or −1. */
  find(key: number): number {
    const index = this.index;
    const mask = this.indexMask;
    let i = this.home(key);
    for (;;) {
      const k = index[i]!;
      if (k === key) return index[i + 1]!;
      if (k === EMPTY) return EMPTY;
      i = (i + 2) & mask;
    }
  }

  /**
   * A hint, no effect on the cache's contents: reads the index cells and entries of
   * keys[from, to), the keys about to be looked up, so their memory lines are on their
   * way while other work runs. perf: a lookup in a large cache is two dependent memory
   * reads that each miss the CPU caches; issued here for a block of keys at once, the
   * reads overlap instead of costing one full memory latency after another. Returns a
   * value only so that the reads cannot be optimized away.
   */
  prefetch(keys: Int32Array, from: number, to: number): number {
    const index = this.index;
    const expires = this.expires;
    let sink = 0;
    for (let j = from; j < to; j++) sink += index[this.home(keys[j]!)]!;
    const links = this.links;
    const found = this.found.length >= to - from ? this.found : (this.found = new Int32Array(to - from));
    for (let j = from; j < to; j++) {
      const slot = this.find(keys[j]!);
      found[j - from] = slot;
      if (slot >= 0) sink += expires[2 * slot + 1]!;
    }
    // a hit moves its entry to the front: its neighbours' links are written
    for (let j = 0; j < to - from; j++) {
      const slot = found[j]!;
      if (slot < 0) continue;
      const p = links[4 * slot]!;
      const n = links[4 * slot + 1]!;
      if (p >= 0) sink += links[4 * p]!;
      if (n >= 0) sink += links[4 * n]!;
    }
    // the next victims: the least recently used entries and their index cells
    if (this.freeCount === 0) {
      const slotKey = this.slotKey;
      let v = this.tail;
      for (let j = from; j < to && v !== EMPTY; j++) {
        sink += index[this.home(slotKey[v]!)]!;
        v = links[4 * v]!;
      }
    }
    return sink;
  }

  /** The key held in `slot`. */
  keyAt(slot: number): number {
    return this.slotKey[slot]!;
  }

  /** When the entry in `slot` expires (stale-while-revalidate serves past this for a while). */
  expiresAt(slot: number): number {
    return this.expires[2 * slot + 1]!;
  }

  /** When the entry in `slot` was stored (a computation older than this must not overwrite it). */
  storedAt(slot: number): number {
    return this.storedAtS[slot]!;
  }

  /** How long the value in `slot` took to compute, δ for XFetch; NaN when unknown (prewarmed). */
  computeTime(slot: number): number {
    return this.computeS[slot]!;
  }

  /** Marks `slot` most recently used. */
  touch(slot: number): void {
    if (slot === this.head) return;
    this.unlink(slot);
    this.linkHead(slot);
  }

  /**
   * Stores `key`'s value computed in `computeS`, at `nowS`, with a freshly drawn lifetime,
   * as most recently used, evicting the least recently used entry when full. Returns the
   * slot, or −1 when the capacity is 0.
   */
  store(key: number, nowS: number, computeS: number): number {
    let slot = this.find(key);
    if (slot === EMPTY) {
      if (this.capacity === 0) return EMPTY;
      if (this.freeCount === 0) {
        this.evictions++;
        this.remove(this.tail);
      }
      slot = this.freeSlots[--this.freeCount]!;
      this.slotKey[slot] = key;
      this.insertIndex(key, slot);
      this.linkHead(slot);
      this.size++;
    } else {
      this.touch(slot);
    }
    this.expires[2 * slot + 1] = nowS + this.drawLifetimeS();
    this.storedAtS[slot] = nowS;
    this.computeS[slot] = computeS;
    return slot;
  }

  /** Drops the entry in `slot`. */
  remove(slot: number): void {
    this.deleteIndex(this.slotKey[slot]!);
    this.unlink(slot);
    this.freeSlots[this.freeCount++] = slot;
    this.size--;
  }

  /** Empties the cache (keys in flight stay in flight). O(capacity). */
  clear(): void {
    this.index.fill(EMPTY);
    const n = this.capacity;
    // the free stack pops slot 0 first, so a cold cache fills slots in order
    for (let i = 0; i < n; i++) this.freeSlots[i] = n - 1 - i;
    this.freeCount = n;
    this.head = EMPTY;
    this.tail = EMPTY;
    this.size = 0;
  }

  /** Keys from most to least recently used (tests and debugging; allocates). */
  keysByRecency(): number[] {
    const out: number[] = [];
    for (let s = this.head; s !== EMPTY; s = this.links[4 * s + 1]!) out.push(this.slotKey[s]!);
    return out;
  }

  // ---- keys in flight and their waiters ----

  /** Keys currently in flight. */
  get keysInFlight(): number {
    return this.flights.count;
  }

  /** Request id computing `key`, or −1 when the key is not in flight. */
  flightOwner(key: number): number {
    return this.flights.owner(key);
  }

  /** Marks `key` in flight, computed by request `ownerId`, with no waiters yet; the key must not be in flight. */
  beginFlight(key: number, ownerId: number): void {
    this.flights.insert(key, ownerId);
  }

  /** Appends request `id` to the waiters of `key` (in flight). */
  addWaiter(key: number, id: number): void {
    if (id >= this.waiterNext.length) this.reserveIds(id + 1);
    this.waiterNext[id] = EMPTY;
    const at = this.flights.position(key);
    const tail = this.flights.tail[at]!;
    if (tail === EMPTY) this.flights.head[at] = id;
    else this.waiterNext[tail] = id;
    this.flights.tail[at] = id;
  }

  /** Ends `key`'s flight; returns the first waiter (−1 for none), then follow nextWaiter(). */
  endFlight(key: number): number {
    return this.flights.remove(key);
  }

  /** The waiter after `id` in its list, or −1. Read it before handing `id` on. */
  nextWaiter(id: number): number {
    return this.waiterNext[id]!;
  }

  /** Makes room for request ids below `n` in the waiter links. */
  reserveIds(n: number): void {
    if (n <= this.waiterNext.length) return;
    let cap = this.waiterNext.length;
    while (cap < n) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.waiterNext);
    this.waiterNext = next;
  }

  // ---- internals ----

  /** First index word of `key`'s home cell: its block's line, its place in the block. */
  private home(key: number): number {
    return (((Math.imul(key >>> BLOCK_BITS, GOLDEN) >>> this.blockShift) << BLOCK_BITS) | (key & BLOCK_MASK)) << 1;
  }

  private linkHead(slot: number): void {
    const links = this.links;
    const head = this.head;
    links[4 * slot] = EMPTY;
    links[4 * slot + 1] = head;
    if (head !== EMPTY) links[4 * head] = slot;
    else this.tail = slot;
    this.head = slot;
  }

  private unlink(slot: number): void {
    const links = this.links;
    const p = links[4 * slot]!;
    const n = links[4 * slot + 1]!;
    if (p !== EMPTY) links[4 * p + 1] = n;
    else this.head = n;
    if (n !== EMPTY) links[4 * n] = p;
    else this.tail = p;
  }

  private insertIndex(key: number, slot: number): void {
    const index = this.index;
    const mask = this.indexMask;
    let i = this.home(key);
    while (index[i] !== EMPTY) i = (i + 2) & mask;
    index[i] = key;
    index[i + 1] = slot;
  }

  private deleteIndex(key: number): void {
    const index = this.index;
    const mask = this.indexMask;
    let i = this.home(key);
    while (index[i] !== key) i = (i + 2) & mask;
    // backward-shift deletion (Knuth 6.4 Algorithm R): pull later members of the probe
    // run into the hole unless their home lies cyclically in (hole, their position]
    let j = i;
    for (;;) {
      j = (j + 2) & mask;
      const k = index[j]!;
      if (k === EMPTY) break;
      const home = this.home(k);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        index[i] = k;
        index[i + 1] = index[j + 1]!;
        i = j;
      }
    }
    index[i] = EMPTY;
  }
}

/**
 * Keys in flight: key ──► owner request id and the head/tail of its waiter list.
 * Open addressing with linear probing, grown by doubling at half load; its size follows
 * the number of keys in flight at once, never the number of requests.
 */
class FlightMap {
  count = 0;
  keys: Int32Array;
  owners: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  private mask: number;
  private shift: number;

  constructor(bits = 6) {
    const n = 1 << bits;
    this.keys = new Int32Array(n).fill(EMPTY);
    this.owners = new Int32Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.mask = n - 1;
    this.shift = 32 - bits;
  }

  /** Cell of `key`, or −1. */
  position(key: number): number {
    const keys = this.keys;
    let i = Math.imul(key, GOLDEN) >>> this.shift;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === EMPTY) return EMPTY;
      i = (i + 1) & this.mask;
    }
  }

  owner(key: number): number {
    const at = this.position(key);
    return at === EMPTY ? EMPTY : this.owners[at]!;
  }

  insert(key: number, ownerId: number): void {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    let i = Math.imul(key, GOLDEN) >>> this.shift;
    while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.owners[i] = ownerId;
    this.head[i] = EMPTY;
    this.tail[i] = EMPTY;
    this.count++;
  }

  /** Removes `key`; returns its first waiter (−1 when none or not in flight). */
  remove(key: number): number {
    let i = this.position(key);
    if (i === EMPTY) return EMPTY;
    const first = this.head[i]!;
    const keys = this.keys;
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === EMPTY) break;
      const home = Math.imul(k, GOLDEN) >>> this.shift;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        keys[i] = k;
        this.owners[i] = this.owners[j]!;
        this.head[i] = this.head[j]!;
        this.tail[i] = this.tail[j]!;
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.count--;
    return first;
  }

  private grow(): void {
    const { keys, owners, head, tail } = this;
    const bits = 32 - this.shift + 1;
    const n = 1 << bits;
    this.keys = new Int32Array(n).fill(EMPTY);
    this.owners = new Int32Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.mask = n - 1;
    this.shift = 32 - bits;
    for (let c = 0; c < keys.length; c++) {
      const k = keys[c]!;
      if (k === EMPTY) continue;
      let i = Math.imul(k, GOLDEN) >>> this.shift;
      while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.owners[i] = owners[c]!;
      this.head[i] = head[c]!;
      this.tail[i] = tail[c]!;
    }
  }
}
