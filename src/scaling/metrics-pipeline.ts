/**
 * The metrics pipeline between the pods and the autoscaler (MODELS.md §5), reporting
 * signals the way a cluster's monitoring stack does:
 *
 *   every 1 s: each ready pod's gauges (in-flight, queued, GPU busy share over the second)
 *              and the fleet's (in-flight and queued, with the requests that wait for a
 *              first replica, mean GPU busy share)
 *   every scrapeInterval: each ready pod's request counter and the fleet's arrival counter
 *              are scraped; a counter becomes a rate as Prometheus' rate(x[window]) computes
 *              it (extrapolatedRate), or as metrics-server does (between the last two scrapes);
 *              gauges are averaged over `gaugeWindow` of their 1 s samples
 *   the autoscaler sees a scrape `delay` after it was taken
 *
 * A pod that is not ready, or has no sample yet, has no metric ("missing"); a pod whose
 * counter has too few samples for a rate has no rps or cpu. Signals: rps, concurrency
 * (queued + running), queueDepth, gpuUtilization (busy share, 0–1), cpu (baseCores +
 * rps·perRequestCoreS, cores), latencyP99Ms (fleet-wide p99 of the responses since the
 * previous scrape; one value for every pod).
 *
 * Pods/Resource metrics read per-pod values; Object and External metrics describe
 * something outside the pods (an ingress, a queue) and read the fleet's own series, which
 * exist with no pod at all — so a target scaled to zero sees the requests waiting for it.
 */
import type { Simulation } from '../engine/simulation.js';
import { Histogram } from '../metrics/histogram.js';
import type { CpuModel, MetricsPipelineSpec, Signal } from '../config/scenario.js';
import type { ServingFleet } from '../serving/fleet.js';

export const SIGNALS: readonly Signal[] = ['rps', 'concurrency', 'queueDepth', 'gpuUtilization', 'cpu', 'latencyP99Ms'];
const GAUGES = 3; // concurrency, queueDepth, gpuUtilization: sampled each second
const RPS = 0;
const CPU = 4;
const P99 = 5;

/**
 * Prometheus' rate() of a counter over the range (rangeStartS, rangeEndS] (left-open), from
 * the samples in it (times ascending): the increase (corrected for resets) extrapolated to
 * the range's ends — all the way when the first/last sample is within 1.1 average sample
 * intervals of that end, else by half an interval, and towards the start never past the
 * counter's zero — divided by the range. null with fewer than two samples, as Prometheus
 * returns nothing. (promql/functions.go extrapolatedRate, without start timestamps.)
 */
export function prometheusRate(times: ArrayLike<number>, values: ArrayLike<number>, rangeStartS: number, rangeEndS: number): number | null {
  const n = times.length;
  if (n < 2) return null;
  const firstT = times[0]!;
  const lastT = times[n - 1]!;
  let increase = values[n - 1]! - values[0]!;
  for (let i = 1; i < n; i++) if (values[i]! < values[i - 1]!) increase += values[i - 1]!;
  let toStart = firstT - rangeStartS;
  let toEnd = rangeEndS - lastT;
  const sampled = lastT - firstT;
  const average = sampled / (n - 1);
  const threshold = average * 1.1;
  if (toStart >= threshold) toStart = average / 2;
  const first = values[0]!;
  if (increase > 0 && first >= 0) {
    const toZero = sampled * (first / increase);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = average / 2;
  const factor = sampled !== 0 ? (sampled + toStart + toEnd) / sampled : 1;
  return (increase * factor) / (rangeEndS - rangeStartS);
}

/** metrics-server's fresh-container rule: a first point this young is rated from the container's start (storage/pod.go). */
const FRESH_CONTAINER_MIN_S = 10;

/** One scraped series: a counter at each scrape, gauges each second. */
class Series {
  /** Counter samples at scrapes, oldest first (bounded by what the window can reach). */
  readonly counterT: number[] = [];
  readonly counterV: number[] = [];
  readonly gauges: Float64Array;
  count = 0;
  head = 0;
  lastBusyS = 0;
  lastSampleAtS: number;

  constructor(
    readonly startS: number,
    ringLen: number,
  ) {
    this.gauges = new Float64Array(ringLen * GAUGES);
    this.lastSampleAtS = startS;
  }

  pushGauges(ringLen: number, concurrency: number, queued: number, busyShare: number): void {
    const base = this.head * GAUGES;
    this.gauges[base] = concurrency;
    this.gauges[base + 1] = queued;
    this.gauges[base + 2] = busyShare;
    this.head = (this.head + 1) % ringLen;
    if (this.count < ringLen) this.count++;
  }

  /** Mean of gauge j over the samples held (NaN samples skipped); NaN when none. */
  gaugeMean(ringLen: number, j: number): number {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < this.count; k++) {
      const x = this.gauges[((this.head - 1 - k + ringLen) % ringLen) * GAUGES + j]!;
      if (x === x) {
        sum += x;
        n++;
      }
    }
    return n > 0 ? sum / n : NaN;
  }

  pushCounter(nowS: number, value: number, keep: number): void {
    this.counterT.push(nowS);
    this.counterV.push(value);
    while (this.counterT.length > keep) {
      this.counterT.shift();
      this.counterV.shift();
    }
  }

  /** The counter's rate now as the pipeline computes it, and the start of the window it covers; NaN when it cannot. */
  rate(spec: MetricsPipelineSpec, nowS: number): { value: number; fromS: number } {
    const n = this.counterT.length;
    if (spec.rate === 'two-point') {
      const t = this.counterT[n - 1]!;
      const v = this.counterV[n - 1]!;
      if (n >= 2) {
        const t0 = this.counterT[n - 2]!;
        return { value: (v - this.counterV[n - 2]!) / (t - t0), fromS: t0 };
      }
      const age = t - this.startS;
      if (age >= FRESH_CONTAINER_MIN_S && age < spec.scrapeIntervalS) return { value: v / age, fromS: this.startS };
      return { value: NaN, fromS: NaN };
    }
    const from = nowS - spec.windowS;
    let i = 0;
    while (i < n && this.counterT[i]! <= from) i++;
    const r = prometheusRate(this.counterT.slice(i), this.counterV.slice(i), from, nowS);
    return { value: r ?? NaN, fromS: from };
  }
}

