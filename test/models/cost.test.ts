/**
 * What several models cost, hand-computed to the cent (issue #16, "Must show: Cost"): MIG slices
 * charged by their share of the GPU (k/7), a shared GPU split by the time each model used it, and
 * the GPU time nobody was charged for as the pool's idle line. Every case runs 1 h from t = 0
 * (no warmup), so GPU-hours are hours and every figure below is written out by hand.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { LineSource } from '../../src/workload/trace.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/models/', import.meta.url));

/** A trace file's lines, as the CLI streams them (workload/trace.ts LineSource). */
function openTraceFile(file: string): LineSource {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let i = 0;
  return { next: () => (i < lines.length ? lines[i++]! : null) };
}

const run = (yaml: string): RunResult => simulate(loadScenario(yaml, { file: `${FIXTURES}cost.yaml`, baseDir: FIXTURES }), { openTraceFile });

/** Equal to the cent, and to a millionth of a dollar (no rounding hides a drift). */
const usd = (actual: number, expected: number): void => {
  expect(Math.round(actual * 100) / 100).toBe(expected);
  expect(actual).toBeCloseTo(expected, 6);
};

const MIG = `
duration: 1h
report: { interval: 10m }
cost: { gpuHourly: 3.50 }
sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }
`;

function migModels(bPods: number): string {
  return `name: mig-cost
${MIG}
models:
  - name: a
    traffic: { rate: 10 }
    model: { latency: { 1: 10ms } }
    fleet: { mig: 3g.40gb }
  - name: b
    traffic: { rate: 10 }
    model: { latency: { 1: 10ms } }
    fleet: { mig: 1g.10gb, replicas: ${bPods} }
`;
}

describe('MIG: slices charged by their share, the rest idle', () => {
  it('one A100-80GB (3g + 2g + 1g + 1g) at $3.50/h, A on the 3g, B on both 1g: A $1.50, B $1.00, idle $1.00, total $3.50', () => {
    const r = run(migModels(2));
    const s = r.summary;
    // A: 3/7 × 3.50 × 1 h = 1.50; B: 2 × 1/7 × 3.50 = 1.00; the 2g.20gb nobody holds: 2/7 × 3.50 = 1.00
    usd(s.models![0]!.costUsd, 1.5);
    usd(s.models![1]!.costUsd, 1.0);
    usd(s.sharing!.idleUsd, 1.0);
    usd(s.cost.totalUsd, 3.5);
    usd(s.cost.gpuUsd, 3.5);
    expect(s.sharing!.gpus).toEqual({ min: 1, mean: 1, max: 1 });
    expect(s.sharing!.gpuHours).toBe(1);
    expect(s.models![0]!.gpuHours).toBeCloseTo(3 / 7, 9);
    expect(s.models![1]!.gpuHours).toBeCloseTo(2 / 7, 9);
    expect(s.sharing!.attributedGpuHours).toBeCloseTo(5 / 7, 9);
    expect(s.sharing!.idleGpuHours).toBeCloseTo(2 / 7, 9);
    // a slice is held whether busy or not: the node's block says who holds what share of it
    expect(s.sharing!.perGpu).toHaveLength(1);
    expect(s.sharing!.perGpu![0]!.utilization).toBeCloseTo(5 / 7, 9);
    expect(s.sharing!.perGpu![0]!.models.a).toBeCloseTo(3 / 7, 9);
    expect(s.sharing!.perGpu![0]!.models.b).toBeCloseTo(2 / 7, 9);
    // the cost column (from t = 0, every 10 min: 3.50 / 6 a row) ends at the bill
    const col = r.timeline.column('costUsd');
    expect(col).toHaveLength(6);
    col.forEach((c, i) => expect(c).toBeCloseTo((3.5 * (i + 1)) / 6, 9));
  });

  it('B needs five 1g slices (two per GPU): three GPUs billed ($10.50), A $1.50, B 5/7 × 3.50 = $2.50, idle $6.50', () => {
    const s = run(migModels(5)).summary;
    // GPU 0: A's 3g + B's two 1g; GPU 1: B's two 1g; GPU 2: B's fifth 1g
    usd(s.models![0]!.costUsd, 1.5);
    usd(s.models![1]!.costUsd, 2.5);
    usd(s.sharing!.idleUsd, 6.5); // 3 GPU-hours × 3.50 − (3/7 + 5/7) × 3.50 = 10.50 − 4.00
    usd(s.cost.totalUsd, 10.5);
    expect(s.sharing!.gpus).toEqual({ min: 3, mean: 3, max: 3 });
    expect(s.sharing!.gpuHours).toBe(3);
    expect(s.models![1]!.replicas).toEqual({ min: 5, mean: 5, max: 5, coldStarts: 0 });
    const per = s.sharing!.perGpu!;
    expect(per.map((g) => g.gpu)).toEqual([0, 1, 2]);
    expect(per.map((g) => g.models.a)).toEqual([expect.closeTo(3 / 7, 9), 0, 0]);
    expect(per.map((g) => g.models.b)).toEqual([expect.closeTo(2 / 7, 9), expect.closeTo(2 / 7, 9), expect.closeTo(1 / 7, 9)]);
    expect(per.map((g) => g.utilization)).toEqual([expect.closeTo(5 / 7, 9), expect.closeTo(2 / 7, 9), expect.closeTo(1 / 7, 9)]);
  });
});

