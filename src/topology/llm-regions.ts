/**
 * An LLM scenario with regions: one LLM fleet per region (llm/site.ts LlmSite) on one simulation
 * clock, behind the request-level region router (regions.ts RegionRouter), unchanged:
 *
 *   arrivals (llm/arrivals.ts, as a single fleet's) ──► RegionRouter.dispatch: users' region
 *       by share, region by the DNS view (nearest / latency-weighted / weighted, active-passive)
 *       ──► LlmSite.arrive ──► that region's replicas
 *   health checks, DNS TTL, region-outage and restore: the router's, on the LlmSites
 *   (an LlmSite is what the router routes to: regions.ts RegionSite)
 *   TTFT and E2E: server time + the users' round trip to the region (RegionRouter.networkFor)
 *   report interval ──► each site's row (its timeline) ──► summed: the run's row; its health for
 *       the failover report (regions.ts failoverReport, as the request-level run computes it)
 *   end ──► per-site tallies ──► merged: the run's results; inter-region transfer on the output
 *       tokens of responses served outside their users' region
 *
 * Design: the router is reused as is (its Site and RequestPool types widened to what it reads);
 * an LLM fleet becomes a site by giving it the few members the router calls. A single fleet
 * (llm/fleet.ts runLlmFleet) is one such site without a router.
 */
import { Simulation } from '../engine/simulation.js';
import { Histogram } from '../metrics/histogram.js';
import type { OutageReport } from '../metrics/summary.js';
import { LlmRequests } from '../llm/engine.js';
import type { LlmFleetSpec, LlmResults, LlmTimelineRow } from '../llm/fleet-spec.js';
import { startLlmArrivals } from '../llm/arrivals.js';
import { ActiveSum, LlmMarks, LlmSite, mergeTallies, tallyResults, type LlmSiteInterval } from '../llm/site.js';
import type { LlmRegions } from '../llm/regions-scenario.js';
import { failoverReport, RegionRouter, type IntervalHealth } from './regions.js';

export interface LlmRegionResult {
  name: string;
  results: LlmResults;
  timeline: LlmTimelineRow[];
  /** Share of the run's counted arrivals this region received. */
  arrivedShare: number;
  /** Inter-region transfer this region sent (responses to users of other regions), USD. */
  interRegionUsd: number;
}

export interface LlmRegionsOutput {
  /** The whole run (costUsd: GPUs only; add interRegionUsd for the bill). */
  results: LlmResults;
  timeline: LlmTimelineRow[];
  regions: LlmRegionResult[];
  outages: OutageReport[];
  interRegionUsd: number;
}

/** Runs the regions of an LLM scenario; `spec` is the top-level fleet (traffic, SLOs, duration), `onProgress` sees the share done. */
export function runLlmRegions(spec: LlmFleetSpec, topo: LlmRegions, onProgress?: (f: number) => void): LlmRegionsOutput {
  const sim = new Simulation(spec.seed);
  const reqs = new LlmRequests();
  const marks = new LlmMarks();
  const active = new ActiveSum();
  const sites: LlmSite[] = [];
  const errorsSoFar = (): number => sites.reduce((a, s) => a + s.tally.rejected, 0);
  const ids = {
    get counted(): Float64Array {
      return reqs.arrival;
    },
    key: new Int32Array(0), // no keyed cache in an LLM site: the router never relabels
  };
  const router = new RegionRouter(sim, topo, ids, sim.rng.stream('population'), sim.rng.stream('region-routing'), 0, errorsSoFar);
  topo.regions.forEach((r, i) => {
    const held = topo.mode === 'active-passive' && topo.standby === 'cold' && i !== topo.primary;
    const site = new LlmSite(sim, { name: r.name, index: i, spec: r.spec, reqs, marks, active, network: router.networkFor(i), held });
    site.begin();
    sites.push(site);
  });
  active.min = active.max = active.level;
  const onOutage = sim.register((k) => {
    const o = topo.outages[k]!;
    router.outage(o.region, o.forS);
  });
  topo.outages.forEach((o, k) => sim.at(o.atS, onOutage, k));
  router.start(sites);
  startLlmArrivals(sim, spec, reqs, (id) => {
    marks.ensure(id);
    router.dispatch(id);
  });

  // report intervals: each site's row, their sum (the run's row) and its health
  const timeline: LlmTimelineRow[] = [];
  const health: IntervalHealth[] = [];
  const ivH = { ttft: new Histogram(), tpot: new Histogram(), e2e: new Histogram() };
  const kv = { sum: 0, samples: 0, peak: 0 };
  const steps = Math.ceil(spec.durationS / spec.reportIntervalS);
  for (let k = 1; k <= steps; k++) {
    const t = Math.min(spec.durationS, k * spec.reportIntervalS);
    sim.run(t);
    const parts = sites.map((s) => s.sample(t));
    const { row, kv: kvNow } = sumRow(t, spec.reportIntervalS, parts, ivH);
    if (t > spec.warmupS) {
      kv.sum += kvNow;
      kv.samples++;
      if (kvNow > kv.peak) kv.peak = kvNow;
    }
    timeline.push(row);
    health.push({ endS: t, ok: intervalOk(spec, row, ivH), errorsSoFar: errorsSoFar() });
    for (const s of sites) s.resetInterval();
    onProgress?.(t / spec.durationS);
  }

  // results
  const tallies = sites.map((s) => s.finish());
  const total = mergeTallies(tallies);
  total.kvSum = kv.sum;
  total.kvSamples = kv.samples;
  total.kvPeak = kv.peak;
  const perGb = topo.interRegionPerGbUsd;
  const interUsd = tallies.map((t) => (t.foreignOutTok * topo.bytesPerToken * perGb) / 1e9);
  const labels = [...new Set(sites.map((s) => s.spec.model.label))];
  const results = tallyResults(total, spec, { minActive: active.min, maxActive: active.max, stepModel: labels.join(' | '), numGpuBlocks: spec.engine.numGpuBlocks, events: sim.events });
  const regions = sites.map((s, i) => ({
    name: s.name,
    results: tallyResults(tallies[i]!, s.spec, { minActive: s.minActive, maxActive: s.maxActive, stepModel: s.spec.model.label, numGpuBlocks: s.spec.engine.numGpuBlocks, events: sim.events }),
    timeline: s.timeline,
    arrivedShare: total.arrived > 0 ? tallies[i]!.arrived / total.arrived : 0,
    interRegionUsd: interUsd[i]!,
  }));
  const names = sites.map((s) => s.name);
  return { results, timeline, regions, outages: failoverReport(router.outages, names, health, errorsSoFar()), interRegionUsd: interUsd.reduce((a, b) => a + b, 0) };
}

