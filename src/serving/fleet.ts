/**
 * Replicas, their queues and the dynamic batcher (Triton semantics), plus the router
 * in front of them.
 *
 *   arrive(id) ──► router picks a ready replica (or the shared queue)
 *              ──► queue full? reject : enqueue ──► tryDispatch(queue)
 *   tryDispatch: while a model instance is idle and requests wait:
 *       ≥ maxBatch queued → maxBatch; a preferred size reachable → the largest;
 *       maxQueueDelay 0 or oldest waited ≥ it → all; else arm the delay timer and wait
 *   batch done ──► responses recorded ──► tryDispatch(queue)
 *
 * A queue belongs to one replica, or (routing shared-queue) to all of them: every
 * model instance ("slot") attached to a queue pulls from it. Instances on one GPU
 * share it: with m batches running each advances at σ(m)/m, σ(m) = 1 + overlap·(m−1).
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import type { Fleet as FleetSpec } from '../scenario/types.js';
import type { LevelIntegral, Recorder } from '../metrics/recorder.js';
import type { LatencyModel } from './latency.js';
import { RequestPool, RingQueue } from './requests.js';

/**
 * Where a request goes when the fleet is done with it: every request handed to
 * arrive() ends in exactly one of these calls (or is still in flight at the end).
 * The receiver owns the id from then on (records it, frees it, or passes it on).
 */
export interface Outcomes {
  completed(id: number, nowS: number): void;
  rejected(id: number, nowS: number): void;
  timedOut(id: number, nowS: number): void;
}

/** Sees every batch and response, for tests and detailed traces; null in normal runs. */
export interface FleetObserver {
  batchStarted(replica: number, size: number, startS: number): void;
  responded(replica: number, arrivedAtS: number, doneS: number): void;
}

export interface FleetMeters {
  /** Replicas executing at least one batch. */
  busyReplicas: LevelIntegral;
  /** Replicas ready to serve. */
  readyReplicas: LevelIntegral;
}

export class ServingFleet {
  readonly numReplicas: number;
  private readonly instances: number;
  private readonly maxBatch: number;
  private readonly maxDelayS: number;
  private readonly preferred: Int32Array;
  private readonly maxDepth: number;
  private readonly timeoutS: number;
  private readonly shared: boolean;
  private readonly routing: FleetSpec['routing'];
  private readonly overlap: number;

  // per replica
  private readonly running: Int32Array;
  /** Queued + in running batches, per replica (what least-outstanding compares). */
  readonly outstanding: Int32Array;
  private readonly ready: Int32Array;
  private readyCount = 0;
  private rrNext = 0;

  // per queue
  private readonly queues: RingQueue[];
  private readonly idleSlots: Int32Array[];
  private readonly idleCount: Int32Array;
  private readonly deadlineAtS: Float64Array;
  private readonly timeoutAtS: Float64Array;

  // per slot (model instance)
  private readonly slotReplica: Int32Array;
  private readonly slotSize: Int32Array;
  private readonly slotDoneAtS: Float64Array;
  private readonly slotWorkS: Float64Array;
  private readonly slotMarkS: Float64Array;
  private readonly members: Int32Array;

  private readonly onDone: number;
  private readonly onDeadline: number;
  private readonly onTimeout: number;
  /** Optional observer of batches and responses. */
  observer: FleetObserver | null = null;

  /** Builds `spec.replicas` ready replicas. */
  constructor(
    private readonly sim: Simulation,
    spec: FleetSpec,
    private readonly latency: LatencyModel,
    private readonly pool: RequestPool,
    private readonly rec: Recorder,
    private readonly outcomes: Outcomes,
    private readonly meters: FleetMeters,
    private readonly serviceRng: RandomStream,
    private readonly routingRng: RandomStream,
  ) {
    const n = spec.replicas;
    this.numReplicas = n;
    this.instances = spec.instances;
    this.maxBatch = spec.batching.maxBatch;
    this.maxDelayS = spec.batching.maxQueueDelayS;
    this.preferred = Int32Array.from(spec.batching.preferred);
    this.maxDepth = spec.queue.maxDepth;
    this.timeoutS = spec.queue.timeoutS;
    this.routing = spec.routing;
    this.shared = spec.routing === 'shared-queue';
    this.overlap = spec.overlap;

    this.running = new Int32Array(n);
    this.outstanding = new Int32Array(n);
    this.ready = new Int32Array(n);

    const numQueues = this.shared ? 1 : n;
    const slotsPerQueue = this.shared ? n * this.instances : this.instances;
    this.queues = [];
    this.idleSlots = [];
    for (let q = 0; q < numQueues; q++) {
      this.queues.push(new RingQueue(Math.min(this.maxDepth, 1024)));
      this.idleSlots.push(new Int32Array(slotsPerQueue));
    }
    this.idleCount = new Int32Array(numQueues);
    this.deadlineAtS = new Float64Array(numQueues).fill(NaN);
    this.timeoutAtS = new Float64Array(numQueues).fill(NaN);

    const slots = n * this.instances;
    this.slotReplica = new Int32Array(slots);
    this.slotSize = new Int32Array(slots);
    this.slotDoneAtS = new Float64Array(slots).fill(NaN);
    this.slotWorkS = new Float64Array(slots);
    this.slotMarkS = new Float64Array(slots);
    this.members = new Int32Array(slots * this.maxBatch);

    this.onDone = sim.register((slot) => this.batchDone(slot));
    this.onDeadline = sim.register((q) => this.deadlineFired(q));
    this.onTimeout = sim.register((q) => this.timeoutFired(q));

    // idle slots are stacks; pushed from the last so the first replica's first instance is taken first
    for (let slot = n * this.instances - 1; slot >= 0; slot--) {
      const r = Math.floor(slot / this.instances);
      this.slotReplica[slot] = r;
      const q = this.shared ? 0 : r;
      this.idleSlots[q]![this.idleCount[q]!++] = slot;
    }
    for (let r = 0; r < n; r++) this.ready[this.readyCount++] = r;
    this.meters.readyReplicas.set(sim.now, this.readyCount);
  }

