import { describe, it, expect } from 'vitest';
import {
  allGpus,
  allProfiles,
  checkMigFit,
  checkMigLayout,
  findGpu,
  findMigProfile,
  gpuIds,
  h100Speedup,
  migComputeShare,
  migLatencyExponent,
  profileIds,
  profileLatency,
  type GpuSpec,
  type ProfileLatency,
} from '../../src/catalog/index.js';
import { formatCatalog } from '../../src/report/catalog.js';

function gpu(id: string): GpuSpec {
  const g = findGpu(id);
  if (g === undefined) throw new Error(`no GPU ${id}`);
  return g;
}

function table(profile: string, gpuId: string, mig: string | null = null): ProfileLatency {
  const t = profileLatency(profile, gpuId, mig);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

function latencyAt(t: ProfileLatency, batch: number): number {
  const i = t.batch.indexOf(batch);
  if (i < 0) throw new Error(`batch ${batch} not in table`);
  return t.latencyS[i]!;
}

describe('GPU lookup', () => {
  it('lists the catalog GPUs by canonical id', () => {
    expect(gpuIds()).toEqual(['t4', 'a10g', 'l4', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-80gb', 'h200']);
  });

  it('accepts case-insensitive ids and aliases', () => {
    expect(findGpu('L4')?.id).toBe('l4');
    expect(findGpu('A100')?.id).toBe('a100-40gb');
    expect(findGpu('a100')?.id).toBe('a100-40gb');
    expect(findGpu('h100')?.id).toBe('h100-80gb');
    expect(findGpu('NVIDIA A100 80GB')?.id).toBe('a100-80gb');
    expect(findGpu('H200-141GB')?.id).toBe('h200');
    expect(findGpu('v100')).toBeUndefined();
  });

  it('carries the reference prices per GPU-hour', () => {
    const prices = Object.fromEntries(allGpus().map((g) => [g.id, g.price.value]));
    expect(prices).toMatchObject({
      t4: 0.526,
      a10g: 1.006,
      l4: 0.805,
      'a100-40gb': 2.74,
      'a100-80gb': 3.43,
      'h100-80gb': 6.88,
    });
    expect(gpu('l4').price.source).toContain('g6.xlarge');
    expect(gpu('a100-40gb').price.source).toContain('p4d.24xlarge');
  });

  it('marks only L40S and H200 prices as derived (not in the reference price table)', () => {
    const derived = allGpus().filter((g) => g.price.derived).map((g) => g.id);
    expect(derived).toEqual(['l40s', 'h200']);
  });

  it('gives every GPU, price and MIG profile a non-empty source and date', () => {
    for (const g of allGpus()) {
      expect(g.price.source.length, g.id).toBeGreaterThan(0);
      expect(g.price.date, g.id).toMatch(/^\d{4}-\d{2}$/);
      expect(g.specSource.length, g.id).toBeGreaterThan(0);
      expect(g.specDate, g.id).toMatch(/^\d{4}-\d{2}$/);
      expect(g.price.value, g.id).toBeGreaterThan(0);
      for (const p of g.migProfiles) {
        expect(p.source.length, `${g.id} ${p.id}`).toBeGreaterThan(0);
        expect(p.date, `${g.id} ${p.id}`).toMatch(/^\d{4}-\d{2}$/);
      }
    }
  });
});

describe('MIG profiles', () => {
  it('exists only on A100, H100 and H200, with the reference profile ids', () => {
    expect(allGpus().filter((g) => g.migProfiles.length > 0).map((g) => g.id)).toEqual([
      'a100-40gb',
      'a100-80gb',
      'h100-80gb',
      'h200',
    ]);
    expect(gpu('a100-40gb').migProfiles.map((p) => p.id)).toEqual(['1g.5gb', '1g.5gb+me', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']);
    expect(gpu('h100').migProfiles.map((p) => p.id)).toEqual(['1g.10gb', '1g.10gb+me', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']);
    expect(gpu('h200').migProfiles.map((p) => p.id)).toEqual(['1g.18gb', '1g.18gb+me', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']);
  });

  it('knows slices, instances and placements of each profile', () => {
    const a80 = gpu('a100-80gb');
    expect(findMigProfile(a80, '1G.10GB')).toMatchObject({ computeSlices: 1, memorySlots: 1, maxInstances: 7, placements: [0, 1, 2, 3, 4, 5, 6] });
    expect(findMigProfile(a80, '1g.20gb')).toMatchObject({ computeSlices: 1, memorySlots: 2, maxInstances: 4, placements: [0, 2, 4, 6] });
    expect(findMigProfile(a80, '2g.20gb')).toMatchObject({ computeSlices: 2, memorySlots: 2, maxInstances: 3, placements: [0, 2, 4] });
    expect(findMigProfile(a80, '3g.40gb')).toMatchObject({ computeSlices: 3, memorySlots: 4, maxInstances: 2, placements: [0, 4] });
    expect(findMigProfile(a80, '4g.40gb')).toMatchObject({ computeSlices: 4, memorySlots: 4, maxInstances: 1, placements: [0] });
    expect(findMigProfile(a80, '7g.80gb')).toMatchObject({ computeSlices: 7, memorySlots: 8, maxInstances: 1, placements: [0] });
    expect(findMigProfile(a80, '1g.5gb')).toBeUndefined();
    expect(migComputeShare(findMigProfile(a80, '3g.40gb')!)).toBeCloseTo(3 / 7, 12);
  });

  it.each([
    { gpuId: 'a100-80gb', profile: '1g.10gb', share: 1 / 7 },
    { gpuId: 'a100-80gb', profile: '2g.20gb', share: 2 / 7 },
    { gpuId: 'a100-80gb', profile: '4g.40gb', share: 4 / 7 },
    { gpuId: 'a100-80gb', profile: '7g.80gb', share: 1 },
  ])('migComputeShare: a $profile slice gets $share of the GPU (k of its 7 compute slices)', ({ gpuId, profile, share }) => {
    expect(migComputeShare(findMigProfile(gpu(gpuId), profile)!)).toBe(share);
  });

  it('fits exactly maxInstances of every profile on every MIG GPU, and not one more', () => {
    for (const g of allGpus()) {
      for (const p of g.migProfiles) {
        expect(checkMigFit(g, p.id, p.maxInstances), `${g.id} ${p.id}`).toBeNull();
        expect(checkMigFit(g, p.id, p.maxInstances + 1), `${g.id} ${p.id}`).not.toBeNull();
      }
    }
  });

  it('fits 7 × 1g.10gb on an A100-80GB but not 8', () => {
    const a80 = gpu('a100-80gb');
    expect(checkMigFit(a80, '1g.10gb', 7)).toBeNull();
    expect(checkMigFit(a80, '1g.10gb', 8)).toBe('8 × 1g.10gb do not fit on one a100-80gb: at most 7 × 1g.10gb per GPU, the layout has 8');
  });

  it('rejects 3 × 3g.40gb', () => {
    expect(checkMigFit(gpu('a100-80gb'), '3g.40gb', 3)).toBe(
      '3 × 3g.40gb do not fit on one a100-80gb: at most 2 × 3g.40gb per GPU, the layout has 3',
    );
  });

  it('fits 2g + 2g + 3g by placement, and 4g + 3g', () => {
    const a80 = gpu('a100-80gb');
    expect(checkMigLayout(a80, ['2g.20gb', '2g.20gb', '3g.40gb'])).toBeNull();
    expect(checkMigLayout(a80, ['3g.40gb', '2g.20gb', '2g.20gb'])).toBeNull();
    expect(checkMigLayout(a80, ['4g.40gb', '3g.40gb'])).toBeNull();
    expect(checkMigLayout(a80, ['4g.40gb', '2g.20gb', '1g.10gb'])).toBeNull();
    expect(checkMigLayout(a80, ['2g.20gb', '2g.20gb', '2g.20gb', '1g.10gb'])).toBeNull();
  });

  it('rejects 3g + 3g + 1g by placement although compute slices and instance limits allow it', () => {
    const msg = checkMigLayout(gpu('a100-80gb'), ['3g.40gb', '3g.40gb', '1g.10gb']);
    expect(msg).toContain(
      '2 × 3g.40gb + 1 × 1g.10gb do not fit on one a100-80gb: the 1g.10gb has no free placement: 1g.10gb starts at slot 0, 1, 2, 3, 4, 5 or 6',
    );
  });

  it('rejects layouts that need more than 7 compute slices', () => {
    expect(checkMigLayout(gpu('h100'), ['4g.40gb', '2g.20gb', '2g.20gb'])).toBe(
      '1 × 4g.40gb + 2 × 2g.20gb do not fit on one h100-80gb: they need 8 compute slices (4 + 2 + 2), a GPU has 7',
    );
  });

  it('explains GPUs without MIG, unknown profiles and bad counts', () => {
    expect(checkMigFit(gpu('l4'), '1g.10gb', 1)).toBe(
      'GPU "l4" has no MIG profiles (MIG exists on a100-40gb, a100-80gb, h100-80gb, h200)',
    );
    expect(checkMigFit(gpu('a100-80gb'), '1g.5gb', 1)).toBe(
      'a100-80gb has no MIG profile "1g.5gb"; it has 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb ("1g.5gb" is a MIG profile of a100-40gb)',
    );
    expect(checkMigFit(gpu('a100-80gb'), '1g.10gb', 0)).toBe('MIG slice count must be a whole number ≥ 1, got 0');
    expect(checkMigFit(gpu('a100-80gb'), '1g.10gb', 1.5)).not.toBeNull();
  });
});

describe('latency profiles', () => {
  it('lists the built-in profiles', () => {
    expect(profileIds()).toEqual([
      'bert-base-seq128',
      'bert-base-seq128-int8',
      'bert-large-seq384',
      'resnet50',
      'minilm-l6-seq128',
      'bge-reranker-base-seq256',
    ]);
  });

  it('returns the published table in seconds (L4 batch 32 = 13.97 ms)', () => {
    const t = table('bert-base-seq128', 'l4');
    expect(t.batch).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(latencyAt(t, 32)).toBeCloseTo(0.01397, 12);
    expect(latencyAt(t, 1)).toBeCloseTo(0.001, 12);
    expect(t.derived).toBe(false);
    expect(t.source).toContain('TensorRT');
    expect(latencyAt(table('bert-base-seq128', 't4'), 128)).toBeCloseTo(0.13177, 12);
    expect(latencyAt(table('bert-base-seq128', 'l40s'), 64)).toBeCloseTo(0.0079, 12);
    expect(latencyAt(table('bert-base-seq128-int8', 'a100'), 32)).toBeCloseTo(0.00223, 12);
    expect(latencyAt(table('bert-large-seq384', 'T4'), 128)).toBeCloseTo(1.358, 12);
  });

  it('derives A10G as L4 and A100-80GB as A100-40GB, marked derived with a note', () => {
    const a10g = table('bert-base-seq128', 'a10g');
    expect(a10g.latencyS).toEqual(table('bert-base-seq128', 'l4').latencyS);
    expect(a10g.derived).toBe(true);
    expect(a10g.notes.join(' ')).toContain('L4');
    const a80 = table('bert-large-seq384', 'a100-80gb');
    expect(a80.latencyS).toEqual(table('bert-large-seq384', 'a100-40gb').latencyS);
    expect(a80.derived).toBe(true);
  });

  it('derives H100 from A100: ÷1.5 at batch 1, ÷2.5 at batch ≥ 32, log-linear between', () => {
    expect(h100Speedup(1)).toBeCloseTo(1.5, 12);
    expect(h100Speedup(8)).toBeCloseTo(2.1, 12);
    expect(h100Speedup(32)).toBeCloseTo(2.5, 12);
    expect(h100Speedup(128)).toBeCloseTo(2.5, 12);
    const h = table('bert-base-seq128', 'h100');
    expect(h.derived).toBe(true);
    expect(latencyAt(h, 1)).toBeCloseTo(0.00062 / 1.5, 12);
    expect(latencyAt(h, 4)).toBeCloseTo(0.00093 / 1.9, 12);
    expect(latencyAt(h, 32)).toBeCloseTo(0.00154, 12);
    expect(latencyAt(h, 128)).toBeCloseTo(0.00606, 12);
    expect(latencyAt(table('bert-large-seq384', 'h100-80gb'), 8)).toBeCloseTo(0.01101 / 2.1, 12);
    expect(table('bert-base-seq128', 'h200').latencyS).toEqual(h.latencyS);
  });

  it('has a source, date and rising latencies in every stored entry; derived ones carry notes', () => {
    for (const p of allProfiles()) {
      for (const e of p.entries) {
        const label = `${p.id} ${e.gpuId}`;
        expect(e.source.length, label).toBeGreaterThan(0);
        expect(e.date, label).toMatch(/^\d{4}-\d{2}$/);
        expect(e.latencyMs.length, label).toBe(e.batch.length);
        for (let i = 1; i < e.batch.length; i++) {
          expect(e.batch[i]!, label).toBeGreaterThan(e.batch[i - 1]!);
          expect(e.latencyMs[i]!, label).toBeGreaterThan(e.latencyMs[i - 1]!);
        }
        if (e.derived) expect(e.notes.length, label).toBeGreaterThan(0);
        expect(findGpu(e.gpuId)?.id, label).toBe(e.gpuId);
      }
    }
  });

  it('explains unknown profiles, unknown GPUs and missing tables', () => {
    expect(profileLatency('bert', 'l4', null)).toBe(
      'unknown profile "bert" (known: bert-base-seq128, bert-base-seq128-int8, bert-large-seq384, resnet50, minilm-l6-seq128, bge-reranker-base-seq256)',
    );
    expect(profileLatency('bert-base-seq128', 'v100', null)).toBe(
      'unknown GPU "v100" (known: t4, a10g, l4, l40s, a100-40gb, a100-80gb, h100-80gb, h200)',
    );
    const missing = profileLatency('bert-large-seq384', 'l40s', null);
    expect(missing).toBe(
      'profile "bert-large-seq384" has no latency table for l40s (it has t4, l4, a100-40gb, a10g, a100-80gb, h100-80gb, h200); give model.latency in the scenario instead',
    );
  });

  it('explains MIG requests on GPUs without MIG or with an unknown slice', () => {
    expect(profileLatency('bert-base-seq128', 'l4', '1g.10gb')).toBe(
      'GPU "l4" has no MIG profiles (MIG exists on a100-40gb, a100-80gb, h100-80gb, h200)',
    );
    expect(profileLatency('bert-base-seq128', 'a100-80gb', '1g.5gb')).toBe(
      'a100-80gb has no MIG profile "1g.5gb"; it has 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb',
    );
  });
});

describe('MIG slice latency', () => {
  it('interpolates the exponent linearly in log2(batch) from 0.55 at batch 1 to 1 at the largest batch', () => {
    expect(migLatencyExponent(1, 128)).toBeCloseTo(0.55, 12);
    expect(migLatencyExponent(8, 128)).toBeCloseTo(0.55 + 0.45 * (3 / 7), 12);
    expect(migLatencyExponent(128, 128)).toBeCloseTo(1, 12);
    expect(migLatencyExponent(32, 32)).toBeCloseTo(1, 12);
  });

  it('scales a 1g.10gb slice: batch-1 latency × 7^0.55, batch-128 latency × 7', () => {
    const full = table('bert-base-seq128', 'a100-80gb');
    const slice = table('bert-base-seq128', 'a100-80gb', '1g.10gb');
    expect(slice.derived).toBe(true);
    expect(slice.batch).toEqual(full.batch);
    expect(latencyAt(slice, 1)).toBeCloseTo(0.00062 * Math.pow(7, 0.55), 12);
    expect(latencyAt(slice, 1) / latencyAt(full, 1)).toBeCloseTo(2.916, 3);
    expect(latencyAt(slice, 8)).toBeCloseTo(0.00131 * Math.pow(7, 0.55 + 0.45 * (3 / 7)), 12);
    expect(latencyAt(slice, 128)).toBeCloseTo(0.10605, 12);
    expect(slice.notes.join(' ')).toContain('1g.10gb');
  });

  it('gives a 3g slice 3/7 of the throughput at the largest batch', () => {
    const full = table('bert-large-seq384', 'h100', null);
    const slice = table('bert-large-seq384', 'h100', '3g.40gb');
    expect(latencyAt(slice, 128)).toBeCloseTo((latencyAt(full, 128) * 7) / 3, 12);
  });

  it('keeps 1g throughput at the largest batch within 5 % of 1/7 of the full GPU for every profile and MIG GPU', () => {
    for (const g of allGpus().filter((x) => x.migProfiles.length > 0)) {
      const oneG = g.migProfiles.find((p) => p.computeSlices === 1)!;
      for (const id of profileIds()) {
        const full = table(id, g.id);
        const slice = table(id, g.id, oneG.id);
        const maxBatch = full.batch[full.batch.length - 1]!;
        const ratio = maxBatch / latencyAt(slice, maxBatch) / (maxBatch / latencyAt(full, maxBatch));
        expect(Math.abs(ratio * 7 - 1), `${id} ${g.id}`).toBeLessThan(0.05);
        // Slice latency must still rise with batch, or the batcher would prefer huge batches for free.
        for (let i = 1; i < slice.latencyS.length; i++) expect(slice.latencyS[i]!).toBeGreaterThan(slice.latencyS[i - 1]!);
      }
    }
  });

  it('leaves a 7g slice at full-GPU latency', () => {
    const full = table('bert-base-seq128', 'a100-40gb');
    const slice = table('bert-base-seq128', 'a100-40gb', '7g.40gb');
    slice.latencyS.forEach((s, i) => expect(s).toBeCloseTo(full.latencyS[i]!, 15));
  });
});

describe('formatCatalog', () => {
  const text = formatCatalog();

  it('names every GPU, every price source and every profile', () => {
    for (const g of allGpus()) {
      expect(text).toContain(g.id);
      expect(text).toContain(g.price.source);
      expect(text).toContain(g.price.date);
    }
    for (const id of profileIds()) expect(text).toContain(`Profile ${id}`);
  });

  it('aligns rows and shows prices, MIG rows and latencies', () => {
    const lines = text.split('\n');
    const l4 = lines.find((l) => l.startsWith('l4 '))!;
    expect(l4).toContain('0.805');
    const l40s = lines.find((l) => l.startsWith('l40s '))!;
    expect(l40s).toContain('1.861*');
    // Price column lines up across GPU rows.
    expect(l4.indexOf('0.805') + '0.805'.length).toBe(l40s.indexOf('1.861*') + '1.861'.length);
    expect(lines.some((l) => /^a100-80gb\s+3g\.40gb\s+3\/7\s+4\s+2\s+0,4$/.test(l))).toBe(true);
    expect(lines.some((l) => /^l4\s+1\s+1\.31\s+2\.16\s+3\.69\s+6\.71\s+13\.97\s+31\.05\s+68\.61\s+NVIDIA\/TensorRT/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('a10g*'))).toBe(true);
  });
});
