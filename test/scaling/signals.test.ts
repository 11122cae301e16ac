/**
 * Autoscaler signals as a cluster reports them: Prometheus' rate() (its extrapolation for
 * young series), the pipeline presets, signal mappings with units, fleet-level Object and
 * External metrics (scale from zero), and what `validate` warns about.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { HpaController } from '../../src/scaling/hpa.js';
import { Simulation } from '../../src/engine/simulation.js';
import { MetricsPipeline, prometheusRate } from '../../src/scaling/metrics-pipeline.js';
import { METRICS_PRESETS, resolveMetricsPipeline } from '../../src/config/autoscaling.js';
import type { ServingFleet } from '../../src/serving/fleet.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { pathText } from '../../src/scenario/issues.js';
import type { Scenario } from '../../src/config/scenario.js';

function load(text: string): Scenario {
  return loadScenario(text, { file: 's.yaml', baseDir: '/scenarios' });
}

/** What loading `text` throws, one `[code] path: message` line per issue. */
function issues(text: string): string[] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `[${i.code}] ${pathText(i.path)}: ${i.message}`);
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

/** A scenario around an inline HPA spec (YAML flow text) and its autoscaler fields. */
function hpaYaml(spec: string, extra = '', fleet = ''): string {
  return `
name: s
duration: 10m
traffic: { rate: 100 }
model: { latency: { 1: 5ms } }
fleet: { replicas: 2, coldStart: { modelLoad: 30s }${fleet} }
autoscaler:
  kind: hpa
  spec: ${spec}
${extra}`;
}

