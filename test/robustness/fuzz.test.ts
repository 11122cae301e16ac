/**
 * Property-based: random valid scenarios, written as YAML/JSON text and loaded by the
 * real loader, simulated in full and stopped part-way (as Ctrl-C does); every run must
 * satisfy the invariants in invariants.ts, and one seed must give one summary.
 * The fast-check seed is fixed; on failure fast-check prints it with the shrunk case
 * (replay with { seed, path } in fc.assert).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate, startRun, type RunResult } from '../../src/run.js';
import type { Scenario } from '../../src/config/scenario.js';
import { scenarioText } from './arbitraries.js';
import { assertRunInvariants, withoutEngine } from './invariants.js';

const FUZZ_SEED = 20_251_127;
const RUNS = 300;

const load = (text: string): Scenario => loadScenario(text, { file: 'fuzz.yaml', baseDir: '/fuzz' });

/** Feature labels a scenario exercises, so the test can prove the generator reaches every one. */
function features(sc: Scenario, r: RunResult, format: string): string[] {
  const f = sc.fleet;
  const a = sc.autoscaler;
  const out = [
    `format:${format}`,
    `routing:${f.routing}`,
    `burst:${sc.traffic.burst.kind}`,
    `variability:${sc.model.variability.dist}`,
    `autoscaler:${a.kind}`,
    ...Object.values(f.coldStart).map((d) => `phase:${d.kind}`),
  ];
  if (sc.traffic.schedule.length > 1) out.push('traffic:steps');
  if (sc.traffic.schedule.some((s) => s.rampS > 0)) out.push('traffic:ramp');
  if (sc.traffic.diurnal) out.push('traffic:diurnal');
  if (sc.traffic.spikes.length > 0) out.push('traffic:spikes');
  if (f.batching.maxBatch > 1) out.push('batching:maxBatch');
  if (f.batching.maxQueueDelayS > 0) out.push('batching:maxQueueDelay');
  if (f.batching.preferred.length > 0) out.push('batching:preferred');
  if (f.instances > 1) out.push('fleet:instances');
  if (f.queue.timeoutS !== Infinity) out.push('queue:timeout');
  if (f.warmPool > 0) out.push('fleet:warmPool');
  if (f.nodes) out.push('fleet:nodes');
  if (f.mig) out.push('fleet:mig');
  if (sc.model.profile) out.push('model:profile');
  if (sc.warmupS > 0) out.push('warmup');
  if (sc.events.length > 0) out.push('events:crash');
  if (a.kind === 'hpa') {
    for (const m of a.spec.metrics) out.push(`hpa:${m.type}`);
    if (a.spec.behavior) out.push('hpa:behavior');
  }
  if (a.kind === 'kpa' && a.config.minReplicas === 0) out.push('kpa:scale-to-zero');
  const q = r.summary.requests;
  if (q.rejected > 0) out.push('outcome:rejected');
  if (q.timedOut > 0) out.push('outcome:timedOut');
  if (q.inFlightAtEnd > 0) out.push('outcome:inFlight');
  if (r.summary.replicas.coldStarts > 0) out.push('outcome:coldStart');

  // keys, cache, feature store, regions, shards
  if (sc.traffic.keys.kind !== 'unique' || sc.cache !== null) out.push(`keys:${sc.traffic.keys.kind}`);
  const c = sc.cache;
  if (c !== null) {
    out.push(`cache:${c.mode}`);
    if (c.mode === 'keyed') {
      out.push(`stampede:${c.stampede}`);
      if (c.ttlS < Infinity) out.push('cache:ttl');
      if (c.ttlJitter > 0) out.push('cache:ttlJitter');
      if (c.prewarmed) out.push('cache:prewarmed');
      if (c.xfetchLock === true) out.push('cache:xfetchLock');
    }
  }
  if (sc.featureStore !== null) out.push('featureStore');
  if (sc.featureStore !== null && sc.featureStore.readReplicas > 0) out.push('featureStore:readReplicas');
  for (const e of sc.events) if (e.kind !== 'replica-crash') out.push(`events:${e.kind}`);
  const t = sc.topology;
  if (t?.kind === 'regions') {
    out.push(`regions:${t.mode}`, `regions:routing:${t.routing}`);
    if (t.mode === 'active-passive') out.push(`regions:standby:${t.standby}`);
    if (t.regions.some((x) => x.fleet.replicas !== sc.fleet.replicas || x.fleet.gpu !== sc.fleet.gpu)) out.push('regions:ownFleet');
    if (t.regions.some((x) => x.autoscaler.kind !== sc.autoscaler.kind)) out.push('regions:ownAutoscaler');
  }
  if (t?.kind === 'shards') out.push(`shards:${t.by}`);
  const cs = r.summary.cache;
  if (cs !== null) {
    if (cs.hits > 0) out.push('outcome:cacheHit');
    if (cs.staleHits > 0) out.push('outcome:staleHit');
    if (cs.delayedHits > 0) out.push('outcome:delayedHit');
    if (cs.backgroundRefreshes > 0) out.push('outcome:backgroundRefresh');
  }
  if ((r.summary.featureStore?.rejected ?? 0) > 0) out.push('outcome:featureStoreRejected');
  for (const o of r.summary.failover?.outages ?? []) {
    if (o.trafficMovedAtS !== null) out.push('outcome:failover');
    if (o.recoveredAtS !== null) out.push('outcome:recovered');
  }
  return out;
}

