/** Hand-computed cost cases, through the loader and the catalog, to the cent. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { egressUsd, tieredMonthlyEgressUsd } from '../../src/metrics/cost.js';

const run = (yaml: string): ReturnType<typeof simulate>['summary'] =>
  simulate(loadScenario(yaml, { file: 'cost.yaml', baseDir: '.' })).summary;

describe('cost', () => {
  it('a fixed fleet for one hour: 4 L4 × $0.805 (catalog) = $3.22; monthly = 730 × hourly', () => {
    const s = run(`
name: fixed
duration: 1h
traffic: { rate: 10 }
model: { profile: bert-base-seq128 }
fleet: { gpu: l4, replicas: 4 }
`);
    expect(s.cost.gpuUsd).toBeCloseTo(3.22, 10);
    expect(s.cost.totalUsd).toBeCloseTo(3.22, 10);
    expect(s.cost.monthlyUsd).toBeCloseTo(3.22 * 730, 8);
    expect(s.cost.perMillionRequestsUsd).toBeCloseTo((3.22 / s.requests.completed) * 1e6, 8);
  });

  it('a MIG fleet: seven 1g.10gb slices of an A100-80GB cost one GPU-hour ($3.43)', () => {
    const s = run(`
name: mig
duration: 1h
traffic: { rate: 10 }
model: { profile: bert-base-seq128 }
fleet: { gpu: a100-80gb, mig: 1g.10gb, replicas: 7 }
`);
    expect(s.cost.gpuUsd).toBeCloseTo(3.43, 10);
  });

  it('whole nodes are billed when pods are packed on nodes: 3 replicas on one 8-GPU node bill 8 GPUs', () => {
    const s = run(`
name: nodes
duration: 1h
traffic: { rate: 10 }
model: { latency: { 1: 5ms } }
fleet: { replicas: 3, nodes: { gpusPerNode: 8 } }
cost: { gpuHourly: 2 }
`);
    expect(s.cost.gpuUsd).toBeCloseTo(16, 10);
  });

  it('a fleet that cold-starts is billed from the request, not from readiness', () => {
    // 1 replica all hour; a second requested at 10 min with a 5 min cold start: billed 50 min
    const s = run(`
name: cold
duration: 1h
traffic: { rate: 10 }
model: { latency: { 1: 5ms } }
fleet: { replicas: 1, coldStart: { modelLoad: 5m } }
autoscaler: { kind: schedule, schedule: [ { at: 0s, replicas: 1 }, { at: 10m, replicas: 2 } ] }
cost: { gpuHourly: 1.2 }
`);
    expect(s.cost.gpuUsd).toBeCloseTo(1.2 * (1 + 50 / 60), 10);
    expect(s.replicas.coldStarts).toBe(1);
    expect(s.replicas.mean).toBeCloseTo(1 + 45 / 60, 10); // ready from 15 min
  });

  it('egress tiers: a month crossing 10 TB pays 0.09 up to it and 0.085 beyond', () => {
    expect(tieredMonthlyEgressUsd(50)).toBe(0);
    expect(tieredMonthlyEgressUsd(10_240 + 1000)).toBeCloseTo((10_240 - 100) * 0.09 + 1000 * 0.085, 9);
    // a run of 73 h sending 1 124 GB is 11 240 GB a month: a tenth of that month's bill
    expect(egressUsd(1124e9, 73, null)).toBeCloseTo(((10_240 - 100) * 0.09 + 1000 * 0.085) / 10, 9);
    expect(egressUsd(2e9, 1, 0.05)).toBeCloseTo(0.1, 12);
  });

  it('egress in a run: responseBytes × completed, flat price', () => {
    const s = run(`
name: egress
duration: 10m
traffic: { rate: 100 }
model: { latency: { 1: 1ms }, responseBytes: 1MB }
fleet: { replicas: 2 }
cost: { gpuHourly: 0, egressPerGB: 0.09 }
`);
    expect(s.cost.egressUsd).toBeCloseTo((s.requests.completed * 1e6 * 0.09) / 1e9, 9);
    expect(s.cost.gpuUsd).toBe(0);
  });
});
