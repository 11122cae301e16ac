import { describe, expect, it } from 'vitest';
import { loadLlmScenario } from '../../src/llm/scenario.js';
import { runLlmFleet, type LlmTimelineRow } from '../../src/llm/fleet.js';
import { llmChartSpecs, LLM_CHART_IDS, renderLlmRunReport, type LlmChartSpec } from '../../src/report/llm-html.js';
import { llmTimelineCsv } from '../../src/report/llm.js';
import { llmRunSummary } from '../../src/llm/summary.js';
import { fmt, ms, usd } from '../../src/report/format.js';

/** 3 min of Poisson chat traffic stepping 4 → 16 req/s at 90 s onto 2 replicas with a tight KV cache (so it preempts), SLOs on TTFT and TPOT. */
const YAML = `
name: llm <report> & "test"
seed: 5
duration: 3m
warmup: 30s
slo: { ttft: { p99: 500ms }, tpot: { p50: 20ms, p99: 40ms } }
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 2
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 600 }
  stepTime: { beta0: 6ms, beta1: 0.00003, beta2: 0.0001, beta3: 0.0000001 }
traffic:
  rate: [ { at: 0s, rate: 4 }, { at: 90s, rate: 16 } ]
  tokens: { prompt: { lognormal: { mean: 600, cv: 1, max: 4000 } }, output: { lognormal: { mean: 200, cv: 1, max: 2000 } } }
  systemPrompt: 200
report: { interval: 5s }
`;
const sc = loadLlmScenario(YAML, { file: 'r.yaml', baseDir: '.', readFile: () => '' });
const out = runLlmFleet(sc.spec);
const summary = llmRunSummary(sc, out.results, 0) as unknown as { latencyMs: { p99: number }; cost: { totalUsd: number; monthlyUsd: number }; llm: Record<string, unknown> & { ttftMs: Record<string, number>; tpotMs: Record<string, number>; itlMs: Record<string, number>; e2eMs: Record<string, number>; costPerMillionTokens: number; goodputRps: number; preemptions: number } };
const timeline = out.timeline;

/** The rows a chart's line layer draws, by series label. */
function series(c: LlmChartSpec, label: string): { t: number; value: number | null }[] {
  const layers = (c.spec as { layer: { mark: { type: string } | string; data?: { values: { t: number; value: number | null; series: string }[] } }[] }).layer;
  const line = layers.find((l) => typeof l.mark === 'object' && l.mark.type === 'line')!;
  return line.data!.values.filter((r) => r.series === label).map((r) => ({ t: r.t, value: r.value }));
}

function cardValue(html: string, id: string): string | null {
  const m = html.match(new RegExp(`<div class="card[^"]*" data-card="${id}"><div class="label">[^<]*</div><div class="value">([^<]*)</div>`));
  return m ? m[1]! : null;
}

/** Every latency table cell as the page shows it (ms with ≤ 2 decimals). */
const cell = (html: string, stat: string): string | null => html.match(new RegExp(`data-stat="${stat.replace('.', '\\.')}">([^<]*)</td>`))?.[1] ?? null;

describe('LLM timeline', () => {
  it('keeps its columns and appends the ones the report charts', () => {
    const head = llmTimelineCsv(timeline).split('\n')[0];
    expect(head).toBe('timeS,arrivals,completed,rejected,timedOut,p50Ms,p99Ms,replicasReady,replicasStarting,replicasDesired,queueDepth,gpuUtilization,cacheHitRate,costUsd,ttftP99Ms,tpotP99Ms,running,waiting,kvUtilization,preemptions,outputTokensPerS,ttftP50Ms,tpotP50Ms,goodputRps,inputTokensPerS');
  });

  it('goodput never exceeds the completions of its interval, and p50 ≤ p99', () => {
    for (const r of timeline) {
      expect(r.goodputRps * 5).toBeLessThanOrEqual(r.completed + 1e-9);
      expect(r.ttftP50Ms).toBeLessThanOrEqual(r.ttftP99Ms);
      expect(r.tpotP50Ms).toBeLessThanOrEqual(r.tpotP99Ms);
    }
    // the step to 16 req/s misses some SLOs: goodput falls below the completions somewhere
    expect(timeline.some((r) => r.goodputRps * 5 < r.completed)).toBe(true);
    expect(out.results.preemptions).toBeGreaterThan(0);
  });

  it('without an SLO every completion is goodput, and the intervals\u2019 prompt tokens add up to those of all completions', () => {
    const free = loadLlmScenario(YAML.replace(/^slo: .*$/m, ''), { file: 'r.yaml', baseDir: '.', readFile: () => '' });
    const o = runLlmFleet(free.spec);
    for (const r of o.timeline) expect(r.goodputRps * 5).toBeCloseTo(r.completed, 9);
    // after warmup the summary counts only requests that arrived after it; over the whole run the sum is every completion's prompt
    const tokens = o.timeline.reduce((a, r) => a + r.inputTokensPerS * 5, 0);
    expect(tokens).toBeGreaterThan(o.results.inputTokensPerS * 150);
  });
});

