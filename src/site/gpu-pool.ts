/**
 * The GPUs several models share, as the run bills them (sharing.mode shared or mig): what the pool
 * costs since t = 0 (the cost column) and its totals at the end (summary.sharing). The models are
 * each billed what they used (site/site.ts); the pool's GPU time nobody was charged for is idle.
 */
import type { PoolTotals } from '../metrics/summary.js';
import type { SharedGpus } from '../serving/shared-gpus.js';
import type { MigNodes } from '../serving/mig-nodes.js';

export interface GpuPool {
  /** GPU-seconds the pool has been billed since t = 0, at `nowS`. */
  billedAllS(nowS: number): number;
  /** The pool at the end of the run (`names`: the models in site order). */
  totals(stopS: number, warmupS: number, names: readonly string[]): PoolTotals;
}

/** A fixed number of GPUs, each holding one replica of every model (serving/shared-gpus.ts). */
export class SharedGpuPool implements GpuPool {
  constructor(
    readonly gpus: SharedGpus,
    private readonly gpu: string,
  ) {}

  billedAllS(nowS: number): number {
    return this.gpus.gpus * nowS;
  }

  totals(stopS: number, warmupS: number, names: readonly string[]): PoolTotals {
    this.gpus.advance(stopS);
    const windowS = Math.max(0, stopS - warmupS);
    const share = (x: number): number => (windowS > 0 ? x / windowS : 0);
    return {
      mode: 'shared',
      gpu: this.gpu,
      layout: null,
      gpuS: this.gpus.gpus * windowS,
      gpusMin: this.gpus.gpus,
      gpusMax: this.gpus.gpus,
      perGpu: this.gpus.perGpu().map((g, i) => ({
        gpu: i,
        utilization: share(g.busyS),
        models: Object.fromEntries(names.map((n, t) => [n, share(g.byTenantS[t]!)])),
      })),
    };
  }
}

/** GPU nodes with one MIG layout whose slices the models' pods take (serving/mig-nodes.ts). */
export class MigGpuPool implements GpuPool {
  constructor(
    readonly nodes: MigNodes,
    private readonly gpu: string,
  ) {}

  billedAllS(nowS: number): number {
    this.nodes.billed.advance(nowS);
    return this.nodes.billed.all;
  }

  totals(stopS: number, _warmupS: number, names: readonly string[]): PoolTotals {
    const billed = this.nodes.billed;
    billed.advance(stopS);
    return {
      mode: 'mig',
      gpu: this.gpu,
      layout: [...this.nodes.layout],
      gpuS: billed.total,
      gpusMin: billed.min,
      gpusMax: billed.max,
      // a node's share of its own billed time: slices held (busy or not), by model
      perGpu: this.nodes
        .perNode(stopS)
        .map((n, i) => ({ n, i }))
        .filter(({ n }) => n.billedS > 0)
        .map(({ n, i }) => ({
          gpu: i,
          utilization: n.heldS.reduce((a, b) => a + b, 0) / n.billedS,
          models: Object.fromEntries(names.map((name, m) => [name, n.heldS[m]! / n.billedS])),
        })),
    };
  }
}
