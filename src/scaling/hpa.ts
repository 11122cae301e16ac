/**
 * The HorizontalPodAutoscaler's decision logic, as kube-controller-manager runs it
 * (pkg/controller/podautoscaler: horizontal.go and replica_calculator.go), with no
 * knowledge of the simulation engine: the caller maps simulated signals to metric
 * values, calls `sync` every sync period, and applies the returned replica count.
 *
 * Arithmetic follows Kubernetes closely enough to land on the same integers: metric
 * values are carried in milli-units (see toMilli), CPU utilization is an integer
 * percentage, and time windows use the same strict/non-strict comparisons as the Go code.
 */
import type { HpaMetric, HpaRules, HpaSpec } from '../config/hpa.js';

export interface HpaPod {
  ready: boolean;
  /** Simulated time (s) at which the pod started (status.startTime), on the same clock as `nowS`. */
  startedAtS: number;
  /**
   * When ready: the time (s) it became ready. When not ready: the time it lost readiness,
   * or null if it has never been ready (a starting pod, which counts as Kubernetes' Pending).
   */
  readySinceS: number | null;
  /** metric name -> value (already mapped from simulated signals by the caller); undefined = missing */
  metric(name: string): number | undefined;
  /**
   * When the pod's latest metric sample was taken; for Kubernetes' exact CPU rule, pass the
   * start of the window the sample averages over (it compares window start with readiness).
   */
  sampleTakenAtS: number | null;
  cpuRequestCores: number;
}

export interface HpaInputs {
  nowS: number;
  /** The target's spec replica count, i.e. the last count the caller applied. */
  specReplicas: number;
  /** Every pod of the target except those being deleted (their count is status.replicas). */
  pods: HpaPod[];
  /** Object/External metric values by name; undefined = unavailable */
  objectMetric(name: string): number | undefined;
}

export interface HpaProposal {
  metric: string;
  /** null when this metric could not be computed (skipped, as Kubernetes does). */
  replicas: number | null;
  reason: string;
}

export interface HpaDecision {
  desired: number;
  proposals: HpaProposal[];
  /** Kubernetes condition reason when the result differs from the largest proposal (or no proposal was used); null otherwise. */
  limitedBy: string | null;
}

export interface HpaControllerOptions {
  /** --horizontal-pod-autoscaler-tolerance */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period */
  cpuInitializationPeriodS?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay */
  initialReadinessDelayS?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (the path without `behavior`) */
  downscaleStabilizationS?: number;
}

/** kube-controller-manager's defaults for the HPA flags. */
export const HPA_CONTROLLER_DEFAULTS: Required<HpaControllerOptions> = {
  tolerance: 0.1,
  cpuInitializationPeriodS: 300,
  initialReadinessDelayS: 30,
  downscaleStabilizationS: 300,
};

// Legacy (no behavior) scale-up cap: max(2·cur, 4), guarding against bogus usage reports.
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

interface Tolerances {
  up: number;
  down: number;
}

type MetricResult = { replicas: number; reason: string } | { error: string };

interface TimedValue {
  atS: number;
  value: number;
}

function isWithin(ratio: number, tol: Tolerances): boolean {
  return 1 - tol.down <= ratio && ratio <= 1 + tol.up;
}

/**
 * Milli-units, as Kubernetes carries metric values. Quantities (targets, resource
 * metrics from metrics-server) round sub-milli parts up like Quantity.MilliValue;
 * custom and external metrics are truncated, as prometheus-adapter converts floats.
 * The epsilon keeps float noise (0.3·1000 = 300.00000000000006) from moving a unit.
 */
function toMilli(value: number, rounding: 'up' | 'truncate' = 'up'): number {
  if (rounding === 'truncate') return Math.trunc(value * 1000 + 1e-6);
  // MilliValue rounds any positive quantity up to at least 1m (a target of 1e-10 is 0.001, never 0)
  const milli = Math.ceil(value * 1000 - 1e-6);
  return value > 0 && milli < 1 ? 1 : milli;
}

function fmt(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(3) : String(ratio);
}

/** A short label for a metric in decisions ("Pods/inference_qps", "Resource/cpu"). */
export function hpaMetricLabel(metric: HpaMetric): string {
  return metric.type === 'ContainerResource' ? `ContainerResource/${metric.container}/${metric.name}` : `${metric.type}/${metric.name}`;
}

type PodGroup = 'ready' | 'unready' | 'missing';

