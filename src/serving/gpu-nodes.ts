/**
 * GPU nodes shared by several models' pods, each node one GPU with a fixed set of slots of a few
 * kinds; a model's pod takes a free slot of its kind. Two uses (sharing.mode):
 * - mig: the kinds are MIG profiles and every GPU is cut into the same layout, as Kubernetes runs
 *   it with the GPU Operator's "mixed" strategy (mig-manager partitions each GPU of the node
 *   group alike, each slice is its own resource, `nvidia.com/mig-3g.40gb`, a pod requests one);
 * - shared with per-model scaling: the kinds are the models, one slot each per GPU (GPU
 *   time-slicing or MPS with one pod of each model per GPU, kept apart by pod anti-affinity).
 * The scheduler puts a pod on a node with a free slot of its kind (ready nodes first, oldest
 * first, then nodes on their way); when there is none, the cluster autoscaler provisions a new
 * node (the pod waits for it: nodeProvision, then its own image pull, load and warmup). A node
 * nobody uses is removed after the idle timeout (cluster-autoscaler's scale-down-unneeded-time,
 * 10 min), except the `minGpus` nodes the group always keeps.
 *
 * The pool bills whole GPUs. With MIG each model is charged its slices' share (k/7 of the GPU per
 * slice, the lifecycle's per-pod billing); on time-sliced GPUs, the GPU time it used
 * (serving/shared-gpus.ts). The rest is idle.
 */
import type { Simulation } from '../engine/simulation.js';
import { LevelIntegral } from '../metrics/recorder.js';

interface MigNode {
  id: number;
  provisioned: boolean;
  released: boolean;
  emptySinceS: number;
  /** Free slots per kind. */
  free: Int32Array;
  used: number;
  /** Compute share held by each model's pods now, and its integral after countFromS (since markS). */
  held: Float64Array;
  heldS: Float64Array;
  markS: number;
  createdS: number;
  releasedS: number;
}

export class GpuNodes {
  /** How many slots of each kind one GPU has. */
  private readonly perGpu: Int32Array;
  private readonly nodes: MigNode[] = [];
  private readonly listeners: ((node: number) => void)[] = [];
  private readonly onReady: number;
  private readonly onIdle: number;
  /** GPUs billed (nodes requested and not released). */
  readonly billed: LevelIntegral;

  /**
   * Nodes whose GPU has `slots` (a kind per slot, e.g. MIG profile ids, kinds may repeat), each slot
   * of kind k worth share[k] of the GPU's price; `onAdd` is told each new node's id (ids count up from 0).
   */
  constructor(
    private readonly sim: Simulation,
    slots: readonly string[],
    private readonly kinds: readonly string[],
    private readonly shares: readonly number[],
    private readonly models: number,
    private readonly minGpus: number,
    private readonly idleTimeoutS: number,
    private readonly countFromS: number,
    private readonly onAdd: ((node: number) => void) | null = null,
  ) {
    this.perGpu = new Int32Array(kinds.length);
    for (const k of slots) this.perGpu[kinds.indexOf(k)]!++;
    this.billed = new LevelIntegral(countFromS);
    this.onReady = sim.register((n) => this.nodeReady(n));
    this.onIdle = sim.register((n) => this.idleCheck(n));
    for (let i = 0; i < minGpus; i++) this.add(true, 0);
  }

  /** Told when a node becomes ready (its id): each lifecycle continues its pods waiting for it. */
  subscribe(fn: (node: number) => void): void {
    this.listeners.push(fn);
  }

  /** The GPU share one slot of `kind` is billed at (a MIG slice's k/7; 0 where use is billed instead). */
  shareOf(kind: string): number {
    return this.shares[this.kinds.indexOf(kind)]!;
  }

