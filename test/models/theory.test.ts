/**
 * Several models against queueing theory (issue #16, "Must show: Theory"):
 * - sharing.mode shared, overlap 0 (strict time-slicing), batch 1, exponential service of equal
 *   mean: the GPU is one FCFS server, so each model sees the M/M/1 queue of the summed rate;
 * - overlap 1: no interference, each model is its own M/M/1;
 * - MIG: a slice is its own queue (an inline table is the slice's own latency: its own M/M/1;
 *   a catalog profile at its largest batch runs at k/7 of the whole GPU's throughput), and one
 *   model's overload leaves the other's results unchanged (same seed → the same numbers).
 * Tolerances as test/theory/queueing.test.ts (3 % on mean and p99), averaged over three seeds of
 * 4 simulated hours (≈ 1 M requests per model per seed).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { mm1 } from '../../src/theory/capacity.js';
import type { ModelSummary, Summary } from '../../src/metrics/summary.js';

const within = (actual: number, expected: number, rel: number): void => {
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
};

const run = (yaml: string): Summary => simulate(loadScenario(yaml, { file: 'models.yaml', baseDir: '.' })).summary;

const SEEDS = [1, 2, 3];
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Two models of exponential service, mean 10 ms (μ = 100/s), at `rate` each, sharing as `sharing` says. */
function twoModels(seed: number, rate: number, sharing: string, fleetA = '', fleetB = ''): string {
  return `
name: theory
seed: ${seed}
duration: 4h
warmup: 2m
report: { interval: 10m }
fleet: { batching: { maxBatch: 1 } }
sharing: ${sharing}
models:
  - name: a
    traffic: { rate: ${rate} }
    model: { latency: { 1: 10ms }, variability: { dist: exponential } }
    fleet: { ${fleetA} }
  - name: b
    traffic: { rate: ${rate} }
    model: { latency: { 1: 10ms }, variability: { dist: exponential } }
    fleet: { ${fleetB} }
`;
}

/** Each model's mean and p99 (ms), averaged over the seeds. */
function averaged(runs: Summary[], model: number): { mean: number; p99: number } {
  const ms = runs.map((s) => s.models![model]!);
  return { mean: mean(ms.map((m) => m.latencyMs.mean)), p99: mean(ms.map((m) => m.latencyMs.p99)) };
}

describe('shared GPU, theory', () => {
  it('overlap 0, batch 1, equal exponential service: each model is the M/M/1 of the summed rate (mean, p99 within 3 %); the GPU is busy ρ, each model ρ/2', () => {
    // λ = 35 + 35 = 70/s, μ = 100/s: ρ = 0.7, mean 1/(μ − λ) = 33.3 ms, p99 ln(100)/(μ − λ) = 153.5 ms
    const runs = SEEDS.map((seed) => run(twoModels(seed, 35, '{ mode: shared, gpu: l4, overlap: 0 }')));
    const th = mm1(70, 100);
    for (const m of [0, 1]) {
      const got = averaged(runs, m);
      within(got.mean, th.meanSojournS * 1e3, 0.03);
      within(got.p99, th.sojournQuantileS(0.99) * 1e3, 0.03);
    }
    for (const s of runs) {
      expect(s.models!.map((m) => m.requests.completed).every((n) => n > 480_000)).toBe(true);
      const g = s.sharing!.perGpu!;
      expect(g).toHaveLength(1);
      within(g[0]!.utilization, 0.7, 0.02);
      within(g[0]!.models.a!, 0.35, 0.03);
      within(g[0]!.models.b!, 0.35, 0.03);
      // what a model is attributed is what it used: its share of the GPU, not the time its batch waited for it
      for (const m of s.models!) {
        within(m.gpu.utilization, 0.35, 0.03);
        within(m.gpuHours, g[0]!.models[m.name]! * s.sharing!.gpuHours, 1e-9);
      }
      // the two shares add up to the GPU's busy share (overlap 0: one batch at a time)
      within(g[0]!.models.a! + g[0]!.models.b!, g[0]!.utilization, 1e-9);
    }
  });

  it('overlap 1: each model behaves as if it had the GPU alone (its own M/M/1, mean and p99 within 3 %)', () => {
    // 70/s each on one GPU: alone each is ρ = 0.7; together (time-slicing) they would be unstable
    const runs = SEEDS.map((seed) => run(twoModels(seed, 70, '{ mode: shared, gpu: l4, overlap: 1 }')));
    const th = mm1(70, 100);
    for (const m of [0, 1]) {
      const got = averaged(runs, m);
      within(got.mean, th.meanSojournS * 1e3, 0.03);
      within(got.p99, th.sojournQuantileS(0.99) * 1e3, 0.03);
    }
  });
});

