/**
 * Closed-form queueing and cache results (VALIDATION.md "Closed forms", MODELS.md §8).
 *
 * These are the analytic companions shown next to simulated answers and the
 * references the simulator's theory tests compare against. Units: seconds and
 * requests per second everywhere. Unstable or invalid input throws a RangeError
 * whose message names the offending argument, because a silently infinite or
 * NaN "answer" next to a simulated one would be worse than no answer.
 */

import { interpolateLatencyS, sharingSpeedup } from '../serving/latency.js';
import { zipfHIntegral } from '../workload/keys.js';

// ---------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  }
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  }
}

function requireProbability(name: string, p: number): void {
  // p = 1 would be an infinite quantile; refuse it rather than return Infinity.
  if (!Number.isFinite(p) || p < 0 || p >= 1) {
    throw new RangeError(`${name} must be in [0, 1), got ${p}`);
  }
}

function requireTime(name: string, t: number): void {
  if (Number.isNaN(t) || t < 0) {
    throw new RangeError(`${name} must be >= 0, got ${t}`);
  }
}

/**
 * Smallest t >= 0 with tail(t) <= q for a non-increasing tail with tail(0) >= q.
 * Bisection because the M/M/c sojourn tail has no closed-form inverse.
 */
function invertTail(tail: (t: number) => number, q: number, scaleS: number): number {
  if (tail(0) <= q) return 0;
  let lo = 0;
  let hi = scaleS;
  // Doubling bracket; 2000 doublings would overflow long before, so this terminates.
  while (tail(hi) > q) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) throw new RangeError('quantile search diverged');
  }
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (tail(mid) > q) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------
// M/M/1
// ---------------------------------------------------------------------------

/** M/M/1 performance measures. */
export interface MM1Result {
  utilization: number;
  /** Mean time in queue before service starts. */
  meanWaitS: number;
  /** Mean time in system (wait + service). */
  meanSojournS: number;
  /** P(sojourn > t). */
  sojournTailProb: (tS: number) => number;
  /** p-quantile of sojourn time, p in [0, 1). */
  sojournQuantileS: (p: number) => number;
}

/** M/M/1 queue with arrival rate lambda and service rate mu (requests/s); throws RangeError unless 0 <= lambda < mu. */
export function mm1(lambda: number, mu: number): MM1Result {
  requireNonNegative('lambda', lambda);
  requirePositive('mu', mu);
  if (lambda >= mu) {
    throw new RangeError(`M/M/1 is unstable: lambda (${lambda}) must be < mu (${mu})`);
  }
  const rho = lambda / mu;
  const gap = mu - lambda;
  return {
    utilization: rho,
    meanWaitS: rho / gap,
    meanSojournS: 1 / gap,
    sojournTailProb: (tS: number): number => {
      requireTime('t', tS);
      return Math.exp(-gap * tS);
    },
    sojournQuantileS: (p: number): number => {
      requireProbability('p', p);
      return -Math.log1p(-p) / gap;
    },
  };
}

// ---------------------------------------------------------------------------
// Erlang C and M/M/c
// ---------------------------------------------------------------------------

