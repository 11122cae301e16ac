/**
 * Replica lifecycle, as a Kubernetes Deployment on GPU nodes lives it (MODELS.md §4):
 *
 *   Pending ─(no free GPU on a node: provision one)─► image pull (skipped when the node
 *   has the image) ─► model load ─► warmup ─► Ready ─(scale down)─► Draining ─► gone
 *
 * The controller keeps `desired` serving replicas (starting + ready): it takes loaded
 * warm-pool standbys first, then starts new pods; scaling down removes starting pods
 * first (Kubernetes deletes unready pods first), then drains ready ones (newest first).
 * The warm pool is refilled in the background. Nodes hold `replicasPerNode` replicas and
 * are released after idleNodeTimeout empty. Billing: per replica (its GPU share) from the
 * moment it is requested to when it is gone, or per whole node when nodes are modelled.
 */
import type { RandomStream } from '../engine/rng.js';
import type { Simulation } from '../engine/simulation.js';
import type { LevelIntegral } from '../metrics/recorder.js';
import type { DurationDist, Fleet as FleetSpec } from '../config/scenario.js';
import { ReplicaState, type ServingFleet } from './fleet.js';
import { lognormalDraw, lognormalSigma } from './latency.js';
import type { GpuNodes } from './gpu-nodes.js';

/** GPU nodes shared with other models' pods (sharing.mode mig, or shared per model): this fleet's pods take slots of `kind`. */
export interface NodePlacement {
  nodes: GpuNodes;
  /** The slot kind a pod takes: its MIG profile, or its model (one pod of each model per time-sliced GPU). */
  kind: string;
  /** This model's index in the nodes' books. */
  model: number;
}

/** Phases of a pod's start, then its life. */
export const enum Phase {
  Pending = 0,
  Provisioning = 1,
  Pulling = 2,
  Loading = 3,
  Warming = 4,
  Standby = 5,
  Ready = 6,
  Draining = 7,
}

interface Pod {
  replica: number;
  phase: Phase;
  /** A warm-pool pod (loaded and idle until promoted); false for serving pods. */
  standby: boolean;
  node: GpuNode;
  createdAtS: number;
  readySinceS: number | null;
  phaseDoneAtS: number;
}

interface GpuNode {
  id: number;
  provisioned: boolean;
  hasImage: boolean;
  used: number;
  emptySinceS: number;
  released: boolean;
}

/** Draws a phase duration in seconds. */
export function drawDuration(d: DurationDist, rng: RandomStream): number {
  switch (d.kind) {
    case 'fixed':
      return d.s;
    case 'uniform':
      return d.minS + (d.maxS - d.minS) * rng.uniform();
    case 'lognormal': {
      if (d.cv === 0) return d.meanS;
      return lognormalDraw(d.meanS, lognormalSigma(d.cv), rng);
    }
  }
}

export class Lifecycle {
  /** Serving replicas wanted (starting + ready), as the autoscaler or schedule last set it. */
  desired: number;
  /** Pods started after t = 0 (each paid a cold start, warm-pool refills included). */
  coldStarts = 0;
  /** The same, counting only those started after warmup. */
  coldStartsCounted = 0;
  private readonly pods = new Map<number, Pod>();
  private readonly nodes: GpuNode[] = [];
  /** With nodes shared by several models: this fleet's view of each node it has used. */
  private readonly placedNodes = new Map<number, GpuNode>();
  private readonly onPhase: number;
  private readonly onNodeReady: number;
  private readonly onNodeIdle: number;
  private readonly perNode: number;
  private readonly billNodes: boolean;
  private readonly gpusPerNode: number;
  /** In a region outage: nothing runs, nothing starts, the autoscaler's wishes are ignored (restore() ends it). */
  private down = false;
  /** A cold standby: holds no replicas and ignores the autoscaler until release(). */
  private held: boolean;

