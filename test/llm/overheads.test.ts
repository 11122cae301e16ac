/**
 * Per-request overheads (inference-sim's α's, src/config/llm.ts RequestOverheads) as their
 * simulator applies them at commit 938f8d88: α0 + α1·input tokens between arrival and the
 * scheduler's queue (sim/event.go:41-46), α2 on TTFT (sim/simulator.go:669) and on every ITL
 * (sim/simulator.go:664), E2E = TTFT + Σ ITL (sim/simulator.go:516). BLIS counts in integer µs
 * (clampToInt64 truncates); we keep seconds as doubles, so the closed forms hold to rounding.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLlmScenario, LlmScenarioError } from '../../src/llm/scenario.js';
import { BUILTIN_PROFILES, findProfile, profileOverheads, type BuiltinProfile } from '../../src/llm/profiles.js';
import { replay } from '../../src/llm/replay.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { ROOT } from '../helpers/cli.js';

const scenario = (p: { model: string; gpu: string; tp: number }, extra = '', traffic = 'traffic: { users: 1, tokens: { prompt: 500, output: 20 } }', stepTime = 'builtin'): string => `
name: t
duration: 60s
llm:
  model: ${p.model}
  gpu: ${p.gpu}
  tensorParallel: ${p.tp}
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 8192, numGpuBlocks: 4000, prefixCaching: false }
  stepTime: ${stepTime}
${extra}
${traffic}
`;
const load = (text: string) => loadLlmScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (f) => readFileSync(f, 'utf8') });
const failure = (text: string): LlmScenarioError => {
  try {
    load(text);
  } catch (e) {
    if (e instanceof LlmScenarioError) return e;
    throw e;
  }
  throw new Error('loaded');
};

/** The closed forms for one request alone (prompt ≤ the step's token budget: one prefill step). */
const closedForm = (p: BuiltinProfile, prompt: number, out: number) => {
  const [b0, b1, b2] = p.betaUs.map((v) => v * 1e-6) as [number, number, number];
  const [a0, a1, a2] = p.alphaUs.map((v) => v * 1e-6) as [number, number, number];
  const ttft = a0 + a1 * prompt + (b0 + b1 * prompt) + a2;
  const tpot = b0 + b2 + a2;
  return { ttft, tpot, e2e: ttft + (out - 1) * tpot };
};

const entries = [...BUILTIN_PROFILES.values()];
/** The pairs whose fit puts more per output token in α2 than in a one-decode step. */
const alpha2Heavy = ['llama-3.1-8b on 4× h100-80gb', 'llama-3.1-8b on 2× a100-80gb', 'llama-3.1-8b on 4× a100-80gb'];