const DCGM_70 = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: Pods, pods: { metric: { name: DCGM_FI_DEV_GPU_UTIL }, target: { type: AverageValue, averageValue: "70" } } } ] }`;

describe('prometheusRate: rate() as Prometheus extrapolates it', () => {
  it('a series covering the window: the increase extrapolated to both ends (within 1.1 intervals)', () => {
    // rate(x[60s]) at 60: samples at 15, 30, 45, 60 of a counter growing 10/s, left boundary 0
    // increase 450 over 45 s; 15 s to the start < 1.1·15 → extrapolate fully: 450·60/45 / 60 = 10
    expect(prometheusRate([15, 30, 45, 60], [1150, 1300, 1450, 1600], 0, 60)).toBeCloseTo(10, 12);
  });

  it('a pod younger than the window: half an interval towards the start, never past the counter’s zero', () => {
    // rate(x[5m]) at 300 of a pod ready at 255 serving 10 req/s, scraped every 15 s from 270:
    // samples 150 @270, 300 @285, 450 @300; increase 300 over 30 s; 270 s to the start ≥ 16.5 →
    // extrapolate by 7.5 s (half the 15 s interval); the zero point is 30·150/300 = 15 s back, further,
    // so 7.5 stands: 300 · (30 + 7.5)/30 / 300 = 1.25 req/s — not the pod’s 10 req/s
    expect(prometheusRate([270, 285, 300], [150, 300, 450], 0, 300)).toBeCloseTo(1.25, 12);
    // the zero point limits it: samples 10 @270 (counter started 1 s earlier), 160 @285, 310 @300:
    // toZero = 30 · 10/300 = 1 s < 7.5 → (300 · 31/30) / 300 = 1.0333…
    expect(prometheusRate([270, 285, 300], [10, 160, 310], 0, 300)).toBeCloseTo(31 / 30, 12);
  });

  it('a counter reset adds the value before it; fewer than two samples give nothing', () => {
    // 100 → 200, reset, 50: increase 100 + 200 + 50 = 350 − … (Prometheus adds the pre-reset value)
    expect(prometheusRate([10, 20, 30], [100, 200, 50], 0, 30)).toBeCloseTo(((50 - 100 + 200) * (20 + 10) / 20) / 30, 12);
    expect(prometheusRate([30], [100], 0, 30)).toBeNull();
    expect(prometheusRate([], [], 0, 30)).toBeNull();
  });
});

/** A pipeline over one pod that is ready from `readyAtS` and then gets 10 req/s (a stand-in fleet: only what the pipeline reads). */
function onePodPipeline(preset: 'prometheus-adapter' | 'metrics-server', readyAtS: number, over: { scrapeIntervalS?: number } = {}) {
  const sim = new Simulation(1);
  const served = (): number => Math.max(0, 10 * (sim.now - readyAtS));
  const fleet = {
    arrivalsCum: { get 0() { return served(); } },
    outstanding: [2],
    queuedAt: () => 1,
    busySeconds: () => 0.5 * Math.max(0, sim.now - readyAtS),
    queueDepth: () => 1,
  } as unknown as ServingFleet;
  const spec = resolveMetricsPipeline(preset, over);
  const cpu = { requestCores: 2, baseCores: 0.2, perRequestCoreS: 0.01 };
  const pods = () => (sim.now >= readyAtS ? [{ replica: 0, readySinceS: readyAtS, ready: true }] : []);
  const pipeline = new MetricsPipeline(sim, fleet, spec, cpu, pods, served);
  return { sim, pipeline };
}

describe('metrics pipeline: what a young pod reports', () => {
  it('through prometheus-adapter (rate over 5 min), a pod ready 44 s reports rate() of its three scrapes, not its 10 req/s', () => {
    const { sim, pipeline } = onePodPipeline('prometheus-adapter', 256, { scrapeIntervalS: 15 });
    sim.run(300);
    // scrapes at 270, 285, 300 read 140, 290, 440: increase 300 over 30 s, 256 s after the range start
    // → 7.5 s back (the zero point is 30·140/300 = 14 s back): 300 · 37.5/30 / 300 = 1.25 req/s
    expect(pipeline.podValue(0, 'rps', 300)).toBeCloseTo(1.25, 12);
    expect(pipeline.podValue(0, 'cpu', 300)).toBeCloseTo(0.2 + 1.25 * 0.01, 12);
    // gauges: the latest value (gaugeWindow 1 s)
    expect(pipeline.podValue(0, 'concurrency', 300)).toBe(2);
    expect(pipeline.podValue(0, 'gpuUtilization', 300)).toBeCloseTo(0.5, 12);
    // the fleet's counter has been scraped since 0 (at 0 until 256): increase 440 over 285 s, its first
    // sample 15 s after the range start but at 0, so no extrapolation back: 440 / 300
    expect(pipeline.fleetValue('rps', 300)).toBeCloseTo(440 / 300, 12);
    // one scrape after readiness: no rate yet (Prometheus needs two samples), so rps is missing
    const late = onePodPipeline('prometheus-adapter', 260, { scrapeIntervalS: 15 });
    late.sim.run(270);
    expect(late.pipeline.podValue(0, 'rps', 270)).toBeUndefined();
    expect(late.pipeline.podValue(0, 'concurrency', 270)).toBe(2);
  });

  it('through metrics-server, a fresh pod (10 s ≤ age < 15 s) is rated from its start, a younger one waits for a second point', () => {
    const fresh = onePodPipeline('metrics-server', 258);
    fresh.sim.run(270);
    expect(fresh.pipeline.podValue(0, 'rps', 270)).toBeCloseTo(10, 12); // 120 requests / 12 s
    const young = onePodPipeline('metrics-server', 250);
    young.sim.run(255);
    expect(young.pipeline.podValue(0, 'rps', 255)).toBeUndefined(); // age 5 s < 10 s: one point, no rate
    young.sim.run(270);
    expect(young.pipeline.podValue(0, 'rps', 270)).toBeCloseTo(10, 12); // (200 − 50) / 15
  });
});

describe('metrics pipeline presets', () => {
  it('resolve to their documented defaults, and a scenario field wins over the preset', () => {
    expect(METRICS_PRESETS.default.spec).toEqual({ scrapeIntervalS: 15, windowS: 30, gaugeWindowS: 30, delayS: 0, rate: 'prometheus' });
    expect(METRICS_PRESETS['metrics-server'].spec).toEqual({ scrapeIntervalS: 15, windowS: 15, gaugeWindowS: 1, delayS: 0, rate: 'two-point' });
    expect(METRICS_PRESETS['prometheus-adapter'].spec).toEqual({ scrapeIntervalS: 30, windowS: 300, gaugeWindowS: 1, delayS: 0, rate: 'prometheus' });
    const qps = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: Pods, pods: { metric: { name: qps }, target: { type: AverageValue, averageValue: "50" } } } ] }`;
    const s = load(hpaYaml(qps, '  signals: { qps: rps }\n  metrics: { preset: prometheus-adapter, scrapeInterval: 15s }\n  resourceMetrics: { preset: metrics-server }\n'));
    if (s.autoscaler.kind !== 'hpa') throw new Error('hpa expected');
    expect(s.autoscaler.metrics).toEqual({ preset: 'prometheus-adapter', scrapeIntervalS: 15, windowS: 300, gaugeWindowS: 1, delayS: 0, rate: 'prometheus' });
    expect(s.autoscaler.resourceMetrics).toEqual(resolveMetricsPipeline('metrics-server', {}));
    // without a preset: the default, for both
    const d = load(hpaYaml(qps, '  signals: { qps: rps }\n'));
    if (d.autoscaler.kind !== 'hpa') throw new Error('hpa expected');
    expect(d.autoscaler.metrics).toEqual({ preset: 'default', ...METRICS_PRESETS.default.spec });
    expect(d.autoscaler.resourceMetrics).toBe(d.autoscaler.metrics);
  });

  it('rejects an unknown preset and warns when the window cannot hold two scrapes', () => {
    expect(issues(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: gpuUtilization }\n  metrics: { preset: prometheus }\n'))).toEqual([
      '[invalid_enum_value] autoscaler.metrics.preset: must be one of default, metrics-server, prometheus-adapter (got "prometheus")',
    ]);
    const qps = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: Pods, pods: { metric: { name: qps }, target: { type: AverageValue, averageValue: "50" } } } ] }`;
    const s = load(hpaYaml(qps, '  signals: { qps: rps }\n  metrics: { scrapeInterval: 30s, window: 45s }\n'));
    expect(s.warnings).toContain(
      'autoscaler.metrics: a window of 45 s holds fewer than two scrapes 30 s apart, so rate() never has a value and the HPA never acts on rps or cpu; use a window of at least 60 s (Prometheus advises 4 scrape intervals)',
    );
  });
});

describe('signal mappings and units', () => {
  it('accepts a signal name, { signal, scale } or { signal, unit }', () => {
    const s = load(
      hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: { signal: gpuUtilization, unit: percent }, p99s: { signal: latencyP99Ms, unit: s }, q: { signal: rps, scale: 2 }, c: concurrency }\n'),
    );
    if (s.autoscaler.kind !== 'hpa') throw new Error('hpa expected');
    expect(s.autoscaler.signals).toEqual({
      DCGM_FI_DEV_GPU_UTIL: { signal: 'gpuUtilization', scale: 100 },
      p99s: { signal: 'latencyP99Ms', scale: 0.001 },
      q: { signal: 'rps', scale: 2 },
      c: { signal: 'concurrency', scale: 1 },
    });
  });

  it('names the field and the expected value when a mapping is wrong', () => {
    expect(issues(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: { signal: gpuUtilization, unit: pct } }\n'))).toEqual([
      '[invalid_enum_value] autoscaler.signals.DCGM_FI_DEV_GPU_UTIL: unit: must be a unit of gpuUtilization: fraction, percent (got "pct")',
    ]);
    expect(issues(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: { signal: gpuUtilization, unit: percent, scale: 100 } }\n'))).toEqual([
      '[cross_field] autoscaler.signals.DCGM_FI_DEV_GPU_UTIL: give scale or unit, not both (unit percent is scale 100)',
    ]);
    expect(issues(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: { signal: gpuUtilization, scale: 0 } }\n'))).toEqual([
      '[too_small] autoscaler.signals.DCGM_FI_DEV_GPU_UTIL: scale: must be > 0 (got 0)',
    ]);
    expect(issues(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: { scale: 100 } }\n'))).toEqual([
      '[required] autoscaler.signals.DCGM_FI_DEV_GPU_UTIL: signal: required: a signal: rps, concurrency, queueDepth, gpuUtilization, cpu or latencyP99Ms',
    ]);
  });
});

describe('validate warnings', () => {
  const UNREACHABLE_DCGM =
    'Pods/DCGM_FI_DEV_GPU_UTIL: target 70 can never be reached: gpuUtilization is a busy share, at most 1 per pod, so the HPA never scales up; if the metric reports another unit, map it as { signal: gpuUtilization, scale: … } (e.g. scale 100 for a 0–100 percent)';

  it('a 0–100 target on the 0–1 GPU signal cannot be reached; mapped with scale 100 it can', () => {
    expect(load(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: gpuUtilization }\n')).warnings).toContain(UNREACHABLE_DCGM);
    const mapped = load(hpaYaml(DCGM_70, '  signals: { DCGM_FI_DEV_GPU_UTIL: { signal: gpuUtilization, scale: 100 } }\n'));
    expect(mapped.warnings).toEqual([]);
  });

  it('queueDepth per pod is always 0 with a shared queue; AverageValue on a fleet mean; a cpu target under the base', () => {
    const q = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: Pods, pods: { metric: { name: q }, target: { type: AverageValue, averageValue: "5" } } } ] }`;
    expect(load(hpaYaml(q, '  signals: { q: queueDepth }\n', ', routing: shared-queue')).warnings).toEqual([
      'Pods/q: target 5 can never be reached: queueDepth is 0 for every pod with routing shared-queue (the queue is the fleet’s), so the HPA never scales up; if the metric reports another unit, map it as { signal: queueDepth, scale: … } (e.g. scale 100 for a 0–100 percent)',
    ]);
    const ext = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: External, external: { metric: { name: gpu }, target: { type: AverageValue, averageValue: "0.7" } } } ] }`;
    expect(load(hpaYaml(ext, '  signals: { gpu: gpuUtilization }\n')).warnings).toEqual([
      'External/gpu: an AverageValue target divides the metric by the replica count, but gpuUtilization at fleet level is a mean, not a sum; use a Value target',
    ]);
    const cpu = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 5 } } } ] }`;
    expect(load(hpaYaml(cpu)).warnings).toEqual([
      'Resource/cpu: target 5 can never be reached: cpu never falls below fleet.cpu.base (10 % of the 2-core request), so the HPA only scales up, to maxReplicas; if the metric reports another unit, map it as { signal: cpu, scale: … } (e.g. scale 100 for a 0–100 percent)',
    ]);
  });

  it('names the feature gate a manifest relies on', () => {
    const ext = `{ minReplicas: 0, maxReplicas: 10, metrics: [ { type: External, external: { metric: { name: ingress }, target: { type: Value, value: "100" } } } ], behavior: { scaleUp: { tolerance: "0.05" } } }`;
    expect(load(hpaYaml(ext, '  signals: { ingress: rps }\n')).warnings).toEqual([
      'minReplicas: 0 needs the Kubernetes feature gate HPAScaleToZero (alpha since Kubernetes 1.16, off by default); without it the API server rejects minReplicas below 1',
      "behavior.scaleUp.tolerance needs the Kubernetes feature gate HPAConfigurableTolerance (alpha in Kubernetes 1.33, beta and on by default from 1.35); without it the API server drops the field and the controller's --horizontal-pod-autoscaler-tolerance (0.1 by default) applies",
    ]);
  });

  it('a target below 1m is read as 1m (warned), and the controller scales on it instead of never', () => {
    const tiny = `{ minReplicas: 1, maxReplicas: 10, metrics: [ { type: Pods, pods: { metric: { name: q }, target: { type: AverageValue, averageValue: 1e-10 } } } ] }`;
    expect(load(hpaYaml(tiny, '  signals: { q: rps }\n')).warnings).toContain(
      "Pods/q: target 1e-10 is below Kubernetes' resolution of 0.001 (1m): the cluster reads it as 0.001",
    );
    const s = load(hpaYaml(tiny, '  signals: { q: rps }\n'));
    if (s.autoscaler.kind !== 'hpa') throw new Error('hpa expected');
    const hpa = new HpaController(s.autoscaler.spec);
    const pod = (q: number) => ({ ready: true, startedAtS: -1e4, readySinceS: -1e4, metric: () => q, sampleTakenAtS: -20, cpuRequestCores: 1 });
    // 0.0015 req/s per pod = 1m (truncated) against 1m: ratio 1 → hold 3; 0.0025 = 2m → ratio 2 → 6
    expect(hpa.sync({ nowS: 0, specReplicas: 3, pods: [pod(0.0015), pod(0.0015), pod(0.0015)], objectMetric: () => undefined }).desired).toBe(3);
    expect(hpa.sync({ nowS: 15, specReplicas: 3, pods: [pod(0.0025), pod(0.0025), pod(0.0025)], objectMetric: () => undefined }).desired).toBe(6);
  });
});