interface Scrape {
  takenAtS: number;
  values: Map<number, Float64Array>; // replica → one value per signal (NaN = missing)
  /** Start of the window the pod's rate covers (Kubernetes compares it with readiness for cpu). */
  windowStartS: Map<number, number>;
  fleet: Float64Array; // one value per signal (NaN = unavailable)
}

export interface ReadyPod {
  replica: number;
  readySinceS: number | null;
  ready: boolean;
}

export class MetricsPipeline {
  private readonly series = new Map<number, Series>();
  private readonly fleetSeries: Series;
  private readonly ringLen: number;
  private readonly keepCounters: number;
  private readonly scrapes: Scrape[] = [];
  private readonly latency = new Histogram();
  private readonly onSample: number;
  private readonly onScrape: number;

  /**
   * Starts sampling at t = 1 s and scraping at t = scrapeInterval. `readyPods` lists the pods
   * and since when they are ready; `fleetArrivals` counts every request that reached the fleet.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly fleet: ServingFleet,
    private readonly spec: MetricsPipelineSpec,
    private readonly cpu: CpuModel,
    private readonly readyPods: () => ReadyPod[],
    private readonly fleetArrivals: () => number,
  ) {
    this.ringLen = Math.max(1, Math.ceil(spec.gaugeWindowS));
    // the samples a window reaches, and one more for metrics-server's previous point
    this.keepCounters = Math.max(2, Math.ceil(spec.windowS / spec.scrapeIntervalS) + 1);
    this.fleetSeries = new Series(sim.now, this.ringLen);
    // the fleet's counter (an ingress, a gateway) is already being scraped when the run starts
    this.fleetSeries.pushCounter(sim.now, fleetArrivals(), this.keepCounters);
    this.onSample = sim.register(() => this.sample());
    this.onScrape = sim.register(() => this.scrape());
    sim.at(sim.now + 1, this.onSample, 0);
    sim.at(sim.now + spec.scrapeIntervalS, this.onScrape, 0);
  }

  /** Feeds one response latency (for latencyP99Ms). */
  recordLatency(latencyS: number): void {
    this.latency.record(latencyS);
  }

  /** The series of each ready pod (counters run from when the replica was added; it gets traffic only once ready). */
  private readySeries(): { r: number; s: Series }[] {
    const out: { r: number; s: Series }[] = [];
    const seen = new Set<number>();
    for (const p of this.readyPods()) {
      if (!p.ready || p.readySinceS === null) continue;
      let s = this.series.get(p.replica);
      if (!s || s.startS !== p.readySinceS) {
        s = new Series(p.readySinceS, this.ringLen);
        this.series.set(p.replica, s);
      }
      seen.add(p.replica);
      out.push({ r: p.replica, s });
    }
    for (const r of this.series.keys()) if (!seen.has(r)) this.series.delete(r);
    return out;
  }

