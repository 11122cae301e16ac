/** The terminal summary of one run: its tables (units in the labels), the closed-form companions and the SLO verdict line. */
import type { ModelSummary, SharingSummary, Summary } from '../metrics/summary.js';
import { PERCENTILES } from '../metrics/round.js';
import { failedByText } from '../metrics/slo.js';
import type { Scenario, SloPercentile } from '../config/scenario.js';
import { fmt, pct, usd } from './format.js';
import { alignTable, paint, PLAIN, wrapText, type TerminalStyle } from './table.js';

/** The terminal summary of one run. */
export function formatSummary(s: Summary, sc: Scenario, style: TerminalStyle = PLAIN, overrides: readonly string[] = []): string {
  if (s.models !== undefined && s.sharing !== undefined) return formatModelsSummary(s, s.models, s.sharing, sc, style, overrides);
  const lines: string[] = [];
  const title = runTitle(s, overrides);
  const where = sc.fleet.gpu ? `${sc.fleet.gpu}${sc.fleet.mig ? ` (MIG ${sc.fleet.mig})` : ''}` : 'custom latency table';
  lines.push(`${title}`);
  lines.push(
    `  ${fmt(s.simulatedSeconds, 1)} s simulated (warmup ${fmt(sc.warmupS, 1)} s), seed ${s.seed}, ` +
      `${sc.fleet.replicas} replica(s) on ${where}, routing ${sc.fleet.routing}, maxBatch ${sc.fleet.batching.maxBatch}`,
  );
  const q = s.requests;
  lines.push('');
  lines.push(
    alignTable([
      ['requests', 'arrived', 'completed', 'rejected', 'timed out', 'in flight', 'throughput'],
      ['', fmt(q.arrived, 0), fmt(q.completed, 0), fmt(q.rejected, 0), fmt(q.timedOut, 0), fmt(q.inFlightAtEnd, 0), `${fmt(s.throughputRps, 1)} /s`],
    ], '  '),
  );
  lines.push('');
  const l = s.latencyMs;
  lines.push(
    alignTable([
      ['latency', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
      // nothing completed: no latency to show (summary.json keeps 0s, its fields are numbers), not "0 ms"
      q.completed === 0
        ? ['ms', '—', '—', '—', '—', '—', '—', '—  (no request completed)']
        : ['ms', fmt(l.mean, 3), fmt(l.p50, 3), fmt(l.p90, 3), fmt(l.p95, 3), fmt(l.p99, 3), fmt(l.p999, 3), fmt(l.max, 3)],
    ], '  '),
  );
  lines.push('');
  lines.push(
    alignTable([
      ['gpu', 'utilization', 'effective', 'mean batch', 'replicas (mean)'],
      ['', pct(s.gpu.utilization), pct(s.gpu.effectiveUtilization), fmt(s.gpu.meanBatchSize, 2), fmt(s.replicas.mean, 2)],
    ], '  '),
  );
  const ch = s.cache;
  if (ch !== null) {
    const windowS = Math.max(1e-9, s.simulatedSeconds - sc.warmupS);
    lines.push('');
    lines.push(
      alignTable([
        ['cache', 'hit rate', 'stale hits', 'delayed hits', 'misses/s', 'peak misses/s', 'GPU req. saved'],
        ['', pct(ch.hitRate), fmt(ch.staleHits, 0), fmt(ch.delayedHits, 0), fmt(ch.misses / windowS, 1), fmt(ch.peakMissRatePerS, 1), fmt(ch.gpuRequestsSaved, 0)],
      ], '  '),
    );
  }
  lines.push('');
  lines.push(...costLines(s, sc, 'fleet.gpu'));
  lines.push('');
  lines.push(...analyticLines(s));
  lines.push('');
  lines.push(colorVerdict(verdictLine(s), s, style.color));
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return wrapText(lines.join('\n'), style.width);
}

/** The cost table, and a hint when there is no GPU price (`gpuField`: where the user sets the GPU). */
function costLines(s: Summary, sc: Scenario, gpuField: string): string[] {
  const c = s.cost;
  const lines = [
    alignTable([
      ['cost', 'total', 'gpu', 'idle gpu', 'cache', 'egress', 'per 1M req', 'monthly'],
      ['USD', usd(c.totalUsd), usd(c.gpuUsd), usd(c.idleGpuUsd), usd(c.cacheUsd), usd(c.egressUsd), usd(c.perMillionRequestsUsd), usd(c.monthlyUsd)],
    ], '  '),
  ];
  if (sc.cost.gpuHourlyUsd === null) lines.push(`  (no GPU price: set ${gpuField} from the catalog or cost.gpuHourly)`);
  return lines;
}

/** A run's name as tables and reports show it: scenario [variant] (the --set overrides), so two runs of one file differ. */
export function runTitle(s: Summary, overrides: readonly string[] = []): string {
  const name = s.variant ? `${s.scenario} [${s.variant}]` : s.scenario;
  const shown = overrides.filter((o) => !o.startsWith('seed='));
  return shown.length > 0 ? `${name} (${shown.join(', ')})` : name;
}

/** The verdict line with MET in green and MISSED in red. */
export function colorVerdict(line: string, s: Summary, on: boolean): string {
  if (!on || (Object.keys(s.slo.target).length === 0 && s.models === undefined)) return line;
  return line.replace(/^SLO (MET|MISSED)/, (_m, v: string) => `SLO ${paint(v, v === 'MET' ? 'green' : 'red', true)}`);
}

/** One line: the SLO verdict, which part failed (latency, errors or both), and the numbers that decide it. */
export function verdictLine(s: Pick<Summary, 'slo' | 'latencyMs' | 'requests'>): string {
  const t = s.slo.target;
  const failed = s.requests.rejected + s.requests.timedOut;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(t)) {
    if (k === 'maxErrorRate') parts.push(`error rate ${pct(s.slo.errorRate, 3)} vs ≤ ${pct(v, 3)}`);
    else {
      const name = k.replace(/Ms$/, '') as SloPercentile;
      const completions = s.latencyMs[name];
      const withFailures = s.slo.withFailuresMs[name];
      if (withFailures === null && failed > 0) {
        const allowed = 1 - (PERCENTILES.find(([n]) => n === name)?.[1] ?? 1);
        parts.push(`${name} beyond target (${pct(s.slo.errorRate, 3)} failed, more than the ${pct(allowed, 1)} a ${name} allows; completions alone ${fmt(completions, 2)} ms) vs ≤ ${fmt(v, 2)} ms`);
      } else if (withFailures === null) parts.push(`${name}: nothing finished vs ≤ ${fmt(v, 2)} ms`);
      else if (failed > 0 && withFailures !== completions) {
        parts.push(`${name} ${fmt(withFailures, 2)} ms counting the ${pct(s.slo.errorRate, 3)} failed (completions alone ${fmt(completions, 2)} ms) vs ≤ ${fmt(v, 2)} ms`);
      } else parts.push(`${name} ${fmt(withFailures, 2)} ms vs ≤ ${fmt(v, 2)} ms`);
    }
  }
  if (parts.length === 0) return `SLO: none set (attainment ${pct(s.slo.attainment, 2)} of requests completed)`;
  const head = s.slo.met ? 'MET' : s.slo.failedBy === null ? 'MISSED' : `MISSED (${failedByText(s.slo.failedBy)})`;
  return `SLO ${head}: ${parts.join(', ')}; attainment ${pct(s.slo.attainment, 2)}`;
}

