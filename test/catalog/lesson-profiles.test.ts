/**
 * The three profiles added for the multi-model lesson (issue #16): resnet50 (from NVIDIA's
 * MLPerf Inference v3.0 results), minilm-l6-seq128 and bge-reranker-base-seq256 (derived from
 * bert-base-seq128 by FLOPs). The expected values below are worked out by hand from the
 * published inputs quoted in src/catalog/profiles.ts, not read back from the code.
 */
import { describe, it, expect } from 'vitest';
import { findProfile, profileLatency, type ProfileLatency } from '../../src/catalog/index.js';
import {
  encoderLayerFlopsPerToken,
  MINILM_FLOPS_RATIO,
  RERANKER_TOKEN_FLOPS_RATIO,
  resnet50LatencyMs,
} from '../../src/catalog/profiles.js';
import { formatCatalog } from '../../src/report/catalog.js';

const NEW_PROFILES = ['resnet50', 'minilm-l6-seq128', 'bge-reranker-base-seq256'];

function table(profile: string, gpuId: string, mig: string | null = null): ProfileLatency {
  const t = profileLatency(profile, gpuId, mig);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

/** Latency at `batch` in milliseconds. */
function ms(t: ProfileLatency, batch: number): number {
  const i = t.batch.indexOf(batch);
  if (i < 0) throw new Error(`batch ${batch} not in table`);
  return t.latencyS[i]! * 1000;
}

describe.each(NEW_PROFILES)('profile %s', (id) => {
  it.each([
    ['l4', null],
    ['a100-80gb', null],
    ['a100-80gb', '1g.10gb'],
    ['a100-80gb', '2g.20gb'],
    ['a100-80gb', '3g.40gb'],
    ['a100-40gb', null],
    ['h100-80gb', null],
    ['h100-80gb', '1g.10gb'],
  ] as const)('resolves on %s %s with latency rising in batch', (gpu, mig) => {
    const t = table(id, gpu, mig);
    expect(t.batch.length).toBeGreaterThanOrEqual(4);
    expect(t.batch[0]).toBe(1);
    for (let i = 1; i < t.batch.length; i++) {
      expect(t.batch[i]!).toBeGreaterThan(t.batch[i - 1]!);
      expect(t.latencyS[i]!).toBeGreaterThan(t.latencyS[i - 1]!);
    }
    expect(t.derived).toBe(true);
    expect(t.source.length).toBeGreaterThan(0);
    expect(t.date).toMatch(/^\d{4}-\d{2}$/);
    if (mig !== null) {
      const full = table(id, gpu);
      t.latencyS.forEach((s, i) => expect(s).toBeGreaterThan(full.latencyS[i]!));
      expect(t.notes.join(' ')).toContain(mig);
    }
  });

  it('marks every stored entry derived, with a source, a date and the rule in its notes', () => {
    const p = findProfile(id)!;
    expect(p.entries.length).toBeGreaterThanOrEqual(6);
    for (const e of p.entries) {
      expect(e.derived, e.gpuId).toBe(true);
      expect(e.source.length, e.gpuId).toBeGreaterThan(0);
      expect(e.date, e.gpuId).toMatch(/^\d{4}-\d{2}$/);
      expect(e.notes.length, e.gpuId).toBeGreaterThan(0);
      expect(e.batch, e.gpuId).toEqual(p.entries[0]!.batch);
    }
  });

  it('is listed by `infersim catalog`', () => {
    expect(formatCatalog()).toContain(`Profile ${id}:`);
  });
});

describe('resnet50 (MLPerf Inference v3.0, INT8 TensorRT 8.6)', () => {
  it('cites the MLPerf v3.0 results and says INT8', () => {
    const p = findProfile('resnet50')!;
    expect(p.description).toContain('INT8');
    expect(p.description).toContain('224×224');
    for (const e of p.entries) {
      expect(e.source).toContain('inference_results_v3.0');
      expect(e.date).toBe('2023-04');
    }
    expect(table('resnet50', 'l4').source).toContain('L4x1_TRT');
    expect(table('resnet50', 'a100-80gb').source).toContain('DGX-A100_A100-SXM-80GBx1_TRT');
    expect(table('resnet50', 'h100').source).toContain('DGX-H100_H100-SXM-80GBx1_TRT');
  });

  it('keeps the measured means at batch 1 and 8 (SingleStream, MultiStream)', () => {
    expect(ms(table('resnet50', 'l4'), 1)).toBeCloseTo(0.355504, 9);
    expect(ms(table('resnet50', 'l4'), 8)).toBeCloseTo(0.79877, 9);
    expect(ms(table('resnet50', 'a100-80gb'), 1)).toBeCloseTo(0.454689, 9);
    expect(ms(table('resnet50', 'a100-80gb'), 8)).toBeCloseTo(0.643571, 9);
  });

  it('adds (b − 8) ÷ Offline throughput above batch 8 (hand-checked)', () => {
    // L4: 0.79877 + 24 / 13157.8 s = 0.79877 + 1.824013 ms
    expect(ms(table('resnet50', 'l4'), 32)).toBeCloseTo(2.622783, 6);
    expect(ms(table('resnet50', 'l4'), 128)).toBeCloseTo(9.918836, 6);
    // A100-SXM-80GB: 0.643571 + 120 / 42379.3 s = 0.643571 + 2.831571 ms
    expect(ms(table('resnet50', 'a100-80gb'), 128)).toBeCloseTo(3.475142, 6);
    expect(resnet50LatencyMs(128, 0.454689, 0.643571, 42379.3)).toBeCloseTo(3.475142, 6);
    // Throughput at the largest batch stays below MLPerf's Offline throughput.
    expect(128 / (ms(table('resnet50', 'l4'), 128) / 1000)).toBeLessThan(13157.8);
    expect(128 / (ms(table('resnet50', 'a100-80gb'), 128) / 1000)).toBeLessThan(42379.3);
  });

  it('derives H100 small batches from the A100 ÷ 1.5 and its large batches from its own Offline throughput', () => {
    const h = table('resnet50', 'h100-80gb');
    expect(ms(h, 1)).toBeCloseTo(0.303126, 6); // 0.454689 / 1.5
    expect(ms(h, 128)).toBeCloseTo(1.735871, 6); // 0.643571 / 1.5 + 120 / 91825.7 s
    expect(table('resnet50', 'h200').latencyS).toEqual(h.latencyS);
  });

  it('copies A100-80GB to A100-40GB and L4 to A10G, and has no T4 or L40S table', () => {
    expect(table('resnet50', 'a100-40gb').latencyS).toEqual(table('resnet50', 'a100-80gb').latencyS);
    expect(table('resnet50', 'a10g').latencyS).toEqual(table('resnet50', 'l4').latencyS);
    expect(profileLatency('resnet50', 't4', null)).toContain('has no latency table for t4');
    expect(profileLatency('resnet50', 'l40s', null)).toContain('has no latency table for l40s');
  });

  it('scales MIG slices by the catalog rule: 1g.10gb batch 128 = 7 × full GPU', () => {
    expect(ms(table('resnet50', 'a100-80gb', '1g.10gb'), 128)).toBeCloseTo(24.325995, 5);
    expect(ms(table('resnet50', 'a100-80gb', '1g.10gb'), 1)).toBeCloseTo(0.454689 * Math.pow(7, 0.55), 9);
    // The measured MLPerf v2.1 1g.10gb point is quoted beside the A100 table.
    expect(table('resnet50', 'a100-80gb').notes.join(' ')).toContain('0.678 ms');
  });
});

describe('minilm-l6-seq128 (derived from bert-base-seq128 by FLOPs)', () => {
  it('uses the FLOPs ratio 6·(24·384² + 4·128·384) / 12·(24·768² + 4·128·768) = 22413312 / 174587904', () => {
    expect(encoderLayerFlopsPerToken(384, 128)).toBe(3735552);
    expect(encoderLayerFlopsPerToken(768, 128)).toBe(14548992);
    expect(MINILM_FLOPS_RATIO).toBeCloseTo(22413312 / 174587904, 15);
    expect(MINILM_FLOPS_RATIO).toBeCloseTo(0.128378, 6);
  });

  it('keeps half of BERT-base’s fixed part F = 2·t(1) − t(2) and scales the rest by the ratio (hand-checked)', () => {
    // L4: F = 2·1.0 − 1.31 = 0.69; t'(1) = 0.345 + 0.128378·0.31; t'(128) = 0.345 + 0.128378·67.92
    expect(ms(table('minilm-l6-seq128', 'l4'), 1)).toBeCloseTo(0.384797, 6);
    expect(ms(table('minilm-l6-seq128', 'l4'), 128)).toBeCloseTo(9.064459, 6);
    // A100 (40 GB table, copied to 80 GB): F = 1.24 − 0.73 = 0.51; t'(128) = 0.255 + 0.128378·14.64
    expect(ms(table('minilm-l6-seq128', 'a100-80gb'), 1)).toBeCloseTo(0.269122, 6);
    expect(ms(table('minilm-l6-seq128', 'a100-80gb'), 128)).toBeCloseTo(2.134459, 6);
  });

  it('is faster than BERT-base at every batch and GPU, and has a table wherever BERT-base has one', () => {
    const bert = findProfile('bert-base-seq128')!;
    const mini = findProfile('minilm-l6-seq128')!;
    expect(mini.entries.map((e) => e.gpuId)).toEqual(bert.entries.map((e) => e.gpuId));
    for (const e of bert.entries) {
      const m = mini.entries.find((x) => x.gpuId === e.gpuId)!;
      m.latencyMs.forEach((v, i) => expect(v, `${e.gpuId} ${e.batch[i]}`).toBeLessThan(e.latencyMs[i]!));
      expect(m.source).toContain(e.source);
      expect(m.date).toBe(e.date);
    }
  });
});

describe('bge-reranker-base-seq256 (derived from bert-base-seq128 by tokens and attention)', () => {
  it('costs (24h² + 4·256·h) / (24h² + 4·128·h) = 19456 / 18944 per token at h = 768', () => {
    expect(RERANKER_TOKEN_FLOPS_RATIO).toBeCloseTo(19456 / 18944, 15);
    expect(RERANKER_TOKEN_FLOPS_RATIO).toBeCloseTo(1.027027, 6);
  });

  it('takes BERT-base at twice the batch (same tokens) × 1.027 (hand-checked)', () => {
    const l4 = table('bge-reranker-base-seq256', 'l4');
    expect(l4.batch).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(ms(l4, 1)).toBeCloseTo(1.345405, 6); // 1.31 × 1.027027
    expect(ms(l4, 64)).toBeCloseTo(70.464324, 6); // 68.61 × 1.027027
    const a100 = table('bge-reranker-base-seq256', 'a100-80gb');
    expect(ms(a100, 1)).toBeCloseTo(0.749730, 6); // 0.73 × 1.027027
    expect(ms(a100, 64)).toBeCloseTo(15.559459, 6); // 15.15 × 1.027027
  });

  it('is slower per pair than BERT-base per sequence at the same batch', () => {
    const bert = table('bert-base-seq128', 'a100-80gb');
    const rr = table('bge-reranker-base-seq256', 'a100-80gb');
    rr.batch.forEach((b) => expect(ms(rr, b)).toBeGreaterThan(ms(bert, b)));
  });
});

describe('existing profiles', () => {
  it('keep their published numbers', () => {
    const published = [1.0, 1.31, 2.16, 3.69, 6.71, 13.97, 31.05, 68.61];
    const l4 = findProfile('bert-base-seq128')!.entries.find((e) => e.gpuId === 'l4')!;
    expect(l4.latencyMs).toEqual(published);
    expect(l4.derived).toBe(false);
    expect(findProfile('bert-base-seq128')!.entries.map((e) => e.gpuId)).toEqual([
      't4',
      'l4',
      'a100-40gb',
      'l40s',
      'a10g',
      'a100-80gb',
      'h100-80gb',
      'h200',
    ]);
  });
});
