import { describe, it, expect } from 'vitest';
import { HpaController, type HpaDecision, type HpaInputs, type HpaPod } from '../../src/scaling/hpa.js';
import { defaultScaleDownRules, defaultScaleUpRules, type HpaMetric, type HpaPolicy, type HpaRules, type HpaSpec } from '../../src/config/hpa.js';

interface PodOpts {
  metrics?: Record<string, number>;
  ready?: boolean;
  startedAtS?: number;
  readySinceS?: number | null;
  sampleTakenAtS?: number | null;
  cpuRequestCores?: number;
}

/** A long-running ready pod by default, so the CPU start-up rule does not apply. */
function pod(o: PodOpts = {}): HpaPod {
  const metrics = o.metrics ?? {};
  return {
    ready: o.ready ?? true,
    startedAtS: o.startedAtS ?? -10_000,
    readySinceS: o.readySinceS === undefined ? -9_990 : o.readySinceS,
    metric: (name) => metrics[name],
    sampleTakenAtS: o.sampleTakenAtS === undefined ? -20 : o.sampleTakenAtS,
    cpuRequestCores: o.cpuRequestCores ?? 1,
  };
}

function qpsPods(...values: (number | undefined)[]): HpaPod[] {
  return values.map((v) => pod({ metrics: v === undefined ? {} : { qps: v } }));
}

function unreadyPods(n: number): HpaPod[] {
  return Array.from({ length: n }, () => pod({ ready: false, readySinceS: null, sampleTakenAtS: null }));
}

function inputs(nowS: number, specReplicas: number, pods: HpaPod[], objects: Record<string, number> = {}): HpaInputs {
  return { nowS, specReplicas, pods, objectMetric: (name) => objects[name] };
}

const QPS: HpaMetric = { type: 'Pods', name: 'qps', target: { type: 'AverageValue', averageValue: 100 } };
const CPU50: HpaMetric = { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } };

function spec(o: Partial<HpaSpec> = {}): HpaSpec {
  return { name: 'test', minReplicas: 1, maxReplicas: 100, metrics: [QPS], behavior: null, ...o };
}

function rules(base: HpaRules, o: Partial<HpaRules>): HpaRules {
  return { ...base, ...o };
}

/** Behavior whose scale-down acts at once, so one sync shows a proposal's full effect. */
const IMMEDIATE_DOWN = { scaleUp: defaultScaleUpRules(), scaleDown: rules(defaultScaleDownRules(), { stabilizationWindowSeconds: 0 }) };

function once(s: HpaSpec, cur: number, pods: HpaPod[], objects: Record<string, number> = {}): HpaDecision {
  return new HpaController(s).sync(inputs(0, cur, pods, objects));
}

