/**
 * simulate(): builds the model a Scenario describes on one Simulation and runs it.
 *
 *   arrivals ──► (request pool) ──► ServingFleet (router ─► queues ─► batcher ─► GPU)
 *        │                                   │
 *        └──────────────► Recorder ◄─────────┘ ──► report interval ──► Timeline
 *                                                  end ──► Summary (+ cost)
 */
import { Simulation } from './engine/simulation.js';
import { Recorder, LevelIntegral } from './metrics/recorder.js';
import { Timeline } from './metrics/timeline.js';
import { costBreakdown } from './metrics/cost.js';
import { PERCENTILES, tidy, type Summary } from './metrics/summary.js';
import { companions, type Companions } from './analysis/companions.js';
import type { Scenario, SloPercentile } from './scenario/types.js';
import { LatencyModel } from './serving/latency.js';
import { ServingFleet, type FleetObserver, type Outcomes } from './serving/fleet.js';
import { Lifecycle } from './serving/lifecycle.js';
import { initialReplicas, startAutoscaler } from './scaling/autoscaler.js';
import { RequestPool } from './serving/requests.js';
import { createArrivals } from './workload/arrivals.js';
import { createKeySampler } from './workload/keys.js';
import { CacheLayer } from './cache/layer.js';
import { FeatureStore } from './cache/feature-store.js';
import { TraceReader, type LineSource } from './workload/trace.js';

export interface SimulateOptions {
  /** Lines of the trace file (the CLI opens it); required when traffic.trace is set. */
  traceLines?: LineSource;
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
  timeline: Timeline;
  scenario: Scenario;
  /** True when the run was stopped before the scenario's duration. */
  partial: boolean;
}

