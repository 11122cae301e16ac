/**
 * Regressions for the bugs the fuzzing found, one `describe` per bug, each pinned with
 * a small hand-checkable case (the fuzz counterexample, shrunk and simplified).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { pathText, type IssueCode } from '../../src/scenario/issues.js';

type Issue = { code: IssueCode; path: string; message: string };
import { simulate, startRun } from '../../src/run.js';
import { replicaBounds } from '../../src/config/autoscaling.js';
import { interpolateLatencyS, LatencyModel } from '../../src/serving/latency.js';
import { createArrivals } from '../../src/workload/arrivals.js';
import { RandomStreams } from '../../src/engine/rng.js';
import { Simulation } from '../../src/engine/simulation.js';
import { FeatureStore } from '../../src/cache/feature-store.js';
import { withoutEngine } from './invariants.js';
import { BIN } from '../helpers/cli.js';
import { makeScenario } from '../helpers/scenario.js';
import { assertRunInvariants } from './invariants.js';

const load = (text: string): ReturnType<typeof loadScenario> => loadScenario(text, { file: 's.yaml', baseDir: '/' });

/** What loading `text` throws, each issue as the cases write it: its code, its path as the CLI prints it, its message. */
function issuesOf(text: string): Issue[] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => ({ code: i.code, path: pathText(i.path), message: i.message }));
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('the last slice of a run reaches the end (endS·k/n rounds below endS)', () => {
  it('a 115.128 s run has its last report row at 115.128 s', () => {
    // 115.128 · 100 / 100 = 115.12799999999999: the events at the end (the last row) used to be skipped
    const r = simulate(load('name: r\nduration: 115.128\ntraffic: { rate: 1 }\nmodel: { latency: { 1: 300us } }\nreport: { interval: 1s }\n'));
    expect(r.timeline.rows).toHaveLength(116);
    expect(r.timeline.column('timeS').slice(-2)).toEqual([115, 115.128]);
    assertRunInvariants(r);
  });
});

describe('no sliver row when the duration is a multiple of the report interval', () => {
  it('13.6 s in steps of 1.7 s: 8 rows, the last at exactly 13.6 s', () => {
    // 1.7 added eight times is 13.599999999999998: a 9th row 2e-15 s long used to follow
    const r = simulate(load('name: r\nduration: 13.6s\ntraffic: { rate: 5 }\nmodel: { latency: { 1: 1ms } }\nreport: { interval: 1.7s }\n'));
    const t = r.timeline.column('timeS');
    expect(t).toHaveLength(8);
    expect(t[7]).toBe(13.6);
    assertRunInvariants(r);
  });
});

describe('a run stopped between report intervals closes its last, shorter one', () => {
  it('stopped at 25.5 s with 10 s intervals: rows at 10, 20 and 25.5 s that count every arrival', () => {
    const run = startRun(load('name: r\nduration: 60s\ntraffic: { rate: 20 }\nmodel: { latency: { 1: 5ms } }\nreport: { interval: 10s }\n'));
    run.runTo(25.5);
    const r = run.finish(true);
    expect(r.timeline.column('timeS')).toEqual([10, 20, 25.5]);
    const arrivals = r.timeline.column('arrivals').reduce((a, b) => a + b, 0);
    expect(arrivals).toBe(r.summary.requests.arrived);
    expect(r.summary.partial).toBe(true);
    assertRunInvariants(r);
  });
});

describe('replicaBounds of a schedule includes the count the fleet starts with', () => {
  it('a first step at 60 s: the scenario runs its own 1 replica until then', () => {
    expect(replicaBounds({ kind: 'schedule', steps: [{ atS: 60, replicas: 3 }] }, 1)).toEqual({ min: 1, max: 3 });
    expect(replicaBounds({ kind: 'schedule', steps: [{ atS: 0, replicas: 2 }, { atS: 60, replicas: 4 }] }, 5)).toEqual({ min: 2, max: 5 });
  });

  it('the simulated minimum stays within them', () => {
    const r = simulate(
      load('name: r\nduration: 90s\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\nfleet: { replicas: 1 }\nautoscaler: { kind: schedule, schedule: [ { at: 30s, replicas: 3 } ] }\n'),
    );
    expect(r.summary.replicas).toMatchObject({ min: 1, max: 3 });
    assertRunInvariants(r);
  });
});

