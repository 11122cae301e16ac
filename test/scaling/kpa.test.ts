import { describe, it, expect } from 'vitest';
import { KpaController, type KpaDecision } from '../../src/scaling/kpa.js';
import { KPA_DEFAULTS, kpaDefaults, type KpaConfig } from '../../src/config/kpa.js';

/**
 * Drives a controller like the engine does: at every whole second s in [fromS, toS]
 * record(s, load(s)); on even seconds tick(s, ready(s, lastDesired)) after the record.
 * Returns the decisions keyed by tick time.
 */
function drive(
  ctrl: KpaController,
  fromS: number,
  toS: number,
  load: (s: number) => number,
  ready: (s: number, lastDesired: number) => number,
  startDesired: number,
): Map<number, KpaDecision> {
  const out = new Map<number, KpaDecision>();
  let last = startDesired;
  for (let s = fromS; s <= toS; s++) {
    ctrl.record(s, load(s));
    if (s % 2 === 0) {
      const d = ctrl.tick(s, ready(s, last));
      out.set(s, d);
      last = d.desired;
    }
  }
  return out;
}

const followDesired = (_s: number, last: number): number => last;

function at(m: Map<number, KpaDecision>, s: number): KpaDecision {
  const d = m.get(s);
  if (d === undefined) throw new Error(`no decision at ${s}`);
  return d;
}

describe('KPA_DEFAULTS', () => {
  it('holds the Knative config-autoscaler defaults', () => {
    expect(KPA_DEFAULTS).toEqual({
      metric: 'concurrency',
      target: 100,
      targetUtilization: 0.7,
      minReplicas: 0,
      maxReplicas: 0,
      stableWindowS: 60,
      panicWindowPercentage: 10,
      panicThresholdPercentage: 200,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      tickS: 2,
      scaleToZeroGracePeriodS: 30,
    });
    expect(kpaDefaults('rps').target).toBe(200);
    expect(kpaDefaults('concurrency').target).toBe(100);
  });
});

describe('KpaController steady state', () => {
  it('700 concurrent with target 100 × 0.7 → 10 pods; a fresh decider with >1 pod starts panicking and leaves after 60 s', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    const m = drive(ctrl, 0, 120, () => 700, followDesired, 10);
    for (const d of m.values()) expect(d.desired).toBe(10);
    expect(at(m, 60).panicking).toBe(true); // panicTime 0 + 60 is not before 60
    expect(at(m, 62).panicking).toBe(false);
    expect(at(m, 120)).toEqual({ desired: 10, panicking: false, stableAverage: 700, panicAverage: 700 });
  });

  it('averages a partly observed window over the observed seconds only', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    ctrl.record(0, 140);
    ctrl.record(1, 280);
    const d = ctrl.tick(1, 1);
    // (140 + 280) / 2 = 210 over 2 observed buckets, not / 60; ceil(210 / 70) = 3.
    expect(d.stableAverage).toBe(210);
    expect(d.panicAverage).toBe(210);
    expect(d.desired).toBe(3);
    // 3 / 1 ready ≥ 2 → panic.
    expect(d.panicking).toBe(true);
  });

  it('averages several samples within one second instead of summing them', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    ctrl.record(0.2, 100);
    ctrl.record(0.7, 300);
    expect(ctrl.tick(0.9, 1).stableAverage).toBe(200);
  });

  it('keeps the current scale when there is no data yet', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    expect(ctrl.tick(0, 4)).toEqual({ desired: 4, panicking: true, stableAverage: 0, panicAverage: 0 });
    const empty = new KpaController(KPA_DEFAULTS);
    expect(empty.tick(0, 0).desired).toBe(0);
  });
});

