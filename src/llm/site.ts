/**
 * One region's LLM fleet on a run's shared clock: the site a region router (topology/regions.ts
 * RegionRouter) routes to, as site/site.ts is for a request-level fleet.
 *
 *   router ──► arrive(id) ──► down? rejected ──► replica (routing as fleet.ts) ──► LlmReplica (engine.ts)
 *                                                   ▲                               │ onToken / onFinish
 *                                         HPA on vLLM's gauges                      ▼
 *                                                                  books: TTFT / E2E + the users' round trip
 *
 * What the router reads (RegionSite): down and downSinceS, fleet.numReady (its health check passes
 * with ≥ 1 ready replica), lifecycle.release() (a cold standby starts its replicas), outage() and
 * restore(). A region outage kills every replica: each request the site holds (queued, running,
 * or in its arrival → queue delay) fails and is counted rejected, as the request-level site counts
 * what a dead region held; arrivals while down are rejected; restore() starts the replicas the
 * site wants (the HPA's last desired count) again, each paying the cold start. The dead replicas'
 * engine objects are dropped (a step already in flight still ends, its tokens ignored).
 *
 * A KPA with minReplicas 0 scales the site to zero: requests that find no replica serving wait in an
 * activator (in flight, counted as waiting), and the first of them makes the KPA decide at once, as
 * Knative's autoscaler does for a revision at zero; a replica starts (cold) and takes them in order.
 *
 * This is the one LLM fleet implementation: runLlmFleet (fleet.ts) is one LlmSite with no network,
 * never down nor held, so replicas, routing, the HPA and KPA loops, the timeline and the books
 * exist once (one region with every user at 0 ms reproduces runLlmFleet figure for figure:
 * test/llm/regions.test.ts).
 */
import type { Simulation } from '../engine/simulation.js';
import { Histogram } from '../metrics/histogram.js';
import { HOURS_PER_MONTH } from '../metrics/cost.js';
import type { Network } from '../site/site.js';
import { HpaController, type HpaPod } from '../scaling/hpa.js';
import { isActivating, KpaController } from '../scaling/kpa.js';
import type { KpaConfig } from '../config/kpa.js';
import { PREFIX_AFFINITY_DEFAULTS } from '../config/llm.js';
import { LlmReplica, type LlmRequests } from './engine.js';
import { PrefixAffinityRouter } from './prefix-affinity.js';
import { latencyStats, type LlmFleetSpec, type LlmResults, type LlmTimelineRow } from './fleet-spec.js';

/** Per-request marks the sites of one run share: which site took a request, and whether an outage failed it. */
export class LlmMarks {
  site = new Int16Array(1024);
  failed = new Uint8Array(1024);

  /** Makes room for request `id` (call as requests are added). */
  ensure(id: number): void {
    if (id < this.site.length) return;
    let n = this.site.length;
    while (n <= id) n *= 2;
    const s = new Int16Array(n);
    s.set(this.site);
    this.site = s;
    const f = new Uint8Array(n);
    f.set(this.failed);
    this.failed = f;
  }
}

/** The run-wide count of active replicas (its min and max are the run's replicas block). */
export class ActiveSum {
  level = 0;
  min = Infinity;
  max = 0;
  set(delta: number): void {
    this.level += delta;
    if (this.level > this.max) this.max = this.level;
    if (this.level < this.min) this.min = this.level;
  }
}

/** What a site adds up over the run: the run's totals are the sum over its sites (mergeTallies). */
export interface LlmTally {
  h: { ttft: Histogram; tpot: Histogram; itl: Histogram; e2e: Histogram };
  arrived: number;
  completed: number;
  rejected: number;
  /** Counted requests the site still holds at the end (set by finish()). */
  inFlight: number;
  good: number;
  inTok: number;
  outTok: number;
  /** Output tokens of counted completions served outside their users' region (inter-region transfer). */
  foreignOutTok: number;
  kvSum: number;
  kvSamples: number;
  kvPeak: number;
  preemptions: number;
  prefixQuery: number;
  prefixHit: number;
  steps: number;
  seqSteps: number;
  busyS: number;
  replicaSeconds: number;
  rsAtWarm: number;
  /** GPU USD of the whole run (replica time × GPUs per replica × price), and of the measured window. */
  gpuUsd: number;
  gpuUsdWindow: number;
  /** Mean replicas × GPUs per replica × price × hours per month. */
  monthlyUsd: number;
  coldStarts: number;
  gpus: number;
  replicas: number;
}

