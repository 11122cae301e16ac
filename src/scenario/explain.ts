/**
 * `infersim explain <path>`: a field's meaning, kind and unit, default and limits, and its
 * sub-fields (like `kubectl explain`), all read from the generated JSON Schema (json-schema.ts),
 * i.e. from the zod schema the loader validates with, plus the run-size LIMITS of load.ts.
 */
import { DURATION_PATTERN } from './field-meta.js';
import { scenarioJsonSchema } from './json-schema.js';
import { LIMITS } from '../config/limits.js';

type Json = Record<string, unknown>;

/** Limits enforced after validation (load.ts LIMITS), by path. */
const RUN_LIMITS: Readonly<Record<string, string>> = {
  duration: `at most 365d (${LIMITS.durationS} s)`,
  'fleet.replicas': `at most ${LIMITS.replicas} (over all regions or shards)`,
  'fleet.warmPool': `at most ${LIMITS.replicas}`,
  'fleet.instances': `at most ${LIMITS.instances}`,
  'fleet.batching.maxBatch': `at most ${LIMITS.maxBatch}`,
  'fleet.queue.maxDepth': `at most ${LIMITS.queueDepth}`,
  'model.latency': `each batch latency from 1us to 1h`,
  'model.variability.cv': `at most ${LIMITS.cv}`,
  'traffic.rate': `peak rate × duration at most ${LIMITS.expectedRequests} requests`,
  'traffic.diurnal.period': 'at least 1m',
  'traffic.burst.cv': `at most ${LIMITS.cv}`,
  'traffic.keys.count': `at most ${LIMITS.keyCount}`,
  'report.interval': `duration / interval at most ${LIMITS.timelineRows} rows`,
  'cache.capacity': `at most ${LIMITS.cacheEntries} entries over all regions or shards`,
  'autoscaler.syncPeriod': 'at least 1ms',
  'autoscaler.tick': 'at least 1ms',
  'autoscaler.metrics.scrapeInterval': 'at least 1ms',
  'autoscaler.metrics.window': 'at most 1h',
  'autoscaler.metrics.delay': 'at most 1h',
  'cost.gpuHourly': `at most $${LIMITS.hourlyUsd}`,
};

/** The fields of a mapping; for alternatives of several mappings (llm.autoscaler: an HPA or a KPA), every field any of them has, first seen first. */
function children(node: Json): Record<string, Json> | null {
  if (node.properties !== undefined) return node.properties as Record<string, Json>;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const objs = ((node[key] as Json[] | undefined) ?? []).filter((x) => x.properties !== undefined);
    if (objs.length === 0) continue;
    const merged: Record<string, Json> = {};
    for (const o of objs) for (const [k, v] of Object.entries(o.properties as Record<string, Json>)) if (merged[k] === undefined) merged[k] = v;
    return merged;
  }
  return null;
}

function step(node: Json, segment: string): Json | undefined {
  const props = children(node);
  if (props !== null && props[segment] !== undefined) return props[segment];
  const branches = [node, ...(((node.anyOf as Json[] | undefined) ?? []) as Json[])];
  for (const b of branches) {
    if (b.items !== undefined && (/^\d+$/.test(segment) || segment === '*')) return b.items as Json;
    if (typeof b.additionalProperties === 'object' && b.additionalProperties !== null) return b.additionalProperties as Json;
  }
  return undefined;
}

/** A short phrase for what a schema node accepts. */
export function kindPhrase(node: Json): string {
  const anyOf = node.anyOf as Json[] | undefined;
  if (anyOf !== undefined) {
    const str = anyOf.find((x) => x.type === 'string' && typeof x.pattern === 'string');
    if (str !== undefined && str.pattern === DURATION_PATTERN) {
      const n = anyOf.find((x) => x.type === 'number');
      return `duration: seconds, or a string with a unit (250us, 2ms, 1.5s, 15m, 2h, 1d)${n?.exclusiveMinimum === 0 ? ', > 0' : ''}`;
    }
    if (str !== undefined && String(str.pattern).includes('KiB')) return 'size: bytes, or a string with a unit (512B, 2KiB, 1MB)';
    return anyOf.map(kindPhrase).join(' | ');
  }
  if (Array.isArray(node.enum)) return `one of ${(node.enum as string[]).join(' | ')}`;
  const t = node.type;
  if (t === 'number' || t === 'integer') {
    const parts: string[] = [];
    if (node.minimum !== undefined) parts.push(`≥ ${String(node.minimum)}`);
    if (node.exclusiveMinimum !== undefined) parts.push(`> ${String(node.exclusiveMinimum)}`);
    if (node.maximum !== undefined) parts.push(`≤ ${String(node.maximum)}`);
    if (node.exclusiveMaximum !== undefined) parts.push(`< ${String(node.exclusiveMaximum)}`);
    return [t, ...parts].join(' ');
  }
  if (t === 'string') return 'string';
  if (t === 'boolean') return 'true | false';
  if (t === 'array') return `list of ${kindPhrase((node.items as Json | undefined) ?? {})}`;
  if (t === 'object') {
    if (node.properties !== undefined) return 'mapping';
    const extra = node.additionalProperties;
    const keys = (node.propertyNames as Json | undefined)?.pattern === '^[0-9]+$' ? 'batch size' : 'name';
    return typeof extra === 'object' && extra !== null ? `mapping of ${keys} → ${kindPhrase(extra as Json)}` : 'mapping';
  }
  return 'any value';
}

