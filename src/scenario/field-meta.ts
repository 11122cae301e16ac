/**
 * What each scenario field accepts (kind, unit, range, default), recorded by the schema's own
 * leaf builders (schema.ts) as they build each field. The JSON Schema (json-schema.ts) and
 * `infersim explain` read it from here, so neither can drift from what the loader accepts.
 */
import type { ZodTypeAny } from 'zod';

export interface FieldMeta {
  kind: 'number' | 'integer' | 'duration' | 'size' | 'boolean' | 'string' | 'enum';
  options?: readonly string[];
  min?: number;
  gt?: number;
  max?: number;
  lt?: number;
  /** Durations that must be > 0. */
  positive?: boolean;
  /** The default filled in when the field is left out (seconds for durations, bytes for sizes). */
  default?: unknown;
  required?: boolean;
}

/** A JSON Schema fragment for a field whose parser is not a plain leaf (latency tables, phase distributions …). */
export interface CustomJson {
  json: Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const byParse = new WeakMap<Function, FieldMeta>();
const byDef = new WeakMap<object, FieldMeta | CustomJson>();

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function tagParse<F extends Function>(fn: F, meta: FieldMeta): F {
  byParse.set(fn, meta);
  return fn;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function parseMeta(fn: Function): FieldMeta | undefined {
  return byParse.get(fn);
}

/** Records `meta` for the zod schema `s` (keyed by its definition object, which zod-to-json-schema hands to overrides). */
export function tagSchema<T extends ZodTypeAny>(s: T, meta: FieldMeta | CustomJson): T {
  byDef.set(s._def as object, meta);
  return s;
}

export function metaOfDef(def: unknown): FieldMeta | CustomJson | undefined {
  return typeof def === 'object' && def !== null ? byDef.get(def) : undefined;
}

export function isCustomJson(m: FieldMeta | CustomJson): m is CustomJson {
  return 'json' in m;
}

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const DURATION_PART = String.raw`${NUMBER}\s*(?:us|µs|μs|ms|s|m|h|d)`;
/** A duration string: "0", or one or more number-unit parts ("250us", "1h30m"). */
export const DURATION_PATTERN = String.raw`^\s*(?:-?\s*0|(?:${DURATION_PART}\s*)+)\s*$`;

export function durationJson(positive: boolean): Record<string, unknown> {
  return {
    anyOf: [positive ? { type: 'number', exclusiveMinimum: 0 } : { type: 'number', minimum: 0 }, { type: 'string', pattern: DURATION_PATTERN }],
  };
}

