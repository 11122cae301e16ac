/**
 * fast-check generators of valid scenario documents, written as a user would write
 * them (durations with units, optional fields left out, YAML block or flow style, or
 * JSON), so that every generated case also goes through the real loader and schema.
 *
 * One arbitrary per section, each a function of a shared context (duration, GPU,
 * maxBatch, autoscaler kind, which optional features are on …) because a few rules span
 * sections. To cover a new section, add an entry to SECTIONS (or pass your own map to
 * scenarioText/scenarioDoc):
 *
 *   scenarioText({ ...SECTIONS, variants: (ctx) => variantsArb(ctx) })
 *
 * A section arbitrary that yields `undefined` leaves its key out of the document.
 * The context decides the cross-section rules the loader enforces: traffic.keys (Zipf
 * for most keyed caches), cache (hit-rate or keyed), featureStore (single fleet only),
 * regions with topology, failover and region-outage events, or shards (never both),
 * cache-flush events only with a cache.
 * Sizes are small on purpose: a few simulated minutes at ≤ 200 req/s, ≤ 4 regions or
 * shards, ≤ 10^4 cache entries and ≤ 10^5 keys, so one run takes a few milliseconds and a
 * property can afford hundreds of runs.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

/** Facts several sections must agree on; drawn first, then handed to every section. */
export interface DocContext {
  /** Simulated time in whole milliseconds (integers keep every ordering exact after unit conversion). */
  durationMs: number;
  /** 0 when the document has no warmup; always < durationMs. */
  warmupMs: number;
  /** A catalog GPU id, or null for a GPU-less fleet (latency table given, no catalog price). */
  gpu: string | null;
  /** A MIG profile of `gpu` (only with the built-in latency profile), or null. */
  mig: string | null;
  /** Whether the model uses the built-in profile for `gpu` instead of its own table. */
  useProfile: boolean;
  maxBatch: number;
  autoscaler: 'none' | 'hpa' | 'kpa' | 'schedule';
  /** fleet.replicas: 0 only with an autoscaler (a fixed fleet needs one). */
  replicas: number;
  /** traffic.keys: left out (unique by default), written as unique, or Zipf. */
  keys: 'absent' | 'unique' | 'zipf';
  /** traffic.keys.count with Zipf keys (1–10^5), else 0. */
  keyCount: number;
  /** The result cache: none, a fixed hit probability, or a keyed LRU (then keys are mostly Zipf). */
  cache: 'none' | 'hit-rate' | 'keyed';
  /** A feature store on the miss path (single fleet only: the loader refuses it with regions or shards). */
  featureStore: boolean;
  /** One fleet, regions (with topology, failover, region-outage events) or shards; never both. */
  topology: 'single' | 'regions' | 'shards';
  /** The regions' names (1–4) when topology is 'regions', else empty. */
  regions: string[];
}

/** A scenario document: plain YAML/JSON data. */
export type ScenarioDoc = Record<string, unknown>;

/** A section's generator: undefined leaves the key out. */
export type SectionArb = (ctx: DocContext) => fc.Arbitrary<unknown>;

/** Leaves `arb`'s value out (undefined) about a third of the time: the loader's default applies. */
export function maybe<T>(arb: fc.Arbitrary<T>, freq = 2): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: arb, weight: freq });
}

/** Ways to write `ms` milliseconds as a scenario duration, each parsing back to ms / 1000 seconds. */
export function durationText(ms: number): fc.Arbitrary<number | string> {
  const forms: (number | string)[] = [ms / 1000, `${ms}ms`, `${ms / 1000}s`];
  if (ms === 0) forms.push('0', 0);
  if (ms % 60_000 === 0 && ms > 0) forms.push(`${ms / 60_000}m`);
  if (ms % 3_600_000 === 0 && ms > 0) forms.push(`${ms / 3_600_000}h`);
  if (ms >= 60_000 && ms % 1000 === 0) forms.push(`${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s`);
  if (ms < 10_000) forms.push(`${ms * 1000}us`);
  return fc.constantFrom(...forms);
}

/** A duration of min..max milliseconds, written in one of its forms. */
export function duration(minMs: number, maxMs: number): fc.Arbitrary<number | string> {
  return fc.integer({ min: minMs, max: maxMs }).chain(durationText);
}

/** A duration of min..max microseconds (batch latencies), written in us, ms or seconds. */
function microseconds(us: number): fc.Arbitrary<number | string> {
  return fc.constantFrom<number | string>(`${us}us`, `${us / 1000}ms`, us / 1e6);
}

/** A number rounded to `digits` decimals (keeps YAML short and values human-like). */
function decimal(min: number, max: number, digits = 3): fc.Arbitrary<number> {
  const k = 10 ** digits;
  return fc.integer({ min: Math.ceil(min * k), max: Math.floor(max * k) }).map((v) => v / k);
}

/** Sorted distinct integers in [min, max], count in [minLength, maxLength]. */
function sortedDistinct(min: number, max: number, minLength: number, maxLength: number): fc.Arbitrary<number[]> {
  return fc.uniqueArray(fc.integer({ min, max }), { minLength, maxLength }).map((a) => a.sort((x, y) => x - y));
}

/** Drops keys whose value is undefined (the arbitraries mark "leave it out" that way). */
export function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function rec<T extends Record<string, fc.Arbitrary<unknown>>>(shape: T): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(shape).map((o) => compact(o as Record<string, unknown>));
}

// ---------------------------------------------------------------- context