describe('MIG, theory', () => {
  const layout = '{ mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }';

  it("one model's overload leaves the other's results identical (same seed: every figure of its block but its share of the run's arrivals)", () => {
    const iso = (rateB: number): string =>
      twoModels(4, 70, layout, 'mig: 3g.40gb', 'mig: 2g.20gb')
        .replace('duration: 4h', 'duration: 30m')
        .replace('batching: { maxBatch: 1 } }', 'batching: { maxBatch: 1 }, queue: { maxDepth: 200 } }')
        .replace(/(name: b\n {4}traffic: \{ rate: )70/, `$1${rateB}`);
    const normal = run(iso(50));
    const overloaded = run(iso(250)); // B: 250/s on a 100/s slice, its queue full and rejecting
    expect(normal.models![1]!.requests.rejected).toBe(0);
    expect(overloaded.models![1]!.requests.rejected).toBeGreaterThan(200_000);
    const a = (s: Summary): Omit<ModelSummary, 'arrivedShare'> => {
      const { arrivedShare: _, ...rest } = s.models![0]!;
      return rest;
    };
    expect(a(overloaded)).toEqual(a(normal));
    expect(overloaded.models![0]!.latencyMs).toEqual(normal.models![0]!.latencyMs);
    expect(overloaded.models![0]!.requests).toEqual(normal.models![0]!.requests);
    expect(normal.models![0]!.requests.completed).toBeGreaterThan(115_000); // 70/s over 28 min
  });

  it('an inline table on a slice is that slice’s own latency: exponential service at batch 1 is its own M/M/1 (mean, p99 within 3 %)', () => {
    const runs = SEEDS.map((seed) => run(twoModels(seed, 70, layout, 'mig: 3g.40gb', 'mig: 1g.10gb')));
    const th = mm1(70, 100);
    for (const m of [0, 1]) {
      const got = averaged(runs, m);
      within(got.mean, th.meanSojournS * 1e3, 0.03);
      within(got.p99, th.sojournQuantileS(0.99) * 1e3, 0.03);
    }
  });

  it('a catalog profile on a 3g.40gb slice, saturated at batch 128: 3/7 of the whole A100-80GB’s throughput (within 2 %)', () => {
    const sat = (fleet: string, sharing: string): Summary =>
      run(`
name: saturated
duration: 10m
warmup: 1m
report: { interval: 1m }
fleet: { batching: { maxBatch: 128, maxQueueDelay: 5ms }, queue: { maxDepth: 5000 } }
sharing: ${sharing}
models:
  - name: bert
    traffic: { rate: 20000 }
    model: { profile: bert-base-seq128 }
    fleet: { ${fleet} }
`);
    const whole = sat('gpu: a100-80gb', '{ mode: dedicated }').models![0]!;
    const slice = sat('mig: 3g.40gb', layout).models![0]!;
    for (const m of [whole, slice]) {
      expect(m.gpu.meanBatchSize).toBe(128);
      expect(m.requests.rejected).toBeGreaterThan(0); // saturated
    }
    within(slice.throughputRps / whole.throughputRps, 3 / 7, 0.02);
  });
});
