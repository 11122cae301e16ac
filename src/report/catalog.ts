/**
 * Plain-text rendering of the built-in catalog for `infersim catalog`: GPUs with prices
 * and their sources, MIG geometry, and every profile's batch → latency table.
 */
import { allGpus, MIG_COMPUTE_SLICES, MIG_MEMORY_SLOTS } from '../catalog/gpus.js';
import { allProfiles, MIG_BATCH1_EXPONENT } from '../catalog/profiles.js';
import { alignTable, wrapLine, type Align } from './table.js';

/**
 * The header and rows aligned as `align` says (alignTable), as lines; a line wider than `width`
 * wraps its last (text) column under itself.
 */
function catalogTable(header: string[], rows: string[][], align: Align[], width = Infinity): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const lastStart = widths.slice(0, -1).reduce((a, w) => a + w + 2, 0);
  return alignTable(all, '', align)
    .split('\n')
    .flatMap((line) => wrapLine(line, width, lastStart < width - 20 ? lastStart : 4));
}

/** Free text wrapped to `width`, continuation lines indented 4 past the line's own indent. */
function wrapped(lines: string[], width: number): string[] {
  return lines.flatMap((l) => wrapLine(l, width, /^\s*/.exec(l)![0].length + 4));
}

/** Milliseconds with as many decimals as the published tables use, trailing zeros dropped. */
function formatMs(ms: number): string {
  const digits = ms < 1 ? 3 : ms < 1000 ? 2 : 1;
  return String(Number(ms.toFixed(digits)));
}

function gpuSection(width: number): string[] {
  const gpus = allGpus();
  if (width !== Infinity) {
    // narrow: the figures in a table, each GPU's sources below it
    const table = catalogTable(
      ['id', 'name', 'memory GB', '$/GPU-h', 'price date'],
      gpus.map((g) => [g.id, g.name, String(g.memoryGb), `${g.price.value.toFixed(3)}${g.price.derived ? '*' : ' '}`, g.price.date]),
      ['left', 'left', 'right', 'right', 'left'],
    );
    return [
      'GPUs (on-demand USD per GPU-hour; * = derived estimate, not a list price)',
      ...table,
      'Sources:',
      ...wrapped(gpus.map((g) => `  ${g.id}: spec ${g.specSource} (${g.specDate}); price ${g.price.source}`), width),
    ];
  }
  const rows = gpus.map((g) => [
    g.id,
    g.name,
    String(g.memoryGb),
    `${g.specSource} (${g.specDate})`,
    // A trailing space on measured prices keeps the digits aligned with starred ones.
    `${g.price.value.toFixed(3)}${g.price.derived ? '*' : ' '}`,
    g.price.date,
    g.price.source,
  ]);
  return [
    'GPUs (on-demand USD per GPU-hour; * = derived estimate, not a list price)',
    ...catalogTable(
      ['id', 'name', 'memory GB', 'spec source', '$/GPU-h', 'price date', 'price source'],
      rows,
      ['left', 'left', 'right', 'left', 'right', 'left', 'left'],
    ),
  ];
}

function migSection(width: number): string[] {
  const gpus = allGpus();
  const withMig = gpus.filter((g) => g.migProfiles.length > 0);
  const rows: string[][] = [];
  for (const g of withMig) {
    for (const p of g.migProfiles) {
      rows.push([
        g.id,
        p.id,
        `${p.computeSlices}/${MIG_COMPUTE_SLICES}`,
        String(p.memorySlots),
        String(p.maxInstances),
        p.placements.join(','),
      ]);
    }
  }
  const sources = [...new Set(withMig.flatMap((g) => g.migProfiles.map((p) => `${p.source} (${p.date})`)))];
  const without = gpus.filter((g) => g.migProfiles.length === 0).map((g) => g.id);
  return [
    `MIG profiles (${MIG_COMPUTE_SLICES} compute slices and ${MIG_MEMORY_SLOTS} memory slots per GPU; a slice is billed at k/${MIG_COMPUTE_SLICES} of its GPU)`,
    ...catalogTable(
      ['gpu', 'profile', 'compute', 'memory slots', 'max instances', 'placements (first slot)'],
      rows,
      ['left', 'left', 'right', 'right', 'right', 'left'],
      width,
    ),
    ...wrapped([`No MIG: ${without.join(', ')}`, `Source: ${sources.join('; ')}`], width),
  ];
}

function profileSection(width: number): string[] {
  const lines: string[] = [];
  for (const profile of allProfiles()) {
    const batches = profile.entries[0]?.batch ?? [];
    const rows = profile.entries.map((e) => [
      `${e.gpuId}${e.derived ? '*' : ''}`,
      ...e.latencyMs.map(formatMs),
      `${e.source} (${e.date})`,
    ]);
    lines.push(
      ...wrapped([`Profile ${profile.id}: ${profile.description}`, 'batch latency in ms on a full GPU, by batch size (* = derived, not measured)'], width),
      ...catalogTable(
        ['gpu', ...batches.map(String), 'source (date)'],
        rows,
        ['left', ...batches.map((): Align => 'right'), 'left'],
        width,
      ),
    );
    // A note shared by several GPUs (a derivation rule) is printed once, after all their ids.
    const gpusByNote = new Map<string, string[]>();
    for (const e of profile.entries) {
      for (const n of e.notes) {
        const ids = gpusByNote.get(n) ?? [];
        if (!ids.includes(e.gpuId)) ids.push(e.gpuId);
        gpusByNote.set(n, ids);
      }
    }
    const notes = [...gpusByNote].map(([n, ids]) => `${ids.join(', ')}: ${n}`);
    if (notes.length > 0) lines.push('Notes:', ...wrapped(notes.map((n) => `  ${n}`), width));
    lines.push('');
  }
  lines.push(
    ...wrapped([
    `MIG slices (k of ${MIG_COMPUTE_SLICES} compute slices): latency × (${MIG_COMPUTE_SLICES}/k)^e, e = ${MIG_BATCH1_EXPONENT} at batch 1 ` +
      'rising linearly in log2(batch) to 1 at the largest batch of the table (throughput there = k/7 of the full GPU); ' +
      'derived from MLPerf v2.1 BERT-large INT8, 1g.10gb vs full A100-80GB.',
    ], width),
  );
  return lines;
}

/** The whole built-in catalog as aligned plain-text tables (GPUs, MIG profiles, latency profiles), with sources, dates and derived markers. */
export function formatCatalog(width = Infinity): string {
  return [...gpuSection(width), '', ...migSection(width), '', ...profileSection(width)].join('\n') + '\n';
}
