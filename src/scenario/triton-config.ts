/**
 * Triton's model configuration (config.pbtxt, a ModelConfig in protobuf text format) →
 * the replica's batcher, queue and model instances, as raw scenario fields:
 *
 *   max_batch_size + dynamic_batching            → fleet.batching.maxBatch (1 without dynamic_batching:
 *                                                   Triton's default scheduler runs each request alone)
 *   dynamic_batching.max_queue_delay_microseconds → fleet.batching.maxQueueDelay (Triton's default 0)
 *   dynamic_batching.preferred_batch_size         → fleet.batching.preferred
 *   default_queue_policy.max_queue_size           → fleet.queue.maxDepth (0: Triton unbounded → infersim's default bound)
 *   default_queue_policy.default_timeout_microseconds with timeout_action REJECT → fleet.queue.timeout
 *   instance_group count (KIND_GPU / KIND_AUTO, per GPU)                         → fleet.instances
 *
 * Field names follow model_config.proto (triton-inference-server/common). Fields infersim
 * does not model are listed in one warning; a name that is not a ModelConfig field is an
 * error (a typo must not pass silently).
 */
import { parsePbtxt, PbtxtError, type PbField, type PbMessage, type PbScalar, type PbValue } from './pbtxt.js';

export interface TritonFleetFields {
  batching: { maxBatch: number; maxQueueDelay: number; preferred: number[] };
  queue: { maxDepth?: number; timeout?: number };
  instances: number;
}

export type TritonImport = { ok: true; fleet: TritonFleetFields; warnings: string[] } | { ok: false; errors: string[] };

/** Top-level ModelConfig fields (model_config.proto). */
const MODEL_CONFIG_FIELDS = new Set([
  'name', 'platform', 'backend', 'runtime', 'version_policy', 'max_batch_size', 'input', 'output', 'batch_input',
  'batch_output', 'optimization', 'dynamic_batching', 'sequence_batching', 'ensemble_scheduling', 'instance_group',
  'default_model_filename', 'cc_model_filenames', 'metric_tags', 'parameters', 'model_warmup', 'model_operations',
  'model_transaction_policy', 'model_repository_agents', 'response_cache',
]);
/** Fields that only describe the model's files, tensors or identity: nothing a load simulation could use, so not worth a warning. */
const DESCRIPTIVE = new Set(['name', 'platform', 'backend', 'runtime', 'input', 'output', 'default_model_filename', 'cc_model_filenames', 'metric_tags', 'version_policy']);
const DYNAMIC_BATCHING_FIELDS = new Set([
  'preferred_batch_size', 'max_queue_delay_microseconds', 'preserve_ordering', 'priority_levels', 'default_priority_level',
  'default_queue_policy', 'priority_queue_policy',
]);
const QUEUE_POLICY_FIELDS = new Set(['timeout_action', 'default_timeout_microseconds', 'allow_timeout_override', 'max_queue_size']);
const INSTANCE_GROUP_FIELDS = new Set(['name', 'kind', 'count', 'gpus', 'profile', 'rate_limiter', 'passive', 'secondary_devices', 'host_policy']);
const KINDS = new Set(['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL']);

class Problem extends Error {}

