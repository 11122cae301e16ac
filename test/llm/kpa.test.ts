import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { loadLlmRunScenarioVariants } from '../../src/llm/regions-scenario.js';
import type { ScenarioIssue } from '../../src/scenario/issues.js';
import { cli, ROOT } from '../helpers/cli.js';
import { llmProblems } from '../helpers/llm.js';

/**
 * A step of load held in flight: 2 requests at t = 0 that outlast the run, 20 more at t = 10.5 s
 * that each decode 1 500 tokens at 10 ms a step (done near t = 25.5 s). Every request stays on the
 * replica it was routed to, so the fleet's concurrency is 2, then 22 from t = 10.5 s, then 2 again.
 */
const TRACE = ['TIMESTAMP,ContextTokens,GeneratedTokens', '0,16,10000', '0,16,10000', ...Array.from({ length: 20 }, () => '10.5,16,1500')].join('\n');

const base = `
name: kpa step
seed: 1
duration: 40s
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 1
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 100000 }
  stepTime: { beta0: 10ms, beta1: 0, beta2: 0, beta3: 0 }
  overheads: none
  autoscaler: { kind: kpa, target: 5, targetUtilization: 1, maxReplicas: 10, stableWindow: 6s, panicWindowPercentage: 50, tick: 2s }
traffic:
  trace: { file: trace.csv }
report: { interval: 1s }
`;
/** The same fleet scaling to zero (6 s of grace, Knative's least). */
const toZero = base.replace('{ kind: kpa, ', '{ kind: kpa, minReplicas: 0, scaleToZeroGracePeriod: 6s, ');
const load = (text: string, trace = TRACE) => loadLlmScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (p) => (p.endsWith('trace.csv') ? trace : readFileSync(p, 'utf8')) });
const issuesOf = (text: string): ScenarioIssue[] => llmProblems(() => load(text)).issues;

