/**
 * The analytic companions shown next to a simulated answer (MODELS.md §8), never instead
 * of it: the textbook sizing rule, per-replica maximum throughput from the latency table,
 * and Erlang C (M/M/c) for the same load. Where they disagree with the simulation is part
 * of the answer: the rule ignores queueing variance, batching delay and cold starts.
 */
import type { Scenario } from '../scenario/types.js';
import type { Companions } from '../metrics/summary.js';
import { interpolateLatencyS } from '../serving/latency.js';
import { peakArrivalRate } from '../workload/rate-shape.js';
import { cheZipfHitRatio, maxThroughputPerReplica, mmc, saturationBatch, textbookReplicas } from './capacity.js';

export type { Companions } from '../metrics/summary.js';

/** The companions of a scenario (computed from the scenario alone). */
export function companions(sc: Scenario, targetUtilization = 0.7): Companions {
  const f = sc.fleet;
  const table = sc.model.latency;
  const batch = saturationBatch(f.batching);
  const latencyBatch = interpolateLatencyS(table, batch);
  const sigma = 1 + f.overlap * (f.instances - 1);
  const maxRps = maxThroughputPerReplica(batch, latencyBatch, sigma); // the table already describes the replica (a MIG slice has its own)
  const peak = peakArrivalRate(sc);
  let textbook: number | null = null;
  let erlang: Companions['erlangC'] = null;
  if (peak !== null && peak > 0) {
    textbook = textbookReplicas({ peakRps: peak, latencyS: latencyBatch / sigma, targetUtilization, batch });
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
    behind = textbookReplicas({ peakRps: Math.max(0, peak * (1 - hit)), latencyS: latencyBatch / sigma, targetUtilization, batch });
  }
  return { peakRps: peak, maxRpsPerReplica: maxRps, textbookReplicas: textbook, targetUtilization, cacheHitRate: hit, textbookReplicasBehindCache: behind, erlangC: erlang };
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
