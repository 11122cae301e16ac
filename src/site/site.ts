/**
 * A site: one fleet and everything that runs it, on the run's shared clock.
 *
 *   arrive(id) ──► down? reject ──► (cache) ──► ServingFleet ──► books ──► run Recorder (+ site Recorder)
 *                                                   ▲
 *                       Lifecycle ◄── autoscaler ───┘   meters: busy, ready, billed GPU (LevelIntegrals)
 *
 * A single-fleet run is one site whose recorder is the run's own and whose random
 * streams carry the plain names ("service", "routing" …), so it draws and records
 * exactly what the run did before sites existed. In a run of several sites (regions,
 * shards) each site has its own recorder, timeline and streams ("service:us-east" …);
 * its books record every request into both recorders, so nothing per request needs to
 * remember where it was served.
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import { Recorder, LevelIntegral } from '../metrics/recorder.js';
import { Timeline, type TimelineColumn } from '../metrics/timeline.js';
import { tidy, type SiteSummary } from '../metrics/summary.js';
import { siteScenario } from './plans.js';
import type { Scenario, SitePlan } from '../scenario/types.js';
import { LatencyModel } from '../serving/latency.js';
import { ServingFleet, type Outcomes } from '../serving/fleet.js';
import { Lifecycle } from '../serving/lifecycle.js';
import { initialReplicas, startAutoscaler, type ScalingLoop } from '../scaling/autoscaler.js';
import type { RequestPool } from '../serving/requests.js';
import { CacheLayer } from '../cache/layer.js';
import { FeatureStore } from '../cache/feature-store.js';
import { judgeSlo, type SloVerdict } from '../metrics/slo.js';

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
  /** This site's fleet, autoscaler, model and prices; null for the scenario's own (a single fleet, or a shard). */
  plan: SitePlan | null;
  pool: RequestPool;
  /** The run's recorder. */
  global: Recorder;
  /** True for a run of several sites: the site gets its own recorder, timeline and named streams. */
  multi: boolean;
  /** Sum of the ready replicas of all sites (multi only). */
  readySum: LevelIntegral | null;
  /** A cold standby: no replicas until release(). */
  held: boolean;
  network: Network | null;
}

/** One interval's raw figures of a site, for the run's overall row. */
export interface SiteInterval {
  readyS: number;
  busyS: number;
  readyLevel: number;
  starting: number;
  desired: number;
  queueDepth: number;
  lookups: number;
  hits: number;
  misses: number;
  batches: number;
  batchedRequests: number;
}

type Row = Partial<Record<TimelineColumn, number>>;

/** One fleet with its lifecycle, autoscaler, optional cache, meters and recorder. */
export class Site {
  readonly name: string;
  /** The scenario this site runs (the run's, with the site's fleet, autoscaler, model and prices). */
  readonly sc: Scenario;
  readonly rec: Recorder;
  readonly busyReplicas: LevelIntegral;
  readonly readyReplicas: LevelIntegral;
  readonly billedGpus: LevelIntegral;
  readonly books: Outcomes;
  readonly fs: FeatureStore | null;
  readonly cache: CacheLayer | null;
  readonly fleet: ServingFleet;
  readonly lifecycle: Lifecycle;
  readonly scaling: ScalingLoop;
  /** This site's own timeline (multi-site runs); null when the site is the whole run. */
  readonly timeline: Timeline | null;
  /** Requests handed to the fleet so far (the KPA's rps signal). */
  reachedFleet = 0;
  /** In a region outage. */
  down = false;
  downSinceS = NaN;
  /** Completed requests served outside their users' region: after warmup, and all (for the timeline's cost). */
  foreignCounted = 0;
  foreignAll = 0;
  /** Per timeline row: billed GPU-seconds since 0, completions and foreign completions since 0 (cost column). */
  readonly gpuCostS: number[] = [];
  readonly completedSoFar: number[] = [];
  readonly foreignSoFar: number[] = [];
  peakMissRate = 0;
  /** Forwards a request to the fleet (the cache's miss path ends here too). */
  readonly forward: (id: number) => void;
  private completedAll = 0;
  private readonly pool: RequestPool;
  private readonly multi: boolean;
  private readonly sim: Simulation;

