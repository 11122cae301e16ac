/**
 * GPUs that several models' fleets share (sharing.mode shared: Triton with several models loaded,
 * or Kubernetes GPU time-slicing / MPS with one pod per model on each GPU). A GPU holds at most one
 * replica of each model (which one: the placement, serving/gpu-nodes.ts); each fleet keeps its own
 * queue and batcher and hands its batches to the GPU its replica is on.
 *
 * How m batches on one GPU share it: together they advance at σ(m) = 1 + overlap·(m − 1) times
 * one batch alone (the sharing law a fleet's own instances share a GPU by, serving/latency.ts
 * sharingSpeedup), and the GPU gives that throughput to one batch at full speed (the head) and
 * `overlap` to each of the others (they fill what the head leaves idle). When the head is done,
 * the waiting batch whose oldest request arrived first becomes the head — chosen after the
 * finishing model has handed the GPU its next batch, so that batch competes too. So overlap 0 is
 * strict time-slicing: one batch at a time, oldest request first across all models (the GPU is
 * one FCFS server; two models of exponential service at batch 1 see exactly the M/M/1 queue of
 * their summed rate), and overlap 1 is no interference at all.
 *
 * It also keeps the books of who used each GPU: over every stretch of time, each model is
 * attributed its batches' share of the GPU's throughput (speed / σ(m)); a GPU with nothing
 * running is idle. What a model is charged for is its attributed GPU time (metrics/summary.ts).
 */
import { grownF64, grownI32, grownU8 } from '../engine/typed-arrays.js';

/** What a fleet on shared GPUs lets the GPUs do: change the speed of one of its running batches. */
export interface GpuTenant {
  /** The batch in `slot` went from `oldSpeed` to `newSpeed` (0: waiting for the GPU) at the current time. */
  setSpeed(slot: number, oldSpeed: number, newSpeed: number): void;
}

export class SharedGpus {
  private readonly tenants: GpuTenant[] = [];
  /** GPUs so far (they are added, never removed: a released GPU simply runs nothing). */
  private gpus = 0;
  private capacity = 0;
  /** Per GPU, the batches on it: tenant, slot and the arrival time of its oldest request (who becomes head next); `room` entries per GPU. */
  private readonly room: number;
  private entTenant: Int32Array = new Int32Array(0);
  private entSlot: Int32Array = new Int32Array(0);
  private entKey: Float64Array = new Float64Array(0);
  /** Per GPU: entries, whether the head finished and the next is not chosen yet (settle()), the last change, busy seconds after countFromS. */
  private count: Int32Array = new Int32Array(0);
  private pendingHead: Uint8Array = new Uint8Array(0);
  private markS: Float64Array = new Float64Array(0);
  private busyS: Float64Array = new Float64Array(0);
  /** Per GPU × tenant (g · tenantCount + t): attributed seconds since t = 0, and after countFromS. */
  private attrAllS: Float64Array = new Float64Array(0);
  private attrS: Float64Array = new Float64Array(0);

  /** GPUs for `tenantCount` models whose fleets run up to `slotsPerGpu` batches at once on one GPU, all together. */
  constructor(
    private readonly tenantCount: number,
    slotsPerGpu: number,
    private readonly overlap: number,
    private readonly countFromS: number,
  ) {
    this.room = slotsPerGpu;
  }

  /** Adds a model's fleet; returns its index in the books (at most tenantCount of them). */
  join(t: GpuTenant): number {
    if (this.tenants.length === this.tenantCount) throw new Error('internal: more models joined the shared GPUs than they were built for');
    this.tenants.push(t);
    return this.tenants.length - 1;
  }

  /** A new GPU; returns its index. */
  addGpu(nowS: number): number {
    if (this.gpus === this.capacity) this.grow(Math.max(4, this.capacity * 2));
    const g = this.gpus++;
    this.markS[g] = nowS;
    return g;
  }

  /** GPUs added so far. */
  get size(): number {
    return this.gpus;
  }

  /** A batch of `tenant` in its `slot`, oldest request arrived at `keyS`, reached GPU g now: the head when alone, else at `overlap`. */
  started(g: number, tenant: number, slot: number, keyS: number, nowS: number): void {
    this.accrue(g, nowS);
    const n = this.count[g]!;
    if (n === this.room) throw new Error(`internal: GPU ${g} holds more batches than its models' instances`);
    const at = g * this.room + n;
    this.entTenant[at] = tenant;
    this.entSlot[at] = slot;
    this.entKey[at] = keyS;
    this.count[g] = n + 1;
    if (n === 0) this.pendingHead[g] = 0;
    this.tenants[tenant]!.setSpeed(slot, 0, n === 0 ? 1 : this.overlap);
  }

