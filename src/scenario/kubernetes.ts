/**
 * HorizontalPodAutoscaler manifests → the plain HPA spec the controller in
 * scaling/hpa.ts runs. Manifests are accepted as a platform engineer writes them
 * (autoscaling/v2, v2beta2 or v1, several YAML documents, fields infersim does not
 * use such as scaleTargetRef or labels), and defaulted the way the API server
 * defaults them, so the simulated HPA behaves like the one the cluster would run.
 */
import { parseAllDocuments } from 'yaml';
import { duplicateKeys, YAML_OPTIONS, yamlToPlain } from './plain.js';
import { pathText, type IssueCode } from './issues.js';
import { quote } from './messages.js';
import { DEFAULT_CPU_UTILIZATION_PERCENT, defaultScaleDownRules, defaultScaleUpRules, type HpaMetric, type HpaPolicy, type HpaRules, type HpaSpec, type HpaTarget } from '../config/hpa.js';

/** A problem in an HPA: its code (issues.ts), where it is in kubectl's notation (`FILE:spec.metrics[0].type`, or under the inline spec's prefix), what is wrong. */
export interface HpaParseError {
  code: IssueCode;
  path: string;
  message: string;
}

export type HpaParseResult = HpaSpec | { errors: HpaParseError[] };

/** True when a parse result is the error form rather than a spec. */
export function isHpaParseError(result: HpaParseResult): result is { errors: HpaParseError[] } {
  return 'errors' in result;
}

const DECIMAL_SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
// Same grammar as resource.Quantity: signed decimal, then a binary suffix, a decimal
// suffix or an e/E exponent ("1E3" is an exponent, a bare trailing "E" is exa).
const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(n|u|m|k|M|G|T|P|E))?$/;

/** Parses a Kubernetes resource.Quantity ("100", "500m", "1k", "2Gi", "1e3" or a YAML number); null when it is not one. */
export function parseQuantity(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = QUANTITY_RE.exec(value.trim());
  if (match === null) return null;
  const [, digits, binary, exponent, decimal] = match;
  const base = Number(digits);
  let result: number;
  if (binary !== undefined) result = base * (BINARY_SUFFIX[binary] ?? NaN);
  else if (exponent !== undefined) result = base * 10 ** Number(exponent);
  else result = base * (DECIMAL_SUFFIX[decimal ?? ''] ?? NaN);
  return Number.isFinite(result) ? result : null;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'a list';
  if (isObj(value)) return 'a mapping';
  return String(value);
}

class Issues {
  readonly list: HpaParseError[] = [];
  add(code: IssueCode, path: string, message: string): void {
    this.list.push({ code, path, message });
  }
  /** A value that is missing (required) or present but not a mapping (invalid_type). */
  notMapping(path: string, raw: unknown, missing = 'required'): void {
    this.add(raw === undefined ? 'required' : 'invalid_type', path, raw === undefined ? missing : `must be a mapping (got ${describe(raw)})`);
  }
}

/** Mirrors kubectl's strict field validation, which rejects keys the API does not know (typos). */
function checkFields(obj: Obj, allowed: readonly string[], path: string, issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.add('unknown_key', join(path, key), `unknown field (expected one of: ${allowed.join(', ')})`);
  }
}

function readInt(
  obj: Obj,
  key: string,
  path: string,
  issues: Issues,
  bounds: { min: number; max?: number },
): number | undefined {
  const raw = obj[key];
  if (raw === undefined || raw === null) return undefined;
  const p = join(path, key);
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    issues.add('invalid_type', p, `must be an integer (got ${describe(raw)})`);
    return undefined;
  }
  if (raw < bounds.min || (bounds.max !== undefined && raw > bounds.max)) {
    const range = bounds.max === undefined ? `≥ ${bounds.min}` : `between ${bounds.min} and ${bounds.max}`;
    issues.add(raw < bounds.min ? 'too_small' : 'too_big', p, `must be ${range} (got ${raw})`);
    return undefined;
  }
  return raw;
}

function readName(obj: Obj, key: string, path: string, issues: Issues): string | undefined {
  const raw = obj[key];
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  issues.add(raw === undefined ? 'required' : 'invalid_type', join(path, key), raw === undefined ? 'required' : `must be a non-empty string (got ${describe(raw)})`);
  return undefined;
}

