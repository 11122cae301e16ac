/**
 * The metrics pipeline (src/scaling/metrics-pipeline.ts) on its own: Prometheus' rate()
 * extrapolation, the presets, and a MetricsPipeline over a stand-in fleet whose counters and
 * gauges are simple functions of time, read through scrapes and their delay. Values traced by hand.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';
import { MetricsPipeline, prometheusRate } from '../../src/scaling/metrics-pipeline.js';
import { METRICS_PRESETS, resolveMetricsPipeline } from '../../src/config/autoscaling.js';
import type { MetricsPipelineSpec, MetricsPreset, Signal } from '../../src/config/scenario.js';
import type { ServingFleet } from '../../src/serving/fleet.js';

describe('prometheusRate (rate() with Prometheus extrapolation)', () => {
  const cases: { name: string; times: number[]; values: number[]; range: [number, number]; expected: number | null }[] = [
    {
      // increase 450 over 45 s; 15 s to the start < 1.1·15 and the zero point 45·150/450 = 15 s back: extrapolate 15;
      // 0 to the end → 450 · 60/45 / 60
      name: 'samples covering the range: extrapolated to both ends',
      times: [15, 30, 45, 60],
      values: [150, 300, 450, 600],
      range: [0, 60],
      expected: 10,
    },
    {
      // increase 100 over 10 s, threshold 11: start 10 s (kept), end 30 s ≥ 11 → 5 → 100 · 25/10 / 50
      name: 'a last sample far from the range end: extrapolated by half an interval',
      times: [10, 20],
      values: [100, 200],
      range: [0, 50],
      expected: 5,
    },
    {
      // end 10 s < 11: all the way → 100 · 30/10 / 30
      name: 'a last sample within 1.1 intervals of the end: extrapolated all the way',
      times: [10, 20],
      values: [100, 200],
      range: [0, 30],
      expected: 10,
    },
    {
      // the counter was 0 at the first sample: the zero point is 0 s back, no extrapolation to the start → 100 / 20
      name: 'never extrapolated past the counter’s zero',
      times: [10, 20],
      values: [0, 100],
      range: [0, 20],
      expected: 5,
    },
    {
      // 100 → 200 → 50: a reset adds the 200 before it: increase 150 over 20 s; start 10 s (zero point 13.3 s back) → 150 · 30/20 / 30
      name: 'a counter reset adds the value before the reset',
      times: [10, 20, 30],
      values: [100, 200, 50],
      range: [0, 30],
      expected: 7.5,
    },
    { name: 'a flat counter', times: [10, 20, 30], values: [5, 5, 5], range: [0, 30], expected: 0 },
    {
      // no time between the samples: no extrapolation (factor 1) → 1 / 10
      name: 'two samples at the same time',
      times: [10, 10],
      values: [1, 2],
      range: [0, 10],
      expected: 0.1,
    },
    { name: 'one sample: nothing', times: [30], values: [100], range: [0, 30], expected: null },
    { name: 'no sample: nothing', times: [], values: [], range: [0, 30], expected: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = prometheusRate(c.times, c.values, c.range[0], c.range[1]);
      if (c.expected === null) expect(r).toBeNull();
      else expect(r).toBeCloseTo(c.expected, 12);
    });
  }
});

describe('resolveMetricsPipeline', () => {
  const cases: { name: string; preset: MetricsPreset; over: Partial<Omit<MetricsPipelineSpec, 'preset'>>; expected: MetricsPipelineSpec }[] = [
    {
      name: 'default',
      preset: 'default',
      over: {},
      expected: { preset: 'default', scrapeIntervalS: 15, windowS: 30, gaugeWindowS: 30, delayS: 0, rate: 'prometheus' },
    },
    {
      name: 'metrics-server',
      preset: 'metrics-server',
      over: {},
      expected: { preset: 'metrics-server', scrapeIntervalS: 15, windowS: 15, gaugeWindowS: 1, delayS: 0, rate: 'two-point' },
    },
    {
      name: 'prometheus-adapter',
      preset: 'prometheus-adapter',
      over: {},
      expected: { preset: 'prometheus-adapter', scrapeIntervalS: 30, windowS: 300, gaugeWindowS: 1, delayS: 0, rate: 'prometheus' },
    },
    {
      name: 'fields set win over the preset, the rest come from it',
      preset: 'prometheus-adapter',
      over: { scrapeIntervalS: 15, delayS: 5 },
      expected: { preset: 'prometheus-adapter', scrapeIntervalS: 15, windowS: 300, gaugeWindowS: 1, delayS: 5, rate: 'prometheus' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(resolveMetricsPipeline(c.preset, c.over)).toEqual(c.expected);
    });
  }
  it('every preset documents its source', () => {
    for (const p of Object.keys(METRICS_PRESETS) as MetricsPreset[]) expect(METRICS_PRESETS[p].source.length).toBeGreaterThan(20);
  });
});

/**
 * One pod ready from t = 0; at time t it has served 10·t requests (so has the fleet), holds
 * outstanding ⌊t⌋ of which 1 queued, and is busy half the time. Samples run at 1, 2, …; the scrape
 * at T fires before the sample at T (it was scheduled first), so it averages the samples up to T − 1.
 */
