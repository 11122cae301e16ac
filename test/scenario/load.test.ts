import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { findGpu, profileLatency } from '../../src/catalog/index.js';
import {
  applySets,
  loadScenario,
  resolveScenario,
  ScenarioError,
} from '../../src/scenario/load.js';
import { pathText, type IssueCode } from '../../src/scenario/issues.js';
import type { Scenario } from '../../src/config/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const badDir = join(here, '..', 'fixtures', 'bad');
const w1Path = join(here, '..', '..', 'bench', 'w1', 'w1.yaml');

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

function load(text: string, sets?: string[]): Scenario {
  return loadScenario(text, { file: 's.yaml', baseDir: '/scenarios', ...(sets === undefined ? {} : { sets }) });
}

const BASE = `
name: base
duration: 10m
traffic:
  rate: [ { at: 0, rps: 100 }, { at: 5m, rps: 200 } ]
model:
  latency: { 1: 4ms, 32: 12ms }
`;

// Every file in test/fixtures/bad/ with the exact issues it must produce, in order: code, path (as printed), message.
const BAD: Record<string, [code: IssueCode, path: string, message: string][]> = {
  'wrong-types.yaml': [
    ['invalid_type', 'name', 'must be a non-empty string (got 42)'],
    ['invalid_type', 'seed', 'must be an integer between 0 and 9007199254740991 (got 1.5)'],
    ['invalid_type', 'fleet.replicas', 'must be an integer ≥ 0 (got "three")'],
    ['invalid_type', 'fleet.overlap', 'must be a number between 0 and 1 (got "0.5")'],
  ],
  'zero-rate.yaml': [['too_small', 'traffic.rate', 'must be > 0 (got 0)']],
  'negative-rate.yaml': [['too_small', 'traffic.rate', 'must be > 0 (got -5)']],
  'max-batch-zero.yaml': [['too_small', 'fleet.batching.maxBatch', 'must be a positive integer (got 0)']],
  'max-batch-negative.yaml': [['too_small', 'fleet.batching.maxBatch', 'must be a positive integer (got -4)']],
  'missing-latency.yaml': [
    ['required', 'model.latency', 'required: a batch-size → latency table, or model.profile with fleet.gpu'],
  ],
  'missing-required.yaml': [
    ['required', 'name', 'required: a name for the scenario (a string)'],
    ['required', 'duration', 'required: the simulated time, e.g. 1h or 3600 (seconds)'],
    ['required', 'traffic.rate', 'required: a rate (requests/s, or a list of { at, rps, ramp } steps) or a trace to replay'],
  ],
  'unknown-field.yaml': [
    ['unknown_key', 'fleet.batching.max_batch', 'unknown field; did you mean "maxBatch"?'],
    ['unknown_key', 'fleet.replica', 'unknown field; did you mean "replicas"?'],
    [
      'unknown_key', 'colour',
      'unknown field (known fields here: name, seed, duration, warmup, slo, traffic, model, fleet, cost, report, autoscaler, cache, featureStore, events, regions, topology, failover, shards, models, sharing, variants)',
    ],
  ],
  'bad-unit.yaml': [
    ['invalid_format', 'duration', '"5 parsecs" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['invalid_format', 'model.responseBytes', '"2 furlongs" is not a size (use e.g. 512B, 2KiB, 1MB)'],
  ],
  'warmup-too-long.yaml': [['cross_field', 'warmup', 'must be less than duration 600s (got 600s)']],
  'decreasing-latency.yaml': [
    ['cross_field', 'model.latency.8', 'latency must not decrease as the batch grows (got 3ms at batch 8, below 4ms at batch 1)'],
  ],
  'unsorted-schedule.yaml': [['cross_field', 'traffic.rate.2.at', 'steps must be in ascending order of at (got 600s after 1200s)']],
  'schedule-late-start.yaml': [
    ['cross_field', 'traffic.rate.0.at', 'the first step must be at 0 (got 300s)'],
    ['cross_field', 'traffic.rate.1.ramp', 'the ramp must end by the next step (it ends at 1200s, the next step is at 900s)'],
    ['cross_field', 'traffic.rate', 'at least one step must have rps > 0'],
  ],
  'bad-schedule-step.yaml': [
    ['invalid_type', 'traffic.rate.0', 'must be a step { at, rps, ramp } (got 100)'],
    ['required', 'traffic.rate.1.rps', 'required: a rate ≥ 0 in requests/s'],
    ['unknown_key', 'traffic.rate.1.rpss', 'unknown field; did you mean "rps"?'],
  ],
  'rate-and-trace.yaml': [['cross_field', 'traffic.trace', 'give either traffic.rate or traffic.trace, not both']],
  'bad-routing.yaml': [
    [
      'invalid_enum_value', 'fleet.routing',
      'must be one of random, round-robin, least-outstanding, power-of-two, shared-queue (got "round_robin"); did you mean "round-robin"?',
    ],
  ],
  'unsupported-section.yaml': [
    ['required', 'regions.0.share', 'required: the share of the users in this region, a number between 0 and 1'],
    ['unsupported', 'shards', 'regions and shards together are not supported yet: shard within one fleet (shards) or spread over regions (regions), not both'],
  ],
  'yaml-syntax.yaml': [
    ['invalid_syntax', '', 'line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ],
  'empty.yaml': [['required', '', 'the file holds no scenario: expected a mapping with at least name, duration, traffic and model']],
  'top-level-list.yaml': [
    ['invalid_type', '', 'expected a scenario, a mapping of fields such as name, duration, traffic (got a list)'],
  ],
  'section-not-mapping.yaml': [['invalid_type', 'fleet', 'must be a mapping (got 8)']],
  'preferred-above-max.yaml': [['cross_field', 'fleet.batching.preferred.1', 'must be ≤ maxBatch 8 (got 16)']],
  'kind-options.yaml': [
    ['required', 'traffic.burst.cv', 'required for kind gamma: a cv > 0'],
    ['cross_field', 'traffic.keys.count', 'count applies only to kind zipf (kind is trace)'],
    ['cross_field', 'model.variability.cv', 'exponential has a fixed cv of 1; use lognormal or gamma for another cv'],
    ['cross_field', 'traffic.keys.kind', 'kind trace needs traffic.trace with a keyColumn'],
  ],
  'unknown-gpu.yaml': [
    [
      'unknown_reference', 'fleet.gpu',
      'unknown GPU "l5" (known: t4, a10g, l4, l40s, a100-40gb, a100-80gb, h100-80gb, h200); did you mean "l4"?',
    ],
  ],
  'mig-without-gpu.yaml': [['cross_field', 'fleet.mig', 'needs fleet.gpu (a MIG profile is a slice of a GPU)']],
  'many-errors.yaml': [
    ['too_small', 'duration', 'must be > 0 (got 0)'],
    ['too_small', 'warmup', 'must be ≥ 0 (got "-1s")'],
    ['invalid_format', 'slo.p99', '"fast" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['too_big', 'slo.maxErrorRate', 'must be between 0 and 1 (got 2)'],
    ['too_big', 'traffic.diurnal.amplitude', 'must be in [0, 1) (got 1)'],
    ['too_small', 'traffic.spikes.0.factor', 'must be > 0 (got 0)'],
    ['too_small', 'traffic.spikes.0.for', 'must be > 0 (got "0s")'],
    ['too_small', 'model.latency.0', 'batch size must be a positive integer (got "0")'],
    ['invalid_format', 'model.latency.2', '"banana" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['invalid_type', 'fleet.queue.maxDepth', 'must be a positive integer (got 1.5)'],
    ['too_small', 'fleet.queue.timeout', 'must be > 0 (got 0)'],
    ['too_small', 'cost.gpuHourly', 'must be ≥ 0 (got -1)'],
    ['too_small', 'report.interval', 'must be > 0 (got "0s")'],
    ['cross_field', 'fleet.replicas', 'must be ≥ 1 without an autoscaler (got 0): a fixed fleet of no replicas serves nothing'],
  ],
};

describe('malformed scenarios (test/fixtures/bad)', () => {
  const files = readdirSync(badDir).filter((f) => f.endsWith('.yaml')).sort();

  it('has an expectation for every fixture, and at least 15 fixtures', () => {
    expect(files).toEqual(Object.keys(BAD).sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s reports exactly its problems', (file) => {
    const text = readFileSync(join(badDir, file), 'utf8');
    const issues = issuesOf(() => loadScenario(text, { file, baseDir: badDir }));
    expect(issues.map((i) => [i.code, i.path, i.message])).toEqual(BAD[file]);
  });

  it('formats one `error: <file>: <path>: <message>` line per problem, without a path segment for the document', () => {
    const text = readFileSync(join(badDir, 'max-batch-negative.yaml'), 'utf8');
    expect(() => loadScenario(text, { file: 'w1.yaml', baseDir: badDir })).toThrow(
      'error: w1.yaml: fleet.batching.maxBatch: must be a positive integer (got -4)',
    );
    const syntax = readFileSync(join(badDir, 'yaml-syntax.yaml'), 'utf8');
    try {
      loadScenario(syntax, { file: 'x.yaml', baseDir: badDir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).message).toBe(
        'error: x.yaml: line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
      );
      expect((e as ScenarioError).file).toBe('x.yaml');
    }
    const many = readFileSync(join(badDir, 'many-errors.yaml'), 'utf8');
    const lines = (() => {
      try {
        loadScenario(many, { file: 'm.yaml', baseDir: badDir });
      } catch (e) {
        return (e as Error).message.split('\n');
      }
      return [];
    })();
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe('error: m.yaml: duration: must be > 0 (got 0)');
    expect(lines[12]).toBe('error: m.yaml: report.interval: must be > 0 (got "0s")');
    expect(lines[13]).toBe('error: m.yaml: fleet.replicas: must be ≥ 1 without an autoscaler (got 0): a fixed fleet of no replicas serves nothing');
  });
});

describe('more problems, each at its path', () => {
  it.each([
    ['unknown_key', 'durration: 10m', 'durration', 'unknown field; did you mean "duration"?'],
    ['unknown_key', 'cahce: { capacity: 5 }', 'cahce', 'unknown field; did you mean "cache"?'],
    ['too_small', 'fleet: { warmPool: -2 }', 'fleet.warmPool', 'must be an integer ≥ 0 (got -2)'],
    ['invalid_enum_value', 'events: [ { at: 1m, kind: explode } ]', 'events.0.kind', 'must be one of replica-crash, cache-flush, region-outage (got "explode")'],
    ['required', 'autoscaler: { kind: hpa }', 'autoscaler.manifest', 'required: the HorizontalPodAutoscaler: manifest (a file path) or spec (inline)'],
    ['cross_field', 'autoscaler: { kind: kpa, manifest: x.yaml }', 'autoscaler.manifest', 'manifest applies only to kind hpa (kind is kpa)'],
    ['invalid_type', 'fleet: { coldStart: { modelLoad: { mean: 30s } } }', 'fleet.coldStart.modelLoad', 'must be a duration (e.g. 30s), { mean, cv } (lognormal) or { min, max } (uniform) (got a mapping)'],
    ['unknown_reference', 'fleet: { gpu: l4, mig: 1g.10gb }', 'fleet.mig', 'l4 does not support MIG (got "1g.10gb")'],
    [
      'unknown_reference',
      'fleet: { gpu: a100-80gb, mig: 1g.5gb }',
      'fleet.mig',
      '"1g.5gb" is not a MIG profile of a100-80gb (known: 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb); did you mean "1g.10gb"?',
    ],
    ['invalid_type', 'traffic: { spikes: 5 }', 'traffic.spikes', 'must be a list of { at, factor, for } spikes (got 5)'],
    ['required', 'traffic: { keys: { kind: zipf } }', 'traffic.keys.count', 'required for kind zipf: the number of distinct keys, a positive integer'],
    ['cross_field', 'traffic: { burst: { kind: poisson, cv: 2 } }', 'traffic.burst.cv', 'cv applies only to kind gamma (kind is poisson)'],
    ['cross_field', 'traffic: { burst: { kind: mmpp, lowFactor: 4 } }', 'traffic.burst.lowFactor', 'must be < highFactor 3 (got 4)'],
    ['cross_field', 'traffic: { burst: { kind: mmpp, highFactor: 0.2 } }', 'traffic.burst.highFactor', 'must be > lowFactor 0.5 (got 0.2)'],
    ['invalid_enum_value', 'traffic: { burst: { kind: bursty } }', 'traffic.burst.kind', 'must be one of poisson, gamma, mmpp (got "bursty")'],
    ['cross_field', 'traffic: { rate: ~, trace: { file: a.csv }, keys: { kind: trace } }', 'traffic.keys.kind', 'kind trace needs traffic.trace.keyColumn (the trace column holding request keys)'],
    ['invalid_enum_value', 'traffic: { rate: ~, trace: { file: a.csv, timeFormat: unix } }', 'traffic.trace.timeFormat', 'must be one of auto, iso, epoch-s, epoch-ms (got "unix")'],
    ['cross_field', 'model: { variability: { dist: deterministic, cv: 0.2 } }', 'model.variability.cv', 'deterministic has a fixed cv of 0; use lognormal or gamma for another cv'],
    ['invalid_type', 'model: { latency: [4ms, 12ms] }', 'model.latency', 'must be a mapping of batch size → batch latency, e.g. { 1: 4.25ms, 32: 12ms } (got a list)'],
    ['too_small', 'model: { latency: { 1: 0ms } }', 'model.latency.1', 'must be > 0 (got "0ms")'],
    ['too_small', 'traffic: { rate: [] }', 'traffic.rate', 'must list at least one { at, rps } step'],
    ['invalid_type', 'fleet: { batching: { preferred: 8 } }', 'fleet.batching.preferred', 'must be a list of batch sizes (got 8)'],
    ['too_small', 'fleet: { batching: { preferred: [0] } }', 'fleet.batching.preferred.0', 'must be a positive integer (got 0)'],
    ['invalid_type', 'slo: 100ms', 'slo', 'must be a mapping (got "100ms")'],
    ['required', 'model: { profile: bert-base-seq128, latency: ~ }', 'model.latency', 'required: a batch-size → latency table, or model.profile with fleet.gpu'],
  ] as [IssueCode, string, string, string][])('%s %s', (code, extra, path, message) => {
    expect(issuesOf(() => load(mergeYaml(BASE, extra)))).toEqual([{ code, path, message }]);
  });

  it('passes on the catalog\'s reason for an unknown profile', () => {
    const issues = issuesOf(() => load(mergeYaml(BASE, 'model: { profile: gpt-17, latency: ~ }\nfleet: { gpu: l4 }')));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('model.profile');
    expect(issues[0]?.code).toBe('unknown_reference');
    expect(issues[0]?.message).toMatch(/^unknown profile "gpt-17" \(known: .*bert-base-seq128/);
  });

  it('rejects an empty latency table', () => {
    expect(issuesOf(() => load(BASE.replace('{ 1: 4ms, 32: 12ms }', '{}')))).toEqual([
      { code: 'too_small', path: 'model.latency', message: 'must list at least one batch size, e.g. { 1: 4.25ms, 32: 12ms }' },
    ]);
  });

  it('words a rate of the wrong shape by what a rate may be', () => {
    const issues = issuesOf(() => load(BASE.replace('rate: [ { at: 0, rps: 100 }, { at: 5m, rps: 200 } ]', 'rate: "2000"')));
    expect(issues).toEqual([
      { code: 'invalid_type', path: 'traffic.rate', message: 'must be a rate in requests/s (> 0) or a list of { at, rps, ramp } steps (got "2000")' },
    ]);
  });

  it('reports a one-point table that maxBatch would need to extrapolate from', () => {
    const text = BASE.replace('{ 1: 4ms, 32: 12ms }', '{ 1: 4ms }') + 'fleet: { batching: { maxBatch: 8 } }\n';
    expect(issuesOf(() => load(text))).toEqual([
      {
        code: 'cross_field',
        path: 'model.latency',
        message:
          'a table with only batch 1 cannot be extrapolated to fleet.batching.maxBatch 8; add a point at a larger batch',
      },
    ]);
  });

  it('reports duplicate keys and a second document as YAML errors with their position', () => {
    expect(issuesOf(() => load('name: a\nname: b\n'))).toEqual([
      { code: 'invalid_syntax', path: '', message: 'line 2, column 1: Map keys must be unique' },
    ]);
    expect(issuesOf(() => load(`${BASE}---\nname: again\n`))).toEqual([
      { code: 'invalid_syntax', path: '', message: 'line 8, column 1: a scenario file holds one YAML document, but this one has another after "---"' },
    ]);
  });

  it('treats a null value as not set, so the default applies', () => {
    const s = load(`${BASE}warmup: ~\nfleet:\n  replicas:\n`);
    expect(s.warmupS).toBe(0);
    expect(s.fleet.replicas).toBe(1);
  });
});

/** `base` deep-merged with `extra` (both YAML); `key: ~` in extra unsets, as in a scenario. */
function mergeYaml(base: string, extra: string): string {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isMapping(a) || !isMapping(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return stringify(merge(parse(base), parse(extra)));
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

describe('valid scenarios', () => {
  it('resolves a full scenario to exact values: units converted, defaults filled, lists sorted', () => {
    const text = `
name: bert-base sentiment, 10k QPS peak
seed: 7
duration: 1h
warmup: 2m
slo: { p99: 100ms, p50: 20ms, maxErrorRate: 0.001 }
traffic:
  rate: [ { at: 0s, rps: 2000 }, { at: 10m, rps: 8000, ramp: 5m } ]
  diurnal: { amplitude: 0.6, period: 12h }
  burst: { kind: mmpp, highFactor: 4, meanLow: 1m }
  spikes: [ { at: 30m, factor: 3, for: 2m } ]
  keys: { kind: zipf, count: 1000000, exponent: 0.9 }
model:
  latency: { 32: 12ms, 1: 4.25ms, 8: 6ms }
  variability: { dist: lognormal }
  responseBytes: 2KiB
fleet:
  replicas: 8
  instances: 2
  overlap: 0.4
  batching: { maxBatch: 32, maxQueueDelay: 2ms, preferred: [32, 16, 16] }
  queue: { maxDepth: 1000, timeout: 500ms }
  routing: power-of-two
cost: { gpuHourly: 0.80, cacheHourly: 0.22, egressPerGB: 0.09 }
report: { interval: 30s }
`;
    const expected: Scenario = {
      name: 'bert-base sentiment, 10k QPS peak',
      seed: 7,
      durationS: 3600,
      warmupS: 120,
      slo: { latencyS: { p50: 0.02, p99: 0.1 }, maxErrorRate: 0.001 },
      traffic: {
        schedule: [
          { atS: 0, rps: 2000, rampS: 0 },
          { atS: 600, rps: 8000, rampS: 300 },
        ],
        diurnal: { amplitude: 0.6, periodS: 43200, peakAtS: 50400 },
        spikes: [{ atS: 1800, factor: 3, forS: 120 }],
        burst: { kind: 'mmpp', highFactor: 4, lowFactor: 0.5, meanHighS: 10, meanLowS: 60 },
        keys: { kind: 'zipf', count: 1_000_000, exponent: 0.9 },
        trace: null,
      },
      model: {
        profile: null,
        latency: { batch: [1, 8, 32], latencyS: [0.00425, 0.006, 0.012], source: 'scenario' },
        variability: { dist: 'lognormal', cv: 0.1 },
        responseBytes: 2048,
        overheadS: 0,
      },
      fleet: {
        gpu: null,
        mig: null,
        gpuShare: 1,
        replicas: 8,
        instances: 2,
        overlap: 0.4,
        batching: { maxBatch: 32, maxQueueDelayS: 0.002, preferred: [16, 32] },
        queue: { maxDepth: 1000, timeoutS: 0.5 },
        routing: 'power-of-two',
        coldStart: {
          nodeProvision: { kind: 'fixed', s: 0 },
          imagePull: { kind: 'fixed', s: 0 },
          modelLoad: { kind: 'fixed', s: 0 },
          warmup: { kind: 'fixed', s: 0 },
        },
        warmPool: 0,
        nodes: null,
        replicasPerNode: 1,
        cpu: { requestCores: 2, baseCores: 0.2, perRequestCoreS: 0.0005 },
      },
      cost: { gpuHourlyUsd: 0.8, gpuPriceSource: 'scenario', cacheHourlyUsd: 0.22, egressPerGbUsd: 0.09 },
      cache: null,
      featureStore: null,
      autoscaler: { kind: 'none' },
      events: [],
      report: { intervalS: 30 },
      warnings: [],
    };
    expect(load(text)).toEqual(expected);
  });

  it('fills every default for a minimal scenario', () => {
    const s = load('name: m\nduration: 90\ntraffic: { rate: 5 }\nmodel: { latency: { 1: 1ms } }\n');
    expect(s).toEqual({
      name: 'm',
      seed: 1,
      durationS: 90,
      warmupS: 0,
      slo: { latencyS: {}, maxErrorRate: null },
      traffic: {
        schedule: [{ atS: 0, rps: 5, rampS: 0 }],
        diurnal: null,
        spikes: [],
        burst: { kind: 'poisson' },
        keys: { kind: 'unique' },
        trace: null,
      },
      model: {
        profile: null,
        latency: { batch: [1], latencyS: [0.001], source: 'scenario' },
        variability: { dist: 'deterministic', cv: 0 },
        responseBytes: 0,
        overheadS: 0,
      },
      fleet: {
        gpu: null,
        mig: null,
        gpuShare: 1,
        replicas: 1,
        instances: 1,
        overlap: 0.5,
        batching: { maxBatch: 1, maxQueueDelayS: 0, preferred: [] },
        queue: { maxDepth: 10000, timeoutS: Infinity },
        routing: 'least-outstanding',
        coldStart: {
          nodeProvision: { kind: 'fixed', s: 0 },
          imagePull: { kind: 'fixed', s: 0 },
          modelLoad: { kind: 'fixed', s: 0 },
          warmup: { kind: 'fixed', s: 0 },
        },
        warmPool: 0,
        nodes: null,
        replicasPerNode: 1,
        cpu: { requestCores: 2, baseCores: 0.2, perRequestCoreS: 0.0005 },
      },
      cost: {
        gpuHourlyUsd: null,
        gpuPriceSource: 'none (set cost.gpuHourly or fleet.gpu)',
        cacheHourlyUsd: 0,
        egressPerGbUsd: null,
      },
      cache: null,
      featureStore: null,
      autoscaler: { kind: 'none' },
      events: [],
      report: { intervalS: 10 },
      warnings: [],
    } satisfies Scenario);
  });

  it('accepts JSON', () => {
    const s = load(
      '{"name": "j", "duration": "2m", "traffic": {"rate": 50}, "model": {"latency": {"1": "3ms", "4": "5ms"}}, "fleet": {"batching": {"maxBatch": 4}}}',
    );
    expect(s.durationS).toBe(120);
    expect(s.model.latency).toEqual({ batch: [1, 4], latencyS: [0.003, 0.005], source: 'scenario' });
    expect(s.fleet.batching.maxBatch).toBe(4);
  });

  it('loads the bench scenario w1.yaml (no fleet.gpu, latency given)', () => {
    const s = loadScenario(readFileSync(w1Path, 'utf8'), { file: 'w1.yaml', baseDir: dirname(w1Path) });
    expect(s.name).toBe('W1 batching reference');
    expect(s.seed).toBe(1);
    expect(s.durationS).toBe(1200);
    expect(s.traffic.schedule).toEqual([{ atS: 0, rps: 10000, rampS: 0 }]);
    expect(s.model.latency).toEqual({ batch: [1, 32], latencyS: [0.00425, 0.012], source: 'scenario' });
    expect(s.model.variability).toEqual({ dist: 'deterministic', cv: 0 });
    expect(s.fleet.replicas).toBe(20);
    expect(s.fleet.routing).toBe('random');
    expect(s.fleet.batching).toEqual({ maxBatch: 32, maxQueueDelayS: 0.002, preferred: [] });
    expect(s.fleet.gpu).toBeNull();
    expect(s.cost.gpuHourlyUsd).toBeNull();
    expect(s.warnings).toEqual([]);
  });

  it('warns, without failing, when maxBatch goes beyond the latency table', () => {
    const s = load(`${BASE}fleet: { batching: { maxBatch: 64 } }\n`);
    expect(s.warnings).toEqual([
      "fleet.batching.maxBatch: 64 exceeds the latency table's largest batch 32: latency beyond batch 32 is extrapolated",
    ]);
  });

  it('replays a trace: path joined to baseDir, defaults filled, rate-shape options warned as ignored', () => {
    const text = `
name: replay
duration: 1h
traffic:
  trace: { file: traces/prod.csv, keyColumn: USER, speedup: 2 }
  keys: { kind: trace }
  diurnal: { amplitude: 0.5 }
model: { latency: { 1: 4ms } }
`;
    const s = load(text);
    expect(s.traffic.trace).toEqual({
      file: '/scenarios/traces/prod.csv',
      timeColumn: 'TIMESTAMP',
      keyColumn: 'USER',
      speedup: 2,
      rateMultiplier: 1,
      loop: false,
      timeFormat: 'auto',
    });
    expect(s.traffic.schedule).toEqual([]);
    const more = load(text.replace('speedup: 2 }', 'speedup: 2, rateMultiplier: 2.5, loop: true }'));
    expect(more.traffic.trace).toMatchObject({ speedup: 2, rateMultiplier: 2.5, loop: true });
    expect(() => load(text.replace('speedup: 2 }', 'rateMultiplier: 0 }'))).toThrow('traffic.trace.rateMultiplier');
    expect(() => load(text.replace('speedup: 2 }', 'rateMultiplier: 101 }'))).toThrow('traffic.trace.rateMultiplier: must be at most 100 (got 101)');
    expect(() => load(text.replace('speedup: 2 }', 'loop: sometimes }'))).toThrow('traffic.trace.loop');
    expect(s.traffic.keys).toEqual({ kind: 'trace' });
    expect(s.warnings).toEqual(['traffic.diurnal is ignored when replaying traffic.trace']);
    const abs = load(text.replace('traces/prod.csv', '/data/t.csv'));
    expect(abs.traffic.trace?.file).toBe('/data/t.csv');
  });

  it('resolves an already parsed object the same way as text', () => {
    const raw = { name: 'r', duration: 60, traffic: { rate: 1 }, model: { latency: { 1: '2ms' } } };
    const s = resolveScenario(raw, { file: 'r.json', baseDir: '/' });
    expect(s.durationS).toBe(60);
    expect(s.model.latency.latencyS).toEqual([0.002]);
    expect(issuesOf(() => resolveScenario(7, { file: 'r.json', baseDir: '/' }))).toEqual([
      { code: 'invalid_type', path: '', message: 'expected a scenario, a mapping of fields such as name, duration, traffic (got 7)' },
    ]);
  });
});

describe('catalog resolution', () => {
  it('takes the latency table and price of model.profile on fleet.gpu (id matched case-insensitively)', () => {
    const s = load(mergeYaml(BASE, 'model: { profile: BERT-base-seq128, latency: ~ }\nfleet: { gpu: L4 }'));
    const table = profileLatency('bert-base-seq128', 'l4', null);
    if (typeof table === 'string') throw new Error(table);
    const l4 = findGpu('l4');
    expect(s.fleet.gpu).toBe('l4');
    expect(s.fleet.gpuShare).toBe(1);
    expect(s.model.profile).toBe('bert-base-seq128');
    expect(s.model.latency).toEqual({ batch: table.batch, latencyS: table.latencyS, source: table.source });
    expect(s.cost.gpuHourlyUsd).toBe(l4?.price.value);
    expect(s.cost.gpuPriceSource).toBe(`${l4?.price.source} (${l4?.price.date})`);
  });

  it('gives a MIG replica k/7 of the GPU and the slice latency, and lets latency and gpuHourly override the catalog', () => {
    const s = load(mergeYaml(BASE, 'model: { profile: bert-base-seq128, latency: ~ }\nfleet: { gpu: a100-80gb, mig: 1g.10gb }'));
    const table = profileLatency('bert-base-seq128', 'a100-80gb', '1g.10gb');
    if (typeof table === 'string') throw new Error(table);
    expect(s.fleet.mig).toBe('1g.10gb');
    expect(s.fleet.gpuShare).toBe(1 / 7);
    expect(s.model.latency.latencyS).toEqual(table.latencyS);
    expect(s.warnings).toEqual([
      `model.profile: the latency of bert-base-seq128 on a100-80gb is derived, not measured: ${table.notes.join('; ')}`,
    ]);

    const own = load(`${BASE}fleet: { gpu: a100-80gb, mig: 3g.40gb }\ncost: { gpuHourly: 1.5 }\n`);
    expect(own.fleet.gpuShare).toBe(3 / 7);
    expect(own.model.latency.source).toBe('scenario');
    expect(own.cost).toEqual({ gpuHourlyUsd: 1.5, gpuPriceSource: 'scenario', cacheHourlyUsd: 0, egressPerGbUsd: null });
  });
});

describe('--set overrides', () => {
  it('sets numbers and YAML values at dotted paths, creating missing mappings', () => {
    const s = load(BASE, [
      'fleet.replicas=12',
      'fleet.routing=random',
      'fleet.batching.preferred=[8, 4]',
      'fleet.batching.maxBatch=8',
      'slo.p99=100ms',
      'fleet.queue.timeout=1.5s',
    ]);
    expect(s.fleet.replicas).toBe(12);
    expect(s.fleet.routing).toBe('random');
    expect(s.fleet.batching.preferred).toEqual([4, 8]);
    expect(s.fleet.batching.maxBatch).toBe(8);
    expect(s.slo.latencyS).toEqual({ p99: 0.1 });
    expect(s.fleet.queue.timeoutS).toBe(1.5);
  });

  it('indexes lists with numeric segments, and numeric keys of mappings as keys', () => {
    const s = load(BASE, ['traffic.rate.1.rps=500', 'traffic.rate.2={ at: 8m, rps: 50 }', 'model.latency.16=9ms']);
    expect(s.traffic.schedule).toEqual([
      { atS: 0, rps: 100, rampS: 0 },
      { atS: 300, rps: 500, rampS: 0 },
      { atS: 480, rps: 50, rampS: 0 },
    ]);
    expect(s.model.latency.batch).toEqual([1, 16, 32]);
    expect(s.model.latency.latencyS).toEqual([0.004, 0.009, 0.012]);
  });

  it('creates a missing list where the schema expects one, and a mapping elsewhere', () => {
    const s = load(BASE, [
      'traffic.spikes.0={ at: 1m, factor: 2, for: 30s }',
      'traffic.spikes.1.at=2m',
      'traffic.spikes.1.factor=3',
      'traffic.spikes.1.for=1s',
    ]);
    expect(s.traffic.spikes).toEqual([
      { atS: 60, factor: 2, forS: 30 },
      { atS: 120, factor: 3, forS: 1 },
    ]);
    expect(applySets({}, ['model.latency.8=5ms'], 'f.yaml')).toEqual({ model: { latency: { 8: '5ms' } } });
  });

  it('an empty value unsets a field; a later --set wins', () => {
    const s = load(`${BASE}warmup: 1m\n`, ['warmup=', 'seed=3', 'seed=4']);
    expect(s.warmupS).toBe(0);
    expect(s.seed).toBe(4);
  });

  it('validates the result like the file itself', () => {
    expect(issuesOf(() => load(BASE, ['fleet.batching.maxBatch=-4', 'fleet.replcias=2']))).toEqual([
      { code: 'too_small', path: 'fleet.batching.maxBatch', message: 'must be a positive integer (got -4)' },
      { code: 'unknown_key', path: 'fleet.replcias', message: 'unknown field; did you mean "replicas"?' },
    ]);
  });

  it('reports every malformed override', () => {
    const issues = issuesOf(() =>
      load(BASE, [
        'foo',
        '=5',
        'fleet..replicas=2',
        'fleet.replicas=[1,',
        'name.first=x',
        'traffic.rate.5.rps=1',
        'traffic.rate.x=1',
      ]),
    );
    expect(issues).toEqual([
      { code: 'invalid_override', path: '', message: '--set "foo": expected path=value, e.g. --set fleet.replicas=12' },
      { code: 'invalid_override', path: '', message: '--set "=5": the path needs dot-separated names, e.g. fleet.batching.maxBatch' },
      { code: 'invalid_override', path: '', message: '--set "fleet..replicas=2": the path needs dot-separated names, e.g. fleet.batching.maxBatch' },
      { code: 'invalid_override', path: '', message: expect.stringMatching(/^--set "fleet\.replicas=\[1,": the value is not valid YAML: .+/) as string },
      { code: 'invalid_override', path: '', message: '--set "name.first=x": name is "base", not a mapping or list' },
      { code: 'invalid_override', path: '', message: '--set "traffic.rate.5.rps=1": traffic.rate is a list of 2; "5" is not an index from 0 to 2' },
      { code: 'invalid_override', path: '', message: '--set "traffic.rate.x=1": traffic.rate is a list of 2; "x" is not an index from 0 to 2' },
    ]);
    expect(() => load(BASE, ['foo'])).toThrow('error: s.yaml: --set "foo": expected path=value, e.g. --set fleet.replicas=12');
  });

  it('applySets leaves its input untouched', () => {
    const raw = { fleet: { replicas: 1 } };
    const out = applySets(raw, ['fleet.replicas=3', 'fleet.batching.maxBatch=8'], 'f.yaml');
    expect(out).toEqual({ fleet: { replicas: 3, batching: { maxBatch: 8 } } });
    expect(raw).toEqual({ fleet: { replicas: 1 } });
  });
});