function readPositiveQuantity(obj: Obj, key: string, path: string, issues: Issues): number | undefined {
  const raw = obj[key];
  const p = join(path, key);
  if (raw === undefined || raw === null) {
    issues.add('required', p, 'required');
    return undefined;
  }
  const q = parseQuantity(raw);
  if (q === null) {
    issues.add('invalid_format', p, `must be a quantity such as 100, "500m", "1k" or "2Gi" (got ${describe(raw)})`);
    return undefined;
  }
  if (q <= 0) {
    issues.add('too_small', p, `must be positive (got ${describe(raw)})`);
    return undefined;
  }
  return q;
}

type TargetType = HpaTarget['type'];
const TARGET_FIELD: Record<TargetType, 'averageUtilization' | 'averageValue' | 'value'> = {
  Utilization: 'averageUtilization',
  AverageValue: 'averageValue',
  Value: 'value',
};

function parseTarget(raw: unknown, path: string, allowed: readonly TargetType[], issues: Issues): HpaTarget | undefined {
  if (!isObj(raw)) {
    issues.notMapping(path, raw);
    return undefined;
  }
  checkFields(raw, ['type', 'value', 'averageValue', 'averageUtilization'], path, issues);
  const type = raw.type;
  if (typeof type !== 'string' || !(allowed as readonly string[]).includes(type)) {
    issues.add('invalid_enum_value', join(path, 'type'), `must be ${allowed.join(' or ')} for this metric (got ${describe(type)})`);
    return undefined;
  }
  const targetType = type as TargetType;
  const field = TARGET_FIELD[targetType];
  for (const other of Object.values(TARGET_FIELD)) {
    if (other !== field && raw[other] !== undefined && raw[other] !== null) {
      issues.add('cross_field', join(path, other), `must not be set when type is ${targetType} (set ${field})`);
    }
  }
  if (targetType === 'Utilization') {
    if (raw.averageUtilization === undefined || raw.averageUtilization === null) {
      issues.add('required', join(path, 'averageUtilization'), 'required');
      return undefined;
    }
    const pct = readInt(raw, 'averageUtilization', path, issues, { min: 1 });
    return pct === undefined ? undefined : { type: 'Utilization', averageUtilization: pct };
  }
  const q = readPositiveQuantity(raw, field, path, issues);
  if (q === undefined) return undefined;
  return targetType === 'AverageValue' ? { type: 'AverageValue', averageValue: q } : { type: 'Value', value: q };
}

/** metric: { name, selector } — the selector only narrows series in a real metrics adapter, so it is accepted and unused. */
function parseMetricIdentifier(raw: unknown, path: string, issues: Issues): string | undefined {
  if (!isObj(raw)) {
    issues.notMapping(path, raw);
    return undefined;
  }
  checkFields(raw, ['name', 'selector'], path, issues);
  return readName(raw, 'name', path, issues);
}

const SOURCE_KEY = {
  Resource: 'resource',
  ContainerResource: 'containerResource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
} as const;
type MetricType = keyof typeof SOURCE_KEY;

