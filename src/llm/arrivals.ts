/**
 * The requests of an LLM run, made once for a single fleet (fleet.ts runLlmFleet) and for regions
 * (topology/llm-regions.ts): open-loop arrivals (a token trace, Poisson on a piecewise-constant
 * rate, or every request-level traffic shape through workload/arrivals.ts) or closed-loop users
 * (optionally in multi-turn sessions). Each request is added to `reqs` (with its system prompt)
 * and handed to `dispatch`; a closed-loop user sends its next request after a think time once
 * the returned `clientDone` is called for it (the request finished or was refused).
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import type { LlmRequests } from './engine.js';
import { createArrivals, type ArrivalSource, type TraceSource } from '../workload/arrivals.js';
import type { Traffic, TraceSpec } from '../config/scenario.js';
import { TraceReplay } from '../workload/trace-replay.js';
import type { LineSource } from '../workload/trace.js';
import type { LlmArrivals } from '../config/llm.js';
import { tokenSampler, type LlmFleetSpec } from './fleet-spec.js';

/** A token trace's rows as a request-level TraceSource: times (looped as the trace path loops them) and each arrival's row as its key. */
class TokenTraceRows implements TraceSource {
  private k = 0;
  private row = -1;
  private offset = 0;
  private readonly period: number;
  constructor(private readonly a: Extract<LlmArrivals, { kind: 'trace' }>) {
    const n = a.timesS.length;
    // as the trace path below: a looped trace starts again one mean gap after its last request
    this.period = n > 1 ? a.timesS[n - 1]! + a.timesS[n - 1]! / (n - 1) : 1;
  }
  nextTimeS(): number {
    const n = this.a.timesS.length;
    if (this.k === n && this.a.loop && n > 0) {
      this.k = 0;
      this.offset += this.period;
    }
    if (this.k >= n) return NaN;
    this.row = this.k++;
    return this.offset + this.a.timesS[this.row]!;
  }
  lastKey(): number {
    return this.row;
  }
}

/**
 * A token trace at traffic.trace.rateMultiplier k, replayed by the request-level TraceReplay
 * (workload/trace-replay.ts: ⌈k⌉ circularly shifted copies, the last thinned, looped or not) over
 * its rows written as `t,row` lines (times already relative and divided by speedup, so epoch-s
 * read from the first row: rounded to the nanosecond), the row its key: every copy reads the rows
 * in order, so key ids are interned in row order and each key is its row.
 */
function tokenTraceReplay(a: Extract<LlmArrivals, { kind: 'trace' }>, spec: TraceSpec, thinning: RandomStream): TraceReplay {
  const n = a.timesS.length;
  const lines = ['t,row'];
  for (let k = 0; k < n; k++) lines.push(`${a.timesS[k]!.toFixed(9)},${k}`);
  const open = (): LineSource => {
    let i = 0;
    return { next: () => (i < lines.length ? lines[i++]! : null) };
  };
  return new TraceReplay(open, spec, 'traffic.trace', { count: n, spanS: n > 0 ? a.timesS[n - 1]! : 0 }, thinning);
}

/**
 * Open-loop arrivals drawn by the request-level arrival processes (workload/arrivals.ts
 * createArrivals), so an LLM scenario takes every traffic shape a request-level one does: a rate
 * shape (ramps, diurnal, spikes, burst gamma or mmpp, scale) with token counts drawn from
 * `tokens:`, or a token trace at `traffic.scale` (thinned below 1, each arrival repeated ⌊scale⌋
 * or ⌈scale⌉ times above) with each arrival's tokens from its row. Streams: llm-arrivals (the
 * arrival process), llm-arrival-states (an MMPP's state switches), llm-prompt, llm-output.
 */
function startWorkloadArrivals(sim: Simulation, a: Extract<LlmArrivals, { kind: 'shaped' | 'trace' }>, durationS: number, send: (t: number, prompt: number, output: number) => void): void {
  const rng = sim.rng.stream('llm-arrivals');
  let src: ArrivalSource;
  let prompt: () => number;
  let output: () => number;
  if (a.kind === 'shaped') {
    src = createArrivals(a.traffic, rng, sim.rng.stream('llm-arrival-states'), null, durationS);
    prompt = tokenSampler(a.prompt, sim.rng.stream('llm-prompt'));
    output = tokenSampler(a.output, sim.rng.stream('llm-output'));
  } else {
    // createArrivals reads only traffic.trace's presence and traffic.scale for a trace: the rows come from `rows`
    const spec: TraceSpec = { file: '', timeColumn: 't', keyColumn: 'row', speedup: 1, rateMultiplier: a.rateMultiplier ?? 1, loop: a.loop, timeFormat: 'epoch-s' };
    const traffic: Traffic = { schedule: [], diurnal: null, spikes: [], burst: { kind: 'poisson' }, keys: { kind: 'trace' }, trace: spec, scale: a.scale ?? 1 };
    const s = createArrivals(traffic, rng, rng, a.rateMultiplier === undefined ? new TokenTraceRows(a) : tokenTraceReplay(a, spec, sim.rng.stream('llm-trace-thinning')), durationS);
    src = s;
    prompt = () => a.prompt[s.lastKey()]!;
    output = () => a.output[s.lastKey()]!;
  }
  const next = (): void => {
    const t = src.nextTimeS();
    if (t <= durationS) sim.atSource(t, h);
  };
  const h = sim.register(() => {
    send(sim.now, prompt(), output());
    next();
  });
  next();
}

/**
 * Starts the run's arrivals (spec.arrivals) on `sim`: each request is added to `reqs` and handed
 * to `dispatch` at its arrival time. Returns what to call when a closed-loop user's request is
 * done (finished or refused): its next one follows a think time later (a no-op for open loop).
 * Streams: llm-arrivals, llm-prompt, llm-output, llm-system-prompt (several system prompts only),
 * llm-think and llm-follow-up (closed loop), and startWorkloadArrivals' for the traffic shapes.
 */
