/**
 * Shared GPUs (sharing.mode shared, serving/shared-gpus.ts) traced by hand: who runs when, at what
 * speed, and who is attributed which GPU time. First through whole runs (two models, deterministic
 * service, arrivals from tiny per-model traces, each completion time computed in the comments),
 * then the SharedGpus books directly.
 *
 * The rule under test: the batches on a GPU advance together at σ(m) = 1 + overlap·(m − 1) times
 * one batch alone; the head (the first to reach an idle GPU) runs at full speed, every other at
 * `overlap`; when the head finishes, the finishing model hands the GPU its next batch first, then
 * the waiting batch whose oldest request arrived first becomes the head. Each batch is attributed
 * its speed / σ(m) of the GPU's time.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type RunResult } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { SharedGpus, type GpuTenant } from '../../src/serving/shared-gpus.js';
import type { LineSource } from '../../src/workload/trace.js';

/** Epoch milliseconds of 2026-01-01T00:00:00Z: the traces' t = 0. */
const T0_MS = 1767225600000;

/** A trace's lines from arrival times in seconds after the first (times in whole milliseconds). */
function traceLines(timesS: number[]): string[] {
  return ['TIMESTAMP', ...timesS.map((t) => String(T0_MS + Math.round(t * 1000)))];
}

/**
 * Two models, A and B (A listed first: at equal times A's arrival comes first), on one shared GPU
 * with `overlap`, batch 1, deterministic service; arrivals from their traces. Returns the run and
 * every response as [arrived, done] in seconds, in the order they completed.
 */
function twoModels(overlap: number, a: { serviceMs: number; at: number[] }, b: { serviceMs: number; at: number[] }): { r: RunResult; responses: [number, number][]; starts: number[] } {
  const files: Record<string, string[]> = { 'a.csv': traceLines(a.at), 'b.csv': traceLines(b.at) };
  const openTraceFile = (file: string): LineSource => {
    const lines = files[file.slice(file.lastIndexOf('/') + 1)]!;
    let i = 0;
    return { next: () => (i < lines.length ? lines[i++]! : null) };
  };
  const sc = loadScenario(
    `
name: hand
duration: 1s
report: { interval: 1s }
fleet: { batching: { maxBatch: 1 } }
sharing: { mode: shared, gpu: l4, overlap: ${overlap} }
models:
  - name: a
    traffic: { trace: { file: a.csv, timeFormat: epoch-ms } }
    model: { latency: { 1: ${a.serviceMs}ms } }
  - name: b
    traffic: { trace: { file: b.csv, timeFormat: epoch-ms } }
    model: { latency: { 1: ${b.serviceMs}ms } }
`,
    { file: '/hand/s.yaml', baseDir: '/hand' },
  );
  const responses: [number, number][] = [];
  const starts: number[] = [];
  const r = simulate(sc, {
    openTraceFile,
    observer: {
      batchStarted: (_replica, _size, startS) => starts.push(startS),
      responded: (_replica, arrivedAtS, doneS) => responses.push([arrivedAtS, doneS]),
    },
  });
  return { r, responses, starts };
}

const close = (xs: number[][]): unknown[] => xs.map((row) => row.map((x) => expect.closeTo(x, 9)));

