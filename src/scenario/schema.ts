/**
 * The scenario file's shape (zod v3), with units converted and static defaults filled.
 *
 * Why leaves are `z.unknown().transform(...)` rather than `z.number().int()`: a zod
 * type mismatch aborts the enclosing objects, which silently skips every cross-field
 * rule above it. Leaves that only ever add issues keep the document "dirty but
 * whole", so one pass reports every problem. Only structural mismatches (a section
 * that is not a mapping, a list that is not a list) still abort; load.ts maps those
 * zod issues to friendly text. Every leaf message comes from messages.ts.
 */
import { z } from 'zod';
import { findGpu, findMigProfile, gpuIds, profileLatency } from '../catalog/index.js';
import * as M from './messages.js';
import { parseDurationS, parseSizeBytes, UnitError } from './units.js';
import { durationJson, parseMeta, tagParse, tagSchema, type FieldMeta } from './field-meta.js';
import type { IssueCode, ScenarioIssue } from './issues.js';
import { KNATIVE } from '../config/kpa.js';

type Parse<T> = (v: unknown) => T;
type Leaf<T> = z.ZodEffects<z.ZodUnknown, T, unknown>;

/** A field validated by `parse`, which throws UnitError with a user-facing message. */
function leaf<T>(parse: Parse<T>): Leaf<T> {
  const schema = z.unknown().transform((v, ctx): T => {
    try {
      return parse(v);
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: e.message, params: { code: e.code } });
      return z.NEVER;
    }
  });
  // what the field accepts, for the JSON Schema and `infersim explain` (field-meta.ts)
  const meta = parseMeta(parse);
  return meta === undefined ? schema : tagSchema(schema, meta);
}

/** The field-meta.ts record of `inner`, with `extra` on top, on the wrapper `fn`. */
function wrapMeta<F extends Parse<unknown>>(fn: F, inner: Parse<unknown>, extra: Partial<FieldMeta>): F {
  const m = parseMeta(inner);
  return m === undefined ? fn : tagParse(fn, { ...m, ...extra });
}

function req<T>(expected: string, parse: Parse<T>): Parse<T> {
  return wrapMeta((v) => {
    if (v === undefined) throw new UnitError(M.required(expected), 'required');
    return parse(v);
  }, parse, { required: true });
}

function opt<T>(parse: Parse<T>): Parse<T | undefined> {
  return wrapMeta((v: unknown) => (v === undefined ? undefined : parse(v)), parse, {});
}

function def<T>(fallback: T, parse: Parse<T>): Parse<T> {
  return wrapMeta((v: unknown) => (v === undefined ? fallback : parse(v)), parse, { default: fallback });
}

interface Range {
  int?: boolean;
  min?: number;
  gt?: number;
  max?: number;
  lt?: number;
}

function num(range: Range): Parse<number> {
  const phrase = M.rangePhrase(range);
  return tagParse((v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UnitError(M.mustBe(M.numberPhrase(phrase), v), 'invalid_type');
    const code = rangeProblem(range, v);
    if (code !== null) throw new UnitError(M.mustBe(phrase, v), code);
    return v;
  }, { kind: range.int === true ? 'integer' : 'number', ...range });
}

/** Which bound of `range` the finite number `v` breaks (a fraction for an integer is a type problem, as in zod), or null. */
export function rangeProblem(range: Range, v: number): 'invalid_type' | 'too_small' | 'too_big' | null {
  if (range.int === true && !Number.isInteger(v)) return 'invalid_type';
  if ((range.min !== undefined && v < range.min) || (range.gt !== undefined && v <= range.gt)) return 'too_small';
  if ((range.max !== undefined && v > range.max) || (range.lt !== undefined && v >= range.lt)) return 'too_big';
  return null;
}

const POSITIVE_INT: Range = { int: true, min: 1 };

/** Seconds; `positive` makes 0 (and negatives) "must be > 0" instead of "must be ≥ 0". */
function dur(positive: boolean): Parse<number> {
  return tagParse((v: unknown): number => {
    let seconds: number;
    try {
      seconds = parseDurationS(v);
    } catch (e) {
      if (positive && e instanceof UnitError && e.negative) throw new UnitError(M.mustBe(M.EXPECT.positive, v), 'too_small');
      throw e;
    }
    if (positive && seconds === 0) throw new UnitError(M.mustBe(M.EXPECT.positive, v), 'too_small');
    return seconds;
  }, { kind: 'duration', positive });
}

/** Seconds, a whole number of them in [range.min, range.max] (Knative's stable window). */
function wholeSecondsIn(range: { min: number; max: number }): Parse<number> {
  const phrase = M.stableWindowRange(range.min, range.max);
  const positive = dur(true);
  return tagParse((v: unknown): number => {
    const s = positive(v);
    if (!Number.isInteger(s)) throw new UnitError(M.mustBe(phrase, v), 'invalid_type');
    if (s < range.min) throw new UnitError(M.mustBe(phrase, v), 'too_small');
    if (s > range.max) throw new UnitError(M.mustBe(phrase, v), 'too_big');
    return s;
  }, { kind: 'duration', positive: true, min: range.min, max: range.max });
}

const size: Parse<number> = tagParse((v: unknown) => parseSizeBytes(v), { kind: 'size' });

const bool: Parse<boolean> = tagParse((v: unknown): boolean => {
  if (typeof v !== 'boolean') throw new UnitError(M.mustBe('true or false', v), 'invalid_type');
  return v;
}, { kind: 'boolean' });

const text: Parse<string> = tagParse((v: unknown): string => {
  if (typeof v !== 'string' || v.trim() === '') throw new UnitError(M.mustBe(M.EXPECT.nonEmptyString, v), 'invalid_type');
  // names reach terminals, file names and reports: an escape sequence would be sent to the terminal raw
  if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) throw new UnitError(M.mustBe(`${M.EXPECT.nonEmptyString} without control characters (escape codes, newlines, tabs)`, v), 'invalid_format');
  return v;
}, { kind: 'string' });

function choice<T extends string>(options: readonly T[]): Parse<T> {
  return tagParse((v: unknown): T => {
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    throw new UnitError(M.oneOf(options, v), 'invalid_enum_value');
  }, { kind: 'enum', options });
}

/** Strict mapping: unknown keys become `unrecognized_keys` issues that load.ts words per key. */
function obj<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, 'strict'> {
  return z.object(shape).strict();
}

/** A problem found by a rule over several fields (or a leaf's sibling): `code` defaults to cross_field. */
function issue(ctx: z.RefinementCtx, path: (string | number)[], message: string, code: IssueCode = 'cross_field'): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, path, message, params: { code } });
}

