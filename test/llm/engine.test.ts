import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';
import { LlmReplica, LlmRequests } from '../../src/llm/engine.js';
import type { EngineConfig } from '../../src/config/llm.js';
import { BlockPool } from '../../src/llm/kv-cache.js';
import { replay, type ReplayRequest } from '../../src/llm/replay.js';
import { LinearStepModel } from '../../src/llm/step-time.js';
import { RandomStream } from '../../src/engine/rng.js';

const B = { beta0: 0.01, beta1: 0.001, beta2: 0.002, beta3: 1e-5 };
const model = new LinearStepModel(B, 'test');
const cfg = (over: Partial<EngineConfig> = {}): EngineConfig => ({ maxNumSeqs: 8, maxNumBatchedTokens: 64, blockSize: 16, numGpuBlocks: 1000, enablePrefixCaching: false, reserveFullSequence: true, ...over });

describe('one request alone', () => {
  it('TTFT is ⌈prompt/budget⌉ chunked prefill steps and E2E adds (output − 1) decode steps, exactly', () => {
    const prompt = 100;
    const out = 5;
    const res = replay([{ arrivalS: 1, prompt, output: out }], cfg(), model);
    const ttft = B.beta0 + B.beta1 * 64 + (B.beta0 + B.beta1 * 36);
    let e2e = ttft;
    for (let k = 1; k < out; k++) e2e += B.beta0 + B.beta2 + B.beta3 * (prompt + k);
    expect(res.ttft[0]).toBeCloseTo(ttft, 12);
    expect(res.e2e[0]).toBeCloseTo(e2e, 12);
    expect(res.tpot[0]).toBeCloseTo((e2e - ttft) / (out - 1), 12);
    expect(res.steps).toBe(2 + out - 1);
  });

  it('a prompt of 1000 under a budget of 256 takes 4 prefill steps', () => {
    const res = replay([{ arrivalS: 0, prompt: 1000, output: 1 }], cfg({ maxNumBatchedTokens: 256 }), model);
    expect(res.steps).toBe(4);
    expect(res.ttft[0]).toBeCloseTo(4 * B.beta0 + 1000 * B.beta1, 12);
  });

  it('a prompt that fits the budget is one prefill step', () => {
    const res = replay([{ arrivalS: 0, prompt: 50, output: 1 }], cfg(), model);
    expect(res.ttft[0]).toBeCloseTo(B.beta0 + 50 * B.beta1, 12);
  });
});

describe('prefix caching', () => {
  it('a cached system prompt is neither recomputed nor re-stored', () => {
    // 64-token shared prefix (4 blocks); the second request arrives after the first finished
    const reqs: ReplayRequest[] = [
      { arrivalS: 0, prompt: 100, output: 2, cacheKey: 7, shared: 64 },
      { arrivalS: 10, prompt: 90, output: 2, cacheKey: 7, shared: 64 },
    ];
    const res = replay(reqs, cfg({ enablePrefixCaching: true, maxNumBatchedTokens: 512 }), model);
    expect(res.ttft[1]).toBeCloseTo(B.beta0 + (90 - 64) * B.beta1, 12);
    expect(res.prefixHitRate).toBeCloseTo(64 / (100 + 90), 12);
    const off = replay(reqs, cfg({ maxNumBatchedTokens: 512 }), model);
    expect(off.ttft[1]).toBeCloseTo(B.beta0 + 90 * B.beta1, 12);
  });

  it('the last token is always recomputed: a fully cached prompt still computes one token', () => {
    const reqs: ReplayRequest[] = [
      { arrivalS: 0, prompt: 64, output: 1, cacheKey: 1, shared: 64 },
      { arrivalS: 10, prompt: 64, output: 1, cacheKey: 1, shared: 64 },
    ];
    const res = replay(reqs, cfg({ enablePrefixCaching: true }), model);
    // hits stop at ⌊(64 − 1)/16⌋ = 3 blocks: 16 tokens computed
    expect(res.ttft[1]).toBeCloseTo(B.beta0 + 16 * B.beta1, 12);
  });
});

describe('block pool', () => {
  it('evicts the least recently freed cached block first, and a hit takes a free block out of the queue', () => {
    const p = new BlockPool(4); // 3 usable
    const a = p.allocate();
    const b = p.allocate();
    p.cache(a, 100, 0);
    p.cache(b, 200, 1);
    p.release(b);
    p.release(a); // free queue: [3, b, a]
    expect(p.freeCount).toBe(3);
    expect(p.lookup(200, 1)).toBe(b);
    p.touch(a); // hit on a: out of the free queue
    expect(p.freeCount).toBe(2);
    p.allocate(); // block 3 (never cached)
    expect(p.allocate()).toBe(b); // then b, whose hash is evicted
    expect(p.lookup(200, 1)).toBe(-1);
    expect(p.lookup(100, 0)).toBe(a);
    expect(p.evictions).toBe(1);
  });
});

