/** Builds resolved Scenarios in code for unit and theory tests (the loader has its own tests). */
import type { Scenario } from '../../src/config/scenario.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b)
      ? merge(b, v as DeepPartial<typeof b>)
      : v;
  }
  return out as T;
}

/** A one-replica, constant-rate scenario with a 10 ms deterministic latency, overridden by `over`. */
export function makeScenario(over?: DeepPartial<Scenario>): Scenario {
  const base: Scenario = {
    name: 'test',
    seed: 1,
    durationS: 10,
    warmupS: 0,
    slo: { latencyS: {}, maxErrorRate: null },
    traffic: {
      schedule: [{ atS: 0, rps: 50, rampS: 0 }],
      diurnal: null,
      spikes: [],
      burst: { kind: 'poisson' },
      keys: { kind: 'unique' },
      trace: null,
    },
    model: {
      profile: null,
      latency: { batch: [1], latencyS: [0.01], source: 'test' },
      variability: { dist: 'deterministic', cv: 0 },
      responseBytes: 0,
    },
    fleet: {
      gpu: null,
      mig: null,
      gpuShare: 1,
      replicas: 1,
      instances: 1,
      overlap: 0.5,
      batching: { maxBatch: 1, maxQueueDelayS: 0, preferred: [] },
      queue: { maxDepth: 1_000_000, timeoutS: Infinity },
      routing: 'round-robin',
      coldStart: {
        nodeProvision: { kind: 'fixed', s: 0 },
        imagePull: { kind: 'fixed', s: 0 },
        modelLoad: { kind: 'fixed', s: 0 },
        warmup: { kind: 'fixed', s: 0 },
      },
      warmPool: 0,
      nodes: null,
      replicasPerNode: 1,
      cpu: { requestCores: 1, baseCores: 0.1, perRequestCoreS: 0.002 },
    },
    cost: { gpuHourlyUsd: null, gpuPriceSource: 'test', cacheHourlyUsd: 0, egressPerGbUsd: null },
    cache: null,
    featureStore: null,
    autoscaler: { kind: 'none' },
    events: [],
    report: { intervalS: 1 },
    warnings: [],
  };
  return merge(base, over);
}
