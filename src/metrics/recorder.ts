/**
 * Counts and latencies of requests, overall (after warmup) and per report interval.
 * Every request ends in exactly one of completed, rejected or timedOut, or is still
 * in flight at the end: the books always balance.
 */
import { Histogram } from './histogram.js';

export class Recorder {
  // after warmup (the summary)
  arrived = 0;
  completed = 0;
  rejected = 0;
  timedOut = 0;
  cacheHits = 0;
  withinSlo = 0;
  batches = 0;
  batchedRequests = 0;
  /** Work dispatched, in seconds of the GPU at its peak throughput (effective utilization). */
  effectiveWorkS = 0;
  /** Latencies of counted requests; filled from the interval histogram at each interval's end (flush). */
  readonly latency = new Histogram();
  private countedMinS = Infinity;
  private countedMaxS = -Infinity;
  // the current report interval (all requests, warmup included)
  iArrivals = 0;
  iCompleted = 0;
  iRejected = 0;
  iTimedOut = 0;
  iBatches = 0;
  iBatchedRequests = 0;
  iEffectiveWorkS = 0;
  readonly iLatency = new Histogram();
  /** Latencies in iLatency that do not count (arrived during warmup): removed when flushing. */
  private readonly iUncounted = new Histogram();

  /** A recorder counting from `warmupS`, judging attainment against `sloTargetS` (Infinity for none). */
  constructor(readonly warmupS: number, readonly sloTargetS: number) {}

  /** Whether a request arriving at `timeS` counts in the summary. */
  counts(timeS: number): boolean {
    return timeS >= this.warmupS;
  }

  arrival(counted: boolean): void {
    this.iArrivals++;
    if (counted) this.arrived++;
  }

  reject(counted: boolean): void {
    this.iRejected++;
    if (counted) this.rejected++;
  }

  timeout(counted: boolean): void {
    this.iTimedOut++;
    if (counted) this.timedOut++;
  }

  /** A response delivered `latencyS` after arrival. */
  complete(latencyS: number, counted: boolean): void {
    this.iCompleted++;
    // perf: one histogram record per request; the summary histogram is filled per interval
    this.iLatency.record(latencyS);
    if (counted) {
      this.completed++;
      if (latencyS <= this.sloTargetS) this.withinSlo++;
      if (latencyS < this.countedMinS) this.countedMinS = latencyS;
      if (latencyS > this.countedMaxS) this.countedMaxS = latencyS;
    } else {
      this.iUncounted.record(latencyS);
    }
  }

  /** Moves the interval's counted latencies into the summary histogram (call before reading `latency`). */
  flush(): void {
    this.latency.absorb(this.iLatency, 1);
    if (this.iUncounted.count > 0) {
      this.latency.absorb(this.iUncounted, -1);
      this.iUncounted.reset();
    }
    this.latency.setExtremes(this.countedMinS, this.countedMaxS);
    this.iLatency.reset();
  }

  /**
   * Adds `o`'s after-warmup totals (counts, SLO tally, batches, work, latency histogram) to this
   * recorder's: the run's figures are its sites' recorders absorbed, in site order, into an empty
   * one (call after each site's flush). The per-interval counters are not touched.
   */
  absorbTotals(o: Recorder): void {
    this.arrived += o.arrived;
    this.completed += o.completed;
    this.rejected += o.rejected;
    this.timedOut += o.timedOut;
    this.cacheHits += o.cacheHits;
    this.withinSlo += o.withinSlo;
    this.batches += o.batches;
    this.batchedRequests += o.batchedRequests;
    this.effectiveWorkS += o.effectiveWorkS;
    this.latency.absorb(o.latency, 1);
    if (o.countedMinS < this.countedMinS) this.countedMinS = o.countedMinS;
    if (o.countedMaxS > this.countedMaxS) this.countedMaxS = o.countedMaxS;
  }

  /** A batch of n dispatched at `timeS`, worth `peakWorkS` seconds of the GPU at peak throughput. */
  batch(n: number, timeS: number, peakWorkS: number): void {
    this.iBatches++;
    this.iBatchedRequests += n;
    this.iEffectiveWorkS += peakWorkS;
    if (timeS >= this.warmupS) {
      this.batches++;
      this.batchedRequests += n;
      this.effectiveWorkS += peakWorkS;
    }
  }

  /** Clears the per-interval counters (flushing latencies into the summary). */
  resetInterval(): void {
    this.flush();
    this.iArrivals = 0;
    this.iCompleted = 0;
    this.iRejected = 0;
    this.iTimedOut = 0;
    this.iBatches = 0;
    this.iBatchedRequests = 0;
    this.iEffectiveWorkS = 0;
  }
}

/**
 * Time integral of a piecewise-constant level (replicas ready, GPUs billed …), over
 * the whole run, the current interval, and the part after a start time.
 */
export class LevelIntegral {
  level = 0;
  private markS = 0;
  /** ∫ level dt since the last takeInterval(). */
  interval = 0;
  /** ∫ level dt over [fromS, now]. */
  total = 0;
  /** ∫ level dt over [0, now]. */
  all = 0;
  /** Lowest and highest level held at any time after fromS (the current level until anything is held after it). */
  private lo = Infinity;
  private hi = -Infinity;

  /** An integral that counts `total` from `fromS` on. */
  constructor(private readonly fromS: number) {}

  /** Moves the level to `level` at time `nowS`. */
  set(nowS: number, level: number): void {
    this.advance(nowS);
    this.level = level;
  }

  /** Accrues the current level up to `nowS`. */
  advance(nowS: number): void {
    const from = this.markS;
    if (nowS <= from) return;
    const d = (nowS - from) * this.level;
    this.interval += d;
    this.all += d;
    if (nowS > this.fromS) {
      this.total += from >= this.fromS ? d : (nowS - this.fromS) * this.level;
      if (this.level < this.lo) this.lo = this.level;
      if (this.level > this.hi) this.hi = this.level;
    }
    this.markS = nowS;
  }

  /** Lowest level held after fromS (the current level if none yet). */
  get min(): number {
    return this.lo === Infinity ? this.level : Math.min(this.lo, this.level);
  }

  /** Highest level held after fromS (the current level if none yet). */
  get max(): number {
    return this.hi === -Infinity ? this.level : Math.max(this.hi, this.level);
  }

  /** Returns the interval's integral and starts a new interval. */
  takeInterval(nowS: number): number {
    this.advance(nowS);
    const v = this.interval;
    this.interval = 0;
    return v;
  }
}
