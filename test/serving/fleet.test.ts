/**
 * The serving fleet (src/serving/fleet.ts) on its own, without a run: requests handed to it at
 * given times, replicas made ready, crashed or drained by hand, and every batch and outcome
 * listed in order. Each case traced by hand; the batcher's own rules are in batching.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';
import { LevelIntegral, Recorder } from '../../src/metrics/recorder.js';
import { ServingFleet } from '../../src/serving/fleet.js';
import { LatencyModel } from '../../src/serving/latency.js';
import { RequestPool } from '../../src/serving/requests.js';
import { makeScenario } from '../helpers/scenario.js';

type FleetOver = NonNullable<NonNullable<Parameters<typeof makeScenario>[0]>['fleet']>;

/** At a time (ms): a request arrives, a new replica is added and made ready, or replica r crashes or drains. */
type Action = { atMs: number; arrive: true } | { atMs: number; addReady: true } | { atMs: number; crash: number } | { atMs: number; drain: number };

interface Case {
  name: string;
  fleet?: FleetOver;
  /** Replicas added and made ready at 0. */
  replicas: number;
  actions: Action[];
  /** [replica, start ms, size] */
  batches: [number, number, number][];
  /** [outcome, arrived ms, at ms] in the order they happen */
  outcomes: ['completed' | 'rejected' | 'timedOut', number, number][];
  /** [replica, ms] when a draining replica is gone */
  gone?: [number, number][];
}

const ms = (s: number): number => Math.round(s * 1e9) / 1e6;

function play(c: Case): { batches: [number, number, number][]; outcomes: ['completed' | 'rejected' | 'timedOut', number, number][]; gone: [number, number][] } {
  // one request per batch, 10 ms each, round-robin, no delay (unless the case says otherwise)
  const sc = makeScenario({ fleet: { routing: 'round-robin', ...c.fleet }, model: { latency: { batch: [1], latencyS: [0.01], source: 'test' } } });
  const sim = new Simulation(1);
  const pool = new RequestPool(16);
  const outcomes: ['completed' | 'rejected' | 'timedOut', number, number][] = [];
  const end = (kind: 'completed' | 'rejected' | 'timedOut') => (id: number, now: number): void => {
    outcomes.push([kind, ms(pool.arrivedAtS[id]!), ms(now)]);
    pool.free(id);
  };
  const fleet = new ServingFleet(
    sim,
    sc.fleet,
    new LatencyModel(sc.model.latency, sc.fleet.batching.maxBatch, sc.model.variability),
    pool,
    new Recorder(0, Infinity),
    { completed: end('completed'), rejected: end('rejected'), timedOut: end('timedOut') },
    { busyReplicas: new LevelIntegral(0), readyReplicas: new LevelIntegral(0) },
    sim.rng.stream('service'),
    sim.rng.stream('routing'),
  );
  const batches: [number, number, number][] = [];
  fleet.observer = { batchStarted: (r, size, t) => batches.push([r, ms(t), size]), responded: () => undefined };
  const gone: [number, number][] = [];
  fleet.onReplicaGone = (r) => gone.push([r, ms(sim.now)]);
  for (let i = 0; i < c.replicas; i++) fleet.setReady(fleet.addReplica());
  const act = sim.register((i) => {
    const a = c.actions[i]!;
    if ('arrive' in a) {
      const id = pool.alloc();
      pool.arrivedAtS[id] = sim.now;
      pool.counted[id] = 1;
      fleet.arrive(id);
    } else if ('addReady' in a) fleet.setReady(fleet.addReplica());
    else if ('crash' in a) fleet.crash(a.crash);
    else fleet.drain(a.drain);
  });
  c.actions.forEach((a, i) => sim.at(a.atMs / 1000, act, i));
  sim.run(10);
  return { batches, outcomes, gone };
}

