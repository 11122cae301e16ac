/** MIG slices in simulation: a saturated 1g.10gb slice serves 1/7 of what a whole A100-80GB serves. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';

const saturated = (fleet: string, rps: number) =>
  simulate(
    loadScenario(
      `
name: saturated
duration: 60s
warmup: 10s
traffic: { rate: ${rps} }
model: { profile: bert-base-seq128 }
fleet: { ${fleet}, replicas: 1, batching: { maxBatch: 128, maxQueueDelay: 1ms }, queue: { maxDepth: 512 } }
`,
      { file: 'mig.yaml', baseDir: '.' },
    ),
  ).summary;

describe('MIG', () => {
  it('simulated BERT throughput at max batch on a 1g.10gb slice is within 5 % of 1/7 of the full GPU', () => {
    const full = saturated('gpu: a100-80gb', 20_000);
    const slice = saturated('gpu: a100-80gb, mig: 1g.10gb', 20_000 / 7);
    expect(full.gpu.meanBatchSize).toBeGreaterThan(120);
    expect(slice.gpu.meanBatchSize).toBeGreaterThan(120);
    expect(Math.abs(slice.throughputRps / (full.throughputRps / 7) - 1)).toBeLessThan(0.05);
  });

  it('an invalid MIG request is a clear error', () => {
    expect(() => loadScenario('name: x\nduration: 1m\ntraffic: { rate: 1 }\nmodel: { profile: bert-base-seq128 }\nfleet: { gpu: l4, mig: 1g.10gb }\n', { file: 'x.yaml', baseDir: '.' })).toThrow(
      'error: x.yaml: fleet.mig: l4 does not support MIG (got "1g.10gb")',
    );
  });
});
