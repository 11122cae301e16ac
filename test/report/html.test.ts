import { describe, it, expect } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { Timeline } from '../../src/metrics/timeline.js';
import { commandLine, escapeHtml, renderCompareReport, renderRunReport, renderSweepReport, type SweepPoint } from '../../src/report/html.js';
import { capacityByRow, downsampleTimeline, fleetCapacityRps, replicaCapacityRps, siteChartRuns, sweepLayout } from '../../src/report/charts.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { RegionsTopology } from '../../src/config/scenario.js';
import { interpolateLatencyS } from '../../src/serving/latency.js';
import { fmt, pct } from '../../src/report/format.js';
import { makeScenario } from '../helpers/scenario.js';

const VERSION = '9.9.9-test';

/** 20 s, 200 requests/s onto two replicas (batches up to 8, 5–12 ms), p99 SLO 50 ms, $3.60 per GPU-hour. */
function smallScenario(name = 'W <b>& small') {
  return makeScenario({
    name,
    durationS: 20,
    slo: { latencyS: { p99: 0.05 }, maxErrorRate: null },
    traffic: { schedule: [{ atS: 0, rps: 200, rampS: 0 }] },
    model: { latency: { batch: [1, 8], latencyS: [0.005, 0.012], source: 'test' }, variability: { dist: 'lognormal', cv: 0.1 } },
    fleet: { replicas: 2, batching: { maxBatch: 8, maxQueueDelayS: 0.002, preferred: [] }, routing: 'least-outstanding' },
    cost: { gpuHourlyUsd: 3.6 },
    report: { intervalS: 1 },
  });
}

