/**
 * Validation against two measured vLLM 0.19 runs (test/fixtures/llm, LLMServingSim, MIT):
 * step times come only from each GPU's operator-level profile bundle; the run's arrivals, token
 * counts and engine settings are replayed. The bounds are what this code achieves (README
 * "LLM serving: validation"), not the targets: RTX 4090 within 5 % on every statistic; the
 * RTX PRO 6000 run is under-predicted (see the README for why).
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

  it('RTX PRO 6000 (queueing behind max_num_seqs 128): TPOT within 8 %, E2E within 12 %, TTFT within 21 %, all under-predicted', () => {
    const run = loadRun('RTXPRO6000');
    const res = replay(run.requests, run.cfg, run.profile);
    const errs = compareWithMeasured(run.requests, res);
    console.log(table('RTXPRO6000', errs), `\npreemptions ${res.preemptions}, peak KV ${res.peakKvUtilization.toFixed(3)}`);
    expect(res.finished).toBe(300);
    expect(res.preemptions).toBe(0);
    expect(bound(errs, 'tpot')).toBeLessThan(0.08);
    expect(bound(errs, 'e2e')).toBeLessThan(0.12);
    expect(bound(errs, 'ttft')).toBeLessThan(0.21);
    for (const e of errs) for (const r of e.relError) expect(r).toBeLessThan(0);
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