/** A number that a leaf produced (a failed leaf yields z.NEVER, which is not one). */
function ok(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

// ---------------------------------------------------------------- traffic

const stepSchema = obj({
  at: leaf(req(M.EXPECT.offset, dur(false))),
  rps: leaf(req(M.EXPECT.stepRps, num({ min: 0 }))),
  ramp: leaf(def(0, dur(false))),
}).describe(M.EXPECT.step);

const scheduleSchema = z.array(stepSchema).superRefine((steps, ctx) => {
  if (steps.length === 0) {
    issue(ctx, [], M.SCHEDULE_EMPTY, 'too_small');
    return;
  }
  const first = steps[0];
  if (first !== undefined && ok(first.at) && first.at !== 0) issue(ctx, [0, 'at'], M.scheduleFirstAt(first.at));
  for (let i = 1; i < steps.length; i++) {
    const prev = steps[i - 1];
    const cur = steps[i];
    if (prev === undefined || cur === undefined || !ok(prev.at) || !ok(cur.at)) continue;
    if (cur.at <= prev.at) issue(ctx, [i, 'at'], M.scheduleNotAscending(cur.at, prev.at));
    else if (ok(prev.ramp) && prev.at + prev.ramp > cur.at) {
      issue(ctx, [i - 1, 'ramp'], M.scheduleRampOverlap(prev.at + prev.ramp, cur.at));
    }
  }
  if (steps.every((s) => ok(s.rps)) && !steps.some((s) => s.rps > 0)) issue(ctx, [], M.SCHEDULE_ALL_ZERO);
});

const constantRate = z.number().superRefine((rps, ctx) => {
  if (!(rps > 0) || !Number.isFinite(rps)) issue(ctx, [], M.mustBe(M.EXPECT.positive, rps), 'too_small');
});

const BURST_KINDS = ['poisson', 'gamma', 'mmpp'] as const;
/** Defaults of `burst: { kind: mmpp }` fields (SCENARIO.md). */
export const MMPP_DEFAULTS = { highFactor: 3, lowFactor: 0.5, meanHighS: 10, meanLowS: 40 } as const;

const burstSchema = obj({
  kind: leaf(def<(typeof BURST_KINDS)[number]>('poisson', choice(BURST_KINDS))),
  cv: leaf(opt(num({ gt: 0 }))),
  highFactor: leaf(opt(num({ min: 0 }))),
  lowFactor: leaf(opt(num({ min: 0 }))),
  meanHigh: leaf(opt(dur(true))),
  meanLow: leaf(opt(dur(true))),
}).superRefine((b, ctx) => {
  if (typeof b.kind !== 'string') return;
  if (b.kind === 'gamma' && b.cv === undefined) issue(ctx, ['cv'], M.requiredForKind('gamma', M.EXPECT.gammaCv), 'required');
  if (b.kind !== 'gamma' && b.cv !== undefined) issue(ctx, ['cv'], M.onlyForKind('cv', 'gamma', b.kind));
  if (b.kind !== 'mmpp') {
    for (const f of ['highFactor', 'lowFactor', 'meanHigh', 'meanLow'] as const) {
      if (b[f] !== undefined) issue(ctx, [f], M.onlyForKind(f, 'mmpp', b.kind));
    }
    return;
  }
  const high = b.highFactor ?? MMPP_DEFAULTS.highFactor;
  const low = b.lowFactor ?? MMPP_DEFAULTS.lowFactor;
  if (ok(high) && ok(low) && !(high > low)) {
    if (b.highFactor !== undefined) issue(ctx, ['highFactor'], M.mmppHighFactor(low, high));
    else issue(ctx, ['lowFactor'], M.mmppLowFactor(high, low));
  }
});

const KEY_KINDS = ['unique', 'zipf', 'trace'] as const;
/** Zipf exponent when `keys.exponent` is omitted: the classic s = 1. */
export const ZIPF_DEFAULT_EXPONENT = 1;

const keysSchema = obj({
  kind: leaf(def<(typeof KEY_KINDS)[number]>('unique', choice(KEY_KINDS))),
  count: leaf(opt(num(POSITIVE_INT))),
  exponent: leaf(opt(num({ min: 0 }))),
}).superRefine((k, ctx) => {
  if (typeof k.kind !== 'string') return;
  if (k.kind === 'zipf' && k.count === undefined) {
    issue(ctx, ['count'], M.requiredForKind('zipf', M.EXPECT.zipfCount), 'required');
  }
  if (k.kind !== 'zipf') {
    for (const f of ['count', 'exponent'] as const) {
      if (k[f] !== undefined) issue(ctx, [f], M.onlyForKind(f, 'zipf', k.kind));
    }
  }
});

const TIME_FORMATS = ['auto', 'iso', 'epoch-s', 'epoch-ms'] as const;

const traceSchema = obj({
  file: leaf(req(M.EXPECT.traceFile, text)),
  timeColumn: leaf(def('TIMESTAMP', text)),
  keyColumn: leaf(opt(text)),
  speedup: leaf(def(1, num({ gt: 0 }))),
  rateMultiplier: leaf(def(1, num({ gt: 0 }))),
  loop: leaf(def(false, bool)),
  timeFormat: leaf(def<(typeof TIME_FORMATS)[number]>('auto', choice(TIME_FORMATS))),
});

const trafficSchema = obj({
  rate: z.union([constantRate, scheduleSchema]).describe(M.RATE_SHAPE).optional(),
  diurnal: obj({
    amplitude: leaf(req(M.EXPECT.amplitude, num({ min: 0, lt: 1 }))),
    period: leaf(def(24 * 3600, dur(true))),
    peakAt: leaf(def(14 * 3600, dur(false))),
  }).optional(),
  spikes: z
    .array(
      obj({
        at: leaf(req(M.EXPECT.offset, dur(false))),
        factor: leaf(req(M.EXPECT.spikeFactor, num({ gt: 0 }))),
        for: leaf(req(M.EXPECT.positiveDuration, dur(true))),
      }).describe(M.EXPECT.spike),
    )
    .describe(M.EXPECT.spikes)
    .default([]),
  burst: burstSchema.default({}),
  keys: keysSchema.default({}),
  trace: traceSchema.optional(),
  // files in (imports.ts): a Prometheus query_range JSON replayed as the rate schedule
  prometheus: leaf(opt(text)),
  scale: leaf(def(1, num({ gt: 0 }))),
});

/**
 * The rate-shape fields of `traffic` alone (diurnal, spikes, burst, scale; other keys left to the
 * caller): LLM scenarios take them with the request-level syntax and messages (load.ts parseRateShape).
 */
export const rateShapeSchema = z.object({ traffic: trafficSchema.pick({ diurnal: true, spikes: true, burst: true, scale: true }).strip() });

// ---------------------------------------------------------------- model

interface RawLatencyTable {
  batch: number[];
  latencyS: number[];
}

/** `{ 1: 4.25ms, 32: 12ms }` → parallel arrays sorted by batch, each key and value checked where it stands. */
const latencyTableSchema = z.unknown().transform((v, ctx): RawLatencyTable | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issue(ctx, [], M.mustBe(M.LATENCY_TABLE_SHAPE, v), 'invalid_type');
    return z.NEVER;
  }
  const points: { key: string; batch: number; latencyS: number }[] = [];
  let valid = true;
  for (const [key, value] of Object.entries(v)) {
    const batch = /^\d+$/.test(key.trim()) ? Number(key) : NaN;
    if (!Number.isSafeInteger(batch) || batch < 1) {
      issue(ctx, [key], M.batchKey(key), Number.isSafeInteger(batch) ? 'too_small' : 'invalid_type');
      valid = false;
      continue;
    }
    try {
      points.push({ key, batch, latencyS: dur(true)(value) });
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      issue(ctx, [key], e.message, e.code);
      valid = false;
    }
  }
  if (Object.keys(v).length === 0) {
    issue(ctx, [], M.LATENCY_TABLE_EMPTY, 'too_small');
    return z.NEVER;
  }
  points.sort((a, b) => a.batch - b.batch);
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1];
    const cur = points[i];
    if (prev === undefined || cur === undefined) continue;
    if (cur.batch === prev.batch) {
      issue(ctx, [cur.key], M.batchKey(cur.key), 'invalid_type');
      valid = false;
    } else if (cur.latencyS < prev.latencyS) {
      issue(ctx, [cur.key], M.latencyDecreasing(cur.batch, cur.latencyS, prev.batch, prev.latencyS));
      valid = false;
    }
  }
  if (!valid) return z.NEVER;
  return { batch: points.map((p) => p.batch), latencyS: points.map((p) => p.latencyS) };
});