/** The shared checks of every report: one HTML document, nothing executable, nothing fetched. */
function expectStandalone(html: string): void {
  expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
  expect(html.match(/<html[\s>]/g)).toHaveLength(1);
  expect(html.match(/<\/html>/g)).toHaveLength(1);
  expect(html.trimEnd().endsWith('</html>')).toBe(true);
  // booleans, not toMatch: a failure would print megabytes of SVG
  expect(/<script/i.test(html), '<script> in the report').toBe(false);
  expect(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(html), 'remote src/href').toBe(false);
  expect(/<link\b/i.test(html), '<link> in the report').toBe(false);
  // CSS may only point inside the document (SVG clip paths: url(#clip1))
  expect(/@import|url\((?!#)/i.test(html), 'external CSS reference').toBe(false);
}

function svgCount(html: string): number {
  return (html.match(/<svg[\s>]/g) ?? []).length;
}

function figureIds(html: string): string[] {
  return [...html.matchAll(/<figure class="chart" id="chart-([\w-]+)">/g)].map((m) => m[1]!);
}

function cardValue(html: string, id: string): string | null {
  const m = html.match(new RegExp(`<div class="card[^"]*" data-card="${id}"><div class="label">[^<]*</div><div class="value">([^<]*)</div>`));
  return m ? m[1]! : null;
}

function cardClass(html: string, id: string): string | null {
  const m = html.match(new RegExp(`<div class="(card[^"]*)" data-card="${id}">`));
  return m ? m[1]! : null;
}

describe('renderRunReport', () => {
  const result = simulate(smallScenario());
  const s = result.summary;

  it('is one self-contained HTML document with the six time charts and the cache chart skipped', async () => {
    const html = await renderRunReport({ result, version: VERSION, command: 'npx infersim run w.yaml --seed 1' });
    expectStandalone(html);
    expect(figureIds(html)).toEqual(['arrivals', 'latency', 'latency-cdf', 'failures', 'replicas', 'queue', 'gpu', 'cost']);
    expect(svgCount(html)).toBe(8);
    expect(html).toContain('<p class="skipped" data-chart="cache">Cache hit rate: not shown (no cache in this scenario).</p>');
    expect(html).toContain(`infersim <b>${VERSION}</b>`);
    expect(html).toContain('<pre class="command"><code>npx infersim run w.yaml --seed 1</code></pre>');
    expect(html).toContain('seed <b>1</b>');
    // the SLO line is drawn with its label
    expect(html).toContain('SLO p99 50 ms');
  });

  it('shows the summary figures formatted as the cards promise', async () => {
    const html = await renderRunReport({ result, version: VERSION, command: 'x' });
    // 2 replicas × 20 s × $3.60/h = $0.04; monthly: 0.04 / (20/3600 h) × 730 h
    expect(s.cost.totalUsd).toBe(0.04);
    expect(cardValue(html, 'cost')).toBe('$0.0400');
    expect(s.cost.monthlyUsd).toBe(5256);
    expect(cardValue(html, 'monthly-cost')).toBe('$5,256.00');
    expect(cardValue(html, 'p99')).toBe(`${fmt(s.latencyMs.p99, 2)} ms`);
    expect(cardValue(html, 'attainment')).toBe(pct(s.slo.attainment, 2));
    expect(cardValue(html, 'gpu-utilization')).toBe(pct(s.gpu.utilization));
    expect(cardValue(html, 'effective-utilization')).toBe(pct(s.gpu.effectiveUtilization));
    expect(cardValue(html, 'mean-batch')).toBe(fmt(s.gpu.meanBatchSize, 2));
    expect(cardValue(html, 'cold-starts')).toBe('0');
    expect(cardValue(html, 'arrived')).toBe(fmt(s.requests.arrived, 0));
    expect(cardValue(html, 'completed')).toBe(fmt(s.requests.completed, 0));
    expect(cardValue(html, 'rejected')).toBe('0');
    expect(cardValue(html, 'timed-out')).toBe('0');
    expect(cardValue(html, 'cache-hit-rate')).toBeNull(); // no cache: no card
    expect(s.requests.arrived).toBeGreaterThan(3500);
    expect(cardClass(html, 'p99')).toBe(s.slo.met ? 'card met' : 'card missed');
    expect(s.slo.met).toBe(true); // 200 rps on a fleet that serves ~1 300 rps
  });

  it('formats large and small figures exactly', async () => {
    const summary = structuredClone(s);
    summary.latencyMs.p99 = 1234.5678;
    summary.cost.totalUsd = 1234.5;
    summary.cost.monthlyUsd = 0.012345;
    summary.slo.met = false;
    summary.requests.timedOut = 12345;
    const html = await renderRunReport({ result: { ...result, summary }, version: VERSION, command: 'x' });
    expect(cardValue(html, 'p99')).toBe('1,234.57 ms');
    expect(cardValue(html, 'cost')).toBe('$1,234.50');
    expect(cardValue(html, 'monthly-cost')).toBe('$0.0123');
    expect(cardValue(html, 'timed-out')).toBe('12,345');
    expect(cardClass(html, 'p99')).toBe('card missed');
    expect(cardClass(html, 'timed-out')).toBe('card warn');
    expect(html).toContain('SLO p99 ≤ 50 ms: missed');
  });

  it('escapes the scenario name everywhere', async () => {
    const r = simulate(smallScenario('x<b>&y "q"'));
    const html = await renderRunReport({ result: r, version: VERSION, command: `npx infersim run '<b>&.yaml'` });
    expect(html).not.toContain('x<b>&y');
    expect(html).toContain('<title>infersim report: x&lt;b&gt;&amp;y &quot;q&quot;</title>');
    expect(html).toContain('<h1>x&lt;b&gt;&amp;y &quot;q&quot;</h1>');
    expect(html).toContain('&quot;name&quot;: &quot;x&lt;b&gt;&amp;y \\&quot;q\\&quot;&quot;'); // in the scenario JSON
    expect(html).toContain('<code>npx infersim run &#39;&lt;b&gt;&amp;.yaml&#39;</code>');
  });

  it('holds the resolved scenario with its defaults, infinite timeouts spelled out', async () => {
    const html = await renderRunReport({ result, version: VERSION, command: 'x' });
    const m = html.match(/<details>\n<summary>Resolved scenario[^<]*<\/summary>\n<pre>([^<]*)<\/pre>/);
    expect(m).not.toBeNull();
    const json = JSON.parse(m![1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as {
      name: string;
      fleet: { batching: { maxBatch: number }; queue: { timeoutS: unknown } };
    };
    expect(json.name).toBe('W <b>& small');
    expect(json.fleet.batching.maxBatch).toBe(8);
    expect(json.fleet.queue.timeoutS).toBe('Infinity');
  });

  it('draws the cache chart when the timeline has hit rates', async () => {
    const r = simulate(smallScenario());
    const col = r.timeline.columns.indexOf('cacheHitRate');
    r.timeline.rows.forEach((row, i) => (row[col] = i % 2 === 0 ? 0.25 : 0.75));
    const html = await renderRunReport({ result: r, version: VERSION, command: 'x' });
    expect(figureIds(html)).toEqual(['arrivals', 'latency', 'latency-cdf', 'failures', 'replicas', 'queue', 'gpu', 'cache', 'cost']);
    expect(svgCount(html)).toBe(9);
    expect(html).not.toContain('data-chart="cache"');
  });
});

describe('fleet capacity', () => {
  it('is ready replicas × maxBatch / latency(maxBatch), times the instances’ overlap', () => {
    const sc = smallScenario();
    // 8 / 12 ms per replica
    expect(replicaCapacityRps(sc)).toBeCloseTo(8 / 0.012, 9);
    expect(fleetCapacityRps(sc, 3)).toBeCloseTo((3 * 8) / 0.012, 9);
    const two = makeScenario({ ...sc, fleet: { ...sc.fleet, instances: 2, overlap: 0.5 } });
    // σ(2) = 1.5: two instances on one GPU do 1.5× the work of one
    expect(fleetCapacityRps(two, 1)).toBeCloseTo(1000, 9);
  });

  it('with no delay the largest preferred size caps the batch: b / latency(b) for that size', () => {
    const sc = smallScenario();
    const capped = makeScenario({ ...sc, fleet: { ...sc.fleet, batching: { maxBatch: 8, maxQueueDelayS: 0, preferred: [4] } } });
    expect(replicaCapacityRps(capped)).toBeCloseTo(4 / interpolateLatencyS(sc.model.latency, 4), 9);
    const delayed = makeScenario({ ...sc, fleet: { ...sc.fleet, batching: { maxBatch: 8, maxQueueDelayS: 0.001, preferred: [4] } } });
    expect(replicaCapacityRps(delayed)).toBeCloseTo(8 / 0.012, 9);
  });
});

describe('downsampleTimeline', () => {
  it('summarises k intervals per point: rates, means, the p99 envelope, the highest queue, the last cost', () => {
    const sc = smallScenario(); // 666.67 rps per ready replica
    const tl = new Timeline();
    const p99 = [10, 12, 500, 11, 9, 10, 13];
    for (let i = 0; i < 7; i++) {
      tl.add({
        timeS: i < 6 ? (i + 1) * 10 : 65, // the last interval is 5 s long
        arrivals: 100 * (i + 1),
        p50Ms: i + 1,
        p99Ms: p99[i]!,
        replicasReady: i < 3 ? 1 : 2,
        replicasStarting: 0,
        replicasDesired: 2,
        queueDepth: [0, 7, 3, 1, 0, 0, 2][i]!,
        gpuUtilization: 0.1 * (i + 1),
        costUsd: 0.5 * (i + 1),
      });
    }
    const { points, intervalsPerPoint } = downsampleTimeline(tl, sc, 3);
    expect(intervalsPerPoint).toBe(3);
    expect(points).toHaveLength(3);
    const [a, b, c] = points as [typeof points[0], typeof points[0], typeof points[0]];
    expect(a.tS).toBe(30);
    expect(a.arrivalRps).toBeCloseTo(600 / 30, 12);
    expect(a.p50Ms).toBeCloseTo(2, 12);
    expect(a.p99Ms).toBe(500);
    expect(a.p99MinMs).toBe(10);
    expect(a.queueDepth).toBe(7);
    expect(a.replicasReady).toBe(1);
    expect(a.capacityRps).toBeCloseTo(8 / 0.012, 9);
    expect(a.gpuUtilization).toBeCloseTo(0.2, 12);
    expect(a.costUsd).toBe(1.5);
    expect(a.cacheHitRate).toBeNaN();
    expect(b.tS).toBe(60);
    expect(b.p99Ms).toBe(11);
    expect(b.p99MinMs).toBe(9);
    expect(b.replicasReady).toBe(2);
    expect(c.tS).toBe(65);
    expect(c.arrivalRps).toBeCloseTo(700 / 5, 12);
    expect(c.p99Ms).toBe(13);
    expect(c.p99MinMs).toBe(13);
    expect(c.costUsd).toBe(3.5);
    // short timelines are not summarised at all
    const whole = downsampleTimeline(tl, sc, 1000);
    expect(whole.intervalsPerPoint).toBe(1);
    expect(whole.points.map((p) => p.p99Ms)).toEqual(p99);
    expect(whole.points[6]!.arrivalRps).toBeCloseTo(140, 12);
  });

  // 24 h at 10 s intervals, 2 requests/s, and one 1 s burst of 400 requests/s onto a
  // fleet that serves 100/s: its backlog drains in ~4 s, inside one report interval
  const longScenario = makeScenario({
    name: 'long',
    durationS: 86_400,
    slo: { latencyS: { p99: 0.1 }, maxErrorRate: null },
    traffic: { schedule: [{ atS: 0, rps: 2, rampS: 0 }], spikes: [{ atS: 43_201, factor: 200, forS: 1 }] },
    cost: { gpuHourlyUsd: 1 },
    report: { intervalS: 10 },
  });
  let long: RunResult | null = null;
  const longRun = (): RunResult => (long ??= simulate(longScenario));

  it('keeps the maximum p99 of a one-interval spike in a 24 h timeline', () => {
    const r = longRun();
    const raw = r.timeline.column('p99Ms');
    expect(raw).toHaveLength(8640);
    const spikeRows = raw.flatMap((v, i) => (v > 1000 ? [i] : []));
    expect(spikeRows).toEqual([4320]); // the interval (43 200 s, 43 210 s]
    const spikeMs = raw[4320]!;
    const { points, intervalsPerPoint } = downsampleTimeline(r.timeline, r.scenario);
    expect(intervalsPerPoint).toBe(9);
    expect(points).toHaveLength(960);
    const at = Math.floor(4320 / 9);
    expect(points[at]!.p99Ms).toBe(spikeMs);
    expect(points[at]!.p99MinMs).toBeLessThan(50);
    expect(Math.max(...points.map((p) => p.p99Ms))).toBe(spikeMs);
  });

  it('keeps a 24 h report under 2 MB', async () => {
    const html = await renderRunReport({ result: longRun(), version: VERSION, command: 'x' });
    expectStandalone(html);
    expect(svgCount(html)).toBe(8);
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
    expect(html).toContain('Each point summarises up to 9 report intervals');
  });
});

describe('renderCompareReport', () => {
  const one = simulate(smallScenario(), { variant: 'one' });
  const sc = smallScenario();
  const three = simulate(makeScenario({ ...sc, fleet: { ...sc.fleet, replicas: 3 } }), { variant: 'three' });

  function rowCells(html: string): Map<string, string>[] {
    const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)![1]!;
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
      const cells = new Map<string, string>();
      for (const m of row[1]!.matchAll(/<td( class="([^"]*)")? data-col="([\w-]+)">([^<]*)<\/td>/g)) cells.set(m[3]!, `${m[4]!}|${m[2] ?? ''}`);
      return cells;
    });
  }

  it('puts one row per variant, highlights the best value per column, overlays the charts', async () => {
    const html = await renderCompareReport({ results: [one, three], labels: ['one <b>&', 'three'], version: VERSION, command: 'npx infersim compare w.yaml' });
    expectStandalone(html);
    expect(svgCount(html)).toBe(8);
    expect(figureIds(html)).toEqual(['arrivals', 'latency', 'latency-cdf', 'failures', 'replicas', 'queue', 'gpu', 'cost']);
    expect(html).not.toContain('one <b>&');
    expect(html).toContain('<td class="text">one &lt;b&gt;&amp;<br><span class="badge met">SLO met</span></td>');
    const rows = rowCells(html);
    expect(rows).toHaveLength(2);
    // 3 replicas cost 1.5× as much: $0.0400 vs $0.0600, the cheaper one is best
    expect(rows[0]!.get('cost')).toBe('$0.0400|best');
    expect(rows[1]!.get('cost')).toBe('$0.0600|');
    // the same arrivals on both: equal, so nothing highlighted
    expect(one.summary.requests.arrived).toBe(three.summary.requests.arrived);
    expect(rows[0]!.get('arrived')).toBe(`${fmt(one.summary.requests.arrived, 0)}|`);
    // the lower p99 is best; both meet the SLO
    const p99s = [one.summary.latencyMs.p99, three.summary.latencyMs.p99];
    const bestRow = p99s[0]! < p99s[1]! ? 0 : 1;
    expect(rows[bestRow]!.get('p99')).toBe(`${fmt(p99s[bestRow]!, 2)} ms|best met`);
    expect(rows[1 - bestRow]!.get('p99')).toBe(`${fmt(p99s[1 - bestRow]!, 2)} ms|met`);
    // busier GPUs on fewer replicas
    expect(rows[0]!.get('gpu-utilization')).toBe(`${pct(one.summary.gpu.utilization)}|best`);
    // the variant labels are the legend of the overlaid charts (escaped inside the SVG)
    expect(html).toContain('one &lt;b&gt;&amp;</text>');
  });
});

describe('renderSweepReport', () => {
  it('draws p99 and cost against the first varied value, marks the chosen point and lists every point', async () => {
    const points: SweepPoint[] = [];
    for (const routing of ['random', 'least-outstanding'] as const) {
      for (const replicas of [1, 2, 3]) {
        const base = smallScenario();
        const r = simulate(makeScenario({ ...base, fleet: { ...base.fleet, replicas, routing } }));
        points.push({
          values: { 'fleet.replicas': replicas, 'fleet.routing': routing },
          p99Ms: r.summary.latencyMs.p99,
          costUsd: r.summary.cost.totalUsd,
          sloMet: r.summary.slo.met,
        });
      }
    }
    // the cheapest point that meets the SLO
    let chosenIndex: number | null = null;
    points.forEach((p, i) => {
      if (p.sloMet && (chosenIndex === null || p.costUsd < points[chosenIndex]!.costUsd)) chosenIndex = i;
    });
    expect(chosenIndex).not.toBeNull();
    const html = await renderSweepReport({
      points,
      varied: ['fleet.replicas', 'fleet.routing'],
      sloP99Ms: 50,
      chosenIndex,
      version: VERSION,
      command: 'npx infersim sweep w.yaml --vary fleet.replicas=1,2,3',
      title: 'Sweep <b>&',
    });
    expectStandalone(html);
    expect(svgCount(html)).toBe(2);
    expect(figureIds(html)).toEqual(['sweep-p99', 'sweep-cost']);
    expect(html).toContain('<h1>Sweep &lt;b&gt;&amp;</h1>');
    expect(html).toContain('>SLO p99 50 ms</text>');
    expect((html.match(/>★<\/text>/g) ?? []).length).toBe(2);
    // one legend entry per routing
    expect(html).toContain('>least-outstanding</text>');
    const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)![1]!;
    const rows = [...body.matchAll(/<tr( class="chosen")?>([\s\S]*?)<\/tr>/g)];
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r[1] !== undefined)).toEqual(points.map((_p, i) => i === chosenIndex));
    const chosen = points[chosenIndex!]!;
    const chosenRow = rows[chosenIndex!]![2]!;
    expect(chosenRow).toContain(`<td>★ ${chosenIndex! + 1}</td>`);
    expect(chosenRow).toContain(`<td>${fmt(chosen.p99Ms, 2)} ms</td>`);
    expect(chosenRow).toContain('<td class="text met">met</td>');
    expect(html).toContain(`Chosen: fleet.replicas=${String(chosen.values['fleet.replicas'])}, fleet.routing=${String(chosen.values['fleet.routing'])}`);
  });

  it('says so when nothing meets the SLO and draws seed ranges as bars', async () => {
    const html = await renderSweepReport({
      points: [
        { values: { 'fleet.replicas': 1 }, p99Ms: 300, p99MsLo: 250, p99MsHi: 340, costUsd: 1, sloMet: false },
        { values: { 'fleet.replicas': 2 }, p99Ms: 120, p99MsLo: 110, p99MsHi: 131.5, costUsd: 2, sloMet: false },
      ],
      varied: ['fleet.replicas'],
      sloP99Ms: 100,
      chosenIndex: null,
      version: VERSION,
      command: 'x',
      title: 't',
    });
    expectStandalone(html);
    expect(svgCount(html)).toBe(2);
    expect(html).toContain('No point meets the SLO.');
    expect(html).toContain('<td>110–131.5 ms</td>');
    expect(html).toContain('<td>$2.00</td>');
    expect(html).not.toContain('>★</text>');
  });

  it('lays the flagship 3 × 2 × 5 sweep out as panels per GPU, colour per maxBatch, replicas on x, monthly $ on the cost axis, within the page', async () => {
    const points: SweepPoint[] = [];
    for (const gpu of ['t4', 'l4', 'a100-40gb']) {
      for (const maxBatch of [16, 32]) {
        for (let replicas = 1; replicas <= 5; replicas++) {
          const p99 = gpu === 't4' ? 900 : 200 / replicas;
          points.push({ values: { 'fleet.gpu': gpu, 'fleet.batching.maxBatch': maxBatch, 'fleet.replicas': replicas }, p99Ms: p99, costUsd: replicas / 100, monthlyUsd: replicas * 1000 + (gpu === 'l4' ? 0 : 500), sloMet: p99 <= 100 });
        }
      }
    }
    const varied = ['fleet.gpu', 'fleet.batching.maxBatch', 'fleet.replicas'];
    expect(sweepLayout(points, varied)).toEqual({ x: 'fleet.replicas', numericX: true, facet: 'fleet.gpu', color: ['fleet.batching.maxBatch'] });
    // only a categorical axis: points, no line
    expect(sweepLayout(points.filter((p) => p.values['fleet.replicas'] === 1 && p.values['fleet.batching.maxBatch'] === 16), varied)).toEqual({ x: 'fleet.gpu', numericX: false, facet: null, color: [] });
    const chosenIndex = points.findIndex((p) => p.values['fleet.gpu'] === 'l4' && p.values['fleet.replicas'] === 2);
    const html = await renderSweepReport({ points, varied, sloP99Ms: 100, chosenIndex, version: VERSION, command: 'x', title: 'flagship' });
    for (const svg of html.match(/<svg[^>]*>/g) ?? []) {
      const width = Number(/width="([\d.]+)"/.exec(svg)![1]);
      expect(width).toBeLessThanOrEqual(1000);
    }
    for (const gpu of ['t4', 'l4', 'a100-40gb']) expect(html).toContain(`>${gpu}</text>`);
    expect(html).toContain('>monthly cost (USD)</text>');
    expect(html).toContain('<th>per month</th>');
    expect(html).toContain('>SLO p99 100 ms</text>');
    expect((html.match(/>★<\/text>/g) ?? []).length).toBe(2);
    expect(html).toContain('★ Chosen: fleet.gpu=l4, fleet.batching.maxBatch=16, fleet.replicas=2 (p99 100 ms, $2,000.00/month)');
  });
});

