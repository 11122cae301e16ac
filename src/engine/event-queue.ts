/**
 * The event heap: a binary min-heap over parallel typed arrays, ordered by
 * (time, sequence number) so that events at the same instant fire in the order
 * they were scheduled. Grown by doubling; never allocates per event.
 */
export class EventQueue {
  private times: Float64Array;
  // perf: sequence numbers as doubles stay exact up to 2^53 events, far past any run.
  private seqs: Float64Array;
  private handlers: Int32Array;
  private args: Int32Array;
  private count = 0;
  private nextSeq = 0;

  /** Time, handler and argument of the event most recently removed by pop(). */
  topTime = 0;
  topHandler = 0;
  topArg = 0;

  /** Creates an empty heap with room for `initialCapacity` events before it grows. */
  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.handlers = new Int32Array(cap);
    this.args = new Int32Array(cap);
  }

  /** Number of pending events. */
  get size(): number {
    return this.count;
  }

  /** Time of the earliest pending event, Infinity when empty. */
  peekTime(): number {
    // perf: `1 / 0`, not the global `Infinity`: the heap is never empty while a run goes, so the
    // global's load never ran, V8 compiled it as a generic load of a boxed value, and boxed
    // times[0] to match, allocating a number on every event (W1 over 600 s simulated: about 70
    // young-generation collections before, 9 to 19 after this and the same fix in rng.ts exp1)
    return this.count > 0 ? this.times[0]! : 1 / 0;
  }

  /** Adds an event; ties in time fire in insertion order. */
  push(time: number, handler: number, arg: number): void {
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const handlers = this.handlers;
    const args = this.args;
    const seq = this.nextSeq++;
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < time || (pt === time && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      handlers[i] = handlers[p]!;
      args[i] = args[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    handlers[i] = handler;
    args[i] = arg;
  }

  /** Removes the earliest event into topTime/topHandler/topArg; returns false when empty. */
  pop(): boolean {
    const n = this.count;
    if (n === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    const handlers = this.handlers;
    const args = this.args;
    this.topTime = times[0]!;
    this.topHandler = handlers[0]!;
    this.topArg = args[0]!;
    const last = n - 1;
    this.count = last;
    if (last === 0) return true;
    const t = times[last]!;
    const s = seqs[last]!;
    const h = handlers[last]!;
    const a = args[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      const r = c + 1;
      if (r < last) {
        const ct = times[c]!;
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < seqs[c]!)) c = r;
      }
      const ct = times[c]!;
      if (t < ct || (t === ct && s < seqs[c]!)) break;
      times[i] = ct;
      seqs[i] = seqs[c]!;
      handlers[i] = handlers[c]!;
      args[i] = args[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    handlers[i] = h;
    args[i] = a;
    return true;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    const handlers = new Int32Array(cap);
    handlers.set(this.handlers);
    const args = new Int32Array(cap);
    args.set(this.args);
    this.times = times;
    this.seqs = seqs;
    this.handlers = handlers;
    this.args = args;
  }
}
