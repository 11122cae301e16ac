/**
 * LLM scenarios take every request-level open-loop traffic shape (ramps, diurnal, spikes, burst
 * gamma and mmpp, scale, a trace at a scale), drawn by the request-level arrival processes
 * (workload/arrivals.ts) with token counts from `tokens:` (or a trace's rows).
 *
 * Each shape's arrival count over a long run is checked against the integral of its rate,
 * Λ(T) = ∫₀ᵀ λ(t) dt, within 4 standard deviations of the count (a seeded run, so the check is
 * deterministic; 4 sd is what a correct process would miss once in ~16 000 seeds, and a wrong
 * rate shape, e.g. a ramp read as a step or a diurnal with the wrong period, is off by far more):
 * - Poisson with any rate shape: the count is Poisson(Λ), sd = √Λ;
 * - gamma renewal with cv c: sd → c·√Λ over a long run (renewal CLT: Var N(T) ≈ c²·T/m³ with
 *   mean gap m, i.e. c²·Λ);
 * - two-state MMPP with rates λh, λl and switching rates rh = 1/meanHigh, rl = 1/meanLow:
 *   Var N(T) ≈ [λ̄ + 2(λh − λl)²·πh·πl/(rh + rl)]·T, πh = meanHigh/(meanHigh + meanLow)
 *   (the asymptotic index of dispersion of an MMPP, e.g. Fischer & Meier-Hellstern, "The
 *   Markov-modulated Poisson process (MMPP) cookbook", Perf. Eval. 18 (1993), eq. for I(∞));
 * - a Prometheus series (traffic.prometheus): a step schedule, Poisson, sd = √Λ;
 * - a trace at rateMultiplier k (⌈k⌉ shifted copies, the last thinned) or scale k: ⌊k⌋ copies of each of its N rows plus Binomial(N, k − ⌊k⌋) more,
 *   sd = √(N·f·(1 − f)) with f = k − ⌊k⌋.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPrometheusRange } from '../../src/scenario/prometheus.js';
import { ROOT } from '../helpers/cli.js';
import { llmProblems } from '../helpers/llm.js';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import type { ScenarioIssue } from '../../src/scenario/issues.js';

// one-token requests on a fast engine: every request is one short step, so a long run is cheap
const head = (durationS: number): string => `
name: shapes
seed: 11
duration: ${durationS}s
report: { interval: ${durationS / 10}s }
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 1
  engine: { maxNumSeqs: 256, maxNumBatchedTokens: 8192, numGpuBlocks: 4000 }
  stepTime: { beta0: 1ms, beta1: 0, beta2: 0, beta3: 0 }
`;
const tokens = '  tokens: { prompt: 1, output: 1 }\n';

const TRACE_ROWS = 1000;
/** A synthetic token trace: TRACE_ROWS rows one second apart. */
const traceCsv = ['TIMESTAMP,ContextTokens,GeneratedTokens', ...Array.from({ length: TRACE_ROWS }, (_, i) => `${i},${1 + (i % 7)},1`)].join('\n');

const load = (text: string) => loadLlmScenario(text, { file: 's.yaml', baseDir: '/x', readFile: () => traceCsv });
const issuesOf = (text: string): ScenarioIssue[] => llmProblems(() => load(text)).issues;
const linesOf = (text: string): string[] => llmProblems(() => load(text)).lines;

/** Arrivals of a run (no warmup: every one counted), and the kind of arrival process the loader chose. */
function count(text: string): { arrived: number; kind: string } {
  const sc = load(text);
  const out = runLlmFleet(sc.spec);
  const r = out.results.requests;
  // the books balance whatever the shape
  expect(r.completed + r.rejected + r.inFlightAtEnd).toBe(r.arrived);
  return { arrived: r.arrived, kind: sc.spec.arrivals.kind };
}

