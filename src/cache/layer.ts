/**
 * The cache layer between arrivals and the fleet (MODELS.md §6).
 *
 *   arrive(id) ──► lookupLatency ──► hit (fresh, or stale within staleWindow) ──► downstream.completed
 *                                └─► miss ──► [coalesce: key in flight? wait for it]
 *                                        ──► (feature store) ──► forward (the fleet)
 *   fleet ──► layer.outcomes ──► store the result, release the key's waiters ──► downstream (the books)
 *
 * Background refreshes (stale-while-revalidate, XFetch) are GPU requests no user waits
 * for: they get a pool id of their own, marked here, and end in the layer (their result
 * is stored, their id freed) without ever reaching the books.
 *
 * Every request handed to arrive() ends in exactly one downstream call, or is held here
 * (in lookup, waiting on a key in flight, at the feature store) or in the fleet:
 * inFlightCounted() reports the share held here, so the books balance.
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import type { Outcomes } from '../serving/fleet.js';
import type { RequestPool } from '../serving/requests.js';
import type { FeatureStore } from './feature-store.js';
import { ResultCache } from './result-cache.js';
import type { CacheConfig } from '../config/cache.js';
import { cacheHitRatio } from '../metrics/summary.js';

/** Lookup outcomes and the GPU work they caused or saved. */
export class CacheCounters {
  /** User requests looked up. lookups = hits + staleHits + delayedHits + misses. */
  lookups = 0;
  /** Answered from a fresh entry. */
  hits = 0;
  /** Answered from an expired entry within the stale window (stale-while-revalidate). */
  staleHits = 0;
  /** Waited for the same key's computation in flight (coalesce) and completed with it. */
  delayedHits = 0;
  /** Sent to the model (through the feature store, if any). */
  misses = 0;
  /** Background refreshes issued (GPU requests no user waits for). */
  backgroundRefreshes = 0;
  /** Background refreshes the feature store or the fleet rejected or timed out. */
  refreshesDropped = 0;
  /** Requests (user misses and refreshes) the feature store refused with a full queue. */
  featureStoreRejected = 0;

  /** Share of lookups answered from the cache, fresh or stale (metrics/summary.ts cacheHitRatio); NaN without lookups. */
  get hitRate(): number {
    return cacheHitRatio(this);
  }

  /** Zeroes every counter. */
  reset(): void {
    this.lookups = 0;
    this.hits = 0;
    this.staleHits = 0;
    this.delayedHits = 0;
    this.misses = 0;
    this.backgroundRefreshes = 0;
    this.refreshesDropped = 0;
    this.featureStoreRejected = 0;
  }
}

/** Random streams the layer draws from (named by the caller). */
export interface CacheRngs {
  /** hit-rate mode: hit or miss. */
  hit: RandomStream;
  /** Entry lifetimes (jitter). */
  ttl: RandomStream;
  /** XFetch's early-refresh draws. */
  xfetch: RandomStream;
}

// What the layer knows about a request id it handed on.
const PASS = 0; // not the layer's concern: outcomes pass straight to downstream
const MISS = 1; // a user miss: store its result
const REFRESH = 2; // a background refresh triggered by an uncounted (warmup) request
const REFRESH_COUNTED = 3; // … triggered by a counted request

// how a request failed, passed on to its waiters
const REJECTED = 0;
const TIMED_OUT = 1;
type Fail = typeof REJECTED | typeof TIMED_OUT;

/** The result cache in front of the fleet: hits end here, misses go on, results come back through `outcomes`. */
export class CacheLayer {
  /** Totals over counted (after-warmup) requests. */
  readonly stats = new CacheCounters();
  /** This report interval, all requests (warmup included). */
  readonly interval = new CacheCounters();
  /** The keyed cache (null in hit-rate mode). */
  readonly cache: ResultCache | null;
  /** cache-flush events so far. */
  flushes = 0;
  /** Time of the last cache-flush (NaN before any). */
  lastFlushS = NaN;
  /** Hand these to the ServingFleet in place of the books. */
  readonly outcomes: Outcomes;

  private readonly keyed: boolean;
  private readonly hitRate: number;
  private readonly lookupLatencyS: number;
  private readonly coalesce: boolean;
  private readonly swr: boolean;
  private readonly xfetch: boolean;
  private readonly xfetchLock: boolean;
  /** Whether keys in flight are tracked (coalesce, stale-while-revalidate, xfetch with a lock). */
  private readonly usesFlights: boolean;
  private readonly staleWindowS: number;
  private readonly xfetchBeta: number;
  private readonly hitRng: RandomStream;
  private readonly xfetchRng: RandomStream;

