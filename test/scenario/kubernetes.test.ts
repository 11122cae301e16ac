import { describe, it, expect } from 'vitest';
import { isHpaParseError, parseHpaManifest, parseHpaSpec, parseQuantity, type HpaParseError, type HpaParseResult } from '../../src/scenario/kubernetes.js';
import { defaultScaleDownRules, defaultScaleUpRules, type HpaSpec } from '../../src/config/hpa.js';

const TEXTBOOK = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: inference-hpa }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: inference }
  minReplicas: 3
  maxReplicas: 50
  metrics:
  - type: Pods
    pods:
      metric: { name: inference_qps }
      target: { type: AverageValue, averageValue: "100" }
  - type: Resource
    resource:
      name: cpu
      target: { type: Utilization, averageUtilization: 70 }
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: inference, labels: { app: inference } }
spec:
  replicas: 3
  selector: { matchLabels: { app: inference } }
  template:
    metadata: { labels: { app: inference } }
    spec:
      containers: [{ name: triton, image: nvcr.io/nvidia/tritonserver:24.06-py3 }]
`;

function hpa(name: string, body = 'maxReplicas: 5'): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ${name} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: x }
  ${body}
`;
}

function ok(result: HpaParseResult): HpaSpec {
  if (isHpaParseError(result)) throw new Error(JSON.stringify(result.errors));
  return result;
}

function errs(result: HpaParseResult): HpaParseError[] {
  if (!isHpaParseError(result)) throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  return result.errors;
}

describe('parseQuantity', () => {
  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('100')).toBe(100);
    expect(parseQuantity(100)).toBe(100);
    expect(parseQuantity(2.5)).toBe(2.5);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1.5M')).toBe(1_500_000);
    expect(parseQuantity('2G')).toBe(2e9);
    expect(parseQuantity('1Ki')).toBe(1024);
    expect(parseQuantity('2Mi')).toBe(2 * 1024 * 1024);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1E3')).toBe(1000);
    expect(parseQuantity('1E')).toBe(1e18);
    expect(parseQuantity('250u')).toBeCloseTo(0.00025, 12);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(parseQuantity('-1')).toBe(-1);
  });

  it('rejects what is not a quantity', () => {
    expect(parseQuantity('abc')).toBeNull();
    expect(parseQuantity('1K')).toBeNull(); // Kubernetes spells kilo "k"
    expect(parseQuantity('1 k')).toBeNull();
    expect(parseQuantity('')).toBeNull();
    expect(parseQuantity(true)).toBeNull();
    expect(parseQuantity(null)).toBeNull();
    expect(parseQuantity(Infinity)).toBeNull();
  });
});