const T = 4000;
// rate levels (req/s) and the shapes' integrals over [0, T]
const CASES: Array<[string, string, number, number]> = [
  // a ramp from 5 to 25 req/s over [1000 s, 3000 s]: 5·1000 + 15·2000 + 25·1000
  ['a ramp', '  rate: [{ at: 0s, rps: 5 }, { at: 1000s, rps: 25, ramp: 2000s }]\n', 5 * 1000 + 15 * 2000 + 25 * 1000, 1],
  // the LLM loader's own step key (rate) takes a ramp too
  ['a ramp written with rate', '  rate: [{ at: 0s, rate: 5 }, { at: 1000s, rate: 25, ramp: 2000s }]\n', 5 * 1000 + 15 * 2000 + 25 * 1000, 1],
  // whole periods of the cosine integrate to 0: 10·T
  ['diurnal', '  rate: 10\n  diurnal: { amplitude: 0.8, period: 1000s, peakAt: 300s }\n', 10 * T, 1],
  // 10·T, plus (4 − 1)·10 req/s for 200 s, minus (1 − 0.5)·10 req/s for 1000 s
  ['spikes', '  rate: 10\n  spikes: [{ at: 500s, factor: 4, for: 200s }, { at: 2000s, factor: 0.5, for: 1000s }]\n', 10 * T + 10 * 3 * 200 - 10 * 0.5 * 1000, 1],
  ['burst gamma (cv 2)', '  rate: 10\n  burst: { kind: gamma, cv: 2 }\n', 10 * T, 2],
  ['scale on a rate shape', '  rate: 4\n  diurnal: { amplitude: 0.5, period: 2000s }\n  scale: 2.5\n', 4 * 2.5 * T, 1],
];

