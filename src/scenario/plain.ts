/**
 * YAML documents to plain data, safely: aliases resolved with a bound (an alias bomb is an
 * input error, not an out-of-memory), no cycles (`x: &a [*a]` refers to itself), a bounded
 * nesting depth, and no `__proto__` key (it would replace an object's prototype wherever the
 * data is copied key by key). Every problem is the input's, so each comes back as a message.
 */
import { isMap, isScalar, visit, type Document } from 'yaml';
import type { ScenarioIssue } from './issues.js';

/** Deepest nesting of mappings and lists a scenario or manifest may have (real ones use under 10). */
export const MAX_DEPTH = 64;

/** Most alias expansions in one document (yaml's own default is 100; real files use a handful). */
export const MAX_ALIAS_COUNT = 1000;

/** Most values (scalars, mappings and lists, aliases expanded) in one document. */
export const MAX_NODES = 1_000_000;

/** Keys that are never fields: assigning them would change an object's prototype or constructor. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The problem with `value` as plain data (cycle, depth, forbidden key) with the path to it, or null. */
export function plainDataProblem(value: unknown): ScenarioIssue | null {
  const ancestors = new Set<object>();
  let nodes = 0;
  const walk = (v: unknown, path: (string | number)[], depth: number): ScenarioIssue | null => {
    if (++nodes > MAX_NODES) return { code: 'limit_exceeded', path, message: `more than ${MAX_NODES} values (after expanding aliases): too large for a scenario` };
    if (typeof v !== 'object' || v === null) return null;
    if (ancestors.has(v)) return { code: 'invalid_syntax', path, message: 'a YAML alias refers to a node that contains it (a cycle): an alias must point outside its own anchor' };
    if (depth > MAX_DEPTH) return { code: 'limit_exceeded', path, message: `nested deeper than ${MAX_DEPTH} levels` };
    ancestors.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = walk(v[i], [...path, i], depth + 1);
          if (p !== null) return p;
        }
      } else {
        for (const k of Object.keys(v)) {
          const here = [...path, k];
          if (FORBIDDEN_KEYS.has(k)) return { code: 'unknown_key', path: here, message: `unknown field (${k} is never a field name)` };
          const p = walk((v as Record<string, unknown>)[k], here, depth + 1);
          if (p !== null) return p;
        }
      }
    } finally {
      ancestors.delete(v);
    }
    return null;
  };
  return walk(value, [], 0);
}

/** A parsed YAML document as plain data, or the message saying why it cannot be (alias bomb, unresolved alias, cycle, `__proto__`). */
export function yamlToPlain(doc: Document): { value: unknown } | ScenarioIssue {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws for alias bombs ("Excessive alias count") and aliases without an anchor
    return { code: 'invalid_syntax', path: [], message: `YAML: ${e instanceof Error ? e.message : String(e)}` };
  }
  const problem = plainDataProblem(value);
  return problem ?? { value };
}

/**
 * Parse options for scenario and manifest YAML. yaml's own duplicate-key check compares each key
 * with every earlier one (quadratic: 20 000 keys took 8 s); `duplicateKeys` does it in linear time.
 * Merge keys (`<<: *defaults`) are honoured, as Kubernetes' YAML reader does.
 */
export const YAML_OPTIONS = { uniqueKeys: false, merge: true } as const;

/** Offsets of map keys repeated in the same mapping (scalar keys, compared by value as text), with the key. */
export function duplicateKeys(doc: Document): { offset: number; key: string }[] {
  const found: { offset: number; key: string }[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key;
        if (!isScalar(k)) continue;
        const text = `${typeof k.value}:${String(k.value)}`;
        if (seen.has(text) && String(k.value) !== '<<') found.push({ offset: k.range?.[0] ?? 0, key: String(k.value) });
        seen.add(text);
      }
    },
  });
  return found;
}