const DISTS = ['deterministic', 'exponential', 'lognormal', 'gamma'] as const;

const variabilitySchema = obj({
  dist: leaf(def<(typeof DISTS)[number]>('deterministic', choice(DISTS))),
  cv: leaf(opt(num({ min: 0 }))),
}).superRefine((vb, ctx) => {
  if (vb.dist === 'exponential' && ok(vb.cv) && vb.cv !== 1) issue(ctx, ['cv'], M.cvFixed('exponential', 1));
  if (vb.dist === 'deterministic' && ok(vb.cv) && vb.cv !== 0) issue(ctx, ['cv'], M.cvFixed('deterministic', 0));
});

/** Checked and read by imports.ts before validation; here for the JSON Schema and explain. */
const perfAnalyzerSchema = z.unknown();

const modelSchema = obj({
  profile: leaf(opt(text)),
  latency: latencyTableSchema,
  variability: variabilitySchema.default({}),
  responseBytes: leaf(def(0, size)),
  // files in (imports.ts): perf_analyzer / Model Analyzer results fill latency and overhead
  overhead: leaf(def(0, dur(false))),
  perfAnalyzer: perfAnalyzerSchema.optional(),
});

// ---------------------------------------------------------------- fleet

const ROUTINGS = ['random', 'round-robin', 'least-outstanding', 'power-of-two', 'shared-queue'] as const;

const batchingSchema = obj({
  maxBatch: leaf(def(1, num(POSITIVE_INT))),
  maxQueueDelay: leaf(def(0, dur(false))),
  preferred: z.array(leaf(req(M.EXPECT.batchSize, num(POSITIVE_INT)))).describe(M.EXPECT.batchSizes).default([]),
}).superRefine((b, ctx) => {
  if (!ok(b.maxBatch)) return;
  b.preferred.forEach((p, i) => {
    if (ok(p) && p > b.maxBatch) issue(ctx, ['preferred', i], M.preferredAboveMax(b.maxBatch, p));
  });
});

/** A phase duration: a plain duration (fixed), { mean, cv } (lognormal) or { min, max } (uniform). */
const durationDistSchema = z.unknown().transform((v, ctx): RawDurationDist | undefined => {
  if (v === undefined) return undefined;
  const fail = (path: (string | number)[], message: string, code: IssueCode): typeof z.NEVER => {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message, params: { code } });
    return z.NEVER;
  };
  const durationOf = (x: unknown, path: (string | number)[]): number | undefined => {
    try {
      return parseDurationS(x);
    } catch (e) {
      if (e instanceof UnitError) fail(path, e.message, e.code);
      else throw e;
      return undefined;
    }
  };
  if (typeof v === 'number' || typeof v === 'string') {
    const d = durationOf(v, []);
    return d === undefined ? z.NEVER : { kind: 'fixed', s: d };
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort().join(',');
    if (keys === 'cv,mean') {
      const mean = durationOf(o.mean, ['mean']);
      const cv = o.cv;
      if (typeof cv !== 'number' || !(cv >= 0)) return fail(['cv'], M.mustBe('a number ≥ 0', cv), typeof cv === 'number' && cv < 0 ? 'too_small' : 'invalid_type');
      return mean === undefined ? z.NEVER : { kind: 'lognormal', meanS: mean, cv };
    }
    if (keys === 'max,min') {
      const min = durationOf(o.min, ['min']);
      const max = durationOf(o.max, ['max']);
      if (min === undefined || max === undefined) return z.NEVER;
      if (max < min) return fail(['max'], M.mustBe(`≥ min (${o.min})`, o.max), 'cross_field');
      return { kind: 'uniform', minS: min, maxS: max };
    }
  }
  return fail([], M.mustBe(M.EXPECT.durationDist, v), 'invalid_type');
});
export type RawDurationDist = { kind: 'fixed'; s: number } | { kind: 'lognormal'; meanS: number; cv: number } | { kind: 'uniform'; minS: number; maxS: number };

const coldStartSchema = obj({
  nodeProvision: durationDistSchema,
  imagePull: durationDistSchema,
  modelLoad: durationDistSchema,
  warmup: durationDistSchema,
});

const fleetSchema = obj({
  gpu: leaf(opt(text)),
  mig: leaf(opt(text)),
  replicas: leaf(def(1, num({ int: true, min: 0 }))),
  instances: leaf(def(1, num(POSITIVE_INT))),
  overlap: leaf(def(0.5, num({ min: 0, max: 1 }))),
  batching: batchingSchema.default({}),
  queue: obj({
    maxDepth: leaf(def(10000, num(POSITIVE_INT))),
    timeout: leaf(opt(dur(true))),
  }).default({}),
  routing: leaf(def<(typeof ROUTINGS)[number]>('least-outstanding', choice(ROUTINGS))),
  coldStart: coldStartSchema.optional(),
  warmPool: leaf(def(0, num({ int: true, min: 0 }))),
  nodes: obj({
    gpusPerNode: leaf(def(1, num(POSITIVE_INT))),
    idleNodeTimeout: leaf(def(600, dur(false))),
  }).optional(),
  // files in (imports.ts): Triton's config.pbtxt fills batching, queue and instances
  tritonConfig: leaf(opt(text)),
  cpu: obj({
    request: leaf(def(2, num({ gt: 0 }))),
    base: leaf(def(0.2, num({ min: 0 }))),
    perRequest: leaf(def(0.0005, dur(false))),
  }).default({}),
});

// ---------------------------------------------------------------- autoscaler and events

const SIGNALS = ['rps', 'concurrency', 'queueDepth', 'gpuUtilization', 'cpu', 'latencyP99Ms'] as const;
const AUTOSCALER_KINDS = ['hpa', 'kpa', 'schedule', 'none'] as const;
const METRICS_PRESETS = ['default', 'metrics-server', 'prometheus-adapter'] as const;
const RATE_KINDS = ['prometheus', 'two-point'] as const;
const MAPPING_KEYS = ['signal', 'scale', 'unit'] as const;

