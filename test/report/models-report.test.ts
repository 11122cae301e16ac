/**
 * report.html and the compare table of several-model runs (#16): the Models table, the GPU sharing
 * section with its per-GPU chart, the per-model charts; compare's per-model columns.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario, loadScenarioVariants } from '../../src/scenario/load.js';
import { renderCompareReport, renderRunReport } from '../../src/report/html.js';
import { compareColumns, compareRows, COMPARE_COLUMNS } from '../../src/analysis/compare.js';
import { compareCsv, formatCompare } from '../../src/report/compare.js';
import { usd } from '../../src/report/format.js';
import { capacityByRow, replicaCapacityRps, siteChartRuns } from '../../src/report/charts.js';
import { siteScenario } from '../../src/config/scenario.js';

const VERSION = '9.9.9-test';

const TEXT = `name: two <models>
duration: 30s
warmup: 5s
fleet: { gpu: l4, batching: { maxBatch: 8, maxQueueDelay: 2ms } }
models:
  - &bert
    name: bert
    traffic: { rate: 60 }
    model: { profile: bert-base-seq128 }
    slo: { p99: 20ms }
  - &resnet
    name: "res<net>"
    traffic: { rate: 40 }
    model: { profile: resnet50 }
    slo: { p99: 1ms }
variants:
  mig:
    fleet: { gpu: a100-80gb }
    sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }
    models:
      - { <<: *bert, fleet: { mig: 3g.40gb } }
      - { <<: *resnet, fleet: { mig: 2g.20gb } }
  shared:
    fleet: { gpu: a100-80gb }
    sharing: { mode: shared, gpu: a100-80gb, gpus: 2, overlap: 0.3 }
`;

function runs(): { label: string; result: RunResult }[] {
  const { base, variants } = loadScenarioVariants(TEXT, { file: 'two.yaml', baseDir: '.', sets: [] });
  return [{ label: 'dedicated', scenario: base }, ...variants.map((v) => ({ label: v.name, scenario: v.scenario }))].map((e) => ({ label: e.label, result: simulate(e.scenario, { variant: e.label }) }));
}

/** The rows of the Models table: model name → the text of each cell. */
function modelRows(html: string): Map<string, string[]> {
  const table = /<table class="data models">([\s\S]*?)<\/table>/.exec(html)![1]!;
  const out = new Map<string, string[]>();
  for (const m of table.matchAll(/<tr data-model="([^"]*)">([\s\S]*?)<\/tr>/g)) out.set(m[1]!, [...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!));
  return out;
}

