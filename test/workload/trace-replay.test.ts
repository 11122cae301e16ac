/**
 * Traces as users hold them: a rate multiplier (shifted copies, thinning), looping, and a
 * warning when the trace ends before the run. Arrival lists computed by hand from the module's
 * rule (workload/trace-replay.ts): period P = span · N / (N − 1), copy j of c shifted by j·P/c
 * modulo P, the last copy thinned to k − ⌊k⌋, repetitions every P.
 */
import { describe, expect, it } from 'vitest';
import { fileLineSource, stringLineSource } from '../../src/cli/line-source.js';
import { RandomStream } from '../../src/engine/rng.js';
import { simulate } from '../../src/run.js';
import type { Scenario, TraceSpec } from '../../src/config/scenario.js';
import { replayPlan, replayProblem, TraceReplay, traceShortWarning } from '../../src/workload/trace-replay.js';
import { scanTrace } from '../../src/workload/trace.js';
import { TRACES } from '../helpers/cli.js';
import { makeScenario } from '../helpers/scenario.js';

const spec = (over: Partial<TraceSpec> = {}): TraceSpec => ({
  file: 'x.csv', timeColumn: 't', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'epoch-s', ...over,
});

// four arrivals at 0, 0.5, 2 and 3 s: N = 4, span S = 3, mean gap 1, period P = 3 · 4/3 = 4
const CSV = 't,user\n100,a\n100.5,b\n102,a\n103,c\n';
const open = (): ReturnType<typeof stringLineSource> => stringLineSource(CSV);
const scan = { count: 4, spanS: 3 };

function take(r: TraceReplay, n = Infinity): { times: number[]; keys: number[] } {
  const times: number[] = [];
  const keys: number[] = [];
  for (let t = r.nextTimeS(); t === t && times.length < n; t = r.nextTimeS()) {
    times.push(t);
    keys.push(r.lastKey());
  }
  return { times, keys };
}

describe('trace replay by hand', () => {
  it('plans the period as span + one mean gap and ends where the replay ends', () => {
    expect(replayPlan(spec(), scan)).toEqual({ copies: 1, keepLast: 1, periodS: 4, endS: 3, plain: true });
    expect(replayPlan(spec({ rateMultiplier: 2.5 }), scan)).toEqual({ copies: 3, keepLast: 0.5, periodS: 4, endS: 4, plain: false });
    expect(replayPlan(spec({ rateMultiplier: 0.25, loop: true }), scan)).toEqual({ copies: 1, keepLast: 0.25, periodS: 4, endS: Infinity, plain: false });
  });

  it('rateMultiplier 2: a second copy shifted by P/2 = 2 s, its tail (2, 3 s) wrapped to 0 and 1 s; keys travel with their arrivals', () => {
    const { times, keys } = take(new TraceReplay(open, spec({ rateMultiplier: 2, keyColumn: 'user' }), 'x.csv', scan, null));
    // copy 0: 0 a, 0.5 b, 2 a, 3 c; copy 1: 0 a (from 2), 1 c (from 3), 2 a (from 0), 2.5 b (from 0.5); ties: copy 0 first
    expect(times).toEqual([0, 0, 0.5, 1, 2, 2, 2.5, 3]);
    expect(keys).toEqual([0, 0, 1, 2, 0, 0, 1, 2]); // a = 0, b = 1, c = 2 in order of first appearance
  });

  it('loop: repetitions every P = 4 s, keys repeating', () => {
    const { times, keys } = take(new TraceReplay(open, spec({ loop: true, keyColumn: 'user' }), 'x.csv', scan, null), 10);
    expect(times).toEqual([0, 0.5, 2, 3, 4, 4.5, 6, 7, 8, 8.5]);
    expect(keys).toEqual([0, 1, 0, 2, 0, 1, 0, 2, 0, 1]);
  });

  it('rateMultiplier 2 with loop: the shifted copy repeats too', () => {
    const { times } = take(new TraceReplay(open, spec({ rateMultiplier: 2, loop: true }), 'x.csv', scan, null), 12);
    // copy 1: 0, 1 (tail), 2, 2.5, 4, 5 (repetition 0 at +2), 6, 6.5, … (repetition 1 at +6)
    expect(times).toEqual([0, 0, 0.5, 1, 2, 2, 2.5, 3, 4, 4, 4.5, 5]);
  });

  it('speedup first: the span, the period and the shifts are the compressed ones', () => {
    const s = spec({ rateMultiplier: 2, speedup: 2 });
    const sc2 = scanTrace(open(), s, 'x.csv');
    expect(sc2).toEqual({ count: 4, spanS: 1.5 });
    expect(take(new TraceReplay(open, s, 'x.csv', sc2, null)).times).toEqual([0, 0, 0.25, 0.5, 1, 1, 1.25, 1.5]);
  });

  it('thinning is seeded: the same stream keeps the same arrivals', () => {
    const a = take(new TraceReplay(open, spec({ rateMultiplier: 1.5, loop: true }), 'x.csv', scan, new RandomStream(7, 'trace-thinning')), 400).times;
    const b = take(new TraceReplay(open, spec({ rateMultiplier: 1.5, loop: true }), 'x.csv', scan, new RandomStream(7, 'trace-thinning')), 400).times;
    expect(a).toEqual(b);
    // 400 arrivals of copy 0 (4 per 4 s) and the thinned copy (2 per 4 s on average): about 267 s of replay
    expect(a[399]!).toBeGreaterThan(240);
    expect(a[399]!).toBeLessThan(300);
  });

  it('a replay that needs a span says so; a single arrival cannot loop', () => {
    const one = { count: 1, spanS: 0 };
    expect(replayProblem(spec({ loop: true }), one)).toBe(
      'loop needs a trace whose arrivals span some time (this one has 1 arrival over 0 s): shifted copies and repetitions are placed by its span',
    );
    expect(replayProblem(spec({ rateMultiplier: 2 }), { count: 3, spanS: 0 })).toMatch(/^rateMultiplier 2 needs a trace whose arrivals span some time/);
    expect(replayProblem(spec({ rateMultiplier: 0.5 }), one)).toBeNull();
  });
});

