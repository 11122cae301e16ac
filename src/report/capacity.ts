/** The terminal answer of `infersim capacity`. */
import type { CapacityDocument } from '../analysis/max-load.js';
import type { Summary } from '../metrics/summary.js';
import type { Scenario } from '../config/scenario.js';
import { fmt, pct, usd } from './format.js';
import { alignTable } from './table.js';

function sloText(sc: Scenario, margin: number): string {
  const parts: string[] = [];
  for (const [p, s] of Object.entries(sc.slo.latencyS)) parts.push(`${p} ≤ ${fmt(s * 1e3 * (1 - margin), 2)} ms${margin > 0 ? ` (target less ${pct(margin, 0)})` : ''}`);
  if (sc.slo.maxErrorRate !== null) parts.push(`error rate ≤ ${pct(sc.slo.maxErrorRate, 3)}`);
  return parts.join(', ');
}

/** The terminal answer of `infersim capacity`: the SLO held, the multiplier with its spread, the figures at it. */
export function formatCapacity(sc: Scenario, doc: CapacityDocument): string {
  const lines: string[] = [];
  lines.push(`capacity: ${sc.name} — the most traffic this fleet carries within the SLO, as traffic.scale × the file's traffic${doc.partial ? ' (INTERRUPTED)' : ''}`);
  lines.push(`  SLO: ${sloText(sc, doc.margin)}${doc.maxUtilization !== null ? `, GPU utilization ≤ ${pct(doc.maxUtilization)}` : ''}`);
  lines.push('');
  const x = (v: number | null): string => (v === null ? '—' : `×${fmt(v, 3)}`);
  const rows: string[][] = [];
  if (doc.scale === null) {
    rows.push(['capacity', 'none: the SLO is missed even at ×1/1024 of the traffic at some seed']);
  } else {
    rows.push(['capacity', `${x(doc.scale)}${doc.atLeast ? ' or more (never missed up to ×1024)' : ''} holds at every one of ${doc.seeds.length} seed(s)`]);
    if (doc.seeds.length > 1 && doc.mean !== null) {
      rows.push(['', `per seed ${doc.perSeed.map(x).join(', ')}; mean ${x(doc.mean)}, 95 % CI ${doc.lo === null ? '—' : `${x(doc.lo)}–${x(doc.hi)}`}`]);
    }
    if (doc.capacityPeakRps !== null && doc.peakRps !== null) rows.push(['peak rate', `${fmt(doc.capacityPeakRps, 1)} req/s (the file's peak ${fmt(doc.peakRps, 1)} req/s × ${fmt(doc.scale, 3)})`]);
    if (doc.capacityMeanRps !== null) rows.push(['mean rate', `${fmt(doc.capacityMeanRps, 1)} req/s arrived after warmup (seed ${doc.summary!.seed})`]);
    const s = doc.summary;
    if (s !== null) {
      rows.push(['at it', `p99 ${fmt(s.latencyMs.p99, 2)} ms, attainment ${pct(s.slo.attainment, 2)}, GPUs ${pct(s.gpu.utilization)} busy, ${usd(s.cost.monthlyUsd)}/month`]);
    }
  }
  rows.push(['precision', `bisection to ${pct(doc.tolerance, 1)} between the largest multiplier met and the smallest missed, per seed`]);
  rows.push(['runs', `${doc.runs} simulation(s)`]);
  lines.push(alignTable(rows, '  '));
  return lines.join('\n');
}

/** The log line of one probe of the search: the seed, the multiplier, whether it met, and the figures that decided. */
export function capacityProbeLine(seed: number, scale: number, met: boolean, s: Summary): string {
  return `capacity: seed ${seed}: ×${fmt(scale, 4)} ${met ? 'meets' : 'misses'} (p99 ${fmt(s.latencyMs.p99, 2)} ms, GPUs ${pct(s.gpu.utilization)} busy)`;
}
