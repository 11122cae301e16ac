/**
 * A fleet of LLM replicas on one simulation clock: open-loop arrivals (a trace's token counts
 * and times, or Poisson at a rate) or closed-loop users (optionally in multi-turn sessions whose
 * context grows turn by turn), shared prefixes (one of several system prompts, a session's
 * earlier turns: engine.ts blockKeyA), a router (least outstanding requests,
 * least outstanding tokens, lowest KV utilization, round robin, prefix affinity: SGLang's cache-aware
 * policy, prefix-affinity.ts), and the results: TTFT, TPOT,
 * ITL and E2E percentiles, SLOs on them, goodput, token throughput, KV utilization,
 * preemptions, prefix-cache hit rate, cost per million tokens; and a per-interval timeline.
 */
import { Simulation } from '../engine/simulation.js';
import { LlmRequests } from './engine.js';
import { startLlmArrivals } from './arrivals.js';
import { ActiveSum, LlmMarks, LlmSite, tallyResults } from './site.js';
import type { LlmFleetSpec, LlmRunOutput } from './fleet-spec.js';

export { latencyStats, tokenSampler, type LatencyStats, type LlmFleetSpec, type LlmResults, type LlmRunOutput, type LlmTimelineRow } from './fleet-spec.js';

/**
 * Runs the fleet for the spec's duration; `onProgress` sees the share done. The fleet is one
 * LlmSite (site.ts: replicas, routing, HPA or KPA, timeline, books) with no network, never down
 * nor held, fed by arrivals.ts: the same code a region of topology/llm-regions.ts runs.
 */
export function runLlmFleet(spec: LlmFleetSpec, onProgress?: (f: number) => void): LlmRunOutput {
  const sim = new Simulation(spec.seed);
  const reqs = new LlmRequests();
  const marks = new LlmMarks();
  let clientDone: (client: number) => void = () => undefined;
  const site = new LlmSite(sim, { name: 'fleet', index: 0, spec, reqs, marks, active: new ActiveSum(), network: null, held: false, onClientDone: (c) => clientDone(c) });
  clientDone = startLlmArrivals(sim, spec, reqs, (id) => {
    marks.ensure(id);
    site.arrive(id);
  });
  // after the arrivals: an autoscaler's first events follow the first users' at a tie, as they always have
  site.begin();
  const steps = Math.ceil(spec.durationS / spec.reportIntervalS);
  for (let k = 1; k <= steps; k++) {
    const t = Math.min(spec.durationS, k * spec.reportIntervalS);
    sim.run(t);
    site.sample(t);
    site.resetInterval();
    onProgress?.(t / spec.durationS);
  }
  const tally = site.finish();
  return {
    results: tallyResults(tally, spec, { minActive: site.minActive, maxActive: site.maxActive, stepModel: spec.model.label, numGpuBlocks: spec.engine.numGpuBlocks, events: sim.events }),
    timeline: site.timeline,
  };
}
