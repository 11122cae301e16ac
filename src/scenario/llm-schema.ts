/**
 * The shape of an LLM scenario (a document with a top-level `llm:` block), as zod built from the
 * schema's own leaf builders (schema.ts), for the JSON Schema (json-schema.ts) and `infersim
 * explain` only: LLM files are validated by their own loader (llm/scenario.ts, whose header lists
 * these fields and whose code gives the defaults and ranges written here), so this schema never
 * changes what a file may hold or any message. The traffic shape fields (diurnal, spikes, burst,
 * scale) are the request-level ones themselves (rateShapeSchema), as the loader checks them with.
 * A test keeps every shipped LLM scenario valid against it.
 */
import { z } from 'zod';
import { LLM_ROUTINGS, PREFIX_AFFINITY_DEFAULTS } from '../config/llm.js';
import { LIMITS } from '../config/limits.js';
import { KNATIVE, KPA_DEFAULTS } from '../config/kpa.js';
import { tagSchema } from './field-meta.js';
import { bool, choice, def, dur, eventSchema, failoverSchema, INTER_REGION_PER_GB_DEFAULT, leaf, num, obj, opt, rateShapeSchema, req, size, text, topologySchema } from './schema.js';

const INT1 = { int: true, min: 1 } as const;

/** A token count distribution (llm/scenario.ts dist): a fixed count, a lognormal or an empirical histogram. */
const tokenDist = z.union([
  leaf(num(INT1)),
  obj({
    lognormal: obj({
      mean: leaf(def(100, num({ min: 1, max: 1e7 }))),
      cv: leaf(def(1, num({ min: 0, max: 100 }))),
      min: leaf(def(1, num(INT1))),
      max: leaf(def(131072, num(INT1))),
    }),
  }),
  obj({
    empirical: obj({
      values: z.array(leaf(num(INT1))).min(1),
      weights: z.array(leaf(num({ min: 0 }))).min(1),
    }),
  }),
]);

const step = obj({
  at: leaf(def(0, dur(false))),
  rate: leaf(opt(num({ min: 0, max: 1e7 }))),
  rps: leaf(opt(num({ min: 0, max: 1e7 }))),
  ramp: leaf(def(0, dur(false))),
});

const shape = rateShapeSchema.shape.traffic.shape;

const llmTraffic = obj({
  rate: z.union([leaf(num({ gt: 0, max: 1e7 })), z.array(step).min(1)]).optional(),
  diurnal: shape.diurnal,
  spikes: shape.spikes.removeDefault().optional(),
  burst: shape.burst.removeDefault().optional(),
  scale: shape.scale,
  trace: obj({
    file: leaf(req('a path', text)),
    timeColumn: leaf(def('TIMESTAMP', text)),
    promptColumn: leaf(def('ContextTokens', text)),
    outputColumn: leaf(def('GeneratedTokens', text)),
    speedup: leaf(def(1, num({ min: 1e-6, max: 1e6 }))),
    loop: leaf(def(false, bool)),
    rateMultiplier: leaf(def(1, num({ min: 1e-6, max: LIMITS.traceCopies }))),
  }).optional(),
  prometheus: leaf(opt(text)),
  users: leaf(opt(num(INT1))),
  thinkTime: leaf(def(0, dur(false))),
  tokens: obj({ prompt: tokenDist, output: tokenDist }).optional(),
  sessions: obj({ turns: leaf(req('turns', num({ int: true, min: 1, max: 1e6 }))), followUp: tokenDist }).optional(),
  systemPrompt: z.union([leaf(num({ int: true, min: 0 })), obj({ tokens: leaf(req('tokens', num({ int: true, min: 0 }))), count: leaf(def(1, num({ int: true, min: 1, max: 1e6 }))) })]).optional(),
});

const percentiles = obj({
  p50: leaf(opt(dur(false))),
  p90: leaf(opt(dur(false))),
  p95: leaf(opt(dur(false))),
  p99: leaf(opt(dur(false))),
  p999: leaf(opt(dur(false))),
}).optional();

const tensorParallel = tagSchema(z.unknown(), { json: { type: 'integer', enum: [1, 2, 4, 8], default: 1 } });

const coefficient = (required: boolean) => leaf(required ? req('seconds per unit', dur(false)) : opt(dur(false)));

/** vLLM's gauges the autoscaler targets (llm/scenario.ts). */
const LLM_SCALING_METRICS = ['vllm:num_requests_waiting', 'vllm:num_requests_running', 'vllm:kv_cache_usage_perc'] as const;

const PA = PREFIX_AFFINITY_DEFAULTS;

