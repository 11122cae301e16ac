/** The SLO verdict (metrics/slo.ts): failed requests are misses in attainment and in the percentile the SLO names. */
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/metrics/histogram.js';
import { attainmentTargetS, judgeSlo, quantileWithFailures, verdictWord, type SloCounts } from '../../src/metrics/slo.js';
import type { SloFailedBy } from '../../src/metrics/slo.js';
import { verdictLine } from '../../src/report/summary.js';
import { simulate } from '../../src/run.js';
import { stringLineSource } from '../../src/cli/line-source.js';
import type { Scenario, Slo } from '../../src/config/scenario.js';
import { makeScenario } from '../helpers/scenario.js';
import { meetsWithMargin, planSearch } from '../../src/analysis/plan.js';
import { aggregatePoint, cheapestPoint, sweepDocument } from '../../src/analysis/sweep.js';
import { buildGrid, parseVary } from '../../src/analysis/grid.js';

/** Counts with `fast` completions at 10 ms, `slow` at 80 ms and `failed` failures (half rejected, half timed out); attainment target 50 ms. */
function counts(fast: number, slow: number, failed: number): SloCounts {
  const h = new Histogram();
  for (let i = 0; i < fast; i++) h.record(0.01);
  for (let i = 0; i < slow; i++) h.record(0.08);
  const rejected = Math.ceil(failed / 2);
  return { latency: h, completed: fast + slow, rejected, timedOut: failed - rejected, withinSlo: fast };
}
const p99 = (ms: number, maxErrorRate: number | null = null): Slo => ({ latencyS: { p99: ms / 1e3 }, maxErrorRate });

describe('the p-quantile with failures counted as infinitely slow', () => {
  it('is the ⌈p·N⌉-th fastest completion over N = completed + failed, or beyond any target when that rank is a failure', () => {
    const c = counts(95, 4, 1); // 100 finished: 95 at 10 ms, 4 at 80 ms, 1 failed
    expect(quantileWithFailures(c.latency, 1, 0.95)).toBeCloseTo(0.01, 5); // rank 95: the last 10 ms one (bucket midpoint, within 0.1 %)
    expect(quantileWithFailures(c.latency, 1, 0.96)).toBe(0.08); // rank 96
    expect(quantileWithFailures(c.latency, 1, 0.99)).toBe(0.08); // rank 99: the last completion
    expect(quantileWithFailures(c.latency, 1, 0.999)).toBe(Infinity); // rank ⌈99.9⌉ = 100: the failure
    expect(quantileWithFailures(c.latency, 0, 0.99)).toBe(c.latency.quantile(0.99)); // no failures: the plain quantile
    expect(quantileWithFailures(new Histogram(), 0, 0.99)).toBeNaN();
    expect(quantileWithFailures(new Histogram(), 3, 0.5)).toBe(Infinity);
  });
});

