/**
 * LLM scenarios: a scenario file with a top-level `llm:` block runs a fleet of LLM replicas
 * (fleet.ts) instead of the request-level fleet. This module validates such a document and
 * resolves it into an LlmFleetSpec; it never touches the file system (files named by the
 * scenario, a trace or a profile bundle, are read through `readFile`).
 *
 *   name, seed, duration, warmup, report.interval        as in every scenario
 *   slo:     { ttft: { p99: 2s }, tpot: { p99: 50ms }, e2e: …, itl: … }
 *   traffic: trace: { file, timeColumn, promptColumn, outputColumn, speedup, loop, rateMultiplier }
 *          | rate: 5            (Poisson)           + tokens: { prompt: D, output: D }
 *            with rate: [{ at, rps (or rate), ramp }], diurnal, spikes, burst, scale: the request-level
 *            shapes (load.ts parseRateShape, drawn by workload/arrivals.ts); scale also on a trace
 *          | users: 64, thinkTime: 5s (closed loop) + tokens
 *            sessions: { turns: 4, followUp: D } (users only: each turn repeats the conversation so far)
 *            systemPrompt: 300  (leading prompt tokens every request shares)
 *                        | { tokens: 1024, count: 4 } (4 distinct system prompts, one drawn per request)
 *            D = 512 | { lognormal: { mean, cv, min?, max? } } | { empirical: { values, weights } }
 *   llm:     model, gpu, tensorParallel, replicas, routing, price?,
 *            prefixAffinity: { cacheThreshold, balanceAbsThreshold, balanceRelThreshold, maxTreeSize } (routing prefix-affinity),
 *            engine: { maxNumSeqs, maxNumBatchedTokens, blockSize, gpuMemoryUtilization, numGpuBlocks?, prefixCaching },
 *            stepTime: roofline | builtin (published coefficients for model × gpu × tensorParallel, profiles.ts)
 *                    | { beta0, beta1, beta2, beta3, beta4? (seconds per unit) } | { profile: DIR },
 *            overheads: none | { queue, queuePerPromptToken, firstToken, perToken } (durations; per-request
 *                    time outside the steps: a built-in profile's α's by default, else 0),
 *            coldStart: { loadBandwidth: 2GB } (weights / bandwidth before the replica serves),
 *            autoscaler: { metric: vllm:num_requests_waiting | …running | vllm:kv_cache_usage_perc, target, minReplicas, maxReplicas, syncPeriod } (an HPA)
 *                      | { kind: kpa, metric: concurrency | rps, target, targetUtilization, minReplicas, maxReplicas,
 *                          stableWindow, panicWindowPercentage, panicThreshold, maxScaleUpRate, maxScaleDownRate, tick } (a KPA)
 */
import { isAbsolute, join } from 'node:path';
import { isMap, parse, parseDocument } from 'yaml';
import { YAML_OPTIONS } from '../scenario/plain.js';
import { findGpu } from '../catalog/index.js';
import { parseDurationS, parseSizeBytes, UnitError } from '../scenario/units.js';
import { applySets, parseRateShape, resolveVariants, ScenarioError, type RateShape } from '../scenario/load.js';
import { expandImports } from '../scenario/imports.js';
import { formatSeconds, ignoredWithTrace } from '../scenario/messages.js';
import { LIMITS } from '../config/limits.js';
import { peakRate } from '../workload/rate-shape.js';
import { replayProblem } from '../workload/trace-replay.js';
import type { Traffic } from '../config/scenario.js';
import type { LlmFleetSpec } from './fleet.js';
import { KNATIVE, kpaDefaults, type KpaConfig } from '../config/kpa.js';
import { LLM_ROUTINGS, PREFIX_AFFINITY_DEFAULTS, type LlmArrivals, type LlmAutoscaler, type LlmMetric, type LlmPrefixAffinity, type LlmRouting, type LlmScalingMetric, type LlmSlo, type RequestOverheads, type TokenDist } from '../config/llm.js';
import { formatIssue, pathSegments, type IssueCode, type ScenarioIssue } from '../scenario/issues.js';
import { GPU_DATASHEETS, kvBlocksFromMemory, MODELS, rooflineCoefficients, weightBytes } from './models.js';
import { BUILTIN_PROFILES, findProfile, profileLabel, profileOverheads, profileWarning, type BuiltinProfile } from './profiles.js';
import { LinearStepModel, ProfileStepModel, SkewFit, type StepTimeModel } from './step-time.js';

/** An invalid LLM scenario: its issues (as every scenario's: code, path, message) and one `error: <file>: <path>: <message>` line each. */
export class LlmScenarioError extends Error {
  readonly lines: string[];
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    const lines = issues.map((i) => formatIssue(file, i));
    super(lines.join('\n'));
    this.lines = lines;
  }
}

export interface LlmScenario {
  name: string;
  spec: LlmFleetSpec;
  /** Where the step times come from, and the KV capacity (for the table). */
  notes: string[];
  warnings: string[];
}

type Obj = Record<string, unknown>;

