/**
 * Built-in model latency profiles: batch → batch latency per GPU, from NVIDIA's
 * TensorRT demoBERT tables (REFERENCE-DATA.md) and NVIDIA's MLPerf Inference v3.0
 * ResNet-50 results, with derived entries for GPUs that were not measured, two encoders
 * derived from BERT-base by FLOPs (an embedding model and a reranker), and the MIG slice
 * scaling rule (MODELS.md §3).
 */
import {
  findGpu,
  MIG_COMPUTE_SLICES,
  resolveMigProfile,
  unknownGpuMessage,
} from './gpus.js';

/** A profile's latency table on one GPU, as the engine consumes it (seconds). */
export interface ProfileLatency {
  batch: number[];
  latencyS: number[];
  source: string;
  /** Date of the underlying measurement (or of the newest input of a derivation). */
  date: string;
  derived: boolean;
  notes: string[];
}

/** One stored table of a profile (milliseconds, as published). */
export interface ProfileEntry {
  gpuId: string;
  batch: number[];
  latencyMs: number[];
  source: string;
  date: string;
  derived: boolean;
  notes: string[];
}

export interface LatencyProfile {
  id: string;
  description: string;
  entries: ProfileEntry[];
}

const TRT_README = 'NVIDIA/TensorRT demo/BERT/README.md';
const TRT10 = `${TRT_README} (TensorRT 10.7)`;
const TRT85 = `${TRT_README} (TensorRT 8.5)`;
const TRT10_DATE = '2025-01';
const TRT85_DATE = '2022-11';

/** H100 over A100 speed-up at batch ≥ 32 (MLPerf bert-99 offline, 9102 vs 3590 samples/s ≈ 2.5). */
export const H100_SPEEDUP_LARGE_BATCH = 2.5;
/** H100 over A100 speed-up at batch 1: our estimate of "less gain at small batch" (launch- and latency-bound kernels). */
export const H100_SPEEDUP_BATCH1 = 1.5;
const H100_FULL_GAIN_BATCH = 32;

/**
 * H100 ÷ A100 latency ratio at a batch size: 1.5 at batch 1 rising linearly in log2(batch)
 * to 2.5 at batch 32, flat above (derived, see the constants).
 */
export function h100Speedup(batch: number): number {
  const t = Math.min(1, Math.max(0, Math.log2(batch) / Math.log2(H100_FULL_GAIN_BATCH)));
  return H100_SPEEDUP_BATCH1 + (H100_SPEEDUP_LARGE_BATCH - H100_SPEEDUP_BATCH1) * t;
}

const H100_RULE =
  'derived from the A100 table: latency ÷ s(batch), s = 1.5 at batch 1 rising linearly in log2(batch) to 2.5 at batch ≥ 32 ' +
  '(2.5 from MLPerf bert-99 offline 9102 vs 3590 samples/s; 1.5 at batch 1 is an estimate of the smaller small-batch gain)';

/** MIG exponent at batch 1: a 1g.10gb slice has 4.19 ms vs 1.46 ms batch-1 latency (≈ 2.9× = 7^0.55), MLPerf v2.1 BERT-large INT8. */
export const MIG_BATCH1_EXPONENT = 0.55;

/**
 * Exponent e of the MIG latency factor (7/k)^e at `batch`: 0.55 at batch 1, 1 at the
 * table's largest batch `maxBatch` (so throughput there is exactly k/7 of the full GPU),
 * linear in log2(batch) between, clamped outside.
 */
export function migLatencyExponent(batch: number, maxBatch: number): number {
  if (maxBatch <= 1) return MIG_BATCH1_EXPONENT;
  const t = Math.min(1, Math.max(0, Math.log2(batch) / Math.log2(maxBatch)));
  return MIG_BATCH1_EXPONENT + (1 - MIG_BATCH1_EXPONENT) * t;
}

/** Factor by which batch latency grows on a MIG slice with `computeSlices` of 7: (7/k)^e(batch). */
export function migLatencyFactor(computeSlices: number, batch: number, maxBatch: number): number {
  return Math.pow(MIG_COMPUTE_SLICES / computeSlices, migLatencyExponent(batch, maxBatch));
}

interface Measured {
  gpuId: string;
  latencyMs: number[];
  source: string;
  date: string;
}