interface PodSample {
  /** milli-units; for missing and unready pods, the stand-in value once the direction is known */
  valueMilli: number;
  requestMilli: number;
}

/** How a per-pod ratio is formed: CPU utilization against requests, or a plain average against a target. */
type RatioKind = { kind: 'utilization'; targetPercent: number } | { kind: 'average'; targetMilli: number };

function usageRatio(samples: PodSample[], how: RatioKind): number | null {
  if (how.kind === 'utilization') {
    let usage = 0;
    let requests = 0;
    for (const s of samples) {
      usage += s.valueMilli;
      requests += s.requestMilli;
    }
    if (requests === 0) return null;
    const percent = Math.floor((usage * 100) / requests);
    return percent / how.targetPercent;
  }
  let total = 0;
  for (const s of samples) total += s.valueMilli;
  return Math.floor(total / samples.length) / how.targetMilli;
}

/** Runs the HPA control loop for one HorizontalPodAutoscaler, keeping its recommendation and scale-event history. */
export class HpaController {
  private readonly spec: HpaSpec;
  private readonly opts: Required<HpaControllerOptions>;
  private readonly recommendations: TimedValue[] = [];
  private readonly scaleUpEvents: TimedValue[] = [];
  private readonly scaleDownEvents: TimedValue[] = [];
  private initialised = false;

  constructor(spec: HpaSpec, opts: HpaControllerOptions = {}) {
    this.spec = spec;
    this.opts = {
      tolerance: opts.tolerance ?? HPA_CONTROLLER_DEFAULTS.tolerance,
      cpuInitializationPeriodS: opts.cpuInitializationPeriodS ?? HPA_CONTROLLER_DEFAULTS.cpuInitializationPeriodS,
      initialReadinessDelayS: opts.initialReadinessDelayS ?? HPA_CONTROLLER_DEFAULTS.initialReadinessDelayS,
      downscaleStabilizationS: opts.downscaleStabilizationS ?? HPA_CONTROLLER_DEFAULTS.downscaleStabilizationS,
    };
  }

  /** One reconcile at inputs.nowS (call every syncPeriod); returns the new desired replica count and why. */
  sync(inputs: HpaInputs): HpaDecision {
    const { nowS } = inputs;
    const cur = inputs.specReplicas;
    const { minReplicas: min, maxReplicas: max } = this.spec;
    // The first reconcile records the current count: no scale-down below it for one
    // stabilization window after the HPA appears, as in Kubernetes.
    if (!this.initialised) {
      this.recommendations.push({ atS: nowS, value: cur });
      this.initialised = true;
    }

    if (cur === 0 && min !== 0) {
      return { desired: 0, proposals: [], limitedBy: 'ScalingDisabled' };
    }
    if (cur > max || cur < min) {
      const desired = cur > max ? max : min;
      this.storeScaleEvent(nowS, cur, desired);
      return { desired, proposals: [], limitedBy: cur > max ? 'TooManyReplicas' : 'TooFewReplicas' };
    }

    const tol = this.tolerances();
    const proposals: HpaProposal[] = [];
    let best = 0;
    let invalid = 0;
    for (const metric of this.spec.metrics) {
      const result = this.computeMetric(metric, cur, inputs, tol);
      const label = hpaMetricLabel(metric);
      if ('error' in result) {
        invalid++;
        proposals.push({ metric: label, replicas: null, reason: result.error });
      } else {
        proposals.push({ metric: label, replicas: result.replicas, reason: result.reason });
        best = Math.max(best, result.replicas);
      }
    }
    // Kubernetes refuses to act when every metric failed, and refuses to scale down
    // when any failed (the failed one might have asked for more).
    if (invalid >= this.spec.metrics.length || (invalid > 0 && best < cur)) {
      return { desired: cur, proposals, limitedBy: 'InvalidMetrics' };
    }

    const normalized = this.spec.behavior === null ? this.normalizeLegacy(nowS, cur, best) : this.normalizeWithBehavior(nowS, cur, best);
    this.storeScaleEvent(nowS, cur, normalized.desired);
    return { desired: normalized.desired, proposals, limitedBy: normalized.limitedBy };
  }

  private tolerances(): Tolerances {
    const b = this.spec.behavior;
    return {
      up: b?.scaleUp.tolerance ?? this.opts.tolerance,
      down: b?.scaleDown.tolerance ?? this.opts.tolerance,
    };
  }

