/**
 * Which fleet a site of a run has: a region brings its own model (latency table), fleet,
 * autoscaler and prices (its plan); a shard, and a single fleet, run the scenario's own. Used by
 * the site (site/site.ts) and by the reports (a site's charts draw that site's own capacity, from
 * the plan each site of a RunResult carries).
 */
import type { Scenario, SitePlan } from '../config/scenario.js';

/** The scenario a site runs: the run's, with the site's fleet, autoscaler, model and prices when it has a plan. */
export function siteScenario(base: Scenario, plan: SitePlan | null): Scenario {
  return plan === null ? base : { ...base, model: plan.model, fleet: plan.fleet, autoscaler: plan.autoscaler, cost: plan.cost };
}