  private sample(): void {
    const now = this.sim.now;
    const fleet = this.fleet;
    let running = 0;
    let busySum = 0;
    let busyN = 0;
    for (const { r, s } of this.readySeries()) {
      const out = fleet.outstanding[r]!;
      const queued = fleet.queuedAt(r);
      running += out - queued;
      const dt = now - s.lastSampleAtS;
      if (dt < 0.5) continue; // ready for less than half a second: sample it next time
      const busy = fleet.busySeconds(r);
      const share = Math.min(1, (busy - s.lastBusyS) / dt);
      s.pushGauges(this.ringLen, out, queued, share);
      s.lastBusyS = busy;
      s.lastSampleAtS = now;
      busySum += share;
      busyN++;
    }
    // the fleet: every request queued anywhere (replica queues, the shared queue, the gateway) plus those in batches
    const queued = fleet.queueDepth();
    this.fleetSeries.pushGauges(this.ringLen, queued + running, queued, busyN > 0 ? busySum / busyN : NaN);
    this.sim.at(now + 1, this.onSample, 0);
  }

  private scrape(): void {
    const now = this.sim.now;
    const spec = this.spec;
    const values = new Map<number, Float64Array>();
    const windowStartS = new Map<number, number>();
    const p99 = this.latency.count > 0 ? this.latency.quantile(0.99) * 1e3 : NaN;
    this.latency.reset();
    let cpuSum = 0;
    let cpuPods = 0;
    for (const { r, s } of this.readySeries()) {
      s.pushCounter(now, this.fleet.arrivalsCum[r]!, this.keepCounters);
      if (s.count === 0) continue;
      const v = new Float64Array(SIGNALS.length);
      const rate = s.rate(spec, now);
      v[RPS] = rate.value;
      for (let j = 0; j < GAUGES; j++) v[1 + j] = s.gaugeMean(this.ringLen, j);
      v[CPU] = this.cpu.baseCores + rate.value * this.cpu.perRequestCoreS;
      v[P99] = p99;
      values.set(r, v);
      windowStartS.set(r, rate.fromS === rate.fromS ? rate.fromS : now);
      if (v[CPU] === v[CPU]) {
        cpuSum += v[CPU];
        cpuPods++;
      }
    }
    const f = this.fleetSeries;
    f.pushCounter(now, this.fleetArrivals(), this.keepCounters);
    const fleetValues = new Float64Array(SIGNALS.length);
    fleetValues[RPS] = f.rate(spec, now).value;
    for (let j = 0; j < GAUGES; j++) fleetValues[1 + j] = f.gaugeMean(this.ringLen, j);
    // no pod with a CPU figure yet (no rate over two samples): the fleet's CPU is unavailable, not 0
    fleetValues[CPU] = cpuPods > 0 ? cpuSum : NaN;
    fleetValues[P99] = p99;
    this.scrapes.push({ takenAtS: now, values, windowStartS, fleet: fleetValues });
    // keep what the delay can still reach, and the latest visible one
    while (this.scrapes.length > 2 && this.scrapes[1]!.takenAtS + spec.delayS <= now) this.scrapes.shift();
    this.sim.at(now + spec.scrapeIntervalS, this.onScrape, 0);
  }

  /** The newest scrape the autoscaler can see at `nowS` (taken at least `delay` ago), or null. */
  private visible(nowS: number): Scrape | null {
    for (let i = this.scrapes.length - 1; i >= 0; i--) {
      if (this.scrapes[i]!.takenAtS + this.spec.delayS <= nowS) return this.scrapes[i]!;
    }
    return null;
  }

  /** A pod's value of `signal` as the autoscaler sees it now; undefined when missing. */
  podValue(replica: number, signal: Signal, nowS: number): number | undefined {
    const v = this.visible(nowS)?.values.get(replica);
    if (!v) return undefined;
    const x = v[SIGNALS.indexOf(signal)]!;
    return x === x ? x : undefined;
  }

  /** Start of the window of the pod's visible sample, or null when it has none. */
  podSampleStartS(replica: number, nowS: number): number | null {
    return this.visible(nowS)?.windowStartS.get(replica) ?? null;
  }

  /**
   * A fleet-level value, from the fleet's own series: rps is the rate of every request that
   * reached the fleet (also those waiting for a first replica); concurrency and queueDepth
   * include the waiting ones; gpuUtilization is the mean over ready pods (unavailable with
   * none); cpu the sum over pods (unavailable with none); latencyP99Ms the fleet p99.
   * undefined without a scrape, or when unavailable.
   */
  fleetValue(signal: Signal, nowS: number): number | undefined {
    const s = this.visible(nowS);
    if (!s) return undefined;
    const x = s.fleet[SIGNALS.indexOf(signal)]!;
    return x === x ? x : undefined;
  }
}
