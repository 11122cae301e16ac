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
import type { Traffic } from '../scenario/types.js';

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
    if (s.rampS > 0 && t < s.atS + s.rampS) {
      const f = (t - s.atS) / s.rampS;
      return level + (s.rps - level) * f;
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