describe('escapeHtml and commandLine', () => {
  it('escape what HTML and a shell need', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    expect(commandLine(['npx', 'infersim', 'run', 'a b.yaml', '--set', "name=it's", '--set', 'fleet.replicas=3'])).toBe(
      `npx infersim run 'a b.yaml' --set 'name=it'\\''s' --set fleet.replicas=3`,
    );
  });
});

describe('run report with regions or shards', () => {
  it('draws arrivals, latency, replicas and GPU once more per site, overlaid, after the fleet-wide charts', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { loadScenario } = await import('../../src/scenario/load.js');
    const file = join(__dirname, '..', '..', 'scenarios', 'region-outage.yaml');
    const sc = loadScenario(readFileSync(file, 'utf8'), { file, baseDir: join(__dirname, '..', '..', 'scenarios'), sets: ['duration=20m', 'events.0.at=5m'] });
    const r = simulate(sc);
    const html = await renderRunReport({ result: r, version: VERSION, command: 'x' });
    expect(figureIds(html)).toEqual(['arrivals', 'latency', 'latency-cdf', 'failures', 'replicas', 'queue', 'gpu', 'cost', 'region-arrivals', 'region-latency', 'region-replicas', 'region-gpu']);
    // the outage is marked on the charts
    expect(html).toContain('>us-east down</text>');
    expect(html).toContain('<h2>By region (colour = region;');
    // each region is a series of its own in the legend
    const section = html.slice(html.indexOf('<h2>By region'));
    for (const name of ['us-east', 'eu-west']) expect(section).toContain(`>${name}</text>`);
  });
});