describe('KpaController panic mode', () => {
  // 700 until t=100, 2800 (4×) for t in [101, 119], 700 again from t=120.
  // Ready pods: 10 until t=110 (the new pods are cold-starting), then 40.
  const load = (s: number): number => (s >= 101 && s <= 119 ? 2800 : 700);
  const ready = (s: number, lastDesired: number): number => (s < 110 ? 10 : s < 170 ? 40 : lastDesired);
  const run = (): Map<number, KpaDecision> => drive(new KpaController(KPA_DEFAULTS), 0, 176, load, ready, 10);

  it('a 4× step triggers panic within the panic window and scales up at once', () => {
    const m = run();
    expect(at(m, 100)).toEqual({ desired: 10, panicking: false, stableAverage: 700, panicAverage: 700 });
    // t=102: panic buckets 97..102 = 4×700 + 2×2800 → 1400 → 20 pods = 2 × 10 ready → panic.
    const d102 = at(m, 102);
    expect(d102.panicAverage).toBe(1400);
    expect(d102.stableAverage).toBe(770); // (58×700 + 2×2800) / 60
    expect(d102.panicking).toBe(true);
    expect(d102.desired).toBe(20);
    // t=104: 2×700 + 4×2800 → 2100 → 30 pods; t=106: all 2800 → 40 pods.
    expect(at(m, 104).desired).toBe(30);
    expect(at(m, 106).desired).toBe(40);
    expect(at(m, 106).panicAverage).toBe(2800);
  });

  it('never scales down while panicking, and leaves panic a full stable window after the last over-threshold tick', () => {
    const m = run();
    // Last over-threshold tick is t=108 (40 / 10 ready); from t=110 ready is 40 and 40/40 < 2.
    for (let s = 106; s <= 168; s += 2) {
      expect(at(m, s).desired).toBe(40);
      expect(at(m, s).panicking).toBe(true);
    }
    // Load fell back at t=120: by t=150 the panic average is 700 (10 pods) and the stable
    // one (41×700 + 19×2800)/60 = 1365 (20 pods), yet 40 is held.
    expect(at(m, 150).panicAverage).toBe(700);
    expect(at(m, 150).stableAverage).toBe(1365);
    // 108 + 60 = 168 is not before 168, so panic ends at t=170.
    const d170 = at(m, 170);
    expect(d170.panicking).toBe(false);
    // Stable buckets 111..170: (9×2800 + 51×700)/60 = 1015 → 15 pods, but at most halving: floor(40/2) = 20.
    expect(d170.stableAverage).toBe(1015);
    expect(d170.desired).toBe(20);
    // t=172 with 20 ready: (7×2800 + 53×700)/60 = 945 → 14 pods ≥ floor(20/2) = 10.
    expect(at(m, 172).stableAverage).toBe(945);
    expect(at(m, 172).desired).toBe(14);
  });

  it('enters panic from zero ready pods, treating them as one', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    ctrl.record(0, 0);
    expect(ctrl.tick(0, 0).desired).toBe(0);
    ctrl.record(1, 140);
    // Stable (0 + 140)/2 = 70 → 1 pod; panic 70 → 1 pod; 1/1 < 2: no panic.
    expect(ctrl.tick(1, 0)).toEqual({ desired: 1, panicking: false, stableAverage: 70, panicAverage: 70 });
    ctrl.record(2, 560);
    // Panic (0 + 140 + 560)/3 = 233.33 → 4 pods; 4 / max(1, 0) ≥ 2 → panic.
    const d = ctrl.tick(2, 0);
    expect(d.panicking).toBe(true);
    expect(d.desired).toBe(4);
  });
});

describe('KpaController rate limits', () => {
  it('scale down is limited to halving per tick (maxScaleDownRate 2)', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    // 70 concurrent needs 1 pod; the first tick with 1 ready avoids the startup panic.
    const readySeq = new Map([
      [0, 1],
      [2, 16],
      [4, 8],
      [6, 4],
      [8, 2],
      [10, 1],
    ]);
    const m = drive(ctrl, 0, 10, () => 70, (s) => readySeq.get(s) ?? 0, 1);
    expect([2, 4, 6, 8, 10].map((s) => at(m, s).desired)).toEqual([8, 4, 2, 1, 1]);
    expect(at(m, 2).panicking).toBe(false);
  });

  it('maxScaleDownRate 4 allows dropping to a quarter', () => {
    const ctrl = new KpaController({ ...KPA_DEFAULTS, maxScaleDownRate: 4 });
    ctrl.record(0, 70);
    ctrl.tick(0, 1);
    ctrl.record(1, 70);
    expect(ctrl.tick(2, 16).desired).toBe(4);
    ctrl.record(3, 70);
    // floor(7 / 4) = 1.
    expect(ctrl.tick(4, 7).desired).toBe(1);
  });

  it('scale up is limited to ceil(maxScaleUpRate × ready)', () => {
    const ctrl = new KpaController({ ...KPA_DEFAULTS, maxScaleUpRate: 2 });
    ctrl.record(0, 210);
    ctrl.tick(0, 3); // startup panic holds 3
    ctrl.record(1, 2100);
    ctrl.record(2, 2100);
    // Stable (210 + 2100 + 2100)/3 = 1470 → 21 pods; panic the same; capped at ceil(2 × 3) = 6.
    const d = ctrl.tick(2, 3);
    expect(d.stableAverage).toBe(1470);
    expect(d.desired).toBe(6);
    expect(d.panicking).toBe(true);
    ctrl.record(3, 2100);
    expect(ctrl.tick(4, 6).desired).toBe(12);
    ctrl.record(5, 1000);
    // ready 0 counts as 1: cap ceil(2 × 1) = 2, but panic never lowers the held 12.
    expect(ctrl.tick(6, 0).desired).toBe(12);
  });
});

