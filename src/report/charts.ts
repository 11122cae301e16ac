/**
 * Charts for the HTML reports: vega-lite specs built from the timeline (never from
 * the summary), compiled to static SVG at report time with vega's headless View, so
 * a report needs no script and no network to be read.
 *
 * Long timelines are down-sampled to at most `maxPoints` points per series: each
 * point summarises k consecutive report intervals. Rates and levels become
 * time-weighted means, p99 and queue depth keep the maximum (p99 also its minimum,
 * drawn as a band) so a one-interval spike stays visible, cumulative cost keeps
 * the last value.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

/** A layer of a layered vega-lite spec. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];
/** The scale properties these charts set (a subset of vega-lite's). */
interface ScaleDef {
  type?: 'log';
  zero?: boolean;
  nice?: boolean;
  domain?: number[] | string[];
}
import type { RunResult } from '../run.js';
import { COLUMN_RULES, type Downsample, type Timeline, type TimelineColumn } from '../metrics/timeline.js';
import type { Scenario } from '../config/scenario.js';
import { replicaPeak } from '../theory/capacity.js';
import { siteScenario } from '../config/scenario.js';

/** Default cap on points per series in one chart: keeps a 24 h report well under 2 MB. */
export const MAX_CHART_POINTS = 1000;

/**
 * Peak service rate of one ready replica (requests/s), theory/capacity.ts replicaPeak: the batches
 * a saturated replica runs, back to back, σ(m)·b / meanLatency(b) with b = saturationBatch (maxBatch,
 * or the largest preferred size when maxQueueDelay is 0: Triton's batcher then never sends more) and
 * σ(m) = 1 + overlap·(m − 1) for m model instances sharing the GPU (the fleet's own sharing rule).
 * Latency variability is ignored (its mean is 1); arrivals above this rate make the queues grow.
 */
export function replicaCapacityRps(sc: Scenario): number {
  return replicaPeak(sc.fleet, sc.model.latency).rps;
}

/** Fleet capacity (requests/s) with `replicasReady` ready replicas: replicasReady × replicaCapacityRps(sc). */
export function fleetCapacityRps(sc: Scenario, replicasReady: number): number {
  return replicasReady * replicaCapacityRps(sc);
}

/**
 * Fleet capacity per timeline row of a run of several sites (regions, shards): the sum over
 * the sites of their ready replicas × their own replicaCapacityRps (a region on an A100 serves
 * at the A100's rate, one on T4s at the T4's); null for a single fleet, where
 * replicasReady × replicaCapacityRps(scenario) is the capacity.
 */
export function capacityByRow(result: RunResult): Float64Array | null {
  const shared = sharedGpuCapacity(result);
  if (shared !== null) return shared;
  if (result.siteTimelines.length === 0) return null;
  const out = new Float64Array(result.timeline.rows.length);
  result.siteTimelines.forEach((st, i) => {
    const perReplica = replicaCapacityRps(siteScenario(result.scenario, result.sites[i]?.plan ?? null));
    const ready = st.timeline.columns.indexOf('replicasReady');
    for (let r = 0; r < out.length; r++) out[r]! += (st.timeline.rows[r]?.[ready] ?? NaN) * perReplica;
  });
  return out;
}

/**
 * Capacity of GPUs every model shares (sharing.mode shared): a GPU serves the models' mix, so its peak
 * rate is σ(M) / Σ_m w_m / μ_m requests/s, w_m the model's share of the arrivals (after warmup, from
 * the summary), μ_m its rate alone on a GPU (replicaCapacityRps of its own scenario) and σ(M) =
 * 1 + overlap·(M − 1) the sharing law with all M models' batches running; × the GPUs ready (each holds a
 * replica of every model). A model's own chart (siteChartRuns) draws its share w_m of it. null for
 * anything else (each model's replicas are its own, and replicasReady × μ is their capacity).
 */
function sharedGpuCapacity(result: RunResult): Float64Array | null {
  const topo = result.scenario.topology;
  const models = result.summary.models;
  if (topo?.kind !== 'models' || topo.sharing.mode !== 'shared' || models === undefined) return null;
  const arrived = models.map((m) => m.requests.arrived);
  const total = arrived.reduce((a, b) => a + b, 0);
  // no arrival counted: an equal mix
  const w = arrived.map((a) => (total > 0 ? a / total : 1 / arrived.length));
  const secondsPerRequest = topo.models.reduce((acc, plan, i) => acc + w[i]! / replicaCapacityRps(siteScenario(result.scenario, plan)), 0);
  const sigma = 1 + topo.sharing.overlap * (topo.models.length - 1);
  const perGpu = secondsPerRequest > 0 ? sigma / secondsPerRequest : 0;
  // the whole run, or one model's chart (its own timeline, its one site)
  const own = result.siteTimelines.length === 0 && result.sites.length === 1 ? topo.models.findIndex((m) => m.name === result.sites[0]!.name) : -1;
  const factor = own >= 0 ? w[own]! * perGpu : perGpu;
  const tl = result.siteTimelines.length > 0 ? result.siteTimelines[0]!.timeline : result.timeline;
  const ready = tl.columns.indexOf('replicasReady');
  const out = new Float64Array(result.timeline.rows.length);
  for (let r = 0; r < out.length; r++) out[r] = (tl.rows[r]?.[ready] ?? NaN) * factor;
  return out;
}

/** One chart point: k report intervals summarised (k = 1 when the timeline is short). NaN = not applicable. */
export interface TimePoint {
  /** End of the last interval summarised (s). */
  tS: number;
  /** Arrivals / length of the intervals. */
  arrivalRps: number;
  /** fleetCapacityRps of replicasReady, time-weighted mean. */
  capacityRps: number;
  /** Mean of the intervals' p50. */
  p50Ms: number;
  /** Highest of the intervals' p99 (so spikes survive down-sampling). */
  p99Ms: number;
  /** Lowest of the intervals' p99 (lower edge of the envelope). */
  p99MinMs: number;
  replicasReady: number;
  replicasStarting: number;
  replicasDesired: number;
  /** Highest queue depth seen at the intervals' ends. */
  queueDepth: number;
  gpuUtilization: number;
  cacheHitRate: number;
  /** Highest per-interval cache miss rate (misses/s), so an expiry storm survives down-sampling. */
  cacheMissRate: number;
  /** Cumulative cost at tS. */
  costUsd: number;
  /** Requests rejected (queue full, region down, feature store full) per second over the span. */
  rejectedRps: number;
  /** Requests timed out in a queue per second over the span. */
  timedOutRps: number;
}

export interface Downsampled {
  points: TimePoint[];
  /** Report intervals per point (1 = not down-sampled). */
  intervalsPerPoint: number;
}

/**
 * Summarises `timeline` into at most `maxPoints` points, each column by its declared rule
 * (metrics/timeline.ts COLUMN_RULES: rate, time-weighted mean, max, max and min, cumulative …).
 * Capacity is replicasReady × replicaCapacityRps(sc), or `rowCapacityRps` (one value per row, capacityByRow) when given.
 */
