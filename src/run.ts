/**
 * simulate(): builds the model a Scenario describes on one Simulation and runs it.
 *
 *   arrivals ──► (request pool) ──► site: (cache) ─► ServingFleet (router ─► queues ─► batcher ─► GPU)
 *        │                                   │
 *        └──────────────► Recorder ◄─────────┘ ──► report interval ──► Timeline
 *                                                  end ──► Summary (+ cost)
 *
 * A site (topology/site.ts) is one fleet with its lifecycle, autoscaler, cache and meters.
 * A plain scenario is one site. With regions or shards the arrivals pass a router first:
 *
 *   arrivals ──► RegionRouter (population, DNS view, health checks, outages) ──► site per region
 *            ──► ShardRouter (key hash or Zipf tenant) ──────────────────────► site per shard
 *
 * and every site records into the run's Recorder and its own (per-site summary and timeline).
 */
import { Simulation } from './engine/simulation.js';
import { Recorder, LevelIntegral } from './metrics/recorder.js';
import { Timeline } from './metrics/timeline.js';
import { cdfPoints, type LatencyCdf } from './metrics/histogram.js';
import { costBreakdown, egressUsd, HOURS_PER_MONTH, type CostBreakdown } from './metrics/cost.js';
import { PERCENTILES, tidy, type Summary } from './metrics/summary.js';
import { attainmentTargetS, judgeSlo } from './metrics/slo.js';
import { companions, type Companions } from './analysis/companions.js';
import type { Scenario } from './scenario/types.js';
import type { FleetObserver } from './serving/fleet.js';
import { RequestPool } from './serving/requests.js';
import { createArrivals } from './workload/arrivals.js';
import { createKeySampler, withLookahead } from './workload/keys.js';
import { CacheCounters, type CacheLayer } from './cache/layer.js';
import type { FeatureStore } from './cache/feature-store.js';
import { scanTrace, TraceReader, type LineSource } from './workload/trace.js';
import { TraceReplay, traceShortWarning } from './workload/trace-replay.js';
import type { TraceSource } from './workload/arrivals.js';
import { Site } from './site/site.js';
import { failoverReport, RegionRouter, type IntervalHealth } from './topology/regions.js';
import { ShardRouter } from './topology/shards.js';

export interface SimulateOptions {
  /** Lines of the trace file (the CLI opens it): traffic.trace as recorded needs this or openTrace. */
  traceLines?: LineSource;
  /**
   * Opens the trace file anew for each reading (the CLI provides it): needed for a rateMultiplier or
   * loop (each copy and repetition reads the file again, streamed), and enough for any trace.
   */
  openTrace?: () => LineSource;
  /** Label of the trace file in error messages. */
  traceLabel?: string;
  /** Variant name recorded in the summary. */
  variant?: string | null;
  /** Called about every 1 % of simulated time with the share done. */
  onProgress?: (fraction: number) => void;
  /** Polled with onProgress; returning true ends the run early (the summary is marked partial). */
  shouldStop?: () => boolean;
  /** Sees every batch and response (tests, debugging); slows the run. */
  observer?: FleetObserver;
  /** Wall clock in seconds, for engine.wallSeconds (the library never reads the clock itself). */
  wallClockS?: () => number;
}

export interface RunResult {
  summary: Summary;
  /** The run's timeline (over all sites when there are several). */
  timeline: Timeline;
  /** One timeline per region or shard, in the scenario's order (same columns); empty for a single fleet. */
  siteTimelines: { name: string; timeline: Timeline }[];
  scenario: Scenario;
  /** True when the run was stopped before the scenario's duration. */
  partial: boolean;
  /** The distribution of the counted requests' latency (after warmup), for the report's chart. */
  latencyCdf?: LatencyCdf;
}

/** A run in progress: advance it in steps (for progress and interruption), then finish it. */
export interface RunHandle {
  readonly endS: number;
  readonly nowS: number;
  /**
   * Executes events up to `untilS` (capped at the scenario's duration); with `maxEvents`, at most
   * that many: returns false when the budget ran out first (call again with the same `untilS`
   * to go on; the result is the same as without a budget), true when `untilS` was reached.
   */
  runTo(untilS: number, maxEvents?: number): boolean;
  /** Closes the books at the current time; `partial` marks a run stopped before its duration. */
  finish(partial: boolean): RunResult;
}