const EXPECTED_FEATURES = [
  'format:yaml-block', 'format:yaml-flow', 'format:json',
  'routing:random', 'routing:round-robin', 'routing:least-outstanding', 'routing:power-of-two', 'routing:shared-queue',
  'burst:poisson', 'burst:gamma', 'burst:mmpp',
  'variability:deterministic', 'variability:exponential', 'variability:lognormal', 'variability:gamma',
  'autoscaler:none', 'autoscaler:hpa', 'autoscaler:kpa', 'autoscaler:schedule',
  'phase:fixed', 'phase:lognormal', 'phase:uniform',
  'traffic:steps', 'traffic:ramp', 'traffic:diurnal', 'traffic:spikes',
  'batching:maxBatch', 'batching:maxQueueDelay', 'batching:preferred',
  'fleet:instances', 'queue:timeout', 'fleet:warmPool', 'fleet:nodes', 'fleet:mig', 'model:profile', 'warmup', 'events:crash',
  'hpa:Pods', 'hpa:Resource', 'hpa:External', 'hpa:behavior', 'kpa:scale-to-zero',
  'outcome:rejected', 'outcome:timedOut', 'outcome:inFlight', 'outcome:coldStart',
  'keys:zipf', 'keys:unique', 'cache:hit-rate', 'cache:keyed',
  'stampede:none', 'stampede:coalesce', 'stampede:stale-while-revalidate', 'stampede:xfetch',
  'cache:ttl', 'cache:ttlJitter', 'cache:prewarmed', 'cache:xfetchLock', 'featureStore', 'featureStore:readReplicas',
  'events:cache-flush', 'events:region-outage',
  'regions:active-active', 'regions:active-passive', 'regions:routing:nearest', 'regions:routing:latency-weighted', 'regions:routing:weighted',
  'regions:standby:warm', 'regions:standby:cold', 'regions:ownFleet', 'regions:ownAutoscaler', 'shards:key-hash', 'shards:tenant',
  'outcome:cacheHit', 'outcome:staleHit', 'outcome:delayedHit', 'outcome:backgroundRefresh', 'outcome:featureStoreRejected',
  'outcome:failover', 'outcome:recovered',
];

describe('fuzzed valid scenarios', () => {
  it(`${RUNS} random scenarios: loaded, run in full and stopped part-way, every invariant holds, one seed one summary`, () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioText(), fc.double({ min: 0.01, max: 0.99, noNaN: true }), ({ text, format }, stopShare) => {
        const sc = load(text);
        const full = simulate(sc);
        assertRunInvariants(full, 'complete run');

        // same text, same seed ⇒ the same summary and timeline (engine aside)
        const again = simulate(load(text));
        expect(JSON.stringify(withoutEngine(again.summary))).toBe(JSON.stringify(withoutEngine(full.summary)));
        expect(again.timeline.rows).toEqual(full.timeline.rows);

        // a run stopped part-way (what Ctrl-C does) keeps every invariant too
        const run = startRun(load(text));
        run.runTo(run.endS * stopShare);
        const part = run.finish(true);
        assertRunInvariants(part, `run stopped at ${run.nowS} s`);

        for (const f of features(sc, full, format)) seen.add(f);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(EXPECTED_FEATURES.filter((f) => !seen.has(f))).toEqual([]);
  });
});
