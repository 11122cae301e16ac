/**
 * Model shapes and GPU datasheet numbers for LLM serving: KV bytes per token, weight bytes,
 * KV capacity from memory, and a roofline estimate of the linear step-time coefficients for
 * any model × GPU without a measured profile (marked as an estimate wherever it is shown).
 */
import type { LinearCoefficients } from './step-time.js';

export interface LlmModelShape {
  id: string;
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  /** Parameters (for weight bytes and FLOPs). */
  params: number;
  /** Bytes per weight and per KV element (bf16: 2). */
  dtypeBytes: number;
  source: string;
}

const HF = 'Hugging Face config.json of the model (meta-llama), 2024-07';

export const MODELS: Record<string, LlmModelShape> = {
  'llama-3.1-8b': { id: 'llama-3.1-8b', name: 'Llama-3.1-8B', layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediate: 14336, vocab: 128256, params: 8.03e9, dtypeBytes: 2, source: HF },
  'llama-3.1-70b': { id: 'llama-3.1-70b', name: 'Llama-3.1-70B', layers: 80, hidden: 8192, heads: 64, kvHeads: 8, headDim: 128, intermediate: 28672, vocab: 128256, params: 70.6e9, dtypeBytes: 2, source: HF },
};

/** KV-cache bytes one token takes on the whole replica (K and V, every layer). */
export function kvBytesPerToken(m: LlmModelShape): number {
  return 2 * m.layers * m.kvHeads * m.headDim * m.dtypeBytes;
}

export function weightBytes(m: LlmModelShape): number {
  return m.params * m.dtypeBytes;
}

/**
 * Memory vLLM keeps outside weights and KV per GPU: activation peak at the profiling run, CUDA
 * graphs, CUDA context. 1.24 GB is what the measured RTX 4090 run implies (25.25 GB × 0.9 −
 * 16.06 GB weights − 2588 logged blocks × 16 × 128 KiB); it grows with max_num_batched_tokens
 * and the model, which is why a logged num_gpu_blocks is better than this estimate.
 */
export const NON_KV_RESERVE_BYTES = 1.24e9;

/**
 * KV blocks vLLM would allocate: (GPU memory × utilization − weights/TP − reserve) × TP over the
 * bytes a block takes on the replica. `memoryGb` is the card's memory in GiB as sold (80, 96 …).
 */
export function kvBlocksFromMemory(m: LlmModelShape, memoryGb: number, utilization: number, blockSize: number, tp: number): number {
  const perGpu = memoryGb * 2 ** 30 * utilization - weightBytes(m) / tp - NON_KV_RESERVE_BYTES;
  const blocks = Math.floor((perGpu * tp) / (kvBytesPerToken(m) * blockSize));
  return Math.max(0, blocks);
}

export interface GpuDatasheet {
  id: string;
  /** HBM/GDDR bandwidth, bytes/s. */
  bandwidth: number;
  /** Dense bf16 (fp16 on T4) tensor FLOP/s. */
  flops: number;
  source: string;
}

const NV = 'NVIDIA datasheet (dense, no sparsity), 2024';

export const GPU_DATASHEETS: Record<string, GpuDatasheet> = {
  t4: { id: 't4', bandwidth: 320e9, flops: 65e12, source: NV },
  a10g: { id: 'a10g', bandwidth: 600e9, flops: 70e12, source: 'AWS G5 / NVIDIA A10G, 2024' },
  l4: { id: 'l4', bandwidth: 300e9, flops: 121e12, source: NV },
  l40s: { id: 'l40s', bandwidth: 864e9, flops: 362e12, source: NV },
  'a100-40gb': { id: 'a100-40gb', bandwidth: 1555e9, flops: 312e12, source: NV },
  'a100-80gb': { id: 'a100-80gb', bandwidth: 2039e9, flops: 312e12, source: NV },
  'h100-80gb': { id: 'h100-80gb', bandwidth: 3350e9, flops: 989e12, source: NV },
  h200: { id: 'h200', bandwidth: 4800e9, flops: 989e12, source: NV },
};

/** Fractions of peak a real engine reaches (assumptions of the roofline estimate). */
export const ROOFLINE_EFFICIENCY = { bandwidth: 0.8, flops: 0.5, stepOverheadS: 1.5e-3 };

/**
 * Roofline estimate of the β's for `m` on `tp` GPUs of `g`: β0 reads the weights once per step
 * (plus a fixed framework overhead), β1 and β2 are 2 FLOPs per parameter per token, β3 reads a
 * token's KV, β4 is the attention FLOPs of a prefill (4 · layers · heads · head dim per pair).
 */
export function rooflineCoefficients(m: LlmModelShape, g: GpuDatasheet, tp: number): LinearCoefficients {
  const bw = g.bandwidth * tp * ROOFLINE_EFFICIENCY.bandwidth;
  const fl = g.flops * tp * ROOFLINE_EFFICIENCY.flops;
  const allReduce = tp > 1 ? 2 * m.layers * 10e-6 : 0;
  return {
    beta0: weightBytes(m) / bw + ROOFLINE_EFFICIENCY.stepOverheadS + allReduce,
    beta1: (2 * m.params) / fl,
    beta2: (2 * m.params) / fl,
    beta3: kvBytesPerToken(m) / bw,
    beta4: (4 * m.layers * m.heads * m.headDim) / fl,
  };
}
