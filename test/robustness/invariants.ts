/**
 * Invariants every run must satisfy, whatever the scenario: reusable by any test that
 * produces a RunResult (fuzzing, CLI tests, sweeps). Each check returns the list of
 * violations as readable strings (empty when all hold); `assertRunInvariants` throws
 * with all of them at once, so a failing fuzz case shows everything that went wrong.
 *
 * "Not applicable" (decided here, documented in the README's timeline section as empty
 * cells): NaN is allowed in the timeline only in
 *   p50Ms, p99Ms      — no request completed in the interval (and then both are NaN),
 *   meanBatchSize     — no batch was dispatched in the interval,
 *   gpuUtilization    — no replica was ready at any time in the interval,
 *   cacheHitRate, cacheMissRate — the run has no cache (always NaN then), or no lookup in the interval,
 *   featureStoreUtilization     — the run has no feature store (always NaN then).
 * A column added later is held to "finite and ≥ 0" until it is listed here.
 * In the summary nothing is NaN or infinite, and null appears only at the paths listed
 * in NULLABLE_SUMMARY_PATHS (add to it when the contract adds a nullable field).
 *
 * With regions or shards the run has several sites (sitesOf): the replica bounds are the
 * sums of the sites' bounds, the per-site blocks balance their own books and add up to the
 * run's, and the per-site timelines add up to the run's timeline row by row.
 */
import type { RunResult } from '../../src/run.js';
import type { Summary } from '../../src/metrics/summary.js';
import type { Timeline, TimelineColumn } from '../../src/metrics/timeline.js';
import type { Autoscaler, Cost, Fleet, Model, Scenario } from '../../src/config/scenario.js';
import { replicaBounds } from '../../src/config/autoscaling.js';
import { PERCENTILES, tidy } from '../../src/metrics/round.js';

/**
 * Summary paths (dotted; `*` matches one segment) whose value may be null. Optional
 * top-level sections (cache, featureStore, regions …: null when the feature is off)
 * are nullable unless listed in CORE_SUMMARY_FIELDS, so a new section needs no entry.
 */
export const NULLABLE_SUMMARY_PATHS: Set<string> = new Set([
  'variant',
  'analytic.peakRps',
  'analytic.textbookReplicas',
  'analytic.erlangC',
  // no cache, or no estimate of its hit rate (Companions)
  'analytic.cacheHitRate',
  'analytic.textbookReplicasBehindCache',
  // a site without a cache; an outage not (yet) detected, moved or recovered (SiteSummary, OutageReport)
  'regions.*.cacheHitRate',
  'shards.*.cacheHitRate',
  'failover.outages.*.detectedAtS',
  'failover.outages.*.trafficMovedAtS',
  'failover.outages.*.recoveredAtS',
  'failover.outages.*.recoveryS',
  // the SLO was met (nothing failed), or a percentile falls on a failed request (metrics/slo.ts)
  'slo.failedBy',
  'slo.withFailuresMs.*',
  'regions.*.slo.failedBy',
  'shards.*.slo.failedBy',
]);

/** Top-level summary fields that are never null. */
export const CORE_SUMMARY_FIELDS: ReadonlySet<string> = new Set([
  'scenario',
  'seed',
  'simulatedSeconds',
  'partial',
  'requests',
  'throughputRps',
  'latencyMs',
  'slo',
  'gpu',
  'replicas',
  'cost',
  'analytic',
  'engine',
  'warnings',
]);

/** Timeline columns where NaN means "not applicable" (see the file comment for when). */
export const NOT_APPLICABLE_COLUMNS: ReadonlySet<string> = new Set<string>([
  'p50Ms',
  'p99Ms',
  'meanBatchSize',
  'gpuUtilization',
  'cacheHitRate',
  'cacheMissRate',
  'featureStoreUtilization',
]);

/** Timeline columns that hold counts: non-negative integers in every row. */
export const COUNT_COLUMNS: readonly TimelineColumn[] = [
  'arrivals',
  'completed',
  'rejected',
  'timedOut',
  'replicasReady',
  'replicasStarting',
  'replicasDesired',
  'queueDepth',
];

/** Relative slack for comparisons between figures rounded to 12 significant digits (tidy). */
const REL = 1e-9;

function le(a: number, b: number): boolean {
  return a <= b + REL * Math.max(1, Math.abs(a), Math.abs(b));
}

function close(a: number, b: number, rel = REL): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split('.');
  const q = path.split('.');
  return p.length === q.length && p.every((seg, i) => seg === '*' || seg === q[i]);
}

/** Every number in `value` is finite and ≥ 0, every null is at an allowed path; returns the offending paths. */
export function walkNumbers(value: unknown, nullable: ReadonlySet<string> = NULLABLE_SUMMARY_PATHS, path = ''): string[] {
  const out: string[] = [];
  const here = path === '' ? '(root)' : path;
  if (value === null) {
    const optionalSection = !path.includes('.') && !CORE_SUMMARY_FIELDS.has(path);
    if (!optionalSection && ![...nullable].some((p) => pathMatches(p, path))) out.push(`${here}: null where the contract allows no null`);
  } else if (typeof value === 'number') {
    if (Number.isNaN(value)) out.push(`${here}: NaN`);
    else if (!Number.isFinite(value)) out.push(`${here}: ${value}`);
    else if (value < 0) out.push(`${here}: negative (${value})`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...walkNumbers(v, nullable, path === '' ? String(i) : `${path}.${i}`)));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.push(...walkNumbers(v, nullable, path === '' ? k : `${path}.${k}`));
  } else if (value === undefined) {
    out.push(`${here}: undefined (not representable in JSON)`);
  }
  return out;
}

