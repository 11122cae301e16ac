/**
 * Scenario text → resolved Scenario. Pure: the CLI reads the file and hands over text.
 *
 *   text ──YAML (also JSON)──► raw ──--set overrides──► raw′ ──drop nulls──► zod schema (schema.ts)
 *        ──issues? → ScenarioError (every problem, each with its field path)
 *        ──► build: catalog latency / MIG share / price, defaults that depend on other fields,
 *            paths resolved against baseDir, warnings ──► Scenario (types.ts)
 */
import { isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { ZodIssue } from 'zod';
import { findGpu, findMigProfile, findProfile } from '../catalog/index.js';
import * as M from './messages.js';
import {
  expectationAt,
  isListAt,
  latencySource,
  MMPP_DEFAULTS,
  scenarioSchema,
  UNSUPPORTED_PATHS,
  ZIPF_DEFAULT_EXPONENT,
  type RawScenario,
} from './schema.js';
import type { Autoscaler, Burst, CacheSpec, ColdStart, Cost, DurationDist, Keys, RateStep, Scenario, Signal, Slo, SloPercentile } from './types.js';
import { isHpaParseError, parseHpaManifest, parseHpaSpec, type HpaParseResult } from './kubernetes.js';
import { kpaDefaults, validateKpaConfig, type KpaConfig } from '../scaling/kpa.js';

/** One problem in a scenario: dotted field path ("" for the document itself) and what is wrong. */
export interface ScenarioIssue {
  path: string;
  message: string;
}

/** An invalid scenario; `message` holds one `error: <file>: <path>: <message>` line per issue. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** The CLI's line for one issue: `error: <file>: <path>: <message>` (no path segment when path is ""). */
export function formatIssue(file: string, issue: ScenarioIssue): string {
  return issue.path === '' ? `error: ${file}: ${issue.message}` : `error: ${file}: ${issue.path}: ${issue.message}`;
}

/** Parses YAML or JSON text, applies `--set` overrides, validates and resolves to a Scenario; throws ScenarioError listing every problem found. */
/** How the loader reads files a scenario points at (an HPA manifest): injected, so the library does no I/O itself. Throws with a `code` like ENOENT. */
export type ReadFile = (absolutePath: string) => string;

export interface LoadOptions {
  file: string;
  baseDir: string;
  sets?: string[];
  readFile?: ReadFile;
}

export function loadScenario(text: string, opts: LoadOptions): Scenario {
  const raw = parseText(text, opts.file);
  const overridden = opts.sets !== undefined && opts.sets.length > 0 ? applySets(raw, opts.sets, opts.file) : raw;
  return resolveScenario(overridden, opts);
}

/** A scenario and its `variants`, each deep-merged onto the base document (then `--set` applied) and resolved. */
export function loadScenarioVariants(text: string, opts: LoadOptions): { base: Scenario; variants: { name: string; scenario: Scenario }[] } {
  const raw = parseText(text, opts.file);
  const variantsRaw = raw.variants;
  const baseRaw: Record<string, unknown> = { ...raw };
  delete baseRaw.variants;
  const sets = opts.sets ?? [];
  const apply = (doc: Record<string, unknown>): unknown => (sets.length > 0 ? applySets(doc, sets, opts.file) : doc);
  const base = resolveScenario(apply(baseRaw), opts);
  const variants: { name: string; scenario: Scenario }[] = [];
  if (isMapping(variantsRaw)) {
    const issues: ScenarioIssue[] = [];
    for (const [name, over] of Object.entries(variantsRaw)) {
      if (!isMapping(over)) {
        issues.push({ path: `variants.${name}`, message: M.notAMapping(over) });
        continue;
      }
      try {
        variants.push({ name, scenario: resolveScenario(apply(deepMerge(baseRaw, over)), opts) });
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        for (const i of e.issues) issues.push({ path: `variants.${name}${i.path === '' ? '' : `.${i.path}`}`, message: i.message });
      }
    }
    if (issues.length > 0) throw new ScenarioError(opts.file, issues);
  }
  return { base, variants };
}

/** Mappings merge key by key; anything else (lists, scalars) in `over` replaces the base value. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMapping(v) && isMapping(b) ? deepMerge(b, v) : v;
  }
  return out;
}

function parseText(text: string, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        const reason = e.code === 'MULTIPLE_DOCS' ? M.YAML_MULTIPLE_DOCS : e.message;
        return { path: '', message: M.yamlSyntax(line, col, reason) };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // toJS throws on alias bombs and the like: still the file's fault, not ours.
    throw new ScenarioError(file, [{ path: '', message: e instanceof Error ? e.message : String(e) }]);
  }
  return checkDocument(raw, file);
}

function checkDocument(raw: unknown, file: string): Record<string, unknown> {
  if (raw === null || raw === undefined) throw new ScenarioError(file, [{ path: '', message: M.EMPTY_FILE }]);
  if (!isMapping(raw)) throw new ScenarioError(file, [{ path: '', message: M.notAMapping(raw) }]);
  return raw;
}

/** Applies `path=value` overrides (value parsed as YAML; dotted paths; numeric segments index lists; missing mappings are created) to a copy of `raw`; throws ScenarioError for malformed overrides. */
export function applySets(raw: unknown, sets: string[], file: string): unknown {
  const doc: Record<string, unknown> = isMapping(raw) ? structuredClone(raw) : {};
  const issues: ScenarioIssue[] = [];
  for (const arg of sets) {
    const problem = applyOne(doc, arg);
    if (problem !== null) issues.push({ path: '', message: problem });
  }
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return doc;
}

/** Sets one override in place; returns the problem's message, or null when applied. */
function applyOne(doc: Record<string, unknown>, arg: string): string | null {
  const eq = arg.indexOf('=');
  if (eq < 0) return M.setWithoutEquals(arg);
  const pathText = arg.slice(0, eq).trim();
  const segments = pathText.split('.');
  if (pathText === '' || segments.some((s) => s.trim() === '')) return M.setBadPath(arg);

  const parsed = parseDocument(arg.slice(eq + 1), { prettyErrors: false });
  if (parsed.errors.length > 0) return M.setBadYaml(arg, parsed.errors[0]?.message ?? '');
  const value: unknown = parsed.toJS();

  let node: Record<string, unknown> | unknown[] = doc;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const here = segments.slice(0, i).join('.') || '(the document)';
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      const index = /^\d+$/.test(segment) ? Number(segment) : NaN;
      if (!(index <= node.length)) return M.setBadIndex(arg, here, segment, node.length);
      if (last) {
        node[index] = value;
        return null;
      }
      node = descend(node, index, wantsList(segments, i));
    } else {
      if (last) {
        node[segment] = value;
        return null;
      }
      node = descend(node, segment, wantsList(segments, i));
    }
    if (!Array.isArray(node) && !isMapping(node)) {
      return M.setThroughScalar(arg, segments.slice(0, i + 1).join('.'), node);
    }
  }
  return null;
}

