/**
 * simulate(): builds the model a Scenario describes on one Simulation and runs it.
 * Every run is N ≥ 1 sites (site/site.ts: one fleet with its lifecycle, autoscaler, cache,
 * meters and its own Recorder); a plain scenario is one site, regions or shards are several,
 * reached through a router first:
 *
 *   arrivals ──► site ──► (cache) ─► ServingFleet (router ─► queues ─► batcher ─► GPU) ──► site's Recorder
 *            ──► RegionRouter (population, DNS view, health checks, outages) ──► site per region
 *            ──► ShardRouter (key hash or Zipf tenant) ──────────────────────► site per shard
 *
 *   report interval ──► each site's parts (its own timeline row) ──► summed: the run's row (metrics/timeline.ts)
 *   end ──► each site's totals ──► summarize (metrics/summary.ts: merged recorder, cost, blocks) ──► Summary
 *       ──► finaliseCost: the cost column of every timeline
 */
import { Simulation } from './engine/simulation.js';
import { LevelIntegral } from './metrics/recorder.js';
import { addParts, emptyParts, finaliseCost, resetParts, Timeline } from './metrics/timeline.js';
import { cdfPoints, type LatencyCdf } from './metrics/histogram.js';
import { PERCENTILES, summarize, type Summary } from './metrics/summary.js';
import { attainmentTargetS } from './metrics/slo.js';
import { companions } from './analysis/companions.js';
import type { Scenario, ShardsTopology, SitePlan } from './scenario/types.js';
import type { FleetObserver } from './serving/fleet.js';
import { RequestPool } from './serving/requests.js';
import { createArrivals } from './workload/arrivals.js';
import { createKeySampler, withLookahead } from './workload/keys.js';
import { scanTrace, TraceReader, type LineSource } from './workload/trace.js';
import { TraceReplay, traceShortWarning } from './workload/trace-replay.js';
import type { TraceSource } from './workload/arrivals.js';
import { Site, type Network } from './site/site.js';
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
  /**
   * Every site of the run, in the scenario's order: its name, its plan (a region's own fleet, model
   * and prices; null when it runs the scenario's: a plain run, a shard) and its timeline (a plain
   * run's one site: the run's timeline).
   */
  sites: SiteResult[];
  /** One timeline per region or shard, in the scenario's order (same columns); empty for a single fleet. */
  siteTimelines: { name: string; timeline: Timeline }[];
  scenario: Scenario;
  /** True when the run was stopped before the scenario's duration. */
  partial: boolean;
  /** The distribution of the counted requests' latency (after warmup), for the report's chart. */
  latencyCdf?: LatencyCdf;
}

/** One site of a run's result. */
export interface SiteResult {
  name: string;
  plan: SitePlan | null;
  timeline: Timeline;
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
  const pool = new RequestPool(4096);
  const topo = sc.topology ?? null;

  // the sites: the scenario's one fleet, or one per region or shard (each recording into its own recorder)
  const readySum = new LevelIntegral(warmupS);
  /** The run's counted rejected + timed-out requests so far: the sum over the sites' recorders. */
  const errorsSoFar = (): number => sites.reduce((a, s) => a + s.rec.rejected + s.rec.timedOut, 0);
  const regions =
    topo?.kind === 'regions'
      ? new RegionRouter(
          sim,
          topo,
          pool,
          sim.rng.stream('population'),
          sim.rng.stream('region-routing'),
          sc.traffic.keys.kind === 'zipf' ? sc.traffic.keys.count : 0,
          errorsSoFar,
        )
      : null;
  const site = (name: string, plan: SitePlan | null, held: boolean, network: Network | null): Site =>
    // a plain run's streams keep their plain names ("service" …); a topology's sites suffix theirs
    new Site(sim, { sc, name, plan, pool, streamSuffix: topo === null ? '' : `:${name}`, readySum, sloTargetS, held, network });
  const sites: Site[] = [];
  if (topo === null) sites.push(site(sc.name, null, false, null));
  else if (topo.kind === 'regions') {
    topo.regions.forEach((r, i) => {
      const held = topo.mode === 'active-passive' && topo.standby === 'cold' && i !== topo.primary;
      sites.push(site(r.name, r, held, regions!.networkFor(i)));
    });
  } else for (let i = 0; i < topo.count; i++) sites.push(site(`shard-${i}`, null, false, null));
  if (opts.observer) for (const s of sites) s.observe(opts.observer);
  const keyed = sc.cache !== null && sc.cache.mode === 'keyed';
  const shardByKey = topo?.kind === 'shards' && topo.by === 'key-hash';
  let keys = (keyed || shardByKey) && sc.traffic.keys.kind !== 'trace' ? createKeySampler(sc.traffic.keys, sim.rng.stream('keys')) : null;
  const onlySite = topo === null ? sites[0]! : null;
  if (keys !== null && onlySite !== null && onlySite.keyedCache) {
    // perf: the next 16 keys' index cells and entries are read together (a 10^6-entry cache
    // lookup otherwise waits on two memory reads, one after the other)
    // (the sum is kept in a live variable only so that the reads cannot be dropped)
    let sink = 0;
    keys = withLookahead(keys, 16, (block, from, to) => {
      sink += onlySite.prefetch(block, from, to);
    });
  }