describe('HpaController: per-metric proposals', () => {
  it('does nothing within the 10 % tolerance and scales outside it', () => {
    expect(once(spec(), 5, qpsPods(105, 105, 105, 105, 105)).desired).toBe(5);
    expect(once(spec(), 5, qpsPods(95, 95, 95, 95, 95)).desired).toBe(5);
    expect(once(spec(), 5, qpsPods(120, 120, 120, 120, 120)).desired).toBe(6);
    expect(once(spec({ behavior: IMMEDIATE_DOWN }), 5, qpsPods(80, 80, 80, 80, 80)).desired).toBe(4);
  });

  it('honours a per-direction tolerance from behavior', () => {
    const tight = { ...IMMEDIATE_DOWN, scaleUp: rules(defaultScaleUpRules(), { tolerance: 0.02 }) };
    expect(once(spec({ behavior: tight }), 5, qpsPods(105, 105, 105, 105, 105)).desired).toBe(6);
  });

  it('counts missing-metric pods at the target when scaling down', () => {
    const d = once(spec({ behavior: IMMEDIATE_DOWN }), 4, qpsPods(50, 50, 50, undefined));
    // ratio 0.5; with the missing pod at 100: 250/4 = 62.5 → ceil(0.625·4) = 3 (ignoring it would give 2)
    expect(d.proposals[0]?.replicas).toBe(3);
    expect(d.desired).toBe(3);
  });

  it('counts missing-metric pods as 0 when scaling up', () => {
    // ratio 1.3 over 4 pods would ask 6; with the missing pod at 0: 520/5 = 104 → within tolerance
    expect(once(spec(), 5, qpsPods(130, 130, 130, 130, undefined)).desired).toBe(5);
  });

  it('counts a missing CPU pod at 100 % of its request (max(100 %, target)) when scaling down', () => {
    const pods = [0.2, 0.2, 0.2].map((c) => pod({ metrics: { cpu: c } })).concat(pod());
    // 20 % vs 50 % → down; missing at 100 %: (600 + 1000) / 4000 = 40 % → 0.8 → ceil(3.2) = 4
    expect(once(spec({ metrics: [CPU50], behavior: IMMEDIATE_DOWN }), 4, pods).desired).toBe(4);
  });

  it('counts unready pods as 0 only when scaling up, and keeps cur when that flips direction', () => {
    // 3 ready at 120 + 2 unready: 360/5 = 72 → the direction flips → stay at 5 (ignoring them would give 4)
    expect(once(spec({ behavior: IMMEDIATE_DOWN }), 5, [...qpsPods(120, 120, 120), ...unreadyPods(2)]).desired).toBe(5);
    // 4 ready at 130 + 1 unready: 520/5 = 104 → within tolerance (ignoring it would give 6)
    expect(once(spec(), 5, [...qpsPods(130, 130, 130, 130), ...unreadyPods(1)]).desired).toBe(5);
    // 4 ready at 200 + 2 unready: 800/6 = 133.333 → ceil(1.33333·6) = 8
    expect(once(spec(), 6, [...qpsPods(200, 200, 200, 200), ...unreadyPods(2)]).desired).toBe(8);
    // scaling down, unready pods are left out: 3 at 50 → ceil(0.5·3) = 2
    expect(once(spec({ behavior: IMMEDIATE_DOWN }), 5, [...qpsPods(50, 50, 50), ...unreadyPods(2)]).desired).toBe(2);
    // and when the ready pods are within tolerance the unready ones do not drag the ratio down (285/5 would ask 3)
    expect(once(spec({ behavior: IMMEDIATE_DOWN }), 5, [...qpsPods(95, 95, 95), ...unreadyPods(2)]).desired).toBe(5);
  });

  it('applies the CPU initialization period: early samples count only after readiness', () => {
    const s = spec({ metrics: [CPU50] });
    const old = pod({ metrics: { cpu: 0.9 } });
    const fresh = (sampleTakenAtS: number): HpaPod => pod({ metrics: { cpu: 0.9 }, startedAtS: 0, readySinceS: 10, sampleTakenAtS });
    const run = (nowS: number, pods: HpaPod[]): number => new HpaController(s).sync(inputs(nowS, 3, pods)).desired;
    // at 100 s the pod sampled before readiness is unready: 90 % over 2, then 60 % with it at 0 → ceil(1.2·3) = 4
    expect(run(100, [old, fresh(20), fresh(5)])).toBe(4);
    // a sample starting exactly at readiness counts: 90 % over 3 → ceil(1.8·3) = 6
    expect(run(100, [old, fresh(20), fresh(10)])).toBe(6);
    // past the 300 s initialization period the early sample counts too
    expect(run(400, [old, fresh(20), fresh(5)])).toBe(6);
    // a different period changes the verdict
    expect(new HpaController(s, { cpuInitializationPeriodS: 60 }).sync(inputs(100, 3, [old, fresh(20), fresh(5)])).desired).toBe(6);
  });

  it('applies the initial readiness delay to not-ready CPU pods past initialization', () => {
    const s = spec({ metrics: [CPU50] });
    const notReady = (lostReadinessAtS: number): HpaPod =>
      pod({ metrics: { cpu: 0.9 }, ready: false, startedAtS: 0, readySinceS: lostReadinessAtS, sampleTakenAtS: 900 });
    const others = [pod({ metrics: { cpu: 0.9 } }), pod({ metrics: { cpu: 0.9 } })];
    // readiness last changed 20 s after start (< 30 s): never served → unready → 4
    expect(once(s, 3, [...others, notReady(20)]).desired).toBe(4);
    expect(new HpaController(s).sync(inputs(1000, 3, [...others, notReady(20)])).desired).toBe(4);
    // it was ready and lost readiness later: its sample counts → 6
    expect(new HpaController(s).sync(inputs(1000, 3, [...others, notReady(100)])).desired).toBe(6);
  });

  it('computes External and Object targets', () => {
    const ext = (target: HpaMetric['target']): HpaSpec => spec({ metrics: [{ type: 'External', name: 'queue', target }] });
    const five = [...qpsPods(1, 1, 1, 1), ...unreadyPods(1)];
    // AverageValue: ceil(250 / 30) = 9
    expect(once(ext({ type: 'AverageValue', averageValue: 30 }), 5, five, { queue: 250 }).desired).toBe(9);
    // AverageValue within tolerance: 150 / (30·5) = 1 → stays at status.replicas
    expect(once(ext({ type: 'AverageValue', averageValue: 30 }), 5, five, { queue: 150 }).desired).toBe(5);
    // Value: ceil(250/100 · 4 ready pods) = 10
    expect(once(ext({ type: 'Value', value: 100 }), 5, five, { queue: 250 }).desired).toBe(10);
    const obj = spec({ metrics: [{ type: 'Object', name: 'ingress_rps', target: { type: 'Value', value: 200 } }] });
    // Object Value: 300/200 = 1.5 over 4 ready pods → 6
    expect(once(obj, 5, five, { ingress_rps: 300 }).desired).toBe(6);
  });

  it('takes the largest proposal over several metrics', () => {
    const pods = [150, 150, 150, 150].map((q) => pod({ metrics: { qps: q, cpu: 0.6 } }));
    const d = once(spec({ metrics: [QPS, CPU50] }), 4, pods);
    expect(d.proposals.map((p) => p.replicas)).toEqual([6, 5]);
    expect(d.desired).toBe(6);
  });

  it('skips a metric it cannot compute, but never scales down while one is missing', () => {
    const s = spec({ metrics: [QPS, { type: 'External', name: 'lag', target: { type: 'Value', value: 10 } }], behavior: IMMEDIATE_DOWN });
    const up = once(s, 4, qpsPods(200, 200, 200, 200));
    expect(up.proposals[1]?.replicas).toBeNull();
    expect(up.desired).toBe(8);
    const down = once(s, 4, qpsPods(20, 20, 20, 20));
    expect(down.desired).toBe(4);
    expect(down.limitedBy).toBe('InvalidMetrics');
    const none = once(s, 4, qpsPods(undefined, undefined, undefined, undefined));
    expect(none.desired).toBe(4);
    expect(none.proposals.map((p) => p.replicas)).toEqual([null, null]);
  });
});

