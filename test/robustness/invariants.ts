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
 */
import type { RunResult } from '../../src/run.js';
import type { Summary } from '../../src/metrics/summary.js';
import type { Timeline, TimelineColumn } from '../../src/metrics/timeline.js';
import type { Scenario } from '../../src/scenario/types.js';
import { replicaBounds } from '../../src/scaling/autoscaler.js';
import { tidy } from '../../src/metrics/summary.js';

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

/** The bounds the ready replica count must stay within; crashes lower the floor to 0 (a replacement takes a cold start). */
export function readyReplicaLimits(sc: Scenario): { min: number; max: number } {
  const b = replicaBounds(sc.autoscaler, sc.fleet.replicas);
  const crashes = sc.events.some((e) => e.kind === 'replica-crash');
  // scale-ups take a cold start, so readiness lags the desired count, never leads it: the floor is the lowest desired
  return { min: crashes ? 0 : b.min, max: b.max };
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
    if (Math.min(...sc.model.latency.latencyS) >= 1e-6 && !(l.p50 > 0)) bad(`p50 ${l.p50} not positive with ${q.completed} completions`);
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
    }
  }

  // GPU: utilizations are shares, batches are between 1 and maxBatch
  for (const k of ['utilization', 'effectiveUtilization'] as const) {
    const x = s.gpu[k];
    if (!(x >= 0 && le(x, 1))) bad(`gpu.${k} ${x} outside [0, 1]`);
  }
  const mb = s.gpu.meanBatchSize;
  if (!(mb === 0 || (le(1, mb) && le(mb, sc.fleet.batching.maxBatch)))) bad(`gpu.meanBatchSize ${mb} neither 0 nor in [1, ${sc.fleet.batching.maxBatch}]`);
  if (q.completed > 0 && q.cacheHits < q.completed && mb === 0) bad(`completions without batches`);

  // replicas: min ≤ mean ≤ max, within the autoscaler's bounds
  const r = s.replicas;
  if (!isCount(r.min) || !isCount(r.max) || !isCount(r.coldStarts)) bad(`replicas.min/max/coldStarts not counts: ${JSON.stringify(r)}`);
  if (!(le(r.min, r.mean) && le(r.mean, r.max))) bad(`replicas: not min ≤ mean ≤ max: ${JSON.stringify(r)}`);
  const lim = readyReplicaLimits(sc);
  if (r.max > lim.max) bad(`replicas.max ${r.max} above the autoscaler's max ${lim.max}`);
  if (r.min < lim.min) bad(`replicas.min ${r.min} below the autoscaler's min ${lim.min}`);
  if (sc.autoscaler.kind === 'none' && !sc.events.some((e) => e.kind === 'replica-crash') && r.coldStarts !== 0) {
    bad(`a fixed fleet without crashes had ${r.coldStarts} cold starts`);
  }

  // cost: non-negative, the parts add up
  const c = s.cost;
  if (!close(c.totalUsd, c.gpuUsd + c.cacheUsd + c.egressUsd, 1e-6)) bad(`cost.totalUsd ${c.totalUsd} ≠ gpu + cache + egress (${c.gpuUsd} + ${c.cacheUsd} + ${c.egressUsd})`);
  if (!le(c.idleGpuUsd, c.gpuUsd)) bad(`cost.idleGpuUsd ${c.idleGpuUsd} > gpuUsd ${c.gpuUsd}`);
  if (sc.cost.gpuHourlyUsd === null && c.gpuUsd !== 0) bad(`cost.gpuUsd ${c.gpuUsd} without a GPU price`);
  if (q.completed === 0 && c.perMillionRequestsUsd !== 0) bad(`cost.perMillionRequestsUsd ${c.perMillionRequestsUsd} without completions`);
  if (!Array.isArray(s.warnings) || s.warnings.some((w) => typeof w !== 'string')) bad(`warnings is not a list of strings`);
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
  for (let i = 0; i < rows; i++) {
    if (Number.isNaN(p50[i]!) !== Number.isNaN(p99[i]!)) bad(`timeline row ${i}: p50Ms ${p50[i]} and p99Ms ${p99[i]} disagree on applicability`);
    if (Number.isNaN(p50[i]!) !== (completed[i] === 0)) bad(`timeline row ${i}: p50Ms ${p50[i]} with ${completed[i]} completions`);
    if (!Number.isNaN(p50[i]!) && !le(p50[i]!, p99[i]!)) bad(`timeline row ${i}: p50Ms ${p50[i]} > p99Ms ${p99[i]}`);
    if (!Number.isNaN(util[i]!) && !le(util[i]!, 1)) bad(`timeline row ${i}: gpuUtilization ${util[i]} > 1`);
    if (!Number.isNaN(batch[i]!) && !(le(1, batch[i]!) && le(batch[i]!, sc.fleet.batching.maxBatch))) {
      bad(`timeline row ${i}: meanBatchSize ${batch[i]} outside [1, ${sc.fleet.batching.maxBatch}]`);
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

/** Every invariant of one run (summary and timeline). */
export function runViolations(r: RunResult): string[] {
  return [...summaryViolations(r.summary, r.scenario, r.partial), ...timelineViolations(r.timeline, r.summary, r.scenario, r.partial)];
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