  // per request id, grown with the pool
  private kind: Uint8Array;
  /** When the request's computation started (its δ and whether its result is newer). */
  private startS: Float64Array;

  /** Counted user requests held by the layer. */
  private held = 0;
  private computeSumS = 0;
  private computeCount = 0;

  // lookups in progress: all share one latency, so they finish in arrival order and a
  // FIFO with one pending timer replaces an event per request in the heap
  private lineIds: Int32Array;
  private lineDueS: Float64Array;
  private lineMask: number;
  private lineHead = 0;
  private lineLength = 0;
  private readonly onLineDue: number;
  private readonly inLane: boolean;

  /** A layer on `sim` in front of `forward` (fleet.arrive), ending requests in `downstream` (the books). */
  constructor(
    private readonly sim: Simulation,
    config: CacheConfig,
    private readonly pool: RequestPool,
    rngs: CacheRngs,
    private readonly forward: (id: number) => void,
    private readonly downstream: Outcomes,
    private readonly featureStore: FeatureStore | null,
    keySpace: number,
  ) {
    if (!(config.lookupLatencyS >= 0 && config.lookupLatencyS < Infinity)) {
      throw new RangeError(`lookupLatencyS must be finite and >= 0, got ${config.lookupLatencyS}`);
    }
    this.lookupLatencyS = config.lookupLatencyS;
    this.hitRng = rngs.hit;
    this.xfetchRng = rngs.xfetch;
    if (config.mode === 'hit-rate') {
      if (!(config.hitRate >= 0 && config.hitRate <= 1)) throw new RangeError(`hitRate must be in [0, 1], got ${config.hitRate}`);
      this.keyed = false;
      this.hitRate = config.hitRate;
      this.cache = null;
      this.coalesce = this.swr = this.xfetch = this.xfetchLock = false;
      this.staleWindowS = 0;
      this.xfetchBeta = 1;
    } else {
      this.keyed = true;
      this.hitRate = NaN;
      this.cache = new ResultCache(config.capacity, config.ttlS, config.ttlJitter, rngs.ttl);
      this.coalesce = config.stampede === 'coalesce';
      this.swr = config.stampede === 'stale-while-revalidate';
      this.xfetch = config.stampede === 'xfetch';
      this.xfetchLock = this.xfetch && config.xfetchLock === true;
      if (this.swr && !(config.staleWindowS >= 0)) throw new RangeError(`staleWindowS must be >= 0, got ${config.staleWindowS}`);
      if (this.xfetch && !(config.xfetchBeta > 0 && config.xfetchBeta < Infinity)) {
        throw new RangeError(`xfetchBeta must be finite and > 0, got ${config.xfetchBeta}`);
      }
      this.staleWindowS = config.staleWindowS;
      this.xfetchBeta = config.xfetchBeta;
    }
    this.usesFlights = this.coalesce || this.swr || this.xfetchLock;
    this.kind = new Uint8Array(pool.counted.length);
    this.startS = new Float64Array(pool.counted.length);
    this.lineIds = new Int32Array(64);
    this.lineDueS = new Float64Array(64);
    this.lineMask = 63;
    this.onLineDue = sim.register(() => this.lookupsDue());
    // perf: the line's timer in the engine's lane, not the heap (a push and a pop saved per lookup)
    this.inLane = sim.claimLane();
    if (featureStore) featureStore.onDone = (id): void => this.handOff(id);

    this.outcomes = {
      completed: (id, nowS): void => this.completed(id, nowS),
      rejected: (id, nowS): void => this.failed(id, nowS, REJECTED),
      timedOut: (id, nowS): void => this.failed(id, nowS, TIMED_OUT),
    };

    if (config.mode === 'keyed' && config.prewarmed && this.cache) {
      // least popular first, so the most popular key ends most recently used;
      // prewarmed values have no compute time (XFetch falls back to the mean observed δ)
      const n = Math.min(this.cache.capacity, Math.max(0, Math.floor(keySpace)));
      const now = sim.now;
      for (let key = n - 1; key >= 0; key--) this.cache.store(key, now, NaN);
    }
  }