/** Fills in the GPUs that were not measured, from the measured ones, by the rules in REFERENCE-DATA. */
function withDerived(batch: number[], measured: Measured[]): ProfileEntry[] {
  const entries: ProfileEntry[] = measured.map((m) => ({
    gpuId: m.gpuId,
    batch,
    latencyMs: m.latencyMs,
    source: m.source,
    date: m.date,
    derived: false,
    notes: [],
  }));
  const byGpu = (id: string): Measured | undefined => measured.find((m) => m.gpuId === id);
  const l4 = byGpu('l4');
  const a100 = byGpu('a100-40gb');
  if (l4 !== undefined) {
    entries.push({
      gpuId: 'a10g',
      batch,
      latencyMs: [...l4.latencyMs],
      source: `${l4.source}, L4 table`,
      date: l4.date,
      derived: true,
      notes: ['A10G ≈ L4: MLPerf offline throughput of A10 and L4 is close; L4 table reused unchanged'],
    });
  }
  if (a100 !== undefined) {
    entries.push({
      gpuId: 'a100-80gb',
      batch,
      latencyMs: [...a100.latencyMs],
      source: `${a100.source}, A100-40GB table`,
      date: a100.date,
      derived: true,
      notes: ['A100-80GB ≈ A100-40GB: same SMs and clocks; the measurement was made on the 40 GB part (80 GB has more memory bandwidth, so this is slightly conservative)'],
    });
    const h100Ms = a100.latencyMs.map((ms, i) => ms / h100Speedup(batch[i]!));
    entries.push({
      gpuId: 'h100-80gb',
      batch,
      latencyMs: h100Ms,
      source: `${a100.source}, A100 table ÷ H100 speed-up`,
      date: a100.date,
      derived: true,
      notes: [`H100 ${H100_RULE}`],
    });
    entries.push({
      gpuId: 'h200',
      batch,
      latencyMs: [...h100Ms],
      source: `${a100.source}, A100 table ÷ H100 speed-up`,
      date: a100.date,
      derived: true,
      notes: [
        `H200 ≈ H100 (same SMs and clocks; BERT at these sizes is compute-bound, so the extra HBM bandwidth is ignored); H100 ${H100_RULE}`,
      ],
    });
  }
  return entries;
}

/** A measured or derived table per GPU, as stored. */
function entryOf(gpuId: string, batch: number[], latencyMs: number[], source: string, date: string, derived: boolean, notes: string[]): ProfileEntry {
  return { gpuId, batch, latencyMs, source, date, derived, notes };
}

// ---------------------------------------------------------------------------------------------
// ResNet-50 v1.5, 224×224, INT8, TensorRT 8.6 (NVIDIA's MLPerf Inference v3.0 closed-division
// submission, April 2023): mlcommons/inference_results_v3.0@1948f9b5b93c5b4dcafe15de0faa08cdf1439fca,
// closed/NVIDIA/results/<system>/resnet50/<scenario>/performance/run_1/mlperf_log_summary.txt
// (systems L4x1_TRT [status preview], DGX-A100_A100-SXM-80GBx1_TRT, DGX-H100_H100-SXM-80GBx1_TRT)
// and closed/NVIDIA/configs/resnet50/*/__init__.py (batch sizes). MLPerf gives three points per GPU,
// not a per-batch table: SingleStream (1 image per query), MultiStream (8 images per query, one
// batch of 8) and Offline throughput (L4 at batch 32, A100/H100 at batch 2048). The latencies are
// LoadGen query latencies, harness included (A100 and H100 configs set start_from_device, so their
// images are already on the GPU; L4's are copied per query), INT8 (configs/resnet50/__init__.py).

const MLPERF30 = 'mlcommons/inference_results_v3.0 closed/NVIDIA resnet50 (MLPerf Inference v3.0, TensorRT 8.6)';
const MLPERF30_DATE = '2023-04';

/** Batch sizes of the ResNet-50 tables. */
export const RESNET50_BATCHES = [1, 8, 32, 128];