describe('overlap 0 (strict time-slicing): one batch at a time, oldest request first', () => {
  it('the second batch waits for the first; a model that hands its batch later still goes first when its request is older', () => {
    // A: 100 ms, arrivals 0 and 0.13 s; B: 60 ms, arrivals 0 and 0.12 s.
    //   0     a0 reaches the idle GPU (head, runs 0 – 0.10); b0 reaches it too and waits (speed 0)
    //   0.10  a0 done (latency 0.10); b0 the head: runs 0.10 – 0.16
    //   0.12  b1 arrives: B's one slot holds b0, b1 queues at B
    //   0.13  a1 arrives: A's slot is free, A hands a1 to the GPU, where it waits (speed 0)
    //   0.16  b0 done (latency 0.16); B hands b1 (arrived 0.12); a1 was handed first (0.13) but
    //         b1's request is older: b1 the head, runs 0.16 – 0.22 (latency 0.10)
    //   0.22  a1 the head, runs 0.22 – 0.32 (latency 0.19)
    const { r, responses, starts } = twoModels(0, { serviceMs: 100, at: [0, 0.13] }, { serviceMs: 60, at: [0, 0.12] });
    expect(responses).toEqual(close([[0, 0.1], [0, 0.16], [0.12, 0.22], [0.13, 0.32]]));
    expect(starts).toEqual(close([[0], [0], [0.13], [0.16]]).map((x) => (x as unknown[])[0]));
    const [a, b] = r.summary.models!;
    expect(a!.latencyMs.mean).toBeCloseTo(145, 6); // (100 + 190) / 2
    expect(a!.latencyMs.max).toBeCloseTo(190, 6);
    expect(b!.latencyMs.mean).toBeCloseTo(130, 6); // (160 + 100) / 2
    expect(b!.latencyMs.max).toBeCloseTo(160, 6);
    // one batch at a time, each attributed its own run: A 0.2 s, B 0.12 s of the 1 s run; busy 0.32
    const g = r.summary.sharing!.perGpu![0]!;
    expect(g.utilization).toBeCloseTo(0.32, 9);
    expect(g.models.a).toBeCloseTo(0.2, 9);
    expect(g.models.b).toBeCloseTo(0.12, 9);
  });

  it('a waiting batch with the older request keeps its turn over the batch the finishing model hands next', () => {
    // As above but a1 arrives at 0.11 s (before b1 at 0.12):
    //   0.11  A hands a1 to the GPU (waits); 0.16 b0 done, B hands b1 (0.12): a1 is older, the head
    //         0.16 – 0.26 (latency 0.15); b1 runs 0.26 – 0.32 (latency 0.20)
    const { responses } = twoModels(0, { serviceMs: 100, at: [0, 0.11] }, { serviceMs: 60, at: [0, 0.12] });
    expect(responses).toEqual(close([[0, 0.1], [0, 0.16], [0.11, 0.26], [0.12, 0.32]]));
  });

  it('the same model’s next batch also competes: it goes first only when its request is the oldest', () => {
    // A: 100 ms at 0, 0.05 and 0.2 s; B: 100 ms at 0 and 0.15 s.
    //   0     a0 head (0 – 0.10); b0 waits.  0.05 a1 queues at A (its slot holds a0)
    //   0.10  a0 done; A hands a1 (0.05) — older than b0? no: b0 arrived at 0 → b0 head 0.10 – 0.20
    //   0.15  b1 queues at B.  0.20 b0 done; B hands b1 (0.15); a1 (0.05) is older → head 0.20 – 0.30
    //   0.20  a2 arrives, queues at A (its slot holds a1)
    //   0.30  a1 done; A hands a2 (0.20); b1 (0.15) is older → head 0.30 – 0.40; then a2 0.40 – 0.50
    const { responses } = twoModels(0, { serviceMs: 100, at: [0, 0.05, 0.2] }, { serviceMs: 100, at: [0, 0.15] });
    expect(responses).toEqual(close([[0, 0.1], [0, 0.2], [0.05, 0.3], [0.15, 0.4], [0.2, 0.5]]));
  });
});