function pipelineOver(spec: MetricsPipelineSpec, latenciesBeforeFirstScrapeS: number[] = []): { sim: Simulation; p: MetricsPipeline } {
  const sim = new Simulation(1);
  const fleet = {
    arrivalsCum: {
      get 0(): number {
        return 10 * sim.now;
      },
    },
    outstanding: {
      get 0(): number {
        return Math.floor(sim.now);
      },
    },
    queuedAt: (): number => 1,
    busySeconds: (): number => 0.5 * sim.now,
    queueDepth: (): number => 1,
  } as unknown as ServingFleet;
  const p = new MetricsPipeline(
    sim,
    fleet,
    spec,
    { requestCores: 1, baseCores: 0.2, perRequestCoreS: 0.01 },
    () => [{ replica: 0, readySinceS: 0, ready: true }],
    () => 10 * sim.now,
  );
  for (const l of latenciesBeforeFirstScrapeS) p.recordLatency(l);
  return { sim, p };
}

type Seen = Partial<Record<Signal, number | undefined>>;

describe('MetricsPipeline: scrapes, rates, gauge windows and the delay', () => {
  const cases: {
    name: string;
    spec: MetricsPipelineSpec;
    runToS: number;
    latencies?: number[];
    /** What the autoscaler sees at each time: the pod's values, the fleet's, and the pod's window start. */
    reads: { atS: number; pod: Seen; fleet: Seen; windowStartS: number | null }[];
  }[] = [
    {
      // scrapes at 15 and 30, seen 5 s later. At 15: one counter sample (no rate: rps and cpu missing); gauges over the
      // samples at 12, 13, 14 (gaugeWindow 3): concurrency 13; p99 of 100 × 20 ms; the fleet's counter, scraped since 0
      // (0 @0, 150 @15), has its zero at its first sample: 150 / 30 = 5. At 30: (15, 150), (30, 300) → 10 req/s (pod and
      // fleet), cpu 0.2 + 10·0.01; concurrency over 27, 28, 29 = 28; no latency recorded since: p99 missing.
      name: 'prometheus rate over 30 s, gauges over 3 s, seen 5 s after each scrape',
      spec: { preset: 'default', scrapeIntervalS: 15, windowS: 30, gaugeWindowS: 3, delayS: 5, rate: 'prometheus' },
      runToS: 40,
      latencies: new Array<number>(100).fill(0.02),
      reads: [
        { atS: 19, pod: { rps: undefined, concurrency: undefined }, fleet: { rps: undefined }, windowStartS: null },
        {
          atS: 20,
          pod: { rps: undefined, cpu: undefined, concurrency: 13, queueDepth: 1, gpuUtilization: 0.5, latencyP99Ms: 20 },
          fleet: { rps: 5, cpu: undefined, concurrency: 13, queueDepth: 1, gpuUtilization: 0.5, latencyP99Ms: 20 },
          windowStartS: -15,
        },
        { atS: 34.5, pod: { rps: undefined, concurrency: 13 }, fleet: { rps: 5 }, windowStartS: -15 },
        {
          atS: 35,
          pod: { rps: 10, cpu: 0.3, concurrency: 28, queueDepth: 1, gpuUtilization: 0.5, latencyP99Ms: undefined },
          fleet: { rps: 10, concurrency: 28, cpu: 0.3, latencyP99Ms: undefined },
          windowStartS: 0,
        },
      ],
    },
    {
      // metrics-server: the pod's first point at 15 is 15 s old, not younger than the resolution → no rate;
      // at 30 the two points (150 @15, 300 @30) give 10 req/s over the window from 15; the gauge is the latest sample (29)
      name: 'two-point rate between the last two scrapes, the latest gauge, no delay',
      spec: { preset: 'metrics-server', scrapeIntervalS: 15, windowS: 15, gaugeWindowS: 1, delayS: 0, rate: 'two-point' },
      runToS: 30,
      reads: [
        { atS: 30, pod: { rps: 10, cpu: 0.3, concurrency: 29 }, fleet: { rps: 10, concurrency: 29 }, windowStartS: 15 },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { sim, p } = pipelineOver(c.spec, c.latencies);
      sim.run(c.runToS);
      for (const r of c.reads) {
        const pod: Seen = {};
        for (const s of Object.keys(r.pod) as Signal[]) pod[s] = p.podValue(0, s, r.atS);
        const fleet: Seen = {};
        for (const s of Object.keys(r.fleet) as Signal[]) fleet[s] = p.fleetValue(s, r.atS);
        const got = { atS: r.atS, pod, fleet, windowStartS: p.podSampleStartS(0, r.atS) };
        const round = (o: Seen): Seen => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === undefined ? v : Math.round(v * 1e9) / 1e9]));
        expect({ ...got, pod: round(got.pod), fleet: round(got.fleet) }).toEqual(r);
      }
    });
  }
});
