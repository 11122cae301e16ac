/**
 * The metrics pipeline between the pods and the autoscaler (MODELS.md §5):
 *
 *   every 1 s: sample each ready pod (requests routed, in-flight, queued, GPU busy)
 *   every scrapeInterval: each pod's signals averaged over the last `window` of samples
 *   the autoscaler sees a scrape `delay` after it was taken
 *
 * A pod that is not ready, or has no sample yet, has no metric ("missing"). Signals:
 * rps, concurrency (queued + running), queueDepth, gpuUtilization (busy share), cpu
 * (baseCores + rps·perRequestCoreS, cores), latencyP99Ms (fleet-wide p99 of the responses
 * since the previous scrape; one value for every pod).
 */
import type { Simulation } from '../engine/simulation.js';
import { Histogram } from '../metrics/histogram.js';
import type { CpuModel, MetricsPipelineSpec, Signal } from '../scenario/types.js';
import type { ServingFleet } from '../serving/fleet.js';

export const SIGNALS: readonly Signal[] = ['rps', 'concurrency', 'queueDepth', 'gpuUtilization', 'cpu', 'latencyP99Ms'];
const SAMPLED = 4; // rps, concurrency, queueDepth, gpuUtilization: sampled each second

interface Series {
  readySinceS: number;
  samples: Float64Array; // ring of SAMPLED values per second
  count: number;
  head: number;
  lastArrivals: number;
  lastBusyS: number;
  lastSampleAtS: number;
}

interface Scrape {
  takenAtS: number;
  values: Map<number, Float64Array>; // replica → one value per signal
  /** Start of the window the scrape averages over, per replica. */
  windowStartS: Map<number, number>;
  fleetP99Ms: number;
}

export class MetricsPipeline {
  private readonly series = new Map<number, Series>();
  private readonly ringLen: number;
  private readonly scrapes: Scrape[] = [];
  private readonly latency = new Histogram();
  private readonly onSample: number;
  private readonly onScrape: number;

  /** Starts sampling at t = 1 s and scraping at t = scrapeInterval. `readyPods` lists the ready pods and since when. */
  constructor(
    private readonly sim: Simulation,
    private readonly fleet: ServingFleet,
    private readonly spec: MetricsPipelineSpec,
    private readonly cpu: CpuModel,
    private readonly readyPods: () => { replica: number; readySinceS: number | null; ready: boolean }[],
  ) {
    this.ringLen = Math.max(1, Math.ceil(spec.windowS));
    this.onSample = sim.register(() => this.sample());
    this.onScrape = sim.register(() => this.scrape());
    sim.at(sim.now + 1, this.onSample, 0);
    sim.at(sim.now + spec.scrapeIntervalS, this.onScrape, 0);
  }

  /** Feeds one response latency (for latencyP99Ms). */
  recordLatency(latencyS: number): void {
    this.latency.record(latencyS);
  }

  private sample(): void {
    const now = this.sim.now;
    const seen = new Set<number>();
    for (const p of this.readyPods()) {
      if (!p.ready || p.readySinceS === null) continue;
      const r = p.replica;
      seen.add(r);
      let s = this.series.get(r);
      if (!s || s.readySinceS !== p.readySinceS) {
        // counters run from when the replica was added; it gets traffic only once ready
        s = { readySinceS: p.readySinceS, samples: new Float64Array(this.ringLen * SAMPLED), count: 0, head: 0, lastArrivals: 0, lastBusyS: 0, lastSampleAtS: p.readySinceS };
        this.series.set(r, s);
      }
      const dt = now - s.lastSampleAtS;
      if (dt < 0.5) continue; // ready for less than half a second: sample it next time
      const arrivals = this.fleet.arrivalsCum[r]!;
      const busy = this.fleet.busySeconds(r);
      const base = s.head * SAMPLED;
      s.samples[base] = (arrivals - s.lastArrivals) / dt;
      s.samples[base + 1] = this.fleet.outstanding[r]!;
      s.samples[base + 2] = this.fleet.queuedAt(r);
      s.samples[base + 3] = Math.min(1, (busy - s.lastBusyS) / dt);
      s.lastArrivals = arrivals;
      s.lastBusyS = busy;
      s.lastSampleAtS = now;
      s.head = (s.head + 1) % this.ringLen;
      if (s.count < this.ringLen) s.count++;
    }
    for (const r of this.series.keys()) if (!seen.has(r)) this.series.delete(r);
    this.sim.at(now + 1, this.onSample, 0);
  }

  private scrape(): void {
    const now = this.sim.now;
    const values = new Map<number, Float64Array>();
    const windowStartS = new Map<number, number>();
    for (const [r, s] of this.series) {
      if (s.count === 0) continue;
      const v = new Float64Array(SIGNALS.length);
      for (let k = 0; k < s.count; k++) {
        const idx = ((s.head - 1 - k + this.ringLen) % this.ringLen) * SAMPLED;
        for (let j = 0; j < SAMPLED; j++) v[j]! += s.samples[idx + j]!;
      }
      for (let j = 0; j < SAMPLED; j++) v[j]! /= s.count;
      v[4] = this.cpu.baseCores + v[0]! * this.cpu.perRequestCoreS;
      values.set(r, v);
      windowStartS.set(r, now - s.count);
    }
    const p99 = this.latency.count > 0 ? this.latency.quantile(0.99) * 1e3 : NaN;
    this.latency.reset();
    for (const v of values.values()) v[5] = p99;
    this.scrapes.push({ takenAtS: now, values, windowStartS, fleetP99Ms: p99 });
    // keep what the delay can still reach, and the latest visible one
    while (this.scrapes.length > 2 && this.scrapes[1]!.takenAtS + this.spec.delayS <= now) this.scrapes.shift();
    this.sim.at(now + this.spec.scrapeIntervalS, this.onScrape, 0);
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

  /** Start of the averaging window of the pod's visible sample, or null when it has none. */
  podSampleStartS(replica: number, nowS: number): number | null {
    return this.visible(nowS)?.windowStartS.get(replica) ?? null;
  }

  /** A fleet-wide value (sum over pods; mean for gpuUtilization; the fleet p99 for latencyP99Ms); undefined without a scrape. */
  fleetValue(signal: Signal, nowS: number): number | undefined {
    const s = this.visible(nowS);
    if (!s) return undefined;
    if (signal === 'latencyP99Ms') return s.fleetP99Ms === s.fleetP99Ms ? s.fleetP99Ms : undefined;
    const j = SIGNALS.indexOf(signal);
    let sum = 0;
    for (const v of s.values.values()) sum += v[j]!;
    if (signal === 'gpuUtilization') return s.values.size > 0 ? sum / s.values.size : undefined;
    return sum;
  }
}
