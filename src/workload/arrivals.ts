/**
 * Arrival processes. Each yields absolute arrival times one at a time (lazily: one
 * pending arrival per run, nothing pre-materialized). Rate-shaped processes draw in
 * operational time (see rate-shape.ts) from the "arrivals" random stream.
 */
import type { RandomStream } from '../engine/rng.js';
import type { Traffic } from '../config/scenario.js';
import { OperationalClock, rateAt } from './rate-shape.js';
/** A trace's arrivals: a TraceReader (as recorded) or a TraceReplay (multiplied, looped). */
export interface TraceSource {
  /** Next arrival time (s from the trace's start), NaN at the end. */
  nextTimeS(): number;
  lastKey(): number;
}

/** A source of arrivals: next absolute time in seconds, Infinity when exhausted. */
export interface ArrivalSource {
  nextTimeS(): number;
  /** Request identity of the arrival last returned; -1 when the source has none. */
  lastKey(): number;
}

/** Constant-rate Poisson: the common case, without any rate-shape bookkeeping. */
class ConstantPoisson implements ArrivalSource {
  private t = 0;
  constructor(private readonly rps: number, private readonly rng: RandomStream) {}
  nextTimeS(): number {
    this.t += this.rng.exp1() / this.rps;
    return this.t;
  }
  lastKey(): number {
    return -1;
  }
}

/** Poisson or gamma renewal in operational time, mapped through Λ⁻¹. */
class RenewalShaped implements ArrivalSource {
  private u = 0;
  private readonly clock: OperationalClock;
  private readonly shape: number;
  constructor(traffic: Traffic, private readonly rng: RandomStream, cv: number, horizonS = Infinity) {
    this.clock = new OperationalClock(traffic, horizonS);
    this.shape = cv === 1 ? 0 : 1 / (cv * cv);
  }
  nextTimeS(): number {
    // gamma(k) / k has mean 1 and coefficient of variation 1/√k = cv; a cv so small that k overflows is regular spacing
    this.u += this.shape === 0 ? this.rng.exp1() : this.shape === Infinity ? 1 : this.rng.gamma(this.shape) / this.shape;
    return this.clock.timeAtOp(this.u);
  }
  lastKey(): number {
    return -1;
  }
}

/**
 * Two-state Markov-modulated Poisson: in state "high" the rate shape is multiplied by
 * highFactor, in "low" by lowFactor; sojourns are exponential in real time.
 */
class Mmpp implements ArrivalSource {
  private u = 0;
  private readonly arrivalsClock: OperationalClock;
  private readonly switchClock: OperationalClock;
  private high: boolean;
  private switchAtS: number;
  private readonly states: RandomStream;
  constructor(
    traffic: Traffic,
    private readonly rng: RandomStream,
    private readonly highFactor: number,
    private readonly lowFactor: number,
    private readonly meanHighS: number,
    private readonly meanLowS: number,
    states: RandomStream,
    private readonly horizonS = Infinity,
  ) {
    this.arrivalsClock = new OperationalClock(traffic, horizonS);
    this.switchClock = new OperationalClock(traffic, horizonS);
    this.states = states;
    // start in the stationary distribution of the two-state chain
    this.high = states.uniform() < meanHighS / (meanHighS + meanLowS);
    this.switchAtS = states.exp1() * (this.high ? meanHighS : meanLowS);
  }
  nextTimeS(): number {
    for (;;) {
      const factor = this.high ? this.highFactor : this.lowFactor;
      // a switch past the horizon (the run's end) never happens: walking the clock out to it could take for ever
      const uSwitch = this.switchAtS > this.horizonS ? Infinity : this.switchClock.opAtTime(this.switchAtS);
      // the rate is zero from the switch on, forever: switching states again would never end
      if (this.u >= uSwitch && this.switchClock.zeroFromHere) return Infinity;
      const gap = factor > 0 ? this.rng.exp1() / factor : Infinity;
      if (this.u + gap <= uSwitch) {
        this.u += gap;
        return this.arrivalsClock.timeAtOp(this.u);
      }
      // memoryless: move to the switch and draw again in the other state
      this.u = Math.max(this.u, uSwitch);
      this.high = !this.high;
      this.switchAtS += this.states.exp1() * (this.high ? this.meanHighS : this.meanLowS);
      if (this.switchAtS === Infinity) return Infinity;
    }
  }
  lastKey(): number {
    return -1;
  }
}

