/**
 * Scenario text → resolved Scenario. Pure: the CLI reads the file and hands over text.
 *
 *   text ──YAML (also JSON)──► raw ──--set overrides──► raw′ ──drop nulls──► zod schema (schema.ts)
 *        ──issues? → ScenarioError (every problem, each with its field path)
 *        ──► build: catalog latency / MIG share / price, defaults that depend on other fields,
 *            paths resolved against baseDir, warnings ──► Scenario (config/scenario.ts)
 */
import { isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { duplicateKeys, FORBIDDEN_KEYS, YAML_OPTIONS, yamlToPlain } from './plain.js';
import type { ZodIssue } from 'zod';
import { findGpu, findMigProfile, findProfile, migComputeShare, parseMigLayout } from '../catalog/index.js';
import * as M from './messages.js';
import {
  expectationAt,
  FAILOVER_DEFAULTS,
  isListAt,
  latencySource,
  MMPP_DEFAULTS,
  rateShapeSchema,
  scenarioSchema,
  UNSUPPORTED_PATHS,
  ZIPF_DEFAULT_EXPONENT,
  type RawScenario,
} from './schema.js';
import type {
  Autoscaler,
  Sharing,
  SitePlan,
  Burst,
  CacheSpec,
  ColdStart,
  Cost,
  Diurnal,
  DurationDist,
  Keys,
  MetricsPipelineSpec,
  RateStep,
  RegionSpec,
  RegionsTopology,
  Scenario,
  ScenarioEvent,
  SignalMapping,
  Slo,
  SloPercentile,
  Spike,
} from '../config/scenario.js';
import { isHpaParseError, parseHpaManifest, parseHpaSpec, type HpaParseResult } from './kubernetes.js';
import { kpaDefaults, type KpaConfig } from '../config/kpa.js';
import { kpaConfigIssues } from './kpa-check.js';
import { peakArrivalRate } from '../workload/rate-shape.js';
import { replicaBounds, resolveMetricsPipeline } from '../config/autoscaling.js';
import { BASE_BYTES, CACHE_ENTRY_BYTES, LIMITS, REQUEST_BYTES, TIMELINE_ROW_BYTES } from '../config/limits.js';
import { hpaWarnings } from './hpa-warnings.js';
import { expandImports } from './imports.js';
import { isIssueCode, pathSegments, pathText, ScenarioError, under, type IssueCode, type IssuePath, type ScenarioIssue } from './issues.js';

export { formatIssue, ISSUE_CODES, pathText, ScenarioError, type IssueCode, type ScenarioIssue } from './issues.js';

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
  return resolveVariants(parseText(text, opts.file), opts, (doc) => resolveScenario(doc, opts), (e) => (e instanceof ScenarioError ? e.issues : null));
}

/**
 * The variants mechanism of every kind of scenario (request-level here, LLM in llm/scenario.ts): the
 * document without `variants` is the base; each variant is deep-merged onto it (deepMerge), then the
 * `--set`s are applied, and each is resolved by `resolve`. A variant's problems (`issuesOf` the error
 * `resolve` throws) are reported under `variants.<name>`, every variant's at once (ScenarioError); the
 * base's error is thrown as it is.
 */
export function resolveVariants<T>(
  raw: Record<string, unknown>,
  opts: { file: string; sets?: string[] },
  resolve: (doc: unknown) => T,
  issuesOf: (err: unknown) => ScenarioIssue[] | null,
): { base: T; variants: { name: string; scenario: T }[] } {
  const variantsRaw = raw.variants;
  const baseRaw: Record<string, unknown> = { ...raw };
  delete baseRaw.variants;
  const sets = opts.sets ?? [];
  const apply = (doc: Record<string, unknown>): unknown => (sets.length > 0 ? applySets(doc, sets, opts.file) : doc);
  const base = resolve(apply(baseRaw));
  const variants: { name: string; scenario: T }[] = [];
  if (isMapping(variantsRaw)) {
    const issues: ScenarioIssue[] = [];
    const folded = new Map<string, string>();
    for (const [name, over] of Object.entries(variantsRaw)) {
      const badName = variantNameProblem(name) ?? (folded.has(name.toLowerCase()) ? `two variants named ${JSON.stringify(folded.get(name.toLowerCase()))} and ${JSON.stringify(name)} would share one results folder on a case-insensitive file system` : null);
      folded.set(name.toLowerCase(), name);
      if (badName !== null) {
        issues.push({ code: 'invalid_format', path: ['variants', JSON.stringify(name).slice(1, -1)], message: badName });
        continue;
      }
      if (!isMapping(over)) {
        issues.push({ code: 'invalid_type', path: ['variants', name], message: M.notAMapping(over) });
        continue;
      }
      try {
        variants.push({ name, scenario: resolve(apply(deepMerge(baseRaw, over))) });
      } catch (e) {
        const found = issuesOf(e);
        if (found === null) throw e;
        for (const i of found) issues.push(under(['variants', name], i));
      }
    }
    if (issues.length > 0) throw new ScenarioError(opts.file, issues);
  }
  return { base, variants };
}

/** Names a variant may not take: the base run's folder and the files `compare` writes beside the variants' folders. */
const RESERVED_VARIANT_NAMES: ReadonlySet<string> = new Set(['base', 'compare.csv', 'report.html']);

/**
 * Why `name` cannot name a variant, or null: a variant's name becomes its results folder, so it must
 * be one plain path segment (no '/', '..', NUL or control characters), unique on case-insensitive
 * file systems too, and not the base run's.
 */