describe('llmChartSpecs', () => {
  const charts = llmChartSpecs(sc, out.results, timeline);
  const byId = (id: string) => charts.find((c) => c.id === id)!;

  it('draws every chart in page order; none is skipped for a run that preempts and shares a system prompt', () => {
    expect(charts.map((c) => c.id)).toEqual(LLM_CHART_IDS);
    expect(LLM_CHART_IDS).toEqual(['arrivals', 'ttft', 'tpot', 'e2e', 'tokens', 'requests', 'kv', 'preemptions', 'prefix', 'replicas', 'gpu', 'cost']);
    expect(charts.filter((c) => c.spec === null).map((c) => c.id)).toEqual([]);
  });

  it('plots the timeline\u2019s own values: rates per second, latencies per interval (none without completions), levels as recorded', () => {
    const t = timeline.map((r) => r.t);
    expect(series(byId('arrivals'), 'arrivals')).toEqual(timeline.map((r) => ({ t: r.t, value: r.arrivals / 5 })));
    expect(series(byId('arrivals'), 'goodput (every SLO met)').map((p) => p.value)).toEqual(timeline.map((r) => r.goodputRps));
    const p99 = (r: LlmTimelineRow, v: number) => (r.completed > 0 && v > 0 ? v : null);
    expect(series(byId('ttft'), 'p99').map((p) => p.value)).toEqual(timeline.map((r) => p99(r, r.ttftP99Ms)));
    expect(series(byId('tpot'), 'p50').map((p) => p.value)).toEqual(timeline.map((r) => p99(r, r.tpotP50Ms)));
    expect(series(byId('e2e'), 'p99').map((p) => p.value)).toEqual(timeline.map((r) => p99(r, r.p99Ms)));
    expect(series(byId('requests'), 'waiting (vllm:num_requests_waiting)').map((p) => p.value)).toEqual(timeline.map((r) => r.waiting));
    // a time-weighted mean of one interval: the value, up to the rounding of v·w/w
    series(byId('kv'), 'KV-cache utilization (mean over replicas)').forEach((p, i) => expect(p.value).toBeCloseTo(timeline[i]!.kvUtilization, 12));
    expect(series(byId('preemptions'), 'preemptions').map((p) => p.value)).toEqual(timeline.map((r) => r.preemptions / 5));
    expect(series(byId('replicas'), 'desired').map((p) => p.value)).toEqual(timeline.map((r) => r.replicasDesired));
    expect(series(byId('tokens'), 'output (tokens generated)').map((p) => p.t)).toEqual(t);
    // the cumulative cost ends at the run's cost (summary.json cost.totalUsd)
    const cost = series(byId('cost'), 'cost');
    expect(cost.at(-1)!.value).toBeCloseTo(summary.cost.totalUsd, 6);
  });

  it('draws each SLO target of a metric as a line on its chart', () => {
    const rules = (c: LlmChartSpec) => JSON.stringify(c.spec).match(/"label":"SLO [^"]*"/g);
    expect(rules(byId('ttft'))).toEqual(['"label":"SLO p99 500 ms"']);
    expect(rules(byId('tpot'))).toEqual(['"label":"SLO p50 20 ms"', '"label":"SLO p99 40 ms"']);
    expect(rules(byId('e2e'))).toBeNull();
  });

  it('down-samples as the request-level charts do: rates over the span, the highest p99 with the lowest as a band', () => {
    const few = llmChartSpecs(sc, out.results, timeline, 6);
    const k = Math.ceil(timeline.length / 6);
    const ttft = series(few.find((c) => c.id === 'ttft')!, 'p99');
    expect(ttft).toHaveLength(6);
    const span = timeline.slice(0, k);
    expect(ttft[0]).toEqual({ t: span.at(-1)!.t, value: Math.max(...span.filter((r) => r.completed > 0).map((r) => r.ttftP99Ms)) });
    const arr = series(few.find((c) => c.id === 'arrivals')!, 'arrivals');
    expect(arr[0]!.value).toBeCloseTo(span.reduce((a, r) => a + r.arrivals, 0) / (span.at(-1)!.t), 9);
    expect(few[1]!.note).toContain(`Each point summarises up to ${k} report intervals`);
  });

  it('skips what did not happen, saying why', () => {
    const calm = loadLlmScenario(YAML.replace('numGpuBlocks: 600', 'numGpuBlocks: 60000, prefixCaching: false').replace('systemPrompt: 200', 'systemPrompt: 0'), { file: 'r.yaml', baseDir: '.', readFile: () => '' });
    const o = runLlmFleet(calm.spec);
    const c = llmChartSpecs(calm, o.results, o.timeline);
    expect(c.filter((x) => x.spec === null).map((x) => [x.id, x.skipped])).toEqual([
      ['preemptions', 'no preemption in this run'],
      ['prefix', 'prefix caching is off'],
    ]);
  });
});

