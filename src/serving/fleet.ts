/**
 * Replicas, their queues and the dynamic batcher (Triton semantics), plus the router
 * in front of them.
 *
 *   arrive(id) ──► no ready replica? gateway queue (waits for one)
 *              ──► router picks a ready replica (or the shared queue)
 *              ──► queue full? reject : enqueue ──► tryDispatch(queue)
 *   tryDispatch: while a model instance is idle and requests wait, as Triton's
 *   GetDynamicBatch (core, src/dynamic_batch_scheduler.cc) with n = min(queued, maxBatch)
 *   and p = the largest preferred size ≤ n (no preferred sizes = {maxBatch}):
 *       oldest request's delay expired (maxQueueDelay > 0 and it has waited ≥ it) → n;
 *       else p if any (the largest preferred size caps the batch, whatever is queued);
 *       else maxQueueDelay 0 → n; else arm the delay timer for the oldest and wait
 *   batch done ──► outcomes.completed ──► tryDispatch(queue)
 *
 * A queue belongs to one replica, or (routing shared-queue) to all of them: every
 * model instance ("slot") of a ready replica pulls from it. Instances on one GPU
 * share it: with m batches running each advances at σ(m)/m, σ(m) = 1 + overlap·(m−1) (latency.ts sharingSpeedup).
 *
 * Replicas come and go (lifecycle.ts decides when): addReplica() reserves one that is
 * not yet routed, setReady() routes to it, drain() stops routing and lets it finish
 * what it holds, crash() kills it and re-routes what it held. Nothing is ever lost:
 * every request handed to arrive() ends in exactly one Outcomes call.
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import type { Fleet as FleetSpec } from '../config/scenario.js';
import type { LevelIntegral, Recorder } from '../metrics/recorder.js';
import { sharingSpeedup, type LatencyModel } from './latency.js';
import { RequestPool, RingQueue } from './requests.js';
import { grownF64, grownI32, grownU8 } from '../engine/typed-arrays.js';
import type { GpuTenant, SharedGpus } from './shared-gpus.js';

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
  /** Replicas ready to serve (routed to). */
  readyReplicas: LevelIntegral;
}

/** Replica states as the fleet sees them; the lifecycle keeps the finer phases of a start. */
export const enum ReplicaState {
  Free = 0,
  Starting = 1,
  Ready = 2,
  Draining = 3,
}

const ROUTING_CODES = { random: 0, 'round-robin': 1, 'least-outstanding': 2, 'power-of-two': 3, 'shared-queue': 4 } as const;

export class ServingFleet implements GpuTenant {
  private capacity = 0;
  /** GPUs shared with other models' fleets (replica r runs on GPU r), or null: each replica has its GPU to itself. */
  private gpus: SharedGpus | null = null;
  /** This fleet's index in the shared GPUs' books, and the GPU each replica runs on there. */
  private tenant = -1;
  private gpuOf: Int32Array = new Int32Array(0);
  private readonly instances: number;
  private readonly maxBatch: number;
  private readonly maxDelayS: number;
  /** Largest preferred batch size ≤ k, for k = 0..maxBatch (0: none); no preferred sizes mean {maxBatch}. */
  private readonly preferredAtMost: Int32Array;
  private readonly maxDepth: number;
  private readonly timeoutS: number;
  private readonly shared: boolean;
  private readonly routing: number;
  private readonly overlap: number;

  // per replica
  private state: Uint8Array = new Uint8Array(0);
  private running: Int32Array = new Int32Array(0);
  /** Queued + in running batches, per replica (what least-outstanding compares). */
  outstanding: Int32Array = new Int32Array(0);
  /** Requests routed to each replica since it was added (for rate signals). */
  arrivalsCum: Float64Array = new Float64Array(0);
  /** Seconds each replica has spent executing at least one batch, up to busyMarkS. */
  private busyCumS: Float64Array = new Float64Array(0);
  private busyMarkS: Float64Array = new Float64Array(0);
  /** Position of each ready replica in `ready`, −1 when not ready. */
  private readyPos: Int32Array = new Int32Array(0);
  private ready: Int32Array = new Int32Array(0);
  private readyCount = 0;
  private rrNext = 0;
  private freeIdx: number[] = [];
  private used = 0;