export function emptyTally(): LlmTally {
  return {
    h: { ttft: new Histogram(), tpot: new Histogram(), itl: new Histogram(), e2e: new Histogram() },
    arrived: 0,
    completed: 0,
    rejected: 0,
    inFlight: 0,
    good: 0,
    inTok: 0,
    outTok: 0,
    foreignOutTok: 0,
    kvSum: 0,
    kvSamples: 0,
    kvPeak: 0,
    preemptions: 0,
    prefixQuery: 0,
    prefixHit: 0,
    steps: 0,
    seqSteps: 0,
    busyS: 0,
    replicaSeconds: 0,
    rsAtWarm: 0,
    gpuUsd: 0,
    gpuUsdWindow: 0,
    monthlyUsd: 0,
    coldStarts: 0,
    gpus: 0,
    replicas: 0,
  };
}

/** The sum of the sites' tallies (histograms merged); kv figures are the caller's (they are not additive). */
export function mergeTallies(ts: readonly LlmTally[]): LlmTally {
  const m = emptyTally();
  for (const t of ts) {
    for (const k of ['ttft', 'tpot', 'itl', 'e2e'] as const) m.h[k].absorb(t.h[k], 1);
    for (const k of ['arrived', 'completed', 'rejected', 'inFlight', 'good', 'inTok', 'outTok', 'foreignOutTok', 'preemptions', 'prefixQuery', 'prefixHit', 'steps', 'seqSteps', 'busyS', 'replicaSeconds', 'rsAtWarm', 'gpuUsd', 'gpuUsdWindow', 'monthlyUsd', 'coldStarts', 'gpus', 'replicas'] as const) m[k] += t[k];
  }
  return m;
}

/** LlmResults of a tally, as runLlmFleet computes them. */
export function tallyResults(t: LlmTally, spec: LlmFleetSpec, x: { minActive: number; maxActive: number; stepModel: string; numGpuBlocks: number; events: number }): LlmResults {
  const windowS = Math.max(1e-9, spec.durationS - spec.warmupS);
  const stats = { ttft: latencyStats(t.h.ttft), tpot: latencyStats(t.h.tpot), itl: latencyStats(t.h.itl), e2e: latencyStats(t.h.e2e) };
  const targets = spec.slos.map((s) => {
    const actualMs = stats[s.metric][s.percentile];
    const targetMs = Number((s.targetS * 1e3).toPrecision(12));
    return { metric: s.metric, percentile: s.percentile, targetMs, actualMs, met: actualMs <= targetMs && (t.completed > 0 || t.arrived === 0) };
  });
  const tokens = t.inTok + t.outTok;
  return {
    requests: { arrived: t.arrived, completed: t.completed, rejected: t.rejected, inFlightAtEnd: t.inFlight },
    ttftMs: stats.ttft,
    tpotMs: stats.tpot,
    itlMs: stats.itl,
    e2eMs: stats.e2e,
    slo: { met: targets.every((v) => v.met), targets },
    goodputRps: t.good / windowS,
    throughputRps: t.completed / windowS,
    inputTokensPerS: t.inTok / windowS,
    outputTokensPerS: t.outTok / windowS,
    kvUtilization: { mean: t.kvSamples > 0 ? t.kvSum / t.kvSamples : 0, peak: t.kvPeak },
    preemptions: t.preemptions,
    prefixHitRate: t.prefixQuery > 0 ? t.prefixHit / t.prefixQuery : 0,
    meanBatchSequences: t.steps > 0 ? t.seqSteps / t.steps : 0,
    busyShare: t.replicaSeconds > 0 ? Math.min(1, t.busyS / t.replicaSeconds) : 0,
    replicas: t.replicas,
    replicasStats: { min: Number.isFinite(x.minActive) ? x.minActive : 0, mean: t.replicaSeconds / spec.durationS, max: x.maxActive, coldStarts: t.coldStarts },
    gpus: t.gpus,
    costUsd: t.gpuUsd,
    monthlyUsd: t.monthlyUsd,
    costPerMillionTokens: tokens > 0 ? (t.gpuUsdWindow / tokens) * 1e6 : 0,
    stepModel: x.stepModel,
    numGpuBlocks: x.numGpuBlocks,
    events: x.events,
  };
}

