/** Loads the two measured vLLM runs vendored in test/fixtures/llm (LLMServingSim, MIT; see README there). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRequestLog, type MeasuredRequest } from '../../src/llm/calibrate.js';
import { ProfileStepModel } from '../../src/llm/step-time.js';
import type { EngineConfig } from '../../src/config/llm.js';
import { kvBlocksFromMemory, MODELS } from '../../src/llm/models.js';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'llm');

export interface MeasuredRun {
  name: string;
  requests: MeasuredRequest[];
  cfg: EngineConfig;
  profile: ProfileStepModel;
}

export function loadRun(name: 'RTX4090' | 'RTXPRO6000'): MeasuredRun {
  const base = join(dir, `${name}-Llama-3.1-8B`);
  const requests = parseRequestLog(readFileSync(join(base, 'requests.jsonl'), 'utf8'), 'requests.jsonl');
  const meta = JSON.parse(readFileSync(join(base, 'meta.json'), 'utf8')) as {
    engine_kwargs: { max_num_seqs: number; max_num_batched_tokens: number };
    kv_cache?: { num_gpu_blocks: number; block_size: number; enable_prefix_caching: boolean };
  };
  const tp = join(base, 'profile', 'tp1');
  const profile = new ProfileStepModel(
    {
      dense: readFileSync(join(tp, 'dense.csv'), 'utf8'),
      attention: readFileSync(join(tp, 'attention.csv'), 'utf8'),
      perSequence: readFileSync(join(tp, 'per_sequence.csv'), 'utf8'),
    },
    { layers: MODELS['llama-3.1-8b']!.layers, label: `${name} profile bundle` },
  );
  // RTX PRO 6000: meta.json has no logged block count; derive it from the card's memory (96 GB) at 0.9
  const numGpuBlocks = meta.kv_cache?.num_gpu_blocks ?? kvBlocksFromMemory(MODELS['llama-3.1-8b']!, 96, 0.9, 16, 1);
  const cfg: EngineConfig = {
    maxNumSeqs: meta.engine_kwargs.max_num_seqs,
    maxNumBatchedTokens: meta.engine_kwargs.max_num_batched_tokens,
    blockSize: meta.kv_cache?.block_size ?? 16,
    numGpuBlocks,
    enablePrefixCaching: meta.kv_cache?.enable_prefix_caching ?? false,
    reserveFullSequence: true,
  };
  return { name, requests, cfg, profile };
}
