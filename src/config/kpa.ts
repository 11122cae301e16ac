/**
 * The Knative Pod Autoscaler's configuration (MODELS.md §5): its fields, Knative's
 * config-autoscaler defaults, and the ranges Knative accepts. The controller is
 * scaling/kpa.ts; the scenario loader builds and checks a config with these.
 */

export type KpaMetric = 'concurrency' | 'rps';

export interface KpaConfig {
  metric: KpaMetric;
  /** Per-pod target of the metric (Knative default 100 concurrency, 200 rps). */
  target: number;
  /** Fraction of `target` the autoscaler aims for, in (0, 1]. */
  targetUtilization: number;
  /** 0 allows scale to zero. */
  minReplicas: number;
  /** 0 = unbounded. */
  maxReplicas: number;
  stableWindowS: number;
  /** Panic window as a percentage of the stable window (10 → 6 s for a 60 s window). */
  panicWindowPercentage: number;
  /** Panic when the panic-window pod demand reaches this percentage of the ready pods. */
  panicThresholdPercentage: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  /** Decision period; the engine calls `tick` this often. */
  tickS: number;
  scaleToZeroGracePeriodS: number;
  /** Knative's activation scale: the minimum count whenever there is any demand (default 1). */
  activationScale?: number;
}

/** Knative's config-autoscaler defaults for the concurrency metric. */
export const KPA_DEFAULTS: KpaConfig = Object.freeze({
  metric: 'concurrency',
  target: 100,
  targetUtilization: 0.7,
  minReplicas: 0,
  maxReplicas: 0,
  stableWindowS: 60,
  panicWindowPercentage: 10,
  panicThresholdPercentage: 200,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  tickS: 2,
  scaleToZeroGracePeriodS: 30,
}) as KpaConfig;

/** Knative's default per-pod target for the given metric (100 concurrent requests, 200 rps). */
export function kpaDefaultTarget(metric: KpaMetric): number {
  return metric === 'rps' ? 200 : 100;
}

/** Knative's defaults with the target that belongs to `metric`. */
export function kpaDefaults(metric: KpaMetric): KpaConfig {
  return { ...KPA_DEFAULTS, metric, target: kpaDefaultTarget(metric) };
}

/** Knative's bounds: below 0.01 per pod the target is meaningless, windows outside [6 s, 1 h] are rejected, the panic threshold must exceed the target by 10 %. */
export const KNATIVE = {
  /** Smallest per-pod target (target × targetUtilization). */
  targetMin: 0.01,
  /** Stable window, whole seconds. */
  stableWindowS: { min: 6, max: 3600 },
  /** Panic window as a percentage of the stable window. */
  panicWindowPercentage: { min: 1, max: 100 },
  /** Panic threshold as a percentage of the ready pods' capacity. */
  panicThreshold: { min: 110, max: 1000 },
} as const;
