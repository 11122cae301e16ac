/**
 * Files a platform team already has, referenced from a scenario like the HPA manifest
 * (a path resolved against the scenario's folder, read through the injected `readFile`):
 *
 *   fleet.tritonConfig: ./config.pbtxt        → fleet.batching, fleet.queue, fleet.instances
 *   model.perfAnalyzer: { 1: b1.csv, 8: b8.csv } (or one Model Analyzer table) → model.latency, model.overhead
 *   traffic.prometheus: ./rate.json           → traffic.rate (a schedule), and duration when left out
 *
 * Each is expanded into the raw document before validation, so everything downstream
 * (schema rules, limits, --set, variants, regions) sees ordinary fields; fields written
 * in the scenario (or set by --set or a variant) win over what a file fills in.
 */
import { isAbsolute, join } from 'node:path';
import * as M from './messages.js';
import { importPerfAnalyzer, type PerfInput } from './perf-analyzer.js';
import { importPrometheusRange } from './prometheus.js';
import { importTritonConfig } from './triton-config.js';
import type { ScenarioIssue } from './issues.js';

/** A problem with a file reference or the file it names: a scenario issue at the referencing field. */
export type ImportIssue = ScenarioIssue;

export interface ImportContext {
  baseDir: string;
  readFile?: (absolutePath: string) => string;
  limits: { maxBatch: number; instances: number };
}

export interface Expanded {
  doc: Record<string, unknown>;
  warnings: string[];
  issues: ImportIssue[];
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `over` merged onto `base`: mappings key by key, anything else in `over` replaces. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMapping(v) && isMapping(b) ? merge(b, v) : v;
  }
  return out;
}

/** Reads a referenced file; the problem is pushed at `path` and null returned when it cannot be read. */
function read(ctx: ImportContext, file: string, path: (string | number)[], issues: ImportIssue[]): string | null {
  if (ctx.readFile === undefined) {
    issues.push({ code: 'file_unreadable', path, message: M.cannotReadFile(file, 'no file access here') });
    return null;
  }
  try {
    return ctx.readFile(isAbsolute(file) ? file : join(ctx.baseDir, file));
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
    issues.push({ code: 'file_unreadable', path, message: M.cannotReadFile(file, why) });
    return null;
  }
}

/** Expands the file references of a raw scenario document (after nulls are dropped); returns the new document, warnings and problems. */
export function expandImports(doc: Record<string, unknown>, ctx: ImportContext): Expanded {
  const issues: ImportIssue[] = [];
  const warnings: string[] = [];
  let out = doc;

  const fleet = doc.fleet;
  if (isMapping(fleet) && typeof fleet.tritonConfig === 'string' && fleet.tritonConfig.trim() !== '') {
    const file = fleet.tritonConfig;
    const text = read(ctx, file, ['fleet', 'tritonConfig'], issues);
    if (text !== null) {
      const r = importTritonConfig(text, ctx.limits);
      if (!r.ok) for (const e of r.errors) issues.push({ code: 'invalid_file', path: ['fleet', 'tritonConfig'], message: `${file}: ${e}` });
      else {
        const filled: Record<string, unknown> = { batching: { ...r.fleet.batching }, queue: { ...r.fleet.queue }, instances: r.fleet.instances };
        out = { ...out, fleet: merge(filled, fleet) };
        for (const w of r.warnings) warnings.push(`fleet.tritonConfig: ${file}: ${w}`);
      }
    }
  }

  const model = doc.model;
  if (isMapping(model) && model.perfAnalyzer !== undefined) {
    const pa = model.perfAnalyzer;
    const inputs: PerfInput[] = [];
    const shapeOk = (typeof pa === 'string' && pa.trim() !== '') || (isMapping(pa) && Object.keys(pa).length > 0);
    if (!shapeOk) issues.push({ code: 'invalid_type', path: ['model', 'perfAnalyzer'], message: M.mustBe('a CSV file (Model Analyzer table) or a mapping batch size → perf_analyzer CSV, e.g. { 1: b1.csv, 8: b8.csv }', pa) });
    else if (model.latency !== undefined) issues.push({ code: 'cross_field', path: ['model', 'perfAnalyzer'], message: 'give either model.latency or model.perfAnalyzer, not both' });
    else if (typeof pa === 'string') {
      const text = read(ctx, pa, ['model', 'perfAnalyzer'], issues);
      if (text !== null) inputs.push({ label: pa, text, batch: null });
    } else if (isMapping(pa)) {
      for (const [key, file] of Object.entries(pa)) {
        const batch = /^\d+$/.test(key.trim()) ? Number(key) : NaN;
        if (!Number.isSafeInteger(batch) || batch < 1) {
          issues.push({ code: Number.isSafeInteger(batch) ? 'too_small' : 'invalid_type', path: ['model', 'perfAnalyzer', key], message: M.batchKey(key) });
          continue;
        }
        if (typeof file !== 'string' || file.trim() === '') {
          issues.push({ code: 'invalid_type', path: ['model', 'perfAnalyzer', key], message: M.mustBe('the path of perf_analyzer\'s CSV for this batch size', file) });
          continue;
        }
        const text = read(ctx, file, ['model', 'perfAnalyzer', key], issues);
        if (text !== null) inputs.push({ label: file, text, batch });
      }
    }
    if (inputs.length > 0 && issues.every((i) => !(i.path[0] === 'model' && i.path[1] === 'perfAnalyzer'))) {
      const r = importPerfAnalyzer(inputs);
      if (!r.ok) for (const e of r.errors) issues.push({ code: 'invalid_file', path: ['model', 'perfAnalyzer'], message: e });
      else {
        const latency: Record<string, number> = {};
        r.latency.batch.forEach((b, i) => (latency[String(b)] = r.latency.latencyS[i]!));
        out = { ...out, model: merge({ latency, overhead: r.overheadS }, model) };
      }
    }
  }

  const traffic = doc.traffic;
  if (isMapping(traffic) && traffic.prometheus !== undefined) {
    const file = traffic.prometheus;
    if (typeof file !== 'string' || file.trim() === '') issues.push({ code: 'invalid_type', path: ['traffic', 'prometheus'], message: M.mustBe('the path of a Prometheus query_range JSON file', file) });
    else if (traffic.rate !== undefined || traffic.trace !== undefined) {
      issues.push({ code: 'cross_field', path: ['traffic', 'prometheus'], message: `give one of traffic.rate, traffic.trace or traffic.prometheus (also has ${traffic.rate !== undefined ? 'rate' : 'trace'})` });
    } else {
      const text = read(ctx, file, ['traffic', 'prometheus'], issues);
      if (text !== null) {
        const r = importPrometheusRange(text);
        if (!r.ok) for (const e of r.errors) issues.push({ code: 'invalid_file', path: ['traffic', 'prometheus'], message: `${file}: ${e}` });
        else {
          out = { ...out, traffic: { ...traffic, rate: r.steps } };
          if (out.duration === undefined) out.duration = r.spanS;
        }
      }
    }
  }
  return { doc: out, warnings, issues };
}
