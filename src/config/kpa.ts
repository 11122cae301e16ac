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

// Knative's limits (pkg/apis/autoscaling): below 0.01 per pod the target is meaningless,
// windows outside [6 s, 1 h] are rejected, the panic threshold must exceed the target by 10 %.
const TARGET_MIN = 0.01;
const WINDOW_MIN_S = 6;
const WINDOW_MAX_S = 3600;
const PANIC_WINDOW_PCT_MIN = 1;
const PANIC_WINDOW_PCT_MAX = 100;
const PANIC_THRESHOLD_PCT_MIN = 110;
const PANIC_THRESHOLD_PCT_MAX = 1000;

/** Throws an Error naming the first invalid field of `config`; returns normally when it is valid. */
export function validateKpaConfig(config: KpaConfig): void {
  const fail = (msg: string): never => {
    throw new Error(`kpa: ${msg}`);
  };
  const finite = (name: string, v: number): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${name} must be a finite number, got ${String(v)}`);
  };
  if (config.metric !== 'concurrency' && config.metric !== 'rps') {
    fail(`metric must be 'concurrency' or 'rps', got ${String(config.metric)}`);
  }
  finite('target', config.target);
  if (config.target <= 0) fail(`target must be > 0, got ${config.target}`);
  finite('targetUtilization', config.targetUtilization);
  if (config.targetUtilization <= 0 || config.targetUtilization > 1) {
    fail(`targetUtilization must be in (0, 1], got ${config.targetUtilization}`);
  }
  if (config.target * config.targetUtilization < TARGET_MIN) {
    fail(`target × targetUtilization must be at least ${TARGET_MIN}, got ${config.target * config.targetUtilization}`);
  }
  if (!Number.isInteger(config.minReplicas) || config.minReplicas < 0) {
    fail(`minReplicas must be an integer ≥ 0, got ${config.minReplicas}`);
  }
  if (!Number.isInteger(config.maxReplicas) || config.maxReplicas < 0) {
    fail(`maxReplicas must be an integer ≥ 0 (0 = unbounded), got ${config.maxReplicas}`);
  }
  if (config.maxReplicas > 0 && config.maxReplicas < config.minReplicas) {
    fail(`maxReplicas (${config.maxReplicas}) must be ≥ minReplicas (${config.minReplicas}) or 0`);
  }
  finite('stableWindowS', config.stableWindowS);
  if (config.stableWindowS < WINDOW_MIN_S || config.stableWindowS > WINDOW_MAX_S) {
    fail(`stableWindowS must be in [${WINDOW_MIN_S}, ${WINDOW_MAX_S}], got ${config.stableWindowS}`);
  }
  if (!Number.isInteger(config.stableWindowS)) {
    fail(`stableWindowS must be whole seconds, got ${config.stableWindowS}`);
  }
  finite('panicWindowPercentage', config.panicWindowPercentage);
  if (config.panicWindowPercentage < PANIC_WINDOW_PCT_MIN || config.panicWindowPercentage > PANIC_WINDOW_PCT_MAX) {
    fail(
      `panicWindowPercentage must be in [${PANIC_WINDOW_PCT_MIN}, ${PANIC_WINDOW_PCT_MAX}], got ${config.panicWindowPercentage}`,
    );
  }
  finite('panicThresholdPercentage', config.panicThresholdPercentage);
  if (
    config.panicThresholdPercentage < PANIC_THRESHOLD_PCT_MIN ||
    config.panicThresholdPercentage > PANIC_THRESHOLD_PCT_MAX
  ) {
    fail(
      `panicThresholdPercentage must be in [${PANIC_THRESHOLD_PCT_MIN}, ${PANIC_THRESHOLD_PCT_MAX}], got ${config.panicThresholdPercentage}`,
    );
  }
  finite('maxScaleUpRate', config.maxScaleUpRate);
  if (config.maxScaleUpRate <= 1) fail(`maxScaleUpRate must be > 1, got ${config.maxScaleUpRate}`);
  finite('maxScaleDownRate', config.maxScaleDownRate);
  if (config.maxScaleDownRate <= 1) fail(`maxScaleDownRate must be > 1, got ${config.maxScaleDownRate}`);
  finite('tickS', config.tickS);
  if (config.tickS <= 0) fail(`tickS must be > 0, got ${config.tickS}`);
  finite('scaleToZeroGracePeriodS', config.scaleToZeroGracePeriodS);
  if (config.scaleToZeroGracePeriodS <= 0) {
    fail(`scaleToZeroGracePeriodS must be > 0, got ${config.scaleToZeroGracePeriodS}`);
  }
  if (config.activationScale !== undefined) {
    if (!Number.isInteger(config.activationScale) || config.activationScale < 1) {
      fail(`activationScale must be an integer ≥ 1, got ${config.activationScale}`);
    }
  }
}