const GPUS = ['t4', 'a10g', 'l4', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-80gb', 'h200'] as const;
const MIG: Record<string, string[]> = {
  'a100-40gb': ['1g.5gb', '2g.10gb', '3g.20gb', '7g.40gb'],
  'a100-80gb': ['1g.10gb', '3g.40gb'],
  'h100-80gb': ['1g.10gb', '4g.40gb'],
};

const REGION_NAMES = ['us-east', 'eu-west', 'ap-south', 'sa-east', 'us-west-2', 'région β'] as const;

/**
 * The shared context: duration 10 s – 3 min, an optional GPU (and MIG slice), maxBatch, the autoscaler's kind,
 * and which of the optional features the document has: about 40 % a cache (15 % hit-rate, 25 % keyed), a fifth of
 * single fleets a feature store, an eighth regions and an eighth shards.
 */
export function contextArb(): fc.Arbitrary<DocContext> {
  return fc
    .record({
      durationMs: fc.integer({ min: 10_000, max: 180_000 }),
      warmupShare: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.5, noNaN: true })),
      gpu: fc.option(fc.constantFrom(...GPUS), { nil: null }),
      profileRoll: fc.integer({ min: 0, max: 3 }),
      migRoll: fc.integer({ min: 0, max: 5 }),
      maxBatch: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 })),
      autoscaler: fc.constantFrom('none', 'hpa', 'kpa', 'schedule'),
      replicas: fc.integer({ min: 0, max: 5 }),
      keysRoll: fc.integer({ min: 0, max: 9 }),
      keyCount: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100_000 })),
      cacheRoll: fc.integer({ min: 0, max: 19 }),
      featureStoreRoll: fc.integer({ min: 0, max: 9 }),
      topologyRoll: fc.integer({ min: 0, max: 15 }),
      regions: fc.shuffledSubarray([...REGION_NAMES], { minLength: 1, maxLength: 4 }),
    })
    .map((c): DocContext => {
      const useProfile = c.gpu !== null && c.profileRoll === 0;
      const migs = c.gpu !== null ? MIG[c.gpu] : undefined;
      const mig = useProfile && migs !== undefined && c.migRoll < migs.length ? migs[c.migRoll]! : null;
      const autoscaler = c.autoscaler as DocContext['autoscaler'];
      const cache: DocContext['cache'] = c.cacheRoll < 12 ? 'none' : c.cacheRoll < 15 ? 'hit-rate' : 'keyed';
      // a keyed cache wants Zipf keys (with unique keys it never hits: valid, with a warning)
      const zipfShare = cache === 'keyed' ? 8 : 2;
      const keys: DocContext['keys'] = c.keysRoll < zipfShare ? 'zipf' : c.keysRoll === 9 ? 'unique' : 'absent';
      const topology: DocContext['topology'] = c.topologyRoll < 12 ? 'single' : c.topologyRoll < 14 ? 'regions' : 'shards';
      return {
        durationMs: c.durationMs,
        warmupMs: Math.floor(c.durationMs * c.warmupShare),
        gpu: c.gpu,
        mig,
        useProfile,
        maxBatch: c.maxBatch,
        autoscaler,
        replicas: autoscaler === 'none' ? Math.max(1, c.replicas) : c.replicas,
        keys,
        keyCount: keys === 'zipf' ? c.keyCount : 0,
        cache,
        featureStore: topology === 'single' && c.featureStoreRoll < 2,
        topology,
        regions: topology === 'regions' ? c.regions : [],
      };
    });
}

// ---------------------------------------------------------------- traffic

/** A rate schedule: a first step at 0, later steps ascending, ramps that end before the next step, some rate > 0. */
function scheduleArb(ctx: DocContext): fc.Arbitrary<unknown> {
  return fc
    .record({
      times: sortedDistinct(1, ctx.durationMs - 1, 0, 4),
      rps: fc.array(decimal(0, 200, 2), { minLength: 5, maxLength: 5 }),
      positive: fc.integer({ min: 0, max: 4 }),
      rampShares: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), { minLength: 5, maxLength: 5 }),
    })
    .chain((s) => {
      const at = [0, ...s.times];
      const steps = at.map((atMs, i) => {
        const nextMs = at[i + 1] ?? ctx.durationMs + 60_000;
        // a ramp must end by the next step; 1 ms to spare keeps the check exact after unit conversion
        const share = s.rampShares[i];
        const rampMs = share === undefined ? undefined : Math.floor(share * Math.max(0, nextMs - atMs - 1));
        const rps = i === s.positive % at.length ? Math.max(1, s.rps[i]!) : s.rps[i]!;
        return fc.record({
          at: durationText(atMs),
          rps: fc.constant(rps),
          ramp: rampMs === undefined ? fc.constant(undefined) : durationText(rampMs),
        }).map((o) => compact(o));
      });
      return fc.tuple(...steps);
    });
}

function burstArb(): fc.Arbitrary<unknown> {
  const mmpp = fc
    .record({
      low: decimal(0, 1.5, 2),
      extra: decimal(0.1, 3, 2),
      writeHigh: fc.boolean(),
      writeLow: fc.boolean(),
      meanHigh: maybe(duration(500, 30_000)),
      meanLow: maybe(duration(500, 60_000)),
    })
    .map((m) => {
      // with a factor left out its default (high 3, low 0.5) applies: keep high > low either way
      const low = m.writeLow ? m.low : 0.5;
      const high = m.writeHigh ? low + m.extra : Math.max(3, low + m.extra);
      return compact({
        kind: 'mmpp',
        highFactor: m.writeHigh || high !== 3 ? high : undefined,
        lowFactor: m.writeLow ? low : undefined,
        meanHigh: m.meanHigh,
        meanLow: m.meanLow,
      });
    });
  return fc.oneof(
    fc.constant(undefined),
    fc.constant({ kind: 'poisson' }),
    decimal(0.1, 3, 2).map((cv) => ({ kind: 'gamma', cv })),
    mmpp,
  );
}

