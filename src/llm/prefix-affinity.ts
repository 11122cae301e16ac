/**
 * Prefix-affinity routing: SGLang router's cache-aware policy, on the engine's block hashes.
 *
 * Followed: sgl-project/sglang, sgl-router/src/policies/cache_aware.rs at commit
 * b6f20641ad6bafc1278db74d1e13b0e9da47bd64 (`CacheAwarePolicy::select_worker`), with the
 * defaults `launch_router` gives (sgl-router/py_src/sglang_router/router_args.py at commit
 * e46dcd87adca58ec70831ad7cb01a3892b2c9e50: cache_threshold 0.3, balance_abs_threshold 64,
 * balance_rel_threshold 1.5, max_tree_size 2^26; config/llm.ts PREFIX_AFFINITY_DEFAULTS; the
 * older `CacheAwareConfig::default()` in mod.rs had 0.5, 32, 1.1, 10 000). Per request:
 *
 *  1. loads = the routable replicas' outstanding requests (SGLang: `worker.load()`, the requests
 *     the router has in flight there); the fleet is imbalanced when
 *     `max − min > balanceAbsThreshold` AND `max > min × balanceRelThreshold`; then the request
 *     goes to the least-loaded replica (the first one on ties, as `min_by_key`), and is still
 *     recorded in that replica's prefix index;
 *  2. otherwise the replica with the longest recorded prefix match wins when
 *     `matched / prompt tokens > cacheThreshold`; the request is recorded at the chosen replica.
 *
 * What is simplified, and why:
 *  - SGLang keeps an approximate radix tree of request TEXT per worker (characters, to avoid
 *    tokenizing). Here a replica's index is an LRU set of the block hash keys (a, j) the engine
 *    itself uses (engine.ts blockKeyA: the shared group for a full block in the shared prefix,
 *    else the request's own content), so a match is "the leading full prompt blocks recorded at
 *    that replica", and a predicted match is exactly what the engine can hit if it has not
 *    evicted the blocks since. That is llm-d / gateway-api-inference-extension's prefix plugin's
 *    representation (block hashes, LRU per server); the decision rule is SGLang's.
 *  - SGLang's tree holds every request's whole text; here only the blocks another request can
 *    match (a shared group's), since a request's own content has a key no one else has.
 *  - `max_tree_size` bounds a tree in characters and is enforced by a background eviction
 *    thread every `eviction_interval_secs` (120 s); here `maxTreeSize` is in tokens
 *    (⌊maxTreeSize / blockSize⌋ keys per replica) and eviction is immediate, least recently
 *    used first. A prompt's blocks are recorded deepest first, so its leading block is the most
 *    recent and a chain is evicted from its tail (SGLang evicts LRU leaves).
 *  - Below the cache threshold SGLang routes to the worker with the smallest tree ("most cache
 *    space"); here to the least-loaded replica, as in the imbalanced case. With bounded trees
 *    every tree fills up and smallest-tree then sends everything to one worker until the
 *    balance check trips; least-loaded makes prefix-affinity without shared prefixes exactly
 *    least-requests, which the tests check.
 *  - Tie between equal matches: lower load, then lower index (SGLang takes the tree's tenant).
 *  - A replica the autoscaler stops is forgotten (SGLang `remove_worker`: `remove_tenant`).
 *
 * Deterministic and allocation-free per request: typed arrays only, no Map iteration.
 */
import type { LlmPrefixAffinity } from '../config/llm.js';
import { blockKeyA, type LlmRequests } from './engine.js';
import { PairIndex } from './pair-index.js';

/**
 * A bounded LRU set of key pairs (a, b): open addressing (linear probing, backward-shift
 * deletion) + a doubly linked recency list, in typed arrays that double as the set fills, up to
 * `capacity` entries.
 */