export function variantNameProblem(name: string): string | null {
  const rule = "a variant's name is its results folder: use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')";
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/.test(name)) return `${rule} (got ${JSON.stringify(name)})`;
  if (RESERVED_VARIANT_NAMES.has(name.toLowerCase())) return `${rule}; ${JSON.stringify(name)} is taken by the base run or compare's own files`;
  return null;
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
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, ...YAML_OPTIONS });
  for (const d of duplicateKeys(doc)) {
    const { line, col } = lineCounter.linePos(d.offset);
    throw new ScenarioError(file, [{ code: 'invalid_syntax', path: [], message: M.yamlSyntax(line, col, 'Map keys must be unique') }]);
  }
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        const reason = e.code === 'MULTIPLE_DOCS' ? M.YAML_MULTIPLE_DOCS : e.message;
        return { code: 'invalid_syntax', path: [], message: M.yamlSyntax(line, col, reason) };
      }),
    );
  }
  // alias bombs, unresolved or self-referencing aliases, __proto__ keys: still the file's fault, not ours
  const plain = yamlToPlain(doc);
  if (!('value' in plain)) throw new ScenarioError(file, [plain]);
  return checkDocument(plain.value, file);
}

function checkDocument(raw: unknown, file: string): Record<string, unknown> {
  if (raw === null || raw === undefined) throw new ScenarioError(file, [{ code: 'required', path: [], message: M.EMPTY_FILE }]);
  if (!isMapping(raw)) throw new ScenarioError(file, [{ code: 'invalid_type', path: [], message: M.notAMapping(raw) }]);
  return raw;
}

/** Applies `path=value` overrides (value parsed as YAML; dotted paths; numeric segments index lists; missing mappings are created) to a copy of `raw`; throws ScenarioError for malformed overrides. */
export function applySets(raw: unknown, sets: string[], file: string): unknown {
  const doc: Record<string, unknown> = isMapping(raw) ? structuredClone(raw) : {};
  const issues: ScenarioIssue[] = [];
  for (const arg of sets) {
    const problem = applyOne(doc, arg);
    if (problem !== null) issues.push({ code: 'invalid_override', path: [], message: problem });
  }
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return doc;
}

/** Sets one override in place; returns the problem's message, or null when applied. */
function applyOne(doc: Record<string, unknown>, arg: string): string | null {
  const eq = arg.indexOf('=');
  if (eq < 0) return M.setWithoutEquals(arg);
  const target = arg.slice(0, eq).trim();
  const segments = target.split('.');
  if (target === '' || segments.some((s) => s.trim() === '')) return M.setBadPath(arg);
  const forbidden = segments.find((s) => FORBIDDEN_KEYS.has(s));
  if (forbidden !== undefined) return M.setBadValue(arg, `${forbidden}: unknown field (${forbidden} is never a field name)`);

  const parsed = parseDocument(arg.slice(eq + 1), { prettyErrors: false, ...YAML_OPTIONS });
  if (parsed.errors.length > 0) return M.setBadYaml(arg, parsed.errors[0]?.message ?? '');
  const plain = yamlToPlain(parsed);
  if (!('value' in plain)) return M.setBadValue(arg, plain.path.length === 0 ? plain.message : `${pathText(plain.path)}: ${plain.message}`);
  const value: unknown = plain.value;

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
  const written = dropNulls(checkDocument(raw, opts.file));
  // files the scenario points at (config.pbtxt, perf_analyzer CSV, Prometheus JSON) fill in fields first
  const imported = isMapping(written)
    ? expandImports(written, { baseDir: opts.baseDir, ...(opts.readFile !== undefined ? { readFile: opts.readFile } : {}), limits: { maxBatch: LIMITS.maxBatch, instances: LIMITS.instances } })
    : { doc: written, warnings: [], issues: [] };
  if (imported.issues.length > 0) throw new ScenarioError(opts.file, imported.issues);
  const doc = imported.doc;
  const result = scenarioSchema.safeParse(doc);
  if (!result.success) throw new ScenarioError(opts.file, friendlyIssues(result.error.issues, doc));
  if (result.data.models !== undefined && isMapping(doc)) {
    const multi = buildModels(doc, result.data, opts);
    multi.warnings.unshift(...imported.warnings);
    const over = modelsLimitIssues(multi);
    if (over.length > 0) throw new ScenarioError(opts.file, over);
    return multi;
  }
  const sc = build(result.data, opts);
  sc.warnings.unshift(...imported.warnings);
  // each region expands its own merged fleet's files (so a region's tritonConfig is its own)
  if (result.data.regions !== undefined && isMapping(written)) sc.topology = buildRegions(written, result.data, sc, opts);
  else if (result.data.shards !== undefined) {
    const sh = result.data.shards;
    sc.topology = {
      kind: 'shards',
      count: sh.count,
      by: sh.by,
      tenants: sh.tenants === undefined ? null : { count: sh.tenants.count, exponent: sh.tenants.exponent },
    };
  }
  const beyond = limitIssues(sc);
  if (beyond.length > 0) throw new ScenarioError(opts.file, beyond);
  return sc;
}

/**
 * Each region's fleet deep-merged onto the top-level fleet and its autoscaler in place of
 * the top-level one, resolved as a scenario of its own (so every rule and catalog lookup
 * applies), its problems reported under `regions.<i>`.
 */
