/**
 * fast-check generators of valid scenario documents, written as a user would write
 * them (durations with units, optional fields left out, YAML block or flow style, or
 * JSON), so that every generated case also goes through the real loader and schema.
 *
 * One arbitrary per section, each a function of a shared context (duration, GPU,
 * maxBatch, autoscaler kind …) because a few rules span sections. To cover a new
 * section, add an entry to SECTIONS (or pass your own map to scenarioText/scenarioDoc):
 *
 *   scenarioText({ ...SECTIONS, cache: (ctx) => cacheArb(ctx) })
 *
 * A section arbitrary that yields `undefined` leaves its key out of the document.
 * Sizes are small on purpose: a few simulated minutes at ≤ 200 req/s, so one run
 * takes a few milliseconds and a property can afford hundreds of runs.
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

/** The shared context: duration 10 s – 3 min, an optional GPU (and MIG slice), maxBatch, the autoscaler's kind. */
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
    })
    .map((c): DocContext => {
      const useProfile = c.gpu !== null && c.profileRoll === 0;
      const migs = c.gpu !== null ? MIG[c.gpu] : undefined;
      const mig = useProfile && migs !== undefined && c.migRoll < migs.length ? migs[c.migRoll]! : null;
      const autoscaler = c.autoscaler as DocContext['autoscaler'];
      return {
        durationMs: c.durationMs,
        warmupMs: Math.floor(c.durationMs * c.warmupShare),
        gpu: c.gpu,
        mig,
        useProfile,
        maxBatch: c.maxBatch,
        autoscaler,
        replicas: autoscaler === 'none' ? Math.max(1, c.replicas) : c.replicas,
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
  });
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

// ---------------------------------------------------------------- the rest

/** events: replica crashes before the end of the run. */
export function eventsArb(ctx: DocContext): fc.Arbitrary<unknown> {
  const crash = fc
    .integer({ min: 0, max: ctx.durationMs - 1 })
    .chain((atMs) => rec({ at: durationText(atMs), kind: fc.constant('replica-crash'), count: maybe(fc.integer({ min: 1, max: 3 })) }));
  return maybe(fc.array(crash, { minLength: 0, maxLength: 2 }), 1);
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

/** cost: prices, each optional. */
export function costArb(): fc.Arbitrary<unknown> {
  return maybe(rec({ gpuHourly: maybe(decimal(0, 10, 3)), cacheHourly: maybe(decimal(0, 1, 3), 1), egressPerGB: maybe(decimal(0, 0.2, 3), 1) }), 1);
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
  cost: () => costArb(),
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