  /** Takes request `id` (its pool key set when keyed); it ends in downstream after the lookup or the model. */
  arrive(id: number): void {
    if (this.kind.length < this.pool.counted.length) this.growIds();
    this.held += this.pool.counted[id]!;
    if (this.lookupLatencyS === 0) {
      this.lookup(id);
      return;
    }
    const due = this.sim.now + this.lookupLatencyS;
    if (this.lineLength === this.lineIds.length) this.growLine();
    const at = (this.lineHead + this.lineLength) & this.lineMask;
    this.lineIds[at] = id;
    this.lineDueS[at] = due;
    if (this.lineLength++ === 0) this.lineTimer(due);
  }

  /** The `cache-flush` event: empties the cache (computations in flight still store their results). */
  flush(nowS: number): void {
    this.cache?.clear();
    this.lastFlushS = nowS;
    this.flushes++;
  }

  /** Counted requests held by the layer: in lookup, waiting on a key in flight, at the feature store. */
  inFlightCounted(): number {
    return this.held;
  }

  /** Clears the per-interval counters. */
  resetInterval(): void {
    this.interval.reset();
  }

  // ---- lookups ----

  private lookupsDue(): void {
    const now = this.sim.now;
    while (this.lineLength > 0 && this.lineDueS[this.lineHead]! <= now) {
      const id = this.lineIds[this.lineHead]!;
      this.lineHead = (this.lineHead + 1) & this.lineMask;
      this.lineLength--;
      this.lookup(id);
    }
    if (this.lineLength > 0) this.lineTimer(this.lineDueS[this.lineHead]!);
  }

  private lineTimer(dueS: number): void {
    if (this.inLane) this.sim.atLane(dueS, this.onLineDue);
    else this.sim.at(dueS, this.onLineDue, 0);
  }

  private lookup(id: number): void {
    const now = this.sim.now;
    const counted = this.pool.counted[id]!;
    const st = this.stats;
    const iv = this.interval;
    iv.lookups++;
    st.lookups += counted;
    if (!this.keyed) {
      if (this.hitRng.uniform() < this.hitRate) {
        iv.hits++;
        st.hits += counted;
        this.held -= counted;
        this.downstream.completed(id, now);
      } else {
        iv.misses++;
        st.misses += counted;
        this.kind[id] = PASS;
        this.toModel(id);
      }
      return;
    }
    const cache = this.cache!;
    const key = this.pool.key[id]!;
    if (key < 0) throw new Error('keyed cache: request has no key (traffic.keys must be set)');
    const slot = cache.find(key);
    if (slot >= 0) {
      const expiresAtS = cache.expiresAt(slot);
      if (now < expiresAtS) {
        cache.touch(slot);
        iv.hits++;
        st.hits += counted;
        if (this.xfetch) this.maybeXfetch(key, slot, now, expiresAtS, counted);
        this.held -= counted;
        this.downstream.completed(id, now);
        return;
      }
      if (this.swr && now < expiresAtS + this.staleWindowS) {
        cache.touch(slot);
        iv.staleHits++;
        st.staleHits += counted;
        if (cache.flightOwner(key) < 0) this.refresh(key, now, counted);
        this.held -= counted;
        this.downstream.completed(id, now);
        return;
      }
      // expired: dropped on access, as Redis does, freeing its slot
      cache.remove(slot);
    }
    if (this.coalesce) {
      if (cache.flightOwner(key) >= 0) {
        cache.addWaiter(key, id);
        iv.delayedHits++;
        st.delayedHits += counted;
        return;
      }
      cache.beginFlight(key, id);
    }
    iv.misses++;
    st.misses += counted;
    this.kind[id] = MISS;
    this.startS[id] = now;
    this.toModel(id);
  }

  /** XFetch: refresh early with probability exp(−Δ/(β·δ)), Δ = time to expiry, δ = last compute time. */
  private maybeXfetch(key: number, slot: number, now: number, expiresAtS: number, counted: number): void {
    let deltaS = this.cache!.computeTime(slot);
    if (deltaS !== deltaS) {
      if (this.computeCount === 0) return;
      deltaS = this.computeSumS / this.computeCount;
    }
    if (this.xfetchLock && this.cache!.flightOwner(key) >= 0) return;
    // P(E·β·δ ≥ Δ) = exp(−Δ/(β·δ)) for E ~ Exp(1): the paper's −δ·β·ln(U) ≥ Δ
    if (this.xfetchRng.exp1() * this.xfetchBeta * deltaS >= expiresAtS - now) this.refresh(key, now, counted);
  }