  /** Builds the site on `sim` at time 0; its events are scheduled in the order a single-fleet run always scheduled them. */
  constructor(sim: Simulation, o: SiteOptions) {
    const base = o.sc;
    const plan = o.plan;
    const sc: Scenario = siteScenario(base, plan);
    this.name = o.name;
    this.sc = sc;
    this.sim = sim;
    this.pool = o.pool;
    this.multi = o.multi;
    const pool = o.pool;
    const warmupS = sc.warmupS;
    const suffix = o.multi ? `:${o.name}` : '';
    const stream = (name: string): RandomStream => sim.rng.stream(name + suffix);
    const global = o.global;
    const rec = o.multi ? new Recorder(warmupS, global.sloTargetS) : global;
    this.rec = rec;
    const latency = new LatencyModel(sc.model.latency, sc.fleet.batching.maxBatch, sc.model.variability);
    this.busyReplicas = new LevelIntegral(warmupS);
    this.readyReplicas = o.readySum !== null ? new SummedLevel(warmupS, o.readySum) : new LevelIntegral(warmupS);
    this.billedGpus = new LevelIntegral(warmupS);
    this.timeline = o.multi ? new Timeline() : null;

    // the books: every request ends here exactly once
    let latencyTap: ((latencyS: number) => void) | null = null;
    // client and network time outside the server (model.overhead, e.g. from perf_analyzer), added to what users see
    const overheadS = sc.model.overheadS ?? 0;
    if (!o.multi) {
      this.books = {
        completed(id, nowS) {
          const serverS = nowS - pool.arrivedAtS[id]!;
          rec.complete(serverS + overheadS, pool.counted[id] === 1);
          if (latencyTap !== null) latencyTap(serverS);
          pool.free(id);
        },
        rejected(id) {
          rec.reject(pool.counted[id] === 1);
          pool.free(id);
        },
        timedOut(id) {
          rec.timeout(pool.counted[id] === 1);
          pool.free(id);
        },
      };
    } else {
      const net = o.network;
      const site = this;
      this.books = {
        completed(id, nowS) {
          const serverS = nowS - pool.arrivedAtS[id]!;
          const counted = pool.counted[id] === 1;
          let latencyS = serverS + overheadS;
          if (net !== null) {
            const p = net.pop[id]!;
            // the users see the server's time plus the network round trip to this region
            latencyS += net.rttByPopS[p]!;
            if (p !== net.home) {
              site.foreignAll++;
              if (counted) site.foreignCounted++;
            }
          }
          global.complete(latencyS, counted);
          rec.complete(latencyS, counted);
          if (latencyTap !== null) latencyTap(serverS);
          pool.free(id);
        },
        rejected(id) {
          const counted = pool.counted[id] === 1;
          global.reject(counted);
          rec.reject(counted);
          pool.free(id);
        },
        timedOut(id) {
          const counted = pool.counted[id] === 1;
          global.timeout(counted);
          rec.timeout(counted);
          pool.free(id);
        },
      };
    }

    // a cache (and/or feature store) sits between the arrivals and the fleet; it hands misses on
    let forwardTo: ServingFleet | null = null;
    let fleetOutcomes: Outcomes | null = null;
    if (!o.multi) {
      this.forward = (id: number): void => {
        this.reachedFleet++;
        forwardTo!.arrive(id);
      };
    } else {
      this.forward = (id: number): void => {
        this.reachedFleet++;
        // a miss looked up just before an outage finds no fleet
        if (this.down) fleetOutcomes!.rejected(id, sim.now);
        else forwardTo!.arrive(id);
      };
    }
    const fs = sc.featureStore ? new FeatureStore(sim, sc.featureStore, stream('feature-store'), warmupS) : null;
    this.fs = fs;
    const cache =
      sc.cache !== null || fs !== null
        ? new CacheLayer(
            sim,
            sc.cache ?? { mode: 'hit-rate', hitRate: 0, lookupLatencyS: 0 },
            pool,
            { hit: stream('cache-hit'), ttl: stream('cache-ttl'), xfetch: stream('cache-xfetch') },
            this.forward,
            this.books,
            fs,
            sc.traffic.keys.kind === 'zipf' ? sc.traffic.keys.count : 0,
          )
        : null;
    this.cache = cache;
    const initial = initialReplicas(sc);
    fleetOutcomes = cache ? cache.outcomes : this.books;
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
    forwardTo = fleet;
    this.fleet = fleet;
    this.lifecycle = new Lifecycle(sim, sc.fleet, fleet, this.billedGpus, stream('lifecycle'), initial, warmupS, o.held);
    this.scaling = startAutoscaler(sim, sc, fleet, this.lifecycle, () => this.reachedFleet);
    if (this.scaling.wantsLatency && this.scaling.pipeline) {
      const pipeline = this.scaling.pipeline;
      latencyTap = (l) => pipeline.recordLatency(l);
    }
  }

