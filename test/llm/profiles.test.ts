import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLlmScenario, LlmScenarioError } from '../../src/llm/scenario.js';
import { BUILTIN_PROFILES, findProfile, profileOverheads, profileWarning } from '../../src/llm/profiles.js';
import { GPU_DATASHEETS, MODELS, rooflineCoefficients } from '../../src/llm/models.js';
import { BatchShape, LinearStepModel } from '../../src/llm/step-time.js';
import { replay } from '../../src/llm/replay.js';
import { formatLlmTable } from '../../src/report/llm.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { ROOT } from '../helpers/cli.js';

const scenario = (model: string, gpu: string, tp: number, stepTime = 'builtin'): string => `
name: t
duration: 10m
llm:
  model: ${model}
  gpu: ${gpu}
  tensorParallel: ${tp}
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 8192, numGpuBlocks: 4000, prefixCaching: false }
  stepTime: ${stepTime}
traffic: { users: 1, tokens: { prompt: 500, output: 20 } }
`;
const load = (text: string) => loadLlmScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (p) => readFileSync(p, 'utf8') });
const failure = (text: string): LlmScenarioError => {
  try {
    load(text);
  } catch (e) {
    if (e instanceof LlmScenarioError) return e;
    throw e;
  }
  throw new Error('loaded');
};

/** One prefill chunk of 100 tokens (no context) and three decodes reading 50, 60 and 70 KV tokens. */
const smallBatch = (): BatchShape => {
  const b = new BatchShape();
  b.addPrefill(100, 0);
  for (const kv of [50, 60, 70]) b.addDecode(kv);
  return b;
};

const entries = [...BUILTIN_PROFILES.values()];