function parseMetric(raw: unknown, path: string, issues: Issues): HpaMetric | undefined {
  if (!isObj(raw)) {
    issues.add('invalid_type', path, `must be a mapping (got ${describe(raw)})`);
    return undefined;
  }
  checkFields(raw, ['type', ...Object.values(SOURCE_KEY)], path, issues);
  const type = raw.type;
  if (typeof type !== 'string' || !(type in SOURCE_KEY)) {
    issues.add('invalid_enum_value', join(path, 'type'), `must be one of ${Object.keys(SOURCE_KEY).join(', ')} (got ${describe(type)})`);
    return undefined;
  }
  const metricType = type as MetricType;
  const key = SOURCE_KEY[metricType];
  for (const other of Object.values(SOURCE_KEY)) {
    if (other !== key && raw[other] !== undefined && raw[other] !== null) {
      issues.add('cross_field', join(path, other), `must not be set when type is ${metricType} (only ${key})`);
    }
  }
  const src = raw[key];
  const srcPath = join(path, key);
  if (!isObj(src)) {
    issues.notMapping(srcPath, src, `required when type is ${metricType}`);
    return undefined;
  }
  const targetPath = join(srcPath, 'target');
  switch (metricType) {
    case 'Resource': {
      checkFields(src, ['name', 'target'], srcPath, issues);
      const name = readName(src, 'name', srcPath, issues);
      const target = parseTarget(src.target, targetPath, ['Utilization', 'AverageValue'], issues);
      return name === undefined || target === undefined ? undefined : { type: 'Resource', name, target };
    }
    case 'ContainerResource': {
      checkFields(src, ['name', 'container', 'target'], srcPath, issues);
      const name = readName(src, 'name', srcPath, issues);
      const container = readName(src, 'container', srcPath, issues);
      const target = parseTarget(src.target, targetPath, ['Utilization', 'AverageValue'], issues);
      return name === undefined || container === undefined || target === undefined
        ? undefined
        : { type: 'ContainerResource', name, container, target };
    }
    case 'Pods': {
      checkFields(src, ['metric', 'target'], srcPath, issues);
      const name = parseMetricIdentifier(src.metric, join(srcPath, 'metric'), issues);
      const target = parseTarget(src.target, targetPath, ['AverageValue'], issues);
      return name === undefined || target === undefined ? undefined : { type: 'Pods', name, target };
    }
    case 'Object': {
      checkFields(src, ['describedObject', 'metric', 'target'], srcPath, issues);
      const name = parseMetricIdentifier(src.metric, join(srcPath, 'metric'), issues);
      const target = parseTarget(src.target, targetPath, ['Value', 'AverageValue'], issues);
      return name === undefined || target === undefined ? undefined : { type: 'Object', name, target };
    }
    case 'External': {
      checkFields(src, ['metric', 'target'], srcPath, issues);
      const name = parseMetricIdentifier(src.metric, join(srcPath, 'metric'), issues);
      const target = parseTarget(src.target, targetPath, ['Value', 'AverageValue'], issues);
      return name === undefined || target === undefined ? undefined : { type: 'External', name, target };
    }
  }
}

function parsePolicy(raw: unknown, path: string, issues: Issues): HpaPolicy | undefined {
  if (!isObj(raw)) {
    issues.add('invalid_type', path, `must be a mapping (got ${describe(raw)})`);
    return undefined;
  }
  checkFields(raw, ['type', 'value', 'periodSeconds'], path, issues);
  const type = raw.type;
  if (type !== 'Pods' && type !== 'Percent') issues.add('invalid_enum_value', join(path, 'type'), `must be Pods or Percent (got ${describe(type)})`);
  if (raw.value === undefined || raw.value === null) issues.add('required', join(path, 'value'), 'required');
  if (raw.periodSeconds === undefined || raw.periodSeconds === null) issues.add('required', join(path, 'periodSeconds'), 'required');
  const value = readInt(raw, 'value', path, issues, { min: 1 });
  const periodSeconds = readInt(raw, 'periodSeconds', path, issues, { min: 1, max: 1800 });
  if ((type !== 'Pods' && type !== 'Percent') || value === undefined || periodSeconds === undefined) return undefined;
  return { type, value, periodSeconds };
}

/** Fills what the rules leave out from `defaults`, field by field, as the API server's defaulting does. */
function parseRules(raw: unknown, path: string, defaults: HpaRules, issues: Issues): HpaRules {
  if (raw === undefined || raw === null) return defaults;
  if (!isObj(raw)) {
    issues.add('invalid_type', path, `must be a mapping (got ${describe(raw)})`);
    return defaults;
  }
  checkFields(raw, ['stabilizationWindowSeconds', 'selectPolicy', 'policies', 'tolerance'], path, issues);
  const rules: HpaRules = { ...defaults };
  const window = readInt(raw, 'stabilizationWindowSeconds', path, issues, { min: 0, max: 3600 });
  if (window !== undefined) rules.stabilizationWindowSeconds = window;
  const select = raw.selectPolicy;
  if (select !== undefined && select !== null) {
    if (select === 'Max' || select === 'Min' || select === 'Disabled') rules.selectPolicy = select;
    else issues.add('invalid_enum_value', join(path, 'selectPolicy'), `must be Max, Min or Disabled (got ${describe(select)})`);
  }
  const policies = raw.policies;
  if (policies !== undefined && policies !== null) {
    const pPath = join(path, 'policies');
    if (!Array.isArray(policies)) issues.add('invalid_type', pPath, `must be a list (got ${describe(policies)})`);
    else if (policies.length === 0) issues.add('too_small', pPath, 'must specify at least one policy');
    else {
      const parsed = policies.map((p, i) => parsePolicy(p, `${pPath}[${i}]`, issues));
      if (parsed.every((p): p is HpaPolicy => p !== undefined)) rules.policies = parsed;
    }
  }
  const tol = raw.tolerance;
  if (tol !== undefined && tol !== null) {
    const q = parseQuantity(tol);
    if (q === null || q < 0) issues.add(q === null ? 'invalid_format' : 'too_small', join(path, 'tolerance'), `must be a non-negative quantity such as "0.05" or "50m" (got ${describe(tol)})`);
    else rules.tolerance = q;
  }
  return rules;
}