export class LruKeySet {
  readonly capacity: number;
  private kA: Int32Array;
  private kB: Int32Array;
  private prev: Int32Array;
  private next: Int32Array;
  /** Most and least recently used entries. */
  private head = -1;
  private tail = -1;
  private free = 0;
  size = 0;
  /** (a, b) → entry. */
  private index: PairIndex;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`capacity must be a positive integer (got ${capacity})`);
    this.capacity = capacity;
    const n = Math.min(capacity, 1024);
    this.kA = new Int32Array(n);
    this.kB = new Int32Array(n);
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.index = new PairIndex(n);
  }

  /** Sizes the index for the entry arrays and re-inserts every entry. */
  private rehash(): void {
    this.index = new PairIndex(this.kA.length);
    for (let e = 0; e < this.free; e++) this.index.add(this.kA[e]!, this.kB[e]!, e);
  }

  private grow(): void {
    const n = Math.min(this.capacity, this.kA.length * 2);
    const g = (x: Int32Array): Int32Array => {
      const y = new Int32Array(n);
      y.set(x);
      return y;
    };
    this.kA = g(this.kA);
    this.kB = g(this.kB);
    this.prev = g(this.prev);
    this.next = g(this.next);
    this.rehash();
  }

  /** The entry holding (a, b), or -1. */
  private find(a: number, b: number): number {
    return this.index.get(a, b);
  }

  has(a: number, b: number): boolean {
    return this.find(a, b) >= 0;
  }

  private unlink(e: number): void {
    const p = this.prev[e]!;
    const n = this.next[e]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  private pushHead(e: number): void {
    this.prev[e] = -1;
    this.next[e] = this.head;
    if (this.head >= 0) this.prev[this.head] = e;
    else this.tail = e;
    this.head = e;
  }

  /** Marks (a, b) most recently used, adding it (and evicting the least recently used entry when full). */
  touch(a: number, b: number): void {
    let e = this.find(a, b);
    if (e >= 0) {
      if (e !== this.head) {
        this.unlink(e);
        this.pushHead(e);
      }
      return;
    }
    if (this.size < this.capacity) {
      if (this.free === this.kA.length) this.grow();
      e = this.free++;
      this.size++;
    } else {
      e = this.tail;
      this.unlink(e);
      this.index.delete(this.kA[e]!, this.kB[e]!);
    }
    this.kA[e] = a;
    this.kB[e] = b;
    this.pushHead(e);
    this.index.add(a, b, e);
  }

  clear(): void {
    this.index.clear();
    this.head = this.tail = -1;
    this.free = 0;
    this.size = 0;
  }
}

/** How the last request was routed (for tests and counters). */
export type AffinityDecision = 'imbalanced' | 'affinity' | 'least-loaded';

/** The router's state: one prefix index per replica. */
export class PrefixAffinityRouter {
  private readonly sets: LruKeySet[] = [];
  /** Requests routed by each rule. */
  readonly counts = { imbalanced: 0, affinity: 0, leastLoaded: 0 };
  lastDecision: AffinityDecision = 'least-loaded';

  constructor(
    replicas: number,
    private readonly blockSize: number,
    private readonly cfg: LlmPrefixAffinity,
    private readonly reqs: LlmRequests,
  ) {
    const cap = Math.max(1, Math.floor(cfg.maxTreeSize / blockSize));
    for (let i = 0; i < replicas; i++) this.sets.push(new LruKeySet(cap));
  }

  /** Leading full prompt blocks of request `id` recorded at replica `r`. */
  matchedBlocks(r: number, id: number): number {
    const set = this.sets[r]!;
    const n = Math.floor(this.reqs.prompt[id]! / this.blockSize);
    let j = 0;
    for (; j < n; j++) {
      const a = blockKeyA(this.reqs, id, j, this.blockSize);
      if (a < 0 || !set.has(a, j)) break;
    }
    return j;
  }

  /**
   * Records request `id`'s full shared prompt blocks at replica `r` (deepest first: the leading
   * block ends most recent). Blocks of its own content are not recorded: no other request can
   * match them, and a long run would otherwise fill the index with them.
   */
  record(r: number, id: number): void {
    const set = this.sets[r]!;
    for (let j = Math.floor(this.reqs.prompt[id]! / this.blockSize) - 1; j >= 0; j--) {
      const a = blockKeyA(this.reqs, id, j, this.blockSize);
      if (a >= 0) set.touch(a, j);
    }
  }

  /** Forgets replica `r` (stopped). */
  forget(r: number): void {
    this.sets[r]!.clear();
  }

  /**
   * Chooses among the `n` replica indices in `cand` (in index order) for request `id`, given each
   * replica's outstanding requests in `load`; records the request there and returns the index.
   */
  select(id: number, cand: Int32Array, n: number, load: ArrayLike<number>): number {
    let minI = cand[0]!;
    let maxL = load[minI]!;
    for (let k = 1; k < n; k++) {
      const i = cand[k]!;
      const l = load[i]!;
      if (l < load[minI]!) minI = i;
      if (l > maxL) maxL = l;
    }
    const minL = load[minI]!;
    let chosen = minI;
    if (maxL - minL > this.cfg.balanceAbsThreshold && maxL > minL * this.cfg.balanceRelThreshold) {
      this.lastDecision = 'imbalanced';
      this.counts.imbalanced++;
    } else {
      let best = -1;
      let bestM = -1;
      for (let k = 0; k < n; k++) {
        const i = cand[k]!;
        const m = this.matchedBlocks(i, id);
        if (m > bestM || (m === bestM && load[i]! < load[best]!)) {
          best = i;
          bestM = m;
        }
      }
      const prompt = this.reqs.prompt[id]!;
      if (prompt > 0 && (bestM * this.blockSize) / prompt > this.cfg.cacheThreshold) {
        chosen = best;
        this.lastDecision = 'affinity';
        this.counts.affinity++;
      } else {
        this.lastDecision = 'least-loaded';
        this.counts.leastLoaded++;
      }
    }
    this.record(chosen, id);
    return chosen;
  }
}
