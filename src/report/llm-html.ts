/**
 * report.html of an LLM run (a scenario with an `llm:` block): the request-level report's page,
 * cards, tables and chart machinery (html.ts, charts.ts) filled with the LLM figures: headline
 * cards with the SLO verdicts, the TTFT/TPOT/ITL/E2E percentiles, charts over time drawn from the
 * LLM timeline (the rows timeline.csv holds) and the cost; and the report.html of `compare` on
 * LLM files (renderLlmCompareReport): a table row per run and the same charts, the runs overlaid.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LatencyStats, LlmResults, LlmTimelineRow } from '../llm/fleet.js';
import type { LlmScenario } from '../llm/scenario.js';
import type { LlmRegionsOutput } from '../topology/llm-regions.js';
import type { LlmMetric } from '../config/llm.js';
import { DASHED, DOTTED, SOLID, dedupeMarkers, downsampleRows, lineChartSpec, MAX_CHART_POINTS, REPLICA_SERIES, renderSvg, timeAxis, trafficStepMarker, trimNumber, warmupMarker, type LineChartDef, type RenderedChart, type RowField, type TimeMarker } from './charts.js';
import { bestOf, cardHtml, chartsSection, commandBlock, escapeHtml, page, uniqueLabels } from './html.js';
import { fmt, ms, pct, usd } from './format.js';

/** The fields of a chart point of an LLM timeline (per second or per interval, as each chart says). */
type LlmField =
  | 'arrivalRps'
  | 'completedRps'
  | 'goodputRps'
  | 'rejectedRps'
  | 'ttftP50Ms'
  | 'ttftP99Ms'
  | 'ttftP99MinMs'
  | 'tpotP50Ms'
  | 'tpotP99Ms'
  | 'tpotP99MinMs'
  | 'e2eP50Ms'
  | 'e2eP99Ms'
  | 'e2eP99MinMs'
  | 'inputTokensPerS'
  | 'outputTokensPerS'
  | 'running'
  | 'waiting'
  | 'kvUtilization'
  | 'preemptionsPerS'
  | 'prefixHitRate'
  | 'replicasReady'
  | 'replicasStarting'
  | 'replicasDesired'
  | 'gpuUtilization'
  | 'costUsd';

/** The matrix the charts read: one row per interval, NaN where a cell does not apply (no completion: no latency). */
const COLS = ['timeS', 'arrivals', 'completed', 'goodputRps', 'rejected', 'ttftP50Ms', 'ttftP99Ms', 'tpotP50Ms', 'tpotP99Ms', 'e2eP50Ms', 'e2eP99Ms', 'inputTokensPerS', 'outputTokensPerS', 'running', 'waiting', 'kvUtilization', 'preemptions', 'prefixHitRate', 'replicasReady', 'replicasStarting', 'replicasDesired', 'gpuUtilization', 'cumulativeCostUsd'] as const;
const col = (name: (typeof COLS)[number]): number => COLS.indexOf(name);

/** A latency of an interval without completions is 0 in the timeline: not a point to draw. */
const latency = (completed: number, v: number): number => (completed > 0 && v > 0 ? v : NaN);

function matrix(timeline: readonly LlmTimelineRow[]): Float64Array[] {
  let cost = 0;
  return timeline.map((r) => {
    cost += r.costUsd;
    const c = r.completed;
    return Float64Array.from([
      r.t, r.arrivals, c, r.goodputRps, r.rejected,
      latency(c, r.ttftP50Ms), latency(c, r.ttftP99Ms), latency(c, r.tpotP50Ms), latency(c, r.tpotP99Ms), latency(c, r.p50Ms), latency(c, r.p99Ms),
      r.inputTokensPerS, r.outputTokensPerS, r.running, r.waiting, r.kvUtilization, r.preemptions, r.prefixHitRate,
      r.replicasReady, r.replicas - r.replicasReady, r.replicasDesired, r.gpuUtilization, cost,
    ]);
  });
}