  // per queue (queue r belongs to replica r; with shared-queue only queue 0 is used)
  private queues: RingQueue[] = [];
  /** Idle slots per queue, a FIFO ring: the instance idle longest takes the next batch. */
  private idleSlots: Int32Array[] = [];
  private idleHead: Int32Array = new Int32Array(0);
  private idleCount: Int32Array = new Int32Array(0);
  private deadlineAtS: Float64Array = new Float64Array(0);
  private timeoutAtS: Float64Array = new Float64Array(0);
  /** Requests waiting for any replica to become ready (no ready replica at their arrival). */
  private readonly gateway: RingQueue;
  private gatewayTimeoutAtS = NaN;

  // per slot (model instance): slot = replica·instances + i
  private slotSize: Int32Array = new Int32Array(0);
  private slotDoneAtS: Float64Array = new Float64Array(0);
  private slotWorkS: Float64Array = new Float64Array(0);
  private slotMarkS: Float64Array = new Float64Array(0);
  private slotInStack: Uint8Array = new Uint8Array(0);
  private members: Int32Array = new Int32Array(0);

  private readonly onDone: number;
  private readonly onDeadline: number;
  private readonly onTimeout: number;
  private readonly onGatewayTimeout: number;
  /** Optional observer of batches and responses. */
  observer: FleetObserver | null = null;
  /** Told when a draining replica has finished its work and is gone. */
  onReplicaGone: ((replica: number) => void) | null = null;