/** traffic: a constant rate or a schedule, optional diurnal cosine, spikes and burstiness. */
export function trafficArb(ctx: DocContext): fc.Arbitrary<unknown> {
  const diurnal = fc
    .integer({ min: 60_000, max: 86_400_000 }) // the loader refuses diurnal periods under 1m (LIMITS)
    .chain((periodMs) =>
      rec({
        amplitude: decimal(0, 0.95, 3),
        period: fc.oneof(durationText(periodMs), fc.constant(undefined)),
        peakAt: maybe(fc.integer({ min: 0, max: periodMs }).chain(durationText)),
      }),
    );
  const spike = fc.integer({ min: 0, max: ctx.durationMs - 1 }).chain((atMs) =>
    rec({ at: durationText(atMs), factor: decimal(0.1, 4, 2), for: duration(1, 60_000) }),
  );
  return rec({
    rate: fc.oneof(decimal(0.5, 200, 2), fc.integer({ min: 1, max: 200 }), scheduleArb(ctx)),
    diurnal: maybe(diurnal, 1),
    spikes: maybe(fc.array(spike, { minLength: 0, maxLength: 3 }), 1),
    burst: burstArb(),
    keys: keysArb(ctx),
  });
}

/** traffic.keys as the context says: left out, unique (written out or as {}), or Zipf over at most 10^5 keys. */
export function keysArb(ctx: DocContext): fc.Arbitrary<unknown> {
  switch (ctx.keys) {
    case 'absent':
      return fc.constant(undefined);
    case 'unique':
      return fc.constantFrom<Record<string, unknown>>({ kind: 'unique' }, {});
    case 'zipf':
      return rec({
        kind: fc.constant('zipf'),
        count: fc.constant(ctx.keyCount),
        exponent: maybe(fc.oneof(fc.constantFrom(0, 1), decimal(0, 2, 2))),
      });
  }
}

// ---------------------------------------------------------------- model

/** A latency table { batch: latency }: batch sizes ascending, latencies strictly increasing (1 µs apart at least). */
function latencyTableArb(ctx: DocContext): fc.Arbitrary<Record<string, unknown>> {
  // one point only when it covers maxBatch (a single point cannot be extrapolated)
  const batches =
    ctx.maxBatch === 1
      ? fc.oneof(fc.constant([1]), sortedDistinct(1, 128, 1, 4))
      : fc.oneof(
          fc.integer({ min: ctx.maxBatch, max: 128 }).map((b) => [b]),
          sortedDistinct(1, 128, 2, 4),
        );
  return batches.chain((bs) =>
    fc
      .record({
        firstUs: fc.integer({ min: 300, max: 30_000 }),
        stepsUs: fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: bs.length, maxLength: bs.length }),
      })
      .chain(({ firstUs, stepsUs }) => {
        let us = firstUs;
        const entries = bs.map((b, i) => {
          if (i > 0) us += stepsUs[i]!;
          return fc.tuple(fc.constant(String(b)), microseconds(us));
        });
        return fc.tuple(...entries).map((kv) => Object.fromEntries(kv));
      }),
  );
}

function variabilityArb(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant({ dist: 'deterministic' }),
    fc.constantFrom({ dist: 'exponential' }, { dist: 'exponential', cv: 1 }),
    maybe(decimal(0, 1.5, 3)).map((cv) => compact({ dist: 'lognormal', cv })),
    maybe(decimal(0, 2, 3)).map((cv) => compact({ dist: 'gamma', cv })),
  );
}

/** model: the built-in profile (with a GPU) or a latency table, variability, response size. */
export function modelArb(ctx: DocContext): fc.Arbitrary<unknown> {
  return rec({
    profile: fc.constant(ctx.useProfile ? 'bert-base-seq128' : undefined),
    latency: ctx.useProfile ? fc.constant(undefined) : latencyTableArb(ctx),
    variability: variabilityArb(),
    responseBytes: maybe(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('512B', '2KiB', '1.5KB', '1MB', '0')), 1),
  });
}

// ---------------------------------------------------------------- fleet

/** A cold-start phase: fixed, lognormal { mean, cv } or uniform { min, max }. */
export function phaseArb(maxMs: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    duration(0, maxMs),
    fc.record({ mean: duration(0, maxMs), cv: decimal(0, 1, 2) }),
    fc
      .tuple(fc.integer({ min: 0, max: maxMs }), fc.integer({ min: 0, max: maxMs }))
      .chain(([a, b]) => fc.record({ min: durationText(Math.min(a, b)), max: durationText(Math.max(a, b)) })),
  );
}

const ROUTINGS = ['random', 'round-robin', 'least-outstanding', 'power-of-two', 'shared-queue'] as const;

