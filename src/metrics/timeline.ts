/**
 * The timeline: one row per report interval. Columns are declared here once (COLUMN_RULES):
 * each says how it is computed from an interval's raw parts, how it combines over the sites of
 * a run, and how a chart down-samples it. A cell that does not apply is NaN in memory and an
 * empty cell in CSV.
 *
 * A site closes each interval into IntervalParts (plain counters); the run's overall row is the
 * row of the sites' parts summed (addParts), so one rule makes a site's row and the run's. The
 * cost column is cumulative and priced per site: it is finalised at the end (finaliseCost), when
 * the run's average egress price per response is known.
 */
import { Histogram } from './histogram.js';

export const TIMELINE_COLUMNS = [
  'timeS',
  'arrivals',
  'completed',
  'rejected',
  'timedOut',
  'p50Ms',
  'p99Ms',
  'meanBatchSize',
  'replicasReady',
  'replicasStarting',
  'replicasDesired',
  'queueDepth',
  'gpuUtilization',
  'cacheHitRate',
  'cacheMissRate',
  'featureStoreUtilization',
  'costUsd',
] as const;

export type TimelineColumn = (typeof TIMELINE_COLUMNS)[number];

/**
 * The raw figures of one report interval of one site, or (summed by addParts) of the run.
 * Counts and seconds are sums over sites; timeS and dtS are the same for every site.
 */
export interface IntervalParts {
  timeS: number;
  dtS: number;
  arrivals: number;
  completed: number;
  rejected: number;
  timedOut: number;
  /** The interval's latencies (all requests, warmup included). */
  readonly latency: Histogram;
  batches: number;
  batchedRequests: number;
  /** Levels at the interval's end. */
  replicasReady: number;
  replicasStarting: number;
  replicasDesired: number;
  queueDepth: number;
  /** Ready and busy replica-seconds over the interval. */
  readyS: number;
  busyS: number;
  /** Cache sites in the parts (the cache columns apply when > 0), and their lookups, hits (fresh + stale) and misses. */
  cacheSites: number;
  cacheLookups: number;
  cacheHits: number;
  cacheMisses: number;
  /** Feature-store servers (the column applies when > 0) and their busy server-seconds. */
  featureStoreServers: number;
  featureStoreBusyS: number;
}

/** Empty parts (for the run's sum), at time `timeS` over `dtS`. */
export function emptyParts(timeS = 0, dtS = 0): IntervalParts {
  return {
    timeS,
    dtS,
    arrivals: 0,
    completed: 0,
    rejected: 0,
    timedOut: 0,
    latency: new Histogram(),
    batches: 0,
    batchedRequests: 0,
    replicasReady: 0,
    replicasStarting: 0,
    replicasDesired: 0,
    queueDepth: 0,
    readyS: 0,
    busyS: 0,
    cacheSites: 0,
    cacheLookups: 0,
    cacheHits: 0,
    cacheMisses: 0,
    featureStoreServers: 0,
    featureStoreBusyS: 0,
  };
}

/** Clears `p` for a new interval ending at `timeS` (length `dtS`). */
export function resetParts(p: IntervalParts, timeS: number, dtS: number): void {
  p.timeS = timeS;
  p.dtS = dtS;
  p.arrivals = p.completed = p.rejected = p.timedOut = 0;
  p.latency.reset();
  p.batches = p.batchedRequests = 0;
  p.replicasReady = p.replicasStarting = p.replicasDesired = p.queueDepth = 0;
  p.readyS = p.busyS = 0;
  p.cacheSites = p.cacheLookups = p.cacheHits = p.cacheMisses = 0;
  p.featureStoreServers = p.featureStoreBusyS = 0;
}

/** Adds a site's parts into the run's sum `into` (counts and seconds summed, latencies merged). */
export function addParts(into: IntervalParts, p: IntervalParts): void {
  into.arrivals += p.arrivals;
  into.completed += p.completed;
  into.rejected += p.rejected;
  into.timedOut += p.timedOut;
  into.latency.absorb(p.latency, 1);
  into.batches += p.batches;
  into.batchedRequests += p.batchedRequests;
  into.replicasReady += p.replicasReady;
  into.replicasStarting += p.replicasStarting;
  into.replicasDesired += p.replicasDesired;
  into.queueDepth += p.queueDepth;
  into.readyS += p.readyS;
  into.busyS += p.busyS;
  into.cacheSites += p.cacheSites;
  into.cacheLookups += p.cacheLookups;
  into.cacheHits += p.cacheHits;
  into.cacheMisses += p.cacheMisses;
  into.featureStoreServers += p.featureStoreServers;
  into.featureStoreBusyS += p.featureStoreBusyS;
}

/** How a column's value of the run comes from its sites. */
export type OverSites =
  /** the same for every site (the interval's end) */
  | 'time'
  /** the sum of the sites' values */
  | 'sum'
  /** a ratio of the sites' summed parts */
  | 'ratio of sums'
  /** recomputed from the sites' merged latency histograms */
  | 'merged histogram'
  /** the sum of the sites' values, each priced with its own prices; finalised at the end */
  | 'sum, finalised at end';

/** How a chart summarises k consecutive rows of a column into one point. */
export type Downsample =
  /** the last row's value */
  | 'last'
  /** the rows' sum over their span: a rate per second */
  | 'rate'
  /** the mean weighted by each row's duration */
  | 'time-weighted mean'
  /** the plain mean of the rows */
  | 'mean'
  /** the highest row (a spike survives) */
  | 'max'
  /** the highest and the lowest row (drawn as a band) */
  | 'max and min'
  /** the last value, counted from the end of the warmup */
  | 'cumulative since warmup';

