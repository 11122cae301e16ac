/**
 * One LLM replica running a vLLM-v1-style engine, one simulation event per engine step.
 *
 * Scheduling follows vllm/v1/core/sched/scheduler.py `schedule()` (v0.19):
 *  1. running requests in order, each asking for (its tokens − its computed tokens) capped by
 *     the step's remaining token budget (`max_num_batched_tokens`): 1 for a decode, a chunk for
 *     a prefill; when its KV blocks cannot be allocated, the tail of the running list is
 *     preempted (blocks freed, computed tokens reset to 0, put at the FRONT of the waiting
 *     queue; its tokens scheduled this step given back), until the request fits or is itself
 *     the victim (then the running pass stops);
 *  2. only if nothing was preempted this step: waiting requests FCFS while the running list is
 *     below `max_num_seqs` and budget remains: a new (or preempted) request first takes its
 *     prefix-cache hit (full blocks, at most tokens − 1), then must fit its whole current
 *     sequence in free blocks (`scheduler_reserve_full_isl`, on by default) and its first
 *     chunk; the first one that does not fit stops admission.
 *  After the step, every scheduled request whose computed tokens reach its length emits one
 *  token (a partial prefill chunk emits none); a request that has all its output finishes and
 *  returns its blocks.
 *
 * All per-request state is in typed arrays of a shared request table (LlmRequests); the
 * replica keeps its running list and waiting deque as Int32Arrays.
 */
import { grownF64, grownI32 } from '../engine/typed-arrays.js';
import type { Simulation } from '../engine/simulation.js';
import { BlockPool } from './kv-cache.js';
import { BatchShape, type StepTimeModel } from './step-time.js';
import type { EngineConfig } from '../config/llm.js';

/** Per-request state for every request of a run (grown by doubling). */
export class LlmRequests {
  count = 0;
  prompt = new Int32Array(1024);
  output = new Int32Array(1024);
  arrival = new Float64Array(1024);
  /** Shared-prefix group (-1 none) and how many leading tokens are shared under it. */
  cacheKey = new Int32Array(1024);
  shared = new Int32Array(1024);
  /** A second, longer shared prefix after the first (a multi-turn session's context: its key, -1 none, and its length). */
  sessionKey = new Int32Array(1024);
  sessionShared = new Int32Array(1024);
  computed = new Int32Array(1024);
  generated = new Int32Array(1024);
  scheduled = new Int32Array(1024);
  cachedBlocks = new Int32Array(1024);
  preemptions = new Int32Array(1024);
  replica = new Int32Array(1024);
  firstT = new Float64Array(1024);
  lastT = new Float64Array(1024);
  /** -1 waiting for a replica/queued, 1 running, 2 done, 3 rejected. */
  state = new Int8Array(1024);
  blocks: number[][] = [];
  /** A preempted request's former blocks (its own cached content may still be there when it resumes). */
  prevBlocks: number[][] = [];
  /** Client (closed loop) or -1. */
  client = new Int32Array(1024);

  add(arrival: number, prompt: number, output: number, cacheKey = -1, shared = 0, client = -1): number {
    if (this.count === this.prompt.length) this.grow();
    const id = this.count++;
    this.prompt[id] = prompt;
    this.output[id] = output;
    this.arrival[id] = arrival;
    this.cacheKey[id] = cacheKey;
    this.shared[id] = shared;
    this.sessionKey[id] = -1;
    this.sessionShared[id] = 0;
    this.client[id] = client;
    this.state[id] = -1;
    this.firstT[id] = NaN;
    this.lastT[id] = NaN;
    this.replica[id] = -1;
    return id;
  }