/** fleet: replicas, instances/overlap, batching, queue limits, routing, cold start, warm pool, nodes, CPU model. */
export function fleetArb(ctx: DocContext): fc.Arbitrary<unknown> {
  const batching = rec({
    maxBatch: fc.constant(ctx.maxBatch === 1 ? undefined : ctx.maxBatch),
    maxQueueDelay: maybe(duration(0, 20)),
    preferred: maybe(sortedDistinct(1, ctx.maxBatch, 0, 3), 1),
  });
  const queue = rec({
    maxDepth: maybe(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10_000 }))),
    timeout: maybe(duration(5, 5_000)),
  });
  const coldStart = rec({
    nodeProvision: maybe(phaseArb(60_000)),
    imagePull: maybe(phaseArb(30_000)),
    modelLoad: maybe(phaseArb(30_000)),
    warmup: maybe(phaseArb(5_000)),
  });
  return rec({
    gpu: fc.constant(ctx.gpu ?? undefined),
    mig: fc.constant(ctx.mig ?? undefined),
    replicas: fc.constant(ctx.replicas),
    instances: maybe(fc.integer({ min: 1, max: 3 }), 1),
    overlap: maybe(decimal(0, 1, 2), 1),
    batching: maybe(batching),
    queue: maybe(queue),
    routing: maybe(fc.constantFrom(...ROUTINGS), 3),
    coldStart: maybe(coldStart),
    warmPool: maybe(fc.integer({ min: 0, max: 2 }), 1),
    nodes: maybe(rec({ gpusPerNode: maybe(fc.integer({ min: 1, max: 8 })), idleNodeTimeout: maybe(duration(0, 300_000)) }), 1),
    cpu: maybe(rec({ request: maybe(decimal(0.1, 4, 2)), base: maybe(decimal(0, 1, 2)), perRequest: maybe(duration(0, 5)) }), 1),
  });
}

// ---------------------------------------------------------------- autoscaler

const SIGNALS = ['rps', 'concurrency', 'queueDepth', 'gpuUtilization', 'cpu', 'latencyP99Ms'] as const;

function hpaRulesArb(): fc.Arbitrary<unknown> {
  const policy = rec({
    type: fc.constantFrom('Pods', 'Percent'),
    value: fc.integer({ min: 1, max: 200 }),
    periodSeconds: fc.integer({ min: 1, max: 120 }),
  });
  return rec({
    stabilizationWindowSeconds: maybe(fc.integer({ min: 0, max: 120 })),
    selectPolicy: maybe(fc.constantFrom('Max', 'Min', 'Disabled'), 1),
    policies: maybe(fc.array(policy, { minLength: 1, maxLength: 2 })),
  });
}

/** An HPA with an inline autoscaling/v2 spec: Pods metrics mapped to signals, Resource cpu, an External metric (scale to zero), optional behavior. */
function hpaArb(): fc.Arbitrary<unknown> {
  const quantity = fc.oneof(decimal(0.1, 300, 1), fc.constantFrom('500m', '1', '20', '1k', '250m'));
  const metric = fc.oneof(
    fc.constant<'pods'>('pods'),
    fc.constant<'cpu'>('cpu'),
    fc.constant<'cpu-value'>('cpu-value'),
    fc.constant<'external'>('external'),
  );
  return fc
    .record({
      metrics: fc.array(fc.tuple(metric, quantity, fc.integer({ min: 5, max: 100 }), fc.constantFrom(...SIGNALS)), { minLength: 0, maxLength: 3 }),
      minReplicas: fc.integer({ min: 0, max: 3 }),
      span: fc.integer({ min: 0, max: 5 }),
      behavior: maybe(rec({ scaleUp: maybe(hpaRulesArb()), scaleDown: maybe(hpaRulesArb()) }), 1),
      syncPeriod: maybe(duration(1_000, 30_000)),
      tolerance: maybe(decimal(0, 0.5, 2), 1),
      pipeline: maybe(rec({ scrapeInterval: maybe(duration(1_000, 30_000)), window: maybe(duration(1_000, 60_000)), delay: maybe(duration(0, 10_000)) }), 1),
    })
    .map((h) => {
      const metrics: unknown[] = [];
      const signals: Record<string, string> = {};
      h.metrics.forEach(([kind, q, pct, signal], i) => {
        const name = `metric_${i}`;
        if (kind === 'cpu') metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: pct } } });
        else if (kind === 'cpu-value') metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '500m' } } });
        else if (kind === 'pods') {
          metrics.push({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: q } } });
          signals[name] = signal;
        } else {
          metrics.push({ type: 'External', external: { metric: { name }, target: { type: 'AverageValue', averageValue: q } } });
          signals[name] = signal;
        }
      });
      // minReplicas 0 is valid only with an Object or External metric
      const canZero = metrics.some((m) => (m as { type: string }).type === 'External');
      const minReplicas = canZero ? h.minReplicas : Math.max(1, h.minReplicas);
      const spec = compact({ minReplicas, maxReplicas: Math.max(1, minReplicas + h.span), metrics: metrics.length > 0 ? metrics : undefined, behavior: h.behavior });
      return compact({
        kind: 'hpa',
        spec,
        signals: Object.keys(signals).length > 0 ? signals : undefined,
        syncPeriod: h.syncPeriod,
        tolerance: h.tolerance,
        metrics: h.pipeline,
      });
    });
}

/** A KPA with any subset of its knobs set, each within Knative's limits. */
function kpaArb(): fc.Arbitrary<unknown> {
  return fc
    .record({
      metric: maybe(fc.constantFrom('concurrency', 'rps')),
      // per-pod targets low enough to need hundreds of pods make runs slow, not more interesting
      target: maybe(decimal(5, 200, 2)),
      targetUtilization: maybe(decimal(0.3, 1, 2)),
      minReplicas: maybe(fc.integer({ min: 0, max: 2 })),
      span: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      stableWindow: maybe(fc.integer({ min: 6, max: 120 }).map((s) => `${s}s`), 1),
      panicWindowPercentage: maybe(fc.integer({ min: 1, max: 100 }), 1),
      panicThreshold: maybe(fc.integer({ min: 110, max: 1000 }), 1),
      maxScaleUpRate: maybe(decimal(1.1, 1000, 1), 1),
      maxScaleDownRate: maybe(decimal(1.1, 10, 1), 1),
      scaleToZeroGracePeriod: maybe(duration(1_000, 60_000), 1),
      tick: maybe(duration(500, 5_000), 1),
    })
    .map((k) => {
      // maxReplicas 0 means unbounded; otherwise ≥ minReplicas
      const maxReplicas = k.span === undefined ? undefined : k.span === 0 ? 0 : (k.minReplicas ?? 0) + k.span;
      const { span: _span, ...rest } = k;
      return compact({ kind: 'kpa', ...rest, maxReplicas });
    });
}