/** Builds the model of `sc` at time 0, ready to run. */
export function startRun(sc: Scenario, opts: SimulateOptions = {}): RunHandle {
  const wall = opts.wallClockS ?? ((): number => 0);
  const wallStart = wall();
  const sim = new Simulation(sc.seed);
  const warmupS = sc.warmupS;
  const endS = sc.durationS;
  const sloTargetS = attainmentTargetS(sc.slo);
  const rec = new Recorder(warmupS, sloTargetS);
  const pool = new RequestPool(4096);
  const topo = sc.topology ?? null;
  const multi = topo !== null;

  // the sites: one fleet built exactly as a plain run builds it, or one per region or shard
  const readySum = multi ? new LevelIntegral(warmupS) : null;
  const regions =
    topo?.kind === 'regions'
      ? new RegionRouter(
          sim,
          topo,
          pool,
          sim.rng.stream('population'),
          sim.rng.stream('region-routing'),
          sc.traffic.keys.kind === 'zipf' ? sc.traffic.keys.count : 0,
          () => rec.rejected + rec.timedOut,
        )
      : null;
  const common = { sc, pool, global: rec, multi, readySum };
  const sites: Site[] = [];
  if (topo === null) {
    sites.push(new Site(sim, { ...common, name: sc.name, plan: null, held: false, network: null }));
  } else if (topo.kind === 'regions') {
    topo.regions.forEach((r, i) => {
      const held = topo.mode === 'active-passive' && topo.standby === 'cold' && i !== topo.primary;
      sites.push(new Site(sim, { ...common, name: r.name, plan: r, held, network: regions!.networkFor(i) }));
    });
  } else {
    for (let i = 0; i < topo.count; i++) sites.push(new Site(sim, { ...common, name: `shard-${i}`, plan: null, held: false, network: null }));
  }
  const site = sites[0]!;
  if (opts.observer) for (const s of sites) s.fleet.observer = opts.observer;
  const keyed = sc.cache !== null && sc.cache.mode === 'keyed';
  const shardByKey = topo?.kind === 'shards' && topo.by === 'key-hash';
  let keys = (keyed || shardByKey) && sc.traffic.keys.kind !== 'trace' ? createKeySampler(sc.traffic.keys, sim.rng.stream('keys')) : null;
  const onlyCache = !multi ? (site.cache?.cache ?? null) : null;
  if (keys !== null && onlyCache !== null) {
    // perf: the next 16 keys' index cells and entries are read together (a 10^6-entry cache
    // lookup otherwise waits on two memory reads, one after the other)
    // (the sum is kept in a live variable only so that the reads cannot be dropped)
    let sink = 0;
    keys = withLookahead(keys, 16, (block, from, to) => {
      sink += onlyCache.prefetch(block, from, to);
    });
  }

  const regionIndex = (name: string): number => (topo?.kind === 'regions' ? topo.regions.findIndex((r) => r.name === name) : -1);
  const onEvent = sim.register((i) => {
    const e = sc.events[i]!;
    if (e.kind === 'replica-crash') for (const s of sites) s.lifecycle.crash(e.count);
    else if (e.kind === 'cache-flush') for (const s of sites) s.cache?.flush(sim.now);
    else regions?.outage(regionIndex(e.region), e.forS);
  });
  sc.events.forEach((e, i) => sim.at(e.atS, onEvent, i));
  regions?.start(sites);

  let reader: TraceSource | null = null;
  /** The warning for a trace that ends before the run (traceShortWarning), once it is known. */
  let traceWarning = (): string | null => null;
  const spec = sc.traffic.trace;
  if (spec) {
    const label = opts.traceLabel ?? spec.file;
    if (spec.rateMultiplier === 1 && !spec.loop) {
      const lines = opts.traceLines ?? opts.openTrace?.();
      if (!lines) throw new Error('simulate: traffic.trace needs opts.traceLines or opts.openTrace');
      const r = new TraceReader(lines, spec, label);
      let lastS = 0;
      let ended = false;
      reader = {
        nextTimeS(): number {
          const t = r.nextTimeS();
          if (t === t) lastS = t;
          else ended = true;
          return t;
        },
        lastKey: (): number => r.lastKey(),
      };
      traceWarning = () => (ended ? traceShortWarning(spec, { count: r.arrivals, spanS: lastS }, sc.durationS) : null);
    } else {
      if (!opts.openTrace) throw new Error('simulate: traffic.trace with a rateMultiplier or loop needs opts.openTrace (each copy and repetition reads the file anew)');
      const scan = scanTrace(opts.openTrace(), spec, label);
      reader = new TraceReplay(opts.openTrace, spec, label, scan, spec.rateMultiplier % 1 !== 0 ? sim.rng.stream('trace-thinning') : null);
      const w = traceShortWarning(spec, scan, sc.durationS);
      traceWarning = () => w;
    }
  }
  const arrivals = createArrivals(sc.traffic, sim.rng.stream('arrivals'), sim.rng.stream('arrival-states'), reader, endS);

  let shards: ShardRouter | null = null;
  // where an arrival goes: the single fleet's cache or fleet, or the region / shard router
  let dispatch: (id: number) => void;
  if (!multi) {
    const cache = site.cache;
    dispatch = cache !== null ? (id): void => cache.arrive(id) : site.forward;
  } else {
    if (topo.kind === 'shards') {
      const tenants = topo.tenants !== null ? createKeySampler({ kind: 'zipf', ...topo.tenants }, sim.rng.stream('tenants')) : null;
      shards = new ShardRouter(topo, sites, pool, tenants);
    }
    const router: { dispatch(id: number): void } = regions ?? shards!;
    dispatch = (id): void => router.dispatch(id);
  }
  const onArrival = sim.register(() => {
    const now = sim.now;
    const id = pool.alloc();
    pool.arrivedAtS[id] = now;
    pool.key[id] = keys !== null ? keys.next() : arrivals.lastKey();
    const counted = now >= warmupS;
    pool.counted[id] = counted ? 1 : 0;
    rec.arrival(counted);
    dispatch(id);
    const next = arrivals.nextTimeS();
    if (next < endS) sim.atSource(next, onArrival);
  });
  const first = arrivals.nextTimeS();
  if (first < endS) sim.atSource(first, onArrival);

  // timeline: one row per report interval, the last one possibly shorter
  const timeline = new Timeline();
  const recovery = recoveryTarget(sc);
  const intervals: IntervalHealth[] = [];
  let lastIntervalS = 0;
  let peakMissRate = 0;
  const closeInterval = (): void => {
    const now = sim.now;
    const dt = now - lastIntervalS;
    lastIntervalS = now;
    if (!multi) {
      timeline.add(site.closeInterval(now, dt).row);
    } else {
      const t = { readyS: 0, busyS: 0, readyLevel: 0, starting: 0, desired: 0, queueDepth: 0, lookups: 0, hits: 0, misses: 0, batches: 0, batchedRequests: 0 };
      for (const s of sites) {
        const p = s.closeInterval(now, dt).parts;
        for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += p[k];
      }
      const cacheRow: Partial<Record<'cacheHitRate' | 'cacheMissRate', number>> = {};
      if (sc.cache !== null) {
        cacheRow.cacheHitRate = t.lookups > 0 ? t.hits / t.lookups : NaN;
        cacheRow.cacheMissRate = dt > 0 ? t.misses / dt : NaN;
        if (now > warmupS && dt > 0 && t.misses / dt > peakMissRate) peakMissRate = t.misses / dt;
      }
      timeline.add({
        timeS: now,
        ...rec.intervalRow(),
        meanBatchSize: t.batches > 0 ? t.batchedRequests / t.batches : NaN,
        replicasReady: t.readyLevel,
        replicasStarting: t.starting,
        replicasDesired: t.desired,
        queueDepth: t.queueDepth,
        gpuUtilization: t.readyS > 0 ? t.busyS / t.readyS : NaN,
        ...cacheRow,
      });
      if (regions !== null) {
        const errors = rec.iRejected + rec.iTimedOut;
        const h = rec.iLatency;
        const fast = h.count > 0 ? recovery === null || h.quantile(recovery.q) <= recovery.targetS : rec.iArrivals === 0;
        intervals.push({ endS: now, ok: errors === 0 && fast, errorsSoFar: rec.rejected + rec.timedOut });
      }
    }
    rec.resetInterval();
    // a step that lands within rounding error of the end is the end: no sliver row after it
    const step = now + sc.report.intervalS;
    const next = endS - step < 1e-9 * sc.report.intervalS ? endS : step;
    if (now < endS) sim.at(next, onInterval, 0);
  };
  const onInterval = sim.register(closeInterval);
  sim.at(Math.min(sc.report.intervalS, endS), onInterval, 0);

  const finish = (partial: boolean): RunResult => {
    const stopS = sim.now;
    // stopped between report intervals: close the last, shorter one, so the timeline covers what the summary counts
    if (partial && stopS > (timeline.rows[timeline.rows.length - 1]?.[0] ?? 0)) closeInterval();
    rec.flush();
    for (const s of sites) s.close(stopS);
    readySum?.advance(stopS);
    const windowS = Math.max(0, stopS - warmupS);
    const run: RunParts = { sc, opts, rec, sites, timeline, windowS, stopS, partial, events: sim.events, wallSeconds: wall() - wallStart };
    const result = !multi ? finishSingle(run, site) : finishMulti(run, readySum!, peakMissRate, regions, intervals, shards);
    const w = traceWarning();
    if (w !== null && !result.summary.warnings.includes(w)) result.summary.warnings.push(w);
    return { ...result, latencyCdf: cdfPoints(rec.latency) };
  };
  return {
    endS,
    runTo(untilS: number, maxEvents?: number): boolean {
      // callers slice the run as endS·k/n, which can round just below endS: the last slice must still reach the end
      return sim.run(untilS >= endS * (1 - 1e-12) ? endS : untilS, maxEvents);
    },
    get nowS(): number {
      return sim.now;
    },
    finish,
  };
}