/** One fleet of a run as the invariants see it: its own fleet, autoscaler, model and prices. */
export interface SiteView {
  name: string;
  fleet: Fleet;
  autoscaler: Autoscaler;
  model: Model;
  cost: Cost;
  /** May hold fewer replicas than its autoscaler's minimum: a region with an outage event, or a cold standby (held at 0 until released). */
  mayDrop: boolean;
}

/** The sites of a run: the one fleet, each shard (the scenario's own fleet), or each region (its own fleet, autoscaler, model and prices). */
export function sitesOf(sc: Scenario): SiteView[] {
  const t = sc.topology;
  const own = { fleet: sc.fleet, autoscaler: sc.autoscaler, model: sc.model, cost: sc.cost, mayDrop: false };
  if (t === undefined) return [{ name: sc.name, ...own }];
  if (t.kind === 'shards') return Array.from({ length: t.count }, (_, i) => ({ name: `shard-${i}`, ...own }));
  if (t.kind === 'models') return t.models.map((m) => ({ name: m.name, fleet: m.fleet, autoscaler: m.autoscaler, model: m.model, cost: m.cost, mayDrop: false }));
  return t.regions.map((r, i) => ({
    name: r.name,
    fleet: r.fleet,
    autoscaler: r.autoscaler,
    model: r.model,
    cost: r.cost,
    mayDrop:
      sc.events.some((e) => e.kind === 'region-outage' && e.region === r.name) || (t.mode === 'active-passive' && t.standby === 'cold' && i !== t.primary),
  }));
}

/** The bounds the ready replica count (over all sites) must stay within; crashes, outages and cold standbys lower the floor to 0 (a replacement takes a cold start). */
export function readyReplicaLimits(sc: Scenario): { min: number; max: number } {
  const crashes = sc.events.some((e) => e.kind === 'replica-crash');
  let min = 0;
  let max = 0;
  for (const site of sitesOf(sc)) {
    const b = replicaBounds(site.autoscaler, site.fleet.replicas);
    // scale-ups take a cold start, so readiness lags the desired count, never leads it: the floor is the lowest desired
    if (!crashes && !site.mayDrop) min += b.min;
    max += b.max;
  }
  return { min, max };
}

/** The largest batch any site may dispatch. */
function maxBatchOf(sc: Scenario): number {
  return Math.max(...sitesOf(sc).map((site) => site.fleet.batching.maxBatch));
}

