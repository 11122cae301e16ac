/**
 * Prefix-affinity routing (SGLang router's cache-aware policy on the engine's block hash keys,
 * src/llm/prefix-affinity.ts): its decision rule on hand-checkable cases, its LRU bound, and
 * on a fleet: with shared system prompts it raises the prefix-cache hit rate and lowers TTFT
 * against least-requests on the same arrivals; without shared prefixes it is least-requests.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { blockKeyA, LlmRequests } from '../../src/llm/engine.js';
import { LruKeySet, PrefixAffinityRouter } from '../../src/llm/prefix-affinity.js';
import { PREFIX_AFFINITY_DEFAULTS } from '../../src/config/llm.js';
import type { ScenarioIssue } from '../../src/scenario/issues.js';
import { ROOT } from '../helpers/cli.js';
import { llmProblems } from '../helpers/llm.js';

const load = (text: string) => loadLlmScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (p) => readFileSync(p, 'utf8') });
const issuesOf = (text: string): ScenarioIssue[] => llmProblems(() => load(text)).issues;

/** 4 replicas whose KV cache (900 blocks of 16 tokens) cannot hold all 16 system prompts (64 blocks each) next to the running requests. */
const scenario = (routing: string, traffic: string, llmExtra = ''): string => `
name: t
seed: 5
duration: 3m
warmup: 30s
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 4
  routing: ${routing}
${llmExtra}  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 900 }
  stepTime: { beta0: 8ms, beta1: 0.00005, beta2: 0.0001, beta3: 0.0000001 }
traffic:
  rate: 20
  tokens: { prompt: { lognormal: { mean: 1400, cv: 0.2 } }, output: { lognormal: { mean: 150, cv: 1 } } }
${traffic}`;
const SHARED = '  systemPrompt: { tokens: 1024, count: 16 }\n';

describe('prefix-affinity decisions (SGLang cache_aware.rs select_worker)', () => {
  it('routes by the longest recorded prefix above the cache threshold, else to the least loaded; an imbalanced fleet goes to the least loaded', () => {
    const reqs = new LlmRequests();
    const bs = 16;
    const router = new PrefixAffinityRouter(3, bs, PREFIX_AFFINITY_DEFAULTS, reqs);
    const cand = Int32Array.of(0, 1, 2);
    // (prompt tokens, system prompt group or -1, loads) → expected replica and rule
    const cases: Array<[number, number, number[], number, string]> = [
      [80, 0, [2, 0, 1], 1, 'least-loaded'], // nothing recorded anywhere: least loaded
      [80, 0, [0, 1, 0], 1, 'affinity'], // 4 of 5 blocks (64/80 = 0.8 > 0.3) recorded at 1, though 0 and 2 are idle
      [240, 0, [0, 1, 0], 0, 'least-loaded'], // the same 64 tokens are 0.27 of 240: not above the threshold
      [80, 0, [20, 60, 0], 0, 'affinity'], // 0 has the prefix too now (the 240-token request); 60 − 0 ≤ 64 is balanced: of 0 and 1 the less loaded, though 2 is idle
      [80, 0, [10, 80, 10], 0, 'imbalanced'], // 80 − 10 > 64 and 80 > 10 × 1.5: shortest queue (first on ties), recorded at 0 too
      [80, 0, [5, 5, 0], 0, 'affinity'], // 0 and 1 both match 4 blocks at load 5: the lower index
      [80, 0, [6, 5, 0], 1, 'affinity'], // … at loads 6 and 5: the lower load
      [80, 1, [1, 1, 0], 2, 'least-loaded'], // another system prompt: nothing recorded
      [80, -1, [0, 0, 0], 0, 'least-loaded'], // no shared prefix: a request's own blocks never match
      [80, -1, [3, 2, 2], 1, 'least-loaded'],
    ];
    for (const [prompt, group, loads, replica, rule] of cases) {
      const id = reqs.add(0, prompt, 10, group, group >= 0 ? 64 : 0);
      expect([router.select(id, cand, 3, loads), router.lastDecision]).toEqual([replica, rule]);
    }
    expect(router.counts).toEqual({ imbalanced: 1, affinity: 4, leastLoaded: 5 });
  });

  it('only the routable replicas are candidates, and a forgotten replica matches nothing', () => {
    const reqs = new LlmRequests();
    const router = new PrefixAffinityRouter(3, 16, PREFIX_AFFINITY_DEFAULTS, reqs);
    const a = reqs.add(0, 64, 1, 0, 64);
    expect(router.select(a, Int32Array.of(2), 1, [0, 0, 5])).toBe(2);
    const b = reqs.add(0, 64, 1, 0, 64);
    expect(router.matchedBlocks(2, b)).toBe(4);
    expect(router.select(b, Int32Array.of(0, 1, 2), 3, [0, 0, 5])).toBe(2);
    router.forget(2);
    expect(router.matchedBlocks(2, b)).toBe(0);
    expect(router.select(reqs.add(0, 64, 1, 0, 64), Int32Array.of(0, 1, 2), 3, [1, 0, 0])).toBe(1);
  });

  it('the per-replica index is LRU-bounded: maxTreeSize / blockSize keys, the least recently used evicted first, a prompt\'s leading block last', () => {
    const s = new LruKeySet(3);
    s.touch(7, 0);
    s.touch(7, 1);
    s.touch(7, 2);
    s.touch(7, 0); // most recent again
    s.touch(8, 0); // evicts (7, 1)
    expect([s.has(7, 0), s.has(7, 1), s.has(7, 2), s.has(8, 0), s.size]).toEqual([true, false, true, true, 3]);
    const reqs = new LlmRequests();
    const router = new PrefixAffinityRouter(1, 16, { ...PREFIX_AFFINITY_DEFAULTS, maxTreeSize: 48 }, reqs);
    const x = reqs.add(0, 64, 1, 0, 64); // 4 blocks, room for 3: the deepest is the one left out
    router.record(0, x);
    expect(router.matchedBlocks(0, x)).toBe(3);
  });
});