describe('per-site capacity (regions on different GPUs)', () => {
  // the run's fleet is T4s; region "fast" runs A100s: its own latency table, its own capacity
  const sc = loadScenario(
    `name: two gpus
seed: 5
duration: 60s
traffic: { rate: 2000 }
model: { profile: bert-base-seq128 }
fleet: { gpu: t4, replicas: 2, batching: { maxBatch: 32 } }
report: { interval: 10s }
regions:
  - { name: slow, share: 0.5, rtt: { fast: 10ms } }
  - { name: fast, share: 0.5, rtt: { slow: 10ms }, fleet: { gpu: a100-40gb, replicas: 1 } }
`,
    { file: 'g.yaml', baseDir: '.' },
  );
  const ownRate = (i: number): number => {
    const r = (sc.topology as RegionsTopology).regions[i]!;
    return (r.fleet.batching.maxBatch / interpolateLatencyS(r.model.latency, r.fleet.batching.maxBatch)) * (1 + r.fleet.overlap * (r.fleet.instances - 1));
  };

  it('each site\'s charts draw its own fleet\'s capacity; the run\'s chart sums them', () => {
    const r = simulate(sc);
    const [slow, fast] = [ownRate(0), ownRate(1)];
    expect(fast / slow).toBeGreaterThan(5); // an A100 is not a T4
    const runs = siteChartRuns(r);
    expect(runs.map((x) => x.label)).toEqual(['slow', 'fast']);
    expect(replicaCapacityRps(runs[0]!.result.scenario)).toBeCloseTo(slow, 9);
    expect(replicaCapacityRps(runs[1]!.result.scenario)).toBeCloseTo(fast, 9);
    runs.forEach((run, i) => {
      const ready = run.result.timeline.column('replicasReady');
      const points = downsampleTimeline(run.result.timeline, run.result.scenario, 1000, capacityByRow(run.result)).points;
      points.forEach((p, k) => expect(p.capacityRps).toBeCloseTo(ready[k]! * (i === 0 ? slow : fast), 6));
    });
    // the run: 2 T4 replicas + 1 A100 replica, not 3 × the T4's rate
    const total = downsampleTimeline(r.timeline, r.scenario, 1000, capacityByRow(r)).points;
    expect(total.at(-1)!.capacityRps).toBeCloseTo(2 * slow + fast, 6);
  });
});

