/**
 * The simulation kernel (src/engine/simulation.ts) on its own: event order by (time, sequence),
 * the source and lane slots beside the heap, run() up to a time or an event budget, stop(),
 * and refusals. Each case schedules by hand and lists the order the handlers must fire in.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';

/** What a case schedules before running: heap events, a source event, a lane event. */
type Schedule = ({ heap: [number, 'A' | 'B', number] } | { source: number } | { lane: number })[];

interface Case {
  name: string;
  schedule: Schedule;
  /** Events each handler schedules when it fires with this arg: [delay, handler, arg]. */
  chains?: Record<number, [number, 'A' | 'B', number]>;
  runs: { untilS: number; maxEvents?: number }[];
  /** [time, handler, arg] in firing order ('S': source, 'L': lane, arg 0). */
  fired: [number, string, number][];
  /** run()'s returns, in order. */
  returned: boolean[];
  nowS: number;
  pending: number;
}

function play(c: Case): { fired: [number, string, number][]; returned: boolean[]; nowS: number; pending: number } {
  const sim = new Simulation(1);
  const fired: [number, string, number][] = [];
  const ids: Record<'A' | 'B', number> = { A: -1, B: -1 };
  const fire = (name: 'A' | 'B') => (arg: number): void => {
    fired.push([sim.now, name, arg]);
    const next = c.chains?.[arg];
    if (next) sim.at(sim.now + next[0], ids[next[1]], next[2]);
  };
  ids.A = sim.register(fire('A'));
  ids.B = sim.register(fire('B'));
  const src = sim.register(() => fired.push([sim.now, 'S', 0]));
  const lane = sim.register(() => fired.push([sim.now, 'L', 0]));
  expect(sim.claimLane()).toBe(true);
  for (const s of c.schedule) {
    if ('heap' in s) sim.at(s.heap[0], ids[s.heap[1]], s.heap[2]);
    else if ('source' in s) sim.atSource(s.source, src);
    else sim.atLane(s.lane, lane);
  }
  const returned = c.runs.map((r) => sim.run(r.untilS, r.maxEvents));
  return { fired, returned, nowS: sim.now, pending: sim.pending };
}

const cases: Case[] = [
  {
    name: 'by time, then by the order scheduled',
    schedule: [{ heap: [2, 'A', 1] }, { heap: [1, 'B', 2] }, { heap: [2, 'B', 3] }, { heap: [1, 'A', 4] }],
    runs: [{ untilS: 10 }],
    fired: [
      [1, 'B', 2],
      [1, 'A', 4],
      [2, 'A', 1],
      [2, 'B', 3],
    ],
    returned: [true],
    nowS: 10,
    pending: 0,
  },
  {
    // at 1: the source, then the lane, then the heap, whatever the order they were scheduled in
    name: 'at equal times: the source, the lane, then the heap',
    schedule: [{ heap: [1, 'A', 1] }, { lane: 1 }, { source: 1 }, { heap: [0.5, 'B', 2] }],
    runs: [{ untilS: 5 }],
    fired: [
      [0.5, 'B', 2],
      [1, 'S', 0],
      [1, 'L', 0],
      [1, 'A', 1],
    ],
    returned: [true],
    nowS: 5,
    pending: 0,
  },
  {
    // A(1) at 1 schedules B(2) at 1 + 0 = 1: after A(3), which was scheduled at 1 before it
    name: 'an event scheduled for now runs after those already due now',
    schedule: [{ heap: [1, 'A', 1] }, { heap: [1, 'A', 3] }],
    chains: { 1: [0, 'B', 2] },
    runs: [{ untilS: 1 }],
    fired: [
      [1, 'A', 1],
      [1, 'A', 3],
      [1, 'B', 2],
    ],
    returned: [true],
    nowS: 1,
    pending: 0,
  },
  {
    // run(2) includes 2, stops before 3 and sets the clock to 2.5; then run(5) goes on
    name: 'run(until) includes events at until and leaves the clock there',
    schedule: [{ heap: [2, 'A', 1] }, { heap: [3, 'B', 2] }],
    runs: [{ untilS: 2.5 }, { untilS: 5 }],
    fired: [
      [2, 'A', 1],
      [3, 'B', 2],
    ],
    returned: [true, true],
    nowS: 5,
    pending: 0,
  },
  {
    // budget 2: returns false at the second event's time (2); the next call continues at 3, then one is left at 9 > 5
    name: 'an event budget returns early, at the last event, and the next run continues',
    schedule: [{ heap: [1, 'A', 1] }, { heap: [2, 'A', 2] }, { heap: [3, 'A', 3] }, { heap: [9, 'A', 4] }],
    runs: [{ untilS: 5, maxEvents: 2 }, { untilS: 5 }],
    fired: [
      [1, 'A', 1],
      [2, 'A', 2],
      [3, 'A', 3],
    ],
    returned: [false, true],
    nowS: 5,
    pending: 1,
  },
];

describe('Simulation', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(play(c)).toEqual({ fired: c.fired, returned: c.returned, nowS: c.nowS, pending: c.pending });
    });
  }

  it('stop() returns after the current event, leaving the rest pending and the clock at it', () => {
    const sim = new Simulation(1);
    const fired: number[] = [];
    const h = sim.register((arg) => {
      fired.push(arg);
      if (arg === 2) sim.stop();
    });
    for (const [t, a] of [[1, 1], [2, 2], [3, 3]] as const) sim.at(t, h, a);
    expect([sim.run(10), fired, sim.now, sim.pending]).toEqual([false, [1, 2], 2, 1]);
    expect([sim.run(10), fired, sim.now, sim.pending]).toEqual([true, [1, 2, 3], 10, 0]);
  });

  it('refuses events in the past, and a second claim of the lane', () => {
    const sim = new Simulation(1);
    const h = sim.register(() => undefined);
    sim.run(5);
    expect(() => sim.at(4, h, 0)).toThrow(RangeError);
    expect(() => sim.atSource(4.9, h)).toThrow(RangeError);
    expect(sim.claimLane()).toBe(true);
    expect(() => sim.atLane(1, h)).toThrow(RangeError);
    expect(sim.claimLane()).toBe(false);
    expect(sim.events).toBe(0);
  });
});
