/**
 * What `validate` says about an HPA that would load fine but not behave as its author
 * expects in a cluster: a target the mapped signal can never reach (a 0–100 percent
 * target on a 0–1 signal), an AverageValue target on a fleet mean, a target below
 * Kubernetes' milli-unit resolution, and fields that need an alpha/beta feature gate.
 */
import type { HpaMetric } from '../config/hpa.js';
import * as M from './messages.js';
import type { Autoscaler, Fleet, SignalMapping } from '../config/scenario.js';

/** The most a pod's value of a signal can be (in the signal's own unit), or Infinity. */
function podMaximum(signal: SignalMapping['signal'], fleet: Fleet): { max: number; why: string } {
  const shared = fleet.routing === 'shared-queue';
  const perPod = fleet.batching.maxBatch * fleet.instances;
  switch (signal) {
    case 'gpuUtilization':
      return { max: 1, why: 'is a busy share, at most 1 per pod' };
    case 'queueDepth':
      if (shared) return { max: 0, why: 'is 0 for every pod with routing shared-queue (the queue is the fleet’s)' };
      return { max: fleet.queue.maxDepth, why: `is at most fleet.queue.maxDepth (${fleet.queue.maxDepth}) per pod` };
    case 'concurrency': {
      const max = shared ? perPod : fleet.queue.maxDepth + perPod;
      return { max, why: `is at most ${max} per pod (${shared ? '' : 'queue.maxDepth + '}maxBatch × instances)` };
    }
    default:
      return { max: Infinity, why: '' };
  }
}

function metricLabel(m: HpaMetric): string {
  return `${m.type}/${m.name}`;
}

function targetValue(m: HpaMetric): number | null {
  const t = m.target;
  return t.type === 'AverageValue' ? t.averageValue : t.type === 'Value' ? t.value : null;
}

type HpaAutoscaler = Extract<Autoscaler, { kind: 'hpa' }>;

/** Warnings for an HPA as the scenario runs it (signals mapped, its pipelines, the fleet it scales). */
export function hpaWarnings(a: HpaAutoscaler, fleet: Fleet): string[] {
  const { spec, signals, tolerance } = a;
  const out: string[] = [];
  const rated = new Set<string>();
  for (const m of spec.metrics) {
    if (m.type === 'Resource' || m.type === 'ContainerResource') rated.add('resourceMetrics');
    else if (signals[m.name]?.signal === 'rps' || signals[m.name]?.signal === 'cpu') rated.add('metrics');
  }
  for (const key of ['metrics', 'resourceMetrics'] as const) {
    const p = a[key];
    if (rated.has(key) && p.rate === 'prometheus' && p.windowS < 2 * p.scrapeIntervalS) out.push(M.rateWindowTooShort(`autoscaler.${key}`, p.windowS, p.scrapeIntervalS));
  }
  const up = spec.behavior?.scaleUp.tolerance ?? tolerance;
  const cpu = fleet.cpu;
  for (const m of spec.metrics) {
    const label = metricLabel(m);
    const value = targetValue(m);
    if (value !== null && value > 0 && value < 0.001) out.push(M.hpaTargetBelowMilli(label, value));
    if (m.type === 'Resource' || m.type === 'ContainerResource') {
      if (m.name !== 'cpu') continue;
      // a pod's cpu never falls below its base: a target under it keeps the ratio above 1
      const floor = m.target.type === 'Utilization' ? Math.floor((cpu.baseCores / cpu.requestCores) * 100) : cpu.baseCores;
      const target = m.target.type === 'Utilization' ? m.target.averageUtilization : value;
      if (target !== null && floor / target > 1 + up) {
        const unit = m.target.type === 'Utilization' ? `${floor} % of the ${cpu.requestCores}-core request` : `${cpu.baseCores} cores`;
        out.push(M.hpaUnreachableTarget(label, target, 'cpu', `never falls below fleet.cpu.base (${unit})`, 'only scales up, to maxReplicas'));
      }
      continue;
    }
    const map = signals[m.name];
    if (map === undefined || value === null) continue;
    const scaleNote = map.scale === 1 ? '' : ` (× scale ${map.scale})`;
    if (m.type !== 'Pods' && m.target.type === 'AverageValue' && (map.signal === 'gpuUtilization' || map.signal === 'latencyP99Ms')) {
      out.push(M.hpaMeanAsAverageValue(label, map.signal));
      continue;
    }
    if (m.type === 'Pods' || map.signal === 'gpuUtilization') {
      // Pods: per pod; Object/External: the fleet's GPU share is a mean over pods, bounded the same way
      const { max, why } = podMaximum(map.signal, fleet);
      if ((max * map.scale) / value <= 1 + up) {
        out.push(M.hpaUnreachableTarget(label, value, map.signal, `${why}${scaleNote}`, 'never scales up'));
      }
    }
    if (m.type === 'Pods' && map.signal === 'cpu' && (cpu.baseCores * map.scale) / value > 1 + up) {
      out.push(M.hpaUnreachableTarget(label, value, 'cpu', `never falls below fleet.cpu.base (${cpu.baseCores} cores)${scaleNote}`, 'only scales up, to maxReplicas'));
    }
  }
  if (spec.minReplicas === 0) {
    out.push(M.hpaFeatureGate('minReplicas: 0', 'HPAScaleToZero', 'alpha since Kubernetes 1.16, off by default', 'the API server rejects minReplicas below 1'));
  }
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    if (spec.behavior?.[dir].tolerance !== undefined) {
      out.push(
        M.hpaFeatureGate(
          `behavior.${dir}.tolerance`,
          'HPAConfigurableTolerance',
          'alpha in Kubernetes 1.33, beta and on by default from 1.35',
          "the API server drops the field and the controller's --horizontal-pod-autoscaler-tolerance (0.1 by default) applies",
        ),
      );
    }
  }
  return out;
}
