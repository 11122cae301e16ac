/**
 * A site: one fleet and everything that runs it, on the run's shared clock.
 *
 *   arrive(id) ──► down? reject ──► (cache) ──► ServingFleet ──► books ──► the site's Recorder
 *                                                   ▲
 *                       Lifecycle ◄── autoscaler ───┘   meters: busy, ready, billed GPU (LevelIntegrals)
 *
 * Every run is N ≥ 1 sites (a plain scenario is one). A site records only into its own
 * recorder; the run's figures are the merge of its sites' (src/run.ts). What the run reads
 * from a site is two snapshots of plain counters: closeInterval() (an interval's parts, which
 * also make the site's own timeline row) and end() (its totals for the summary).
 *
 * The random streams of a plain run's site keep their plain names ("service", "routing" …);
 * the sites of a topology (regions, shards) suffix theirs with ":<site>", so a plain run draws
 * exactly what it drew before sites existed.
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import { Recorder, LevelIntegral } from '../metrics/recorder.js';
import { emptyParts, Timeline, type CostSoFar, type IntervalParts } from '../metrics/timeline.js';
import type { SiteTotals } from '../metrics/summary.js';
import { siteScenario } from '../config/scenario.js';
import type { Scenario, SitePlan } from '../config/scenario.js';
import { LatencyModel } from '../serving/latency.js';
import { ServingFleet, type FleetObserver, type Outcomes } from '../serving/fleet.js';
import { Lifecycle, type NodePlacement } from '../serving/lifecycle.js';
import type { SharedGpus } from '../serving/shared-gpus.js';

import { initialReplicas, startAutoscaler } from '../scaling/autoscaler.js';
import type { RequestPool } from '../serving/requests.js';
import { CacheLayer } from '../cache/layer.js';
import { FeatureStore } from '../cache/feature-store.js';

/** A level that also moves a shared sum of levels (the ready replicas of all sites), so the sum's min and max are exact. */
export class SummedLevel extends LevelIntegral {
  /** A level counting from `fromS` that keeps `sum` equal to the sum of its members. */
  constructor(fromS: number, private readonly sum: LevelIntegral) {
    super(fromS);
  }

  override set(nowS: number, level: number): void {
    this.sum.set(nowS, this.sum.level + level - this.level);
    super.set(nowS, level);
  }
}

/** Where a request came from, for the network round trip and inter-region transfer (regions only). */
export interface Network {
  /** Population (users' home region) of each request id; the array may be replaced as the pool grows. */
  readonly pop: Uint16Array;
  /** Round trip from each population to this site, in seconds. */
  readonly rttByPopS: Float64Array;
  /** The population whose home this site is. */
  readonly home: number;
}

export interface SiteOptions {
  name: string;
  /** The run's scenario (warmup, SLO, cache, feature store, traffic keys). */
  sc: Scenario;
  /** This site's fleet, autoscaler, model and prices; null for the scenario's own (a plain run, or a shard). */
  plan: SitePlan | null;
  pool: RequestPool;
  /** Appended to the names of the site's random streams: '' in a plain run, ':<name>' for a site of a topology. */
  streamSuffix: string;
  /** Sum of the ready replicas of all sites. */
  readySum: LevelIntegral;
  /** The latency (s) a completion within the SLO must not exceed (the recorder's attainment), Infinity for none. */
  sloTargetS: number;
  /** A cold standby: no replicas until release(). */
  held: boolean;
  network: Network | null;
  /** GPUs this site's fleet shares with other models' (sharing.mode shared), or null. */
  sharedGpus?: SharedGpus | null;
  /** GPU nodes whose slots this site's pods share with other models' (sharing.mode mig or shared): the slot kind they take and this model's index there; or null. */
  nodes?: NodePlacement | null;
}