/** What the end of a run needs from it. */
interface RunParts {
  sc: Scenario;
  opts: SimulateOptions;
  rec: Recorder;
  sites: Site[];
  timeline: Timeline;
  windowS: number;
  stopS: number;
  partial: boolean;
  events: number;
  wallSeconds: number;
}

/** A single fleet: the summary and the timeline's cost column exactly as a plain run has always computed them. */
function finishSingle(run: RunParts, site: Site): RunResult {
  const { sc, rec, timeline, windowS, stopS } = run;
  const inFlightAtEnd = site.inFlightCounted();
  checkBooks(rec, inFlightAtEnd, 'the run');
  const ready = site.readyReplicas;
  const utilization = site.utilization();
  const cost = costBreakdown({
    billedGpuSeconds: site.billedGpus.total,
    gpuHourlyUsd: sc.cost.gpuHourlyUsd,
    cacheHourlyUsd: sc.cost.cacheHourlyUsd,
    egressPerGbUsd: sc.cost.egressPerGbUsd,
    responseBytes: sc.model.responseBytes,
    completed: rec.completed,
    windowS,
    utilization,
  });
  // timeline cost: cumulative since t = 0, egress at the run's average price per request
  const egressPerRequest = rec.completed > 0 ? cost.egressUsd / rec.completed : 0;
  const costCol = timeline.columns.indexOf('costUsd');
  timeline.rows.forEach((row, i) => {
    const t = row[0]!;
    row[costCol] =
      ((sc.cost.gpuHourlyUsd ?? 0) * site.gpuCostS[i]!) / 3600 + (sc.cost.cacheHourlyUsd * t) / 3600 + egressPerRequest * site.completedSoFar[i]!;
  });
  const cache = site.cache;
  const summary = buildSummary(sc, run.opts.variant ?? null, run.partial, rec, {
    inFlightAtEnd,
    windowS,
    utilization,
    // work is booked when a batch starts: batches still running at the stop would count work not yet done
    effectiveUtilization: ready.total > 0 ? Math.min(utilization, rec.effectiveWorkS / ready.total) : 0,
    replicasMean: windowS > 0 ? ready.total / windowS : ready.level,
    replicasMin: ready.min,
    replicasMax: ready.max,
    coldStarts: site.lifecycle.coldStartsCounted,
    cache: cache !== null && sc.cache !== null ? cacheBlock([cache], site.peakMissRate) : null,
    featureStore: site.fs !== null ? featureStoreBlock(site.fs, stopS) : null,
    cost,
    regions: null,
    failover: null,
    shards: null,
    shardImbalance: null,
    events: run.events,
    wallSeconds: run.wallSeconds,
    simulatedSeconds: stopS,
  });
  return { summary, timeline, siteTimelines: [], scenario: sc, partial: run.partial };
}