  /**
   * Starts `initial` ready replicas and the warm pool, on nodes that already exist at t = 0;
   * `held` (a cold standby) starts nothing until release(), then `initial` pods that each pay a cold start.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly spec: FleetSpec,
    private readonly fleet: ServingFleet,
    private readonly billed: LevelIntegral,
    private readonly rng: RandomStream,
    initial: number,
    private readonly countFromS = 0,
    held = false,
    private readonly placement: NodePlacement | null = null,
  ) {
    this.held = held;
    this.perNode = spec.replicasPerNode;
    this.billNodes = spec.nodes !== null;
    this.gpusPerNode = spec.nodes?.gpusPerNode ?? 1;
    this.onPhase = sim.register((r) => this.phaseDone(r));
    this.onNodeReady = sim.register((n) => this.nodeReady(n));
    this.onNodeIdle = sim.register((n) => this.nodeIdleCheck(n));
    fleet.onReplicaGone = (r) => this.gone(r);
    placement?.nodes.subscribe((id) => {
      const node = this.placedNodes.get(id);
      if (node !== undefined) this.nodeReady(node.id);
    });
    this.desired = initial;
    for (let i = 0; i < (held ? 0 : initial + spec.warmPool); i++) {
      const node = this.nodeWithRoom(true) ?? this.newNode(true);
      const r = fleet.addReplica();
      const pod: Pod = { replica: r, phase: Phase.Ready, standby: i >= initial, node, createdAtS: 0, readySinceS: 0, phaseDoneAtS: NaN };
      this.occupy(node, r);
      this.pods.set(r, pod);
      if (pod.standby) pod.phase = Phase.Standby;
      else fleet.setReady(r);
    }
    this.updateBilling();
  }

  // ------------------------------------------------------------------ counts

  /** Pods by state, for the timeline: ready (routed), starting (not yet ready, serving or standby), standby (loaded, idle), draining. */
  counts(): { ready: number; starting: number; standby: number; draining: number } {
    let ready = 0;
    let starting = 0;
    let standby = 0;
    let draining = 0;
    for (const p of this.pods.values()) {
      if (p.phase === Phase.Ready) ready++;
      else if (p.phase === Phase.Standby) standby++;
      else if (p.phase === Phase.Draining) draining++;
      else starting++;
    }
    return { ready, starting, standby, draining };
  }

  /** The pods a Deployment counts (serving: starting or ready), for the HPA: replica, ready, start and ready times. */
  servingPods(): { replica: number; ready: boolean; createdAtS: number; readySinceS: number | null }[] {
    const out: { replica: number; ready: boolean; createdAtS: number; readySinceS: number | null }[] = [];
    for (const p of this.pods.values()) {
      if (p.standby || p.phase === Phase.Draining) continue;
      out.push({ replica: p.replica, ready: p.phase === Phase.Ready, createdAtS: p.createdAtS, readySinceS: p.readySinceS });
    }
    return out;
  }

  // ------------------------------------------------------------------ control

  /**
   * Several models' pods scaled as one (sharing.scaling unit: one Triton Deployment holding every
   * model): told this lifecycle's wish instead of acting on it, it sets every member's desired.
   */
  group: ((from: Lifecycle, n: number) => void) | null = null;

  /** Sets the desired number of serving replicas and acts on it at once (ignored while down or held: the autoscaler is frozen). */
  setDesired(n: number): void {
    if (this.down || this.held) return;
    if (this.group !== null) this.group(this, n);
    else this.applyDesired(n);
  }

  /** Sets the desired number of serving replicas and acts on it at once (the group's decision, or setDesired's). */
  applyDesired(n: number): void {
    this.desired = Math.max(0, Math.floor(n));
    this.reconcile();
  }

  /** Whether the lifecycle runs (not in an outage, not a held cold standby). */
  get active(): boolean {
    return !this.down && !this.held;
  }

  /**
   * A region outage: every pod dies at once (ready, starting, standby, draining), its nodes
   * with it; the fleet rejects what they held and what waits for them. Billing stops.
   * Nothing starts until restore().
   */
  outage(): void {
    this.down = true;
    for (const pod of [...this.pods.values()]) {
      if (pod.phase === Phase.Ready || pod.phase === Phase.Draining) this.fleet.crash(pod.replica, false);
      else this.fleet.drain(pod.replica); // not yet routed: released at once
    }
    this.pods.clear();
    for (const n of this.nodes) {
      n.used = 0;
      n.released = true;
    }
    this.fleet.rejectWaiting();
    this.updateBilling();
  }

  /** The outage is over: the desired pods (and warm pool) start again from scratch, on new nodes, each paying a cold start. */
  restore(): void {
    this.down = false;
    if (!this.held) this.reconcile();
  }

  /** A cold standby becomes active: its desired pods start (cold), and the autoscaler drives it from now on. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    if (!this.down) this.reconcile();
  }

  /** Kills `count` ready replicas (a crash): their work is re-routed; the Deployment replaces them (unless down or held). */
  crash(count: number): void {
    const ready = [...this.pods.values()].filter((p) => p.phase === Phase.Ready);
    for (let i = 0; i < count && ready.length > 0; i++) {
      const k = Math.floor(this.rng.uniform() * ready.length);
      const pod = ready.splice(k, 1)[0]!;
      this.pods.delete(pod.replica);
      this.leaveNode(pod.node);
      this.fleet.crash(pod.replica);
    }
    this.reconcile();
  }