/** MLPerf v3.0 ResNet-50 inputs per GPU: mean query latency (ms) of SingleStream (batch 1) and MultiStream (batch 8), Offline samples/s. */
export const RESNET50_MLPERF: Record<'l4' | 'a100-80gb' | 'h100-80gb', { batch1Ms: number | null; batch8Ms: number | null; offlinePerS: number; system: string }> = {
  l4: { batch1Ms: 0.355504, batch8Ms: 0.79877, offlinePerS: 13157.8, system: 'L4x1_TRT' },
  'a100-80gb': { batch1Ms: 0.454689, batch8Ms: 0.643571, offlinePerS: 42379.3, system: 'DGX-A100_A100-SXM-80GBx1_TRT' },
  'h100-80gb': { batch1Ms: null, batch8Ms: null, offlinePerS: 91825.7, system: 'DGX-H100_H100-SXM-80GBx1_TRT' },
};

/**
 * ResNet-50 batch latency (ms) from MLPerf's three points: the measured means at batch 1 and 8,
 * and above 8 each further image costs the GPU's full-load time per image (1 / Offline throughput):
 * L(b) = L(8) + (b − 8) / X. Never exceeds the measured Offline throughput.
 */
export function resnet50LatencyMs(batch: number, batch1Ms: number, batch8Ms: number, offlinePerS: number): number {
  if (batch <= 1) return batch1Ms;
  if (batch <= 8) return batch1Ms + ((batch - 1) * (batch8Ms - batch1Ms)) / 7;
  return batch8Ms + ((batch - 8) * 1000) / offlinePerS;
}

const RESNET50_RULE =
  'batch 1 and 8: mean query latency of MLPerf SingleStream and MultiStream (8 images per query); ' +
  'batch > 8: L(8) + (b − 8) ÷ Offline throughput (each further image at the full-load cost per image; below the measured peak, so conservative)';

/**
 * Measured MIG point for comparison (not used in the tables): MLPerf v2.1 (TensorRT 8.5),
 * mlcommons/inference_results_v2.1@c43f76f2447cc4b41a37952c86c108749f8d12f3
 * closed/NVIDIA/results/DGX-A100_A100-SXM-80GB-MIG_1x1g.10gb_TRT/resnet50/{SingleStream,MultiStream,Offline}.
 */
const RESNET50_MIG_CHECK =
  'MIG check: MLPerf v2.1 measured a 1g.10gb slice at 0.678 ms (batch 1), 1.837 ms (batch 8) and 5589 images/s; ' +
  'the catalog MIG rule applied to this table gives 1.33 ms, 2.73 ms and 5262 images/s at batch 128, so slices are pessimistic for ResNet-50 at small batches';

function resnet50Entries(): ProfileEntry[] {
  const b = RESNET50_BATCHES;
  const table = (b1: number, b8: number, x: number): number[] => b.map((n) => resnet50LatencyMs(n, b1, b8, x));
  const l4 = RESNET50_MLPERF.l4;
  const a100 = RESNET50_MLPERF['a100-80gb'];
  const h100 = RESNET50_MLPERF['h100-80gb'];
  const l4Ms = table(l4.batch1Ms!, l4.batch8Ms!, l4.offlinePerS);
  const a100Ms = table(a100.batch1Ms!, a100.batch8Ms!, a100.offlinePerS);
  // H100: no SingleStream/MultiStream in v3.0 (datacenter submission only); its small-batch points are
  // the A100's ÷ H100_SPEEDUP_BATCH1 (the catalog's small-batch estimate), its throughput measured.
  const h100Ms = table(a100.batch1Ms! / H100_SPEEDUP_BATCH1, a100.batch8Ms! / H100_SPEEDUP_BATCH1, h100.offlinePerS);
  const src = (sys: string): string => `${MLPERF30}, ${sys}`;
  const h100Note =
    `batch 1 and 8: A100-SXM-80GB's MLPerf means ÷ ${H100_SPEEDUP_BATCH1} (H100 has no SingleStream/MultiStream result in v3.0; ` +
    `${H100_SPEEDUP_BATCH1} is the catalog's small-batch H100 gain estimate); batch > 8: L(8) + (b − 8) ÷ ${h100.offlinePerS}/s (H100 Offline, measured)`;
  return [
    entryOf('l4', b, l4Ms, src(l4.system), MLPERF30_DATE, true, [
      RESNET50_RULE,
      'L4 Offline measured at batch 32; the L4 result is in MLPerf v3.0\'s "preview" category (system not yet available when submitted)',
    ]),
    entryOf('a100-80gb', b, a100Ms, src(a100.system), MLPERF30_DATE, true, [RESNET50_RULE, RESNET50_MIG_CHECK]),
    entryOf('h100-80gb', b, h100Ms, src(h100.system), MLPERF30_DATE, true, [h100Note]),
    entryOf('a10g', b, [...l4Ms], `${src(l4.system)}, L4 table`, MLPERF30_DATE, true, [
      'A10G ≈ L4: MLPerf offline throughput of A10 and L4 is close; L4 table reused unchanged',
      RESNET50_RULE,
    ]),
    entryOf('a100-40gb', b, [...a100Ms], `${src(a100.system)}, A100-80GB table`, MLPERF30_DATE, true, [
      'A100-40GB ≈ A100-80GB: same SMs and clocks; measured on the 80 GB SXM part (the 40 GB part has less memory bandwidth, so this is slightly optimistic)',
      RESNET50_RULE,
    ]),
    entryOf('h200', b, [...h100Ms], `${src(h100.system)}, H100 table`, MLPERF30_DATE, true, [
      'H200 ≈ H100 (same SMs and clocks; ResNet-50 INT8 is compute-bound, so the extra HBM bandwidth is ignored)',
      h100Note,
    ]),
  ];
}