export function startLlmArrivals(sim: Simulation, spec: LlmFleetSpec, reqs: LlmRequests, dispatch: (id: number) => void): (client: number) => void {
  let sendNext: ((user: number) => void) | null = null;
  const sys = spec.systemPromptTokens;
  const nSys = spec.systemPrompts ?? 1;
  // drawn only when there is a choice, so one system prompt leaves every other stream as it was
  const sysRng = nSys > 1 ? sim.rng.stream('llm-system-prompt') : null;
  const drawSys = (): number => (sys > 0 ? (sysRng !== null ? Math.min(nSys - 1, Math.floor(sysRng.uniform() * nSys)) : 0) : -1);
  /** Submits a request; `key` is its system prompt (-2: draw one), `session`/`context` a multi-turn session's key and the context it repeats. */
  const submit = (t: number, prompt: number, output: number, client: number, key = -2, session = -1, context = 0): number => {
    const shared = sys > 0 ? Math.min(sys, prompt) : 0;
    const id = reqs.add(t, prompt, output, key === -2 ? drawSys() : key, shared, client);
    if (session >= 0) {
      reqs.sessionKey[id] = session;
      reqs.sessionShared[id] = context;
    }
    dispatch(id);
    return id;
  };

  const a = spec.arrivals;
  if (a.kind === 'shaped' || (a.kind === 'trace' && (a.scale !== undefined || a.rateMultiplier !== undefined))) startWorkloadArrivals(sim, a, spec.durationS, (t, prompt, output) => void submit(t, prompt, output, -1));
  else if (a.kind === 'trace') {
    let k = 0;
    let offset = 0;
    const n = a.timesS.length;
    // a looped trace starts again one mean gap after its last request
    const period = n > 1 ? a.timesS[n - 1]! + a.timesS[n - 1]! / (n - 1) : 1;
    const src = sim.register(() => {
      submit(sim.now, a.prompt[k]!, a.output[k]!, -1);
      k++;
      if (k === n && a.loop) {
        k = 0;
        offset += period;
      }
      if (k < n && offset + a.timesS[k]! <= spec.durationS) sim.atSource(offset + a.timesS[k]!, src);
    });
    if (n > 0 && a.timesS[0]! <= spec.durationS) sim.atSource(a.timesS[0]!, src);
  } else if (a.kind === 'poisson') {
    const rng = sim.rng.stream('llm-arrivals');
    const pr = tokenSampler(a.prompt, sim.rng.stream('llm-prompt'));
    const ou = tokenSampler(a.output, sim.rng.stream('llm-output'));
    // piecewise-constant rate: a draw that crosses the next change is redrawn from there (memoryless)
    const sched = a.schedule;
    let seg = 0;
    let pending = false;
    const next = (from: number): void => {
      for (;;) {
        while (seg + 1 < sched.length && sched[seg + 1]!.atS <= from) seg++;
        const rps = sched[seg]!.rps;
        const t = rps > 0 ? from - Math.log(1 - rng.uniform()) / rps : Infinity;
        const change = seg + 1 < sched.length ? sched[seg + 1]!.atS : Infinity;
        if (t < change) {
          pending = true;
          if (t <= spec.durationS) sim.atSource(t, src);
          return;
        }
        if (change > spec.durationS) return;
        from = change;
      }
    };
    const src = sim.register(() => {
      if (pending) submit(sim.now, pr(), ou(), -1);
      next(sim.now);
    });
    next(0);
  } else {
    const closed = a;
    const think = sim.rng.stream('llm-think');
    const pr = tokenSampler(closed.prompt, sim.rng.stream('llm-prompt'));
    const ou = tokenSampler(closed.output, sim.rng.stream('llm-output'));
    const ses = closed.sessions;
    let sendH: number;
    if (ses) {
      // per user: its session's key (after the system prompts' keys), system prompt, turns done, and its last request
      const fu = tokenSampler(ses.followUp, sim.rng.stream('llm-follow-up'));
      const sKey = new Int32Array(closed.users).fill(-1);
      const sSys = new Int32Array(closed.users);
      const sTurn = new Int32Array(closed.users);
      const sLast = new Int32Array(closed.users).fill(-1);
      let sessions = 0;
      sendH = sim.register((u) => {
        const last = sLast[u]!;
        // a new session after the last turn, or when the previous turn did not complete (rejected: too long)
        if (sKey[u]! < 0 || sTurn[u]! >= ses.turns || last < 0 || reqs.state[last] !== 2) {
          sKey[u] = Math.max(1, nSys) + sessions++;
          sSys[u] = drawSys();
          sTurn[u] = 0;
          sLast[u] = -1;
        }
        const context = sLast[u]! >= 0 ? reqs.prompt[last]! + reqs.output[last]! : 0;
        const prompt = context > 0 ? context + fu() : pr();
        const output = ou();
        sTurn[u]!++;
        // the whole sequence, output included, is the next turn's context: its full blocks carry the session's key
        sLast[u] = submit(sim.now, prompt, output, u, sSys[u]!, sKey[u]!, prompt + output);
      });
    } else sendH = sim.register((u) => void submit(sim.now, pr(), ou(), u));
    const thinkS = (): number => (closed.thinkS > 0 ? -Math.log(1 - think.uniform()) * closed.thinkS : 0);
    sendNext = (u: number): void => sim.at(sim.now + thinkS(), sendH, u);
    for (let u = 0; u < closed.users; u++) sim.at(think.uniform() * closed.thinkS, sendH, u);
  }
  return (client) => {
    if (sendNext !== null) sendNext(client);
  };
}