/** Checks one summary against its scenario. */
export function summaryViolations(s: Summary, sc: Scenario, partial: boolean): string[] {
  const v: string[] = [];
  const bad = (m: string): void => {
    v.push(m);
  };
  v.push(...walkNumbers(s).map((m) => `summary.${m}`));

  const q = s.requests;
  for (const [k, x] of Object.entries(q)) if (!isCount(x)) bad(`requests.${k} is not a non-negative integer: ${x}`);
  if (q.arrived !== q.completed + q.rejected + q.timedOut + q.inFlightAtEnd) {
    bad(`books: arrived ${q.arrived} ≠ completed ${q.completed} + rejected ${q.rejected} + timedOut ${q.timedOut} + inFlightAtEnd ${q.inFlightAtEnd}`);
  }
  if (q.cacheHits > q.completed) bad(`cacheHits ${q.cacheHits} > completed ${q.completed}`);
  if (s.cache === null && q.cacheHits !== 0) bad(`cacheHits ${q.cacheHits} without a cache`);

  if (s.partial !== partial) bad(`partial is ${s.partial}, expected ${partial}`);
  if (s.seed !== sc.seed) bad(`seed ${s.seed} ≠ scenario seed ${sc.seed}`);
  if (s.scenario !== sc.name) bad(`scenario name ${JSON.stringify(s.scenario)} ≠ ${JSON.stringify(sc.name)}`);
  if (!partial && s.simulatedSeconds !== tidy(sc.durationS)) bad(`simulatedSeconds ${s.simulatedSeconds} ≠ duration ${sc.durationS} in a complete run`);
  if (partial && !le(s.simulatedSeconds, sc.durationS)) bad(`simulatedSeconds ${s.simulatedSeconds} beyond the duration ${sc.durationS}`);

  const windowS = Math.max(0, s.simulatedSeconds - sc.warmupS);
  const throughput = windowS > 0 ? q.completed / windowS : 0;
  if (!close(s.throughputRps, throughput, 1e-6)) bad(`throughputRps ${s.throughputRps} ≠ completed / window = ${throughput}`);

  // latency: ordered percentiles, zero exactly when nothing completed
  const l = s.latencyMs;
  const order = [l.p50, l.p90, l.p95, l.p99, l.p999, l.max];
  for (let i = 1; i < order.length; i++) {
    if (!le(order[i - 1]!, order[i]!)) bad(`latency percentiles out of order: ${JSON.stringify(l)}`);
  }
  if (q.completed === 0) {
    if (Object.values(l).some((x) => x !== 0)) bad(`latencies without completions: ${JSON.stringify(l)}`);
  } else {
    // a batch latency below the clock's resolution (1e-62 s after 50 s) is a latency of 0; above 1 µs it never is
    // (a cache hit takes the lookup latency, which may be 0)
    const fastest = Math.min(...sitesOf(sc).flatMap((site) => site.model.latency.latencyS), sc.cache?.lookupLatencyS ?? Infinity);
    if (fastest >= 1e-6 && !(l.p50 > 0)) bad(`p50 ${l.p50} not positive with ${q.completed} completions`);
    if (!le(l.mean, l.max * (1 + 1e-6))) bad(`mean latency ${l.mean} above max ${l.max}`);
  }

  // SLO: rates in [0, 1], consistent with the counts and the verdict
  const finished = q.completed + q.rejected + q.timedOut;
  const errorRate = finished > 0 ? (q.rejected + q.timedOut) / finished : 0;
  if (!close(s.slo.errorRate, errorRate)) bad(`slo.errorRate ${s.slo.errorRate} ≠ ${errorRate}`);
  if (!(s.slo.attainment >= 0 && s.slo.attainment <= 1)) bad(`slo.attainment ${s.slo.attainment} outside [0, 1]`);
  if (finished > 0 && !le(s.slo.attainment, q.completed / finished)) bad(`slo.attainment ${s.slo.attainment} above the completed share ${q.completed / finished}`);
  if (s.slo.met) {
    if (sc.slo.maxErrorRate !== null && s.slo.errorRate > sc.slo.maxErrorRate) bad(`slo.met with errorRate ${s.slo.errorRate} > ${sc.slo.maxErrorRate}`);
    for (const [p, t] of Object.entries(sc.slo.latencyS)) {
      if (q.completed === 0) bad(`slo.met with a ${p} target and no completions`);
      else if (s.latencyMs[p as keyof Summary['latencyMs']] > t * 1e3) bad(`slo.met but ${p} ${s.latencyMs[p as keyof Summary['latencyMs']]} ms > ${t * 1e3} ms`);
      // failures count as misses in the percentile: a pN target allows at most (1 − N) of the finished requests to fail
      const allowed = finished - Math.max(1, Math.ceil(PERCENTILES.find(([n]) => n === p)![1] * finished - 1e-9));
      if (q.rejected + q.timedOut > allowed) bad(`slo.met with ${q.rejected + q.timedOut} of ${finished} failed: a ${p} allows ${allowed}`);
      const wf = s.slo.withFailuresMs[p];
      if (wf === null || wf === undefined || wf > t * 1e3 || !le(s.latencyMs[p as keyof Summary['latencyMs']], wf)) bad(`slo.met but slo.withFailuresMs.${p} ${wf}`);
    }
  }
  if (s.slo.met !== (s.slo.failedBy === null)) bad(`slo.met ${s.slo.met} with failedBy ${s.slo.failedBy}`);

  // GPU: utilizations are shares, batches are between 1 and maxBatch
  for (const k of ['utilization', 'effectiveUtilization'] as const) {
    const x = s.gpu[k];
    if (!(x >= 0 && le(x, 1))) bad(`gpu.${k} ${x} outside [0, 1]`);
  }
  const mb = s.gpu.meanBatchSize;
  const maxBatch = maxBatchOf(sc);
  if (!(mb === 0 || (le(1, mb) && le(mb, maxBatch)))) bad(`gpu.meanBatchSize ${mb} neither 0 nor in [1, ${maxBatch}]`);
  if (q.completed > 0 && q.cacheHits < q.completed && mb === 0) bad(`completions without batches`);

  // replicas: min ≤ mean ≤ max, within the autoscaler's bounds
  const r = s.replicas;
  if (!isCount(r.min) || !isCount(r.max) || !isCount(r.coldStarts)) bad(`replicas.min/max/coldStarts not counts: ${JSON.stringify(r)}`);
  if (!(le(r.min, r.mean) && le(r.mean, r.max))) bad(`replicas: not min ≤ mean ≤ max: ${JSON.stringify(r)}`);
  const lim = readyReplicaLimits(sc);
  if (r.max > lim.max) bad(`replicas.max ${r.max} above the autoscaler's max ${lim.max}`);
  if (r.min < lim.min) bad(`replicas.min ${r.min} below the autoscaler's min ${lim.min}`);
  const fixed = sitesOf(sc).every((site) => site.autoscaler.kind === 'none' && !site.mayDrop);
  if (fixed && !sc.events.some((e) => e.kind === 'replica-crash') && r.coldStarts !== 0) {
    bad(`a fixed fleet without crashes (or outages, or cold standbys) had ${r.coldStarts} cold starts`);
  }

  // cost: non-negative, the parts add up
  const c = s.cost;
  if (!close(c.totalUsd, c.gpuUsd + c.cacheUsd + c.egressUsd, 1e-6)) bad(`cost.totalUsd ${c.totalUsd} ≠ gpu + cache + egress (${c.gpuUsd} + ${c.cacheUsd} + ${c.egressUsd})`);
  if (!le(c.idleGpuUsd, c.gpuUsd)) bad(`cost.idleGpuUsd ${c.idleGpuUsd} > gpuUsd ${c.gpuUsd}`);
  if (sitesOf(sc).every((site) => site.cost.gpuHourlyUsd === null) && c.gpuUsd !== 0) bad(`cost.gpuUsd ${c.gpuUsd} without a GPU price`);
  if ((c.interRegionUsd !== undefined) !== (sc.topology?.kind === 'regions')) bad(`cost.interRegionUsd ${c.interRegionUsd} is there exactly when the run has regions`);
  if (c.interRegionUsd !== undefined && !le(c.interRegionUsd, c.egressUsd)) bad(`cost.interRegionUsd ${c.interRegionUsd} > egressUsd ${c.egressUsd} (it is part of it)`);
  if (q.completed === 0 && c.perMillionRequestsUsd !== 0) bad(`cost.perMillionRequestsUsd ${c.perMillionRequestsUsd} without completions`);
  if (!Array.isArray(s.warnings) || s.warnings.some((w) => typeof w !== 'string')) bad(`warnings is not a list of strings`);

  v.push(...cacheViolations(s, sc, partial), ...featureStoreViolations(s, sc), ...topologyViolations(s, sc, partial));
  return v;
}

