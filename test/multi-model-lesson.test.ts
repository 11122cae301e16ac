/**
 * The lesson of scenarios/multi-model-gpu-sharing.yaml, as the README states it: one L4 for all four
 * models meets every SLO at the lowest cost; a reranker spike breaks every model under strict
 * time-slicing, while dedicated GPUs and MIG slices leave the other models' results unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/run.js';
import { loadScenarioVariants } from '../src/scenario/load.js';
import type { Summary } from '../src/metrics/summary.js';
import { ROOT } from './helpers/cli.js';

const dir = join(ROOT, 'scenarios');
const file = 'multi-model-gpu-sharing.yaml';
const { base, variants } = loadScenarioVariants(readFileSync(join(dir, file), 'utf8'), {
  file,
  baseDir: dir,
  readFile: (p) => readFileSync(p, 'utf8'),
});
const memo = new Map<string, Summary>();
function run(name: string): Summary {
  let s = memo.get(name);
  if (s === undefined) {
    const sc = name === 'base' ? base : variants.find((v) => v.name === name)!.scenario;
    s = simulate(sc).summary;
    memo.set(name, s);
  }
  return s;
}
const OTHERS = ['classifier', 'vision', 'embeddings'];
const p99 = (s: Summary, model: string): number => s.models!.find((m) => m.name === model)!.latencyMs.p99;
const met = (s: Summary, model: string): boolean => s.models!.find((m) => m.name === model)!.slo.met;

describe('multi-model-gpu-sharing.yaml: one GPU each, MIG, or one for all', () => {
  it('every layout meets every SLO; one L4 under Triton is the cheapest, a quarter of four L4s', () => {
    const runs = ['base', 'mig', 'triton-l4', 'timeslice-l4', 'triton-a100'].map(run);
    for (const s of runs) expect(s.slo.met).toBe(true);
    const [dedicated, mig, triton] = runs as [Summary, Summary, Summary];
    expect(Math.min(...runs.map((s) => s.cost.monthlyUsd))).toBe(triton.cost.monthlyUsd);
    expect(triton.cost.monthlyUsd).toBeCloseTo(dedicated.cost.monthlyUsd / 4, 2);
    expect(mig.cost.monthlyUsd).toBeGreaterThan(dedicated.cost.monthlyUsd); // an A100 costs more than four L4s
    expect(triton.sharing!.gpus.max).toBe(1);
  });

  it('MIG charges each model its slices (k/7 of the GPU); the shared L4 its GPU time, the rest idle', () => {
    const mig = run('mig');
    const gpuUsd = mig.cost.gpuUsd;
    const slices: Record<string, number> = { classifier: 2, vision: 1, embeddings: 1, reranker: 3 };
    for (const m of mig.models!) expect(m.costUsd).toBeCloseTo((gpuUsd * slices[m.name]!) / 7, 9);
    expect(mig.sharing!.idleUsd).toBe(0); // the layout's seven slices are all held
    const shared = run('triton-l4');
    const charged = shared.models!.reduce((a, m) => a + m.costUsd, 0);
    expect(charged + shared.sharing!.idleUsd).toBeCloseTo(shared.cost.gpuUsd, 9);
    expect(shared.sharing!.idleUsd).toBeGreaterThan(charged); // the L4 is busy less than half the time
  });

  it('a reranker spike: time-slicing makes every model miss; dedicated GPUs and MIG leave the others unchanged', () => {
    const sliced = run('noisy-timeslice-l4');
    for (const m of [...OTHERS, 'reranker']) expect(met(sliced, m)).toBe(false);
    for (const [calm, noisy] of [['base', 'noisy-dedicated'], ['mig', 'noisy-mig']] as const) {
      for (const m of OTHERS) expect(p99(run(noisy), m)).toBe(p99(run(calm), m));
      expect(run(noisy).slo.met).toBe(true);
    }
    // under Triton (overlap 0.5) the others slow down but keep their SLOs
    const triton = run('noisy-triton-l4');
    expect(p99(triton, 'classifier')).toBeGreaterThan(p99(run('triton-l4'), 'classifier'));
    expect(triton.slo.met).toBe(true);
  });
});
