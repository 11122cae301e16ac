/**
 * The replica lifecycle (src/serving/lifecycle.ts) on its own: a Simulation, a real ServingFleet
 * and a Lifecycle, driven by hand-placed actions. Every case is traced by hand; the expected rows
 * are the states the fleet passes through, each row written when anything in it changes.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/rng.js';
import { Simulation } from '../../src/engine/simulation.js';
import { LevelIntegral, Recorder } from '../../src/metrics/recorder.js';
import type { DurationDist, Fleet } from '../../src/config/scenario.js';
import { ServingFleet } from '../../src/serving/fleet.js';
import { LatencyModel } from '../../src/serving/latency.js';
import { drawDuration, Lifecycle } from '../../src/serving/lifecycle.js';
import { RequestPool } from '../../src/serving/requests.js';
import { makeScenario } from '../helpers/scenario.js';

type DeepPartialFleet = NonNullable<NonNullable<Parameters<typeof makeScenario>[0]>['fleet']>;

type Action =
  | { atS: number; desired: number }
  | { atS: number; crash: number }
  | { atS: number; outage: true }
  | { atS: number; restore: true }
  | { atS: number; release: true }
  /** One request arrives at the fleet (it is routed to a ready replica). */
  | { atS: number; request: true };

/** [t, serving ready replicas, serving starting replicas, standbys loaded, standbys starting, draining, GPUs billed] */
type Row = [number, number[], number[], number, number, number, number];

interface Case {
  name: string;
  fleet: DeepPartialFleet;
  /** Batch latency in seconds (one request per batch). */
  latencyS?: number;
  initial: number;
  /** Cold starts before this time are not counted (the run's warmup). */
  countFromS?: number;
  held?: boolean;
  actions: Action[];
  untilS: number;
  rows: Row[];
  desired: number;
  coldStarts: number;
  coldStartsCounted: number;
  /** Times at which requests completed. */
  completedAtS?: number[];
}

const fixed = (s: number): DurationDist => ({ kind: 'fixed', s });
const cold = (provision: number, pull: number, load: number, warm: number): Fleet['coldStart'] => ({
  nodeProvision: fixed(provision),
  imagePull: fixed(pull),
  modelLoad: fixed(load),
  warmup: fixed(warm),
});

/** Runs a case second by second: events up to t, then t's actions, then a row if anything changed. */
function play(c: Case): { rows: Row[]; lc: Lifecycle; completedAtS: number[] } {
  const sc = makeScenario({ fleet: c.fleet, model: { latency: { batch: [1], latencyS: [c.latencyS ?? 0.01], source: 'test' } } });
  const sim = new Simulation(1);
  const pool = new RequestPool(16);
  const completedAtS: number[] = [];
  const outcomes = {
    completed: (id: number, now: number) => {
      completedAtS.push(now);
      pool.free(id);
    },
    rejected: (id: number) => pool.free(id),
    timedOut: (id: number) => pool.free(id),
  };
  const fleet = new ServingFleet(
    sim,
    sc.fleet,
    new LatencyModel(sc.model.latency, sc.fleet.batching.maxBatch, sc.model.variability),
    pool,
    new Recorder(0, Infinity),
    outcomes,
    { busyReplicas: new LevelIntegral(0), readyReplicas: new LevelIntegral(0) },
    sim.rng.stream('service'),
    sim.rng.stream('routing'),
  );
  const billed = new LevelIntegral(0);
  const lc = new Lifecycle(sim, sc.fleet, fleet, billed, sim.rng.stream('lifecycle'), c.initial, c.countFromS ?? 0, c.held ?? false);
  const rows: Row[] = [];
  let last = '';
  for (let t = 0; t <= c.untilS; t++) {
    sim.run(t);
    for (const a of c.actions) {
      if (a.atS !== t) continue;
      if ('desired' in a) lc.setDesired(a.desired);
      else if ('crash' in a) lc.crash(a.crash);
      else if ('outage' in a) lc.outage();
      else if ('restore' in a) lc.restore();
      else if ('release' in a) lc.release();
      else {
        const id = pool.alloc();
        pool.arrivedAtS[id] = t;
        pool.counted[id] = 1;
        fleet.arrive(id);
      }
    }
    const serving = lc.servingPods();
    const n = lc.counts();
    const ready = serving.filter((p) => p.ready).map((p) => p.replica).sort((a, b) => a - b);
    const starting = serving.filter((p) => !p.ready).map((p) => p.replica).sort((a, b) => a - b);
    const row: Row = [t, ready, starting, n.standby, n.starting - starting.length, n.draining, billed.level];
    const key = JSON.stringify(row.slice(1));
    if (key !== last) rows.push(row);
    last = key;
  }
  return { rows, lc, completedAtS };
}