const cases: Case[] = [
  {
    // 0 → r0 (done 10), 1 → r1 (11), 2 → r0 queued (runs 10–20), 3 → r1 queued (11–21)
    name: 'round-robin over two replicas; each queue runs in arrival order',
    replicas: 2,
    actions: [0, 1, 2, 3].map((t) => ({ atMs: t, arrive: true as const })),
    batches: [
      [0, 0, 1],
      [1, 1, 1],
      [0, 10, 1],
      [1, 11, 1],
    ],
    outcomes: [
      ['completed', 0, 10],
      ['completed', 1, 11],
      ['completed', 2, 20],
      ['completed', 3, 21],
    ],
  },
  {
    // no replica: both wait at the gateway; at 5 a replica is ready and takes them in order (5–15, 15–25)
    name: 'requests wait at the gateway for a first replica, then go in order',
    replicas: 0,
    actions: [{ atMs: 0, arrive: true }, { atMs: 1, arrive: true }, { atMs: 5, addReady: true }],
    batches: [
      [0, 5, 1],
      [0, 15, 1],
    ],
    outcomes: [
      ['completed', 0, 15],
      ['completed', 1, 25],
    ],
  },
  {
    // 0 runs, 1 fills the queue (depth 1), 2 finds it full: rejected at once
    name: 'a full queue rejects at arrival',
    fleet: { queue: { maxDepth: 1, timeoutS: Infinity } },
    replicas: 1,
    actions: [0, 1, 2].map((t) => ({ atMs: t, arrive: true as const })),
    batches: [
      [0, 0, 1],
      [0, 10, 1],
    ],
    outcomes: [
      ['rejected', 2, 2],
      ['completed', 0, 10],
      ['completed', 1, 20],
    ],
  },
  {
    // 0 runs until 10; 1 and 2 wait, and time out 5 ms after their arrival (6, 7), before the replica frees
    name: 'queued requests time out 5 ms after arrival',
    fleet: { queue: { maxDepth: 100, timeoutS: 0.005 } },
    replicas: 1,
    actions: [0, 1, 2].map((t) => ({ atMs: t, arrive: true as const })),
    batches: [[0, 0, 1]],
    outcomes: [
      ['timedOut', 1, 6],
      ['timedOut', 2, 7],
      ['completed', 0, 10],
    ],
  },
  {
    // 0 → r0 (running), 1 → r1 (1–11), 2 → r0 queued. At 5 r0 crashes: its queued request (2), then its running one
    // (0), go again to r1, keeping their arrival times: 11–21 and 21–31; r0's batch never completes
    name: 'a crash re-routes what the replica held, queued first, arrival times kept',
    replicas: 2,
    actions: [{ atMs: 0, arrive: true }, { atMs: 1, arrive: true }, { atMs: 2, arrive: true }, { atMs: 5, crash: 0 }],
    batches: [
      [0, 0, 1],
      [1, 1, 1],
      [1, 11, 1],
      [1, 21, 1],
    ],
    outcomes: [
      ['completed', 1, 11],
      ['completed', 2, 21],
      ['completed', 0, 31],
    ],
  },
  {
    // r0 holds 0 (running) and 1 (queued) when drained at 5: it finishes both (10, 20) and is gone at 20.
    // 6 finds no ready replica: the gateway, until a new one (r1) is ready at 8 (8–18)
    name: 'a drained replica finishes its work, gets no more, and is gone when done',
    replicas: 1,
    actions: [{ atMs: 0, arrive: true }, { atMs: 1, arrive: true }, { atMs: 5, drain: 0 }, { atMs: 6, arrive: true }, { atMs: 8, addReady: true }],
    batches: [
      [0, 0, 1],
      [1, 8, 1],
      [0, 10, 1],
    ],
    outcomes: [
      ['completed', 0, 10],
      ['completed', 6, 18],
      ['completed', 1, 20],
    ],
    gone: [[0, 20]],
  },
];

describe('ServingFleet: hand-traced routing, gateway, limits, crashes and drains', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(play(c)).toEqual({ batches: c.batches, outcomes: c.outcomes, gone: c.gone ?? [] });
    });
  }
});