/**
 * Several sites: the run's figures over all of them (sums of replicas, GPU time, cache
 * counters; egress on every response, inter-region transfer on the responses served away
 * from their users), each site's own block and timeline, and the failover report.
 */
function finishMulti(
  run: RunParts,
  readySum: LevelIntegral,
  peakMissRate: number,
  regions: RegionRouter | null,
  intervals: IntervalHealth[],
  shardRouter: ShardRouter | null,
): RunResult {
  const { sc, rec, sites, timeline, windowS, stopS } = run;
  let inFlightAtEnd = 0;
  let readyS = 0;
  let busyS = 0;
  let effectiveWorkS = 0;
  rec.batches = 0;
  rec.batchedRequests = 0;
  for (const s of sites) {
    const inFlight = s.inFlightCounted();
    checkBooks(s.rec, inFlight, s.name);
    inFlightAtEnd += inFlight;
    readyS += s.readyReplicas.total;
    busyS += s.busyReplicas.total;
    effectiveWorkS += s.rec.effectiveWorkS;
    // the fleets record batches in their sites' recorders; the run's figures are their sums
    rec.batches += s.rec.batches;
    rec.batchedRequests += s.rec.batchedRequests;
  }
  checkBooks(rec, inFlightAtEnd, 'the run');
  const utilization = readyS > 0 ? Math.min(1, busyS / readyS) : 0; // rounding can put it an ulp above 1
  const hours = windowS / 3600;
  const bytes = sc.model.responseBytes;
  const interRegionPerGbUsd = sc.topology?.kind === 'regions' ? sc.topology.interRegionPerGbUsd : 0;
  const egressAll = egressUsd(bytes * rec.completed, hours, sc.cost.egressPerGbUsd);
  const siteGpu = sites.map((s) => s.gpuUsd());
  const siteCache = sites.map((s) => s.sc.cost.cacheHourlyUsd * hours);
  const siteInter = sites.map((s) => (s.foreignCounted * bytes * interRegionPerGbUsd) / 1e9);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const gpuUsd = sum(siteGpu);
  const cacheUsd = sum(siteCache);
  const interRegionUsd = sum(siteInter);
  const totalUsd = gpuUsd + cacheUsd + egressAll + interRegionUsd;
  const cost: CostBreakdown & { interRegionUsd?: number } = {
    totalUsd,
    gpuUsd,
    cacheUsd,
    egressUsd: egressAll + interRegionUsd,
    perMillionRequestsUsd: rec.completed > 0 ? (totalUsd / rec.completed) * 1e6 : 0,
    monthlyUsd: hours > 0 ? (totalUsd / hours) * HOURS_PER_MONTH : 0,
    idleGpuUsd: sum(sites.map((s, i) => siteGpu[i]! * (1 - s.utilization()))),
  };
  if (regions !== null) cost.interRegionUsd = interRegionUsd;
  const siteCost = sites.map((s, i) => siteGpu[i]! + siteCache[i]! + (rec.completed > 0 ? (egressAll * s.rec.completed) / rec.completed : 0) + siteInter[i]!);

  // timeline cost: cumulative since t = 0, per site and overall (egress at the run's average price per response)
  const egressPerRequest = rec.completed > 0 ? egressAll / rec.completed : 0;
  const interPerResponse = (bytes * interRegionPerGbUsd) / 1e9;
  const costCol = timeline.columns.indexOf('costUsd');
  timeline.rows.forEach((row, i) => {
    const t = row[0]!;
    let total = 0;
    for (const s of sites) {
      const c =
        ((s.sc.cost.gpuHourlyUsd ?? 0) * s.gpuCostS[i]!) / 3600 +
        (s.sc.cost.cacheHourlyUsd * t) / 3600 +
        egressPerRequest * s.completedSoFar[i]! +
        interPerResponse * s.foreignSoFar[i]!;
      s.timeline!.rows[i]![costCol] = c;
      total += c;
    }
    row[costCol] = total;
  });

  const blocks = sites.map((s, i) => s.summary(windowS, rec.arrived, siteCost[i]!));
  let shardImbalance: number | null = null;
  if (shardRouter !== null) {
    const arrived = sites.map((s) => s.rec.arrived);
    const mean = sum(arrived) / arrived.length;
    shardImbalance = mean > 0 ? tidy(Math.max(...arrived) / mean) : 0;
  }
  const caches = sites.map((s) => s.cache).filter((c): c is CacheLayer => c !== null);
  const summary = buildSummary(sc, run.opts.variant ?? null, run.partial, rec, {
    inFlightAtEnd,
    windowS,
    utilization,
    effectiveUtilization: readyS > 0 ? Math.min(utilization, effectiveWorkS / readyS) : 0,
    replicasMean: windowS > 0 ? readyS / windowS : readySum.level,
    replicasMin: readySum.min,
    replicasMax: readySum.max,
    coldStarts: sum(sites.map((s) => s.lifecycle.coldStartsCounted)),
    cache: sc.cache !== null && caches.length > 0 ? cacheBlock(caches, peakMissRate) : null,
    featureStore: null,
    cost,
    regions: regions !== null ? blocks : null,
    failover:
      regions !== null
        ? { outages: failoverReport(regions.outages, sites.map((s) => s.name), intervals, rec.rejected + rec.timedOut) }
        : null,
    shards: shardRouter !== null ? blocks : null,
    shardImbalance,
    events: run.events,
    wallSeconds: run.wallSeconds,
    simulatedSeconds: stopS,
  });
  return {
    summary,
    timeline,
    siteTimelines: sites.map((s) => ({ name: s.name, timeline: s.timeline! })),
    scenario: sc,
    partial: run.partial,
  };
}