  private grow(): void {
    const n = this.prompt.length * 2;
    const gi = (a: Int32Array): Int32Array<ArrayBuffer> => grownI32(a, n);
    const gf = (a: Float64Array): Float64Array<ArrayBuffer> => grownF64(a, n);
    this.prompt = gi(this.prompt);
    this.output = gi(this.output);
    this.arrival = gf(this.arrival);
    this.cacheKey = gi(this.cacheKey);
    this.shared = gi(this.shared);
    this.sessionKey = gi(this.sessionKey);
    this.sessionShared = gi(this.sessionShared);
    this.computed = gi(this.computed);
    this.generated = gi(this.generated);
    this.scheduled = gi(this.scheduled);
    this.cachedBlocks = gi(this.cachedBlocks);
    this.preemptions = gi(this.preemptions);
    this.replica = gi(this.replica);
    this.client = gi(this.client);
    this.firstT = gf(this.firstT);
    this.lastT = gf(this.lastT);
    const s = new Int8Array(n);
    s.set(this.state);
    this.state = s;
  }
}

/**
 * First half of the hash key (a, j) of block j of request `id` (the pool's `hashA`): the shared
 * group for a full block inside the request's shared prefix (a system prompt), else its session
 * for a full block inside the session's context so far (a later turn of a multi-turn session
 * repeats the earlier turns' prompts and outputs, so its block j is the earlier turns' block j),
 * else the request's own content (−1 − id). Block j's content depends on all blocks before it,
 * as vLLM's chained hash does, because a key covers only a leading run of blocks. The engine caches and looks up blocks by it, and the prefix-affinity router
 * (prefix-affinity.ts) tracks the same keys, so what it predicts is what the engine can hit.
 */
export function blockKeyA(reqs: LlmRequests, id: number, j: number, blockSize: number): number {
  const end = (j + 1) * blockSize;
  const k = reqs.cacheKey[id]!;
  if (k >= 0 && end <= reqs.shared[id]!) return k;
  const s = reqs.sessionKey[id]!;
  if (s >= 0 && end <= reqs.sessionShared[id]!) return s;
  return -1 - id;
}

/** What a replica tells its owner. */
export interface ReplicaHooks {
  /** A token was emitted for request `id` at `t` (after the first: `gap` since the previous one). */
  onToken?(id: number, t: number, first: boolean, gap: number): void;
  onFinish(id: number, t: number): void;
}

/** A deque of ints (waiting queue: FCFS at the tail, preempted requests at the front). */
class IntDeque {
  private buf = new Int32Array(256);
  private head = 0;
  size = 0;

  pushBack(v: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = v;
    this.size++;
  }

  pushFront(v: number): void {
    if (this.size === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = v;
    this.size++;
  }

  peek(): number {
    return this.buf[this.head]!;
  }

  shift(): number {
    const v = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    return v;
  }

  private grow(): void {
    const b = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) b[i] = this.buf[(this.head + i) & (this.buf.length - 1)]!;
    this.buf = b;
    this.head = 0;
  }
}

export class LlmReplica {
  readonly pool: BlockPool;
  readonly shape = new BatchShape();
  private readonly waiting = new IntDeque();
  private running = new Int32Array(64);
  runCount = 0;
  private sched = new Int32Array(64);
  private doneScratch = new Int32Array(64);
  private schedCount = 0;
  private readonly hitScratch: number[] = [];
  private readonly handler: number;
  private readonly kickHandler: number;
  private readonly queueHandler: number;
  private kickPending = false;
  busy = false;
  /** False while cold-starting or drained: arrivals queue but no step runs. */
  ready = true;

  // statistics
  steps = 0;
  /** Σ sequences per step (mean batch = seqStepSum / steps). */
  seqStepSum = 0;
  busyS = 0;
  preemptionCount = 0;
  prefixQueryTokens = 0;
  prefixHitTokens = 0;
  promptTokensComputed = 0;
  outputTokens = 0;
  finished = 0;
  /** ∫ used blocks dt, ∫ (running + waiting) dt, and when they were last updated. */
  kvBlockSeconds = 0;
  inSystemSeconds = 0;
  peakKvBlocks = 0;
  private lastT = 0;
  /** Requests routed here and not finished; tokens of those (prompt + output). */
  outstanding = 0;
  outstandingTokens = 0;