  /** Routes the caller-allocated request `id` (arrival time set) to a replica queue. */
  arrive(id: number): void {
    const q = this.shared ? 0 : this.route();
    const queue = this.queues[q]!;
    if (queue.length >= this.maxDepth) {
      this.outcomes.rejected(id, this.sim.now);
      return;
    }
    this.pool.enqueuedAtS[id] = this.sim.now;
    queue.push(id);
    if (!this.shared) this.outstanding[q]!++;
    if (queue.length === 1 && this.timeoutS !== Infinity && this.timeoutAtS[q]! !== this.timeoutAtS[q]!) {
      this.armTimeout(q);
    }
    if (this.idleCount[q]! > 0) this.tryDispatch(q, false);
  }

  /** Requests waiting in queues (not yet in a batch). */
  queueDepth(): number {
    let d = 0;
    for (const q of this.queues) d += q.length;
    return d;
  }

  /** Requests that count in the summary and are still queued or in a running batch. */
  inFlightCounted(): number {
    const counted = this.pool.counted;
    let n = 0;
    for (const queue of this.queues) for (let i = 0; i < queue.length; i++) n += counted[queue.at(i)]!;
    for (let s = 0; s < this.slotSize.length; s++) {
      if (this.slotDoneAtS[s]! !== this.slotDoneAtS[s]!) continue; // idle
      const base = s * this.maxBatch;
      for (let i = 0; i < this.slotSize[s]!; i++) n += counted[this.members[base + i]!]!;
    }
    return n;
  }

  private route(): number {
    const n = this.readyCount;
    const ready = this.ready;
    switch (this.routing) {
      case 'random':
        return ready[this.routingRng.int(n)]!;
      case 'round-robin': {
        if (this.rrNext >= n) this.rrNext = 0;
        return ready[this.rrNext++]!;
      }
      case 'least-outstanding': {
        // ties go to a random one of the least loaded, so no replica is favoured
        const out = this.outstanding;
        let best = ready[0]!;
        let bestLoad = out[best]!;
        let ties = 1;
        for (let i = 1; i < n; i++) {
          const r = ready[i]!;
          const load = out[r]!;
          if (load < bestLoad) {
            best = r;
            bestLoad = load;
            ties = 1;
          } else if (load === bestLoad && this.routingRng.uniform() * ++ties < 1) {
            best = r;
          }
        }
        return best;
      }
      case 'power-of-two': {
        if (n === 1) return ready[0]!;
        const a = ready[this.routingRng.int(n)]!;
        let b = ready[this.routingRng.int(n - 1)]!;
        if (b === a) b = ready[n - 1]!;
        const out = this.outstanding;
        return out[b]! < out[a]! ? b : a;
      }
      case 'shared-queue':
        return 0;
    }
  }

  /** Forms and starts batches on queue q while instances are idle; `force` dispatches a partial batch (delay expired). */
  private tryDispatch(q: number, force: boolean): void {
    const queue = this.queues[q]!;
    while (queue.length > 0 && this.idleCount[q]! > 0) {
      const len = queue.length;
      let size: number;
      if (len >= this.maxBatch) {
        size = this.maxBatch;
      } else {
        size = 0;
        const pref = this.preferred;
        for (let i = pref.length - 1; i >= 0; i--) {
          if (pref[i]! <= len) {
            size = pref[i]!;
            break;
          }
        }
        if (size === 0) {
          const oldest = this.pool.enqueuedAtS[queue.at(0)]!;
          if (force || this.maxDelayS === 0 || this.sim.now - oldest >= this.maxDelayS) {
            size = len;
          } else {
            const due = oldest + this.maxDelayS;
            if (this.deadlineAtS[q] !== due) {
              this.deadlineAtS[q] = due;
              this.sim.at(due, this.onDeadline, q);
            }
            return;
          }
        }
      }
      force = false;
      this.deadlineAtS[q] = NaN;
      this.start(q, size);
    }
  }