/** Every counted request is completed, rejected, timed out or still in flight: anything else is a bug here. */
function checkBooks(rec: Recorder, inFlightAtEnd: number, who: string): void {
  const books = rec.completed + rec.rejected + rec.timedOut + inFlightAtEnd;
  if (books !== rec.arrived) throw new Error(`internal: books do not balance for ${who}: arrived ${rec.arrived} ≠ accounted ${books}`);
}

/** The percentile and target a report interval must meet to count as recovered: p99, else the highest percentile the SLO gives; null without latency targets. */
function recoveryTarget(sc: Scenario): { q: number; targetS: number } | null {
  const t = sc.slo.latencyS;
  if (t.p99 !== undefined) return { q: 0.99, targetS: t.p99 };
  for (const [name, q] of [...PERCENTILES].reverse()) {
    const target = t[name];
    if (target !== undefined) return { q, targetS: target };
  }
  return null;
}

/** Runs one scenario to its duration and returns its summary and timeline. */
export function simulate(sc: Scenario, opts: SimulateOptions = {}): RunResult {
  const run = startRun(sc, opts);
  const slices = 100;
  for (let k = 1; k <= slices; k++) {
    run.runTo((run.endS * k) / slices);
    opts.onProgress?.(k / slices);
    if (k < slices && opts.shouldStop?.()) return run.finish(true);
  }
  return run.finish(false);
}