/** Reads config.pbtxt text; `maxBatchLimit`/`instancesLimit` are infersim's limits (reported against the file). */
export function importTritonConfig(text: string, limits: { maxBatch: number; instances: number }): TritonImport {
  let root: PbMessage;
  try {
    root = parsePbtxt(text);
  } catch (e) {
    if (e instanceof PbtxtError) return { ok: false, errors: [e.message] };
    throw e;
  }
  const errors: string[] = [];
  const ignored: string[] = [];
  const at = (f: PbField | PbScalar, path: string): string => `${path} (line ${f.line})`;
  const int = (f: PbField, path: string, min = 0): number => {
    const v = f.value;
    if (v.kind !== 'number' || !/^[-+]?\d+$/.test(v.text)) throw new Problem(`${at(f, path)}: must be an integer, got ${show(v)}`);
    const n = Number(v.text);
    if (!Number.isSafeInteger(n) || n < min) throw new Problem(`${at(f, path)}: must be an integer ≥ ${min}, got ${v.text}`);
    return n;
  };
  const ident = (f: PbField, path: string): string => {
    if (f.value.kind !== 'identifier') throw new Problem(`${at(f, path)}: must be a name like KIND_GPU, got ${show(f.value)}`);
    return f.value.text;
  };
  const msg = (f: PbField, path: string): PbMessage => {
    if (f.value.kind !== 'message') throw new Problem(`${at(f, path)}: must be a message { … }, got ${show(f.value)}`);
    return f.value;
  };
  const single = (m: PbMessage, name: string, path: string): PbField | undefined => {
    const all = m.fields.filter((x) => x.name === name);
    if (all.length > 1) throw new Problem(`${at(all[1]!, `${path}${name}`)}: given more than once`);
    return all[0];
  };
  const checkNames = (m: PbMessage, known: Set<string>, path: string, what: string): void => {
    for (const f of m.fields) if (!known.has(f.name)) errors.push(`${at(f, path + f.name)}: not a field of ${what}`);
  };
  const guard = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      if (e instanceof Problem) errors.push(e.message);
      else throw e;
    }
  };

  checkNames(root, MODEL_CONFIG_FIELDS, '', "Triton's ModelConfig");
  let maxBatchSize = 0;
  guard(() => {
    const f = single(root, 'max_batch_size', '');
    if (f !== undefined) maxBatchSize = int(f, 'max_batch_size');
  });
  const seen = new Set<string>();
  for (const f of root.fields) {
    if (seen.has(f.name)) continue;
    seen.add(f.name);
    if (!DESCRIPTIVE.has(f.name) && MODEL_CONFIG_FIELDS.has(f.name) && !['max_batch_size', 'dynamic_batching', 'instance_group'].includes(f.name)) ignored.push(f.name);
  }

  let maxBatch = 1;
  let maxQueueDelay = 0;
  let preferred: number[] = [];
  const queue: { maxDepth?: number; timeout?: number } = {};
  guard(() => {
    const dbField = single(root, 'dynamic_batching', '');
    if (dbField === undefined) return;
    const db = msg(dbField, 'dynamic_batching');
    checkNames(db, DYNAMIC_BATCHING_FIELDS, 'dynamic_batching.', 'dynamic_batching (ModelDynamicBatching)');
    if (maxBatchSize === 0) {
      ignored.push('dynamic_batching (max_batch_size is 0: the model does not batch)');
      return;
    }
    maxBatch = maxBatchSize;
    for (const f of db.fields) {
      const path = `dynamic_batching.${f.name}`;
      guard(() => {
        switch (f.name) {
          case 'preferred_batch_size': {
            const n = int(f, path, 1);
            if (n > maxBatchSize) throw new Problem(`${at(f, path)}: ${n} is above max_batch_size ${maxBatchSize}`);
            preferred.push(n);
            break;
          }
          case 'max_queue_delay_microseconds':
            maxQueueDelay = int(f, path) / 1e6;
            break;
          case 'default_queue_policy':
            queuePolicy(msg(f, path), path);
            break;
          case 'preserve_ordering':
          case 'priority_levels':
          case 'default_priority_level':
          case 'priority_queue_policy':
            if (!ignored.includes(path)) ignored.push(path);
            break;
        }
      });
    }
  });
  function queuePolicy(m: PbMessage, path: string): void {
    checkNames(m, QUEUE_POLICY_FIELDS, `${path}.`, 'ModelQueuePolicy');
    const sizeF = single(m, 'max_queue_size', `${path}.`);
    const timeoutF = single(m, 'default_timeout_microseconds', `${path}.`);
    const actionF = single(m, 'timeout_action', `${path}.`);
    const action = actionF === undefined ? 'REJECT' : ident(actionF, `${path}.timeout_action`);
    if (action !== 'REJECT' && action !== 'DELAY') throw new Problem(`${at(actionF!, `${path}.timeout_action`)}: must be REJECT or DELAY, got ${action}`);
    if (sizeF !== undefined) {
      const n = int(sizeF, `${path}.max_queue_size`);
      if (n > 0) queue.maxDepth = n;
    }
    if (timeoutF !== undefined) {
      const us = int(timeoutF, `${path}.default_timeout_microseconds`);
      if (us > 0 && action === 'REJECT') queue.timeout = us / 1e6;
      if (us > 0 && action === 'DELAY') ignored.push(`${path}.timeout_action DELAY (timed-out requests are not rejected; infersim keeps them queued with no timeout)`);
    }
    if (single(m, 'allow_timeout_override', `${path}.`) !== undefined) ignored.push(`${path}.allow_timeout_override`);
  }

  let instances = 0;
  let anyGroup = false;
  for (const f of root.fields) {
    if (f.name !== 'instance_group') continue;
    anyGroup = true;
    guard(() => {
      const g = msg(f, 'instance_group');
      checkNames(g, INSTANCE_GROUP_FIELDS, 'instance_group.', 'instance_group (ModelInstanceGroup)');
      const countF = single(g, 'count', 'instance_group.');
      const kindF = single(g, 'kind', 'instance_group.');
      const count = countF === undefined ? 1 : int(countF, 'instance_group.count', 1);
      const kind = kindF === undefined ? 'KIND_AUTO' : ident(kindF, 'instance_group.kind');
      if (!KINDS.has(kind)) throw new Problem(`${at(kindF!, 'instance_group.kind')}: must be one of ${[...KINDS].join(', ')}, got ${kind}`);
      if (kind === 'KIND_CPU' || kind === 'KIND_MODEL') {
        ignored.push(`instance_group ${kind} (line ${f.line}; only GPU instances are simulated)`);
        return;
      }
      const gpus = g.fields.filter((x) => x.name === 'gpus');
      if (gpus.length > 1) ignored.push(`instance_group.gpus (line ${f.line}: a replica is one GPU; count is taken per GPU)`);
      for (const name of ['profile', 'rate_limiter', 'passive', 'secondary_devices', 'host_policy']) {
        if (g.fields.some((x) => x.name === name)) ignored.push(`instance_group.${name}`);
      }
      instances += count;
    });
  }
  if (!anyGroup) instances = 1;

  if (maxBatch > limits.maxBatch) errors.push(`max_batch_size: at most ${limits.maxBatch} can be simulated, got ${maxBatch}`);
  if (anyGroup && instances === 0 && errors.length === 0) errors.push('instance_group: no GPU instance (KIND_GPU or KIND_AUTO) to simulate');
  if (instances > limits.instances) errors.push(`instance_group: at most ${limits.instances} instances per replica can be simulated, got ${instances}`);
  if (errors.length > 0) return { ok: false, errors };
  preferred = [...new Set(preferred)].sort((a, b) => a - b);
  const unique = [...new Set(ignored)];
  const warnings = unique.length === 0 ? [] : [`not modelled, ignored: ${unique.join(', ')}`];
  return { ok: true, fleet: { batching: { maxBatch, maxQueueDelay, preferred }, queue, instances }, warnings };
}

function show(v: PbValue): string {
  if (v.kind === 'message') return 'a message';
  return v.kind === 'string' ? JSON.stringify(v.text) : v.text;
}