/** A metric name's signal: `rps`, or `{ signal, scale }` / `{ signal, unit }` when the metric reports it in other units. */
const signalMapping: Parse<{ signal: (typeof SIGNALS)[number]; scale: number }> = (v) => {
  if (typeof v === 'string') return { signal: choice(SIGNALS)(v), scale: 1 };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UnitError(M.mustBe(M.EXPECT.signalMapping, v), 'invalid_type');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(MAPPING_KEYS as readonly string[]).includes(k)) throw new UnitError(`${k}: ${M.unknownField(k, MAPPING_KEYS)}`, 'unknown_key');
  if (o.signal === undefined) throw new UnitError(`signal: ${M.required(M.EXPECT.signal)}`, 'required');
  const signal = choice(SIGNALS)(o.signal);
  if (o.scale !== undefined && o.unit !== undefined) throw new UnitError(M.SIGNAL_SCALE_AND_UNIT, 'cross_field');
  if (o.unit !== undefined) {
    const units = M.SIGNAL_UNITS[signal];
    const unit = o.unit;
    if (typeof unit !== 'string' || !Object.hasOwn(units, unit)) throw new UnitError(`unit: ${M.signalUnitChoice(signal, unit)}`, 'invalid_enum_value');
    return { signal, scale: units[unit]! };
  }
  if (o.scale === undefined) return { signal, scale: 1 };
  try {
    return { signal, scale: num({ gt: 0 })(o.scale) };
  } catch (e) {
    throw e instanceof UnitError ? new UnitError(`scale: ${e.message}`, e.code) : e;
  }
};

const pipelineSchema = obj({
  preset: leaf(def<(typeof METRICS_PRESETS)[number]>('default', choice(METRICS_PRESETS))),
  scrapeInterval: leaf(opt(dur(true))),
  window: leaf(opt(dur(true))),
  gaugeWindow: leaf(opt(dur(true))),
  delay: leaf(opt(dur(false))),
  rate: leaf(opt(choice(RATE_KINDS))),
});

const autoscalerSchema = obj({
  kind: leaf(req(M.EXPECT.autoscalerKind, choice(AUTOSCALER_KINDS))),
  // hpa
  manifest: leaf(opt(text)),
  name: leaf(opt(text)),
  spec: z.unknown().optional(),
  signals: z.record(leaf(req(M.EXPECT.signal, signalMapping))).default({}),
  syncPeriod: leaf(def(15, dur(true))),
  tolerance: leaf(def(0.1, num({ min: 0, lt: 1 }))),
  metrics: pipelineSchema.default({}),
  resourceMetrics: pipelineSchema.optional(),
  // kpa
  metric: leaf(opt(choice(['concurrency', 'rps'] as const))),
  target: leaf(opt(num({ gt: 0 }))),
  targetUtilization: leaf(opt(num({ gt: 0, max: 1 }))),
  minReplicas: leaf(opt(num({ int: true, min: 0 }))),
  maxReplicas: leaf(opt(num({ int: true, min: 0 }))),
  stableWindow: leaf(opt(wholeSecondsIn(KNATIVE.stableWindowS))),
  panicWindowPercentage: leaf(opt(num(KNATIVE.panicWindowPercentage))),
  panicThreshold: leaf(opt(num(KNATIVE.panicThreshold))),
  maxScaleUpRate: leaf(opt(num({ gt: 1 }))),
  maxScaleDownRate: leaf(opt(num({ gt: 1 }))),
  scaleToZeroGracePeriod: leaf(opt(dur(true))),
  tick: leaf(opt(dur(true))),
  // schedule
  schedule: z
    .array(obj({ at: leaf(req(M.EXPECT.offset, dur(false))), replicas: leaf(req(M.EXPECT.replicaCount, num({ int: true, min: 0 }))) }))
    .optional(),
});

// ---------------------------------------------------------------- cache and feature store

const STAMPEDE = ['none', 'coalesce', 'stale-while-revalidate', 'xfetch'] as const;

const cacheSchema = obj({
  capacity: leaf(opt(num({ int: true, min: 0 }))),
  ttl: leaf(opt(dur(true))),
  ttlJitter: leaf(def(0, num({ min: 0, lt: 1 }))),
  lookupLatency: leaf(def(0.0005, dur(false))),
  stampede: leaf(def<(typeof STAMPEDE)[number]>('none', choice(STAMPEDE))),
  staleWindow: leaf(def(60, dur(false))),
  xfetchBeta: leaf(def(1, num({ gt: 0 }))),
  xfetchLock: leaf(def(false, bool)),
  prewarmed: leaf(def(false, bool)),
  hitRate: leaf(opt(num({ min: 0, max: 1 }))),
});

const serviceTimeSchema = z.unknown().transform((v, ctx): { meanS: number; cv: number; dist: (typeof DISTS)[number] } | undefined => {
  if (v === undefined) return undefined;
  const fail = (path: (string | number)[], message: string, code: IssueCode): typeof z.NEVER => {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message, params: { code } });
    return z.NEVER;
  };
  try {
    if (typeof v === 'number' || typeof v === 'string') return { meanS: parseDurationS(v), cv: 0, dist: 'deterministic' };
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['mean', 'cv', 'dist'].includes(k)) return fail([k], M.unknownField(k, ['mean', 'cv', 'dist'], []), 'unknown_key');
      const meanS = parseDurationS(o.mean);
      const dist = o.dist === undefined ? (o.cv === undefined ? 'exponential' : 'lognormal') : o.dist;
      if (typeof dist !== 'string' || !(DISTS as readonly string[]).includes(dist)) return fail(['dist'], M.oneOf(DISTS, dist), 'invalid_enum_value');
      const cv = dist === 'exponential' ? 1 : dist === 'deterministic' ? 0 : o.cv === undefined ? 0.5 : o.cv;
      if (typeof cv !== 'number' || !(cv >= 0)) return fail(['cv'], M.mustBe('a number ≥ 0', cv), typeof cv === 'number' && cv < 0 ? 'too_small' : 'invalid_type');
      return { meanS, cv, dist: dist as (typeof DISTS)[number] };
    }
  } catch (e) {
    if (e instanceof UnitError) return fail([], e.message, e.code);
    throw e;
  }
  return fail([], M.mustBe(M.EXPECT.serviceTime, v), 'invalid_type');
});

const featureStoreSchema = obj({
  servers: leaf(def(1, num(POSITIVE_INT))),
  serviceTime: serviceTimeSchema,
  readReplicas: leaf(def(0, num({ int: true, min: 0 }))),
  maxQueue: leaf(def(10000, num({ int: true, min: 0 }))),
});

const EVENT_KINDS = ['replica-crash', 'cache-flush', 'region-outage'] as const;
export const eventSchema = obj({
  at: leaf(req(M.EXPECT.offset, dur(false))),
  kind: leaf(req(M.EXPECT.eventKind, choice(EVENT_KINDS))),
  count: leaf(opt(num(POSITIVE_INT))),
  // region-outage
  region: leaf(opt(text)),
  for: leaf(opt(dur(true))),
});

// ---------------------------------------------------------------- regions, failover and shards

/**
 * Health-check and DNS defaults, as commonly deployed: Route 53 health checks probe every 10 s (fast) or 30 s and
 * call an endpoint unhealthy after 3 consecutive failures (its default failure threshold); 60 s is a common TTL
 * for failover records (a short TTL is what makes DNS failover quick at all).
 */
export const FAILOVER_DEFAULTS = { healthCheckIntervalS: 10, failureThreshold: 3, dnsTtlS: 60 } as const;
/** AWS data transfer out to another region, USD per GB (EC2 on-demand pricing between US regions, 2025). */
export const INTER_REGION_PER_GB_DEFAULT = 0.02;
/** Zipf exponent of tenant popularity when `shards.tenants.exponent` is omitted. */
export const TENANT_DEFAULT_EXPONENT = 1;
/** Most regions or shards a run may have (each is a whole fleet with its own timeline). */
export const MAX_SITES = 1000;