  /** A node with a free slot of `kind`: ready nodes first (oldest first), then nodes on their way (unless `readyOnly`); −1 if none. */
  withRoom(kind: string, readyOnly: boolean): number {
    const p = this.kinds.indexOf(kind);
    let pending = -1;
    for (const n of this.nodes) {
      if (n.released || n.free[p]! === 0) continue;
      if (n.provisioned) return n.id;
      if (!readyOnly && pending < 0) pending = n.id;
    }
    return pending;
  }

  /** A new node with the slots: there at once (`existing`, or a provision time of 0), else ready after `provisionS`. */
  add(existing: boolean, provisionS: number): number {
    const node: MigNode = {
      id: this.nodes.length,
      provisioned: existing || provisionS <= 0,
      released: false,
      emptySinceS: NaN,
      free: Int32Array.from(this.perGpu),
      used: 0,
      held: new Float64Array(this.models),
      heldS: new Float64Array(this.models),
      markS: this.sim.now,
      createdS: this.sim.now,
      releasedS: NaN,
    };
    this.nodes.push(node);
    this.onAdd?.(node.id);
    if (!node.provisioned) this.sim.at(this.sim.now + provisionS, this.onReady, node.id);
    this.billed.set(this.sim.now, this.billed.level + 1);
    return node.id;
  }

  isReady(node: number): boolean {
    return this.nodes[node]!.provisioned;
  }

  /** Model `model`'s pod takes a slot of `kind` on `node`. */
  take(node: number, kind: string, model: number): void {
    const n = this.nodes[node]!;
    const p = this.kinds.indexOf(kind);
    if (n.free[p]! === 0 || n.released) throw new Error(`internal: no free ${kind} slot on GPU node ${node}`);
    this.accrue(n);
    n.free[p]!--;
    n.used++;
    n.held[model]! += this.shareOf(kind);
  }

  /** Model `model`'s pod on `node` is gone: its slot is free again; an empty node is removed after the idle timeout. */
  release(node: number, kind: string, model: number): void {
    const n = this.nodes[node]!;
    this.accrue(n);
    n.free[this.kinds.indexOf(kind)]!++;
    n.used--;
    n.held[model]! -= this.shareOf(kind);
    if (n.used === 0 && n.provisioned && node >= this.minGpus) {
      n.emptySinceS = this.sim.now;
      this.sim.at(this.sim.now + this.idleTimeoutS, this.onIdle, node);
    }
  }

  private nodeReady(id: number): void {
    const n = this.nodes[id]!;
    n.provisioned = true;
    for (const fn of this.listeners) fn(id);
    if (n.used === 0 && id >= this.minGpus) {
      n.emptySinceS = this.sim.now;
      this.sim.at(this.sim.now + this.idleTimeoutS, this.onIdle, id);
    }
  }

  private idleCheck(id: number): void {
    const n = this.nodes[id]!;
    if (n.released || n.used > 0 || this.sim.now < n.emptySinceS + this.idleTimeoutS) return;
    this.accrue(n);
    n.released = true;
    n.releasedS = this.sim.now;
    this.billed.set(this.sim.now, this.billed.level - 1);
  }

  private accrue(n: MigNode): void {
    this.accrueTo(n, this.sim.now);
  }

  /** Per node after countFromS, brought to `nowS`: the seconds it was billed, and each model's held compute share × seconds. */
  perNode(nowS: number): { billedS: number; heldS: number[] }[] {
    const out: { billedS: number; heldS: number[] }[] = [];
    for (const n of this.nodes) {
      if (!n.released) this.accrueTo(n, nowS);
      const end = n.released ? n.releasedS : nowS;
      out.push({ billedS: Math.max(0, end - Math.max(n.createdS, this.countFromS)), heldS: [...n.heldS] });
    }
    return out;
  }

  private accrueTo(n: MigNode, nowS: number): void {
    const from = Math.max(n.markS, this.countFromS);
    if (nowS > from) for (let m = 0; m < this.models; m++) n.heldS[m]! += (nowS - from) * n.held[m]!;
    n.markS = nowS;
  }
}