export interface ColumnRule {
  over: OverSites;
  downsample: Downsample;
  /** The value from an interval's parts (NaN: not applicable); null for a column finalised at the end. */
  value: ((p: IntervalParts) => number) | null;
}

const q = (p: IntervalParts, at: number): number => (p.latency.count > 0 ? p.latency.quantile(at) * 1e3 : NaN);

/** Every column's rule, in column order. */
export const COLUMN_RULES: Readonly<Record<TimelineColumn, ColumnRule>> = {
  timeS: { over: 'time', downsample: 'last', value: (p) => p.timeS },
  arrivals: { over: 'sum', downsample: 'rate', value: (p) => p.arrivals },
  completed: { over: 'sum', downsample: 'rate', value: (p) => p.completed },
  rejected: { over: 'sum', downsample: 'rate', value: (p) => p.rejected },
  timedOut: { over: 'sum', downsample: 'rate', value: (p) => p.timedOut },
  p50Ms: { over: 'merged histogram', downsample: 'mean', value: (p) => q(p, 0.5) },
  p99Ms: { over: 'merged histogram', downsample: 'max and min', value: (p) => q(p, 0.99) },
  /** requests dispatched / batches dispatched */
  meanBatchSize: { over: 'ratio of sums', downsample: 'time-weighted mean', value: (p) => (p.batches > 0 ? p.batchedRequests / p.batches : NaN) },
  replicasReady: { over: 'sum', downsample: 'time-weighted mean', value: (p) => p.replicasReady },
  replicasStarting: { over: 'sum', downsample: 'time-weighted mean', value: (p) => p.replicasStarting },
  replicasDesired: { over: 'sum', downsample: 'time-weighted mean', value: (p) => p.replicasDesired },
  queueDepth: { over: 'sum', downsample: 'max', value: (p) => p.queueDepth },
  /** busy replica-seconds / ready replica-seconds */
  gpuUtilization: { over: 'ratio of sums', downsample: 'time-weighted mean', value: (p) => (p.readyS > 0 ? p.busyS / p.readyS : NaN) },
  /** (fresh + stale hits) / lookups */
  cacheHitRate: {
    over: 'ratio of sums',
    downsample: 'time-weighted mean',
    value: (p) => (p.cacheSites === 0 ? NaN : p.cacheLookups > 0 ? p.cacheHits / p.cacheLookups : NaN),
  },
  /** misses / interval length */
  cacheMissRate: { over: 'sum', downsample: 'max', value: (p) => (p.cacheSites === 0 ? NaN : p.dtS > 0 ? p.cacheMisses / p.dtS : NaN) },
  /** busy server-seconds / (servers × interval length) */
  featureStoreUtilization: {
    over: 'ratio of sums',
    downsample: 'time-weighted mean',
    value: (p) => (p.featureStoreServers === 0 ? NaN : p.dtS > 0 ? p.featureStoreBusyS / (p.featureStoreServers * p.dtS) : NaN),
  },
  /** cumulative since t = 0: see finaliseCost */
  costUsd: { over: 'sum, finalised at end', downsample: 'cumulative since warmup', value: null },
};

/** Rows of numbers keyed by column; memory grows with intervals, never with requests. */
export class Timeline {
  readonly columns: readonly TimelineColumn[] = TIMELINE_COLUMNS;
  readonly rows: Float64Array[] = [];

  /** Appends a row; columns missing from `values` are NaN (not applicable). */
  add(values: Partial<Record<TimelineColumn, number>>): void {
    const row = new Float64Array(this.columns.length).fill(NaN);
    this.columns.forEach((c, i) => {
      const v = values[c];
      if (v !== undefined) row[i] = v;
    });
    this.rows.push(row);
  }

  /** Appends the row of an interval's parts, every column by its rule (the finalised ones NaN for now). */
  addParts(p: IntervalParts): void {
    const row = new Float64Array(this.columns.length);
    for (let i = 0; i < this.columns.length; i++) {
      const value = COLUMN_RULES[this.columns[i]!].value;
      row[i] = value !== null ? value(p) : NaN;
    }
    this.rows.push(row);
  }

  /** The values of one column, row by row. */
  column(name: TimelineColumn): number[] {
    const i = this.columns.indexOf(name);
    return this.rows.map((r) => r[i]!);
  }
}

/** What a site's cost column is priced from, cumulative since t = 0 at each row. */
export interface CostSoFar {
  /** Billed GPU-seconds. */
  gpuS: number;
  /** Completed responses (egress) and those served outside their users' region (inter-region transfer). */
  completed: number;
  foreign: number;
}

/** A site's prices for the cost column. */
export interface CostPrices {
  gpuHourlyUsd: number | null;
  cacheHourlyUsd: number;
}

/**
 * Fills the cost column (USD since t = 0) of each site's timeline and of the run's: a site's
 * GPU-seconds and cache hours at its prices, egress at the run's average price per response,
 * inter-region transfer per response served away from home; the run's row is the sum over sites.
 */
export function finaliseCost(
  run: Timeline,
  sites: readonly { timeline: Timeline; soFar: readonly CostSoFar[]; prices: CostPrices }[],
  egressPerResponseUsd: number,
  interRegionPerResponseUsd: number,
): void {
  const costCol = run.columns.indexOf('costUsd');
  run.rows.forEach((row, i) => {
    const t = row[0]!;
    let total = 0;
    for (const s of sites) {
      const so = s.soFar[i]!;
      const c =
        ((s.prices.gpuHourlyUsd ?? 0) * so.gpuS) / 3600 +
        (s.prices.cacheHourlyUsd * t) / 3600 +
        egressPerResponseUsd * so.completed +
        interRegionPerResponseUsd * so.foreign;
      s.timeline.rows[i]![costCol] = c;
      total += c;
    }
    row[costCol] = total;
  });
}