  const regionIndex = (name: string): number => (topo?.kind === 'regions' ? topo.regions.findIndex((r) => r.name === name) : -1);
  const onEvent = sim.register((i) => {
    const e = sc.events[i]!;
    if (e.kind === 'replica-crash') for (const s of sites) s.crash(e.count);
    else if (e.kind === 'cache-flush') for (const s of sites) s.flushCache(sim.now);
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


  // where an arrival goes: the plain run's site, or the region / shard router
  let dispatch: (id: number) => void;
  if (onlySite !== null) dispatch = (id): void => onlySite.arrive(id);
  else if (regions !== null) dispatch = (id): void => regions.dispatch(id);
  else {
    const t = topo as ShardsTopology;
    const tenants = t.tenants !== null ? createKeySampler({ kind: 'zipf', ...t.tenants }, sim.rng.stream('tenants')) : null;
    const router = new ShardRouter(t, sites, pool, tenants);
    dispatch = (id): void => router.dispatch(id);
  }
  const onArrival = sim.register(() => {
    const now = sim.now;
    const id = pool.alloc();
    pool.arrivedAtS[id] = now;
    pool.key[id] = keys !== null ? keys.next() : arrivals.lastKey();
    pool.counted[id] = now >= warmupS ? 1 : 0;
    dispatch(id);
    const next = arrivals.nextTimeS();
    if (next < endS) sim.atSource(next, onArrival);
  });
  const first = arrivals.nextTimeS();
  if (first < endS) sim.atSource(first, onArrival);

  // timeline: one row per report interval, the last one possibly shorter; the run's row is its sites' parts summed
  const timeline = new Timeline();
  const parts = emptyParts();
  const recovery = recoveryTarget(sc);
  const intervals: IntervalHealth[] = [];
  let lastIntervalS = 0;
  let peakMissRate = 0;
  const closeInterval = (): void => {
    const now = sim.now;
    const dt = now - lastIntervalS;
    lastIntervalS = now;
    resetParts(parts, now, dt);
    for (const s of sites) addParts(parts, s.closeInterval(now, dt));
    timeline.addParts(parts);
    if (parts.cacheSites > 0 && now > warmupS && dt > 0 && parts.cacheMisses / dt > peakMissRate) peakMissRate = parts.cacheMisses / dt;
    if (regions !== null) {
      const errors = parts.rejected + parts.timedOut;
      const h = parts.latency;
      const fast = h.count > 0 ? recovery === null || h.quantile(recovery.q) <= recovery.targetS : parts.arrivals === 0;
      intervals.push({ endS: now, ok: errors === 0 && fast, errorsSoFar: errorsSoFar() });
    }
    for (const s of sites) s.resetInterval();
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
    const totals = sites.map((s) => s.end(stopS));
    readySum.advance(stopS);
    const { summary, rec, bill } = summarize({
      sc,
      variant: opts.variant ?? null,
      partial,
      stopS,
      windowS: Math.max(0, stopS - warmupS),
      sites: totals,
      replicas: { level: readySum.level, min: readySum.min, max: readySum.max },
      peakMissRatePerS: peakMissRate,
      siteBlocks: topo?.kind ?? null,
      failover: regions !== null ? { outages: failoverReport(regions.outages, sites.map((s) => s.name), intervals, errorsSoFar()) } : null,
      analytic: companions(sc),
      events: sim.events,
      wallSeconds: wall() - wallStart,
    });
    finaliseCost(
      timeline,
      sites.map((s, i) => ({ timeline: s.timeline, soFar: s.costSoFar, prices: totals[i]!.prices })),
      bill.egressPerResponseUsd,
      bill.interRegionPerResponseUsd,
    );
    const w = traceWarning();
    if (w !== null && !summary.warnings.includes(w)) summary.warnings.push(w);
    const siteResults = sites.map((s) => ({ name: s.name, plan: s.plan, timeline: onlySite !== null ? timeline : s.timeline }));
    return {
      summary,
      timeline,
      sites: siteResults,
      siteTimelines: onlySite !== null ? [] : siteResults.map(({ name, timeline }) => ({ name, timeline })),
      scenario: sc,
      partial,
      latencyCdf: cdfPoints(rec.latency),
    };
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