function buildRegions(doc: Record<string, unknown>, v: RawScenario, sc: Scenario, opts: LoadOptions): RegionsTopology {
  const raw = v.regions ?? [];
  const names = raw.map((r) => r.name);
  const rawRegions = Array.isArray(doc.regions) ? doc.regions : [];
  const common: Record<string, unknown> = { ...doc };
  for (const k of ['regions', 'topology', 'failover', 'shards', 'variants', 'events']) delete common[k];
  const issues: ScenarioIssue[] = [];
  const regions: RegionSpec[] = [];
  raw.forEach((r, i) => {
    const own: unknown = rawRegions[i];
    const ownFleet = isMapping(own) && isMapping(own.fleet) ? own.fleet : {};
    const ownAutoscaler = isMapping(own) ? own.autoscaler : undefined;
    const merged: Record<string, unknown> = { ...common, fleet: deepMerge(isMapping(common.fleet) ? common.fleet : {}, ownFleet) };
    if (ownAutoscaler !== undefined) merged.autoscaler = ownAutoscaler;
    let site: Scenario;
    try {
      site = resolveScenario(merged, opts);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      for (const x of e.issues) {
        const inside = x.path[0] === 'fleet' || x.path[0] === 'autoscaler';
        issues.push(inside ? under(['regions', i], x) : { code: x.code, path: ['regions', i], message: M.inRegion(pathText(x.path), x.message) });
      }
      return;
    }
    for (const w of site.warnings) if (!sc.warnings.includes(w)) sc.warnings.push(M.regionWarning(r.name, w));
    regions.push({
      name: r.name,
      share: r.share,
      rttS: names.map((to) => r.rtt[to] ?? 0),
      model: site.model,
      fleet: site.fleet,
      autoscaler: site.autoscaler,
      cost: site.cost,
    });
  });
  if (issues.length > 0) throw new ScenarioError(opts.file, issues);
  const t = v.topology;
  const f = v.failover;
  const mode = t?.kind ?? 'active-active';
  const routing = t?.routing ?? 'nearest';
  return {
    kind: 'regions',
    regions,
    mode,
    routing,
    weights: routing === 'weighted' && t?.weights !== undefined ? names.map((n) => t.weights?.[n] ?? 0) : null,
    primary: mode === 'active-passive' && t?.primary !== undefined ? names.indexOf(t.primary) : null,
    standby: t?.standby ?? 'warm',
    failover: {
      healthCheckIntervalS: f?.healthCheckInterval ?? FAILOVER_DEFAULTS.healthCheckIntervalS,
      failureThreshold: f?.failureThreshold ?? FAILOVER_DEFAULTS.failureThreshold,
      dnsTtlS: f?.dnsTtl ?? FAILOVER_DEFAULTS.dnsTtlS,
    },
    interRegionPerGbUsd: v.cost.interRegionPerGB,
  };
}

/**
 * A several-model scenario: each model's sections over the top level (its fleet deep-merged onto
 * the top-level fleet, plus what `sharing` fixes: the GPU, and the replicas of a shared pool),
 * resolved as a scenario of its own, its problems reported under `models.<i>`. The resolved
 * scenario is the first model's with the run's name, SLO and events; its topology holds every
 * model's plan and the sharing.
 */
function buildModels(doc: Record<string, unknown>, v: RawScenario, opts: LoadOptions): Scenario {
  const raw = v.models ?? [];
  const rawModels = Array.isArray(doc.models) ? doc.models : [];
  const common: Record<string, unknown> = { ...doc };
  for (const k of ['models', 'sharing', 'variants', 'events', 'traffic', 'model']) delete common[k];
  const issues: ScenarioIssue[] = [];
  for (const k of ['traffic', 'model'] as const) if (doc[k] !== undefined) issues.push({ code: 'unsupported', path: [k], message: M.perModelSection(k) });
  const sharing = buildSharing(v, issues);
  // a layout that does not fit is reported once (sharing.layout): the models still run on the GPU named, so their
  // fleet.mig is not also reported as lacking a fleet.gpu
  const layoutGpu = sharing === null && v.sharing?.mode === 'mig' ? findGpu(v.sharing.gpu ?? '')?.id : undefined;
  const plans: SitePlan[] = [];
  const sites: Scenario[] = [];
  raw.forEach((m, i) => {
    const own = isMapping(rawModels[i]) ? rawModels[i] : {};
    const ownFleet = isMapping(own.fleet) ? own.fleet : {};
    const fixed: Record<string, unknown> = {};
    if (sharing !== null && sharing.mode !== 'dedicated') {
      if (ownFleet.gpu !== undefined && (typeof ownFleet.gpu !== 'string' || findGpu(ownFleet.gpu)?.id !== sharing.gpu)) {
        issues.push({ code: 'cross_field', path: ['models', i, 'fleet', 'gpu'], message: M.modelGpuNotShared(String(ownFleet.gpu), sharing.mode, sharing.gpu) });
      }
      fixed.gpu = sharing.gpu;
    } else if (layoutGpu !== undefined && ownFleet.gpu === undefined) fixed.gpu = layoutGpu;
    if (sharing?.mode === 'mig') {
      const byName = v.sharing?.profiles?.[m.name];
      if (ownFleet.mig === undefined && byName !== undefined) fixed.mig = byName;
      else if (ownFleet.mig === undefined) issues.push({ code: 'required', path: ['models', i, 'fleet', 'mig'], message: M.required(M.EXPECT.modelMigProfile) });
      else if (byName !== undefined) issues.push({ code: 'cross_field', path: ['models', i, 'fleet', 'mig'], message: M.migProfileTwice(m.name) });
      for (const k of ['nodes'] as const) if (ownFleet[k] !== undefined) issues.push({ code: 'unsupported', path: ['models', i, 'fleet', k], message: M.modelFleetFixedBySharing(k, 'mig') });
    }
    if (sharing?.mode === 'shared') {
      // unit: the pool is fixed, every GPU one replica of each model; per-model: each model's own replicas and autoscaler
      const fixedByUnit = sharing.scaling === 'unit' ? (['replicas', 'nodes', 'warmPool', 'mig'] as const) : (['nodes', 'mig'] as const);
      for (const k of fixedByUnit) {
        const unit = k === 'replicas' || k === 'warmPool';
        if (ownFleet[k] !== undefined) issues.push({ code: 'unsupported', path: ['models', i, 'fleet', k], message: M.modelFleetFixedBySharing(k, 'shared', unit) });
      }
      if (sharing.scaling === 'unit') fixed.replicas = sharing.gpus;
    }
    const merged: Record<string, unknown> = {
      ...common,
      traffic: own.traffic ?? {},
      model: own.model ?? {},
      fleet: deepMerge(deepMerge(isMapping(common.fleet) ? common.fleet : {}, ownFleet), fixed),
    };
    for (const k of ['slo', 'autoscaler', 'cache', 'featureStore'] as const) if (own[k] !== undefined) merged[k] = own[k];
    let site: Scenario;
    try {
      site = resolveScenario(merged, opts);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const mine = ['traffic', 'model', 'fleet', 'slo', 'autoscaler', 'cache', 'featureStore'];
      for (const x of e.issues) {
        const inside = typeof x.path[0] === 'string' && mine.includes(x.path[0]);
        issues.push(inside ? under(['models', i], x) : { code: x.code, path: ['models', i], message: M.inModel(m.name, pathText(x.path), x.message) });
      }
      return;
    }
    if (sharing?.mode === 'mig' && site.fleet.mig !== null && !sharing.layout.includes(site.fleet.mig)) {
      issues.push({ code: 'cross_field', path: ['models', i, 'fleet', 'mig'], message: M.modelMigProfile(site.fleet.mig, sharing.layout.join('+')) });
    }
    sites.push(site);
    plans.push({
      name: m.name,
      model: site.model,
      // on a shared GPU a model is billed the GPU time it used (serving/shared-gpus.ts), not per replica
      fleet: sharing?.mode === 'shared' ? { ...site.fleet, gpuShare: 0 } : site.fleet,
      autoscaler: site.autoscaler,
      cost: site.cost,
      traffic: site.traffic,
      slo: site.slo,
      cache: site.cache,
      featureStore: site.featureStore,
    });
  });
  if (issues.length > 0 || sharing === null) throw new ScenarioError(opts.file, issues);
  const first = sites[0]!;
  const warnings: string[] = [];
  sites.forEach((site, i) => {
    for (const w of site.warnings) warnings.push(M.modelWarning(plans[i]!.name, w));
  });
  return {
    ...first,
    name: v.name,
    slo: buildSlo(v.slo),
    events: v.events.map((e): ScenarioEvent => (e.kind === 'replica-crash' ? { atS: e.at, kind: 'replica-crash', count: e.count ?? 1 } : { atS: e.at, kind: 'cache-flush' })),
    warnings,
    topology: { kind: 'models', models: plans, sharing },
  };
}

