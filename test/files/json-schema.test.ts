/**
 * The scenario JSON Schema: generated from the zod schema (json-schema.ts), committed as
 * schema/scenario.schema.json (`npm run schema`), named by every shipped scenario's modeline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { explainField } from '../../src/scenario/explain.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const committed = JSON.parse(readFileSync(join(root, 'schema', 'scenario.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(committed);
// LLM scenarios (an llm: block) have their own loader (src/llm/scenario.ts), outside the zod schema the
// JSON Schema is generated from: they join it when the LLM block moves into that schema (#17, left open)
const scenarios = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml') && !f.startsWith('llm-'));
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

describe('infersim explain', () => {
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
