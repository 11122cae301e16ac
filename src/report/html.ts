/**
 * report.html for run, compare and sweep: one self-contained file (inline CSS, charts
 * as static SVG, no script, no network) that reads the same offline, in a mail
 * attachment or a CI artifact. Every string that comes from a user (scenario names,
 * variant labels, paths, the command) is escaped.
 */
import type { ModelSummary, SharingSummary, Summary } from '../metrics/summary.js';
import type { RunResult } from '../run.js';
import type { Scenario, SitePlan } from '../config/scenario.js';
import { latencyDistributionChart, perGpuChart, siteChartRuns, sweepCharts, timeCharts, type RenderedChart, type SweepPoint } from './charts.js';
import { fmt, ms, pct, usd } from './format.js';
import { runTitle } from './summary.js';
import { verdictWord } from '../metrics/slo.js';
import { COST_TIE_TOLERANCE } from '../analysis/sweep.js';
import { modelCompareColumns } from '../analysis/compare.js';

export type { SweepPoint } from './charts.js';

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

export { commandLine } from './command-line.js';

/** One figure of the summary: a card in a run report, a column in a compare report. */
interface Metric {
  id: string;
  label: string;
  value: (s: Summary) => number | null;
  format: (v: number) => string;
  /** Which way is better, for the compare table's highlight; null: neither. */
  better: 'lower' | 'higher' | null;
  note?: (s: Summary, sc: Scenario) => string;
}

const METRICS: Metric[] = [
  { id: 'p99', label: 'p99 latency', value: (s) => s.latencyMs.p99, format: ms, better: 'lower', note: (s) => sloNote(s) },
  {
    id: 'attainment',
    label: 'SLO attainment',
    value: (s) => s.slo.attainment,
    format: (v) => pct(v, 2),
    better: 'higher',
    note: () => 'finished requests completed within the latency target',
  },
  {
    id: 'gpu-utilization',
    label: 'GPU utilization',
    value: (s) => s.gpu.utilization,
    format: (v) => pct(v),
    better: 'higher',
    note: () => 'ready time with a batch running',
  },
  {
    id: 'effective-utilization',
    label: 'effective utilization',
    value: (s) => s.gpu.effectiveUtilization,
    format: (v) => pct(v),
    better: 'higher',
    note: () => 'work done at peak throughput / ready time',
  },
  {
    id: 'mean-batch',
    label: 'mean batch',
    value: (s) => s.gpu.meanBatchSize,
    format: (v) => fmt(v, 2),
    better: null,
    note: (_s, sc) => `maxBatch ${sc.fleet.batching.maxBatch}`,
  },
  {
    id: 'cost',
    label: 'cost (run)',
    value: (s) => s.cost.totalUsd,
    format: usd,
    better: 'lower',
    note: (s, sc) => (sc.cost.gpuHourlyUsd === null ? 'no GPU price: set fleet.gpu or cost.gpuHourly' : `after warmup; idle GPU ${usd(s.cost.idleGpuUsd)}`),
  },
  { id: 'monthly-cost', label: 'cost per month', value: (s) => s.cost.monthlyUsd, format: usd, better: 'lower', note: () => 'at this run\u2019s rate' },
  { id: 'cold-starts', label: 'cold starts', value: (s) => s.replicas.coldStarts, format: count, better: 'lower' },
  { id: 'cache-hit-rate', label: 'cache hit rate', value: (s) => s.cache?.hitRate ?? null, format: (v) => pct(v), better: 'higher' },
  { id: 'arrived', label: 'requests arrived', value: (s) => s.requests.arrived, format: count, better: null, note: () => 'after warmup' },
  { id: 'completed', label: 'completed', value: (s) => s.requests.completed, format: count, better: 'higher' },
  {
    id: 'rejected',
    label: 'rejected',
    value: (s) => s.requests.rejected,
    format: count,
    better: 'lower',
    note: (s) => `error rate ${pct(s.slo.errorRate, 3)}`,
  },
  { id: 'timed-out', label: 'timed out', value: (s) => s.requests.timedOut, format: count, better: 'lower' },
];