function scheduleAutoscalerArb(ctx: DocContext): fc.Arbitrary<unknown> {
  return fc
    .record({
      startAtZero: fc.boolean(),
      times: sortedDistinct(1, ctx.durationMs + 30_000, 0, 4),
      replicas: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 5, maxLength: 5 }),
    })
    .chain((s) => {
      const at = s.startAtZero || s.times.length === 0 ? [0, ...s.times] : s.times;
      return fc.tuple(...at.map((ms, i) => fc.record({ at: durationText(ms), replicas: fc.constant(s.replicas[i]!) })));
    })
    .map((schedule) => ({ kind: 'schedule', schedule }));
}

/** autoscaler: as the context says (none is written out or left out). */
export function autoscalerArb(ctx: DocContext): fc.Arbitrary<unknown> {
  switch (ctx.autoscaler) {
    case 'none':
      return fc.constantFrom(undefined, { kind: 'none' });
    case 'hpa':
      return hpaArb();
    case 'kpa':
      return kpaArb();
    case 'schedule':
      return scheduleAutoscalerArb(ctx);
  }
}

// ---------------------------------------------------------------- cache and feature store

const STAMPEDES = ['none', 'coalesce', 'stale-while-revalidate', 'xfetch'] as const;

/** A cache lookup latency: 0–5 ms, or 0–2000 µs. */
function lookupLatencyArb(): fc.Arbitrary<number | string | undefined> {
  return maybe(fc.oneof(duration(0, 5), fc.integer({ min: 0, max: 2_000 }).chain(microseconds)));
}

/** cache: hit-rate mode (hitRate, lookupLatency) or keyed mode (capacity ≤ 10^4, TTL and jitter, a stampede policy with its knobs, prewarmed). */
export function cacheArb(ctx: DocContext): fc.Arbitrary<unknown> {
  if (ctx.cache === 'none') return fc.constant(undefined);
  if (ctx.cache === 'hit-rate') {
    return rec({
      hitRate: fc.oneof(fc.constantFrom(0, 1), decimal(0, 1, 3)),
      lookupLatency: lookupLatencyArb(),
      // the only keyed-mode field the loader allows here, and only as false
      prewarmed: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
    });
  }
  return fc
    .tuple(fc.constantFrom<(typeof STAMPEDES)[number] | undefined>(undefined, ...STAMPEDES), maybe(duration(100, 300_000)))
    .chain(([stampede, ttl]) => {
      return rec({
        capacity: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10_000 })),
        ttl: fc.constant(ttl),
        ttlJitter: maybe(decimal(0, 0.99, 2), 1),
        lookupLatency: lookupLatencyArb(),
        stampede: fc.constant(stampede),
        staleWindow: stampede === 'stale-while-revalidate' ? maybe(duration(0, 120_000)) : fc.constant(undefined),
        xfetchBeta: stampede === 'xfetch' ? maybe(decimal(0.1, 5, 2)) : fc.constant(undefined),
        xfetchLock: stampede === 'xfetch' ? maybe(fc.boolean()) : fc.constant(undefined),
        prewarmed: maybe(fc.boolean(), 1),
      });
    });
}

const SERVICE_DISTS = ['deterministic', 'exponential', 'lognormal', 'gamma'] as const;

/** featureStore: 1–4 servers, a service time of 0–20 ms (plain, or { mean, dist, cv }), read replicas, a queue bound. */
export function featureStoreArb(ctx: DocContext): fc.Arbitrary<unknown> {
  if (!ctx.featureStore) return fc.constant(undefined);
  const serviceTime = fc.oneof(
    duration(0, 20),
    fc
      .record({
        mean: duration(0, 20),
        dist: fc.constantFrom<(typeof SERVICE_DISTS)[number] | undefined>(undefined, ...SERVICE_DISTS),
        cv: maybe(fc.oneof(fc.constant(0), decimal(0, 2, 2))),
      })
      // cv means something only for lognormal and gamma (or with dist left out: lognormal)
      .map((o) => compact({ ...o, cv: o.dist === undefined || o.dist === 'lognormal' || o.dist === 'gamma' ? o.cv : undefined })),
  );
  return rec({
    servers: maybe(fc.integer({ min: 1, max: 4 })),
    serviceTime,
    readReplicas: maybe(fc.integer({ min: 0, max: 2 }), 1),
    maxQueue: maybe(fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 1_000 })), 1),
  });
}

// ---------------------------------------------------------------- regions and shards

/** `n` shares in hundredths that add up to 1 (some may be 0). */
function sharesArb(n: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const at = [0, ...cuts.sort((a, b) => a - b), 100];
    return at.slice(1).map((x, i) => (x - at[i]!) / 100);
  });
}

/**
 * One region: its share, a round trip to every region (to itself optional), and sometimes a fleet of its own
 * (replicas, a GPU: only without MIG, whose slice the other GPU may not have) and an autoscaler of its own.
 */
