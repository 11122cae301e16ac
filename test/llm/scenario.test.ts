import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import type { IssueCode, ScenarioIssue } from '../../src/scenario/issues.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { cli, ROOT } from '../helpers/cli.js';
import { llmProblems } from '../helpers/llm.js';

const base = `
name: t
seed: 3
duration: 10m
warmup: 1m
slo: { ttft: { p99: 2s }, tpot: { p99: 50ms } }
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 2
  routing: least-tokens
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 4000 }
  stepTime: { beta0: 8ms, beta1: 0.00005, beta2: 0.0001, beta3: 0.0000001 }
`;
const load = (text: string) => loadLlmScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (p) => readFileSync(p, 'utf8') });
const issuesOf = (text: string): ScenarioIssue[] => llmProblems(() => load(text)).issues;
const errors = (text: string): string[] => llmProblems(() => load(text)).lines;

describe('LLM scenarios', () => {
  it('open loop: the books balance and SLO verdicts follow the percentiles', () => {
    const sc = load(`${base}traffic:\n  rate: 6\n  tokens: { prompt: { lognormal: { mean: 800, cv: 1 } }, output: { lognormal: { mean: 200, cv: 1 } } }\n`);
    const { results: r, timeline } = runLlmFleet(sc.spec);
    expect(r.requests.arrived).toBe(r.requests.completed + r.requests.rejected + r.requests.inFlightAtEnd);
    expect(r.requests.arrived).toBeGreaterThan(2500);
    for (const t of r.slo.targets) expect(t.met).toBe(t.actualMs <= t.targetMs);
    expect(r.goodputRps).toBeLessThanOrEqual(r.throughputRps);
    expect(timeline.length).toBe(60);
    expect(timeline.reduce((a, row) => a + row.arrivals, 0)).toBeGreaterThanOrEqual(r.requests.arrived);
  });

  it("closed loop: N users with think time Z obey the response-time law X = N / (R + Z)", () => {
    const sc = load(`${base}traffic:\n  users: 40\n  thinkTime: 5s\n  tokens: { prompt: 500, output: 100 }\n`);
    const { results: r } = runLlmFleet(sc.spec);
    const R = r.e2eMs.mean / 1000;
    expect(r.throughputRps).toBeGreaterThan(0);
    expect(r.throughputRps).toBeCloseTo(40 / (R + 5), 0);
    expect(Math.abs(r.throughputRps / (40 / (R + 5)) - 1)).toBeLessThan(0.03);
  });

  it('a shared system prompt is served from the prefix cache', () => {
    const sc = load(`${base}traffic:\n  rate: 3\n  systemPrompt: 512\n  tokens: { prompt: 600, output: 50 }\n`);
    const { results: r } = runLlmFleet(sc.spec);
    // 512 of each 600-token prompt hit after the first request on each replica
    expect(r.prefixHitRate).toBeGreaterThan(0.8);
    expect(r.prefixHitRate).toBeLessThan(512 / 600 + 1e-9);
  });

  it('replays the vendored Azure trace, the same seed giving the same result', () => {
    const text = readFileSync(join(ROOT, 'scenarios', 'llm-chat-azure.yaml'), 'utf8').replace('duration: 20m', 'duration: 3m').replace('warmup: 1m', 'warmup: 10s');
    expect(text).toContain('duration: 3m');
    const loadHere = (t: string) => loadLlmScenario(t, { file: 'llm-chat-azure.yaml', baseDir: join(ROOT, 'scenarios'), readFile: (p) => readFileSync(p, 'utf8') });
    const a = runLlmFleet(loadHere(text).spec).results;
    const b = runLlmFleet(loadHere(text).spec).results;
    expect(a).toEqual(b);
    expect(a.requests.arrived).toBeGreaterThan(3000);
    expect(a.stepModel).toMatch(/^built-in profile llama-3\.1-8b on 2× a100-80gb/);
  });

  it("the chat lesson (README's table): 2 replicas on 2× A100 80GB meet both SLOs; 4 replicas on 1× A100, the same 4 GPUs, miss TPOT p99", () => {
    const text = readFileSync(join(ROOT, 'scenarios', 'llm-chat-azure.yaml'), 'utf8');
    const at = (sets: string[]) =>
      runLlmFleet(loadLlmScenario(text, { file: 'llm-chat-azure.yaml', baseDir: join(ROOT, 'scenarios'), readFile: (p) => readFileSync(p, 'utf8'), sets }).spec).results;
    const tp2 = at([]);
    const tp1 = at(['llm.tensorParallel=1', 'llm.replicas=4']);
    expect(tp2.slo.met).toBe(true);
    expect(tp1.gpus).toBe(tp2.gpus);
    expect(tp1.monthlyUsd).toBeCloseTo(tp2.monthlyUsd, 6);
    const [ttft, tpot] = tp1.slo.targets;
    expect(ttft).toMatchObject({ metric: 'ttft', met: true });
    expect(tpot).toMatchObject({ metric: 'tpot', met: false });
  });

  it("scenarios/llm-hpa-step.yaml (README): the waiting queue jumps at the step, the HPA goes 1 → 8 → 10 in two syncs, TTFT p99 pays meanwhile", () => {
    const text = readFileSync(join(ROOT, 'scenarios', 'llm-hpa-step.yaml'), 'utf8');
    const sc = loadLlmScenario(text, { file: 'llm-hpa-step.yaml', baseDir: join(ROOT, 'scenarios'), readFile: (p) => readFileSync(p, 'utf8') });
    const { results: r, timeline } = runLlmFleet(sc.spec);
    expect(r.stepModel).toMatch(/^built-in profile llama-3\.1-8b on 1× h100-80gb/);
    expect(r.requests.arrived).toBe(r.requests.completed + r.requests.rejected + r.requests.inFlightAtEnd);
    const row = (t: number) => timeline.find((x) => x.t === t)!;
    expect(timeline.filter((x) => x.t <= 600).every((x) => x.replicasDesired === 1)).toBe(true);
    expect(row(630).waiting).toBeGreaterThan(400);
    expect(row(630).replicasDesired).toBe(8);
    expect(row(660).replicasDesired).toBe(10);
    expect(row(690).ttftP99Ms).toBeGreaterThan(10_000);
    expect(row(840).ttftP99Ms).toBeLessThan(500);
    expect(r.replicasStats.coldStarts).toBeGreaterThan(10); // it flaps: down to 1 after 5 quiet minutes, back up
  });

  it('an HPA on vllm:num_requests_waiting adds replicas when the traffic steps up, and the books still balance', () => {
    const text = base.replace('duration: 10m', 'duration: 20m').replace('replicas: 2', 'replicas: 1\n  coldStart: { loadBandwidth: 2GB }\n  autoscaler: { metric: "vllm:num_requests_waiting", target: 2, minReplicas: 1, maxReplicas: 8, syncPeriod: 15s }') +
      'traffic:\n  rate: [{ at: 0s, rate: 2 }, { at: 8m, rate: 12 }]\n  tokens: { prompt: { lognormal: { mean: 1000, cv: 1 } }, output: { lognormal: { mean: 250, cv: 1 } } }\n';
    const { results: r, timeline } = runLlmFleet(load(text).spec);
    expect(r.requests.arrived).toBe(r.requests.completed + r.requests.rejected + r.requests.inFlightAtEnd);
    const before = timeline.filter((row) => row.t > 120 && row.t <= 480).map((row) => row.replicas);
    const after = timeline.filter((row) => row.t > 900).map((row) => row.replicas);
    expect(Math.max(...before)).toBeLessThanOrEqual(2);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    expect(r.replicasStats.max).toBeGreaterThan(1);
    expect(r.replicasStats.coldStarts).toBeGreaterThan(0);
    // billed replica time: the mean lies between the extremes
    expect(r.replicasStats.mean).toBeGreaterThan(r.replicasStats.min);
    expect(r.replicasStats.mean).toBeLessThan(r.replicasStats.max);
    for (const row of timeline) expect(row.replicasReady).toBeLessThanOrEqual(row.replicas);
  });

  it('names the field and what was expected', () => {
    expect(errors(base.replace('llama-3.1-8b', 'gpt-9'))).toContainEqual(expect.stringMatching(/^error: s\.yaml: llm\.model: unknown model "gpt-9"/));
    expect(errors(`${base}traffic: { rate: 1 }\n`.replace('replicas: 2', 'replicas: 2\n  tensorParallel: 3'))).toContainEqual('error: s.yaml: llm.tensorParallel: expected 1, 2, 4 or 8 GPUs of a node, got 3');
    expect(errors(`${base}traffic: { rate: 1 }\n`)).toContainEqual(expect.stringMatching(/traffic\.tokens: required/));
    expect(errors(`${base}traffic: { rate: 1, users: 3 }\n`)).toContainEqual(expect.stringMatching(/traffic: give exactly one of trace, rate/));
    expect(errors(base.replace('numGpuBlocks: 4000', 'numGpuBlocks: 4000, maxNumSeq: 3') + 'traffic: { users: 1, tokens: { prompt: 1, output: 1 } }\n')).toContainEqual(expect.stringMatching(/llm\.engine\.maxNumSeq: unknown field/));
    // a 70B model does not fit one L4
    expect(errors(base.replace('llama-3.1-8b', 'llama-3.1-70b').replace('gpu: h100-80gb', 'gpu: l4').replace(', numGpuBlocks: 4000', '') + 'traffic: { users: 1, tokens: { prompt: 1, output: 1 } }\n')).toContainEqual(expect.stringMatching(/does not fit 1× l4/));
  });

  it.each([
    ['an unknown model', base.replace('llama-3.1-8b', 'gpt-9'), 'unknown_reference', ['llm', 'model']],
    ['three GPUs of a node', `${base}traffic: { rate: 1 }\n`.replace('replicas: 2', 'replicas: 2\n  tensorParallel: 3'), 'invalid_enum_value', ['llm', 'tensorParallel']],
    ['a rate without tokens', `${base}traffic: { rate: 1 }\n`, 'required', ['traffic', 'tokens']],
    ['two traffic modes', `${base}traffic: { rate: 1, users: 3 }\n`, 'cross_field', ['traffic']],
    ['an unknown engine field', base.replace('numGpuBlocks: 4000', 'numGpuBlocks: 4000, maxNumSeq: 3') + 'traffic: { users: 1, tokens: { prompt: 1, output: 1 } }\n', 'unknown_key', ['llm', 'engine', 'maxNumSeq']],
    ['a schedule out of order', `${base}traffic: { rate: [ { at: 0, rate: 1 }, { at: 0, rate: 2 } ], tokens: { prompt: 1, output: 1 } }\n`, 'cross_field', ['traffic', 'rate', 1, 'at']],
    ['a negative duration', `${base}traffic: { users: 1, tokens: { prompt: 1, output: 1 } }\n`.replace(/^duration: .*$/m, 'duration: -5s'), 'too_small', ['duration']],
  ] as [string, string, IssueCode, (string | number)[]][])('%s: its code at its path', (_what, text, code, path) => {
    expect(issuesOf(text)).toContainEqual(expect.objectContaining({ code, path }));
  });

  it('the CLI runs it: contract fields, the llm block, exit 2 on a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-'));
    const text = readFileSync(join(ROOT, 'scenarios', 'llm-chat-azure.yaml'), 'utf8').replace('duration: 20m', 'duration: 2m').replace('warmup: 1m', 'warmup: 10s').replace('file: traces/', `file: ${join(ROOT, 'scenarios', 'traces')}/`);
    writeFileSync(join(dir, 's.yaml'), text);
    const r = cli(['run', join(dir, 's.yaml'), '--format', 'json', '-q', '--out', join(dir, 'out')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { requests: Record<string, number>; llm: Record<string, unknown>; cache: unknown };
    expect(s.requests.arrived).toBe(s.requests.completed + s.requests.rejected + s.requests.timedOut + s.requests.inFlightAtEnd);
    expect(s.cache).toBeNull();
    for (const k of ['ttftMs', 'tpotMs', 'itlMs', 'e2eMs', 'goodputRps', 'kvUtilization', 'preemptions', 'prefixHitRate', 'costPerMillionTokens']) expect(s.llm).toHaveProperty(k);
    const head = readFileSync(join(dir, 'out', 'timeline.csv'), 'utf8').split('\n')[0]!;
    expect(head).toMatch(/^timeS,arrivals,completed,rejected,timedOut,p50Ms,p99Ms,replicasReady/);
    writeFileSync(join(dir, 'bad.yaml'), text.replace('tensorParallel: 2', 'tensorParallel: 5'));
    const b = cli(['run', join(dir, 'bad.yaml')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/llm\.tensorParallel: expected 1, 2, 4 or 8/);
    const v = cli(['validate', join(dir, 's.yaml')]);
    expect(v.status).toBe(0);
  });
});