/** One fleet with its lifecycle, autoscaler, optional cache, meters and recorder. */
export class Site {
  readonly name: string;
  readonly plan: SitePlan | null;
  /** The scenario this site runs (the run's, with the site's fleet, autoscaler, model and prices). */
  readonly sc: Scenario;
  /** Everything this site's requests did; the run merges the sites' recorders. */
  readonly rec: Recorder;
  /** This site's own timeline (the cost column is filled by the run at the end: finaliseCost). */
  readonly timeline = new Timeline();
  /** Per timeline row: billed GPU-seconds, completions and foreign completions since t = 0 (the cost column). */
  readonly costSoFar: CostSoFar[] = [];
  readonly fleet: ServingFleet;
  readonly lifecycle: Lifecycle;
  /** In a region outage, since downSinceS. */
  down = false;
  downSinceS = NaN;
  /** Where every request ends (a class, not closures: with several sites the calls stay monomorphic). */
  private readonly books: SiteBooks;
  /** Where the fleet reports: the books, or the cache's outcomes in front of them. */
  private readonly fleetOutcomes: Outcomes;
  private readonly busyReplicas: LevelIntegral;
  private readonly readyReplicas: LevelIntegral;
  private readonly billedGpus: LevelIntegral;
  private readonly fs: FeatureStore | null;
  private readonly cache: CacheLayer | null;
  /** Shared GPUs and this fleet's index in their books: the site is billed the GPU time it used there. */
  private readonly shared: { gpus: SharedGpus; tenant: number } | null = null;
  /** Requests handed to the fleet so far (the KPA's rps signal). */
  private reachedFleet = 0;
  private completedAll = 0;
  /** The interval snapshot, reused (its latency is the recorder's interval histogram). */
  private readonly parts: IntervalParts;
  private readonly pool: RequestPool;
  private readonly sim: Simulation;

  /** Builds the site on `sim` at time 0; its events are scheduled in the order a plain run always scheduled them. */
  constructor(sim: Simulation, o: SiteOptions) {
    const sc: Scenario = siteScenario(o.sc, o.plan);
    this.name = o.name;
    this.plan = o.plan;
    this.sc = sc;
    this.sim = sim;
    this.pool = o.pool;
    const pool = o.pool;
    const warmupS = sc.warmupS;
    const stream = (name: string): RandomStream => sim.rng.stream(name + o.streamSuffix);
    const rec = new Recorder(warmupS, o.sloTargetS);
    this.rec = rec;
    this.parts = { ...emptyParts(), latency: rec.iLatency };
    const latency = new LatencyModel(sc.model.latency, sc.fleet.batching.maxBatch, sc.model.variability);
    this.busyReplicas = new LevelIntegral(warmupS);
    this.readyReplicas = new SummedLevel(warmupS, o.readySum);
    this.billedGpus = new LevelIntegral(warmupS);

    // the books: every request ends here exactly once
    this.books = new SiteBooks(o.pool, rec, sc.model.overheadS ?? 0, o.network);

    // a cache (and/or feature store) sits between the arrivals and the fleet; it hands misses on
    const forward = (id: number): void => this.forward(id);
    const fs = sc.featureStore ? new FeatureStore(sim, sc.featureStore, stream('feature-store'), warmupS) : null;
    this.fs = fs;
    const cache =
      sc.cache !== null || fs !== null
        ? new CacheLayer(
            sim,
            sc.cache ?? { mode: 'hit-rate', hitRate: 0, lookupLatencyS: 0 },
            pool,
            { hit: stream('cache-hit'), ttl: stream('cache-ttl'), xfetch: stream('cache-xfetch') },
            forward,
            this.books,
            fs,
            sc.traffic.keys.kind === 'zipf' ? sc.traffic.keys.count : 0,
          )
        : null;
    this.cache = cache;
    const initial = initialReplicas(sc);
    const fleetOutcomes = cache ? cache.outcomes : this.books;
    this.fleetOutcomes = fleetOutcomes;
    const fleet = new ServingFleet(
      sim,
      sc.fleet,
      latency,
      pool,
      rec,
      fleetOutcomes,
      { busyReplicas: this.busyReplicas, readyReplicas: this.readyReplicas },
      stream('service'),
      stream('routing'),
      initial + sc.fleet.warmPool,
    );
    this.fleet = fleet;
    if (o.sharedGpus) this.shared = { gpus: o.sharedGpus, tenant: fleet.shareGpus(o.sharedGpus) };
    this.lifecycle = new Lifecycle(sim, sc.fleet, fleet, this.billedGpus, stream('lifecycle'), initial, warmupS, o.held, o.nodes ?? null);
    const scaling = startAutoscaler(sim, sc, fleet, this.lifecycle, () => this.reachedFleet);
    if (scaling.wantsLatency && scaling.pipeline) {
      const pipeline = scaling.pipeline;
      this.books.latencyTap = (l) => pipeline.recordLatency(l);
    }
  }