  /** The batch of `tenant` in `slot` on GPU g is done; when it was the head, settle() chooses the next. */
  finished(g: number, tenant: number, slot: number, nowS: number): void {
    this.accrue(g, nowS);
    const base = g * this.room;
    const n = this.count[g]!;
    let i = 0;
    while (i < n && !(this.entTenant[base + i] === tenant && this.entSlot[base + i] === slot)) i++;
    if (i === n) throw new Error(`internal: batch ${tenant}/${slot} finished on GPU ${g} without having started there`);
    this.entTenant.copyWithin(base + i, base + i + 1, base + n);
    this.entSlot.copyWithin(base + i, base + i + 1, base + n);
    this.entKey.copyWithin(base + i, base + i + 1, base + n);
    this.count[g] = n - 1;
    if (i === 0 && n > 1) this.pendingHead[g] = 1;
  }

  /** After a batch on GPU g finished and its model dispatched again: the waiting batch with the oldest request becomes the head (full speed). */
  settle(g: number): void {
    if (this.pendingHead[g] === 0) return;
    this.pendingHead[g] = 0;
    const base = g * this.room;
    const n = this.count[g]!;
    let j = 0;
    for (let i = 1; i < n; i++) if (this.entKey[base + i]! < this.entKey[base + j]!) j = i;
    if (j !== 0) {
      const t = this.entTenant[base]!;
      const sl = this.entSlot[base]!;
      const k = this.entKey[base]!;
      this.entTenant[base] = this.entTenant[base + j]!;
      this.entSlot[base] = this.entSlot[base + j]!;
      this.entKey[base] = this.entKey[base + j]!;
      this.entTenant[base + j] = t;
      this.entSlot[base + j] = sl;
      this.entKey[base + j] = k;
    }
    if (this.overlap < 1) this.tenants[this.entTenant[base]!]!.setSpeed(this.entSlot[base]!, this.overlap, 1);
  }

  /** Books the time since the last change on GPU g: each tenant its batches' share of the GPU's throughput, the GPU busy when any runs. */
  private accrue(g: number, nowS: number): void {
    const from = this.markS[g]!;
    this.markS[g] = nowS;
    const n = this.count[g]!;
    if (n === 0 || nowS <= from) return;
    const dt = nowS - from;
    const counted = nowS > this.countFromS ? nowS - Math.max(from, this.countFromS) : 0;
    this.busyS[g]! += counted;
    const total = 1 + this.overlap * (n - 1);
    const base = g * this.room;
    const at = g * this.tenantCount;
    for (let i = 0; i < n; i++) {
      const share = (i === 0 ? 1 : this.overlap) / total;
      if (share === 0) continue;
      const t = this.entTenant[base + i]!;
      this.attrAllS[at + t]! += dt * share;
      this.attrS[at + t]! += counted * share;
    }
  }

  /** Brings every GPU's books to `nowS`. */
  advance(nowS: number): void {
    for (let g = 0; g < this.gpus; g++) this.accrue(g, nowS);
  }

  /** GPU-seconds attributed to tenant t: since t = 0 (`all`), or after countFromS (call advance() first). */
  attributedS(t: number, all: boolean): number {
    const a = all ? this.attrAllS : this.attrS;
    let s = 0;
    for (let g = 0; g < this.gpus; g++) s += a[g * this.tenantCount + t]!;
    return s;
  }

  /** Per GPU after countFromS: busy seconds, and each tenant's attributed seconds (call advance() first). */
  perGpu(): { busyS: number; byTenantS: number[] }[] {
    return Array.from({ length: this.gpus }, (_, g) => ({
      busyS: this.busyS[g]!,
      byTenantS: Array.from({ length: this.tenantCount }, (_, t) => this.attrS[g * this.tenantCount + t]!),
    }));
  }

  private grow(capacity: number): void {
    const f64 = grownF64;
    const i32 = grownI32;
    const u8 = grownU8;
    this.entTenant = i32(this.entTenant, capacity * this.room);
    this.entSlot = i32(this.entSlot, capacity * this.room);
    this.entKey = f64(this.entKey, capacity * this.room);
    this.count = i32(this.count, capacity);
    this.pendingHead = u8(this.pendingHead, capacity);
    this.markS = f64(this.markS, capacity);
    this.busyS = f64(this.busyS, capacity);
    this.attrAllS = f64(this.attrAllS, capacity * this.tenantCount);
    this.attrS = f64(this.attrS, capacity * this.tenantCount);
    this.capacity = capacity;
  }
}