  private computeMetric(metric: HpaMetric, cur: number, inputs: HpaInputs, tol: Tolerances): MetricResult {
    const target = metric.target;
    switch (metric.type) {
      case 'Resource':
      case 'ContainerResource': {
        // The simulated pod has one serving container, so a container metric reads the pod's value.
        const cpuRule = metric.name === 'cpu';
        if (target.type === 'Utilization') {
          if (!cpuRule) return { error: `no ${metric.name} request is modelled, so ${metric.name} utilization cannot be computed` };
          return this.podsReplicas(metric.name, cur, inputs, tol, true, 'up', { kind: 'utilization', targetPercent: target.averageUtilization });
        }
        if (target.type === 'AverageValue') {
          return this.podsReplicas(metric.name, cur, inputs, tol, cpuRule, 'up', { kind: 'average', targetMilli: toMilli(target.averageValue) });
        }
        return { error: `${metric.type} metrics take Utilization or AverageValue targets` };
      }
      case 'Pods':
        if (target.type !== 'AverageValue') return { error: 'Pods metrics take AverageValue targets' };
        return this.podsReplicas(metric.name, cur, inputs, tol, false, 'truncate', { kind: 'average', targetMilli: toMilli(target.averageValue) });
      case 'Object':
      case 'External': {
        const raw = inputs.objectMetric(metric.name);
        if (raw === undefined) return { error: `${metric.type} metric ${metric.name} is unavailable` };
        const usageMilli = toMilli(raw, 'truncate');
        if (target.type === 'Value') return this.valueReplicas(usageMilli, toMilli(target.value), cur, inputs, tol);
        if (target.type === 'AverageValue') return this.averageValueReplicas(usageMilli, toMilli(target.averageValue), inputs, tol);
        return { error: `${metric.type} metrics take Value or AverageValue targets` };
      }
    }
  }

  /** Kubernetes' groupPods: which pods count, which are unready (count only on scale-up), which lack a sample. */
  private groupPod(pod: HpaPod, value: number | undefined, cpuRule: boolean, nowS: number): PodGroup {
    const readySince = pod.readySinceS;
    if (!pod.ready && readySince === null) return 'unready';
    if (value === undefined) return 'missing';
    if (cpuRule) {
      if (nowS < pod.startedAtS + this.opts.cpuInitializationPeriodS) {
        // Early CPU is dominated by start-up work: trust it only from a ready pod whose sample starts after readiness.
        if (!pod.ready || readySince === null || pod.sampleTakenAtS === null || pod.sampleTakenAtS < readySince) return 'unready';
      } else if (!pod.ready && readySince !== null && readySince < pod.startedAtS + this.opts.initialReadinessDelayS) {
        // Not ready, and its last readiness change was the initial one: it has never served.
        return 'unready';
      }
    }
    return 'ready';
  }