describe('prefix identity: the engine\'s block keys', () => {
  it('a system prompt\'s full blocks, then a session\'s context, then the request\'s own content', () => {
    const reqs = new LlmRequests();
    const id = reqs.add(0, 130, 10, 0, 20);
    reqs.sessionKey[id] = 7;
    reqs.sessionShared[id] = 100;
    // 16-token blocks: block 0 (tokens 0–15) inside the 20-token system prompt; blocks 1…5 (up to 96) inside the session's 100 tokens
    expect([0, 1, 5, 6, 7].map((j) => blockKeyA(reqs, id, j, 16))).toEqual([0, 7, 7, -1 - id, -1 - id]);
  });
});

describe('prefix-affinity on a fleet', () => {
  it('16 system prompts, KV cache too small for all of them on every replica: a higher prefix-cache hit rate and lower TTFT than least-requests on the same arrivals', () => {
    const lr = runLlmFleet(load(scenario('least-requests', SHARED)).spec).results;
    const pa = runLlmFleet(load(scenario('prefix-affinity', SHARED)).spec).results;
    console.log(`least-requests: hit ${lr.prefixHitRate.toFixed(3)}, TTFT mean ${lr.ttftMs.mean.toFixed(1)} ms p99 ${lr.ttftMs.p99.toFixed(1)} ms, preemptions ${lr.preemptions}`);
    console.log(`prefix-affinity: hit ${pa.prefixHitRate.toFixed(3)}, TTFT mean ${pa.ttftMs.mean.toFixed(1)} ms p99 ${pa.ttftMs.p99.toFixed(1)} ms, preemptions ${pa.preemptions}`);
    expect(pa.requests.arrived).toBe(lr.requests.arrived); // the same arrivals
    expect(pa.prefixHitRate).toBeGreaterThan(lr.prefixHitRate + 0.2);
    expect(pa.ttftMs.mean).toBeLessThan(lr.ttftMs.mean / 3);
    expect(pa.ttftMs.p99).toBeLessThan(lr.ttftMs.p99 * 0.6);
    expect(pa.preemptions).toBeLessThan(lr.preemptions);
    // same seed, same results
    expect(runLlmFleet(load(scenario('prefix-affinity', SHARED)).spec).results).toEqual(pa);
  });

  it('multi-turn sessions (64 users, 6 turns, each repeating the conversation so far): the next turn finds its context cached', () => {
    const sessions = (routing: string) => `
name: t
seed: 5
duration: 3m
warmup: 30s
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 4
  routing: ${routing}
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 3000 }
  stepTime: { beta0: 8ms, beta1: 0.00005, beta2: 0.0001, beta3: 0.0000001 }
traffic:
  users: 64
  thinkTime: 3s
  tokens: { prompt: { lognormal: { mean: 1000, cv: 0.5 } }, output: { lognormal: { mean: 200, cv: 1 } } }
  sessions: { turns: 6, followUp: { lognormal: { mean: 150, cv: 1 } } }
`;
    const lr = runLlmFleet(load(sessions('least-requests')).spec).results;
    const pa = runLlmFleet(load(sessions('prefix-affinity')).spec).results;
    console.log(`sessions least-requests: hit ${lr.prefixHitRate.toFixed(3)}, TTFT mean ${lr.ttftMs.mean.toFixed(1)} ms p99 ${lr.ttftMs.p99.toFixed(1)} ms, completed ${lr.requests.completed}`);
    console.log(`sessions prefix-affinity: hit ${pa.prefixHitRate.toFixed(3)}, TTFT mean ${pa.ttftMs.mean.toFixed(1)} ms p99 ${pa.ttftMs.p99.toFixed(1)} ms, completed ${pa.requests.completed}`);
    for (const r of [lr, pa]) expect(r.requests.arrived).toBe(r.requests.completed + r.requests.rejected + r.requests.inFlightAtEnd);
    expect(pa.prefixHitRate).toBeGreaterThan(0.75);
    expect(lr.prefixHitRate).toBeLessThan(0.35);
    expect(pa.ttftMs.mean).toBeLessThan(lr.ttftMs.mean / 2);
    expect(pa.ttftMs.p99).toBeLessThan(lr.ttftMs.p99);
    // closed loop: faster turns, more of them in the same time
    expect(pa.requests.completed).toBeGreaterThan(lr.requests.completed);
    expect(runLlmFleet(load(sessions('prefix-affinity')).spec).results).toEqual(pa);
  });

  it('without shared prefixes it is its fallback, least-requests, request for request', () => {
    const lr = runLlmFleet(load(scenario('least-requests', '')).spec);
    const pa = runLlmFleet(load(scenario('prefix-affinity', '')).spec);
    expect(pa).toEqual(lr);
  });
});