  constructor(
    private readonly sim: Simulation,
    readonly cfg: EngineConfig,
    private readonly model: StepTimeModel,
    private readonly reqs: LlmRequests,
    private readonly hooks: ReplicaHooks,
    readonly index = 0,
  ) {
    for (const [k, v] of Object.entries({ maxNumSeqs: cfg.maxNumSeqs, maxNumBatchedTokens: cfg.maxNumBatchedTokens, blockSize: cfg.blockSize })) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`${k} must be a positive integer (got ${v})`);
    }
    this.pool = new BlockPool(cfg.numGpuBlocks);
    this.handler = sim.register(() => this.onStepDone());
    this.queueHandler = sim.register((id) => this.toQueue(id));
    this.kickHandler = sim.register(() => {
      this.kickPending = false;
      if (!this.busy && this.ready) this.startStep();
    });
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  /** KV blocks in use / usable. */
  get kvUtilization(): number {
    return this.pool.used / this.pool.usable;
  }

  /** Largest sequence (tokens) this replica can ever hold. */
  get maxSequenceTokens(): number {
    return this.pool.usable * this.cfg.blockSize;
  }

  private account(): void {
    const now = this.sim.now;
    const dt = now - this.lastT;
    if (dt > 0) {
      this.kvBlockSeconds += this.pool.used * dt;
      this.inSystemSeconds += (this.runCount + this.waiting.size) * dt;
      this.lastT = now;
    }
  }

  /**
   * Accepts request `id`; false (rejected) when its full sequence can never fit the KV cache.
   * With `queueDelayS` > 0 it is routed here now (counted in `outstanding`, as inference-sim
   * counts a routed request in flight) but enters the waiting queue, and so can be scheduled,
   * only that much later: inference-sim's arrival → queue delay (α0 + α1 · input tokens).
   */
  enqueue(id: number, queueDelayS = 0): boolean {
    const r = this.reqs;
    r.replica[id] = this.index;
    if (r.prompt[id]! + r.output[id]! > this.maxSequenceTokens) {
      r.state[id] = 3;
      return false;
    }
    this.outstanding++;
    this.outstandingTokens += r.prompt[id]! + r.output[id]!;
    if (queueDelayS > 0) this.sim.at(this.sim.now + queueDelayS, this.queueHandler, id);
    else this.toQueue(id);
    return true;
  }

  /** Request `id` enters the waiting queue (FCFS at the tail). */
  private toQueue(id: number): void {
    this.account();
    this.reqs.state[id] = 0;
    this.waiting.pushBack(id);
    this.kick();
  }

  /** Makes a cold replica ready (starts stepping if work is queued). */
  setReady(): void {
    this.ready = true;
    this.kick();
  }

  /**
   * An idle replica starts a step at the current instant, but as an event of its own: arrivals
   * at the same instant (the source fires first at equal times) join that first step.
   */
  private kick(): void {
    if (this.busy || !this.ready || this.kickPending) return;
    this.kickPending = true;
    this.sim.at(this.sim.now, this.kickHandler, this.index);
  }

  private keyA(id: number, j: number): number {
    return blockKeyA(this.reqs, id, j, this.cfg.blockSize);
  }

  private cacheFull(id: number, upto: number): void {
    const r = this.reqs;
    const full = Math.floor(upto / this.cfg.blockSize);
    const blocks = r.blocks[id]!;
    for (let j = r.cachedBlocks[id]!; j < full; j++) this.pool.cache(blocks[j]!, this.keyA(id, j), j);
    if (full > r.cachedBlocks[id]!) r.cachedBlocks[id] = full;
  }

  private freeBlocks(id: number, keep: boolean): void {
    const r = this.reqs;
    const blocks = r.blocks[id];
    if (!blocks) return;
    for (let j = blocks.length - 1; j >= 0; j--) this.pool.release(blocks[j]!);
    if (keep && this.cfg.enablePrefixCaching) {
      const spare = r.prevBlocks[id];
      r.prevBlocks[id] = blocks;
      r.blocks[id] = spare ?? [];
      r.blocks[id]!.length = 0;
    } else blocks.length = 0;
    r.cachedBlocks[id] = 0;
  }

  /** The cached block holding block j of request `id`, or -1. */
  private findCached(id: number, j: number): number {
    const a = this.keyA(id, j);
    if (a >= 0) return this.pool.lookup(a, j);
    const prev = this.reqs.prevBlocks[id];
    if (prev === undefined || j >= prev.length) return -1;
    const b = prev[j]!;
    const p = this.pool;
    return p.hasHash[b] === 1 && p.hashA[b] === a && p.hashB[b] === j ? b : -1;
  }

  private preemptTail(): number {
    const r = this.reqs;
    const v = this.running[--this.runCount]!;
    const s = r.scheduled[v]!;
    if (s > 0) {
      r.scheduled[v] = 0;
      // take it off this step's list (it is the most recent one it could be)
      for (let k = this.schedCount - 1; k >= 0; k--) {
        if (this.sched[k] === v) {
          this.sched.copyWithin(k, k + 1, this.schedCount);
          this.schedCount--;
          break;
        }
      }
    }
    this.freeBlocks(v, true);
    r.computed[v] = 0;
    r.preemptions[v]!++;
    r.state[v] = 0;
    this.preemptionCount++;
    this.waiting.pushFront(v);
    return s;
  }

  private pushSched(id: number, n: number): void {
    if (this.schedCount === this.sched.length) {
      const b = new Int32Array(this.sched.length * 2);
      b.set(this.sched);
      this.sched = b;
    }
    this.sched[this.schedCount++] = id;
    this.reqs.scheduled[id] = n;
  }

  /** Builds the step's batch (vLLM schedule()) and schedules its end; idles when there is nothing to run. */
  private startStep(): void {
    const r = this.reqs;
    const bs = this.cfg.blockSize;
    const pool = this.pool;
    let budget = this.cfg.maxNumBatchedTokens;
    this.schedCount = 0;
    let preempted = false;

    // 1. running requests
    let i = 0;
    while (i < this.runCount && budget > 0) {
      const id = this.running[i]!;
      const numTokens = r.prompt[id]! + r.generated[id]!;
      let n = numTokens - r.computed[id]!;
      if (n > budget) n = budget;
      if (n <= 0) {
        i++;
        continue;
      }
      let self = false;
      for (;;) {
        const blocks = r.blocks[id]!;
        const need = Math.ceil((r.computed[id]! + n) / bs) - blocks.length;
        if (need <= pool.freeCount) {
          for (let k = 0; k < need; k++) blocks.push(pool.allocate());
          break;
        }
        const victim = this.running[this.runCount - 1]!;
        budget += this.preemptTail();
        preempted = true;
        if (victim === id) {
          self = true;
          break;
        }
      }
      if (self) break;
      this.pushSched(id, n);
      budget -= n;
      if (this.cfg.enablePrefixCaching && r.computed[id]! + n >= (r.cachedBlocks[id]! + 1) * bs) this.cacheFull(id, Math.min(r.computed[id]! + n, numTokens));
      i++;
    }

    // 2. waiting requests, only when nothing was preempted
    if (!preempted) {
      while (this.waiting.size > 0 && budget > 0 && this.runCount < this.cfg.maxNumSeqs) {
        const id = this.waiting.peek();
        const numTokens = r.prompt[id]! + r.generated[id]!;
        const hits = this.hitScratch;
        hits.length = 0;
        let evictable = 0;
        if (this.cfg.enablePrefixCaching && r.computed[id] === 0) {
          const maxHit = Math.floor((numTokens - 1) / bs);
          for (let j = 0; j < maxHit; j++) {
            const b = this.findCached(id, j);
            if (b < 0) break;
            hits.push(b);
            if (pool.refCnt[b] === 0) evictable++;
          }
        }
        const hitTokens = hits.length * bs;
        let n = numTokens - hitTokens;
        if (n > budget) n = budget;
        if (this.cfg.reserveFullSequence && Math.ceil(numTokens / bs) - hits.length + evictable > pool.freeCount) break;
        const need = Math.ceil((hitTokens + n) / bs) - hits.length;
        if (need + evictable > pool.freeCount) break;
        this.waiting.shift();
        let blocks = r.blocks[id];
        if (!blocks) r.blocks[id] = blocks = [];
        for (let k = 0; k < hits.length; k++) {
          pool.touch(hits[k]!);
          blocks.push(hits[k]!);
        }
        for (let k = 0; k < need; k++) blocks.push(pool.allocate());
        r.cachedBlocks[id] = hits.length;
        r.computed[id] = hitTokens;
        if (this.cfg.enablePrefixCaching) {
          this.prefixQueryTokens += numTokens;
          this.prefixHitTokens += hitTokens;
        }
        r.state[id] = 1;
        if (this.runCount === this.running.length) {
          const b = new Int32Array(this.running.length * 2);
          b.set(this.running);
          this.running = b;
        }
        this.running[this.runCount++] = id;
        this.pushSched(id, n);
        budget -= n;
        if (this.cfg.enablePrefixCaching && hitTokens + n >= (hits.length + 1) * bs) this.cacheFull(id, Math.min(hitTokens + n, numTokens));
      }
    }

    if (this.schedCount === 0) {
      this.busy = false;
      return;
    }
    const shape = this.shape;
    shape.reset();
    for (let k = 0; k < this.schedCount; k++) {
      const id = this.sched[k]!;
      const n = r.scheduled[id]!;
      const c = r.computed[id]!;
      if (n === 1 && c === r.prompt[id]! + r.generated[id]! - 1 && r.generated[id]! > 0) shape.addDecode(c + 1);
      else shape.addPrefill(n, c);
    }
    const used = pool.used;
    if (used > this.peakKvBlocks) this.peakKvBlocks = used;
    const dt = this.model.stepTime(shape);
    this.busy = true;
    this.steps++;
    this.seqStepSum += this.schedCount;
    this.busyS += dt;
    this.sim.at(this.sim.now + dt, this.handler, this.index);
  }

  private onStepDone(): void {
    this.account();
    const r = this.reqs;
    const now = this.sim.now;
    let anyDone = false;
    for (let k = 0; k < this.schedCount; k++) {
      const id = this.sched[k]!;
      const n = r.scheduled[id]!;
      r.scheduled[id] = 0;
      const before = r.computed[id]!;
      r.computed[id] = before + n;
      const numTokens = r.prompt[id]! + r.generated[id]!;
      if (before < r.prompt[id]!) this.promptTokensComputed += Math.min(before + n, r.prompt[id]!) - before;
      if (before + n >= numTokens) {
        r.generated[id]!++;
        this.outputTokens++;
        const first = r.generated[id] === 1;
        const gap = first ? 0 : now - r.lastT[id]!;
        if (first) r.firstT[id] = now;
        r.lastT[id] = now;
        this.hooks.onToken?.(id, now, first, gap);
        if (r.generated[id]! >= r.output[id]!) {
          r.state[id] = 2;
          anyDone = true;
        }
      }
    }
    this.schedCount = 0;
    let nDone = 0;
    if (anyDone) {
      let w = 0;
      for (let k = 0; k < this.runCount; k++) {
        const id = this.running[k]!;
        if (r.state[id] === 2) {
          this.freeBlocks(id, false);
          const prev = r.prevBlocks[id];
          if (prev !== undefined) prev.length = 0;
          this.finished++;
          this.outstanding--;
          this.outstandingTokens -= r.prompt[id]! + r.output[id]!;
          if (nDone === this.doneScratch.length) {
            const b = new Int32Array(nDone * 2);
            b.set(this.doneScratch);
            this.doneScratch = b;
          }
          this.doneScratch[nDone++] = id;
        } else this.running[w++] = id;
      }
      this.runCount = w;
    }
    this.busy = false;
    // hooks after the books are straight (a closed-loop client may send its next request now)
    for (let k = 0; k < nDone; k++) this.hooks.onFinish(this.doneScratch[k]!, now);
    if (this.ready && !this.busy) this.startStep();
  }

  /** Brings the time integrals up to `now` (call before reading them at the end of a run). */
  flush(): void {
    this.account();
  }
}