/** The cache block: lookups split into hits, stale hits, delayed hits and misses; what each stampede policy and mode can produce. */
export function cacheViolations(s: Summary, sc: Scenario, partial: boolean): string[] {
  const v: string[] = [];
  const bad = (m: string): void => {
    v.push(m);
  };
  const c = s.cache;
  const spec = sc.cache;
  if ((c === null) !== (spec === null)) bad(`cache block ${c === null ? 'missing' : 'present'} ${spec === null ? 'without' : 'with'} a cache`);
  if (c === null || spec === null) return v;
  const q = s.requests;
  for (const k of ['lookups', 'hits', 'staleHits', 'delayedHits', 'misses', 'backgroundRefreshes', 'flushes'] as const) {
    if (!isCount(c[k])) bad(`cache.${k} is not a count: ${c[k]}`);
  }
  if (c.lookups !== c.hits + c.staleHits + c.delayedHits + c.misses) {
    bad(`cache: lookups ${c.lookups} ≠ hits ${c.hits} + staleHits ${c.staleHits} + delayedHits ${c.delayedHits} + misses ${c.misses}`);
  }
  if (!(c.hitRate >= 0 && le(c.hitRate, 1))) bad(`cache.hitRate ${c.hitRate} outside [0, 1]`);
  const hitRate = c.lookups > 0 ? (c.hits + c.staleHits) / c.lookups : 0;
  if (!close(c.hitRate, hitRate)) bad(`cache.hitRate ${c.hitRate} ≠ (hits + staleHits) / lookups = ${hitRate}`);
  if (c.gpuRequestsSaved !== c.lookups - c.misses - c.backgroundRefreshes) bad(`cache.gpuRequestsSaved ${c.gpuRequestsSaved} ≠ lookups − misses − backgroundRefreshes`);
  // a refresh is triggered by a hit (XFetch) or a stale hit (stale-while-revalidate), at most one each
  if (c.backgroundRefreshes > c.hits + c.staleHits) bad(`cache: ${c.backgroundRefreshes} background refreshes from ${c.hits + c.staleHits} hits`);
  if (q.cacheHits !== c.hits + c.staleHits) bad(`requests.cacheHits ${q.cacheHits} ≠ cache hits + staleHits ${c.hits + c.staleHits}`);
  // every counted request is looked up once, unless it is still in the lookup or reached a region that was down
  if (c.lookups > q.arrived) bad(`cache: ${c.lookups} lookups of ${q.arrived} arrivals`);
  if (sc.topology?.kind !== 'regions' && c.lookups < q.arrived - q.inFlightAtEnd) bad(`cache: ${c.lookups} lookups < arrived − in flight (${q.arrived} − ${q.inFlightAtEnd})`);

  if (spec.mode === 'hit-rate') {
    if (c.staleHits + c.delayedHits + c.backgroundRefreshes !== 0) bad(`hit-rate cache with stale/delayed hits or refreshes: ${JSON.stringify(c)}`);
    if (spec.hitRate === 0 && c.hits !== 0) bad(`hitRate 0 and ${c.hits} hits`);
    if (spec.hitRate === 1 && c.misses !== 0) bad(`hitRate 1 and ${c.misses} misses`);
  } else {
    if (spec.stampede !== 'stale-while-revalidate' && c.staleHits !== 0) bad(`${c.staleHits} stale hits with stampede ${spec.stampede}`);
    if (spec.stampede !== 'coalesce' && c.delayedHits !== 0) bad(`${c.delayedHits} delayed hits with stampede ${spec.stampede}`);
    if ((spec.stampede === 'none' || spec.stampede === 'coalesce') && c.backgroundRefreshes !== 0) bad(`${c.backgroundRefreshes} background refreshes with stampede ${spec.stampede}`);
    if (spec.capacity === 0 && c.hits + c.staleHits !== 0) bad(`a cache of capacity 0 hit ${c.hits + c.staleHits} times`);
    // unique keys never repeat: nothing to hit, nothing to wait for
    if (sc.traffic.keys.kind === 'unique' && c.hits + c.staleHits + c.delayedHits !== 0) bad(`unique keys and ${c.hits} hits, ${c.staleHits} stale, ${c.delayedHits} delayed`);
  }

  // each cache-flush event flushes every site's cache; a region outage flushes its region's cache
  const sites = sitesOf(sc).length;
  const flushEvents = sc.events.filter((e) => e.kind === 'cache-flush').length * sites;
  const outages = sc.events.filter((e) => e.kind === 'region-outage').length;
  if (c.flushes > flushEvents + outages) bad(`cache.flushes ${c.flushes} > ${flushEvents} flush events (× sites) + ${outages} outages`);
  if (!partial && c.flushes < flushEvents) bad(`cache.flushes ${c.flushes} < ${flushEvents} flush events (× sites) in a complete run`);
  return v;
}