describe('judgeSlo', () => {
  it('p99 with fast completions: 1 % failed is met, 2 % is missed by errors (no maxErrorRate needed)', () => {
    // 1000 finished, 10 failed: rank ⌈990⌉ = 990 ≤ 990 completions → 10 ms
    const one = judgeSlo(p99(50), counts(990, 0, 10));
    expect(one).toEqual({ met: true, failedBy: null, attainment: 0.99, errorRate: 0.01, target: { p99Ms: 50 }, withFailuresMs: { p99: 10 } });
    // 1000 finished, 20 failed: rank 990 > 980 completions → beyond target
    const two = judgeSlo(p99(50), counts(980, 0, 20));
    expect(two).toEqual({ met: false, failedBy: 'errors', attainment: 0.98, errorRate: 0.02, target: { p99Ms: 50 }, withFailuresMs: { p99: null } });
  });

  it('half the requests failed: missed by errors, attainment ½', () => {
    expect(judgeSlo(p99(50), counts(500, 0, 500))).toMatchObject({ met: false, failedBy: 'errors', attainment: 0.5, errorRate: 0.5 });
  });

  it('latency: the completions alone are too slow; both: slow completions and too many failures', () => {
    // 1000 completions, 20 at 80 ms: rank 990 → 80 ms
    expect(judgeSlo(p99(50), counts(980, 20, 0))).toMatchObject({ met: false, failedBy: 'latency', withFailuresMs: { p99: 80 } });
    // 20 at 80 ms and 20 failed of 1000
    expect(judgeSlo(p99(50), counts(960, 20, 20))).toMatchObject({ met: false, failedBy: 'both', withFailuresMs: { p99: null } });
  });

  it('both: neither alone misses, the failures push the percentile onto slow completions', () => {
    // 995 completions (987 at 10 ms, 8 at 80 ms) and 5 failed. Completions alone: rank ⌈0.99·995⌉ = 986 → 10 ms.
    // Failures counted: rank ⌈0.99·1000⌉ = 990 > 987 → 80 ms. 5 failures alone (0.5 %) are within the 1 % a p99 allows.
    const v = judgeSlo(p99(50), counts(987, 8, 5));
    expect(v).toMatchObject({ met: false, failedBy: 'both', withFailuresMs: { p99: 80 } });
  });

  it('maxErrorRate stays an additional bound', () => {
    // 0.5 % failed: the p99 holds, the error rate bound of 0.1 % does not
    expect(judgeSlo(p99(50, 0.001), counts(995, 0, 5))).toMatchObject({ met: false, failedBy: 'errors', errorRate: 0.005, target: { p99Ms: 50, maxErrorRate: 0.001 } });
    expect(judgeSlo(p99(50, 0.01), counts(995, 0, 5))).toMatchObject({ met: true, failedBy: null });
    // only an error bound: latencies do not matter
    expect(judgeSlo({ latencyS: {}, maxErrorRate: 0.01 }, counts(0, 1000, 5))).toMatchObject({ met: true, withFailuresMs: {} });
    expect(judgeSlo(p99(50, 0.001), counts(975, 20, 5))).toMatchObject({ met: false, failedBy: 'both' });
  });

  it('every named percentile counts failures: p50 allows up to half', () => {
    const slo: Slo = { latencyS: { p50: 0.02, p99: 0.1 }, maxErrorRate: null };
    // 60 % failed: the p50 falls on a failure, and so does the p99
    expect(judgeSlo(slo, counts(40, 0, 60))).toMatchObject({ met: false, failedBy: 'errors', withFailuresMs: { p50: null, p99: null } });
    // 45 % completions at 10 ms, 54 at 80 ms, 1 failed: p50 rank 50 → 80 ms > 20 (the completions alone: rank 50 of 99 → 80 ms too)
    expect(judgeSlo(slo, counts(45, 54, 1))).toMatchObject({ met: false, failedBy: 'latency', withFailuresMs: { p50: 80, p99: 80 } });
  });

  it('nothing finished: missed by latency (no response came back); no SLO: met', () => {
    expect(judgeSlo(p99(50), counts(0, 0, 0))).toEqual({ met: false, failedBy: 'latency', attainment: 0, errorRate: 0, target: { p99Ms: 50 }, withFailuresMs: { p99: null } });
    expect(judgeSlo({ latencyS: {}, maxErrorRate: null }, counts(10, 0, 10))).toMatchObject({ met: true, failedBy: null, attainment: 0.5 });
  });
});

/** Replays groups of simultaneous arrivals 50 ms apart on one replica (10 ms per request, one request may wait): a group of 1 takes 10 ms, of 2: 10 and 20 ms, of 3: 10, 20 and a rejection. */
function replayGroups(groups: number[], slo: Slo): ReturnType<typeof simulate>['summary'] {
  const times: string[] = [];
  groups.forEach((n, i) => {
    for (let k = 0; k < n; k++) times.push(String(i * 0.05));
  });
  const sc: Scenario = makeScenario({
    durationS: groups.length * 0.05 + 1,
    slo,
    fleet: { queue: { maxDepth: 1, timeoutS: Infinity } },
  });
  sc.traffic = { ...sc.traffic, trace: { file: 'inline.csv', timeColumn: 't', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'epoch-s' } };
  return simulate(sc, { traceLines: stringLineSource(['t', ...times].join('\n')) }).summary;
}
const groups = (singles: number, pairs: number, triples: number): number[] => [...Array<number>(singles).fill(1), ...Array<number>(pairs).fill(2), ...Array<number>(triples).fill(3)];

