/** Loads the two measured vLLM runs vendored in test/fixtures/llm (LLMServingSim, MIT; see README there). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRequestLog, type MeasuredRequest } from '../../src/llm/calibrate.js';
import { ProfileStepModel, SkewFit } from '../../src/llm/step-time.js';
import { parse } from 'yaml';
import { existsSync } from 'node:fs';
import type { EngineConfig } from '../../src/config/llm.js';
import { kvBlocksFromMemory, MODELS } from '../../src/llm/models.js';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'llm');

export interface MeasuredRun {
  name: string;
  requests: MeasuredRequest[];
  cfg: EngineConfig;
  profile: ProfileStepModel;
}

export interface LoadOptions {
  /** 'meta' (default): the skew correction as the bundle's meta.yaml asks; 'table': tp1/skew_fit.csv even when the meta does not enable it; 'none'. */
  skew?: 'meta' | 'table' | 'none';
}

export function loadRun(name: 'RTX4090' | 'RTXPRO6000', opts: LoadOptions = {}): MeasuredRun {
  const base = join(dir, `${name}-Llama-3.1-8B`);
  const requests = parseRequestLog(readFileSync(join(base, 'requests.jsonl'), 'utf8'), 'requests.jsonl');
  const meta = JSON.parse(readFileSync(join(base, 'meta.json'), 'utf8')) as {
    engine_kwargs: { max_num_seqs: number; max_num_batched_tokens: number };
    kv_cache?: { num_gpu_blocks: number; block_size: number; enable_prefix_caching: boolean };
  };
  const tp = join(base, 'profile', 'tp1');
  const metaYaml = parse(readFileSync(join(base, 'profile', 'meta.yaml'), 'utf8')) as unknown;
  const skewCsv = existsSync(join(tp, 'skew_fit.csv')) ? readFileSync(join(tp, 'skew_fit.csv'), 'utf8') : undefined;
  const mode = opts.skew ?? 'meta';
  const skew =
    mode === 'none'
      ? null
      : mode === 'meta'
        ? SkewFit.fromMeta(metaYaml, 1, skewCsv)
        : SkewFit.fromMeta({ skew_fit: { enabled: true, per_tp: { 1: { alpha_default: 0, bucket_table: 'tp1/skew_fit.csv' } } } }, 1, skewCsv);
  const profile = new ProfileStepModel(
    {
      dense: readFileSync(join(tp, 'dense.csv'), 'utf8'),
      attention: readFileSync(join(tp, 'attention.csv'), 'utf8'),
      perSequence: readFileSync(join(tp, 'per_sequence.csv'), 'utf8'),
    },
    { layers: MODELS['llama-3.1-8b']!.layers, label: `${name} profile bundle`, skew },
  );
  // RTX PRO 6000: meta.json has no logged block count; derive it from the card's memory (96 GB) at 0.9
  const numGpuBlocks = meta.kv_cache?.num_gpu_blocks ?? kvBlocksFromMemory(MODELS['llama-3.1-8b']!, 96, 0.9, 16, 1);
  const cfg: EngineConfig = {
    maxNumSeqs: meta.engine_kwargs.max_num_seqs,
    maxNumBatchedTokens: meta.engine_kwargs.max_num_batched_tokens,
    blockSize: meta.kv_cache?.block_size ?? 16,
    numGpuBlocks,
    // RTX PRO 6000: its meta.json predates the resolved config. Its runner (LLMServingSim
    // bench/core/runner.py@3012eb1) did not pass enable_prefix_caching, and vLLM v1 turns it on
    // by default for generative models (vllm/engine/arg_utils.py `_set_default_args`; the RTX 4090
    // run, from the same runner, resolved it to true). The replay has no token ids, so only a
    // request's own blocks can hit (after a preemption, which this run does not have).
    enablePrefixCaching: meta.kv_cache?.enable_prefix_caching ?? true,
    reserveFullSequence: true,
  };
  return { name, requests, cfg, profile };
}