describe('shared GPU: split by the GPU time each model used', () => {
  it('one L4 at $2.00/h; A every second taking 100 ms, B every second taking 200 ms (per-model trace files): A $0.20, B $0.40, idle $1.40', () => {
    // Both traces are the same file: a request every second, t = 0 … 3599 s. At each second A's
    // request (listed first) runs 100 ms, then B's 200 ms (overlap 0: B's batch waits at speed 0,
    // so A is attributed the first 100 ms whole and B the next 200 ms): the GPU is busy 0.3 s of
    // every second, A 0.1, B 0.2. Bill: A 0.1 h × 2.00 = 0.20, B 0.2 h × 2.00 = 0.40, idle 0.7 h × 2.00 = 1.40.
    const r = run(`name: shared-cost
duration: 1h
report: { interval: 10m }
cost: { gpuHourly: 2.00 }
sharing: { mode: shared, gpu: l4 }
models:
  - name: a
    traffic: { trace: { file: every-second-1h.csv } }
    model: { latency: { 1: 100ms } }
  - name: b
    traffic: { trace: { file: every-second-1h.csv } }
    model: { latency: { 1: 200ms } }
`);
    const s = r.summary;
    const [a, b] = s.models!;
    expect(a!.requests).toEqual({ arrived: 3600, completed: 3600, cacheHits: 0, rejected: 0, timedOut: 0, inFlightAtEnd: 0 });
    expect(b!.requests).toEqual({ arrived: 3600, completed: 3600, cacheHits: 0, rejected: 0, timedOut: 0, inFlightAtEnd: 0 });
    // A alone on the GPU: 100 ms; B waits for A's 100 ms, then runs 200 ms
    expect(a!.latencyMs.p50).toBeCloseTo(100, 6);
    expect(a!.latencyMs.max).toBeCloseTo(100, 6);
    expect(b!.latencyMs.p50).toBeCloseTo(300, 6);
    expect(b!.latencyMs.max).toBeCloseTo(300, 6);
    usd(a!.costUsd, 0.2);
    usd(b!.costUsd, 0.4);
    usd(s.sharing!.idleUsd, 1.4);
    usd(s.cost.totalUsd, 2.0);
    expect(a!.gpuHours).toBeCloseTo(0.1, 9);
    expect(b!.gpuHours).toBeCloseTo(0.2, 9);
    expect(a!.gpu.utilization).toBeCloseTo(0.1, 9);
    expect(b!.gpu.utilization).toBeCloseTo(0.2, 9);
    expect(s.sharing!.gpuHours).toBe(1);
    expect(s.sharing!.idleGpuHours).toBeCloseTo(0.7, 9);
    expect(s.sharing!.gpus).toEqual({ min: 1, mean: 1, max: 1 });
    const g = s.sharing!.perGpu!;
    expect(g).toHaveLength(1);
    expect(g[0]!.utilization).toBeCloseTo(0.3, 9);
    expect(g[0]!.models.a).toBeCloseTo(0.1, 9);
    expect(g[0]!.models.b).toBeCloseTo(0.2, 9);
    // the cost column: the whole GPU is billed from t = 0 (2.00 / 6 a row), its last row the bill
    r.timeline.column('costUsd').forEach((c, i) => expect(c).toBeCloseTo((2 * (i + 1)) / 6, 9));
  });
});

describe('per-model trace files through the library', () => {
  it('simulate() without opts.openTraceFile says which model needs it', () => {
    const sc = loadScenario(
      `name: no-opener
duration: 10s
models:
  - name: a
    traffic: { rate: 1 }
    model: { latency: { 1: 10ms } }
  - name: b
    traffic: { trace: { file: every-second-1h.csv } }
    model: { latency: { 1: 10ms } }
`,
      { file: `${FIXTURES}x.yaml`, baseDir: FIXTURES },
    );
    expect(() => simulate(sc)).toThrow("simulate: model b's traffic.trace needs opts.openTraceFile (each model replays its own file)");
    expect(simulate(sc, { openTraceFile }).summary.models![1]!.requests.arrived).toBe(10);
  });
});

describe('dedicated: each model its own GPUs, nothing idle in the pool', () => {
  it('two models on an L4 each at $0.80/h, 1 h: $0.80 each, no idle line, no per-GPU block', () => {
    const s = run(`name: dedicated-cost
duration: 1h
report: { interval: 10m }
cost: { gpuHourly: 0.80 }
fleet: { gpu: l4 }
models:
  - name: a
    traffic: { rate: 5 }
    model: { latency: { 1: 10ms } }
  - name: b
    traffic: { rate: 5 }
    model: { latency: { 1: 10ms } }
    fleet: { replicas: 2 }
`).summary;
    usd(s.models![0]!.costUsd, 0.8);
    usd(s.models![1]!.costUsd, 1.6);
    usd(s.sharing!.idleUsd, 0);
    usd(s.cost.totalUsd, 2.4);
    expect(s.sharing!.mode).toBe('dedicated');
    expect(s.sharing!.gpuHours).toBe(3);
    expect(s.sharing!.perGpu).toBeNull();
  });
});
