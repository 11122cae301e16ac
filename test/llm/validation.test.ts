/**
 * Validation against two measured vLLM 0.19 runs (test/fixtures/llm, LLMServingSim, MIT):
 * step times come only from each GPU's operator-level profile bundle; the run's arrivals, token
 * counts and engine settings are replayed. The bounds are what this code achieves (README
 * "LLM serving: validation"), inside the targets (TPOT and E2E within 5 %, TTFT within 15 %).
 * The RTX PRO 6000 run needs the bundle's mixed prefill+decode attention rows (its steps mix a
 * prefill chunk with ~100 decodes) and its skew correction (meta.yaml enables it); without the
 * skew correction it is under-predicted, as a test below pins.
 */
import { describe, expect, it } from 'vitest';
import { loadRun } from './fixtures.js';
import { replay } from '../../src/llm/replay.js';
import { calibrate, compareWithMeasured, type MetricError } from '../../src/llm/calibrate.js';

function table(name: string, errs: MetricError[]): string {
  const f = (v: number): string => v.toFixed(4);
  return [name, ...errs.map((e) => `${e.metric}: measured ${e.measured.map(f).join(' ')} | simulated ${e.simulated.map(f).join(' ')} | err % ${e.relError.map((v) => (v * 100).toFixed(1)).join(' ')}`)].join('\n');
}

const bound = (errs: MetricError[], metric: string): number => Math.max(...errs.find((e) => e.metric === metric)!.relError.map(Math.abs));

describe('profile-derived replay of the measured vLLM runs (mean, p50, p90, p99)', () => {
  it('RTX 4090 (KV saturated, prefix caching, 2588 logged blocks): TTFT, TPOT and E2E within 5 %', () => {
    const run = loadRun('RTX4090');
    const res = replay(run.requests, run.cfg, run.profile);
    const errs = compareWithMeasured(run.requests, res);
    console.log(table('RTX4090', errs), `\npreemptions ${res.preemptions}, prefix hit rate ${res.prefixHitRate.toFixed(3)}, peak KV ${res.peakKvUtilization.toFixed(3)}`);
    expect(res.finished).toBe(300);
    expect(res.preemptions).toBeGreaterThan(0);
    expect(bound(errs, 'ttft')).toBeLessThan(0.05);
    expect(bound(errs, 'tpot')).toBeLessThan(0.05);
    expect(bound(errs, 'e2e')).toBeLessThan(0.05);
  });

  it('RTX PRO 6000 (queueing behind max_num_seqs 128, skew correction from its meta.yaml): TPOT within 3.5 %, E2E within 2 %, TTFT within 7 %', () => {
    const run = loadRun('RTXPRO6000');
    const res = replay(run.requests, run.cfg, run.profile);
    const errs = compareWithMeasured(run.requests, res);
    console.log(table('RTXPRO6000', errs), `\npreemptions ${res.preemptions}, peak KV ${res.peakKvUtilization.toFixed(3)}`);
    expect(res.finished).toBe(300);
    expect(res.preemptions).toBe(0);
    expect(bound(errs, 'tpot')).toBeLessThan(0.035);
    expect(bound(errs, 'e2e')).toBeLessThan(0.02);
    expect(bound(errs, 'ttft')).toBeLessThan(0.07);
  });

  it('what the skew correction contributes: without it the RTX PRO 6000 run is under-predicted; the RTX 4090 bundle does not enable it, and its table (added upstream later) would move that run 2–3 points slower', () => {
    const pro = loadRun('RTXPRO6000', { skew: 'none' });
    const proErrs = compareWithMeasured(pro.requests, replay(pro.requests, pro.cfg, pro.profile));
    console.log(table('RTXPRO6000 without skew correction', proErrs));
    for (const e of proErrs) expect(e.relError[0]).toBeLessThan(0); // every mean under-predicted
    expect(bound(proErrs, 'ttft')).toBeGreaterThan(0.1);
    const ada = loadRun('RTX4090', { skew: 'table' });
    const adaErrs = compareWithMeasured(ada.requests, replay(ada.requests, ada.cfg, ada.profile));
    console.log(table('RTX4090 with its skew_fit.csv (meta.yaml: skew_fit disabled)', adaErrs));
    for (const e of adaErrs) expect(e.relError[0]).toBeGreaterThan(0);
    expect(bound(adaErrs, 'e2e')).toBeLessThan(0.07);
  });
});

describe('calibrate: in-sample fit of the linear β model on each run', () => {
  for (const name of ['RTX4090', 'RTXPRO6000'] as const) {
    it(`${name}`, () => {
      const run = loadRun(name);
      const fit = calibrate(run.requests, run.cfg, undefined, 250);
      console.log(table(`${name} calibrated ${JSON.stringify(fit.coefficients)} loss ${fit.loss.toFixed(4)} evals ${fit.evaluations}`, fit.errors));
      expect(bound(fit.errors, "ttft")).toBeLessThan(0.05);
      expect(bound(fit.errors, "tpot")).toBeLessThan(0.05);
      expect(bound(fit.errors, "e2e")).toBeLessThan(0.05);
    });
  }
});
