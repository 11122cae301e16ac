/**
 * A model autoscaling on MIG nodes (sharing.mode mig, serving/gpu-nodes.ts), as Kubernetes' mixed
 * strategy runs it: a pod takes a free slice of its profile on a ready node, else waits for a new
 * node with the same layout (cluster-autoscaler: nodeProvision, once for all the pods that fit on
 * it); a node nobody uses is removed after 10 min (scale-down-unneeded-time) and stops being billed.
 * The schedule autoscaler makes every step deterministic; the times below are hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { Simulation } from '../../src/engine/simulation.js';
import { GpuNodes } from '../../src/serving/gpu-nodes.js';

/** One model on 1g.10gb slices (two per A100-80GB with this layout), its replica count on a schedule; 1 h, rows of 30 s. */
function run(schedule: string): RunResult {
  return simulate(
    loadScenario(
      `
name: mig-scale
duration: 1h
report: { interval: 30s }
cost: { gpuHourly: 3.50 }
fleet:
  coldStart: { nodeProvision: 120s, imagePull: 30s, modelLoad: 10s, warmup: 0s }
sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }
models:
  - name: a
    traffic: { rate: 10 }
    model: { latency: { 1: 10ms } }
    fleet: { mig: 1g.10gb, replicas: 2 }
    autoscaler: { kind: schedule, schedule: [ ${schedule} ] }
`,
      { file: 'mig-scale.yaml', baseDir: '.' },
    ),
  );
}

/** The rows where the ready count changes: [row end (s), ready]. */
function readySteps(r: RunResult): [number, number][] {
  const ready = r.timeline.column('replicasReady');
  const out: [number, number][] = [];
  ready.forEach((v, i) => {
    if (i === 0 || v !== ready[i - 1]) out.push([(i + 1) * 30, v]);
  });
  return out;
}

/** GPU-hours billed in each 30 s row, from the cost column (3.50 $/h). */
function gpusPerRow(r: RunResult): number[] {
  const c = r.timeline.column('costUsd');
  return c.map((v, i) => Math.round(((v - (i > 0 ? c[i - 1]! : 0)) / 3.5) * 120 * 1e6) / 1e6);
}

describe('MIG nodes under an autoscaler', () => {
  it('2 → 4 slices at 10 min: a second node (provisioned once), ready after 120 + 30 + 10 s; 4 → 2 at 30 min: the empty node goes 10 min later', () => {
    const r = run('{ at: 0s, replicas: 2 }, { at: 10m, replicas: 4 }, { at: 30m, replicas: 2 }');
    const s = r.summary;
    // node 0 holds both 1g slices from the start; pods 3 and 4 find no free 1g: one new node for both,
    // ready at 600 + 120 (node) + 30 (image) + 10 (load) = 760 s → first seen in the row ending at 780 s
    expect(readySteps(r)).toEqual([
      [30, 2],
      [780, 4],
      [1800, 2],
    ]);
    const m = s.models![0]!;
    expect(m.replicas.coldStarts).toBe(2);
    expect(m.replicas.max).toBe(4);
    // GPUs billed: 1 until 600 s, 2 from 600 s (the node is billed from its request) until 2400 s
    // (scaled down at 1800 s, empty since, removed 600 s later), then 1
    const per = gpusPerRow(r);
    expect(per.slice(0, 20).every((g) => g === 1)).toBe(true);
    expect(per.slice(20, 80).every((g) => g === 2)).toBe(true);
    expect(per.slice(80).every((g) => g === 1)).toBe(true);
    expect(s.sharing!.gpus).toEqual({ min: 1, mean: 1.5, max: 2 });
    expect(s.sharing!.gpuHours).toBe(1.5);
    // bill: node 0 1 h + node 1 0.5 h = 1.5 GPU-hours × 3.50 = 5.25; the model: 2 slices × 1/7 × 3.50 × 1 h
    // + 2 slices × 1/7 × 3.50 × (1800 − 600) / 3600 = 1.00 + 0.3333; idle the rest, 3.9167
    expect(s.cost.totalUsd).toBeCloseTo(5.25, 9);
    expect(m.costUsd).toBeCloseTo(1 + 1 / 3, 9);
    expect(s.sharing!.idleUsd).toBeCloseTo(5.25 - 4 / 3, 9);
    // node 1: billed 1800 s, held 2/7 for 1200 s of them
    expect(s.sharing!.perGpu!.map((g) => g.gpu)).toEqual([0, 1]);
    expect(s.sharing!.perGpu![1]!.models.a).toBeCloseTo(((2 / 7) * 1200) / 1800, 9);
  });

  it('scaling up again within the 10 min reuses the empty node: no provisioning, its image already there (ready 10 s later)', () => {
    const r = run('{ at: 0s, replicas: 2 }, { at: 10m, replicas: 4 }, { at: 30m, replicas: 2 }, { at: 35m, replicas: 4 }');
    const s = r.summary;
    // at 2100 s node 1 is empty but not yet removed: the pods take its slices, pull nothing, load 10 s → 2110 s
    expect(readySteps(r)).toEqual([
      [30, 2],
      [780, 4],
      [1800, 2],
      [2130, 4],
    ]);
    expect(s.sharing!.gpus.max).toBe(2);
    const per = gpusPerRow(r);
    expect(per.slice(20).every((g) => g === 2)).toBe(true); // node 1 billed from 600 s to the end
    // bill: 1 h + 50 min = 1.8333 GPU-hours × 3.50 = 6.4167; the model: 1.00 + 2/7 × 3.50 × (1200 + 1500) / 3600 = 1.75
    expect(s.cost.totalUsd).toBeCloseTo(3.5 * (1 + 3000 / 3600), 9);
    expect(s.models![0]!.costUsd).toBeCloseTo(1.75, 9);
    expect(s.models![0]!.replicas.coldStarts).toBe(4);
  });
});

