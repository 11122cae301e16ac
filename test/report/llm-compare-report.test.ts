/** report.html of `compare` on LLM files (report/llm-html.ts renderLlmCompareReport): the table's figures, verdicts and highlights, and the overlaid charts. */
import { describe, expect, it } from 'vitest';
import { loadLlmScenario, type LlmScenario } from '../../src/llm/scenario.js';
import { runLlmFleet } from '../../src/llm/fleet.js';
import { llmRunSummary } from '../../src/llm/summary.js';
import { llmCompareChartSpecs, LLM_CHART_IDS, renderLlmCompareReport, type LlmChartSpec, type LlmCompareRun } from '../../src/report/llm-html.js';
import { fmt, pct, usd } from '../../src/report/format.js';

/**
 * Chat traffic stepping 4 → 16 req/s at 90 s onto 2 replicas whose KV cache is small enough to
 * preempt, prefix caching off, SLOs on TTFT and TPOT p99 (the LLM report test's run, 3 minutes).
 */
const YAML = `
name: llm <compare>
seed: 5
duration: 3m
warmup: 30s
slo: { ttft: { p99: 500ms }, tpot: { p99: 40ms } }
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 2
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 600, prefixCaching: false }
  stepTime: { beta0: 6ms, beta1: 0.00003, beta2: 0.0001, beta3: 0.0000001 }
traffic:
  rate: [ { at: 0s, rate: 4 }, { at: 90s, rate: 16 } ]
  tokens: { prompt: { lognormal: { mean: 600, cv: 1, max: 4000 } }, output: { lognormal: { mean: 200, cv: 1, max: 2000 } } }
  systemPrompt: 200
report: { interval: 5s }
`;
const load = (yaml: string): LlmScenario => loadLlmScenario(yaml, { file: 'c.yaml', baseDir: '.', readFile: () => '' });
const runOf = (label: string, sc: LlmScenario): LlmCompareRun => ({ label, sc, ...runLlmFleet(sc.spec) });

const runs: LlmCompareRun[] = [
  runOf('base', load(YAML)),
  // 4 replicas with the room the KV cache needs: no preemption, every SLO met
  runOf('four <roomy>', load(YAML.replace('replicas: 2', 'replicas: 4').replace('numGpuBlocks: 600', 'numGpuBlocks: 60000'))),
  // a longer, calmer run with its own TTFT target (11 minutes: the time axis turns to minutes)
  runOf('long', load(YAML.replace('duration: 3m', 'duration: 11m').replace('ttft: { p99: 500ms }', 'ttft: { p99: 300ms }').replace('{ at: 90s, rate: 16 }', '{ at: 90s, rate: 2 }').replace('numGpuBlocks: 600', 'numGpuBlocks: 60000'))),
];
type LlmSummary = { llm: { ttftMs: { p99: number }; tpotMs: { p99: number }; itlMs: { p99: number }; e2eMs: { p99: number }; goodputRps: number; outputTokensPerS: number; preemptions: number; kvUtilization: { mean: number; peak: number }; costPerMillionTokens: number }; replicas: { mean: number; coldStarts: number }; cost: { monthlyUsd: number }; slo: { met: boolean } };
const summaries = runs.map((x) => llmRunSummary(x.sc, x.results, 0) as unknown as LlmSummary);

/** A duration as the table shows it: ms below a second, seconds from there. */
const dur = (v: number): string => (v >= 1000 ? `${fmt(v / 1000, 2)} s` : `${fmt(v, 2)} ms`);