/** One report interval of a site, as the run adds it into its own row. */
export interface LlmSiteInterval {
  row: LlmTimelineRow;
  ttft: Histogram;
  tpot: Histogram;
  e2e: Histogram;
  busyS: number;
  replicaS: number;
  queryTokens: number;
  hitTokens: number;
  /** Σ KV utilization over the active replicas, and their count (the run's mean is Σ / Σ). */
  kvTotal: number;
  active: number;
  /** The interval's completions meeting every SLO, and their prompt tokens (the row's goodputRps and inputTokensPerS × the interval). */
  good: number;
  inTok: number;
}

export interface LlmSiteOptions {
  name: string;
  /** This site's index among the run's sites (LlmMarks.site). */
  index: number;
  /** The region's fleet (the llm block with the region's own fields over it). */
  spec: LlmFleetSpec;
  reqs: LlmRequests;
  marks: LlmMarks;
  active: ActiveSum;
  /** The users' population of each request and their round trip to this region; null for a lone fleet (no round trip). */
  network: Network | null;
  /** A cold standby: no replica until release(). */
  held: boolean;
  /** Called when a closed-loop user's request (reqs.client ≥ 0) finishes or is refused (arrivals.ts startLlmArrivals). */
  onClientDone?: (client: number) => void;
}