  private reconcile(): void {
    if (this.down || this.held) return;
    const serving = [...this.pods.values()].filter((p) => !p.standby && p.phase !== Phase.Draining);
    let active = serving.length;
    // scale up: loaded standbys first, then standbys still starting, then new pods
    while (active < this.desired) {
      const standby = this.pickStandby();
      if (standby) {
        standby.standby = false;
        if (standby.phase === Phase.Standby) this.makeReady(standby);
      } else {
        this.startPod(false);
      }
      active++;
    }
    // scale down: pods not yet ready first (newest first), then ready pods (newest first)
    if (active > this.desired) {
      const victims = serving.sort((a, b) => {
        const ar = a.phase === Phase.Ready ? 1 : 0;
        const br = b.phase === Phase.Ready ? 1 : 0;
        return ar - br || b.createdAtS - a.createdAtS || b.replica - a.replica;
      });
      for (const pod of victims.slice(0, active - this.desired)) this.remove(pod);
    }
    // refill the warm pool in the background
    let standbys = 0;
    for (const p of this.pods.values()) if (p.standby) standbys++;
    for (; standbys < this.spec.warmPool; standbys++) this.startPod(true);
    this.updateBilling();
  }

  private pickStandby(): Pod | null {
    let best: Pod | null = null;
    for (const p of this.pods.values()) {
      if (!p.standby) continue;
      if (p.phase === Phase.Standby) return p;
      if (best === null || p.phaseDoneAtS < best.phaseDoneAtS) best = p;
    }
    return best;
  }

  private remove(pod: Pod): void {
    if (pod.phase === Phase.Ready) {
      pod.phase = Phase.Draining;
      this.fleet.drain(pod.replica); // calls gone() when its work is done
    } else {
      this.pods.delete(pod.replica);
      this.leaveNode(pod.node);
      this.fleet.drain(pod.replica); // a starting replica is released at once
    }
  }

  private gone(r: number): void {
    const pod = this.pods.get(r);
    if (!pod) return;
    this.pods.delete(r);
    this.leaveNode(pod.node);
    this.updateBilling();
  }

  // ------------------------------------------------------------------ starting pods

  private startPod(standby: boolean): void {
    const now = this.sim.now;
    const r = this.fleet.addReplica();
    this.coldStarts++;
    if (now >= this.countFromS) this.coldStartsCounted++;
    let node = this.nodeWithRoom(false);
    if (node === null) node = this.newNode(false);
    this.occupy(node, r);
    const pod: Pod = { replica: r, phase: Phase.Pending, standby, node, createdAtS: now, readySinceS: null, phaseDoneAtS: NaN };
    this.pods.set(r, pod);
    if (node.provisioned) this.afterNode(pod);
    else pod.phase = Phase.Provisioning; // continues when the node is ready
  }

  /** The pod has a GPU on a ready node: pull (unless cached), load, warm up. */
  private afterNode(pod: Pod): void {
    if (pod.node.hasImage) this.enter(pod, Phase.Loading, drawDuration(this.spec.coldStart.modelLoad, this.rng));
    else this.enter(pod, Phase.Pulling, drawDuration(this.spec.coldStart.imagePull, this.rng));
  }

  /** Enters `phase` for `durationS`; a phase of zero length is passed through at once. */
  private enter(pod: Pod, phase: Phase, durationS: number): void {
    pod.phase = phase;
    pod.phaseDoneAtS = this.sim.now + durationS;
    if (durationS > 0) this.sim.at(pod.phaseDoneAtS, this.onPhase, pod.replica);
    else this.next(pod);
  }

  private phaseDone(r: number): void {
    const pod = this.pods.get(r);
    if (!pod || pod.phaseDoneAtS !== this.sim.now) return; // removed or superseded
    this.next(pod);
  }

  private next(pod: Pod): void {
    switch (pod.phase) {
      case Phase.Pulling:
        pod.node.hasImage = true;
        this.enter(pod, Phase.Loading, drawDuration(this.spec.coldStart.modelLoad, this.rng));
        return;
      case Phase.Loading:
        this.enter(pod, Phase.Warming, drawDuration(this.spec.coldStart.warmup, this.rng));
        return;
      case Phase.Warming:
        pod.phaseDoneAtS = NaN;
        if (pod.standby) pod.phase = Phase.Standby;
        else this.makeReady(pod);
        return;
      default:
        return;
    }
  }