/** Whether a container missing at segments[0..i] should be created as a list: the next segment is an index and the schema expects a list there. */
function wantsList(segments: readonly string[], i: number): boolean {
  return /^\d+$/.test(segments[i + 1] ?? '') && isListAt(segments.slice(0, i + 1));
}

/** The container under `key`, creating an empty one when it is missing or null; a scalar is returned as-is for the caller to reject. */
function descend(
  node: Record<string, unknown> | unknown[],
  key: string | number,
  asList: boolean,
): Record<string, unknown> | unknown[] {
  const container = node as Record<string | number, unknown>;
  const child = container[key];
  if (child === undefined || child === null) {
    const created: Record<string, unknown> | unknown[] = asList ? [] : {};
    container[key] = created;
    return created;
  }
  return child as Record<string, unknown> | unknown[];
}

/** Validates an already parsed document (YAML/JSON data, e.g. a variant after merging) and resolves it to a Scenario; throws ScenarioError listing every problem. */
export function resolveScenario(raw: unknown, opts: LoadOptions): Scenario {
  // Kubernetes habits: `key:` with no value or `key: null` means "not set", so fall back to the default.
  const doc = dropNulls(checkDocument(raw, opts.file));
  const result = scenarioSchema.safeParse(doc);
  if (!result.success) throw new ScenarioError(opts.file, friendlyIssues(result.error.issues, doc));
  return build(result.data, opts);
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// ---------------------------------------------------------------- zod issues → messages

function friendlyIssues(issues: readonly ZodIssue[], doc: unknown): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  for (const i of issues) mapIssue(i, doc, out);
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mapIssue(i: ZodIssue, doc: unknown, out: ScenarioIssue[]): void {
  const path = i.path;
  const push = (p: readonly (string | number)[], message: string): void => {
    out.push({ path: p.join('.'), message });
  };
  switch (i.code) {
    case 'custom':
      push(path, i.message);
      return;
    case 'unrecognized_keys': {
      const known = expectationAt(path)?.keys ?? [];
      const prefix = path.length === 0 ? '' : `${path.join('.')}.`;
      const unsupportedHere = [...UNSUPPORTED_PATHS]
        .filter((u) => u.startsWith(prefix) && !u.slice(prefix.length).includes('.'))
        .map((u) => u.slice(prefix.length));
      for (const key of i.keys) {
        const message = UNSUPPORTED_PATHS.has(prefix + key)
          ? M.NOT_SUPPORTED
          : M.unknownField(key, known, unsupportedHere);
        push([...path, key], message);
      }
      return;
    }
    case 'invalid_union': {
      // Pick the alternative the user evidently meant: the one whose type matched at this path.
      const meant = i.unionErrors.find(
        (e) => !e.issues.some((x) => x.code === 'invalid_type' && x.path.join('.') === path.join('.')),
      );
      if (meant !== undefined) {
        for (const x of meant.issues) mapIssue(x, doc, out);
        return;
      }
      push(path, M.mustBe(expectationAt(path)?.description ?? M.typePhrase('unknown'), valueAt(doc, path)));
      return;
    }
    case 'invalid_type': {
      const expected = expectationAt(path)?.description ?? M.typePhrase(i.expected);
      const value = valueAt(doc, path);
      push(path, value === undefined ? M.required(expected) : M.mustBe(expected, value));
      return;
    }
    default:
      push(path, M.invalidValue(valueAt(doc, path)));
  }
}

function valueAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let node = doc;
  for (const segment of path) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isMapping(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}

// ---------------------------------------------------------------- build

const SLO_PERCENTILES: readonly SloPercentile[] = ['p50', 'p90', 'p95', 'p99', 'p999'];
const DEFAULT_CV = 0.1;

function build(v: RawScenario, opts: LoadOptions): Scenario {
  const warnings: string[] = [];
  const found = latencySource(v);
  // The schema's cross-check has already rejected every case without a table.
  if ('error' in found) {
    throw new ScenarioError(opts.file, [
      { path: found.error?.path.join('.') ?? 'model.latency', message: found.error?.message ?? M.required(M.LATENCY_REQUIRED) },
    ]);
  }
  const table = found.table;
  if (table.derived && typeof v.model.profile === 'string' && typeof v.fleet.gpu === 'string') {
    warnings.push(M.derivedProfileWarning(v.model.profile, v.fleet.gpu, table.notes));
  }
  const largestBatch = table.batch[table.batch.length - 1] as number;
  if (v.fleet.batching.maxBatch > largestBatch) {
    warnings.push(M.extrapolatedWarning(v.fleet.batching.maxBatch, largestBatch));
  }

  const t = v.traffic;
  if (t.trace !== undefined) {
    if (t.diurnal !== undefined) warnings.push(M.ignoredWithTrace('diurnal'));
    if (t.spikes.length > 0) warnings.push(M.ignoredWithTrace('spikes'));
    if (t.burst.kind !== 'poisson') warnings.push(M.ignoredWithTrace('burst'));
  }
  let schedule: RateStep[] = [];
  if (t.trace === undefined && typeof t.rate === 'number') schedule = [{ atS: 0, rps: t.rate, rampS: 0 }];
  else if (t.trace === undefined && Array.isArray(t.rate)) {
    schedule = t.rate.map((s) => ({ atS: s.at, rps: s.rps, rampS: s.ramp }));
  }

  const gpu = typeof v.fleet.gpu === 'string' ? findGpu(v.fleet.gpu) : undefined;
  const mig = gpu !== undefined && typeof v.fleet.mig === 'string' ? findMigProfile(gpu, v.fleet.mig) : undefined;

  const autoscaler = buildAutoscaler(v, opts, warnings);
  if (autoscaler.kind !== 'none' && autoscaler.kind !== 'schedule' && v.fleet.coldStart === undefined) {
    warnings.push(M.NO_COLD_START);
  }
  const dist = v.model.variability.dist;
  const cv = dist === 'exponential' ? 1 : dist === 'deterministic' ? 0 : (v.model.variability.cv ?? DEFAULT_CV);

  return {
    name: v.name,
    seed: v.seed,
    durationS: v.duration,
    warmupS: v.warmup,
    slo: buildSlo(v.slo),
    traffic: {
      schedule,
      diurnal:
        t.diurnal === undefined
          ? null
          : { amplitude: t.diurnal.amplitude, periodS: t.diurnal.period, peakAtS: t.diurnal.peakAt },
      spikes: t.spikes.map((s) => ({ atS: s.at, factor: s.factor, forS: s.for })),
      burst: buildBurst(t.burst),
      keys: buildKeys(t.keys),
      trace:
        t.trace === undefined
          ? null
          : {
              file: isAbsolute(t.trace.file) ? t.trace.file : join(opts.baseDir, t.trace.file),
              timeColumn: t.trace.timeColumn,
              keyColumn: t.trace.keyColumn ?? null,
              speedup: t.trace.speedup,
              timeFormat: t.trace.timeFormat,
            },
    },
    model: {
      profile: v.model.profile === undefined ? null : (findProfile(v.model.profile)?.id ?? v.model.profile),
      latency: { batch: [...table.batch], latencyS: [...table.latencyS], source: table.source },
      variability: { dist, cv },
      responseBytes: v.model.responseBytes,
    },
    fleet: {
      gpu: gpu?.id ?? null,
      mig: mig?.id ?? null,
      gpuShare: mig === undefined ? 1 : mig.computeSlices / 7,
      replicas: v.fleet.replicas,
      instances: v.fleet.instances,
      overlap: v.fleet.overlap,
      batching: {
        maxBatch: v.fleet.batching.maxBatch,
        maxQueueDelayS: v.fleet.batching.maxQueueDelay,
        preferred: [...new Set(v.fleet.batching.preferred)].sort((a, b) => a - b),
      },
      queue: { maxDepth: v.fleet.queue.maxDepth, timeoutS: v.fleet.queue.timeout ?? Infinity },
      routing: v.fleet.routing,
      coldStart: buildColdStart(v.fleet.coldStart),
      warmPool: v.fleet.warmPool,
      nodes: v.fleet.nodes === undefined ? null : { gpusPerNode: v.fleet.nodes.gpusPerNode, idleNodeTimeoutS: v.fleet.nodes.idleNodeTimeout },
      replicasPerNode: (v.fleet.nodes?.gpusPerNode ?? 1) * (mig?.maxInstances ?? 1),
      cpu: { requestCores: v.fleet.cpu.request, baseCores: v.fleet.cpu.base, perRequestCoreS: v.fleet.cpu.perRequest },
    },
    cost: buildCost(v.cost, gpu),
    cache: buildCache(v.cache, warnings, v.traffic.keys.kind),
    featureStore:
      v.featureStore === undefined || v.featureStore.serviceTime === undefined
        ? null
        : {
            servers: v.featureStore.servers,
            serviceTime: v.featureStore.serviceTime,
            readReplicas: v.featureStore.readReplicas,
            maxQueue: v.featureStore.maxQueue,
          },
    autoscaler,
    events: v.events.map((e) =>
      e.kind === 'replica-crash' ? { atS: e.at, kind: 'replica-crash' as const, count: e.count ?? 1 } : { atS: e.at, kind: 'cache-flush' as const },
    ),
    report: { intervalS: v.report.interval },
    warnings,
  };
}

function buildSlo(slo: RawScenario['slo']): Slo {
  const latencyS: Slo['latencyS'] = {};
  for (const p of SLO_PERCENTILES) {
    const target = slo[p];
    if (target !== undefined) latencyS[p] = target;
  }
  return { latencyS, maxErrorRate: slo.maxErrorRate ?? null };
}

function buildBurst(b: RawScenario['traffic']['burst']): Burst {
  switch (b.kind) {
    case 'poisson':
      return { kind: 'poisson' };
    case 'gamma':
      // The schema requires cv for gamma; 1 (plain Poisson) only satisfies the type.
      return { kind: 'gamma', cv: b.cv ?? 1 };
    case 'mmpp':
      return {
        kind: 'mmpp',
        highFactor: b.highFactor ?? MMPP_DEFAULTS.highFactor,
        lowFactor: b.lowFactor ?? MMPP_DEFAULTS.lowFactor,
        meanHighS: b.meanHigh ?? MMPP_DEFAULTS.meanHighS,
        meanLowS: b.meanLow ?? MMPP_DEFAULTS.meanLowS,
      };
  }
}

function buildKeys(k: RawScenario['traffic']['keys']): Keys {
  switch (k.kind) {
    case 'unique':
      return { kind: 'unique' };
    case 'zipf':
      // The schema requires count for zipf; 1 only satisfies the type.
      return { kind: 'zipf', count: k.count ?? 1, exponent: k.exponent ?? ZIPF_DEFAULT_EXPONENT };
    case 'trace':
      return { kind: 'trace' };
  }
}

function buildCost(c: RawScenario['cost'], gpu: ReturnType<typeof findGpu>): Cost {
  const common = { cacheHourlyUsd: c.cacheHourly, egressPerGbUsd: c.egressPerGB ?? null };
  if (c.gpuHourly !== undefined) return { gpuHourlyUsd: c.gpuHourly, gpuPriceSource: 'scenario', ...common };
  if (gpu !== undefined) {
    const p = gpu.price;
    return {
      gpuHourlyUsd: p.value,
      gpuPriceSource: `${p.source} (${p.date}${p.derived ? ', derived' : ''})`,
      ...common,
    };
  }
  return { gpuHourlyUsd: null, gpuPriceSource: M.NO_PRICE_SOURCE, ...common };
}

const ZERO: DurationDist = { kind: 'fixed', s: 0 };

function buildColdStart(c: RawScenario['fleet']['coldStart']): ColdStart {
  return {
    nodeProvision: c?.nodeProvision ?? ZERO,
    imagePull: c?.imagePull ?? ZERO,
    modelLoad: c?.modelLoad ?? ZERO,
    warmup: c?.warmup ?? ZERO,
  };
}

function buildAutoscaler(v: RawScenario, opts: LoadOptions, warnings: string[]): Autoscaler {
  const a = v.autoscaler;
  if (a === undefined || a.kind === 'none') return { kind: 'none' };
  if (a.kind === 'schedule') return { kind: 'schedule', steps: (a.schedule ?? []).map((s) => ({ atS: s.at, replicas: s.replicas })) };
  if (a.kind === 'kpa') {
    const metric = a.metric ?? 'concurrency';
    const d = kpaDefaults(metric);
    const config: KpaConfig = {
      ...d,
      metric,
      target: a.target ?? d.target,
      targetUtilization: a.targetUtilization ?? d.targetUtilization,
      minReplicas: a.minReplicas ?? d.minReplicas,
      maxReplicas: a.maxReplicas ?? d.maxReplicas,
      stableWindowS: a.stableWindow ?? d.stableWindowS,
      panicWindowPercentage: a.panicWindowPercentage ?? d.panicWindowPercentage,
      panicThresholdPercentage: a.panicThreshold ?? d.panicThresholdPercentage,
      maxScaleUpRate: a.maxScaleUpRate ?? d.maxScaleUpRate,
      maxScaleDownRate: a.maxScaleDownRate ?? d.maxScaleDownRate,
      scaleToZeroGracePeriodS: a.scaleToZeroGracePeriod ?? d.scaleToZeroGracePeriodS,
      tickS: a.tick ?? d.tickS,
    };
    try {
      validateKpaConfig(config);
    } catch (e) {
      throw new ScenarioError(opts.file, [{ path: 'autoscaler', message: e instanceof Error ? e.message.replace(/^kpa: /, '') : String(e) }]);
    }
    return { kind: 'kpa', config };
  }
  // hpa: from the user's own manifest file, or inline
  let parsed: HpaParseResult;
  if (a.manifest !== undefined) {
    const path = isAbsolute(a.manifest) ? a.manifest : join(opts.baseDir, a.manifest);
    if (opts.readFile === undefined) throw new ScenarioError(opts.file, [{ path: 'autoscaler.manifest', message: M.cannotReadFile(a.manifest, 'no file access here') }]);
    let text: string;
    try {
      text = opts.readFile(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
      throw new ScenarioError(opts.file, [{ path: 'autoscaler.manifest', message: M.cannotReadFile(a.manifest, why) }]);
    }
    parsed = parseHpaManifest(text, a.name === undefined ? { file: a.manifest } : { file: a.manifest, name: a.name });
  } else {
    parsed = parseHpaSpec(a.spec, 'autoscaler.spec', a.name ?? 'hpa');
  }
  if (isHpaParseError(parsed)) {
    const at = a.manifest !== undefined ? 'autoscaler.manifest' : 'autoscaler.spec';
    throw new ScenarioError(
      opts.file,
      parsed.errors.map((e) => ({ path: a.manifest !== undefined ? at : e.path, message: a.manifest !== undefined ? `${e.path}: ${e.message}` : e.message })),
    );
  }
  const signals: Record<string, Signal> = { ...a.signals };
  const issues: ScenarioIssue[] = [];
  parsed.metrics.forEach((m) => {
    if (m.type === 'Resource' || m.type === 'ContainerResource') {
      if (m.name !== 'cpu') issues.push({ path: 'autoscaler', message: M.hpaUnsupportedResource(m.name) });
      return;
    }
    if (signals[m.name] === undefined) issues.push({ path: 'autoscaler.signals', message: M.hpaUnmappedMetric(m.name) });
  });
  if (issues.length > 0) throw new ScenarioError(opts.file, issues);
  if (v.fleet.replicas < parsed.minReplicas || v.fleet.replicas > parsed.maxReplicas) {
    warnings.push(M.hpaInitialClamped(v.fleet.replicas, parsed.minReplicas, parsed.maxReplicas));
  }
  return {
    kind: 'hpa',
    spec: parsed,
    signals,
    syncPeriodS: a.syncPeriod,
    tolerance: a.tolerance,
    metrics: { scrapeIntervalS: a.metrics.scrapeInterval, windowS: a.metrics.window, delayS: a.metrics.delay },
  };
}

function buildCache(c: RawScenario['cache'], warnings: string[], keys: string): CacheSpec | null {
  if (c === undefined) return null;
  if (c.hitRate !== undefined) return { mode: 'hit-rate', hitRate: c.hitRate, lookupLatencyS: c.lookupLatency };
  if (keys === 'unique') warnings.push(M.CACHE_UNIQUE_KEYS);
  return {
    mode: 'keyed',
    capacity: c.capacity ?? 0,
    ttlS: c.ttl ?? Infinity,
    ttlJitter: c.ttlJitter,
    lookupLatencyS: c.lookupLatency,
    stampede: c.stampede,
    staleWindowS: c.staleWindow,
    xfetchBeta: c.xfetchBeta,
    xfetchLock: c.xfetchLock,
    prewarmed: c.prewarmed,
  };
}