  /** An empty fleet (no replicas) with room for `initialCapacity` before it grows. */
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
    initialCapacity = 8,
  ) {
    this.instances = spec.instances;
    this.maxBatch = spec.batching.maxBatch;
    this.maxDelayS = spec.batching.maxQueueDelayS;
    this.preferredAtMost = preferredAtMost(spec.batching.preferred, this.maxBatch);
    this.maxDepth = spec.queue.maxDepth;
    this.timeoutS = spec.queue.timeoutS;
    this.routing = ROUTING_CODES[spec.routing];
    this.shared = spec.routing === 'shared-queue';
    this.overlap = spec.overlap;
    this.gateway = new RingQueue(64);
    this.onDone = sim.register((slot) => this.batchDone(slot));
    this.onDeadline = sim.register((q) => this.deadlineFired(q));
    this.onTimeout = sim.register((q) => this.timeoutFired(q));
    this.onGatewayTimeout = sim.register(() => this.gatewayTimeoutFired());
    this.grow(Math.max(1, initialCapacity));
  }

  /** Runs replica r on shared GPU r from now on (before any replica exists): its batches share the GPU with the other models' (shared-gpus.ts). */
  shareGpus(gpus: SharedGpus): number {
    this.gpus = gpus;
    this.tenant = gpus.join(this);
    return this.tenant;
  }

  /** Replica r runs on shared GPU g (its placement; only read with shared GPUs). */
  setGpu(r: number, g: number): void {
    this.gpuOf[r] = g;
  }

  // ------------------------------------------------------------------ replicas

  /** Number of ready replicas. */
  get numReady(): number {
    return this.readyCount;
  }

  /** The ready replica at position i (0 ≤ i < numReady). */
  readyAt(i: number): number {
    return this.ready[i]!;
  }

  /** State of replica r. */
  stateOf(r: number): ReplicaState {
    return this.state[r]! as ReplicaState;
  }

  /** Reserves a replica index in state Starting: it holds no work and gets no traffic until setReady. */
  addReplica(): number {
    let r: number;
    if (this.freeIdx.length > 0) r = this.freeIdx.pop()!;
    else {
      if (this.used === this.capacity) this.grow(this.capacity * 2);
      r = this.used++;
    }
    this.state[r] = ReplicaState.Starting;
    this.running[r] = 0;
    this.outstanding[r] = 0;
    this.arrivalsCum[r] = 0;
    this.busyCumS[r] = 0;
    this.busyMarkS[r] = this.sim.now;
    return r;
  }

  /** Routes traffic to replica r from now on; requests waiting at the gateway are routed at once. */
  setReady(r: number): void {
    if (this.state[r] !== ReplicaState.Starting) throw new Error(`internal: replica ${r} made ready from state ${this.state[r]}`);
    this.state[r] = ReplicaState.Ready;
    this.readyPos[r] = this.readyCount;
    this.ready[this.readyCount++] = r;
    this.meters.readyReplicas.set(this.sim.now, this.readyCount);
    const q = this.queueOf(r);
    for (let s = r * this.instances; s < (r + 1) * this.instances; s++) {
      if (this.slotInStack[s] === 0 && this.slotDoneAtS[s]! !== this.slotDoneAtS[s]!) this.pushIdle(q, s);
    }
    if (this.gateway.length > 0) this.releaseGateway();
    if (this.queues[q]!.length > 0) this.tryDispatch(q);
  }

  /** Stops routing to replica r; it finishes its queue and running batches, then it is gone (onReplicaGone). A starting replica is gone at once. */
  drain(r: number): void {
    const st = this.state[r]!;
    if (st === ReplicaState.Starting) {
      this.release(r);
      return;
    }
    if (st !== ReplicaState.Ready) return;
    this.unready(r);
    this.state[r] = ReplicaState.Draining;
    this.maybeGone(r);
  }

  /** Kills replica r at once: its queued and running requests are routed again (they keep their arrival time), or rejected when `reroute` is false (a region outage: nothing is left to take them). */
  crash(r: number, reroute = true): void {
    if (this.gpus !== null) throw new Error('internal: a replica on shared GPUs cannot crash alone (the loader refuses replica-crash with sharing.mode shared)');
    const st = this.state[r]!;
    if (st === ReplicaState.Free) return;
    if (st === ReplicaState.Ready) this.unready(r);
    const orphans: number[] = [];
    if (!this.shared) {
      const queue = this.queues[r]!;
      while (queue.length > 0) orphans.push(queue.shift());
      this.deadlineAtS[r] = NaN;
    }
    for (let s = r * this.instances; s < (r + 1) * this.instances; s++) {
      if (this.slotDoneAtS[s]! !== this.slotDoneAtS[s]!) continue;
      const base = s * this.maxBatch;
      for (let i = 0; i < this.slotSize[s]!; i++) orphans.push(this.members[base + i]!);
      this.slotDoneAtS[s] = NaN; // its completion event is now stale
    }
    // busyReplicas counts ready replicas only: unready() has already taken this one out
    this.running[r] = 0;
    this.release(r);
    if (reroute) for (const id of orphans) this.arrive(id);
    else for (const id of orphans) this.outcomes.rejected(id, this.sim.now);
  }

  /** Rejects every request waiting for a replica: at the gateway and in the shared queue (a region outage). */
  rejectWaiting(): void {
    const now = this.sim.now;
    const g = this.gateway;
    while (g.length > 0) this.outcomes.rejected(g.shift(), now);
    if (this.shared) {
      const q = this.queues[0]!;
      while (q.length > 0) this.outcomes.rejected(q.shift(), now);
    }
  }

  private unready(r: number): void {
    const pos = this.readyPos[r]!;
    const last = this.ready[--this.readyCount]!;
    this.ready[pos] = last;
    this.readyPos[last] = pos;
    this.readyPos[r] = -1;
    this.meters.readyReplicas.set(this.sim.now, this.readyCount);
    // utilization is busy time over ready time: a draining replica's batches count in neither
    if (this.running[r]! > 0) this.meters.busyReplicas.set(this.sim.now, this.meters.busyReplicas.level - 1);
  }

  private maybeGone(r: number): void {
    if (this.state[r] !== ReplicaState.Draining || this.outstanding[r]! > 0 || this.running[r]! > 0) return;
    this.release(r);
    this.onReplicaGone?.(r);
  }

  private release(r: number): void {
    this.accrueBusy(r);
    this.state[r] = ReplicaState.Free;
    this.outstanding[r] = 0;
    this.freeIdx.push(r);
  }

  /** Seconds replica r has been executing batches since it was added. */
  busySeconds(r: number): number {
    this.accrueBusy(r);
    return this.busyCumS[r]!;
  }

  private accrueBusy(r: number): void {
    const now = this.sim.now;
    if (this.running[r]! > 0) this.busyCumS[r]! += now - this.busyMarkS[r]!;
    this.busyMarkS[r] = now;
  }

  /** Requests queued at replica r (for a shared queue: its share is not defined, 0). */
  queuedAt(r: number): number {
    return this.shared ? 0 : this.queues[r]!.length;
  }

  private queueOf(r: number): number {
    return this.shared ? 0 : r;
  }

  private pushIdle(q: number, slot: number): void {
    const ring = this.idleSlots[q]!;
    ring[(this.idleHead[q]! + this.idleCount[q]!++) % ring.length] = slot;
    this.slotInStack[slot] = 1;
  }

  // ------------------------------------------------------------------ requests

  /** Routes the caller-allocated request `id` (arrival time set) to a replica queue. */
  arrive(id: number): void {
    // a request held upstream (feature store, a crashed replica) may reach us already past its timeout
    if (this.timeoutS !== Infinity && this.pool.arrivedAtS[id]! + this.timeoutS <= this.sim.now) {
      this.outcomes.timedOut(id, this.sim.now);
      return;
    }
    if (this.readyCount === 0 && !this.shared) {
      this.toGateway(id);
      return;
    }
    const q = this.shared ? 0 : this.route();
    const queue = this.queues[q]!;
    if (queue.length >= this.maxDepth) {
      this.outcomes.rejected(id, this.sim.now);
      return;
    }
    this.pool.enqueuedAtS[id] = this.sim.now;
    queue.push(id);
    if (!this.shared) {
      this.outstanding[q]!++;
      this.arrivalsCum[q]!++;
    }
    if (queue.length === 1 && this.timeoutS !== Infinity && this.timeoutAtS[q]! !== this.timeoutAtS[q]!) {
      this.armTimeout(q);
    }
    if (this.idleCount[q]! > 0) this.tryDispatch(q);
  }

  private toGateway(id: number): void {
    if (this.gateway.length >= this.maxDepth) {
      this.outcomes.rejected(id, this.sim.now);
      return;
    }
    this.gateway.push(id);
    if (this.gateway.length === 1 && this.timeoutS !== Infinity && this.gatewayTimeoutAtS !== this.gatewayTimeoutAtS) {
      this.gatewayTimeoutAtS = this.pool.arrivedAtS[id]! + this.timeoutS;
      this.sim.at(this.gatewayTimeoutAtS, this.onGatewayTimeout, 0);
    }
  }

  private releaseGateway(): void {
    const g = this.gateway;
    let n = g.length;
    while (n-- > 0 && this.readyCount > 0) this.arrive(g.shift());
  }

  /** Requests waiting in queues (replica queues, the shared queue and the gateway), not yet in a batch. */
  queueDepth(): number {
    let d = this.gateway.length;
    // the shared queue exists (and takes arrivals) before any replica does
    const n = this.shared ? 1 : this.used;
    for (let q = 0; q < n; q++) d += this.queues[q]!.length;
    return d;
  }

  /** Requests that count in the summary and are still queued or in a running batch. */
  inFlightCounted(): number {
    const counted = this.pool.counted;
    let n = 0;
    for (let i = 0; i < this.gateway.length; i++) n += counted[this.gateway.at(i)]!;
    for (let q = 0; q < (this.shared ? 1 : this.used); q++) {
      const queue = this.queues[q]!;
      for (let i = 0; i < queue.length; i++) n += counted[queue.at(i)]!;
    }
    for (let s = 0; s < this.used * this.instances; s++) {
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
      case 0: // random
        return ready[this.routingRng.int(n)]!;
      case 1: // round-robin
        if (this.rrNext >= n) this.rrNext = 0;
        return ready[this.rrNext++]!;
      case 2: {
        // least-outstanding; ties go to a random one of the least loaded, so no replica is favoured
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
      default: {
        // power-of-two choices
        if (n === 1) return ready[0]!;
        const a = ready[this.routingRng.int(n)]!;
        let b = ready[this.routingRng.int(n - 1)]!;
        if (b === a) b = ready[n - 1]!;
        const out = this.outstanding;
        return out[b]! < out[a]! ? b : a;
      }
    }
  }

  /** Takes an idle slot of queue q whose replica is ready (slots of replicas gone since are dropped lazily); −1 if none. */
  private takeIdle(q: number): number {
    const ring = this.idleSlots[q]!;
    while (this.idleCount[q]! > 0) {
      const head = this.idleHead[q]!;
      const slot = ring[head]!;
      this.idleHead[q] = head + 1 === ring.length ? 0 : head + 1;
      this.idleCount[q]!--;
      this.slotInStack[slot] = 0;
      if (this.state[Math.floor(slot / this.instances)] === ReplicaState.Ready || !this.shared) return slot;
    }
    return -1;
  }

  /**
   * Forms and starts batches on queue q while instances are idle (the rule in the header). The
   * delay has expired when now ≥ enqueued + maxQueueDelay, the same sum the timer is armed at,
   * so the timer's own event always finds it expired; a timer whose head has left the queue
   * (dispatched, timed out) finds another due time and re-arms for the new head.
   */
  private tryDispatch(q: number): void {
    const queue = this.queues[q]!;
    const maxDelayS = this.maxDelayS;
    while (queue.length > 0 && this.idleCount[q]! > 0) {
      const n = queue.length < this.maxBatch ? queue.length : this.maxBatch;
      let size = this.preferredAtMost[n]!;
      if (maxDelayS === 0) {
        if (size === 0) size = n;
      } else {
        const due = this.pool.enqueuedAtS[queue.at(0)]! + maxDelayS;
        if (this.sim.now >= due) size = n;
        else if (size === 0) {
          if (this.deadlineAtS[q] !== due) {
            this.deadlineAtS[q] = due;
            this.sim.at(due, this.onDeadline, q);
          }
          return;
        }
      }
      const slot = this.takeIdle(q);
      if (slot < 0) return;
      this.deadlineAtS[q] = NaN;
      this.start(q, slot, size);
    }
  }

  private start(q: number, slot: number, size: number): void {
    const r = Math.floor(slot / this.instances);
    const queue = this.queues[q]!;
    const base = slot * this.maxBatch;
    const members = this.members;
    for (let i = 0; i < size; i++) members[base + i] = queue.shift();
    if (this.shared) {
      this.outstanding[r]! += size;
      this.arrivalsCum[r]! += size;
    }
    this.slotSize[slot] = size;
    const now = this.sim.now;
    const work = this.latency.sample(size, this.serviceRng);
    // effective work: the batch's GPU time × the share of the replica's peak throughput it runs at (a replica of
    // several instances peaks at σ(instances) × one instance's peak); a draining replica is outside ready time
    const peakShare = size / (this.latency.meanS[size]! * this.latency.peakRps * this.instances * this.speed(this.instances));
    this.rec.batch(size, now, this.state[r] === ReplicaState.Ready ? work * peakShare : 0);
    this.observer?.batchStarted(r, size, now);
    const gpus = this.gpus;
    const m = ++this.running[r]!;
    if (m === 1) {
      this.busyMarkS[r] = now;
      if (this.state[r] === ReplicaState.Ready) this.meters.busyReplicas.set(now, this.meters.busyReplicas.level + 1);
    }
    if (this.instances === 1 && gpus === null) {
      const done = now + work;
      this.slotDoneAtS[slot] = done;
      this.sim.at(done, this.onDone, slot);
    } else {
      this.slotWorkS[slot] = work;
      this.slotMarkS[slot] = now;
      this.slotDoneAtS[slot] = Infinity;
      if (gpus !== null) gpus.started(this.gpuOf[r]!, this.tenant, slot, this.pool.arrivedAtS[members[base]!]!, now);
      else this.reshare(r, m - 1, m);
    }
  }

  /** Speed of each of m batches sharing one GPU: σ(m)/m. */
  private speed(m: number): number {
    return m <= 1 ? 1 : sharingSpeedup(this.overlap, m) / m;
  }

  /** Re-times the running batches of replica r after the count went from `before` to `after`. */
  private reshare(r: number, before: number, after: number): void {
    this.retime(r, this.speed(before), this.speed(after));
  }

  /** The batch in `slot` (on a shared GPU) went from `oldSpeed` to `newSpeed`, 0 while it waits for the GPU (GpuTenant). */
  setSpeed(slot: number, oldSpeed: number, newSpeed: number): void {
    const now = this.sim.now;
    if (this.slotDoneAtS[slot] !== Infinity) this.slotWorkS[slot] = Math.max(0, this.slotWorkS[slot]! - (now - this.slotMarkS[slot]!) * oldSpeed);
    this.slotMarkS[slot] = now;
    if (newSpeed > 0) {
      const due = now + this.slotWorkS[slot]! / newSpeed;
      this.slotDoneAtS[slot] = due;
      this.sim.at(due, this.onDone, slot);
    } else this.slotDoneAtS[slot] = Infinity;
  }

  /** Re-times the running batches of replica r after their speed went from `oldSpeed` to `newSpeed`. */
  private retime(r: number, oldSpeed: number, newSpeed: number): void {
    const now = this.sim.now;
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
    if (this.slotDoneAtS[slot] !== now) return; // re-timed or crashed since scheduled
    const r = Math.floor(slot / this.instances);
    const size = this.slotSize[slot]!;
    this.slotDoneAtS[slot] = NaN;
    const base = slot * this.maxBatch;
    const obs = this.observer;
    const outcomes = this.outcomes;
    const members = this.members;
    this.outstanding[r]! -= size;
    const gpus = this.gpus;
    if (gpus !== null) gpus.finished(this.gpuOf[r]!, this.tenant, slot, now);
    const m = --this.running[r]!;
    if (m === 0) {
      this.busyCumS[r]! += now - this.busyMarkS[r]!;
      this.busyMarkS[r] = now;
      if (this.state[r] === ReplicaState.Ready) this.meters.busyReplicas.set(now, this.meters.busyReplicas.level - 1);
    } else if (this.instances > 1 && gpus === null) this.reshare(r, m + 1, m);
    for (let i = base; i < base + size; i++) {
      const id = members[i]!;
      if (obs) obs.responded(r, this.pool.arrivedAtS[id]!, now);
      outcomes.completed(id, now);
    }
    const q = this.queueOf(r);
    const st = this.state[r]!;
    if (st === ReplicaState.Ready || (st === ReplicaState.Draining && !this.shared)) {
      this.pushIdle(q, slot);
      this.tryDispatch(q);
    }
    if (st === ReplicaState.Draining) this.maybeGone(r);
    // the GPU chooses its next batch once this model has handed it the next one (shared-gpus.ts)
    if (gpus !== null) gpus.settle(this.gpuOf[r]!);
  }

  private deadlineFired(q: number): void {
    if (this.deadlineAtS[q] !== this.sim.now) return; // superseded by a dispatch
    this.deadlineAtS[q] = NaN;
    this.tryDispatch(q);
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
    else if (!this.shared && this.state[q] === ReplicaState.Draining) this.maybeGone(q);
  }

  private gatewayTimeoutFired(): void {
    this.gatewayTimeoutAtS = NaN;
    const g = this.gateway;
    const now = this.sim.now;
    while (g.length > 0 && this.pool.arrivedAtS[g.at(0)]! + this.timeoutS <= now) this.outcomes.timedOut(g.shift(), now);
    if (g.length > 0) {
      this.gatewayTimeoutAtS = this.pool.arrivedAtS[g.at(0)]! + this.timeoutS;
      this.sim.at(this.gatewayTimeoutAtS, this.onGatewayTimeout, 0);
    }
  }

  // ------------------------------------------------------------------ storage

  private grow(capacity: number): void {
    const old = this.capacity;
    const i = this.instances;
    const f64 = grownF64;
    const i32 = grownI32;
    const u8 = grownU8;
    this.state = u8(this.state, capacity);
    this.running = i32(this.running, capacity);
    this.outstanding = i32(this.outstanding, capacity);
    this.arrivalsCum = f64(this.arrivalsCum, capacity);
    this.busyCumS = f64(this.busyCumS, capacity);
    this.busyMarkS = f64(this.busyMarkS, capacity);
    this.gpuOf = i32(this.gpuOf, capacity);
    this.readyPos = i32(this.readyPos, capacity, -1);
    this.ready = i32(this.ready, capacity);
    this.idleCount = i32(this.idleCount, capacity);
    this.idleHead = i32(this.idleHead, capacity);
    this.deadlineAtS = f64(this.deadlineAtS, capacity, NaN);
    this.timeoutAtS = f64(this.timeoutAtS, capacity, NaN);
    for (let q = old; q < capacity; q++) {
      this.queues.push(new RingQueue(Math.min(this.maxDepth, 256)));
      this.idleSlots.push(new Int32Array(this.shared ? 0 : i));
    }
    if (this.shared) {
      // unroll the ring into the larger one
      const old0 = this.idleSlots[0]!;
      const ring = new Int32Array(capacity * i);
      for (let k = 0; k < this.idleCount[0]!; k++) ring[k] = old0[(this.idleHead[0]! + k) % Math.max(1, old0.length)]!;
      this.idleSlots[0] = ring;
      this.idleHead[0] = 0;
    }
    this.slotSize = i32(this.slotSize, capacity * i);
    this.slotDoneAtS = f64(this.slotDoneAtS, capacity * i, NaN);
    this.slotWorkS = f64(this.slotWorkS, capacity * i);
    this.slotMarkS = f64(this.slotMarkS, capacity * i);
    this.slotInStack = u8(this.slotInStack, capacity * i);
    this.members = i32(this.members, capacity * i * this.maxBatch);
    this.capacity = capacity;
  }
}

/**
 * The largest preferred batch size ≤ k for k = 0..maxBatch (0 when none is): what Triton's
 * batcher remembers walking the queue. An empty list means {maxBatch}, as Triton's model
 * config normalization makes it (core, src/model_config_utils.cc).
 */
export function preferredAtMost(preferred: readonly number[], maxBatch: number): Int32Array {
  const table = new Int32Array(maxBatch + 1);
  if (preferred.length === 0) table[maxBatch] = maxBatch;
  for (const p of preferred) if (p >= 1 && p <= maxBatch) table[p] = p;
  for (let k = 1; k <= maxBatch; k++) if (table[k] === 0) table[k] = table[k - 1]!;
  return table;
}