// ---------------------------------------------------------------------------------------------
// Transformer encoders derived from the BERT-base seq128 FP16 tables by FLOPs. Per token and layer,
// an encoder of hidden size h (FFN 4h) at sequence length s does 24·h² FLOPs in its matrix products
// (QKV, output, FFN) and 4·s·h in attention (scores and weighted sum): flops = 24h² + 4sh.

/** Forward FLOPs per token of one encoder layer with hidden size h (FFN 4h) at sequence length s. */
export function encoderLayerFlopsPerToken(hidden: number, seq: number): number {
  return 24 * hidden * hidden + 4 * seq * hidden;
}

/** all-MiniLM-L6-v2 (6 layers, hidden 384, FFN 1536) over BERT-base (12 layers, 768, FFN 3072), both at sequence 128: ≈ 0.1284. */
export const MINILM_FLOPS_RATIO = (6 * encoderLayerFlopsPerToken(384, 128)) / (12 * encoderLayerFlopsPerToken(768, 128));
/** MiniLM-L6's share of BERT-base's fixed (batch-independent) time: its layer count, 6 of 12. */
export const MINILM_LAYER_RATIO = 6 / 12;

/**
 * MiniLM-L6 seq128 latency (ms) from a BERT-base seq128 table: split BERT's time into a fixed part
 * F = 2·t(1) − t(2) (the line through batch 1 and 2, extrapolated to batch 0: launches and
 * latency-bound kernels, which scale with the layer count) and the rest (which scales with FLOPs):
 * t'(b) = (6/12)·F + r·(t(b) − F), r = MINILM_FLOPS_RATIO.
 */
export function minilmFromBertMs(bertMs: readonly number[], batch: readonly number[]): number[] {
  if (batch[0] !== 1 || batch[1] !== 2) throw new Error('minilmFromBertMs needs a table starting at batch 1, 2');
  const fixed = Math.max(0, 2 * bertMs[0]! - bertMs[1]!);
  return bertMs.map((t) => MINILM_LAYER_RATIO * fixed + MINILM_FLOPS_RATIO * (t - fixed));
}

/** FLOPs per token at sequence 256 over sequence 128 for a 768-wide encoder (attention's quadratic part): 19456 / 18944 ≈ 1.027. */
export const RERANKER_TOKEN_FLOPS_RATIO = encoderLayerFlopsPerToken(768, 256) / encoderLayerFlopsPerToken(768, 128);

/**
 * bge-reranker-base (XLM-R base: 12 layers, hidden 768, FFN 3072, as BERT-base) at sequence 256,
 * from a BERT-base seq128 table: a batch of b 256-token pairs has the tokens of 2b 128-token
 * sequences, and each token costs RERANKER_TOKEN_FLOPS_RATIO more (longer attention):
 * t'(b) = t_bert(2b) · 1.027, for every b with 2b in the table.
 */
