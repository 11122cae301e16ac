/**
 * A model autoscaling on MIG nodes (sharing.mode mig, serving/mig-nodes.ts), as Kubernetes' mixed
 * strategy runs it: a pod takes a free slice of its profile on a ready node, else waits for a new
 * node with the same layout (cluster-autoscaler: nodeProvision, once for all the pods that fit on
 * it); a node nobody uses is removed after 10 min (scale-down-unneeded-time) and stops being billed.
 * The schedule autoscaler makes every step deterministic; the times below are hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';

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