export function downsampleTimeline(timeline: Timeline, sc: Scenario, maxPoints = MAX_CHART_POINTS, rowCapacityRps: ArrayLike<number> | null = null): Downsampled {
  const n = timeline.rows.length;
  const k = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  const tCol = timeline.columns.indexOf('timeS');
  const readyCol = timeline.columns.indexOf('replicasReady');
  const perReplicaRps = replicaCapacityRps(sc);
  const costBase = costAt(timeline, tCol, timeline.columns.indexOf('costUsd'), sc.warmupS);
  const points: TimePoint[] = [];
  const spanS = new Float64Array(k);
  for (let start = 0; start < n; start += k) {
    const end = Math.min(n, start + k);
    const span = spanOf(timeline.rows, tCol, start, end, spanS, sc.warmupS, costBase);
    const col = (name: TimelineColumn): Reduced => reduceColumn(COLUMN_RULES[name].downsample, timeline.columns.indexOf(name), span);
    const capacity = new Mean();
    for (let i = start; i < end; i++) capacity.add(rowCapacityRps !== null ? rowCapacityRps[i]! : timeline.rows[i]![readyCol]! * perReplicaRps, spanS[i - start]!);
    const p99 = col('p99Ms');
    points.push({
      tS: col('timeS').value,
      arrivalRps: col('arrivals').value,
      capacityRps: capacity.value(),
      p50Ms: col('p50Ms').value,
      p99Ms: p99.value,
      p99MinMs: p99.low,
      replicasReady: col('replicasReady').value,
      replicasStarting: col('replicasStarting').value,
      replicasDesired: col('replicasDesired').value,
      queueDepth: col('queueDepth').value,
      gpuUtilization: col('gpuUtilization').value,
      cacheHitRate: col('cacheHitRate').value,
      cacheMissRate: col('cacheMissRate').value,
      // counted from the end of the warmup, as the summary's cost (the cost card) counts
      costUsd: col('costUsd').value,
      rejectedRps: col('rejected').value,
      timedOutRps: col('timedOut').value,
    });
  }
  return { points, intervalsPerPoint: k };
}

/** Rows [start, end) as one span: each row's length (into `spanS`) and the span's. */
function spanOf(rows: readonly Float64Array[], tCol: number, start: number, end: number, spanS: Float64Array, warmupS: number, base: number): Span {
  let durS = 0;
  let prevT = start > 0 ? rows[start - 1]![tCol]! : 0;
  for (let i = start; i < end; i++) {
    const t = rows[i]![tCol]!;
    const d = Math.max(0, t - prevT);
    prevT = t;
    spanS[i - start] = d;
    durS += d;
  }
  return { rows, start, end, spanS, durS, lastS: rows[end - 1]![tCol]!, warmupS, base };
}

/** A point field of downsampleRows: the row column it reads, how it summarises a span, and (for 'max and min') the field taking the lowest row. */
export interface RowField<F extends string> {
  name: F;
  col: number;
  how: Exclude<Downsample, 'cumulative since warmup'>;
  low?: F;
}

/**
 * Any timeline's rows (time in column `tCol`, in seconds at each interval's end) summarised into at
 * most `maxPoints` points by the same rules as downsampleTimeline's columns (a rate, a time-weighted
 * mean, the max and min …): for timelines that are not the request-level Timeline (LLM runs).
 */
export function downsampleRows<F extends string>(rows: readonly Float64Array[], tCol: number, fields: readonly RowField<F>[], maxPoints = MAX_CHART_POINTS): LineChartRun<F> & { label: '' } {
  const n = rows.length;
  const k = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  const spanS = new Float64Array(k);
  const points: ({ tS: number } & Record<F, number>)[] = [];
  for (let start = 0; start < n; start += k) {
    const span = spanOf(rows, tCol, start, Math.min(n, start + k), spanS, 0, 0);
    const p = { tS: span.lastS } as { tS: number } & Record<F, number>;
    for (const f of fields) {
      const r = reduceColumn(f.how, f.col, span);
      (p as Record<F, number>)[f.name] = r.value;
      if (f.low !== undefined) (p as Record<F, number>)[f.low] = r.low;
    }
    points.push(p);
  }
  return { label: '', points, intervalsPerPoint: k };
}

/** k consecutive rows [start, end) summarised into one point. */
interface Span {
  rows: readonly Float64Array[];
  start: number;
  end: number;
  /** Each row's length (index i − start) and their sum. */
  spanS: Float64Array;
  durS: number;
  /** The last row's time. */
  lastS: number;
  warmupS: number;
  /** A cumulative column's value at the end of the warmup. */
  base: number;
}

/** A column over a span: its value, and (for 'max and min') its lowest row. */
interface Reduced {
  value: number;
  low: number;
}

/** One column over a span, by its declared down-sampling rule; NaN cells are skipped. */
function reduceColumn(how: Downsample, c: number, s: Span): Reduced {
  const { rows, start, end } = s;
  switch (how) {
    case 'last':
      return { value: rows[end - 1]![c]!, low: NaN };
    case 'rate': {
      let sum = 0;
      for (let i = start; i < end; i++) if (rows[i]![c] === rows[i]![c]) sum += rows[i]![c]!;
      return { value: s.durS > 0 ? sum / s.durS : NaN, low: NaN };
    }
    case 'time-weighted mean':
    case 'mean': {
      const m = new Mean();
      for (let i = start; i < end; i++) m.add(rows[i]![c]!, how === 'mean' ? 1 : s.spanS[i - start]!);
      return { value: m.value(), low: NaN };
    }
    case 'max':
    case 'max and min': {
      let hi = NaN;
      let lo = NaN;
      for (let i = start; i < end; i++) {
        hi = nanMax(hi, rows[i]![c]!);
        lo = nanMin(lo, rows[i]![c]!);
      }
      return { value: hi, low: lo };
    }
    case 'cumulative since warmup': {
      let last = NaN;
      for (let i = start; i < end; i++) if (rows[i]![c] === rows[i]![c]) last = rows[i]![c]!;
      return { value: s.lastS >= s.warmupS ? last - s.base : NaN, low: NaN };
    }
  }
}

/** The cumulative cost column at time `tS`, linear between rows (0 at t = 0). */
function costAt(timeline: Timeline, tCol: number, costCol: number, tS: number): number {
  if (!(tS > 0)) return 0;
  let prevT = 0;
  let prevC = 0;
  for (const r of timeline.rows) {
    const t = r[tCol]!;
    const v = r[costCol]!;
    if (v !== v) continue;
    if (t >= tS) return t === prevT ? v : prevC + ((v - prevC) * (tS - prevT)) / (t - prevT);
    prevT = t;
    prevC = v;
  }
  return prevC;
}

/** Weighted mean skipping NaN; a zero-length interval still counts when it is the only one. */
class Mean {
  private sum = 0;
  private weight = 0;
  private any = NaN;
  add(v: number, w: number): void {
    if (v !== v) return;
    this.any = v;
    this.sum += v * w;
    this.weight += w;
  }
  value(): number {
    return this.weight > 0 ? this.sum / this.weight : this.any;
  }
}

function nanMax(a: number, b: number): number {
  if (b !== b) return a;
  return a !== a || b > a ? b : a;
}

function nanMin(a: number, b: number): number {
  if (b !== b) return a;
  return a !== a || b < a ? b : a;
}

