/**
 * Capacity planning: the smallest value of one field (replicas by default) for which
 * the SLO holds at every seed. Pure search logic; the CLI supplies the evaluation
 * (simulations in worker threads).
 *
 *   analytic estimate (textbook rule) ──► first probe
 *     met?  ── yes ──► probe down 1, 2, 4 … until a miss ─┐
 *           ── no ───► probe up   1, 2, 4 … until a met  ─┴─► binary search between the last miss and the first met
 *   every evaluation is kept: the runs made are checked, seed by seed, for non-monotone answers
 *
 * Candidates are indices 0..count−1 into an ordered list (an integer range or `--values`).
 */
import type { Summary } from '../metrics/summary.js';
import type { Scenario } from '../config/scenario.js';
import { peakArrivalRate } from '../workload/rate-shape.js';
import { erlangCReplicas, replicaPeak, TEXTBOOK_TARGET_UTILIZATION, textbookFleetReplicas } from '../theory/capacity.js';
import { companions } from '../theory/companions.js';

/** One candidate evaluated: its index and whether it met the SLO at every seed. */
export interface Probe {
  index: number;
  met: boolean;
}

/** Outcome of the search: the smallest index found to meet the SLO (null if none in range) and every probe in the order made. */
export interface PlanSearchResult {
  index: number | null;
  probes: Probe[];
}

/**
 * Finds the smallest index in 0..count−1 for which `meets` is true, assuming it is monotone
 * (false … false true … true): `meets(startIndex)` first, exponential probing toward the
 * boundary, then binary search. Each index is evaluated at most once.
 */
