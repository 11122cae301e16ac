/**
 * Several models time-slicing GPUs with per-model scaling (sharing.mode shared, scaling per-model:
 * GPU time-slicing or MPS, one pod of a model per GPU): a model's new pod goes to a GPU that has no
 * pod of that model yet, else a new GPU node is provisioned; an empty GPU goes 10 min after its
 * last pod. The schedule autoscaler makes every step deterministic; the times are hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';

/** Model a (schedule) and model b (one pod) on time-sliced L4s at $2/h; 1 h, no warmup. */
function run(scaling: 'per-model' | 'unit', schedule: string): RunResult {
  const a = scaling === 'per-model' ? `    autoscaler: { kind: schedule, schedule: ${schedule} }\n` : '';
  return simulate(
    loadScenario(
      `
name: shared-scale
duration: 1h
report: { interval: 30s }
cost: { gpuHourly: 2 }
fleet:
  coldStart: { nodeProvision: 120s, imagePull: 30s, modelLoad: 10s, warmup: 0s }
sharing: { mode: shared, gpu: l4, scaling: ${scaling}, overlap: 0 }
models:
  - name: a
    traffic: { rate: 5 }
    model: { latency: { 1: 10ms } }
${a}  - name: b
    traffic: { rate: 5 }
    model: { latency: { 1: 10ms } }
`,
      { file: 'shared-scale.yaml', baseDir: '.' },
    ),
  );
}

describe('shared GPUs, per-model scaling', () => {
  it('a model scaling to 2 pods gets a second GPU (a node provisioned for it), which goes 10 min after it scales back', () => {
    // a: 1 pod at 0 s on GPU 0 (with b's pod); 2 pods at 600 s → GPU 1 requested at 600 s, ready at 720 s,
    // the pod pulls 30 s and loads 10 s → ready at 760 s; back to 1 pod at 1800 s (the newest, on GPU 1, goes):
    // GPU 1 empty from 1800 s, released at 2400 s. GPUs billed: 1 over [0, 600) and [2400, 3600), 2 over [600, 2400).
    const r = run('per-model', '[ { at: 10m, replicas: 2 }, { at: 30m, replicas: 1 } ]');
    const s = r.summary;
    const sh = s.sharing!;
    expect(sh.mode).toBe('shared');
    expect(sh.scaling).toBe('per-model');
    expect(sh.gpus).toEqual({ min: 1, mean: 1.5, max: 2 });
    expect(sh.gpuHours).toBeCloseTo(1.5, 9);
    expect(s.cost.gpuUsd).toBeCloseTo(3, 9);
    expect(s.models![0]!.replicas).toMatchObject({ min: 1, max: 2, coldStarts: 1 });
    expect(s.models![1]!.replicas).toMatchObject({ min: 1, max: 1, coldStarts: 0 });
    // the second GPU held only a's pod: nothing of b ran there
    expect(sh.perGpu!.map((g) => g.gpu)).toEqual([0, 1]);
    expect(sh.perGpu![1]!.models.b).toBe(0);
    expect(sh.perGpu![1]!.models.a).toBeGreaterThan(0);
    // books: the models' use plus the idle line is the bill
    const charged = s.models!.reduce((x, m) => x + m.costUsd, 0);
    expect(charged + sh.idleUsd).toBeCloseTo(s.cost.totalUsd, 9);
    // the timeline's ready replicas: a has 2 from 760 s (the row ending at 780 s) to 1800 s
    const ready = r.sites[0]!.timeline.rows.map((row) => row[r.sites[0]!.timeline.columns.indexOf('replicasReady')]);
    expect(ready[24]).toBe(1); // row ending 750 s
    expect(ready[25]).toBe(2); // row ending 780 s
    expect(ready[60]).toBe(1); // row ending 1830 s
  });

  it('unit scaling keeps one replica of every model on each of sharing.gpus GPUs, for the whole run', () => {
    const s = run('unit', '').summary;
    expect(s.sharing!.scaling).toBe('unit');
    expect(s.sharing!.gpus).toEqual({ min: 1, mean: 1, max: 1 });
    expect(s.models!.map((m) => m.replicas.max)).toEqual([1, 1]);
    // one GPU busy ~ (5 + 5)/s × 10 ms = 10 %: the run's utilization is the GPU's, not the models' replicas'
    expect(s.gpu.utilization).toBeGreaterThan(0.09);
    expect(s.gpu.utilization).toBeLessThan(0.11);
  });
});

describe('shared GPUs, scaled as a unit (one Triton Deployment with every model)', () => {
  it('the pool follows the largest wish of the models’ autoscalers: every model gets a replica on the new GPU', () => {
    // a asks for 2 at 600 s (b has no autoscaler: it asks for its start count, 1): both models go to 2
    // replicas, their second pods on one new GPU (ready 720 s; each pulls 30 s and loads 10 s: 760 s);
    // a asks for 1 at 1800 s: both drain their newest pod, the GPU empties and goes at 2400 s.
    const s = simulate(
      loadScenario(
        `
name: unit-scale
duration: 1h
report: { interval: 30s }
cost: { gpuHourly: 2 }
fleet:
  coldStart: { nodeProvision: 120s, imagePull: 30s, modelLoad: 10s, warmup: 0s }
sharing: { mode: shared, gpu: l4, overlap: 0 }
models:
  - name: a
    traffic: { rate: 5 }
    model: { latency: { 1: 10ms } }
    autoscaler: { kind: schedule, schedule: [ { at: 10m, replicas: 2 }, { at: 30m, replicas: 1 } ] }
  - name: b
    traffic: { rate: 5 }
    model: { latency: { 1: 10ms } }
`,
        { file: 'unit-scale.yaml', baseDir: '.' },
      ),
    ).summary;
    expect(s.sharing!.scaling).toBe('unit');
    expect(s.sharing!.gpus).toEqual({ min: 1, mean: 1.5, max: 2 });
    expect(s.cost.gpuUsd).toBeCloseTo(3, 9);
    expect(s.models!.map((m) => [m.replicas.max, m.replicas.coldStarts])).toEqual([
      [2, 1],
      [2, 1],
    ]);
    // both second pods on GPU 1
    expect(s.sharing!.perGpu!.map((g) => g.gpu)).toEqual([0, 1]);
    expect(s.sharing!.perGpu![1]!.models.a).toBeGreaterThan(0);
    expect(s.sharing!.perGpu![1]!.models.b).toBeGreaterThan(0);
  });
});