/** True when a parsed scenario document is an LLM scenario (has a top-level `llm` block). */
export function isLlmDocument(text: string): boolean {
  // Parsed only when an llm key can be there and the flow nesting is shallow: a document nested
  // thousands deep overflows the parser's stack, and is the main loader's to refuse (parsing it
  // twice in one process made V8 abort instead of reporting it)
  if (!/(^|[\s{,])["']?llm["']?\s*:/m.test(text) || flowDepth(text) > MAX_FLOW_DEPTH) return false;
  try {
    // the top-level keys only: no toJS (an alias-heavy document is also the main loader's to refuse)
    const contents = parseDocument(text, YAML_OPTIONS).contents;
    return isMap(contents) && contents.has('llm');
  } catch {
    return false;
  }
}

/** Deeper flow collections than any scenario needs: left to the main loader. */
const MAX_FLOW_DEPTH = 200;

/** The deepest nesting of [ and { in `text` (quotes ignored: an upper bound is all that is needed). */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

export interface LlmLoadOptions {
  file: string;
  baseDir: string;
  sets?: string[];
  readFile: (absolutePath: string) => string;
}

/** Parses a trace CSV's time and token columns; times relative to the first row, divided by speedup. */
export function parseTokenTrace(text: string, timeColumn: string, promptColumn: string, outputColumn: string, speedup: number, what: string): { timesS: Float64Array; prompt: Int32Array; output: Int32Array } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${what}: expected a header and at least one row`);
  const header = lines[0]!.split(',').map((s) => s.trim());
  const ci = (c: string): number => {
    const i = header.indexOf(c);
    if (i < 0) throw new Error(`${what}: no column "${c}" (columns: ${header.join(', ')})`);
    return i;
  };
  const [ti, pi, oi] = [ci(timeColumn), ci(promptColumn), ci(outputColumn)];
  const n = lines.length - 1;
  const timesS = new Float64Array(n);
  const prompt = new Int32Array(n);
  const output = new Int32Array(n);
  let t0 = NaN;
  let prev = -Infinity;
  for (let k = 0; k < n; k++) {
    const cells = lines[k + 1]!.split(',');
    const raw = cells[ti]?.trim() ?? '';
    let t: number;
    if (/^\d+(\.\d+)?$/.test(raw)) t = Number(raw);
    else {
      // ISO date-time, fractional seconds of any length (Date.parse keeps milliseconds only)
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?Z?$/.exec(raw);
      if (!m) throw new Error(`${what}: line ${k + 2}: ${timeColumn}: not a time: "${raw.slice(0, 60)}"`);
      t = Date.parse(`${m[1]}T${m[2]}Z`) / 1000 + (m[3] ? Number(m[3]) : 0);
    }
    if (Number.isNaN(t0)) t0 = t;
    const rel = (t - t0) / speedup;
    if (rel < prev) throw new Error(`${what}: line ${k + 2}: times must not decrease`);
    prev = rel;
    timesS[k] = rel;
    const p = Number(cells[pi]);
    const o = Number(cells[oi]);
    if (!(Number.isInteger(p) && p >= 1)) throw new Error(`${what}: line ${k + 2}: ${promptColumn}: expected a positive integer, got "${cells[pi]}"`);
    if (!(Number.isInteger(o) && o >= 0)) throw new Error(`${what}: line ${k + 2}: ${outputColumn}: expected a non-negative integer, got "${cells[oi]}"`);
    prompt[k] = p;
    output[k] = Math.max(1, o);
  }
  return { timesS, prompt, output };
}

/** The request-level rate-shape fields an LLM scenario's open-loop traffic takes too (load.ts parseRateShape). */
const RATE_SHAPE_FIELDS = ['diurnal', 'spikes', 'burst', 'scale'] as const;

/** The traffic's rate-shape fields, checked as a request-level scenario's (its messages into `errs`); null when there are none or they are invalid. */
function llmRateShape(tr: Obj, errs: ScenarioIssue[]): RateShape | null {
  if (!RATE_SHAPE_FIELDS.some((k) => tr[k] !== undefined)) return null;
  const picked: Obj = {};
  for (const k of RATE_SHAPE_FIELDS) if (tr[k] !== undefined) picked[k] = tr[k];
  const r = parseRateShape(picked);
  if ('issues' in r) {
    errs.push(...r.issues);
    return null;
  }
  return r.shape;
}

/**
 * A rate schedule with a shape beyond the plain Poisson steps (a ramp, diurnal, spikes, a burst
 * other than poisson, a scale ≠ 1) as the request-level Traffic it is (drawn by
 * workload/arrivals.ts); null for plain steps, which keep the LLM path's own Poisson draws.
 */
function shapedArrivals(schedule: Array<{ atS: number; rps: number }>, ramps: number[], shape: RateShape | null, prompt: TokenDist, output: TokenDist): LlmArrivals | null {
  const plain = ramps.every((r) => r === 0) && (shape === null || (shape.diurnal === null && shape.spikes.length === 0 && shape.burst.kind === 'poisson' && shape.scale === 1));
  if (plain) return null;
  const traffic: Traffic = {
    schedule: schedule.map((s, k) => ({ atS: s.atS, rps: s.rps, rampS: ramps[k] ?? 0 })),
    diurnal: shape?.diurnal ?? null,
    spikes: shape?.spikes ?? [],
    burst: shape?.burst ?? { kind: 'poisson' },
    keys: { kind: 'unique' },
    trace: null,
    ...(shape !== null && shape.scale !== 1 ? { scale: shape.scale } : {}),
  };
  return { kind: 'shaped', traffic, prompt, output };
}

/**
 * `traffic.prometheus` as a request-level scenario takes it (scenario/imports.ts, its messages): a
 * Prometheus query_range JSON replayed as the rate schedule (traffic.rate), and the duration when
 * left out. Open loop only.
 */
function withPrometheus(raw: unknown, opts: LlmLoadOptions, errs: ScenarioIssue[]): unknown {
  const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObj(raw) || !isObj(raw.traffic) || raw.traffic.prometheus === undefined) return raw;
  if (raw.traffic.users !== undefined) {
    errs.push({ code: 'cross_field', path: ['traffic', 'prometheus'], message: 'a Prometheus series is an open-loop rate: give it without traffic.users' });
    return raw;
  }
  const r = expandImports(raw, { baseDir: opts.baseDir, readFile: opts.readFile, limits: { maxBatch: LIMITS.maxBatch, instances: LIMITS.instances } });
  errs.push(...r.issues);
  return r.doc;
}

/** Loads and validates an LLM scenario; throws LlmScenarioError listing the problems (file: path: message). */
export function loadLlmScenario(text: string, opts: LlmLoadOptions): LlmScenario {
  return loadLlmDocument(parseLlmDocument(text, opts), opts);
}

/** The scenario document as plain data, with the options' --set overrides applied. */
export function parseLlmDocument(text: string, opts: LlmLoadOptions): unknown {
  const raw = parseDocument(text).toJS() as unknown;
  return opts.sets && opts.sets.length > 0 ? applySets(raw, opts.sets, opts.file) : raw;
}

/**
 * An LLM scenario and its `variants`, by the same mechanism and rules as a request-level file's
 * (scenario/load.ts resolveVariants: deep-merged onto the base, then `--set`); a variant's problems
 * are reported under `variants.<name>` (ScenarioError), the base's as loadLlmScenario reports them.
 */
export function loadLlmScenarioVariants(text: string, opts: LlmLoadOptions): { base: LlmScenario; variants: { name: string; scenario: LlmScenario }[] } {
  const raw = parseDocument(text).toJS() as unknown;
  const doc = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Obj) : {};
  return resolveVariants(doc, opts, (d) => loadLlmDocument(d, opts), (e) => (e instanceof LlmScenarioError || e instanceof ScenarioError ? e.issues : null));
}

/** Validates a parsed LLM scenario document (after `--set`s and variants) and resolves it; throws LlmScenarioError (regions-scenario.ts resolves each region's fleet through it too). */
export function loadLlmDocument(raw: unknown, opts: LlmLoadOptions): LlmScenario {
  const f = opts.file;
  const errs: ScenarioIssue[] = [];
  /** One problem at `path` (dotted, `[i]` for list indices). */
  const err = (code: IssueCode, path: string, msg: string): void => void errs.push({ code, path: pathSegments(path), message: msg });
  const expanded = withPrometheus(raw, opts, errs);
  const doc = (expanded !== null && typeof expanded === 'object' && !Array.isArray(expanded) ? expanded : {}) as Obj;
  const obj = (v: unknown, path: string): Obj => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      err('invalid_type', path, 'expected a mapping');
      return {};
    }
    return v as Obj;
  };
  const dur = (v: unknown, path: string, dflt: number): number => {
    if (v === undefined) return dflt;
    try {
      return parseDurationS(v);
    } catch (e) {
      err(e instanceof UnitError ? e.code : 'invalid_format', path, (e as Error).message);
      return dflt;
    }
  };
  const int = (v: unknown, path: string, dflt: number, min = 1): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      err(typeof v === 'number' && Number.isInteger(v) ? 'too_small' : 'invalid_type', path, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  };
  const numIn = (v: unknown, path: string, dflt: number, lo: number, hi: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !(v >= lo && v <= hi)) {
      err(typeof v !== 'number' || Number.isNaN(v) ? 'invalid_type' : v < lo ? 'too_small' : 'too_big', path, `expected a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  };
  const known = (o: Obj, path: string, keys: string[]): void => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) err('unknown_key', path ? `${path}.${k}` : k, `unknown field (expected one of: ${keys.join(', ')})`);
  };

  // the region sections are read by llm/regions-scenario.ts loadLlmRunScenario, which hands this loader the rest
  known(doc, '', ['name', 'description', 'seed', 'duration', 'warmup', 'slo', 'traffic', 'llm', 'report', 'variants', 'regions', 'topology', 'failover', 'events', 'cost']);
  for (const k of ['regions', 'topology', 'failover', 'events', 'cost']) if (doc[k] !== undefined) err('unsupported', k, 'an LLM file with regions is loaded by loadLlmRunScenario (llm/regions-scenario.ts)');
  // variants: resolved by loadLlmScenarioVariants (each merged onto the base); here only its shape
  if (doc.variants !== undefined && (doc.variants === null || typeof doc.variants !== 'object' || Array.isArray(doc.variants))) err('invalid_type', 'variants', 'expected a mapping of variant names to overrides, e.g. { h100: { llm: { gpu: h100-80gb } } }');
  const name = typeof doc.name === 'string' ? doc.name : (err(doc.name === undefined ? 'required' : 'invalid_type', 'name', 'expected a string'), 'llm');
  const seed = int(doc.seed, 'seed', 1, 0);
  const durationS = dur(doc.duration, 'duration', 600);
  const warmupS = dur(doc.warmup, 'warmup', 0);
  if (durationS <= 0) err('too_small', 'duration', 'must be positive');
  if (warmupS >= durationS) err('cross_field', 'warmup', `must be shorter than duration (${durationS} s)`);
  const report = obj(doc.report, 'report');
  const reportIntervalS = dur(report.interval, 'report.interval', 10);
  if (!(reportIntervalS > 0)) err('too_small', 'report.interval', 'must be positive');

  // slo
  const slos: LlmSlo[] = [];
  const slo = obj(doc.slo, 'slo');
  for (const [metric, v] of Object.entries(slo)) {
    if (!['ttft', 'tpot', 'itl', 'e2e'].includes(metric)) {
      err('unknown_key', `slo.${metric}`, 'unknown metric (expected ttft, tpot, itl or e2e)');
      continue;
    }
    for (const [p, t] of Object.entries(obj(v, `slo.${metric}`))) {
      if (!['p50', 'p90', 'p95', 'p99', 'p999'].includes(p)) {
        err('unknown_key', `slo.${metric}.${p}`, 'unknown percentile (expected p50, p90, p95, p99 or p999)');
        continue;
      }
      slos.push({ metric: metric as LlmMetric, percentile: p as LlmSlo['percentile'], targetS: dur(t, `slo.${metric}.${p}`, 1) });
    }
  }

  // llm
  const l = obj(doc.llm, 'llm');
  known(l, 'llm', ['model', 'gpu', 'tensorParallel', 'replicas', 'routing', 'prefixAffinity', 'price', 'engine', 'stepTime', 'overheads', 'coldStart', 'autoscaler']);
  const modelId = typeof l.model === 'string' ? l.model.toLowerCase() : '';
  const shape = MODELS[modelId];
  if (!shape) err(l.model === undefined ? 'required' : 'unknown_reference', 'llm.model', `unknown model ${JSON.stringify(l.model)} (built in: ${Object.keys(MODELS).join(', ')})`);
  const gpu = typeof l.gpu === 'string' ? findGpu(l.gpu) : undefined;
  if (!gpu) err(l.gpu === undefined ? 'required' : 'unknown_reference', 'llm.gpu', `unknown GPU ${JSON.stringify(l.gpu)} (see infersim catalog)`);
  const tp = int(l.tensorParallel, 'llm.tensorParallel', 1);
  if (![1, 2, 4, 8].includes(tp)) err('invalid_enum_value', 'llm.tensorParallel', `expected 1, 2, 4 or 8 GPUs of a node, got ${tp}`);
  const replicas = int(l.replicas, 'llm.replicas', 1);
  if (replicas > 10000) err('limit_exceeded', 'llm.replicas', 'at most 10 000');
  const routing = (l.routing ?? 'least-requests') as LlmRouting;
  if (!LLM_ROUTINGS.includes(routing)) err('invalid_enum_value', 'llm.routing', `expected ${LLM_ROUTINGS.slice(0, -1).join(', ')} or ${LLM_ROUTINGS.at(-1)}, got ${JSON.stringify(l.routing)}`);
  const price = l.price === undefined ? (gpu?.price.value ?? 0) : numIn(l.price, 'llm.price', 0, 0, 1e6);
  const e = obj(l.engine, 'llm.engine');
  known(e, 'llm.engine', ['maxNumSeqs', 'maxNumBatchedTokens', 'blockSize', 'gpuMemoryUtilization', 'numGpuBlocks', 'prefixCaching', 'reserveFullSequence']);
  const blockSize = int(e.blockSize, 'llm.engine.blockSize', 16);
  const util = numIn(e.gpuMemoryUtilization, 'llm.engine.gpuMemoryUtilization', 0.9, 0.05, 1);
  const notes: string[] = [];
  const warnings: string[] = [];
  let numGpuBlocks = 0;
  if (e.numGpuBlocks !== undefined) {
    numGpuBlocks = int(e.numGpuBlocks, 'llm.engine.numGpuBlocks', 2, 2);
    notes.push(`KV cache: ${numGpuBlocks} blocks of ${blockSize} tokens (given)`);
  } else if (shape && gpu) {
    numGpuBlocks = kvBlocksFromMemory(shape, gpu.memoryGb, util, blockSize, tp);
    if (numGpuBlocks < 2) err('cross_field', 'llm.engine', `${shape.name} does not fit ${tp}× ${gpu.id} at gpuMemoryUtilization ${util}: no memory left for the KV cache (use more GPUs: tensorParallel)`);
    else notes.push(`KV cache: ${numGpuBlocks} blocks of ${blockSize} tokens (estimated from ${tp}× ${gpu.memoryGb} GB × ${util} − weights; a logged num_gpu_blocks is better)`);
  }
  const engine = {
    maxNumSeqs: int(e.maxNumSeqs, 'llm.engine.maxNumSeqs', 256),
    maxNumBatchedTokens: int(e.maxNumBatchedTokens, 'llm.engine.maxNumBatchedTokens', 8192),
    blockSize,
    numGpuBlocks: Math.max(2, numGpuBlocks),
    enablePrefixCaching: e.prefixCaching === undefined ? true : e.prefixCaching === true,
    reserveFullSequence: e.reserveFullSequence === undefined ? true : e.reserveFullSequence === true,
  };
  if (e.prefixCaching !== undefined && typeof e.prefixCaching !== 'boolean') err('invalid_type', 'llm.engine.prefixCaching', 'expected true or false');

  // prefix affinity: SGLang router's cache-aware policy (prefix-affinity.ts), its defaults
  let prefixAffinity: LlmPrefixAffinity | undefined;
  if (l.prefixAffinity !== undefined && routing !== 'prefix-affinity') err('cross_field', 'llm.prefixAffinity', `applies only to routing prefix-affinity (routing is ${String(routing)})`);
  else if (routing === 'prefix-affinity') {
    const pa = obj(l.prefixAffinity, 'llm.prefixAffinity');
    known(pa, 'llm.prefixAffinity', ['cacheThreshold', 'balanceAbsThreshold', 'balanceRelThreshold', 'maxTreeSize']);
    const d = PREFIX_AFFINITY_DEFAULTS;
    prefixAffinity = {
      cacheThreshold: numIn(pa.cacheThreshold, 'llm.prefixAffinity.cacheThreshold', d.cacheThreshold, 0, 1),
      balanceAbsThreshold: int(pa.balanceAbsThreshold, 'llm.prefixAffinity.balanceAbsThreshold', d.balanceAbsThreshold, 0),
      balanceRelThreshold: numIn(pa.balanceRelThreshold, 'llm.prefixAffinity.balanceRelThreshold', d.balanceRelThreshold, 1, 1e6),
      maxTreeSize: int(pa.maxTreeSize, 'llm.prefixAffinity.maxTreeSize', d.maxTreeSize, blockSize),
    };
    if (prefixAffinity.maxTreeSize > 1e8) err('limit_exceeded', 'llm.prefixAffinity.maxTreeSize', 'at most 100 000 000 tokens per replica');
    if (!engine.enablePrefixCaching) warnings.push('llm.routing prefix-affinity: with llm.engine.prefixCaching off no replica reuses a prefix, so it routes for nothing');
  }

  // step time
  let model: StepTimeModel | null = null;
  let builtin: BuiltinProfile | undefined;
  const st = l.stepTime ?? 'roofline';
  if (st === 'roofline') {
    const sheet = gpu ? GPU_DATASHEETS[gpu.id] : undefined;
    if (gpu && !sheet) err('unsupported', 'llm.stepTime', `no datasheet for ${gpu.id} to estimate a roofline; give coefficients or a profile`);
    if (shape && sheet) {
      model = new LinearStepModel(rooflineCoefficients(shape, sheet, tp), `roofline estimate (${shape.name} on ${tp}× ${sheet.id}, ${sheet.source}; not measured)`);
      notes.push(`step time: ${model.label}`);
    }
  } else if (st === 'builtin') {
    if (shape && gpu) {
      const p = findProfile(shape.id, gpu.id, tp);
      if (!p) err('unknown_reference', 'llm.stepTime', `no built-in profile for ${shape.id} on ${tp}× ${gpu.id} (llm.model × llm.gpu × llm.tensorParallel; built in: ${[...BUILTIN_PROFILES.keys()].join(', ')}); use roofline, coefficients or a profile`);
      else {
        builtin = p;
        model = new LinearStepModel(p.coefficients, profileLabel(p));
        notes.push(`step time: ${model.label}`);
      }
    }
  } else if (typeof st === 'object' && st !== null && 'profile' in st) {
    const dir = String((st as Obj).profile);
    const abs = isAbsolute(dir) ? dir : join(opts.baseDir, dir);
    try {
      const read = (n: string): string => opts.readFile(join(abs, n));
      const optional = (path: string): string | undefined => {
        try {
          return opts.readFile(path);
        } catch {
          return undefined;
        }
      };
      // DIR is a bundle's tp<N>/ folder: its meta.yaml (one up) says whether to apply the skew correction (tp<N>/skew_fit.csv)
      const metaText = optional(join(abs, '..', 'meta.yaml'));
      const bundleTp = Number(/tp(\d+)[\\/]*$/.exec(abs)?.[1] ?? tp);
      const skew = metaText === undefined ? null : SkewFit.fromMeta(parse(metaText) as unknown, bundleTp, optional(join(abs, 'skew_fit.csv')));
      model = new ProfileStepModel({ dense: read('dense.csv'), attention: read('attention.csv'), perSequence: read('per_sequence.csv') }, { layers: shape?.layers ?? 32, label: `operator profile ${dir}${skew ? ' (with its skew correction)' : ''}`, skew });
      notes.push(`step time: ${model.label}`);
    } catch (x) {
      err((x as { code?: unknown }).code !== undefined ? 'file_unreadable' : 'invalid_file', 'llm.stepTime.profile', (x as Error).message);
    }
  } else if (typeof st === 'object' && st !== null) {
    const c = st as Obj;
    known(c, 'llm.stepTime', ['beta0', 'beta1', 'beta2', 'beta3', 'beta4', 'source']);
    const b = (k: string, req: boolean): number => {
      const v = c[k];
      if (v === undefined) {
        if (req) err('required', `llm.stepTime.${k}`, 'required (seconds per unit)');
        return 0;
      }
      if (typeof v === 'string') return dur(v, `llm.stepTime.${k}`, 0);
      if (typeof v !== 'number' || !(v >= 0)) {
        err(typeof v === 'number' && v < 0 ? 'too_small' : 'invalid_type', `llm.stepTime.${k}`, `expected a non-negative number of seconds, got ${JSON.stringify(v)}`);
        return 0;
      }
      return v;
    };
    model = new LinearStepModel({ beta0: b('beta0', true), beta1: b('beta1', true), beta2: b('beta2', true), beta3: b('beta3', true), beta4: b('beta4', false) }, typeof c.source === 'string' ? c.source : 'coefficients given in the scenario');
    notes.push(`step time: ${model.label}`);
  } else err('invalid_type', 'llm.stepTime', 'expected roofline, builtin, { beta0 … beta3 } or { profile: DIR }');

  // per-request overheads outside the steps: a built-in profile's α's unless the scenario gives
  // its own (each field given replaces the default); 0 for every other step model, so what
  // such a run computes is the steps alone
  const overheads: Required<RequestOverheads> = builtin ? profileOverheads(builtin) : { queueS: 0, queuePerPromptTokenS: 0, firstTokenS: 0, perTokenS: 0 };
  const given = l.overheads;
  if (given === 'none') overheads.queueS = overheads.queuePerPromptTokenS = overheads.firstTokenS = overheads.perTokenS = 0;
  else if (given !== undefined) {
    if (given === null || typeof given !== 'object' || Array.isArray(given)) err('invalid_type', 'llm.overheads', `expected none or { queue, queuePerPromptToken, firstToken, perToken } (durations), got ${JSON.stringify(given)}`);
    else {
      const o = given as Obj;
      const fields = { queue: 'queueS', queuePerPromptToken: 'queuePerPromptTokenS', firstToken: 'firstTokenS', perToken: 'perTokenS' } as const;
      known(o, 'llm.overheads', Object.keys(fields));
      for (const [k, f] of Object.entries(fields)) overheads[f] = dur(o[k], `llm.overheads.${k}`, overheads[f]);
    }
  }
  if (overheads.queueS > 0 || overheads.queuePerPromptTokenS > 0 || overheads.firstTokenS > 0 || overheads.perTokenS > 0) {
    const ms = (v: number): string => `${Number((v * 1e3).toPrecision(4))} ms`;
    const us = (v: number): string => `${Number((v * 1e6).toPrecision(4))} µs`;
    const from = given === undefined ? " (the profile's α0, α1, α2)" : builtin ? " (llm.overheads over the profile's α's)" : ' (llm.overheads)';
    notes.push(`overheads${from}: ${ms(overheads.queueS)} + ${us(overheads.queuePerPromptTokenS)} per prompt token before a request is queued; ${ms(overheads.firstTokenS)} on TTFT, ${ms(overheads.perTokenS)} on each later token`);
  }
  if (builtin) {
    const w = profileWarning(builtin, overheads.perTokenS);
    if (w) warnings.push(w);
  }

  const cs = obj(l.coldStart, 'llm.coldStart');
  let coldStartS = 0;
  if (cs.loadBandwidth !== undefined && shape) {
    try {
      const bw = parseSizeBytes(cs.loadBandwidth);
      if (!(bw > 0)) throw new UnitError('must be positive', 'too_small');
      coldStartS = weightBytes(shape) / tp / bw + dur(cs.startup, 'llm.coldStart.startup', 0);
      notes.push(`cold start: ${coldStartS.toFixed(1)} s (weights ${(weightBytes(shape) / 1e9).toFixed(1)} GB / ${tp} GPUs at ${(bw / 1e9).toFixed(2)} GB/s)`);
    } catch (x) {
      err(x instanceof UnitError ? x.code : 'invalid_format', 'llm.coldStart.loadBandwidth', (x as Error).message);
    }
  }

  // autoscaler: an HPA (Kubernetes' decision logic, src/scaling/hpa.ts) on one of vLLM's gauges
  let autoscaler: LlmAutoscaler | null = null;
  // or a KPA (`kind: kpa`: Knative's decision logic, src/scaling/kpa.ts) on in-flight requests or rps
  const kpa = isKpaBlock(l.autoscaler) ? llmKpa(obj(l.autoscaler, 'llm.autoscaler'), { err, int, numIn, dur, known }, replicas) : undefined;
  if (l.autoscaler !== undefined && kpa === undefined) {
    const a = obj(l.autoscaler, 'llm.autoscaler');
    known(a, 'llm.autoscaler', ['kind', 'metric', 'target', 'minReplicas', 'maxReplicas', 'syncPeriod']);
    if (a.kind !== undefined && a.kind !== 'hpa') err('invalid_enum_value', 'llm.autoscaler.kind', `expected hpa (the default) or kpa, got ${JSON.stringify(a.kind)}`);
    const metrics: Record<string, LlmScalingMetric> = {
      'vllm:num_requests_waiting': 'vllm:num_requests_waiting',
      'vllm:num_requests_running': 'vllm:num_requests_running',
      'vllm:kv_cache_usage_perc': 'vllm:kv_cache_usage_perc',
    };
    const metric = typeof a.metric === 'string' ? metrics[a.metric] : undefined;
    if (!metric) err(a.metric === undefined ? 'required' : 'invalid_enum_value', 'llm.autoscaler.metric', `expected one of ${Object.keys(metrics).join(', ')}, got ${JSON.stringify(a.metric)}`);
    const target = numIn(a.target, 'llm.autoscaler.target', 1, 1e-6, 1e9);
    if (a.target === undefined) err('required', 'llm.autoscaler.target', 'required: the per-replica average to hold');
    const minReplicas = int(a.minReplicas, 'llm.autoscaler.minReplicas', 1);
    const maxReplicas = int(a.maxReplicas, 'llm.autoscaler.maxReplicas', Math.max(minReplicas, replicas));
    if (maxReplicas < minReplicas) err('cross_field', 'llm.autoscaler.maxReplicas', `must be ≥ minReplicas (${minReplicas})`);
    if (maxReplicas > 10000) err('limit_exceeded', 'llm.autoscaler.maxReplicas', 'at most 10 000');
    autoscaler = {
      hpa: { name: 'llm', minReplicas, maxReplicas, metrics: [{ type: 'Pods', name: metric ?? 'vllm:num_requests_waiting', target: { type: 'AverageValue', averageValue: target } }], behavior: null },
      syncPeriodS: dur(a.syncPeriod, 'llm.autoscaler.syncPeriod', 15),
    };
  }

  // traffic
  const tr = obj(doc.traffic, 'traffic');
  known(tr, 'traffic', ['trace', 'rate', 'prometheus', 'users', 'thinkTime', 'tokens', 'systemPrompt', 'sessions', ...RATE_SHAPE_FIELDS]);
  const rateShape = llmRateShape(tr, errs);
  const dist = (v: unknown, path: string): TokenDist => {
    if (typeof v === 'number') {
      if (!(Number.isInteger(v) && v >= 1)) err(Number.isInteger(v) ? 'too_small' : 'invalid_type', path, `expected a positive integer, got ${v}`);
      return { kind: 'fixed', value: v };
    }
    const o = obj(v, path);
    if (o.lognormal !== undefined) {
      const ln = obj(o.lognormal, `${path}.lognormal`);
      const mean = numIn(ln.mean, `${path}.lognormal.mean`, 100, 1, 1e7);
      return { kind: 'lognormal', mean, cv: numIn(ln.cv, `${path}.lognormal.cv`, 1, 0, 100), min: int(ln.min, `${path}.lognormal.min`, 1), max: int(ln.max, `${path}.lognormal.max`, 131072) };
    }
    if (o.empirical !== undefined) {
      const em = obj(o.empirical, `${path}.empirical`);
      const values = Array.isArray(em.values) ? (em.values as unknown[]) : [];
      const weights = Array.isArray(em.weights) ? (em.weights as unknown[]) : [];
      if (values.length === 0 || values.length !== weights.length || !values.every((x) => Number.isInteger(x) && (x as number) >= 1) || !weights.every((x) => typeof x === 'number' && x >= 0)) {
        err('invalid_type', `${path}.empirical`, 'expected values (positive integers) and weights (non-negative numbers) of the same non-zero length');
        return { kind: 'fixed', value: 1 };
      }
      return { kind: 'empirical', values: values as number[], weights: weights as number[] };
    }
    err('invalid_type', path, 'expected a token count, { lognormal: { mean, cv } } or { empirical: { values, weights } }');
    return { kind: 'fixed', value: 1 };
  };
  const tokens = obj(tr.tokens, 'traffic.tokens');
  let arrivals: LlmArrivals = { kind: 'poisson', schedule: [{ atS: 0, rps: 1 }], prompt: { kind: 'fixed', value: 1 }, output: { kind: 'fixed', value: 1 } };
  const modes = ['trace', 'rate', 'users'].filter((k) => tr[k] !== undefined);
  // (a Prometheus series that could not be read has been reported: withPrometheus)
  if (modes.length !== 1 && !(modes.length === 0 && tr.prometheus !== undefined)) err(modes.length === 0 ? 'required' : 'cross_field', 'traffic', `give exactly one of trace, rate (open loop) or users (closed loop); got ${modes.length === 0 ? 'none' : modes.join(', ')}`);
  else if (tr.trace !== undefined) {
    const t = obj(tr.trace, 'traffic.trace');
    known(t, 'traffic.trace', ['file', 'timeColumn', 'promptColumn', 'outputColumn', 'speedup', 'loop', 'rateMultiplier']);
    const rateMultiplier = numIn(t.rateMultiplier, 'traffic.trace.rateMultiplier', 1, 1e-6, LIMITS.traceCopies);
    if (t.loop !== undefined && typeof t.loop !== 'boolean') err('invalid_type', 'traffic.trace.loop', 'expected true or false');
    const file = typeof t.file === 'string' ? t.file : (err(t.file === undefined ? 'required' : 'invalid_type', 'traffic.trace.file', 'expected a path'), '');
    const speedup = numIn(t.speedup, 'traffic.trace.speedup', 1, 1e-6, 1e6);
    if (file) {
      const abs = isAbsolute(file) ? file : join(opts.baseDir, file);
      let text2 = '';
      try {
        text2 = opts.readFile(abs);
      } catch (x) {
        const code = (x as { code?: string }).code;
        err('file_unreadable', 'traffic.trace.file', `cannot read ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? (x as Error).message)})`);
      }
      if (text2) {
        try {
          const parsed = parseTokenTrace(text2, String(t.timeColumn ?? 'TIMESTAMP'), String(t.promptColumn ?? 'ContextTokens'), String(t.outputColumn ?? 'GeneratedTokens'), speedup, file);
          arrivals = { kind: 'trace', ...parsed, loop: t.loop === true, ...(rateShape !== null && rateShape.scale !== 1 ? { scale: rateShape.scale } : {}), ...(rateMultiplier !== 1 ? { rateMultiplier } : {}) };
          // the request-level replay's own check and message (copies are placed by the trace's span)
          const n = parsed.timesS.length;
          const problem = replayProblem({ file, timeColumn: '', keyColumn: null, speedup, rateMultiplier, loop: t.loop === true, timeFormat: 'auto' }, { count: n, spanS: parsed.timesS[n - 1]! });
          if (problem !== null && rateMultiplier !== 1) err('cross_field', 'traffic.trace.rateMultiplier', problem);
        } catch (x) {
          err('invalid_file', 'traffic.trace.file', (x as Error).message);
        }
      }
    }
  } else {
    if (tr.tokens === undefined) err('required', 'traffic.tokens', 'required with rate or users: { prompt: …, output: … }');
    const prompt = dist(tokens.prompt, 'traffic.tokens.prompt');
    const output = dist(tokens.output, 'traffic.tokens.output');
    if (tr.rate !== undefined) {
      let schedule: Array<{ atS: number; rps: number }> = [];
      // each step's ramp (request-level syntax: { at, rps, ramp }; rate is this loader's name for rps)
      const ramps: number[] = [];
      if (Array.isArray(tr.rate)) {
        (tr.rate as unknown[]).forEach((st, k) => {
          const o = obj(st, `traffic.rate[${k}]`);
          known(o, `traffic.rate[${k}]`, ['at', 'rate', 'rps', 'ramp']);
          if (o.rate !== undefined && o.rps !== undefined) err('cross_field', `traffic.rate[${k}].rps`, 'give rate or rps (the same thing), not both');
          const rpsKey = o.rate === undefined && o.rps !== undefined ? 'rps' : 'rate';
          schedule.push({ atS: dur(o.at, `traffic.rate[${k}].at`, 0), rps: numIn(o[rpsKey], `traffic.rate[${k}].${rpsKey}`, 0, 0, 1e7) });
          ramps.push(dur(o.ramp, `traffic.rate[${k}].ramp`, 0));
        });
        if (schedule.length === 0 || schedule[0]!.atS !== 0) err('cross_field', 'traffic.rate', 'a schedule is a list of { at, rate } starting at 0s');
        for (let k = 1; k < schedule.length; k++) if (!(schedule[k]!.atS > schedule[k - 1]!.atS)) err('cross_field', `traffic.rate[${k}].at`, 'times must increase');
        for (let k = 0; k + 1 < schedule.length; k++) if (schedule[k]!.atS + ramps[k]! > schedule[k + 1]!.atS) err('cross_field', `traffic.rate[${k}].ramp`, `the ramp ends at ${schedule[k]!.atS + ramps[k]!} s, after the next step starts (${schedule[k + 1]!.atS} s)`);
      } else schedule = [{ atS: 0, rps: numIn(tr.rate, 'traffic.rate', 1, 1e-9, 1e7) }];
      arrivals = shapedArrivals(schedule, ramps, rateShape, prompt, output) ?? { kind: 'poisson', schedule, prompt, output };
      if (arrivals.kind === 'shaped') {
        // the request-level limit on a rate shape's requests (load.ts limitIssues), with its message
        const b = arrivals.traffic.burst;
        const peak = durationS <= LIMITS.durationS ? peakRate(arrivals.traffic, durationS) * (b.kind === 'mmpp' ? Math.max(1, b.highFactor) : 1) : 0;
        if (!(peak * durationS <= LIMITS.expectedRequests)) err('limit_exceeded', 'traffic.rate', `the run would simulate about ${(peak * durationS).toPrecision(3)} requests (peak ${peak.toPrecision(3)} req/s for ${formatSeconds(durationS)}); at most ${LIMITS.expectedRequests} can be simulated`);
      }
    }
    else {
      arrivals = { kind: 'closed', users: int(tr.users, 'traffic.users', 1), thinkS: dur(tr.thinkTime, 'traffic.thinkTime', 0), prompt, output };
      if (tr.sessions !== undefined) {
        const se = obj(tr.sessions, 'traffic.sessions');
        known(se, 'traffic.sessions', ['turns', 'followUp']);
        if (se.turns === undefined) err('required', 'traffic.sessions.turns', 'required: turns per session (each repeats the conversation so far)');
        if (se.followUp === undefined) err('required', 'traffic.sessions.followUp', 'required: new prompt tokens each later turn adds, e.g. { lognormal: { mean: 100, cv: 1 } }');
        const turns = int(se.turns, 'traffic.sessions.turns', 1);
        if (turns > 1e6) err('limit_exceeded', 'traffic.sessions.turns', 'at most 1 000 000');
        arrivals.sessions = { turns, followUp: se.followUp === undefined ? { kind: 'fixed', value: 1 } : dist(se.followUp, 'traffic.sessions.followUp') };
      }
    }
  }
  let systemPromptTokens = 0;
  let systemPrompts = 1;
  if (typeof tr.systemPrompt === 'object' && tr.systemPrompt !== null && !Array.isArray(tr.systemPrompt)) {
    const sp = tr.systemPrompt as Obj;
    known(sp, 'traffic.systemPrompt', ['tokens', 'count']);
    if (sp.tokens === undefined) err('required', 'traffic.systemPrompt.tokens', 'required: the leading prompt tokens a system prompt covers');
    systemPromptTokens = int(sp.tokens, 'traffic.systemPrompt.tokens', 0, 0);
    systemPrompts = int(sp.count, 'traffic.systemPrompt.count', 1, 1);
    if (systemPrompts > 1e6) err('limit_exceeded', 'traffic.systemPrompt.count', 'at most 1 000 000');
  } else if (tr.systemPrompt !== undefined) systemPromptTokens = int(tr.systemPrompt, 'traffic.systemPrompt', 0, 0);
  if (systemPromptTokens > 0 && !engine.enablePrefixCaching) warnings.push('traffic.systemPrompt is shared only with llm.engine.prefixCaching on');
  if (tr.users !== undefined) for (const k of RATE_SHAPE_FIELDS) if (tr[k] !== undefined) err('cross_field', `traffic.${k}`, 'shapes open-loop arrivals (traffic.rate or traffic.trace), not closed-loop users');
  // as a request-level scenario warns (load.ts build)
  if (tr.trace !== undefined && rateShape !== null) {
    if (rateShape.diurnal !== null) warnings.push(ignoredWithTrace('diurnal'));
    if (rateShape.spikes.length > 0) warnings.push(ignoredWithTrace('spikes'));
    if (rateShape.burst.kind !== 'poisson') warnings.push(ignoredWithTrace('burst'));
  }
  if (tr.sessions !== undefined && tr.users === undefined) err('cross_field', 'traffic.sessions', 'multi-turn sessions need closed-loop users (traffic.users): a turn is sent when the previous one completes');
  if (routing === 'prefix-affinity' && systemPromptTokens === 0 && tr.sessions === undefined) warnings.push('llm.routing prefix-affinity: no traffic.systemPrompt or traffic.sessions, so no two requests share a prefix and it routes as least-requests');

  if (errs.length > 0 || model === null) throw new LlmScenarioError(f, errs.length > 0 ? errs : [{ code: 'required', path: ['llm', 'stepTime'], message: 'no step-time model' }]);
  return {
    name,
    notes,
    warnings,
    spec: { seed, durationS, warmupS, replicas, tensorParallel: tp, engine, model, routing, ...(prefixAffinity ? { prefixAffinity } : {}), arrivals, systemPromptTokens, ...(systemPrompts > 1 ? { systemPrompts } : {}), slos, pricePerGpuHour: price, reportIntervalS, coldStartS, autoscaler, ...(kpa ? { kpa } : {}), overheads },
  };
}