describe('failures, latency distribution, markers and cost in run reports', () => {
  it('counts failures per second, marks warmup, events and traffic steps, and ends the cost line at the cost card', async () => {
    const base = smallScenario('marked');
    // a step to 2 000 requests/s at 12 s drowns 2 replicas (queue bound 50, timeout 50 ms): rejections and timeouts
    const sc = makeScenario({
      ...base,
      warmupS: 4,
      traffic: { schedule: [{ atS: 0, rps: 200, rampS: 0 }, { atS: 12, rps: 2000, rampS: 0 }], spikes: [{ atS: 6, factor: 2, forS: 2 }] },
      fleet: { ...base.fleet, queue: { maxDepth: 50, timeoutS: 0.05 } },
      events: [{ atS: 8, kind: 'replica-crash', count: 1 }],
    });
    const r = simulate(sc);
    expect(r.summary.requests.rejected + r.summary.requests.timedOut).toBeGreaterThan(0);
    const { points } = downsampleTimeline(r.timeline, sc);
    const failed = points.reduce((a, p) => a + (p.rejectedRps + p.timedOutRps) * 1, 0); // 1 s intervals
    const rows = r.timeline.rows;
    const colR = r.timeline.columns.indexOf('rejected');
    const colT = r.timeline.columns.indexOf('timedOut');
    expect(failed).toBeCloseTo(rows.reduce((a, row) => a + row[colR]! + row[colT]!, 0), 6);
    // the cost line starts after warmup and ends at the run's cost (what the card shows)
    expect(points.filter((p) => p.tS < 4).every((p) => Number.isNaN(p.costUsd))).toBe(true);
    expect(points[points.length - 1]!.costUsd / r.summary.cost.totalUsd).toBeCloseTo(1, 2);
    // the distribution: increasing quantiles, p99 as the summary's
    const cdf = r.latencyCdf!;
    expect(cdf.ms.every((v, i) => i === 0 || v >= cdf.ms[i - 1]!)).toBe(true);
    expect(cdf.ms[cdf.p.indexOf(0.99)]).toBeCloseTo(r.summary.latencyMs.p99, 6);

    const html = await renderRunReport({ result: r, version: VERSION, command: 'x' });
    for (const label of ['warmup', 'crash ×1', 'step → 2000/s', 'spike ×2', 'SLO p99 50 ms']) expect(html).toContain(`>${label}</text>`);
    expect(html).toContain('>rejected</text>');
    expect(html).toContain('>timed out</text>');
    expect(html).toContain('>p99.9</text>');
    // --set overrides in the title: two runs of one file are not labelled alike
    const a = await renderRunReport({ result: r, version: VERSION, command: 'x', overrides: ['fleet.replicas=2', 'seed=4'] });
    expect(a).toContain('<h1>marked (fleet.replicas=2)</h1>');
  });
});
