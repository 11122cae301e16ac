/**
 * The engine against queueing theory (VALIDATION.md): M/M/1, M/M/c, M/D/1, Little's law,
 * within 3 % on mean and p99. Parameters: utilization 0.7–0.75, ≥ 1.4 M requests, warmup discarded.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { md1, md1SojournQuantileS, mm1, mmc } from '../../src/theory/capacity.js';
import { makeScenario } from '../helpers/scenario.js';

const within = (actual: number, expected: number, rel: number): void => {
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
};

describe('queueing theory', () => {
  it('M/M/1 (λ = 700/s, μ = 1000/s): mean and p99 sojourn within 3 %', () => {
    const sc = makeScenario({
      durationS: 2100,
      warmupS: 100,
      traffic: { schedule: [{ atS: 0, rps: 700, rampS: 0 }] },
      model: { latency: { batch: [1], latencyS: [0.001], source: 'theory' }, variability: { dist: 'exponential', cv: 1 } },
      report: { intervalS: 60 },
    });
    const s = simulate(sc).summary;
    const th = mm1(700, 1000);
    expect(s.requests.completed).toBeGreaterThan(1_300_000);
    within(s.latencyMs.mean, th.meanSojournS * 1e3, 0.03);
    within(s.latencyMs.p99, th.sojournQuantileS(0.99) * 1e3, 0.03);
    within(s.gpu.utilization, 0.7, 0.01); // busy share = λ·E[S]
  });

  it('M/M/c (shared queue, c = 4, λ = 3000/s, μ = 1000/s): mean and p99 within 3 %', () => {
    const sc = makeScenario({
      durationS: 520,
      warmupS: 20,
      traffic: { schedule: [{ atS: 0, rps: 3000, rampS: 0 }] },
      model: { latency: { batch: [1], latencyS: [0.001], source: 'theory' }, variability: { dist: 'exponential', cv: 1 } },
      fleet: { replicas: 4, routing: 'shared-queue' },
      report: { intervalS: 0.05 },
    });
    const r = simulate(sc);
    const s = r.summary;
    const th = mmc(3000, 1000, 4);
    within(s.latencyMs.mean, th.meanSojournS * 1e3, 0.03);
    within(s.latencyMs.p99, th.sojournQuantileS(0.99) * 1e3, 0.03);
    within(s.gpu.utilization, 0.75, 0.01);

    // Little's law on the queue: time-average queue length (sampled every 50 ms) = λ · mean wait
    const depth = r.timeline.column('queueDepth').slice(400); // after warmup
    const meanDepth = depth.reduce((a, b) => a + b, 0) / depth.length;
    const meanWaitS = s.latencyMs.mean / 1e3 - 0.001;
    within(meanDepth, 3000 * meanWaitS, 0.05);
    within(3000 * meanWaitS, 3000 * th.meanWaitS, 0.05);
  });

  it('M/D/1 (λ = 700/s, D = 1 ms): mean and p99 within 3 %', () => {
    const sc = makeScenario({
      durationS: 2100,
      warmupS: 100,
      traffic: { schedule: [{ atS: 0, rps: 700, rampS: 0 }] },
      model: { latency: { batch: [1], latencyS: [0.001], source: 'theory' } },
      report: { intervalS: 60 },
    });
    const s = simulate(sc).summary;
    within(s.latencyMs.mean, md1(700, 0.001).meanSojournS * 1e3, 0.03);
    within(s.latencyMs.p99, md1SojournQuantileS(700, 0.001, 0.99) * 1e3, 0.03);
  });

  it("Little's law per replica: throughput × mean latency = mean in system, busy share = λ·E[S]/c", () => {
    const sc = makeScenario({
      durationS: 600,
      warmupS: 50,
      traffic: { schedule: [{ atS: 0, rps: 2000, rampS: 0 }] },
      model: { latency: { batch: [1], latencyS: [0.004], source: 'theory' }, variability: { dist: 'lognormal', cv: 0.5 } },
      fleet: { replicas: 10, routing: 'random' },
      report: { intervalS: 10 },
    });
    const s = simulate(sc).summary;
    within(s.gpu.utilization, (2000 * 0.004) / 10, 0.02);
    within(s.throughputRps, 2000, 0.01);
    // random routing splits Poisson traffic: each replica is M/G/1 with λ = 200/s (Pollaczek–Khinchine)
    const es2 = 0.004 * 0.004 * (1 + 0.25);
    const wq = (200 * es2) / (2 * (1 - 0.8));
    within(s.latencyMs.mean, (wq + 0.004) * 1e3, 0.03);
  });
});