describe('loading routing prefix-affinity', () => {
  it('takes SGLang cache-aware defaults, or the knobs given; several system prompts', () => {
    const sc = load(scenario('prefix-affinity', SHARED));
    expect(sc.spec.routing).toBe('prefix-affinity');
    expect(sc.spec.prefixAffinity).toEqual({ cacheThreshold: 0.3, balanceAbsThreshold: 64, balanceRelThreshold: 1.5, maxTreeSize: 2 ** 26 });
    expect([sc.spec.systemPromptTokens, sc.spec.systemPrompts]).toEqual([1024, 16]);
    const k = load(scenario('prefix-affinity', SHARED, '  prefixAffinity: { cacheThreshold: 0.5, balanceAbsThreshold: 32, balanceRelThreshold: 1.1, maxTreeSize: 10000 }\n'));
    expect(k.spec.prefixAffinity).toEqual({ cacheThreshold: 0.5, balanceAbsThreshold: 32, balanceRelThreshold: 1.1, maxTreeSize: 10000 });
    expect(load(scenario('prefix-affinity', '')).warnings.join('\n')).toMatch(/no traffic.systemPrompt or traffic.sessions.*least-requests/);
  });

  it('bad values: code, path and message', () => {
    const pick = (i: ScenarioIssue[]) => i.map((x) => ({ code: x.code, path: x.path.join('.'), message: x.message }));
    expect(pick(issuesOf(scenario('prefix-cache', SHARED)))).toEqual([
      { code: 'invalid_enum_value', path: 'llm.routing', message: 'expected least-requests, least-tokens, kv-utilization, round-robin or prefix-affinity, got "prefix-cache"' },
    ]);
    expect(pick(issuesOf(scenario('prefix-affinity', SHARED, '  prefixAffinity: { cacheThreshold: 1.5, balanceAbsThreshold: -1, balanceRelThreshold: 0.5, maxTreeSize: 8, treeSize: 1 }\n')))).toEqual([
      { code: 'unknown_key', path: 'llm.prefixAffinity.treeSize', message: 'unknown field (expected one of: cacheThreshold, balanceAbsThreshold, balanceRelThreshold, maxTreeSize)' },
      { code: 'too_big', path: 'llm.prefixAffinity.cacheThreshold', message: 'expected a number in [0, 1], got 1.5' },
      { code: 'too_small', path: 'llm.prefixAffinity.balanceAbsThreshold', message: 'expected an integer ≥ 0, got -1' },
      { code: 'too_small', path: 'llm.prefixAffinity.balanceRelThreshold', message: 'expected a number in [1, 1000000], got 0.5' },
      { code: 'too_small', path: 'llm.prefixAffinity.maxTreeSize', message: 'expected an integer ≥ 16, got 8' },
    ]);
    expect(pick(issuesOf(scenario('least-tokens', SHARED, '  prefixAffinity: { cacheThreshold: 0.3 }\n')))).toEqual([
      { code: 'cross_field', path: 'llm.prefixAffinity', message: 'applies only to routing prefix-affinity (routing is least-tokens)' },
    ]);
    expect(pick(issuesOf(scenario('prefix-affinity', '  sessions: { turns: 0, length: 3 }\n').replace('  rate: 20\n', '  users: 8\n')))).toEqual([
      { code: 'unknown_key', path: 'traffic.sessions.length', message: 'unknown field (expected one of: turns, followUp)' },
      { code: 'required', path: 'traffic.sessions.followUp', message: 'required: new prompt tokens each later turn adds, e.g. { lognormal: { mean: 100, cv: 1 } }' },
      { code: 'too_small', path: 'traffic.sessions.turns', message: 'expected an integer ≥ 1, got 0' },
    ]);
    expect(pick(issuesOf(scenario('prefix-affinity', '  sessions: { turns: 4, followUp: 100 }\n')))).toEqual([
      { code: 'cross_field', path: 'traffic.sessions', message: 'multi-turn sessions need closed-loop users (traffic.users): a turn is sent when the previous one completes' },
    ]);
    expect(pick(issuesOf(scenario('prefix-affinity', '  systemPrompt: { count: 0 }\n')))).toEqual([
      { code: 'required', path: 'traffic.systemPrompt.tokens', message: 'required: the leading prompt tokens a system prompt covers' },
      { code: 'too_small', path: 'traffic.systemPrompt.count', message: 'expected an integer ≥ 1, got 0' },
    ]);
  });
});