describe('per-request overheads (inference-sim α)', () => {
  it.each(entries.map((p) => [`${p.model} on ${p.tp}× ${p.gpu}`, p] as const))(
    '%s, one request alone: TTFT = α0 + α1·in + prefill step + α2, E2E = TTFT + (out − 1)·(decode step + α2), in a replay and in the fleet',
    (_k, p) => {
      const prompt = 500;
      const out = 20;
      const cf = closedForm(p, prompt, out);
      const sc = load(scenario(p));
      const res = replay([{ arrivalS: 2, prompt, output: out }], sc.spec.engine, sc.spec.model, sc.spec.overheads);
      expect(res.steps).toBe(out);
      expect(res.ttft[0]).toBeCloseTo(cf.ttft, 12);
      expect(res.e2e[0]).toBeCloseTo(cf.e2e, 12);
      expect(res.tpot[0]).toBeCloseTo(cf.tpot, 12);
      // the fleet: one closed-loop user without think time sends the next request when the last
      // finishes, so every request is alone (its queue delay runs on an idle replica)
      const r = runLlmFleet(sc.spec).results;
      expect(r.requests.completed).toBeGreaterThan(3);
      for (const [stats, v] of [
        [r.ttftMs, cf.ttft],
        [r.e2eMs, cf.e2e],
        [r.tpotMs, cf.tpot],
        [r.itlMs, cf.tpot],
      ] as const) {
        expect(stats.max).toBeCloseTo(v * 1e3, 6);
        expect(stats.mean).toBeCloseTo(v * 1e3, 6);
      }
    },
  );

  it('α0 + α1·in really defers scheduling: a request still in its queue delay is not in the batch of one that arrived later', () => {
    const p = findProfile('llama-3.1-8b', 'h100-80gb', 1)!;
    const sc = load(scenario(p));
    const [b0, b1] = p.betaUs.map((v) => v * 1e-6) as [number, number];
    // 1 ms per prompt token: the long prompt (arrival 0) reaches the queue at 1 s, the short one
    // (arrival 0.1 s) at 0.11 s and runs alone, its prefill and both decodes done long before 1 s
    const ov = { queueS: 0, queuePerPromptTokenS: 1e-3, firstTokenS: 0, perTokenS: 0 };
    const res = replay(
      [
        { arrivalS: 0, prompt: 1000, output: 3 },
        { arrivalS: 0.1, prompt: 10, output: 3 },
      ],
      sc.spec.engine,
      sc.spec.model,
      ov,
    );
    expect(res.ttft[1]).toBeCloseTo(0.01 + b0 + 10 * b1, 12);
    expect(res.ttft[0]).toBeCloseTo(1 + b0 + 1000 * b1, 12);
  });

  it('α2 does not hold up the next step: the engine runs the same steps over the same span with or without it', () => {
    const p = findProfile('llama-3.1-8b', 'a100-80gb', 2)!;
    const sc = load(scenario(p));
    const reqs = Array.from({ length: 40 }, (_, i) => ({ arrivalS: i * 0.05, prompt: 200 + 37 * i, output: 10 + (i % 7) }));
    const none = replay(reqs, sc.spec.engine, sc.spec.model);
    const a2 = profileOverheads(p).perTokenS;
    const with2 = replay(reqs, sc.spec.engine, sc.spec.model, { firstTokenS: a2, perTokenS: a2 });
    expect(with2.steps).toBe(none.steps);
    expect(with2.spanS).toBe(none.spanS);
    for (let i = 0; i < reqs.length; i++) {
      expect(with2.ttft[i]).toBeCloseTo(none.ttft[i]! + a2, 12);
      expect(with2.e2e[i]).toBeCloseTo(none.e2e[i]! + reqs[i]!.output * a2, 12);
    }
  });

  it('the α2 warning: gone for every pair when the α\'s are applied (the default), back for the three α2-heavy pairs with overheads: none', () => {
    for (const p of entries) {
      const key = `${p.model} on ${p.tp}× ${p.gpu}`;
      expect(load(scenario(p)).warnings).toEqual([]);
      const off = load(scenario(p, '  overheads: none'));
      expect(off.spec.overheads).toEqual({ queueS: 0, queuePerPromptTokenS: 0, firstTokenS: 0, perTokenS: 0 });
      expect(off.warnings.some((w) => w.startsWith(`stepTime builtin (${key})`))).toBe(alpha2Heavy.includes(key));
    }
  });

  it('a scenario\'s own overheads: any step model takes them; over a built-in profile each field given replaces its α', () => {
    const p = findProfile('llama-3.1-8b', 'h100-80gb', 4)!;
    const a = profileOverheads(p);
    const part = load(scenario(p, '  overheads: { perToken: 2ms, queue: 1ms }'));
    expect(part.spec.overheads).toEqual({ ...a, perTokenS: 2e-3, queueS: 1e-3 });
    // 2 ms of α2's 6 ms: still short, so the warning says by how much
    expect(part.warnings).toContainEqual(expect.stringContaining('llm.overheads.perToken applies 2.00 ms instead, so TPOT and ITL are understated by about 4.00 ms'));
    expect(part.notes).toContainEqual(expect.stringMatching(/^overheads \(llm\.overheads over the profile's α's\): 1 ms \+ 2\.187 µs per prompt token/));
    // non-built-in step models: 0 unless given, and then applied exactly as given
    const coeffs = '{ beta0: 5ms, beta1: 20us, beta2: 100us, beta3: 0 }';
    const plain = load(scenario(p, '', undefined, coeffs));
    expect(plain.spec.overheads).toEqual({ queueS: 0, queuePerPromptTokenS: 0, firstTokenS: 0, perTokenS: 0 });
    expect(plain.notes.some((n) => n.startsWith('overheads'))).toBe(false);
    expect(load(scenario(p, '', undefined, 'roofline')).spec.overheads).toEqual(plain.spec.overheads);
    const own = load(scenario(p, '  overheads: { queue: 3ms, queuePerPromptToken: 2us, firstToken: 10ms, perToken: 1ms }', 'traffic: { users: 1, tokens: { prompt: 100, output: 5 } }', coeffs));
    expect(own.spec.overheads).toEqual({ queueS: 3e-3, queuePerPromptTokenS: 2e-6, firstTokenS: 10e-3, perTokenS: 1e-3 });
    const r = runLlmFleet(own.spec).results;
    const ttft = 3e-3 + 100 * 2e-6 + (5e-3 + 100 * 20e-6) + 10e-3;
    const tpot = 5e-3 + 100e-6 + 1e-3;
    expect(r.ttftMs.max).toBeCloseTo(ttft * 1e3, 6);
    expect(r.e2eMs.max).toBeCloseTo((ttft + 4 * tpot) * 1e3, 6);
  });

  it.each([
    ['  overheads: { perToken: -1ms }', 'too_small', ['llm', 'overheads', 'perToken'], /^error: s\.yaml: llm\.overheads\.perToken: must be ≥ 0 \(got "-1ms"\)$/],
    ['  overheads: { perTok: 1ms }', 'unknown_key', ['llm', 'overheads', 'perTok'], /^error: s\.yaml: llm\.overheads\.perTok: unknown field \(expected one of: queue, queuePerPromptToken, firstToken, perToken\)$/],
    ['  overheads: { queue: "5" }', 'invalid_format', ['llm', 'overheads', 'queue'], /^error: s\.yaml: llm\.overheads\.queue: /],
    ['  overheads: { firstToken: [1] }', 'invalid_type', ['llm', 'overheads', 'firstToken'], /^error: s\.yaml: llm\.overheads\.firstToken: /],
    ['  overheads: off', 'invalid_type', ['llm', 'overheads'], /^error: s\.yaml: llm\.overheads: expected none or \{ queue, queuePerPromptToken, firstToken, perToken \} \(durations\), got "off"$/],
  ] as const)('%s is refused with code, path and message', (extra, code, path, line) => {
    const e = failure(scenario(findProfile('llama-3.1-8b', 'h100-80gb', 1)!, extra));
    expect(e.issues).toContainEqual(expect.objectContaining({ code, path }));
    expect(e.lines).toContainEqual(expect.stringMatching(line));
  });
});