/** The feature store block: there exactly with a feature store, shares in [0, 1], queue within its bound. */
export function featureStoreViolations(s: Summary, sc: Scenario): string[] {
  const v: string[] = [];
  const f = s.featureStore;
  const spec = sc.featureStore;
  if ((f === null) !== (spec === null)) v.push(`featureStore block ${f === null ? 'missing' : 'present'} ${spec === null ? 'without' : 'with'} a feature store`);
  if (f === null || spec === null) return v;
  const servers = spec.servers * (1 + spec.readReplicas);
  if (f.servers !== servers) v.push(`featureStore.servers ${f.servers} ≠ servers × (1 + readReplicas) = ${servers}`);
  if (!(f.utilization >= 0 && le(f.utilization, 1))) v.push(`featureStore.utilization ${f.utilization} outside [0, 1]`);
  if (!isCount(f.rejected)) v.push(`featureStore.rejected is not a count: ${f.rejected}`);
  if (!le(f.meanQueueLength, spec.maxQueue)) v.push(`featureStore.meanQueueLength ${f.meanQueueLength} above maxQueue ${spec.maxQueue}`);
  if (spec.maxQueue === 0 && (f.meanQueueLength !== 0 || f.meanWaitMs !== 0)) v.push(`featureStore with maxQueue 0 queued: ${JSON.stringify(f)}`);
  if (spec.serviceTime.meanS === 0 && f.utilization !== 0) v.push(`featureStore with 0 s service time busy ${f.utilization}`);
  return v;
}