describe('a simulated fleet whose completions are fast but some requests are rejected (p99 ≤ 50 ms, no maxErrorRate)', () => {
  it('0.5 % rejected: met', () => {
    // 985 singles + 5 triples = 1000 requests: 995 completed (990 at 10 ms, 5 at 20 ms), 5 rejected; rank 990 → 10 ms
    const s = replayGroups(groups(985, 0, 5), p99(50));
    expect(s.requests).toMatchObject({ arrived: 1000, completed: 995, rejected: 5, timedOut: 0, inFlightAtEnd: 0 });
    expect(s.slo).toMatchObject({ met: true, failedBy: null, attainment: 0.995, errorRate: 0.005 });
    expect(s.slo.withFailuresMs.p99).toBeCloseTo(10, 1);
    expect(verdictLine(s)).toMatch(/^SLO MET: p99 10(\.\d+)? ms vs ≤ 50 ms; attainment 99\.50 %$/);
  });

  it('exactly 1 % rejected: met (the p99 is the slowest completion)', () => {
    // 970 singles + 10 triples: 990 completed (980 at 10 ms, 10 at 20 ms), 10 rejected; rank 990 → 20 ms
    const s = replayGroups(groups(970, 0, 10), p99(50));
    expect(s.slo).toMatchObject({ met: true, attainment: 0.99, errorRate: 0.01 });
    expect(s.slo.withFailuresMs.p99).toBeCloseTo(20, 1);
  });

  it('2 % rejected: missed by errors, although every completion took at most 20 ms', () => {
    // 940 singles + 20 triples: 980 completed, 20 rejected; rank 990 > 980 → beyond target
    const s = replayGroups(groups(940, 0, 20), p99(50));
    expect(s.requests).toMatchObject({ completed: 980, rejected: 20 });
    expect(s.latencyMs.p99).toBeCloseTo(20, 1); // the completions alone: rank ⌈970.2⌉ = 971 → 20 ms
    expect(s.slo).toMatchObject({ met: false, failedBy: 'errors', attainment: 0.98, errorRate: 0.02, withFailuresMs: { p99: null } });
    expect(verdictLine(s)).toMatch(
      /^SLO MISSED \(errors\): p99 beyond target \(2\.000 % failed, more than the 1\.0 % a p99 allows; completions alone 20(\.\d+)? ms\) vs ≤ 50 ms; attainment 98\.00 %$/,
    );
  });

  it('p99 ≤ 15 ms: latency alone, both, and the two together', () => {
    // no failure, 20 pairs: 20 of 1000 completions at 20 ms → p99 20 ms
    expect(replayGroups(groups(960, 20, 0), p99(15)).slo).toMatchObject({ met: false, failedBy: 'latency' });
    // 2 % rejected and the completions' p99 at 20 ms
    expect(replayGroups(groups(940, 0, 20), p99(15)).slo).toMatchObject({ met: false, failedBy: 'both' });
    // 979 singles, 3 pairs, 5 triples: 995 completed (987 at 10 ms, 8 at 20 ms), 5 rejected. Alone, the completions'
    // p99 (rank 986) is 10 ms and 0.5 % failed is within 1 %; together the rank is 990 → 20 ms
    const s = replayGroups(groups(979, 3, 5), p99(15));
    expect(s.requests).toMatchObject({ completed: 995, rejected: 5 });
    expect(s.latencyMs.p99).toBeCloseTo(10, 1);
    expect(s.slo).toMatchObject({ met: false, failedBy: 'both' });
    expect(s.slo.withFailuresMs.p99).toBeCloseTo(20, 1);
    expect(verdictLine(s)).toMatch(/^SLO MISSED \(latency \+ errors\): p99 20(\.\d+)? ms counting the 0\.500 % failed \(completions alone 10(\.\d+)? ms\) vs ≤ 15 ms/);
  });
});

describe('an overloaded fleet that rejects about half its requests (p99 ≤ 50 ms, no maxErrorRate)', () => {
  // 200 req/s Poisson on one replica serving 100 req/s, one request may wait: every completion takes 10–20 ms
  const sc = makeScenario({ durationS: 30, slo: p99(50), traffic: { schedule: [{ atS: 0, rps: 200, rampS: 0 }] }, fleet: { queue: { maxDepth: 1, timeoutS: Infinity } } });
  const s = simulate(sc).summary;

  it('is MISSED, by errors, with attainment about ½', () => {
    expect(s.latencyMs.max).toBeLessThanOrEqual(20.001);
    expect(s.slo.errorRate).toBeGreaterThan(0.4);
    expect(s.slo).toMatchObject({ met: false, failedBy: 'errors', withFailuresMs: { p99: null } });
    expect(s.slo.attainment).toBeCloseTo(1 - s.slo.errorRate, 9);
    expect(verdictLine(s)).toMatch(/^SLO MISSED \(errors\): p99 beyond target/);
  });
});

