/**
 * perf_analyzer / Model Analyzer results → the model's latency table and per-request overhead.
 *
 * perf_analyzer's CSV (`perf_analyzer -m M -b N -f results.csv`) has one row per concurrency
 * (or request rate) level and these columns, averages in microseconds per request:
 *   Client Send | Network+Server Send/Recv | Server Queue | Server Compute Input |
 *   Server Compute Infer | Server Compute Output | Client Recv | p50…p99 latency | …
 * Model Analyzer's metrics table has the same components with a unit in the header
 * ("Server Compute Infer (ms)") and a Batch column.
 *
 * What infersim takes (measure once at concurrency 1, simulate any traffic):
 *   batch latency(N) = Server Compute Input + Server Compute Infer + Server Compute Output
 *       of the lowest-concurrency row of the batch-N run: the time the model instance is busy
 *       with one batch of N (Triton charges each request of a batch the batch's compute times);
 *   per-request overhead = Client Send + Network+Server Send/Recv + Client Recv of the
 *       smallest batch's lowest-concurrency row: time on the wire and in the client, added to
 *       every request's latency without occupying the GPU.
 * Server Queue and the end-to-end percentiles are not used: queueing is what infersim
 * simulates, and at concurrency 1 the end-to-end latency is the sum of the parts above.
 */

export interface PerfInput {
  /** The file's name as written in the scenario (for messages). */
  label: string;
  text: string;
  /** The batch size the run used (`-b N`); null: the file has a Batch column (Model Analyzer). */
  batch: number | null;
}

export type PerfImport =
  | { ok: true; latency: { batch: number[]; latencyS: number[] }; overheadS: number }
  | { ok: false; errors: string[] };

const COMPUTE = ['server compute input', 'server compute infer', 'server compute output'] as const;
const OVERHEAD = ['client send', 'network+server send/recv', 'client recv'] as const;

/** RFC 4180 CSV (quotes, doubled quotes, CRLF) into rows of cells; blank lines dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((x) => x.trim() !== '')) rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x.trim() !== '')) rows.push(row);
  return rows;
}

interface Column {
  index: number;
  /** Seconds per unit of the column's values. */
  scale: number;
}

/** Header cell → its name (lower case, unit removed) and the unit's scale to seconds (µs when none: perf_analyzer's CSV). */
function headerName(cell: string): { name: string; scale: number } {
  const m = /^(.*?)\s*\((ms|us|µs|usec|s|sec)\)\s*$/i.exec(cell.trim());
  if (m === null) return { name: cell.trim().toLowerCase(), scale: 1e-6 };
  const unit = m[2]!.toLowerCase();
  return { name: m[1]!.trim().toLowerCase(), scale: unit === 'ms' ? 1e-3 : unit === 's' || unit === 'sec' ? 1 : 1e-6 };
}

interface Measured {
  batch: number;
  computeS: number;
  overheadS: number;
  label: string;
}

/** One file's measurements: per batch size, its lowest-concurrency row. */
function readFile(input: PerfInput, errors: string[]): Measured[] {
  const rows = parseCsv(input.text);
  const where = input.label;
  if (rows.length < 2) {
    errors.push(`${where}: expected a header row and at least one row of results`);
    return [];
  }
  const header = rows[0]!;
  const cols = new Map<string, Column>();
  header.forEach((cell, index) => {
    const h = headerName(cell);
    if (!cols.has(h.name)) cols.set(h.name, { index, scale: h.scale });
  });
  const infer = cols.get('server compute infer');
  if (infer === undefined) {
    errors.push(`${where}: no "Server Compute Infer" column (expected perf_analyzer's -f CSV or Model Analyzer's metrics table; found: ${header.join(', ')})`);
    return [];
  }
  const batchCol = cols.get('batch') ?? cols.get('batch size');
  if (input.batch === null && batchCol === undefined) {
    errors.push(`${where}: no Batch column, so the batch size is unknown: name it in the scenario, e.g. perfAnalyzer: { 8: ${where} } for a run with -b 8`);
    return [];
  }
  const levelCol = cols.get('concurrency') ?? cols.get('request rate');
  const best = new Map<number, { level: number; m: Measured }>();
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r]!;
    const line = r + 1;
    const value = (c: Column | undefined, what: string): number | null => {
      if (c === undefined) return 0;
      const raw = (cells[c.index] ?? '').trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v < 0) {
        errors.push(`${where}: row ${line}, ${what}: expected a number ≥ 0, got ${JSON.stringify(raw)}`);
        return null;
      }
      return v * c.scale;
    };
    let batch = input.batch;
    if (batchCol !== undefined) {
      const raw = (cells[batchCol.index] ?? '').trim();
      const b = Number(raw);
      if (!Number.isSafeInteger(b) || b < 1) {
        errors.push(`${where}: row ${line}, Batch: expected an integer ≥ 1, got ${JSON.stringify(raw)}`);
        continue;
      }
      if (input.batch !== null && b !== input.batch) continue;
      batch = b;
    }
    if (batch === null) continue;
    let computeS = 0;
    let bad = false;
    for (const name of COMPUTE) {
      const v = value(cols.get(name), name);
      if (v === null) bad = true;
      else computeS += v;
    }
    let overheadS = 0;
    for (const name of OVERHEAD) {
      const v = value(cols.get(name), name);
      if (v === null) bad = true;
      else overheadS += v;
    }
    if (bad) continue;
    const levelRaw = levelCol === undefined ? String(r) : (cells[levelCol.index] ?? '').trim();
    const level = Number(levelRaw);
    const prev = best.get(batch);
    if (prev === undefined || level < prev.level) best.set(batch, { level, m: { batch, computeS, overheadS, label: `${where} row ${line}` } });
  }
  if (input.batch !== null && !best.has(input.batch) && errors.length === 0) errors.push(`${where}: no row for batch ${input.batch}`);
  return [...best.values()].map((x) => x.m);
}

/** Reads the files into one latency table (batch → compute time) and the per-request overhead. */
export function importPerfAnalyzer(inputs: PerfInput[]): PerfImport {
  const errors: string[] = [];
  const all: Measured[] = [];
  for (const input of inputs) all.push(...readFile(input, errors));
  if (errors.length > 0) return { ok: false, errors };
  all.sort((a, b) => a.batch - b.batch);
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.batch === all[i - 1]!.batch) errors.push(`batch ${all[i]!.batch} is measured twice (${all[i - 1]!.label}, ${all[i]!.label})`);
  }
  for (const m of all) if (!(m.computeS > 0)) errors.push(`${m.label}: batch ${m.batch}: the server compute time is 0`);
  if (all.length === 0) errors.push('no measurements');
  if (errors.length > 0) return { ok: false, errors };
  // measured compute time can dip by noise as the batch grows; the latency table must not decrease
  const latencyS = all.map((m) => m.computeS);
  for (let i = 1; i < latencyS.length; i++) {
    if (latencyS[i]! < latencyS[i - 1]!) {
      errors.push(
        `batch ${all[i]!.batch} computes faster (${(latencyS[i]! * 1e3).toPrecision(4)} ms, ${all[i]!.label}) than batch ${all[i - 1]!.batch} (${(latencyS[i - 1]! * 1e3).toPrecision(4)} ms): remeasure, a larger batch cannot take less time`,
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, latency: { batch: all.map((m) => m.batch), latencyS }, overheadS: all[0]!.overheadS };
}