describe('KpaController scale to zero', () => {
  // 70 concurrent (1 pod) for t ≤ 99, then nothing. The last non-zero bucket (99) leaves the
  // stable window (t−60, t] at t=159, so the first quiet tick is t=160; grace 30 s → zero at 190.
  const load = (s: number): number => (s <= 99 ? 70 : 0);

  it('keeps one pod through the quiet stable window and the grace period, then goes to zero', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    const m = drive(ctrl, 0, 200, load, followDesired, 1);
    expect(at(m, 158).stableAverage).toBeCloseTo(70 / 60, 12);
    for (let s = 100; s <= 188; s += 2) expect(at(m, s).desired).toBe(1);
    expect(at(m, 160).stableAverage).toBe(0);
    expect(at(m, 190).desired).toBe(0);
    expect(at(m, 200).desired).toBe(0);
  });

  it('restarts the grace period when traffic shows up inside it', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    const blip = (s: number): number => (s === 175 ? 5 : load(s));
    const m = drive(ctrl, 0, 270, blip, followDesired, 1);
    expect(at(m, 188).desired).toBe(1);
    expect(at(m, 190).desired).toBe(1);
    // Bucket 175 is in the window until t=234; quiet from t=236, zero at 236 + 30 = 266.
    expect(at(m, 264).desired).toBe(1);
    expect(at(m, 266).desired).toBe(0);
  });

  it('never goes to zero with minReplicas 1', () => {
    const ctrl = new KpaController({ ...KPA_DEFAULTS, minReplicas: 1 });
    const m = drive(ctrl, 0, 300, load, followDesired, 1);
    for (const d of m.values()) expect(d.desired).toBe(1);
  });

  it('from zero, any observed traffic asks for a pod at the next tick (the activator)', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    const m = drive(ctrl, 0, 200, load, followDesired, 1);
    expect(at(m, 200).desired).toBe(0);
    ctrl.record(201, 1);
    ctrl.record(202, 0);
    const d = ctrl.tick(202, 0);
    expect(d.stableAverage).toBeCloseTo(1 / 60, 12);
    expect(d.desired).toBe(1);
    expect(d.panicking).toBe(false);
  });

  it('stays at zero without traffic and does not wake a pod at start when none is up', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    const m = drive(ctrl, 0, 100, () => 0, (s, last) => (s === 0 ? 0 : last), 0);
    for (const d of m.values()) expect(d.desired).toBe(0);
  });

  it('a single pod started with no traffic is released after a full quiet window plus grace', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    // First record at 0: the window (t−60, t] is fully observed from t=60; zero at 60 + 30.
    const m = drive(ctrl, 0, 100, () => 0, followDesired, 1);
    expect(at(m, 88).desired).toBe(1);
    expect(at(m, 90).desired).toBe(0);
  });
});

describe('KpaController rps metric', () => {
  it('700 rps with target 200 × 0.7 → 5 pods', () => {
    const ctrl = new KpaController(kpaDefaults('rps'));
    const m = drive(ctrl, 0, 80, () => 700, followDesired, 5);
    expect(at(m, 80)).toEqual({ desired: 5, panicking: false, stableAverage: 700, panicAverage: 700 });
    // 701 rps → ceil(701 / 140) = 6.
    const ctrl2 = new KpaController(kpaDefaults('rps'));
    const m2 = drive(ctrl2, 0, 80, () => 701, followDesired, 5);
    expect(at(m2, 80).desired).toBe(6);
  });
});

describe('KpaController min/max clamp', () => {
  it('clamps to maxReplicas and to minReplicas', () => {
    const cfg: KpaConfig = { ...KPA_DEFAULTS, minReplicas: 3, maxReplicas: 5 };
    const hi = new KpaController(cfg);
    const mh = drive(hi, 0, 80, () => 700, followDesired, 5);
    expect(at(mh, 80).desired).toBe(5);
    const lo = new KpaController(cfg);
    const ml = drive(lo, 0, 200, () => 0, followDesired, 3);
    for (const d of ml.values()) expect(d.desired).toBe(3);
  });

  it('maxReplicas 0 is unbounded', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    const m = drive(ctrl, 0, 80, () => 70_000, followDesired, 1000);
    expect(at(m, 80).desired).toBe(1000);
  });

  it('activationScale raises any non-zero demand to that count', () => {
    const ctrl = new KpaController({ ...KPA_DEFAULTS, activationScale: 3 });
    ctrl.record(0, 10);
    expect(ctrl.tick(0, 1).desired).toBe(3);
  });
});

describe('KpaController input checks', () => {
  it('rejects bad samples and ready counts', () => {
    const ctrl = new KpaController(KPA_DEFAULTS);
    expect(() => ctrl.record(0, -1)).toThrow('kpa: recorded value must be ≥ 0, got -1');
    expect(() => ctrl.record(Number.NaN, 1)).toThrow('kpa: record time must be finite, got NaN');
    expect(() => ctrl.tick(0, 1.5)).toThrow('kpa: readyPods must be an integer ≥ 0, got 1.5');
  });
});