describe('overlap 0.5: the head at full speed, the others at half', () => {
  it('a second batch runs at half speed while the first runs, at full speed after; attribution speed / σ', () => {
    // A: 100 ms at 0 and 0.12 s; B: 100 ms at 0.
    //   0     a0 head (speed 1); b0 at 0.5
    //   0.10  a0 done (latency 0.10); b0 has done 0.05 of its 0.10: the head, 0.05 left at speed 1
    //   0.12  a1 handed to the GPU: speed 0.5
    //   0.15  b0 done (latency 0.15); a1 has done 0.03 × 0.5 = 0.015: the head, 0.085 left → done 0.235
    const { r, responses } = twoModels(0.5, { serviceMs: 100, at: [0, 0.12] }, { serviceMs: 100, at: [0] });
    expect(responses).toEqual(close([[0, 0.1], [0, 0.15], [0.12, 0.235]]));
    // attribution, σ(2) = 1.5: the head 1/1.5, the other 0.5/1.5
    //   A: 0.10 × 2/3 + 0.03 × 1/3 + 0.085 = 0.161667;  B: 0.10 × 1/3 + 0.02 + 0.03 × 2/3 = 0.073333
    //   together the GPU's busy time, 0.235 s of the 1 s run
    const g = r.summary.sharing!.perGpu![0]!;
    expect(g.utilization).toBeCloseTo(0.235, 9);
    expect(g.models.a).toBeCloseTo(0.1 * (2 / 3) + 0.03 / 3 + 0.085, 9);
    expect(g.models.b).toBeCloseTo(0.1 / 3 + 0.02 + 0.03 * (2 / 3), 9);
    expect(r.summary.models![0]!.gpuHours * 3600).toBeCloseTo(g.models.a!, 9);
  });

  it('overlap 1: no interference, every batch at full speed', () => {
    const { responses } = twoModels(1, { serviceMs: 100, at: [0, 0.12] }, { serviceMs: 100, at: [0] });
    expect(responses).toEqual(close([[0, 0.1], [0, 0.1], [0.12, 0.22]]));
  });
});

describe('the books of shared GPUs, whatever the overlap, GPUs and instances', () => {
  // three models of different speeds and batch sizes, lognormal / exponential / deterministic service
  for (const overlap of [0, 0.3, 1]) {
    for (const [gpus, instances] of [
      [1, 1],
      [2, 2],
    ] as const) {
      it(`overlap ${overlap}, ${gpus} GPU(s), ${instances} instance(s) per model: shares add up to the busy share, costs to the bill`, () => {
        const s = simulate(
          loadScenario(
            `
name: books
seed: 3
duration: 5m
warmup: 30s
report: { interval: 10s }
cost: { gpuHourly: 1.7 }
fleet: { instances: ${instances}, batching: { maxBatch: 8, maxQueueDelay: 3ms }, queue: { maxDepth: 100, timeout: 1s } }
sharing: { mode: shared, gpu: l4, gpus: ${gpus}, overlap: ${overlap} }
models:
  - name: a
    traffic: { rate: ${150 * gpus} }
    model: { latency: { 1: 3ms, 8: 12ms }, variability: { dist: lognormal, cv: 0.5 } }
  - name: b
    traffic: { rate: ${100 * gpus} }
    model: { latency: { 1: 5ms, 8: 20ms }, variability: { dist: exponential } }
  - name: c
    traffic: { rate: ${30 * gpus} }
    model: { latency: { 1: 8ms, 8: 30ms } }
`,
            { file: 'books.yaml', baseDir: '.' },
          ),
        ).summary;
        const sh = s.sharing!;
        expect(sh.perGpu).toHaveLength(gpus);
        for (const g of sh.perGpu!) {
          expect(g.utilization).toBeGreaterThan(0.5);
          expect(Object.values(g.models).reduce((a, b) => a + b, 0)).toBeCloseTo(g.utilization, 9);
        }
        const models = s.models!;
        expect(models.reduce((a, m) => a + m.gpuHours, 0)).toBeCloseTo(sh.attributedGpuHours, 9);
        expect(sh.attributedGpuHours + sh.idleGpuHours).toBeCloseTo(sh.gpuHours, 9);
        expect(sh.gpuHours).toBeCloseTo((gpus * 270) / 3600, 9);
        expect(models.reduce((a, m) => a + m.costUsd, 0) + sh.idleUsd).toBeCloseTo(s.cost.totalUsd, 9);
        expect(s.cost.totalUsd).toBeCloseTo(1.7 * sh.gpuHours, 9);
        // each model's busy share is what it was attributed: together the GPUs' mean busy share
        const busy = sh.perGpu!.reduce((a, g) => a + g.utilization, 0) / gpus;
        expect(models.reduce((a, m) => a + m.gpu.utilization, 0)).toBeCloseTo(busy, 9);
      });
    }
  }
});

