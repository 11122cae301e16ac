/**
 * Built-in step-time profiles: published, fitted coefficients for a model × GPU × tensor
 * parallelism, with where they come from (`stepTime: builtin` in an LLM scenario).
 *
 * Source: inference-sim (BLIS, the llm-d simulator), the `models:` table of its defaults.yaml,
 * the coefficients of its "blackbox" latency model, fitted by Bayesian optimisation to measured
 * vLLM runs. The table was removed with that model in April 2026; the values below are the last
 * published ones (commit 938f8d88…, 2026-04-22). Coefficients are facts; we cite, not copy code.
 *
 * Their model (sim/latency/latency.go at that commit, docs/guide/latency-models.md), all in µs:
 *   step time      = β0 + β1 · cache-miss (prefill) tokens + β2 · decode tokens
 *   queueing delay = α0 + α1 · input tokens   (arrival → scheduler queue; CPU side)
 *   per output token α2                       (added to TTFT and to every ITL; not blocking
 *                                               the next step: vLLM's async post-processing)
 * Mapping onto our LinearCoefficients (seconds): β0 → beta0, β1 → beta1 (our prefill tokens
 * computed exclude prefix-cache hits, as their cache-miss tokens do), β2 → beta2; beta3 (KV
 * read by decodes) and beta4 (prefill attention) have no counterpart and are 0. The α's map
 * onto our RequestOverheads (profileOverheads): α0 → queueS, α1 → queuePerPromptTokenS,
 * α2 → firstTokenS and perTokenS; the fleet applies them as their simulator does (fleet.ts).
 */
import type { RequestOverheads } from '../config/llm.js';
import type { LinearCoefficients } from './step-time.js';

export interface ProfileSource {
  repo: string;
  path: string;
  commit: string;
  /** Commit date (ISO day). */
  date: string;
  /** The entry's `id` in their table (the model the fit was measured on). */
  entry: string;
  /** The vLLM image the entry names. */
  vllm: string;
}

export interface BuiltinProfile {
  model: string;
  gpu: string;
  tp: number;
  /** Our step-time coefficients, seconds per unit (theirs × 1e-6). */
  coefficients: LinearCoefficients;
  /** Their β0, β1, β2 as published (µs, µs per token). */
  betaUs: readonly [number, number, number];
  /** Their α0 (µs), α1 (µs per input token), α2 (µs per output token) as published (applied through profileOverheads). */
  alphaUs: readonly [number, number, number];
  /** Their fit's best_loss, as published (their objective's units). */
  bestLoss: number;
  source: ProfileSource;
  note: string;
}

const REPO = 'github.com/inference-sim/inference-sim';
const PATH = 'defaults.yaml';
const COMMIT = '938f8d88392eec60977153d06e963e80458850f6';
const DATE = '2026-04-22';
const V084 = 'vllm/vllm-openai:v0.8.4';
const LLAMA8 = 'meta-llama/llama-3.1-8b-instruct';
const LLAMA70 = 'meta-llama/llama-3.3-70b-instruct';
const SAME_ARCH_70B = 'fitted on Llama-3.3-70B-Instruct, whose architecture (80 layers, hidden 8192, 64 heads, 8 KV heads, FFN 28672) is Llama-3.1-70B\'s';

type Row = [model: string, gpu: string, tp: number, entry: string, vllm: string, beta: [number, number, number], alpha: [number, number, number], loss: number, note: string];