/** How each point field summarises several intervals (charts.ts downsampleRows; the request-level timeline's rules). */
const FIELDS: RowField<LlmField>[] = [
  { name: 'arrivalRps', col: col('arrivals'), how: 'rate' },
  { name: 'completedRps', col: col('completed'), how: 'rate' },
  { name: 'goodputRps', col: col('goodputRps'), how: 'time-weighted mean' },
  { name: 'rejectedRps', col: col('rejected'), how: 'rate' },
  { name: 'ttftP50Ms', col: col('ttftP50Ms'), how: 'mean' },
  { name: 'ttftP99Ms', col: col('ttftP99Ms'), how: 'max and min', low: 'ttftP99MinMs' },
  { name: 'tpotP50Ms', col: col('tpotP50Ms'), how: 'mean' },
  { name: 'tpotP99Ms', col: col('tpotP99Ms'), how: 'max and min', low: 'tpotP99MinMs' },
  { name: 'e2eP50Ms', col: col('e2eP50Ms'), how: 'mean' },
  { name: 'e2eP99Ms', col: col('e2eP99Ms'), how: 'max and min', low: 'e2eP99MinMs' },
  { name: 'inputTokensPerS', col: col('inputTokensPerS'), how: 'time-weighted mean' },
  { name: 'outputTokensPerS', col: col('outputTokensPerS'), how: 'time-weighted mean' },
  { name: 'running', col: col('running'), how: 'time-weighted mean' },
  { name: 'waiting', col: col('waiting'), how: 'max' },
  { name: 'kvUtilization', col: col('kvUtilization'), how: 'time-weighted mean' },
  { name: 'preemptionsPerS', col: col('preemptions'), how: 'rate' },
  { name: 'prefixHitRate', col: col('prefixHitRate'), how: 'time-weighted mean' },
  { name: 'replicasReady', col: col('replicasReady'), how: 'time-weighted mean' },
  { name: 'replicasStarting', col: col('replicasStarting'), how: 'time-weighted mean' },
  { name: 'replicasDesired', col: col('replicasDesired'), how: 'time-weighted mean' },
  { name: 'gpuUtilization', col: col('gpuUtilization'), how: 'time-weighted mean' },
  { name: 'costUsd', col: col('cumulativeCostUsd'), how: 'last' },
];

interface LlmChartDef extends LineChartDef<LlmField> {
  id: string;
  title: string;
  note: string;
  downsampled: string;
  /** SLO targets of this metric drawn as lines. */
  slo?: LlmMetric;
  /** Why the chart is left out, or null to draw it. */
  skip: (sc: LlmScenario, r: LlmResults, rows: readonly LlmTimelineRow[]) => string | null;
}

const noCompletion = (_sc: LlmScenario, _r: LlmResults, rows: readonly LlmTimelineRow[]): string | null => (rows.some((x) => x.completed > 0) ? null : 'no request completed');

const LATENCY = (metric: 'ttft' | 'tpot' | 'e2e', title: string, note: string): LlmChartDef => ({
  id: metric,
  title,
  yTitle: `${metric.toUpperCase()} (ms)`,
  series: [
    { field: `${metric}P50Ms`, label: 'p50', color: '#1f77b4', dash: DASHED },
    { field: `${metric}P99Ms`, label: 'p99', color: '#ff7f0e', dash: SOLID },
  ],
  interpolate: 'linear',
  logAboveRatio: 50,
  band: { lo: `${metric}P99MinMs`, hi: `${metric}P99Ms` },
  slo: metric,
  note,
  downsampled: 'p50 is the mean, p99 the highest, the band spans the lowest to the highest p99',
  skip: noCompletion,
});