const regionSchema = obj({
  name: leaf(req(M.EXPECT.regionName, text)),
  share: leaf(req(M.EXPECT.share, num({ min: 0, max: 1 }))),
  rtt: z.record(leaf(req(M.EXPECT.rtt, dur(false)))).default({}),
  // deep-merged onto the top-level fleet; the merged fleet is validated again when resolved (load.ts)
  fleet: fleetSchema.optional(),
  // replaces the top-level autoscaler for this region
  autoscaler: autoscalerSchema.optional(),
}).describe(M.EXPECT.region);

const TOPOLOGY_KINDS = ['active-active', 'active-passive'] as const;
const REGION_ROUTINGS = ['nearest', 'latency-weighted', 'weighted'] as const;

export const topologySchema = obj({
  kind: leaf(def<(typeof TOPOLOGY_KINDS)[number]>('active-active', choice(TOPOLOGY_KINDS))),
  routing: leaf(def<(typeof REGION_ROUTINGS)[number]>('nearest', choice(REGION_ROUTINGS))),
  weights: z.record(leaf(req(M.EXPECT.weight, num({ min: 0 })))).optional(),
  primary: leaf(opt(text)),
  standby: leaf(opt(choice(['warm', 'cold'] as const))),
});

export const failoverSchema = obj({
  healthCheckInterval: leaf(def<number>(FAILOVER_DEFAULTS.healthCheckIntervalS, dur(true))),
  failureThreshold: leaf(def<number>(FAILOVER_DEFAULTS.failureThreshold, num(POSITIVE_INT))),
  dnsTtl: leaf(def<number>(FAILOVER_DEFAULTS.dnsTtlS, dur(false))),
});

const SHARD_BY = ['key-hash', 'tenant'] as const;
const shardsSchema = obj({
  // each shard is a whole fleet with its own timeline: thousands would only exhaust memory
  count: leaf(req(M.EXPECT.shardCount, num({ int: true, min: 1, max: MAX_SITES }))),
  by: leaf(def<(typeof SHARD_BY)[number]>('key-hash', choice(SHARD_BY))),
  tenants: obj({
    count: leaf(req(M.EXPECT.tenantCount, num(POSITIVE_INT))),
    exponent: leaf(def<number>(TENANT_DEFAULT_EXPONENT, num({ min: 0 }))),
  })
    .describe(M.EXPECT.tenants)
    .optional(),
});

// ---------------------------------------------------------------- several models

const sloSchema = obj({
  p50: leaf(opt(dur(true))),
  p90: leaf(opt(dur(true))),
  p95: leaf(opt(dur(true))),
  p99: leaf(opt(dur(true))),
  p999: leaf(opt(dur(true))),
  maxErrorRate: leaf(opt(num({ min: 0, max: 1 }))),
});

export const SHARING_MODES = ['dedicated', 'mig', 'shared'] as const;
export const SHARED_SCALING = ['unit', 'per-model'] as const;

// each model is resolved as a scenario of its own (load.ts): the top level with the model's sections
const modelEntrySchema = obj({
  name: leaf(req(M.EXPECT.modelName, text)),
  traffic: z.unknown().optional(),
  model: z.unknown().optional(),
  // deep-merged onto the top-level fleet
  fleet: z.unknown().optional(),
  slo: z.unknown().optional(),
  autoscaler: z.unknown().optional(),
  cache: z.unknown().optional(),
  featureStore: z.unknown().optional(),
}).describe(M.EXPECT.modelEntry);

const sharingSchema = obj({
  mode: leaf(def<(typeof SHARING_MODES)[number]>('dedicated', choice(SHARING_MODES))),
  gpu: leaf(opt(text)),
  layout: leaf(opt(text)),
  // mig: each model's slice by model name, so a variant can switch modes by changing sharing alone
  profiles: z.record(leaf(req(M.EXPECT.migProfileName, text))).optional(),
  gpus: leaf(opt(num({ int: true, min: 1, max: MAX_SITES }))),
  overlap: leaf(opt(num({ min: 0, max: 1 }))),
  scaling: leaf(opt(choice(SHARED_SCALING))),
}).describe(M.EXPECT.sharing);

// ---------------------------------------------------------------- root

const rootObject = obj({
  name: leaf(req(M.EXPECT.name, text)),
  // above 2^53 − 1 neighbouring integers are the same double: "different" seeds would be one stream
  seed: leaf(def(1, num({ int: true, min: 0, max: Number.MAX_SAFE_INTEGER }))),
  duration: leaf(req(M.EXPECT.duration, dur(true))),
  warmup: leaf(def(0, dur(false))),
  slo: sloSchema.default({}),
  traffic: trafficSchema.default({}),
  model: modelSchema.default({}),
  fleet: fleetSchema.default({}),
  cost: obj({
    gpuHourly: leaf(opt(num({ min: 0 }))),
    cacheHourly: leaf(def(0, num({ min: 0 }))),
    egressPerGB: leaf(opt(num({ min: 0 }))),
    interRegionPerGB: leaf(def<number>(INTER_REGION_PER_GB_DEFAULT, num({ min: 0 }))),
  }).default({}),
  report: obj({ interval: leaf(def(10, dur(true))) }).default({}),
  autoscaler: autoscalerSchema.optional(),
  cache: cacheSchema.optional(),
  featureStore: featureStoreSchema.optional(),
  events: z.array(eventSchema).default([]),
  regions: z.array(regionSchema).optional(),
  topology: topologySchema.optional(),
  failover: failoverSchema.optional(),
  shards: shardsSchema.optional(),
  // several models, each resolved as a scenario of its own (load.ts), and how they share GPUs
  models: z.array(modelEntrySchema).optional(),
  sharing: sharingSchema.optional(),
  // each variant is a partial scenario deep-merged onto this one; validated when resolved
  variants: z.record(z.unknown()).optional(),
});

/** The parsed document before catalog resolution; produced only when the whole file is valid. */
export type RawScenario = z.output<typeof rootObject>;

/** The latency table the scenario implies: its own, else the catalog profile for its GPU; null when neither applies or a lookup fails (the reason is in `error`). */
export function latencySource(
  s: Pick<RawScenario, 'model' | 'fleet'>,
): { table: RawLatencyTable & { source: string; derived: boolean; notes: string[] } } | { error: ScenarioIssue | null } {
  const { model, fleet } = s;
  if (model.latency !== undefined) return { table: { ...model.latency, source: 'scenario', derived: false, notes: [] } };
  if (typeof model.profile !== 'string' || typeof fleet.gpu !== 'string') {
    return { error: { code: 'required', path: ['model', 'latency'], message: M.required(M.LATENCY_REQUIRED) } };
  }
  const gpu = findGpu(fleet.gpu);
  // An unknown GPU or MIG profile is reported where it stands; a second error here would only repeat it.
  if (gpu === undefined) return { error: null };
  const mig = typeof fleet.mig === 'string' ? findMigProfile(gpu, fleet.mig) : null;
  if (mig === undefined) return { error: null };
  const found = profileLatency(model.profile, gpu.id, mig === null ? null : mig.id);
  if (typeof found === 'string') return { error: { code: 'unknown_reference', path: ['model', 'profile'], message: found } };
  return { table: found };
}

