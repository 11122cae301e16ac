/** The SLO verdict through the command line: a fleet that meets its latency by rejecting half its requests. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// 200 req/s on one replica serving 100 req/s, one request may wait: every completion takes at most 20 ms and about
// half the requests are rejected. No maxErrorRate. (Simulated, seed 1: 53 % rejected with 1 replica, 18 % with 2,
// 2.7 % with 3, 0.18 % with 4.)
const SCENARIO = [
  'name: rejecting fleet',
  'duration: 30s',
  'traffic: { rate: 200 }',
  'model: { latency: { 1: 10ms } }',
  'fleet: { replicas: 1, queue: { maxDepth: 1 } }',
  'slo: { p99: 50ms }',
  'cost: { gpuHourly: 1 }',
  '',
].join('\n');

function setup(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'infersim-slo-'));
  const file = join(dir, 'reject.yaml');
  writeFileSync(file, SCENARIO);
  return { dir, file };
}

describe('failed requests are SLO misses on the command line', () => {
  it('run: SLO MISSED (errors), --assert-slo exits 3, summary.json says why', () => {
    const { dir, file } = setup();
    const r = cli(['run', file, '--assert-slo', '--no-report', '--wide', '--out', join(dir, 'out')]);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/\nSLO MISSED \(errors\): p99 beyond target \(5\d\.\d{3} % failed, more than the 1\.0 % a p99 allows; completions alone 19\.\d+ ms\) vs ≤ 50 ms; attainment 4\d\.\d\d %\n/);
    const s = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(s.slo).toMatchObject({ met: false, failedBy: 'errors', target: { p99Ms: 50 }, withFailuresMs: { p99: null } });
    expect(s.latencyMs.p99).toBeLessThan(20);
    expect(cli(['run', file, '--assert-slo', '--no-report', '--set', 'fleet.replicas=4', '--out', join(dir, 'four')]).status).toBe(0);
  });

  it('plan answers 4 replicas (the completions alone would have said 1)', () => {
    const { dir, file } = setup();
    const r = cli(['plan', file, '--seeds', '1', '--format', 'json', '-q', '--out', join(dir, 'plan')]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.value).toBe(4);
    expect(doc.summary.slo.met).toBe(true);
  });

  it("sweep stars 4 replicas; the SLO column and sweep.csv say which part failed", () => {
    const { dir, file } = setup();
    const r = cli(['sweep', file, '--vary', 'fleet.replicas=1..5', '--seeds', '1', '-q', '--no-report', '--out', join(dir, 'sweep')]);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n');
    expect(rows.find((l) => /^ {2}★ +4 /.test(l))).toMatch(/ met$/);
    for (const n of [1, 2, 3]) expect(rows.find((l) => new RegExp(`^ +${n} `).test(l))).toMatch(/ missed \(errors\)$/);
    const csv = readFileSync(join(dir, 'sweep', 'sweep.csv'), 'utf8').trim().split('\n');
    const col = csv[0]!.split(',').indexOf('sloFailedBy');
    expect(csv.slice(1).map((l) => l.split(',')[col])).toEqual(['errors', 'errors', 'errors', '', '']);
  });

  it('compare shows the failed part beside the verdict', () => {
    const { dir, file } = setup();
    const other = join(dir, 'four.yaml');
    writeFileSync(other, SCENARIO.replace('replicas: 1', 'replicas: 4'));
    const r = cli(['compare', file, other, '-q', '--no-report', '--out', join(dir, 'cmp')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n +reject +[^\n]*MISSED +errors /);
    expect(r.stdout).toMatch(/\n +four +[^\n]*met +– /);
    const csv = readFileSync(join(dir, 'cmp', 'compare.csv'), 'utf8').trim().split('\n');
    const col = csv[0]!.split(',').indexOf('sloFailedBy');
    expect(csv.slice(1).map((l) => l.split(',')[col])).toEqual(['errors', '']);
  });
});