describe('HpaController: bounds', () => {
  it('clamps an out-of-range current count at once, without metrics', () => {
    const s = spec({ minReplicas: 3, maxReplicas: 50 });
    expect(once(s, 60, qpsPods(1000))).toEqual({ desired: 50, proposals: [], limitedBy: 'TooManyReplicas' });
    expect(once(s, 1, qpsPods(1))).toEqual({ desired: 3, proposals: [], limitedBy: 'TooFewReplicas' });
    expect(once(s, 0, [])).toEqual({ desired: 0, proposals: [], limitedBy: 'ScalingDisabled' });
  });

  it('clamps the recommendation to [min, max]', () => {
    const s = spec({ minReplicas: 3, maxReplicas: 7, behavior: IMMEDIATE_DOWN });
    expect(once(s, 5, qpsPods(10, 10, 10, 10, 10))).toMatchObject({ desired: 3, limitedBy: 'TooFewReplicas' });
    expect(once(s, 5, qpsPods(300, 300, 300, 300, 300))).toMatchObject({ desired: 7, limitedBy: 'TooManyReplicas' });
  });

  it('without behavior, limits a scale-up to max(2·cur, 4)', () => {
    expect(once(spec(), 1, qpsPods(1000))).toMatchObject({ desired: 4, limitedBy: 'ScaleUpLimit' });
    expect(once(spec(), 5, qpsPods(1000, 1000, 1000, 1000, 1000))).toMatchObject({ desired: 10, limitedBy: 'ScaleUpLimit' });
    expect(once(spec({ maxReplicas: 7 }), 5, qpsPods(1000, 1000, 1000, 1000, 1000))).toMatchObject({ desired: 7, limitedBy: 'TooManyReplicas' });
  });
});