/** Rules that span sections; they run whenever the structure is sound, even if some fields failed. */
function crossCheck(v: RawScenario, ctx: z.RefinementCtx): void {
  if (ok(v.warmup) && ok(v.duration) && v.warmup >= v.duration) {
    issue(ctx, ['warmup'], M.warmupNotBelowDuration(v.warmup, v.duration));
  }

  if (v.models !== undefined || v.sharing !== undefined) {
    checkModels(v, ctx);
    return;
  }
  const t = v.traffic;
  if (t.rate !== undefined && t.trace !== undefined) issue(ctx, ['traffic', 'trace'], M.RATE_AND_TRACE);
  if (t.rate === undefined && t.trace === undefined) issue(ctx, ['traffic', 'rate'], M.required(M.RATE_OR_TRACE), 'required');
  if (t.keys.kind === 'trace') {
    if (t.trace === undefined) issue(ctx, ['traffic', 'keys', 'kind'], M.KEYS_TRACE_NEEDS_TRACE);
    else if (t.trace.keyColumn === undefined) issue(ctx, ['traffic', 'keys', 'kind'], M.KEYS_TRACE_NEEDS_COLUMN);
  }

  const f = v.fleet;
  if (typeof f.gpu === 'string' && findGpu(f.gpu) === undefined) {
    issue(ctx, ['fleet', 'gpu'], M.unknownGpu(f.gpu, gpuIds()), 'unknown_reference');
  }
  if (typeof f.mig === 'string') {
    const gpu = typeof f.gpu === 'string' ? findGpu(f.gpu) : undefined;
    if (f.gpu === undefined) issue(ctx, ['fleet', 'mig'], M.MIG_NEEDS_GPU);
    else if (gpu !== undefined && findMigProfile(gpu, f.mig) === undefined) {
      issue(ctx, ['fleet', 'mig'], M.unknownMig(f.mig, gpu.id, gpu.migProfiles.map((p) => p.id)), 'unknown_reference');
    }
  }

  const a = v.autoscaler;
  if (a !== undefined && typeof a.kind === 'string') {
    const kpaKeys = ['metric', 'target', 'targetUtilization', 'minReplicas', 'maxReplicas', 'stableWindow', 'panicWindowPercentage', 'panicThreshold', 'maxScaleUpRate', 'maxScaleDownRate', 'scaleToZeroGracePeriod', 'tick'] as const;
    const hpaKeys = ['manifest', 'name', 'spec', 'resourceMetrics'] as const;
    const present = (k: string): boolean => (a as Record<string, unknown>)[k] !== undefined;
    if (a.kind !== 'kpa') for (const k of kpaKeys) if (present(k)) issue(ctx, ['autoscaler', k], M.onlyForKind(k, 'kpa', a.kind));
    if (a.kind !== 'hpa') for (const k of hpaKeys) if (present(k)) issue(ctx, ['autoscaler', k], M.onlyForKind(k, 'hpa', a.kind));
    if (a.kind !== 'schedule' && present('schedule')) issue(ctx, ['autoscaler', 'schedule'], M.onlyForKind('schedule', 'schedule', a.kind));
    if (a.kind === 'hpa') {
      if (a.manifest === undefined && a.spec === undefined) issue(ctx, ['autoscaler', 'manifest'], M.required(M.HPA_SOURCE), 'required');
      if (a.manifest !== undefined && a.spec !== undefined) issue(ctx, ['autoscaler', 'spec'], M.HPA_BOTH);
    }
    if (a.kind === 'schedule' && (a.schedule === undefined || a.schedule.length === 0)) {
      issue(ctx, ['autoscaler', 'schedule'], M.required(M.EXPECT.scheduleSteps), 'required');
    }
    if (a.kind === 'schedule' && a.schedule !== undefined) {
      a.schedule.forEach((st, i) => {
        const prev = i > 0 ? a.schedule![i - 1]!.at : undefined;
        if (ok(st.at) && ok(prev) && st.at <= prev) issue(ctx, ['autoscaler', 'schedule', i, 'at'], M.scheduleNotAscending(st.at, prev));
      });
    }
    if (a.kind === 'kpa' && ok(a.minReplicas) && ok(a.maxReplicas) && a.maxReplicas > 0 && a.maxReplicas < a.minReplicas) {
      issue(ctx, ['autoscaler', 'maxReplicas'], M.mustBe(`≥ minReplicas (${a.minReplicas}) or 0 for unbounded`, a.maxReplicas));
    }
  }
  if (ok(v.fleet.replicas) && v.fleet.replicas === 0 && (a === undefined || a.kind === 'none')) {
    issue(ctx, ['fleet', 'replicas'], M.ZERO_FIXED_FLEET);
  }
  v.events.forEach((e, i) => {
    // a kind that failed its own check is already reported: judging the other fields by it would print "[object Object]"
    const kindOk = typeof e.kind === 'string';
    if (kindOk && e.kind !== 'replica-crash' && e.count !== undefined) issue(ctx, ['events', i, 'count'], M.onlyForKind('count', 'replica-crash', e.kind));
    if (kindOk && e.kind !== 'region-outage') {
      for (const k of ['region', 'for'] as const) if (e[k] !== undefined) issue(ctx, ['events', i, k], M.onlyForKind(k, 'region-outage', String(e.kind)));
    }
    if (e.kind === 'cache-flush' && v.cache === undefined) issue(ctx, ['events', i, 'kind'], M.CACHE_FLUSH_NEEDS_CACHE);
    if (ok(e.at) && ok(v.duration) && e.at >= v.duration) issue(ctx, ['events', i, 'at'], M.mustBe(`before the end of the run (${v.duration} s)`, e.at));
  });

  const c = v.cache;
  if (c !== undefined) {
    if (c.hitRate !== undefined && c.capacity !== undefined) issue(ctx, ['cache', 'hitRate'], M.CACHE_BOTH_MODES);
    if (c.hitRate === undefined && c.capacity === undefined) issue(ctx, ['cache', 'capacity'], M.required(M.EXPECT.cacheMode), 'required');
    if (c.hitRate !== undefined) {
      for (const k of ['ttl', 'prewarmed'] as const) {
        if (v.cache !== undefined && (c as Record<string, unknown>)[k] !== undefined && !(k === 'prewarmed' && c.prewarmed === false)) {
          issue(ctx, ['cache', k], M.CACHE_KEYED_ONLY(k));
        }
      }
      if (c.stampede !== 'none') issue(ctx, ['cache', 'stampede'], M.CACHE_KEYED_ONLY('stampede'));
    }
    if (c.capacity !== undefined && t.trace !== undefined && t.keys.kind !== 'trace') issue(ctx, ['traffic', 'keys', 'kind'], M.CACHE_TRACE_KEYS);
  }
  if (v.featureStore !== undefined && v.featureStore.serviceTime === undefined) {
    issue(ctx, ['featureStore', 'serviceTime'], M.required(M.EXPECT.serviceTime), 'required');
  }
  checkTopology(v, ctx);

  // Latency leaves that failed are already reported; only judge a table that parsed.
  if (v.model.latency !== undefined && !isTable(v.model.latency)) return;
  if (typeof v.model.profile !== 'string' && v.model.profile !== undefined) return;
  if (typeof f.gpu !== 'string' && f.gpu !== undefined) return;
  const found = latencySource(v);
  if ('error' in found) {
    if (found.error !== null) issue(ctx, found.error.path, found.error.message, found.error.code);
    return;
  }
  const { batch } = found.table;
  if (batch.length === 1 && ok(f.batching.maxBatch) && f.batching.maxBatch > (batch[0] as number)) {
    issue(ctx, ['model', 'latency'], M.singlePointTable(batch[0] as number, f.batching.maxBatch));
  }
}

