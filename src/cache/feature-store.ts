/**
 * The feature store (MODELS.md §6): a first-come-first-served station with
 * servers·(1 + readReplicas) servers and a bounded queue, called on a cache miss
 * before inference. When it saturates, latency climbs though the GPUs sit idle.
 *
 *   submit(id) ──► a server free? serve : queue full? refuse (false) : enqueue
 *   service done ──► next queued id starts ──► onDone(id)
 *
 * Ids wait in a ring buffer (typed arrays, grown by doubling): nothing is allocated
 * per request. Service times come from one random stream named by the caller.
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import { Histogram } from '../metrics/histogram.js';
import { LevelIntegral } from '../metrics/recorder.js';
import { MeanOneNoise } from '../serving/latency.js';
import type { FeatureStoreSpec } from '../config/cache.js';

/** A FCFS c-server station with a bounded queue; ids leave through onDone. */
export class FeatureStore {
  /** Called when a request's feature fetch is done (set by whoever submits). */
  onDone: (id: number) => void = (): void => {};
  /** Total servers, servers·(1 + readReplicas). */
  readonly servers: number;
  /** Servers busy now. */
  busy = 0;
  /** Busy servers over time (total counts from warmupS): busy-server seconds. */
  readonly busyServers: LevelIntegral;
  /** Queue length over time (total counts from warmupS): for the mean queue length. */
  readonly queueLength: LevelIntegral;
  /** Waits before service of requests submitted after warmup. */
  readonly waits = new Histogram();
  /** Requests submitted after warmup that found every server busy and queued. */
  queuedJobs = 0;
  /** Requests refused with a full queue, after warmup. */
  rejected = 0;
  /** Waits before service, this report interval (all requests). */
  iWaitTotalS = 0;
  iStarted = 0;
  iRejected = 0;

  private readonly meanS: number;
  private readonly noise: MeanOneNoise;
  private readonly maxQueue: number;
  private ids: Int32Array;
  private queuedAtS: Float64Array;
  private mask: number;
  private head = 0;
  private length = 0;
  private readonly onServiceDone: number;

  /** A station on `sim` drawing service times from `rng`; statistics count from `warmupS`. */
  constructor(
    private readonly sim: Simulation,
    spec: FeatureStoreSpec,
    private readonly rng: RandomStream,
    readonly warmupS = 0,
  ) {
    if (!Number.isInteger(spec.servers) || spec.servers < 1) throw new RangeError(`servers must be an integer >= 1, got ${spec.servers}`);
    if (!Number.isInteger(spec.readReplicas) || spec.readReplicas < 0) {
      throw new RangeError(`readReplicas must be an integer >= 0, got ${spec.readReplicas}`);
    }
    if (!(spec.maxQueue >= 0)) throw new RangeError(`maxQueue must be >= 0, got ${spec.maxQueue}`);
    const st = spec.serviceTime;
    if (!(st.meanS >= 0 && st.meanS < Infinity)) throw new RangeError(`serviceTime.meanS must be finite and >= 0, got ${st.meanS}`);
    if ((st.dist === 'lognormal' || st.dist === 'gamma') && !(st.cv >= 0)) {
      throw new RangeError(`serviceTime.cv must be >= 0 for ${st.dist}, got ${st.cv}`);
    }
    // the model's latency variability: a lognormal or gamma with cv 0 is deterministic, as the scenario allows
    this.noise = new MeanOneNoise(st);
    this.servers = spec.servers * (1 + spec.readReplicas);
    this.maxQueue = spec.maxQueue;
    this.meanS = st.meanS;
    this.busyServers = new LevelIntegral(warmupS);
    this.queueLength = new LevelIntegral(warmupS);
    this.ids = new Int32Array(64);
    this.queuedAtS = new Float64Array(64);
    this.mask = 63;
    this.onServiceDone = sim.register((id) => this.serviceDone(id));
  }

  /** Requests waiting for a server. */
  get queued(): number {
    return this.length;
  }

  /** Takes request `id` now; false (nothing else happens) when the queue is full. */
  submit(id: number): boolean {
    const now = this.sim.now;
    if (this.busy < this.servers) {
      this.busy++;
      this.busyServers.set(now, this.busy);
      this.recordWait(now, 0);
      this.sim.at(now + this.serviceTimeS(), this.onServiceDone, id);
      return true;
    }
    if (this.length >= this.maxQueue) {
      this.iRejected++;
      if (now >= this.warmupS) this.rejected++;
      return false;
    }
    if (now >= this.warmupS) this.queuedJobs++;
    if (this.length === this.ids.length) this.grow();
    const at = (this.head + this.length) & this.mask;
    this.ids[at] = id;
    this.queuedAtS[at] = now;
    this.length++;
    this.queueLength.set(now, this.length);
    return true;
  }

  /** Mean busy share of the servers over [warmupS, nowS]. */
  utilization(nowS: number): number {
    this.busyServers.advance(nowS);
    const span = nowS - this.warmupS;
    return span > 0 ? this.busyServers.total / (this.servers * span) : 0;
  }

  /** Time-average queue length over [warmupS, nowS]. */
  meanQueueLength(nowS: number): number {
    this.queueLength.advance(nowS);
    const span = nowS - this.warmupS;
    return span > 0 ? this.queueLength.total / span : 0;
  }

  /** Clears the per-interval counters (the integrals have their own takeInterval). */
  resetInterval(): void {
    this.iWaitTotalS = 0;
    this.iStarted = 0;
    this.iRejected = 0;
  }

  /** One service time. */
  serviceTimeS(): number {
    return this.noise.scale(this.meanS, this.rng);
  }

  private serviceDone(id: number): void {
    const now = this.sim.now;
    if (this.length > 0) {
      // the freed server goes straight to the oldest waiter: busy stays the same
      const at = this.head;
      const next = this.ids[at]!;
      const queuedAtS = this.queuedAtS[at]!;
      this.head = (at + 1) & this.mask;
      this.length--;
      this.queueLength.set(now, this.length);
      this.recordWait(queuedAtS, now - queuedAtS);
      this.sim.at(now + this.serviceTimeS(), this.onServiceDone, next);
    } else {
      this.busy--;
      this.busyServers.set(now, this.busy);
    }
    this.onDone(id);
  }

  private recordWait(submittedAtS: number, waitS: number): void {
    this.iWaitTotalS += waitS;
    this.iStarted++;
    if (submittedAtS >= this.warmupS) this.waits.record(waitS);
  }

  private grow(): void {
    const cap = this.ids.length * 2;
    const ids = new Int32Array(cap);
    const times = new Float64Array(cap);
    for (let i = 0; i < this.length; i++) {
      const at = (this.head + i) & this.mask;
      ids[i] = this.ids[at]!;
      times[i] = this.queuedAtS[at]!;
    }
    this.ids = ids;
    this.queuedAtS = times;
    this.mask = cap - 1;
    this.head = 0;
  }
}