  private makeReady(pod: Pod): void {
    pod.phase = Phase.Ready;
    pod.readySinceS = this.sim.now;
    this.fleet.setReady(pod.replica);
  }

  // ------------------------------------------------------------------ nodes

  private nodeWithRoom(provisionedOnly: boolean): GpuNode | null {
    if (this.placement !== null) {
      const id = this.placement.nodes.withRoom(this.placement.kind, provisionedOnly);
      return id < 0 ? null : this.placedNode(id, false);
    }
    // fill provisioned nodes first, then nodes on their way
    let pending: GpuNode | null = null;
    for (const n of this.nodes) {
      if (n.released || n.used >= this.perNode) continue;
      if (n.provisioned) return n;
      if (!provisionedOnly && pending === null) pending = n;
    }
    return pending;
  }

  private newNode(existing: boolean): GpuNode {
    if (this.placement !== null) {
      const id = this.placement.nodes.add(existing, existing ? 0 : drawDuration(this.spec.coldStart.nodeProvision, this.rng));
      return this.placedNode(id, existing);
    }
    const node: GpuNode = { id: this.nodes.length, provisioned: existing, hasImage: existing, used: 0, emptySinceS: NaN, released: false };
    this.nodes.push(node);
    if (!existing) {
      const d = drawDuration(this.spec.coldStart.nodeProvision, this.rng);
      // a node that takes no time is there at once (the pod is placed on it by the caller)
      if (d > 0) this.sim.at(this.sim.now + d, this.onNodeReady, node.id);
      else node.provisioned = true;
    }
    return node;
  }

  private nodeReady(id: number): void {
    const node = this.placement !== null ? this.placedNodes.get(id)! : this.nodes[id]!;
    node.provisioned = true;
    for (const pod of this.pods.values()) if (pod.node === node && pod.phase === Phase.Provisioning) this.afterNode(pod);
    if (node.used === 0 && this.placement === null) this.leaveNode(node, true);
  }

  /** Replica r's pod is placed on `node` (on shared nodes: it takes a slot of its kind, and the fleet learns its GPU). */
  private occupy(node: GpuNode, r: number): void {
    node.used++;
    if (this.placement !== null) {
      this.placement.nodes.take(node.id, this.placement.kind, this.placement.model);
      this.fleet.setGpu(r, node.id);
    }
  }

  /** This fleet's view of shared node `id`: its pods there and whether its image is there. */
  private placedNode(id: number, hasImage: boolean): GpuNode {
    let node = this.placedNodes.get(id);
    if (node === undefined) {
      node = { id, provisioned: this.placement!.nodes.isReady(id), hasImage, used: 0, emptySinceS: NaN, released: false };
      this.placedNodes.set(id, node);
    }
    return node;
  }

  private leaveNode(node: GpuNode, already = false): void {
    if (this.placement !== null) {
      // the shared nodes remove an empty node themselves (gpu-nodes.ts)
      if (!already) {
        node.used--;
        this.placement.nodes.release(node.id, this.placement.kind, this.placement.model);
      }
      return;
    }
    if (!already) node.used--;
    if (node.used > 0 || !node.provisioned) return;
    node.emptySinceS = this.sim.now;
    // cluster-autoscaler removes a node after it has been unneeded for a while (10 min by default)
    this.sim.at(this.sim.now + this.idleNodeTimeoutS, this.onNodeIdle, node.id);
  }

  private get idleNodeTimeoutS(): number {
    return this.spec.nodes?.idleNodeTimeoutS ?? 600;
  }

  private nodeIdleCheck(id: number): void {
    const node = this.nodes[id]!;
    if (node.released || node.used > 0 || this.sim.now < node.emptySinceS + this.idleNodeTimeoutS) return;
    node.released = true;
    this.updateBilling();
  }

  /** GPU-equivalents billed now: whole nodes requested and not released, or each pod's GPU share. */
  private updateBilling(): void {
    let level = 0;
    if (this.billNodes) {
      for (const n of this.nodes) if (!n.released) level += this.gpusPerNode;
    } else {
      level = this.pods.size * this.spec.gpuShare;
    }
    this.billed.set(this.sim.now, level);
  }

  /** The state a replica has in the fleet (for tests and invariants). */
  fleetState(r: number): ReplicaState {
    return this.fleet.stateOf(r);
  }
}