describe('scenarios/llm-prefix-affinity.yaml', () => {
  it('runs fast and teaches its lesson: the same 4 L4s meet both SLOs with prefix-affinity, not with least-requests', () => {
    const text = readFileSync(`${ROOT}/scenarios/llm-prefix-affinity.yaml`, 'utf8');
    expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThanOrEqual(5);
    const at = (routing: string) => loadLlmScenario(text, { file: 'llm-prefix-affinity.yaml', baseDir: `${ROOT}/scenarios`, readFile: (p) => readFileSync(p, 'utf8'), sets: [`llm.routing=${routing}`] });
    const pa = at('prefix-affinity');
    expect(pa.warnings).toEqual([]);
    const t0 = performance.now();
    const a = runLlmFleet(pa.spec).results;
    expect(performance.now() - t0).toBeLessThan(5000);
    const l = runLlmFleet(at('least-requests').spec).results;
    for (const r of [a, l]) expect(r.requests.arrived).toBe(r.requests.completed + r.requests.rejected + r.requests.inFlightAtEnd);
    console.log(`scenario: prefix-affinity hit ${a.prefixHitRate.toFixed(3)} TTFT p99 ${a.ttftMs.p99.toFixed(0)} ms TPOT p99 ${a.tpotMs.p99.toFixed(1)} ms | least-requests hit ${l.prefixHitRate.toFixed(3)} TTFT p99 ${l.ttftMs.p99.toFixed(0)} ms TPOT p99 ${l.tpotMs.p99.toFixed(1)} ms`);
    expect(a.prefixHitRate).toBeGreaterThan(0.7);
    expect(l.prefixHitRate).toBeLessThan(0.45);
    expect(a.slo.met).toBe(true);
    expect(l.slo.met).toBe(false);
  });
});
