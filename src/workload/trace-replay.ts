/**
 * Trace replay beyond "as recorded": a rate multiplier k and looping, streamed (every copy
 * reads the file line by line through its own LineSource; nothing is held whole).
 *
 * Let the trace (after `speedup`) hold N arrivals t₁ = 0 ≤ … ≤ t_N = S. Its period is
 * P = S · N / (N − 1): the span plus one mean gap, so that a repetition starts one mean gap
 * after the last arrival and the replayed rate over whole periods is the trace's (N − 1) / S
 * per gap.
 *
 * - `rateMultiplier: k` superposes c = ⌈k⌉ copies of the trace, copy j (j = 0 … c − 1)
 *   circularly shifted by j · P / c: its arrivals are tᵢ + j·P/c, taken modulo P, so each copy
 *   stays inside the trace's real span [0, P) and the copies' bursts do not land on one
 *   another. Copies 0 … ⌊k⌋ − 1 replay every arrival; when k is not whole, copy ⌊k⌋ keeps each
 *   arrival with probability k − ⌊k⌋ (seeded thinning). So k = 2.5 replays 2N + Binomial(N, ½)
 *   arrivals over the span, and k < 1 is the trace thinned to a share k (one copy, not shifted).
 *   Each copy carries the trace's keys (a key column repeats with its arrivals).
 * - `loop: true` repeats the (shifted, thinned) copies every P seconds until the run's end:
 *   repetition m of an arrival is at tᵢ + m·P (+ its copy's shift), keys repeating.
 * - Neither (k = 1, no loop): the trace as recorded, arrivals from 0 to S, then none.
 */
import type { TraceSpec } from '../config/scenario.js';
import type { RandomStream } from '../engine/rng.js';
import { TraceReader, type LineSource } from './trace.js';

/** What a scan of the trace tells (scanTrace): arrivals and the last one's time after speedup. */
export interface TraceScan {
  count: number;
  spanS: number;
}

/** How a trace is replayed: copies, thinning, period and where the arrivals end. */
export interface ReplayPlan {
  /** Copies superposed: ⌈k⌉ (1 for k ≤ 1). */
  copies: number;
  /** Probability that the last copy keeps an arrival: k − ⌊k⌋, or 1 when k is whole. */
  keepLast: number;
  /** P = S · N / (N − 1); NaN for a single arrival. */
  periodS: number;
  /** No arrivals from here on: Infinity when looping, S for one copy, else P. */
  endS: number;
  /** True when the trace is replayed as recorded (k = 1, no loop): one reader, nothing else. */
  plain: boolean;
}

export function replayPlan(spec: TraceSpec, scan: TraceScan): ReplayPlan {
  const k = spec.rateMultiplier;
  const copies = Math.max(1, Math.ceil(k));
  const whole = Math.floor(k);
  const keepLast = k === whole ? 1 : k - whole;
  const periodS = scan.count >= 2 ? (scan.spanS * scan.count) / (scan.count - 1) : NaN;
  const plain = k === 1 && !spec.loop;
  const endS = spec.loop ? Infinity : copies === 1 ? scan.spanS : periodS;
  return { copies, keepLast, periodS, endS, plain };
}

/** Why this trace cannot be replayed as `spec` asks (a copy or a repetition needs a span), or null. */
export function replayProblem(spec: TraceSpec, scan: TraceScan): string | null {
  const p = replayPlan(spec, scan);
  if ((p.copies > 1 || spec.loop) && !(p.periodS > 0)) {
    const what = spec.loop ? 'loop' : `rateMultiplier ${spec.rateMultiplier}`;
    return `${what} needs a trace whose arrivals span some time (this one has ${scan.count} arrival${scan.count === 1 ? '' : 's'} over ${scan.spanS} s): shifted copies and repetitions are placed by its span`;
  }
  return null;
}

const secondsText = (s: number): string => `${Number(s.toPrecision(6))} s`;

/** The warning for a replay that ends before the run does (its throughput falls to 0 there), or null. */
export function traceShortWarning(spec: TraceSpec, scan: TraceScan, durationS: number): string | null {
  const p = replayPlan(spec, scan);
  if (!(p.endS < durationS)) return null;
  const speed = spec.speedup !== 1 ? ` at speedup ${spec.speedup}` : '';
  return (
    `traffic.trace: ${spec.file} ends at ${secondsText(p.endS)}${speed}, before the run's duration ${secondsText(durationS)}: ` +
    `no arrivals for the last ${secondsText(durationS - p.endS)} (${((100 * (durationS - p.endS)) / durationS).toFixed(1)} % of the run); ` +
    'set traffic.trace.loop: true to repeat it, or a shorter duration'
  );
}