/** Regions, topology, failover, shards and region-outage events: names that must match, shares that must add up. */
function checkTopology(v: RawScenario, ctx: z.RefinementCtx): void {
  const regions = v.regions;
  if (regions === undefined) {
    for (const k of ['topology', 'failover'] as const) if (v[k] !== undefined) issue(ctx, [k], M.needsRegions(k));
    v.events.forEach((e, i) => {
      if (e.kind === 'region-outage') issue(ctx, ['events', i, 'kind'], M.REGION_OUTAGE_NEEDS_REGIONS);
    });
  } else {
    if (regions.length === 0) issue(ctx, ['regions'], M.REGIONS_EMPTY, 'too_small');
    if (regions.length > MAX_SITES) issue(ctx, ['regions'], M.tooManyRegions(regions.length, MAX_SITES), 'too_big');
    const names = regions.map((r) => (typeof r.name === 'string' ? r.name : null));
    const known = [...new Set(names.filter((n): n is string => n !== null))];
    // with a name missing, "unknown region" would only echo that problem
    const named = names.every((n) => n !== null);
    names.forEach((n, i) => {
      if (n !== null && names.indexOf(n) !== i) issue(ctx, ['regions', i, 'name'], M.duplicateRegion(n));
    });
    if (regions.length > 0 && regions.every((r) => ok(r.share))) {
      const total = regions.reduce((a, r) => a + r.share, 0);
      if (Math.abs(total - 1) > 1e-6) issue(ctx, ['regions'], M.sharesSum(total));
    }
    regions.forEach((r, i) => {
      if (!named) return;
      for (const to of Object.keys(r.rtt)) if (!known.includes(to)) issue(ctx, ['regions', i, 'rtt', to], M.unknownRegion(to, known), 'unknown_reference');
      const missing = known.filter((to) => to !== r.name && r.rtt[to] === undefined);
      if (missing.length > 0) issue(ctx, ['regions', i, 'rtt'], M.rttMissing(missing));
    });
    const t = v.topology;
    if (t !== undefined && typeof t.kind === 'string' && typeof t.routing === 'string') {
      if (t.routing === 'weighted' && t.weights === undefined) issue(ctx, ['topology', 'weights'], M.WEIGHTS_REQUIRED, 'required');
      if (t.routing !== 'weighted' && t.weights !== undefined) issue(ctx, ['topology', 'weights'], M.weightsOnlyWeighted(t.routing));
      if (t.weights !== undefined) {
        for (const to of Object.keys(t.weights)) if (named && !known.includes(to)) issue(ctx, ['topology', 'weights', to], M.unknownRegion(to, known), 'unknown_reference');
        const w = Object.values(t.weights);
        if (w.every(ok) && !w.some((x) => x > 0)) issue(ctx, ['topology', 'weights'], M.WEIGHTS_ALL_ZERO);
      }
      if (t.kind === 'active-passive') {
        if (t.primary === undefined) issue(ctx, ['topology', 'primary'], M.PRIMARY_REQUIRED, 'required');
        else if (named && typeof t.primary === 'string' && !known.includes(t.primary)) issue(ctx, ['topology', 'primary'], M.unknownRegion(t.primary, known), 'unknown_reference');
      } else {
        for (const k of ['primary', 'standby'] as const) if (typeof t[k] === 'string') issue(ctx, ['topology', k], M.onlyForKind(k, 'active-passive', t.kind));
      }
    }
    v.events.forEach((e, i) => {
      if (e.kind !== 'region-outage') return;
      if (e.region === undefined) issue(ctx, ['events', i, 'region'], M.requiredForKind('region-outage', M.EXPECT.outageRegion), 'required');
      else if (named && typeof e.region === 'string' && !known.includes(e.region)) issue(ctx, ['events', i, 'region'], M.unknownRegion(e.region, known), 'unknown_reference');
    });
    if (v.shards !== undefined) issue(ctx, ['shards'], M.REGIONS_AND_SHARDS, 'unsupported');
  }
  const sh = v.shards;
  if (sh !== undefined && typeof sh.by === 'string') {
    if (sh.by === 'tenant' && sh.tenants === undefined) issue(ctx, ['shards', 'tenants'], M.TENANTS_REQUIRED, 'required');
    if (sh.by !== 'tenant' && sh.tenants !== undefined) issue(ctx, ['shards', 'tenants'], M.tenantsOnlyTenant(sh.by));
    if (sh.by === 'key-hash' && v.traffic.trace !== undefined && v.traffic.keys.kind !== 'trace') issue(ctx, ['shards', 'by'], M.SHARD_KEYS_ON_TRACE);
  }
  if (v.featureStore !== undefined && (regions !== undefined || sh !== undefined)) issue(ctx, ['featureStore'], M.FEATURE_STORE_MULTI_SITE, 'unsupported');
}

/**
 * A several-model scenario: the list itself and `sharing`. Each model's own sections are checked
 * when load.ts resolves it as a scenario of its own (its problems reported under models.<i>).
 */
