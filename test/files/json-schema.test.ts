/**
 * The scenario JSON Schema: generated from the zod schema (json-schema.ts), committed as
 * schema/scenario.schema.json (`npm run schema`), named by every shipped scenario's modeline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadLlmScenario, LlmScenarioError } from '../../src/llm/scenario.js';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { explainField } from '../../src/scenario/explain.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const committed = JSON.parse(readFileSync(join(root, 'schema', 'scenario.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(committed);
// LLM scenarios (a top-level llm: block, validated by src/llm/scenario.ts) are the schema's `then` branch (llm-schema.ts)
const scenarios = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));
const badDir = join(root, 'test', 'fixtures', 'bad');

describe('scenario JSON Schema', () => {
  it('the committed file is what the zod schema generates (run `npm run schema` after changing schema.ts)', () => {
    expect(committed).toEqual(scenarioJsonSchema());
  });

  it.each(scenarios)('%s names the schema in a yaml-language-server modeline and satisfies it', (f) => {
    const text = readFileSync(join(root, 'scenarios', f), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/scenario.schema.json');
    const ok = validate(parse(text));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  // Fixtures whose problem is a field's type, range, name or shape: the schema catches them in the editor.
  const REJECTED = [
    'bad-routing.yaml',
    'bad-schedule-step.yaml',
    'bad-unit.yaml',
    'many-errors.yaml',
    'max-batch-negative.yaml',
    'max-batch-zero.yaml',
    'missing-required.yaml',
    'negative-rate.yaml',
    'section-not-mapping.yaml',
    'top-level-list.yaml',
    'unknown-field.yaml',
    'unsupported-section.yaml',
    'wrong-types.yaml',
    'zero-rate.yaml',
  ];
  // Problems across fields or against the catalog, which only the loader checks (each still exits 2 there).
  const LOADER_ONLY = [
    'decreasing-latency.yaml', // latency must not decrease with batch size
    'empty.yaml', // an empty document parses to null (no schema applies)
    'kind-options.yaml', // options that belong to another kind
    'mig-without-gpu.yaml', // mig needs fleet.gpu
    'missing-latency.yaml', // latency or a profile for the GPU
    'preferred-above-max.yaml', // preferred ≤ maxBatch
    'rate-and-trace.yaml', // one of rate and trace
    'schedule-late-start.yaml', // the first step at 0
    'unknown-gpu.yaml', // a catalog id
    'unsorted-schedule.yaml', // steps ascending
    'warmup-too-long.yaml', // warmup < duration
    'yaml-syntax.yaml', // not YAML at all
  ];

  it('rejects the malformed fixtures that are about one field; the others are listed as loader-only', () => {
    const files = readdirSync(badDir).filter((f) => f.endsWith('.yaml')).sort();
    expect([...REJECTED, ...LOADER_ONLY].sort()).toEqual(files);
    for (const f of REJECTED) {
      const doc: unknown = parse(readFileSync(join(badDir, f), 'utf8'));
      expect(validate(doc), f).toBe(false);
    }
  });

  it('checks types, units, enums and unknown keys', () => {
    const base = { name: 'x', duration: '10m', traffic: { rate: 100 }, model: { latency: { 1: '4ms' } } };
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, duration: '10 minutes' })).toBe(false);
    expect(validate({ ...base, fleet: { routing: 'fastest' } })).toBe(false);
    expect(validate({ ...base, fleet: { batching: { maxBatch: 0 } } })).toBe(false);
    expect(validate({ ...base, fleet: { replicass: 2 } })).toBe(false);
    expect(validate({ ...base, model: { latency: { one: '4ms' } } })).toBe(false);
    expect(validate({ ...base, fleet: { tritonConfig: './config.pbtxt', coldStart: { modelLoad: { mean: '30s', cv: 0.3 } } } })).toBe(true);
    expect(validate({ ...base, model: { perfAnalyzer: { 1: 'b1.csv', 8: 'b8.csv' } } })).toBe(true);
    expect(validate({ name: 'x', duration: 10 })).toBe(true); // traffic/latency needs are cross-field rules
  });
});

describe('scenario JSON Schema: LLM scenarios (a top-level llm: block)', () => {
  const llm = { name: 'x', traffic: { rate: 2, tokens: { prompt: 500, output: 100 } }, llm: { model: 'llama-3.1-8b', gpu: 'h100-80gb' } };
  it('every shipped LLM scenario and every traffic shape and field the loader takes', () => {
    expect(scenarios.filter((f) => f.startsWith('llm-')).length).toBeGreaterThanOrEqual(3);
    const ok = (doc: unknown): boolean => {
      const r = validate(doc);
      expect(validate.errors ?? []).toEqual([]);
      return r;
    };
    expect(ok(llm)).toBe(true);
    const t = { tokens: { prompt: { lognormal: { mean: 800, cv: 1.1, max: 32000 } }, output: { empirical: { values: [10, 200], weights: [1, 3] } } } };
    expect(ok({ ...llm, traffic: { ...t, rate: [{ at: 0, rate: 1 }, { at: '5m', rps: 9, ramp: '2m' }], diurnal: { amplitude: 0.5 }, spikes: [{ at: '1m', factor: 3, for: '30s' }], burst: { kind: 'mmpp', highFactor: 4 }, scale: 2, systemPrompt: { tokens: 512, count: 4 } } })).toBe(true);
    expect(ok({ ...llm, traffic: { ...t, users: 8, thinkTime: '5s', sessions: { turns: 3, followUp: 50 }, systemPrompt: 300 } })).toBe(true);
    expect(ok({ ...llm, traffic: { trace: { file: 'x.csv', promptColumn: 'in', outputColumn: 'out', speedup: 4, loop: true, rateMultiplier: 2.5 }, scale: 0.5 } })).toBe(true);
    expect(ok({ ...llm, traffic: { ...t, prometheus: 'rate.json', scale: 0.1 } })).toBe(true);
    expect(
      ok({
        ...llm,
        duration: '1h',
        slo: { ttft: { p99: '2s' }, tpot: { p99: '50ms', p50: 0.02 }, itl: { p999: '200ms' }, e2e: { p90: '20s' } },
        llm: {
          model: 'llama-3.1-70b',
          gpu: 'a100-80gb',
          tensorParallel: 4,
          replicas: 3,
          routing: 'prefix-affinity',
          prefixAffinity: { cacheThreshold: 0.5, balanceAbsThreshold: 32, balanceRelThreshold: 2, maxTreeSize: 100000 },
          price: 3.5,
          engine: { maxNumSeqs: 128, maxNumBatchedTokens: 4096, blockSize: 32, gpuMemoryUtilization: 0.85, numGpuBlocks: 9000, prefixCaching: false, reserveFullSequence: false },
          stepTime: { beta0: '8ms', beta1: 0.00005, beta2: 0.0001, beta3: 1e-7, beta4: 0, source: 'fit' },
          overheads: { queue: '2ms', firstToken: '1ms', perToken: 0 },
          coldStart: { loadBandwidth: '2GB', startup: '30s' },
          autoscaler: { metric: 'vllm:kv_cache_usage_perc', target: 0.7, minReplicas: 1, maxReplicas: 8, syncPeriod: '15s' },
        },
      }),
    ).toBe(true);
    for (const st of ['roofline', 'builtin', { profile: 'bundle/tp1' }]) expect(ok({ ...llm, llm: { ...llm.llm, stepTime: st, overheads: 'none' } })).toBe(true);
  });

  it('flags what an editor should: unknown LLM fields, types, enums, request-level fields in an LLM file', () => {
    expect(validate({ ...llm, llm: { ...llm.llm, engine: { maxNumSeq: 3 } } })).toBe(false);
    expect(validate({ ...llm, llm: { ...llm.llm, tensorParallel: 3 } })).toBe(false);
    expect(validate({ ...llm, llm: { ...llm.llm, routing: 'fastest' } })).toBe(false);
    expect(validate({ ...llm, llm: { ...llm.llm, stepTime: 'measured' } })).toBe(false);
    expect(validate({ ...llm, llm: { ...llm.llm, autoscaler: { metric: 'cpu', target: 1 } } })).toBe(false);
    expect(validate({ ...llm, slo: { ttft: { p98: '1s' } } })).toBe(false);
    expect(validate({ ...llm, slo: { p99: '1s' } })).toBe(false);
    expect(validate({ ...llm, traffic: { ...llm.traffic, tokens: { prompt: 0, output: 1 } } })).toBe(false);
    expect(validate({ ...llm, traffic: { ...llm.traffic, keys: { kind: 'zipf', count: 3 } } })).toBe(false);
    expect(validate({ ...llm, fleet: { replicas: 2 } })).toBe(false);
    expect(validate({ ...llm, llm: { gpu: 'h100-80gb' } })).toBe(false); // llm.model is required
    // a request-level document may not hold the LLM-only fields
    expect(validate({ name: 'x', duration: 10, traffic: { rate: 1, tokens: { prompt: 1, output: 1 } } })).toBe(false);
  });
});

describe('the LLM part of the schema keeps up with the LLM loader', () => {
  type Json = Record<string, unknown>;
  /** The mappings a node stands for: itself, its alternatives, a list's items. */
  const mappings = (n: Json): Json[] => [n, ...((n.anyOf as Json[] | undefined) ?? []).flatMap(mappings), ...(n.items !== undefined ? mappings(n.items as Json) : [])].filter((x) => x.properties !== undefined);
  /** The keys of the mapping at `path` of the LLM branch (`having`: the alternative with that key). */
  const keysAt = (path: string[], having?: string): string[] => {
    let node = committed.then as Json;
    for (const seg of path) node = mappings(node).map((m) => (m.properties as Record<string, Json>)[seg]).find((x) => x !== undefined)!;
    const m = mappings(node).find((x) => having === undefined || having in (x.properties as Json))!;
    return Object.keys(m.properties as Json).sort();
  };
  const base = (): Json => ({
    name: 'x',
    llm: { model: 'llama-3.1-8b', gpu: 'h100-80gb', engine: { numGpuBlocks: 100 }, stepTime: { beta0: '1ms', beta1: 0, beta2: 0, beta3: 0 }, overheads: { queue: 0 }, autoscaler: { metric: 'vllm:num_requests_waiting', target: 1 } },
    traffic: { rate: [{ at: 0, rate: 1 }], tokens: { prompt: 1, output: 1 }, systemPrompt: { tokens: 10 } },
  });
  /** The keys the loader lists in its "unknown field (expected one of: …)" for a stray key at `path`. */
  const loaderKeys = (doc: Json, path: (string | number)[]): string[] => {
    let node: Record<string | number, unknown> = doc;
    for (const seg of path) node = node[seg] as Record<string | number, unknown>;
    node.zzz = 1;
    let message = '';
    try {
      loadLlmScenario(stringify(doc), { file: 's.yaml', baseDir: root, readFile: () => 'TIMESTAMP,ContextTokens,GeneratedTokens\n0,1,1\n' });
    } catch (e) {
      if (!(e instanceof LlmScenarioError)) throw e;
      message = e.issues.find((i) => i.path.join('.') === [...path, 'zzz'].join('.'))?.message ?? '';
    }
    const m = /expected one of: (.*)\)$/.exec(message);
    expect(m, `${path.join('.')}: ${message}`).not.toBeNull();
    return m![1]!.split(', ').sort();
  };
  it.each([
    ['the document', [], (d: Json) => d],
    ['traffic (rate)', ['traffic'], (d: Json) => d],
    ['a rate step', ['traffic', 'rate', 0], (d: Json) => d],
    ['traffic.systemPrompt', ['traffic', 'systemPrompt'], (d: Json) => d],
    ['traffic.trace', ['traffic', 'trace'], (d: Json) => ({ ...d, traffic: { trace: { file: 't.csv' } } })],
    ['traffic.sessions', ['traffic', 'sessions'], (d: Json) => ({ ...d, traffic: { users: 2, tokens: { prompt: 1, output: 1 }, sessions: { turns: 2, followUp: 1 } } })],
    ['llm', ['llm'], (d: Json) => d],
    ['llm.engine', ['llm', 'engine'], (d: Json) => d],
    ['llm.stepTime (coefficients)', ['llm', 'stepTime'], (d: Json) => d],
    ['llm.overheads', ['llm', 'overheads'], (d: Json) => d],
    ['llm.autoscaler', ['llm', 'autoscaler'], (d: Json) => d],
    ['llm.autoscaler (kind: kpa)', ['llm', 'autoscaler'], (d: Json) => ({ ...d, llm: { ...(d.llm as Json), autoscaler: { kind: 'kpa', target: 8, maxReplicas: 4 } } })],
    ['llm.prefixAffinity', ['llm', 'prefixAffinity'], (d: Json) => ({ ...d, llm: { ...(d.llm as Json), routing: 'prefix-affinity', prefixAffinity: {} } })],
  ] as [string, (string | number)[], (d: Json) => Json][])('%s: the schema has the fields the loader knows', (_what, path, edit) => {
    const doc = edit(base());
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const schemaPath = path.map((s) => (typeof s === 'number' ? '*' : s)).filter((s) => s !== '*');
    const kpa = path.at(-1) === 'autoscaler' && (doc.llm as Json).autoscaler !== undefined && ((doc.llm as Json).autoscaler as Json).kind === 'kpa';
    const having = path.at(-1) === 'stepTime' ? 'beta0' : kpa ? 'targetUtilization' : undefined;
    const known = loaderKeys(structuredClone(doc), path);
    expect(keysAt(schemaPath, having)).toEqual(known);
  });
});