describe('the Azure code trace (8 819 arrivals over 3 435.948056 s)', () => {
  const file = `${TRACES}/azure-llm-code-2023-11-16.csv`;
  const azure = (over: Partial<TraceSpec>): TraceSpec => ({ ...spec(over), file, timeColumn: 'TIMESTAMP', timeFormat: 'auto' });
  const openFile = (): ReturnType<typeof fileLineSource> => fileLineSource(file, 1 << 16);
  const codeScan = { count: 8819, spanS: 3435.948056 };
  const P = (3435.948056 * 8819) / 8818;

  it('rateMultiplier 3: exactly 3 × 8 819 arrivals, in order, all inside the period', () => {
    const { times } = take(new TraceReplay(openFile, azure({ rateMultiplier: 3 }), file, codeScan, null));
    expect(times).toHaveLength(3 * 8819);
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true);
    expect(times[0]).toBe(0);
    expect(times.at(-1)!).toBeLessThan(P);
  });

  it('rateMultiplier 2.5 and 0.25: 2 × 8 819 + Binomial(8 819, ½) and Binomial(8 819, ¼) arrivals (within 4 σ)', () => {
    const n25 = take(new TraceReplay(openFile, azure({ rateMultiplier: 2.5 }), file, codeScan, new RandomStream(1, 'trace-thinning'))).times.length;
    expect(Math.abs(n25 - 2.5 * 8819)).toBeLessThan(4 * Math.sqrt(8819 * 0.25)); // σ = 47
    const n025 = take(new TraceReplay(openFile, azure({ rateMultiplier: 0.25 }), file, codeScan, new RandomStream(1, 'trace-thinning'))).times.length;
    expect(Math.abs(n025 - 0.25 * 8819)).toBeLessThan(4 * Math.sqrt(8819 * 0.25 * 0.75)); // σ = 41
  });

  it('warns when the replay ends before the run, naming where, how much and the fix', () => {
    expect(traceShortWarning(azure({}), codeScan, 3600)).toBe(
      `traffic.trace: ${file} ends at 3435.95 s, before the run's duration 3600 s: no arrivals for the last 164.052 s (4.6 % of the run); set traffic.trace.loop: true to repeat it, or a shorter duration`,
    );
    expect(traceShortWarning(azure({}), codeScan, 3000)).toBeNull();
    expect(traceShortWarning(azure({ loop: true }), codeScan, 86_400)).toBeNull();
    // speedup 2 halves the span: a 1 h run loses half its time
    expect(traceShortWarning(azure({ speedup: 2 }), { count: 8819, spanS: 1717.974028 }, 3600)).toMatch(/ends at 1717.97 s at speedup 2, before the run's duration 3600 s: no arrivals for the last 1882.03 s \(52.3 % of the run\)/);
  });
});

describe('simulate', () => {
  const base = (trace: Partial<TraceSpec>, durationS: number): Scenario =>
    makeScenario({
      durationS,
      model: { latency: { batch: [1], latencyS: [0.001], source: 'test' } },
      traffic: { trace: spec(trace) },
      report: { intervalS: 1 },
    });

  it('loop for 10 s: 10 arrivals (0, 0.5, 2, 3, 4, 4.5, 6, 7, 8, 8.5); with rateMultiplier 2, 20', () => {
    expect(simulate(base({ loop: true }, 10), { openTrace: open }).summary.requests.arrived).toBe(10);
    expect(simulate(base({ loop: true, rateMultiplier: 2 }, 10), { openTrace: open }).summary.requests.arrived).toBe(20);
  });

  it('a trace shorter than the run: its 4 arrivals, and the warning in the summary', () => {
    const s = simulate(base({}, 10), { openTrace: open }).summary;
    expect(s.requests.arrived).toBe(4);
    expect(s.warnings).toContain(traceShortWarning(spec(), scan, 10));
    expect(simulate(base({}, 10), { traceLines: open() }).summary.warnings).toEqual(s.warnings);
    // longer than the run: no warning
    expect(simulate(base({}, 2.5), { openTrace: open }).summary.warnings).toEqual([]);
  });

  it('same seed, same thinned arrivals', () => {
    const a = simulate(base({ loop: true, rateMultiplier: 0.5 }, 40), { openTrace: open }).timeline.column('arrivals');
    const b = simulate(base({ loop: true, rateMultiplier: 0.5 }, 40), { openTrace: open }).timeline.column('arrivals');
    expect(a).toEqual(b);
    const n = a.reduce((x, y) => x + y, 0);
    expect(n).toBeGreaterThan(5); // 40 expected at k = 1 → 20 ± 3.2
    expect(n).toBeLessThan(35);
  });
});
