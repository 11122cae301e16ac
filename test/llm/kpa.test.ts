import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
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
const load = (text: string) => loadLlmScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (p) => (p.endsWith('trace.csv') ? TRACE : readFileSync(p, 'utf8')) });
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

  it.each([
    ['scale to zero', 'minReplicas: 0, ', 'too_small', 'minReplicas'],
    ['an unbounded fleet', 'maxReplicas: 0, ', 'too_small', 'maxReplicas'], // the YAML's own maxReplicas: 10 is removed below
    ['a vLLM gauge as a KPA metric', 'metric: "vllm:num_requests_waiting", ', 'invalid_enum_value', 'metric'],
    ['a stable window below Knative\u2019s 6 s', 'stableWindow: 5s, ', 'invalid_format', 'stableWindow'],
    ['a panic threshold below 110 %', 'panicThreshold: 100, ', 'too_small', 'panicThreshold'],
    ['a scale-down rate of 1', 'maxScaleDownRate: 1, ', 'too_small', 'maxScaleDownRate'],
    ['an HPA field', 'syncPeriod: 15s, ', 'unknown_key', 'syncPeriod'],
    ['a grace period to zero', 'scaleToZeroGracePeriod: 30s, ', 'cross_field', 'scaleToZeroGracePeriod'],
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
    writeFileSync(join(dir, 'bad.yaml'), base.replace('target: 5,', 'target: 5, minReplicas: 0,'));
    const b = cli(['validate', join(dir, 'bad.yaml')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`error: ${join(dir, 'bad.yaml')}: llm.autoscaler.minReplicas: at least 1: an LLM fleet does not scale to zero`);
  });
});