const LLM_CHARTS: LlmChartDef[] = [
  {
    id: 'arrivals',
    title: 'Arrivals, completions and goodput',
    yTitle: 'requests/s',
    series: [
      { field: 'arrivalRps', label: 'arrivals', color: '#1f77b4', dash: SOLID },
      { field: 'completedRps', label: 'completed', color: '#7f7f7f', dash: DASHED },
      { field: 'goodputRps', label: 'goodput (every SLO met)', color: '#2ca02c', dash: SOLID },
      { field: 'rejectedRps', label: 'rejected', color: '#b3261e', dash: DOTTED },
    ],
    interpolate: 'linear',
    note: 'Per second of each report interval. Goodput: completions meeting every SLO on TTFT, TPOT and E2E (ITL targets are judged on the distribution only); rejected: longer than the KV cache holds.',
    downsampled: 'rates over the whole span',
    skip: (_sc, _r, rows) => (rows.some((x) => x.arrivals > 0) ? null : 'no arrivals recorded'),
  },
  LATENCY('ttft', 'Time to first token', 'Per report interval, over the requests completed in it: arrival to first token (queueing, prefill, the first-token overhead).'),
  LATENCY('tpot', 'Time per output token', 'Per report interval, over the requests completed in it with more than one output token: (E2E − TTFT) / (output tokens − 1).'),
  LATENCY('e2e', 'End-to-end latency', 'Per report interval, over the requests completed in it: arrival to last token.'),
  {
    id: 'tokens',
    title: 'Token throughput',
    yTitle: 'tokens/s',
    series: [
      { field: 'inputTokensPerS', label: 'input (prompts of completed requests)', color: '#9467bd', dash: DASHED },
      { field: 'outputTokensPerS', label: 'output (tokens generated)', color: '#d62728', dash: SOLID },
    ],
    interpolate: 'linear',
    note: 'Per second of each report interval.',
    downsampled: 'time-weighted means',
    skip: (_sc, _r, rows) => (rows.some((x) => x.outputTokensPerS > 0 || x.inputTokensPerS > 0) ? null : 'no token generated'),
  },
  {
    id: 'requests',
    title: 'Running and waiting requests',
    yTitle: 'requests',
    series: [
      { field: 'running', label: 'running (vllm:num_requests_running)', color: '#2ca02c', dash: SOLID },
      { field: 'waiting', label: 'waiting (vllm:num_requests_waiting)', color: '#9467bd', dash: DASHED },
    ],
    interpolate: 'linear',
    integerY: true,
    note: 'Over all replicas at the end of each report interval; waiting includes preempted requests back in the queue.',
    downsampled: 'running a time-weighted mean, waiting the highest',
    skip: () => null,
  },
  {
    id: 'kv',
    title: 'KV-cache utilization',
    yTitle: 'blocks in use',
    series: [{ field: 'kvUtilization', label: 'KV-cache utilization (mean over replicas)', color: '#8c564b', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '.0%',
    yDomain: [0, 1],
    note: 'vllm:kv_cache_usage_perc averaged over the active replicas at the end of each report interval.',
    downsampled: 'time-weighted means',
    skip: () => null,
  },
  {
    id: 'preemptions',
    title: 'Preemptions',
    yTitle: 'preemptions/s',
    series: [{ field: 'preemptionsPerS', label: 'preemptions', color: '#b3261e', dash: SOLID }],
    interpolate: 'step-after',
    note: 'Running requests evicted from the KV cache (recomputed later), per second of each report interval.',
    downsampled: 'rates over the whole span',
    skip: (_sc, _r, rows) => (rows.some((x) => x.preemptions > 0) ? null : 'no preemption in this run'),
  },
  {
    id: 'prefix',
    title: 'Prefix-cache hit rate',
    yTitle: 'hit rate',
    series: [{ field: 'prefixHitRate', label: 'prompt tokens found cached', color: '#17becf', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '.0%',
    yDomain: [0, 1],
    note: 'Prompt tokens found in the prefix cache / prompt tokens looked up, per report interval.',
    downsampled: 'time-weighted means',
    skip: (sc, _r, rows) => (!sc.spec.engine.enablePrefixCaching ? 'prefix caching is off' : rows.some((x) => x.prefixHitRate > 0) ? null : 'no prompt token was found cached: no shared prefix'),
  },
  {
    id: 'replicas',
    title: 'Replicas',
    yTitle: 'replicas',
    series: REPLICA_SERIES,
    interpolate: 'step-after',
    integerY: true,
    note: 'Levels at the end of each report interval; a replica is starting while it loads its weights (cold start).',
    downsampled: 'time-weighted means',
    skip: () => null,
  },
  {
    id: 'gpu',
    title: 'Engine busy share',
    yTitle: 'busy share of replica time',
    series: [{ field: 'gpuUtilization', label: 'stepping', color: '#d62728', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '.0%',
    yDomain: [0, 1],
    note: 'Share of active replica time in which the engine runs a step.',
    downsampled: 'time-weighted means',
    skip: () => null,
  },
  {
    id: 'cost',
    title: 'Cumulative cost',
    yTitle: 'USD',
    series: [{ field: 'costUsd', label: 'cost', color: '#8c564b', dash: SOLID }],
    interpolate: 'linear',
    yFormat: '$,.4~g',
    note: 'GPU time billed from t = 0 (warmup included, as the run cost card counts it): replicas × GPUs per replica × price per GPU-hour.',
    downsampled: 'the value at the end of the span',
    skip: (_sc, r) => (r.costUsd > 0 ? null : 'no GPU price'),
  },
];

/** Ids of the LLM report's time charts in page order. */
export const LLM_CHART_IDS: readonly string[] = LLM_CHARTS.map((c) => c.id);

/** The warmup and the traffic's rate steps, marked on every chart. */
function llmMarkers(sc: LlmScenario): TimeMarker[] {
  const s = sc.spec;
  const out: TimeMarker[] = [];
  if (s.warmupS > 0) out.push(warmupMarker(s.warmupS, s.durationS));
  if (s.arrivals.kind === 'poisson') for (const st of s.arrivals.schedule.slice(1)) if (st.atS <= s.durationS) out.push(trafficStepMarker(st.atS, st.rps));
  return dedupeMarkers(out);
}

/** A chart's spec, or why it is left out. */
export interface LlmChartSpec {
  id: string;
  title: string;
  note: string;
  spec: TopLevelSpec | null;
  skipped: string | null;
}

/** One run of an LLM compare: its label (base, a variant's name, a file's stem), scenario, results and timeline. */
export interface LlmCompareRun {
  label: string;
  sc: LlmScenario;
  results: LlmResults;
  timeline: readonly LlmTimelineRow[];
}

/** The vega-lite specs of an LLM run's time charts, in page order (the report renders them to SVG). */
export function llmChartSpecs(sc: LlmScenario, r: LlmResults, timeline: readonly LlmTimelineRow[], maxPoints = MAX_CHART_POINTS): LlmChartSpec[] {
  return chartSpecs([{ label: sc.name, sc, results: r, timeline }], false, maxPoints);
}

/**
 * The time charts of several LLM runs overlaid (colour = run, dash = series), in page order: a
 * chart is left out only when every run leaves it out; the time axis spans the longest run; the
 * SLO lines are the runs' distinct targets, once each.
 */
export function llmCompareChartSpecs(runs: readonly LlmCompareRun[], maxPoints = MAX_CHART_POINTS): LlmChartSpec[] {
  return chartSpecs(runs, true, maxPoints);
}

/** One run's charts (`overlay` false: colour = series) or several runs' overlaid (`overlay` true). */
function chartSpecs(runs: readonly LlmCompareRun[], overlay: boolean, maxPoints: number): LlmChartSpec[] {
  const sampled = runs.map((x) => ({ ...downsampleRows(matrix(x.timeline), 0, FIELDS, maxPoints), label: x.label }));
  const axis = timeAxis(Math.max(0, ...runs.map((x) => x.sc.spec.durationS)));
  const markers = dedupeMarkers(runs.flatMap((x) => llmMarkers(x.sc)));
  const k = Math.max(1, ...sampled.map((x) => x.intervalsPerPoint));
  return LLM_CHARTS.map((def) => {
    const skips = runs.map((x) => def.skip(x.sc, x.results, x.timeline));
    if (skips.every((why) => why !== null)) {
      // several runs: "no preemption in this run" is true of each of them
      const why = [...new Set(skips)].map((w) => (runs.length > 1 ? w.replace(/ in this run$/, ' in any run') : w));
      return { id: def.id, title: def.title, note: def.note, spec: null, skipped: why.join('; ') };
    }
    // each distinct target once (compared runs usually share them)
    const rules = new Map<string, { valueY: number; label: string }>();
    if (def.slo !== undefined) {
      for (const x of runs) {
        for (const t of x.results.slo.targets) {
          const label = `SLO ${t.percentile} ${trimNumber(t.targetMs)} ms`;
          if (t.metric === def.slo && !rules.has(label)) rules.set(label, { valueY: t.targetMs, label });
        }
      }
    }
    let note = def.note;
    if (markers.length > 0) note += ` Shaded: ${[...new Set(markers.map((m) => m.legend))].join(', ')}.`;
    if (k > 1) note += ` Each point summarises up to ${k} report intervals: ${def.downsampled}.`;
    return { id: def.id, title: def.title, note, spec: lineChartSpec(def, sampled, [...rules.values()], axis, overlay, markers), skipped: null };
  });
}

const METRIC_NAMES: Record<LlmMetric, string> = { ttft: 'TTFT', tpot: 'TPOT', itl: 'ITL', e2e: 'E2E' };

/** A duration in ms as the cards show it: ms below a second, seconds from there. */
function dur(v: number): string {
  return v >= 1000 ? `${fmt(v / 1000, 2)} s` : ms(v);
}

/** The card of one latency metric's p99, with the verdict of its SLO targets (any percentile). */
function latencyCard(metric: LlmMetric, stats: LatencyStats, r: LlmResults): string {
  const targets = r.slo.targets.filter((t) => t.metric === metric);
  const note = targets.length === 0 ? `p50 ${dur(stats.p50)}, no SLO set` : targets.map((t) => `SLO ${t.percentile} ≤ ${dur(t.targetMs)}: ${t.met ? 'met' : 'missed'}${t.percentile !== 'p99' ? ` (${dur(t.actualMs)})` : ''}`).join('; ');
  const cls = targets.length === 0 ? '' : targets.every((t) => t.met) ? ' met' : ' missed';
  return cardHtml(`${metric}-p99`, `${METRIC_NAMES[metric]} p99`, r.requests.completed > 0 ? dur(stats.p99) : '—', note, cls);
}

/** The percentiles of TTFT, TPOT, ITL and E2E, one row each. */
function percentilesTable(r: LlmResults): string {
  const keys = ['mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
  const rows = (['ttft', 'tpot', 'itl', 'e2e'] as const).map((m) => {
    const st = r[`${m}Ms`];
    const targets = r.slo.targets.filter((t) => t.metric === m);
    const cells = keys.map((k) => {
      const t = targets.find((x) => x.percentile === k);
      return `<td${t ? ` class="${t.met ? 'met' : 'missed'}"` : ''} data-stat="${m}.${k}">${escapeHtml(ms(st[k]))}</td>`;
    });
    return `<tr><td class="text">${METRIC_NAMES[m]}</td>${cells.join('')}</tr>`;
  });
  return [
    `<div class="table-wrap"><table class="data percentiles">`,
    `<thead><tr><th class="text">metric</th>${keys.map((k) => `<th>${k}</th>`).join('')}</tr></thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
  ].join('\n');
}

/** The SLO targets, one row each: metric, percentile, target, actual and verdict. */
function sloTable(r: LlmResults): string {
  if (r.slo.targets.length === 0) return `<p class="meta">No SLO set (slo: { ttft: { p99: 2s }, tpot: { p99: 50ms } } sets one).</p>`;
  const rows = r.slo.targets.map(
    (t) =>
      `<tr><td class="text">${METRIC_NAMES[t.metric]} ${t.percentile}</td><td>≤ ${escapeHtml(ms(t.targetMs))}</td><td>${escapeHtml(ms(t.actualMs))}</td><td class="text ${t.met ? 'met' : 'missed'}" data-slo="${t.metric}.${t.percentile}">${t.met ? 'met' : 'missed'}</td></tr>`,
  );
  return [`<div class="table-wrap"><table class="data slo">`, `<thead><tr><th class="text">SLO</th><th>target</th><th>actual</th><th class="text">verdict</th></tr></thead>`, `<tbody>`, ...rows, `</tbody></table></div>`].join('\n');
}

/**
 * An LLM run with regions: a row per region (the terminal regions table's columns, report/llm-regions.ts;
 * TTFT and E2E include the users' round trip) and each outage's timing (regions.ts failoverReport).
 */
function regionsSection(out: LlmRegionsOutput): string[] {
  const head = ['region', 'share', 'arrived', 'completed', 'rejected', 'in flight', 'TTFT p99', 'TPOT p99', 'E2E p99', 'SLO', 'replicas (mean)', 'cold starts', 'cost'];
  const rows = out.regions.map((g) => {
    const x = g.results;
    const cells = [pct(g.arrivedShare), fmt(x.requests.arrived, 0), fmt(x.requests.completed, 0), fmt(x.requests.rejected, 0), fmt(x.requests.inFlightAtEnd, 0), dur(x.ttftMs.p99), dur(x.tpotMs.p99), dur(x.e2eMs.p99)];
    const slo = x.slo.targets.length === 0 ? '<td class="text">—</td>' : `<td class="text ${x.slo.met ? 'met' : 'missed'}">${x.slo.met ? 'met' : 'missed'}</td>`;
    const tail = [fmt(x.replicasStats.mean, 2), fmt(x.replicasStats.coldStarts, 0), usd(x.costUsd + g.interRegionUsd)];
    return `<tr data-region="${escapeHtml(g.name)}"><td class="text">${escapeHtml(g.name)}</td>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}${slo}${tail.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const at = (v: number | null): string => (v === null ? 'never' : `${fmt(v, 0)} s`);
  const outages = out.outages.map(
    (o) => `<li>outage of <b>${escapeHtml(o.region)}</b> at ${at(o.atS)}: detected ${at(o.detectedAtS)}, traffic moved ${at(o.trafficMovedAtS)}, recovered ${at(o.recoveredAtS)}${o.recoveryS === null ? '' : ` (${fmt(o.recoveryS, 0)} s after it)`}, ${fmt(o.failedRequests, 0)} failed requests</li>`,
  );
  return [
    `<h2>Regions</h2>`,
    `<div class="table-wrap"><table class="data regions">`,
    `<thead><tr>${head.map((h, i) => `<th${i === 0 || h === 'SLO' ? ' class="text"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
    `<p class="meta">TTFT and E2E include the users' round trip to the region; cost is GPU time plus inter-region transfer (${escapeHtml(usd(out.interRegionUsd))} in all). Each region's timeline is timeline-&lt;region&gt;.csv; the charts show the whole run.</p>`,
    ...(outages.length > 0 ? [`<ul class="runs outages">`, ...outages, `</ul>`] : []),
  ];
}

/** What the fleet is, in one line. */
function fleetLine(sc: LlmScenario): string {
  const s = sc.spec;
  const scaling = s.kpa ? `, KPA on ${s.kpa.metric} (target ${trimNumber(s.kpa.target)} per replica, ${s.kpa.minReplicas}–${s.kpa.maxReplicas} replicas)` : s.autoscaler ? `, HPA on ${s.autoscaler.hpa.metrics[0]?.name ?? '?'} (${s.autoscaler.hpa.minReplicas}–${s.autoscaler.hpa.maxReplicas} replicas)` : '';
  return `${s.replicas} replica(s) × ${s.tensorParallel} GPU, routing ${s.routing}, maxNumSeqs ${s.engine.maxNumSeqs}, maxNumBatchedTokens ${s.engine.maxNumBatchedTokens}${scaling}`;
}

/** report.html of one LLM run. */
export async function renderLlmRunReport(input: { sc: LlmScenario; results: LlmResults; timeline: readonly LlmTimelineRow[]; version: string; command: string; regions?: LlmRegionsOutput }): Promise<string> {
  const { sc, results: r, timeline, version, command } = input;
  const s = sc.spec;
  const charts: RenderedChart[] = [];
  for (const c of llmChartSpecs(sc, r, timeline)) charts.push({ id: c.id, title: c.title, note: c.note, svg: c.spec === null ? null : await renderSvg(c.spec), skipped: c.skipped });
  const judged = r.slo.targets.length > 0;
  const gpuHours = (r.replicasStats.mean * s.durationS * s.tensorParallel) / 3600;
  const cards = [
    ...(['ttft', 'tpot', 'itl', 'e2e'] as const).map((m) => latencyCard(m, r[`${m}Ms`], r)),
    cardHtml('goodput', 'goodput', `${fmt(r.goodputRps, 2)} req/s`, `of ${fmt(r.throughputRps, 2)} req/s completed (${r.throughputRps > 0 ? pct(r.goodputRps / r.throughputRps, 1) : '—'} meet every SLO)`, judged ? (r.slo.met ? ' met' : ' missed') : ''),
    cardHtml('output-tokens', 'output tokens/s', fmt(r.outputTokensPerS, 0), `input ${fmt(r.inputTokensPerS, 0)} tokens/s`),
    cardHtml('kv-utilization', 'KV-cache utilization', pct(r.kvUtilization.mean), `mean; peak ${pct(r.kvUtilization.peak)} of ${fmt(r.numGpuBlocks, 0)} blocks per replica`),
    cardHtml('preemptions', 'preemptions', fmt(r.preemptions, 0), 'requests evicted and recomputed', r.preemptions > 0 ? ' warn' : ''),
    cardHtml('prefix-hit-rate', 'prefix-cache hit rate', s.engine.enablePrefixCaching ? pct(r.prefixHitRate) : '—', s.engine.enablePrefixCaching ? 'prompt tokens found cached' : 'prefix caching off'),
    cardHtml('replicas', 'replicas (mean)', fmt(r.replicasStats.mean, 2), `lowest ${r.replicasStats.min}, highest ${r.replicasStats.max}, cold starts ${r.replicasStats.coldStarts}`),
    cardHtml('mean-batch', 'mean batch', fmt(r.meanBatchSequences, 1), `sequences per step; engine busy ${pct(r.busyShare)}`),
    cardHtml('arrived', 'requests arrived', fmt(r.requests.arrived, 0), 'after warmup'),
    cardHtml('completed', 'completed', fmt(r.requests.completed, 0), `in flight at the end ${fmt(r.requests.inFlightAtEnd, 0)}`),
    cardHtml('rejected', 'rejected', fmt(r.requests.rejected, 0), 'longer than the KV cache holds', r.requests.rejected > 0 ? ' warn' : ''),
  ];
  const costCards = [
    cardHtml('cost', 'cost (run)', usd(r.costUsd), `${fmt(gpuHours, 3)} GPU-hours at ${usd(s.pricePerGpuHour)} per GPU-hour`),
    cardHtml('monthly-cost', 'cost per month', usd(r.monthlyUsd), 'at this run\u2019s mean replica count'),
    cardHtml('cost-per-million-tokens', 'per million tokens', usd(r.costPerMillionTokens), 'after warmup, input + output tokens of completed requests'),
    cardHtml('idle-cost', 'idle GPU time', usd(r.costUsd * (1 - r.busyShare)), `${pct(1 - r.busyShare)} of the billed time without a step running`),
  ];
  const body = [
    `<header>`,
    `<h1>${escapeHtml(sc.name)}</h1>`,
    `<p class="meta">LLM scenario · seed <b>${s.seed}</b> · infersim <b>${escapeHtml(version)}</b> · ${escapeHtml(fmt(s.durationS, 1))} s simulated (warmup ${escapeHtml(fmt(s.warmupS, 1))} s) · ${escapeHtml(fleetLine(sc))}</p>`,
    `<ul class="runs">`,
    ...sc.notes.map((n) => `<li>${escapeHtml(n)}</li>`),
    `</ul>`,
    commandBlock(command),
    `</header>`,
    ...sc.warnings.map((w) => `<div class="banner warning">warning: ${escapeHtml(w)}</div>`),
    `<h2>Summary</h2>`,
    `<section class="cards">`,
    ...cards,
    `</section>`,
    ...(input.regions ? regionsSection(input.regions) : []),
    `<h2>Latency percentiles</h2>`,
    percentilesTable(r),
    `<h2>SLO</h2>`,
    sloTable(r),
    `<h2>Cost</h2>`,
    `<section class="cards">`,
    ...costCards,
    `</section>`,
    chartsSection('Over time', charts),
  ];
  return page(`infersim report: ${sc.name}`, body, version);
}

/** A column of the LLM compare table: its value in one run (null where it does not apply), format, and which way is better. */
interface LlmCompareColumn {
  id: string;
  label: string;
  value: (x: LlmCompareRun) => number | null;
  format: (v: number) => string;
  better: 'lower' | 'higher' | null;
  /** The p99 column of this metric: marked met/missed where the run has an SLO target on its p99. */
  slo?: LlmMetric;
}

/** A latency column: the p99 of a run with completions. */
const p99Column = (m: LlmMetric): LlmCompareColumn => ({
  id: `${m}-p99`,
  label: `${METRIC_NAMES[m]} p99`,
  value: (x) => (x.results.requests.completed > 0 ? x.results[`${m}Ms`].p99 : null),
  format: dur,
  better: 'lower',
  slo: m,
});

/** A run's cost figures exist when it has a GPU price (the cost chart's test). */
const priced = (x: LlmCompareRun): boolean => x.results.costUsd > 0;

/** The compare table's columns before the SLO verdict (the latencies) and after it. */
const COMPARE_LATENCIES: LlmCompareColumn[] = (['ttft', 'tpot', 'itl', 'e2e'] as const).map(p99Column);
const COMPARE_COLUMNS: LlmCompareColumn[] = [
  { id: 'goodput', label: 'goodput req/s', value: (x) => x.results.goodputRps, format: (v) => fmt(v, 2), better: 'higher' },
  { id: 'output-tokens', label: 'output tokens/s', value: (x) => x.results.outputTokensPerS, format: (v) => fmt(v, 0), better: 'higher' },
  { id: 'preemptions', label: 'preemptions', value: (x) => x.results.preemptions, format: (v) => fmt(v, 0), better: 'lower' },
  { id: 'kv-mean', label: 'KV utilization mean', value: (x) => x.results.kvUtilization.mean, format: (v) => pct(v), better: null },
  { id: 'kv-peak', label: 'KV utilization peak', value: (x) => x.results.kvUtilization.peak, format: (v) => pct(v), better: null },
  { id: 'replicas', label: 'replicas mean', value: (x) => x.results.replicasStats.mean, format: (v) => fmt(v, 2), better: null },
  { id: 'cold-starts', label: 'cold starts', value: (x) => x.results.replicasStats.coldStarts, format: (v) => fmt(v, 0), better: null },
  { id: 'monthly-cost', label: 'cost per month', value: (x) => (priced(x) ? x.results.monthlyUsd : null), format: usd, better: 'lower' },
  { id: 'cost-per-million-tokens', label: 'cost per million tokens', value: (x) => (priced(x) && x.results.requests.completed > 0 ? x.results.costPerMillionTokens : null), format: usd, better: 'lower' },
];

/** The SLO targets of a run in words ("TTFT p99 ≤ 2 s, TPOT p99 ≤ 50 ms"), '' without any. */
function targetsText(r: LlmResults): string {
  return r.slo.targets.map((t) => `${METRIC_NAMES[t.metric]} ${t.percentile} ≤ ${dur(t.targetMs)}`).join(', ');
}

/** The runs' warnings, each text once, naming the runs it concerns ("every run" when all of them). */
function compareWarnings(runs: readonly LlmCompareRun[], labels: readonly string[]): string[] {
  const who = new Map<string, string[]>();
  runs.forEach((x, i) => {
    for (const w of x.sc.warnings) who.set(w, [...(who.get(w) ?? []), labels[i]!]);
  });
  return [...who].map(([w, ls]) => `<div class="banner warning">${escapeHtml(ls.length === runs.length && runs.length > 1 ? 'every run' : ls.join(', '))}: warning: ${escapeHtml(w)}</div>`);
}

/**
 * report.html of `compare` on LLM files: the request-level compare page (html.ts
 * renderCompareReport) for LLM runs: a row per run with the p99 of TTFT, TPOT, ITL and E2E (each
 * marked met or missed where the run has a p99 SLO on it), the verdict, goodput, tokens, KV cache,
 * replicas and cost, the best value per column highlighted; then every LLM chart with the runs
 * overlaid (colour = run).
 */
export async function renderLlmCompareReport(input: { runs: readonly LlmCompareRun[]; version: string; command: string }): Promise<string> {
  const { version, command } = input;
  const labels = uniqueLabels(input.runs.map((x) => x.label));
  const runs = input.runs.map((x, i) => ({ ...x, label: labels[i]! }));
  const charts: RenderedChart[] = [];
  for (const c of llmCompareChartSpecs(runs)) charts.push({ id: c.id, title: c.title, note: c.note, svg: c.spec === null ? null : await renderSvg(c.spec), skipped: c.skipped });
  const present = (cols: LlmCompareColumn[]): LlmCompareColumn[] => cols.filter((c) => runs.some((x) => c.value(x) !== null));
  const latencies = present(COMPARE_LATENCIES);
  const rest = present(COMPARE_COLUMNS);
  const best = new Map([...latencies, ...rest].map((c) => [c.id, bestOf(runs.map(c.value), c.better, c.format)]));
  const cell = (c: LlmCompareColumn, x: LlmCompareRun, i: number): string => {
    const v = c.value(x);
    const target = c.slo === undefined ? undefined : x.results.slo.targets.find((t) => t.metric === c.slo && t.percentile === 'p99');
    const cls = [best.get(c.id)!.has(i) ? 'best' : '', target === undefined ? '' : target.met ? 'met' : 'missed'].filter((k) => k !== '').join(' ');
    return `<td${cls ? ` class="${cls}"` : ''} data-col="${c.id}">${v === null ? '—' : escapeHtml(c.format(v))}</td>`;
  };
  const verdict = (r: LlmResults): string => {
    if (r.slo.targets.length === 0) return '<td class="text" data-col="slo">none</td>';
    const word = r.slo.met ? 'met' : 'missed';
    return `<td class="text" data-col="slo"><span class="badge ${word}">${word}</span></td>`;
  };
  const head = `<tr><th class="text">variant</th>${latencies.map((c) => `<th>${escapeHtml(c.label)}</th>`).join('')}<th class="text">SLO</th>${rest.map((c) => `<th>${escapeHtml(c.label)}</th>`).join('')}</tr>`;
  const rows = runs.map((x, i) => `<tr data-run="${escapeHtml(x.label)}"><td class="text">${escapeHtml(x.label)}</td>${latencies.map((c) => cell(c, x, i)).join('')}${verdict(x.results)}${rest.map((c) => cell(c, x, i)).join('')}</tr>`);
  const targets = [...new Set(runs.map((x) => targetsText(x.results)))];
  const slo = targets.length === 1 ? targets[0] || 'none' : 'each run\u2019s own (a p99 cell is green where its target is met, red where it is missed)';
  const names = [...new Set(runs.map((x) => x.sc.name))];
  const title = `Compare: ${names.join(' vs ')}`;
  const body = [
    `<header>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${runs.length} runs · infersim <b>${escapeHtml(version)}</b></p>`,
    `<ul class="runs">`,
    ...runs.map((x) => `<li><b>${escapeHtml(x.label)}</b>: ${escapeHtml(x.sc.name)}, seed ${x.sc.spec.seed}, ${escapeHtml(fmt(x.sc.spec.durationS, 1))} s simulated, ${escapeHtml(fleetLine(x.sc))}</li>`),
    `</ul>`,
    commandBlock(command),
    `</header>`,
    ...compareWarnings(runs, labels),
    `<h2>Summary</h2>`,
    `<p class="meta">Best value per column highlighted. SLO: ${escapeHtml(slo)}. Latencies of the requests that arrived after warmup; cost per month at each run\u2019s mean replica count.</p>`,
    `<div class="table-wrap"><table class="data compare llm">`,
    `<thead>${head}</thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table></div>`,
    chartsSection('Over time (colour = variant)', charts),
  ];
  return page(`infersim compare: ${names.join(' vs ')}`, body, version);
}
