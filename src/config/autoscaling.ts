/**
 * Facts an autoscaler's configuration implies, before anything runs: the named metrics
 * pipelines (what each preset stands for, with its upstream source) and the replica
 * bounds every count must stay within. scaling/ runs the autoscalers; the scenario
 * loader resolves and checks their config with these.
 */
import type { Autoscaler, MetricsPipelineSpec, MetricsPreset } from './scenario.js';

/** What each preset stands for, with the upstream default it takes each value from. */
export const METRICS_PRESETS: Record<MetricsPreset, { spec: Omit<MetricsPipelineSpec, 'preset'>; source: string }> = {
  default: {
    spec: { scrapeIntervalS: 15, windowS: 30, gaugeWindowS: 30, delayS: 0, rate: 'prometheus' },
    source: 'a fast best case: Prometheus scraping every 15 s, rules rate(x[30s]) and avg_over_time(x[30s]), read as soon as a scrape lands',
  },
  'metrics-server': {
    spec: { scrapeIntervalS: 15, windowS: 15, gaugeWindowS: 1, delayS: 0, rate: 'two-point' },
    source:
      'metrics-server as its manifests deploy it (--metric-resolution=15s; the binary defaults to 60s): CPU usage between the last two kubelet scrapes, a fresh container (10 s ≤ age < resolution) from its start',
  },
  'prometheus-adapter': {
    spec: { scrapeIntervalS: 30, windowS: 300, gaugeWindowS: 1, delayS: 0, rate: 'prometheus' },
    source:
      "prometheus-adapter's default rules (config-gen --rate-interval=5m): sum(rate(x_total[5m])) for counters, the latest value for other series; Prometheus scraping every 30 s (prometheus-operator's default scrapeInterval)",
  },
};

/** The spec a preset stands for, with any field the scenario sets instead. */
export function resolveMetricsPipeline(preset: MetricsPreset, over: Partial<Omit<MetricsPipelineSpec, 'preset'>>): MetricsPipelineSpec {
  const base = METRICS_PRESETS[preset].spec;
  return {
    preset,
    scrapeIntervalS: over.scrapeIntervalS ?? base.scrapeIntervalS,
    windowS: over.windowS ?? base.windowS,
    gaugeWindowS: over.gaugeWindowS ?? base.gaugeWindowS,
    delayS: over.delayS ?? base.delayS,
    rate: over.rate ?? base.rate,
  };
}

/** The bounds every replica count must stay within (for invariants and reports). */
export function replicaBounds(a: Autoscaler, fixed: number): { min: number; max: number } {
  switch (a.kind) {
    case 'hpa':
      return { min: a.spec.minReplicas, max: a.spec.maxReplicas };
    case 'kpa':
      return { min: a.config.minReplicas, max: a.config.maxReplicas > 0 ? a.config.maxReplicas : Infinity };
    case 'schedule':
      // until a first step at t > 0 the fleet runs the scenario's own count, below or above every step
      return { min: Math.min(fixed, ...a.steps.map((s) => s.replicas)), max: Math.max(fixed, ...a.steps.map((s) => s.replicas)) };
    case 'none':
      return { min: fixed, max: fixed };
  }
}