const ROWS: Row[] = [
  ['llama-3.1-8b', 'h100-80gb', 1, LLAMA8, 'vllm/vllm-openai:v0.11.0', [6472.007648778123, 19.79721387814611, 304.4021040302657], [10326.268121600151, 0, 0], 379.0472762050282, 're-fitted in commit 517fe652 (2026-03-05) from GuideLLM sweep profiles'],
  ['llama-3.1-8b', 'h100-80gb', 2, LLAMA8, V084, [6910.420479880494, 17.67057489844186, 2.8377471109943855], [1601.350510688092, 3.512476196805965, 1805.5430360826988], 424.54516713463454, ''],
  ['llama-3.1-8b', 'h100-80gb', 4, LLAMA8, V084, [41.80647673754272, 11.861039406797376, 5.9099565324485255], [34.38988572325434, 2.1870952105216817, 6001.151321705148], 456.9786608275622, ''],
  ['llama-3.1-8b', 'a100-80gb', 1, LLAMA8, V084, [16441.531547147923, 47.837412108198656, 18.20560632171683], [7739.7334212001515, 2.308926798943791, 6276.246189076296], 335.98105991131, ''],
  ['llama-3.1-8b', 'a100-80gb', 2, LLAMA8, V084, [8001.630597822392, 26.362876080324924, 14.969035206354745], [2943.6134268743335, 2.151286397723518, 14229.18244730705], 827.2597345491479, ''],
  ['llama-3.1-8b', 'a100-80gb', 4, LLAMA8, V084, [497.6895574004801, 30.017036638245568, 8.943353286006426], [51.276026503262926, 4.394380027592064, 9537.099917293996], 242.8760213411417, ''],
  ['llama-3.1-70b', 'h100-80gb', 4, LLAMA70, V084, [12601.271149123822, 76.42284100369776, 66.84396200500741], [2597.3171308592136, 9.950912552989394, 11511.44254521247], 295.605845726634, SAME_ARCH_70B],
  ['llama-3.1-70b', 'h100-80gb', 8, LLAMA70, V084, [14140.825207623911, 10.025593497696502, 19.401640879612657], [27262.037667007146, 12.483736088204523, 112.29324980868637], 221.029873173539, SAME_ARCH_70B],
];

export function profileKey(model: string, gpu: string, tp: number): string {
  return `${model} on ${tp}× ${gpu}`;
}

export const BUILTIN_PROFILES: ReadonlyMap<string, BuiltinProfile> = new Map(
  ROWS.map(([model, gpu, tp, entry, vllm, beta, alpha, loss, note]): [string, BuiltinProfile] => [
    profileKey(model, gpu, tp),
    {
      model,
      gpu,
      tp,
      coefficients: { beta0: beta[0] * 1e-6, beta1: beta[1] * 1e-6, beta2: beta[2] * 1e-6, beta3: 0, beta4: 0 },
      betaUs: beta,
      alphaUs: alpha,
      bestLoss: loss,
      source: { repo: REPO, path: PATH, commit: COMMIT, date: DATE, entry, vllm },
      note,
    },
  ]),
);

export function findProfile(model: string, gpu: string, tp: number): BuiltinProfile | undefined {
  return BUILTIN_PROFILES.get(profileKey(model, gpu, tp));
}

/** The profile's α's as per-request overheads (seconds): α0 + α1·prompt before queueing, α2 on the first token and on each later one. */
export function profileOverheads(p: BuiltinProfile): Required<RequestOverheads> {
  const [a0, a1, a2] = p.alphaUs;
  return { queueS: a0 * 1e-6, queuePerPromptTokenS: a1 * 1e-6, firstTokenS: a2 * 1e-6, perTokenS: a2 * 1e-6 };
}

/** One line for the run's notes: what the numbers are and where they come from. */
export function profileLabel(p: BuiltinProfile): string {
  const s = p.source;
  return `built-in profile ${profileKey(p.model, p.gpu, p.tp)}: inference-sim's fitted blackbox β's (${s.entry}, ${s.vllm}; ${s.repo} ${s.path} @ ${s.commit.slice(0, 8)}, ${s.date})${p.note ? `, ${p.note}` : ''}`;
}

/**
 * When the fit put most of a decode's latency into α2 (per output token, not in the step) and
 * the run's per-token overhead (`perTokenS`, α2 unless the scenario overrides it) falls short of
 * α2, TPOT is understated: a warning for the run, with the size of what is left out. Null when
 * α2 is applied (the default) or does not dominate.
 */
export function profileWarning(p: BuiltinProfile, perTokenS: number): string | null {
  const [b0, , b2] = p.betaUs;
  const a2 = p.alphaUs[2];
  const appliedUs = perTokenS * 1e6;
  if (a2 <= b0 + b2 || appliedUs >= a2 * (1 - 1e-9)) return null;
  return `stepTime builtin (${profileKey(p.model, p.gpu, p.tp)}): the published fit puts ${(a2 / 1000).toFixed(2)} ms per output token in α2, against a one-decode step of ${((b0 + b2) / 1000).toFixed(2)} ms; llm.overheads.perToken applies ${(appliedUs / 1000).toFixed(2)} ms instead, so TPOT and ITL are understated by about ${((a2 - appliedUs) / 1000).toFixed(2)} ms`;
}
