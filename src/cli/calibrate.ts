/**
 * `infersim calibrate LOG.jsonl`: fits the LLM step-time coefficients (β0…β4) to a measured
 * per-request log by replaying it through the engine with the run's engine settings, and prints
 * the fit's error per metric (mean, p50, p90, p99 of TTFT, TPOT, E2E). Exit 2 on bad input.
 */
import type { Command } from 'commander';
import { calibrate, parseRequestLog } from '../llm/calibrate.js';
import type { EngineConfig } from '../config/llm.js';
import { formatCalibration } from '../report/calibrate.js';
import { EXIT, UserError } from './errors.js';
import { readSmallFile } from './scenario-files.js';

export interface CalibrateOptions {
  maxNumSeqs: string;
  maxNumBatchedTokens: string;
  blockSize: string;
  numGpuBlocks: string;
  prefixCaching: boolean;
  evaluations: string;
  format: 'table' | 'json';
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError([`error: ${name} must be a positive integer (got ${v})`]);
  return n;
}

export function calibrateCommand(file: string, o: CalibrateOptions): number {
  let text: string;
  try {
    text = readSmallFile(file, 256 * 1024 * 1024); // a regular file (a FIFO would block), read whole
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError([`error: ${file}: cannot read the request log (${e.code === 'ENOENT' ? 'no such file' : e.code === 'ENOTREG' || e.code === 'ETOOBIG' ? e.message : (e.code ?? String(err))})`]);
  }
  const cfg: EngineConfig = {
    maxNumSeqs: positiveInt('--max-num-seqs', o.maxNumSeqs),
    maxNumBatchedTokens: positiveInt('--max-num-batched-tokens', o.maxNumBatchedTokens),
    blockSize: positiveInt('--block-size', o.blockSize),
    numGpuBlocks: positiveInt('--num-gpu-blocks', o.numGpuBlocks),
    enablePrefixCaching: o.prefixCaching,
    reserveFullSequence: true,
  };
  if (cfg.numGpuBlocks < 2) throw new UserError(['error: --num-gpu-blocks must be at least 2']);
  let measured;
  try {
    measured = parseRequestLog(text, file);
  } catch (err) {
    throw new UserError([`error: ${(err as Error).message}`]);
  }
  const fit = calibrate(measured, cfg, undefined, positiveInt('--evaluations', o.evaluations));
  if (o.format === 'json') {
    process.stdout.write(`${JSON.stringify({ file, requests: measured.length, engine: cfg, coefficients: fit.coefficients, loss: fit.loss, evaluations: fit.evaluations, errors: fit.errors }, null, 2)}\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${formatCalibration(file, measured.length, fit)}\n`);
  return EXIT.ok;
}

export function registerCalibrate(program: Command, setExit: (code: number) => void): void {
  program
    .command('calibrate')
    .description('fit LLM step-time coefficients to a measured request log (JSONL: input_toks, output_toks, queued_ts, first_token_ts, last_token_ts) by replaying it; prints the fit error per metric')
    .argument('<log>', 'request log, one JSON object a line')
    .option('--max-num-seqs <n>', "the run's max_num_seqs", '256')
    .option('--max-num-batched-tokens <n>', "the run's max_num_batched_tokens", '2048')
    .option('--block-size <n>', 'KV block size in tokens', '16')
    .requiredOption('--num-gpu-blocks <n>', 'KV blocks vLLM logged ("# GPU blocks")')
    .option('--prefix-caching', 'the run had prefix caching on', false)
    .option('--evaluations <n>', 'replays the fit may use', '300')
    .option('--format <format>', 'table or json', 'table')
    .action((file: string, o: CalibrateOptions) => {
      setExit(calibrateCommand(file, o));
    });
}