describe('plan and the sweep no longer choose a fleet that meets the latency by rejecting requests', () => {
  // 200 req/s Poisson, 10 ms per request, one request may wait per replica, $1 per GPU-hour: every completion takes
  // at most 20 ms whatever the replicas, so only the rejections decide. Simulated rejections (30 s, seed 1):
  // 1 replica 53 %, 2: 18 %, 3: 2.7 %, 4: 0.18 %; a p99 allows 1 %, so 4 is the answer (the completions alone said 1).
  const axis = parseVary('fleet.replicas=1..6');
  const summaries = (axis.values as number[]).map(
    (replicas) =>
      simulate(
        makeScenario({
          durationS: 30,
          slo: p99(50),
          traffic: { schedule: [{ atS: 0, rps: 200, rampS: 0 }] },
          fleet: { replicas, queue: { maxDepth: 1, timeoutS: Infinity } },
          cost: { gpuHourlyUsd: 1 },
        }),
      ).summary,
  );

  it('the completions alone would meet the p99 at every size', () => {
    for (const s of summaries) expect(s.latencyMs.p99).toBeLessThanOrEqual(20.001);
    expect(summaries.map((s) => s.slo.met)).toEqual([false, false, false, true, true, true]);
    expect(summaries.slice(0, 3).map((s) => s.slo.failedBy)).toEqual(['errors', 'errors', 'errors']);
    expect(summaries[2]!.slo.errorRate).toBeGreaterThan(0.01);
    expect(summaries[3]!.slo.errorRate).toBeLessThan(0.01);
  });

  it('plan: the smallest fleet meeting the SLO is 4 replicas', async () => {
    const r = await planSearch({ count: summaries.length, startIndex: 0, meets: (i) => Promise.resolve(meetsWithMargin(summaries[i]!, 0)) });
    expect(r.index).toBe(3);
  });

  it("the sweep's ★: 4 replicas", () => {
    const points = buildGrid([axis]).map((p) => aggregatePoint(p, [summaries[p.index]!]));
    expect(cheapestPoint(points)).toBe(3);
    const doc = sweepDocument({ scenario: 's', stem: 's', axes: [axis], sets: [], seeds: 1, shard: null, partial: false, points });
    expect(doc.points.map((p) => p.sloFailedBy)).toEqual(['errors', 'errors', 'errors', null, null, null]);
  });
});

describe('attainmentTargetS and the verdict’s words', () => {
  const targets: { name: string; latencyS: Slo['latencyS']; expected: number }[] = [
    { name: 'p99 when given', latencyS: { p50: 0.01, p99: 0.1, p999: 0.5 }, expected: 0.1 },
    { name: 'else p999', latencyS: { p50: 0.01, p999: 0.5 }, expected: 0.5 },
    { name: 'else p95', latencyS: { p50: 0.01, p90: 0.02, p95: 0.03 }, expected: 0.03 },
    { name: 'else p50 alone', latencyS: { p50: 0.01 }, expected: 0.01 },
    { name: 'none: Infinity', latencyS: {}, expected: Infinity },
  ];
  for (const c of targets) {
    it(`attainmentTargetS: ${c.name}`, () => {
      expect(attainmentTargetS({ latencyS: c.latencyS, maxErrorRate: null })).toBe(c.expected);
    });
  }
  const words: { v: { met: boolean; failedBy: SloFailedBy | null }; expected: string }[] = [
    { v: { met: true, failedBy: null }, expected: 'met' },
    { v: { met: false, failedBy: 'latency' }, expected: 'missed (latency)' },
    { v: { met: false, failedBy: 'errors' }, expected: 'missed (errors)' },
    { v: { met: false, failedBy: 'both' }, expected: 'missed (latency + errors)' },
    { v: { met: false, failedBy: null }, expected: 'missed' },
  ];
  for (const c of words) {
    it(`verdictWord: ${c.expected}`, () => {
      expect(verdictWord(c.v)).toBe(c.expected);
    });
  }
});