describe('below the first table point, latency never drops to ~0 (infinite throughput, a RangeError in Erlang C)', () => {
  const table = { batch: [3, 4], latencyS: [0.0003, 0.00045], source: 'test' };

  it('follows the first segment but no faster per request than the first point', () => {
    // the segment reaches 0 at batch 1 (and −150 µs at 0): the floor is 300 µs · n / 3
    expect(interpolateLatencyS(table, 1)).toBeCloseTo(0.0001, 15);
    expect(interpolateLatencyS(table, 2)).toBeCloseTo(0.0002, 15);
    expect(interpolateLatencyS(table, 3)).toBe(0.0003);
    // a gentle first segment is followed as before
    expect(interpolateLatencyS({ batch: [2, 4], latencyS: [0.004, 0.006], source: 'test' }, 1)).toBeCloseTo(0.003, 15);
  });

  it('a run on such a table completes with finite analytic companions', () => {
    const r = simulate(load('name: r\nduration: 20s\ntraffic: { rate: 50 }\nmodel: { latency: { 3: 300us, 4: 450us } }\n'));
    expect(r.summary.analytic!.maxRpsPerReplica).toBeCloseTo(10_000, 6);
    expect(r.summary.analytic!.erlangC).not.toBeNull();
    assertRunInvariants(r);
  });
});

describe('a draining replica counts neither as ready nor as busy (utilization ≤ 1)', () => {
  it('two saturated replicas, one drained at 1 s with work queued: utilization stays exactly 1', () => {
    // each replica serves 2 req/s (0.5 s, batch 1); 40 req/s arrive, so both queues are long when one is drained
    const r = simulate(
      makeScenario({
        durationS: 10,
        traffic: { schedule: [{ atS: 0, rps: 40, rampS: 0 }] },
        model: { latency: { batch: [1], latencyS: [0.5], source: 'test' } },
        fleet: { replicas: 2 },
        autoscaler: { kind: 'schedule', steps: [{ atS: 1, replicas: 1 }] },
      }),
    );
    const util = r.timeline.column('gpuUtilization');
    // the drained replica still works through its queue after 1 s: busy 2 over ready 1 used to read 2
    expect(util.slice(1)).toEqual(new Array(9).fill(1));
    expect(util[0]).toBeGreaterThan(0.95); // idle only until the first arrivals
    expect(util[0]).toBeLessThan(1);
    expect(r.summary.gpu.utilization).toBeLessThan(1);
    expect(r.summary.gpu.utilization).toBeGreaterThan(0.99);
    expect(r.timeline.column('replicasReady').slice(1)).toEqual(new Array(9).fill(1));
    assertRunInvariants(r);
  });
});

describe('the shared queue holds requests before any replica exists', () => {
  const text =
    'name: r\nduration: 60s\ntraffic: { rate: 20 }\nmodel: { latency: { 1: 10ms } }\n' +
    'fleet: { replicas: 0, routing: shared-queue, coldStart: { modelLoad: 30s } }\nautoscaler: { kind: kpa }\nreport: { interval: 1s }\n';

  it('a run stopped at 5 s (no replica ready yet) balances its books: everything is in flight', () => {
    const run = startRun(load(text));
    run.runTo(5);
    const r = run.finish(true); // threw "books do not balance" before
    const q = r.summary.requests;
    expect(q.arrived).toBeGreaterThan(50);
    expect(q.inFlightAtEnd).toBe(q.arrived);
    // queueDepth at 5 s counts them too (it read 0)
    expect(r.timeline.column('queueDepth')[4]).toBe(q.arrived);
    assertRunInvariants(r);
  });
});