/** The loader's checkers (closures over its list of problems), for the blocks parsed outside it. */
interface Checkers {
  err: (code: IssueCode, path: string, msg: string) => void;
  int: (v: unknown, path: string, dflt: number, min?: number) => number;
  numIn: (v: unknown, path: string, dflt: number, lo: number, hi: number) => number;
  dur: (v: unknown, path: string, dflt: number) => number;
  known: (o: Obj, path: string, keys: string[]) => void;
}

/** True when `llm.autoscaler` asks for a KPA (`kind: kpa`). */
function isKpaBlock(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Obj).kind === 'kpa';
}

/**
 * `llm.autoscaler` with `kind: kpa`: the request-level KPA's fields (scenario/schema.ts autoscaler,
 * SCENARIO.md) with Knative's defaults (config/kpa.ts kpaDefaults) and ranges (KNATIVE). minReplicas
 * 0 scales to zero (llm/site.ts holds requests in an activator meanwhile), after
 * scaleToZeroGracePeriod (Knative's default 30 s, at least its 6 s window minimum); the default is
 * minReplicas 1, not Knative's 0, so a file that names no minimum keeps its fleet up. maxReplicas must
 * be a bound (default the larger of replicas and minReplicas, as the HPA's), not Knative's 0 = unbounded.
 */