describe('report.html of a several-model run', () => {
  const all = runs();

  it('has a Models table (one row per model, escaped), the GPU sharing section and the charts by model', async () => {
    const mig = all.find((r) => r.label === 'mig')!.result;
    const s = mig.summary;
    const html = await renderRunReport({ result: mig, version: VERSION, command: 'infersim run two.yaml' });
    expect(html.includes('<script')).toBe(false);
    expect(html).toContain('<h2>Models</h2>');
    const rows = modelRows(html);
    expect([...rows.keys()]).toEqual(['bert', 'res&lt;net&gt;']);
    const bert = s.models![0]!;
    const cells = rows.get('bert')!;
    expect(cells[1]).toBe('a100-80gb 3g.40gb');
    expect(cells[8]).toBe(`p99 ≤ 20 ms: ${bert.slo.met ? 'met' : 'MISSED'}`);
    expect(cells[13]).toBe(usd(bert.costUsd));
    // resnet cannot answer in 1 ms: its own verdict, and the run's, say missed
    expect(s.models![1]!.slo.met).toBe(false);
    expect(html).toMatch(/<td class="text missed" data-slo="missed">p99 ≤ 1 ms: /);
    expect(html).toContain('every model’s own SLO (2 models): ');
    // the sharing section: the mode in Kubernetes terms, GPUs billed, charged vs idle, the per-GPU chart
    expect(html).toContain('<h2>GPU sharing</h2>');
    expect(html).toContain('GPU Operator mixed strategy: a model’s pods request nvidia.com/mig-&lt;profile&gt;');
    expect(html).toContain(`<div class="card" data-card="idle-cost"><div class="label">idle cost</div><div class="value">${usd(s.sharing!.idleUsd)}</div>`);
    expect(html).toMatch(/<figure class="chart" id="chart-per-gpu">[\s\S]*?<svg/);
    for (const id of ['model-arrivals', 'model-latency', 'model-replicas', 'model-gpu']) expect(html).toContain(`id="chart-${id}"`);
    expect(html).toContain('<h2>By model (colour = model;');
    expect(html).not.toContain('By shard');
  });

  it('dedicated: no per-GPU chart (each model on its own GPUs), said so', async () => {
    const ded = all.find((r) => r.label === 'dedicated')!.result;
    const html = await renderRunReport({ result: ded, version: VERSION, command: 'x' });
    expect(html).toContain('data-chart="per-gpu"');
    expect(html).toContain('no shared GPU pool (mode dedicated');
    expect(modelRows(html).get('bert')![1]).toBe('l4');
  });

  it('shared: a bar per GPU of the pool', async () => {
    const shared = all.find((r) => r.label === 'shared')!.result;
    expect(shared.summary.sharing!.perGpu).toHaveLength(2);
    const html = await renderRunReport({ result: shared, version: VERSION, command: 'x' });
    const svg = /<figure class="chart" id="chart-per-gpu">([\s\S]*?)<\/figure>/.exec(html)![1]!;
    expect(svg).toContain('GPU 0');
    expect(svg).toContain('GPU 1');
    expect(modelRows(html).get('bert')![1]).toBe('shared a100-80gb');
  });

  it('shared: the capacity line is the GPUs serving the mix, σ(M) / Σ w/μ per GPU; a model\'s own chart draws its share', () => {
    const shared = all.find((r) => r.label === 'shared')!.result;
    const topo = shared.scenario.topology;
    if (topo?.kind !== 'models' || topo.sharing.mode !== 'shared') throw new Error('not shared');
    const arrived = shared.summary.models!.map((m) => m.requests.arrived);
    const w = arrived.map((a) => a / arrived.reduce((x, y) => x + y, 0));
    const mu = topo.models.map((p) => replicaCapacityRps(siteScenario(shared.scenario, p)));
    const perGpu = (1 + 0.3 * 1) / (w[0]! / mu[0]! + w[1]! / mu[1]!);
    const row = shared.timeline.rows.length - 1;
    const gpus = shared.siteTimelines[0]!.timeline.rows[row]![shared.siteTimelines[0]!.timeline.columns.indexOf('replicasReady')]!;
    expect(gpus).toBe(2);
    expect(capacityByRow(shared)![row]).toBeCloseTo(2 * perGpu, 6);
    const own = siteChartRuns(shared).map((r) => capacityByRow(r.result)![row]!);
    expect(own[0]).toBeCloseTo(w[0]! * 2 * perGpu, 6);
    expect(own[1]).toBeCloseTo(w[1]! * 2 * perGpu, 6);
    // dedicated and mig: each model's replicas are its own (ready × its own rate)
    const mig = all.find((r) => r.label === 'mig')!.result;
    expect(siteChartRuns(mig).map((r) => capacityByRow(r.result))).toEqual([null, null]);
  });

  it('compare: per-model columns after the usual ones, in the CSV, the table and the compare report', async () => {
    const summaries = all.map((r) => r.result.summary);
    const labels = all.map((r) => r.label);
    const keys = compareColumns(summaries).map((c) => c.key);
    expect(keys.slice(0, COMPARE_COLUMNS.length)).toEqual(COMPARE_COLUMNS.map((c) => c.key));
    expect(keys.slice(COMPARE_COLUMNS.length)).toEqual(['model.bert.p99Ms', 'model.bert.sloMet', 'model.res<net>.p99Ms', 'model.res<net>.sloMet', 'gpusBilled', 'idleMonthlyUsd', 'unchargedMonthlyUsd']);
    const { rows } = compareRows(labels, summaries);
    expect(rows.map((r) => r.values.gpusBilled)).toEqual([2, 1, 2]);
    expect(rows.map((r) => r.values['model.res<net>.sloMet'])).toEqual([false, false, false]);
    expect(compareCsv(rows, summaries).split('\n')[0]!.endsWith(',gpusBilled,idleMonthlyUsd,unchargedMonthlyUsd')).toBe(true);
    const table = formatCompare(labels, summaries, { color: false, width: Infinity });
    expect(table).toMatch(/variant\s+bert p99 ms \/ SLO\s+res<net> p99 ms \/ SLO\s+SLO/);
    expect(table).toMatch(/\n\s+shared\s+[\d.]+ met[ *]*\s+[\d.]+ MISSED/);
    const html = await renderCompareReport({ results: all.map((r) => r.result), labels, version: VERSION, command: 'infersim compare two.yaml' });
    expect(html).toContain('Model bert (colour = variant');
    expect(html).toContain('SLO: each model’s own (per model below).');
    const perModel = /<table class="data models-compare">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(perModel).toContain('<th>res&lt;net&gt; p99 / SLO</th>');
    const sharedRow = [...perModel.matchAll(/<tr><td class="text">shared<\/td>([\s\S]*?)<\/tr>/g)][0]![1]!;
    expect(sharedRow).toMatch(/^<td class="(met|missed)">[\d.]+ ms (met|MISSED)<\/td><td class="missed">[\d.]+ ms MISSED<\/td><td>2<\/td><td>\$[\d,.]+<\/td>/);
    expect(html).not.toContain('Shard bert');
  });

  it('single-model runs keep their compare columns', () => {
    const sc = loadScenario('name: one\nduration: 5s\nmodel: { latency: { 1: 5ms } }\ntraffic: { rate: 50 }\n', { file: 'one.yaml', baseDir: '.', sets: [] });
    const s = simulate(sc).summary;
    expect(compareColumns([s, s])).toEqual([...COMPARE_COLUMNS]);
  });
});