describe('parseHpaManifest', () => {
  it('parses the textbook manifest verbatim', () => {
    expect(ok(parseHpaManifest(TEXTBOOK, { file: 'k8s/inference-hpa.yaml' }))).toEqual({
      name: 'inference-hpa',
      minReplicas: 3,
      maxReplicas: 50,
      metrics: [
        { type: 'Pods', name: 'inference_qps', target: { type: 'AverageValue', averageValue: 100 } },
        { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      ],
      behavior: null,
    });
  });

  it('accepts autoscaling/v2beta2 the same way', () => {
    const spec = ok(parseHpaManifest(TEXTBOOK.replace('autoscaling/v2', 'autoscaling/v2beta2'), { file: 'a.yaml' }));
    expect(spec.maxReplicas).toBe(50);
    expect(spec.metrics).toHaveLength(2);
  });

  it('accepts autoscaling/v1 targetCPUUtilizationPercentage', () => {
    const text = `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: { name: old }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: x }
  maxReplicas: 10
  targetCPUUtilizationPercentage: 60
`;
    expect(ok(parseHpaManifest(text, { file: 'v1.yaml' }))).toEqual({
      name: 'old',
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } }],
      behavior: null,
    });
  });

  it('picks the HPA out of a multi-document file, ignoring metadata labels and status', () => {
    const withExtras = TEXTBOOK.replace(
      'metadata: { name: inference-hpa }',
      'metadata: { name: inference-hpa, namespace: prod, labels: { team: ml }, annotations: { a: b } }',
    );
    const text = `${DEPLOYMENT}---\n${withExtras}status: { currentReplicas: 3, desiredReplicas: 3 }\n---\n`;
    const spec = ok(parseHpaManifest(text, { file: 'k8s/all.yaml' }));
    expect(spec.name).toBe('inference-hpa');
    expect(spec.minReplicas).toBe(3);
  });

  it('picks the named HPA among several', () => {
    const text = `${hpa('a', 'maxReplicas: 4')}---\n${hpa('b', 'maxReplicas: 9')}`;
    const spec = ok(parseHpaManifest(text, { file: 'two.yaml', name: 'b' }));
    expect(spec.name).toBe('b');
    expect(spec.maxReplicas).toBe(9);
  });

  it('looks inside a kind: List', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: { name: listed }
  spec: { maxReplicas: 7 }
`;
    expect(ok(parseHpaManifest(text, { file: 'list.yaml' })).maxReplicas).toBe(7);
  });

  it('errors, listing the names, when several HPAs are present and none is chosen', () => {
    const text = `${hpa('a')}---\n${hpa('b')}`;
    const [e, ...rest] = errs(parseHpaManifest(text, { file: 'two.yaml' }));
    expect(rest).toEqual([]);
    expect(e?.path).toBe('two.yaml');
    expect(e?.code).toBe('invalid_file');
    expect(e?.message).toContain('2 HorizontalPodAutoscalers (a, b)');
  });

  it('errors when the named HPA is absent, listing those present', () => {
    const e = errs(parseHpaManifest(`${hpa('a')}---\n${hpa('b')}`, { file: 'two.yaml', name: 'c' }));
    expect(e).toEqual([{ code: 'invalid_file', path: 'two.yaml', message: 'no HorizontalPodAutoscaler named "c" (found: a, b)' }]);
  });

  it('errors when the file holds no HPA', () => {
    const e = errs(parseHpaManifest(DEPLOYMENT, { file: 'dep.yaml' }));
    expect(e).toEqual([{ code: 'invalid_file', path: 'dep.yaml', message: 'no HorizontalPodAutoscaler (kinds found: Deployment)' }]);
    expect(errs(parseHpaManifest('', { file: 'empty.yaml' }))[0]?.path).toBe('empty.yaml');
  });

  it('reports YAML syntax errors against the file', () => {
    const e = errs(parseHpaManifest('spec: [unclosed\n', { file: 'bad.yaml' }));
    expect(e.length).toBeGreaterThan(0);
    expect(e[0]?.path).toBe('bad.yaml');
    expect(e[0]?.code).toBe('invalid_syntax');
    expect(e[0]?.message).toMatch(/^YAML: /);
  });

  it('rejects other API versions, pointing at v2 for v2beta1', () => {
    const v2beta1 = errs(parseHpaManifest(hpa('x').replace('autoscaling/v2', 'autoscaling/v2beta1'), { file: 'h.yaml' }));
    expect(v2beta1[0]?.path).toBe('h.yaml:apiVersion');
    expect(v2beta1[0]?.code).toBe('unsupported');
    expect(v2beta1[0]?.message).toContain('write it as autoscaling/v2');
    const other = errs(parseHpaManifest(hpa('x').replace('autoscaling/v2', 'apps/v1'), { file: 'h.yaml' }));
    expect(other[0]?.message).toContain('got "apps/v1"');
    expect(other[0]?.code).toBe('invalid_enum_value');
  });

  it('reports every spec error with a path into the file', () => {
    const text = hpa(
      'x',
      `minReplicas: 5
  maxReplicas: 2
  minReplica: 1
  metrics:
  - type: Pods
    pods:
      metric: { name: qps }
      target: { type: AverageValue, averageValue: lots }
  - type: Resource
    resource: { name: cpu, target: { type: Value, value: 1 } }`,
    );
    const paths = errs(parseHpaManifest(text, { file: 'h.yaml' })).map((e) => e.path);
    expect(paths).toEqual([
      'h.yaml:spec.minReplica',
      'h.yaml:spec.metrics[0].pods.target.averageValue',
      'h.yaml:spec.metrics[1].resource.target.type',
      'h.yaml:spec.maxReplicas',
    ]);
  });
});

describe('parseHpaSpec', () => {
  it('defaults minReplicas to 1 and metrics to cpu Utilization 80, behavior to null', () => {
    expect(ok(parseHpaSpec({ maxReplicas: 10 }, 'autoscaler.spec'))).toEqual({
      name: 'hpa',
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } }],
      behavior: null,
    });
  });

  it('fills a partial behavior with the Kubernetes defaults, per direction and per field', () => {
    const spec = ok(
      parseHpaSpec(
        {
          maxReplicas: 10,
          behavior: { scaleDown: { stabilizationWindowSeconds: 60 }, scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
        },
        'autoscaler.spec',
      ),
    );
    expect(spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    const emptyBehavior = ok(parseHpaSpec({ maxReplicas: 10, behavior: {} }, 's'));
    expect(emptyBehavior.behavior).toEqual({ scaleUp: defaultScaleUpRules(), scaleDown: defaultScaleDownRules() });
    expect(defaultScaleUpRules()).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    expect(defaultScaleDownRules()).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
  });

  it('parses every metric source and quantity form', () => {
    const spec = ok(
      parseHpaSpec(
        {
          minReplicas: 0,
          maxReplicas: 20,
          metrics: [
            { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '2Gi' } } },
            { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'triton', target: { type: 'Utilization', averageUtilization: 60 } } },
            { type: 'Pods', pods: { metric: { name: 'queue', selector: { matchLabels: { a: 'b' } } }, target: { type: 'AverageValue', averageValue: '500m' } } },
            {
              type: 'Object',
              object: {
                describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' },
                metric: { name: 'requests-per-second' },
                target: { type: 'Value', value: '10k' },
              },
            },
            { type: 'External', external: { metric: { name: 'queue_messages' }, target: { type: 'AverageValue', averageValue: 30 } } },
          ],
          behavior: { scaleUp: { selectPolicy: 'Disabled', tolerance: '50m' } },
        },
        'autoscaler.spec',
        'inline',
      ),
    );
    expect(spec.minReplicas).toBe(0);
    expect(spec.name).toBe('inline');
    expect(spec.metrics).toEqual([
      { type: 'Resource', name: 'memory', target: { type: 'AverageValue', averageValue: 2 ** 31 } },
      { type: 'ContainerResource', name: 'cpu', container: 'triton', target: { type: 'Utilization', averageUtilization: 60 } },
      { type: 'Pods', name: 'queue', target: { type: 'AverageValue', averageValue: 0.5 } },
      { type: 'Object', name: 'requests-per-second', target: { type: 'Value', value: 10000 } },
      { type: 'External', name: 'queue_messages', target: { type: 'AverageValue', averageValue: 30 } },
    ]);
    expect(spec.behavior?.scaleUp.selectPolicy).toBe('Disabled');
    expect(spec.behavior?.scaleUp.tolerance).toBe(0.05);
    expect(spec.behavior?.scaleDown.tolerance).toBeUndefined();
  });

  it('rejects invalid values with paths under the prefix', () => {
    const e = errs(
      parseHpaSpec(
        {
          minReplicas: 0,
          maxReplicas: 3.5,
          metrics: [
            { type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: 0 } } },
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70, averageValue: '1' } } },
            { type: 'Pods', resource: { name: 'cpu' } },
            { type: 'Custom' },
          ],
          behavior: {
            scaleUp: { selectPolicy: 'Fastest', policies: [] },
            scaleDown: { stabilizationWindowSeconds: 4000, policies: [{ type: 'Percent', value: 10, periodSeconds: 3600 }] },
          },
        },
        'autoscaler.spec',
      ),
    );
    expect(e).toEqual([
      { code: 'too_small', path: 'autoscaler.spec.metrics[0].pods.target.averageValue', message: 'must be positive (got 0)' },
      { code: 'cross_field', path: 'autoscaler.spec.metrics[1].resource.target.averageValue', message: 'must not be set when type is Utilization (set averageUtilization)' },
      { code: 'cross_field', path: 'autoscaler.spec.metrics[2].resource', message: 'must not be set when type is Pods (only pods)' },
      { code: 'required', path: 'autoscaler.spec.metrics[2].pods', message: 'required when type is Pods' },
      { code: 'invalid_enum_value', path: 'autoscaler.spec.metrics[3].type', message: 'must be one of Resource, ContainerResource, Pods, Object, External (got "Custom")' },
      { code: 'invalid_enum_value', path: 'autoscaler.spec.behavior.scaleUp.selectPolicy', message: 'must be Max, Min or Disabled (got "Fastest")' },
      { code: 'too_small', path: 'autoscaler.spec.behavior.scaleUp.policies', message: 'must specify at least one policy' },
      { code: 'too_big', path: 'autoscaler.spec.behavior.scaleDown.stabilizationWindowSeconds', message: 'must be between 0 and 3600 (got 4000)' },
      { code: 'too_big', path: 'autoscaler.spec.behavior.scaleDown.policies[0].periodSeconds', message: 'must be between 1 and 1800 (got 3600)' },
      { code: 'too_small', path: 'autoscaler.spec.minReplicas', message: 'must be ≥ 1 (got 0)' },
      { code: 'invalid_type', path: 'autoscaler.spec.maxReplicas', message: 'must be an integer (got 3.5)' },
    ]);
    expect(errs(parseHpaSpec({ minReplicas: 2 }, 's'))).toEqual([{ code: 'required', path: 's.maxReplicas', message: 'required' }]);
    expect(errs(parseHpaSpec('spec', 's'))).toEqual([{ code: 'invalid_type', path: 's', message: 'must be a mapping (got "spec")' }]);
  });
});