function parseBehavior(raw: unknown, path: string, issues: Issues): HpaSpec['behavior'] {
  if (raw === undefined || raw === null) return null;
  if (!isObj(raw)) {
    issues.add('invalid_type', path, `must be a mapping (got ${describe(raw)})`);
    return null;
  }
  checkFields(raw, ['scaleUp', 'scaleDown'], path, issues);
  return {
    scaleUp: parseRules(raw.scaleUp, join(path, 'scaleUp'), defaultScaleUpRules(), issues),
    scaleDown: parseRules(raw.scaleDown, join(path, 'scaleDown'), defaultScaleDownRules(), issues),
  };
}

function defaultMetrics(): HpaMetric[] {
  return [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION_PERCENT } }];
}

type ApiVersion = 'v2' | 'v1';

function parseSpecInto(raw: unknown, path: string, name: string, version: ApiVersion, issues: Issues): HpaSpec | undefined {
  if (!isObj(raw)) {
    issues.notMapping(path, raw);
    return undefined;
  }
  let metrics: HpaMetric[] = [];
  let behavior: HpaSpec['behavior'] = null;
  if (version === 'v1') {
    checkFields(raw, ['scaleTargetRef', 'minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage'], path, issues);
    const pct = readInt(raw, 'targetCPUUtilizationPercentage', path, issues, { min: 1 });
    metrics = [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: pct ?? DEFAULT_CPU_UTILIZATION_PERCENT } }];
  } else {
    checkFields(raw, ['scaleTargetRef', 'minReplicas', 'maxReplicas', 'metrics', 'behavior'], path, issues);
    const list = raw.metrics;
    const mPath = join(path, 'metrics');
    if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) metrics = defaultMetrics();
    else if (!Array.isArray(list)) issues.add('invalid_type', mPath, `must be a list (got ${describe(list)})`);
    else {
      list.forEach((m, i) => {
        const metric = parseMetric(m, `${mPath}[${i}]`, issues);
        if (metric !== undefined) metrics.push(metric);
      });
    }
    behavior = parseBehavior(raw.behavior, join(path, 'behavior'), issues);
  }

  // minReplicas 0 is only valid with an Object or External metric (HPAScaleToZero): nothing else can wake the target.
  const canScaleToZero = metrics.some((m) => m.type === 'Object' || m.type === 'External');
  const minReplicas = readInt(raw, 'minReplicas', path, issues, { min: canScaleToZero ? 0 : 1 }) ?? 1;
  if (raw.maxReplicas === undefined || raw.maxReplicas === null) issues.add('required', join(path, 'maxReplicas'), 'required');
  const maxReplicas = readInt(raw, 'maxReplicas', path, issues, { min: 1 });
  if (maxReplicas !== undefined && maxReplicas < minReplicas) {
    issues.add('cross_field', join(path, 'maxReplicas'), `must be ≥ minReplicas (${minReplicas}); got ${maxReplicas}`);
  }
  if (issues.list.length > 0 || maxReplicas === undefined) return undefined;
  return { name, minReplicas, maxReplicas, metrics, behavior };
}

/** Parses an inline HPA `spec` (autoscaling/v2 shape) with API-server defaults; error paths start with `pathPrefix`. */
export function parseHpaSpec(spec: unknown, pathPrefix: string, name = 'hpa'): HpaParseResult {
  const issues = new Issues();
  const parsed = parseSpecInto(spec, pathPrefix, name, 'v2', issues);
  return parsed === undefined ? { errors: issues.list } : parsed;
}

interface Candidate {
  doc: Obj;
  path: string;
  name: string | null;
}

function metadataName(doc: Obj): string | null {
  const meta = doc.metadata;
  return isObj(meta) && typeof meta.name === 'string' ? meta.name : null;
}

/**
 * Picks the HorizontalPodAutoscaler out of a (possibly multi-document) YAML file and
 * parses it; `opts.name` selects by metadata.name. Error paths read `FILE:spec.…`.
 */