// ---------------------------------------------------------------- SharedGpus, directly

/** `gpus` shared GPUs for `tenants` models (room for 6 batches on each GPU), all there at t = 0. */
function sharedGpus(gpus: number, overlap: number, countFromS: number, tenants: number): SharedGpus {
  const s = new SharedGpus(tenants, 6, overlap, countFromS);
  for (let g = 0; g < gpus; g++) s.addGpu(0);
  return s;
}

/** A fleet stand-in: records every speed change the GPUs ask of it. */
class Tenant implements GpuTenant {
  readonly calls: [slot: number, from: number, to: number][] = [];
  setSpeed(slot: number, oldSpeed: number, newSpeed: number): void {
    this.calls.push([slot, oldSpeed, newSpeed]);
  }
}

describe('SharedGpus', () => {
  it('started: alone the head (speed 1), else at overlap; finished + settle: the next head from overlap to 1', () => {
    const gpus = sharedGpus(1, 0.5, 0, 2);
    const a = new Tenant();
    const b = new Tenant();
    const ta = gpus.join(a);
    const tb = gpus.join(b);
    expect([ta, tb]).toEqual([0, 1]);
    gpus.started(0, ta, 0, 0, 0);
    expect(a.calls).toEqual([[0, 0, 1]]);
    gpus.started(0, tb, 0, 0.01, 0.02);
    expect(b.calls).toEqual([[0, 0, 0.5]]);
    gpus.finished(0, ta, 0, 0.1);
    expect(b.calls).toHaveLength(1); // nothing until settle
    gpus.settle(0);
    expect(b.calls).toEqual([[0, 0, 0.5], [0, 0.5, 1]]);
    gpus.settle(0); // nothing pending
    expect(b.calls).toHaveLength(2);
    gpus.finished(0, tb, 0, 0.2);
    gpus.advance(0.3);
    // A: alone 0 – 0.02, head of two 0.02 – 0.10 (1/1.5); B: 0.08 × 0.5/1.5, alone 0.10 – 0.20
    expect(gpus.attributedS(ta, true)).toBeCloseTo(0.02 + 0.08 / 1.5, 12);
    expect(gpus.attributedS(tb, true)).toBeCloseTo(0.08 * (0.5 / 1.5) + 0.1, 12);
    const [g] = gpus.perGpu();
    expect(g!.busyS).toBeCloseTo(0.2, 12);
    expect(g!.byTenantS[0]! + g!.byTenantS[1]!).toBeCloseTo(0.2, 12);
  });

  it('settle: the waiting batch whose oldest request arrived first becomes the head, whichever model and order', () => {
    const gpus = sharedGpus(1, 0, 0, 3);
    const ts = [new Tenant(), new Tenant(), new Tenant()];
    const ids = ts.map((t) => gpus.join(t));
    gpus.started(0, ids[0]!, 1, 0.0, 0); // head
    gpus.started(0, ids[1]!, 0, 0.3, 0.01); // waits
    gpus.started(0, ids[2]!, 1, 0.2, 0.02); // waits, older
    gpus.started(0, ids[1]!, 1, 0.25, 0.03); // waits (the same model's second slot)
    expect(ts.map((t) => t.calls)).toEqual([[[1, 0, 1]], [[0, 0, 0], [1, 0, 0]], [[1, 0, 0]]]);
    gpus.finished(0, ids[0]!, 1, 0.1);
    gpus.settle(0);
    expect(ts[2]!.calls.at(-1)).toEqual([1, 0, 1]); // key 0.2
    gpus.finished(0, ids[2]!, 1, 0.2);
    gpus.settle(0);
    expect(ts[1]!.calls.at(-1)).toEqual([1, 0, 1]); // key 0.25 before 0.3
    gpus.finished(0, ids[1]!, 1, 0.3);
    gpus.settle(0);
    expect(ts[1]!.calls.at(-1)).toEqual([0, 0, 1]);
    gpus.finished(0, ids[1]!, 0, 0.4);
    gpus.advance(0.4);
    // overlap 0: each attributed exactly its time at the head
    expect(ids.map((t) => gpus.attributedS(t, true))).toEqual([expect.closeTo(0.1, 12), expect.closeTo(0.2, 12), expect.closeTo(0.1, 12)]);
  });

  it('a batch that finishes while not the head leaves the head alone', () => {
    const gpus = sharedGpus(1, 0.5, 0, 2);
    const a = new Tenant();
    const b = new Tenant();
    gpus.join(a);
    gpus.join(b);
    gpus.started(0, 0, 0, 0, 0);
    gpus.started(0, 1, 0, 0, 0);
    gpus.finished(0, 1, 0, 0.05);
    gpus.settle(0);
    expect(a.calls).toEqual([[0, 0, 1]]);
    expect(b.calls).toEqual([[0, 0, 0.5]]);
  });

  it('overlap 1: every batch at speed 1, settle changes nothing', () => {
    const gpus = sharedGpus(1, 1, 0, 2);
    const a = new Tenant();
    const b = new Tenant();
    gpus.join(a);
    gpus.join(b);
    gpus.started(0, 0, 0, 0, 0);
    gpus.started(0, 1, 0, 0, 0);
    gpus.finished(0, 0, 0, 0.1);
    gpus.settle(0);
    expect(b.calls).toEqual([[0, 0, 1]]);
    gpus.finished(0, 1, 0, 0.1);
    gpus.advance(0.1);
    // σ(2) = 2: each half of the GPU's time
    expect(gpus.attributedS(0, true)).toBeCloseTo(0.05, 12);
    expect(gpus.attributedS(1, true)).toBeCloseTo(0.05, 12);
  });

  it('GPUs keep separate books; only time after countFromS is counted (attributedS(…, false), perGpu)', () => {
    const gpus = sharedGpus(2, 0, 1, 2);
    const a = new Tenant();
    const b = new Tenant();
    gpus.join(a);
    gpus.join(b);
    gpus.started(0, 0, 0, 0.5, 0.5); // GPU 0: A 0.5 – 2.5
    gpus.started(1, 1, 0, 0.8, 0.8); // GPU 1: B 0.8 – 1.2
    gpus.finished(1, 1, 0, 1.2);
    gpus.finished(0, 0, 0, 2.5);
    gpus.advance(3);
    expect(gpus.attributedS(0, true)).toBeCloseTo(2, 12);
    expect(gpus.attributedS(0, false)).toBeCloseTo(1.5, 12);
    expect(gpus.attributedS(1, true)).toBeCloseTo(0.4, 12);
    expect(gpus.attributedS(1, false)).toBeCloseTo(0.2, 12);
    const per = gpus.perGpu();
    expect(per.map((g) => g.busyS)).toEqual([expect.closeTo(1.5, 12), expect.closeTo(0.2, 12)]);
    expect(per.map((g) => g.byTenantS)).toEqual([
      [expect.closeTo(1.5, 12), 0],
      [0, expect.closeTo(0.2, 12)],
    ]);
  });

  it('a model joining later keeps the batches already on the GPUs', () => {
    const gpus = sharedGpus(2, 0, 0, 2);
    const a = new Tenant();
    gpus.join(a);
    gpus.started(1, 0, 0, 0, 0);
    const b = new Tenant();
    gpus.join(b);
    gpus.started(1, 1, 0, 0.1, 0.1);
    expect(b.calls).toEqual([[0, 0, 0]]);
    gpus.finished(1, 0, 0, 0.2);
    gpus.settle(1);
    expect(b.calls.at(-1)).toEqual([0, 0, 1]);
  });

  it('a batch that never started cannot finish', () => {
    const gpus = sharedGpus(1, 0, 0, 1);
    gpus.join(new Tenant());
    expect(() => gpus.finished(0, 0, 0, 1)).toThrow(/internal: batch 0\/0 finished on GPU 0 without having started there/);
  });
});
