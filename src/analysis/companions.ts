/**
 * The analytic companions shown next to a simulated answer (MODELS.md §8), never instead
 * of it: the textbook sizing rule, per-replica maximum throughput from the latency table,
 * and Erlang C (M/M/c) for the same load. Where they disagree with the simulation is part
 * of the answer: the rule ignores queueing variance, batching delay and cold starts.
 */
import type { Scenario } from '../scenario/types.js';
import { interpolateLatencyS } from '../serving/latency.js';
import { breakpoints, rateAt } from '../workload/rate-shape.js';
import { maxThroughputPerReplica, mmc, textbookReplicas } from './capacity.js';

export interface Companions {
  /** Highest arrival rate of the rate shape (req/s); null for trace replay. */
  peakRps: number | null;
  /** Requests/s one replica serves flat out: instances·σ · maxBatch / latency(maxBatch). */
  maxRpsPerReplica: number;
  /** The textbook rule at 70 % target utilization with full batches: ceil(peak · latency / 0.7 / batch). */
  textbookReplicas: number | null;
  targetUtilization: number;
  /** M/M/c without batching (service = latency(1), exponential) at the peak with the scenario's replicas: probability of waiting and p99 in ms; null when unstable or not applicable. */
  erlangC: { replicas: number; utilization: number; probWait: number; p99Ms: number } | null;
}

/** Peak of λ(t) over [0, duration]: at the breakpoints, the ends, and the diurnal maximum. */
export function peakRate(sc: Scenario): number | null {
  const t = sc.traffic;
  if (t.trace) return null;
  const candidates = [0, sc.durationS, ...breakpoints(t).filter((x) => x <= sc.durationS)];
  if (t.diurnal) {
    // the first peak within one period: a huge peakAt would otherwise swallow k·period in rounding and never advance
    const phaseS = t.diurnal.peakAtS % t.diurnal.periodS;
    for (let k = 0; ; k++) {
      const at = phaseS + k * t.diurnal.periodS;
      if (at > sc.durationS) break;
      if (at >= 0) candidates.push(at);
    }
  }
  let peak = 0;
  for (const x of candidates) peak = Math.max(peak, rateAt(t, x, false), rateAt(t, x, true));
  return peak;
}

/** The companions of a scenario (computed from the scenario alone). */
export function companions(sc: Scenario, targetUtilization = 0.7): Companions {
  const f = sc.fleet;
  const table = sc.model.latency;
  const maxBatch = f.batching.maxBatch;
  const latencyMax = interpolateLatencyS(table, maxBatch);
  const sigma = 1 + f.overlap * (f.instances - 1);
  const maxRps = maxThroughputPerReplica(maxBatch, latencyMax, sigma); // the table already describes the replica (a MIG slice has its own)
  const peak = peakRate(sc);
  let textbook: number | null = null;
  let erlang: Companions['erlangC'] = null;
  if (peak !== null && peak > 0) {
    textbook = textbookReplicas({ peakRps: peak, latencyS: latencyMax / sigma, targetUtilization, batch: maxBatch });
    const c = Math.max(1, f.replicas);
    const mu = 1 / interpolateLatencyS(table, 1);
    if (peak < c * mu) {
      const m = mmc(peak, mu, c);
      erlang = { replicas: c, utilization: m.utilization, probWait: m.probWait, p99Ms: m.sojournQuantileS(0.99) * 1e3 };
    }
  }
  return { peakRps: peak, maxRpsPerReplica: maxRps, textbookReplicas: textbook, targetUtilization, erlangC: erlang };
}