const llmBlock = obj({
  model: leaf(req('a model', text)),
  gpu: leaf(req('a GPU', text)),
  tensorParallel: tensorParallel.optional(),
  replicas: leaf(def(1, num({ int: true, min: 1, max: 10000 }))),
  routing: leaf(def('least-requests', choice(LLM_ROUTINGS))),
  prefixAffinity: obj({
    cacheThreshold: leaf(def(PA.cacheThreshold, num({ min: 0, max: 1 }))),
    balanceAbsThreshold: leaf(def(PA.balanceAbsThreshold, num({ int: true, min: 0 }))),
    balanceRelThreshold: leaf(def(PA.balanceRelThreshold, num({ min: 1, max: 1e6 }))),
    maxTreeSize: leaf(def(PA.maxTreeSize, num({ int: true, min: 1, max: 1e8 }))),
  }).optional(),
  price: leaf(opt(num({ min: 0, max: 1e6 }))),
  engine: obj({
    maxNumSeqs: leaf(def(256, num(INT1))),
    maxNumBatchedTokens: leaf(def(8192, num(INT1))),
    blockSize: leaf(def(16, num(INT1))),
    gpuMemoryUtilization: leaf(def(0.9, num({ min: 0.05, max: 1 }))),
    numGpuBlocks: leaf(opt(num({ int: true, min: 2 }))),
    prefixCaching: leaf(def(true, bool)),
    reserveFullSequence: leaf(def(true, bool)),
  }).optional(),
  stepTime: z
    .union([
      leaf(choice(['roofline', 'builtin'] as const)),
      obj({ beta0: coefficient(true), beta1: coefficient(true), beta2: coefficient(true), beta3: coefficient(true), beta4: coefficient(false), source: leaf(opt(text)) }),
      obj({ profile: leaf(req('a folder', text)) }),
    ])
    .default('roofline'),
  overheads: z
    .union([
      leaf(choice(['none'] as const)),
      obj({ queue: leaf(opt(dur(false))), queuePerPromptToken: leaf(opt(dur(false))), firstToken: leaf(opt(dur(false))), perToken: leaf(opt(dur(false))) }),
    ])
    .optional(),
  coldStart: obj({ loadBandwidth: leaf(opt(size)), startup: leaf(def(0, dur(false))) }).optional(),
  autoscaler: z
    .union([
      // an HPA on one of vLLM's gauges (kind hpa, the default)
      obj({
        kind: leaf(def('hpa', choice(['hpa'] as const))),
        metric: leaf(req('a vLLM gauge', choice(LLM_SCALING_METRICS))),
        target: leaf(req('a per-replica average', num({ min: 1e-6, max: 1e9 }))),
        minReplicas: leaf(def(1, num(INT1))),
        maxReplicas: leaf(opt(num({ int: true, min: 1, max: 10000 }))),
        syncPeriod: leaf(def(15, dur(true))),
      }),
      // a Knative KPA on in-flight requests or rps (llm/scenario.ts llmKpa): Knative's defaults and
      // bounds (config/kpa.ts), minReplicas 1 unless given (0 scales to zero) and a real maxReplicas
      obj({
        kind: leaf(req('kpa', choice(['kpa'] as const))),
        metric: leaf(def(KPA_DEFAULTS.metric, choice(['concurrency', 'rps'] as const))),
        target: leaf(opt(num({ min: 1e-6, max: 1e9 }))),
        targetUtilization: leaf(def(KPA_DEFAULTS.targetUtilization, num({ min: 1e-6, max: 1 }))),
        minReplicas: leaf(def(1, num({ int: true, min: 0 }))),
        maxReplicas: leaf(opt(num({ int: true, min: 1, max: 10000 }))),
        stableWindow: leaf(def(KPA_DEFAULTS.stableWindowS, dur(true))),
        panicWindowPercentage: leaf(def(KPA_DEFAULTS.panicWindowPercentage, num({ min: KNATIVE.panicWindowPercentage.min, max: KNATIVE.panicWindowPercentage.max }))),
        panicThreshold: leaf(def(KPA_DEFAULTS.panicThresholdPercentage, num({ min: KNATIVE.panicThreshold.min, max: KNATIVE.panicThreshold.max }))),
        maxScaleUpRate: leaf(def(KPA_DEFAULTS.maxScaleUpRate, num({ min: 1, max: 1e9 }))),
        maxScaleDownRate: leaf(def(KPA_DEFAULTS.maxScaleDownRate, num({ min: 1, max: 1e9 }))),
        scaleToZeroGracePeriod: leaf(def(KPA_DEFAULTS.scaleToZeroGracePeriodS, dur(true))),
        tick: leaf(def(KPA_DEFAULTS.tickS, dur(true))),
      }),
    ])
    .optional(),
});

/** A region (llm/regions-scenario.ts): the request-level name, share and rtt, and its own llm fields deep-merged onto the top-level block. */
const llmRegion = obj({
  name: leaf(req('a region name', text)),
  share: leaf(req('a share', num({ min: 0, max: 1 }))),
  rtt: z.record(leaf(req('a round trip', dur(false)))).optional(),
  llm: llmBlock.partial().optional(),
});

/** An LLM scenario document (for the JSON Schema and explain; never used to validate). */
export const llmDocumentSchema = obj({
  name: leaf(req('a name', text)),
  description: leaf(opt(text)),
  seed: leaf(def(1, num({ int: true, min: 0, max: Number.MAX_SAFE_INTEGER }))),
  duration: leaf(def(600, dur(true))),
  warmup: leaf(def(0, dur(false))),
  slo: obj({ ttft: percentiles, tpot: percentiles, itl: percentiles, e2e: percentiles }).optional(),
  traffic: llmTraffic,
  llm: llmBlock,
  report: obj({ interval: leaf(def(10, dur(true))) }).optional(),
  // for compare: named partial LLM documents, each deep-merged onto this one (as a request-level file's)
  variants: z.record(z.unknown()).optional(),
  regions: z.array(llmRegion).min(1).optional(),
  topology: topologySchema.optional(),
  failover: failoverSchema.optional(),
  events: z.array(eventSchema).optional(),
  cost: obj({
    interRegionPerGB: leaf(def(INTER_REGION_PER_GB_DEFAULT, num({ min: 0 }))),
    bytesPerToken: leaf(def(4, num({ gt: 0 }))), // llm/regions-scenario.ts BYTES_PER_TOKEN_DEFAULT
  }).optional(),
});