function regionArb(ctx: DocContext, name: string, share: number): fc.Arbitrary<Record<string, unknown>> {
  const rtt = fc
    .record(Object.fromEntries(ctx.regions.map((to) => [to, to === name ? maybe(duration(0, 5), 1) : duration(0, 200)])))
    .map((o) => compact(o));
  const ownAutoscaler = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 },
    { arbitrary: fc.constant({ kind: 'none' }), weight: 1 },
    { arbitrary: kpaArb(), weight: 1 },
  );
  return fc
    .record({
      rtt,
      replicas: maybe(fc.integer({ min: 0, max: 3 }), 1),
      gpu: ctx.mig === null ? maybe(fc.constantFrom(...GPUS), 1) : fc.constant(undefined),
      autoscaler: ownAutoscaler,
    })
    .map((r) => {
      // the merged fleet is validated as a scenario of its own: a fixed fleet needs a replica
      const kind = r.autoscaler === undefined ? ctx.autoscaler : (r.autoscaler as { kind: string }).kind;
      let replicas = r.replicas;
      if (kind === 'none') replicas = replicas !== undefined ? Math.max(1, replicas) : ctx.replicas === 0 ? 1 : undefined;
      const fleet = compact({ replicas, gpu: r.gpu });
      return compact({
        name,
        share,
        rtt: Object.keys(r.rtt).length > 0 ? r.rtt : undefined,
        fleet: Object.keys(fleet).length > 0 ? fleet : undefined,
        autoscaler: r.autoscaler,
      });
    });
}

/** regions: the context's names, shares adding up to 1. */
export function regionsArb(ctx: DocContext): fc.Arbitrary<unknown> {
  if (ctx.topology !== 'regions') return fc.constant(undefined);
  const names = ctx.regions;
  return sharesArb(names.length).chain((shares) => fc.tuple(...names.map((n, i) => regionArb(ctx, n, shares[i]!))));
}

/** topology: active-active or active-passive (a primary, a warm or cold standby), routing nearest, latency-weighted or weighted. */
export function topologyArb(ctx: DocContext): fc.Arbitrary<unknown> {
  if (ctx.topology !== 'regions') return fc.constant(undefined);
  const names = ctx.regions;
  const n = names.length;
  return fc
    .record({
      kind: fc.constantFrom(undefined, 'active-active', 'active-passive'),
      routing: fc.constantFrom(undefined, 'nearest', 'latency-weighted', 'weighted'),
      weights: fc.array(fc.oneof(fc.constant(0), decimal(0, 5, 2)), { minLength: n, maxLength: n }),
      listed: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      primary: fc.constantFrom(...names),
      standby: fc.constantFrom(undefined, 'warm', 'cold'),
      leaveOut: fc.integer({ min: 0, max: 3 }),
    })
    .map((t) => {
      if (t.leaveOut === 0) return undefined;
      let weights: Record<string, number> | undefined;
      if (t.routing === 'weighted') {
        // a weight for some of the regions (the rest get 0), at least one of them > 0
        const listed = names.filter((_, i) => t.listed[i] || i === 0);
        weights = Object.fromEntries(listed.map((name) => [name, t.weights[names.indexOf(name)]!]));
        if (!Object.values(weights).some((w) => w > 0)) weights[listed[0]!] = 1;
      }
      const passive = t.kind === 'active-passive';
      return compact({ kind: t.kind, routing: t.routing, weights, primary: passive ? t.primary : undefined, standby: passive ? t.standby : undefined });
    });
}

/** failover: health checks every 0.5–30 s, 1–5 failures, a DNS TTL of 0–2 min; each optional. */
export function failoverArb(ctx: DocContext): fc.Arbitrary<unknown> {
  if (ctx.topology !== 'regions') return fc.constant(undefined);
  return maybe(
    rec({
      healthCheckInterval: maybe(duration(500, 30_000)),
      failureThreshold: maybe(fc.integer({ min: 1, max: 5 })),
      dnsTtl: maybe(duration(0, 120_000)),
    }),
  );
}

/** shards: 1–4, by key hash (the default) or by a Zipf tenant of ≤ 1000. */
export function shardsArb(ctx: DocContext): fc.Arbitrary<unknown> {
  if (ctx.topology !== 'shards') return fc.constant(undefined);
  return fc.constantFrom(undefined, 'key-hash', 'tenant').chain((by) =>
    rec({
      count: fc.integer({ min: 1, max: 4 }),
      by: fc.constant(by),
      tenants: by === 'tenant' ? rec({ count: fc.integer({ min: 1, max: 1_000 }), exponent: maybe(decimal(0, 2, 2)) }) : fc.constant(undefined),
    }),
  );
}

// ---------------------------------------------------------------- the rest

/** events before the end of the run: replica crashes; cache flushes (with a cache); region outages (with regions), for a while or to the end. */
export function eventsArb(ctx: DocContext): fc.Arbitrary<unknown> {
  const at = fc.integer({ min: 0, max: ctx.durationMs - 1 });
  const crash = at.chain((atMs) => rec({ at: durationText(atMs), kind: fc.constant('replica-crash'), count: maybe(fc.integer({ min: 1, max: 3 })) }));
  const kinds: fc.WeightedArbitrary<unknown>[] = [{ arbitrary: crash, weight: 2 }];
  if (ctx.cache !== 'none') kinds.push({ arbitrary: at.chain((atMs) => rec({ at: durationText(atMs), kind: fc.constant('cache-flush') })), weight: 2 });
  if (ctx.topology === 'regions') {
    const outage = at.chain((atMs) =>
      rec({ at: durationText(atMs), kind: fc.constant('region-outage'), region: fc.constantFrom(...ctx.regions), for: maybe(duration(1, 120_000)) }),
    );
    kinds.push({ arbitrary: outage, weight: 4 });
  }
  const most = kinds.length === 1 ? 2 : 3;
  return maybe(fc.array(fc.oneof(...kinds), { minLength: 0, maxLength: most }), kinds.length === 1 ? 1 : 2);
}