  /** Hands a request to the fleet (the cache's miss path ends here too); a miss looked up just before an outage finds no fleet. */
  private forward(id: number): void {
    this.reachedFleet++;
    if (this.down) this.fleetOutcomes.rejected(id, this.sim.now);
    else this.fleet.arrive(id);
  }

  /** Takes a request: counted in the site's recorder, rejected at once while the site is down. */
  arrive(id: number): void {
    this.rec.arrival(this.pool.counted[id] === 1);
    if (this.down) {
      this.books.rejected(id, this.sim.now);
      return;
    }
    if (this.cache !== null) this.cache.arrive(id);
    else this.forward(id);
  }

  /** Reads the cache entries of upcoming keys ahead of their lookups (a memory hint; 0 without a keyed cache). */
  prefetch(keys: Int32Array, from: number, to: number): number {
    return this.cache?.cache?.prefetch(keys, from, to) ?? 0;
  }

  /** Whether the site has a keyed result cache (for prefetch). */
  get keyedCache(): boolean {
    return (this.cache?.cache ?? null) !== null;
  }

  /** Sees every batch and response of the fleet (tests, debugging). */
  observe(observer: FleetObserver): void {
    this.fleet.observer = observer;
  }

  /** The replica-crash event: `count` ready replicas die. */
  crash(count: number): void {
    this.lifecycle.crash(count);
  }

  /** The cache-flush event: the cache restarts empty. */
  flushCache(nowS: number): void {
    this.cache?.flush(nowS);
  }

  /** A region outage: every replica dies, what they held fails (rejected), the cache restarts empty; restore() ends it. */
  outage(nowS: number): void {
    if (this.down) return;
    this.down = true;
    this.downSinceS = nowS;
    this.lifecycle.outage();
    this.cache?.flush(nowS);
  }

  /** The outage is over: pods start again (cold). */
  restore(): void {
    if (!this.down) return;
    this.down = false;
    this.downSinceS = NaN;
    this.lifecycle.restore();
  }

  /** Counted requests still queued, running or held by the cache. */
  inFlightCounted(): number {
    return this.fleet.inFlightCounted() + (this.cache?.inFlightCounted() ?? 0);
  }

  /**
   * Closes the report interval ending at `nowS` (length `dtS`): appends the site's row to its
   * timeline and returns the interval's parts (valid until resetInterval(), which the run calls
   * once it has summed every site's).
   */
  closeInterval(nowS: number, dtS: number): IntervalParts {
    const sc = this.sc;
    const rec = this.rec;
    const cache = this.cache;
    const fs = this.fs;
    const p = this.parts;
    p.timeS = nowS;
    p.dtS = dtS;
    p.cacheSites = p.cacheLookups = p.cacheHits = p.cacheMisses = 0;
    if (cache !== null && sc.cache !== null) {
      const iv = cache.interval;
      p.cacheSites = 1;
      p.cacheLookups = iv.lookups;
      p.cacheHits = iv.hits + iv.staleHits;
      p.cacheMisses = iv.misses;
    }
    p.featureStoreServers = p.featureStoreBusyS = 0;
    if (fs !== null) {
      p.featureStoreServers = fs.servers;
      p.featureStoreBusyS = fs.busyServers.takeInterval(nowS);
      fs.resetInterval();
    }
    cache?.resetInterval();
    p.readyS = this.readyReplicas.takeInterval(nowS);
    p.busyS = this.busyReplicas.takeInterval(nowS);
    this.billedGpus.advance(nowS);
    this.completedAll += rec.iCompleted;
    p.arrivals = rec.iArrivals;
    p.completed = rec.iCompleted;
    p.rejected = rec.iRejected;
    p.timedOut = rec.iTimedOut;
    p.batches = rec.iBatches;
    p.batchedRequests = rec.iBatchedRequests;
    p.replicasReady = this.readyReplicas.level;
    p.replicasStarting = this.lifecycle.counts().starting;
    // a held cold standby or a region that is down wants nothing now, whatever it will want when it runs again
    p.replicasDesired = this.lifecycle.active ? this.lifecycle.desired : 0;
    p.queueDepth = this.fleet.queueDepth();
    this.timeline.addParts(p);
    this.costSoFar.push({ gpuS: this.billedGpuS(nowS, true), completed: this.completedAll, foreign: this.books.foreignAll });
    return p;
  }