/** The table's cells of one run: column id → { text, classes }. */
function rowOf(html: string, label: string): Map<string, { text: string; cls: string[] }> {
  const row = html.match(new RegExp(`<tr data-run="${label}">(.*?)</tr>`))?.[1];
  expect(row, `row ${label}`).toBeDefined();
  const cells = new Map<string, { text: string; cls: string[] }>();
  for (const m of row!.matchAll(/<td(?: class="([^"]*)")? data-col="([\w-]+)">(.*?)<\/td>/g)) cells.set(m[2]!, { text: m[3]!, cls: (m[1] ?? '').split(' ').filter((c) => c !== '') });
  return cells;
}

/** The run labels a chart's line layer draws, and its SLO rule labels. */
function drawn(c: LlmChartSpec): { runs: string[]; rules: string[]; xTitle: string } {
  const layers = (c.spec as { layer: { mark?: { type: string }; data?: { values: { run?: string; label?: string }[] }; layer?: unknown[]; encoding?: { x?: { title?: string } } }[] }).layer;
  const line = layers.find((l) => l.mark?.type === 'line')!;
  const rules = layers.find((l) => l.layer !== undefined);
  return { runs: [...new Set(line.data!.values.map((v) => v.run!))], rules: rules ? rules.data!.values.map((v) => v.label!) : [], xTitle: line.encoding!.x!.title! };
}

describe('llmCompareChartSpecs', () => {
  const charts = llmCompareChartSpecs(runs);
  const byId = (id: string): LlmChartSpec => charts.find((c) => c.id === id)!;

  it('overlays every run on each chart, leaving out only what every run leaves out', () => {
    expect(charts.map((c) => c.id)).toEqual(LLM_CHART_IDS);
    // prefix caching is off in all three; only the base preempts, which is enough to draw the chart
    expect(charts.filter((c) => c.spec === null).map((c) => [c.id, c.skipped])).toEqual([['prefix', 'prefix caching is off']]);
    expect(runs.map((x) => x.results.preemptions > 0)).toEqual([true, false, false]);
    for (const c of charts.filter((x) => x.spec !== null)) expect(drawn(c).runs).toEqual(['base', 'four <roomy>', 'long']);
    // the longest run (11 minutes) sets the time axis
    expect(drawn(byId('arrivals')).xTitle).toBe('time (min)');
  });

  it('draws each distinct SLO target of the runs once', () => {
    expect(drawn(byId('ttft')).rules).toEqual(['SLO p99 500 ms', 'SLO p99 300 ms']);
    expect(drawn(byId('tpot')).rules).toEqual(['SLO p99 40 ms']);
    expect(drawn(byId('e2e')).rules).toEqual([]);
  });

  it('wraps the run legend into columns and takes 20 colours when there are many runs (llm-chat-azure.yaml has 15)', () => {
    const colorOf = (c: LlmChartSpec): { scale: { scheme?: string }; legend?: { columns: number } } =>
      (c.spec as { layer: { mark?: { type: string }; encoding?: { color?: unknown } }[] }).layer.find((l) => l.mark?.type === 'line')!.encoding!.color as { scale: { scheme?: string }; legend?: { columns: number } };
    const few = colorOf(byId('requests'));
    expect([few.legend, few.scale.scheme]).toEqual([undefined, undefined]);
    const many = llmCompareChartSpecs(Array.from({ length: 15 }, (_, i) => ({ ...runs[i % 3]!, label: `h100-tp2-x${i}-budget2k` })));
    const c = colorOf(many.find((x) => x.id === 'requests')!);
    expect(c.scale.scheme).toBe('tableau20');
    // beside the two long series labels of this chart, 15 runs of 20 characters do not fit in one row of 950 px
    expect(c.legend!.columns).toBeGreaterThanOrEqual(1);
    expect(c.legend!.columns).toBeLessThan(15);
  });

  it('says "in any run" when no run preempts', () => {
    const calm = llmCompareChartSpecs(runs.slice(1));
    expect(calm.find((c) => c.id === 'preemptions')!.skipped).toBe('no preemption in any run');
  });
});

describe('renderLlmCompareReport', async () => {
  const html = await renderLlmCompareReport({ runs, version: '9.9.9-test', command: 'npx infersim compare c.yaml' });

  it('is one self-contained page: the title, the runs, the command, a figure per drawn chart', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(/<script/i.test(html)).toBe(false);
    expect(html).toContain('<h1>Compare: llm &lt;compare&gt;</h1>');
    expect(html).toContain('<p class="meta">3 runs · infersim <b>9.9.9-test</b></p>');
    expect(html).toContain('<li><b>four &lt;roomy&gt;</b>: llm &lt;compare&gt;, seed 5, 180 s simulated, 4 replica(s) × 1 GPU, routing ');
    expect(html).toContain('<li><b>long</b>: llm &lt;compare&gt;, seed 5, 660 s simulated, 2 replica(s)');
    expect(html).toContain('<pre class="command"><code>npx infersim compare c.yaml</code></pre>');
    const figures = [...html.matchAll(/<figure class="chart" id="chart-([\w-]+)">/g)].map((m) => m[1]);
    expect(figures).toEqual(LLM_CHART_IDS.filter((id) => id !== 'prefix'));
    expect((html.match(/<svg[\s>]/g) ?? []).length).toBe(figures.length);
    expect(html).toContain('<p class="skipped" data-chart="prefix">Prefix-cache hit rate: not shown (prefix caching is off).</p>');
    for (const label of ['SLO p99 500 ms', 'SLO p99 300 ms', 'SLO p99 40 ms']) expect(html).toContain(`>${label}</text>`);
  });

  it("has one row per run with that run's summary.json figures", () => {
    expect([...html.matchAll(/<tr data-run="([^"]*)">/g)].map((m) => m[1])).toEqual(['base', 'four &lt;roomy&gt;', 'long']);
    runs.forEach((x, i) => {
      const s = summaries[i]!;
      const row = rowOf(html, x.label.replace('<', '&lt;').replace('>', '&gt;'));
      expect(row.get('ttft-p99')!.text).toBe(dur(s.llm.ttftMs.p99));
      expect(row.get('tpot-p99')!.text).toBe(dur(s.llm.tpotMs.p99));
      expect(row.get('itl-p99')!.text).toBe(dur(s.llm.itlMs.p99));
      expect(row.get('e2e-p99')!.text).toBe(dur(s.llm.e2eMs.p99));
      expect(row.get('goodput')!.text).toBe(fmt(s.llm.goodputRps, 2));
      expect(row.get('output-tokens')!.text).toBe(fmt(s.llm.outputTokensPerS, 0));
      expect(row.get('preemptions')!.text).toBe(fmt(s.llm.preemptions, 0));
      expect(row.get('kv-mean')!.text).toBe(pct(s.llm.kvUtilization.mean));
      expect(row.get('kv-peak')!.text).toBe(pct(s.llm.kvUtilization.peak));
      expect(row.get('replicas')!.text).toBe(fmt(s.replicas.mean, 2));
      expect(row.get('cold-starts')!.text).toBe(fmt(s.replicas.coldStarts, 0));
      expect(row.get('monthly-cost')!.text).toBe(usd(s.cost.monthlyUsd));
      expect(row.get('cost-per-million-tokens')!.text).toBe(usd(s.llm.costPerMillionTokens));
      expect(row.get('slo')!.text).toBe(`<span class="badge ${s.slo.met ? 'met' : 'missed'}">${s.slo.met ? 'met' : 'missed'}</span>`);
    });
  });

  it('marks each p99 met or missed by that run\u2019s own p99 target, and no cell without one', () => {
    // the base misses (the step to 16 req/s on a small KV cache), the roomy fleet meets
    expect(runs.map((x) => x.results.slo.met)).toEqual([false, true, true]);
    runs.forEach((x, i) => {
      const row = rowOf(html, i === 1 ? 'four &lt;roomy&gt;' : x.label);
      for (const m of ['ttft', 'tpot'] as const) {
        const t = x.results.slo.targets.find((y) => y.metric === m && y.percentile === 'p99')!;
        expect(row.get(`${m}-p99`)!.cls).toContain(t.met ? 'met' : 'missed');
        expect(row.get(`${m}-p99`)!.cls).not.toContain(t.met ? 'missed' : 'met');
      }
      for (const m of ['itl', 'e2e']) expect(row.get(`${m}-p99`)!.cls.filter((c) => c === 'met' || c === 'missed')).toEqual([]);
    });
    const base = rowOf(html, 'base');
    expect(base.get('ttft-p99')!.cls.includes('missed') || base.get('tpot-p99')!.cls.includes('missed')).toBe(true);
  });

  it('highlights the best value of each column: lowest latency, preemptions and cost, highest goodput; none where lower or higher is not better', () => {
    const best = (col: string): string[] => ['base', 'four &lt;roomy&gt;', 'long'].filter((l) => rowOf(html, l).get(col)!.cls.includes('best'));
    const argBest = (vals: number[], format: (v: number) => string, lower: boolean): string[] => {
      const t = format(lower ? Math.min(...vals) : Math.max(...vals));
      return ['base', 'four &lt;roomy&gt;', 'long'].filter((_, i) => format(vals[i]!) === t);
    };
    expect(best('tpot-p99')).toEqual(argBest(summaries.map((s) => s.llm.tpotMs.p99), dur, true));
    expect(best('e2e-p99')).toEqual(argBest(summaries.map((s) => s.llm.e2eMs.p99), dur, true));
    // the base preempts, the other two tie at 0: both highlighted
    expect(best('preemptions')).toEqual(['four &lt;roomy&gt;', 'long']);
    // two replicas cost the same per month whatever the run's length; four cost twice as much
    expect(best('monthly-cost')).toEqual(['base', 'long']);
    // the 3-minute runs carry 16 req/s at the end, the long one 2: the roomy fleet has the highest goodput
    expect(best('goodput')).toEqual(['four &lt;roomy&gt;']);
    expect(best('kv-mean')).toEqual([]);
    expect(best('replicas')).toEqual([]);
  });

  it('leaves out the columns no run has a value for: no cost without a GPU price', async () => {
    const free = runs.slice(0, 2).map((x) => runOf(x.label, load(YAML.replace('gpu: h100-80gb', 'gpu: h100-80gb\n  price: 0'))));
    const page = await renderLlmCompareReport({ runs: free, version: 'v', command: 'c' });
    expect(page).not.toContain('data-col="monthly-cost"');
    expect(page).not.toContain('data-col="cost-per-million-tokens"');
    expect(page).not.toContain('<th>cost per month</th>');
    expect(page).toContain('<p class="skipped" data-chart="cost">Cumulative cost: not shown (no GPU price).</p>');
    expect(page).toContain('data-col="goodput"');
  });

  it('names the runs each warning concerns, once per warning', async () => {
    const warned = runs.slice(0, 2).map((x) => ({ ...x, sc: { ...x.sc, warnings: ['the <step> times are estimated'] } }));
    const page = await renderLlmCompareReport({ runs: [...warned, { ...runs[2]!, sc: { ...runs[2]!.sc, warnings: ['only long'] } }], version: 'v', command: 'c' });
    expect(page).toContain('<div class="banner warning">base, four &lt;roomy&gt;: warning: the &lt;step&gt; times are estimated</div>');
    expect(page).toContain('<div class="banner warning">long: warning: only long</div>');
  });
});
