/** Grid syntax (grid.ts) and sweep aggregation, CSV and merging (sweep.ts). */
import { describe, expect, it } from 'vitest';
import {
  buildGrid,
  GridError,
  gridPoint,
  inShard,
  parseIntRange,
  parseShard,
  parseVary,
  type Axis,
} from '../../src/analysis/grid.js';
import {
  aggregatePoint,
  cheapestPoint,
  mergeSweeps,
  runSets,
  seedStats,
  sweepDocument,
  SweepMergeError,
  tQuantile975,
  type PointResult,
} from '../../src/analysis/sweep.js';
import type { Summary } from '../../src/metrics/summary.js';
import { usd } from '../../src/report/format.js';
import { formatSweepTable, sweepCsv } from '../../src/report/sweep.js';
import { simulate } from '../../src/run.js';
import { makeScenario } from '../helpers/scenario.js';

const values = (spec: string): unknown[] => parseVary(spec).values;
const failure = (spec: string): string => {
  try {
    parseVary(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(GridError);
    return (err as Error).message;
  }
  throw new Error(`parseVary(${spec}) did not fail`);
};

describe('--vary syntax', () => {
  it('lists of numbers, strings and other YAML scalars', () => {
    expect(parseVary('fleet.replicas=8,16,32')).toEqual({ path: 'fleet.replicas', values: [8, 16, 32], texts: ['8', '16', '32'] });
    expect(values('fleet.gpu=l4, a100-80gb')).toEqual(['l4', 'a100-80gb']);
    expect(values('fleet.batching.maxQueueDelay=1ms,2.5ms')).toEqual(['1ms', '2.5ms']);
    expect(parseVary('x=true,null,"a,b",[1, 2],{k: v}')).toEqual({
      path: 'x',
      values: [true, null, 'a,b', [1, 2], { k: 'v' }],
      texts: ['true', 'null', '"a,b"', '[1, 2]', '{k: v}'],
    });
    // a relative path is a string, not a broken range
    expect(values('traffic.trace.file=../a.csv,b.csv')).toEqual(['../a.csv', 'b.csv']);
  });

  it('inclusive ranges a..b:step, descending, fractional without drift, mixed with list items', () => {
    expect(values('r=1..4')).toEqual([1, 2, 3, 4]);
    expect(values('r=1..10:3')).toEqual([1, 4, 7, 10]);
    expect(values('r=1..9:3')).toEqual([1, 4, 7]);
    expect(values('r=5..1')).toEqual([5, 4, 3, 2, 1]);
    expect(values('r=10..0:-5')).toEqual([10, 5, 0]);
    expect(values('r=0..1:0.1')).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(values('r=0.05..0.2:0.05')).toEqual([0.05, 0.1, 0.15, 0.2]);
    expect(values('r=1..3,8,16..32:16')).toEqual([1, 2, 3, 8, 16, 32]);
    expect(parseVary('r=0..0.3:0.1').texts).toEqual(['0', '0.1', '0.2', '0.3']);
  });

  it('malformed specs fail with the flag and the spec named', () => {
    expect(failure('fleet.replicas')).toBe('error: --vary fleet.replicas: expected path=values, e.g. fleet.replicas=4..16:4 or fleet.gpu=l4,a100-80gb');
    expect(failure('=1,2')).toBe('error: --vary =1,2: bad field path ""');
    expect(failure('fleet..replicas=1')).toBe('error: --vary fleet..replicas=1: bad field path "fleet..replicas"');
    expect(failure('fleet.replicas=')).toBe('error: --vary fleet.replicas=: no values given');
    expect(failure('fleet.replicas=1,,2')).toBe('error: --vary fleet.replicas=1,,2: empty value (two commas in a row, or a trailing comma)');
    expect(failure('fleet.replicas=1..x')).toBe(
      'error: --vary fleet.replicas=1..x: malformed range "1..x" (expected a..b or a..b:step with numbers, e.g. 1..10:2)',
    );
    expect(failure('r=1..10:0')).toBe('error: --vary r=1..10:0: range "1..10:0": step must not be 0');
    expect(failure('r=1..10:-1')).toBe('error: --vary r=1..10:-1: range "1..10:-1" is empty: step -1 goes away from 10');
    expect(failure('r=8,16,8')).toBe('error: --vary r=8,16,8: lists the value 8 twice');
    expect(failure('r=1,1.0')).toBe('error: --vary r=1,1.0: lists the value 1.0 twice (as 1 and 1.0)');
    expect(failure('r=1..1e9')).toBe('error: --vary r=1..1e9: range "1..1e9" has 1000000000 values (at most 100000)');
    expect(failure('r="a,b')).toBe('error: --vary r="a,b: unterminated " quote');
    expect(failure('r=[1,2')).toBe('error: --vary r=[1,2: unbalanced brackets');
  });

  it('the grid is the cartesian product, the first --vary varying slowest', () => {
    const axes: Axis[] = [parseVary('a=1,2'), parseVary('b=x,y,z')];
    const grid = buildGrid(axes);
    expect(grid.map((p) => p.sets.join(' '))).toEqual(['a=1 b=x', 'a=1 b=y', 'a=1 b=z', 'a=2 b=x', 'a=2 b=y', 'a=2 b=z']);
    expect(grid[4]).toEqual({ index: 4, values: { a: 2, b: 'y' }, sets: ['a=2', 'b=y'] });
    expect(gridPoint(axes, 5)).toEqual(grid[5]);
    expect(() => buildGrid([parseVary('a=1'), parseVary('a=2')])).toThrow(
      'error: --vary a: the same field is varied twice (put all its values in one --vary)',
    );
    expect(() => buildGrid([parseVary('a=1..1000'), parseVary('b=1..1000')])).toThrow('the grid has 1000000 points (at most 100000)');
    expect(buildGrid([])).toEqual([{ index: 0, values: {}, sets: [] }]);
  });

  it('shards and integer ranges', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3')).toThrow('error: --shard 3/3: need 0 ≤ i < n (i is 0-based), e.g. 0/3');
    expect(() => parseShard('1-3')).toThrow('error: --shard 1-3: expected i/n with 0 ≤ i < n, e.g. 0/4');
    expect([0, 1, 2, 3, 4, 5, 6].filter((i) => inShard(i, { index: 1, count: 3 }))).toEqual([1, 4]);
    expect(inShard(5, null)).toBe(true);
    expect(parseIntRange('1..500')).toEqual({ lo: 1, hi: 500 });
    expect(() => parseIntRange('5..1')).toThrow('error: --range 5..1: the range is empty (5 > 1)');
    expect(() => parseIntRange('1..2.5')).toThrow('error: --range 1..2.5: expected an integer range a..b, e.g. 1..500');
  });
});