export function parseHpaManifest(text: string, opts: { file: string; name?: string }): HpaParseResult {
  const file = opts.file;
  const errors: HpaParseError[] = [];
  const docs = parseAllDocuments(text, YAML_OPTIONS);
  if (!Array.isArray(docs)) return { errors: [{ code: 'invalid_file', path: file, message: 'empty file: no HorizontalPodAutoscaler' }] };

  const candidates: Candidate[] = [];
  const kinds: string[] = [];
  docs.forEach((doc, d) => {
    if (doc.errors.length > 0 || duplicateKeys(doc).length > 0) {
      for (const e of doc.errors) errors.push({ code: 'invalid_syntax', path: file, message: `YAML: ${e.message}` });
      for (const _k of duplicateKeys(doc)) errors.push({ code: 'invalid_syntax', path: file, message: 'YAML: Map keys must be unique' });
      return;
    }
    const plain = yamlToPlain(doc); // alias bombs, unresolved or self-referencing aliases
    if (!('value' in plain)) {
      errors.push({ code: plain.code, path: plain.path.length === 0 ? file : `${file}:${pathText(plain.path)}`, message: plain.message });
      return;
    }
    const value: unknown = plain.value;
    if (value === null || value === undefined) return;
    const docPath = docs.length > 1 ? `${file}[document ${d + 1}]` : file;
    if (!isObj(value)) {
      errors.push({ code: 'invalid_file', path: docPath, message: `must be a Kubernetes object (got ${describe(value)})` });
      return;
    }
    // `kubectl get -o yaml` of several objects gives a List; look inside it.
    const items = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    items.forEach((item, i) => {
      if (!isObj(item)) return;
      const itemPath = items.length > 1 || item !== value ? `${docPath}.items[${i}]` : docPath;
      const kind = typeof item.kind === 'string' ? item.kind : '(no kind)';
      kinds.push(kind);
      if (kind === 'HorizontalPodAutoscaler') candidates.push({ doc: item, path: itemPath, name: metadataName(item) });
    });
  });
  if (errors.length > 0) return { errors };

  const names = candidates.map((c) => c.name ?? '(unnamed)');
  let chosen: Candidate[] = candidates;
  if (opts.name !== undefined) {
    chosen = candidates.filter((c) => c.name === opts.name);
    if (chosen.length === 0) {
      const found = candidates.length === 0 ? 'it holds none' : `found: ${names.join(', ')}`;
      return { errors: [{ code: 'invalid_file', path: file, message: `no HorizontalPodAutoscaler named "${opts.name}" (${found})` }] };
    }
    if (chosen.length > 1) {
      return { errors: [{ code: 'invalid_file', path: file, message: `${chosen.length} HorizontalPodAutoscalers are named "${opts.name}"` }] };
    }
  } else if (candidates.length === 0) {
    const found = kinds.length === 0 ? 'the file holds no objects' : `kinds found: ${[...new Set(kinds)].join(', ')}`;
    return { errors: [{ code: 'invalid_file', path: file, message: `no HorizontalPodAutoscaler (${found})` }] };
  } else if (candidates.length > 1) {
    return {
      errors: [{ code: 'invalid_file', path: file, message: `${candidates.length} HorizontalPodAutoscalers (${names.join(', ')}): choose one by name` }],
    };
  }

  const [hpa] = chosen;
  if (hpa === undefined) return { errors: [{ code: 'invalid_file', path: file, message: 'no HorizontalPodAutoscaler' }] };
  const apiVersion = hpa.doc.apiVersion;
  let version: ApiVersion;
  if (apiVersion === 'autoscaling/v2' || apiVersion === 'autoscaling/v2beta2') version = 'v2';
  else if (apiVersion === 'autoscaling/v1') version = 'v1';
  else if (apiVersion === 'autoscaling/v2beta1') {
    return {
      errors: [{ code: 'unsupported', path: `${hpa.path}:apiVersion`, message: 'autoscaling/v2beta1 uses the old metric format; write it as autoscaling/v2' }],
    };
  } else {
    return {
      errors: [{ code: 'invalid_enum_value', path: `${hpa.path}:apiVersion`, message: `must be autoscaling/v2, autoscaling/v2beta2 or autoscaling/v1 (got ${describe(apiVersion)})` }],
    };
  }
  const issues = new Issues();
  const spec = parseSpecInto(hpa.doc.spec, `${hpa.path}:spec`, hpa.name ?? '(unnamed)', version, issues);
  return spec === undefined ? { errors: issues.list } : spec;
}
