/**
 * Knative Pod Autoscaler (KPA) decision logic, independent of the simulation engine.
 *
 * Behaviour follows MODELS.md §5 and, where that is silent, Knative serving's
 * autoscaler: 1 s buckets averaged over a stable and a panic window, panic mode
 * that only ever scales up, max scale-up/down rates relative to the ready pod
 * count, and a scale-to-zero grace period on top of a traffic-free stable window.
 */

import type { KpaConfig } from '../config/kpa.js';

export interface KpaDecision {
  desired: number;
  panicking: boolean;
  /** Fleet-wide metric averaged over the stable window (0 when there is no data). */
  stableAverage: number;
  /** Fleet-wide metric averaged over the panic window (0 when there is no data). */
  panicAverage: number;
}

/** Knative's bucket: demand is averaged over 1 s buckets. */
const BUCKET_S = 1;

/**
 * Ceil that ignores floating-point noise: 10.000000000000002 pods is 10 pods, not 11.
 * The tolerance is far below any meaningful fraction of a pod.
 */
function ceilPods(x: number): number {
  const r = Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x)));
  return r === 0 ? 0 : r; // normalise -0
}

/**
 * A fixed-size ring of 1 s buckets over one window, with Knative's windowed-average rules:
 * a window only partly observed since the first write averages over the observed part,
 * trailing seconds without writes are left out, gaps inside the data count as zero, and
 * a whole window without writes means no data.
 */
class BucketedWindow {
  // Each slot remembers which second it holds so stale slots never need clearing.
  private readonly slotSecond: Float64Array;
  private readonly slotSum: Float64Array;
  private readonly slotCount: Float64Array;
  private firstWriteS: number | null = null;
  private lastWriteS: number | null = null;

  constructor(readonly buckets: number) {
    this.slotSecond = new Float64Array(buckets).fill(Number.NaN);
    this.slotSum = new Float64Array(buckets);
    this.slotCount = new Float64Array(buckets);
  }

  record(bucketS: number, value: number): void {
    if (this.lastWriteS === null || this.firstWriteS === null) {
      this.firstWriteS = bucketS;
      this.lastWriteS = bucketS;
    } else if (bucketS <= this.lastWriteS - this.buckets) {
      return; // older than the window ending at the latest write: its slot belongs to newer data
    } else if (bucketS > this.lastWriteS) {
      if (bucketS - this.lastWriteS >= this.buckets) this.firstWriteS = bucketS;
      this.lastWriteS = bucketS;
    } else if (bucketS < this.firstWriteS) {
      this.firstWriteS = bucketS;
    }
    const slot = ((bucketS % this.buckets) + this.buckets) % this.buckets;
    if (this.slotSecond[slot] !== bucketS) {
      this.slotSecond[slot] = bucketS;
      this.slotSum[slot] = 0;
      this.slotCount[slot] = 0;
    }
    this.slotSum[slot] += value;
    this.slotCount[slot] += 1;
  }

  /** Average bucket value over the window ending at second `nowB`, or null without data. */
  average(nowB: number): number | null {
    if (this.lastWriteS === null || this.firstWriteS === null) return null;
    const last = this.lastWriteS;
    if (nowB - last >= this.buckets) return null;
    const lo = Math.max(nowB, last) - this.buckets;
    let total = 0;
    for (let i = 0; i < this.buckets; i++) {
      const s = this.slotSecond[i]!;
      // Several samples in one second are averaged: each is a fleet-wide snapshot, not an increment.
      if (s > lo && s <= last) total += this.slotSum[i]! / this.slotCount[i]!;
    }
    const observedBuckets = Math.min(last - this.firstWriteS + 1, last - lo);
    return total / observedBuckets;
  }

  /** Whether any sample in the window ending at second `nowB` was above zero. */
  hasTraffic(nowB: number): boolean {
    const lo = nowB - this.buckets;
    for (let i = 0; i < this.buckets; i++) {
      if (this.slotSecond[i]! > lo && this.slotSum[i]! > 0) return true;
    }
    return false;
  }
}

/**
 * Whether a revision is activating: pods are starting (or serving) and none is ready yet. Knative never
 * applies a decision of zero to an activating revision; it waits for the activation or its progress
 * deadline (pkg/reconciler/autoscaling/kpa/scaler.go handleScaleToZero, IsActivating; the deadline,
 * 10 min by default, is not modelled). Both KPA drivers (scaling/autoscaler.ts, llm/site.ts) ask this.
 */
export function isActivating(servingPods: number, readyPods: number): boolean {
  return servingPods > 0 && readyPods === 0;
}

/**
 * One KPA decider for one revision/deployment. Feed it fleet-wide samples with `record`
 * and ask for a pod count with `tick`; it keeps O(stable window) memory.
 */
export class KpaController {
  private readonly config: Readonly<KpaConfig>;
  private readonly targetPerPod: number;
  private readonly panicThreshold: number;
  private readonly activationScale: number;
  private readonly stable: BucketedWindow;
  private readonly panic: BucketedWindow;

  private firstRecordS: number | null = null;
  private ticked = false;
  /** Last tick at which the panic condition held; null when not panicking. */
  private panicTimeS: number | null = null;
  private maxPanicPods = 0;
  /** First tick of the current uninterrupted run of "zero wanted after a quiet stable window". */
  private zeroSinceS: number | null = null;
  private lastDesired: number | null = null;

