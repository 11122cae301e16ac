/**
 * A small model around the CacheLayer for tests: arrivals (Poisson or at given times) ──►
 * CacheLayer ──► a fake fleet that completes each request after a compute time (or
 * rejects it) ──► books that count what ends, and fail loudly on any id that ends twice
 * or was never a user request (a background refresh must never reach the books).
 */
import { Simulation } from '../../src/engine/simulation.js';
import type { RandomStream } from '../../src/engine/rng.js';
import { RequestPool } from '../../src/serving/requests.js';
import type { Outcomes } from '../../src/serving/fleet.js';
import { CacheLayer } from '../../src/cache/layer.js';
import { FeatureStore } from '../../src/cache/feature-store.js';
import type { CacheConfig, FeatureStoreSpec } from '../../src/config/cache.js';

export interface HarnessOptions {
  seed?: number;
  config: CacheConfig;
  /** Compute time of one request in the fake fleet (default 0). */
  computeS?: (rng: RandomStream) => number;
  /** How the fake fleet ends a request (default: always completes). */
  fleetOutcome?: (rng: RandomStream) => 'completed' | 'rejected' | 'timedOut';
  /** Arrivals before this time do not count (default 0). */
  warmupS?: number;
  featureStore?: FeatureStoreSpec;
  keySpace?: number;
}

export class Books {
  arrived = 0;
  completed = 0;
  rejected = 0;
  timedOut = 0;
  /** Latencies of counted completions. */
  latencySumS = 0;
  latencyMaxS = 0;
  latencyMinS = Infinity;
  /** 1 while the harness owns a user request id (set at arrival, cleared when it ends). */
  alive = new Uint8Array(1 << 16);
}

export class Harness {
  readonly sim: Simulation;
  readonly pool = new RequestPool(1024);
  readonly layer: CacheLayer;
  readonly books = new Books();
  readonly featureStore: FeatureStore | null;
  /** Times the fake fleet received a request, and whether it was a user request. */
  readonly forwardedAtS: number[] = [];
  readonly forwardedUser: boolean[] = [];
  recordForwards = false;
  /** Counted requests inside the fake fleet. */
  fleetHeldCounted = 0;
  private readonly computeRng: RandomStream;
  private readonly fleetRng: RandomStream;
  private readonly warmupS: number;

  constructor(opts: HarnessOptions) {
    this.sim = new Simulation(opts.seed ?? 1);
    this.warmupS = opts.warmupS ?? 0;
    this.computeRng = this.sim.rng.stream('compute');
    this.fleetRng = this.sim.rng.stream('fleet-outcome');
    const books = this.books;
    const pool = this.pool;
    const end = (id: number, nowS: number, completed: boolean): void => {
      if (id >= books.alive.length || books.alive[id] !== 1) throw new Error(`id ${id} reached the books but is not a live user request`);
      books.alive[id] = 0;
      if (completed && pool.counted[id] === 1) {
        const latencyS = nowS - pool.arrivedAtS[id]!;
        books.latencySumS += latencyS;
        if (latencyS > books.latencyMaxS) books.latencyMaxS = latencyS;
        if (latencyS < books.latencyMinS) books.latencyMinS = latencyS;
      }
      pool.free(id);
    };
    const downstream: Outcomes = {
      completed(id, nowS) {
        books.completed += pool.counted[id]!;
        end(id, nowS, true);
      },
      rejected(id, nowS) {
        books.rejected += pool.counted[id]!;
        end(id, nowS, false);
      },
      timedOut(id, nowS) {
        books.timedOut += pool.counted[id]!;
        end(id, nowS, false);
      },
    };
    const sim = this.sim;
    this.featureStore = opts.featureStore ? new FeatureStore(sim, opts.featureStore, sim.rng.stream('feature-store'), this.warmupS) : null;
    const onFleetDone = sim.register((id) => {
      this.fleetHeldCounted -= pool.counted[id]!;
      const how = opts.fleetOutcome ? opts.fleetOutcome(this.fleetRng) : 'completed';
      this.layer.outcomes[how](id, sim.now);
    });
    const forward = (id: number): void => {
      this.fleetHeldCounted += pool.counted[id]!;
      if (this.recordForwards) {
        this.forwardedAtS.push(sim.now);
        this.forwardedUser.push(id < books.alive.length && books.alive[id] === 1);
      }
      const d = opts.computeS ? opts.computeS(this.computeRng) : 0;
      sim.at(sim.now + d, onFleetDone, id);
    };
    this.layer = new CacheLayer(
      sim,
      opts.config,
      pool,
      { hit: sim.rng.stream('cache-hit'), ttl: sim.rng.stream('cache-ttl'), xfetch: sim.rng.stream('cache-xfetch') },
      forward,
      downstream,
      this.featureStore,
      opts.keySpace ?? 0,
    );
  }

  /** One user request with `key`, now. */
  arriveNow(key: number): number {
    const pool = this.pool;
    const id = pool.alloc();
    const now = this.sim.now;
    pool.arrivedAtS[id] = now;
    pool.key[id] = key;
    const counted = now >= this.warmupS ? 1 : 0;
    pool.counted[id] = counted;
    this.books.arrived += counted;
    if (id >= this.books.alive.length) {
      const a = new Uint8Array(this.books.alive.length * 2);
      a.set(this.books.alive);
      this.books.alive = a;
    }
    if (this.books.alive[id] === 1) throw new Error(`id ${id} reused while alive`);
    this.books.alive[id] = 1;
    this.layer.arrive(id);
    return id;
  }

  /** Poisson arrivals at `rps` until `untilS`, keys from `nextKey`. */
  poisson(rps: number, untilS: number, nextKey: () => number): void {
    const rng = this.sim.rng.stream('arrivals');
    const sim = this.sim;
    let t = sim.now;
    const onArrival = sim.register(() => {
      this.arriveNow(nextKey());
      t += rng.exp1() / rps;
      if (t < untilS) sim.atSource(t, onArrival);
    });
    t += rng.exp1() / rps;
    if (t < untilS) sim.atSource(t, onArrival);
  }

  /** Arrivals at the given times with the given keys. */
  at(times: number[], keys: number[]): void {
    const sim = this.sim;
    const h = sim.register((i) => this.arriveNow(keys[i]!));
    times.forEach((t, i) => sim.at(t, h, i));
  }

  /** The books balance: every counted arrival ended exactly once or is held by the layer or the fleet. */
  balanced(): boolean {
    const b = this.books;
    return b.arrived === b.completed + b.rejected + b.timedOut + this.layer.inFlightCounted() + this.fleetHeldCounted;
  }
}