describe('infersim explain', () => {
  it('explains the LLM-only fields and, where both kinds of scenario have a field, each', () => {
    expect(explainField('llm.engine.maxNumBatchedTokens')).toBe(
      [
        'FIELD:    llm.engine.maxNumBatchedTokens',
        'SCENARIO: LLM scenarios only (a document with a top-level llm: block)',
        'KIND:     integer ≥ 1',
        'DEFAULT:  8192',
        '',
        'DESCRIPTION:',
        '  Token budget of one step (vLLM max_num_batched_tokens): long prefills are chunked under it.',
      ].join('\n'),
    );
    expect(explainField('llm')).toMatch(/FIELDS:\n(.*\n)*  stepTime +Step-time model/);
    expect(explainField('traffic.tokens.prompt')).toContain('Prompt (input) tokens per request.');
    expect(explainField('slo.ttft.p99')).toContain('KIND:     duration');
    expect(explainField('llm.tensorParallel')).toContain('KIND:     one of 1 | 2 | 4 | 8');
    expect(explainField('llm.coldStart.loadBandwidth')).toContain('KIND:     size');
    expect(explainField('llm.autoscaler.syncPeriod')).toContain('DEFAULT:  15 (seconds)');
    // both kinds: the request-level explanation first, then the LLM one
    const duration = explainField('duration') ?? '';
    expect(duration).toContain('DEFAULT:  (required)');
    expect(duration).toContain('IN AN LLM SCENARIO (a document with a top-level llm: block):');
    expect(duration).toContain('DEFAULT:  600 (seconds)');
    expect(explainField('traffic')).toMatch(/IN AN LLM SCENARIO(.*\n)*  tokens +Token counts/);
    expect(explainField('')).toMatch(/IN AN LLM SCENARIO(.*\n)*  llm +\(required\) The LLM fleet/);
    // the same field in both (name, the rate shapes): explained once
    expect(explainField('name')).not.toContain('IN AN LLM SCENARIO');
    expect(explainField('traffic.burst.kind')).not.toContain('IN AN LLM SCENARIO');
    expect(explainField('llm.nope')).toBeNull();
  });

  it("prints a field's meaning, kind, default and limits from the schema", () => {
    expect(explainField('fleet.batching.maxBatch')).toBe(
      [
        'FIELD:    fleet.batching.maxBatch',
        'KIND:     integer ≥ 1',
        'DEFAULT:  1',
        'LIMITS:   at most 4096',
        '',
        'DESCRIPTION:',
        '  Largest batch (Triton max_batch_size); 1 disables batching.',
      ].join('\n'),
    );
    expect(explainField('name')).toContain('DEFAULT:  (required)');
    expect(explainField('fleet.routing')).toContain('KIND:     one of random | round-robin | least-outstanding | power-of-two | shared-queue');
    expect(explainField('fleet.queue.timeout')).toContain('KIND:     duration: seconds, or a string with a unit (250us, 2ms, 1.5s, 15m, 2h, 1d), > 0');
    expect(explainField('traffic.spikes.0.factor')).toContain('Multiplier of the rate during the spike.');
    expect(explainField('fleet')).toMatch(/FIELDS:\n(.*\n)*  tritonConfig +Triton's config.pbtxt/);
    expect(explainField('fleet.nope')).toBeNull();
  });
});