export function rerankerFromBertMs(bertMs: readonly number[], bertBatch: readonly number[]): { batch: number[]; latencyMs: number[] } {
  const batch: number[] = [];
  const latencyMs: number[] = [];
  for (let i = 0; i < bertBatch.length; i++) {
    const b = bertBatch[i]!;
    if (b % 2 !== 0) continue;
    batch.push(b / 2);
    latencyMs.push(bertMs[i]! * RERANKER_TOKEN_FLOPS_RATIO);
  }
  return { batch, latencyMs };
}

const MINILM_CONFIG = 'huggingface.co/sentence-transformers/all-MiniLM-L6-v2 config.json (6 layers, hidden 384, FFN 1536)';
const RERANKER_CONFIG = 'huggingface.co/BAAI/bge-reranker-base config.json (XLMRobertaForSequenceClassification: 12 layers, hidden 768, FFN 3072)';

const MINILM_RULE =
  `derived from bert-base-seq128 by FLOPs: fixed part F = 2·t(1) − t(2) scaled by the layer count (6/12), the rest by the FLOPs ratio ` +
  `r = 6·(24·384² + 4·128·384) / 12·(24·768² + 4·128·768) = ${MINILM_FLOPS_RATIO.toFixed(4)}: t'(b) = 0.5·F + r·(t(b) − F); ${MINILM_CONFIG}`;
const RERANKER_RULE =
  `derived from bert-base-seq128: same layers and width, twice the tokens per sequence: t'(b) = t_bert(2b) × ${RERANKER_TOKEN_FLOPS_RATIO.toFixed(4)} ` +
  `(per-token FLOPs 24h² + 4sh at s = 256 over s = 128, h = 768: attention's quadratic part); ${RERANKER_CONFIG}`;

/** Entries of a profile derived from another profile's entries (every GPU the base has), all marked derived. */
function derivedFrom(
  base: readonly ProfileEntry[],
  baseId: string,
  rule: string,
  f: (e: ProfileEntry) => { batch: number[]; latencyMs: number[] },
): ProfileEntry[] {
  return base.map((e) => {
    const t = f(e);
    return entryOf(e.gpuId, t.batch, t.latencyMs, `${e.source}; ${baseId} table, scaled`, e.date, true, [rule, ...e.notes.map((n) => `${baseId}: ${n}`)]);
  });
}

const BERT_BASE_SEQ128 = withDerived(
  [1, 2, 4, 8, 16, 32, 64, 128],
  [
    { gpuId: 't4', latencyMs: [1.9, 2.53, 4.25, 8.3, 17.03, 33.69, 65.17, 131.77], source: TRT85, date: TRT85_DATE },
    { gpuId: 'l4', latencyMs: [1.0, 1.31, 2.16, 3.69, 6.71, 13.97, 31.05, 68.61], source: TRT10, date: TRT10_DATE },
    { gpuId: 'a100-40gb', latencyMs: [0.62, 0.73, 0.93, 1.31, 2.05, 3.85, 7.55, 15.15], source: TRT10, date: TRT10_DATE },
    { gpuId: 'l40s', latencyMs: [0.48, 0.55, 0.77, 1.25, 2.23, 3.93, 7.9, 17.13], source: TRT10, date: TRT10_DATE },
  ],
);