  /** Starts with empty windows; `config` was checked where it was written (scenario/kpa-check.ts and the schema). */
  constructor(config: KpaConfig) {
    this.config = { ...config };
    this.targetPerPod = config.target * config.targetUtilization;
    this.panicThreshold = config.panicThresholdPercentage / 100;
    this.activationScale = config.activationScale ?? 1;
    this.stable = new BucketedWindow(Math.max(1, Math.ceil(config.stableWindowS / BUCKET_S)));
    const panicWindowS = (config.stableWindowS * config.panicWindowPercentage) / 100;
    this.panic = new BucketedWindow(Math.max(1, Math.ceil(panicWindowS / BUCKET_S)));
  }

  /** Record the fleet-wide observed value (total in-flight concurrency, or total rps) sampled at nowS; the engine calls this about once a second. */
  record(nowS: number, total: number): void {
    if (!Number.isFinite(nowS)) throw new Error(`kpa: record time must be finite, got ${nowS}`);
    if (!Number.isFinite(total) || total < 0) throw new Error(`kpa: recorded value must be ≥ 0, got ${total}`);
    const bucketS = Math.floor(nowS / BUCKET_S);
    if (this.firstRecordS === null || bucketS < this.firstRecordS) this.firstRecordS = bucketS;
    this.stable.record(bucketS, total);
    this.panic.record(bucketS, total);
  }

  /** One decision at nowS (called every tickS) given the current ready pod count; returns the desired pod count. */
  tick(nowS: number, readyPods: number): KpaDecision {
    if (!Number.isFinite(nowS)) throw new Error(`kpa: tick time must be finite, got ${nowS}`);
    if (!Number.isInteger(readyPods) || readyPods < 0) {
      throw new Error(`kpa: readyPods must be an integer ≥ 0, got ${readyPods}`);
    }
    if (!this.ticked) {
      this.ticked = true;
      // Knative starts a fresh decider in panic mode when more than one pod is already up:
      // with no history yet, a short partial window must not tear down a running fleet.
      if (readyPods > 1) {
        this.panicTimeS = nowS;
        this.maxPanicPods = readyPods;
      }
    }

    const nowB = Math.floor(nowS / BUCKET_S);
    const stableAvg = this.stable.average(nowB);
    if (stableAvg === null) {
      // No data at all (Knative: "no data to scale on yet"): keep the current scale.
      // Before any decision, an up fleet is kept and an empty one stays empty.
      const held = this.lastDesired ?? readyPods;
      return this.finish(held, 0, 0);
    }
    const panicAvg = this.panic.average(nowB) ?? 0;

    // Zero ready pods are treated as one so the rates and the panic ratio stay defined.
    const readyForMath = Math.max(1, readyPods);
    const maxScaleUp = Math.ceil(this.config.maxScaleUpRate * readyForMath);
    const maxScaleDown = Math.floor(readyForMath / this.config.maxScaleDownRate);

    const stableWanted = ceilPods(stableAvg / this.targetPerPod);
    const panicWanted = ceilPods(panicAvg / this.targetPerPod);
    let stablePods = Math.min(Math.max(stableWanted, maxScaleDown), maxScaleUp);
    let panicPods = Math.min(Math.max(panicWanted, maxScaleDown), maxScaleUp);
    if (this.activationScale > 1) {
      if (stableWanted > 0) stablePods = Math.max(stablePods, this.activationScale);
      if (panicWanted > 0) panicPods = Math.max(panicPods, this.activationScale);
    }

    const overThreshold = panicWanted / readyForMath >= this.panicThreshold;
    if (overThreshold) {
      this.panicTimeS = nowS;
    } else if (this.panicTimeS !== null && this.panicTimeS + this.config.stableWindowS < nowS) {
      // A full stable window since the last over-threshold tick: the surge is now in the stable average.
      this.panicTimeS = null;
      this.maxPanicPods = 0;
    }

    let desired = stablePods;
    if (this.panicTimeS !== null) {
      desired = Math.max(stablePods, panicPods);
      this.maxPanicPods = Math.max(this.maxPanicPods, desired);
      desired = this.maxPanicPods;
    }

    // The activator: any request held while the fleet is small must wake at least one pod.
    if (desired < 1 && this.stable.hasTraffic(nowB)) desired = 1;

    if (desired === 0) {
      desired = this.scaleToZero(nowS, nowB, readyPods);
    } else {
      this.zeroSinceS = null;
    }
    return this.finish(desired, stableAvg, panicAvg);
  }

  /** Gate for a decision of zero: returns 0 only once the grace period has run after a quiet stable window. */
  private scaleToZero(nowS: number, nowB: number, readyPods: number): number {
    const alreadyZero = readyPods === 0 && (this.lastDesired === null || this.lastDesired === 0);
    const fullWindowObserved = this.firstRecordS !== null && nowB - this.firstRecordS >= this.stable.buckets;
    const quiet = fullWindowObserved && !this.stable.hasTraffic(nowB);
    if (!quiet) {
      this.zeroSinceS = null;
      return alreadyZero ? 0 : 1;
    }
    if (this.zeroSinceS === null) this.zeroSinceS = nowS;
    if (alreadyZero) return 0;
    return nowS - this.zeroSinceS >= this.config.scaleToZeroGracePeriodS ? 0 : 1;
  }

  private finish(unclamped: number, stableAverage: number, panicAverage: number): KpaDecision {
    let desired = Math.max(this.config.minReplicas, unclamped);
    if (this.config.maxReplicas > 0) desired = Math.min(this.config.maxReplicas, desired);
    this.lastDesired = desired;
    return { desired, panicking: this.panicTimeS !== null, stableAverage, panicAverage };
  }
}
