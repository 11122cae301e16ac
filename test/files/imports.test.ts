/**
 * Files a platform team already has, read from a scenario: Triton's config.pbtxt, perf_analyzer /
 * Model Analyzer CSVs, a Prometheus query_range JSON (fixtures in test/fixtures/files, see its README).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { pathText, type IssueCode } from '../../src/scenario/issues.js';
import { parsePbtxt, PbtxtError } from '../../src/scenario/pbtxt.js';
import { importTritonConfig } from '../../src/scenario/triton-config.js';
import { importPerfAnalyzer, parseCsv } from '../../src/scenario/perf-analyzer.js';
import { importPrometheusRange } from '../../src/scenario/prometheus.js';
import { simulate } from '../../src/run.js';
import { TIMELINE_COLUMNS as COLUMNS } from '../../src/metrics/timeline.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', 'fixtures', 'files');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');
const readFile = (p: string): string => readFileSync(p, 'utf8');
const LIMITS = { maxBatch: 4096, instances: 64 };

function load(text: string, sets?: string[]) {
  return loadScenario(text, { file: 's.yaml', baseDir: dir, readFile, ...(sets === undefined ? {} : { sets }) });
}

/** What `f` throws, each issue as the cases write it: its code, its path as the CLI prints it, its message. */
function issuesOf(f: () => unknown): { code: IssueCode; path: string; message: string }[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => ({ code: i.code, path: pathText(i.path), message: i.message }));
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('protobuf text format', () => {
  it('reads scalars, lists, nested messages, comments, both list forms and separators', () => {
    const m = parsePbtxt(`# comment
a: 1 b: -2.5e3, c: "x" 'y'  # adjacent strings join
d: [ 1, 2 ]; e { f: KIND_GPU } e < f: true >
g [ { h: 0x10 }, { h: 2 } ]
i: { }`);
    const flat = m.fields.map((f) => [f.name, f.value.kind === 'message' ? f.value.fields.map((x) => `${x.name}=${x.value.kind === 'message' ? '{}' : x.value.text}`).join(',') : f.value.text]);
    expect(flat).toEqual([
      ['a', '1'],
      ['b', '-2.5e3'],
      ['c', 'xy'],
      ['d', '1'],
      ['d', '2'],
      ['e', 'f=KIND_GPU'],
      ['e', 'f=true'],
      ['g', 'h=0x10'],
      ['g', 'h=2'],
      ['i', ''],
    ]);
  });

  it('rejects malformed text with the line and column', () => {
    const err = (t: string): string => {
      try {
        parsePbtxt(t);
      } catch (e) {
        if (e instanceof PbtxtError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(err('a: 1\nb { c: 2')).toBe('line 2, column 9: expected "}", found the end of the file');
    expect(err('a 1')).toBe('line 1, column 3: expected ":" after a, found "1"');
    expect(err('a: "open')).toBe('line 1, column 4: unterminated string');
    expect(err('a: [1 2]')).toBe('line 1, column 7: expected "," or "]", found "2"');
    expect(err('a: }')).toBe('line 1, column 4: expected a value, found "}"');
    expect(err('a: 1.2.3')).toBe('line 1, column 4: malformed number');
  });
});

describe('config.pbtxt → batcher, queue, instances', () => {
  it('maps the documented fields and names the ones it does not model', () => {
    const r = importTritonConfig(fixture('bert/config.pbtxt'), LIMITS);
    expect(r).toEqual({
      ok: true,
      fleet: { batching: { maxBatch: 32, maxQueueDelay: 0.002, preferred: [16, 32] }, queue: { maxDepth: 512, timeout: 0.5 }, instances: 2 },
      warnings: ['not modelled, ignored: model_warmup, optimization'],
    });
  });

  it('without dynamic_batching Triton runs each request alone; no instance_group is one instance', () => {
    const r = importTritonConfig(fixture('minimal.pbtxt'), LIMITS);
    expect(r).toEqual({ ok: true, fleet: { batching: { maxBatch: 1, maxQueueDelay: 0, preferred: [] }, queue: {}, instances: 1 }, warnings: [] });
  });

  it('DELAY timeouts, priorities, CPU groups and sequence batching are warned about, never dropped silently', () => {
    const r = importTritonConfig(
      `max_batch_size: 16
dynamic_batching { priority_levels: 2 default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 1000 } }
instance_group [ { count: 3 kind: KIND_GPU }, { count: 2 kind: KIND_CPU } ]
sequence_batching { }`,
      LIMITS,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fleet).toEqual({ batching: { maxBatch: 16, maxQueueDelay: 0, preferred: [] }, queue: {}, instances: 3 });
    expect(r.warnings).toEqual([
      'not modelled, ignored: sequence_batching, dynamic_batching.priority_levels, dynamic_batching.default_queue_policy.timeout_action DELAY (timed-out requests are not rejected; infersim keeps them queued with no timeout), instance_group KIND_CPU (line 3; only GPU instances are simulated)',
    ]);
  });

  it('rejects typos, wrong types and values beyond the limits', () => {
    const r = importTritonConfig(
      `max_batch_sise: 8
max_batch_size: 8
dynamic_batching { preferred_batch_size: [ 4, 16 ] max_queue_delay_microseconds: -1 }
instance_group [ { count: 100 kind: KIND_TPU } ]`,
      LIMITS,
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        "max_batch_sise (line 1): not a field of Triton's ModelConfig",
        'dynamic_batching.preferred_batch_size (line 3): 16 is above max_batch_size 8',
        'dynamic_batching.max_queue_delay_microseconds (line 3): must be an integer ≥ 0, got -1',
        'instance_group.kind (line 4): must be one of KIND_AUTO, KIND_GPU, KIND_CPU, KIND_MODEL, got KIND_TPU',
      ],
    });
    expect(importTritonConfig('max_batch_size: 8192 dynamic_batching { }', LIMITS)).toEqual({ ok: false, errors: ['max_batch_size: at most 4096 can be simulated, got 8192'] });
  });

  it('round trip: a scenario with config.pbtxt gives the byte-identical summary of the same batcher written in YAML', () => {
    const common = `
name: bert
duration: 60
seed: 3
traffic: { rate: 7000, burst: { kind: gamma, cv: 2 } }
model: { latency: { 1: 3.5ms, 16: 6ms, 32: 9ms } }
slo: { p99: 50ms }
`;
    const viaFile = load(`${common}fleet: { replicas: 1, tritonConfig: bert/config.pbtxt }\n`);
    const viaYaml = load(`${common}fleet:
  replicas: 1
  instances: 2
  batching: { maxBatch: 32, maxQueueDelay: 2ms, preferred: [16, 32] }
  queue: { maxDepth: 512, timeout: 500ms }
`);
    expect(viaFile.fleet).toEqual(viaYaml.fleet);
    expect(viaFile.warnings).toEqual(['fleet.tritonConfig: bert/config.pbtxt: not modelled, ignored: model_warmup, optimization']);
    // everything but the wall-clock figures and the warning about the file's unmodelled fields
    const strip = (s: object): string => JSON.stringify({ ...s, engine: null, warnings: null });
    const a = simulate(viaFile).summary;
    const b = simulate(viaYaml).summary;
    expect(a.requests.timedOut + a.requests.rejected).toBeGreaterThan(0); // the queue bounds from the file matter here
    expect(strip(a)).toBe(strip(b));
  });

  it('fields written in the scenario (or --set) win over the file; file problems are reported at fleet.tritonConfig', () => {
    const base = 'name: x\nduration: 10\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 1ms, 32: 2ms } }\n';
    const s = load(`${base}fleet: { tritonConfig: bert/config.pbtxt, batching: { maxQueueDelay: 5ms } }\n`, ['fleet.instances=1']);
    expect(s.fleet.batching).toEqual({ maxBatch: 32, maxQueueDelayS: 0.005, preferred: [16, 32] });
    expect(s.fleet.instances).toBe(1);
    expect(issuesOf(() => load(`${base}fleet: { tritonConfig: nope.pbtxt }\n`))).toEqual([{ code: 'file_unreadable', path: 'fleet.tritonConfig', message: 'cannot read nope.pbtxt (no such file)' }]);
    expect(issuesOf(() => load(`${base}fleet: { tritonConfig: pa-b1.csv }\n`))).toEqual([
      { code: 'invalid_file', path: 'fleet.tritonConfig', message: 'pa-b1.csv: line 1, column 23: unexpected character "/"' },
    ]);
  });
});

describe('perf_analyzer / Model Analyzer → latency table and overhead', () => {
  const files = { 1: 'pa-b1.csv', 8: 'pa-b8.csv', 16: 'pa-b16.csv' } as const;

  it('batch latency = compute input + infer + output of the lowest-concurrency row; overhead = client send + network + client recv at batch 1', () => {
    const r = importPerfAnalyzer(Object.entries(files).map(([b, f]) => ({ label: f, text: fixture(f), batch: Number(b) })));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.latency.batch).toEqual([1, 8, 16]);
    expect(r.latency.latencyS.map((x) => Math.round(x * 1e9) / 1e3)).toEqual([3476, 5190, 6210]); // µs: 35+3420+21, 120+5010+60, 230+5870+110
    expect(Math.round(r.overheadS * 1e9) / 1e3).toBe(426); // 40 + 380 + 6
  });

  it("Model Analyzer's table (Batch column, ms) gives the same table", () => {
    const pa = importPerfAnalyzer(Object.entries(files).map(([b, f]) => ({ label: f, text: fixture(f), batch: Number(b) })));
    const ma = importPerfAnalyzer([{ label: 'model-analyzer.csv', text: fixture('model-analyzer.csv'), batch: null }]);
    expect(ma.ok && pa.ok).toBe(true);
    if (!ma.ok || !pa.ok) return;
    expect(ma.latency.batch).toEqual(pa.latency.batch);
    ma.latency.latencyS.forEach((x, i) => expect(x).toBeCloseTo(pa.latency.latencyS[i]!, 12));
    expect(ma.overheadS).toBeCloseTo(pa.overheadS, 12);
  });

  it('a scenario reads them as model.latency and model.overhead, and the overhead is in every latency', () => {
    const text = `name: pa
duration: 30
traffic: { rate: 50 }
model: { perfAnalyzer: { 1: pa-b1.csv, 8: pa-b8.csv, 16: pa-b16.csv } }
fleet: { batching: { maxBatch: 16 } }
`;
    const s = load(text);
    expect(s.model.latency.batch).toEqual([1, 8, 16]);
    expect(s.model.overheadS).toBeCloseTo(426e-6, 12);
    const without = load(text, ['model.overhead=0']);
    expect(without.model.overheadS).toBe(0);
    const a = simulate(s).summary;
    const b = simulate(without).summary;
    // same arrivals, same server: every latency shifts by exactly the overhead
    expect(a.latencyMs.mean - b.latencyMs.mean).toBeCloseTo(0.426, 6);
    expect(a.latencyMs.max - b.latencyMs.max).toBeCloseTo(0.426, 6);
    expect(a.latencyMs.p50 - b.latencyMs.p50).toBeCloseTo(0.426, 2); // histogram buckets
    expect(a.requests).toEqual(b.requests);
  });

  it('reports unreadable and inconsistent files', () => {
    expect(issuesOf(() => load('name: x\nduration: 10\ntraffic: { rate: 1 }\nmodel: { perfAnalyzer: pa-b1.csv }\n'))).toEqual([
      { code: 'invalid_file', path: 'model.perfAnalyzer', message: 'pa-b1.csv: no Batch column, so the batch size is unknown: name it in the scenario, e.g. perfAnalyzer: { 8: pa-b1.csv } for a run with -b 8' },
    ]);
    expect(issuesOf(() => load('name: x\nduration: 10\ntraffic: { rate: 1 }\nmodel: { perfAnalyzer: { 1: pa-b8.csv, 8: pa-b1.csv } }\n'))).toEqual([
      { code: 'invalid_file', path: 'model.perfAnalyzer', message: 'batch 8 computes faster (3.476 ms, pa-b1.csv row 3) than batch 1 (5.190 ms): remeasure, a larger batch cannot take less time' },
    ]);
    expect(issuesOf(() => load('name: x\nduration: 10\ntraffic: { rate: 1 }\nmodel: { latency: { 1: 1ms }, perfAnalyzer: { 1: pa-b1.csv } }\n'))).toEqual([
      { code: 'cross_field', path: 'model.perfAnalyzer', message: 'give either model.latency or model.perfAnalyzer, not both' },
    ]);
    const bad = importPerfAnalyzer([{ label: 'x.csv', text: 'Concurrency,Server Compute Infer\n1,abc\n', batch: 1 }]);
    expect(bad).toEqual({ ok: false, errors: ['x.csv: row 2, server compute infer: expected a number ≥ 0, got "abc"'] });
  });

  it('parses quoted CSV cells and CRLF', () => {
    expect(parseCsv('a,"b,c","d""e"\r\n1,2,3\r\n\r\n')).toEqual([['a', 'b,c', 'd"e'], ['1', '2', '3']]);
  });
});

