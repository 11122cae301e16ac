/**
 * A fleet of LLM replicas on one simulation clock: open-loop arrivals (a trace's token counts
 * and times, or Poisson at a rate) or closed-loop users (optionally in multi-turn sessions whose
 * context grows turn by turn), shared prefixes (one of several system prompts, a session's
 * earlier turns: engine.ts blockKeyA), a router (least outstanding requests,
 * least outstanding tokens, lowest KV utilization, round robin, prefix affinity: SGLang's cache-aware
 * policy, prefix-affinity.ts), and the results: TTFT, TPOT,
 * ITL and E2E percentiles, SLOs on them, goodput, token throughput, KV utilization,
 * preemptions, prefix-cache hit rate, cost per million tokens; and a per-interval timeline.
 */
import { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import { Histogram } from '../metrics/histogram.js';
import { HOURS_PER_MONTH } from '../metrics/cost.js';
import { LlmReplica, LlmRequests } from './engine.js';
import { PrefixAffinityRouter } from './prefix-affinity.js';
import type { StepTimeModel } from './step-time.js';
import { HpaController, type HpaPod } from '../scaling/hpa.js';
import { KpaController } from '../scaling/kpa.js';
import type { KpaConfig } from '../config/kpa.js';
import { createArrivals, type ArrivalSource, type TraceSource } from '../workload/arrivals.js';
import type { Traffic, TraceSpec } from '../config/scenario.js';
import { TraceReplay } from '../workload/trace-replay.js';
import type { LineSource } from '../workload/trace.js';
import { PREFIX_AFFINITY_DEFAULTS, type EngineConfig, type LlmArrivals, type LlmAutoscaler, type LlmMetric, type LlmPrefixAffinity, type LlmRouting, type LlmSlo, type RequestOverheads, type TokenDist } from '../config/llm.js';

export interface LlmFleetSpec {
  seed: number;
  durationS: number;
  warmupS: number;
  replicas: number;
  tensorParallel: number;
  engine: EngineConfig;
  model: StepTimeModel;
  routing: LlmRouting;
  /** Knobs of routing prefix-affinity (default PREFIX_AFFINITY_DEFAULTS). */
  prefixAffinity?: LlmPrefixAffinity;
  arrivals: LlmArrivals;
  /** Leading prompt tokens every request shares (a system prompt); 0 for none. */
  systemPromptTokens: number;
  /** Distinct system prompts of that length (default 1); each request draws one uniformly. */
  systemPrompts?: number;
  slos: LlmSlo[];
  /** USD per GPU-hour. */
  pricePerGpuHour: number;
  reportIntervalS: number;
  /** Cold start before a replica serves (s): weights / load bandwidth; 0 = ready at t = 0. */
  coldStartS: number;
  /** An HPA on vLLM's gauges; `replicas` is then the starting count. */
  autoscaler: LlmAutoscaler | null;
  /** Or a KPA (Knative) on in-flight requests or rps (never both: the loader sets one); `replicas` is then the starting count. */
  kpa?: KpaConfig;
  /** Per-request overheads outside the steps (a built-in profile's α's); none when absent. */
  overheads?: RequestOverheads;
}


export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LlmResults {
  requests: { arrived: number; completed: number; rejected: number; inFlightAtEnd: number };
  ttftMs: LatencyStats;
  tpotMs: LatencyStats;
  itlMs: LatencyStats;
  e2eMs: LatencyStats;
  slo: { met: boolean; targets: Array<{ metric: LlmMetric; percentile: string; targetMs: number; actualMs: number; met: boolean }> };
  /** Completed requests (arrived after warmup) meeting every SLO, per second of the measured window. */
  goodputRps: number;
  throughputRps: number;
  inputTokensPerS: number;
  outputTokensPerS: number;
  kvUtilization: { mean: number; peak: number };
  preemptions: number;
  prefixHitRate: number;
  /** Mean sequences per step and share of replica time stepping. */
  meanBatchSequences: number;
  busyShare: number;
  replicas: number;
  replicasStats: { min: number; mean: number; max: number; coldStarts: number };
  gpus: number;
  costUsd: number;
  monthlyUsd: number;
  costPerMillionTokens: number;
  stepModel: string;
  numGpuBlocks: number;
  events: number;
}

export interface LlmTimelineRow {
  t: number;
  arrivals: number;
  completed: number;
  rejected: number;
  /** E2E latency of the interval's completions. */
  p50Ms: number;
  p99Ms: number;
  replicasReady: number;
  replicas: number;
  replicasDesired: number;
  gpuUtilization: number;
  prefixHitRate: number;
  costUsd: number;
  ttftP99Ms: number;
  tpotP99Ms: number;
  running: number;
  waiting: number;
  kvUtilization: number;
  preemptions: number;
  outputTokensPerS: number;
  /** Median TTFT and TPOT of the interval's completions (ms; 0 when none). */
  ttftP50Ms: number;
  tpotP50Ms: number;
  /** The interval's completions meeting every SLO, per second (all of them without SLOs). */
  goodputRps: number;
  /** Prompt tokens of the interval's completions, per second (as the summary's inputTokensPerS counts them). */
  inputTokensPerS: number;
}

export interface LlmRunOutput {
  results: LlmResults;
  timeline: LlmTimelineRow[];
}

function lognormalSampler(rng: RandomStream, mean: number, cv: number): () => number {
  const s2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - s2 / 2;
  const s = Math.sqrt(s2);
  return () => Math.exp(mu + s * rng.normal());
}

/** A sampler of integer token counts ≥ 1. */
export function tokenSampler(d: TokenDist, rng: RandomStream): () => number {
  switch (d.kind) {
    case 'fixed':
      return () => d.value;
    case 'lognormal': {
      const f = lognormalSampler(rng, d.mean, d.cv);
      return () => Math.min(d.max, Math.max(d.min, Math.round(f())));
    }
    case 'empirical': {
      const total = d.weights.reduce((a, b) => a + b, 0);
      const cum = Float64Array.from(d.weights.map(((acc) => (w: number) => (acc += w / total))(0)));
      return () => {
        const u = rng.uniform();
        let i = 0;
        while (i < cum.length - 1 && cum[i]! <= u) i++;
        return d.values[i]!;
      };
    }
  }
}

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

export function latencyStats(h: Histogram): LatencyStats {
  const ms = (v: number): number => (Number.isFinite(v) ? Number((v * 1e3).toPrecision(12)) : 0);
  return {
    mean: ms(h.mean()),
    p50: ms(h.quantile(0.5)),
    p90: ms(h.quantile(0.9)),
    p95: ms(h.quantile(0.95)),
    p99: ms(h.quantile(0.99)),
    p999: ms(h.quantile(0.999)),
    max: ms(h.count > 0 ? h.max : NaN),
  };
}

/** Runs the fleet for the spec's duration; `onProgress` sees the share done. */
export function runLlmFleet(spec: LlmFleetSpec, onProgress?: (f: number) => void): LlmRunOutput {
  const sim = new Simulation(spec.seed);
  const reqs = new LlmRequests();
  const warm = spec.warmupS;
  const h = { ttft: new Histogram(), tpot: new Histogram(), itl: new Histogram(), e2e: new Histogram() };
  const iv = { ttft: new Histogram(), tpot: new Histogram(), e2e: new Histogram(), arrivals: 0, completed: 0, rejected: 0, tokens: 0, good: 0, inTok: 0 };
  let arrived = 0;
  let completed = 0;
  let rejected = 0;
  let good = 0;
  let inTok = 0;
  let outTok = 0;
  const sloChecks = spec.slos;
  // per-request SLO check needs the request's own TPOT/TTFT/E2E; ITL SLOs are judged on the distribution only
  const closed = spec.arrivals.kind === 'closed' ? spec.arrivals : null;
  let sendNext: ((user: number) => void) | null = null;
  // Request timing as inference-sim (BLIS) has it, at commit 938f8d88392eec60977153d06e963e80458850f6:
  // - arrival → scheduler queue takes α0 + α1·input tokens of simulated time, so scheduling is
  //   really deferred (sim/event.go:41-46: ArrivalEvent schedules QueuedEvent at
  //   time + QueueingTime; sim/latency/latency.go:71-76), after routing (the request counts as in
  //   flight on its replica from then: sim/cluster/cluster_event.go:290-307);
  // - α2 is added to TTFT (sim/simulator.go:669) and to every ITL (sim/simulator.go:664), and
  //   E2E = TTFT + Σ ITL (sim/simulator.go:516), without delaying the next step (the step is
  //   scheduled at now + step time alone: docs/guide/latency-models.md "Alpha overhead is
  //   non-blocking"); a finished request frees its blocks and its closed-loop client sends the
  //   next one at the step's end (sim/simulator.go:723-737, sim/event.go:192-195).
  // Their ITL is the step's duration + α2; ours is the gap between the token's step and the
  // previous one's + α2: the same while the replica steps back to back, as it does for a running request.
  const o = spec.overheads;
  const ov = { firstTokenS: o?.firstTokenS ?? 0, perTokenS: o?.perTokenS ?? 0, queueS: o?.queueS ?? 0, queuePerPromptTokenS: o?.queuePerPromptTokenS ?? 0 };

  const onFinish = (id: number, t: number): void => {
    const counted = reqs.arrival[id]! >= warm;
    const out = reqs.output[id]!;
    const ttft = reqs.firstT[id]! - reqs.arrival[id]! + ov.firstTokenS;
    const e2e = t - reqs.arrival[id]! + ov.firstTokenS + (out - 1) * ov.perTokenS;
    const tpot = out > 1 ? (t - reqs.firstT[id]!) / (out - 1) + ov.perTokenS : NaN;
    iv.completed++;
    iv.e2e.record(e2e);
    if (Number.isFinite(tpot)) iv.tpot.record(tpot);
    iv.ttft.record(ttft);
    iv.inTok += reqs.prompt[id]!;
    let ok = true;
    for (const s of sloChecks) {
      const v = s.metric === 'ttft' ? ttft : s.metric === 'e2e' ? e2e : s.metric === 'tpot' ? tpot : NaN;
      if (Number.isFinite(v) && v > s.targetS) ok = false;
    }
    if (ok) iv.good++;
    if (counted) {
      completed++;
      inTok += reqs.prompt[id]!;
      outTok += out;
      h.ttft.record(ttft);
      h.e2e.record(e2e);
      if (Number.isFinite(tpot)) h.tpot.record(tpot);
      if (ok) good++;
    }
    const c = reqs.client[id]!;
    if (c >= 0 && sendNext) sendNext(c);
  };
  const onToken = (id: number, _t: number, first: boolean, gap: number): void => {
    iv.tokens++;
    if (!first && reqs.arrival[id]! >= warm) h.itl.record(gap + ov.perTokenS);
  };
  // Every replica the run may use exists from the start; `active` ones are billed and routable
  // (a starting one queues what it gets until its cold start ends), a drained one is removed
  // when its last request finishes.
  const maxReps = spec.autoscaler ? Math.max(spec.replicas, spec.autoscaler.hpa.maxReplicas) : spec.kpa ? Math.max(spec.replicas, spec.kpa.maxReplicas) : spec.replicas;
  const reps: LlmReplica[] = [];
  for (let i = 0; i < maxReps; i++) reps.push(new LlmReplica(sim, spec.engine, spec.model, reqs, { onFinish, onToken }, i));
  const active = new Uint8Array(maxReps);
  /** Active replicas the autoscaler is removing: no new requests, stopped when empty. */
  const draining = new Uint8Array(maxReps);
  const startedAt = new Float64Array(maxReps);
  const readyAt = new Float64Array(maxReps).fill(NaN);
  let activeCount = 0;
  let coldStarts = 0;
  let replicaSeconds = 0;
  let lastAcc = 0;
  let minActive = Infinity;
  let maxActive = 0;
  const accrue = (): void => {
    replicaSeconds += activeCount * (sim.now - lastAcc);
    lastAcc = sim.now;
  };
  const readyH = sim.register((i) => {
    if (!active[i]) return;
    readyAt[i] = sim.now;
    reps[i]!.setReady();
  });
  const start = (i: number, cold: boolean): void => {
    accrue();
    active[i] = 1;
    activeCount++;
    startedAt[i] = sim.now;
    if (activeCount > maxActive) maxActive = activeCount;
    if (cold && spec.coldStartS > 0) {
      coldStarts++;
      reps[i]!.ready = false;
      readyAt[i] = NaN;
      sim.at(sim.now + spec.coldStartS, readyH, i);
    } else {
      readyAt[i] = sim.now;
      reps[i]!.ready = true;
    }
  };
  const stop = (i: number): void => {
    accrue();
    active[i] = 0;
    activeCount--;
    affinity?.forget(i);
    if (activeCount < minActive) minActive = activeCount;
  };
  for (let i = 0; i < maxReps; i++) reps[i]!.ready = false;
  for (let i = 0; i < spec.replicas; i++) start(i, spec.coldStartS > 0);
  minActive = activeCount;
  if (spec.coldStartS > 0) coldStarts = 0; // the initial fleet's load is not a scale-up cold start

  let rr = 0;
  const better = (r: LlmReplica, best: LlmReplica): boolean => {
    switch (spec.routing) {
      case 'least-requests':
      case 'round-robin':
      case 'prefix-affinity':
        return r.outstanding < best.outstanding;
      case 'least-tokens':
        return r.outstandingTokens < best.outstandingTokens;
      case 'kv-utilization': {
        const a = r.kvUtilization;
        const b = best.kvUtilization;
        return a < b || (a === b && r.outstanding < best.outstanding);
      }
    }
  };
  const affinity = spec.routing === 'prefix-affinity' ? new PrefixAffinityRouter(maxReps, spec.engine.blockSize, spec.prefixAffinity ?? PREFIX_AFFINITY_DEFAULTS, reqs) : null;
  const cand = new Int32Array(maxReps);
  const load = new Int32Array(maxReps);
  /** Prefix affinity among the routable replicas: the ready ones, or when none is ready the starting ones (as below). */
  const routeAffinity = (router: PrefixAffinityRouter, id: number): LlmReplica => {
    for (let pass = 0; pass < 2; pass++) {
      let n = 0;
      for (let i = 0; i < maxReps; i++) {
        const r = reps[i]!;
        if (active[i] && !draining[i] && (pass === 1 || r.ready)) {
          cand[n++] = i;
          load[i] = r.outstanding;
        }
      }
      if (n > 0) return reps[router.select(id, cand, n, load)]!;
    }
    return reps[0]!;
  };
  const route = (id: number): LlmReplica => {
    if (affinity !== null) return routeAffinity(affinity, id);
    if (spec.routing === 'round-robin') {
      for (let k = 0; k < maxReps; k++) {
        const i = (rr + k) % maxReps;
        if (active[i] && !draining[i] && reps[i]!.ready) {
          rr = (i + 1) % maxReps;
          return reps[i]!;
        }
      }
    }
    // ready active replicas first; only when none is ready, the starting ones
    let best: LlmReplica | null = null;
    for (let i = 0; i < maxReps; i++) {
      const r = reps[i]!;
      if (active[i] && !draining[i] && r.ready && (best === null || better(r, best))) best = r;
    }
    if (best !== null) return best;
    for (let i = 0; i < maxReps; i++) {
      const r = reps[i]!;
      if (active[i] && !draining[i] && (best === null || better(r, best))) best = r;
    }
    return best ?? reps[0]!;
  };

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
    iv.arrivals++;
    if (t >= warm) arrived++;
    const rep = route(id);
    if (!rep.enqueue(id, ov.queueS + ov.queuePerPromptTokenS * prompt)) {
      iv.rejected++;
      if (t >= warm) rejected++;
      if (client >= 0 && sendNext) sendNext(client);
    }
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
  } else if (closed) {
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

  // autoscaler: the HPA's own decision logic (src/scaling/hpa.ts) on vLLM's per-pod gauges
  let desired = spec.replicas;
  /** Applies an autoscaler's decision `d` to the `cur` serving replicas: scale up undrains first, then starts idle replicas (cold); scale down drains the newest. */
  const scaleTo = (d: number, cur: number): void => {
    desired = d;
    for (let i = 0; i < maxReps && cur < d; i++) if (active[i] && draining[i]) (draining[i] = 0), cur++;
    for (let i = 0; i < maxReps && cur < d; i++) if (!active[i]) start(i, true), cur++;
    for (let i = maxReps - 1; i >= 0 && cur > d; i--) {
      if (!active[i] || draining[i]) continue;
      draining[i] = 1;
      cur--;
      if (reps[i]!.outstanding === 0) {
        draining[i] = 0;
        reps[i]!.ready = false;
        stop(i);
      }
    }
  };
  if (spec.autoscaler) {
    const hpa = new HpaController(spec.autoscaler.hpa);
    const metricName = spec.autoscaler.hpa.metrics[0]!.name;
    const gauge = (r: LlmReplica): number => (metricName === 'vllm:num_requests_waiting' ? r.waitingCount : metricName === 'vllm:num_requests_running' ? r.runCount : r.kvUtilization);
    const period = spec.autoscaler.syncPeriodS;
    const syncH = sim.register(() => {
      const pods: HpaPod[] = [];
      for (let i = 0; i < maxReps; i++) {
        if (!active[i] || draining[i]) continue;
        const r = reps[i]!;
        const ready = r.ready;
        pods.push({ ready, startedAtS: startedAt[i]!, readySinceS: ready ? readyAt[i]! : null, metric: () => gauge(r), sampleTakenAtS: sim.now, cpuRequestCores: 1 });
      }
      const d = hpa.sync({ nowS: sim.now, specReplicas: pods.length, pods, objectMetric: () => undefined }).desired;
      scaleTo(d, pods.length);
      if (sim.now + period <= spec.durationS) sim.at(sim.now + period, syncH, 0);
    });
    sim.at(period, syncH, 0);
  }
  if (spec.kpa) startLlmKpa(sim, spec.kpa, spec.durationS, {
    inFlight: () => {
      let n = 0;
      for (let i = 0; i < maxReps; i++) if (active[i]) n += reps[i]!.outstanding;
      return n;
    },
    submitted: () => reqs.count,
    readyPods: () => {
      let n = 0;
      for (let i = 0; i < maxReps; i++) if (active[i] && !draining[i] && reps[i]!.ready) n++;
      return n;
    },
    scaleTo: (d) => {
      let cur = 0;
      for (let i = 0; i < maxReps; i++) if (active[i] && !draining[i]) cur++;
      scaleTo(d, cur);
    },
  });
  // a draining replica leaves once its last request finishes (checked at each report and sync)
  const reapDrained = (): void => {
    for (let i = 0; i < maxReps; i++) {
      if (active[i] && draining[i] && reps[i]!.outstanding === 0) {
        draining[i] = 0;
        reps[i]!.ready = false;
        stop(i);
      }
    }
  };

  // timeline
  const timeline: LlmTimelineRow[] = [];
  let lastPre = 0;
  let lastBusy = 0;
  let lastQ = 0;
  let lastHit = 0;
  let kvSum = 0;
  let kvSamples = 0;
  let kvPeak = 0;
  let rsAtWarm = 0;
  let lastRs = 0;
  if (warm > 0) sim.at(warm, sim.register(() => (accrue(), (rsAtWarm = replicaSeconds))), 0);
  const sample = (t: number): void => {
    reapDrained();
    accrue();
    let running = 0;
    let waiting = 0;
    let kv = 0;
    let pre = 0;
    let busyNow = 0;
    let ready = 0;
    let qNow = 0;
    let hitNow = 0;
    for (let i = 0; i < maxReps; i++) {
      const r = reps[i]!;
      busyNow += r.busyS;
      qNow += r.prefixQueryTokens;
      hitNow += r.prefixHitTokens;
      pre += r.preemptionCount;
      if (!active[i]) continue;
      if (r.ready) ready++;
      running += r.runCount;
      waiting += r.waitingCount;
      kv += r.kvUtilization;
    }
    kv /= Math.max(1, activeCount);
    if (t > warm) {
      kvSum += kv;
      kvSamples++;
      if (kv > kvPeak) kvPeak = kv;
    }
    const q = (x: Histogram, p = 0.99): number => (x.count > 0 ? Number((x.quantile(p) * 1e3).toPrecision(9)) : 0);
    const rsSpan = replicaSeconds - lastRs;
    lastRs = replicaSeconds;
    timeline.push({
      t: Number(t.toPrecision(12)),
      arrivals: iv.arrivals,
      completed: iv.completed,
      rejected: iv.rejected,
      p50Ms: iv.e2e.count > 0 ? Number((iv.e2e.quantile(0.5) * 1e3).toPrecision(9)) : 0,
      p99Ms: q(iv.e2e),
      replicasReady: ready,
      replicas: activeCount,
      replicasDesired: desired,
      gpuUtilization: rsSpan > 0 ? Number(Math.min(1, (busyNow - lastBusy) / rsSpan).toPrecision(6)) : 0,
      prefixHitRate: qNow > lastQ ? Number(((hitNow - lastHit) / (qNow - lastQ)).toPrecision(6)) : 0,
      costUsd: Number(((spec.tensorParallel * spec.pricePerGpuHour * rsSpan) / 3600).toPrecision(9)),
      ttftP99Ms: q(iv.ttft),
      tpotP99Ms: q(iv.tpot),
      running,
      waiting,
      kvUtilization: Number(kv.toPrecision(6)),
      preemptions: pre - lastPre,
      outputTokensPerS: Number((iv.tokens / spec.reportIntervalS).toPrecision(9)),
      ttftP50Ms: q(iv.ttft, 0.5),
      tpotP50Ms: q(iv.tpot, 0.5),
      goodputRps: Number((iv.good / spec.reportIntervalS).toPrecision(9)),
      inputTokensPerS: Number((iv.inTok / spec.reportIntervalS).toPrecision(9)),
    });
    lastPre = pre;
    lastBusy = busyNow;
    lastQ = qNow;
    lastHit = hitNow;
    iv.arrivals = iv.completed = iv.tokens = iv.rejected = iv.good = iv.inTok = 0;
    iv.e2e.reset();
    iv.ttft.reset();
    iv.tpot.reset();
  };
  const steps = Math.ceil(spec.durationS / spec.reportIntervalS);
  for (let k = 1; k <= steps; k++) {
    const t = Math.min(spec.durationS, k * spec.reportIntervalS);
    sim.run(t);
    sample(t);
    onProgress?.(t / spec.durationS);
  }
  for (const r of reps) r.flush();

  // results
  const windowS = Math.max(1e-9, spec.durationS - warm);
  let steps2 = 0;
  let seqs = 0;
  let busy = 0;
  let pre = 0;
  let q = 0;
  let hit = 0;
  for (const r of reps) {
    steps2 += r.steps;
    busy += Math.min(r.busyS, spec.durationS);
    pre += r.preemptionCount;
    q += r.prefixQueryTokens;
    hit += r.prefixHitTokens;
    seqs += r.runCount;
  }
  void seqs;
  let inFlight = 0;
  for (let id = 0; id < reqs.count; id++) if (reqs.arrival[id]! >= warm && (reqs.state[id] === 0 || reqs.state[id] === 1 || reqs.state[id] === -1)) inFlight++;
  const stats = { ttft: latencyStats(h.ttft), tpot: latencyStats(h.tpot), itl: latencyStats(h.itl), e2e: latencyStats(h.e2e) };
  const targets = spec.slos.map((s) => {
    const actualMs = stats[s.metric][s.percentile];
    const targetMs = Number((s.targetS * 1e3).toPrecision(12));
    return { metric: s.metric, percentile: s.percentile, targetMs, actualMs, met: actualMs <= targetMs && (completed > 0 || arrived === 0) };
  });
  accrue();
  const gpus = spec.replicas * spec.tensorParallel;
  const gpuHourUsd = spec.tensorParallel * spec.pricePerGpuHour;
  const costUsd = (gpuHourUsd * replicaSeconds) / 3600;
  const costWindow = (gpuHourUsd * (replicaSeconds - rsAtWarm)) / 3600;
  const meanReplicas = replicaSeconds / spec.durationS;
  const tokens = inTok + outTok;
  let totalSeqSteps = 0;
  for (const r of reps) totalSeqSteps += r.seqStepSum;
  return {
    results: {
      requests: { arrived, completed, rejected, inFlightAtEnd: inFlight },
      ttftMs: stats.ttft,
      tpotMs: stats.tpot,
      itlMs: stats.itl,
      e2eMs: stats.e2e,
      slo: { met: targets.every((t) => t.met), targets },
      goodputRps: good / windowS,
      throughputRps: completed / windowS,
      inputTokensPerS: inTok / windowS,
      outputTokensPerS: outTok / windowS,
      kvUtilization: { mean: kvSamples > 0 ? kvSum / kvSamples : 0, peak: kvPeak },
      preemptions: pre,
      prefixHitRate: q > 0 ? hit / q : 0,
      meanBatchSequences: steps2 > 0 ? totalSeqSteps / steps2 : 0,
      busyShare: replicaSeconds > 0 ? Math.min(1, busy / replicaSeconds) : 0,
      replicas: spec.replicas,
      replicasStats: { min: Number.isFinite(minActive) ? minActive : 0, mean: meanReplicas, max: maxActive, coldStarts },
      gpus,
      costUsd,
      monthlyUsd: meanReplicas * gpuHourUsd * HOURS_PER_MONTH,
      costPerMillionTokens: tokens > 0 ? (costWindow / tokens) * 1e6 : 0,
      stepModel: spec.model.label,
      numGpuBlocks: spec.engine.numGpuBlocks,
      events: sim.events,
    },
    timeline,
  };
}

/** What the KPA loop reads from an LLM fleet and how it applies a decision. */
interface LlmKpaFleet {
  /** Requests in flight at the replicas (running, waiting, or held by a replica still starting). */
  inFlight(): number;
  /** Requests submitted so far (the rps metric counts their increase). */
  submitted(): number;
  /** Replicas ready and not draining. */
  readyPods(): number;
  scaleTo(desired: number): void;
}

/**
 * The KPA on an LLM fleet, fed as scaling/autoscaler.ts feeds the request-level fleet's: every
 * 1 s the fleet-wide value is recorded (concurrency: the requests in flight at the replicas,
 * which is what each pod's queue-proxy counts, a vLLM pod's running + waiting requests; rps: the
 * requests that arrived in that second), and every `tick` the decider (scaling/kpa.ts, Knative's
 * stable/panic windows) returns the desired count, applied as the HPA's (cold starts included).
 * Knative: pkg/autoscaler/scaling/autoscaler.go (knative/serving), as scaling/kpa.ts follows it.
 */
function startLlmKpa(sim: Simulation, cfg: KpaConfig, durationS: number, fleet: LlmKpaFleet): void {
  const kpa = new KpaController(cfg);
  const rps = cfg.metric === 'rps';
  let last = fleet.submitted();
  const recordH = sim.register(() => {
    let total: number;
    if (rps) {
      const n = fleet.submitted();
      total = n - last;
      last = n;
    } else total = fleet.inFlight();
    kpa.record(sim.now, total);
    if (sim.now + 1 <= durationS) sim.at(sim.now + 1, recordH, 0);
  });
  const tickH = sim.register(() => {
    fleet.scaleTo(kpa.tick(sim.now, fleet.readyPods()).desired);
    if (sim.now + cfg.tickS <= durationS) sim.at(sim.now + cfg.tickS, tickH, 0);
  });
  sim.at(sim.now + 1, recordH, 0);
  sim.at(sim.now + cfg.tickS, tickH, 0);
}
