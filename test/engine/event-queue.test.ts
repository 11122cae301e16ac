import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/engine/event-queue.js';
import { Simulation } from '../../src/engine/simulation.js';
import { RandomStreams } from '../../src/engine/rng.js';

describe('EventQueue', () => {
  it('pops in time order and ties in insertion order, across growth', () => {
    const q = new EventQueue(16);
    const times = [5, 1, 3, 3, 0, 9, 3, 1, 7, 2];
    for (let i = 0; i < 200; i++) q.push(times[i % times.length]!, 0, i);
    const popped: [number, number][] = [];
    while (q.pop()) popped.push([q.topTime, q.topArg]);
    expect(popped).toHaveLength(200);
    for (let i = 1; i < popped.length; i++) {
      const [t0, a0] = popped[i - 1]!;
      const [t1, a1] = popped[i]!;
      expect(t1 > t0 || (t1 === t0 && a1 > a0)).toBe(true);
    }
  });

  it('matches a sorted reference on random interleaved pushes and pops', () => {
    const q = new EventQueue(16);
    const ref: [number, number][] = [];
    let seq = 0;
    let x = 12345;
    const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let step = 0; step < 5000; step++) {
      if (rnd() < 0.6 || ref.length === 0) {
        const t = Math.floor(rnd() * 50);
        q.push(t, 0, seq);
        ref.push([t, seq++]);
      } else {
        ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const [t, a] = ref.shift()!;
        expect(q.pop()).toBe(true);
        expect([q.topTime, q.topArg]).toEqual([t, a]);
      }
    }
  });
});

describe('Simulation', () => {
  it('runs handlers in (time, seq) order and stops at the horizon', () => {
    const sim = new Simulation(1);
    const log: string[] = [];
    const h = sim.register((arg) => {
      log.push(`${sim.now}:${arg}`);
      if (arg === 1) sim.at(sim.now, h, 10); // same instant: after what is already queued
    });
    sim.at(2, h, 2);
    sim.at(1, h, 1);
    sim.at(1, h, 3);
    sim.at(5, h, 5);
    expect(sim.run(4)).toBe(true);
    expect(log).toEqual(['1:1', '1:3', '1:10', '2:2']);
    expect(sim.now).toBe(4);
    expect(sim.pending).toBe(1);
  });

  it('refuses events in the past', () => {
    const sim = new Simulation(1);
    const h = sim.register(() => sim.at(0.5, h, 0));
    sim.at(1, h, 0);
    expect(() => sim.run(2)).toThrow('event scheduled at 0.5 s, before the current time 1 s');
  });

  it('the source and the lane sit beside the heap: at equal times source, then lane, then heap', () => {
    const sim = new Simulation(1);
    const log: string[] = [];
    const heap = sim.register((arg) => log.push(`heap ${sim.now}:${arg}`));
    const source = sim.register(() => {
      log.push(`source ${sim.now}`);
      if (sim.now < 2) sim.atSource(sim.now + 1, source);
    });
    const lane = sim.register(() => {
      log.push(`lane ${sim.now}`);
      if (sim.now < 2) sim.atLane(sim.now + 1, lane);
    });
    expect(sim.claimLane()).toBe(true);
    expect(sim.claimLane()).toBe(false); // one lane: a second component uses the heap
    sim.at(1, heap, 7);
    sim.atLane(1, lane);
    sim.atSource(1, source);
    expect(sim.pending).toBe(3);
    expect(sim.run(1.5)).toBe(true);
    expect(log).toEqual(['source 1', 'lane 1', 'heap 1:7']);
    expect(sim.pending).toBe(2);
    sim.run(10);
    expect(log.slice(3)).toEqual(['source 2', 'lane 2']);
    expect(sim.pending).toBe(0);
    expect(() => sim.atLane(1, lane)).toThrow('lane event scheduled at 1 s, before the current time 10 s');
  });
});

describe('RandomStreams', () => {
  it('same seed and name give the same sequence; names and seeds separate streams', () => {
    const a = new RandomStreams(7).stream('arrivals');
    const b = new RandomStreams(7).stream('arrivals');
    const c = new RandomStreams(7).stream('service');
    const d = new RandomStreams(8).stream('arrivals');
    const xs = [a.uniform(), a.uniform(), a.uniform()];
    expect([b.uniform(), b.uniform(), b.uniform()]).toEqual(xs);
    expect(c.uniform()).not.toBe(xs[0]);
    expect(d.uniform()).not.toBe(xs[0]);
  });

  it('gamma and normal draws have the right moments', () => {
    const s = new RandomStreams(3).stream('x');
    const n = 200_000;
    for (const shape of [0.5, 1, 4]) {
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const g = s.gamma(shape);
        sum += g;
        sq += g * g;
      }
      const mean = sum / n;
      expect(mean).toBeCloseTo(shape, 1);
      expect(sq / n - mean * mean).toBeGreaterThan(shape * 0.95);
      expect(sq / n - mean * mean).toBeLessThan(shape * 1.05);
    }
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = s.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(sq / n).toBeCloseTo(1, 1);
  });
});