  /** Issues a background refresh of `key` under a pool id of its own. */
  private refresh(key: number, now: number, counted: number): void {
    const pool = this.pool;
    const id = pool.alloc();
    if (this.kind.length < pool.counted.length) this.growIds();
    pool.arrivedAtS[id] = now;
    pool.enqueuedAtS[id] = now;
    pool.key[id] = key;
    pool.counted[id] = 0; // never in the books
    this.kind[id] = counted === 1 ? REFRESH_COUNTED : REFRESH;
    this.startS[id] = now;
    if (this.usesFlights) this.cache!.beginFlight(key, id);
    this.interval.backgroundRefreshes++;
    this.stats.backgroundRefreshes += counted;
    this.toModel(id);
  }

  /** A miss or refresh goes to the feature store first, if there is one, then to the fleet. */
  private toModel(id: number): void {
    const fs = this.featureStore;
    if (fs === null) {
      this.handOff(id);
      return;
    }
    if (fs.submit(id)) return;
    this.interval.featureStoreRejected++;
    const counted = this.pool.counted[id]!;
    this.stats.featureStoreRejected += this.kind[id] === REFRESH_COUNTED ? 1 : counted;
    this.held -= counted;
    this.failed(id, this.sim.now, REJECTED);
  }

  private handOff(id: number): void {
    this.held -= this.pool.counted[id]!;
    this.forward(id);
  }

  // ---- outcomes from the fleet ----

  private completed(id: number, now: number): void {
    const kind = this.kind[id]!;
    if (kind === PASS) {
      this.downstream.completed(id, now);
      return;
    }
    this.kind[id] = PASS;
    const cache = this.cache!;
    const key = this.pool.key[id]!;
    this.storeResult(cache, key, now, this.startS[id]!);
    if (kind !== MISS) {
      if (this.usesFlights && cache.flightOwner(key) === id) cache.endFlight(key);
      this.pool.free(id);
      return;
    }
    if (this.usesFlights && cache.flightOwner(key) === id) {
      // delayed hits: every waiter completes with the value, now
      const counted = this.pool.counted;
      let w = cache.endFlight(key);
      while (w >= 0) {
        const next = cache.nextWaiter(w);
        this.held -= counted[w]!;
        this.downstream.completed(w, now);
        w = next;
      }
    }
    this.downstream.completed(id, now);
  }

  private failed(id: number, now: number, how: Fail): void {
    const kind = this.kind[id]!;
    if (kind !== PASS) {
      this.kind[id] = PASS;
      const cache = this.cache!;
      const key = this.pool.key[id]!;
      const owner = this.usesFlights && cache.flightOwner(key) === id;
      if (kind !== MISS) {
        if (owner) cache.endFlight(key);
        this.interval.refreshesDropped++;
        if (kind === REFRESH_COUNTED) this.stats.refreshesDropped++;
        this.pool.free(id);
        return;
      }
      if (owner) {
        // the waiters fail the same way as the request they waited for
        const counted = this.pool.counted;
        let w = cache.endFlight(key);
        while (w >= 0) {
          const next = cache.nextWaiter(w);
          this.held -= counted[w]!;
          if (how === REJECTED) this.downstream.rejected(w, now);
          else this.downstream.timedOut(w, now);
          w = next;
        }
      }
    }
    if (how === REJECTED) this.downstream.rejected(id, now);
    else this.downstream.timedOut(id, now);
  }

  /**
   * Stores a computed value unless the entry already holds a fresh value stored after
   * this computation started (a concurrent miss or refresh got there first): a value
   * never overwrites a fresher one, and a refresh of a still-fresh entry does renew it.
   */
  private storeResult(cache: ResultCache, key: number, now: number, startedAtS: number): void {
    const slot = cache.find(key);
    if (slot >= 0 && cache.storedAt(slot) >= startedAtS && now < cache.expiresAt(slot)) return;
    const deltaS = now - startedAtS;
    cache.store(key, now, deltaS);
    this.computeSumS += deltaS;
    this.computeCount++;
  }

  private growIds(): void {
    const n = this.pool.counted.length;
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    this.kind = kind;
    const start = new Float64Array(n);
    start.set(this.startS);
    this.startS = start;
    this.cache?.reserveIds(n);
  }

  private growLine(): void {
    const cap = this.lineIds.length * 2;
    const ids = new Int32Array(cap);
    const due = new Float64Array(cap);
    for (let i = 0; i < this.lineLength; i++) {
      const at = (this.lineHead + i) & this.lineMask;
      ids[i] = this.lineIds[at]!;
      due[i] = this.lineDueS[at]!;
    }
    this.lineIds = ids;
    this.lineDueS = due;
    this.lineMask = cap - 1;
    this.lineHead = 0;
  }
}
