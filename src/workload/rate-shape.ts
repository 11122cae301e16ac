/**
 * The traffic rate over time, λ(t) = schedule(t) · diurnal(t) · spikes(t) · scale, and its
 * inversion for non-homogeneous arrivals by time rescaling.
 *
 * An arrival process is generated in "operational time" u (a unit-rate process:
 * Poisson, gamma renewal or MMPP) and mapped to real time by t = Λ⁻¹(u), with
 * Λ(t) = ∫₀ᵗ λ. Λ is kept exactly piecewise quadratic: λ is linear between the
 * schedule's breakpoints and the spikes' edges, and a diurnal cosine is followed
 * on a grid of period/2880 (relative error of λ below 1e-6 · amplitude), so the
 * expected count in any window is right and no gap is ever truncated.
 */
import type { Traffic } from '../config/scenario.js';

/** Rate in requests/s at time t; `left` asks for the limit from the left at a step. */
export function rateAt(traffic: Traffic, t: number, left = false): number {
  return scheduleRate(traffic, t, left) * diurnalFactor(traffic, t) * spikeFactor(traffic, t, left) * (traffic.scale ?? 1);
}

function scheduleRate(traffic: Traffic, t: number, left: boolean): number {
  const steps = traffic.schedule;
  let level = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (left ? t <= s.atS : t < s.atS) break;
    if (s.rampS > 0) {
      const endS = s.atS + s.rampS;
      if (t < endS) {
        const f = (t - s.atS) / s.rampS;
        return level + (s.rps - level) * f;
      }
      // the limit from the left at a ramp's end is the ramp's last value, even when a later step began during the ramp
      if (left && t === endS) return s.rps;
    }
    level = s.rps;
  }
  return level;
}

function diurnalFactor(traffic: Traffic, t: number): number {
  const d = traffic.diurnal;
  if (!d) return 1;
  // the peak's phase within one period: t − 1e308 would overflow to −Infinity and the cosine to NaN
  return 1 + d.amplitude * Math.cos((2 * Math.PI * (t - (d.peakAtS % d.periodS))) / d.periodS);
}

function spikeFactor(traffic: Traffic, t: number, left: boolean): number {
  let f = 1;
  for (const s of traffic.spikes) {
    const inside = left ? t > s.atS && t <= s.atS + s.forS : t >= s.atS && t < s.atS + s.forS;
    if (inside) f *= s.factor;
  }
  return f;
}

/** Times where λ has a kink or a step, ascending and de-duplicated. */
export function breakpoints(traffic: Traffic): number[] {
  const pts: number[] = [];
  for (const s of traffic.schedule) {
    pts.push(s.atS);
    if (s.rampS > 0) pts.push(s.atS + s.rampS);
  }
  for (const s of traffic.spikes) pts.push(s.atS, s.atS + s.forS);
  pts.sort((a, b) => a - b);
  return pts.filter((v, i) => i === 0 || v !== pts[i - 1]);
}

/**
 * sup of λ(t) over [0, durationS]: the peak arrival rate of the rate shape (schedule ×
 * diurnal × spikes; the burst process is left out: it moves arrivals around λ, not λ).
 * The one home of this formula: `run`'s analytic companions, `plan` and the load-time
 * limits all call it.
 *
 * Exact up to floating point, not sampled. Between consecutive breakpoints (steps, ramp
 * ends, spike edges; clipped to [0, durationS]) λ(t) = c·L(t)·D(t) with c the spikes'
 * constant factor, L(t) = a + b·t the schedule (linear) and D(t) = 1 + A·cos(ω(t − peakAt))
 * the diurnal factor. Each closed cell is searched, so a step's level before and after it
 * both count (the limits from either side). On a cell:
 * - without a diurnal factor, λ is linear: its sup is at an end;
 * - with a flat schedule (b = 0), sup D is 1 + A if a diurnal peak falls in the cell, else an end;
 * - on a ramp, λ(t + P) = c·L(t + P)·D(t) ≥ λ(t) when b > 0 (≤ when b < 0): the sup lies in
 *   the cell's last (first) period. That window is cut at the cosine's extrema and at the
 *   points where cos θ = −A; between those log D is either concave (cos θ ≥ −A, so log λ is
 *   concave and λ has at most one interior maximum: the sign change of λ′ from + to −, found
 *   by bisection to the last bit) or convex (cos θ < −A, around a trough), where λ′ is
 *   sampled at 64 points and every + → − change bisected.
 * Cost: O(cells) plus O(1) per ramp cell, whatever the number of diurnal periods.
 */