describe('HpaController: stabilization', () => {
  it('without behavior, scales down to the highest recommendation of the last 300 s', () => {
    const hpa = new HpaController(spec());
    expect(hpa.sync(inputs(0, 4, qpsPods(100, 100, 100, 100))).desired).toBe(4);
    // a burst asks for 8 at t = 100
    expect(hpa.sync(inputs(100, 4, qpsPods(200, 200, 200, 200))).desired).toBe(8);
    const quiet = qpsPods(25, 25, 25, 25, 25, 25, 25, 25); // asks for 2
    const seen: [number, number][] = [];
    for (let t = 115; t <= 430; t += 15) seen.push([t, hpa.sync(inputs(t, 8, quiet)).desired]);
    // the t = 100 recommendation still counts at 400 (exactly 300 s old) and is gone at 415
    expect(seen.filter(([, d]) => d === 8).map(([t]) => t).at(-1)).toBe(400);
    expect(seen.find(([t]) => t === 415)?.[1]).toBe(2);
    expect(seen.find(([t]) => t === 130)).toEqual([130, 8]);
  });

  it('without behavior, holds the starting count for the first 300 s', () => {
    const hpa = new HpaController(spec());
    const quiet = qpsPods(25, 25, 25, 25, 25, 25, 25, 25);
    const first = hpa.sync(inputs(0, 8, quiet));
    expect(first).toMatchObject({ desired: 8, limitedBy: 'ScaleDownStabilized' });
    expect(first.proposals[0]?.replicas).toBe(2);
    expect(hpa.sync(inputs(300, 8, quiet)).desired).toBe(8);
    expect(hpa.sync(inputs(315, 8, quiet)).desired).toBe(2);
  });

  it('with behavior, scales up to the lowest recommendation of the scaleUp window', () => {
    const behavior = { scaleUp: rules(defaultScaleUpRules(), { stabilizationWindowSeconds: 60 }), scaleDown: defaultScaleDownRules() };
    const hpa = new HpaController(spec({ behavior }));
    const busy = qpsPods(200, 200, 200, 200);
    const got = [0, 15, 30, 45, 60].map((t) => hpa.sync(inputs(t, 4, busy)));
    expect(got.map((d) => d.desired)).toEqual([4, 4, 4, 4, 8]);
    expect(got[3]?.limitedBy).toBe('ScaleUpStabilized');
  });

  it('with behavior, scales down to the highest recommendation of the scaleDown window', () => {
    const behavior = { scaleUp: defaultScaleUpRules(), scaleDown: rules(defaultScaleDownRules(), { stabilizationWindowSeconds: 120 }) };
    const hpa = new HpaController(spec({ behavior }));
    const quiet = qpsPods(25, 25, 25, 25, 25, 25, 25, 25);
    const got = [0, 15, 105, 120].map((t) => hpa.sync(inputs(t, 8, quiet)).desired);
    expect(got).toEqual([8, 8, 8, 2]);
  });

  it('with both windows, stays inside the envelope of recent recommendations instead of moving against the metric', () => {
    const behavior = {
      scaleUp: rules(defaultScaleUpRules(), { stabilizationWindowSeconds: 60 }),
      scaleDown: rules(defaultScaleDownRules(), { stabilizationWindowSeconds: 60 }),
    };
    const hpa = new HpaController(spec({ behavior }));
    expect(hpa.sync(inputs(0, 4, qpsPods(200, 200, 200, 200))).desired).toBe(4); // asks 8, held by the scaleUp window
    // now asks 2: recent recommendations span 2..8, so 4 stays (not a scale-up to the window's max of 8)
    expect(hpa.sync(inputs(15, 4, qpsPods(50, 50, 50, 50))).desired).toBe(4);
  });

  it('with behavior, a recommendation exactly one scaleDown window old no longer counts (even under a longer scaleUp window)', () => {
    const behavior = {
      scaleUp: rules(defaultScaleUpRules(), { stabilizationWindowSeconds: 120 }),
      scaleDown: rules(defaultScaleDownRules(), { stabilizationWindowSeconds: 60 }),
    };
    const hpa = new HpaController(spec({ behavior }));
    const quiet = qpsPods(25, 25, 25, 25, 25, 25, 25, 25);
    expect([0, 45, 60].map((t) => hpa.sync(inputs(t, 8, quiet)).desired)).toEqual([8, 8, 2]);
  });
});

