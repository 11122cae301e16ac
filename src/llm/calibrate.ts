/**
 * Calibration: fit the linear step-time coefficients to a measured per-request log by replaying
 * it through the engine (Nelder–Mead on the β's in log space, minimizing the mean squared log
 * error of each request's TTFT, TPOT and E2E), and report the fit's error per metric.
 *
 * Log format (LLMServingSim's bench output, one JSON object a line): input_toks, output_toks,
 * queued_ts (arrival at the engine), first_token_ts, last_token_ts (all seconds, one clock);
 * arrival_time, scheduled_ts and request_id are read if present and otherwise ignored.
 */
import type { EngineConfig } from '../config/llm.js';
import { replay, stats, type ReplayRequest } from './replay.js';
import { LinearStepModel, type LinearCoefficients } from './step-time.js';

export interface MeasuredRequest extends ReplayRequest {
  ttftS: number;
  tpotS: number;
  e2eS: number;
}

/** Parses a JSONL request log; errors name the line and the field. */
export function parseRequestLog(text: string, what: string): MeasuredRequest[] {
  const out: MeasuredRequest[] = [];
  const lines = text.split(/\r?\n/);
  let t0 = Infinity;
  const raw: Array<{ q: number; p: number; o: number; f: number; l: number }> = [];
  lines.forEach((line, k) => {
    if (line.trim() === '') return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      throw new Error(`${what}: line ${k + 1}: not valid JSON`);
    }
    const rec = o as Record<string, unknown>;
    const get = (f: string): number => {
      const v = rec[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: line ${k + 1}: ${f}: expected a number, got ${JSON.stringify(v)}`);
      return v;
    };
    const r = { q: get('queued_ts'), p: get('input_toks'), o: get('output_toks'), f: get('first_token_ts'), l: get('last_token_ts') };
    if (!(r.p >= 1 && r.o >= 1 && Number.isInteger(r.p) && Number.isInteger(r.o))) throw new Error(`${what}: line ${k + 1}: input_toks and output_toks must be positive integers`);
    if (!(r.f >= r.q && r.l >= r.f)) throw new Error(`${what}: line ${k + 1}: expected queued_ts ≤ first_token_ts ≤ last_token_ts`);
    t0 = Math.min(t0, r.q);
    raw.push(r);
  });
  if (raw.length === 0) throw new Error(`${what}: no requests`);
  for (const r of raw) {
    out.push({
      arrivalS: r.q - t0,
      prompt: r.p,
      output: r.o,
      ttftS: r.f - r.q,
      e2eS: r.l - r.q,
      tpotS: r.o > 1 ? (r.l - r.f) / (r.o - 1) : NaN,
    });
  }
  return out;
}

export interface MetricError {
  metric: 'ttft' | 'tpot' | 'e2e';
  /** Measured and simulated mean, p50, p90, p99 (seconds). */
  measured: number[];
  simulated: number[];
  /** Relative error (simulated / measured − 1) of each. */
  relError: number[];
}

/** Compares a replay with the measured requests: mean, p50, p90, p99 of TTFT, TPOT, E2E. */
export function compareWithMeasured(measured: readonly MeasuredRequest[], sim: { ttft: Float64Array; tpot: Float64Array; e2e: Float64Array }): MetricError[] {
  const m = {
    ttft: Float64Array.from(measured, (r) => r.ttftS),
    tpot: Float64Array.from(measured, (r) => r.tpotS),
    e2e: Float64Array.from(measured, (r) => r.e2eS),
  };
  return (['ttft', 'tpot', 'e2e'] as const).map((metric) => {
    const a = stats(m[metric]);
    const b = stats(sim[metric]);
    const measuredV = [a.mean, ...a.q];
    const simulatedV = [b.mean, ...b.q];
    return { metric, measured: measuredV, simulated: simulatedV, relError: simulatedV.map((v, i) => v / measuredV[i]! - 1) };
  });
}

export interface CalibrationResult {
  coefficients: LinearCoefficients;
  errors: MetricError[];
  /** Objective at the optimum (mean squared log error over requests and metrics). */
  loss: number;
  evaluations: number;
}

function nelderMead(f: (x: number[]) => number, x0: number[], step: number, maxEval: number): { x: number[]; fx: number; evals: number } {
  const n = x0.length;
  let evals = 0;
  const F = (x: number[]): number => {
    evals++;
    return f(x);
  };
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, fx: F(x) }));
  while (evals < maxEval) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.fx - best.fx) < 1e-10 * (1 + Math.abs(best.fx))) break;
    const c = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) c[i]! += simplex[k]!.x[i]! / n;
    const at = (t: number): number[] => c.map((ci, i) => ci + t * (worst.x[i]! - ci));
    const xr = at(-1);
    const fr = F(xr);
    if (fr < best.fx) {
      const xe = at(-2);
      const fe = F(xe);
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1]!.fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? at(-0.5) : at(0.5);
      const fc = F(xc);
      if (fc < Math.min(fr, worst.fx)) simplex[n] = { x: xc, fx: fc };
      else simplex = simplex.map((p, k) => (k === 0 ? p : { x: p.x.map((v, i) => best.x[i]! + 0.5 * (v - best.x[i]!)), fx: NaN })).map((p) => (Number.isNaN(p.fx) ? { x: p.x, fx: F(p.x) } : p));
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return { x: simplex[0]!.x, fx: simplex[0]!.fx, evals };
}

/**
 * Fits β0…β3 (and β4, the prefill attention term) by replaying `measured` with `cfg`.
 * Starting point: `start` (e.g. a roofline estimate) or generic values.
 */
export function calibrate(measured: readonly MeasuredRequest[], cfg: EngineConfig, start?: LinearCoefficients, maxEvaluations = 400): CalibrationResult {
  const s = start ?? { beta0: 10e-3, beta1: 1e-4, beta2: 1e-4, beta3: 1e-7, beta4: 1e-9 };
  const x0 = [s.beta0, s.beta1, s.beta2, s.beta3, s.beta4 ?? 1e-9].map((v) => Math.log(Math.max(v, 1e-12)));
  const toCoef = (x: number[]): LinearCoefficients => ({ beta0: Math.exp(x[0]!), beta1: Math.exp(x[1]!), beta2: Math.exp(x[2]!), beta3: Math.exp(x[3]!), beta4: Math.exp(x[4]!) });
  const mt = measured.map((r) => Math.log(r.ttftS));
  const mp = measured.map((r) => Math.log(r.tpotS));
  const me = measured.map((r) => Math.log(r.e2eS));
  const loss = (x: number[]): number => {
    const res = replay(measured, cfg, new LinearStepModel(toCoef(x), 'fit'));
    let sum = 0;
    let n = 0;
    for (let i = 0; i < measured.length; i++) {
      const t = Math.log(res.ttft[i]!) - mt[i]!;
      const e = Math.log(res.e2e[i]!) - me[i]!;
      if (Number.isFinite(t)) (sum += t * t), n++;
      if (Number.isFinite(e)) (sum += e * e), n++;
      if (Number.isFinite(mp[i]!)) {
        const p = Math.log(res.tpot[i]!) - mp[i]!;
        if (Number.isFinite(p)) (sum += p * p), n++;
      }
    }
    return n > 0 ? sum / n : Infinity;
  };
  const opt = nelderMead(loss, x0, 0.7, maxEvaluations);
  const coefficients = toCoef(opt.x);
  const res = replay(measured, cfg, new LinearStepModel(coefficients, 'fit'));
  return { coefficients, errors: compareWithMeasured(measured, res), loss: opt.fx, evaluations: opt.evals };
}