/** The run's row: the sites' rows summed, percentiles and shares over all sites' interval figures (`h` is scratch); kv unrounded. */
function sumRow(t: number, intervalS: number, parts: readonly LlmSiteInterval[], h: { ttft: Histogram; tpot: Histogram; e2e: Histogram }): { row: LlmTimelineRow; kv: number } {
  h.ttft.reset();
  h.tpot.reset();
  h.e2e.reset();
  let busy = 0;
  let rs = 0;
  let q = 0;
  let hit = 0;
  let kvTotal = 0;
  let act = 0;
  let good = 0;
  let inTok = 0;
  const row: LlmTimelineRow = { t: Number(t.toPrecision(12)), arrivals: 0, completed: 0, rejected: 0, p50Ms: 0, p99Ms: 0, replicasReady: 0, replicas: 0, replicasDesired: 0, gpuUtilization: 0, prefixHitRate: 0, costUsd: 0, ttftP99Ms: 0, tpotP99Ms: 0, running: 0, waiting: 0, kvUtilization: 0, preemptions: 0, outputTokensPerS: 0, ttftP50Ms: 0, tpotP50Ms: 0, goodputRps: 0, inputTokensPerS: 0 };
  for (const p of parts) {
    const r = p.row;
    for (const k of ['arrivals', 'completed', 'rejected', 'replicasReady', 'replicas', 'replicasDesired', 'costUsd', 'running', 'waiting', 'preemptions', 'outputTokensPerS'] as const) row[k] += r[k];
    h.ttft.absorb(p.ttft, 1);
    h.tpot.absorb(p.tpot, 1);
    h.e2e.absorb(p.e2e, 1);
    busy += p.busyS;
    rs += p.replicaS;
    q += p.queryTokens;
    hit += p.hitTokens;
    kvTotal += p.kvTotal;
    act += p.active;
    good += p.good;
    inTok += p.inTok;
  }
  const ms = (x: Histogram, p: number): number => (x.count > 0 ? Number((x.quantile(p) * 1e3).toPrecision(9)) : 0);
  row.costUsd = Number(row.costUsd.toPrecision(9));
  row.outputTokensPerS = Number(row.outputTokensPerS.toPrecision(9));
  row.p50Ms = ms(h.e2e, 0.5);
  row.p99Ms = ms(h.e2e, 0.99);
  row.ttftP99Ms = ms(h.ttft, 0.99);
  row.tpotP99Ms = ms(h.tpot, 0.99);
  row.ttftP50Ms = ms(h.ttft, 0.5);
  row.tpotP50Ms = ms(h.tpot, 0.5);
  row.goodputRps = Number((good / intervalS).toPrecision(9));
  row.inputTokensPerS = Number((inTok / intervalS).toPrecision(9));
  row.gpuUtilization = rs > 0 ? Number(Math.min(1, busy / rs).toPrecision(6)) : 0;
  row.prefixHitRate = q > 0 ? Number((hit / q).toPrecision(6)) : 0;
  const kv = kvTotal / Math.max(1, act);
  row.kvUtilization = Number(kv.toPrecision(6));
  return { row, kv };
}

const QUANTILE = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 } as const;

/**
 * A report interval counts as healthy (failover's recoveredAtS) when no request failed in it and
 * its completions meet every TTFT, TPOT and E2E target at its percentile (ITL targets are judged
 * on the run only); with no completion, when nothing arrived either: the request-level rule with
 * the LLM SLOs in place of the latency target.
 */
function intervalOk(spec: LlmFleetSpec, row: LlmTimelineRow, h: { ttft: Histogram; tpot: Histogram; e2e: Histogram }): boolean {
  if (row.rejected > 0) return false;
  if (h.e2e.count === 0) return row.arrivals === 0;
  for (const s of spec.slos) {
    if (s.metric === 'itl') continue;
    const x = h[s.metric];
    if (x.count > 0 && x.quantile(QUANTILE[s.percentile]) > s.targetS) return false;
  }
  return true;
}
