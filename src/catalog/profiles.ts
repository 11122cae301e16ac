/**
 * Built-in model latency profiles: batch → batch latency per GPU, from NVIDIA's
 * TensorRT demoBERT tables (REFERENCE-DATA.md), with derived entries for GPUs that
 * were not measured, and the MIG slice scaling rule (MODELS.md §3).
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

const PROFILES: LatencyProfile[] = [
  {
    id: 'bert-base-seq128',
    description: 'BERT-base, sequence length 128, FP16, TensorRT (GPU time only, no host copies)',
    entries: withDerived(
      [1, 2, 4, 8, 16, 32, 64, 128],
      [
        { gpuId: 't4', latencyMs: [1.9, 2.53, 4.25, 8.3, 17.03, 33.69, 65.17, 131.77], source: TRT85, date: TRT85_DATE },
        { gpuId: 'l4', latencyMs: [1.0, 1.31, 2.16, 3.69, 6.71, 13.97, 31.05, 68.61], source: TRT10, date: TRT10_DATE },
        { gpuId: 'a100-40gb', latencyMs: [0.62, 0.73, 0.93, 1.31, 2.05, 3.85, 7.55, 15.15], source: TRT10, date: TRT10_DATE },
        { gpuId: 'l40s', latencyMs: [0.48, 0.55, 0.77, 1.25, 2.23, 3.93, 7.9, 17.13], source: TRT10, date: TRT10_DATE },
      ],
    ),
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