/** Regions and shards: one block per site, each balancing its own books, adding up to the run; the failover report; shard imbalance. */
export function topologyViolations(s: Summary, sc: Scenario, partial: boolean): string[] {
  const v: string[] = [];
  const bad = (m: string): void => {
    v.push(m);
  };
  const kind = sc.topology?.kind ?? 'single';
  if ((s.regions !== null) !== (kind === 'regions')) bad(`summary.regions ${s.regions === null ? 'null' : 'present'} for a ${kind} run`);
  if ((s.failover !== null) !== (kind === 'regions')) bad(`summary.failover ${s.failover === null ? 'null' : 'present'} for a ${kind} run`);
  if ((s.shards !== null) !== (kind === 'shards')) bad(`summary.shards ${s.shards === null ? 'null' : 'present'} for a ${kind} run`);
  if ((s.shardImbalance !== null) !== (kind === 'shards')) bad(`summary.shardImbalance ${s.shardImbalance} for a ${kind} run`);
  const blocks = s.regions ?? s.shards;
  if (blocks === null) return v;
  const sites = sitesOf(sc);
  const names = sites.map((x) => x.name);
  if (JSON.stringify(blocks.map((b) => b.name)) !== JSON.stringify(names)) bad(`site blocks ${JSON.stringify(blocks.map((b) => b.name))} ≠ sites ${JSON.stringify(names)}`);
  const q = s.requests;
  const keys = ['arrived', 'completed', 'cacheHits', 'rejected', 'timedOut', 'inFlightAtEnd'] as const;
  const sums = { arrived: 0, completed: 0, cacheHits: 0, rejected: 0, timedOut: 0, inFlightAtEnd: 0 };
  let costUsd = 0;
  let coldStarts = 0;
  for (const b of blocks) {
    const at = `${kind}[${b.name}]`;
    const r = b.requests;
    for (const k of keys) {
      if (!isCount(r[k])) bad(`${at}.requests.${k} is not a count: ${r[k]}`);
      sums[k] += r[k];
    }
    if (r.arrived !== r.completed + r.rejected + r.timedOut + r.inFlightAtEnd) bad(`${at}: books do not balance: ${JSON.stringify(r)}`);
    if (r.cacheHits > r.completed) bad(`${at}: cacheHits ${r.cacheHits} > completed ${r.completed}`);
    if (!close(b.arrivedShare, q.arrived > 0 ? r.arrived / q.arrived : 0)) bad(`${at}.arrivedShare ${b.arrivedShare} ≠ ${r.arrived} / ${q.arrived}`);
    if (!le(b.latencyMs.p50, b.latencyMs.p99)) bad(`${at}: p50 ${b.latencyMs.p50} > p99 ${b.latencyMs.p99}`);
    if (r.completed === 0 && (b.latencyMs.p50 !== 0 || b.latencyMs.p99 !== 0)) bad(`${at}: latencies without completions`);
    const finished = r.completed + r.rejected + r.timedOut;
    if (!close(b.slo.errorRate, finished > 0 ? (r.rejected + r.timedOut) / finished : 0)) bad(`${at}.slo.errorRate ${b.slo.errorRate} inconsistent`);
    if (!(b.slo.attainment >= 0 && le(b.slo.attainment, finished > 0 ? r.completed / finished : 1))) bad(`${at}.slo.attainment ${b.slo.attainment} outside [0, completed share]`);
    if (b.slo.met !== (b.slo.failedBy === null)) bad(`${at}.slo.met ${b.slo.met} with failedBy ${b.slo.failedBy}`);
    if (!(b.gpu.utilization >= 0 && le(b.gpu.utilization, 1))) bad(`${at}.gpu.utilization ${b.gpu.utilization} outside [0, 1]`);
    const rp = b.replicas;
    if (!isCount(rp.min) || !isCount(rp.max) || !isCount(rp.coldStarts) || !(le(rp.min, rp.mean) && le(rp.mean, rp.max))) bad(`${at}.replicas: not min ≤ mean ≤ max counts: ${JSON.stringify(rp)}`);
    if ((b.cacheHitRate === null) !== (sc.cache === null)) bad(`${at}.cacheHitRate ${b.cacheHitRate} with${sc.cache === null ? 'out' : ''} a cache`);
    if (b.cacheHitRate !== null && !(b.cacheHitRate >= 0 && le(b.cacheHitRate, 1))) bad(`${at}.cacheHitRate ${b.cacheHitRate} outside [0, 1]`);
    costUsd += b.costUsd;
    coldStarts += rp.coldStarts;
  }
  for (const k of keys) if (sums[k] !== q[k]) bad(`the sites' requests.${k} add up to ${sums[k]}, the run's is ${q[k]}`);
  if (!close(costUsd, s.cost.totalUsd, 1e-6)) bad(`the sites' costUsd add up to ${costUsd}, the run's totalUsd is ${s.cost.totalUsd}`);
  if (coldStarts !== s.replicas.coldStarts) bad(`the sites' cold starts add up to ${coldStarts}, the run's is ${s.replicas.coldStarts}`);

  if (s.shardImbalance !== null) {
    const x = s.shardImbalance;
    if (q.arrived === 0 ? x !== 0 : !(le(1, x) && le(x, blocks.length))) bad(`shardImbalance ${x} outside [1, ${blocks.length}] with ${q.arrived} arrivals`);
  }

  const t = sc.topology;
  if (s.failover !== null && t?.kind === 'regions') {
    const events = sc.events.filter((e) => e.kind === 'region-outage');
    const outages = s.failover.outages;
    if (partial ? outages.length > events.length : outages.length !== events.length) bad(`failover: ${outages.length} outages reported for ${events.length} region-outage events`);
    const ttl = t.failover.dnsTtlS;
    for (const o of outages) {
      const at = `outage of ${o.region} at ${o.atS}`;
      if (!events.some((e) => e.region === o.region && close(e.atS, o.atS))) bad(`${at}: no such region-outage event`);
      if (o.detectedAtS !== null && !(le(o.atS, o.detectedAtS) && le(o.detectedAtS, s.simulatedSeconds))) bad(`${at}: detected at ${o.detectedAtS}, outside [atS, the end]`);
      if (o.trafficMovedAtS !== null) {
        if (o.detectedAtS === null) bad(`${at}: traffic moved at ${o.trafficMovedAtS} but never detected`);
        // DNS drops the region dnsTtl after the detection (an earlier, still pending drop may come sooner)
        else if (!(le(o.detectedAtS, o.trafficMovedAtS) && le(o.trafficMovedAtS, o.detectedAtS + ttl))) bad(`${at}: traffic moved at ${o.trafficMovedAtS}, not within dnsTtl ${ttl} s after detection at ${o.detectedAtS}`);
        if (!le(o.trafficMovedAtS, s.simulatedSeconds)) bad(`${at}: traffic moved at ${o.trafficMovedAtS} after the end`);
      }
      if ((o.recoveredAtS === null) !== (o.recoveryS === null)) bad(`${at}: recoveredAtS ${o.recoveredAtS} and recoveryS ${o.recoveryS} disagree`);
      if (o.recoveredAtS !== null && o.recoveryS !== null) {
        if (!(o.recoveredAtS > o.atS && le(o.recoveredAtS, s.simulatedSeconds))) bad(`${at}: recovered at ${o.recoveredAtS}, outside (atS, the end]`);
        if (!close(o.recoveryS, o.recoveredAtS - o.atS)) bad(`${at}: recoveryS ${o.recoveryS} ≠ recoveredAtS − atS`);
      }
      if (!isCount(o.failedRequests) || o.failedRequests > q.rejected + q.timedOut) bad(`${at}: failedRequests ${o.failedRequests} not a count within the run's ${q.rejected + q.timedOut} errors`);
    }
  }
  return v;
}