/** Erlang C probability that an arrival waits in M/M/c with c servers and offered load a = lambda/mu (erlangs); throws RangeError unless a < c. */
export function erlangC(c: number, offeredLoad: number): number {
  requirePositiveInteger('c', c);
  requireNonNegative('offeredLoad', offeredLoad);
  if (offeredLoad >= c) {
    throw new RangeError(
      `M/M/c is unstable: offered load (${offeredLoad} erlangs) must be < c (${c})`,
    );
  }
  // Erlang B recursion instead of factorials: stays in [0, 1] for any c.
  const a = offeredLoad;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/** M/M/c performance measures. */
export interface MMCResult {
  /** Per-server busy share lambda / (c mu). */
  utilization: number;
  /** Erlang C: probability an arrival has to queue. */
  probWait: number;
  meanWaitS: number;
  meanSojournS: number;
  /** P(wait in queue > t). */
  waitTailProb: (tS: number) => number;
  /** p-quantile of queueing wait (0 while p <= 1 - probWait). */
  waitQuantileS: (p: number) => number;
  /** P(sojourn > t). */
  sojournTailProb: (tS: number) => number;
  /** p-quantile of sojourn time, by bisection on the tail. */
  sojournQuantileS: (p: number) => number;
}

/** M/M/c queue: arrivals lambda/s, service rate mu per server, c servers; throws RangeError unless lambda < c mu. */
export function mmc(lambda: number, mu: number, c: number): MMCResult {
  requireNonNegative('lambda', lambda);
  requirePositive('mu', mu);
  requirePositiveInteger('c', c);
  if (lambda >= c * mu) {
    throw new RangeError(
      `M/M/c is unstable: lambda (${lambda}) must be < c*mu (${c}*${mu} = ${c * mu})`,
    );
  }
  const a = lambda / mu;
  const probWait = erlangC(c, a);
  const drain = c * mu - lambda;
  // x = (drain - mu)/mu; the tail formula divides by it, so x = 0 takes its limit.
  const x = c - 1 - a;

  const waitTailProb = (tS: number): number => {
    requireTime('t', tS);
    return probWait * Math.exp(-drain * tS);
  };

  const sojournTailProb = (tS: number): number => {
    requireTime('t', tS);
    const muT = mu * tS;
    const serviceTail = Math.exp(-muT);
    if (x === 0) return serviceTail * (1 + probWait * muT);
    if (x > 0) {
      // expm1 keeps (1 - e^{-mu t x})/x accurate when x is tiny.
      return serviceTail * (1 + (probWait * -Math.expm1(-muT * x)) / x);
    }
    // x < 0: e^{-mu t x} grows, so factor out e^{-drain t} instead to avoid Inf*0.
    const ax = -x;
    return serviceTail + (probWait * Math.exp(-drain * tS) * -Math.expm1(-muT * ax)) / ax;
  };

  const meanWaitS = probWait / drain;
  const meanSojournS = meanWaitS + 1 / mu;
  return {
    utilization: lambda / (c * mu),
    probWait,
    meanWaitS,
    meanSojournS,
    waitTailProb,
    waitQuantileS: (p: number): number => {
      requireProbability('p', p);
      const q = 1 - p;
      return q >= probWait ? 0 : Math.log(probWait / q) / drain;
    },
    sojournTailProb,
    sojournQuantileS: (p: number): number => {
      requireProbability('p', p);
      return invertTail(sojournTailProb, 1 - p, meanSojournS);
    },
  };
}

// ---------------------------------------------------------------------------
// M/D/1 and M/G/1
// ---------------------------------------------------------------------------

/** Mean-value measures of a single-server queue. */
export interface SingleServerMeans {
  utilization: number;
  meanWaitS: number;
  meanSojournS: number;
}

/** M/G/1 mean wait by Pollaczek–Khinchine, Wq = lambda E[S^2] / (2(1 - rho)); throws RangeError unless rho < 1 and E[S^2] >= E[S]^2. */
export function mg1(lambda: number, meanS: number, secondMomentS2: number): SingleServerMeans {
  requireNonNegative('lambda', lambda);
  requirePositive('meanS', meanS);
  requireNonNegative('secondMomentS2', secondMomentS2);
  // Relative slack so a deterministic E[S]^2 computed in floating point is accepted.
  if (secondMomentS2 < meanS * meanS * (1 - 1e-12)) {
    throw new RangeError(
      `secondMomentS2 (${secondMomentS2}) must be >= meanS^2 (${meanS * meanS}): variance cannot be negative`,
    );
  }
  const rho = lambda * meanS;
  if (rho >= 1) {
    throw new RangeError(`M/G/1 is unstable: utilization lambda*meanS = ${rho} must be < 1`);
  }
  const meanWaitS = (lambda * secondMomentS2) / (2 * (1 - rho));
  return { utilization: rho, meanWaitS, meanSojournS: meanWaitS + meanS };
}

/** M/D/1 mean wait Wq = rho D / (2(1 - rho)) with constant service serviceS; throws RangeError unless lambda serviceS < 1. */
export function md1(lambda: number, serviceS: number): SingleServerMeans {
  requireNonNegative('lambda', lambda);
  requirePositive('serviceS', serviceS);
  const rho = lambda * serviceS;
  if (rho >= 1) {
    throw new RangeError(`M/D/1 is unstable: utilization lambda*serviceS = ${rho} must be < 1`);
  }
  const meanWaitS = (rho * serviceS) / (2 * (1 - rho));
  return { utilization: rho, meanWaitS, meanSojournS: meanWaitS + serviceS };
}

/**
 * M/D/1 waiting-time distribution P(Wq ≤ t) by Erlang's formula
 * (1 − ρ) Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k / k! · e^{−λ(kD − t)}; accurate while t/D stays below ~30.
 */
export function md1WaitCdf(lambda: number, serviceS: number, t: number): number {
  md1(lambda, serviceS); // validates
  if (t < 0) return 0;
  const rho = lambda * serviceS;
  let sum = 0;
  const kMax = Math.floor(t / serviceS);
  for (let k = 0; k <= kMax; k++) {
    const x = lambda * (k * serviceS - t); // ≤ 0
    let term = Math.exp(-x);
    for (let j = 1; j <= k; j++) term *= x / j;
    sum += term;
  }
  return Math.min(1, Math.max(0, (1 - rho) * sum));
}

/** M/D/1 sojourn-time p-quantile: the waiting-time quantile (bisection on md1WaitCdf) plus the service time. */
export function md1SojournQuantileS(lambda: number, serviceS: number, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1) (got ${p})`);
  if (md1WaitCdf(lambda, serviceS, 0) >= p) return serviceS;
  let lo = 0;
  let hi = serviceS;
  while (md1WaitCdf(lambda, serviceS, hi) < p) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = 0.5 * (lo + hi);
    if (md1WaitCdf(lambda, serviceS, mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi) + serviceS;
}

// ---------------------------------------------------------------------------
// Bulk service M/M^[K]/1
// ---------------------------------------------------------------------------

/** Bulk-service queue measures. */
export interface BulkServiceResult {
  /** Root in (0, 1) of mu r^{K+1} - (lambda + mu) r + lambda = 0. */
  r0: number;
  /** Probability an arrival waits at all, lambda / (lambda + mu(1 - r0)). */
  probWait: number;
  /** P(wait > t) = probWait e^{-mu(1 - r0^K) t}. */
  waitTailProb: (tS: number) => number;
  /** p-quantile of the wait before the arrival's batch starts. */
  waitQuantileS: (p: number) => number;
  meanWaitS: number;
}

/**
 * Root in (0,1) of mu r^{K+1} - (lambda+mu) r + lambda.
 * That polynomial is (1 - r)(lambda - mu(r + ... + r^K)); the second factor is
 * strictly decreasing on (0,1) with a sign change, so plain bisection on it is
 * safe, unlike on the original polynomial whose root at r = 1 sits next to ours.
 */
function bulkRoot(lambda: number, mu: number, k: number): number {
  const g = (r: number): number => {
    // r + ... + r^K = r (1 - r^K)/(1 - r), with expm1 for accuracy near r = 1.
    const sum = (r * -Math.expm1(k * Math.log(r))) / (1 - r);
    return lambda - mu * sum;
  };
  if (lambda === 0) return 0;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** M/M^[K]/1 bulk service (up to K per batch, Exp(mu) per batch, no batching delay); throws RangeError unless lambda < K mu. */
export function bulkServiceMMK1(lambda: number, mu: number, K: number): BulkServiceResult {
  requireNonNegative('lambda', lambda);
  requirePositive('mu', mu);
  requirePositiveInteger('K', K);
  if (lambda >= K * mu) {
    throw new RangeError(
      `M/M^[K]/1 is unstable: lambda (${lambda}) must be < K*mu (${K}*${mu} = ${K * mu})`,
    );
  }
  const r0 = bulkRoot(lambda, mu, K);
  const probWait = lambda / (lambda + mu * (1 - r0));
  const decay = mu * -Math.expm1(K * Math.log(r0));
  return {
    r0,
    probWait,
    meanWaitS: probWait / decay,
    waitTailProb: (tS: number): number => {
      requireTime('t', tS);
      return probWait * Math.exp(-decay * tS);
    },
    waitQuantileS: (p: number): number => {
      requireProbability('p', p);
      const q = 1 - p;
      return q >= probWait ? 0 : Math.log(probWait / q) / decay;
    },
  };
}

// ---------------------------------------------------------------------------
// Caches
// ---------------------------------------------------------------------------

/** Hit ratio of one key with Poisson rate lambda and a TTL ttlS set on each miss: lambda T / (1 + lambda T). */
export function singleKeyTtlHitRatio(lambda: number, ttlS: number): number {
  requireNonNegative('lambda', lambda);
  requireNonNegative('ttlS', ttlS);
  const lt = lambda * ttlS;
  return lt / (1 + lt);
}

/** Outcome shares for one key under TTL + request coalescing (sum to 1). */
export interface CoalescedShares {
  /** Served from a fresh entry. */
  hit: number;
  /** Arrived while the key's fetch was in flight and waited for it. */
  delayedHit: number;
  /** Started a fetch. */
  miss: number;
}

/** One key, Poisson rate lambda, TTL ttlS, fetch time fetchS with single-flight coalescing: shares per VALIDATION.md. */
export function singleKeyTtlCoalesced(lambda: number, ttlS: number, fetchS: number): CoalescedShares {
  requireNonNegative('lambda', lambda);
  requireNonNegative('ttlS', ttlS);
  requireNonNegative('fetchS', fetchS);
  // Renewal cycle: one miss, then lambda*D delayed hits during the fetch, then lambda*T hits.
  const denom = 1 + lambda * (fetchS + ttlS);
  return {
    hit: (lambda * ttlS) / denom,
    delayedHit: (lambda * fetchS) / denom,
    miss: 1 / denom,
  };
}

/** Che's approximation result. */
export interface CheResult {
  /** Request-weighted LRU hit ratio. */
  hitRatio: number;
  /**
   * t_C in units of requests (popularities are normalized to sum 1); divide by
   * the total request rate for seconds. Infinity when everything fits.
   */
  characteristicTime: number;
}

/** LRU hit ratio under independent requests by Che's approximation; popularities are normalized inside, capacity in entries. */
export function cheLruHitRatio(popularities: Float64Array | number[], capacity: number): CheResult {
  requireNonNegative('capacity', capacity);
  const n = popularities.length;
  if (n === 0) throw new RangeError('popularities must not be empty');
  let total = 0;
  let positive = 0;
  let minP = Infinity;
  for (let i = 0; i < n; i++) {
    const v = popularities[i] as number;
    if (!Number.isFinite(v) || v < 0) {
      throw new RangeError(`popularities must be finite and >= 0, got ${v} at index ${i}`);
    }
    total += v;
    if (v > 0) {
      positive++;
      if (v < minP) minP = v;
    }
  }
  if (total <= 0) throw new RangeError('popularities must have a positive sum');
  // Keys never requested occupy no slot in Che's model, so only positive ones count.
  if (capacity >= positive) return { hitRatio: 1, characteristicTime: Infinity };
  if (capacity === 0) return { hitRatio: 0, characteristicTime: 0 };

  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = (popularities[i] as number) / total;
  minP /= total;

  // F(t) = sum(1 - e^{-p t}) - C. Since 1 - e^{-x} <= x and sum p = 1, F(C) <= 0;
  // each term is >= 1 - e^{-pmin t}, so F >= 0 once positive*(1 - e^{-pmin t}) >= C.
  let loU = Math.log(capacity);
  let hiU = Math.log(-Math.log1p(-capacity / positive) / minP);
  if (!(hiU > loU)) hiU = loU + 1e-12;

  const evaluate = (t: number): { f: number; dfdu: number } => {
    let occupied = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      const pi = p[i] as number;
      const e = Math.exp(-pi * t);
      occupied += 1 - e;
      slope += pi * e;
    }
    return { f: occupied - capacity, dfdu: slope * t };
  };

  // Newton in u = log t, falling back to bisection whenever a step leaves the
  // bracket: a few O(n) passes instead of ~50, which keeps 10^6 keys fast.
  let u = 0.5 * (loU + hiU);
  for (let iter = 0; iter < 100; iter++) {
    const { f, dfdu } = evaluate(Math.exp(u));
    if (Math.abs(f) <= 1e-10 * capacity) break;
    if (f < 0) loU = u;
    else hiU = u;
    if (hiU - loU <= 1e-14 * Math.max(1, Math.abs(u))) break;
    let next = dfdu > 0 ? u - f / dfdu : NaN;
    if (!(next > loU && next < hiU)) next = 0.5 * (loU + hiU);
    u = next;
  }
  const t = Math.exp(u);
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i] as number;
    hit += pi * -Math.expm1(-pi * t);
  }
  return { hitRatio: Math.min(1, hit), characteristicTime: t };
}

/**
 * Che's approximation for an LRU of `capacity` entries under Zipf(n, s) popularities
 * (p_i ∝ i^−s, i = 1..n), optionally with a TTL: each key's hit probability is bounded by
 * the TTL cache's λ_i·T/(1 + λ_i·T) at `ratePerS` requests/s (entries expire T after they
 * are stored, hits do not renew them). O(1) in n: the first 4096 ranks are summed, the
 * rest integrated (Simpson over log x, 512 panels), and the normalizer's tail taken by
 * Euler–Maclaurin, so 10^9 keys cost what 10^4 do. Agrees with cheLruHitRatio on the
 * explicit popularities within 10^−4 (tested).
 */
export function cheZipfHitRatio(n: number, exponent: number, capacity: number, ttl?: { ttlS: number; ratePerS: number }): number {
  requirePositiveInteger('n', n);
  requireNonNegative('exponent', exponent);
  requireNonNegative('capacity', capacity);
  const s = exponent;
  const head = Math.min(n, 4096);
  const w = (x: number): number => Math.exp(-s * Math.log(x));
  // the normalizer: head summed, tail by Euler–Maclaurin on ∫ x^−s
  let total = 0;
  for (let i = head; i >= 1; i--) total += w(i);
  if (n > head) {
    const a = head + 1;
    const d1 = (x: number): number => -s * Math.exp(-(s + 1) * Math.log(x));
    total += zipfHIntegral(n, s) - zipfHIntegral(a, s) + (w(a) + w(n)) / 2 + (d1(n) - d1(a)) / 12;
  }
  const ttlBound = (p: number): number => {
    if (!ttl || !(ttl.ttlS < Infinity)) return 1;
    const lt = p * ttl.ratePerS * ttl.ttlS;
    return lt < Infinity ? lt / (1 + lt) : 1;
  };
  // Σ over ranks of g(p_i): exact for the head, Simpson over u = ln x for the tail
  const PANELS = 512;
  const sumOver = (g: (p: number) => number): number => {
    let acc = 0;
    for (let i = 1; i <= head; i++) acc += g(w(i) / total);
    if (n > head) {
      const lo = Math.log(head + 0.5);
      const hi = Math.log(n + 0.5);
      const h = (hi - lo) / PANELS;
      let integral = 0;
      for (let k = 0; k <= PANELS; k++) {
        const u = lo + k * h;
        const x = Math.exp(u);
        const f = g(w(x) / total) * x;
        integral += (k === 0 || k === PANELS ? 1 : k % 2 === 1 ? 4 : 2) * f;
      }
      acc += (integral * h) / 3;
    }
    return acc;
  };
  // (the sum of the popularities is 1 up to rounding: never above it)
  if (capacity >= n) return Math.min(1, sumOver((p) => p * ttlBound(p)));
  if (capacity === 0) return 0;
  // occupancy Σ(1 − e^{−p t}) = capacity, by bisection on ln t
  let loU = Math.log(capacity);
  let hiU = Math.log(capacity) + 60;
  for (let iter = 0; iter < 100 && hiU - loU > 1e-10; iter++) {
    const u = 0.5 * (loU + hiU);
    const t = Math.exp(u);
    if (sumOver((p) => -Math.expm1(-p * t)) < capacity) loU = u;
    else hiU = u;
  }
  const t = Math.exp(0.5 * (loU + hiU));
  return Math.min(1, sumOver((p) => p * Math.min(-Math.expm1(-p * t), ttlBound(p))));
}

/** Zipf popularities p_i proportional to i^{-exponent}, i = 1..n, normalized to sum 1. */
export function zipfPopularities(n: number, exponent: number): Float64Array {
  requirePositiveInteger('n', n);
  requireNonNegative('exponent', exponent);
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.pow(i + 1, -exponent);
    p[i] = w;
    total += w;
  }
  for (let i = 0; i < n; i++) p[i] = (p[i] as number) / total;
  return p;
}

/** Expected background recomputes per expiry under XFetch without a lock, e^{1/beta}; throws RangeError unless beta > 0. */
export function xfetchExpectedRecomputes(beta: number): number {
  requirePositive('beta', beta);
  return Math.exp(1 / beta);
}

// ---------------------------------------------------------------------------
// Sizing rules
// ---------------------------------------------------------------------------

/** Inputs of the textbook sizing rule. */
export interface TextbookSizingInput {
  peakRps: number;
  /** Latency of one (batched) inference. */
  latencyS: number;
  /** Target busy share in (0, 1]. */
  targetUtilization: number;
  /** Requests served per inference; defaults to 1. */
  batch?: number;
}

/** Textbook rule replicas = ceil(peakRps * latencyS / targetUtilization / batch). */
export function textbookReplicas(input: TextbookSizingInput): number {
  const { peakRps, latencyS, targetUtilization } = input;
  const batch = input.batch ?? 1;
  requireNonNegative('peakRps', peakRps);
  requirePositive('latencyS', latencyS);
  if (!Number.isFinite(targetUtilization) || targetUtilization <= 0 || targetUtilization > 1) {
    throw new RangeError(`targetUtilization must be in (0, 1], got ${targetUtilization}`);
  }
  requirePositive('batch', batch);
  const raw = (peakRps * latencyS) / targetUtilization / batch;
  // 100 * 0.05 / 0.5 is 10.000000000000002 in floating point; that is 10, not 11.
  const nearest = Math.round(raw);
  if (Math.abs(raw - nearest) <= 1e-9 * Math.max(1, raw)) return nearest;
  return Math.ceil(raw);
}

/**
 * The batch a replica runs back to back when saturated (its queue never empties), under
 * Triton's dynamic batcher (MODELS.md §3; core, src/dynamic_batch_scheduler.cc): with a
 * maxQueueDelay > 0 the oldest request of an ever-growing queue has waited longer than the
 * delay, so everything pending goes, maxBatch; with a maxQueueDelay of 0 the delay never
 * expires and the largest preferred size caps every batch. No preferred sizes = {maxBatch}.
 */
export function saturationBatch(batching: { maxBatch: number; maxQueueDelayS: number; preferred: readonly number[] }): number {
  const { maxBatch, maxQueueDelayS, preferred } = batching;
  requirePositive('maxBatch', maxBatch);
  if (maxQueueDelayS > 0 || preferred.length === 0) return maxBatch;
  let largest = 0;
  for (const p of preferred) if (p <= maxBatch && p > largest) largest = p;
  return largest > 0 ? largest : maxBatch;
}

/** Per-replica throughput ceiling, instances * batch / latencyAtBatchS (requests/s), `batch` the saturation batch (saturationBatch). */
export function maxThroughputPerReplica(
  batch: number,
  latencyAtBatchS: number,
  instances = 1,
): number {
  requirePositive('batch', batch);
  requirePositive('latencyAtBatchS', latencyAtBatchS);
  requirePositive('instances', instances);
  return (instances * batch) / latencyAtBatchS;
}

/** What one replica of a fleet serves flat out, from its configuration alone (replicaPeak). */
export interface ReplicaPeak {
  /** The batch it runs back to back when saturated (saturationBatch). */
  batch: number;
  /** Mean latency of that batch from the latency table, seconds. */
  latencyS: number;
  /** σ(instances) = 1 + overlap·(instances − 1): its instances together, in units of one (serving/latency.ts sharingSpeedup). */
  sigma: number;
  /** Requests/s: σ · batch / latencyS (maxThroughputPerReplica). */
  rps: number;
}

/**
 * The peak throughput of one replica: its saturated batches back to back, σ(instances)·b / latency(b),
 * b = saturationBatch(fleet.batching). The table already describes the replica (a MIG slice has its
 * own); latency variability is ignored (its mean is 1); arrivals above this rate make its queue grow.
 */
export function replicaPeak(
  fleet: { batching: { maxBatch: number; maxQueueDelayS: number; preferred: readonly number[] }; instances: number; overlap: number },
  table: Parameters<typeof interpolateLatencyS>[0],
): ReplicaPeak {
  const batch = saturationBatch(fleet.batching);
  const latencyS = interpolateLatencyS(table, batch);
  const sigma = sharingSpeedup(fleet.overlap, fleet.instances);
  return { batch, latencyS, sigma, rps: maxThroughputPerReplica(batch, latencyS, sigma) };
}

/** The target utilization of the textbook rule unless told otherwise: replicas 70 % busy at the peak. */
export const TEXTBOOK_TARGET_UTILIZATION = 0.7;

/**
 * The textbook rule for a fleet of `replica`s at `peakRps` (targetUtilization: the busy share wanted at
 * the peak): ceil(peakRps · (latencyS/σ) / targetUtilization / batch), that is
 * ceil(peakRps / (targetUtilization · replica.rps)) but for rounding.
 */
export function textbookFleetReplicas(peakRps: number, replica: ReplicaPeak, targetUtilization = TEXTBOOK_TARGET_UTILIZATION): number {
  return textbookReplicas({ peakRps, latencyS: replica.latencyS / replica.sigma, targetUtilization, batch: replica.batch });
}

/** Inputs of the Erlang C sizing search. */
export interface ErlangCSizingInput {
  /** Arrival rate, requests/s. */
  lambda: number;
  /** Mean service time per request (exponential), seconds. */
  serviceS: number;
  /** Sojourn-time target at `quantile`, seconds. */
  targetSojournS: number;
  /** Quantile the target applies to; defaults to 0.99. */
  quantile?: number;
}

/** Erlang C sizing answer: the replica count and its M/M/c measures. */
export interface ErlangCSizing {
  replicas: number;
  utilization: number;
  probWait: number;
  meanWaitS: number;
  meanSojournS: number;
  sojournQuantileS: number;
}

/** Cap on the search so a target a hair above the service-time quantile cannot loop forever. */
const MAX_ERLANG_REPLICAS = 10_000_000;

/** Smallest c whose M/M/c sojourn quantile (default p99) is <= targetSojournS; throws RangeError if no c can meet it. */
export function erlangCReplicas(input: ErlangCSizingInput): ErlangCSizing {
  const { lambda, serviceS, targetSojournS } = input;
  const quantile = input.quantile ?? 0.99;
  requireNonNegative('lambda', lambda);
  requirePositive('serviceS', serviceS);
  requirePositive('targetSojournS', targetSojournS);
  if (!Number.isFinite(quantile) || quantile <= 0 || quantile >= 1) {
    throw new RangeError(`quantile must be in (0, 1), got ${quantile}`);
  }
  const mu = 1 / serviceS;
  const q = 1 - quantile;
  // Sojourn >= service time, so even infinitely many servers give -ln(q)/mu.
  const floorS = -Math.log(q) / mu;
  if (targetSojournS <= floorS) {
    throw new RangeError(
      `targetSojournS (${targetSojournS} s) must exceed the service-time p${quantile * 100} ` +
        `(${floorS} s): no replica count can meet it`,
    );
  }
  // Comparing the tail at the target is exact; comparing bisected quantiles is not.
  const meets = (c: number): boolean => mmc(lambda, mu, c).sojournTailProb(targetSojournS) <= q;
  let lo = Math.floor(lambda / mu); // unstable or infeasible (or 0)
  let step = 1;
  let hi = lo + step;
  while (!meets(hi)) {
    lo = hi;
    step *= 2;
    hi = lo + step;
    if (hi > MAX_ERLANG_REPLICAS) {
      throw new RangeError(`no replica count up to ${MAX_ERLANG_REPLICAS} meets the target`);
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (meets(mid)) hi = mid;
    else lo = mid;
  }
  const m = mmc(lambda, mu, hi);
  return {
    replicas: hi,
    utilization: m.utilization,
    probWait: m.probWait,
    meanWaitS: m.meanWaitS,
    meanSojournS: m.meanSojournS,
    sojournQuantileS: m.sojournQuantileS(quantile),
  };
}
