/** Hand-computed cost cases, through the loader and the catalog, to the cent. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { egressUsd, runCost, tieredMonthlyEgressUsd, type RunBill } from '../../src/metrics/cost.js';

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

describe('cost formulas on their own (hand-computed)', () => {
  const tiers: { name: string; gb: number; expected: number }[] = [
    { name: 'within the free 100 GB', gb: 50, expected: 0 },
    { name: 'exactly the free tier', gb: 100, expected: 0 },
    { name: '1 000 GB past the free tier at 0.09', gb: 1100, expected: 90 },
    // 10 140 GB at 0.09 (912.6) + 10 240 GB at 0.085 (870.4)
    { name: 'across the 10 TB boundary', gb: 20_480, expected: 1783 },
  ];
  for (const c of tiers) {
    it(`tieredMonthlyEgressUsd: ${c.name}`, () => {
      expect(tieredMonthlyEgressUsd(c.gb)).toBeCloseTo(c.expected, 9);
    });
  }

  const egress: { name: string; bytes: number; hours: number; perGbUsd: number | null; expected: number }[] = [
    { name: 'flat: 2 GB at $0.12', bytes: 2e9, hours: 1, perGbUsd: 0.12, expected: 0.24 },
    { name: 'tiered: 1 100 GB over a month is the month’s price', bytes: 1.1e12, hours: 730, perGbUsd: null, expected: 90 },
    // 1 GB in an hour is 730 GB a month: (730 − 100) · 0.09 = 56.7 a month, 1/730 of it for the hour
    { name: 'tiered: the monthly rate’s price, prorated to the run', bytes: 1e9, hours: 1, perGbUsd: null, expected: 56.7 / 730 },
    { name: 'tiered: a run of no time costs nothing', bytes: 1e9, hours: 0, perGbUsd: null, expected: 0 },
  ];
  for (const c of egress) {
    it(`egressUsd: ${c.name}`, () => {
      expect(egressUsd(c.bytes, c.hours, c.perGbUsd)).toBeCloseTo(c.expected, 12);
    });
  }

  type RunCostCase = { name: string; sites: Parameters<typeof runCost>[0]; run: Parameters<typeof runCost>[1]; expected: RunBill };
  const bills: RunCostCase[] = [
    {
      // 2 GPU-hours at $2.50 = 5; cache 0.5 for the hour; 1e6 responses of 1 kB = 1 GB at $0.10; idle 75 % of 5
      name: 'one site: an hour of 2 GPUs, a cache, flat egress, 25 % utilization',
      sites: [{ billedGpuSeconds: 7200, gpuHourlyUsd: 2.5, cacheHourlyUsd: 0.5, utilization: 0.25, completed: 1e6, foreignCompleted: 0 }],
      run: { completed: 1e6, windowS: 3600, responseBytes: 1000, egressPerGbUsd: 0.1, interRegionPerGbUsd: 0 },
      expected: {
        cost: { totalUsd: 5.6, gpuUsd: 5, cacheUsd: 0.5, egressUsd: 0.1, perMillionRequestsUsd: 5.6, monthlyUsd: 5.6 * 730, idleGpuUsd: 3.75, interRegionUsd: 0 },
        siteUsd: [5.6],
        egressPerResponseUsd: 1e-7,
        interRegionPerResponseUsd: 0,
      },
    },
    {
      name: 'one site: no price, nothing completed, no time: every figure 0',
      sites: [{ billedGpuSeconds: 100, gpuHourlyUsd: null, cacheHourlyUsd: 1, utilization: 0, completed: 0, foreignCompleted: 0 }],
      run: { completed: 0, windowS: 0, responseBytes: 1000, egressPerGbUsd: null, interRegionPerGbUsd: 0 },
      expected: {
        cost: { totalUsd: 0, gpuUsd: 0, cacheUsd: 0, egressUsd: 0, perMillionRequestsUsd: 0, monthlyUsd: 0, idleGpuUsd: 0, interRegionUsd: 0 },
        siteUsd: [0],
        egressPerResponseUsd: 0,
        interRegionPerResponseUsd: 0,
      },
    },
    {
      // two regions over half an hour, 1 MB responses, egress $0.10/GB, inter-region $0.02/GB:
      //   A: 3600 GPU-s at $4 = 4, cache 1/h · 0.5 h = 0.5, 600 000 responses, 100 000 of them foreign
      //   B: 1800 GPU-s at $2 = 1, no cache, 400 000 responses
      //   egress: 1e6 · 1 MB = 1000 GB · 0.10 = 100, split 60/40 by completions; inter-region 100 000 MB = 100 GB · 0.02 = 2 (A)
      //   idle: 4 · 0.5 + 1 · 0.2 = 2.2; total 4 + 0.5 + 100 + 2 + 1 = 107.5 over 0.5 h → ×2×730 a month
      name: 'two regions: own prices, egress split by completions, inter-region transfer on foreign responses',
      sites: [
        { billedGpuSeconds: 3600, gpuHourlyUsd: 4, cacheHourlyUsd: 1, utilization: 0.5, completed: 600_000, foreignCompleted: 100_000 },
        { billedGpuSeconds: 1800, gpuHourlyUsd: 2, cacheHourlyUsd: 0, utilization: 0.8, completed: 400_000, foreignCompleted: 0 },
      ],
      run: { completed: 1e6, windowS: 1800, responseBytes: 1e6, egressPerGbUsd: 0.1, interRegionPerGbUsd: 0.02 },
      expected: {
        cost: { totalUsd: 107.5, gpuUsd: 5, cacheUsd: 0.5, egressUsd: 102, perMillionRequestsUsd: 107.5, monthlyUsd: 107.5 * 2 * 730, idleGpuUsd: 2.2, interRegionUsd: 2 },
        siteUsd: [4 + 0.5 + 60 + 2, 1 + 40],
        egressPerResponseUsd: 1e-4,
        interRegionPerResponseUsd: 2e-5,
      },
    },
  ];
  for (const c of bills) {
    it(`runCost: ${c.name}`, () => {
      const got = runCost(c.sites, c.run);
      for (const k of Object.keys(c.expected.cost) as (keyof RunBill['cost'])[]) expect(got.cost[k], String(k)).toBeCloseTo(c.expected.cost[k], 9);
      expect(Object.keys(got.cost).sort()).toEqual(Object.keys(c.expected.cost).sort());
      expect(got.siteUsd.length).toBe(c.expected.siteUsd.length);
      got.siteUsd.forEach((v, i) => expect(v).toBeCloseTo(c.expected.siteUsd[i]!, 9));
      expect(got.egressPerResponseUsd).toBeCloseTo(c.expected.egressPerResponseUsd, 15);
      expect(got.interRegionPerResponseUsd).toBeCloseTo(c.expected.interRegionPerResponseUsd, 15);
    });
  }
});