export function peakRate(traffic: Traffic, durationS: number): number {
  const end = Math.max(0, durationS);
  const cuts = [0, ...breakpoints(traffic).filter((x) => x > 0 && x < end), end];
  let peak = Math.max(rateAt(traffic, 0, false), rateAt(traffic, end, true));
  for (let i = 0; i + 1 < cuts.length; i++) {
    const t0 = cuts[i]!;
    const t1 = cuts[i + 1]!;
    if (!(t1 > t0)) continue;
    const mid = t0 + 0.5 * (t1 - t0);
    const c = spikeFactor(traffic, mid, false);
    // the schedule on the cell from its right limit at t0 and its left limit at t1 (linear in between)
    const l0 = scheduleRate(traffic, t0, false);
    const l1 = scheduleRate(traffic, t1, true);
    peak = Math.max(peak, cellPeak(traffic, t0, t1, l0, l1) * c);
  }
  return peak;
}

/** The peak arrival rate of a scenario's traffic over its run (peakRate), or null for trace replay: the rate is in the file. */
export function peakArrivalRate(sc: { traffic: Traffic; durationS: number }): number | null {
  return sc.traffic.trace ? null : peakRate(sc.traffic, sc.durationS);
}

/** sup over [t0, t1] of L(t)·D(t), L linear from l0 to l1. */
function cellPeak(traffic: Traffic, t0: number, t1: number, l0: number, l1: number): number {
  const d = traffic.diurnal;
  const dFactor = (t: number): number => diurnalFactor(traffic, t);
  let best = Math.max(l0 * dFactor(t0), l1 * dFactor(t1));
  if (!d || d.amplitude === 0) return best;
  const periodS = d.periodS;
  const phaseS = d.peakAtS % periodS;
  const omega = (2 * Math.PI) / periodS;
  const slope = (l1 - l0) / (t1 - t0);
  const L = (t: number): number => l0 + slope * (t - t0);
  if (slope === 0 || l0 === l1) {
    // flat: the first diurnal peak at or after t0
    const k = Math.ceil((t0 - phaseS) / periodS);
    const at = phaseS + k * periodS;
    if (at <= t1) best = Math.max(best, l0 * (1 + d.amplitude));
    return best;
  }
  // a ramp: search its last period (rising) or first (falling)
  const w0 = slope > 0 ? Math.max(t0, t1 - periodS) : t0;
  const w1 = slope > 0 ? t1 : Math.min(t1, t0 + periodS);
  // cuts at θ = kπ (extrema of D) and θ = ±acos(−A) + 2kπ (where log D turns from concave to convex)
  const edge = Math.acos(-d.amplitude);
  const thetaCuts: number[] = [];
  const kFrom = Math.floor(((w0 - phaseS) * omega) / (2 * Math.PI)) - 1;
  const kTo = Math.ceil(((w1 - phaseS) * omega) / (2 * Math.PI)) + 1;
  // a period lost in the rounding of t (a 1e-300 s period at t = 1 h): no cut can be placed; the bound sup L · (1 + A) holds
  if (!(kTo - kFrom <= 8)) return Math.max(best, Math.max(l0, l1) * (1 + d.amplitude));
  for (let k = kFrom; k <= kTo; k++) for (const th of [0, edge, Math.PI, 2 * Math.PI - edge]) thetaCuts.push(phaseS + (th + 2 * Math.PI * k) / omega);
  const pts = [w0, ...thetaCuts.filter((x) => x > w0 && x < w1).sort((a, b) => a - b), w1];
  const f = (t: number): number => L(t) * dFactor(t);
  // λ′/c = b·D + L·D′, D′ = −A·ω·sin(ω(t − phase))
  const df = (t: number): number => slope * dFactor(t) - L(t) * d.amplitude * omega * Math.sin(omega * (t - phaseS));
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    if (!(b > a)) continue;
    best = Math.max(best, f(a), f(b));
    const convex = Math.cos(omega * (a + 0.5 * (b - a) - phaseS)) < -d.amplitude;
    const n = convex ? 64 : 1;
    let x0 = a;
    let s0 = df(a);
    for (let j = 1; j <= n; j++) {
      const x1 = j === n ? b : a + ((b - a) * j) / n;
      const s1 = df(x1);
      if (s0 > 0 && s1 < 0) best = Math.max(best, f(bisectSignChange(df, x0, x1)));
      x0 = x1;
      s0 = s1;
    }
  }
  return best;
}

