/**
 * Which fleet each site of a run has: a region brings its own model (latency table), fleet,
 * autoscaler and prices; a shard, and a single fleet, run the scenario's own. Used by the run
 * (site/site.ts) and by the reports (a site's charts draw that site's own capacity).
 */
import type { Scenario, SitePlan } from '../scenario/types.js';

/** The plan of site `index` (regions, in the scenario's order), or null when the site runs the scenario's own fleet. */
export function sitePlanAt(sc: Scenario, index: number): SitePlan | null {
  const topo = sc.topology;
  return topo?.kind === 'regions' ? (topo.regions[index] ?? null) : null;
}

/** The scenario a site runs: the run's, with the site's fleet, autoscaler, model and prices when it has a plan. */
export function siteScenario(base: Scenario, plan: SitePlan | null): Scenario {
  return plan === null ? base : { ...base, model: plan.model, fleet: plan.fleet, autoscaler: plan.autoscaler, cost: plan.cost };
}