describe('renderLlmRunReport', async () => {
  const html = await renderLlmRunReport({ sc, results: out.results, timeline, version: '9.9.9-test', command: 'npx infersim run r.yaml --seed 5' });

  it('is one self-contained HTML document with a figure per chart, nothing executable or fetched', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(/<script/i.test(html)).toBe(false);
    expect(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(html)).toBe(false);
    expect([...html.matchAll(/<figure class="chart" id="chart-([\w-]+)">/g)].map((m) => m[1])).toEqual(LLM_CHART_IDS);
    expect((html.match(/<svg[\s>]/g) ?? []).length).toBe(LLM_CHART_IDS.length);
    expect(html).toContain('<h1>llm &lt;report&gt; &amp; &quot;test&quot;</h1>');
    expect(html).toContain('<pre class="command"><code>npx infersim run r.yaml --seed 5</code></pre>');
    expect(html).toContain('SLO p99 500 ms');
  });

  it('shows summary.json\u2019s numbers: the percentiles table, the cards, the verdicts and the cost', () => {
    const l = summary.llm;
    for (const m of ['ttft', 'tpot', 'itl', 'e2e'] as const) {
      const st = l[`${m}Ms`];
      for (const k of ['mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']) expect(cell(html, `${m}.${k}`)).toBe(ms(st[k]!));
    }
    const d = (v: number) => (v >= 1000 ? `${fmt(v / 1000, 2)} s` : ms(v));
    expect(cardValue(html, 'ttft-p99')).toBe(d(l.ttftMs.p99!));
    expect(cardValue(html, 'e2e-p99')).toBe(d(summary.latencyMs.p99));
    expect(cardValue(html, 'goodput')).toBe(`${fmt(l.goodputRps, 2)} req/s`);
    expect(cardValue(html, 'preemptions')).toBe(fmt(l.preemptions, 0));
    expect(cardValue(html, 'cost')).toBe(usd(summary.cost.totalUsd));
    expect(cardValue(html, 'monthly-cost')).toBe(usd(summary.cost.monthlyUsd));
    expect(cardValue(html, 'cost-per-million-tokens')).toBe(usd(l.costPerMillionTokens));
    for (const t of out.results.slo.targets) expect(html).toContain(`data-slo="${t.metric}.${t.percentile}">${t.met ? 'met' : 'missed'}</td>`);
    const tpotMet = out.results.slo.targets.filter((t) => t.metric === 'tpot').every((t) => t.met);
    expect(html).toMatch(new RegExp(`<div class="card ${tpotMet ? 'met' : 'missed'}" data-card="tpot-p99">`));
    expect(html).toMatch(/<div class="card" data-card="itl-p99">.*no SLO set/);
  });
});
