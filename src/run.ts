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
import { addParts, emptyParts, finaliseCost, resetParts, Timeline, type CostSoFar } from './metrics/timeline.js';
import { cdfPoints, type LatencyCdf } from './metrics/histogram.js';
import { summarize, type Summary } from './metrics/summary.js';
import { PERCENTILES } from './metrics/round.js';
import { attainmentTargetS } from './metrics/slo.js';
import { companions, modelCompanions } from './theory/companions.js';
import type { Scenario, ShardsTopology, SitePlan } from './config/scenario.js';
import type { FleetObserver } from './serving/fleet.js';
import { RequestPool } from './serving/requests.js';
import { createArrivals } from './workload/arrivals.js';
import { createKeySampler, withLookahead, type KeySampler } from './workload/keys.js';
import { scanTrace, TraceReader, type LineSource } from './workload/trace.js';
import { TraceReplay, traceShortWarning } from './workload/trace-replay.js';
import type { ArrivalSource, TraceSource } from './workload/arrivals.js';
import { Site, type Network } from './site/site.js';
import { failoverReport, RegionRouter, type IntervalHealth } from './topology/regions.js';
import { ShardRouter } from './topology/shards.js';
import { runInSlices } from './run-slices.js';
import { SharedGpus } from './serving/shared-gpus.js';
import { GpuNodes } from './serving/gpu-nodes.js';
import { GpuPool } from './site/gpu-pool.js';

