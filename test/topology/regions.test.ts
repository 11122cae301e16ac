/** Regions: routing over the clients' DNS view, health checks, outages and failover, per-region books and costs. */
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/config/scenario.js';
import type { Summary } from '../../src/metrics/summary.js';
import { NULLABLE_SUMMARY_PATHS, walkNumbers } from '../robustness/invariants.js';

/** Where a region run's summary may hold null: a region without a cache, an outage not (yet) detected or recovered. */
const REGION_NULLABLE = new Set([
  ...NULLABLE_SUMMARY_PATHS,
  'regions.*.cacheHitRate',
  'failover.outages.*.detectedAtS',
  'failover.outages.*.trafficMovedAtS',
  'failover.outages.*.recoveredAtS',
  'failover.outages.*.recoveryS',
]);

/** Two regions, 100 req/s, a 5 ms (batch 1) … 10 ms (batch 32) model, one replica each unless overridden. */
function twoRegions(extra: string, top = ''): Scenario {
  return loadScenario(
    `
name: regions
seed: 3
duration: 300s
slo: { p99: 100ms }
traffic: { rate: 100 }
model: { latency: { 1: 5ms, 32: 10ms }, responseBytes: 1MB }
fleet:
  replicas: 1
  batching: { maxBatch: 32 }
  queue: { timeout: 1s }
cost: { gpuHourly: 3.6 }
report: { interval: 10s }
${top}
regions:
  - name: a
    share: 0.5
    rtt: { b: 40ms }
  - name: b
    share: 0.5
    rtt: { a: 40ms }
${extra}
`,
    { file: 'r.yaml', baseDir: '.' },
  );
}

/** arrived = completed + rejected + timedOut + inFlightAtEnd, for the run and for every region; the regions add up to the run. */
function expectBooksBalance(s: Summary): void {
  const blocks = s.regions ?? s.shards ?? [];
  expect(blocks.length).toBeGreaterThan(1);
  const q = s.requests;
  expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
  for (const b of blocks) {
    const r = b.requests;
    expect(r.arrived).toBe(r.completed + r.rejected + r.timedOut + r.inFlightAtEnd);
  }
  for (const k of ['arrived', 'completed', 'rejected', 'timedOut', 'inFlightAtEnd', 'cacheHits'] as const) {
    expect(blocks.reduce((a, b) => a + b.requests[k], 0)).toBe(q[k]);
  }
}

/** The timeline rows (timeS, rejected, timedOut) of a run or one of its sites. */
function rows(r: RunResult, site?: string): { t: number; errors: number; arrivals: number; ready: number }[] {
  const tl = site === undefined ? r.timeline : r.siteTimelines.find((s) => s.name === site)!.timeline;
  const t = tl.column('timeS');
  const rej = tl.column('rejected');
  const to = tl.column('timedOut');
  const arr = tl.column('arrivals');
  const ready = tl.column('replicasReady');
  return t.map((x, i) => ({ t: x, errors: rej[i]! + to[i]!, arrivals: arr[i]!, ready: ready[i]! }));
}