/** Replays a trace's arrival times. */
class TraceArrivals implements ArrivalSource {
  constructor(private readonly reader: TraceSource) {}
  nextTimeS(): number {
    const t = this.reader.nextTimeS();
    return t === t ? t : Infinity;
  }
  lastKey(): number {
    return this.reader.lastKey();
  }
}

/**
 * A trace at `scale` times its rate, its shape kept: below 1 each arrival is kept with
 * probability scale (thinning); above, each arrival becomes ⌊scale⌋ or ⌈scale⌉ arrivals (the
 * fraction drawn), spread evenly over the gap to the next one, each with the arrival's key.
 */
class ScaledTrace implements ArrivalSource {
  private nextBaseS: number;
  private nextBaseKey: number;
  private pendingS = 0;
  private stepS = 0;
  private left = 0;
  private key = -1;
  constructor(
    private readonly base: ArrivalSource,
    private readonly scale: number,
    private readonly rng: RandomStream,
  ) {
    this.nextBaseS = base.nextTimeS();
    this.nextBaseKey = base.lastKey();
  }
  nextTimeS(): number {
    if (this.scale < 1) {
      for (;;) {
        const t = this.nextBaseS;
        this.key = this.nextBaseKey;
        if (t === Infinity) return t;
        this.nextBaseS = this.base.nextTimeS();
        this.nextBaseKey = this.base.lastKey();
        if (this.rng.uniform() < this.scale) return t;
      }
    }
    while (this.left === 0) {
      const t = this.nextBaseS;
      if (t === Infinity) return t;
      this.key = this.nextBaseKey;
      this.nextBaseS = this.base.nextTimeS();
      this.nextBaseKey = this.base.lastKey();
      const whole = Math.floor(this.scale);
      this.left = whole + (this.rng.uniform() < this.scale - whole ? 1 : 0);
      this.pendingS = t;
      this.stepS = this.nextBaseS === Infinity || this.left === 0 ? 0 : (this.nextBaseS - t) / this.left;
    }
    const t = this.pendingS;
    this.pendingS += this.stepS;
    this.left--;
    return t;
  }
  lastKey(): number {
    return this.key;
  }
}

/** Builds the arrival source a scenario's traffic describes. */
export function createArrivals(
  traffic: Traffic,
  rng: RandomStream,
  stateRng: RandomStream,
  trace: TraceSource | null,
  /** The run's end: arrivals after it are never needed (reported as Infinity). */
  horizonS = Infinity,
): ArrivalSource {
  if (traffic.trace) {
    if (!trace) throw new Error('traffic.trace is set but no trace reader was given');
    const replay = new TraceArrivals(trace);
    const scale = traffic.scale ?? 1;
    return scale === 1 ? replay : new ScaledTrace(replay, scale, rng);
  }
  const b = traffic.burst;
  const constant =
    traffic.schedule.length === 1 && traffic.schedule[0]!.rampS === 0 && !traffic.diurnal && traffic.spikes.length === 0;
  if (b.kind === 'poisson' && constant) return new ConstantPoisson(rateAt(traffic, 0), rng);
  if (b.kind === 'mmpp') return new Mmpp(traffic, rng, b.highFactor, b.lowFactor, b.meanHighS, b.meanLowS, stateRng, horizonS);
  return new RenewalShaped(traffic, rng, b.kind === 'gamma' ? b.cv : 1, horizonS);
}
