/** The run path: every run is N ≥ 1 sites; its result carries each site's plan and timeline, and the run's rows are its sites' summed. */
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/run.js';
import { loadScenario } from '../src/scenario/load.js';
import type { Timeline, TimelineColumn } from '../src/metrics/timeline.js';

const base = `
seed: 3
duration: 60s
traffic: { rate: 100 }
model: { latency: { 1: 5ms, 32: 10ms }, responseBytes: 1MB }
fleet: { replicas: 1, batching: { maxBatch: 32 } }
cost: { gpuHourly: 3.6 }
report: { interval: 10s }
`;

const col = (t: Timeline, c: TimelineColumn): number[] => t.column(c);

describe('run: N ≥ 1 sites', () => {
  it('a plain run is one site: no plan (the scenario’s own fleet), the run’s own timeline, no per-site timelines', () => {
    const r = simulate(loadScenario(`name: plain\n${base}`, { file: 'p.yaml', baseDir: '.' }));
    expect(r.sites).toHaveLength(1);
    expect(r.sites[0]!.name).toBe('plain');
    expect(r.sites[0]!.plan).toBeNull();
    expect(r.sites[0]!.timeline).toBe(r.timeline);
    expect(r.siteTimelines).toEqual([]);
    expect(r.timeline.rows).toHaveLength(6);
  });

  it('regions: each site carries its own plan; sums over the sites give the run’s rows, the cost column included', () => {
    const r = simulate(
      loadScenario(
        `name: two\n${base}
regions:
  - name: a
    share: 0.5
    rtt: { b: 40ms }
  - name: b
    share: 0.5
    rtt: { a: 40ms }
    fleet: { replicas: 3 }
`,
        { file: 'r.yaml', baseDir: '.' },
      ),
    );
    expect(r.sites.map((s) => s.name)).toEqual(['a', 'b']);
    expect(r.sites.map((s) => s.plan?.fleet.replicas)).toEqual([1, 3]);
    expect(r.siteTimelines.map((s) => s.timeline)).toEqual(r.sites.map((s) => s.timeline));
    const [a, b] = r.sites.map((s) => s.timeline) as [Timeline, Timeline];
    for (const c of ['arrivals', 'completed', 'rejected', 'timedOut', 'replicasReady', 'queueDepth'] as const) {
      expect(col(r.timeline, c)).toEqual(col(a, c).map((v, i) => v + col(b, c)[i]!));
    }
    // the cost column: each site's priced on its own, the run's their sum (in site order, from 0)
    expect(col(r.timeline, 'costUsd')).toEqual(col(a, 'costUsd').map((v, i) => 0 + v + col(b, 'costUsd')[i]!));
    expect(col(b, 'replicasReady')[5]).toBe(3);
    // the cost column ends where the summary's bill (counted from t = 0, warmup 0) does
    expect(col(r.timeline, 'costUsd')[5]).toBeCloseTo(r.summary.cost.totalUsd, 6);
  });
});