describe('arrival processes end when the rate is zero for ever, or the run ends (they used to loop for ever)', () => {
  // run by the built CLI in a child process: a synchronous infinite loop cannot be interrupted inside the test worker
  const cases: {
    name: string;
    traffic: string;
    /** Bounds on the requests that arrive in the 10 s run. */
    arrived: { min: number; max: number };
    /** Seconds from which every 1 s interval has no arrival (the rate is 0 from there), or null. */
    silentFromS: number | null;
  }[] = [
    {
      name: 'zero tail with a diurnal shape',
      traffic: 'traffic: { rate: [ { at: 0, rps: 10 }, { at: 2s, rps: 0 } ], diurnal: { amplitude: 0.5, period: 1h } }',
      arrived: { min: 1, max: Infinity },
      silentFromS: 2,
    },
    {
      name: 'zero tail with MMPP bursts',
      traffic: 'traffic: { rate: [ { at: 0, rps: 10 }, { at: 2s, rps: 0 } ], burst: { kind: mmpp } }',
      arrived: { min: 1, max: Infinity },
      silentFromS: 2,
    },
    { name: 'a 1e-300 req/s rate with a diurnal shape', traffic: 'traffic: { rate: 1e-300, diurnal: { amplitude: 0.5, period: 1h } }', arrived: { min: 0, max: 0 }, silentFromS: 0 },
    { name: 'a 1e-300 req/s rate with MMPP bursts', traffic: 'traffic: { rate: 1e-300, burst: { kind: mmpp } }', arrived: { min: 0, max: 0 }, silentFromS: 0 },
    {
      name: 'MMPP sojourns of 1e308 s with a diurnal shape',
      traffic: 'traffic: { rate: 10, diurnal: { amplitude: 0.5, period: 1h }, burst: { kind: mmpp, meanHigh: 1e308, meanLow: 1e308 } }',
      arrived: { min: 0, max: Infinity },
      silentFromS: null,
    },
    {
      name: 'a diurnal peak at 1e308 s',
      traffic: 'traffic: { rate: 10, diurnal: { amplitude: 0.5, period: 1h, peakAt: 1e308 } }',
      arrived: { min: 0, max: Infinity },
      silentFromS: null,
    },
    {
      // regular spacing at ~10 req/s
      name: 'gamma arrivals with cv 1e-300',
      traffic: 'traffic: { rate: 10, diurnal: { amplitude: 0.5, period: 1h }, burst: { kind: gamma, cv: 1e-300 } }',
      arrived: { min: 51, max: Infinity },
      silentFromS: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = mkdtempSync(join(tmpdir(), 'infersim-loop-'));
      try {
        const text = `name: h\nduration: 10s\nmodel: { latency: { 1: 1ms } }\nreport: { interval: 1s }\n${c.traffic}\n`;
        const p = spawnSync(process.execPath, [BIN, 'run', '-', '--format', 'json', '--no-report', '-q', '--out', out], {
          input: text,
          encoding: 'utf8',
          timeout: 20_000,
          env: { ...process.env, INFERSIM_DEBUG: '' },
        });
        expect(p.signal).toBeNull(); // killed by the timeout: the loop is back
        expect(p.stderr).toBe('');
        expect(p.status).toBe(0);
        const arrived = (JSON.parse(p.stdout) as { requests: { arrived: number } }).requests.arrived;
        const [head, ...rows] = readFileSync(join(out, 'timeline.csv'), 'utf8').trim().split('\n');
        const col = head!.split(',').indexOf('arrivals');
        const arrivals = rows.map((r) => Number(r.split(',')[col]));
        expect(arrivals).toHaveLength(10);
        expect(arrivals.reduce((a, b) => a + b, 0)).toBe(arrived);
        expect(arrived).toBeGreaterThanOrEqual(c.arrived.min);
        expect(arrived).toBeLessThanOrEqual(c.arrived.max);
        if (c.silentFromS !== null) expect(arrivals.slice(c.silentFromS)).toEqual(new Array<number>(10 - c.silentFromS).fill(0));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});

describe('gamma variability with cv 0 (or 1e-300) is deterministic, not NaN', () => {
  it('LatencyModel draws the mean', () => {
    const rng = new RandomStreams(1).stream('service');
    const table = { batch: [1], latencyS: [0.004], source: 'test' };
    for (const cv of [0, 1e-300]) {
      const m = new LatencyModel(table, 1, { dist: 'gamma', cv });
      expect([m.sample(1, rng), m.sample(1, rng)]).toEqual([0.004, 0.004]);
    }
  });

  it('a run with it equals the deterministic run (it threw "event scheduled at NaN s")', () => {
    const text = (v: string): string => `name: r\nduration: 20s\ntraffic: { rate: 30 }\nmodel: { latency: { 1: 5ms }, variability: ${v} }\nfleet: { instances: 2 }\n`;
    const g = simulate(load(text('{ dist: gamma, cv: 0 }')));
    const d = simulate(load(text('{ dist: deterministic }')));
    expect(g.summary.latencyMs).toEqual(d.summary.latencyMs);
    expect(g.summary.requests).toEqual(d.summary.requests);
  });

  it('gamma arrivals with a cv whose shape overflows are evenly spaced', () => {
    const streams = new RandomStreams(1);
    const traffic = makeScenario({ traffic: { schedule: [{ atS: 0, rps: 10, rampS: 0 }, { atS: 100, rps: 10, rampS: 0 }], burst: { kind: 'gamma', cv: 1e-300 } } }).traffic;
    const a = createArrivals(traffic, streams.stream('arrivals'), streams.stream('arrival-states'), null);
    const times = [a.nextTimeS(), a.nextTimeS(), a.nextTimeS()];
    times.forEach((t, i) => expect(t).toBeCloseTo((i + 1) / 10, 12));
  });
});

describe('effective utilization stays in [0, 1]', () => {
  const saturated = (instances: number, overlap: number, latency: string, variability = 'deterministic'): ReturnType<typeof simulate> =>
    simulate(
      load(
        `name: r\nduration: 30s\ntraffic: { rate: 2000 }\nmodel: { latency: ${latency}, variability: { dist: ${variability} } }\n` +
          `fleet: { replicas: 1, instances: ${instances}, overlap: ${overlap}, queue: { maxDepth: 100 } }\n`,
      ),
    );

  it('two instances on one GPU with full overlap peak at twice one instance: a saturated replica is 100 %, not 200 %', () => {
    const r = saturated(2, 1, '{ 1: 10ms }');
    expect(r.summary.gpu.utilization).toBeCloseTo(1, 4);
    expect(r.summary.gpu.effectiveUtilization).toBeCloseTo(1, 3);
    expect(r.summary.gpu.effectiveUtilization).toBeLessThanOrEqual(1);
  });

  it('batches of 1 on a table whose peak is at batch 4 use half the peak: 50 %', () => {
    // 1 request in 10 ms = 100 req/s; the peak is 4 in 20 ms = 200 req/s
    const r = simulate(
      load('name: r\nduration: 30s\ntraffic: { rate: 2000 }\nmodel: { latency: { 1: 10ms, 4: 20ms } }\nfleet: { replicas: 1, queue: { maxDepth: 100 } }\n'),
    );
    expect(r.summary.gpu.utilization).toBeCloseTo(1, 4);
    expect(r.summary.gpu.effectiveUtilization).toBeCloseTo(0.5, 3);
  });

  it('with exponential variability a saturated replica still reads at most 100 %', () => {
    // booked at each batch's mean, fast draws used to push it above 1
    for (const instances of [1, 3]) {
      const r = saturated(instances, 0.5, '{ 1: 10ms }', 'exponential');
      expect(r.summary.gpu.effectiveUtilization).toBeLessThanOrEqual(1);
      expect(r.summary.gpu.effectiveUtilization).toBeGreaterThan(0.95);
    }
  });
});

describe('idle GPU dollars are never negative (utilization an ulp above 1)', () => {
  it('the fuzz case that gave idleGpuUsd −3.75e-17', () => {
    const text = `
name: idle
seed: 1095619485
duration: 86192ms
warmup: 43.095
slo: { p90: 0.159, p99: 0.982, p999: 2.883 }
traffic:
  rate: 199.94
  spikes: [ { at: 42.009, factor: 1.79, for: 59.991 } ]
  burst: { kind: mmpp, lowFactor: 1.1, meanHigh: 15.165s, meanLow: 9611ms }
model: { latency: { "1": 0.02578 }, responseBytes: 77477 }
fleet:
  gpu: t4
  replicas: 5
  batching: { maxQueueDelay: 0.013, preferred: [ 1 ] }
  queue: { maxDepth: 16, timeout: 935000us }
  cpu: { perRequest: 0.002s }
autoscaler: { kind: kpa, target: 110.52, minReplicas: 0, panicWindowPercentage: 63, maxScaleDownRate: 1.3, tick: 508000us, maxReplicas: 5 }
cost: { gpuHourly: 4.87, cacheHourly: 0.485 }
report: { interval: 29992ms }
`;
    const r = simulate(load(text));
    expect(r.summary.gpu.utilization).toBeLessThanOrEqual(1);
    expect(r.summary.cost.idleGpuUsd).toBeGreaterThanOrEqual(0);
    assertRunInvariants(r);
  });
});

describe('an event whose kind is invalid is reported once, not judged by it ("kind is [object Object]")', () => {
  it('events.0.kind: 1e308 with a count', () => {
    const issues = issuesOf('name: e\nduration: 60s\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\nevents: [ { at: 10s, kind: 1e308, count: 1 } ]\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('events.0.kind');
    expect(issues[0]!.code).toBe('invalid_enum_value');
    expect(issues[0]!.message).toMatch(/^must be one of replica-crash, .* \(got 1e\+308\)$/);
  });
});

describe('magnitudes no run can finish are input errors (they hung, crashed or gave Infinity)', () => {
  const base = (extra: string): string => `name: l\nduration: 60s\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 5ms } }\n${extra}\n`;
  const cases: [IssueCode, string, string, string][] = [
    ['limit_exceeded', 'duration: 1e308', 'duration', 'must be at most 365d (one year, in seconds 31536000) (got 1e+308)'],
    [
      'limit_exceeded',
      'traffic: { rate: 1e308 }',
      'traffic.rate',
      'the run would simulate about Infinity requests (peak 1.00e+308 req/s for 60s); at most 1000000000000 can be simulated',
    ],
    ['limit_exceeded', 'traffic: { rate: 100, spikes: [ { at: 1s, factor: 1e12, for: 1s } ] }', 'traffic.rate', ''],
    ['invalid_type', 'traffic: { rate: 100, burst: { kind: mmpp, highFactor: 2e308 } }', 'traffic.burst.highFactor', ''],
    ['too_small', 'traffic: { rate: 100, diurnal: { amplitude: 0.5, period: 1e-300 } }', 'traffic.diurnal.period', 'must be at least 1m (got 1e-300)'],
    ['limit_exceeded', 'report: { interval: 1e-300 }', 'report.interval', 'the timeline would have 6.00e+301 rows (duration / interval); at most 1000000: use a longer interval'],
    ['limit_exceeded', 'fleet: { replicas: 9007199254740992 }', 'fleet.replicas', 'must be at most 10000 (got 9007199254740992)'],
    ['limit_exceeded', 'fleet: { instances: 1e308 }', 'fleet.instances', 'must be at most 64 (got 1e+308)'],
    ['limit_exceeded', 'model: { latency: { 1: 5ms, 8: 10ms } }\nfleet: { batching: { maxBatch: 9007199254740992 } }', 'fleet.batching.maxBatch', 'must be at most 4096 (got 9007199254740992)'],
    ['limit_exceeded', 'fleet: { warmPool: 1e308 }', 'fleet.warmPool', 'must be at most 10000 (got 1e+308)'],
    ['limit_exceeded', 'fleet: { coldStart: { modelLoad: { mean: 10s, cv: 1e308 } } }', 'fleet.coldStart.modelLoad.cv', 'must be at most 100 (got 1e+308)'],
    ['limit_exceeded', 'model: { latency: { 1: 5ms }, variability: { dist: lognormal, cv: 1e308 } }', 'model.variability.cv', 'must be at most 100 (got 1e+308)'],
    ['limit_exceeded', 'model: { latency: { 1: 5ms }, responseBytes: 1e308 }', 'model.responseBytes', 'must be at most 1TB (got 1e+308)'],
    ['limit_exceeded', 'cost: { gpuHourly: 1e308 }', 'cost.gpuHourly', 'must be at most 1000000 (got 1e+308)'],
    ['limit_exceeded', 'model: { latency: { 1: 1e308 } }', 'model.latency.1', 'must be at most 1h (3600 s) (got 1e+308)'],
    ['too_small', 'model: { latency: { 1: 1e-320 } }', 'model.latency.1', 'must be at least 1us (got 1e-320)'],
    ['limit_exceeded', 'slo: { p99: 1e308 }', 'slo.p99', 'must be at most 365d (one year, in seconds 31536000) (got 1e+308)'],
    ['limit_exceeded', 'autoscaler: { kind: kpa, minReplicas: 9007199254740992 }', 'autoscaler', 'must be at most 10000 replicas (got 9007199254740992)'],
    ['too_small', 'autoscaler: { kind: hpa, spec: { maxReplicas: 3 }, syncPeriod: 1e-300 }', 'autoscaler.syncPeriod', 'must be at least 1ms (got 1e-300)'],
    ['limit_exceeded', 'autoscaler: { kind: hpa, spec: { maxReplicas: 3 }, metrics: { window: 1e308 } }', 'autoscaler.metrics.window', 'must be at most 1h (got 1e+308)'],
    ['too_small', 'autoscaler: { kind: kpa, tick: 1e-300 }', 'autoscaler.tick', 'must be at least 1ms (got 1e-300)'],
    // these validated and then crashed the run ("Array buffer allocation failed", a RangeError from the key sampler)
    ['limit_exceeded', 'traffic: { rate: 100, keys: { kind: zipf, count: 3000000000 } }\ncache: { capacity: 1000 }', 'traffic.keys.count', 'must be at most 2147483647 (2^31 − 1) (got 3000000000)'],
    ['limit_exceeded', 'traffic: { rate: 100, keys: { kind: zipf, count: 1000 } }\ncache: { capacity: 1000000000 }', 'cache.capacity', 'at most 50000000 entries can be simulated (about 3 GB of memory), got 1000000000'],
    [
      'limit_exceeded',
      'traffic: { rate: 100, keys: { kind: zipf, count: 1000 } }\ncache: { capacity: 20000000 }\nshards: { count: 4, by: key-hash }',
      'cache.capacity',
      'at most 50000000 entries over all 4 shards, which keep a cache each, can be simulated (about 3 GB of memory), got 20000000 × 4',
    ],
    ['limit_exceeded', 'fleet: { replicas: 5000 }\nshards: { count: 4, by: tenant, tenants: { count: 3000000000 } }', 'shards.tenants.count', 'must be at most 2147483647 (2^31 − 1) (got 3000000000)'],
    ['limit_exceeded', 'fleet: { replicas: 5000 }\nshards: { count: 4, by: tenant, tenants: { count: 10 } }', 'shards.count', 'at most 10000 replicas over all sites can be simulated (each site\'s largest count, autoscaler bounds and warm pool included), got 20000'],
    [
      'too_small',
      'regions:\n  - { name: a, share: 0.5, rtt: { a: 1ms, b: 2ms } }\n  - { name: b, share: 0.5, rtt: { a: 2ms, b: 1ms } }\ntopology: { kind: active-active, routing: nearest }\nfailover: { healthCheckInterval: 1e-300 }',
      'failover.healthCheckInterval',
      'must be at least 1ms (got 1e-300)',
    ],
    // these validated and then threw "event scheduled at NaN s" (a lognormal or gamma service time), or put
    // Infinity in the summary (featureStore.servers, latencies, costs), or threw at the summary (the analytic
    // hit rate of a 1e308 s TTL is NaN), or sent every request to the first region (weights summing to Infinity)
    ['limit_exceeded', 'featureStore: { serviceTime: { mean: 1ms, cv: 1e308 } }', 'featureStore.serviceTime.cv', 'must be at most 100 (got 1e+308)'],
    ['limit_exceeded', 'featureStore: { serviceTime: { mean: 1ms, dist: gamma, cv: 1e308 } }', 'featureStore.serviceTime.cv', 'must be at most 100 (got 1e+308)'],
    ['limit_exceeded', 'featureStore: { serviceTime: 1ms, readReplicas: 1e308 }', 'featureStore.readReplicas', 'must be at most 10000 (got 1e+308)'],
    ['limit_exceeded', 'traffic: { rate: 100, keys: { kind: zipf, count: 100 } }\ncache: { capacity: 10, ttl: 1e308 }', 'cache.ttl', 'must be at most 365d (one year, in seconds 31536000) (got 1e+308)'],
    [
      'limit_exceeded',
      'regions:\n  - { name: a, share: 0.5, rtt: { b: 1e308 } }\n  - { name: b, share: 0.5, rtt: { a: 2ms } }',
      'regions.0.rtt.b',
      'must be at most 365d (one year, in seconds 31536000) (got 1e+308)',
    ],
    ['limit_exceeded', 'cost: { interRegionPerGB: 1e308 }\nregions: [ { name: a, share: 1 } ]', 'cost.interRegionPerGB', 'must be at most 1000000 (got 1e+308)'],
    [
      'limit_exceeded',
      'regions:\n  - { name: a, share: 0.5, rtt: { b: 1ms } }\n  - { name: b, share: 0.5, rtt: { a: 1ms } }\ntopology: { routing: weighted, weights: { a: 1e308, b: 1e308 } }',
      'topology.weights.b',
      'must be at most 1000000 (got 1e+308)',
    ],
  ];
  for (const [code, extra, path, message] of cases) {
    it(`${path} (${code}): ${extra}`, () => {
      // a later key replaces the base's (YAML would reject a duplicate): merge by writing the override last
      const text = base('').replace(new RegExp(`^${extra.split(':')[0]}:.*$`, 'm'), '') + extra + '\n';
      const issues = issuesOf(text);
      const hit = issues.find((i) => i.path === path);
      expect(hit, JSON.stringify(issues)).toBeDefined();
      expect(hit!.code).toBe(code);
      if (message !== '') expect(hit!.message).toBe(message);
    });
  }

  it('the largest values within the limits still load one by one', () => {
    const sc = load('name: l\nduration: 365d\ntraffic: { rate: 30000 }\nmodel: { latency: { 1: 5ms, 4096: 1s } }\nreport: { interval: 40s }\nfleet: { replicas: 10000, instances: 1, batching: { maxBatch: 32 }, queue: { maxDepth: 1000 } }\n');
    expect(sc.durationS).toBe(31_536_000);
    expect(load('name: l\nduration: 1h\ntraffic: { rate: 30000 }\nmodel: { latency: { 1: 5ms, 4096: 1s } }\nfleet: { replicas: 10, instances: 64, batching: { maxBatch: 4096 }, queue: { maxDepth: 1000000 } }\n').fleet.instances).toBe(64);
  });

  it('but not all together: replicas × instances × maxBatch, replicas × queue depth are one memory estimate (#14)', () => {
    const over = (fleet: string, extra = ''): Issue[] =>
      issuesOf(`name: l\nduration: 365d\ntraffic: { rate: 30000 }\nmodel: { latency: { 1: 5ms, 4096: 1s } }\nreport: { interval: 40s }\nfleet: ${fleet}\n${extra}`);
    const memory = /^the run could hold about [\d.]+ GB in memory at once \(.*requests held × 64 B.*\); at most 4.00 GB can be simulated/;
    expect(over('{ replicas: 10000, instances: 64, batching: { maxBatch: 4096 } }')[0]).toMatchObject({ code: 'limit_exceeded', path: '' });
    expect(over('{ replicas: 10000, instances: 64, batching: { maxBatch: 4096 } }')[0]!.message).toMatch(memory);
    expect(over('{ replicas: 200, queue: { maxDepth: 1000000 } }')[0]!.message).toMatch(memory);
    // the autoscaler's maximum and the warm pool count, not the initial replicas
    expect(over('{ replicas: 1, warmPool: 200, queue: { maxDepth: 1000000 } }')[0]!.message).toMatch(memory);
    expect(over('{ replicas: 1, queue: { maxDepth: 1000000 } }', 'autoscaler: { kind: kpa, target: 10, maxReplicas: 200 }\n')[0]!.message).toMatch(memory);
    // the same fleet on a short run cannot hold more requests than arrive: fine
    expect(() => load('name: l\nduration: 10s\ntraffic: { rate: 1000 }\nmodel: { latency: { 1: 5ms } }\nfleet: { replicas: 200, queue: { maxDepth: 1000000 } }\n')).not.toThrow();
    // shards: warm pools count toward the replica total, and the timeline rows are for the whole run
    expect(issuesOf('name: l\nduration: 60s\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\nfleet: { replicas: 1, warmPool: 3000 }\nshards: { count: 4 }\n')[0]!.path).toBe('shards.count');
    expect(issuesOf('name: l\nduration: 10d\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\nreport: { interval: 1s }\nshards: { count: 2 }\n')[0]!.message).toMatch(/the timelines would have 2.59e\+6 rows .* at most 1000000 in all/);
  });
});

describe('a huge value is quoted in part, not echoed whole (a 1 MB value made a 1 MB error line)', () => {
  it('fleet.gpu: a million characters', () => {
    const issues = issuesOf(`name: q\nduration: 60s\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\nfleet: { gpu: ${'x'.repeat(1_000_000)} }\n`);
    const hit = issues.find((i) => i.path === 'fleet.gpu');
    expect(hit, JSON.stringify(issues).slice(0, 500)).toBeDefined();
    expect(hit!.message).toContain(`"${'x'.repeat(60)}"… (1000000 characters)`);
    expect(hit!.message.length).toBeLessThan(400);
  });

  it('a duration: a million characters', () => {
    const issues = issuesOf(`name: q\nduration: ${'9'.repeat(1_000_000)}zz\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\n`);
    const hit = issues.find((i) => i.path === 'duration');
    expect(hit).toBeDefined();
    expect(hit!.message.length).toBeLessThan(400);
  });
});

describe('a feature store with lognormal or gamma service times of cv 0 is deterministic (it threw "serviceTime.cv must be > 0")', () => {
  it('FeatureStore draws the mean', () => {
    for (const dist of ['lognormal', 'gamma'] as const) {
      for (const cv of [0, 1e-300]) {
        const sim = new Simulation(1);
        const fs = new FeatureStore(sim, { servers: 1, readReplicas: 0, maxQueue: 10, serviceTime: { meanS: 0.002, cv, dist } }, sim.rng.stream('feature-store'));
        expect([fs.serviceTimeS(), fs.serviceTimeS()]).toEqual([0.002, 0.002]);
      }
    }
  });

  it('a run with { mean: 2ms, cv: 0 } (lognormal) equals the run with a fixed 2ms', () => {
    // the loader accepts cv 0 (cv ≥ 0), and the run threw a RangeError when it built the store
    const text = (st: string): string =>
      `name: r\nduration: 20s\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 5ms } }\nfleet: { replicas: 2 }\nfeatureStore: { serviceTime: ${st}, maxQueue: 5 }\n`;
    const fixed = simulate(load(text('2ms')));
    for (const st of ['{ mean: 2ms, cv: 0 }', '{ mean: 2ms, dist: gamma, cv: 0 }']) {
      const r = simulate(load(text(st)));
      expect(withoutEngine(r.summary)).toEqual(withoutEngine(fixed.summary));
      assertRunInvariants(r);
    }
    expect(fixed.summary.featureStore!.utilization).toBeCloseTo(0.2, 1); // 100 req/s × 2 ms on one server
  });
});

describe('arrival times never run backwards (a tiny gamma gap far into a long ramp came out an ulp earlier)', () => {
  // the fuzz case: one rate cell from 0.591 s to 171 s; the quadratic root's rounding put a slightly larger
  // operational time 2e-14 s before the previous arrival, and the run threw "source event scheduled … before the current time"
  const text =
    'name: r\nduration: 117.644\nmodel: { latency: { 1: 1ms } }\ntraffic:\n' +
    '  rate: [ { at: 0, rps: 1 }, { at: 0.001, rps: 0 }, { at: 0.591, rps: 32.49, ramp: 170.785 } ]\n' +
    '  spikes: [ { at: 12.779, factor: 0.61, for: 16.974 } ]\n  burst: { kind: gamma, cv: 3 }\n';

  it('the arrival times of 30 seeds are non-decreasing', () => {
    const traffic = load(text).traffic;
    for (let seed = 1; seed <= 30; seed++) {
      const streams = new RandomStreams(seed);
      const a = createArrivals(traffic, streams.stream('arrivals'), streams.stream('arrival-states'), null, 117.644);
      let prev = 0;
      let backwards = 0;
      for (let t = a.nextTimeS(); t < Infinity; t = a.nextTimeS()) {
        if (t < prev) backwards++;
        prev = t;
      }
      expect(backwards, `seed ${seed}`).toBe(0);
    }
  });

  it('the run completes', () => {
    const r = simulate(load(text));
    expect(r.summary.requests.arrived).toBeGreaterThan(1000);
    assertRunInvariants(r);
  });
});

describe('with regions, unique keys stay unique in every region\'s cache (a foreign key j took the id of the home key 2j + 1: phantom hits)', () => {
  it('an active-passive pair: every request is new, so nothing hits', () => {
    // all traffic goes to the primary a; b's users are foreign there, and their keys used to be relabelled key·2 + 1,
    // ids the home users' own (unique) keys reach a moment later
    const r = simulate(
      load(
        'name: r\nduration: 30s\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 5ms } }\ncache: { capacity: 1000 }\n' +
          'regions:\n  - { name: a, share: 0.5, rtt: { b: 50ms } }\n  - { name: b, share: 0.5, rtt: { a: 50ms } }\n' +
          'topology: { kind: active-passive, primary: a }\n',
      ),
    );
    const c = r.summary.cache!;
    expect(c.lookups).toBeGreaterThan(2500);
    expect(c.hits).toBe(0);
    expect(c.misses).toBe(c.lookups);
    assertRunInvariants(r);
  });
});

describe('a Zipf key space that fits in a cache without TTL broke the analytic companions', () => {
  // cheZipfHitRatio summed the popularities to 1 + 1 ulp when capacity ≥ count; companions() then asked textbookReplicas
  // for peak·(1 − hit) = −4e-16 req/s, which threw "peakRps must be a finite number >= 0", and the run failed at its summary
  it('67 keys, a 67-entry cache, no TTL: the run completes', () => {
    const r = simulate(
      load('name: r\nduration: 10s\ntraffic: { rate: 10, keys: { kind: zipf, count: 67 } }\nmodel: { latency: { 1: 1ms } }\ncache: { capacity: 67 }\n'),
    );
    expect(r.summary.analytic!.cacheHitRate).toBeLessThanOrEqual(1);
    assertRunInvariants(r);
  });
});

describe('the LLM scenario check never parses what the main loader must refuse', () => {
  it('a flow list 10 000 deep is not an LLM document (it is not parsed: a second parse of it made V8 abort)', async () => {
    const { isLlmDocument } = await import('../../src/llm/scenario.js');
    expect(isLlmDocument(`{"name": ${'['.repeat(10_000)}1${']'.repeat(10_000)}}`)).toBe(false);
    expect(isLlmDocument(`{"llm": ${'['.repeat(10_000)}1${']'.repeat(10_000)}}`)).toBe(false);
    expect(isLlmDocument('name: x\nllm: { model: llama-3.1-8b }\n')).toBe(true);
    expect(isLlmDocument('{"name": "x", "llm": {}}')).toBe(true);
    expect(isLlmDocument('name: x\nfleet: { replicas: 2 }\n')).toBe(false);
  });
});