/** The resolved `sharing` block (dedicated when absent); null when it has a problem (pushed to `issues`). */
function buildSharing(v: RawScenario, issues: ScenarioIssue[]): Sharing | null {
  const sh = v.sharing;
  if (sh === undefined || sh.mode === 'dedicated') return { mode: 'dedicated' };
  const gpu = findGpu(sh.gpu ?? '');
  if (gpu === undefined) return null; // reported by the schema
  if (sh.mode === 'shared') {
    const scaling = sh.scaling ?? 'unit';
    return { mode: 'shared', gpu: gpu.id, gpus: sh.gpus ?? (scaling === 'unit' ? 1 : 0), overlap: sh.overlap ?? 0, scaling };
  }
  const layout = parseMigLayout(gpu, sh.layout ?? '');
  if ('error' in layout) {
    issues.push({ code: 'cross_field', path: ['sharing', 'layout'], message: layout.error });
    return null;
  }
  return { mode: 'mig', gpu: gpu.id, layout: layout.profiles.map((p) => p.id), shares: layout.profiles.map((p) => migComputeShare(p)), minGpus: sh.gpus ?? 0 };
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
    const key = `${pathText(i.path)}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mapIssue(i: ZodIssue, doc: unknown, out: ScenarioIssue[]): void {
  const path = i.path;
  const push = (code: IssueCode, p: readonly (string | number)[], message: string): void => {
    out.push({ code, path: [...p], message });
  };
  switch (i.code) {
    case 'custom': {
      // every custom issue of schema.ts carries its code (leaf, issue, fail); cross_field stands in should one not
      const code: unknown = i.params?.code;
      push(isIssueCode(code) ? code : 'cross_field', path, i.message);
      return;
    }
    case 'unrecognized_keys': {
      const known = expectationAt(path)?.keys ?? [];
      const prefix = path.length === 0 ? '' : `${path.join('.')}.`;
      const unsupportedHere = [...UNSUPPORTED_PATHS]
        .filter((u) => u.startsWith(prefix) && !u.slice(prefix.length).includes('.'))
        .map((u) => u.slice(prefix.length));
      for (const key of i.keys) {
        if (UNSUPPORTED_PATHS.has(prefix + key)) push('unsupported', [...path, key], M.NOT_SUPPORTED);
        else push('unknown_key', [...path, key], M.unknownField(key, known, unsupportedHere));
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
      push('invalid_type', path, M.mustBe(expectationAt(path)?.description ?? M.typePhrase('unknown'), valueAt(doc, path)));
      return;
    }
    case 'invalid_type': {
      const expected = expectationAt(path)?.description ?? M.typePhrase(i.expected);
      const value = valueAt(doc, path);
      if (value === undefined) push('required', path, M.required(expected));
      else push('invalid_type', path, M.mustBe(expected, value));
      return;
    }
    default:
      push('invalid_type', path, M.invalidValue(valueAt(doc, path)));
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

// ---------------------------------------------------------------- the rate shape alone (LLM scenarios)

/** The rate-shape fields of a traffic section, resolved (defaults filled, units converted). */
export interface RateShape {
  diurnal: Diurnal | null;
  spikes: Spike[];
  burst: Burst;
  /** 1 when absent. */
  scale: number;
}

/**
 * `traffic.diurnal`, `traffic.spikes`, `traffic.burst` and `traffic.scale` of a document, checked by
 * the request-level schema (the same syntax, defaults and messages, paths under `traffic`) and the
 * request-level limits on them; the other traffic fields are the caller's. For LLM scenarios
 * (llm/scenario.ts), which draw such a shape with the request-level arrival processes.
 */
export function parseRateShape(traffic: unknown): { shape: RateShape } | { issues: ScenarioIssue[] } {
  const doc = { traffic: dropNulls(traffic) };
  const result = rateShapeSchema.safeParse(doc);
  if (!result.success) return { issues: friendlyIssues(result.error.issues, doc) };
  const t = result.data.traffic;
  const shape: RateShape = {
    diurnal: t.diurnal === undefined ? null : { amplitude: t.diurnal.amplitude, periodS: t.diurnal.period, peakAtS: t.diurnal.peakAt },
    spikes: t.spikes.map((s) => ({ atS: s.at, factor: s.factor, forS: s.for })),
    burst: buildBurst(t.burst),
    scale: t.scale,
  };
  // the limits of limitIssues on these fields, with its messages
  const issues: ScenarioIssue[] = [];
  if (shape.diurnal !== null && shape.diurnal.periodS < LIMITS.minDiurnalPeriodS) issues.push({ code: 'too_small', path: ['traffic', 'diurnal', 'period'], message: M.mustBe('at least 1m', shape.diurnal.periodS) });
  if (shape.burst.kind === 'gamma' && shape.burst.cv > LIMITS.cv) issues.push({ code: 'limit_exceeded', path: ['traffic', 'burst', 'cv'], message: M.mustBe(`at most ${LIMITS.cv}`, shape.burst.cv) });
  return issues.length > 0 ? { issues } : { shape };
}

// ---------------------------------------------------------------- build

const SLO_PERCENTILES: readonly SloPercentile[] = ['p50', 'p90', 'p95', 'p99', 'p999'];
const DEFAULT_CV = 0.1;

function build(v: RawScenario, opts: LoadOptions): Scenario {
  const warnings: string[] = [];
  const found = latencySource(v);
  // The schema's cross-check has already rejected every case without a table.
  if ('error' in found) {
    throw new ScenarioError(opts.file, [found.error ?? { code: 'required', path: ['model', 'latency'], message: M.required(M.LATENCY_REQUIRED) }]);
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

  const sc: Scenario = {
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
      // left out at 1 (the default), so resolved scenarios without a multiplier read as before
      ...(t.scale !== 1 ? { scale: t.scale } : {}),
      trace:
        t.trace === undefined
          ? null
          : {
              file: isAbsolute(t.trace.file) ? t.trace.file : join(opts.baseDir, t.trace.file),
              timeColumn: t.trace.timeColumn,
              keyColumn: t.trace.keyColumn ?? null,
              speedup: t.trace.speedup,
              rateMultiplier: t.trace.rateMultiplier,
              loop: t.trace.loop,
              timeFormat: t.trace.timeFormat,
            },
    },
    model: {
      profile: v.model.profile === undefined ? null : (findProfile(v.model.profile)?.id ?? v.model.profile),
      latency: { batch: [...table.batch], latencyS: [...table.latencyS], source: table.source },
      variability: { dist, cv },
      responseBytes: v.model.responseBytes,
      overheadS: v.model.overhead,
    },
    fleet: {
      gpu: gpu?.id ?? null,
      mig: mig?.id ?? null,
      gpuShare: mig === undefined ? 1 : migComputeShare(mig),
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
    events: v.events.map((e): ScenarioEvent => {
      if (e.kind === 'replica-crash') return { atS: e.at, kind: 'replica-crash', count: e.count ?? 1 };
      if (e.kind === 'region-outage') return { atS: e.at, kind: 'region-outage', region: e.region ?? '', forS: e.for ?? Infinity };
      return { atS: e.at, kind: 'cache-flush' };
    }),
    report: { intervalS: v.report.interval },
    warnings,
  };
  if (autoscaler.kind === 'hpa') warnings.push(...hpaWarnings(autoscaler, sc.fleet));
  return sc;
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
    const problems = kpaConfigIssues(a, config);
    if (problems.length > 0) throw new ScenarioError(opts.file, problems);
    return { kind: 'kpa', config };
  }
  // hpa: from the user's own manifest file, or inline
  let parsed: HpaParseResult;
  if (a.manifest !== undefined) {
    const path = isAbsolute(a.manifest) ? a.manifest : join(opts.baseDir, a.manifest);
    if (opts.readFile === undefined) throw new ScenarioError(opts.file, [{ code: 'file_unreadable', path: ['autoscaler', 'manifest'], message: M.cannotReadFile(a.manifest, 'no file access here') }]);
    let text: string;
    try {
      text = opts.readFile(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
      throw new ScenarioError(opts.file, [{ code: 'file_unreadable', path: ['autoscaler', 'manifest'], message: M.cannotReadFile(a.manifest, why) }]);
    }
    parsed = parseHpaManifest(text, a.name === undefined ? { file: a.manifest } : { file: a.manifest, name: a.name });
  } else {
    parsed = parseHpaSpec(a.spec, 'autoscaler.spec', a.name ?? 'hpa');
  }
  if (isHpaParseError(parsed)) {
    // a manifest's problems stand at autoscaler.manifest, each naming its place in the file; an inline spec's at their field
    const fromManifest = a.manifest !== undefined;
    throw new ScenarioError(
      opts.file,
      parsed.errors.map((e) =>
        fromManifest ? { code: e.code, path: ['autoscaler', 'manifest'], message: `${e.path}: ${e.message}` } : { code: e.code, path: pathSegments(e.path), message: e.message },
      ),
    );
  }
  const signals: Record<string, SignalMapping> = { ...a.signals };
  const issues: ScenarioIssue[] = [];
  parsed.metrics.forEach((m) => {
    if (m.type === 'Resource' || m.type === 'ContainerResource') {
      if (m.name !== 'cpu') issues.push({ code: 'unsupported', path: ['autoscaler'], message: M.hpaUnsupportedResource(m.name) });
      return;
    }
    if (signals[m.name] === undefined) issues.push({ code: 'required', path: ['autoscaler', 'signals'], message: M.hpaUnmappedMetric(m.name) });
  });
  if (issues.length > 0) throw new ScenarioError(opts.file, issues);
  const metrics = pipelineSpec(a.metrics);
  if (v.fleet.replicas < parsed.minReplicas || v.fleet.replicas > parsed.maxReplicas) {
    warnings.push(M.hpaInitialClamped(v.fleet.replicas, parsed.minReplicas, parsed.maxReplicas));
  }
  return {
    kind: 'hpa',
    spec: parsed,
    signals,
    syncPeriodS: a.syncPeriod,
    tolerance: a.tolerance,
    metrics,
    resourceMetrics: a.resourceMetrics === undefined ? metrics : pipelineSpec(a.resourceMetrics),
  };
}

/** A pipeline from its preset, with the fields the scenario sets instead. */
function pipelineSpec(p: NonNullable<NonNullable<RawScenario['autoscaler']>['resourceMetrics']>): MetricsPipelineSpec {
  return resolveMetricsPipeline(p.preset, { scrapeIntervalS: p.scrapeInterval, windowS: p.window, gaugeWindowS: p.gaugeWindow, delayS: p.delay, rate: p.rate });
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

// ---------------------------------------------------------------- limits (config/limits.ts)

function gb(bytes: number): string {
  return `${(bytes / 1e9).toPrecision(3)} GB`;
}

/** The highest arrival rate the run can see (req/s): the rate shape's peak, times an MMPP's high factor. */
function peakRequestRate(sc: Scenario): number {
  const t = sc.traffic;
  return (peakArrivalRate(sc) ?? 0) * (t.burst.kind === 'mmpp' ? Math.max(1, t.burst.highFactor) : 1);
}

/** Requests the run would simulate at most (peak rate × duration), as checked against LIMITS.expectedRequests. */
function peakRequests(sc: Scenario): number {
  return peakRequestRate(sc) * sc.durationS;
}

/**
 * The most memory a run may need at once: every request that can be held (each site's replicas ×
 * (queue depth + instances × maxBatch), plus the gateway queue; never more than the run's requests),
 * the keyed caches, and the timelines.
 */
export function memoryEstimate(
  sc: Scenario,
  sites: { replicas: number; fleet: Scenario['fleet'] }[],
  timelineRows: number,
  siteCount: number,
  requests: number,
): { bytes: number; parts: string[] } {
  let held = 0;
  for (const s of sites) held += s.replicas * (s.fleet.queue.maxDepth + s.fleet.instances * s.fleet.batching.maxBatch) + s.fleet.queue.maxDepth;
  held = Math.min(held, requests);
  const cacheEntries = sc.cache?.mode === 'keyed' ? sc.cache.capacity * siteCount : 0;
  const parts = [`${held.toPrecision(3)} requests held × ${REQUEST_BYTES} B`];
  if (cacheEntries > 0) parts.push(`${cacheEntries.toPrecision(3)} cache entries × ${CACHE_ENTRY_BYTES} B`);
  parts.push(`${timelineRows.toPrecision(3)} timeline rows × ${TIMELINE_ROW_BYTES} B`);
  return { bytes: BASE_BYTES + held * REQUEST_BYTES + cacheEntries * CACHE_ENTRY_BYTES + timelineRows * TIMELINE_ROW_BYTES, parts };
}

/** The most replicas a fleet may hold at once: its largest count (autoscaler bounds, capped at the limit) plus its warm pool. */
function mostReplicas(x: { fleet: Scenario['fleet']; autoscaler: Scenario['autoscaler'] }): number {
  const b = replicaBounds(x.autoscaler, x.fleet.replicas);
  // an unbounded KPA (maxReplicas 0) has no maximum to count: its initial count stands in
  const top = Math.max(x.fleet.replicas, b.min, b.max === Infinity ? 0 : b.max);
  return Math.min(top, LIMITS.replicas) + x.fleet.warmPool;
}

/**
 * The limits a several-model scenario must meet over all its models together (each model has met
 * every limit on its own when it was resolved): requests, replicas, timeline rows, memory.
 */
function modelsLimitIssues(sc: Scenario): ScenarioIssue[] {
  const topo = sc.topology;
  if (topo?.kind !== 'models') return [];
  const out: ScenarioIssue[] = [];
  const models = topo.models.map((m) => ({ ...sc, traffic: m.traffic ?? sc.traffic, fleet: m.fleet, autoscaler: m.autoscaler, cache: m.cache ?? null }));
  const requests = models.reduce((a, m) => a + (m.traffic.trace === null ? peakRequests(m) : 0), 0);
  if (!(requests <= LIMITS.expectedRequests)) {
    out.push({ code: 'limit_exceeded', path: ['models'], message: `the run would simulate about ${requests.toPrecision(3)} requests over all models; at most ${LIMITS.expectedRequests} can be simulated` });
  }
  const replicas = models.map(mostReplicas);
  const total = replicas.reduce((a, b) => a + b, 0);
  if (total > LIMITS.replicas) {
    out.push({ code: 'limit_exceeded', path: ['models'], message: `at most ${LIMITS.replicas} replicas over all models can be simulated (each model's largest count, autoscaler bounds and warm pool included), got ${total}` });
  }
  const rows = (sc.durationS / sc.report.intervalS) * (models.length + 1);
  if (!(rows <= LIMITS.timelineRows)) {
    out.push({ code: 'limit_exceeded', path: ['report', 'interval'], message: `the timelines would have ${rows.toPrecision(3)} rows (the run's and one per model); at most ${LIMITS.timelineRows} in all: use a longer interval` });
  }
  if (out.length === 0) {
    let bytes = 0;
    const parts: string[] = [];
    models.forEach((m, i) => {
      const est = memoryEstimate(m, [{ replicas: replicas[i]!, fleet: m.fleet }], 0, 1, m.traffic.trace === null ? peakRequests(m) : Infinity);
      bytes += est.bytes;
      parts.push(`${topo.models[i]!.name}: ${gb(est.bytes)}`);
    });
    bytes += rows * TIMELINE_ROW_BYTES;
    if (bytes > LIMITS.memoryBytes) {
      out.push({ code: 'limit_exceeded', path: ['models'], message: `the run could hold about ${gb(bytes)} in memory at once (${parts.join(', ')}); at most ${gb(LIMITS.memoryBytes)} can be simulated` });
    }
  }
  return out;
}