/** Checks a timeline against its summary and scenario. */
export function timelineViolations(t: Timeline, s: Summary, sc: Scenario, partial: boolean): string[] {
  const v: string[] = [];
  const bad = (m: string): void => {
    v.push(m);
  };
  const col = (c: TimelineColumn): number[] => t.column(c);
  const rows = t.rows.length;
  const intervalS = sc.report.intervalS;
  const times = col('timeS');

  for (const c of t.columns) {
    const xs = col(c);
    xs.forEach((x, i) => {
      if (Number.isNaN(x)) {
        if (!NOT_APPLICABLE_COLUMNS.has(c)) bad(`timeline row ${i} (t=${times[i]}): ${c} is NaN`);
      } else if (!Number.isFinite(x) || x < 0) bad(`timeline row ${i} (t=${times[i]}): ${c} = ${x}`);
    });
  }
  for (const c of COUNT_COLUMNS) {
    col(c).forEach((x, i) => {
      if (!isCount(x)) bad(`timeline row ${i}: ${c} = ${x} is not a count`);
    });
  }

  // time: strictly increasing by at most one interval; a complete run ends exactly at its duration
  let prev = 0;
  times.forEach((x, i) => {
    const step = x - prev;
    // after a full row, a step within rounding error of 0 is a sliver row; the first row may be as short as the run
    if (!(step > (i === 0 ? 0 : REL * intervalS))) bad(`timeline row ${i}: timeS ${x} does not advance from ${prev} (a sliver or repeated row)`);
    if (!le(step, intervalS)) bad(`timeline row ${i}: step ${step} s longer than the report interval ${intervalS} s`);
    prev = x;
  });
  if (!partial) {
    const expected = Math.max(1, Math.ceil(sc.durationS / intervalS - 1e-9));
    if (rows !== expected) bad(`timeline has ${rows} rows, expected ceil(${sc.durationS} / ${intervalS}) = ${expected}`);
    if (rows > 0 && times[rows - 1] !== sc.durationS) bad(`last row at ${times[rows - 1]}, expected the duration ${sc.durationS}`);
  } else if (rows > 0 && !le(times[rows - 1]!, s.simulatedSeconds)) {
    bad(`last row at ${times[rows - 1]} after the stop at ${s.simulatedSeconds}`);
  }

  // per-row consistency of the not-applicable cells
  const completed = col('completed');
  const p50 = col('p50Ms');
  const p99 = col('p99Ms');
  const util = col('gpuUtilization');
  const batch = col('meanBatchSize');
  const hit = col('cacheHitRate');
  const maxBatch = maxBatchOf(sc);
  for (let i = 0; i < rows; i++) {
    if (Number.isNaN(p50[i]!) !== Number.isNaN(p99[i]!)) bad(`timeline row ${i}: p50Ms ${p50[i]} and p99Ms ${p99[i]} disagree on applicability`);
    if (Number.isNaN(p50[i]!) !== (completed[i] === 0)) bad(`timeline row ${i}: p50Ms ${p50[i]} with ${completed[i]} completions`);
    if (!Number.isNaN(p50[i]!) && !le(p50[i]!, p99[i]!)) bad(`timeline row ${i}: p50Ms ${p50[i]} > p99Ms ${p99[i]}`);
    if (!Number.isNaN(util[i]!) && !le(util[i]!, 1)) bad(`timeline row ${i}: gpuUtilization ${util[i]} > 1`);
    if (!Number.isNaN(batch[i]!) && !(le(1, batch[i]!) && le(batch[i]!, maxBatch))) {
      bad(`timeline row ${i}: meanBatchSize ${batch[i]} outside [1, ${maxBatch}]`);
    }
    if (s.cache === null && !Number.isNaN(hit[i]!)) bad(`timeline row ${i}: cacheHitRate ${hit[i]} without a cache`);
    if (!Number.isNaN(hit[i]!) && !le(hit[i]!, 1)) bad(`timeline row ${i}: cacheHitRate ${hit[i]} > 1`);
  }
  const optional: [TimelineColumn, boolean][] = [
    ['cacheMissRate', s.cache !== null],
    ['featureStoreUtilization', (s as { featureStore?: unknown }).featureStore != null],
  ];
  for (const [c, present] of optional) {
    if (!t.columns.includes(c)) continue;
    col(c).forEach((x, i) => {
      if (!present && !Number.isNaN(x)) bad(`timeline row ${i}: ${c} ${x} where it does not apply`);
    });
  }
  if (t.columns.includes('featureStoreUtilization')) {
    col('featureStoreUtilization').forEach((x, i) => {
      if (!Number.isNaN(x) && !le(x, 1)) bad(`timeline row ${i}: featureStoreUtilization ${x} > 1`);
      // every interval has a length, so with a feature store its utilization always applies
      if (s.featureStore != null && Number.isNaN(x)) bad(`timeline row ${i}: featureStoreUtilization NaN with a feature store`);
    });
  }
  if (s.cache !== null) {
    col('cacheMissRate').forEach((x, i) => {
      if (Number.isNaN(x)) bad(`timeline row ${i}: cacheMissRate NaN with a cache`);
    });
  }

  // replicas: the ready count within the autoscaler's bounds
  const lim = readyReplicaLimits(sc);
  col('replicasReady').forEach((x, i) => {
    if (x > lim.max) bad(`timeline row ${i}: replicasReady ${x} above the autoscaler's max ${lim.max}`);
  });

  // cost: cumulative, so it never decreases
  const cost = col('costUsd');
  for (let i = 1; i < rows; i++) if (!le(cost[i - 1]!, cost[i]!)) bad(`timeline costUsd decreases at row ${i}: ${cost[i - 1]} → ${cost[i]}`);

  // counts: intervals cover every arrival (warmup included), and nothing ends twice
  const sum = (c: TimelineColumn): number => col(c).reduce((a, b) => a + b, 0);
  const arrivals = sum('arrivals');
  const ended = sum('completed') + sum('rejected') + sum('timedOut');
  if (arrivals < s.requests.arrived) bad(`timeline arrivals ${arrivals} < summary arrived ${s.requests.arrived}`);
  if (ended > arrivals) bad(`timeline: ${ended} requests ended but only ${arrivals} arrived`);
  if (sc.warmupS === 0 && !partial) {
    if (arrivals !== s.requests.arrived) bad(`timeline arrivals ${arrivals} ≠ summary arrived ${s.requests.arrived} without warmup`);
    for (const k of ['completed', 'rejected', 'timedOut'] as const) {
      if (sum(k) > s.requests[k]) bad(`timeline ${k} ${sum(k)} > summary ${s.requests[k]} without warmup`);
    }
  }
  return v;
}

