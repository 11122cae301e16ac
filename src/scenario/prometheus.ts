/**
 * A Prometheus range query's JSON (GET /api/v1/query_range, e.g.
 * `sum(rate(nv_inference_request_success[1m]))`) → the traffic's rate schedule.
 *
 * The response is `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},
 * "values":[[<unix s>, "<value>"], …]}]}}` (values are strings, as Prometheus writes them).
 * One series is required (aggregate with sum(…)). Each sample's rate holds from its
 * timestamp until the next sample (the last one for one step): a piecewise-constant
 * schedule starting at the first sample, so a day of production traffic replays with
 * the same expected count in every step. Gaps (missing samples) hold the previous value.
 */

export type PrometheusImport =
  | { ok: true; steps: { at: number; rps: number }[]; spanS: number; stepS: number }
  | { ok: false; errors: string[] };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function importPrometheusRange(text: string): PrometheusImport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`not JSON (${e instanceof Error ? e.message : String(e)})`] };
  }
  if (isObject(doc) && 'status' in doc && doc.status !== 'success') {
    return { ok: false, errors: [`status is ${JSON.stringify(doc.status)}${typeof doc.error === 'string' ? `: ${doc.error}` : ''} (expected "success")`] };
  }
  const data = isObject(doc) && isObject(doc.data) ? doc.data : doc;
  if (!isObject(data) || !Array.isArray(data.result)) {
    return { ok: false, errors: ['expected the JSON of a Prometheus query_range response: {"status":"success","data":{"resultType":"matrix","result":[…]}}'] };
  }
  if (data.resultType !== undefined && data.resultType !== 'matrix') {
    return { ok: false, errors: [`data.resultType is ${JSON.stringify(data.resultType)}: use a range query (/api/v1/query_range), which returns a matrix`] };
  }
  const result = data.result as unknown[];
  if (result.length !== 1) {
    return { ok: false, errors: [`data.result has ${result.length} series; expected one: aggregate the query, e.g. sum(rate(nv_inference_request_success[1m]))`] };
  }
  const series = result[0];
  if (!isObject(series) || !Array.isArray(series.values)) return { ok: false, errors: ['data.result.0.values: expected a list of [timestamp, "value"] pairs'] };
  const values = series.values as unknown[];
  if (values.length < 2) return { ok: false, errors: [`data.result.0.values: expected at least 2 samples, got ${values.length}`] };
  const errors: string[] = [];
  const ts: number[] = [];
  const rps: number[] = [];
  values.forEach((pair, i) => {
    const where = `data.result.0.values.${i}`;
    if (!Array.isArray(pair) || pair.length !== 2) {
      errors.push(`${where}: expected [timestamp, "value"]`);
      return;
    }
    const t = Number(pair[0]);
    const v = typeof pair[1] === 'string' || typeof pair[1] === 'number' ? Number(pair[1]) : NaN;
    if (!Number.isFinite(t)) errors.push(`${where}: the timestamp must be a number (unix seconds), got ${JSON.stringify(pair[0])}`);
    else if (ts.length > 0 && t <= ts[ts.length - 1]!) errors.push(`${where}: timestamps must increase (${t} after ${ts[ts.length - 1]})`);
    if (!Number.isFinite(v) || v < 0) errors.push(`${where}: the rate must be a number ≥ 0, got ${JSON.stringify(pair[1])}`);
    ts.push(t);
    rps.push(v);
  });
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, 10) };
  if (!rps.some((v) => v > 0)) return { ok: false, errors: ['every sample is 0: nothing to replay'] };
  // the step is the most common spacing (gaps are multiples of it)
  const diffs = ts.slice(1).map((t, i) => t - ts[i]!);
  const counts = new Map<number, number>();
  for (const d of diffs) counts.set(d, (counts.get(d) ?? 0) + 1);
  let stepS = diffs[0]!;
  for (const [d, c] of counts) if (c > (counts.get(stepS) ?? 0) || (c === counts.get(stepS) && d < stepS)) stepS = d;
  const t0 = ts[0]!;
  const steps: { at: number; rps: number }[] = [];
  for (let i = 0; i < ts.length; i++) {
    if (i > 0 && rps[i] === rps[i - 1]) continue;
    steps.push({ at: round(ts[i]! - t0), rps: rps[i]! });
  }
  return { ok: true, steps, spanS: round(ts[ts.length - 1]! - t0 + stepS), stepS };
}

/** Millisecond resolution: Prometheus timestamps are unix seconds with up to 3 decimals. */
function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