/** The closed-form companions beside the simulated answer, and where they disagree. */
export function analyticLines(s: Summary): string[] {
  const a = s.analytic;
  const out: string[] = [];
  if (a === null) return out;
  const peak = a.peakRps === null ? 'trace replay' : `peak ${fmt(a.peakRps, 0)} req/s`;
  out.push(`  analytic (${peak}): one replica serves at most ${fmt(a.maxRpsPerReplica, 0)} req/s at full batches`);
  if (a.textbookReplicas !== null) {
    out.push(
      `    textbook rule ceil(peak × latency / ${a.targetUtilization} / batch) = ${a.textbookReplicas} replica(s); simulated fleet: ${fmt(s.replicas.mean, 1)} on average, ${s.replicas.max} at most`,
    );
  }
  if (a.textbookReplicasBehindCache !== null && a.cacheHitRate !== null) {
    const simulated = s.cache ? `; simulated ${pct(s.cache.hitRate)}` : '';
    out.push(`    behind the cache (estimated hit rate ${pct(a.cacheHitRate)}${simulated}): the rule gives ${a.textbookReplicasBehindCache} replica(s)`);
  }
  if (a.erlangC) {
    out.push(
      `    Erlang C without batching (M/M/${a.erlangC.replicas}): utilization ${pct(a.erlangC.utilization)}, P(wait) ${pct(a.erlangC.probWait)}, p99 ${fmt(a.erlangC.p99Ms, 2)} ms (simulated ${fmt(s.latencyMs.p99, 2)} ms)`,
    );
  } else if (a.peakRps !== null && a.peakRps > 0) {
    out.push('    Erlang C without batching: unstable at the peak with these replicas (batching is what makes it work)');
  }
  return out;
}

