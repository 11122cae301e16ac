/**
 * The simulation kernel: one clock, one event heap, handlers registered once.
 *
 *   component.register(handler) ──► id        sim.at(time, id, arg) ──► heap
 *   run(until): pop earliest (time, seq) ──► handlers[id](arg) ──► may schedule more
 *
 * Everything else (arrivals, replicas, autoscalers, metrics) is built from these events.
 * A handler takes one int argument (a replica index, a request id …); cancelling a
 * timer is done by the component bumping a stamp that its handler checks.
 *
 * The arrival process has a slot of its own beside the heap ("the source"): it always
 * has exactly one pending event, so keeping it out of the heap saves a push and a pop
 * per request. At equal times the source fires before heap events.
 *
 * One more slot, "the lane", can be claimed by a component whose events form a FIFO
 * timer (one pending at a time, in non-decreasing time: the cache's lookups, which all
 * take the same latency). It saves a push and a pop per request too. At equal times it
 * fires after the source and before heap events.
 */
import { EventQueue } from './event-queue.js';
import { RandomStreams } from './rng.js';

/** An event handler: receives the int argument it was scheduled with. */
export type Handler = (arg: number) => void;

export class Simulation {
  /** Current simulated time in seconds. */
  now = 0;
  /** Events executed so far. */
  events = 0;
  readonly rng: RandomStreams;
  private readonly queue = new EventQueue(4096);
  private readonly handlers: Handler[] = [];
  private stopped = false;
  private sourceAtS = Infinity;
  private sourceHandler = -1;
  private laneAtS = Infinity;
  private laneHandler = -1;
  private laneClaimed = false;

  /** A simulation whose random streams derive from `seed`. */
  constructor(seed: number) {
    this.rng = new RandomStreams(seed);
  }

  /** Registers a handler once; returns its id for at(). */
  register(handler: Handler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Schedules handler `id` with `arg` at absolute time `timeS` (never in the past). */
  at(timeS: number, id: number, arg: number): void {
    if (!(timeS >= this.now)) {
      throw new RangeError(`event scheduled at ${timeS} s, before the current time ${this.now} s`);
    }
    this.queue.push(timeS, id, arg);
  }

  /** Schedules the source handler `id` at `timeS`, replacing any pending source event. */
  atSource(timeS: number, id: number): void {
    if (!(timeS >= this.now)) {
      throw new RangeError(`source event scheduled at ${timeS} s, before the current time ${this.now} s`);
    }
    this.sourceAtS = timeS;
    this.sourceHandler = id;
  }

  /** Claims the lane for one component; false when another has it (use at() then). */
  claimLane(): boolean {
    if (this.laneClaimed) return false;
    this.laneClaimed = true;
    return true;
  }

  /** Schedules the lane's handler `id` at `timeS`, replacing any pending lane event (only after claimLane()). */
  atLane(timeS: number, id: number): void {
    if (!(timeS >= this.now)) {
      throw new RangeError(`lane event scheduled at ${timeS} s, before the current time ${this.now} s`);
    }
    this.laneAtS = timeS;
    this.laneHandler = id;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.queue.size + (this.sourceAtS < Infinity ? 1 : 0) + (this.laneAtS < Infinity ? 1 : 0);
  }

  /** Asks run() to return after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Executes events in (time, sequence) order up to and including `untilS`, then sets
   * the clock to `untilS` (unless stopped early). Returns true when it reached `untilS`.
   * `maxEvents` bounds the events executed by this call: it returns false once that many ran,
   * leaving the clock at the last event, and a later call continues exactly where it stopped
   * (so a run cut into budgets is identical to one run in one go).
   */
  run(untilS: number, maxEvents: number = Infinity): boolean {
    const q = this.queue;
    const handlers = this.handlers;
    const budgetEnd = this.events + maxEvents;
    this.stopped = false;
    for (;;) {
      const heapT = q.peekTime();
      const srcT = this.sourceAtS;
      const laneT = this.laneAtS;
      if (srcT <= heapT && srcT <= laneT) {
        if (srcT > untilS) break;
        this.now = srcT;
        this.sourceAtS = Infinity;
        this.events++;
        handlers[this.sourceHandler]!(0);
      } else if (laneT <= heapT) {
        if (laneT > untilS) break;
        this.now = laneT;
        this.laneAtS = Infinity;
        this.events++;
        handlers[this.laneHandler]!(0);
      } else {
        if (heapT > untilS) break;
        q.pop();
        this.now = q.topTime;
        this.events++;
        handlers[q.topHandler]!(q.topArg);
      }
      if (this.stopped || this.events >= budgetEnd) return false;
    }
    if (untilS > this.now) this.now = untilS;
    return true;
  }
}