/** slo: any subset of the percentile targets and the error budget. */
export function sloArb(): fc.Arbitrary<unknown> {
  return maybe(
    rec({
      p50: maybe(duration(1, 1_000), 1),
      p90: maybe(duration(1, 1_000), 1),
      p95: maybe(duration(1, 1_000), 1),
      p99: maybe(duration(1, 2_000), 1),
      p999: maybe(duration(1, 5_000), 1),
      maxErrorRate: maybe(decimal(0, 1, 4), 1),
    }),
    1,
  );
}

/** cost: prices, each optional (the inter-region transfer price with regions only). */
export function costArb(ctx?: DocContext): fc.Arbitrary<unknown> {
  return maybe(
    rec({
      gpuHourly: maybe(decimal(0, 10, 3)),
      cacheHourly: maybe(decimal(0, 1, 3), 1),
      egressPerGB: maybe(decimal(0, 0.2, 3), 1),
      interRegionPerGB: ctx?.topology === 'regions' ? maybe(decimal(0, 0.2, 3), 1) : fc.constant(undefined),
    }),
    1,
  );
}

/** report: the timeline interval, 1–30 s (or the default 10 s). */
export function reportArb(): fc.Arbitrary<unknown> {
  return maybe(rec({ interval: duration(1_000, 30_000) }), 1);
}

/** Every section the generator writes, by top-level key, in document order. */
export const SECTIONS: Readonly<Record<string, SectionArb>> = {
  name: () => fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }).filter((s) => s.trim() !== ''),
  seed: () => maybe(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  duration: (ctx) => durationText(ctx.durationMs),
  warmup: (ctx) => (ctx.warmupMs === 0 ? fc.constantFrom(undefined, 0, '0s') : durationText(ctx.warmupMs)),
  slo: () => sloArb(),
  traffic: trafficArb,
  model: modelArb,
  fleet: fleetArb,
  autoscaler: autoscalerArb,
  cache: cacheArb,
  featureStore: featureStoreArb,
  regions: regionsArb,
  topology: topologyArb,
  failover: failoverArb,
  shards: shardsArb,
  cost: costArb,
  report: () => reportArb(),
  events: eventsArb,
};

/** A valid scenario document and the context it was drawn from. */
export function scenarioDoc(sections: Readonly<Record<string, SectionArb>> = SECTIONS): fc.Arbitrary<{ ctx: DocContext; doc: ScenarioDoc }> {
  return contextArb().chain((ctx) => {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, arb] of Object.entries(sections)) shape[key] = arb(ctx);
    return fc.record(shape).map((doc) => ({ ctx, doc: compact(doc) }));
  });
}

export type TextFormat = 'yaml-block' | 'yaml-flow' | 'json';

/** `doc` as scenario file text: YAML in block or flow style, or JSON (YAML reads JSON). */
export function renderDoc(doc: ScenarioDoc, format: TextFormat): string {
  switch (format) {
    case 'yaml-block':
      return stringify(doc);
    case 'yaml-flow':
      return stringify(doc, { collectionStyle: 'flow' });
    case 'json':
      return JSON.stringify(doc, null, 1);
  }
}

/** A valid scenario as file text, with its document and context (for checks that need them). */
export function scenarioText(
  sections: Readonly<Record<string, SectionArb>> = SECTIONS,
): fc.Arbitrary<{ ctx: DocContext; doc: ScenarioDoc; text: string; format: TextFormat }> {
  return fc
    .tuple(scenarioDoc(sections), fc.constantFrom<TextFormat>('yaml-block', 'yaml-flow', 'json'))
    .map(([{ ctx, doc }, format]) => ({ ctx, doc, text: renderDoc(doc, format), format }));
}

// ---------------------------------------------------------------- malformed input

/** Values that are wrong somewhere: huge, tiny, negative, zero, NaN/∞, the wrong type, odd strings, containers. */
export const BAD_VALUES: readonly unknown[] = [
  1e308, -1e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), -1, 0, -0, 0.5, 1e-300, -1e-300, NaN, Infinity, -Infinity,
  '', ' ', 'abc', '-5ms', '5 ms', '1e400s', '∞', '0x10', '1h30', 'null', '~', '\u0000', 'x'.repeat(10_000),
  true, false, null, [], {}, [1, 2], { a: 1 }, [[[[]]]], { kind: 'none' },
];

/** A wrong value: one of BAD_VALUES, or anything fast-check can make. */
export function badValueArb(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...BAD_VALUES), weight: 4 },
    { arbitrary: fc.double(), weight: 1 },
    { arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), weight: 1 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
    { arbitrary: fc.anything({ maxDepth: 2, maxKeys: 3, key: fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__') }), weight: 1 },
  );
}

/** Every path into `doc` (mappings and lists), the document itself excluded. */
export function pathsOf(doc: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  }
  return out;
}

type Mutation = { path: (string | number)[]; op: 'set' | 'delete' | 'unknown-key' | 'as-string' | 'as-list'; value: unknown };

/** A deep copy of plain data (fast-check values may carry prototypes structuredClone refuses). */
function copyData(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(copyData);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copyData(v)]));
  return x;
}

function mutate(doc: ScenarioDoc, m: Mutation): ScenarioDoc {
  const copy = copyData(doc) as ScenarioDoc;
  if (m.path.length === 0) return copy;
  let parent: Record<string | number, unknown> = copy;
  for (const seg of m.path.slice(0, -1)) {
    const next = parent[seg];
    if (next === null || typeof next !== 'object') return copy; // an earlier mutation replaced the container
    parent = next as Record<string | number, unknown>;
  }
  const key = m.path[m.path.length - 1]!;
  const old = parent[key];
  switch (m.op) {
    case 'set':
      parent[key] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'unknown-key':
      if (old !== null && typeof old === 'object' && !Array.isArray(old)) (old as Record<string, unknown>)[`x${String(m.value).slice(0, 8)}`] = 1;
      else parent[key] = { [String(key)]: old };
      break;
    case 'as-string':
      parent[key] = JSON.stringify(old ?? null);
      break;
    case 'as-list':
      parent[key] = [old];
      break;
  }
  return copy;
}