export interface SimulateOptions {
  /** Lines of the trace file (the CLI opens it): traffic.trace as recorded needs this or openTrace. */
  traceLines?: LineSource;
  /**
   * Opens the trace file anew for each reading (the CLI provides it): needed for a rateMultiplier or
   * loop (each copy and repetition reads the file again, streamed), and enough for any trace.
   */
  openTrace?: () => LineSource;
  /** Opens a trace file by its resolved path (the CLI provides it): the models of a several-model scenario each replay their own. */
  openTraceFile?: (file: string) => LineSource;
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

/** Builds the model of `sc` at time 0, ready to run (the order of the steps is the order events were always scheduled in). */
export function startRun(sc: Scenario, opts: SimulateOptions = {}): RunHandle {
  const wall = opts.wallClockS ?? ((): number => 0);
  const wallStart = wall();
  const sim = new Simulation(sc.seed);
  const endS = sc.durationS;
  const pool = new RequestPool(4096);
  const readySum = new LevelIntegral(sc.warmupS);
  const sites: Site[] = [];
  /** The run's counted rejected + timed-out requests so far: the sum over the sites' recorders. */
  const errorsSoFar = (): number => sites.reduce((a, s) => a + s.rec.rejected + s.rec.timedOut, 0);
  const regions = regionRouter(sc, sim, pool, errorsSoFar);
  const gpuPool = sharedPool(sc, sim);
  sites.push(...buildSites(sc, sim, pool, readySum, regions, gpuPool));
  if (opts.observer) for (const s of sites) s.observe(opts.observer);
  if (sc.topology?.kind === 'models' && sc.topology.sharing.mode === 'shared' && sc.topology.sharing.scaling === 'unit') scaleAsUnit(sites);
  const onlySite = sc.topology === undefined || sc.topology === null ? sites[0]! : null;
  const models = sc.topology?.kind === 'models';
  const keys = models ? null : keySampler(sc, sim, onlySite);
  scheduleEvents(sc, sim, sites, regions);
  regions?.start(sites);
  const traces: { warning: () => string | null }[] = [];
  if (!models) {
    const trace = traceSource(sc, sim, opts);
    traces.push(trace);
    const arrivals = createArrivals(sc.traffic, sim.rng.stream('arrivals'), sim.rng.stream('arrival-states'), trace.reader, endS);
    const dispatch = dispatcher(sc, sim, pool, sites, onlySite, regions);
    const onArrival = sim.register(() => {
      const now = sim.now;
      const id = pool.alloc();
      pool.arrivedAtS[id] = now;
      pool.key[id] = keys !== null ? keys.next() : arrivals.lastKey();
      pool.counted[id] = now >= sc.warmupS ? 1 : 0;
      dispatch(id);
      const next = arrivals.nextTimeS();
      if (next < endS) sim.atSource(next, onArrival);
    });
    const first = arrivals.nextTimeS();
    if (first < endS) sim.atSource(first, onArrival);
  } else {
    // each model has its own traffic (arrivals, keys, trace) straight to its site; the engine's one
    // source lane carries the earliest next arrival of all models (ties: the model listed first)
    const n = sites.length;
    const arrivals = sites.map((site) => {
      const file = site.sc.traffic.trace?.file;
      if (file !== undefined && opts.openTraceFile === undefined) throw new Error(`simulate: model ${site.name}'s traffic.trace needs opts.openTraceFile (each model replays its own file)`);
      const topts: SimulateOptions = file !== undefined && opts.openTraceFile !== undefined ? { openTrace: () => opts.openTraceFile!(file), traceLabel: file } : {};
      const trace = traceSource(site.sc, sim, topts);
      traces.push(trace);
      return createArrivals(site.sc.traffic, sim.rng.stream(`arrivals:${site.name}`), sim.rng.stream(`arrival-states:${site.name}`), trace.reader, endS);
    });
    const feeds = sites.map((site, i) => new ModelFeed(site, arrivals[i]!, keySampler(site.sc, sim, site, `:${site.name}`)));
    // each model's next arrival time, raw: one at or past the end never wins against one before it
    // perf: at least 16 entries, so the array lives outside the JS heap and never moves: V8 then
    // compiles the scan below against its fixed address instead of reloading it every step
    const nextAtS = new Float64Array(Math.max(n, 16));
    const warmupS = sc.warmupS;
    let due = 0;
    const onArrival = sim.register(() => {
      const now = sim.now;
      const i = due;
      const feed = feeds[i]!;
      const id = pool.alloc();
      pool.arrivedAtS[id] = now;
      const k = feed.keys;
      pool.key[id] = k !== null ? k.next() : feed.arrivals.lastKey();
      pool.counted[id] = now >= warmupS ? 1 : 0;
      feed.site.arrive(id);
      nextAtS[i] = feed.arrivals.nextTimeS();
      // the earliest next arrival of all models (ties: the model listed first)
      let j = 0;
      let at = nextAtS[0]!;
      for (let m = 1; m < n; m++) {
        const t = nextAtS[m]!;
        if (t < at) {
          at = t;
          j = m;
        }
      }
      due = j;
      if (at < endS) sim.atSource(at, onArrival);
    });
    for (let i = 0; i < n; i++) {
      nextAtS[i] = arrivals[i]!.nextTimeS();
      if (nextAtS[i]! < nextAtS[due]!) due = i;
    }
    if (nextAtS[due]! < endS) sim.atSource(nextAtS[due]!, onArrival);
  }

  // one row per report interval, the last one possibly shorter
  const intervals = new RunIntervals(sc, sites, regions !== null, errorsSoFar, gpuPool);
  let lastIntervalS = 0;
  const closeInterval = (): void => {
    const now = sim.now;
    intervals.close(now, now - lastIntervalS);
    lastIntervalS = now;
    // a step that lands within rounding error of the end is the end: no sliver row after it
    const step = now + sc.report.intervalS;
    const next = endS - step < 1e-9 * sc.report.intervalS ? endS : step;
    if (now < endS) sim.at(next, onInterval, 0);
  };
  const onInterval = sim.register(closeInterval);
  sim.at(Math.min(sc.report.intervalS, endS), onInterval, 0);

  const finish = (partial: boolean): RunResult => {
    // stopped between report intervals: close the last, shorter one, so the timeline covers what the summary counts
    if (partial && sim.now > (intervals.timeline.rows[intervals.timeline.rows.length - 1]?.[0] ?? 0)) closeInterval();
    const w = traces.map((t) => t.warning()).find((x) => x !== null) ?? null;
    return finishRun({ sc, opts, sites, onlySite, regions, gpuPool, intervals, readySum, errorsSoFar, stopS: sim.now, partial, events: sim.events, wallSeconds: wall() - wallStart, traceWarning: w });
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

/** Closes the books at `stopS`: each site's totals, the summary over them, the cost column of every timeline. */
function finishRun(r: {
  sc: Scenario;
  opts: SimulateOptions;
  sites: Site[];
  onlySite: Site | null;
  regions: RegionRouter | null;
  gpuPool: GpuPool | null;
  intervals: RunIntervals;
  readySum: LevelIntegral;
  errorsSoFar: () => number;
  stopS: number;
  partial: boolean;
  events: number;
  wallSeconds: number;
  traceWarning: string | null;
}): RunResult {
  const { sc, sites, regions, stopS, readySum } = r;
  const totals = sites.map((s) => s.end(stopS));
  const multi = modelCompanions(sc);
  readySum.advance(stopS);
  const { summary, rec, bill } = summarize({
    sc,
    variant: r.opts.variant ?? null,
    partial: r.partial,
    stopS,
    windowS: Math.max(0, stopS - sc.warmupS),
    sites: totals,
    replicas: { level: readySum.level, min: readySum.min, max: readySum.max },
    peakMissRatePerS: r.intervals.peakMissRate,
    siteBlocks: sc.topology?.kind ?? null,
    pool: r.gpuPool?.totals(stopS, sites.map((s) => s.name)) ?? null,
    failover: regions !== null ? { outages: failoverReport(regions.outages, sites.map((s) => s.name), r.intervals.health, r.errorsSoFar()) } : null,
    analytic: multi?.run ?? companions(sc),
    modelAnalytic: multi?.models ?? null,
    events: r.events,
    wallSeconds: r.wallSeconds,
  });
  const timeline = r.intervals.timeline;
  // a pool's GPU time no model is charged for (idle slices, idle shared GPUs) is one more line of the cost column
  const idle = r.gpuPool !== null ? [{ timeline: new Timeline(), soFar: r.intervals.idleSoFar, prices: { gpuHourlyUsd: sc.cost.gpuHourlyUsd, cacheHourlyUsd: 0 } }] : [];
  if (idle.length > 0) for (const _ of timeline.rows) idle[0]!.timeline.add({});
  finaliseCost(
    timeline,
    [...sites.map((s, i) => ({ timeline: s.timeline, soFar: s.costSoFar, prices: totals[i]!.prices })), ...idle],
    bill.egressPerResponseUsd,
    bill.interRegionPerResponseUsd,
  );
  if (r.traceWarning !== null && !summary.warnings.includes(r.traceWarning)) summary.warnings.push(r.traceWarning);
  const plain = r.onlySite !== null;
  const siteResults = sites.map((s) => ({ name: s.name, plan: s.plan, timeline: plain ? timeline : s.timeline }));
  return {
    summary,
    timeline,
    sites: siteResults,
    siteTimelines: plain ? [] : siteResults.map(({ name, timeline }) => ({ name, timeline })),
    scenario: sc,
    partial: r.partial,
    latencyCdf: cdfPoints(rec.latency),
  };
}

/** The region router of a regions topology (population, DNS view, health checks, outages), else null. */
function regionRouter(sc: Scenario, sim: Simulation, pool: RequestPool, errorsSoFar: () => number): RegionRouter | null {
  const topo = sc.topology;
  if (topo?.kind !== 'regions') return null;
  const keySpace = sc.traffic.keys.kind === 'zipf' ? sc.traffic.keys.count : 0;
  return new RegionRouter(sim, topo, pool, sim.rng.stream('population'), sim.rng.stream('region-routing'), keySpace, errorsSoFar);
}

/**
 * One Triton Deployment holding every model (sharing.scaling unit): its replicas are GPUs with all
 * the models, so every model runs as many as the most any model's autoscaler asks for, the way an
 * HPA with one metric per model takes the largest recommendation. A model without an autoscaler
 * asks for its start count (sharing.gpus) throughout. The GPU nodes keep each new replica of every
 * model together (serving/gpu-nodes.ts: a pod goes to the first GPU lacking its model).
 */
function scaleAsUnit(sites: readonly Site[]): void {
  const wants = sites.map((s) => s.lifecycle.desired);
  sites.forEach((site, i) => {
    site.lifecycle.group = (_from, n): void => {
      wants[i] = Math.max(0, Math.floor(n));
      const d = Math.max(...wants);
      for (const s of sites) if (s.lifecycle.desired !== d) s.lifecycle.applyDesired(d);
    };
  });
}

/** The GPUs several models share (sharing.mode shared or mig), else null. */
function sharedPool(sc: Scenario, sim: Simulation): GpuPool | null {
  const topo = sc.topology;
  if (topo?.kind !== 'models' || topo.sharing.mode === 'dedicated') return null;
  const sh = topo.sharing;
  const n = topo.models.length;
  // one node is one GPU; an empty node goes after cluster-autoscaler's scale-down-unneeded-time (10 min)
  const idleS = 600;
  if (sh.mode === 'mig') {
    const kinds = [...new Set(sh.layout)];
    const shares = kinds.map((k) => sh.shares[sh.layout.indexOf(k)]!);
    return new GpuPool(new GpuNodes(sim, sh.layout, kinds, shares, n, sh.minGpus, idleS, sc.warmupS), null, sh.gpu, sh.layout);
  }
  // time-sliced GPUs: one slot per model on each GPU, billed by use (shared-gpus.ts)
  const names = topo.models.map((m) => m.name);
  const use = new SharedGpus(n, topo.models.reduce((a, m) => a + m.fleet.instances, 0), sh.overlap, sc.warmupS);
  const addGpu = (node: number): void => {
    if (use.addGpu(sim.now) !== node) throw new Error('internal: shared GPU and node numbering diverged');
  };
  const nodes = new GpuNodes(sim, names, names, names.map(() => 0), n, sh.gpus, idleS, sc.warmupS, addGpu);
  return new GpuPool(nodes, use, sh.gpu, null);
}

/** The sites: the scenario's one fleet, or one per region, shard or model, each recording into its own recorder. */
function buildSites(sc: Scenario, sim: Simulation, pool: RequestPool, readySum: LevelIntegral, regions: RegionRouter | null, gpuPool: GpuPool | null): Site[] {
  const topo = sc.topology ?? null;
  const sloTargetS = attainmentTargetS(sc.slo);
  const site = (name: string, plan: SitePlan | null, held: boolean, network: Network | null): Site =>
    // a plain run's streams keep their plain names ("service" …); a topology's sites suffix theirs
    new Site(sim, { sc, name, plan, pool, streamSuffix: topo === null ? '' : `:${name}`, readySum, sloTargetS, held, network });
  if (topo === null) return [site(sc.name, null, false, null)];
  if (topo.kind === 'models') {
    return topo.models.map(
      (m, i) =>
        new Site(sim, {
          sc,
          name: m.name,
          plan: m,
          pool,
          streamSuffix: `:${m.name}`,
          readySum,
          sloTargetS: attainmentTargetS(m.slo ?? sc.slo),
          held: false,
          network: null,
          sharedGpus: gpuPool?.shared ?? null,
          nodes: gpuPool !== null ? { nodes: gpuPool.nodes, kind: gpuPool.shared !== null ? m.name : (m.fleet.mig ?? ''), model: i } : null,
        }),
    );
  }
  if (topo.kind === 'regions') {
    return topo.regions.map((r, i) => {
      const held = topo.mode === 'active-passive' && topo.standby === 'cold' && i !== topo.primary;
      return site(r.name, r, held, regions!.networkFor(i));
    });
  }
  return Array.from({ length: topo.count }, (_, i) => site(`shard-${i}`, null, false, null));
}

/** The request keys (a keyed cache, or shards by key hash), or null when the arrivals carry them (trace) or none are needed. */
function keySampler(sc: Scenario, sim: Simulation, onlySite: Site | null, suffix = ''): KeySampler | null {
  const keyed = sc.cache !== null && sc.cache.mode === 'keyed';
  const shardByKey = sc.topology?.kind === 'shards' && sc.topology.by === 'key-hash';
  if (!(keyed || shardByKey) || sc.traffic.keys.kind === 'trace') return null;
  const keys = createKeySampler(sc.traffic.keys, sim.rng.stream('keys' + suffix));
  if (onlySite === null || !onlySite.keyedCache) return keys;
  // perf: the next 16 keys' index cells and entries are read together (a 10^6-entry cache
  // lookup otherwise waits on two memory reads, one after the other)
  // (the sum is kept in a live variable only so that the reads cannot be dropped)
  let sink = 0;
  return withLookahead(keys, 16, (block, from, to) => {
    sink += onlySite.prefetch(block, from, to);
  });
}

/** Schedules the scenario's events: replica crashes and cache flushes hit every site, a region outage its region. */
function scheduleEvents(sc: Scenario, sim: Simulation, sites: Site[], regions: RegionRouter | null): void {
  const topo = sc.topology;
  const regionIndex = (name: string): number => (topo?.kind === 'regions' ? topo.regions.findIndex((r) => r.name === name) : -1);
  const onEvent = sim.register((i) => {
    const e = sc.events[i]!;
    if (e.kind === 'replica-crash') for (const s of sites) s.crash(e.count);
    else if (e.kind === 'cache-flush') for (const s of sites) s.flushCache(sim.now);
    else regions?.outage(regionIndex(e.region), e.forS);
  });
  sc.events.forEach((e, i) => sim.at(e.atS, onEvent, i));
}

/** The trace the arrivals replay (null without one), and the warning for a trace that ends before the run, once known. */
function traceSource(sc: Scenario, sim: Simulation, opts: SimulateOptions): { reader: TraceSource | null; warning: () => string | null } {
  const spec = sc.traffic.trace;
  if (!spec) return { reader: null, warning: () => null };
  const label = opts.traceLabel ?? spec.file;
  if (spec.rateMultiplier === 1 && !spec.loop) {
    const lines = opts.traceLines ?? opts.openTrace?.();
    if (!lines) throw new Error('simulate: traffic.trace needs opts.traceLines or opts.openTrace');
    const r = new TraceReader(lines, spec, label);
    let lastS = 0;
    let ended = false;
    const reader = {
      nextTimeS(): number {
        const t = r.nextTimeS();
        if (t === t) lastS = t;
        else ended = true;
        return t;
      },
      lastKey: (): number => r.lastKey(),
    };
    return { reader, warning: () => (ended ? traceShortWarning(spec, { count: r.arrivals, spanS: lastS }, sc.durationS) : null) };
  }
  if (!opts.openTrace) throw new Error('simulate: traffic.trace with a rateMultiplier or loop needs opts.openTrace (each copy and repetition reads the file anew)');
  const scan = scanTrace(opts.openTrace(), spec, label);
  const reader = new TraceReplay(opts.openTrace, spec, label, scan, spec.rateMultiplier % 1 !== 0 ? sim.rng.stream('trace-thinning') : null);
  const w = traceShortWarning(spec, scan, sc.durationS);
  return { reader, warning: () => w };
}

/** Where an arrival goes: the plain run's site, or the region / shard router. */
function dispatcher(sc: Scenario, sim: Simulation, pool: RequestPool, sites: Site[], onlySite: Site | null, regions: RegionRouter | null): (id: number) => void {
  if (onlySite !== null) return (id): void => onlySite.arrive(id);
  if (regions !== null) return (id): void => regions.dispatch(id);
  const topo = sc.topology as ShardsTopology;
  const tenants = topo.tenants !== null ? createKeySampler({ kind: 'zipf', ...topo.tenants }, sim.rng.stream('tenants')) : null;
  const router = new ShardRouter(topo, sites, pool, tenants);
  return (id): void => router.dispatch(id);
}

/**
 * The report intervals of a run: at each close, every site's parts (its own row), their sum (the
 * run's row), the run's peak cache miss rate and, with regions, each interval's health (failover).
 */
class RunIntervals {
  readonly timeline = new Timeline();
  readonly health: IntervalHealth[] = [];
  /** Per row, with a GPU pool: its GPU-seconds since t = 0 that no model was charged for (the cost column's idle line). */
  readonly idleSoFar: CostSoFar[] = [];
  peakMissRate = 0;
  private readonly parts = emptyParts();
  private readonly recovery: { q: number; targetS: number } | null;

  constructor(
    private readonly sc: Scenario,
    private readonly sites: readonly Site[],
    private readonly trackHealth: boolean,
    private readonly errorsSoFar: () => number,
    private readonly gpuPool: GpuPool | null,
  ) {
    this.recovery = recoveryTarget(sc);
  }

  /** Closes the interval ending at `nowS`, `dtS` long. */
  close(nowS: number, dtS: number): void {
    const parts = this.parts;
    resetParts(parts, nowS, dtS);
    for (const s of this.sites) addParts(parts, s.closeInterval(nowS, dtS));
    this.timeline.addParts(parts);
    if (this.gpuPool !== null) {
      const charged = this.sites.reduce((a, s) => a + s.costSoFar[s.costSoFar.length - 1]!.gpuS, 0);
      this.idleSoFar.push({ gpuS: Math.max(0, this.gpuPool.billedAllS(nowS) - charged), completed: 0, foreign: 0 });
    }
    const missRate = parts.cacheMisses / dtS;
    if (parts.cacheSites > 0 && nowS > this.sc.warmupS && dtS > 0 && missRate > this.peakMissRate) this.peakMissRate = missRate;
    if (this.trackHealth) {
      const errors = parts.rejected + parts.timedOut;
      const h = parts.latency;
      const recovery = this.recovery;
      const fast = h.count > 0 ? recovery === null || h.quantile(recovery.q) <= recovery.targetS : parts.arrivals === 0;
      this.health.push({ endS: nowS, ok: errors === 0 && fast, errorsSoFar: this.errorsSoFar() });
    }
    for (const s of this.sites) s.resetInterval();
  }
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
  for (const step of runInSlices(run, 100)) {
    opts.onProgress?.(step.done);
    if (step.done < 1 && opts.shouldStop?.()) return run.finish(true);
  }
  return run.finish(false);
}


/** One model's traffic in a `models` run: where its requests go, when they arrive, which keys they carry. */
class ModelFeed {
  constructor(
    readonly site: Site,
    readonly arrivals: ArrivalSource,
    readonly keys: KeySampler | null,
  ) {}
}