function count(v: number): string {
  return fmt(v, 0);
}

function hasSlo(s: Summary): boolean {
  // several models: the run's verdict is every model meeting its own (it has no targets of its own)
  return Object.keys(s.slo.target).length > 0 || (s.models ?? []).some((m) => Object.keys(m.slo.target).length > 0);
}

/** The SLO targets, e.g. "p99 ≤ 25 ms, errors ≤ 0.100 %"; empty when none is set. */
function sloTargets(target: Record<string, number>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(target)) {
    parts.push(k === 'maxErrorRate' ? `errors ≤ ${pct(v, 3)}` : `${k.replace(/Ms$/, '')} ≤ ${fmt(v, 2)} ms`);
  }
  return parts.join(', ');
}

/** The SLO targets and the verdict, e.g. "SLO p99 ≤ 25 ms: met". */
function sloNote(s: Summary): string {
  if (s.models !== undefined) return hasSlo(s) ? `every model’s own SLO (${s.models.length} models): ${verdictWord(s.slo)}` : 'no SLO set';
  const targets = sloTargets(s.slo.target);
  if (targets === '') return 'no SLO set';
  return `SLO ${targets}: ${verdictWord(s.slo)}`;
}

function verdictClass(s: Summary): string {
  if (!hasSlo(s)) return '';
  return s.slo.met ? ' met' : ' missed';
}

const CSS = `
:root { --fg: #1d2330; --muted: #5d6675; --line: #e3e6eb; --bg: #f6f7f9; --met: #1b7f3b; --met-bg: #e7f5ec; --missed: #b3261e; --missed-bg: #fdecea; --best: #fff4c2; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.meta { color: var(--muted); margin: 0 0 10px; }
.meta b { color: var(--fg); font-weight: 600; }
.meta.chosen-line { margin-top: 12px; color: var(--fg); }
pre.command { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow-x: auto; margin: 4px 0 0; font-size: 12.5px; }
.banner { border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.banner.partial, .banner.warning { background: #fff4e5; border: 1px solid #f3c27a; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(175px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px; }
.card .note { color: var(--muted); font-size: 12px; margin-top: 2px; }
.card.met { border-color: #9fd3b0; background: var(--met-bg); }
.card.met .value, td.met { color: var(--met); }
.card.missed { border-color: #f0a7a1; background: var(--missed-bg); }
.card.missed .value, td.missed { color: var(--missed); }
.card.warn .value { color: #a15c00; }
figure.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin: 0 0 12px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
p.skipped { color: var(--muted); font-size: 12px; margin: 0 0 12px; }
table.data { border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-variant-numeric: tabular-nums; width: 100%; font-size: 13px; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 4px; padding: 0 5px; margin-top: 2px; }
ul.runs { color: var(--muted); margin: 0 0 10px; padding-left: 18px; }
ul.runs b { color: var(--fg); }
.badge.met { color: var(--met); background: var(--met-bg); }
.badge.missed { color: var(--missed); background: var(--missed-bg); }
.table-wrap { overflow-x: auto; }
table.data th, table.data td { padding: 6px 7px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
table.data th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fafbfc; white-space: normal; vertical-align: bottom; }
table.data th.text { text-align: left; }
table.data th:first-child, table.data td:first-child { text-align: left; }
table.data td.text { text-align: left; }
table.data td.best { background: var(--best); font-weight: 600; }
table.data tr.chosen td { background: #e8f0fe; font-weight: 600; }
details { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin-top: 12px; }
details summary { cursor: pointer; font-weight: 600; }
details pre { font-size: 12px; overflow-x: auto; margin: 8px 0 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
`;

/** The page every report shares: its head, inline CSS, the body's parts and the footer. */
export function page(title: string, body: string[], version: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="infersim ${escapeHtml(version)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    `<footer>Generated by infersim ${escapeHtml(version)}. Charts are static SVG; the file needs no network.</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function commandBlock(command: string): string {
  return `<p class="meta">Reproduce with:</p>\n<pre class="command"><code>${escapeHtml(command)}</code></pre>`;
}