/** A valid document with one to three things broken at random paths, as file text (YAML keeps NaN and ∞; JSON turns them into null). */
export function mutatedText(): fc.Arbitrary<{ doc: ScenarioDoc; text: string; mutations: Mutation[] }> {
  return scenarioDoc().chain(({ doc }) => {
    const paths = pathsOf(doc);
    const mutation = fc.record({
      path: fc.constantFrom(...paths),
      op: fc.constantFrom<Mutation['op']>('set', 'set', 'set', 'delete', 'unknown-key', 'as-string', 'as-list'),
      value: badValueArb(),
    });
    return fc
      .tuple(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.constantFrom<TextFormat>('yaml-block', 'yaml-flow', 'json'))
      .map(([mutations, format]) => {
        const broken = mutations.reduce(mutate, doc);
        return { doc: broken, text: renderDoc(broken, format), mutations };
      });
  });
}

const YAML_BITS = [
  'name:', 'name: x', 'duration:', 'duration: 1m', 'traffic:', 'rate: 5', 'model:', 'latency: {1: 1ms}', 'fleet:', 'replicas: 2',
  '{', '}', '[', ']', '- ', ': ', '\n', '  ', '\t', '&a ', '*a', '!!str ', '!!binary ', '"', "'", '#', '|', '>', '---', '...',
  '1e308', '.nan', '-.inf', '~', '<<: *a', '? ', ',', '%YAML 1.2', '\u0000', '\ufeff', 'é', '🚀', '\r\n',
];

/** Text that is mostly not a scenario: YAML-ish fragments glued together, arbitrary unicode, or raw bytes read as UTF-8. */
export function garbageText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.array(fc.constantFrom(...YAML_BITS), { maxLength: 40 }).map((a) => a.join('')),
    fc.string({ maxLength: 200, unit: 'binary' }),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
  );
}

// ---------------------------------------------------------------- the CLI layer (#14)

/** Path segments a hostile user (or a typo) puts in a --set/--vary/--find path. */
export const HOSTILE_SEGMENTS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'fleet', 'replicas', 'variants', '0', '-1', '1e9', '..', '', ' ', '\u0000', '\u001b[2J', 'toString', 'hasOwnProperty'];

/** YAML value texts for --set/--vary: aliases, anchors, cycles, tags, flow collections, huge and odd scalars. */
export const HOSTILE_VALUES: readonly string[] = [
  '*a', '&a [*a]', '&a { x: *a }', '&a 1', '[*a]', '!!binary AAAA', '!!js/function x', '<<: { a: 1 }', '{ <<: *a }', '{ __proto__: { x: 1 } }',
  '[', ']', '{', '}', '"', "'", '- a\n- b', 'a: b: c', '1e400', '-0', '0x1F', '.inf', '.nan', '~', 'null', '', ' ', '\t', '\u0000', '\u001b[31m',
  'x'.repeat(5000), '[' + '1,'.repeat(2000) + '1]', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
];

/** A `--set` argument: a dotted path of (often hostile) segments, then `=` and a (often hostile) value. */
export function setArgArb(): fc.Arbitrary<string> {
  const segment = fc.oneof(fc.constantFrom(...HOSTILE_SEGMENTS), fc.string({ maxLength: 8 }));
  const value = fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.string({ maxLength: 20 }), fc.integer().map(String), fc.double().map(String));
  return fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('=', '', '=='), value).map(([p, eq, v]) => `${p.join('.')}${eq}${v}`);
}

/** A `--vary` argument: a path and a values spec (ranges, lists, hostile YAML). */
export function varyArgArb(): fc.Arbitrary<string> {
  const spec = fc.oneof(
    fc.constantFrom('1..3', '1..1e9', '3..1', '1..10:0', '1..10:-1', '0..1:0.1', 'a..b', '1,1', ',', '', '1e300', '1..100001', ...HOSTILE_VALUES),
    fc.string({ maxLength: 12 }),
    fc.array(fc.integer({ min: -3, max: 8 }), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(',')),
  );
  const path = fc.constantFrom('fleet.replicas', 'fleet.batching.maxBatch', '__proto__.x', 'fleet.__proto__', 'constructor', 'x', '', 'seed', 'variants.a');
  return fc.tuple(path, spec).map(([p, s]) => `${p}=${s}`);
}

/** A variant name: safe ones, and the ones that once escaped the results folder or collided. */
export function variantNameArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('fast', 'kpa-2', 'a.b', '../x', '../../x', '/abs', 'a/b', 'a\\b', 'base', 'Base', 'compare.csv', 'report.html', '.', '..', '.hidden', 'a\u0000b', '\u001b[2J', 'x'.repeat(80), 'con', '__proto__', 'constructor'),
    fc.string({ minLength: 1, maxLength: 10 }),
    fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/),
  );
}

/** A number-ish argument for --seed/--seeds/--workers/--margin/--shard. */
export function numberArgArb(): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom('0', '1', '2', '-1', '1.5', '1e9', '1e300', '9007199254740993', 'NaN', 'Infinity', '', ' 2', '0x10', '2/1', '0/2', '1/0', '3/2'), fc.integer({ min: -5, max: 20 }).map(String));
}
