/** compare/sweep/plan's analysis on LLM summaries (src/llm/summary.ts): the LLM columns, their seed aggregate, plan's margin on LLM targets. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareColumns, llmCompareColumns } from '../../src/analysis/compare.js';
import { meetsWithMargin } from '../../src/analysis/plan.js';
import { aggregatePoint, llmPointFigures } from '../../src/analysis/sweep.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import { llmRunSummary } from '../../src/llm/summary.js';
import type { Summary } from '../../src/metrics/summary.js';
import { ROOT } from '../helpers/cli.js';

/** 8 closed-loop users on 2 replicas, a step of 10 ms + 10 ms per decode token: TPOT at most 10 + 10·4 = 50 ms. */
const TEXT = [
  'name: tiny',
  'duration: 20s',
  'warmup: 2s',
  'slo: { tpot: { p99: 60ms }, ttft: { p90: 1s } }',
  'traffic: { users: 8, tokens: { prompt: 1, output: 10 } }',
  'llm: { model: llama-3.1-8b, gpu: a100-80gb, replicas: 2, routing: least-requests, engine: { numGpuBlocks: 4000 }, stepTime: { beta0: 10ms, beta1: 0, beta2: 10ms, beta3: 0 } }',
].join('\n');

const summaryAt = (seed: number): Summary => {
  const sc = loadLlmScenario(TEXT, { file: 't.yaml', baseDir: ROOT, readFile: (p) => readFileSync(p, 'utf8'), sets: [`seed=${seed}`] });
  return llmRunSummary(sc, runLlmFleet(sc.spec).results, 0);
};

describe('LLM summaries in compare, sweep and plan', () => {
  const a = summaryAt(1);
  const b = summaryAt(2);

  it('are run summaries: E2E as the request latency, each target keyed <metric>.<percentile> in slo.target and slo.withFailuresMs', () => {
    expect(a.latencyMs).toEqual(a.llm!.e2eMs);
    expect(a.slo.target).toEqual({ 'tpot.p99': 60, 'ttft.p90': 1000 });
    expect(a.slo.withFailuresMs['tpot.p99']).toBe(a.llm!.tpotMs.p99);
    expect(a.analytic).toBeNull();
  });

  it('compare adds the LLM columns after the request-level ones, one figure and one verdict per SLO target', () => {
    const keys = compareColumns([a]).map((c) => c.key);
    const llm = llmCompareColumns([a]).map((c) => c.key);
    expect(keys.slice(keys.length - llm.length)).toEqual(llm);
    expect(llm).toEqual(expect.arrayContaining(['slo.tpot.p99Ms', 'slo.tpot.p99Met', 'slo.ttft.p90Ms', 'slo.ttft.p90Met']));
    expect(llmCompareColumns([{ ...a, llm: undefined }])).toEqual([]);
  });

  it("a sweep point's LLM figures: numbers averaged over seeds, a verdict met only when met at every seed", () => {
    const p = aggregatePoint({ index: 0, values: {}, sets: [] }, [a, b]);
    const f = llmPointFigures(p);
    expect(f.tpotP99Ms).toBeCloseTo((a.llm!.tpotMs.p99 + b.llm!.tpotMs.p99) / 2, 6);
    expect(f['slo.tpot.p99Met']).toBe(true);
    const missed: Summary = { ...b, llm: { ...b.llm!, slo: b.llm!.slo.map((t) => ({ ...t, met: false })) } };
    expect(llmPointFigures(aggregatePoint({ index: 0, values: {}, sets: [] }, [a, missed]))['slo.tpot.p99Met']).toBe(false);
  });

  it("plan's --margin applies to every LLM target: TPOT p99 ≤ 50 ms meets 60 ms, not 60·(1 − 0.2) = 48 ms", () => {
    expect(a.slo.met).toBe(true);
    expect(a.llm!.tpotMs.p99).toBeLessThanOrEqual(50 + 1e-9);
    expect(a.llm!.tpotMs.p99).toBeGreaterThan(48);
    expect(meetsWithMargin(a, 0)).toBe(true);
    expect(meetsWithMargin(a, 0.2)).toBe(false);
  });
});