/** A section of charts: a figure per chart, a line saying why for each one left out. */
export function chartsSection(heading: string, charts: RenderedChart[]): string {
  const out = [`<section class="charts">`, `<h2>${escapeHtml(heading)}</h2>`];
  for (const c of charts) {
    if (c.svg === null) {
      out.push(`<p class="skipped" data-chart="${escapeHtml(c.id)}">${escapeHtml(c.title)}: not shown (${escapeHtml(c.skipped ?? 'no data')}).</p>`);
      continue;
    }
    out.push(
      `<figure class="chart" id="chart-${escapeHtml(c.id)}">`,
      `<h3>${escapeHtml(c.title)}</h3>`,
      c.svg,
      `<figcaption>${escapeHtml(c.note)}</figcaption>`,
      '</figure>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

/** JSON with Infinity spelled out (JSON would print null, which reads as "unset"). */
function scenarioJson(sc: Scenario): string {
  return JSON.stringify(sc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

function scenarioDetails(sc: Scenario, label: string): string {
  return [
    '<details>',
    `<summary>${escapeHtml(label)}</summary>`,
    `<pre>${escapeHtml(scenarioJson(sc))}</pre>`,
    '</details>',
  ].join('\n');
}

function warningsBlock(results: RunResult[], labels: string[] | null): string[] {
  const out: string[] = [];
  results.forEach((r, i) => {
    const who = labels ? `${labels[i]}: ` : '';
    if (r.partial) {
      out.push(
        `<div class="banner partial">${escapeHtml(who)}Partial run: stopped at ${escapeHtml(fmt(r.summary.simulatedSeconds, 1))} s of ${escapeHtml(fmt(r.scenario.durationS, 1))} s; every figure covers the time simulated.</div>`,
      );
    }
    for (const w of r.summary.warnings) out.push(`<div class="banner warning">${escapeHtml(who)}warning: ${escapeHtml(w)}</div>`);
  });
  return out;
}

function fleetLine(sc: Scenario): string {
  if (sc.topology?.kind === 'models') return `${sc.topology.models.length} models, ${sharingText(sc.topology.sharing)}`;
  const gpu = sc.fleet.gpu ? `${sc.fleet.gpu}${sc.fleet.mig ? ` (MIG ${sc.fleet.mig})` : ''}` : 'custom latency table';
  return `${sc.fleet.replicas} replica(s) on ${gpu}, routing ${sc.fleet.routing}, maxBatch ${sc.fleet.batching.maxBatch}`;
}

function card(m: Metric, s: Summary, sc: Scenario): string | null {
  const v = m.value(s);
  if (v === null) return null;
  let cls = '';
  if (m.id === 'p99') cls = verdictClass(s);
  else if ((m.id === 'rejected' || m.id === 'timed-out') && v > 0) cls = ' warn';
  return cardHtml(m.id, m.label, m.format(v), m.note ? m.note(s, sc) : null, cls);
}

/** One summary card: its label, value and note (none when null); `cls` adds a class (' met', ' missed', ' warn'). */
export function cardHtml(id: string, label: string, value: string, note: string | null, cls = ''): string {
  const n = note !== null ? `<div class="note">${escapeHtml(note)}</div>` : '';
  return `<div class="card${cls}" data-card="${id}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${n}</div>`;
}

/** The time charts with the latency distribution placed right after the latency chart. */
function withDistribution(charts: RenderedChart[], distribution: RenderedChart): RenderedChart[] {
  const i = charts.findIndex((c) => c.id === 'latency');
  return i < 0 ? [...charts, distribution] : [...charts.slice(0, i + 1), distribution, ...charts.slice(i + 1)];
}

/** How several models share GPUs, in one phrase (with what it stands for in Kubernetes). */
function sharingText(sh: NonNullable<Extract<Scenario['topology'], { kind: 'models' }>>['sharing']): string {
  if (sh.mode === 'dedicated') return 'dedicated: each model on GPUs of its own (a Deployment per model requesting whole GPUs)';
  if (sh.mode === 'mig') return `MIG: each ${sh.gpu} cut as ${sh.layout.join(' + ')} (GPU Operator mixed strategy: a model’s pods request nvidia.com/mig-<profile>)`;
  return `shared: ${sh.gpus} × ${sh.gpu}, every model on each GPU, overlap ${fmt(sh.overlap, 2)} (one Triton with every model loaded, or time-slicing/MPS)`;
}

/** Where a model's replicas ran, in one cell: its GPU (dedicated), its MIG profile (mig) or the shared GPUs. */
function placementText(sh: SharingSummary, plan: SitePlan | null | undefined): string {
  if (sh.mode === 'shared') return `shared ${sh.gpu ?? ''}`.trim();
  const f = plan?.fleet;
  if (f === undefined) return '';
  return f.mig !== null ? `${f.gpu ?? ''} ${f.mig}`.trim() : (f.gpu ?? 'custom table');
}

/** The per-model table of a several-model run: each model's requests, latency, own SLO, GPU use and cost. */
function modelsTable(models: readonly ModelSummary[], sh: SharingSummary, result: RunResult): string {
  const head = ['model', 'on', 'arrived', 'completed', 'failed', 'req/s', 'p50', 'p99', 'SLO', 'GPU util', 'mean batch', 'replicas (mean)', 'GPU-hours', 'cost'];
  const rows = models.map((m, i) => {
    const judged = Object.keys(m.slo.target).length > 0;
    const verdict = judged ? `${sloTargets(m.slo.target)}: ${verdictWord(m.slo)}` : 'no SLO set';
    const done = m.requests.completed > 0;
    const cells = [
      `<td class="text">${escapeHtml(m.name)}</td>`,
      `<td class="text">${escapeHtml(placementText(sh, result.sites[i]?.plan))}</td>`,
      `<td>${escapeHtml(count(m.requests.arrived))}</td>`,
      `<td>${escapeHtml(count(m.requests.completed))}</td>`,
      `<td>${escapeHtml(count(m.requests.rejected + m.requests.timedOut))}</td>`,
      `<td>${escapeHtml(fmt(m.throughputRps, 1))}</td>`,
      `<td>${done ? escapeHtml(ms(m.latencyMs.p50)) : '—'}</td>`,
      `<td${judged ? ` class="${m.slo.met ? 'met' : 'missed'}"` : ''}>${done ? escapeHtml(ms(m.latencyMs.p99)) : '—'}</td>`,
      `<td class="text${judged ? (m.slo.met ? ' met' : ' missed') : ''}" data-slo="${judged ? (m.slo.met ? 'met' : 'missed') : 'none'}">${escapeHtml(verdict)}</td>`,
      `<td>${escapeHtml(pct(m.gpu.utilization))}</td>`,
      `<td>${escapeHtml(fmt(m.gpu.meanBatchSize, 2))}</td>`,
      `<td>${escapeHtml(fmt(m.replicas.mean, 2))}</td>`,
      `<td>${escapeHtml(fmt(m.gpuHours, 3))}</td>`,
      `<td>${escapeHtml(usd(m.costUsd))}</td>`,
    ];
    return `<tr data-model="${escapeHtml(m.name)}">${cells.join('')}</tr>`;
  });
  return [
    `<div class="table-wrap"><table class="data models">`,
    `<thead><tr>${head.map((h, j) => `<th${j < 2 || h === 'SLO' ? ' class="text"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
  ].join('\n');
}

/** The sharing section of a several-model run: the mode, GPUs billed, GPU-hours charged to models and idle, the per-GPU chart. */
async function sharingSection(s: Summary, sh: SharingSummary, sc: Scenario): Promise<string> {
  const topo = sc.topology?.kind === 'models' ? sc.topology : null;
  const charged = sh.gpuHours > 0 ? sh.attributedGpuHours / sh.gpuHours : 0;
  const cards: [string, string, string, string][] = [
    ['sharing-mode', 'sharing', sh.mode, topo !== null ? sharingText(topo.sharing) : ''],
    ['gpus-billed', 'GPUs billed (mean)', fmt(sh.gpus.mean, 2), `lowest ${fmt(sh.gpus.min, 0)}, highest ${fmt(sh.gpus.max, 0)}${sh.gpu !== null ? ` × ${sh.gpu}` : ''} after warmup`],
    ['gpu-hours', 'GPU-hours billed', fmt(sh.gpuHours, 3), `${fmt(sh.attributedGpuHours, 3)} charged to models (${pct(charged)}), ${fmt(sh.idleGpuHours, 3)} idle`],
    ['idle-cost', 'idle cost', usd(sh.idleUsd), sh.mode === 'dedicated' ? 'dedicated: every GPU is charged to its model' : 'billed GPU time no model is charged for (free slices, idle shared GPUs)'],
    ['models-cost', 'charged to models', usd(Math.max(0, s.cost.gpuUsd - sh.idleUsd)), `of the GPU bill ${usd(s.cost.gpuUsd)}`],
  ];
  const chart = await perGpuChart(sh.perGpu, sh.mode);
  return [
    `<section class="sharing">`,
    `<h2>GPU sharing</h2>`,
    `<section class="cards">`,
    ...cards.map(([id, label, value, note]) => cardHtml(id, label, value, note ? note : null)),
    `</section>`,
    chartsSection('Per GPU', [chart]),
    `</section>`,
  ].join('\n');
}

/** The time charts drawn once per region or shard in a run report. */
const SITE_CHARTS = ['arrivals', 'latency', 'replicas', 'gpu'] as const;

/** The report of one run: header, summary cards, time charts (per region or shard too), resolved scenario. */
export async function renderRunReport(input: { result: RunResult; version: string; command: string; overrides?: readonly string[] }): Promise<string> {
  const { result, version, command } = input;
  const s = result.summary;
  const sc = result.scenario;
  // the --set overrides in the title: two runs of one file with different overrides read differently
  const name = runTitle(s, input.overrides ?? []);
  const charts = withDistribution(await timeCharts([{ label: name, result }], false), await latencyDistributionChart([{ label: name, result }], false));
  // regions, shards or models: the main charts per site, overlaid (colour = site)
  const siteKind = siteKindOf(sc);
  const siteCharts =
    result.siteTimelines.length > 0
      ? (
          await timeCharts(
            siteChartRuns(result),
            true,
            undefined,
            SITE_CHARTS,
          )
        ).map((c) => ({ ...c, id: `${siteKind}-${c.id}` }))
      : [];
  const body = [
    `<header>`,
    `<h1>${escapeHtml(name)}</h1>`,
    `<p class="meta">Scenario <b>${escapeHtml(s.scenario)}</b>${s.variant ? `, variant <b>${escapeHtml(s.variant)}</b>` : ''} · seed <b>${s.seed}</b> · infersim <b>${escapeHtml(version)}</b> · ${escapeHtml(fmt(s.simulatedSeconds, 1))} s simulated (warmup ${escapeHtml(fmt(sc.warmupS, 1))} s) · ${escapeHtml(fleetLine(sc))}</p>`,
    commandBlock(command),
    `</header>`,
    ...warningsBlock([result], null),
    `<h2>Summary</h2>`,
    `<section class="cards">`,
    ...METRICS.map((m) => card(m, s, sc)).filter((c): c is string => c !== null),
    `</section>`,
    chartsSection('Over time', charts),
    ...(s.models !== undefined && s.sharing !== undefined
      ? [`<h2>Models</h2>`, modelsTable(s.models, s.sharing, result), await sharingSection(s, s.sharing, sc)]
      : []),
    ...(siteCharts.length > 0 ? [chartsSection(`By ${siteKind} (colour = ${siteKind}${siteKind === 'region' ? '; latency of the requests each region served, the users\' network round trip included' : siteKind === 'model' ? '; each model\u2019s own requests, replicas and GPU time' : ''})`, siteCharts)] : []),
    `<h2>Scenario</h2>`,
    scenarioDetails(sc, 'Resolved scenario (defaults filled in, units in seconds, bytes and requests/s)'),
  ];
  return page(`infersim report: ${name}`, body, version);
}

/** What the per-site charts of a run are drawn by: region, model or shard. */
function siteKindOf(sc: Scenario): 'region' | 'model' | 'shard' {
  return sc.topology?.kind === 'regions' ? 'region' : sc.topology?.kind === 'models' ? 'model' : 'shard';
}

/** Labels made unique (a chart's legend needs one entry per run). */
export function uniqueLabels(labels: string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} (${n})`;
  });
}

/** Indices of the best values of one column; none when all are equal as displayed or none is comparable. */
function bestIndices(m: Metric, summaries: Summary[]): Set<number> {
  return bestOf(
    summaries.map((s) => m.value(s)),
    m.better,
    m.format,
  );
}

/**
 * Indices of the best of a compare table column's values (lowest or highest, as displayed by
 * `format`: values shown alike tie); none when `better` is null, fewer than two values are
 * comparable, or all are equal as displayed.
 */
export function bestOf(vals: readonly (number | null)[], better: 'lower' | 'higher' | null, format: (v: number) => string): Set<number> {
  const best = new Set<number>();
  if (better === null) return best;
  const finiteVals = vals.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finiteVals.length < 2) return best;
  const target = better === 'lower' ? Math.min(...finiteVals) : Math.max(...finiteVals);
  const shown = format(target);
  if (finiteVals.every((v) => format(v) === shown)) return best;
  vals.forEach((v, i) => {
    if (v !== null && Number.isFinite(v) && format(v) === shown) best.add(i);
  });
  return best;
}

/**
 * Several-model runs side by side: per model its p99 and own SLO verdict, then GPUs billed, the monthly
 * cost, the idle and the uncharged monthly cost (analysis/compare.ts modelCompareColumns); [] for single-model runs.
 */
function modelsCompareTable(labels: readonly string[], summaries: Summary[]): string[] {
  const extra = modelCompareColumns(summaries);
  if (extra.length === 0) return [];
  const models = extra.filter((c) => c.key.startsWith('model.') && c.key.endsWith('.p99Ms'));
  const money = (v: number | boolean | string | null): string => (typeof v === 'number' ? usd(v) : '—');
  const head = [
    '<th class="text">variant</th>',
    ...models.map((c) => `<th>${escapeHtml(c.label.replace(/ p99 ms$/, ''))} p99 / SLO</th>`),
    '<th>GPUs billed (mean)</th><th>per month</th><th>idle GPU time per month</th><th>charged to no model per month</th>',
  ].join('');
  const rows = summaries.map((s, i) => {
    const cells = models.map((c) => {
      const p99 = c.value(s);
      const met = extra.find((x) => x.key === `${c.key.slice(0, -'.p99Ms'.length)}.sloMet`)?.value(s);
      const cls = met === true ? ' class="met"' : met === false ? ' class="missed"' : '';
      return `<td${cls}>${typeof p99 === 'number' ? escapeHtml(`${ms(p99)} ${met === true ? 'met' : met === false ? 'MISSED' : ''}`.trim()) : '—'}</td>`;
    });
    const v = (key: string): number | boolean | string | null => extra.find((c) => c.key === key)?.value(s) ?? null;
    const gpus = v('gpusBilled');
    return `<tr><td class="text">${escapeHtml(labels[i]!)}</td>${cells.join('')}<td>${typeof gpus === 'number' ? escapeHtml(fmt(gpus, 2)) : '—'}</td><td>${escapeHtml(usd(s.cost.monthlyUsd))}</td><td>${escapeHtml(money(v('idleMonthlyUsd')))}</td><td>${escapeHtml(money(v('unchargedMonthlyUsd')))}</td></tr>`;
  });
  return [
    `<h2>Per model</h2>`,
    `<p class="meta">Each model against its own SLO; a run meets its SLO when every model does. Idle GPU time: billed GPU time with no batch running; charged to no model: free MIG slices and shared GPUs’ idle time.</p>`,
    `<div class="table-wrap"><table class="data models-compare">`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
  ];
}

/** Variants (or files) side by side: the summary cards as one table row each, the time charts overlaid. */
export async function renderCompareReport(input: { results: RunResult[]; labels: string[]; version: string; command: string }): Promise<string> {
  const { results, version, command } = input;
  const labels = uniqueLabels(results.map((r, i) => input.labels[i] ?? r.summary.variant ?? r.summary.scenario));
  const summaries = results.map((r) => r.summary);
  const metrics = METRICS.filter((m) => summaries.some((s) => m.value(s) !== null));
  const best = metrics.map((m) => bestIndices(m, summaries));
  const head = `<tr><th class="text">variant</th>${metrics.map((m) => `<th>${escapeHtml(m.label)}</th>`).join('')}</tr>`;
  const rows = results.map((r, i) => {
    const s = r.summary;
    const cells = metrics.map((m, j) => {
      const v = m.value(s);
      const cls = [best[j]!.has(i) ? 'best' : '', m.id === 'p99' ? verdictClass(s).trim() : ''].filter((c) => c !== '').join(' ');
      return `<td${cls ? ` class="${cls}"` : ''} data-col="${m.id}">${v === null ? '—' : escapeHtml(m.format(v))}</td>`;
    });
    const badge = hasSlo(s) ? `<span class="badge ${s.slo.met ? 'met' : 'missed'}">SLO ${escapeHtml(verdictWord(s.slo))}</span>` : '';
    return `<tr><td class="text">${escapeHtml(labels[i]!)}${badge ? `<br>${badge}` : ''}</td>${cells.join('')}</tr>`;
  });
  const runs = results.map((result, i) => ({ label: labels[i]!, result }));
  const charts = withDistribution(await timeCharts(runs, true), await latencyDistributionChart(runs, true));
  // regions or shards: the main charts once per site, the variants overlaid (every variant with that site)
  const siteSections: string[] = [];
  const siteNames = [...new Set(results.flatMap((r) => r.siteTimelines.map((st) => st.name)))];
  const siteKind = results.some((r) => r.scenario.topology?.kind === 'regions') ? 'region' : results.some((r) => r.scenario.topology?.kind === 'models') ? 'model' : 'shard';
  for (const site of siteNames) {
    const siteRuns = runs
      .map((run) => {
        const st = run.result.siteTimelines.find((x) => x.name === site);
        return st === undefined ? null : { label: run.label, result: { ...run.result, timeline: st.timeline } };
      })
      .filter((x): x is { label: string; result: RunResult } => x !== null);
    if (siteRuns.length === 0) continue;
    const siteCharts = (await timeCharts(siteRuns, true, undefined, SITE_CHARTS)).map((c) => ({ ...c, id: `${siteKind}-${site}-${c.id}` }));
    siteSections.push(chartsSection(`${siteKind === 'region' ? 'Region' : siteKind === 'model' ? 'Model' : 'Shard'} ${site} (colour = variant${siteKind === 'region' ? '; latency of the requests this region served, the users\' round trip included' : ''})`, siteCharts));
  }
  const perModel = modelsCompareTable(labels, summaries);
  const names = [...new Set(summaries.map((s) => s.scenario))];
  const title = `Compare: ${names.join(' vs ')}`;
  const body = [
    `<header>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${results.length} runs · infersim <b>${escapeHtml(version)}</b></p>`,
    `<ul class="runs">`,
    ...results.map(
      (r, i) =>
        `<li><b>${escapeHtml(labels[i]!)}</b>: ${escapeHtml(r.summary.scenario)}, seed ${r.summary.seed}, ${escapeHtml(fmt(r.summary.simulatedSeconds, 1))} s simulated, ${escapeHtml(fleetLine(r.scenario))}</li>`,
    ),
    `</ul>`,
    commandBlock(command),
    `</header>`,
    ...warningsBlock(results, labels),
    `<h2>Summary</h2>`,
    `<p class="meta">Best value per column highlighted. SLO: ${escapeHtml(perModel.length > 0 ? 'each model\u2019s own (per model below)' : sloTargets(summaries[0]?.slo.target ?? {}) || 'none')}.</p>`,
    `<div class="table-wrap"><table class="data compare">`,
    `<thead>${head}</thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
    ...perModel,
    chartsSection('Over time (colour = variant)', charts),
    ...siteSections,
    `<h2>Scenarios</h2>`,
    ...results.map((r, i) => scenarioDetails(r.scenario, `Resolved scenario: ${labels[i]!}`)),
  ];
  return page(`infersim compare: ${names.join(' vs ')}`, body, version);
}

/** A sweep: p99 and cost against the first varied value, the SLO line, the chosen point, a table of all points. */
export async function renderSweepReport(input: {
  points: SweepPoint[];
  varied: string[];
  sloP99Ms: number | null;
  /** The SLO in words when it is not one p99 target (several models, each judged on its own; an LLM run's targets): shown instead of sloP99Ms, which still draws the chart's line. */
  sloText?: string;
  chosenIndex: number | null;
  version: string;
  command: string;
  title: string;
}): Promise<string> {
  const { points, varied, sloP99Ms, chosenIndex, version, command, title } = input;
  const charts = await sweepCharts({ points, varied, sloP99Ms, chosenIndex });
  const withRange = points.some((p) => p.p99MsLo !== undefined && p.p99MsHi !== undefined);
  const chosen = chosenIndex !== null ? points[chosenIndex] : undefined;
  const monthly = points.length > 0 && points.every((p) => p.monthlyUsd !== undefined);
  const costText = (p: SweepPoint): string => (monthly ? `${usd(p.monthlyUsd!)}/month` : `cost ${usd(p.costUsd)}`);
  const chosenText = chosen
    ? `★ Chosen: ${varied.map((p) => `${p}=${String(chosen.values[p])}`).join(', ')} (p99 ${ms(chosen.p99Ms)}, ${costText(chosen)}): the cheapest point meeting the SLO at every seed, where monthly costs within ${pct(COST_TIE_TOLERANCE, 0)} of the cheapest count as tied and the lowest p99 among them wins.`
    : sloP99Ms !== null || input.sloText !== undefined
      ? 'No point meets the SLO.'
      : 'No point chosen.';
  const textColumn = varied.map((v) => points.some((p) => typeof p.values[v] !== 'number'));
  const head = `<tr><th>#</th>${varied.map((p, j) => `<th${textColumn[j] ? ' class="text"' : ''}>${escapeHtml(p)}</th>`).join('')}<th>p99 latency</th>${withRange ? '<th>p99 range</th>' : ''}<th>cost</th>${monthly ? '<th>per month</th>' : ''}<th class="text">SLO</th></tr>`;
  const rows = points.map((p, i) => {
    const range = withRange ? `<td>${p.p99MsLo !== undefined && p.p99MsHi !== undefined ? escapeHtml(`${fmt(p.p99MsLo, 2)}–${fmt(p.p99MsHi, 2)} ms`) : '—'}</td>` : '';
    return (
      `<tr${i === chosenIndex ? ' class="chosen"' : ''}><td>${i === chosenIndex ? '★ ' : ''}${i + 1}</td>` +
      varied.map((v, j) => `<td${textColumn[j] ? ' class="text"' : ''}>${escapeHtml(String(p.values[v] ?? ''))}</td>`).join('') +
      `<td>${escapeHtml(ms(p.p99Ms))}</td>${range}<td>${escapeHtml(usd(p.costUsd))}</td>${monthly ? `<td>${escapeHtml(usd(p.monthlyUsd!))}</td>` : ''}<td class="text ${p.sloMet ? 'met' : 'missed'}">${p.sloMet ? 'met' : 'missed'}</td></tr>`
    );
  });
  const body = [
    `<header>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Sweep of <b>${escapeHtml(varied.join(', ') || '(nothing)')}</b> · ${points.length} points · SLO ${input.sloText !== undefined ? escapeHtml(input.sloText) : sloP99Ms !== null ? `p99 ≤ <b>${escapeHtml(fmt(sloP99Ms, 2))} ms</b>` : 'none'} · infersim <b>${escapeHtml(version)}</b></p>`,
    commandBlock(command),
    `</header>`,
    `<p class="meta chosen-line">${escapeHtml(chosenText)}</p>`,
    chartsSection('Results', charts),
    `<h2>All points</h2>`,
    `<div class="table-wrap"><table class="data sweep">`,
    `<thead>${head}</thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
  ];
  return page(`infersim sweep: ${title}`, body, version);
}