/** The cache block over one or more caches (one per site): counters summed, flushes counted per cache. */
function cacheBlock(caches: CacheLayer[], peakMissRate: number): NonNullable<Summary['cache']> {
  let st = caches[0]!.stats;
  if (caches.length > 1) {
    st = new CacheCounters();
    for (const c of caches) {
      const x = c.stats;
      st.lookups += x.lookups;
      st.hits += x.hits;
      st.staleHits += x.staleHits;
      st.delayedHits += x.delayedHits;
      st.misses += x.misses;
      st.backgroundRefreshes += x.backgroundRefreshes;
    }
  }
  return {
    hitRate: st.lookups > 0 ? tidy(st.hitRate) : 0,
    lookups: st.lookups,
    hits: st.hits,
    staleHits: st.staleHits,
    delayedHits: st.delayedHits,
    misses: st.misses,
    backgroundRefreshes: st.backgroundRefreshes,
    gpuRequestsSaved: st.gpuRequestsSaved,
    peakMissRatePerS: tidy(peakMissRate),
    flushes: caches.reduce((a, c) => a + c.flushes, 0),
  };
}

function featureStoreBlock(fs: FeatureStore, nowS: number): NonNullable<Summary['featureStore']> {
  return {
    servers: fs.servers,
    utilization: tidy(Math.min(1, fs.utilization(nowS))),
    meanQueueLength: tidy(fs.meanQueueLength(nowS)),
    meanWaitMs: fs.waits.count > 0 ? tidy(fs.waits.mean() * 1e3) : 0,
    p99WaitMs: fs.waits.count > 0 ? tidy(fs.waits.quantile(0.99) * 1e3) : 0,
    rejected: fs.rejected,
  };
}