/** One shifted (possibly thinned) copy of the trace: repetitions read from fresh line sources. */
class Copy {
  reader: TraceReader | null = null;
  source: LineSource | null = null;
  /** Repetition being read: −1 is the tail that the shift wraps to the front. */
  rep: number;
  /** Time of the next arrival of this copy (Infinity when it has none left). */
  head = Infinity;
  key = -1;

  constructor(
    readonly offsetS: number,
    readonly keep: number,
  ) {
    this.rep = offsetS > 0 ? -1 : 0;
  }
}

/**
 * The arrivals of `spec` replayed by its plan, merged in time order (ties by copy), as a
 * TraceReader's interface: nextTimeS() (NaN at the end) and lastKey().
 */
export class TraceReplay {
  private readonly copies: Copy[] = [];
  /** Binary min-heap of copy indices by (head, index). */
  private readonly heap: number[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly periodS: number;
  private readonly loop: boolean;
  private key = -1;
  private last = 0;
  private emitted = 0;

  constructor(
    private readonly open: () => LineSource,
    private readonly spec: TraceSpec,
    private readonly label: string,
    scan: TraceScan,
    private readonly rng: RandomStream | null,
  ) {
    const plan = replayPlan(spec, scan);
    const problem = replayProblem(spec, scan);
    if (problem !== null) throw new RangeError(`${label}: ${problem}`);
    this.periodS = plan.periodS;
    this.loop = spec.loop;
    for (let j = 0; j < plan.copies; j++) {
      const keep = j === plan.copies - 1 ? plan.keepLast : 1;
      if (keep < 1 && rng === null) throw new Error('TraceReplay: thinning needs a random stream');
      this.copies.push(new Copy(plan.copies === 1 ? 0 : (j * plan.periodS) / plan.copies, keep));
    }
    for (let j = 0; j < this.copies.length; j++) {
      this.advance(j);
      if (this.copies[j]!.head !== Infinity) this.push(j);
    }
  }

  /** Arrivals returned so far. */
  get arrivals(): number {
    return this.emitted;
  }

  lastKey(): number {
    return this.key;
  }

  nextTimeS(): number {
    if (this.heap.length === 0) return NaN;
    const j = this.heap[0]!;
    const c = this.copies[j]!;
    // a repetition's first arrival can round an ulp below the previous one: never run backwards
    const t = c.head < this.last ? this.last : c.head;
    this.last = t;
    this.key = c.key;
    this.emitted++;
    this.advance(j);
    if (c.head === Infinity) this.pop();
    else this.siftDown(0);
    return t;
  }

  /** Moves copy j to its next kept arrival (head = Infinity when it has none left). */
  private advance(j: number): void {
    const c = this.copies[j]!;
    const P = this.periodS;
    for (;;) {
      if (c.reader === null) {
        c.source = this.open();
        c.reader = new TraceReader(c.source, this.spec, this.label, 'intern', this.keyIds);
      }
      const t = c.reader.nextTimeS();
      if (t !== t) {
        // end of the file: the next repetition, or the end of this copy
        c.reader = null;
        c.source = null;
        if (c.rep === -1 || this.loop) {
          c.rep++;
          continue;
        }
        c.head = Infinity;
        return;
      }
      let at: number;
      if (c.rep === -1) {
        // the wrapped tail: only arrivals shifted past the period's end, brought to the front
        if (t + c.offsetS < P) continue;
        at = t + (c.offsetS - P);
      } else {
        if (!this.loop && t + c.offsetS >= P) {
          // past the span: this copy is done (its tail came first)
          closeSource(c.source);
          c.reader = null;
          c.source = null;
          c.head = Infinity;
          return;
        }
        at = t + (c.offsetS + c.rep * P);
      }
      if (c.keep < 1 && !(this.rng!.uniform() < c.keep)) continue;
      c.head = at;
      c.key = c.reader.lastKey();
      return;
    }
  }

  private less(a: number, b: number): boolean {
    const ha = this.copies[a]!.head;
    const hb = this.copies[b]!.head;
    return ha < hb || (ha === hb && a < b);
  }

  private push(j: number): void {
    const h = this.heap;
    h.push(j);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function closeSource(s: LineSource | null): void {
  s?.close?.();
}