/** A real (tiny) run's summary, so the filler keeps up with the Summary type. */
const base = simulate(makeScenario({ durationS: 1 })).summary;

/** A summary with the figures a sweep aggregates set; the rest is a real run's. */
function fake(seed: number, p99: number, met: boolean, monthlyUsd = 100, utilization = 0.5): Summary {
  return {
    ...base,
    seed,
    latencyMs: { ...base.latencyMs, p99 },
    slo: { ...base.slo, met, failedBy: met ? null : 'latency', attainment: met ? 1 : 0.9 },
    gpu: { ...base.gpu, utilization },
    cost: { ...base.cost, totalUsd: monthlyUsd / 1000, monthlyUsd },
    engine: { events: seed, wallSeconds: seed / 7 },
  };
}

describe('aggregation over seeds', () => {
  it('Student t quantiles: the table, and the expansion beyond 30 degrees of freedom', () => {
    expect(tQuantile975(1)).toBe(12.7062);
    expect(tQuantile975(2)).toBe(4.3027);
    expect(tQuantile975(30)).toBe(2.0423);
    expect(tQuantile975(31)).toBeCloseTo(2.0395, 4);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 4);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 4);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 4);
  });

  it('mean ± t·sd/√n; no interval from one seed', () => {
    // mean 2, sd 1, n 3: half-width 4.3027 / √3
    const s = seedStats([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.lo).toBeCloseTo(2 - 4.3027 / Math.sqrt(3), 10);
    expect(s.hi).toBeCloseTo(2 + 4.3027 / Math.sqrt(3), 10);
    expect(seedStats([7, 7])).toEqual({ mean: 7, lo: 7, hi: 7 });
    expect(seedStats([5])).toEqual({ mean: 5, lo: null, hi: null });
  });

  it('a point row: means, intervals, sloMet only when every seed met', () => {
    const point = { index: 3, values: { 'fleet.replicas': 4 }, sets: ['fleet.replicas=4'] };
    const r = aggregatePoint(point, [fake(1, 8, true, 100, 0.4), fake(2, 12, false, 100, 0.6)]);
    expect(r).toMatchObject({ index: 3, seeds: 2, seedList: [1, 2], sloMet: false, seedsMet: 1, p99Ms: 10, attainment: 0.95, utilization: 0.5, monthlyUsd: 100, costUsd: 0.1 });
    // two seeds: t(1) = 12.7062, sd = √2·2, half-width = 12.7062 · 2√2 / √2
    expect(r.p99MsLo).toBeCloseTo(10 - 12.7062 * 2, 9);
    expect(r.p99MsHi).toBeCloseTo(10 + 12.7062 * 2, 9);
    expect(r.runs).toHaveLength(2);
    expect(aggregatePoint(point, [fake(1, 8, true), fake(2, 9, true)]).sloMet).toBe(true);
  });

  it('runSets puts the extra sets, the point, then the seed', () => {
    expect(runSets(['duration=5s'], { index: 0, values: {}, sets: ['a=1', 'b=x'] }, 9)).toEqual(['duration=5s', 'a=1', 'b=x', 'seed=9']);
  });
});