  private start(q: number, size: number): void {
    const slot = this.idleSlots[q]![--this.idleCount[q]!]!;
    const r = this.slotReplica[slot]!;
    const queue = this.queues[q]!;
    const base = slot * this.maxBatch;
    const members = this.members;
    for (let i = 0; i < size; i++) members[base + i] = queue.shift();
    if (this.shared) this.outstanding[r]! += size;
    this.slotSize[slot] = size;
    const now = this.sim.now;
    const work = this.latency.sample(size, this.serviceRng);
    this.rec.batch(size, now, size / this.latency.peakRps);
    this.observer?.batchStarted(r, size, now);
    const m = ++this.running[r]!;
    if (m === 1) this.meters.busyReplicas.set(now, this.meters.busyReplicas.level + 1);
    if (this.instances === 1) {
      const done = now + work;
      this.slotDoneAtS[slot] = done;
      this.sim.at(done, this.onDone, slot);
    } else {
      this.slotWorkS[slot] = work;
      this.slotMarkS[slot] = now;
      this.slotDoneAtS[slot] = Infinity;
      this.reshare(r, m - 1, m);
    }
  }

  /** Speed of each of m batches sharing one GPU. */
  private speed(m: number): number {
    return m <= 1 ? 1 : (1 + this.overlap * (m - 1)) / m;
  }

  /** Re-times the running batches of replica r after the count went from `before` to `after`. */
  private reshare(r: number, before: number, after: number): void {
    const now = this.sim.now;
    const oldSpeed = this.speed(before);
    const newSpeed = this.speed(after);
    const first = r * this.instances;
    for (let s = first; s < first + this.instances; s++) {
      const doneAt = this.slotDoneAtS[s]!;
      if (doneAt !== doneAt) continue; // idle
      if (doneAt !== Infinity) this.slotWorkS[s] = Math.max(0, this.slotWorkS[s]! - (now - this.slotMarkS[s]!) * oldSpeed);
      this.slotMarkS[s] = now;
      const due = now + this.slotWorkS[s]! / newSpeed;
      this.slotDoneAtS[s] = due;
      this.sim.at(due, this.onDone, s);
    }
  }

  private batchDone(slot: number): void {
    const now = this.sim.now;
    if (this.slotDoneAtS[slot] !== now) return; // re-timed since scheduled
    const r = this.slotReplica[slot]!;
    const size = this.slotSize[slot]!;
    this.slotDoneAtS[slot] = NaN;
    const base = slot * this.maxBatch;
    const obs = this.observer;
    const outcomes = this.outcomes;
    const members = this.members;
    for (let i = base; i < base + size; i++) {
      const id = members[i]!;
      if (obs) obs.responded(r, this.pool.arrivedAtS[id]!, now);
      outcomes.completed(id, now);
    }
    this.outstanding[r]! -= size;
    const m = --this.running[r]!;
    if (m === 0) this.meters.busyReplicas.set(now, this.meters.busyReplicas.level - 1);
    else if (this.instances > 1) this.reshare(r, m + 1, m);
    const q = this.shared ? 0 : r;
    this.idleSlots[q]![this.idleCount[q]!++] = slot;
    this.tryDispatch(q, false);
  }

  private deadlineFired(q: number): void {
    if (this.deadlineAtS[q] !== this.sim.now) return; // superseded by a dispatch
    this.deadlineAtS[q] = NaN;
    this.tryDispatch(q, true);
  }

  private armTimeout(q: number): void {
    const due = this.pool.arrivedAtS[this.queues[q]!.at(0)]! + this.timeoutS;
    this.timeoutAtS[q] = due;
    this.sim.at(due, this.onTimeout, q);
  }

  /** Drops the requests at the head of queue q that have waited `timeout` since arrival, then re-arms for the new head. */
  private timeoutFired(q: number): void {
    this.timeoutAtS[q] = NaN;
    const queue = this.queues[q]!;
    const pool = this.pool;
    const now = this.sim.now;
    while (queue.length > 0 && pool.arrivedAtS[queue.at(0)]! + this.timeoutS <= now) {
      const id = queue.shift();
      if (!this.shared) this.outstanding[q]!--;
      this.outcomes.timedOut(id, now);
    }
    if (queue.length > 0) this.armTimeout(q);
  }
}