/** One region's LLM fleet: what the region router routes to. */
export class LlmSite {
  readonly name: string;
  readonly spec: LlmFleetSpec;
  readonly tally = emptyTally();
  readonly timeline: LlmTimelineRow[] = [];
  /** In a region outage, since downSinceS. */
  down = false;
  downSinceS = NaN;
  /** No result cache in an LLM site (the router's keyed-cache relabelling does not apply). */
  readonly sc = { cache: null };
  readonly fleet: { readonly numReady: number };
  readonly lifecycle: { release(): void };
  private reps: LlmReplica[] = [];
  /** Replicas of earlier generations (before an outage): their statistics still count. */
  private readonly retired: LlmReplica[] = [];
  private readonly maxReps: number;
  private readonly activeFlag: Uint8Array;
  private readonly draining: Uint8Array;
  private readonly startedAt: Float64Array;
  private readonly readyAt: Float64Array;
  private activeCount = 0;
  /** Fewest and most active replicas of this site (from the initial fleet on). */
  minActive = 0;
  maxActive = 0;
  private desired: number;
  private held: boolean;
  /** A KPA with minReplicas 0: with no replica serving, requests wait in the activator. */
  private readonly scalesToZero: boolean;
  /** Requests the activator holds (Knative's activator buffers them while a revision is at zero), oldest first from activatorHead. */
  private readonly activator: number[] = [];
  private activatorHead = 0;
  /** Runs the KPA's decision now (Knative's poke of a revision at zero); set by startKpa. */
  private poke: (() => void) | null = null;
  private lastAcc = 0;
  private affinity: PrefixAffinityRouter | null = null;
  private readonly cand: Int32Array;
  private readonly load: Int32Array;
  private rr = 0;
  private readonly readyH: number;
  /** Requests this site has taken (the KPA's rps counts their increase). */
  private taken = 0;
  private readonly iv = { ttft: new Histogram(), tpot: new Histogram(), e2e: new Histogram(), arrivals: 0, completed: 0, rejected: 0, tokens: 0, good: 0, inTok: 0 };
  private readonly last = { pre: 0, busy: 0, q: 0, hit: 0, rs: 0 };
  private readonly ov: { firstTokenS: number; perTokenS: number; queueS: number; queuePerPromptTokenS: number };
  private readonly gpuHourUsd: number;
  private readonly hooks: { onFinish: (id: number, t: number) => void; onToken: (id: number, t: number, first: boolean, gap: number) => void };
  private generation = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly o: LlmSiteOptions,
  ) {
    const spec = o.spec;
    this.name = o.name;
    this.spec = spec;
    this.held = o.held;
    const ov = spec.overheads;
    this.ov = { firstTokenS: ov?.firstTokenS ?? 0, perTokenS: ov?.perTokenS ?? 0, queueS: ov?.queueS ?? 0, queuePerPromptTokenS: ov?.queuePerPromptTokenS ?? 0 };
    this.gpuHourUsd = spec.tensorParallel * spec.pricePerGpuHour;
    this.maxReps = spec.autoscaler ? Math.max(spec.replicas, spec.autoscaler.hpa.maxReplicas) : spec.kpa ? Math.max(spec.replicas, spec.kpa.maxReplicas) : spec.replicas;
    const n = this.maxReps;
    this.activeFlag = new Uint8Array(n);
    this.draining = new Uint8Array(n);
    this.startedAt = new Float64Array(n);
    this.readyAt = new Float64Array(n).fill(NaN);
    this.cand = new Int32Array(n);
    this.load = new Int32Array(n);
    this.desired = spec.replicas;
    this.scalesToZero = spec.kpa?.minReplicas === 0;
    this.tally.replicas = spec.replicas;
    this.tally.gpus = spec.replicas * spec.tensorParallel;
    this.hooks = { onFinish: (id, t) => this.onFinish(id, t), onToken: (id, t, first, gap) => this.onToken(id, t, first, gap) };
    const site = this;
    this.fleet = {
      get numReady(): number {
        let k = 0;
        for (let i = 0; i < site.maxReps; i++) if (site.activeFlag[i] && site.reps[i]!.ready) k++;
        return k;
      },
    };
    this.lifecycle = { release: () => this.release() };
    this.readyH = sim.register((x) => {
      // payload: generation · maxReps + replica (a replica of a generation an outage ended is gone)
      const g = Math.floor(x / this.maxReps);
      const i = x - g * this.maxReps;
      if (g !== this.generation || !this.activeFlag[i]) return;
      this.readyAt[i] = sim.now;
      this.reps[i]!.setReady();
    });
    this.newReplicas();
    if (!this.held) {
      for (let i = 0; i < spec.replicas; i++) this.start(i, spec.coldStartS > 0);
      this.tally.coldStarts = 0; // the initial fleet's load is not a scale-up cold start
    }
    this.minActive = this.maxActive = this.activeCount;
  }

  /** Starts the site's autoscaler (HPA or KPA) and its warmup mark: call once, after the arrivals when they must come first at a tie (runLlmFleet's order). */
  begin(): void {
    const spec = this.spec;
    const sim = this.sim;
    if (spec.autoscaler) this.startHpa();
    if (spec.kpa) this.startKpa(spec.kpa);
    const warm = spec.warmupS;
    if (warm > 0)
      sim.at(
        warm,
        sim.register(() => {
          this.accrue();
          this.tally.rsAtWarm = this.tally.replicaSeconds;
        }),
        0,
      );
  }

  /** A fresh set of replica engines (at the start, and when an outage ends). */
  private newReplicas(): void {
    this.retired.push(...this.reps);
    const base = this.o.index * 65536 + this.generation * this.maxReps;
    this.reps = [];
    for (let i = 0; i < this.maxReps; i++) {
      const r = new LlmReplica(this.sim, this.spec.engine, this.spec.model, this.o.reqs, this.hooks, base + i);
      r.ready = false;
      this.reps.push(r);
    }
    this.affinity = this.spec.routing === 'prefix-affinity' ? new PrefixAffinityRouter(this.maxReps, this.spec.engine.blockSize, this.spec.prefixAffinity ?? PREFIX_AFFINITY_DEFAULTS, this.o.reqs) : null;
  }

  private accrue(): void {
    const now = this.sim.now;
    this.tally.replicaSeconds += this.activeCount * (now - this.lastAcc);
    this.lastAcc = now;
  }

  private start(i: number, cold: boolean): void {
    this.accrue();
    this.activeFlag[i] = 1;
    this.activeCount++;
    if (this.activeCount > this.maxActive) this.maxActive = this.activeCount;
    this.o.active.set(1);
    this.startedAt[i] = this.sim.now;
    const r = this.reps[i]!;
    if (cold && this.spec.coldStartS > 0) {
      this.tally.coldStarts++;
      r.ready = false;
      this.readyAt[i] = NaN;
      this.sim.at(this.sim.now + this.spec.coldStartS, this.readyH, this.generation * this.maxReps + i);
    } else {
      this.readyAt[i] = this.sim.now;
      r.ready = true;
    }
  }

  private stop(i: number): void {
    this.accrue();
    this.activeFlag[i] = 0;
    this.activeCount--;
    if (this.activeCount < this.minActive) this.minActive = this.activeCount;
    this.o.active.set(-1);
    this.affinity?.forget(i);
  }

  /** A cold standby the router now sends traffic to: its replicas start (each a cold start). */
  private release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.down) return;
    for (let i = 0; i < this.desired; i++) this.start(i, true);
  }

  /** Takes request `id` (its population set by the router). */
  arrive(id: number): void {
    const reqs = this.o.reqs;
    this.o.marks.site[id] = this.o.index;
    this.taken++;
    const counted = reqs.arrival[id]! >= this.spec.warmupS;
    this.iv.arrivals++;
    if (counted) this.tally.arrived++;
    if (this.down) {
      reqs.state[id] = 3;
      this.reject(counted);
      this.clientDone(id);
      return;
    }
    if (this.scalesToZero && this.serving() === 0) {
      // scaled to zero: the activator holds the request; the first one held asks the KPA to decide now
      // (Knative: the activator reports it, and the autoscaler ticks at once for a revision at zero:
      // pkg/autoscaler/scaling/multiscaler.go Poke)
      this.activator.push(id);
      if (this.activator.length - this.activatorHead === 1) this.poke?.();
      return;
    }
    this.toReplica(id, counted);
  }

  private toReplica(id: number, counted: boolean): void {
    const rep = this.route(id);
    if (!rep.enqueue(id, this.ov.queueS + this.ov.queuePerPromptTokenS * this.o.reqs.prompt[id]!)) {
      this.reject(counted);
      this.clientDone(id);
    }
  }

  /** Replicas that take new requests (active and not draining, ready or starting). */
  private serving(): number {
    let k = 0;
    for (let i = 0; i < this.maxReps; i++) if (this.activeFlag[i] && !this.draining[i]) k++;
    return k;
  }

  /** Serving replicas that are ready (what the KPA counts as ready pods). */
  private readyServing(): number {
    let k = 0;
    for (let i = 0; i < this.maxReps; i++) if (this.activeFlag[i] && !this.draining[i] && this.reps[i]!.ready) k++;
    return k;
  }

  /** Requests the activator holds. */
  private get heldCount(): number {
    return this.activator.length - this.activatorHead;
  }

  /** Replicas serve again: the activator hands on what it holds, oldest first, as if each arrived now. */
  private releaseActivator(): void {
    if (this.heldCount === 0 || this.serving() === 0) return;
    const warm = this.spec.warmupS;
    while (this.activatorHead < this.activator.length) {
      const id = this.activator[this.activatorHead++]!;
      this.toReplica(id, this.o.reqs.arrival[id]! >= warm);
    }
    this.activator.length = 0;
    this.activatorHead = 0;
  }

  /** A closed-loop user's request is done: its next one (arrivals.ts). */
  private clientDone(id: number): void {
    const c = this.o.reqs.client[id]!;
    if (c >= 0 && this.o.onClientDone) this.o.onClientDone(c);
  }

  private reject(counted: boolean): void {
    this.iv.rejected++;
    if (counted) this.tally.rejected++;
  }

  private onFinish(id: number, t: number): void {
    const reqs = this.o.reqs;
    if (this.o.marks.failed[id] === 1) return;
    const net = this.o.network;
    const pop = net !== null ? net.pop[id]! : 0;
    const rtt = net !== null ? net.rttByPopS[pop]! : 0;
    const ov = this.ov;
    const tally = this.tally;
    const iv = this.iv;
    const counted = reqs.arrival[id]! >= this.spec.warmupS;
    const out = reqs.output[id]!;
    // the users see the first token and the last one a round trip later than the server (request sent, response back)
    const ttft = reqs.firstT[id]! - reqs.arrival[id]! + ov.firstTokenS + rtt;
    const e2e = t - reqs.arrival[id]! + ov.firstTokenS + (out - 1) * ov.perTokenS + rtt;
    const tpot = out > 1 ? (t - reqs.firstT[id]!) / (out - 1) + ov.perTokenS : NaN;
    iv.completed++;
    iv.e2e.record(e2e);
    if (Number.isFinite(tpot)) iv.tpot.record(tpot);
    iv.ttft.record(ttft);
    iv.inTok += reqs.prompt[id]!;
    let ok = true;
    for (const s of this.spec.slos) {
      const v = s.metric === 'ttft' ? ttft : s.metric === 'e2e' ? e2e : s.metric === 'tpot' ? tpot : NaN;
      if (Number.isFinite(v) && v > s.targetS) ok = false;
    }
    if (ok) iv.good++;
    if (counted) {
      tally.completed++;
      tally.inTok += reqs.prompt[id]!;
      tally.outTok += out;
      if (net !== null && pop !== net.home) tally.foreignOutTok += out;
      tally.h.ttft.record(ttft);
      tally.h.e2e.record(e2e);
      if (Number.isFinite(tpot)) tally.h.tpot.record(tpot);
      if (ok) tally.good++;
    }
    this.clientDone(id);
  }

  private onToken(id: number, _t: number, first: boolean, gap: number): void {
    if (this.o.marks.failed[id] === 1) return;
    this.iv.tokens++;
    if (!first && this.o.reqs.arrival[id]! >= this.spec.warmupS) this.tally.h.itl.record(gap + this.ov.perTokenS);
  }

  private better(r: LlmReplica, best: LlmReplica): boolean {
    switch (this.spec.routing) {
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
  }

  /** The replica for request `id`: as runLlmFleet routes (ready active replicas first, else the starting ones). */
  private route(id: number): LlmReplica {
    const n = this.maxReps;
    const reps = this.reps;
    const active = this.activeFlag;
    const draining = this.draining;
    const affinity = this.affinity;
    if (affinity !== null) {
      for (let pass = 0; pass < 2; pass++) {
        let k = 0;
        for (let i = 0; i < n; i++) {
          const r = reps[i]!;
          if (active[i] && !draining[i] && (pass === 1 || r.ready)) {
            this.cand[k++] = i;
            this.load[i] = r.outstanding;
          }
        }
        if (k > 0) return reps[affinity.select(id, this.cand, k, this.load)]!;
      }
      return reps[0]!;
    }
    if (this.spec.routing === 'round-robin') {
      for (let k = 0; k < n; k++) {
        const i = (this.rr + k) % n;
        if (active[i] && !draining[i] && reps[i]!.ready) {
          this.rr = (i + 1) % n;
          return reps[i]!;
        }
      }
    }
    let best: LlmReplica | null = null;
    for (let i = 0; i < n; i++) {
      const r = reps[i]!;
      if (active[i] && !draining[i] && r.ready && (best === null || this.better(r, best))) best = r;
    }
    if (best !== null) return best;
    for (let i = 0; i < n; i++) {
      const r = reps[i]!;
      if (active[i] && !draining[i] && (best === null || this.better(r, best))) best = r;
    }
    return best ?? reps[0]!;
  }

  /** The HPA of runLlmFleet on vLLM's per-pod gauges; it waits while the site is down or held. */
  private startHpa(): void {
    const a = this.spec.autoscaler!;
    const sim = this.sim;
    const hpa = new HpaController(a.hpa);
    const metricName = a.hpa.metrics[0]!.name;
    const gauge = (r: LlmReplica): number => (metricName === 'vllm:num_requests_waiting' ? r.waitingCount : metricName === 'vllm:num_requests_running' ? r.runCount : r.kvUtilization);
    const period = a.syncPeriodS;
    const n = this.maxReps;
    const syncH = sim.register(() => {
      if (!this.down && !this.held) {
        const active = this.activeFlag;
        const draining = this.draining;
        const pods: HpaPod[] = [];
        for (let i = 0; i < n; i++) {
          if (!active[i] || draining[i]) continue;
          const r = this.reps[i]!;
          const ready = r.ready;
          pods.push({ ready, startedAtS: this.startedAt[i]!, readySinceS: ready ? this.readyAt[i]! : null, metric: () => gauge(r), sampleTakenAtS: sim.now, cpuRequestCores: 1 });
        }
        this.scaleTo(hpa.sync({ nowS: sim.now, specReplicas: pods.length, pods, objectMetric: () => undefined }).desired, pods.length);
      }
      if (sim.now + period <= this.spec.durationS) sim.at(sim.now + period, syncH, 0);
    });
    sim.at(period, syncH, 0);
  }

  /** Applies an autoscaler's decision `d` to the `cur` serving replicas: scale up undrains first, then starts idle replicas (cold); scale down drains the newest. */
  private scaleTo(d: number, cur: number): void {
    const n = this.maxReps;
    const active = this.activeFlag;
    const draining = this.draining;
    this.desired = d;
    for (let i = 0; i < n && cur < d; i++) if (active[i] && draining[i]) (draining[i] = 0), cur++;
    for (let i = 0; i < n && cur < d; i++) if (!active[i]) this.start(i, true), cur++;
    for (let i = n - 1; i >= 0 && cur > d; i--) {
      if (!active[i] || draining[i]) continue;
      draining[i] = 1;
      cur--;
      if (this.reps[i]!.outstanding === 0) {
        draining[i] = 0;
        this.reps[i]!.ready = false;
        this.stop(i);
      }
    }
    this.releaseActivator();
  }

  /** The KPA (startLlmKpa) on this site's replicas; like the HPA it holds while the site is down or held. */
  private startKpa(cfg: KpaConfig): void {
    const n = this.maxReps;
    this.poke = startLlmKpa(this.sim, cfg, this.spec.durationS, {
      inFlight: () => {
        // what the pods' queue-proxies count plus what the activator holds
        let k = this.heldCount;
        for (let i = 0; i < n; i++) if (this.activeFlag[i]) k += this.reps[i]!.outstanding;
        return k;
      },
      submitted: () => this.taken,
      readyPods: () => this.readyServing(),
      scaleTo: (d) => {
        if (this.down || this.held) return;
        const serving = this.serving();
        // no zero for an activating revision (Knative; scaling/kpa.ts isActivating)
        if (d === 0 && isActivating(serving, this.readyServing())) return;
        this.scaleTo(d, serving);
      },
    });
  }

  /** A region outage: every replica dies; what the site held fails (rejected); restore() ends it. */
  outage(nowS: number): void {
    if (this.down) return;
    this.down = true;
    this.downSinceS = nowS;
    for (let i = 0; i < this.maxReps; i++) {
      this.reps[i]!.ready = false;
      this.draining[i] = 0;
      if (this.activeFlag[i]) this.stop(i);
    }
    // what the activator held fails with the site (state −1: counted by the loop below)
    this.activator.length = 0;
    this.activatorHead = 0;
    const reqs = this.o.reqs;
    const marks = this.o.marks;
    const me = this.o.index;
    const warm = this.spec.warmupS;
    for (let id = 0; id < reqs.count; id++) {
      const st = reqs.state[id]!;
      if (marks.site[id] !== me || marks.failed[id] === 1 || !(st === -1 || st === 0 || st === 1)) continue;
      marks.failed[id] = 1;
      this.reject(reqs.arrival[id]! >= warm);
    }
  }

  /** The outage is over: fresh replicas start (cold), as many as the site wanted. */
  restore(): void {
    if (!this.down) return;
    this.down = false;
    this.downSinceS = NaN;
    this.generation++;
    this.newReplicas();
    if (this.held) return;
    for (let i = 0; i < this.desired; i++) this.start(i, true);
  }

  /** Closes the report interval ending at `t`: the site's timeline row and the parts the run adds up. */
  sample(t: number): LlmSiteInterval {
    const n = this.maxReps;
    const reps = this.reps;
    // a draining replica leaves once its last request finishes
    for (let i = 0; i < n; i++) {
      if (this.activeFlag[i] && this.draining[i] && reps[i]!.outstanding === 0) {
        this.draining[i] = 0;
        reps[i]!.ready = false;
        this.stop(i);
      }
    }
    this.accrue();
    let running = 0;
    // waiting: at the replicas' queues, and in the activator while the fleet is at zero
    let waiting = this.heldCount;
    let kv = 0;
    let pre = 0;
    let busyNow = 0;
    let ready = 0;
    let qNow = 0;
    let hitNow = 0;
    for (const r of this.retired) {
      busyNow += r.busyS;
      qNow += r.prefixQueryTokens;
      hitNow += r.prefixHitTokens;
      pre += r.preemptionCount;
    }
    for (let i = 0; i < n; i++) {
      const r = reps[i]!;
      busyNow += r.busyS;
      qNow += r.prefixQueryTokens;
      hitNow += r.prefixHitTokens;
      pre += r.preemptionCount;
      if (!this.activeFlag[i]) continue;
      if (r.ready) ready++;
      running += r.runCount;
      waiting += r.waitingCount;
      kv += r.kvUtilization;
    }
    const kvTotal = kv;
    kv /= Math.max(1, this.activeCount);
    const tally = this.tally;
    if (t > this.spec.warmupS) {
      tally.kvSum += kv;
      tally.kvSamples++;
      if (kv > tally.kvPeak) tally.kvPeak = kv;
    }
    const iv = this.iv;
    const last = this.last;
    const q = (x: Histogram, p = 0.99): number => (x.count > 0 ? Number((x.quantile(p) * 1e3).toPrecision(9)) : 0);
    const rsSpan = tally.replicaSeconds - last.rs;
    const row: LlmTimelineRow = {
      t: Number(t.toPrecision(12)),
      arrivals: iv.arrivals,
      completed: iv.completed,
      rejected: iv.rejected,
      p50Ms: iv.e2e.count > 0 ? Number((iv.e2e.quantile(0.5) * 1e3).toPrecision(9)) : 0,
      p99Ms: q(iv.e2e),
      replicasReady: ready,
      replicas: this.activeCount,
      // a held cold standby or a region that is down wants nothing now
      replicasDesired: this.down || this.held ? 0 : this.desired,
      gpuUtilization: rsSpan > 0 ? Number(Math.min(1, (busyNow - last.busy) / rsSpan).toPrecision(6)) : 0,
      prefixHitRate: qNow > last.q ? Number(((hitNow - last.hit) / (qNow - last.q)).toPrecision(6)) : 0,
      costUsd: Number(((this.gpuHourUsd * rsSpan) / 3600).toPrecision(9)),
      ttftP99Ms: q(iv.ttft),
      tpotP99Ms: q(iv.tpot),
      running,
      waiting,
      kvUtilization: Number(kv.toPrecision(6)),
      preemptions: pre - last.pre,
      outputTokensPerS: Number((iv.tokens / this.spec.reportIntervalS).toPrecision(9)),
      ttftP50Ms: q(iv.ttft, 0.5),
      tpotP50Ms: q(iv.tpot, 0.5),
      goodputRps: Number((iv.good / this.spec.reportIntervalS).toPrecision(9)),
      inputTokensPerS: Number((iv.inTok / this.spec.reportIntervalS).toPrecision(9)),
    };
    this.timeline.push(row);
    const out: LlmSiteInterval = { row, ttft: iv.ttft, tpot: iv.tpot, e2e: iv.e2e, busyS: busyNow - last.busy, replicaS: rsSpan, queryTokens: qNow - last.q, hitTokens: hitNow - last.hit, kvTotal, active: this.activeCount, good: iv.good, inTok: iv.inTok };
    last.pre = pre;
    last.busy = busyNow;
    last.q = qNow;
    last.hit = hitNow;
    last.rs = tally.replicaSeconds;
    return out;
  }

  /** Starts the next report interval (after the run has read sample()'s parts). */
  resetInterval(): void {
    const iv = this.iv;
    iv.arrivals = iv.completed = iv.tokens = iv.rejected = iv.good = iv.inTok = 0;
    iv.e2e.reset();
    iv.ttft.reset();
    iv.tpot.reset();
  }

  /** Closes the books at the run's end: the tally's engine figures, cost and counted requests still held. */
  finish(): LlmTally {
    const t = this.tally;
    const spec = this.spec;
    this.accrue();
    const all = [...this.retired, ...this.reps];
    for (const r of all) {
      r.flush();
      t.steps += r.steps;
      t.seqSteps += r.seqStepSum;
      t.busyS += Math.min(r.busyS, spec.durationS);
      t.preemptions += r.preemptionCount;
      t.prefixQuery += r.prefixQueryTokens;
      t.prefixHit += r.prefixHitTokens;
    }
    const reqs = this.o.reqs;
    const marks = this.o.marks;
    const me = this.o.index;
    let inFlight = 0;
    for (let id = 0; id < reqs.count; id++) {
      const st = reqs.state[id]!;
      if (marks.site[id] === me && marks.failed[id] === 0 && reqs.arrival[id]! >= spec.warmupS && (st === -1 || st === 0 || st === 1)) inFlight++;
    }
    t.inFlight = inFlight;
    t.gpuUsd = (this.gpuHourUsd * t.replicaSeconds) / 3600;
    t.gpuUsdWindow = (this.gpuHourUsd * (t.replicaSeconds - t.rsAtWarm)) / 3600;
    t.monthlyUsd = (t.replicaSeconds / spec.durationS) * this.gpuHourUsd * HOURS_PER_MONTH;
    return t;
  }
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
function startLlmKpa(sim: Simulation, cfg: KpaConfig, durationS: number, fleet: LlmKpaFleet): () => void {
  const kpa = new KpaController(cfg);
  let desired = -1;
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
  const decide = (): void => {
    desired = kpa.tick(sim.now, fleet.readyPods()).desired;
    fleet.scaleTo(desired);
  };
  const tickH = sim.register(() => {
    decide();
    if (sim.now + cfg.tickS <= durationS) sim.at(sim.now + cfg.tickS, tickH, 0);
  });
  sim.at(sim.now + 1, recordH, 0);
  sim.at(sim.now + cfg.tickS, tickH, 0);
  // a request at a fleet scaled to zero: the activator's report (its concurrency, the held requests;
  // for rps, the arrivals of this second so far) and, as Knative does when the last decision was
  // zero and the report is not, a decision at once
  return () => {
    const n = rps ? fleet.submitted() - last : fleet.inFlight();
    kpa.record(sim.now, n);
    if (desired === 0 && n > 0) decide();
  };
}