export async function planSearch(opts: { count: number; startIndex: number; meets: (index: number) => Promise<boolean> }): Promise<PlanSearchResult> {
  const { count } = opts;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer (got ${count})`);
  const probes: Probe[] = [];
  const known = new Map<number, boolean>();
  const test = async (i: number): Promise<boolean> => {
    const hit = known.get(i);
    if (hit !== undefined) return hit;
    const met = await opts.meets(i);
    known.set(i, met);
    probes.push({ index: i, met });
    return met;
  };
  const start = Math.min(count - 1, Math.max(0, Math.round(opts.startIndex)));
  // invariant once bracketed: every index ≤ lo missed (lo = −1: none known), hi met
  let lo = -1;
  let hi = -1;
  if (await test(start)) {
    hi = start;
    let step = 1;
    for (;;) {
      const t = hi - step;
      if (t < 0) break; // lo stays −1 unless 0 is tried below
      if (await test(t)) {
        hi = t;
        step *= 2;
      } else {
        lo = t;
        break;
      }
    }
    if (lo === -1 && hi > 0) {
      // probing stepped past 0 without a miss: 0 itself decides
      if (await test(0)) hi = 0;
      else lo = 0;
    }
  } else {
    lo = start;
    let step = 1;
    for (;;) {
      if (lo === count - 1) return finish(null);
      const t = Math.min(count - 1, lo + step);
      if (await test(t)) {
        hi = t;
        break;
      }
      lo = t;
      step *= 2;
    }
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (await test(mid)) hi = mid;
    else lo = mid;
  }
  return finish(hi);

  function finish(index: number | null): PlanSearchResult {
    return { index, probes };
  }
}

/** A candidate's outcome at each seed (seed order), for the monotonicity check. */
export interface SeedOutcomes {
  index: number;
  seedsMet: boolean[];
}

/** A break in monotonicity: at seed position `seed`, candidate `missedIndex` missed although the smaller `metIndex` met. */
export interface Violation {
  metIndex: number;
  missedIndex: number;
  seed: number;
}

/**
 * Breaks in monotonicity among the runs made, seed by seed (the search's bracketing keeps the
 * all-seeds verdicts ordered, so noise shows up per seed): for each seed, a larger candidate that
 * missed after a smaller one met; one entry per (met, missed) pair, at its first seed.
 */
export function monotonicityViolations(outcomes: SeedOutcomes[]): Violation[] {
  const sorted = [...outcomes].sort((a, b) => a.index - b.index);
  const seeds = Math.max(0, ...sorted.map((o) => o.seedsMet.length));
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < seeds; k++) {
    let lastMet: number | null = null;
    for (const o of sorted) {
      const met = o.seedsMet[k];
      if (met === undefined) continue;
      if (met) lastMet = o.index;
      else if (lastMet !== null && !seen.has(`${lastMet}/${o.index}`)) {
        seen.add(`${lastMet}/${o.index}`);
        out.push({ metIndex: lastMet, missedIndex: o.index, seed: k });
      }
    }
  }
  return out.sort((a, b) => a.metIndex - b.metIndex || a.missedIndex - b.missedIndex);
}

/**
 * SLO met and every latency target met with room to spare: the percentile, failures counted
 * (slo.withFailuresMs), ≤ target·(1 − margin); margin in [0, 1).
 */
export function meetsWithMargin(s: Summary, margin: number): boolean {
  if (!(margin >= 0 && margin < 1)) throw new RangeError(`margin must be in [0, 1) (got ${margin})`);
  if (!s.slo.met) return false;
  // an LLM run: each of its targets (TTFT, TPOT, ITL, E2E percentiles) with the margin
  if (s.llm !== undefined) return s.llm.slo.every((t) => t.actualMs <= t.targetMs * (1 - margin));
  // several models: each model's own targets, with the same margin (the run's verdict has no targets of its own)
  return [s.slo, ...(s.models ?? []).map((m) => m.slo)].every((slo) => targetsWithMargin(slo, margin));
}

/** Every latency target of a verdict met with the margin (failures counted). */
function targetsWithMargin(slo: Summary['slo'], margin: number): boolean {
  for (const [key, targetMs] of Object.entries(slo.target)) {
    if (!key.endsWith('Ms')) continue;
    const v = slo.withFailuresMs[key.slice(0, -2)];
    if (v === null || v === undefined || v > targetMs * (1 - margin)) return false;
  }
  return true;
}

/**
 * What plan (and a sweep's ★ with a utilization bound) accepts: the SLO met with the margin
 * (meetsWithMargin) and, when `maxUtilization` is set, GPU utilization (nvidia-smi's busy share)
 * at most that share.
 */
export function planAccepts(s: Summary, margin: number, maxUtilization: number | null): boolean {
  if (!meetsWithMargin(s, margin)) return false;
  return withinUtilization(s, maxUtilization);
}

/** The utilization bound of plan, capacity and sweep (--max-utilization): GPU utilization (busy share) at most `maxUtilization`; null sets no bound. */
export function withinUtilization(s: Pick<Summary, 'gpu'>, maxUtilization: number | null): boolean {
  return maxUtilization === null || s.gpu.utilization <= maxUtilization;
}

/** Whether the scenario has anything for plan to meet (a latency target or a maximum error rate). */
export function hasSlo(sc: Scenario): boolean {
  // several models: any model's own SLO (the scenario's top-level one is the first model's)
  const slos = sc.topology?.kind === 'models' ? sc.topology.models.map((m) => m.slo ?? sc.slo) : [sc.slo];
  return slos.some((slo) => Object.keys(slo.latencyS).length > 0 || slo.maxErrorRate !== null);
}

/** The analytic replica estimate shown beside plan's answer (textbook rule at the peak rate and the saturation batch). */
export interface AnalyticEstimate {
  method: 'textbook';
  /** Highest arrival rate over the run (schedule × diurnal × spikes), requests/s. */
  peakRps: number;
  /** Batch size assumed: the batch a saturated replica runs (capacity.ts saturationBatch: maxBatch, or the largest preferred size when maxQueueDelay is 0). */
  batch: number;
  /** Mean latency of that batch from the model's table. */
  batchLatencyMs: number;
  /** Throughput ceiling of one replica: σ(instances)·batch / latency, requests/s. */
  perReplicaRps: number;
  targetUtilization: number;
  /** ceil(peakRps / (targetUtilization · perReplicaRps)). */
  replicas: number;
  /** M/M/c (Erlang C) replicas for the p99 target, when there is no batching (saturation batch 1, one instance) and a p99 target; else null. */
  erlangCReplicas: number | null;
  /** The cache's hit rate estimated from the scenario (theory/companions.ts); null without a cache or an estimate. */
  cacheHitRate: number | null;
  /** The textbook rule on peakRps·(1 − cacheHitRate), the traffic the cache leaves to the GPUs; the search starts here when set. */
  replicasBehindCache: number | null;
}

/** The textbook replica estimate for `sc` (null for trace replay or a zero peak rate). */
export function analyticReplicas(sc: Scenario, targetUtilization = TEXTBOOK_TARGET_UTILIZATION): AnalyticEstimate | null {
  const peakRps = peakArrivalRate(sc);
  if (peakRps === null || !(peakRps > 0)) return null;
  const f = sc.fleet;
  const replica = replicaPeak(f, sc.model.latency);
  const { batch, latencyS } = replica;
  const replicas = textbookFleetReplicas(peakRps, replica, targetUtilization);
  const c = companions(sc);
  let erlang: number | null = null;
  const p99 = sc.slo.latencyS.p99;
  if (batch === 1 && f.instances === 1 && p99 !== undefined) {
    try {
      erlang = erlangCReplicas({ lambda: peakRps, serviceS: latencyS, targetSojournS: p99 }).replicas;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
  }
  return {
    method: 'textbook',
    peakRps,
    batch,
    batchLatencyMs: latencyS * 1e3,
    perReplicaRps: replica.rps,
    targetUtilization,
    replicas,
    erlangCReplicas: erlang,
    cacheHitRate: c.cacheHitRate,
    replicasBehindCache: c.cacheHitRate === null ? null : textbookFleetReplicas(Math.max(0, peakRps * (1 - c.cacheHitRate)), replica, targetUtilization),
  };
}

/** The first index whose value is ≥ `target` in an ascending numeric list, else the last index; 0 for non-numeric lists. */
export function startIndexFor(values: readonly unknown[], target: number): number {
  if (!values.every((v) => typeof v === 'number')) return 0;
  const i = (values as number[]).findIndex((v) => v >= target);
  return i < 0 ? values.length - 1 : i;
}

/** `plan --format json`: the answer and the summary at it (first seed); value and summary null when nothing in range meets the SLO. */
export interface PlanDocument {
  path: string;
  value: unknown;
  summary: Summary | null;
  /** Simulations run. */
  runs: number;
  analytic: AnalyticEstimate | null;
  /** With --headroom k: the smallest value meeting the requirement; `value` is that + k (N+k). */
  headroom?: { replicasLost: number; minimumMeeting: unknown };
  /** With --max-utilization: the bound every seed's GPU utilization had to stay under. */
  maxUtilization?: number;
}