describe('LLM traffic: the request-level open-loop shapes', () => {
  it.each(CASES)('%s: arrivals over a long run match the integral of the rate (4 sd)', (_what, traffic, integral, cv) => {
    const { arrived, kind } = count(`${head(T)}traffic:\n${traffic}${tokens}`);
    expect(kind).toBe('shaped');
    const sd = cv * Math.sqrt(integral);
    expect(Math.abs(arrived - integral)).toBeLessThan(4 * sd);
  });

  it('burst mmpp: the mean rate is the states-weighted factor, the sd the MMPP index of dispersion', () => {
    // defaults: highFactor 3, lowFactor 0.5, meanHigh 10s, meanLow 40s → mean factor (3·10 + 0.5·40)/50 = 1
    const rate = 1;
    const duration = 40000;
    const [hi, lo, mh, ml] = [3 * rate, 0.5 * rate, 10, 40];
    const ph = mh / (mh + ml);
    const mean = ((hi * mh + lo * ml) / (mh + ml)) * duration;
    const variance = (mean / duration + (2 * (hi - lo) ** 2 * ph * (1 - ph)) / (1 / mh + 1 / ml)) * duration;
    const { arrived, kind } = count(`${head(duration)}traffic:\n  rate: ${rate}\n  burst: { kind: mmpp }\n${tokens}`);
    expect(kind).toBe('shaped');
    expect(mean).toBe(40000);
    expect(Math.abs(arrived - mean)).toBeLessThan(4 * Math.sqrt(variance));
  });

  it.each([
    [2.5, 2 * TRACE_ROWS + 0.5 * TRACE_ROWS, Math.sqrt(TRACE_ROWS * 0.25)],
    [0.3, 0.3 * TRACE_ROWS, Math.sqrt(TRACE_ROWS * 0.3 * 0.7)],
  ])('a trace at scale %f: ⌊k⌋ copies of each row plus a Binomial share (4 sd)', (scale, expected, sd) => {
    const text = `${head(1200)}traffic:\n  trace: { file: t.csv }\n  scale: ${scale}\n`;
    const sc = load(text);
    expect(sc.spec.arrivals.kind).toBe('trace');
    const { arrived } = count(text);
    expect(Math.abs(arrived - expected)).toBeLessThan(4 * sd);
  });

  it.each([
    [2.5, 2 * TRACE_ROWS + 0.5 * TRACE_ROWS, Math.sqrt(TRACE_ROWS * 0.25)],
    [0.3, 0.3 * TRACE_ROWS, Math.sqrt(TRACE_ROWS * 0.3 * 0.7)],
  ])('a trace at rateMultiplier %f: shifted copies over its span, the last a Binomial share (4 sd)', (k, expected, sd) => {
    // the span of 1000 rows one second apart is its period P = 999·1000/999 s = 1000 s: every copy fits a 1200 s run
    const text = `${head(1200)}traffic:\n  trace: { file: t.csv, rateMultiplier: ${k} }\n`;
    const sc = load(text);
    expect(sc.spec.arrivals).toMatchObject({ kind: 'trace', rateMultiplier: k });
    const { arrived } = count(text);
    expect(Math.abs(arrived - expected)).toBeLessThan(4 * sd);
  });

  it('a trace at rateMultiplier 3, looped: each row\'s tokens in each copy and repetition', () => {
    const sc = load(`${head(2000)}traffic:\n  trace: { file: t.csv, rateMultiplier: 3, loop: true }\n`);
    const out = runLlmFleet(sc.spec);
    // two periods of 1000 s: 3 copies × 1000 rows × 2, and the third period's first arrival at exactly 2000 s (the run's end counts)
    expect(out.results.requests.arrived).toBe(6 * TRACE_ROWS + 1);
    let prompt = 0;
    for (let i = 0; i < TRACE_ROWS; i++) prompt += 1 + (i % 7);
    const inFlight = out.results.requests.inFlightAtEnd;
    expect(inFlight).toBeLessThan(10);
    // every completed request's prompt is its row's: the total within the few still in flight (≤ 7 tokens each)
    expect(Math.abs(out.results.inputTokensPerS * 2000 - 6 * prompt)).toBeLessThanOrEqual(7 * (inFlight + 1));
  });

  it('a trace at scale 2 carries each row\'s token counts into its copies', () => {
    const sc = load(`${head(1200)}traffic:\n  trace: { file: t.csv }\n  scale: 2\n`);
    const out = runLlmFleet(sc.spec);
    expect(out.results.requests.arrived).toBe(2 * TRACE_ROWS);
    // input tokens: each row's prompt (1 + i mod 7) twice
    let prompt = 0;
    for (let i = 0; i < TRACE_ROWS; i++) prompt += 1 + (i % 7);
    expect(out.results.inputTokensPerS * 1200).toBeCloseTo(2 * prompt, 6);
  });

  it('a plain Poisson rate or step schedule keeps the LLM path (its own draws, results unchanged)', () => {
    expect(load(`${head(100)}traffic:\n  rate: 3\n${tokens}`).spec.arrivals.kind).toBe('poisson');
    expect(load(`${head(100)}traffic:\n  rate: [{ at: 0, rate: 1 }, { at: 50s, rps: 4, ramp: 0s }]\n  burst: { kind: poisson }\n  scale: 1\n${tokens}`).spec.arrivals.kind).toBe('poisson');
    expect(load(`${head(100)}traffic:\n  trace: { file: t.csv }\n  scale: 1\n`).spec.arrivals.kind).toBe('trace');
    expect(load(`${head(100)}traffic:\n  trace: { file: t.csv }\n`).spec.arrivals).not.toHaveProperty('scale');
  });

  it('traffic.prometheus: a query_range series replayed as the rate schedule, the duration its span (at scale 0.01: count within 4 sd of the integral)', () => {
    const file = join(ROOT, 'test', 'fixtures', 'files', 'rate.json');
    const series = importPrometheusRange(readFileSync(file, 'utf8'));
    if (!series.ok) throw new Error(series.errors.join('; '));
    const text = (extra: string): string => `${head(100).replace('duration: 100s\n', '')}traffic:\n  prometheus: ${file}\n${extra}${tokens}`;
    const fromFile = { file: 's.yaml', baseDir: ROOT, readFile: (p: string) => readFileSync(p, 'utf8') };
    const plain = loadLlmScenario(text(''), fromFile).spec;
    expect(plain.durationS).toBe(series.spanS);
    expect(plain.arrivals.kind).toBe('poisson');
    const sc = loadLlmScenario(text('  scale: 0.01\n'), fromFile);
    expect(sc.spec.arrivals.kind).toBe('shaped');
    const steps = series.steps;
    const integral = 0.01 * steps.reduce((a, s, i) => a + s.rps * ((steps[i + 1]?.at ?? series.spanS) - s.at), 0);
    const r = runLlmFleet(sc.spec).results.requests;
    expect(Math.abs(r.arrived - integral)).toBeLessThan(4 * Math.sqrt(integral));
    // the request-level messages; closed-loop users cannot replay a rate
    expect(() => loadLlmScenario(text('').replace(file, 'nope.json'), fromFile)).toThrow(/traffic\.prometheus: cannot read nope\.json/);
    expect(() => loadLlmScenario(text('  rate: 2\n'), fromFile)).toThrow(/traffic\.prometheus: give one of traffic\.rate, traffic\.trace or traffic\.prometheus/);
    expect(() => loadLlmScenario(text('  users: 2\n'), fromFile)).toThrow(/traffic\.prometheus: a Prometheus series is an open-loop rate/);
  });

  it('names the field of a bad shape, with the request-level messages', () => {
    const bad = (traffic: string): string[] => linesOf(`${head(100)}traffic:\n${traffic}${tokens}`);
    expect(bad('  rate: 2\n  burst: { kind: gamma }\n')).toContainEqual('error: s.yaml: traffic.burst.cv: required for kind gamma: a cv > 0');
    expect(bad('  rate: 2\n  diurnal: { amplitude: 1.5 }\n')).toContainEqual('error: s.yaml: traffic.diurnal.amplitude: must be in [0, 1) (got 1.5)');
    expect(bad('  rate: 2\n  diurnal: { amplitude: 0.5, period: 10s }\n')).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.diurnal\.period: must be at least 1m/));
    expect(bad('  rate: 2\n  spikes: [{ at: 10s, factor: 2 }]\n')).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.spikes\.0\.for: required/));
    expect(bad('  rate: 2\n  burst: { kind: mmpp, cv: 2 }\n')).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.burst\.cv: /));
    expect(bad('  rate: [{ at: 0, rps: 1, ramp: 2m }, { at: 1m, rps: 3 }]\n')).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.rate\.0\.ramp: the ramp ends at 120 s, after the next step starts \(60 s\)/));
    expect(bad('  rate: [{ at: 0, rps: 1, rate: 1 }]\n')).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.rate\.0\.rps: give rate or rps/));
    expect(bad('  rate: [{ at: 0, rsp: 1 }]\n')).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.rate\.0\.rsp: unknown field/));
    // the request-level limit on the requests a rate shape makes: 1.5e7 req/s at the diurnal peak × 2e5 s
    expect(linesOf(`${head(200000)}traffic:\n  rate: 10000000\n  diurnal: { amplitude: 0.5 }\n${tokens}`)).toContainEqual(expect.stringMatching(/^error: s\.yaml: traffic\.rate: the run would simulate about 3\.00e\+12 requests/));
    expect(linesOf(`${head(100)}traffic:\n  trace: { file: t.csv, rateMultiplier: 101 }\n`)).toContainEqual('error: s.yaml: traffic.trace.rateMultiplier: expected a number in [0.000001, 100], got 101');
    // closed-loop users are not shaped
    const users = issuesOf(`${head(100)}traffic:\n  users: 4\n  burst: { kind: gamma, cv: 2 }\n${tokens}`);
    expect(users).toContainEqual(expect.objectContaining({ code: 'cross_field', path: ['traffic', 'burst'] }));
  });

  it('a trace ignores diurnal, spikes and burst with the request-level warning', () => {
    const sc = load(`${head(100)}traffic:\n  trace: { file: t.csv }\n  spikes: [{ at: 10s, factor: 2, for: 5s }]\n`);
    expect(sc.warnings).toContain('traffic.spikes is ignored when replaying traffic.trace');
  });
});