/** Runs syncs every 15 s with a per-pod metric far above target, applying each decision; returns the counts after each change. */
function rampUp(policies: HpaPolicy[], selectPolicy: HpaRules['selectPolicy'] = 'Max', untilS = 180): [number, number][] {
  // A long scale-down period keeps every scale-up event on record, so the test sees the
  // period boundary itself: an event exactly periodSeconds old no longer counts.
  const scaleDown = rules(defaultScaleDownRules(), { policies: [{ type: 'Percent', value: 100, periodSeconds: 1800 }] });
  const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy, policies }, scaleDown };
  const hpa = new HpaController(spec({ maxReplicas: 40, behavior }));
  let replicas = 2;
  const changes: [number, number][] = [];
  for (let t = 0; t <= untilS; t += 15) {
    const d = hpa.sync(inputs(t, replicas, qpsPods(...Array<number>(replicas).fill(1000))));
    if (d.desired !== replicas) changes.push([t, d.desired]);
    replicas = d.desired;
  }
  return changes;
}

describe('HpaController: scaling policies', () => {
  it('a Pods policy of 1 per 60 s adds one pod a minute', () => {
    expect(rampUp([{ type: 'Pods', value: 1, periodSeconds: 60 }])).toEqual([
      [0, 3],
      [60, 4],
      [120, 5],
      [180, 6],
    ]);
  });

  it('a Percent policy of 50 % per 60 s goes 2 → 3 → 5 → 8', () => {
    expect(rampUp([{ type: 'Percent', value: 50, periodSeconds: 60 }])).toEqual([
      [0, 3],
      [60, 5],
      [120, 8],
      [180, 12],
    ]);
  });

  it('the default scale-up rules allow max(+4 pods, +100 %) per 15 s', () => {
    expect(rampUp(defaultScaleUpRules().policies, 'Max', 45)).toEqual([
      [0, 6],
      [15, 12],
      [30, 24],
      [45, 40],
    ]);
  });

  it('selectPolicy Max takes the most permissive policy, Min the least, Disabled none (up)', () => {
    const policies: HpaPolicy[] = [
      { type: 'Pods', value: 4, periodSeconds: 60 },
      { type: 'Percent', value: 100, periodSeconds: 60 },
    ];
    const run = (selectPolicy: HpaRules['selectPolicy']): HpaDecision => {
      const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy, policies }, scaleDown: defaultScaleDownRules() };
      return once(spec({ behavior }), 10, qpsPods(...Array<number>(10).fill(1000)));
    };
    expect(run('Max')).toMatchObject({ desired: 20, limitedBy: 'ScaleUpLimit' });
    expect(run('Min')).toMatchObject({ desired: 14, limitedBy: 'ScaleUpLimit' });
    expect(run('Disabled')).toMatchObject({ desired: 10, limitedBy: 'ScaleUpLimit' });
  });

  it('selectPolicy Max takes the most permissive policy, Min the least, Disabled none (down)', () => {
    const policies: HpaPolicy[] = [
      { type: 'Pods', value: 2, periodSeconds: 60 },
      { type: 'Percent', value: 50, periodSeconds: 60 },
    ];
    const run = (selectPolicy: HpaRules['selectPolicy']): HpaDecision => {
      const behavior = { scaleUp: defaultScaleUpRules(), scaleDown: { stabilizationWindowSeconds: 0, selectPolicy, policies } };
      return once(spec({ behavior }), 10, qpsPods(...Array<number>(10).fill(10)));
    };
    expect(run('Max')).toMatchObject({ desired: 5, limitedBy: 'ScaleDownLimit' });
    expect(run('Min')).toMatchObject({ desired: 8, limitedBy: 'ScaleDownLimit' });
    expect(run('Disabled')).toMatchObject({ desired: 10, limitedBy: 'ScaleDownLimit' });
  });

  it('a Percent scale-down floors: 30 % of 5 removes one pod', () => {
    const behavior = {
      scaleUp: defaultScaleUpRules(),
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Percent' as const, value: 30, periodSeconds: 60 }] },
    };
    expect(once(spec({ behavior }), 5, qpsPods(10, 10, 10, 10, 10)).desired).toBe(3);
    // floor(5·0.7) = 3; a second sync inside the period measures from the period's start (5) and allows no more
    const hpa = new HpaController(spec({ behavior }));
    expect(hpa.sync(inputs(0, 5, qpsPods(10, 10, 10, 10, 10))).desired).toBe(3);
    expect(hpa.sync(inputs(15, 3, qpsPods(10, 10, 10))).desired).toBe(3);
    expect(hpa.sync(inputs(60, 3, qpsPods(10, 10, 10))).desired).toBe(2);
  });
});