describe('routing without failures', () => {
  it('nearest: each population stays home; the users see the server time plus their round trip', () => {
    const r = simulate(twoRegions('', ''));
    const s = r.summary;
    expectBooksBalance(s);
    // nobody crosses the ocean, so no transfer and no 40 ms: the model's 5 ms at batch 1 (and a little batching)
    expect(s.cost.interRegionUsd).toBe(0);
    expect(s.latencyMs.p99).toBeLessThan(15);
    const [a, b] = s.regions!;
    expect(a!.arrivedShare + b!.arrivedShare).toBeCloseTo(1, 12);
    expect(Math.abs(a!.arrivedShare - 0.5)).toBeLessThan(0.02);
    // the per-region timelines add up to the run's
    const sum = (xs: number[]): number => xs.reduce((x, y) => x + y, 0);
    expect(sum(r.siteTimelines[0]!.timeline.column('arrivals')) + sum(r.siteTimelines[1]!.timeline.column('arrivals'))).toBe(
      sum(r.timeline.column('arrivals')),
    );
    expect(r.siteTimelines.map((x) => x.name)).toEqual(['a', 'b']);
  });

  it('an own round trip is added to every response: p50 = 5 ms model + 30 ms network', () => {
    const sc = loadScenario(
      `
name: one region
duration: 60s
traffic: { rate: 20 }
model: { latency: { 1: 5ms } }
fleet: { replicas: 4 }
regions: [ { name: only, share: 1, rtt: { only: 30ms } } ]
`,
      { file: 'o.yaml', baseDir: '.' },
    );
    const s = simulate(sc).summary;
    // the histogram's relative error is ≤ 0.1 %; 4 replicas at 20 req/s queue almost never
    expect(s.latencyMs.p50).toBeGreaterThan(35 * 0.999);
    expect(s.latencyMs.p50).toBeLessThan(35 * 1.001);
    expect(s.regions![0]!.latencyMs.p50).toBe(s.latencyMs.p50);
  });

  it('latency-weighted spreads a population ∝ 1/RTT; weighted follows the weights', () => {
    // a's users: 1/2 ms vs 1/80 ms → 97.6 % stay in a; b's users: the mirror image
    const lw = simulate(
      loadScenario(
        `
name: lw
duration: 300s
traffic: { rate: 200 }
model: { latency: { 1: 2ms } }
fleet: { replicas: 2 }
regions:
  - { name: a, share: 0.5, rtt: { a: 2ms, b: 80ms } }
  - { name: b, share: 0.5, rtt: { a: 80ms, b: 2ms } }
topology: { routing: latency-weighted }
`,
        { file: 'lw.yaml', baseDir: '.' },
      ),
    ).summary;
    expectBooksBalance(lw);
    // served abroad: 1/80 / (1/2 + 1/80) = 2.44 % of the users pay 80 ms, so the p99 is 82 ms
    expect(lw.latencyMs.p99).toBeGreaterThan(81);
    expect(lw.latencyMs.p95).toBeLessThan(10);
    const w = simulate(twoRegions('topology: { routing: weighted, weights: { a: 3, b: 1 } }')).summary;
    expectBooksBalance(w);
    expect(Math.abs(w.regions![0]!.arrivedShare - 0.75)).toBeLessThan(0.01);
  });

  it('inter-region transfer: every response served away from its users × responseBytes × 0.02 $/GB', () => {
    // all users are b's; active-passive sends them all to a: each 1 MB response crosses regions
    const sc = loadScenario(
      `
name: transfer
duration: 100s
traffic: { rate: 50 }
model: { latency: { 1: 2ms }, responseBytes: 1MB }
fleet: { replicas: 1 }
cost: { gpuHourly: 0, egressPerGB: 0 }
regions:
  - { name: a, share: 0, rtt: { b: 40ms } }
  - { name: b, share: 1, rtt: { a: 40ms } }
topology: { kind: active-passive, primary: a, standby: cold }
`,
      { file: 't.yaml', baseDir: '.' },
    );
    const s = simulate(sc).summary;
    expect(s.regions![1]!.requests.arrived).toBe(0);
    expect(s.cost.interRegionUsd).toBeCloseTo((s.requests.completed * 1e6 * 0.02) / 1e9, 12);
    expect(s.cost.egressUsd).toBeCloseTo(s.cost.interRegionUsd!, 12);
    expect(s.cost.totalUsd).toBeCloseTo(s.cost.interRegionUsd!, 12);
    // the cold standby never received traffic: never started, never billed
    expect(s.regions![1]!.replicas).toEqual({ min: 0, mean: 0, max: 0, coldStarts: 0 });
  });

  it('each region has its own cache and each population its own keys: foreign traffic misses', () => {
    const cached = (topology: string): Summary =>
      simulate(
        loadScenario(
          `
name: cache
duration: 200s
traffic: { rate: 200, keys: { kind: zipf, count: 500, exponent: 1 } }
model: { latency: { 1: 2ms } }
fleet: { replicas: 2 }
cache: { capacity: 500, prewarmed: true }
regions:
  - { name: a, share: 0.5, rtt: { b: 40ms } }
  - { name: b, share: 0.5, rtt: { a: 40ms } }
topology: ${topology}
`,
          { file: 'c.yaml', baseDir: '.' },
        ),
      ).summary;
    const home = cached('{ kind: active-active }');
    const away = cached('{ kind: active-passive, primary: a }');
    expectBooksBalance(home);
    expectBooksBalance(away);
    // at home every key was prewarmed and fits: everything hits
    expect(home.regions![0]!.cacheHitRate).toBe(1);
    expect(home.cache!.hitRate).toBe(1);
    // a serves b's users too: their 500 keys are new to a's cache and push a's own out of it
    expect(away.regions![0]!.cacheHitRate!).toBeLessThan(0.9);
    expect(away.regions![1]!.cacheHitRate).toBe(0); // no lookups in the idle standby
  });
});