describe('Prometheus query_range JSON → the rate schedule', () => {
  it('replays the series: per-minute arrivals match the samples within Poisson noise', () => {
    const s = load('name: prom\nseed: 5\ntraffic: { prometheus: rate.json }\nmodel: { latency: { 1: 1ms } }\nfleet: { replicas: 4 }\nreport: { interval: 60 }\n');
    expect(s.durationS).toBe(3600); // 60 samples at a 60 s step
    const series = (JSON.parse(fixture('rate.json')) as { data: { result: { values: [number, string][] }[] } }).data.result[0]!.values.map((v) => Number(v[1]));
    const result = simulate(s);
    const col = COLUMNS.indexOf('arrivals');
    const counts = result.timeline.rows.map((r) => r[col]!);
    expect(counts.length).toBe(60);
    let chi2 = 0;
    counts.forEach((c, i) => {
      const expected = series[i]! * 60;
      // each minute within 5 standard deviations, and the whole day by a chi-square test
      expect(Math.abs(c - expected)).toBeLessThan(5 * Math.sqrt(expected));
      chi2 += (c - expected) ** 2 / expected;
    });
    // 60 degrees of freedom: P(χ² > 100) < 0.001
    expect(chi2).toBeLessThan(100);
    expect(chi2).toBeGreaterThan(30); // and not suspiciously exact (P(χ² < 30) < 0.001)
  });

  it('rejects what is not one range series', () => {
    const err = (x: unknown): string[] => {
      const r = importPrometheusRange(JSON.stringify(x));
      return r.ok ? [] : r.errors;
    };
    expect(err({ status: 'error', error: 'bad query' })).toEqual(['status is "error": bad query (expected "success")']);
    expect(err({ status: 'success', data: { resultType: 'vector', result: [] } })).toEqual([
      'data.resultType is "vector": use a range query (/api/v1/query_range), which returns a matrix',
    ]);
    expect(err({ status: 'success', data: { resultType: 'matrix', result: [{ values: [] }, { values: [] }] } })).toEqual([
      'data.result has 2 series; expected one: aggregate the query, e.g. sum(rate(nv_inference_request_success[1m]))',
    ]);
    expect(err({ data: { result: [{ values: [[10, '1'], [5, 'NaN']] }] } })).toEqual([
      'data.result.0.values.1: timestamps must increase (5 after 10)',
      'data.result.0.values.1: the rate must be a number ≥ 0, got "NaN"',
    ]);
    expect(importPrometheusRange('{"data":{"result":[{"values":[[0,"2"],[60,"2"],[180,"5"]]}]}}')).toEqual({
      ok: true,
      steps: [
        { at: 0, rps: 2 },
        { at: 180, rps: 5 },
      ],
      spanS: 240,
      stepS: 60,
    });
    expect(issuesOf(() => load('name: x\nduration: 10\ntraffic: { rate: 5, prometheus: rate.json }\nmodel: { latency: { 1: 1ms } }\n'))).toEqual([
      { code: 'cross_field', path: 'traffic.prometheus', message: 'give one of traffic.rate, traffic.trace or traffic.prometheus (also has rate)' },
    ]);
  });
});