function llmKpa(a: Obj, c: Checkers, replicas: number): KpaConfig {
  const P = 'llm.autoscaler';
  c.known(a, P, ['kind', 'metric', 'target', 'targetUtilization', 'minReplicas', 'maxReplicas', 'stableWindow', 'panicWindowPercentage', 'panicThreshold', 'maxScaleUpRate', 'maxScaleDownRate', 'scaleToZeroGracePeriod', 'tick']);
  if (a.metric !== undefined && a.metric !== 'concurrency' && a.metric !== 'rps') c.err('invalid_enum_value', `${P}.metric`, `expected concurrency (requests in flight per replica: running + waiting) or rps with kind kpa, got ${JSON.stringify(a.metric)}`);
  const metric = a.metric === 'rps' ? 'rps' : 'concurrency';
  const d = kpaDefaults(metric);
  const target = c.numIn(a.target, `${P}.target`, d.target, 1e-6, 1e9);
  const targetUtilization = c.numIn(a.targetUtilization, `${P}.targetUtilization`, d.targetUtilization, 1e-6, 1);
  if (target * targetUtilization < KNATIVE.targetMin) c.err('cross_field', `${P}.${a.target === undefined ? 'targetUtilization' : 'target'}`, `target × targetUtilization must be at least ${KNATIVE.targetMin} per replica (Knative's bound), got ${target * targetUtilization}`);
  const minReplicas = c.int(a.minReplicas, `${P}.minReplicas`, 1, 0);
  if (a.maxReplicas === 0) c.err('too_small', `${P}.maxReplicas`, 'give a bound (Knative\'s 0 = unbounded is not supported for LLM fleets)');
  const maxReplicas = c.int(a.maxReplicas, `${P}.maxReplicas`, Math.max(minReplicas, replicas));
  if (maxReplicas < minReplicas) c.err('cross_field', `${P}.maxReplicas`, `must be ≥ minReplicas (${minReplicas})`);
  if (maxReplicas > 10000) c.err('limit_exceeded', `${P}.maxReplicas`, 'at most 10 000');
  const stableWindowS = c.dur(a.stableWindow, `${P}.stableWindow`, d.stableWindowS);
  if (a.stableWindow !== undefined && !(Number.isInteger(stableWindowS) && stableWindowS >= KNATIVE.stableWindowS.min && stableWindowS <= KNATIVE.stableWindowS.max)) {
    c.err('invalid_format', `${P}.stableWindow`, `expected whole seconds from ${KNATIVE.stableWindowS.min}s to ${KNATIVE.stableWindowS.max}s (Knative's bounds), got ${JSON.stringify(a.stableWindow)}`);
  }
  // Knative's max scale rates are factors above 1 (the request-level schema: gt 1)
  const rate = (k: 'maxScaleUpRate' | 'maxScaleDownRate', dflt: number): number => {
    const v = c.numIn(a[k], `${P}.${k}`, dflt, 1, 1e9);
    if (a[k] !== undefined && v <= 1) c.err('too_small', `${P}.${k}`, `expected a number > 1, got ${JSON.stringify(a[k])}`);
    return v;
  };
  const graceS = c.dur(a.scaleToZeroGracePeriod, `${P}.scaleToZeroGracePeriod`, d.scaleToZeroGracePeriodS);
  if (a.scaleToZeroGracePeriod !== undefined && !(graceS >= KNATIVE.stableWindowS.min)) {
    c.err('too_small', `${P}.scaleToZeroGracePeriod`, `expected at least ${KNATIVE.stableWindowS.min}s (Knative's window minimum), got ${JSON.stringify(a.scaleToZeroGracePeriod)}`);
  }
  if (a.scaleToZeroGracePeriod !== undefined && minReplicas > 0) c.err('cross_field', `${P}.scaleToZeroGracePeriod`, 'applies only with minReplicas: 0 (a fleet that scales to zero)');
  const tickS = c.dur(a.tick, `${P}.tick`, d.tickS);
  if (a.tick !== undefined && !(tickS >= 0.001)) c.err('too_small', `${P}.tick`, `expected at least 1ms, got ${JSON.stringify(a.tick)}`);
  return {
    ...d,
    metric,
    target,
    targetUtilization,
    minReplicas,
    maxReplicas,
    stableWindowS,
    panicWindowPercentage: c.numIn(a.panicWindowPercentage, `${P}.panicWindowPercentage`, d.panicWindowPercentage, KNATIVE.panicWindowPercentage.min, KNATIVE.panicWindowPercentage.max),
    panicThresholdPercentage: c.numIn(a.panicThreshold, `${P}.panicThreshold`, d.panicThresholdPercentage, KNATIVE.panicThreshold.min, KNATIVE.panicThreshold.max),
    maxScaleUpRate: rate('maxScaleUpRate', d.maxScaleUpRate),
    maxScaleDownRate: rate('maxScaleDownRate', d.maxScaleDownRate),
    tickS,
    scaleToZeroGracePeriodS: graceS,
  };
}