const cases: Case[] = [
  {
    // t0: pod 0 on a new node (provisioned at 30). 30: pulls until 50. 40: pod 1 on the same node, provisioned
    // but without the image yet → pulls itself (60), loads (70), warms (75). 50: pod 0's pull done, the node has
    // the image → load 60, warm 65. 55: pod 2 on the node that has the image → load 65, warm 70.
    name: 'a pod waits for its node, pulls unless the node holds the image, loads, then warms up',
    fleet: { replicasPerNode: 3, coldStart: cold(30, 20, 10, 5) },
    initial: 0,
    actions: [
      { atS: 0, desired: 1 },
      { atS: 40, desired: 2 },
      { atS: 55, desired: 3 },
    ],
    untilS: 80,
    rows: [
      [0, [], [0], 0, 0, 0, 1],
      [40, [], [0, 1], 0, 0, 0, 2],
      [55, [], [0, 1, 2], 0, 0, 0, 3],
      [65, [0], [1, 2], 0, 0, 0, 3],
      [70, [0, 2], [1], 0, 0, 0, 3],
      [75, [0, 1, 2], [], 0, 0, 0, 3],
    ],
    desired: 3,
    coldStarts: 3,
    coldStartsCounted: 3,
  },
  {
    // the initial pod's node exists and holds the image: a second pod on it only loads (10) and warms (5);
    // whole nodes are billed (one node of 2 GPUs throughout)
    name: 'a pod on an existing node with room skips provisioning and the pull; nodes billed whole',
    fleet: { replicasPerNode: 2, nodes: { gpusPerNode: 2, idleNodeTimeoutS: 600 }, coldStart: cold(30, 20, 10, 5) },
    initial: 1,
    actions: [{ atS: 0, desired: 2 }],
    untilS: 20,
    rows: [
      [0, [0], [1], 0, 0, 0, 2],
      [15, [0, 1], [], 0, 0, 0, 2],
    ],
    desired: 2,
    coldStarts: 1,
    coldStartsCounted: 1,
  },
  {
    // t0: pod 0 ready, pod 1 a loaded standby (both billed). 10: desired 2 takes the loaded standby at once and
    // refills the pool: pod 2 (new node, provision 0 → pull 20, load 10, warm 5 → standby at 45).
    // 20: desired 3 takes the standby still starting (pod 2: it becomes ready when its start ends, at 45)
    // and refills again: pod 3 → standby at 55.
    name: 'scale-up takes a loaded standby first, then one still starting; the warm pool refills behind',
    fleet: { warmPool: 1, coldStart: cold(0, 20, 10, 5) },
    initial: 1,
    actions: [
      { atS: 10, desired: 2 },
      { atS: 20, desired: 3 },
    ],
    untilS: 60,
    rows: [
      [0, [0], [], 1, 0, 0, 2],
      [10, [0, 1], [], 0, 1, 0, 3],
      [20, [0, 1], [2], 0, 1, 0, 4],
      [45, [0, 1, 2], [], 0, 1, 0, 4],
      [55, [0, 1, 2], [], 1, 0, 0, 4],
    ],
    desired: 3,
    coldStarts: 2,
    coldStartsCounted: 2,
  },
  {
    // 5: pods 3 and 4 start (ready at 15). 10: desired 2 removes three: the starting ones first, newest first
    // (4, 3: gone at once), then the newest ready one (2: idle, so drained and gone at once).
    // 20: desired 3 reuses index 2 on its old node (it holds the image): load only, ready at 30.
    name: 'scale-down removes starting pods first, then the newest ready ones',
    fleet: { coldStart: cold(0, 0, 10, 0) },
    initial: 3,
    actions: [
      { atS: 5, desired: 5 },
      { atS: 10, desired: 2 },
      { atS: 20, desired: 3 },
    ],
    untilS: 35,
    rows: [
      [0, [0, 1, 2], [], 0, 0, 0, 3],
      [5, [0, 1, 2], [3, 4], 0, 0, 0, 5],
      [10, [0, 1], [], 0, 0, 0, 2],
      [20, [0, 1], [2], 0, 0, 0, 3],
      [30, [0, 1, 2], [], 0, 0, 0, 3],
    ],
    desired: 3,
    coldStarts: 3,
    coldStartsCounted: 3,
  },
  {
    // 10: a request starts a 2 s batch on pod 0, then desired 0 drains it: billed (half a GPU) until its work is
    // done at 12, then gone
    name: 'a draining pod finishes its work before it goes, and is billed until then',
    fleet: { gpuShare: 0.5, coldStart: cold(0, 0, 0, 0) },
    latencyS: 2,
    initial: 1,
    actions: [
      { atS: 10, request: true },
      { atS: 10, desired: 0 },
    ],
    untilS: 15,
    rows: [
      [0, [0], [], 0, 0, 0, 0.5],
      [10, [], [], 0, 0, 1, 0.5],
      [12, [], [], 0, 0, 0, 0],
    ],
    desired: 0,
    coldStarts: 0,
    coldStartsCounted: 0,
    completedAtS: [12],
  },
  {
    // 5: both ready pods crash; the Deployment replaces them on their old nodes (image held): load 10, warm 5 →
    // ready at 20; started before countFrom (10), so not counted. 25: crash(5) kills the 2 there are; the
    // replacements (counted now) are ready at 40.
    name: 'crashed pods are replaced at once; cold starts before countFrom are not counted',
    fleet: { coldStart: cold(0, 0, 10, 5) },
    initial: 2,
    countFromS: 10,
    actions: [
      { atS: 5, crash: 2 },
      { atS: 25, crash: 5 },
    ],
    untilS: 45,
    rows: [
      [0, [0, 1], [], 0, 0, 0, 2],
      [5, [], [0, 1], 0, 0, 0, 2],
      [20, [0, 1], [], 0, 0, 0, 2],
      [25, [], [0, 1], 0, 0, 0, 2],
      [40, [0, 1], [], 0, 0, 0, 2],
    ],
    desired: 2,
    coldStarts: 4,
    coldStartsCounted: 2,
  },
  {
    // 5: outage: every pod and node gone, nothing billed. 6: desired 3 is ignored (frozen). 10: restore starts the
    // 2 desired pods on new nodes: provision 3, pull 2, load 1, warm 1 → ready at 17.
    name: 'an outage kills everything and freezes the desired count; restore cold-starts it on new nodes',
    fleet: { coldStart: cold(3, 2, 1, 1) },
    initial: 2,
    actions: [
      { atS: 5, outage: true },
      { atS: 6, desired: 3 },
      { atS: 10, restore: true },
    ],
    untilS: 20,
    rows: [
      [0, [0, 1], [], 0, 0, 0, 2],
      [5, [], [], 0, 0, 0, 0],
      [10, [], [0, 1], 0, 0, 0, 2],
      [17, [0, 1], [], 0, 0, 0, 2],
    ],
    desired: 2,
    coldStarts: 2,
    coldStartsCounted: 2,
  },
  {
    // held: nothing runs and the autoscaler is ignored (3); release at 10 cold-starts the initial 2 → ready at 17
    name: 'a held cold standby holds nothing until released, then cold-starts its initial pods',
    fleet: { coldStart: cold(3, 2, 1, 1) },
    initial: 2,
    held: true,
    actions: [
      { atS: 3, desired: 5 },
      { atS: 10, release: true },
    ],
    untilS: 20,
    rows: [
      [0, [], [], 0, 0, 0, 0],
      [10, [], [0, 1], 0, 0, 0, 2],
      [17, [0, 1], [], 0, 0, 0, 2],
    ],
    desired: 2,
    coldStarts: 2,
    coldStartsCounted: 2,
  },
  {
    // two nodes of 4 GPUs (8 billed); 10: pod 1 goes, its node is empty from 10 and released after 60 s idle
    name: 'an empty node is released after idleNodeTimeout',
    fleet: { nodes: { gpusPerNode: 4, idleNodeTimeoutS: 60 }, coldStart: cold(0, 0, 0, 0) },
    initial: 2,
    actions: [{ atS: 10, desired: 1 }],
    untilS: 80,
    rows: [
      [0, [0, 1], [], 0, 0, 0, 8],
      [10, [0], [], 0, 0, 0, 8],
      [70, [0], [], 0, 0, 0, 4],
    ],
    desired: 1,
    coldStarts: 0,
    coldStartsCounted: 0,
  },
  {
    // as above, but 40: a new pod takes the empty node (cold start 0: ready at once): at 70 it is in use and kept
    name: 'a node reused before its idle timeout is kept',
    fleet: { nodes: { gpusPerNode: 4, idleNodeTimeoutS: 60 }, coldStart: cold(0, 0, 0, 0) },
    initial: 2,
    actions: [
      { atS: 10, desired: 1 },
      { atS: 40, desired: 2 },
    ],
    untilS: 80,
    rows: [
      [0, [0, 1], [], 0, 0, 0, 8],
      [10, [0], [], 0, 0, 0, 8],
      [40, [0, 1], [], 0, 0, 0, 8],
    ],
    desired: 2,
    coldStarts: 1,
    coldStartsCounted: 1,
  },
];

