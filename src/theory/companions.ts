/**
 * The analytic companions shown next to a simulated answer (MODELS.md §8), never instead
 * of it: the textbook sizing rule, per-replica maximum throughput from the latency table,
 * and Erlang C (M/M/c) for the same load. Where they disagree with the simulation is part
 * of the answer: the rule ignores queueing variance, batching delay and cold starts.
 */
import { siteScenario, type Scenario } from '../config/scenario.js';
import { interpolateLatencyS } from '../serving/latency.js';
import { peakArrivalRate } from '../workload/rate-shape.js';
import { cheZipfHitRatio, mmc, replicaPeak, TEXTBOOK_TARGET_UTILIZATION, textbookFleetReplicas } from './capacity.js';
import type { Companions } from '../metrics/summary.js';

export type { Companions };

/** The companions of a scenario (computed from the scenario alone). */
export function companions(sc: Scenario, targetUtilization = TEXTBOOK_TARGET_UTILIZATION): Companions {
  const f = sc.fleet;
  const table = sc.model.latency;
  const replica = replicaPeak(f, table);
  const peak = peakArrivalRate(sc);
  let textbook: number | null = null;
  let erlang: Companions['erlangC'] = null;
  if (peak !== null && peak > 0) {
    textbook = textbookFleetReplicas(peak, replica, targetUtilization);
    const c = Math.max(1, f.replicas);
    const mu = 1 / interpolateLatencyS(table, 1);
    if (peak < c * mu) {
      const m = mmc(peak, mu, c);
      erlang = { replicas: c, utilization: m.utilization, probWait: m.probWait, p99Ms: m.sojournQuantileS(0.99) * 1e3 };
    }
  }
  const hit = cacheHitEstimate(sc, peak);
  let behind: number | null = null;
  if (hit !== null && peak !== null && peak > 0) {
    behind = textbookFleetReplicas(Math.max(0, peak * (1 - hit)), replica, targetUtilization);
  }
  return { peakRps: peak, maxRpsPerReplica: replica.rps, textbookReplicas: textbook, targetUtilization, cacheHitRate: hit, textbookReplicasBehindCache: behind, erlangC: erlang };
}

/** The cache's hit rate as far as the scenario tells it (see Companions.cacheHitRate). */
function cacheHitEstimate(sc: Scenario, peak: number | null): number | null {
  const c = sc.cache;
  if (c === null) return null;
  if (c.mode === 'hit-rate') return c.hitRate;
  const keys = sc.traffic.keys;
  if (keys.kind === 'unique') return 0;
  if (keys.kind !== 'zipf') return null;
  const ttl = peak !== null && peak > 0 ? { ttlS: c.ttlS, ratePerS: peak } : undefined;
  return cheZipfHitRatio(keys.count, keys.exponent, c.capacity, ttl);
}

/**
 * The companions of a several-model run: each model's own (its traffic on its fleet), and the run's:
 * the summed peak and the summed textbook replicas (each model on replicas of its own kind; null when
 * any model's peak is unknown); nothing that needs one replica type or one cache (null, 0).
 */
export function modelCompanions(sc: Scenario): { run: Companions; models: Companions[] } | null {
  const topo = sc.topology;
  if (topo?.kind !== 'models') return null;
  const models = topo.models.map((m) => companions(siteScenario(sc, m)));
  const sum = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + x!, 0));
  return {
    run: {
      peakRps: sum(models.map((c) => c.peakRps)),
      maxRpsPerReplica: 0,
      textbookReplicas: sum(models.map((c) => c.textbookReplicas)),
      targetUtilization: TEXTBOOK_TARGET_UTILIZATION,
      cacheHitRate: null,
      textbookReplicasBehindCache: null,
      erlangC: null,
    },
    models,
  };
}