describe('built-in step-time profiles', () => {
  it('the table holds Llama-3.1-8B on H100 and A100 80GB at TP 1, 2, 4 and 70B on H100 at TP 4, 8, each with its source', () => {
    expect([...BUILTIN_PROFILES.keys()]).toEqual([
      'llama-3.1-8b on 1× h100-80gb',
      'llama-3.1-8b on 2× h100-80gb',
      'llama-3.1-8b on 4× h100-80gb',
      'llama-3.1-8b on 1× a100-80gb',
      'llama-3.1-8b on 2× a100-80gb',
      'llama-3.1-8b on 4× a100-80gb',
      'llama-3.1-70b on 4× h100-80gb',
      'llama-3.1-70b on 8× h100-80gb',
    ]);
    for (const p of entries) {
      expect(MODELS[p.model]).toBeDefined();
      expect(GPU_DATASHEETS[p.gpu]).toBeDefined();
      expect(p.source.repo).toBe('github.com/inference-sim/inference-sim');
      expect(p.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(p.source.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.source.entry).toMatch(/^meta-llama\/llama-3\.[13]-(8|70)b-instruct$/);
      // seconds are their µs × 1e-6; no KV-read or prefill-attention term in their model
      expect(p.coefficients).toEqual({ beta0: p.betaUs[0] * 1e-6, beta1: p.betaUs[1] * 1e-6, beta2: p.betaUs[2] * 1e-6, beta3: 0, beta4: 0 });
    }
    // a spot check against the published numbers (µs): Llama-3.1-8B, A100-80, TP 1
    expect(findProfile('llama-3.1-8b', 'a100-80gb', 1)!.betaUs).toEqual([16441.531547147923, 47.837412108198656, 18.20560632171683]);
  });

  it.each(entries.map((p) => [`${p.model} on ${p.tp}× ${p.gpu}`, p] as const))('%s loads from a scenario and gives β0 + β1·prefill + β2·decodes for a small batch', (_k, p) => {
    const sc = load(scenario(p.model, p.gpu, p.tp));
    const [b0, b1, b2] = p.betaUs;
    const byHand = (b0 + 100 * b1 + 3 * b2) * 1e-6;
    expect(sc.spec.model.stepTime(smallBatch())).toBeCloseTo(byHand, 12);
    // the run says where its step time came from
    expect(sc.spec.model.label).toContain('built-in profile');
    expect(sc.spec.model.label).toContain(p.source.commit.slice(0, 8));
    expect(sc.notes).toContainEqual(expect.stringContaining(`step time: built-in profile ${p.model} on ${p.tp}× ${p.gpu}: inference-sim`));
    // its α's are applied by default, so nothing is left out and nothing to warn about
    expect(sc.spec.overheads).toEqual(profileOverheads(p));
    expect(sc.warnings.filter((w) => w.startsWith('stepTime builtin'))).toEqual([]);
  });

  it('the run table names the source and the α overheads applied; the α2 warning only where a scenario drops α2 that dominates the step', () => {
    const short = scenario('llama-3.1-8b', 'h100-80gb', 4).replace('duration: 10m', 'duration: 20s');
    const sc = load(short);
    const table = formatLlmTable(sc, runLlmFleet(sc.spec).results);
    expect(table).toContain('step time: built-in profile llama-3.1-8b on 4× h100-80gb');
    expect(table).toContain('938f8d88');
    expect(table).toContain("overheads (the profile's α0, α1, α2): 0.03439 ms + 2.187 µs per prompt token before a request is queued; 6.001 ms on TTFT, 6.001 ms on each later token");
    expect(table).not.toContain('warning: stepTime builtin');
    const dropped = load(short.replace('stepTime: builtin', 'stepTime: builtin\n  overheads: { perToken: 0ms }'));
    expect(formatLlmTable(dropped, runLlmFleet(dropped.spec).results)).toMatch(
      /warning: stepTime builtin \(llama-3\.1-8b on 4× h100-80gb\): the published fit puts 6\.00 ms per output token in α2, against a one-decode step of 0\.05 ms; llm\.overheads\.perToken applies 0\.00 ms instead, so TPOT and ITL are understated by about 6\.00 ms/,
    );
  });

  it('an unknown model × GPU × TP is rejected at llm.stepTime, naming the pair and listing the built-in ones', () => {
    const e = failure(scenario('llama-3.1-70b', 'a100-80gb', 4));
    expect(e.issues).toContainEqual(expect.objectContaining({ code: 'unknown_reference', path: ['llm', 'stepTime'] }));
    expect(e.lines).toContainEqual(
      expect.stringMatching(/^error: s\.yaml: llm\.stepTime: no built-in profile for llama-3\.1-70b on 4× a100-80gb \(llm\.model × llm\.gpu × llm\.tensorParallel; built in: llama-3\.1-8b on 1× h100-80gb, .*llama-3\.1-70b on 8× h100-80gb\)/),
    );
    // a pair that exists at another TP is still unknown at this one
    expect(failure(scenario('llama-3.1-8b', 'h100-80gb', 8)).lines).toContainEqual(expect.stringMatching(/no built-in profile for llama-3\.1-8b on 8× h100-80gb/));
  });

  it('one request alone with a built-in profile\'s β\'s only (overheads: none): TTFT = one prefill step, E2E = TTFT + (output − 1) decode steps, exactly', () => {
    const p = findProfile('llama-3.1-8b', 'a100-80gb', 1)!;
    const sc = load(scenario(p.model, p.gpu, p.tp).replace('stepTime: builtin', 'stepTime: builtin\n  overheads: none'));
    expect(sc.spec.overheads).toEqual({ queueS: 0, queuePerPromptTokenS: 0, firstTokenS: 0, perTokenS: 0 });
    const prompt = 500;
    const out = 20;
    const res = replay([{ arrivalS: 2, prompt, output: out }], sc.spec.engine, sc.spec.model);
    const [b0, b1, b2] = p.betaUs.map((v) => v * 1e-6) as [number, number, number];
    const ttft = b0 + prompt * b1;
    const e2e = ttft + (out - 1) * (b0 + b2);
    expect(res.steps).toBe(out);
    expect(res.ttft[0]).toBeCloseTo(ttft, 12);
    expect(res.e2e[0]).toBeCloseTo(e2e, 12);
    expect(res.tpot[0]).toBeCloseTo(b0 + b2, 12);
  });

  it('against the roofline estimate for the same pair (a sanity check, reported in the README)', () => {
    const prefill = new BatchShape();
    prefill.addPrefill(512, 0);
    const decode = new BatchShape();
    for (let k = 0; k < 32; k++) decode.addDecode(1000);
    const rows = entries.map((p) => {
      const built = new LinearStepModel(p.coefficients, 'built-in');
      const roof = new LinearStepModel(rooflineCoefficients(MODELS[p.model]!, GPU_DATASHEETS[p.gpu]!, p.tp), 'roofline');
      return {
        pair: `${p.model} on ${p.tp}× ${p.gpu}`,
        prefill512Ms: +(built.stepTime(prefill) * 1e3).toFixed(2),
        rooflinePrefillMs: +(roof.stepTime(prefill) * 1e3).toFixed(2),
        prefillRatio: +(built.stepTime(prefill) / roof.stepTime(prefill)).toFixed(2),
        decode32Ms: +(built.stepTime(decode) * 1e3).toFixed(2),
        rooflineDecodeMs: +(roof.stepTime(decode) * 1e3).toFixed(2),
        decodeRatio: +(built.stepTime(decode) / roof.stepTime(decode)).toFixed(2),
      };
    });
    console.table(rows);
    // prefill: within a factor of 2 everywhere; decode too, except where the fit moved the
    // per-token latency out of the step into α2 (8B at TP 4: the step alone is 5–13 % of the
    // roofline's, and the run warns)
    entries.forEach((p, i) => {
      const r = rows[i]!;
      expect(r.prefillRatio).toBeGreaterThan(0.5);
      expect(r.prefillRatio).toBeLessThan(2);
      if (p.tp === 4 && p.model === 'llama-3.1-8b') {
        expect(r.decodeRatio).toBeLessThan(0.2);
        expect(profileWarning(p, 0)).not.toBeNull();
        expect(profileWarning(p, profileOverheads(p).perTokenS)).toBeNull();
      } else {
        expect(r.decodeRatio).toBeGreaterThan(0.5);
        expect(r.decodeRatio).toBeLessThan(2);
      }
    });
  });
});