describe('KPA on an LLM fleet (llm.autoscaler kind: kpa)', () => {
  it('resolves Knative\u2019s defaults around the fields given', () => {
    const { spec } = load(base);
    expect(spec.autoscaler).toBeNull();
    expect(spec.kpa).toEqual({
      metric: 'concurrency',
      target: 5,
      targetUtilization: 1,
      minReplicas: 1,
      maxReplicas: 10,
      stableWindowS: 6,
      panicWindowPercentage: 50,
      panicThresholdPercentage: 200,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      tickS: 2,
      scaleToZeroGracePeriodS: 30,
    });
  });

  it('scales at the hand-computed ticks for a step of in-flight requests, cold starts included, and back down at Knative\u2019s rate', () => {
    // Stable window 6 s, panic window 3 s (50 %), target 5 per replica, a tick every 2 s, the
    // fleet's in-flight count recorded every 1 s (1 s buckets):
    //  t ≤ 10: buckets hold 2 → ⌈2/5⌉ = 1 replica.
    //  t = 12: buckets 7–10 hold 2, bucket 11 holds 22: stable (4·2 + 22)/5 = 6 → 2; panic (2 + 22)/2 = 12 → 3;
    //          3 / 1 ready ≥ 200 % → panic: desired max(2, 3) = 3 (two cold starts, ready at 17 s).
    //  t = 14: stable (2·2 + 3·22)/5 = 14 → 3; panic 22 → 5; 5 / 1 ready ≥ 2 → desired 5 (ready at 19 s).
    //  t = 16…26: 22 everywhere → 5 (panic ends at t = 24: 6 s after its last trigger at t = 16).
    //  t = 28: the 20 finished near 25.5 s: stable (3·22 + 2·2)/5 = 14 → 3, within ⌊5/2⌋ = 2 → 3.
    //  t = 30: (22 + 4·2)/5 = 6 → 2 (⌊3/2⌋ = 1 allows it); t = 32: 2 → 1.
    const sc = load(base);
    const { results: r, timeline } = runLlmFleet({ ...sc.spec, coldStartS: 5 });
    const desired = (t: number) => timeline.find((x) => x.t === t)!.replicasDesired;
    const ready = (t: number) => timeline.find((x) => x.t === t)!.replicasReady;
    const at = [10, 11, 12, 13, 14, 15, 26, 27, 28, 29, 30, 31, 32, 40].map(desired);
    expect(at).toEqual([1, 1, 3, 3, 5, 5, 5, 5, 3, 3, 2, 2, 1, 1]);
    expect(timeline.filter((x) => x.t <= 11).every((x) => x.replicasDesired === 1)).toBe(true);
    // the initial replica loads for 5 s; each scale-up pays the same cold start
    expect([4, 5, 16, 17, 18, 19, 27].map(ready)).toEqual([0, 1, 1, 3, 3, 5, 5]);
    expect(r.replicasStats).toMatchObject({ min: 1, max: 5, coldStarts: 4 });
    expect(timeline.find((x) => x.t === 25)!.running).toBe(22);
    expect(timeline.find((x) => x.t === 26)!.running).toBe(2);
    // the books balance: every request arrived is completed, rejected or still in flight
    expect(r.requests).toEqual({ arrived: 22, completed: 20, rejected: 0, inFlightAtEnd: 2 });
    // billed replica time: 1 × 12 s + 3 × 2 s + 5 × 14 s + 3 × 2 s + 2 × 2 s + 1 × 8 s
    expect(r.replicasStats.mean * 40).toBeCloseTo(12 + 6 + 70 + 6 + 4 + 8, 6);
  });

  it('rps: the arrivals of each second, averaged over the windows', () => {
    // 20 arrivals in bucket 10 (t = 10.5): at t = 12 stable 20/5 = 4 → ⌈4/5⌉ = 1, panic 20/2 = 10 → 2 (≥ 2 × 1 ready: panic)
    const sc = load(base.replace('target: 5,', 'metric: rps, target: 5,'));
    const { timeline } = runLlmFleet(sc.spec);
    const desired = (t: number) => timeline.find((x) => x.t === t)!.replicasDesired;
    expect([10, 12, 14].map(desired)).toEqual([1, 2, 2]);
  });

  it('scales to zero after a quiet stable window and the grace period; the activator holds the next request and the KPA starts a replica at once', () => {
    // Two short requests at t = 0 wait for the initial replica's 5 s load and finish near 5.1 s;
    // the fleet's in-flight count is recorded every 1 s: 2 at t = 1…5, then 0.
    //  t = 12: the 6 s window (buckets 7–12) holds no traffic and a full window has been seen:
    //          quiet from now; t = 18: 6 s of grace have run → desired 0, the idle replica stops.
    //  t = 29.5: a request finds no replica: the activator holds it and reports 1 in flight; the
    //          last decision was 0, so the KPA decides at once (Knative's poke): 1 → a cold start,
    //          ready at 34.5 s; the request's first token at 34.51 s (TTFT 5.01 s), its 10th at 34.6 s.
    const trace = ['TIMESTAMP,ContextTokens,GeneratedTokens', '0,16,10', '0,16,10', '29.5,16,10'].join('\n');
    const sc = load(toZero, trace);
    expect(sc.spec.kpa).toMatchObject({ minReplicas: 0, scaleToZeroGracePeriodS: 6 });
    const { results: r, timeline } = runLlmFleet({ ...sc.spec, coldStartS: 5 });
    const row = (t: number) => timeline.find((x) => x.t === t)!;
    expect([16, 17, 18, 19, 29, 30, 34, 35, 40].map((t) => row(t).replicasDesired)).toEqual([1, 1, 0, 0, 0, 1, 1, 1, 1]);
    expect([4, 5, 17, 18, 29, 30, 34, 35].map((t) => row(t).replicasReady)).toEqual([0, 1, 1, 0, 0, 0, 0, 1]);
    expect(r.requests).toEqual({ arrived: 3, completed: 3, rejected: 0, inFlightAtEnd: 0 });
    // the scale from zero is a cold start (the initial fleet's load is not counted); billed: 0–18 s and 29.5–40 s
    expect(r.replicasStats).toMatchObject({ min: 0, max: 1, coldStarts: 1 });
    expect(r.replicasStats.mean * 40).toBeCloseTo(18 + 10.5, 6);
    // the held request's wait is its TTFT: the whole cold start
    expect(r.ttftMs.max).toBeCloseTo(5010, 0);
  });

  it('requests arriving while the fleet is at zero are held and served in arrival order by the replica the first one started', () => {
    const trace = ['TIMESTAMP,ContextTokens,GeneratedTokens', '0,16,10', '29.5,16,10', '29.6,16,10'].join('\n');
    const sc = load(toZero, trace);
    const { results: r } = runLlmFleet({ ...sc.spec, coldStartS: 5 });
    expect(r.requests).toEqual({ arrived: 3, completed: 3, rejected: 0, inFlightAtEnd: 0 });
    // the second one (29.6 s) routes to the replica starting since 29.5 s: one cold start, no second replica
    expect(r.replicasStats).toMatchObject({ max: 1, coldStarts: 1 });
    // both wait for the same load: first tokens at 34.51 s (batched together), TTFT 5.01 s and 4.91 s
    expect(r.ttftMs.max).toBeCloseTo(5010, 0);
  });

  it('scenarios/llm-scale-to-zero.yaml (README): zero between bursts costs less than half the warm floor and misses TTFT p99 by the cold start', () => {
    const file = join(ROOT, 'scenarios', 'llm-scale-to-zero.yaml');
    const { base, variants } = loadLlmRunScenarioVariants(readFileSync(file, 'utf8'), { file, baseDir: join(ROOT, 'scenarios'), readFile: (p) => readFileSync(p, 'utf8') });
    const zero = runLlmFleet(base.spec);
    const warm = runLlmFleet(variants.find((v) => v.name === 'warm-floor')!.scenario.spec);
    for (const r of [zero.results, warm.results]) expect(r.requests.completed + r.requests.rejected + r.requests.inFlightAtEnd).toBe(r.requests.arrived);
    // at zero between the bursts (5–15 min and 35–45 min), ~90 s after each ends; up during them
    const desired = (t: number) => zero.timeline.find((x) => x.t === t)!.replicasDesired;
    expect([240, 600, 1020, 2040, 2400, 2820, 3600].map(desired)).toEqual([0, 1, 0, 0, 1, 0, 0]);
    // the initial replica loads for 28 s with no traffic: Knative does not scale an activating revision to
    // zero, so it stays until ready and then a stable window (60 s) and the grace period (30 s) more
    expect([30, 90, 120].map(desired)).toEqual([1, 1, 0]);
    expect(zero.results.replicasStats.min).toBe(0);
    expect(warm.results.replicasStats).toMatchObject({ min: 1, max: 1, coldStarts: 0 });
    // the README's figures: $2 302 against $5 022 a month; TTFT p99 26.8 s (the 28 s cold start) against 171 ms
    expect(Math.round(zero.results.monthlyUsd)).toBe(2302);
    expect(Math.round(warm.results.monthlyUsd)).toBe(5022);
    expect(zero.results.ttftMs.p99 / 1000).toBeCloseTo(26.8, 1);
    expect(warm.results.ttftMs.p99).toBeCloseTo(171, 0);
    expect(zero.results.slo.met).toBe(false);
    expect(warm.results.slo.met).toBe(true);
  });

  it.each([
    ['a grace period below Knative’s 6 s', 'minReplicas: 0, scaleToZeroGracePeriod: 2s, ', 'too_small', 'scaleToZeroGracePeriod'],
    ['an unbounded fleet', 'maxReplicas: 0, ', 'too_small', 'maxReplicas'], // the YAML's own maxReplicas: 10 is removed below
    ['a vLLM gauge as a KPA metric', 'metric: "vllm:num_requests_waiting", ', 'invalid_enum_value', 'metric'],
    ['a stable window below Knative\u2019s 6 s', 'stableWindow: 5s, ', 'invalid_format', 'stableWindow'],
    ['a panic threshold below 110 %', 'panicThreshold: 100, ', 'too_small', 'panicThreshold'],
    ['a scale-down rate of 1', 'maxScaleDownRate: 1, ', 'too_small', 'maxScaleDownRate'],
    ['an HPA field', 'syncPeriod: 15s, ', 'unknown_key', 'syncPeriod'],
    ['a grace period without scale to zero (minReplicas 1)', 'scaleToZeroGracePeriod: 30s, ', 'cross_field', 'scaleToZeroGracePeriod'],
  ])('%s is refused at its field', (_what, field, code, key) => {
    const text = base.replace('stableWindow: 6s, ', '').replace('maxReplicas: 10, ', '').replace('{ kind: kpa, ', `{ kind: kpa, ${field}`);
    expect(issuesOf(text)).toContainEqual(expect.objectContaining({ code, path: ['llm', 'autoscaler', key] }));
  });

  it('an unknown kind is refused at llm.autoscaler.kind', () => {
    expect(issuesOf(base.replace('kind: kpa', 'kind: keda'))).toContainEqual(expect.objectContaining({ code: 'invalid_enum_value', path: ['llm', 'autoscaler', 'kind'] }));
  });

  it('the CLI runs it and writes report.html (not with --no-report); a bad field exits 2 naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-kpa-'));
    writeFileSync(join(dir, 'trace.csv'), TRACE);
    writeFileSync(join(dir, 's.yaml'), base);
    const r = cli(['run', join(dir, 's.yaml'), '--format', 'json', '-q', '--out', join(dir, 'out')]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { replicas: { max: number } };
    expect(s.replicas.max).toBe(5);
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain('KPA on concurrency (target 5 per replica, 1–10 replicas)');
    expect(html).toContain('<figure class="chart" id="chart-replicas">');
    const n = cli(['run', join(dir, 's.yaml'), '-q', '--no-report', '--out', join(dir, 'plain')]);
    expect(n.status, n.stderr).toBe(0);
    expect(existsSync(join(dir, 'plain', 'timeline.csv'))).toBe(true);
    expect(existsSync(join(dir, 'plain', 'report.html'))).toBe(false);
    writeFileSync(join(dir, 'bad.yaml'), base.replace('target: 5,', 'target: 5, minReplicas: 0, scaleToZeroGracePeriod: 2s,'));
    const b = cli(['validate', join(dir, 'bad.yaml')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`error: ${join(dir, 'bad.yaml')}: llm.autoscaler.scaleToZeroGracePeriod: expected at least 6s (Knative's window minimum), got "2s"`);
  });
});