describe('an outage, by hand', () => {
  // checks every 10 s, 3 failures, DNS TTL 30 s; a fails at t = 100 s, on a check's instant
  const failover = 'failover: { healthCheckInterval: 10s, failureThreshold: 3, dnsTtl: 30s }';
  const outage = 'events: [ { at: 100s, kind: region-outage, region: a, for: 100s } ]';

  it('active-active: detected after 3 checks (130 s), traffic moves a TTL later (160 s), recovered at the end of the next interval', () => {
    const r = simulate(twoRegions(`${outage}\n${failover}`));
    const s = r.summary;
    expectBooksBalance(s);
    const o = s.failover!.outages[0]!;
    // the check at 100 s still got an answer; those at 110, 120 and 130 s failed
    expect(o).toMatchObject({ region: 'a', atS: 100, detectedAtS: 130, trafficMovedAtS: 160, recoveredAtS: 170, recoveryS: 70 });
    expect(o.trafficMovedAtS!).toBeGreaterThanOrEqual(o.atS + 10 * 3 + 30);
    // every failure was a's users sent to a dead a, all between the outage and the DNS change
    expect(o.failedRequests).toBe(s.requests.rejected + s.requests.timedOut);
    expect(o.failedRequests).toBe(s.regions![0]!.requests.rejected);
    expect(o.failedRequests).toBeGreaterThan(0.5 * 100 * 60 * 0.8); // ~50 req/s for 60 s
    for (const row of rows(r)) if (row.t <= 100 || row.t > 160) expect(row.errors).toBe(0);
    // a is restored at 200 s with no cold start here: checks pass at 200, 210, 220 s, DNS follows at 250 s
    const a = rows(r, 'a');
    expect(a.filter((x) => x.t > 160 && x.t <= 250).every((x) => x.arrivals === 0)).toBe(true);
    expect(a.find((x) => x.t === 260)!.arrivals).toBeGreaterThan(0);
    expect(a.find((x) => x.t === 150)!.ready).toBe(0);
  });

  it('active-passive, cold standby: p99 recovers no earlier than one cold start after traffic moves', () => {
    // the standby's one pod needs 50 s to load; queued requests time out after 1 s
    const r = simulate(withColdStart(twoRegions(`${outage}\n${failover}\ntopology: { kind: active-passive, primary: a, standby: cold }`), 50));
    const s = r.summary;
    expectBooksBalance(s);
    const o = s.failover!.outages[0]!;
    expect(o).toMatchObject({ atS: 100, detectedAtS: 130, trafficMovedAtS: 160 });
    // released at 160 s, ready at 210 s: until then b's gateway times everyone out after 1 s; the first interval
    // after 210 s still holds the backlog's ~1 s latencies, the next is clean
    expect(o.recoveredAtS!).toBeGreaterThanOrEqual(o.trafficMovedAtS! + 50);
    expect(o.recoveredAtS).toBe(230);
    expect(o.recoveryS).toBe(130);
    const b = rows(r, 'b');
    expect(b.filter((x) => x.t <= 160).every((x) => x.arrivals === 0 && x.ready === 0)).toBe(true);
    expect(b.find((x) => x.t === 210)!.ready).toBe(1);
    expect(s.regions![1]!.replicas.coldStarts).toBe(1);
    // the failures: a's rejections until DNS moved, then b's timeouts until its pod was up
    expect(s.regions![0]!.requests.rejected + s.regions![1]!.requests.timedOut).toBe(o.failedRequests);
    // no NaN, infinity or negative number anywhere, null only where a figure does not apply
    expect(walkNumbers(s, REGION_NULLABLE)).toEqual([]);
  });

  it('a warm standby recovers sooner than a cold one and costs more; active-active sooner still', () => {
    const run = (topology: string): Summary =>
      simulate(withColdStart(twoRegions(`${outage}\n${failover}\n${topology}`), 50)).summary;
    const aa = run('topology: { kind: active-active }');
    const warm = run('topology: { kind: active-passive, primary: a, standby: warm }');
    const cold = run('topology: { kind: active-passive, primary: a, standby: cold }');
    const rec = (s: Summary): number => s.failover!.outages[0]!.recoveryS!;
    expect(rec(warm)).toBe(70); // b already runs its pod: clean from the first interval after DNS moves
    expect(rec(cold)).toBeGreaterThan(rec(warm));
    expect(rec(aa)).toBeLessThanOrEqual(rec(warm));
    expect(warm.cost.gpuUsd).toBeGreaterThan(cold.cost.gpuUsd);
    // the cold standby pays from its release at 160 s; the warm one from 0 (GPU at 3.6 $/h = 0.001 $/s)
    expect(warm.regions![1]!.costUsd - cold.regions![1]!.costUsd).toBeGreaterThan(0.001 * 150);
  });

  it('is reproducible: the same seed gives the same summary and timelines', () => {
    const sc = withColdStart(twoRegions(`${outage}\n${failover}\ntopology: { kind: active-passive, primary: a, standby: cold }`), 50);
    const x = simulate(sc);
    const y = simulate(sc);
    expect({ ...x.summary, engine: null }).toEqual({ ...y.summary, engine: null });
    expect(x.siteTimelines.map((t) => t.timeline.rows)).toEqual(y.siteTimelines.map((t) => t.timeline.rows));
  });
});

/** The scenario with every region's model load taking `s` seconds. */
function withColdStart(sc: Scenario, s: number): Scenario {
  const topo = sc.topology;
  if (topo?.kind !== 'regions') throw new Error('regions expected');
  return {
    ...sc,
    topology: {
      ...topo,
      regions: topo.regions.map((r) => ({ ...r, fleet: { ...r.fleet, coldStart: { ...r.fleet.coldStart, modelLoad: { kind: 'fixed', s } } } })),
    },
  };
}
