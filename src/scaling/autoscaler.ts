/**
 * Connects a scenario's autoscaler to the simulated fleet:
 *
 *   pods ──► metrics pipeline (scrape, window, delay) ──► HPA every syncPeriod ──┐
 *   fleet concurrency / rps every 1 s ──► KPA every tick (2 s) ─────────────────┼─► lifecycle.setDesired
 *   schedule steps at their times ───────────────────────────────────────────────┘
 *
 * The decision logic lives in hpa.ts and kpa.ts, free of the engine; this file only
 * feeds them what they would read in a cluster and applies what they decide.
 */
import type { Simulation } from '../engine/simulation.js';
import type { Scenario } from '../config/scenario.js';
import type { ServingFleet } from '../serving/fleet.js';
import type { Lifecycle } from '../serving/lifecycle.js';
import { HpaController, type HpaPod } from './hpa.js';
import { isActivating, KpaController } from './kpa.js';
import { MetricsPipeline } from './metrics-pipeline.js';

/** The replica count the autoscaler starts from: the scenario's, inside the autoscaler's bounds. */
export function initialReplicas(sc: Scenario): number {
  const a = sc.autoscaler;
  const clamp = (n: number, lo: number, hi: number): number => Math.min(Math.max(n, lo), hi);
  switch (a.kind) {
    case 'hpa':
      return clamp(sc.fleet.replicas, a.spec.minReplicas, a.spec.maxReplicas);
    case 'kpa':
      return clamp(sc.fleet.replicas, a.config.minReplicas, a.config.maxReplicas > 0 ? a.config.maxReplicas : Infinity);
    case 'schedule': {
      const first = a.steps[0];
      return first !== undefined && first.atS === 0 ? first.replicas : sc.fleet.replicas;
    }
    case 'none':
      return sc.fleet.replicas;
  }
}

export interface ScalingLoop {
  /** The pipeline, when the autoscaler reads pod metrics (it wants response latencies when a metric maps to latencyP99Ms). */
  pipeline: { recordLatency(latencyS: number): void } | null;
  wantsLatency: boolean;
}

/** Schedules the autoscaler's loop on `sim`; `totalArrivals` counts every request that reached the fleet so far. */
export function startAutoscaler(sim: Simulation, sc: Scenario, fleet: ServingFleet, lifecycle: Lifecycle, totalArrivals: () => number): ScalingLoop {
  const a = sc.autoscaler;
  switch (a.kind) {
    case 'none':
      return { pipeline: null, wantsLatency: false };
    case 'schedule': {
      const steps = a.steps;
      const onStep = sim.register((i) => lifecycle.setDesired(steps[i]!.replicas));
      steps.forEach((s, i) => {
        if (s.atS > 0) sim.at(s.atS, onStep, i);
      });
      return { pipeline: null, wantsLatency: false };
    }
    case 'kpa': {
      const kpa = new KpaController(a.config);
      const rps = a.config.metric === 'rps';
      let lastArrivals = totalArrivals();
      const onRecord = sim.register(() => {
        const now = sim.now;
        let total: number;
        if (rps) {
          const n = totalArrivals();
          total = n - lastArrivals;
          lastArrivals = n;
        } else {
          // in-flight at the pods plus requests the activator holds while no pod is ready
          total = fleet.queueDepth();
          for (let i = 0; i < fleet.numReady; i++) {
            const r = fleet.readyAt(i);
            total += fleet.outstanding[r]! - fleet.queuedAt(r);
          }
        }
        kpa.record(now, total);
        sim.at(now + 1, onRecord, 0);
      });
      const onTick = sim.register(() => {
        const now = sim.now;
        const d = kpa.tick(now, fleet.numReady);
        // no zero for an activating revision (Knative; kpa.ts isActivating)
        const pods = d.desired === 0 ? lifecycle.servingPods() : [];
        if (!(d.desired === 0 && isActivating(pods.length, pods.filter((p) => p.ready).length))) lifecycle.setDesired(d.desired);
        sim.at(now + a.config.tickS, onTick, 0);
      });
      sim.at(sim.now + 1, onRecord, 0);
      sim.at(sim.now + a.config.tickS, onTick, 0);
      return { pipeline: null, wantsLatency: false };
    }
    case 'hpa': {
      const hpa = new HpaController(a.spec, { tolerance: a.tolerance });
      const podsOf = (): { replica: number; readySinceS: number | null; ready: boolean }[] => lifecycle.servingPods();
      const custom = new MetricsPipeline(sim, fleet, a.metrics, sc.fleet.cpu, podsOf, totalArrivals);
      // Resource cpu reads through its own pipeline (metrics-server in a cluster) when one is set apart
      const resource =
        a.resourceMetrics === a.metrics ? custom : new MetricsPipeline(sim, fleet, a.resourceMetrics, sc.fleet.cpu, podsOf, totalArrivals);
      const onSync = sim.register(() => {
        const now = sim.now;
        const pods: HpaPod[] = lifecycle.servingPods().map((p) => ({
          ready: p.ready,
          startedAtS: p.createdAtS,
          readySinceS: p.readySinceS,
          metric: (name: string) => {
            if (name === 'cpu') return resource.podValue(p.replica, 'cpu', now);
            const m = a.signals[name];
            if (m === undefined) return undefined;
            const x = custom.podValue(p.replica, m.signal, now);
            return x === undefined ? undefined : x * m.scale;
          },
          sampleTakenAtS: resource.podSampleStartS(p.replica, now),
          cpuRequestCores: sc.fleet.cpu.requestCores,
        }));
        const decision = hpa.sync({
          nowS: now,
          specReplicas: lifecycle.desired,
          pods,
          objectMetric: (name) => {
            const m = a.signals[name];
            if (m === undefined) return undefined;
            const x = custom.fleetValue(m.signal, now);
            return x === undefined ? undefined : x * m.scale;
          },
        });
        lifecycle.setDesired(decision.desired);
        sim.at(now + a.syncPeriodS, onSync, 0);
      });
      sim.at(sim.now + a.syncPeriodS, onSync, 0);
      const wantsLatency = Object.values(a.signals).some((m) => m.signal === 'latencyP99Ms');
      const pipeline = { recordLatency: (l: number): void => custom.recordLatency(l) };
      return { pipeline, wantsLatency };
    }
  }
}