  /** GPU-seconds billed to this site up to `nowS` (the meter brought there): since t = 0 (`all`) or after warmup; on shared GPUs, the time it used. */
  private billedGpuS(nowS: number, all: boolean): number {
    const sh = this.shared;
    if (sh === null) return all ? this.billedGpus.all : this.billedGpus.total;
    sh.gpus.advance(nowS);
    return sh.gpus.attributedS(sh.tenant, all);
  }

  /** Starts the next report interval (after the run has read closeInterval's parts). */
  resetInterval(): void {
    this.rec.resetInterval();
  }

  /** Brings the meters to `stopS` and the recorder's latencies into its summary histogram: the site's totals. */
  end(stopS: number): SiteTotals {
    const rec = this.rec;
    rec.flush();
    this.busyReplicas.advance(stopS);
    this.readyReplicas.advance(stopS);
    this.billedGpus.advance(stopS);
    const ready = this.readyReplicas;
    const st = this.cache !== null && this.sc.cache !== null ? this.cache.stats : null;
    const fs = this.fs;
    return {
      name: this.name,
      rec,
      inFlightAtEnd: this.inFlightCounted(),
      readyS: ready.total,
      busyS: this.busyReplicas.total,
      readyLevel: ready.level,
      readyMin: ready.min,
      readyMax: ready.max,
      billedGpuS: this.billedGpuS(stopS, false),
      billedMin: this.billedGpus.min,
      billedMax: this.billedGpus.max,
      coldStarts: this.lifecycle.coldStartsCounted,
      foreignCompleted: this.books.foreignCounted,
      prices: { gpuHourlyUsd: this.sc.cost.gpuHourlyUsd, cacheHourlyUsd: this.sc.cost.cacheHourlyUsd },
      slo: this.sc.slo,
      cache:
        st !== null
          ? {
              lookups: st.lookups,
              hits: st.hits,
              staleHits: st.staleHits,
              delayedHits: st.delayedHits,
              misses: st.misses,
              backgroundRefreshes: st.backgroundRefreshes,
              flushes: this.cache!.flushes,
            }
          : null,
      featureStore:
        fs !== null
          ? { servers: fs.servers, utilization: fs.utilization(stopS), meanQueueLength: fs.meanQueueLength(stopS), waits: fs.waits, rejected: fs.rejected }
          : null,
    };
  }
}

/**
 * A site's books, where every request ends exactly once, into its recorder. Users see the server's
 * time plus the client overhead (model.overhead) and, in a region, the round trip from their
 * population; a completion away from the users' home counts as foreign (inter-region cost).
 */
class SiteBooks implements Outcomes {
  /** Completed requests served outside their users' region: after warmup, and all (for the timeline's cost). */
  foreignCounted = 0;
  foreignAll = 0;
  /** Sees each completion's server time (an autoscaler that scales on latency). */
  latencyTap: ((serverS: number) => void) | null = null;

  constructor(
    private readonly pool: RequestPool,
    private readonly rec: Recorder,
    private readonly overheadS: number,
    private readonly net: Network | null,
  ) {}

  completed(id: number, nowS: number): void {
    const pool = this.pool;
    const serverS = nowS - pool.arrivedAtS[id]!;
    const counted = pool.counted[id] === 1;
    let latencyS = serverS + this.overheadS;
    const net = this.net;
    if (net !== null) {
      const p = net.pop[id]!;
      latencyS += net.rttByPopS[p]!;
      if (p !== net.home) {
        this.foreignAll++;
        if (counted) this.foreignCounted++;
      }
    }
    this.rec.complete(latencyS, counted);
    const tap = this.latencyTap;
    if (tap !== null) tap(serverS);
    pool.free(id);
  }

  rejected(id: number, _nowS: number): void {
    this.rec.reject(this.pool.counted[id] === 1);
    this.pool.free(id);
  }

  timedOut(id: number, _nowS: number): void {
    this.rec.timeout(this.pool.counted[id] === 1);
    this.pool.free(id);
  }
}
