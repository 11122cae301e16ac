/**
 * One issue shape for every check of the loader: `{ code, path, message }`, the code from the
 * vocabulary documented in src/scenario/issues.ts. Each documented code has an input here that
 * produces it (so the vocabulary holds no unused word), and every code the loader emits, on
 * these inputs, on the bad fixtures and from the schema's own issues, is documented.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ZodIssue } from 'zod';
import { loadScenario, ScenarioError, type LoadOptions } from '../../src/scenario/load.js';
import { formatIssue, ISSUE_CODES, isIssueCode, type IssueCode, type ScenarioIssue } from '../../src/scenario/issues.js';
import { scenarioSchema } from '../../src/scenario/schema.js';

const badDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bad');
const BASE = 'name: b\nduration: 10m\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 4ms, 32: 12ms } }\n';
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n';

function issuesOf(text: string, opts: Partial<LoadOptions> = {}): ScenarioIssue[] {
  try {
    loadScenario(text, { file: 's.yaml', baseDir: '/', ...opts });
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  return [];
}

/** One input per documented code, and the field it is reported at. */
const EXAMPLES: Record<IssueCode, { text: string; opts?: Partial<LoadOptions>; path: (string | number)[] }> = {
  invalid_type: { text: `${BASE}fleet: 8\n`, path: ['fleet'] },
  required: { text: 'duration: 10m\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 4ms } }\n', path: ['name'] },
  too_small: { text: `${BASE}fleet: { batching: { maxBatch: 0 } }\n`, path: ['fleet', 'batching', 'maxBatch'] },
  too_big: { text: `${BASE}slo: { maxErrorRate: 2 }\n`, path: ['slo', 'maxErrorRate'] },
  invalid_enum_value: { text: `${BASE}fleet: { routing: round_robin }\n`, path: ['fleet', 'routing'] },
  invalid_format: { text: BASE.replace('10m', '5 parsecs'), path: ['duration'] },
  unknown_key: { text: `${BASE}colour: red\n`, path: ['colour'] },
  unknown_reference: { text: `${BASE}fleet: { gpu: l5 }\n`, path: ['fleet', 'gpu'] },
  cross_field: { text: `${BASE}warmup: 10m\n`, path: ['warmup'] },
  unsupported: { text: `${BASE}regions: [ { name: a, share: 1 } ]\nshards: { count: 2 }\n`, path: ['shards'] },
  limit_exceeded: { text: `${BASE}fleet: { replicas: 20000 }\n`, path: ['fleet', 'replicas'] },
  invalid_syntax: { text: `${BASE}name: again\n`, path: [] },
  invalid_override: { text: BASE, opts: { sets: ['fleet.replicas'] }, path: [] },
  invalid_file: { text: `${BASE}autoscaler: { kind: hpa, manifest: dep.yaml }\n`, opts: { readFile: () => DEPLOYMENT }, path: ['autoscaler', 'manifest'] },
  file_unreadable: { text: `${BASE}autoscaler: { kind: hpa, manifest: hpa.yaml }\n`, path: ['autoscaler', 'manifest'] },
};

describe('the issue vocabulary', () => {
  it('every documented code says what it means', () => {
    for (const [code, meaning] of Object.entries(ISSUE_CODES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(meaning.length, code).toBeGreaterThan(20);
    }
  });

  it.each(Object.keys(EXAMPLES) as IssueCode[])('%s: an input that produces it, at its field', (code) => {
    const { text, opts, path } = EXAMPLES[code];
    expect(issuesOf(text, opts)).toContainEqual(expect.objectContaining({ code, path }));
  });

  it('every code the loader emits on these inputs and on the bad fixtures is documented', () => {
    const emitted = new Set<string>();
    for (const { text, opts } of Object.values(EXAMPLES)) for (const i of issuesOf(text, opts)) emitted.add(i.code);
    for (const f of readdirSync(badDir).filter((x) => x.endsWith('.yaml'))) {
      for (const i of issuesOf(readFileSync(join(badDir, f), 'utf8'))) emitted.add(i.code);
    }
    expect([...emitted].filter((c) => !isIssueCode(c))).toEqual([]);
    expect([...emitted].sort()).toEqual(Object.keys(ISSUE_CODES).sort());
  });

  it("every issue the schema raises itself carries a documented code (none falls back to load.ts' default)", () => {
    const undocumented: string[] = [];
    const walk = (issues: readonly ZodIssue[]): void => {
      for (const i of issues) {
        if (i.code === 'invalid_union') for (const u of i.unionErrors) walk(u.issues);
        if (i.code === 'custom' && !isIssueCode(i.params?.code)) undocumented.push(`${i.path.join('.')}: ${i.message}`);
      }
    };
    const docs: unknown[] = [];
    for (const f of readdirSync(badDir).filter((x) => x.endsWith('.yaml'))) {
      try {
        docs.push(parse(readFileSync(join(badDir, f), 'utf8')));
      } catch {
        // a syntax fixture never reaches the schema
      }
    }
    for (const { text } of Object.values(EXAMPLES)) {
      try {
        docs.push(parse(text));
      } catch {
        // ditto
      }
    }
    for (const doc of docs) {
      const r = scenarioSchema.safeParse(doc);
      if (!r.success) walk(r.error.issues);
    }
    expect(undocumented).toEqual([]);
  });
});

describe('the printed line', () => {
  it('is `error: <file>: <path>: <message>`, path segments joined by dots, none for the document', () => {
    expect(formatIssue('s.yaml', { code: 'too_small', path: ['traffic', 'rate', 2, 'at'], message: 'm' })).toBe('error: s.yaml: traffic.rate.2.at: m');
    expect(formatIssue('s.yaml', { code: 'invalid_syntax', path: [], message: 'm' })).toBe('error: s.yaml: m');
  });
});