describe('Lifecycle: hand-traced starts, warm pool, scale-down order, crashes, outages and nodes', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { rows, lc, completedAtS } = play(c);
      expect(rows).toEqual(c.rows);
      expect(lc.desired).toBe(c.desired);
      expect({ coldStarts: lc.coldStarts, coldStartsCounted: lc.coldStartsCounted }).toEqual({
        coldStarts: c.coldStarts,
        coldStartsCounted: c.coldStartsCounted,
      });
      expect(completedAtS).toEqual(c.completedAtS ?? []);
    });
  }
});

describe('drawDuration', () => {
  const rng = new RandomStream(7, 'test');
  const cases: { name: string; dist: DurationDist; expected: number }[] = [
    { name: 'fixed', dist: { kind: 'fixed', s: 12.5 }, expected: 12.5 },
    { name: 'lognormal with cv 0 is its mean', dist: { kind: 'lognormal', meanS: 40, cv: 0 }, expected: 40 },
    { name: 'uniform over one point', dist: { kind: 'uniform', minS: 3, maxS: 3 }, expected: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(drawDuration(c.dist, rng)).toBe(c.expected);
    });
  }

  const means: { name: string; dist: DurationDist; mean: number; min: number; max: number }[] = [
    { name: 'lognormal mean 40 s, cv 0.5', dist: { kind: 'lognormal', meanS: 40, cv: 0.5 }, mean: 40, min: 0, max: Infinity },
    { name: 'uniform 10..30 s', dist: { kind: 'uniform', minS: 10, maxS: 30 }, mean: 20, min: 10, max: 30 },
  ];
  for (const c of means) {
    it(`${c.name}: the mean of 40 000 draws within 1 %, every draw in range`, () => {
      const r = new RandomStream(11, 'lifecycle');
      let sum = 0;
      let lo = Infinity;
      let hi = -Infinity;
      const n = 40_000;
      for (let i = 0; i < n; i++) {
        const d = drawDuration(c.dist, r);
        sum += d;
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      }
      expect(Math.abs(sum / n / c.mean - 1)).toBeLessThan(0.01);
      expect(lo).toBeGreaterThanOrEqual(c.min);
      expect(hi).toBeLessThanOrEqual(c.max);
    });
  }
});
