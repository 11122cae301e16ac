/**
 * The scenario's JSON Schema, generated from the zod schema (schema.ts) by zod-to-json-schema.
 * The leaves of the zod schema are `z.unknown().transform(parse)` (so one pass reports every
 * problem), which a generator alone would render as "anything": an override gives each leaf
 * the JSON type its parser accepts, recorded by the parser itself (field-meta.ts), and a walk
 * adds each field's meaning (field-docs.ts). Committed as schema/scenario.schema.json
 * (`npm run schema` regenerates it; a test keeps it in sync) for editors' autocompletion.
 */
import { ignoreOverride, zodToJsonSchema, type JsonSchema7Type } from 'zod-to-json-schema';
import { durationJson, isCustomJson, metaOfDef, type FieldMeta } from './field-meta.js';
import { fieldDoc, llmFieldDoc } from './field-docs.js';
import { scenarioSchema } from './schema.js';
import { llmDocumentSchema } from './llm-schema.js';
import type { ZodTypeAny } from 'zod';

type Json = Record<string, unknown>;

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const SIZE_PATTERN = String.raw`^\s*${NUMBER}\s*(?:B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB|k|M|G|T|Ki|Mi|Gi|Ti)?\s*$`;

/** The JSON Schema of one leaf, from what its parser accepts. */
export function leafJson(m: FieldMeta): Json {
  let out: Json;
  switch (m.kind) {
    case 'number':
    case 'integer':
      out = { type: m.kind };
      if (m.min !== undefined) out.minimum = m.min;
      if (m.gt !== undefined) out.exclusiveMinimum = m.gt;
      if (m.max !== undefined) out.maximum = m.max;
      if (m.lt !== undefined) out.exclusiveMaximum = m.lt;
      break;
    case 'duration':
      out = durationJson(m.positive === true);
      break;
    case 'size':
      out = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: SIZE_PATTERN }] };
      break;
    case 'boolean':
      out = { type: 'boolean' };
      break;
    case 'string':
      out = { type: 'string', pattern: String.raw`\S` };
      break;
    case 'enum':
      out = { type: 'string', enum: [...(m.options ?? [])] };
      break;
  }
  if (m.default !== undefined) out.default = m.default;
  if (m.required === true) out['x-infersim-required'] = true;
  return out;
}

/** The JSON Schema of a zod schema built from the leaf builders (each leaf's own JSON from its parser). */
function generate(schema: ZodTypeAny): Json {
  return zodToJsonSchema(schema, {
    $refStrategy: 'none',
    effectStrategy: 'input',
    override: (def) => {
      const m = metaOfDef(def);
      if (m === undefined) return ignoreOverride;
      return (isCustomJson(m) ? structuredClone(m.json) : leafJson(m)) as JsonSchema7Type;
    },
  }) as Json;
}

/** The request-level scenario's JSON Schema, with descriptions (no $schema). */
export function requestJsonSchema(): Json {
  const out = generate(scenarioSchema);
  delete out.$schema;
  ownSections(out);
  annotate(out, [], fieldDoc);
  return out;
}

/** An LLM scenario's (a document with a top-level llm: block, llm-schema.ts) JSON Schema, with descriptions (no $schema). */
export function llmJsonSchema(): Json {
  const out = generate(llmDocumentSchema);
  delete out.$schema;
  annotate(out, [], llmFieldDoc);
  return out;
}

/**
 * The scenario JSON Schema (draft-07), with descriptions: an object with a top-level `llm` key is
 * an LLM scenario (then), anything else a request-level one (else), as the CLI tells them apart
 * (llm/scenario.ts isLlmDocument).
 */
export function scenarioJsonSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'infersim scenario',
    description: 'An infersim scenario: a request-level one (traffic, model, fleet, autoscaler, cache, cost) or, with a top-level llm: block, an LLM one (token-level traffic on vLLM-style replicas).',
    if: { type: 'object', required: ['llm'] },
    then: llmJsonSchema(),
    else: requestJsonSchema(),
  };
}

/**
 * A model of a models list holds its own traffic, model, fleet, slo, autoscaler, cache and featureStore,
 * each validated by the loader as the top-level section (schema.ts keeps them unparsed until then): the
 * JSON Schema gives each the top-level section's schema, without the section's own default.
 */
function ownSections(root: Json): void {
  const top = root.properties as Record<string, Json> | undefined;
  const entry = (top?.models?.items as Json | undefined)?.properties as Record<string, Json> | undefined;
  if (top === undefined || entry === undefined) return;
  for (const k of Object.keys(entry)) {
    const section = top[k];
    if (k === 'name' || section === undefined) continue;
    const copy = structuredClone(section);
    delete copy.default;
    entry[k] = copy;
  }
}

/** Adds descriptions by path and turns the leaves' required marks into `required` lists. */
function annotate(node: Json, path: string[], docOf: (path: readonly string[]) => string | undefined, describe = true): void {
  // a required mark on a list item or map value has no parent list to go to: the item itself is the value
  delete node['x-infersim-required'];
  const doc = describe ? docOf(path) : undefined;
  // the words of field-docs.ts replace zod's `.describe()` phrases (those are for error messages)
  if (doc !== undefined) node.description = doc;
  const props = node.properties as Record<string, Json> | undefined;
  if (props !== undefined) {
    const required = new Set<string>((node.required as string[] | undefined) ?? []);
    for (const [k, child] of Object.entries(props)) {
      if (child['x-infersim-required'] === true) required.add(k);
      delete child['x-infersim-required'];
      annotate(child, [...path, k], docOf);
    }
    if (required.size > 0) node.required = [...required];
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = node[key] as Json[] | undefined;
    if (list !== undefined) for (const x of list) annotate(x, path, docOf, false);
  }
  const items = node.items as Json | undefined;
  if (items !== undefined && !Array.isArray(items)) annotate(items, [...path, '*'], docOf);
  const extra = node.additionalProperties;
  if (typeof extra === 'object' && extra !== null) annotate(extra as Json, [...path, '*'], docOf);
}