function checkModels(v: RawScenario, ctx: z.RefinementCtx): void {
  const models = v.models;
  if (models === undefined) {
    issue(ctx, ['sharing'], M.SHARING_NEEDS_MODELS);
    return;
  }
  if (models.length === 0) issue(ctx, ['models'], M.MODELS_EMPTY, 'too_small');
  if (models.length > MAX_SITES) issue(ctx, ['models'], M.tooManyModels(models.length, MAX_SITES), 'too_big');
  const names = models.map((m) => (typeof m.name === 'string' ? m.name : null));
  names.forEach((n, i) => {
    if (n !== null && names.indexOf(n) !== i) issue(ctx, ['models', i, 'name'], M.duplicateModel(n));
  });
  // sections that belong to each model, and topologies that do not combine with several models
  const doc = v as Record<string, unknown>;
  // (traffic and model, which have defaults here, are checked on the written document: load.ts)
  for (const k of ['autoscaler', 'cache', 'featureStore'] as const) if (doc[k] !== undefined) issue(ctx, [k], M.perModelSection(k), 'unsupported');
  for (const k of ['regions', 'shards', 'topology', 'failover'] as const) if (doc[k] !== undefined) issue(ctx, [k], M.notWithModels(k), 'unsupported');
  const sh = v.sharing;
  const mode = sh?.mode ?? 'dedicated';
  if (sh !== undefined && typeof sh.mode === 'string') {
    if (mode !== 'dedicated' && sh.gpu === undefined) issue(ctx, ['sharing', 'gpu'], M.requiredForMode(mode, M.EXPECT.sharingGpu), 'required');
    if (mode === 'dedicated') for (const k of ['gpu', 'layout', 'gpus', 'overlap'] as const) if (sh[k] !== undefined) issue(ctx, ['sharing', k], M.onlyForMode(k, mode));
    if (mode === 'mig' && sh.layout === undefined) issue(ctx, ['sharing', 'layout'], M.requiredForMode('mig', M.EXPECT.migLayout), 'required');
    if (mode !== 'mig' && sh.layout !== undefined && mode !== 'dedicated') issue(ctx, ['sharing', 'layout'], M.onlyForMode('layout', mode));
    if (mode !== 'shared' && sh.overlap !== undefined && mode !== 'dedicated') issue(ctx, ['sharing', 'overlap'], M.onlyForMode('overlap', mode));
    if (mode !== 'shared' && sh.scaling !== undefined) issue(ctx, ['sharing', 'scaling'], M.onlyForMode('scaling', mode));
    if (mode !== 'mig' && sh.profiles !== undefined) issue(ctx, ['sharing', 'profiles'], M.onlyForMode('profiles', mode));
    const named = models.map((m) => m.name);
    for (const name of Object.keys(sh.profiles ?? {})) if (!named.includes(name)) issue(ctx, ['sharing', 'profiles', name], M.unknownModel(name, named.filter((n): n is string => typeof n === 'string')), 'unknown_reference');
    if (typeof sh.gpu === 'string' && findGpu(sh.gpu) === undefined) issue(ctx, ['sharing', 'gpu'], M.unknownGpu(sh.gpu, gpuIds()), 'unknown_reference');
  }
  v.events.forEach((e, i) => {
    const kindOk = typeof e.kind === 'string';
    if (kindOk && e.kind !== 'replica-crash' && e.count !== undefined) issue(ctx, ['events', i, 'count'], M.onlyForKind('count', 'replica-crash', e.kind));
    if (e.kind === 'region-outage') issue(ctx, ['events', i, 'kind'], M.REGION_OUTAGE_NEEDS_REGIONS);
    if (e.kind === 'replica-crash' && mode === 'shared') issue(ctx, ['events', i, 'kind'], M.CRASH_SHARED_GPUS, 'unsupported');
    if (e.kind === 'cache-flush' && !models.some((m) => m.cache !== undefined)) issue(ctx, ['events', i, 'kind'], M.CACHE_FLUSH_NEEDS_CACHE);
    if (ok(e.at) && ok(v.duration) && e.at >= v.duration) issue(ctx, ['events', i, 'at'], M.mustBe(`before the end of the run (${v.duration} s)`, e.at));
  });
}

function isTable(x: unknown): x is RawLatencyTable {
  return typeof x === 'object' && x !== null && Array.isArray((x as Partial<RawLatencyTable>).batch);
}

/** The scenario document schema (strict: unknown keys are errors), with the cross-section rules. */
export const scenarioSchema = rootObject.superRefine(crossCheck);

/** Sections the contract names but this version does not simulate: an error, never silently ignored. */
export const UNSUPPORTED_PATHS: ReadonlySet<string> = new Set<string>([]);

/** What the schema expects at `path`: its description, and the allowed keys when it is a mapping; null when the path leaves the schema. */
export function expectationAt(path: readonly (string | number)[]): { description: string | null; keys: string[] | null } | null {
  let node: z.ZodTypeAny | undefined = scenarioSchema;
  let description: string | null = null;
  for (const segment of path) {
    if (node === undefined) return null;
    node = childOf(node, String(segment));
  }
  if (node === undefined) return null;
  for (let s: z.ZodTypeAny | null = node; s !== null; s = unwrapOnce(s)) {
    if (description === null && s.description !== undefined) description = s.description;
    if (s instanceof z.ZodObject) return { description, keys: Object.keys(s.shape as z.ZodRawShape) };
  }
  return { description, keys: null };
}

/** Whether the schema expects a list at `path` (so `--set a.0.b=…` on a missing `a` creates a list, not a mapping). */
export function isListAt(path: readonly (string | number)[]): boolean {
  let node: z.ZodTypeAny | undefined = scenarioSchema;
  for (const segment of path) {
    if (node === undefined) return false;
    node = childOf(node, String(segment));
  }
  return node !== undefined && hasList(node);
}

function hasList(node: z.ZodTypeAny): boolean {
  for (let s: z.ZodTypeAny | null = node; s !== null; s = unwrapOnce(s)) {
    if (s instanceof z.ZodArray) return true;
    if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).some(hasList);
  }
  return false;
}

function unwrapOnce(s: z.ZodTypeAny): z.ZodTypeAny | null {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) return s.unwrap() as z.ZodTypeAny;
  if (s instanceof z.ZodDefault) return s.removeDefault() as z.ZodTypeAny;
  if (s instanceof z.ZodEffects) return s.innerType() as z.ZodTypeAny;
  return null;
}

function childOf(node: z.ZodTypeAny, segment: string): z.ZodTypeAny | undefined {
  let s: z.ZodTypeAny | null = node;
  while (s !== null) {
    if (s instanceof z.ZodObject) return (s.shape as z.ZodRawShape)[segment];
    if (s instanceof z.ZodArray) return /^\d+$/.test(segment) ? (s.element as z.ZodTypeAny) : undefined;
    if (s instanceof z.ZodUnion) {
      for (const option of s.options as z.ZodTypeAny[]) {
        const c = childOf(option, segment);
        if (c !== undefined) return c;
      }
      return undefined;
    }
    s = unwrapOnce(s);
  }
  return undefined;
}

// ---------------------------------------------------------------- JSON Schema of the fields that are not plain leaves (field-meta.ts)

const BATCH_KEY = { pattern: '^[0-9]+$' };
tagSchema(latencyTableSchema, { json: { type: 'object', propertyNames: BATCH_KEY, minProperties: 1, additionalProperties: durationJson(true) } });
tagSchema(durationDistSchema, {
  json: {
    anyOf: [
      durationJson(false),
      { type: 'object', properties: { mean: durationJson(false), cv: { type: 'number', minimum: 0 } }, required: ['mean', 'cv'], additionalProperties: false },
      { type: 'object', properties: { min: durationJson(false), max: durationJson(false) }, required: ['min', 'max'], additionalProperties: false },
    ],
  },
});
tagSchema(serviceTimeSchema, {
  json: {
    anyOf: [
      durationJson(false),
      {
        type: 'object',
        properties: { mean: durationJson(false), dist: { type: 'string', enum: [...DISTS] }, cv: { type: 'number', minimum: 0 } },
        required: ['mean'],
        additionalProperties: false,
      },
    ],
  },
});
tagSchema(perfAnalyzerSchema, {
  json: { anyOf: [{ type: 'string', pattern: String.raw`\S` }, { type: 'object', propertyNames: BATCH_KEY, minProperties: 1, additionalProperties: { type: 'string', pattern: String.raw`\S` } }] },
});
tagSchema(constantRate, { json: { type: 'number', exclusiveMinimum: 0 } });

/** The leaf builders, for the LLM document's schema (llm-schema.ts), which describes LLM files for the JSON Schema and `explain`. */
export { bool, choice, def, dur, leaf, num, obj, opt, req, size, text };