const axes: Axis[] = [parseVary('fleet.replicas=2,4,6'), parseVary('fleet.gpu=l4,a100-80gb')];
function pointsOf(): PointResult[] {
  // point i: replicas and cost grow with i; only replicas ≥ 4 meet the SLO
  return buildGrid(axes).map((p) => {
    const meets = (p.values['fleet.replicas'] as number) >= 4;
    const cost = p.values['fleet.gpu'] === 'l4' ? 100 * p.index + 50 : 100 * p.index;
    return aggregatePoint(p, [fake(1, meets ? 9 : 20, meets, cost), fake(2, meets ? 9.5 : 25, meets, cost)]);
  });
}
const doc = (points = pointsOf(), shard: { index: number; count: number } | null = null) =>
  sweepDocument({ scenario: 's', stem: 'w1', axes, sets: ['duration=5s'], seeds: 2, shard, partial: false, points });

describe('the sweep document, CSV and table', () => {
  it('cheapest point meeting the SLO: lowest monthly cost, ties by grid order', () => {
    const d = doc();
    // points 2..5 meet; costs 250, 300, 450, 500 → point 2 (replicas 4, l4)
    expect(d.cheapest).toBe(2);
    expect(d.pointCount).toBe(6);
    expect(d.pointIndices).toEqual([0, 1, 2, 3, 4, 5]);
    const tie = pointsOf().map((p) => ({ ...p, monthlyUsd: 0 }));
    expect(cheapestPoint(tie)).toBe(2);
    expect(cheapestPoint(tie.filter((p) => !p.sloMet))).toBeNull();
  });

  it('★ tie rule: monthly costs within 1 % of the cheapest count as tied, the lowest p99 among them wins', () => {
    const point = (index: number, p99: number, monthlyUsd: number, met = true): PointResult =>
      aggregatePoint({ index, values: { 'fleet.replicas': index + 1 }, sets: [`fleet.replicas=${index + 1}`] }, [fake(1, p99, met, monthlyUsd)]);
    // the case of issue #18: a point a cent cheaper at p99 69.5 ms against one at 12 ms
    expect(cheapestPoint([point(0, 69.5, 1000), point(1, 12, 1000.01)])).toBe(1);
    // 1 % of $1000 is $10: $1010 ties with $1000, $1010.02 does not
    expect(cheapestPoint([point(0, 69.5, 1000), point(1, 12, 1010)])).toBe(1);
    expect(cheapestPoint([point(0, 69.5, 1000), point(1, 12, 1010.02)])).toBe(0);
    // among the tied: lowest p99, then the lower cost, then grid order
    expect(cheapestPoint([point(0, 20, 1005), point(1, 20, 1000), point(2, 30, 1000)])).toBe(1);
    expect(cheapestPoint([point(0, 20, 1000), point(1, 20, 1000)])).toBe(0);
    // a faster point that misses the SLO is never chosen, nor does it set the cheapest cost
    expect(cheapestPoint([point(0, 5, 990, false), point(1, 40, 1000), point(2, 12, 1009)])).toBe(2);
    const d = sweepDocument({ scenario: 's', stem: 'w', axes: [parseVary('fleet.replicas=1,2')], sets: [], seeds: 1, shard: null, partial: false, points: [point(0, 69.5, 1000), point(1, 12, 1000.01)] });
    const text = formatSweepTable(d, { width: Infinity, color: false });
    expect(text).toContain(`★ lowest p99 among the points meeting the SLO within 1 % of the cheapest's ${usd(1000)}/month: fleet.replicas=2 — p99 12 ms, ${usd(1000.01)}/month`);
    expect(text).toContain('rule: among the points meeting the SLO at every seed, monthly costs within 1 % of the cheapest count as tied; the lowest p99 among them wins');
  });

  it('the SLO column says which part failed', () => {
    const point = { index: 0, values: { 'fleet.replicas': 1 }, sets: ['fleet.replicas=1'] };
    const errors = (seed: number): Summary => ({ ...fake(seed, 9, false), slo: { ...fake(seed, 9, false).slo, failedBy: 'errors' } });
    expect(aggregatePoint(point, [errors(1), errors(2)]).sloFailedBy).toBe('errors');
    expect(aggregatePoint(point, [errors(1), fake(2, 90, false)]).sloFailedBy).toBe('both');
    expect(aggregatePoint(point, [errors(1), fake(2, 9, true)]).sloFailedBy).toBe('errors');
    expect(aggregatePoint(point, [fake(1, 9, true)]).sloFailedBy).toBeNull();
    const text = formatSweepTable(doc());
    expect(text.split('\n').find((l) => /^ +2 +l4 /.test(l))).toMatch(/ missed \(latency\)$/);
  });

  it('sweep.csv: one column per varied path, the figures with intervals, sloMet true/false, seeds', () => {
    const lines = sweepCsv(doc()).trim().split('\n');
    expect(lines[0]).toBe(
      'fleet.replicas,fleet.gpu,p99Ms,p99MsLo,p99MsHi,attainment,attainmentLo,attainmentHi,sloMet,utilization,utilizationLo,utilizationHi,' +
        'costUsd,costUsdLo,costUsdHi,monthlyUsd,monthlyUsdLo,monthlyUsdHi,seeds,seedsMet,sloFailedBy',
    );
    expect(lines).toHaveLength(7);
    // p99 mean 22.5, sd √12.5, half-width 12.7062·√12.5/√2 = 31.7655
    expect(lines[1]).toBe('2,l4,22.5,-9.2655,54.2655,0.9,0.9,0.9,false,0.5,0.5,0.5,0.05,0.05,0.05,50,50,50,2,0,latency');
    expect(lines[4]).toBe('4,a100-80gb,9.25,6.07345,12.42655,1,1,1,true,0.5,0.5,0.5,0.3,0.3,0.3,300,300,300,2,2,');
  });

  it('the table stars the cheapest point and says which it is', () => {
    const text = formatSweepTable(doc());
    const starred = text.split('\n').filter((l) => l.includes('★'));
    expect(starred).toHaveLength(2);
    expect(starred[0]).toMatch(/^ {2}★ +4 +l4 +9\.25 /);
    expect(starred[1]).toBe(`★ cheapest point meeting the SLO: fleet.replicas=4 fleet.gpu=l4 — p99 9.25 ms, ${usd(250)}/month`);
    const none = formatSweepTable(doc(pointsOf().slice(0, 2)));
    expect(none).toContain('no point meets the SLO at every seed');
    expect(none).not.toContain('★');
  });

  it("a shard's table stars nothing: its local cheapest is not the sweep's answer", () => {
    const shard = doc(pointsOf().filter((p) => inShard(p.index, { index: 0, count: 2 })), { index: 0, count: 2 });
    expect(shard.cheapest).toBe(2); // kept in the shard's sweep.json; merge recomputes it over the whole grid
    const text = formatSweepTable(shard);
    expect(text).not.toContain('★');
    expect(text).toContain("2 point(s) of this shard meet the SLO at every seed; no star: the choice is made over the whole grid");
  });
});