/** Where a model's replicas run, in one cell: its GPU (dedicated), its MIG profile (mig) or the shared GPUs. */
function placement(sh: SharingSummary, plan: { fleet: { gpu: string | null; mig: string | null } } | undefined): string {
  if (sh.mode === 'shared') return `shared ${sh.gpu ?? ''}`.trim();
  const f = plan?.fleet;
  if (f === undefined) return '';
  return f.mig !== null ? `${f.mig}` : (f.gpu ?? 'custom table');
}

/** The terminal summary of a several-model run: one row per model, the GPUs and who used them, the cost, the verdict per model. */
function formatModelsSummary(s: Summary, models: readonly ModelSummary[], sh: SharingSummary, sc: Scenario, style: TerminalStyle, overrides: readonly string[]): string {
  const lines: string[] = [];
  const plans = sc.topology?.kind === 'models' ? sc.topology.models : [];
  const how =
    sh.mode === 'dedicated'
      ? 'each on GPUs of its own'
      : sh.mode === 'mig'
        ? `MIG: each ${sh.gpu} cut as ${(sh.layout ?? []).join(' + ')}`
        : sh.scaling === 'per-model'
          ? `time-sliced ${sh.gpu} GPUs, each model scaling on its own (${fmt(sh.gpus.min, 0)}–${fmt(sh.gpus.max, 0)} GPUs)`
          : `one server for all on ${sh.gpus.max} × ${sh.gpu}`;
  lines.push(runTitle(s, overrides));
  lines.push(`  ${fmt(s.simulatedSeconds, 1)} s simulated (warmup ${fmt(sc.warmupS, 1)} s), seed ${s.seed}, ${models.length} models, ${how}`);
  lines.push('');
  const rows: string[][] = [['model', 'on', 'replicas', 'completed', 'failed', 'req/s', 'p50 ms', 'p99 ms', 'util', 'cost', 'SLO']];
  models.forEach((m, i) => {
    const q = m.requests;
    const done = q.completed > 0;
    rows.push([
      m.name,
      placement(sh, plans[i]),
      fmt(m.replicas.mean, 2),
      fmt(q.completed, 0),
      fmt(q.rejected + q.timedOut, 0),
      fmt(m.throughputRps, 1),
      done ? fmt(m.latencyMs.p50, 2) : '—',
      done ? fmt(m.latencyMs.p99, 2) : '—',
      pct(m.gpu.utilization),
      usd(m.costUsd),
      Object.keys(m.slo.target).length === 0 ? 'none set' : m.slo.met ? 'met' : `missed (${failedByText(m.slo.failedBy ?? 'both')})`,
    ]);
  });
  const q = s.requests;
  rows.push(['all', '', '', fmt(q.completed, 0), fmt(q.rejected + q.timedOut, 0), fmt(s.throughputRps, 1), fmt(s.latencyMs.p50, 2), fmt(s.latencyMs.p99, 2), '', usd(s.cost.totalUsd), s.slo.met ? 'met' : 'missed']);
  lines.push(alignTable(rows, '  '));
  lines.push('');
  lines.push(
    alignTable([
      ['gpus', 'billed (mean)', 'min', 'max', 'GPU-h', 'charged to models', 'idle (unused)', 'idle cost'],
      ['', fmt(sh.gpus.mean, 2), fmt(sh.gpus.min, 0), fmt(sh.gpus.max, 0), fmt(sh.gpuHours, 3), fmt(sh.attributedGpuHours, 3), fmt(sh.idleGpuHours, 3), usd(sh.idleUsd)],
    ], '  '),
  );
  if (sh.perGpu !== null && sh.perGpu.length > 0) {
    const what = sh.mode === 'mig' ? 'slices held' : 'busy';
    const shown = sh.perGpu.slice(0, 8).map((g) => {
      const by = Object.entries(g.models).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${pct(v)}`).join(', ');
      return `GPU ${g.gpu} ${pct(g.utilization)} ${what}${by ? ` (${by})` : ''}`;
    });
    lines.push(`  per GPU: ${shown.join('; ')}${sh.perGpu.length > 8 ? `; … ${sh.perGpu.length - 8} more in summary.json` : ''}`);
  }
  lines.push('');
  lines.push(...costLines(s, sc, 'the GPU'));
  lines.push('');
  const judged = models.filter((m) => Object.keys(m.slo.target).length > 0);
  const each = judged.map((m) => `${m.name}: ${verdictLine(m).replace(/^SLO /, '')}`);
  const head = judged.length === 0 ? 'SLO: none set' : s.slo.met ? 'SLO MET: every model meets its own' : `SLO MISSED (${failedByText(s.slo.failedBy ?? 'both')}): not every model meets its own`;
  lines.push(colorVerdict(head, s, style.color));
  for (const e of each) lines.push(`  ${e}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return wrapText(lines.join('\n'), style.width);
}
