/**
 * The operator-profile step model against rows of the RTX PRO 6000 bundle (test/fixtures/llm,
 * LLMServingSim, MIT): a step the profile measured is looked up exactly, mixed prefill+decode
 * attention comes from the mixed rows, and the skew correction resolves the bundle's buckets the
 * way its consumer does (LLMServingSim serving/core/trace_generator.py `_skew_alpha`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BatchShape, ProfileStepModel, SkewFit } from '../../src/llm/step-time.js';
import { loadLlmScenario } from '../../src/llm/scenario.js';

const bundle = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'llm', 'RTXPRO6000-Llama-3.1-8B', 'profile');
const read = (n: string): string => readFileSync(join(bundle, n), 'utf8');
const text = { dense: read('tp1/dense.csv'), attention: read('tp1/attention.csv'), perSequence: read('tp1/per_sequence.csv') };
const meta = parse(read('meta.yaml')) as unknown;
const skew = SkewFit.fromMeta(meta, 1, read('tp1/skew_fit.csv'))!;
const L = 32;

describe('ProfileStepModel attention', () => {
  const model = new ProfileStepModel(text, { layers: L, label: 't' });
  const b = new BatchShape();

  it('a decode-only step at a profiled point is that pure-decode row × layers', () => {
    b.reset();
    for (let i = 0; i < 128; i++) b.addDecode(1024);
    expect(model.attention(b)).toBeCloseTo(L * 404.865e-6, 12);
  });

  it('one prefill chunk with decodes is the measured mixed row (2048 tokens, 128 decodes at 1024 KV: 1031 µs, not 173 + 405)', () => {
    b.reset();
    b.addPrefill(2048, 0);
    for (let i = 0; i < 128; i++) b.addDecode(1024);
    expect(model.attention(b)).toBeCloseTo(L * 1031.17e-6, 12);
  });

  it('more decodes than the mixed rows hold (128): extrapolated linearly from the top two (64, 128)', () => {
    b.reset();
    b.addPrefill(2048, 0);
    for (let i = 0; i < 256; i++) b.addDecode(1024);
    expect(model.attention(b)).toBeCloseTo(L * (1031.17e-6 + ((256 - 128) / (128 - 64)) * (1031.17e-6 - 569.975e-6)), 12);
  });

  it('two chunks: each chunk alone plus what the mixed rows add for the decodes at the total chunk', () => {
    const one = new BatchShape();
    one.addPrefill(1024, 0);
    const pre1024 = model.attention(one);
    b.reset();
    b.addPrefill(1024, 0);
    b.addPrefill(1024, 0);
    for (let i = 0; i < 128; i++) b.addDecode(1024);
    const single = new BatchShape();
    single.addPrefill(2048, 0);
    const decodesInMixed = L * 1031.17e-6 - model.attention(single);
    expect(model.attention(b)).toBeCloseTo(2 * pre1024 + decodesInMixed, 12);
  });
});

describe('SkewFit (the bundle: meta.yaml skew_fit, tp1/skew_fit.csv)', () => {
  it('resolves a bucket of the table, and alpha_default off the prefill-chunk grid', () => {
    expect(skew.alphaDefault).toBe(0.0543);
    // pc 0, 100 decodes (n<=128), skew rate 0.1 (sr<=15%), longest 3000 (kvB<=4k), no prefill KV
    expect(skew.alpha(0, 100, 0.1, 3000, 0)).toBe(0.0311);
    expect(skew.alpha(700, 100, 0.1, 3000, 0)).toBe(0.0543);
  });

  it('no correction when the meta does not enable it (the RTX 4090 bundle)', () => {
    const ada = parse(readFileSync(join(bundle, '..', '..', 'RTX4090-Llama-3.1-8B', 'profile', 'meta.yaml'), 'utf8')) as unknown;
    expect(SkewFit.fromMeta(ada, 1, undefined)).toBeNull();
  });

  it('a decode step with unequal KVs: t(mean) + α (t(max) − t(mean))', () => {
    const plain = new ProfileStepModel(text, { layers: L, label: 't' });
    const skewed = new ProfileStepModel(text, { layers: L, label: 't', skew });
    const b = new BatchShape();
    // 128 decodes: 96 at 512 and 32 at 2048 → mean 896, skew rate 0.25 (sr<=40%), longest 2048 (kvB<=4k)
    for (let i = 0; i < 96; i++) b.addDecode(512);
    for (let i = 0; i < 32; i++) b.addDecode(2048);
    const alpha = skew.alpha(0, 128, 0.25, 2048, 0);
    const mean = plain.attention(b);
    const max = new BatchShape();
    for (let i = 0; i < 128; i++) max.addDecode(2048);
    expect(skewed.attention(b)).toBeCloseTo(mean + alpha * (plain.attention(max) - mean), 12);
    // all equal: no correction
    expect(skewed.attention(max)).toBe(plain.attention(max));
  });
});

describe('a scenario\'s `stepTime: { profile: DIR }` reads the bundle the same way', () => {
  it('takes the skew correction from DIR/../meta.yaml and DIR/skew_fit.csv', () => {
    const scenario = (dir: string): string => `
name: t
seed: 1
duration: 1m
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 1
  engine: { maxNumSeqs: 128, maxNumBatchedTokens: 2048, numGpuBlocks: 4000 }
  stepTime: { profile: ${dir} }
traffic:
  rate: 1
  tokens: { prompt: 500, output: 100 }
`;
    const load = (dir: string) => loadLlmScenario(scenario(dir), { file: 's.yaml', baseDir: bundle, readFile: (p) => readFileSync(p, 'utf8') });
    const s = load('tp1');
    expect(s.spec.model.label).toContain('with its skew correction');
    const b = new BatchShape();
    for (let i = 0; i < 96; i++) b.addDecode(512);
    for (let i = 0; i < 32; i++) b.addDecode(2048);
    expect(s.spec.model.stepTime(b)).toBe(new ProfileStepModel(text, { layers: L, label: 't', skew }).stepTime(b));
    const ada = load('../../RTX4090-Llama-3.1-8B/profile/tp1');
    expect(ada.spec.model.label).not.toContain('skew');
  });
});
