/**
 * The plain HorizontalPodAutoscaler spec the controller in scaling/hpa.ts runs
 * (scenario/kubernetes.ts parses manifests into it), and the defaults the Kubernetes
 * API server fills in.
 */

export type HpaTarget =
  | { type: 'Utilization'; averageUtilization: number }
  | { type: 'AverageValue'; averageValue: number }
  | { type: 'Value'; value: number };

export type HpaMetric =
  | { type: 'Resource'; name: string; target: HpaTarget }
  | { type: 'ContainerResource'; name: string; container: string; target: HpaTarget }
  | { type: 'Pods'; name: string; target: HpaTarget }
  | { type: 'Object'; name: string; target: HpaTarget }
  | { type: 'External'; name: string; target: HpaTarget };

export interface HpaPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HpaRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: HpaPolicy[];
  /** Per-direction tolerance (Kubernetes 1.33+ `tolerance`, HPAConfigurableTolerance); absent = the controller's tolerance. */
  tolerance?: number;
}

export interface HpaSpec {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  metrics: HpaMetric[];
  behavior: { scaleUp: HpaRules; scaleDown: HpaRules } | null;
}

/** The API server's default target when an HPA lists no metrics (autoscaling.DefaultCPUUtilization). */
export const DEFAULT_CPU_UTILIZATION_PERCENT = 80;

/** Kubernetes' default scale-up rules: no window, 4 pods or 100 % per 15 s, whichever allows more. */
export function defaultScaleUpRules(): HpaRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** Kubernetes' default scale-down rules: 300 s window (the controller flag's default), 100 % per 15 s. */
export function defaultScaleDownRules(): HpaRules {
  return {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}