interface SimPod {
  startedAtS: number;
  readyAtS: number;
}

/**
 * A small closed loop: total load `loadAt(t)` spread over the ready pods is the per-pod
 * metric, scraped every 15 s (offset 5 s) as a 30 s average, read by a sync every 15 s.
 * New pods become ready 30 s after they start. Returns the (time, replicas) changes.
 */
function closedLoop(s: HpaSpec, initial: number, loadAt: (t: number) => number, endS: number): [number, number][] {
  const hpa = new HpaController(s);
  let pods: SimPod[] = Array.from({ length: initial }, () => ({ startedAtS: -3600, readyAtS: -3590 }));
  const changes: [number, number][] = [];
  for (let t = 0; t <= endS; t += 15) {
    const scrapeAt = Math.floor((t - 5) / 15) * 15 + 5;
    let total = 0;
    for (let u = scrapeAt - 30; u < scrapeAt; u += 1) total += loadAt(u + 0.5);
    const avgLoad = total / 30;
    const readyCount = pods.filter((p) => p.readyAtS <= t).length;
    const view: HpaPod[] = pods.map((p) => {
      const ready = p.readyAtS <= t;
      return pod({
        ready,
        startedAtS: p.startedAtS,
        readySinceS: ready ? p.readyAtS : null,
        sampleTakenAtS: ready ? scrapeAt - 30 : null,
        metrics: ready ? { qps: avgLoad / readyCount } : {},
      });
    });
    const d = hpa.sync(inputs(t, pods.length, view));
    if (d.desired > pods.length) {
      const added = Array.from({ length: d.desired - pods.length }, () => ({ startedAtS: t, readyAtS: t + 30 }));
      pods = [...pods, ...added];
    } else if (d.desired < pods.length) {
      pods = pods.slice(0, d.desired);
    }
    if (d.desired !== view.length) changes.push([t, d.desired]);
  }
  return changes;
}

describe('HpaController: closed loop against the Kubernetes e2e bounds', () => {
  const stepAt = 610;
  const down = (t: number): number => (t < stepAt ? 400 : 100);
  const up = (t: number): number => (t < stepAt ? 100 : 400);

  it('a scale-down delayed by the 300 s default window starts after 300 s and ends within 450 s (behavior defaults)', () => {
    const changes = closedLoop(spec({ behavior: { scaleUp: defaultScaleUpRules(), scaleDown: defaultScaleDownRules() } }), 4, down, 1500);
    expect(changes).toEqual([
      [915, 3],
      [930, 2],
      [945, 1],
    ]);
    const first = changes[0]?.[0] ?? NaN;
    const last = changes.at(-1)?.[0] ?? NaN;
    expect(first - stepAt).toBeGreaterThan(300);
    expect(last - stepAt).toBeLessThanOrEqual(450);
  });

  it('the same holds without behavior (legacy downscale stabilization)', () => {
    const changes = closedLoop(spec(), 4, down, 1500);
    expect(changes).toEqual([
      [930, 3],
      [945, 2],
      [960, 1],
    ]);
    expect((changes[0]?.[0] ?? NaN) - stepAt).toBeGreaterThan(300);
    expect((changes.at(-1)?.[0] ?? NaN) - stepAt).toBeLessThanOrEqual(450);
  });

  it('a scale-up delayed by a 180 s scaleUp window starts after 180 s and ends within 330 s', () => {
    const behavior = { scaleUp: rules(defaultScaleUpRules(), { stabilizationWindowSeconds: 180 }), scaleDown: defaultScaleDownRules() };
    const changes = closedLoop(spec({ behavior }), 1, up, 1500);
    const first = changes[0]?.[0] ?? NaN;
    expect(changes).toEqual([
      [795, 2],
      [810, 4],
    ]);
    const reached = changes.find(([, r]) => r === 4)?.[0] ?? NaN;
    expect(first - stepAt).toBeGreaterThan(180);
    expect(reached - stepAt).toBeLessThanOrEqual(330);
    expect(changes.at(-1)?.[1]).toBe(4);
  });
});