describe('block pool hash index', () => {
  it('agrees with a Map through random allocations, caches and evictions', () => {
    const rng = new RandomStream(5, 'pool');
    const p = new BlockPool(64);
    const ref = new Map<string, number>();
    const held: number[] = [];
    for (let step = 0; step < 20000; step++) {
      const u = rng.uniform();
      if (u < 0.5 && p.freeCount > 0) {
        const b = p.allocate();
        for (const [k, v] of ref) if (v === b) ref.delete(k);
        held.push(b);
        const a = rng.int(5);
        const j = rng.int(40);
        if (!ref.has(`${a},${j}`)) ref.set(`${a},${j}`, b);
        p.cache(b, a, j);
      } else if (held.length > 0) {
        const i = rng.int(held.length);
        p.release(held[i]!);
        held.splice(i, 1);
      }
      const a = rng.int(5);
      const j = rng.int(40);
      expect(p.lookup(a, j)).toBe(ref.get(`${a},${j}`) ?? -1);
    }
    expect(p.freeCount + held.length).toBe(p.usable);
  });
});

describe('a KV cache too small for the load', () => {
  it('preempts, and the books balance: every request finishes, each preemption counted, all blocks returned', () => {
    const rng = new RandomStream(1, 'llm-test');
    const reqs: ReplayRequest[] = [];
    let t = 0;
    for (let i = 0; i < 200; i++) {
      t += -Math.log(1 - rng.uniform()) * 0.05;
      reqs.push({ arrivalS: t, prompt: 50 + rng.int(400), output: 20 + rng.int(300) });
    }
    const c = cfg({ numGpuBlocks: 120, maxNumSeqs: 32, maxNumBatchedTokens: 256 });
    const sim = new Simulation(1);
    const table = new LlmRequests();
    let done = 0;
    const rep = new LlmReplica(sim, c, model, table, { onFinish: () => done++ });
    for (const q of reqs) table.add(q.arrivalS, q.prompt, q.output);
    let k = 0;
    const h = sim.register(() => {
      rep.enqueue(k++);
      if (k < reqs.length) sim.atSource(reqs[k]!.arrivalS, h);
    });
    sim.atSource(reqs[0]!.arrivalS, h);
    sim.run(1e6);
    expect(done).toBe(200);
    expect(rep.preemptionCount).toBeGreaterThan(0);
    let sum = 0;
    for (let i = 0; i < 200; i++) {
      sum += table.preemptions[i]!;
      expect(table.generated[i]).toBe(reqs[i]!.output);
    }
    expect(sum).toBe(rep.preemptionCount);
    expect(rep.pool.freeCount).toBe(rep.pool.usable);
    expect(rep.runCount + rep.waitingCount).toBe(0);
    expect(rep.outputTokens).toBe(reqs.reduce((a, q) => a + q.output, 0));
  });

  it("Little's law: time-average of running + waiting = arrival rate × mean time in system (exactly, over the busy span)", () => {
    const rng = new RandomStream(2, 'llm-little');
    const reqs: ReplayRequest[] = [];
    let t = 0;
    for (let i = 0; i < 300; i++) {
      t += -Math.log(1 - rng.uniform()) * 0.08;
      reqs.push({ arrivalS: t, prompt: 20 + rng.int(200), output: 5 + rng.int(100) });
    }
    const res = replay(reqs, cfg({ numGpuBlocks: 200, maxNumSeqs: 16 }), model);
    expect(res.finished).toBe(300);
    const sumE2e = res.e2e.reduce((a, b) => a + b, 0);
    const lambda = 300 / res.spanS;
    expect(res.meanInSystem).toBeCloseTo(lambda * (sumE2e / 300), 9);
    expect(res.preemptions).toBeGreaterThanOrEqual(0);
  });

  it('a request that can never fit the KV cache is rejected, not lost', () => {
    const res = replay([{ arrivalS: 0, prompt: 5000, output: 10 }, { arrivalS: 0, prompt: 10, output: 2 }], cfg({ numGpuBlocks: 100 }), model);
    expect(res.rejected).toBe(1);
    expect(res.finished).toBe(1);
    expect(Number.isNaN(res.ttft[0]!)).toBe(true);
  });
});

describe('admission', () => {
  it('max_num_seqs caps the running batch: the third request waits for a slot', () => {
    const reqs: ReplayRequest[] = [0, 1, 2].map(() => ({ arrivalS: 0, prompt: 10, output: 3 }));
    const res = replay(reqs, cfg({ maxNumSeqs: 2 }), model);
    // steps: [p10,p10] then 2 decodes ×2 (both finish), then the third: prefill + 2 decodes
    const s1 = B.beta0 + 20 * B.beta1;
    const d = (kv: number, n: number): number => B.beta0 + n * B.beta2 + B.beta3 * kv;
    const t2 = s1 + d(2 * 11, 2) + d(2 * 12, 2);
    expect(res.e2e[0]).toBeCloseTo(t2, 12);
    expect(res.ttft[2]).toBeCloseTo(t2 + B.beta0 + 10 * B.beta1, 12);
  });
});