describe('merging shards', () => {
  const all = pointsOf();
  const part = (i: number): { label: string; doc: ReturnType<typeof doc> } => ({
    label: `shard${i}`,
    doc: doc(all.filter((p) => inShard(p.index, { index: i, count: 2 })), { index: i, count: 2 }),
  });

  it('shards 0/2 and 1/2 merge into the unsharded document and CSV', () => {
    expect(part(0).doc.pointIndices).toEqual([0, 2, 4]);
    expect(part(0).doc.cheapest).toBe(2);
    const merged = mergeSweeps([part(1), part(0)]);
    expect(merged).toEqual(doc());
    expect(sweepCsv(merged)).toBe(sweepCsv(doc()));
  });

  it('a point present twice must agree (engine figures aside)', () => {
    const again = doc(all.map((p) => ({ ...p, runs: p.runs.map((r) => ({ ...r, engine: { events: 0, wallSeconds: 0 } })) })));
    const noEngine = (d: ReturnType<typeof doc>): unknown => JSON.parse(JSON.stringify(d, (k, v: unknown) => (k === 'engine' ? null : v)));
    const merged = mergeSweeps([part(0), { label: 'full', doc: again }]);
    expect(noEngine(merged)).toEqual(noEngine(doc()));
    expect(merged.points[0]!.runs[1]!.engine.events).toBe(2); // the first part given wins
    const changed = doc(all.map((p) => (p.index === 2 ? { ...p, p99Ms: 1 } : p)));
    expect(() => mergeSweeps([part(0), { label: 'other', doc: changed }])).toThrow(
      'error: other: point 2 (fleet.replicas=4 fleet.gpu=l4) differs from the same point in shard0',
    );
  });

  it('missing points and different grids are errors', () => {
    const err = (() => {
      try {
        mergeSweeps([part(0)]);
      } catch (e) {
        return e as SweepMergeError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(SweepMergeError);
    expect(err!.lines).toEqual([
      'error: merge: 3 of 6 point(s) missing: 1 (fleet.replicas=2 fleet.gpu=a100-80gb), 3 (fleet.replicas=4 fleet.gpu=a100-80gb), ' +
        '5 (fleet.replicas=6 fleet.gpu=a100-80gb) (a shard not given, or an interrupted one)',
    ]);
    const other = { label: 'x', doc: { ...part(1).doc, seeds: 3 } };
    expect(() => mergeSweeps([part(0), other])).toThrow('error: x: a different sweep than shard0 (scenario, --vary axes, --set or --seeds differ)');
  });
});