describe('signals in simulation', () => {
  it('an HPA on DCGM_FI_DEV_GPU_UTIL (0–100) with averageValue 70 scales when mapped with scale 100, and never scales up without it', () => {
    // each pod serves 1 request at a time in 10 ms (100 req/s at full GPU); 300 req/s on 2 pods saturates them
    const run = (mapping: string): { last: number; max: number } => {
      const text = `
name: dcgm
duration: 8m
traffic: { rate: 300 }
model: { latency: { 1: 10ms } }
fleet: { replicas: 2, queue: { timeout: 2s }, coldStart: { modelLoad: 30s } }
autoscaler:
  kind: hpa
  spec: ${DCGM_70}
  signals: { DCGM_FI_DEV_GPU_UTIL: ${mapping} }
`;
      const r = simulate(load(text));
      const desired = r.timeline.column('replicasDesired');
      return { last: desired[desired.length - 1]!, max: Math.max(...desired) };
    };
    const mapped = run('{ signal: gpuUtilization, scale: 100 }');
    // 300 req/s needs 3 busy GPUs; at 70 % each: ceil(3 / 0.7) = 5 pods
    expect(mapped.last).toBeGreaterThanOrEqual(5);
    const raw = run('gpuUtilization');
    expect(raw.max).toBe(2); // busy share ≤ 1 never reaches 70: the HPA only ever scales down (held at the start by its window)
  });

  it('an External metric with minReplicas 0 scales to zero without traffic and back from zero when requests wait for a first replica', () => {
    const text = `
name: ext-zero
duration: 20m
traffic: { rate: [ { at: 0, rps: 0 }, { at: 10m, rps: 200 } ] }
model: { latency: { 1: 5ms } }
fleet: { replicas: 1, queue: { timeout: 10m, maxDepth: 100000 }, coldStart: { modelLoad: 60s } }
autoscaler:
  kind: hpa
  spec: { minReplicas: 0, maxReplicas: 10, metrics: [ { type: External, external: { metric: { name: ingress_rps }, target: { type: Value, value: "100" } } } ] }
  signals: { ingress_rps: rps }
`;
    const r = simulate(load(text));
    const t = r.timeline.column('timeS');
    const desired = r.timeline.column('replicasDesired');
    const at = (s: number): number => desired[t.indexOf(s)]!;
    // no traffic: the ratio is 0 and the legacy 300 s window passes → 0 replicas before the traffic starts
    expect(at(590)).toBe(0);
    // from zero the Value ratio alone decides: 200 req/s (waiting at the gateway) / 100 → 2 replicas,
    // at the sync at 615, whose scrape sees the fleet's counter at 600 and 615 (rate over (585, 615]:
    // ~3000 requests in 15 s extrapolated to 30 s, / 30 = ~200 req/s) — the timeline row at 620
    const back = t.findIndex((s, i) => s > 600 && desired[i]! > 0);
    expect(t[back]).toBe(620);
    // the old build summed the metric over running pods: 0 at zero pods, and it never came back (0 of 119 784 served)
    expect(at(1200)).toBeGreaterThanOrEqual(2);
    // every request is served: the waiting ones once the first replica is ready
    expect(r.summary.requests.timedOut).toBe(0);
    expect(r.summary.requests.completed).toBeGreaterThan(0.99 * r.summary.requests.arrived);
  });
});