/** A run in progress: advance it in steps (for progress and interruption), then finish it. */
export interface RunHandle {
  readonly endS: number;
  readonly nowS: number;
  /** Executes events up to `untilS` (capped at the scenario's duration). */
  runTo(untilS: number): void;
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
  const sloTargetS = attainmentTargetS(sc);
  const rec = new Recorder(warmupS, sloTargetS);
  const pool = new RequestPool(4096);
  const latency = new LatencyModel(sc.model.latency, sc.fleet.batching.maxBatch, sc.model.variability);
  const busyReplicas = new LevelIntegral(warmupS);
  const readyReplicas = new LevelIntegral(warmupS);
  const billedGpus = new LevelIntegral(warmupS);
  // the books: every request ends here exactly once
  let latencyTap: ((latencyS: number) => void) | null = null;
  const books: Outcomes = {
    completed(id, nowS) {
      const latencyS = nowS - pool.arrivedAtS[id]!;
      rec.complete(latencyS, pool.counted[id] === 1);
      if (latencyTap !== null) latencyTap(latencyS);
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
  // a cache (and/or feature store) sits between the arrivals and the fleet; it hands misses on
  let reachedFleet = 0;
  let forwardTo: ServingFleet | null = null;
  const forward = (id: number): void => {
    reachedFleet++;
    forwardTo!.arrive(id);
  };
  const fs = sc.featureStore ? new FeatureStore(sim, sc.featureStore, sim.rng.stream('feature-store'), warmupS) : null;
  const cache =
    sc.cache !== null || fs !== null
      ? new CacheLayer(
          sim,
          sc.cache ?? { mode: 'hit-rate', hitRate: 0, lookupLatencyS: 0 },
          pool,
          { hit: sim.rng.stream('cache-hit'), ttl: sim.rng.stream('cache-ttl'), xfetch: sim.rng.stream('cache-xfetch') },
          forward,
          books,
          fs,
          sc.traffic.keys.kind === 'zipf' ? sc.traffic.keys.count : 0,
        )
      : null;
  const keyed = sc.cache !== null && sc.cache.mode === 'keyed';
  const keys = keyed && sc.traffic.keys.kind !== 'trace' ? createKeySampler(sc.traffic.keys, sim.rng.stream('keys')) : null;
  const fleet = new ServingFleet(
    sim,
    sc.fleet,
    latency,
    pool,
    rec,
    cache ? cache.outcomes : books,
    { busyReplicas, readyReplicas },
    sim.rng.stream('service'),
    sim.rng.stream('routing'),
    initialReplicas(sc) + sc.fleet.warmPool,
  );
  forwardTo = fleet;
  if (opts.observer) fleet.observer = opts.observer;
  const lifecycle = new Lifecycle(sim, sc.fleet, fleet, billedGpus, sim.rng.stream('lifecycle'), initialReplicas(sc), warmupS);
  const scaling = startAutoscaler(sim, sc, fleet, lifecycle, () => reachedFleet);
  if (scaling.wantsLatency && scaling.pipeline) {
    const pipeline = scaling.pipeline;
    latencyTap = (l) => pipeline.recordLatency(l);
  }
  const onEvent = sim.register((i) => {
    const e = sc.events[i]!;
    if (e.kind === 'replica-crash') lifecycle.crash(e.count);
    else cache?.flush(sim.now);
  });
  sc.events.forEach((e, i) => sim.at(e.atS, onEvent, i));

  let reader: TraceReader | null = null;
  if (sc.traffic.trace) {
    if (!opts.traceLines) throw new Error('simulate: traffic.trace needs opts.traceLines');
    reader = new TraceReader(opts.traceLines, sc.traffic.trace, opts.traceLabel ?? sc.traffic.trace.file);
  }
  const arrivals = createArrivals(sc.traffic, sim.rng.stream('arrivals'), sim.rng.stream('arrival-states'), reader);

  const onArrival = sim.register(() => {
    const now = sim.now;
    const id = pool.alloc();
    pool.arrivedAtS[id] = now;
    pool.key[id] = keys !== null ? keys.next() : arrivals.lastKey();
    const counted = now >= warmupS;
    pool.counted[id] = counted ? 1 : 0;
    rec.arrival(counted);
    if (cache !== null) cache.arrive(id);
    else forward(id);
    const next = arrivals.nextTimeS();
    if (next < endS) sim.atSource(next, onArrival);
  });
  const first = arrivals.nextTimeS();
  if (first < endS) sim.atSource(first, onArrival);

  // timeline: one row per report interval, the last one possibly shorter
  const timeline = new Timeline();
  const gpuCostS: number[] = [];
  const completedSoFar: number[] = [];
  let completedAll = 0;
  let lastIntervalS = 0;
  let peakMissRate = 0;
  const closeInterval = (): void => {
    const now = sim.now;
    const dt = now - lastIntervalS;
    lastIntervalS = now;
    const cacheRow: Partial<Record<'cacheHitRate' | 'cacheMissRate' | 'featureStoreUtilization', number>> = {};
    if (cache !== null && sc.cache !== null) {
      const iv = cache.interval;
      cacheRow.cacheHitRate = iv.hitRate;
      cacheRow.cacheMissRate = dt > 0 ? iv.misses / dt : NaN;
      if (now > warmupS && dt > 0 && iv.misses / dt > peakMissRate) peakMissRate = iv.misses / dt;
    }
    if (fs !== null) {
      const busyServerS = fs.busyServers.takeInterval(now);
      cacheRow.featureStoreUtilization = dt > 0 ? busyServerS / (fs.servers * dt) : NaN;
      fs.resetInterval();
    }
    cache?.resetInterval();
    const ready = readyReplicas.takeInterval(now);
    const busy = busyReplicas.takeInterval(now);
    billedGpus.advance(now);
    completedAll += rec.iCompleted;
    timeline.add({
      timeS: now,
      arrivals: rec.iArrivals,
      completed: rec.iCompleted,
      rejected: rec.iRejected,
      timedOut: rec.iTimedOut,
      p50Ms: rec.iLatency.count > 0 ? rec.iLatency.quantile(0.5) * 1e3 : NaN,
      p99Ms: rec.iLatency.count > 0 ? rec.iLatency.quantile(0.99) * 1e3 : NaN,
      meanBatchSize: rec.iBatches > 0 ? rec.iBatchedRequests / rec.iBatches : NaN,
      replicasReady: readyReplicas.level,
      replicasStarting: lifecycle.counts().starting,
      replicasDesired: lifecycle.desired,
      queueDepth: fleet.queueDepth(),
      gpuUtilization: ready > 0 ? busy / ready : NaN,
      ...cacheRow,
    });
    gpuCostS.push(billedGpus.all);
    completedSoFar.push(completedAll);
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
    busyReplicas.advance(stopS);
    readyReplicas.advance(stopS);
    billedGpus.advance(stopS);

    const windowS = Math.max(0, stopS - warmupS);
    const inFlightAtEnd = fleet.inFlightCounted() + (cache?.inFlightCounted() ?? 0);
    const books = rec.completed + rec.rejected + rec.timedOut + inFlightAtEnd;
    if (books !== rec.arrived) {
      throw new Error(`internal: books do not balance: arrived ${rec.arrived} ≠ accounted ${books}`);
    }
    const utilization = readyReplicas.total > 0 ? busyReplicas.total / readyReplicas.total : 0;
    const cost = costBreakdown({
      billedGpuSeconds: billedGpus.total,
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
        ((sc.cost.gpuHourlyUsd ?? 0) * gpuCostS[i]!) / 3600 +
        (sc.cost.cacheHourlyUsd * t) / 3600 +
        egressPerRequest * completedSoFar[i]!;
    });

    const summary = buildSummary(sc, opts.variant ?? null, partial, rec, {
      inFlightAtEnd,
      windowS,
      utilization,
      effectiveUtilization: readyReplicas.total > 0 ? rec.effectiveWorkS / readyReplicas.total : 0,
      replicasMean: windowS > 0 ? readyReplicas.total / windowS : readyReplicas.level,
    replicasMin: readyReplicas.min,
    replicasMax: readyReplicas.max,
    coldStarts: lifecycle.coldStartsCounted,
    cache: cache !== null && sc.cache !== null ? cacheBlock(cache, peakMissRate) : null,
    featureStore: fs !== null ? featureStoreBlock(fs, stopS) : null,
      cost,
      events: sim.events,
      wallSeconds: wall() - wallStart,
      simulatedSeconds: stopS,
    });
    return { summary, timeline, scenario: sc, partial };
  };
  return {
    endS,
    runTo(untilS: number): void {
      // callers slice the run as endS·k/n, which can round just below endS: the last slice must still reach the end
      sim.run(untilS >= endS * (1 - 1e-12) ? endS : untilS);
    },
    get nowS(): number {
      return sim.now;
    },
    finish,
  };
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

function cacheBlock(cache: CacheLayer, peakMissRate: number): NonNullable<Summary['cache']> {
  const st = cache.stats;
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
    flushes: cache.flushes,
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
    maxRpsPerReplica: tidy(c.maxRpsPerReplica),
    erlangC: c.erlangC && { replicas: c.erlangC.replicas, utilization: tidy(c.erlangC.utilization), probWait: tidy(c.erlangC.probWait), p99Ms: tidy(c.erlangC.p99Ms) },
  };
}

/** The latency a request must meet to count toward attainment. */
function attainmentTargetS(sc: Scenario): number {
  const t = sc.slo.latencyS;
  return t.p99 ?? t.p999 ?? t.p95 ?? t.p90 ?? t.p50 ?? Infinity;
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
    cost: ReturnType<typeof costBreakdown>;
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
  const finished = rec.completed + rec.rejected + rec.timedOut;
  const errorRate = finished > 0 ? (rec.rejected + rec.timedOut) / finished : 0;
  const target: Record<string, number> = {};
  let met = true;
  for (const [name] of PERCENTILES) {
    const t = sc.slo.latencyS[name as SloPercentile];
    if (t === undefined) continue;
    target[`${name}Ms`] = tidy(t * 1e3);
    if (h.count === 0 || latencyMs[name] > t * 1e3) met = false;
  }
  if (sc.slo.maxErrorRate !== null) {
    target.maxErrorRate = sc.slo.maxErrorRate;
    if (errorRate > sc.slo.maxErrorRate) met = false;
  }
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
    slo: { met, attainment: finished > 0 ? tidy(rec.withinSlo / finished) : 0, errorRate: tidy(errorRate), target },
    gpu: {
      utilization: tidy(x.utilization),
      meanBatchSize: rec.batches > 0 ? tidy(rec.batchedRequests / rec.batches) : 0,
      effectiveUtilization: tidy(x.effectiveUtilization),
    },
    replicas: { min: x.replicasMin, mean: tidy(x.replicasMean), max: x.replicasMax, coldStarts: x.coldStarts },
    cache: x.cache,
    featureStore: x.featureStore,
    cost: {
      totalUsd: tidy(x.cost.totalUsd),
      gpuUsd: tidy(x.cost.gpuUsd),
      cacheUsd: tidy(x.cost.cacheUsd),
      egressUsd: tidy(x.cost.egressUsd),
      perMillionRequestsUsd: tidy(x.cost.perMillionRequestsUsd),
      monthlyUsd: tidy(x.cost.monthlyUsd),
      idleGpuUsd: tidy(x.cost.idleGpuUsd),
    },
    analytic: tidyCompanions(companions(sc)),
    engine: { events: x.events, wallSeconds: x.wallSeconds },
    warnings: [...sc.warnings],
  };
}
