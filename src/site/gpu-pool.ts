/**
 * The GPUs several models share, as the run bills them (sharing.mode mig or shared): GPU nodes
 * whose slots the models' pods take (serving/gpu-nodes.ts) and, on time-sliced GPUs, the books of
 * who used each GPU (serving/shared-gpus.ts). What the pool costs since t = 0 feeds the cost
 * column, its totals summary.sharing. The models are each billed what they held (MIG slices) or
 * used (time-sliced GPUs) (site/site.ts); the pool's GPU time nobody was charged for is idle.
 */
import type { PoolTotals } from '../metrics/summary.js';
import type { GpuNodes } from '../serving/gpu-nodes.js';
import type { SharedGpus } from '../serving/shared-gpus.js';

export class GpuPool {
  constructor(
    readonly nodes: GpuNodes,
    /** The GPUs' use books when the models time-slice them (mode shared), else null (mode mig). */
    readonly shared: SharedGpus | null,
    private readonly gpu: string,
    /** The MIG layout of every GPU (mode mig), else null. */
    private readonly layout: readonly string[] | null,
  ) {}

  /** GPU-seconds the pool has been billed since t = 0, at `nowS`. */
  billedAllS(nowS: number): number {
    this.nodes.billed.advance(nowS);
    return this.nodes.billed.all;
  }

  /**
   * The pool at the end of the run (`names`: the models in site order). Per GPU, over its own billed
   * time after warmup: with MIG the share of its slices each model's pods held (busy or not), on
   * time-sliced GPUs the share of its time it was busy and each model's share of that use.
   */
  totals(stopS: number, names: readonly string[]): PoolTotals {
    const billed = this.nodes.billed;
    billed.advance(stopS);
    const nodes = this.nodes.perNode(stopS);
    const use = this.shared;
    if (use !== null) use.advance(stopS);
    const used = use?.perGpu() ?? null;
    const perGpu: PoolTotals['perGpu'] = [];
    nodes.forEach((n, g) => {
      if (n.billedS <= 0) return;
      const share = (x: number): number => x / n.billedS;
      if (used !== null) {
        const u = used[g]!;
        perGpu.push({ gpu: g, utilization: share(u.busyS), models: Object.fromEntries(names.map((name, t) => [name, share(u.byTenantS[t]!)])) });
      } else {
        perGpu.push({ gpu: g, utilization: share(n.heldS.reduce((a, b) => a + b, 0)), models: Object.fromEntries(names.map((name, m) => [name, share(n.heldS[m]!)])) });
      }
    });
    return {
      mode: use !== null ? 'shared' : 'mig',
      gpu: this.gpu,
      layout: this.layout === null ? null : [...this.layout],
      gpuS: billed.total,
      gpusMin: billed.min,
      gpusMax: billed.max,
      busyS: used !== null ? used.reduce((acc, u) => acc + u.busyS, 0) : null,
      perGpu,
    };
  }
}
