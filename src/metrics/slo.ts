/**
 * The SLO verdict: the one place that decides whether a run (or one site of it) met its SLO,
 * and why not. Every consumer (the run table, --assert-slo, plan, sweep, compare, the reports)
 * reads the verdict this returns, never its own copy of the rule.
 *
 * The SLO is the users' view. A request that failed (rejected or timed out) is a request the
 * user did not get within target, so it counts as a miss twice over:
 *   - attainment = requests completed within the attainment target / requests that finished
 *     (completed + rejected + timed out);
 *   - each named percentile is taken over every finished request with the failed ones counted
 *     as infinitely slow: the p-quantile of N = completed + failed values is the one at rank
 *     r = ⌈p·N⌉, which is the r-th fastest completion when r ≤ completed and "beyond any target"
 *     otherwise. So a p99 SLO cannot be met with more than 1 % of the finished requests failed.
 * maxErrorRate, when given, is an additional bound on (rejected + timedOut) / finished.
 *
 * Requests still in flight when the run ends are left out of both (their outcome is unknown, and
 * counting them would make the verdict depend on where the run stops); the summary reports them.
 *
 * Which part failed:
 *   latency: the completions alone are too slow (a named percentile of the completed requests is
 *            above its target; also when nothing finished at all: no response came back);
 *   errors:  the failures alone miss it (the error rate is above maxErrorRate, or more requests
 *            failed than a named percentile allows: its rank falls on a failure, whatever the
 *            completions' latencies);
 *   both:    both of those, or neither alone but the two together (the failures push a percentile
 *            onto completions slower than its target).
 */
import type { Slo } from '../config/scenario.js';
import type { Histogram } from './histogram.js';
import { PERCENTILES, tidy } from './round.js';

/** Why an SLO was missed. */
export type SloFailedBy = 'latency' | 'errors' | 'both';

export interface SloVerdict {
  met: boolean;
  /** null when met. */
  failedBy: SloFailedBy | null;
  attainment: number;
  /** (rejected + timedOut) / finished; 0 when nothing finished. */
  errorRate: number;
  /** p99Ms … for each latency target, maxErrorRate when given. */
  target: Record<string, number>;
  /** Each named percentile over finished requests, failures counted as infinitely slow; null when it falls on a failure (or nothing finished). */
  withFailuresMs: Record<string, number | null>;
}

/** The counts the verdict needs (a Recorder has them). */
export interface SloCounts {
  /** Latencies of the completed requests (seconds). */
  latency: Histogram;
  completed: number;
  rejected: number;
  timedOut: number;
  /** Completed requests within the attainment target. */
  withinSlo: number;
}

/** The latency a request must meet to count toward attainment: the p99 target, else the highest given, else none (Infinity). */
export function attainmentTargetS(slo: Slo): number {
  const t = slo.latencyS;
  return t.p99 ?? t.p999 ?? t.p95 ?? t.p90 ?? t.p50 ?? Infinity;
}

/** The p-quantile (0 < p ≤ 1) over `completed` recorded latencies plus `failed` infinite ones, in seconds; Infinity when it falls on a failure, NaN when there is nothing. */
export function quantileWithFailures(h: Histogram, failed: number, p: number): number {
  const n = h.count + failed;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * n - 1e-9));
  return rank <= h.count ? h.atRank(rank) : Infinity;
}

/** The verdict of `slo` on the requests counted in `c` (see the file comment for the rules). */
export function judgeSlo(slo: Slo, c: SloCounts): SloVerdict {
  const h = c.latency;
  const failed = c.rejected + c.timedOut;
  const finished = c.completed + failed;
  const errorRate = finished > 0 ? failed / finished : 0;
  const target: Record<string, number> = {};
  const withFailuresMs: Record<string, number | null> = {};
  let met = true;
  let latencyAlone = false;
  let errorsAlone = false;
  for (const [name, q] of PERCENTILES) {
    const t = slo.latencyS[name];
    if (t === undefined) continue;
    const tMs = t * 1e3;
    target[`${name}Ms`] = tidy(tMs);
    if (finished === 0) {
      // nothing came back: no response within target
      withFailuresMs[name] = null;
      met = false;
      latencyAlone = true;
      continue;
    }
    const v = quantileWithFailures(h, failed, q);
    const vMs = Number.isFinite(v) ? tidy(v * 1e3) : null;
    withFailuresMs[name] = vMs;
    if (vMs === null || vMs > tMs) met = false;
    if (vMs === null) errorsAlone = true;
    if (h.count > 0 && tidy(h.quantile(q) * 1e3) > tMs) latencyAlone = true;
  }
  if (slo.maxErrorRate !== null) {
    target.maxErrorRate = slo.maxErrorRate;
    if (errorRate > slo.maxErrorRate) {
      met = false;
      errorsAlone = true;
    }
  }
  const failedBy: SloFailedBy | null = met ? null : latencyAlone && !errorsAlone ? 'latency' : errorsAlone && !latencyAlone ? 'errors' : 'both';
  return { met, failedBy, attainment: finished > 0 ? tidy(c.withinSlo / finished) : 0, errorRate: tidy(errorRate), target, withFailuresMs };
}

/** How a verdict reads in one word or two: "met", "missed (latency)", "missed (errors)", "missed (latency + errors)". */
export function verdictWord(v: { met: boolean; failedBy: SloFailedBy | null }): string {
  if (v.met) return 'met';
  return v.failedBy === null ? 'missed' : `missed (${failedByText(v.failedBy)})`;
}

/** "latency", "errors" or "latency + errors". */
export function failedByText(f: SloFailedBy): string {
  return f === 'both' ? 'latency + errors' : f;
}