const PROFILES: LatencyProfile[] = [
  {
    id: 'bert-base-seq128',
    description: 'BERT-base, sequence length 128, FP16, TensorRT (GPU time only, no host copies)',
    entries: BERT_BASE_SEQ128,
  },
  {
    id: 'bert-base-seq128-int8',
    description: 'BERT-base, sequence length 128, INT8, TensorRT (GPU time only, no host copies)',
    entries: withDerived(
      [1, 8, 32, 128],
      [
        { gpuId: 't4', latencyMs: [1.36, 4.57, 18.18, 69.33], source: TRT85, date: TRT85_DATE },
        { gpuId: 'l4', latencyMs: [0.61, 1.91, 6.18, 29.9], source: TRT10, date: TRT10_DATE },
        { gpuId: 'a100-40gb', latencyMs: [0.54, 0.95, 2.23, 8.02], source: TRT10, date: TRT10_DATE },
      ],
    ),
  },
  {
    id: 'bert-large-seq384',
    description: 'BERT-large, sequence length 384, FP16, TensorRT (GPU time only, no host copies)',
    entries: withDerived(
      [1, 8, 32, 128],
      [
        { gpuId: 't4', latencyMs: [11.76, 89.04, 351.1, 1358], source: TRT85, date: TRT85_DATE },
        { gpuId: 'l4', latencyMs: [6.43, 38.38, 165.2, 668.8], source: TRT10, date: TRT10_DATE },
        { gpuId: 'a100-40gb', latencyMs: [2.96, 11.01, 40.61, 155.5], source: TRT10, date: TRT10_DATE },
      ],
    ),
  },
  {
    id: 'resnet50',
    description: 'ResNet-50 v1.5 image classification, 224×224, INT8, TensorRT 8.6 (MLPerf Inference v3.0 harness latency, preprocessed images)',
    entries: resnet50Entries(),
  },
  {
    id: 'minilm-l6-seq128',
    description: 'all-MiniLM-L6-v2 sentence embedding (6 layers, hidden 384), sequence length 128, FP16, TensorRT — derived from bert-base-seq128 by FLOPs',
    entries: derivedFrom(BERT_BASE_SEQ128, 'bert-base-seq128', MINILM_RULE, (e) => ({ batch: [...e.batch], latencyMs: minilmFromBertMs(e.latencyMs, e.batch) })),
  },
  {
    id: 'bge-reranker-base-seq256',
    description: 'bge-reranker-base cross-encoder (XLM-R base, 12 layers, hidden 768), query+passage of 256 tokens, FP16, TensorRT — derived from bert-base-seq128',
    entries: derivedFrom(BERT_BASE_SEQ128, 'bert-base-seq128', RERANKER_RULE, (e) => rerankerFromBertMs(e.latencyMs, e.batch)),
  },
];

/** Ids of the built-in latency profiles. */
export function profileIds(): string[] {
  return PROFILES.map((p) => p.id);
}

/** All built-in profiles with their stored tables (shared objects: treat as read-only). */
export function allProfiles(): readonly LatencyProfile[] {
  return PROFILES;
}

/** The built-in profile `id` (case-insensitive), or undefined. */
export function findProfile(id: string): LatencyProfile | undefined {
  const key = id.trim().toLowerCase();
  return PROFILES.find((p) => p.id === key);
}

/** Batch-latency table of a built-in profile on a GPU (optionally a MIG slice); a string error message when unavailable, naming what exists. */
export function profileLatency(profileId: string, gpuId: string, migProfileId: string | null): ProfileLatency | string {
  const profile = findProfile(profileId);
  if (profile === undefined) return `unknown profile "${profileId}" (known: ${profileIds().join(', ')})`;
  const gpu = findGpu(gpuId);
  if (gpu === undefined) return unknownGpuMessage(gpuId);
  const entry = profile.entries.find((e) => e.gpuId === gpu.id);
  if (entry === undefined) {
    return (
      `profile "${profile.id}" has no latency table for ${gpu.id} (it has ${profile.entries.map((e) => e.gpuId).join(', ')}); ` +
      'give model.latency in the scenario instead'
    );
  }
  const full: ProfileLatency = {
    batch: [...entry.batch],
    latencyS: entry.latencyMs.map((ms) => ms / 1000),
    source: entry.source,
    date: entry.date,
    derived: entry.derived,
    notes: [...entry.notes],
  };
  if (migProfileId === null) return full;
  const mig = resolveMigProfile(gpu, migProfileId);
  if (typeof mig === 'string') return mig;
  const k = mig.computeSlices;
  const maxBatch = full.batch[full.batch.length - 1]!;
  return {
    batch: full.batch,
    latencyS: full.latencyS.map((s, i) => s * migLatencyFactor(k, full.batch[i]!, maxBatch)),
    source: `${full.source}; MIG scaling derived from MLPerf v2.1 BERT-large INT8 (1g.10gb slice vs full A100-80GB)`,
    date: full.date,
    derived: true,
    notes: [
      ...full.notes,
      `MIG ${mig.id} (${k} of ${MIG_COMPUTE_SLICES} compute slices): full-GPU latency × (7/${k})^e, ` +
        `e = ${MIG_BATCH1_EXPONENT} at batch 1 rising linearly in log2(batch) to 1 at batch ${maxBatch}, ` +
        `so throughput at batch ${maxBatch} is ${k}/7 of the full GPU and batch-1 latency grows ×${migLatencyFactor(k, 1, maxBatch).toFixed(2)}`,
    ],
  };
}