/** Compiles a vega-lite spec and renders it headless (no DOM, no canvas) to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A chart ready for the page: its SVG, or null with the reason it was left out. */
export interface RenderedChart {
  id: string;
  title: string;
  /** One sentence under the chart (how to read it, down-sampling). */
  note: string;
  svg: string | null;
  /** Why the chart was skipped (svg null). */
  skipped: string | null;
}

/** One run in a time chart; `label` is its legend entry in overlay mode. */
export interface ChartRun {
  label: string;
  result: RunResult;
}

/**
 * The runs drawn in a report's per-site charts (regions, shards): each site's timeline with the
 * scenario that site runs, so that its capacity line is its own fleet's (a region on an A100
 * is drawn at the A100's rate, not at the run's top-level T4 rate).
 */
export function siteChartRuns(result: RunResult): ChartRun[] {
  return result.siteTimelines.map((st, i) => ({
    label: st.name,
    result: { ...result, timeline: st.timeline, scenario: siteScenario(result.scenario, result.sites[i]?.plan ?? null), sites: result.sites.slice(i, i + 1), siteTimelines: [] },
  }));
}

type PointField = Exclude<keyof TimePoint, 'tS'>;

/** One line of a time chart: the point field it draws, its legend label, colour and dash. */
export interface SeriesDef<F extends string = PointField> {
  field: F;
  label: string;
  color: string;
  dash: number[];
}

/** How a time chart draws its points (any point type with a time tS and the fields F). */
export interface LineChartDef<F extends string> {
  yTitle: string;
  series: SeriesDef<F>[];
  interpolate: 'linear' | 'step-after';
  yFormat?: string;
  /** Counts: no fractional ticks. */
  integerY?: boolean;
  yDomain?: [number, number];
  /** Use a log y scale when the values span more than this ratio. */
  logAboveRatio?: number;
  /** Min–max envelope drawn when points summarise several intervals. */
  band?: { lo: F; hi: F };
}

/** The points of one run in a time chart. */
export interface LineChartRun<F extends string> {
  label: string;
  points: readonly ({ tS: number } & Record<F, number>)[];
  intervalsPerPoint: number;
}

interface TimeChartDef extends LineChartDef<PointField> {
  id: string;
  title: string;
  /** The timeline columns the chart draws; all empty → the chart is skipped. */
  columns: TimelineColumn[];
  rules?: (sc: Scenario) => { valueY: number; label: string }[];
  note: string;
  /** How a point summarises several intervals, for the note under a down-sampled chart. */
  downsampled: string;
  skippedWhy: string;
}

export const SOLID: number[] = [1, 0];
export const DASHED: number[] = [6, 3];
export const DOTTED: number[] = [2, 2];

/** The replicas chart's lines (request-level and LLM reports alike): ready, starting, desired. */
export const REPLICA_SERIES: SeriesDef<'replicasReady' | 'replicasStarting' | 'replicasDesired'>[] = [
  { field: 'replicasReady', label: 'ready', color: '#2ca02c', dash: SOLID },
  { field: 'replicasStarting', label: 'starting', color: '#ff7f0e', dash: DOTTED },
  { field: 'replicasDesired', label: 'desired', color: '#555555', dash: DASHED },
];

const SLO_COLOR = '#c62828';