/** Run-size limits of an LLM scenario's fields beyond the schema's ranges (llm/scenario.ts: the request-level ones on a rate shape). */
const LLM_RUN_LIMITS: Readonly<Record<string, string>> = {
  'traffic.rate': RUN_LIMITS['traffic.rate']!,
  'traffic.diurnal.period': RUN_LIMITS['traffic.diurnal.period']!,
  'traffic.burst.cv': RUN_LIMITS['traffic.burst.cv']!,
};

/**
 * The explanation of `path` (dotted, list indices as numbers or *), or null when no scenario has
 * such a field. A field of request-level scenarios reads as before; one only LLM scenarios (a
 * top-level llm: block) have says so; one both have but differently (traffic, slo, duration) is
 * explained for each.
 */
export function explainField(path: string): string | null {
  const schema = scenarioJsonSchema();
  const request = explainIn(schema.else as Json, path, RUN_LIMITS);
  const llm = explainIn(schema.then as Json, path, LLM_RUN_LIMITS);
  if (llm === null || llm === request) return request;
  if (request === null) return llm.replace('\n', `\n${LLM_ONLY}\n`);
  return `${request}\n\n${IN_LLM}\n\n${llm}`;
}

const LLM_ONLY = 'SCENARIO: LLM scenarios only (a document with a top-level llm: block)';
const IN_LLM = 'IN AN LLM SCENARIO (a document with a top-level llm: block):';

function explainIn(root: Json, path: string, limits: Readonly<Record<string, string>>): string | null {
  const segments = path.trim() === '' || path === '.' ? [] : path.split('.');
  let node: Json | undefined = root;
  let parent: Json | null = null;
  for (const s of segments) {
    if (node === undefined) return null;
    parent = node;
    node = step(node, s);
  }
  if (node === undefined) return null;
  const shown = segments.join('.') || '(the scenario)';
  const lines = [`FIELD:    ${shown}`, `KIND:     ${kindPhrase(node)}`];
  const last = segments[segments.length - 1];
  const required = parent !== null && last !== undefined && Array.isArray(parent.required) && (parent.required as string[]).includes(last);
  if (node.default !== undefined) lines.push(`DEFAULT:  ${JSON.stringify(node.default)}${kindPhrase(node).startsWith('duration') ? ' (seconds)' : ''}`);
  else lines.push(`DEFAULT:  ${required ? '(required)' : '(none: not set unless written)'}`);
  const generic = segments.map((s) => (/^\d+$/.test(s) ? '*' : s)).join('.');
  const limit = limits[generic];
  if (limit !== undefined) lines.push(`LIMITS:   ${limit}`);
  lines.push('', 'DESCRIPTION:', `  ${typeof node.description === 'string' ? node.description : '(no description)'}`);
  const props = children(node) ?? (node.items !== undefined ? children(node.items as Json) : null);
  if (props !== null) {
    lines.push('', 'FIELDS:');
    const width = Math.max(...Object.keys(props).map((k) => k.length));
    // a list's fields are its items' (models: name is required in each)
    const req = new Set<string>((node.required as string[] | undefined) ?? ((node.items as Json | undefined)?.required as string[] | undefined) ?? []);
    for (const [k, v] of Object.entries(props)) {
      const d = typeof v.description === 'string' ? v.description : '';
      const first = d.length > 90 ? `${d.slice(0, 87)}…` : d;
      lines.push(`  ${k.padEnd(width)}  ${req.has(k) ? '(required) ' : ''}${first}`);
    }
  }
  return lines.join('\n');
}