function tidyCompanions(c: Companions): Companions {
  return {
    ...c,
    peakRps: c.peakRps === null ? null : tidy(c.peakRps),
    cacheHitRate: c.cacheHitRate === null ? null : tidy(c.cacheHitRate),
    maxRpsPerReplica: tidy(c.maxRpsPerReplica),
    erlangC: c.erlangC && { replicas: c.erlangC.replicas, utilization: tidy(c.erlangC.utilization), probWait: tidy(c.erlangC.probWait), p99Ms: tidy(c.erlangC.p99Ms) },
  };
}

function buildSummary(
  sc: Scenario,
  variant: string | null,
  partial: boolean,
  rec: Recorder,
  x: {
    inFlightAtEnd: number;
    windowS: number;
    utilization: number;
    effectiveUtilization: number;
    replicasMean: number;
    replicasMin: number;
    replicasMax: number;
    coldStarts: number;
    cache: Summary['cache'];
    featureStore: Summary['featureStore'];
    cost: CostBreakdown & { interRegionUsd?: number };
    regions: Summary['regions'];
    failover: Summary['failover'];
    shards: Summary['shards'];
    shardImbalance: number | null;
    events: number;
    wallSeconds: number;
    simulatedSeconds: number;
  },
): Summary {
  const h = rec.latency;
  const ms = (p: number): number => (h.count > 0 ? tidy(h.quantile(p) * 1e3) : 0);
  const latencyMs = {
    mean: h.count > 0 ? tidy(h.mean() * 1e3) : 0,
    p50: ms(0.5),
    p90: ms(0.9),
    p95: ms(0.95),
    p99: ms(0.99),
    p999: ms(0.999),
    max: h.count > 0 ? tidy(h.max * 1e3) : 0,
  };
  return {
    scenario: sc.name,
    variant,
    seed: sc.seed,
    simulatedSeconds: tidy(x.simulatedSeconds),
    partial,
    requests: {
      arrived: rec.arrived,
      completed: rec.completed,
      cacheHits: x.cache ? x.cache.hits + x.cache.staleHits : 0,
      rejected: rec.rejected,
      timedOut: rec.timedOut,
      inFlightAtEnd: x.inFlightAtEnd,
    },
    throughputRps: x.windowS > 0 ? tidy(rec.completed / x.windowS) : 0,
    latencyMs,
    slo: judgeSlo(sc.slo, rec),
    gpu: {
      utilization: tidy(x.utilization),
      meanBatchSize: rec.batches > 0 ? tidy(rec.batchedRequests / rec.batches) : 0,
      effectiveUtilization: tidy(x.effectiveUtilization),
    },
    replicas: { min: x.replicasMin, mean: tidy(x.replicasMean), max: x.replicasMax, coldStarts: x.coldStarts },
    cache: x.cache,
    featureStore: x.featureStore,
    regions: x.regions,
    failover: x.failover,
    shards: x.shards,
    shardImbalance: x.shardImbalance,
    cost: {
      totalUsd: tidy(x.cost.totalUsd),
      gpuUsd: tidy(x.cost.gpuUsd),
      cacheUsd: tidy(x.cost.cacheUsd),
      egressUsd: tidy(x.cost.egressUsd),
      perMillionRequestsUsd: tidy(x.cost.perMillionRequestsUsd),
      monthlyUsd: tidy(x.cost.monthlyUsd),
      idleGpuUsd: tidy(x.cost.idleGpuUsd),
      ...(x.cost.interRegionUsd !== undefined ? { interRegionUsd: tidy(x.cost.interRegionUsd) } : {}),
    },
    analytic: tidyCompanions(companions(sc)),
    engine: { events: x.events, wallSeconds: x.wallSeconds },
    warnings: [...sc.warnings],
  };
}