/** The problems of a resolved scenario that exceeds LIMITS, each at the field to change. */
function limitIssues(sc: Scenario): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  // a value past what can be simulated is limit_exceeded; one below what time can resolve (a period under 1 ms) is too_small
  const atMost = (path: IssuePath, value: number, max: number, phrase = String(max)): void => {
    if (value > max) out.push({ code: 'limit_exceeded', path, message: M.mustBe(`at most ${phrase}`, value) });
  };
  const atLeast = (path: IssuePath, value: number, min: number, phrase: string): void => {
    if (value < min) out.push({ code: 'too_small', path, message: M.mustBe(`at least ${phrase}`, value) });
  };
  atMost(['duration'], sc.durationS, LIMITS.durationS, '365d (one year, in seconds 31536000)');
  for (const [p, target] of Object.entries(sc.slo.latencyS)) atMost(['slo', p], target, LIMITS.durationS, '365d (one year, in seconds 31536000)');
  sc.model.latency.batch.forEach((b, i) => {
    // below 1 µs a batch completes within the clock's rounding (latency 0) and per-replica throughput overflows
    atLeast(['model', 'latency', String(b)], sc.model.latency.latencyS[i]!, LIMITS.minBatchLatencyS, '1us');
    atMost(['model', 'latency', String(b)], sc.model.latency.latencyS[i]!, LIMITS.batchLatencyS, '1h (3600 s)');
  });
  const t = sc.traffic;
  // peakArrivalRate needs a diurnal period that the run's times can resolve (checked below)
  const fewPeaks = sc.durationS <= LIMITS.durationS && (t.diurnal === null || t.diurnal.periodS >= LIMITS.minDiurnalPeriodS);
  if (t.trace === null && fewPeaks) {
    const peak = peakRequestRate(sc);
    const requests = peak * sc.durationS;
    if (!(requests <= LIMITS.expectedRequests)) {
      out.push({
        code: 'limit_exceeded',
        path: ['traffic', 'rate'],
        message: `the run would simulate about ${requests.toPrecision(3)} requests (peak ${peak.toPrecision(3)} req/s for ${M.formatSeconds(sc.durationS)}); at most ${LIMITS.expectedRequests} can be simulated`,
      });
    }
  }
  if (t.trace !== null) atMost(['traffic', 'trace', 'rateMultiplier'], t.trace.rateMultiplier, LIMITS.traceCopies);
  if (t.diurnal) atLeast(['traffic', 'diurnal', 'period'], t.diurnal.periodS, LIMITS.minDiurnalPeriodS, '1m');
  if (t.burst.kind === 'gamma') atMost(['traffic', 'burst', 'cv'], t.burst.cv, LIMITS.cv);
  atMost(['model', 'variability', 'cv'], sc.model.variability.cv, LIMITS.cv);
  atMost(['model', 'responseBytes'], sc.model.responseBytes, LIMITS.responseBytes, '1TB');
  const f = sc.fleet;
  atMost(['fleet', 'replicas'], f.replicas, LIMITS.replicas);
  atMost(['fleet', 'warmPool'], f.warmPool, LIMITS.replicas);
  atMost(['fleet', 'instances'], f.instances, LIMITS.instances);
  atMost(['fleet', 'batching', 'maxBatch'], f.batching.maxBatch, LIMITS.maxBatch);
  atMost(['fleet', 'queue', 'maxDepth'], f.queue.maxDepth, LIMITS.queueDepth);
  for (const [phase, d] of Object.entries(f.coldStart)) if (d.kind === 'lognormal') atMost(['fleet', 'coldStart', phase, 'cv'], d.cv, LIMITS.cv);
  atMost(['cost', 'gpuHourly'], sc.cost.gpuHourlyUsd ?? 0, LIMITS.hourlyUsd);
  atMost(['cost', 'cacheHourly'], sc.cost.cacheHourlyUsd, LIMITS.hourlyUsd);
  atMost(['cost', 'egressPerGB'], sc.cost.egressPerGbUsd ?? 0, LIMITS.hourlyUsd);
  const a = sc.autoscaler;
  const bounds = replicaBounds(a, f.replicas);
  const highest = Math.max(bounds.min, bounds.max === Infinity ? 0 : bounds.max);
  if (a.kind !== 'none') atMost(['autoscaler'], highest, LIMITS.replicas, `${LIMITS.replicas} replicas`);
  if (a.kind === 'hpa') {
    atLeast(['autoscaler', 'syncPeriod'], a.syncPeriodS, LIMITS.minPeriodS, '1ms');
    for (const key of ['metrics', 'resourceMetrics'] as const) {
      const m = a[key];
      atLeast(['autoscaler', key, 'scrapeInterval'], m.scrapeIntervalS, LIMITS.minPeriodS, '1ms');
      atMost(['autoscaler', key, 'window'], m.windowS, LIMITS.maxMetricsWindowS, '1h');
      atMost(['autoscaler', key, 'gaugeWindow'], m.gaugeWindowS, LIMITS.maxMetricsWindowS, '1h');
      atMost(['autoscaler', key, 'delay'], m.delayS, LIMITS.maxMetricsWindowS, '1h');
    }
  }
  if (a.kind === 'kpa') atLeast(['autoscaler', 'tick'], a.config.tickS, LIMITS.minPeriodS, '1ms');
  if (t.keys.kind === 'zipf') atMost(['traffic', 'keys', 'count'], t.keys.count, LIMITS.keyCount, '2147483647 (2^31 − 1)');
  const topo = sc.topology;
  const sites = topo == null ? 1 : topo.kind === 'regions' ? topo.regions.length : topo.kind === 'shards' ? topo.count : topo.models.length;
  if (topo?.kind === 'shards' && topo.tenants !== null) atMost(['shards', 'tenants', 'count'], topo.tenants.count, LIMITS.keyCount, '2147483647 (2^31 − 1)');
  if (sc.cache?.mode === 'keyed' && sc.cache.capacity * sites > LIMITS.cacheEntries) {
    const each = sites > 1 ? ` over all ${sites} ${topo?.kind === 'regions' ? 'regions' : 'shards'}, which keep a cache each,` : '';
    out.push({
      code: 'limit_exceeded',
      path: ['cache', 'capacity'],
      message: `at most ${LIMITS.cacheEntries} entries${each} can be simulated (about 3 GB of memory), got ${sc.cache.capacity}${sites > 1 ? ` × ${sites}` : ''}`,
    });
  }
  if (topo?.kind === 'regions') {
    topo.regions.forEach((r, i) => {
      if (r.fleet !== sc.fleet) {
        atMost(['regions', i, 'fleet', 'replicas'], r.fleet.replicas, LIMITS.replicas);
        atMost(['regions', i, 'fleet', 'warmPool'], r.fleet.warmPool, LIMITS.replicas);
        atMost(['regions', i, 'fleet', 'batching', 'maxBatch'], r.fleet.batching.maxBatch, LIMITS.maxBatch);
        atMost(['regions', i, 'fleet', 'queue', 'maxDepth'], r.fleet.queue.maxDepth, LIMITS.queueDepth);
      }
      // the round trip is added to every latency the users see: a huge one made them Infinity ms
      r.rttS.forEach((rtt, j) => atMost(['regions', i, 'rtt', topo.regions[j]!.name], rtt, LIMITS.durationS, '365d (one year, in seconds 31536000)'));
    });
    atLeast(['failover', 'healthCheckInterval'], topo.failover.healthCheckIntervalS, LIMITS.minPeriodS, '1ms');
    atMost(['cost', 'interRegionPerGB'], topo.interRegionPerGbUsd, LIMITS.hourlyUsd);
    // weights are normalized by their sum, which must not overflow (every request then went to the first region)
    topo.weights?.forEach((w, j) => atMost(['topology', 'weights', topo.regions[j]!.name], w, LIMITS.routingWeight));
  }
  const fs = sc.featureStore;
  if (fs !== null) {
    atMost(['featureStore', 'servers'], fs.servers, LIMITS.replicas);
    atMost(['featureStore', 'readReplicas'], fs.readReplicas, LIMITS.replicas);
    // as for the model's variability: beyond it a lognormal's σ overflows and service times are NaN
    if (fs.serviceTime.dist === 'lognormal' || fs.serviceTime.dist === 'gamma') atMost(['featureStore', 'serviceTime', 'cv'], fs.serviceTime.cv, LIMITS.cv);
  }
  // a finite TTL beyond a year made the analytic hit-rate estimate NaN (and the run throw at its summary)
  if (sc.cache?.mode === 'keyed' && sc.cache.ttlS < Infinity) atMost(['cache', 'ttl'], sc.cache.ttlS, LIMITS.durationS, '365d (one year, in seconds 31536000)');
  // what each site may hold at once: its largest replica count (autoscaler bounds) plus its warm pool
  const siteFleets: { fleet: typeof f; autoscaler: typeof a }[] =
    topo?.kind === 'regions' ? topo.regions.map((r) => ({ fleet: r.fleet, autoscaler: r.autoscaler })) : Array.from({ length: sites }, () => ({ fleet: f, autoscaler: a }));
  const siteReplicas = siteFleets.map(mostReplicas);
  if (sites > 1) {
    const total = siteReplicas.reduce((x, y) => x + y, 0);
    if (total > LIMITS.replicas) {
      out.push({
        code: 'limit_exceeded',
        path: topo?.kind === 'regions' ? ['regions'] : ['shards', 'count'],
        message: `at most ${LIMITS.replicas} replicas over all sites can be simulated (each site's largest count, autoscaler bounds and warm pool included), got ${total}`,
      });
    }
  }
  const rows = sc.durationS / sc.report.intervalS;
  // the run's timeline, and one per site beside it
  const allRows = rows * (sites > 1 ? sites + 1 : 1);
  if (!(rows <= LIMITS.timelineRows)) {
    out.push({
      code: 'limit_exceeded',
      path: ['report', 'interval'],
      message: `the timeline would have ${rows.toPrecision(3)} rows (duration / interval); at most ${LIMITS.timelineRows}: use a longer interval`,
    });
  } else if (!(allRows <= LIMITS.timelineRows)) {
    out.push({
      code: 'limit_exceeded',
      path: ['report', 'interval'],
      message: `the timelines would have ${allRows.toPrecision(3)} rows (${rows.toPrecision(3)} for the run and for each of ${sites} sites); at most ${LIMITS.timelineRows} in all: use a longer interval`,
    });
  }
  if (out.length === 0) {
    // one estimate of what the run may hold at once, checked before running: limits that hold one
    // by one (replicas, queue depth, batch size, cache, timeline rows) must also hold together
    const est = memoryEstimate(sc, siteFleets.map((x, i) => ({ replicas: siteReplicas[i]!, fleet: x.fleet })), allRows, sites, t.trace === null && fewPeaks ? peakRequests(sc) : Infinity);
    if (est.bytes > LIMITS.memoryBytes) {
      out.push({
        code: 'limit_exceeded',
        path: [],
        message:
          `the run could hold about ${gb(est.bytes)} in memory at once (${est.parts.join(', ')}); at most ${gb(LIMITS.memoryBytes)} can be simulated: ` +
          'lower the replicas (or the autoscaler maximum), fleet.queue.maxDepth, cache.capacity or the number of sites',
      });
    }
  }
  return out;
}