/** The per-site timelines of a run with regions or shards: one per site, the run's rows and times, adding up to the run's timeline row by row. */
export function siteTimelineViolations(r: RunResult): string[] {
  const v: string[] = [];
  const bad = (m: string): void => {
    v.push(m);
  };
  const sites = r.scenario.topology === undefined ? [] : sitesOf(r.scenario);
  const names = r.siteTimelines.map((x) => x.name);
  if (JSON.stringify(names) !== JSON.stringify(sites.map((x) => x.name))) bad(`site timelines ${JSON.stringify(names)} ≠ sites ${JSON.stringify(sites.map((x) => x.name))}`);
  if (r.siteTimelines.length === 0) return v;
  const run = r.timeline;
  const times = run.column('timeS');
  const summed: TimelineColumn[] = [...COUNT_COLUMNS];
  const totals = new Map<TimelineColumn, number[]>(summed.map((c) => [c, new Array<number>(run.rows.length).fill(0)]));
  const cost = new Array<number>(run.rows.length).fill(0);
  for (const { name, timeline } of r.siteTimelines) {
    if (timeline.rows.length !== run.rows.length || timeline.column('timeS').some((x, i) => x !== times[i])) {
      bad(`site ${name}: timeline rows at ${JSON.stringify(timeline.column('timeS'))} ≠ the run's ${JSON.stringify(times)}`);
      continue;
    }
    for (const c of timeline.columns) {
      timeline.column(c).forEach((x, i) => {
        if (Number.isNaN(x) ? !NOT_APPLICABLE_COLUMNS.has(c) : !Number.isFinite(x) || x < 0) bad(`site ${name} timeline row ${i}: ${c} = ${x}`);
      });
    }
    for (const c of summed) {
      timeline.column(c).forEach((x, i) => {
        if (!isCount(x)) bad(`site ${name} timeline row ${i}: ${c} = ${x} is not a count`);
        totals.get(c)![i]! += x;
      });
    }
    timeline.column('costUsd').forEach((x, i) => (cost[i]! += x));
  }
  for (const c of summed) {
    const runCol = run.column(c);
    totals.get(c)!.forEach((x, i) => {
      if (x !== runCol[i]) bad(`timeline row ${i}: the sites' ${c} add up to ${x}, the run's is ${runCol[i]}`);
    });
  }
  run.column('costUsd').forEach((x, i) => {
    if (!close(x, cost[i]!, 1e-6)) bad(`timeline row ${i}: the sites' costUsd add up to ${cost[i]}, the run's is ${x}`);
  });
  return v;
}

/** Every invariant of one run (summary, timeline, and the sites' timelines). */
export function runViolations(r: RunResult): string[] {
  return [
    ...summaryViolations(r.summary, r.scenario, r.partial),
    ...timelineViolations(r.timeline, r.summary, r.scenario, r.partial),
    ...siteTimelineViolations(r),
  ];
}

/** Throws an Error listing every violated invariant of `r` (first 20), prefixed by `label`. */
export function assertRunInvariants(r: RunResult, label = ''): void {
  const v = runViolations(r);
  if (v.length > 0) {
    const shown = v.slice(0, 20).join('\n  ');
    throw new Error(`${label}${label === '' ? '' : ': '}${v.length} invariant(s) violated:\n  ${shown}`);
  }
}

/** The summary without `engine`, the only part that may differ between two runs with one seed. */
export function withoutEngine(s: Summary): Omit<Summary, 'engine'> {
  const { engine: _engine, ...rest } = s;
  return rest;
}