/** A point where `g` turns from positive (at lo) to negative (at hi), to the last representable bit. */
function bisectSignChange(g: (t: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = lo + 0.5 * (hi - lo);
    if (mid <= lo || mid >= hi) break;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Walks Λ forward in cells on which λ is linear. Queries must be non-decreasing
 * (in u for timeAtOp, in t for opAtTime); each is O(1) amortized.
 */
export class OperationalClock {
  private readonly points: number[];
  private nextPoint = 0;
  private readonly gridS: number;
  private t0 = 0;
  private t1 = 0;
  private lam0 = 0;
  private slope = 0;
  private op0 = 0;
  private op1 = 0;
  /** The last time timeAtOp returned. */
  private lastT = 0;

  /** A clock over `traffic`'s rate shape, starting at t = 0, u = 0; times past `horizonS` (the run's end) are reported as Infinity. */
  constructor(
    private readonly traffic: Traffic,
    private readonly horizonS = Infinity,
  ) {
    this.points = breakpoints(traffic);
    this.gridS = traffic.diurnal ? traffic.diurnal.periodS / 2880 : Infinity;
    this.openCell(0, 0);
  }

  private openCell(t0: number, op0: number): void {
    while (this.nextPoint < this.points.length && this.points[this.nextPoint]! <= t0) this.nextPoint++;
    const nextBreak = this.nextPoint < this.points.length ? this.points[this.nextPoint]! : Infinity;
    const t1 = Math.min(nextBreak, t0 + this.gridS);
    this.t0 = t0;
    this.t1 = t1;
    this.op0 = op0;
    this.lam0 = rateAt(this.traffic, t0, false);
    if (t1 === Infinity) {
      this.slope = 0;
      this.op1 = this.lam0 > 0 ? Infinity : op0;
    } else {
      const lam1 = rateAt(this.traffic, t1, true);
      this.slope = (lam1 - this.lam0) / (t1 - t0);
      this.op1 = op0 + 0.5 * (this.lam0 + lam1) * (t1 - t0);
    }
  }

  /** True when λ is zero from the current cell on, forever (past the last breakpoint at a zero level; a diurnal factor cannot revive it). */
  get zeroFromHere(): boolean {
    return this.lam0 === 0 && this.slope === 0 && this.nextPoint >= this.points.length;
  }

  /** Real time t with Λ(t) = u; Infinity when the rate stays zero forever. */
  timeAtOp(u: number): number {
    while (u > this.op1) {
      // past the horizon nothing matters: a tiny rate would otherwise walk cells for ever
      if (this.t1 === Infinity || this.zeroFromHere || this.t1 > this.horizonS) return Infinity;
      this.openCell(this.t1, this.op1);
    }
    const d = u - this.op0;
    let t = this.t0;
    if (d > 0) {
      const a = 0.5 * this.slope;
      const lam0 = this.lam0;
      // stable root of a·x² + λ0·x − d = 0
      const x = a === 0 ? d / lam0 : (2 * d) / (lam0 + Math.sqrt(Math.max(0, lam0 * lam0 + 4 * a * d)));
      t = this.t0 + x < this.t1 ? this.t0 + x : this.t1;
    }
    // the root's rounding can put a slightly larger u an ulp earlier (a tiny gamma gap far into a long
    // ramp): arrival times must never run backwards
    if (t < this.lastT) t = this.lastT;
    this.lastT = t;
    return t;
  }

  /** Λ(t), the expected number of arrivals in [0, t]. */
  opAtTime(t: number): number {
    while (t > this.t1) this.openCell(this.t1, this.op1);
    const x = t - this.t0;
    return this.op0 + this.lam0 * x + 0.5 * this.slope * x * x;
  }
}