const TIME_CHARTS: TimeChartDef[] = [
  {
    id: 'arrivals',
    title: 'Arrival rate and fleet capacity',
    yTitle: 'requests/s',
    columns: ['arrivals', 'replicasReady'],
    series: [
      { field: 'arrivalRps', label: 'arrival rate', color: '#1f77b4', dash: SOLID },
      { field: 'capacityRps', label: 'fleet capacity', color: '#7f7f7f', dash: DASHED },
    ],
    interpolate: 'linear',
    note: 'Fleet capacity = ready replicas × b / latency(b) (× instance overlap), each site at its own GPU and latency table, b the batch a saturated replica runs (maxBatch; the largest preferred size when maxQueueDelay is 0): the peak service rate; arrivals above it make the queues grow.',
    downsampled: 'rates over the whole span, capacity a time-weighted mean',
    skippedWhy: 'no arrivals recorded',
  },
  {
    id: 'latency',
    title: 'Latency',
    yTitle: 'latency (ms)',
    columns: ['p50Ms', 'p99Ms'],
    series: [
      { field: 'p50Ms', label: 'p50', color: '#1f77b4', dash: DASHED },
      { field: 'p99Ms', label: 'p99', color: '#ff7f0e', dash: SOLID },
    ],
    interpolate: 'linear',
    logAboveRatio: 50,
    band: { lo: 'p99MinMs', hi: 'p99Ms' },
    rules: (sc) => {
      const out: { valueY: number; label: string }[] = [];
      for (const p of ['p50', 'p99'] as const) {
        const t = sc.slo.latencyS[p];
        if (t !== undefined) out.push({ valueY: t * 1e3, label: `SLO ${p} ${trimNumber(t * 1e3)} ms` });
      }
      return out;
    },
    note: 'Per report interval, over the requests completed in it.',
    downsampled: 'p50 is the mean, p99 the highest, the band spans the lowest to the highest p99',
    skippedWhy: 'no request completed',
  },
  {
    id: 'failures',
    title: 'Failures',
    yTitle: 'requests/s',
    columns: ['rejected', 'timedOut'],
    series: [
      { field: 'rejectedRps', label: 'rejected', color: '#b3261e', dash: SOLID },
      { field: 'timedOutRps', label: 'timed out', color: '#ff7f0e', dash: DASHED },
    ],
    interpolate: 'step-after',
    note: 'Requests refused (a full queue, a region down, a full feature store) and requests that waited past the queue timeout, per second of each report interval; both count as errors against the SLO.',
    downsampled: 'rates over the whole span',
    skippedWhy: 'no request counted',
  },
  {
    id: 'replicas',
    title: 'Replicas',
    yTitle: 'replicas',
    columns: ['replicasDesired', 'replicasStarting', 'replicasReady'],
    series: REPLICA_SERIES,
    interpolate: 'step-after',
    integerY: true,
    note: 'Levels at the end of each report interval.',
    downsampled: 'time-weighted means',
    skippedWhy: 'no replica counts recorded',
  },
  {
    id: 'queue',
    title: 'Queue depth',
    yTitle: 'requests waiting',
    columns: ['queueDepth'],
    series: [{ field: 'queueDepth', label: 'queue depth', color: '#9467bd', dash: SOLID }],
    interpolate: 'linear',
    integerY: true,
    note: 'Requests waiting in all queues at the end of each report interval.',
    downsampled: 'the highest depth',
    skippedWhy: 'no queue depth recorded',
  },
  {
    id: 'gpu',
    title: 'GPU utilization',
    yTitle: 'busy share of ready time',
    columns: ['gpuUtilization'],
    series: [{ field: 'gpuUtilization', label: 'GPU utilization', color: '#d62728', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '.0%',
    yDomain: [0, 1],
    note: 'Share of ready replica time in which the GPU executes at least one batch (what nvidia-smi reports).',
    downsampled: 'time-weighted means',
    skippedWhy: 'no replica was ready',
  },
  {
    id: 'cache',
    title: 'Cache hit rate',
    yTitle: 'hit rate',
    columns: ['cacheHitRate'],
    series: [{ field: 'cacheHitRate', label: 'cache hit rate', color: '#17becf', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '.0%',
    yDomain: [0, 1],
    note: 'Lookups answered from the cache / lookups, per report interval.',
    downsampled: 'time-weighted means',
    skippedWhy: 'no cache in this scenario',
  },
  {
    id: 'cache-misses',
    title: 'Cache misses',
    yTitle: 'misses/s',
    columns: ['cacheMissRate'],
    series: [{ field: 'cacheMissRate', label: 'misses sent to the model', color: '#e377c2', dash: SOLID }],
    interpolate: 'linear',
    note: 'Requests per second that missed the cache and went to the model; entries filled together expire together, and their misses come back as a wave every TTL.',
    downsampled: 'the highest rate',
    skippedWhy: 'no keyed cache in this scenario',
  },
  {
    id: 'cost',
    title: 'Cumulative cost',
    yTitle: 'USD after warmup',
    columns: ['costUsd'],
    series: [{ field: 'costUsd', label: 'cost', color: '#8c564b', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '$,.4~g',
    note: 'GPU, cache and egress cost accumulated from the end of the warmup, as the cost card counts it (its last value is the run\u2019s cost).',
    downsampled: 'the value at the end of the span',
    skippedWhy: 'no cost recorded',
  },
];

/** Ids of the time charts in page order. */
export const TIME_CHART_IDS: readonly string[] = TIME_CHARTS.map((c) => c.id);

export interface TimeAxis {
  divisorS: number;
  unit: string;
}

/** Seconds up to 10 min, minutes up to 5 h, hours beyond: axis labels people can read. */
export function timeAxis(endS: number): TimeAxis {
  if (endS > 5 * 3600) return { divisorS: 3600, unit: 'h' };
  if (endS > 600) return { divisorS: 60, unit: 'min' };
  return { divisorS: 1, unit: 's' };
}

export function trimNumber(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** True when every row of every run has NaN in all the given columns. */
function allEmpty(runs: ChartRun[], columns: TimelineColumn[]): boolean {
  for (const { result } of runs) {
    const tl = result.timeline;
    for (const name of columns) {
      const i = tl.columns.indexOf(name);
      for (const r of tl.rows) if (r[i] === r[i]) return false;
    }
  }
  return true;
}

/**
 * The time charts of one run (`overlay` false: colour = series) or of several runs
 * overlaid (`overlay` true: colour = run label, dash = series), in page order.
 */
export async function timeCharts(runs: ChartRun[], overlay: boolean, maxPoints = MAX_CHART_POINTS, only: readonly string[] | null = null): Promise<RenderedChart[]> {
  const sampled = runs.map((r) => downsampleTimeline(r.result.timeline, r.result.scenario, maxPoints, capacityByRow(r.result)));
  const endS = Math.max(0, ...runs.map((r) => r.result.summary.simulatedSeconds));
  const axis = timeAxis(endS);
  const k = Math.max(1, ...sampled.map((s) => s.intervalsPerPoint));
  const markers = dedupeMarkers(runs.flatMap((r) => scenarioMarkers(r.result.scenario, r.result.summary.simulatedSeconds)));
  const out: RenderedChart[] = [];
  for (const def of TIME_CHARTS) {
    if (only !== null && !only.includes(def.id)) continue;
    if (allEmpty(runs, def.columns)) {
      out.push({ id: def.id, title: def.title, note: def.note, svg: null, skipped: def.skippedWhy });
      continue;
    }
    const spec = timeChartSpec(def, runs, sampled, axis, overlay, markers);
    let note = def.note;
    if (def.id === 'arrivals' && runs.some((r) => r.result.scenario.topology?.kind === 'models' && r.result.scenario.topology.sharing.mode === 'shared')) {
      note += ' On GPUs every model shares: GPUs ready × σ(M) / Σ w_m/μ_m, the rate of the models\u2019 mix (w_m a model\u2019s share of the arrivals, μ_m its rate alone on a GPU, σ(M) = 1 + overlap·(M − 1)); a model\u2019s own chart draws its share w_m of it.';
    }
    if (markers.length > 0) note += ` Shaded: ${[...new Set(markers.map((m) => m.legend))].join(', ')}.`;
    if (k > 1) {
      note += ` Each point summarises up to ${k} report intervals: ${def.downsampled}.`;
    }
    out.push({ id: def.id, title: def.title, note, svg: await renderSvg(spec), skipped: null });
  }
  return out;
}

const WIDTH = 950;
const HEIGHT = 190;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

const BASE_CONFIG = {
  font: FONT,
  view: { stroke: '#e0e0e0' },
  axis: { labelColor: '#444', titleColor: '#333', gridColor: '#eee', titleFontWeight: 'normal' as const },
  // a fixed y-axis width lines the time axes of the stacked charts up
  axisY: { minExtent: 48, maxExtent: 48 },
  legend: { orient: 'top' as const, labelLimit: 400, symbolType: 'stroke' },
};

/** Something on the time axis a report marks: the warmup, a scenario event, a traffic step or spike. */
export interface TimeMarker {
  /** Start (s). */
  t0: number;
  /** End (s) of a span; null for an instant (a vertical line). */
  t1: number | null;
  /** Short label drawn at the top of the chart. */
  label: string;
  /** What the shading means, for the note under the chart. */
  legend: string;
  color: string;
}

const WARMUP_COLOR = '#9e9e9e';
const EVENT_COLOR = '#6a3d9a';
const TRAFFIC_COLOR = '#1f77b4';
const OUTAGE_COLOR = '#b3261e';

/** The warmup shaded on a time chart ending at `end`. */
export function warmupMarker(warmupS: number, end: number): TimeMarker {
  return { t0: 0, t1: Math.min(warmupS, end), label: 'warmup', legend: 'grey = warmup (not counted)', color: WARMUP_COLOR };
}

/** A traffic step at `atS` to `rps` (already scaled) as a line on a time chart. */
export function trafficStepMarker(atS: number, rps: number): TimeMarker {
  return { t0: atS, t1: null, label: `step → ${trimNumber(rps)}/s`, legend: 'blue = traffic steps, ramps and spikes', color: TRAFFIC_COLOR };
}

/**
 * The markers of a scenario over [0, endS]: the warmup (not counted), its events (replica
 * crashes, cache flushes, region outages as spans) and its traffic's steps, ramps and spikes.
 */
export function scenarioMarkers(sc: Scenario, endS: number): TimeMarker[] {
  const out: TimeMarker[] = [];
  const end = endS > 0 ? endS : sc.durationS;
  if (sc.warmupS > 0) out.push(warmupMarker(sc.warmupS, end));
  for (const e of sc.events) {
    if (e.atS > end) continue;
    if (e.kind === 'replica-crash') out.push({ t0: e.atS, t1: null, label: `crash ×${e.count}`, legend: 'purple lines = events', color: EVENT_COLOR });
    else if (e.kind === 'cache-flush') out.push({ t0: e.atS, t1: null, label: 'cache flush', legend: 'purple lines = events', color: EVENT_COLOR });
    else out.push({ t0: e.atS, t1: Math.min(end, e.atS + e.forS), label: `${e.region} down`, legend: 'red = region outage', color: OUTAGE_COLOR });
  }
  const t = sc.traffic;
  if (t.trace === null) {
    const scale = t.scale ?? 1;
    t.schedule.forEach((step, i) => {
      if (i === 0 && step.atS === 0) return;
      if (step.atS > end) return;
      const rps = trimNumber(step.rps * scale);
      if (step.rampS > 0) out.push({ t0: step.atS, t1: Math.min(end, step.atS + step.rampS), label: `ramp → ${rps}/s`, legend: 'blue = traffic steps, ramps and spikes', color: TRAFFIC_COLOR });
      else out.push(trafficStepMarker(step.atS, step.rps * scale));
    });
    for (const sp of t.spikes) {
      if (sp.atS > end) continue;
      out.push({ t0: sp.atS, t1: Math.min(end, sp.atS + sp.forS), label: `spike ×${trimNumber(sp.factor)}`, legend: 'blue = traffic steps, ramps and spikes', color: TRAFFIC_COLOR });
    }
  }
  return out;
}

export function dedupeMarkers(markers: TimeMarker[]): TimeMarker[] {
  const seen = new Set<string>();
  return markers.filter((m) => {
    const key = `${m.t0}/${m.t1}/${m.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Layers drawing `markers` behind a time chart: spans shaded, instants as dashed lines, each labelled at the top. */
function markerLayers(markers: TimeMarker[], axis: TimeAxis, x: { field: string; type: 'quantitative'; title: string; scale: { nice: boolean; zero: boolean } }): Layer[] {
  if (markers.length === 0) return [];
  const rows = markers.map((m) => ({ t: m.t0 / axis.divisorS, t2: m.t1 === null ? null : m.t1 / axis.divisorS, label: m.label, color: m.color }));
  const layers: Layer[] = [];
  // one layer per colour (a fixed mark colour: the chart's colour scale belongs to its series)
  for (const color of [...new Set(rows.map((r) => r.color))]) {
    const mine = rows.filter((r) => r.color === color);
    const spans = mine.filter((r) => r.t2 !== null);
    const instants = mine.filter((r) => r.t2 === null);
    if (spans.length > 0) layers.push({ data: { values: spans }, mark: { type: 'rect', opacity: 0.1, color }, encoding: { x, x2: { field: 't2' } } });
    if (instants.length > 0) layers.push({ data: { values: instants }, mark: { type: 'rule', strokeDash: [3, 3], strokeWidth: 1.2, color }, encoding: { x } });
    // labels only while they can be read (a few markers)
    if (rows.length <= 8) {
      layers.push({
        data: { values: mine },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color },
        encoding: { x, y: { value: 0 }, text: { field: 'label' } },
      });
    }
  }
  return layers;
}

function timeChartSpec(def: TimeChartDef, runs: ChartRun[], sampled: Downsampled[], axis: TimeAxis, overlay: boolean, markers: TimeMarker[] = []): TopLevelSpec {
  // every run's SLO targets, once each (compared variants usually share them)
  const rules = def.rules ? dedupeRules(runs.flatMap((r) => def.rules!(r.result.scenario))) : [];
  return lineChartSpec(def, runs.map((r, i) => ({ label: r.label, points: sampled[i]!.points, intervalsPerPoint: sampled[i]!.intervalsPerPoint })), rules, axis, overlay, markers);
}

/**
 * The vega-lite spec of one time chart: each run's points as lines (`overlay` false: colour =
 * series; true: colour = run, dash = series), the min–max band of down-sampled points, horizontal
 * `rules` (SLO targets) and `markers` (warmup, events, traffic steps) behind.
 */
export function lineChartSpec<F extends string>(def: LineChartDef<F>, runs: LineChartRun<F>[], rules: { valueY: number; label: string }[], axis: TimeAxis, overlay: boolean, markers: TimeMarker[] = []): TopLevelSpec {
  const rows: Record<string, string | number | null>[] = [];
  const bandRows: Record<string, string | number | null>[] = [];
  let minPos = Infinity;
  let maxPos = 0;
  runs.forEach((run) => {
    const s = run;
    for (const p of s.points) {
      const t = p.tS / axis.divisorS;
      for (const sd of def.series) {
        const v = finite(p[sd.field]);
        rows.push({ t, value: v, series: sd.label, run: run.label });
        if (v !== null && v > 0) {
          minPos = Math.min(minPos, v);
          maxPos = Math.max(maxPos, v);
        }
      }
      if (def.band && s.intervalsPerPoint > 1) {
        const lo = finite(p[def.band.lo]);
        const hi = finite(p[def.band.hi]);
        if (lo !== null && hi !== null) bandRows.push({ t, lo, hi, run: run.label });
      }
    }
  });
  for (const r of rules) {
    minPos = Math.min(minPos, r.valueY);
    maxPos = Math.max(maxPos, r.valueY);
  }
  const log = def.logAboveRatio !== undefined && minPos > 0 && maxPos / minPos > def.logAboveRatio;
  const labels = def.series.map((s) => s.label);
  const runLabels = runs.map((r) => r.label);
  const yScale: ScaleDef = log ? { type: 'log' } : { zero: true };
  if (def.yDomain) yScale.domain = def.yDomain;
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: log ? `${def.yTitle}, log scale` : def.yTitle,
    scale: yScale,
    axis: { ...(def.yFormat ? { format: def.yFormat } : {}), ...(def.integerY ? { tickMinStep: 1, format: ',d' } : {}), ...(log ? { tickCount: 5 } : {}) },
  };
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: `time (${axis.unit})`,
    scale: { nice: false, zero: true },
  };
  const columns = overlay ? runLegendColumns(runLabels, labels.length > 1 ? labels : []) : 0;
  // more runs than the default palette's 10 colours: 20, so no two runs share one
  const runScale = runLabels.length > 10 ? { domain: runLabels, scheme: 'tableau20' as const } : { domain: runLabels };
  const color = overlay
    ? { field: 'run', type: 'nominal' as const, title: null, scale: runScale, ...(columns > 0 ? { legend: { columns } } : {}) }
    : { field: 'series', type: 'nominal' as const, title: null, scale: { domain: labels, range: def.series.map((s) => s.color) } };
  const strokeDash = overlay
    ? { field: 'series', type: 'nominal' as const, title: null, scale: { domain: labels, range: def.series.map((s) => s.dash) }, legend: labels.length > 1 ? {} : null }
    : { field: 'series', type: 'nominal' as const, title: null, scale: { domain: labels, range: def.series.map((s) => s.dash) } };
  const layers: Layer[] = markerLayers(markers, axis, x);
  if (bandRows.length > 0) {
    const p99 = def.series.find((s) => s.field === def.band!.hi);
    layers.push({
      data: { values: bandRows },
      mark: { type: 'area', opacity: 0.2, interpolate: def.interpolate },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', scale: yScale },
        y2: { field: 'hi' },
        ...(overlay ? { color: { field: 'run', type: 'nominal', scale: runScale, legend: null } } : { color: { value: p99?.color ?? '#999' } }),
      },
    });
  }
  layers.push({
    data: { values: rows },
    mark: { type: 'line', interpolate: def.interpolate, strokeWidth: 1.6, clip: true },
    encoding: { x, y, color, strokeDash },
  });
  if (rules.length > 0) {
    layers.push({
      data: { values: rules.map((r) => ({ value: r.valueY, label: r.label })) },
      layer: [
        { mark: { type: 'rule', color: SLO_COLOR, strokeDash: [4, 3], strokeWidth: 1.4 }, encoding: { y: { field: 'value', type: 'quantitative', scale: yScale } } },
        {
          mark: { type: 'text', color: SLO_COLOR, align: 'right', baseline: 'bottom', dx: -4, dy: -3, fontSize: 11 },
          encoding: { y: { field: 'value', type: 'quantitative', scale: yScale }, x: { value: WIDTH }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 8,
    config: BASE_CONFIG,
    layer: layers,
  };
}

/**
 * Columns of an overlaid chart's run legend: 0 (one row, the default of a top legend) while the
 * runs' entries fit in one row beside the series legend; a grid when they do not (a compare of
 * many variants), so the legend does not widen the chart and make the page shrink it.
 * Widths are estimated on the generous side (a 10 px label is 5–6 px per character): 7 px per
 * character and 28 px of symbol and padding per entry, 40 px between the two legends.
 */
function runLegendColumns(runLabels: readonly string[], seriesLabels: readonly string[]): number {
  const entry = (l: string): number => 7 * l.length + 28;
  const series = seriesLabels.reduce((a, l) => a + entry(l), 0) + (seriesLabels.length > 0 ? 40 : 0);
  const runs = runLabels.reduce((a, l) => a + entry(l), 0);
  if (series + runs <= WIDTH) return 0;
  return Math.max(1, Math.floor((WIDTH - series) / Math.max(...runLabels.map(entry))));
}

function dedupeRules(rules: { valueY: number; label: string }[]): { valueY: number; label: string }[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    if (seen.has(r.label)) return false;
    seen.add(r.label);
    return true;
  });
}

/** One grid point of a sweep as the sweep report draws it. */
export interface SweepPoint {
  values: Record<string, string | number>;
  p99Ms: number;
  /** Lowest and highest p99 over seeds (drawn as an error bar when given). */
  p99MsLo?: number;
  p99MsHi?: number;
  /** The run's cost (over the simulated time). */
  costUsd: number;
  /** The 730-hour monthly projection, what the ★ rule compares; the cost chart draws it when every point has it. */
  monthlyUsd?: number;
  sloMet: boolean;
}

/** Legend label of a point's line: the values of the varied paths after the first ("all" when only one varies; path=value when several). */
export function sweepGroupLabel(point: SweepPoint, varied: string[]): string {
  if (varied.length <= 1) return 'all';
  if (varied.length === 2) return String(point.values[varied[1]!]);
  return varied
    .slice(1)
    .map((p) => `${p}=${String(point.values[p])}`)
    .join(', ');
}

/** How a sweep's varied paths map onto a chart: the x axis, small multiples (facets), colour. */
export interface SweepLayout {
  /** The path on the x axis (null: no varied path, x is the point number). */
  x: string | null;
  /** True when every x value is a number (a line through the points); false: a categorical axis (points only). */
  numericX: boolean;
  /** The path drawn as small multiples, one panel per value (null: one panel). */
  facet: string | null;
  /** The paths whose combined values pick the colour (empty: one colour). */
  color: string[];
}

/** Distinct values of `path` over `points`, in first-seen order. */
function distinctValues(points: SweepPoint[], path: string): (string | number)[] {
  const seen = new Set<string | number>();
  for (const p of points) seen.add(p.values[path]!);
  return [...seen];
}

/**
 * Picks the layout: x is the numeric path with the most values (the last such path on a tie: a
 * replica count, usually), or the path with the most values when none is numeric. One path left
 * takes the colour (a panel per value when it has more than 6); two or more: the first categorical
 * one (else the first) makes the panels and the rest the colour. Paths with a single value are left out.
 */
export function sweepLayout(points: SweepPoint[], varied: string[]): SweepLayout {
  const live = varied.filter((v) => distinctValues(points, v).length > 1);
  if (live.length === 0) {
    const only = varied[0] ?? null;
    return { x: only, numericX: only === null || points.every((p) => typeof p.values[only] === 'number'), facet: null, color: [] };
  }
  const isNumeric = (v: string): boolean => points.every((p) => typeof p.values[v] === 'number');
  const count = (v: string): number => distinctValues(points, v).length;
  const numeric = live.filter(isNumeric);
  const pool = numeric.length > 0 ? numeric : live;
  let x = pool[0]!;
  for (const v of pool) if (count(v) >= count(x)) x = v;
  const rest = live.filter((v) => v !== x);
  if (rest.length === 0) return { x, numericX: isNumeric(x), facet: null, color: [] };
  if (rest.length === 1) {
    const only = rest[0]!;
    return count(only) > 6 ? { x, numericX: isNumeric(x), facet: only, color: [] } : { x, numericX: isNumeric(x), facet: null, color: [only] };
  }
  const facet = rest.find((v) => !isNumeric(v)) ?? rest[0]!;
  return { x, numericX: isNumeric(x), facet, color: rest.filter((v) => v !== facet) };
}

/** Total width a sweep chart may take (inside a report's figure at 100 % zoom). */
const SWEEP_WIDTH = 960;
/** Height of one panel. */
const SWEEP_HEIGHT = 220;
/** Most panels side by side; more wrap onto further rows. */
const SWEEP_COLUMNS = 3;
const SWEEP_SPACING = 24;

/**
 * The sweep charts: p99 and monthly cost against the x path of sweepLayout, a panel per value of
 * the facet path, a colour per combination of the other paths; the SLO line in every panel, misses
 * as crosses, the ★ point (the cheapest meeting the SLO) starred and ringed.
 */
export async function sweepCharts(input: { points: SweepPoint[]; varied: string[]; sloP99Ms: number | null; chosenIndex: number | null }): Promise<RenderedChart[]> {
  const { points, varied, sloP99Ms, chosenIndex } = input;
  const layout = sweepLayout(points, varied);
  const xPath = layout.x ?? 'point';
  const label = (p: SweepPoint): string =>
    layout.color.length === 1 ? String(p.values[layout.color[0]!]) : layout.color.map((c) => `${c}=${String(p.values[c])}`).join(', ');
  const groups = layout.color.length > 0 ? [...new Set(points.map(label))] : [];
  const facetValues = layout.facet !== null ? distinctValues(points, layout.facet).map(String) : [];
  const monthly = points.length > 0 && points.every((p) => p.monthlyUsd !== undefined && Number.isFinite(p.monthlyUsd));
  const rows = points.map((p, i) => ({
    x: layout.x === null ? i + 1 : layout.numericX ? (p.values[layout.x] as number) : String(p.values[layout.x]),
    group: layout.color.length > 0 ? label(p) : 'all',
    facet: layout.facet !== null ? String(p.values[layout.facet]) : '',
    p99Ms: finite(p.p99Ms),
    lo: p.p99MsLo !== undefined ? finite(p.p99MsLo) : null,
    hi: p.p99MsHi !== undefined ? finite(p.p99MsHi) : null,
    costUsd: finite(monthly ? p.monthlyUsd! : p.costUsd),
    slo: p.sloMet ? 'SLO met' : 'SLO missed',
    chosen: i === chosenIndex,
  }));
  const panels = Math.max(1, facetValues.length);
  const columns = Math.min(panels, SWEEP_COLUMNS);
  // y axis (≈ 60 px) once per row of panels, legend and padding inside SWEEP_WIDTH
  const panelWidth = Math.floor((SWEEP_WIDTH - 70 - (columns - 1) * SWEEP_SPACING) / columns);
  const xValues = layout.x === null ? rows.map((r) => r.x) : distinctValues(points, layout.x);
  const distinctX = layout.numericX ? [...new Set(xValues as number[])].sort((a, b) => a - b) : [];
  const xDomain = layout.numericX ? undefined : xValues.map(String);
  const x = {
    field: 'x',
    type: layout.numericX ? ('quantitative' as const) : ('nominal' as const),
    title: xPath,
    ...(layout.numericX
      ? { scale: { zero: false, nice: false, padding: 14 }, axis: distinctX.length <= 12 ? { values: distinctX, labelFlush: false, format: '~g' } : { labelFlush: false } }
      : { scale: { domain: xDomain, paddingInner: 0.3 }, sort: xDomain, axis: { labelAngle: 0 } }),
  };
  // categorical x with several colours: the colours side by side within each category
  const xOffset = !layout.numericX && groups.length > 1 ? { xOffset: { field: 'group', type: 'nominal' as const, scale: { domain: groups } } } : {};
  const longest = Math.max(0, ...groups.map((g) => g.length));
  const legendColumns = Math.max(1, Math.min(groups.length, Math.floor(700 / (longest * 7 + 30))));
  const color =
    groups.length > 1
      ? {
          field: 'group',
          type: 'nominal' as const,
          title: layout.color.join(', '),
          scale: { domain: groups },
          legend: { orient: 'top' as const, columns: legendColumns, labelLimit: 300, titleLimit: 400 },
        }
      : { value: '#1f77b4' };
  const shape = {
    field: 'slo',
    type: 'nominal' as const,
    title: null,
    scale: { domain: ['SLO met', 'SLO missed'], range: ['circle', 'cross'] },
    legend: { orient: 'top' as const },
  };

  const positive = rows.flatMap((r) => [r.p99Ms, r.lo, r.hi]).filter((v): v is number => v !== null && v > 0);
  if (sloP99Ms !== null) positive.push(sloP99Ms);
  const log = positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 50;
  const yScaleP99: ScaleDef = log ? { type: 'log' } : { zero: true };

  const measureLayers = (field: 'p99Ms' | 'costUsd', yScale: ScaleDef, yTitle: string, yFormat?: string): Layer[] => {
    const y = { field, type: 'quantitative' as const, title: yTitle, scale: yScale, ...(yFormat ? { axis: { format: yFormat } } : {}) };
    const layers: Layer[] = [];
    if (field === 'p99Ms' && rows.some((r) => r.lo !== null && r.hi !== null)) {
      layers.push({
        transform: [{ filter: 'datum.lo != null && datum.hi != null' }],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, ...xOffset, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color },
      });
    }
    // a line only along a numeric axis: GPU types or routings are not a continuum
    if (layout.numericX) layers.push({ mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color } });
    layers.push({ mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x, ...xOffset, y, color, shape } });
    if (field === 'p99Ms' && sloP99Ms !== null) {
      layers.push({ mark: { type: 'rule', color: SLO_COLOR, strokeDash: [4, 3], strokeWidth: 1.4 }, encoding: { y: { datum: sloP99Ms, type: 'quantitative', scale: yScale } } });
      layers.push({
        mark: { type: 'text', color: SLO_COLOR, align: 'right', baseline: 'bottom', dx: -2, dy: -3, fontSize: 11 },
        encoding: { y: { datum: sloP99Ms, type: 'quantitative', scale: yScale }, x: { value: panelWidth }, text: { value: `SLO p99 ${trimNumber(sloP99Ms)} ms` } },
      });
    }
    if (chosenIndex !== null && rows[chosenIndex] !== undefined) {
      layers.push({
        transform: [{ filter: 'datum.chosen' }],
        mark: { type: 'point', filled: false, size: 300, strokeWidth: 2, color: '#111' },
        encoding: { x, ...xOffset, y },
      });
      layers.push({
        transform: [{ filter: 'datum.chosen' }],
        mark: { type: 'text', dy: -15, fontSize: 15, fontWeight: 'bold', color: '#111' },
        encoding: { x, ...xOffset, y, text: { value: '★' } },
      });
    }
    return layers;
  };

  const config = {
    ...BASE_CONFIG,
    axis: { ...BASE_CONFIG.axis, labelFontSize: 11, titleFontSize: 12 },
    axisY: { minExtent: 44 },
    legend: { ...BASE_CONFIG.legend, symbolType: 'circle', labelFontSize: 11, titleFontSize: 11, direction: 'horizontal' as const },
    header: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' as const, labelFontWeight: 'bold' as const },
  };
  const spec = (layers: Layer[]): TopLevelSpec =>
    (layout.facet !== null
      ? {
          background: 'white',
          padding: 8,
          config,
          data: { values: rows },
          facet: { field: 'facet', type: 'nominal', title: layout.facet, sort: facetValues, header: { labelOrient: 'top', titleOrient: 'top' } },
          columns,
          spacing: SWEEP_SPACING,
          spec: { width: panelWidth, height: SWEEP_HEIGHT, layer: layers },
        }
      : { width: panelWidth, height: SWEEP_HEIGHT + 20, background: 'white', padding: 8, config, data: { values: rows }, layer: layers }) as TopLevelSpec;

  const p99Layers = measureLayers('p99Ms', yScaleP99, log ? 'p99 latency (ms, log scale)' : 'p99 latency (ms)');
  const costLayers = measureLayers('costUsd', { zero: true }, monthly ? 'monthly cost (USD)' : 'cost of the run (USD)', monthly ? '$,.0f' : '$,.4~g');
  const how = [
    `Against ${xPath}`,
    layout.facet !== null ? `a panel per ${layout.facet}` : '',
    groups.length > 1 ? `colour = ${layout.color.join(', ')}` : '',
  ]
    .filter((t) => t !== '')
    .join('; ');
  const note = `${how}. Crosses miss the SLO; ★ (ringed) is the cheapest point meeting it at every seed.`;
  const none = points.length === 0;
  return [
    {
      id: 'sweep-p99',
      title: 'p99 latency',
      note: rows.some((r) => r.lo !== null) ? `${note} Bars span the 95 % confidence interval over seeds.` : note,
      svg: none ? null : await renderSvg(spec(p99Layers)),
      skipped: none ? 'no points' : null,
    },
    {
      id: 'sweep-cost',
      title: monthly ? 'Cost per month' : 'Cost',
      note: monthly ? `${note} Monthly: the run's cost rate over 730 hours, what the ★ compares.` : note,
      svg: none ? null : await renderSvg(spec(costLayers)),
      skipped: none ? 'no points' : null,
    },
  ];
}

/** The probability a latency target's percentile name stands for (p999 → 0.999). */
function percentileProbability(name: string): number | null {
  const m = /^p(\d+)$/.exec(name);
  if (!m) return null;
  const digits = m[1]!;
  // p50 → 0.50, p99 → 0.99, p999 → 0.999
  return Number(`0.${digits}`);
}

/**
 * The latency distribution of each run (after warmup): latency on x, the share of requests
 * slower on a log y axis read as percentiles (p50 at the bottom, p99.99 at the top), the SLO
 * targets as a cross-hair (target latency, target percentile): a curve passing left of it meets it.
 */
export async function latencyDistributionChart(runs: ChartRun[], overlay: boolean): Promise<RenderedChart> {
  const id = 'latency-cdf';
  const title = 'Latency distribution';
  const rows: { ms: number; tail: number; run: string }[] = [];
  for (const r of runs) {
    const cdf = r.result.latencyCdf;
    if (!cdf) continue;
    cdf.p.forEach((p, i) => {
      const ms = cdf.ms[i]!;
      if (p < 1 && ms > 0 && Number.isFinite(ms)) rows.push({ ms, tail: tidyTail(1 - p), run: r.label });
    });
  }
  const note =
    'Latency of the requests counted (after warmup) against the share of requests slower than it, read as a percentile; the SLO target is the red cross-hair: the curve must pass left of it.';
  if (rows.length === 0) return { id, title, note, svg: null, skipped: 'no request completed after warmup' };
  const targets: { ms: number; tail: number; label: string }[] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    for (const [name, s] of Object.entries(r.result.scenario.slo.latencyS)) {
      const q = percentileProbability(name);
      if (q === null || s === undefined) continue;
      const label = `SLO ${name} ${trimNumber(s * 1e3)} ms`;
      if (seen.has(label)) continue;
      seen.add(label);
      targets.push({ ms: s * 1e3, tail: tidyTail(1 - q), label });
    }
  }
  const all = [...rows.map((r) => r.ms), ...targets.map((t) => t.ms)];
  const log = Math.max(...all) / Math.min(...all) > 20;
  const xScale: ScaleDef = log ? { type: 'log' } : { zero: true };
  const x = { field: 'ms', type: 'quantitative' as const, title: log ? 'latency (ms, log scale)' : 'latency (ms)', scale: xScale };
  const y = {
    field: 'tail',
    type: 'quantitative' as const,
    title: 'percentile',
    scale: { type: 'log' as const, domain: [1, 0.0001] },
    axis: { values: [0.5, 0.1, 0.01, 0.001, 0.0001], labelExpr: "'p' + format(100 - 100 * datum.value, '.4~f')" },
  };
  const runLabels = runs.map((r) => r.label);
  const layers: Layer[] = [
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.8, interpolate: 'monotone' },
      encoding: { x, y, ...(overlay ? { color: { field: 'run', type: 'nominal', title: null, scale: { domain: runLabels } } } : { color: { value: '#ff7f0e' } }) },
    },
  ];
  if (targets.length > 0) {
    layers.push({
      data: { values: targets },
      layer: [
        { mark: { type: 'rule', color: SLO_COLOR, strokeDash: [4, 3], strokeWidth: 1.2 }, encoding: { x: { field: 'ms', type: 'quantitative', scale: xScale } } },
        { mark: { type: 'rule', color: SLO_COLOR, strokeDash: [4, 3], strokeWidth: 1.2 }, encoding: { y: { field: 'tail', type: 'quantitative', scale: y.scale } } },
        { mark: { type: 'point', shape: 'cross', color: SLO_COLOR, size: 90, filled: true }, encoding: { x: { field: 'ms', type: 'quantitative', scale: xScale }, y: { field: 'tail', type: 'quantitative', scale: y.scale } } },
        {
          mark: { type: 'text', color: SLO_COLOR, align: 'left', baseline: 'bottom', dx: 5, dy: -4, fontSize: 11 },
          encoding: { x: { field: 'ms', type: 'quantitative', scale: xScale }, y: { field: 'tail', type: 'quantitative', scale: y.scale }, text: { field: 'label' } },
        },
      ],
    });
  }
  const spec: TopLevelSpec = { width: WIDTH, height: 240, background: 'white', padding: 8, config: BASE_CONFIG, layer: layers };
  return { id, title, note, svg: await renderSvg(spec), skipped: null };
}

/** 1 − p without the float noise of the subtraction (1 − 0.99 = 0.010000000000000009). */
function tidyTail(v: number): number {
  return Number(v.toPrecision(10));
}

/** vega's category10, the colours overlaid runs and sites get: model i keeps its colour of the per-model charts. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Most GPUs drawn in the per-GPU chart of a several-model run (the rest are in summary.json). */
export const MAX_GPU_BARS = 64;

/**
 * Per GPU of a pool several models shared (summary.sharing.perGpu, mig or shared): one stacked bar per
 * GPU, each model's share of that GPU's billed time (mig: the slices its pods held × k/7; shared: the
 * GPU time its batches used), and the rest unused. The one chart drawn from the summary, not the
 * timeline: the shares are the run's totals after warmup. null svg when the pool has no per-GPU figures.
 */
export async function perGpuChart(perGpu: readonly { gpu: number; utilization: number; models: Record<string, number> }[] | null, mode: 'dedicated' | 'mig' | 'shared'): Promise<RenderedChart> {
  const id = 'per-gpu';
  const title = 'Per GPU: who used it';
  const held = mode === 'mig' ? 'the slices its pods held (k/7 of the GPU each)' : 'the GPU time its batches ran';
  const note = `Each bar is one GPU of the pool over the run after warmup: the share of its billed time each model was charged for (${held}); unused: billed and charged to no model (the idle cost).`;
  if (perGpu === null || perGpu.length === 0) return { id, title, note, svg: null, skipped: 'no shared GPU pool (mode dedicated: each model on GPUs of its own)' };
  const shown = perGpu.slice(0, MAX_GPU_BARS);
  const models = [...new Set(shown.flatMap((g) => Object.keys(g.models)))];
  const rows = shown.flatMap((g) => {
    const used = models.map((m) => ({ gpu: `GPU ${g.gpu}`, who: m, share: g.models[m] ?? 0 }));
    const sum = used.reduce((a, r) => a + r.share, 0);
    return [...used, { gpu: `GPU ${g.gpu}`, who: 'unused', share: Math.max(0, 1 - sum) }];
  });
  const domain = [...models, 'unused'];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: Math.min(WIDTH, Math.max(160, shown.length * 48)),
    height: HEIGHT,
    config: BASE_CONFIG,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'gpu', type: 'nominal', title: null, sort: shown.map((g) => `GPU ${g.gpu}`), axis: { labelAngle: 0 } },
      y: { field: 'share', type: 'quantitative', title: 'share of the GPU\u2019s billed time', scale: { domain: [0, 1] }, axis: { format: '.0%' }, stack: 'zero' },
      color: { field: 'who', type: 'nominal', title: null, scale: { domain, range: [...models.map((_m, i) => PALETTE[i % PALETTE.length]!), '#d9d9d9'] }, legend: { orient: 'top', symbolType: 'square' } },
      order: { field: 'rank', type: 'quantitative' },
    },
    transform: [{ calculate: `indexof(${JSON.stringify(domain)}, datum.who)`, as: 'rank' }],
  };
  const more = perGpu.length > shown.length ? ` The first ${shown.length} of ${perGpu.length} GPUs are drawn; summary.json has every one.` : '';
  return { id, title, note: note + more, svg: await renderSvg(spec), skipped: null };
}