  /** GetResourceReplicas / calcPlainMetricReplicas: a per-pod metric, with missing and unready pods handled conservatively. */
  private podsReplicas(
    name: string,
    cur: number,
    inputs: HpaInputs,
    tol: Tolerances,
    cpuRule: boolean,
    rounding: 'up' | 'truncate',
    how: RatioKind,
  ): MetricResult {
    const { pods, nowS } = inputs;
    if (pods.length === 0) return { error: 'no pods to read the metric from' };
    if (how.kind === 'utilization' && pods.some((p) => !(p.cpuRequestCores > 0))) {
      return { error: 'a pod has no CPU request, so utilization is undefined' };
    }
    const ready: PodSample[] = [];
    const unready: PodSample[] = [];
    const missing: PodSample[] = [];
    for (const pod of pods) {
      const value = pod.metric(name);
      const sample: PodSample = { valueMilli: value === undefined ? 0 : toMilli(value, rounding), requestMilli: toMilli(pod.cpuRequestCores) };
      const group = this.groupPod(pod, value, cpuRule, nowS);
      (group === 'ready' ? ready : group === 'unready' ? unready : missing).push(sample);
    }
    if (ready.length === 0) return { error: `no ${name} sample from any ready pod (${unready.length} unready, ${missing.length} missing)` };
    const ratio = usageRatio(ready, how);
    if (ratio === null) return { error: 'CPU requests sum to zero' };

    const scaleUpWithUnready = unready.length > 0 && ratio > 1;
    if (!scaleUpWithUnready && missing.length === 0) {
      if (isWithin(ratio, tol)) return { replicas: cur, reason: `ratio ${fmt(ratio)} within tolerance → ${cur}` };
      const replicas = Math.ceil(ratio * ready.length);
      return { replicas, reason: `ratio ${fmt(ratio)} over ${ready.length} ready pods → ${replicas}` };
    }

    const counted = [...ready];
    let note = '';
    if (missing.length > 0) {
      if (ratio < 1) {
        // Scaling down: assume pods without samples sit at the target (CPU: at least their full request).
        for (const m of missing) {
          m.valueMilli = how.kind === 'utilization' ? Math.floor((m.requestMilli * Math.max(100, how.targetPercent)) / 100) : how.targetMilli;
          counted.push(m);
        }
        note += `, ${missing.length} missing counted at target`;
      } else if (ratio > 1) {
        for (const m of missing) {
          m.valueMilli = 0;
          counted.push(m);
        }
        note += `, ${missing.length} missing counted as 0`;
      }
    }
    if (scaleUpWithUnready) {
      for (const u of unready) {
        u.valueMilli = 0;
        counted.push(u);
      }
      note += `, ${unready.length} unready counted as 0`;
    }
    const newRatio = usageRatio(counted, how);
    if (newRatio === null) return { error: 'CPU requests sum to zero' };
    const head = `ratio ${fmt(ratio)} → ${fmt(newRatio)}${note}`;
    if (isWithin(newRatio, tol)) return { replicas: cur, reason: `${head}: within tolerance → ${cur}` };
    if ((ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return { replicas: cur, reason: `${head}: direction flips → ${cur}` };
    const replicas = Math.ceil(newRatio * counted.length);
    if ((newRatio < 1 && replicas > cur) || (newRatio > 1 && replicas < cur)) {
      return { replicas: cur, reason: `${head}: ${replicas} would move the other way → ${cur}` };
    }
    return { replicas, reason: `${head} over ${counted.length} pods → ${replicas}` };
  }

  /** Object/External Value: the ratio scales the ready pods (scale from zero uses the ratio alone). */
  private valueReplicas(usageMilli: number, targetMilli: number, cur: number, inputs: HpaInputs, tol: Tolerances): MetricResult {
    const ratio = usageMilli / targetMilli;
    if (cur === 0) {
      const replicas = Math.ceil(ratio);
      return { replicas, reason: `ratio ${fmt(ratio)} from zero → ${replicas}` };
    }
    if (isWithin(ratio, tol)) return { replicas: cur, reason: `ratio ${fmt(ratio)} within tolerance → ${cur}` };
    if (inputs.pods.length === 0) return { error: 'no pods to count' };
    const readyPods = inputs.pods.filter((p) => p.ready).length;
    const replicas = Math.ceil(ratio * readyPods);
    return { replicas, reason: `ratio ${fmt(ratio)} over ${readyPods} ready pods → ${replicas}` };
  }

  /** Object/External AverageValue: total divided by the per-pod target, compared against status.replicas. */
  private averageValueReplicas(usageMilli: number, targetMilli: number, inputs: HpaInputs, tol: Tolerances): MetricResult {
    const statusReplicas = inputs.pods.length;
    const ratio = usageMilli / (targetMilli * statusReplicas);
    if (isWithin(ratio, tol)) return { replicas: statusReplicas, reason: `ratio ${fmt(ratio)} within tolerance → ${statusReplicas}` };
    const replicas = Math.ceil(usageMilli / targetMilli);
    return { replicas, reason: `total ${usageMilli / 1000} / ${targetMilli / 1000} per pod → ${replicas}` };
  }

  /** No `behavior`: max over the downscale window (new one included), then max(2·cur, 4) and [min, max]. */
  private normalizeLegacy(nowS: number, cur: number, proposed: number): { desired: number; limitedBy: string | null } {
    const cutoff = nowS - this.opts.downscaleStabilizationS;
    // Kubernetes drops a recommendation only when strictly older than the window.
    this.prune(this.recommendations, (r) => r.atS < cutoff);
    let stabilized = proposed;
    for (const r of this.recommendations) stabilized = Math.max(stabilized, r.value);
    this.recommendations.push({ atS: nowS, value: proposed });

    const { minReplicas: min, maxReplicas: max } = this.spec;
    const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * cur, SCALE_UP_LIMIT_MINIMUM);
    const maxAllowed = Math.min(max, scaleUpLimit);
    let desired = stabilized;
    let limitedBy: string | null = stabilized !== proposed ? 'ScaleDownStabilized' : null;
    if (stabilized < min) {
      desired = min;
      limitedBy = 'TooFewReplicas';
    } else if (stabilized > maxAllowed) {
      desired = maxAllowed;
      limitedBy = max > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
    }
    return { desired, limitedBy };
  }

  /** With `behavior`: stabilize within the min/max envelope of both windows, then apply the rate policies and [min, max]. */
  private normalizeWithBehavior(nowS: number, cur: number, proposed: number): { desired: number; limitedBy: string | null } {
    const behavior = this.spec.behavior;
    if (behavior === null) return this.normalizeLegacy(nowS, cur, proposed);
    const { scaleUp, scaleDown } = behavior;
    const upCutoff = nowS - scaleUp.stabilizationWindowSeconds;
    const downCutoff = nowS - scaleDown.stabilizationWindowSeconds;
    // Windows here exclude a recommendation exactly one window old (time.After).
    this.prune(this.recommendations, (r) => r.atS <= upCutoff && r.atS <= downCutoff);
    let upRecommendation = proposed;
    let downRecommendation = proposed;
    for (const r of this.recommendations) {
      if (r.atS > upCutoff) upRecommendation = Math.min(upRecommendation, r.value);
      if (r.atS > downCutoff) downRecommendation = Math.max(downRecommendation, r.value);
    }
    this.recommendations.push({ atS: nowS, value: proposed });
    const stabilized = Math.min(Math.max(cur, upRecommendation), downRecommendation);
    let limitedBy: string | null = null;
    if (stabilized !== proposed) limitedBy = proposed > cur ? 'ScaleUpStabilized' : 'ScaleDownStabilized';

    const { minReplicas: min, maxReplicas: max } = this.spec;
    this.pruneEvents(nowS);
    let desired = stabilized;
    if (stabilized > cur) {
      const scaleUpLimit = Math.max(cur, this.scaleLimit(nowS, cur, scaleUp, 'up'));
      const maxAllowed = Math.min(max, scaleUpLimit);
      if (stabilized > maxAllowed) {
        desired = maxAllowed;
        limitedBy = max > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
      }
    } else if (stabilized < cur) {
      const scaleDownLimit = Math.min(cur, this.scaleLimit(nowS, cur, scaleDown, 'down'));
      const minAllowed = Math.max(min, scaleDownLimit);
      if (stabilized < minAllowed) {
        desired = minAllowed;
        limitedBy = min < scaleDownLimit ? 'ScaleDownLimit' : 'TooFewReplicas';
      }
    }
    return { desired, limitedBy };
  }

  /** The furthest the policies let the count move from the count at the start of each policy's period. */
  private scaleLimit(nowS: number, cur: number, rules: HpaRules, direction: 'up' | 'down'): number {
    if (rules.selectPolicy === 'Disabled') return cur;
    // Going up, Max picks the highest limit; going down, Max (most change) picks the lowest.
    const pickHighest = (direction === 'up') === (rules.selectPolicy === 'Max');
    let result = pickHighest ? -Infinity : Infinity;
    for (const policy of rules.policies) {
      const cutoff = nowS - policy.periodSeconds;
      const added = this.sumSince(this.scaleUpEvents, cutoff);
      const removed = this.sumSince(this.scaleDownEvents, cutoff);
      const periodStart = cur - added + removed;
      let proposed: number;
      if (direction === 'up') {
        proposed = policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
      } else {
        proposed = policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
      }
      result = pickHighest ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return result;
  }

  private sumSince(events: TimedValue[], cutoff: number): number {
    let sum = 0;
    for (const e of events) if (e.atS > cutoff) sum += e.value;
    return sum;
  }

  private storeScaleEvent(nowS: number, from: number, to: number): void {
    if (this.spec.behavior === null || from === to) return;
    if (to > from) this.scaleUpEvents.push({ atS: nowS, value: to - from });
    else this.scaleDownEvents.push({ atS: nowS, value: from - to });
  }

  /** Events older than every policy period can no longer affect a limit. */
  private pruneEvents(nowS: number): void {
    const behavior = this.spec.behavior;
    if (behavior === null) return;
    let longest = 0;
    for (const p of [...behavior.scaleUp.policies, ...behavior.scaleDown.policies]) longest = Math.max(longest, p.periodSeconds);
    const cutoff = nowS - longest;
    this.prune(this.scaleUpEvents, (e) => e.atS <= cutoff);
    this.prune(this.scaleDownEvents, (e) => e.atS <= cutoff);
  }

  private prune(list: TimedValue[], drop: (v: TimedValue) => boolean): void {
    let w = 0;
    for (const v of list) if (!drop(v)) list[w++] = v;
    list.length = w;
  }
}