describe('GpuNodes with a MIG layout, directly', () => {
  const LAYOUT = ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb'];
  const SHARES = [3 / 7, 2 / 7, 1 / 7, 1 / 7];
  /** Two models, `minGpus` nodes kept, idle timeout 600 s, counted from t = 0. */
  const make = (minGpus: number): { sim: Simulation; nodes: GpuNodes; ready: number[] } => {
    const sim = new Simulation(1);
    const kinds = [...new Set(LAYOUT)];
    const nodes = new GpuNodes(sim, LAYOUT, kinds, kinds.map((k) => SHARES[LAYOUT.indexOf(k)]!), 2, minGpus, 600, 0);
    const ready: number[] = [];
    nodes.subscribe((id) => ready.push(id));
    return { sim, nodes, ready };
  };

  it('slices of a profile: ready nodes first, then nodes on their way; a new node is ready after its provision time', () => {
    const { sim, nodes, ready } = make(1);
    expect(nodes.billed.level).toBe(1);
    expect(nodes.shareOf('3g.40gb')).toBeCloseTo(3 / 7, 12);
    expect(nodes.withRoom('1g.10gb', true)).toBe(0);
    nodes.take(0, '1g.10gb', 1);
    nodes.take(0, '1g.10gb', 1);
    expect(nodes.withRoom('1g.10gb', false)).toBe(-1);
    expect(nodes.withRoom('3g.40gb', true)).toBe(0); // other profiles still free
    expect(() => nodes.take(0, '1g.10gb', 1)).toThrow(/internal: no free 1g.10gb slot on GPU node 0/);
    const id = nodes.add(false, 120);
    expect(id).toBe(1);
    expect(nodes.billed.level).toBe(2); // billed from the request
    expect(nodes.isReady(1)).toBe(false);
    expect(nodes.withRoom('1g.10gb', true)).toBe(-1);
    expect(nodes.withRoom('1g.10gb', false)).toBe(1);
    nodes.take(1, '1g.10gb', 1); // a pod waits on the node on its way
    sim.run(119);
    expect(ready).toEqual([]);
    sim.run(120);
    expect(ready).toEqual([1]);
    expect(nodes.isReady(1)).toBe(true);
  });

  it('an empty node goes 600 s after its last pod left, unless a pod came back meanwhile; the kept nodes stay', () => {
    const { sim, nodes } = make(1);
    nodes.take(0, '3g.40gb', 0);
    nodes.add(true, 0); // node 1, there at once
    nodes.take(1, '2g.20gb', 0);
    sim.run(100);
    nodes.release(0, '3g.40gb', 0); // node 0 is kept (minGpus 1)
    nodes.release(1, '2g.20gb', 0); // node 1 empty from 100 s
    sim.run(400);
    nodes.take(1, '1g.10gb', 1); // back at 400 s: the check at 700 s finds it used
    sim.run(500);
    nodes.release(1, '1g.10gb', 1); // empty again from 500 s → removed at 1100 s
    sim.run(1099);
    expect(nodes.billed.level).toBe(2);
    sim.run(1100);
    expect(nodes.billed.level).toBe(1);
    expect(nodes.withRoom('2g.20gb', false)).toBe(0); // a removed node takes no pods
    sim.run(3600);
    const per = nodes.perNode(3600);
    expect(per.map((n) => n.billedS)).toEqual([3600, 1100]);
    // model 0: the 3g on node 0 for 100 s, the 2g on node 1 for 100 s; model 1: a 1g on node 1 for 100 s
    expect(per[0]!.heldS).toEqual([expect.closeTo((3 / 7) * 100, 9), 0]);
    expect(per[1]!.heldS).toEqual([expect.closeTo((2 / 7) * 100, 9), expect.closeTo((1 / 7) * 100, 9)]);
  });

  it('a node that became ready with no pod on it (they were scaled away meanwhile) goes 600 s after it was ready', () => {
    const { sim, nodes } = make(0);
    nodes.add(false, 120);
    nodes.take(0, '1g.10gb', 0);
    sim.run(60);
    nodes.release(0, '1g.10gb', 0); // not ready yet: nothing to time until it is
    sim.run(719);
    expect(nodes.billed.level).toBe(1);
    sim.run(720);
    expect(nodes.billed.level).toBe(0);
    expect(nodes.perNode(1000)[0]!.billedS).toBe(720);
  });
});