  /** Takes a request routed here (multi-site runs): counted in the site's recorder, rejected at once while the site is down. */
  arrive(id: number): void {
    this.rec.arrival(this.pool.counted[id] === 1);
    if (this.down) {
      this.books.rejected(id, this.sim.now);
      return;
    }
    if (this.cache !== null) this.cache.arrive(id);
    else this.forward(id);
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
   * Closes the report interval ending at `nowS` (length `dtS`): the row of this site's
   * figures and their raw parts. A multi-site site also appends the row to its own
   * timeline and resets its recorder's interval; a single site leaves both to the run.
   */
  closeInterval(nowS: number, dtS: number): { row: Row; parts: SiteInterval } {
    const sc = this.sc;
    const rec = this.rec;
    const cache = this.cache;
    const fs = this.fs;
    const row: Row = {};
    let lookups = 0;
    let hits = 0;
    let misses = 0;
    if (cache !== null && sc.cache !== null) {
      const iv = cache.interval;
      row.cacheHitRate = iv.hitRate;
      row.cacheMissRate = dtS > 0 ? iv.misses / dtS : NaN;
      if (nowS > sc.warmupS && dtS > 0 && iv.misses / dtS > this.peakMissRate) this.peakMissRate = iv.misses / dtS;
      lookups = iv.lookups;
      hits = iv.hits + iv.staleHits;
      misses = iv.misses;
    }
    if (fs !== null) {
      const busyServerS = fs.busyServers.takeInterval(nowS);
      row.featureStoreUtilization = dtS > 0 ? busyServerS / (fs.servers * dtS) : NaN;
      fs.resetInterval();
    }
    cache?.resetInterval();
    const ready = this.readyReplicas.takeInterval(nowS);
    const busy = this.busyReplicas.takeInterval(nowS);
    this.billedGpus.advance(nowS);
    this.completedAll += rec.iCompleted;
    const counts = this.lifecycle.counts();
    // a held cold standby or a region that is down wants nothing now, whatever it will want when it runs again
    const desired = this.lifecycle.active ? this.lifecycle.desired : 0;
    const parts: SiteInterval = {
      readyS: ready,
      busyS: busy,
      readyLevel: this.readyReplicas.level,
      starting: counts.starting,
      desired,
      queueDepth: this.fleet.queueDepth(),
      lookups,
      hits,
      misses,
      batches: rec.iBatches,
      batchedRequests: rec.iBatchedRequests,
    };
    const full: Row = {
      timeS: nowS,
      ...rec.intervalRow(),
      meanBatchSize: rec.iBatches > 0 ? rec.iBatchedRequests / rec.iBatches : NaN,
      replicasReady: this.readyReplicas.level,
      replicasStarting: counts.starting,
      replicasDesired: desired,
      queueDepth: parts.queueDepth,
      gpuUtilization: ready > 0 ? busy / ready : NaN,
      ...row,
    };
    this.gpuCostS.push(this.billedGpus.all);
    this.completedSoFar.push(this.completedAll);
    this.foreignSoFar.push(this.foreignAll);
    if (this.multi) {
      this.timeline!.add(full);
      rec.resetInterval();
    }
    return { row: full, parts };
  }

  /** Brings the meters to `stopS` and the recorder's latencies into its summary histogram. */
  close(stopS: number): void {
    if (this.multi) this.rec.flush();
    this.busyReplicas.advance(stopS);
    this.readyReplicas.advance(stopS);
    this.billedGpus.advance(stopS);
  }

  /** GPU dollars billed after warmup. */
  gpuUsd(): number {
    return ((this.sc.cost.gpuHourlyUsd ?? 0) * this.billedGpus.total) / 3600;
  }

  /** Share of ready replica time the GPUs were executing (after warmup); 0 with no ready time. */
  utilization(): number {
    // busy ≤ ready by construction; the two integrals' rounding can still put the ratio an ulp above 1
    return this.readyReplicas.total > 0 ? Math.min(1, this.busyReplicas.total / this.readyReplicas.total) : 0;
  }

  /** This site's summary block; `totalArrived` is the run's (for arrivedShare), `costUsd` its share of the bill. */
  summary(windowS: number, totalArrived: number, costUsd: number): SiteSummary {
    const rec = this.rec;
    const h = rec.latency;
    const ms = (p: number): number => (h.count > 0 ? tidy(h.quantile(p) * 1e3) : 0);
    const st = this.cache !== null && this.sc.cache !== null ? this.cache.stats : null;
    return {
      name: this.name,
      arrivedShare: totalArrived > 0 ? tidy(rec.arrived / totalArrived) : 0,
      requests: {
        arrived: rec.arrived,
        completed: rec.completed,
        cacheHits: st !== null ? st.hits + st.staleHits : 0,
        rejected: rec.rejected,
        timedOut: rec.timedOut,
        inFlightAtEnd: this.inFlightCounted(),
      },
      latencyMs: { p50: ms(0.5), p99: ms(0.99) },
      slo: siteSlo(judgeSlo(this.sc.slo, rec)),
      gpu: { utilization: tidy(this.utilization()) },
      replicas: {
        min: this.readyReplicas.min,
        mean: tidy(windowS > 0 ? this.readyReplicas.total / windowS : this.readyReplicas.level),
        max: this.readyReplicas.max,
        coldStarts: this.lifecycle.coldStartsCounted,
      },
      cacheHitRate: st !== null ? (st.lookups > 0 ? tidy(st.hitRate) : 0) : null,
      costUsd: tidy(costUsd),
    };
  }
}

/** A site's SLO block: the run's verdict rule on the site's own requests. */
function siteSlo(v: SloVerdict): SiteSummary['slo'] {
  return { met: v.met, failedBy: v.failedBy, attainment: v.attainment, errorRate: v.errorRate };
}
