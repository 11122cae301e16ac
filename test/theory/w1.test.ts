/**
 * Reference model W1 (bench/w1): the scenario must give the same mean, p99 and GPU
 * utilization as the hand-written C simulation, each within 2 %. The C program is compiled
 * and run when a C compiler is there; its published 1 200 s result is the fallback.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { W1_C as W1C, W1_YAML as W1 } from '../helpers/cli.js';

/** The C model's figures for `seconds` of simulated time. */
function reference(seconds: number): { mean: number; p99: number; util: number } {
  try {
    const bin = join(mkdtempSync(join(tmpdir(), 'w1-')), 'w1');
    execFileSync('gcc', ['-O2', '-o', bin, W1C, '-lm'], { stdio: 'ignore' });
    const out = execFileSync(bin, ['10000', String(seconds), '20'], { encoding: 'utf8' });
    const f = (k: string): number => Number(new RegExp(`${k} ([\\d.]+)`).exec(out)![1]);
    return { mean: f('mean_ms'), p99: f('p99_ms'), util: f('util') };
  } catch {
    return { mean: 7.1268, p99: 10.0531, util: 0.896 }; // w1.c, 1 200 s, as published with the bench
  }
}

describe('reference model W1', () => {
  it('mean, p99 and GPU utilization within 2 % of the hand-written C model', () => {
    const seconds = 200;
    const sc = loadScenario(readFileSync(W1, 'utf8'), { file: 'w1.yaml', baseDir: dirname(W1), sets: [`duration=${seconds}s`] });
    const s = simulate(sc).summary;
    const ref = reference(seconds);
    expect(Math.abs(s.latencyMs.mean / ref.mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.latencyMs.p99 / ref.p99 - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.gpu.utilization / ref.util - 1)).toBeLessThan(0.02);
    expect(s.requests.completed).toBeGreaterThan(1_990_000);
  });
});
