/** `infersim capacity`: the most traffic a fleet carries within its SLO, as a user runs it. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// 3 replicas serving one request in 10 ms each (300 requests/s in all) under 250 requests/s:
// the SLO holds up to a little under 300 requests/s (×1.2), never past it.
const SCENARIO = `
name: capacity check
seed: 5
duration: 60s
warmup: 10s
slo: { p99: 100ms }
traffic: { rate: 250 }
model: { latency: { 1: 10ms } }
fleet:
  replicas: 3
  batching: { maxBatch: 1 }
  routing: shared-queue
cost: { gpuHourly: 1 }
`;

describe('infersim capacity', () => {
  it('answers the largest traffic.scale meeting the SLO per seed, the one holding at every seed, and the rate it means', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-capacity-'));
    const file = join(dir, 'cap.yaml');
    writeFileSync(file, SCENARIO);
    const r = cli(['capacity', file, '--seeds', '2', '--format', 'json', '-q', '--out', join(dir, 'out')]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      scale: number;
      perSeed: number[];
      seeds: number[];
      mean: number;
      lo: number;
      hi: number;
      peakRps: number;
      capacityPeakRps: number;
      summary: { slo: { met: boolean }; seed: number };
      probes: { seed: number; scale: number; met: boolean }[];
    };
    expect(doc).toEqual(JSON.parse(readFileSync(join(dir, 'out', 'capacity.json'), 'utf8')));
    expect(doc.seeds).toEqual([5, 6]);
    expect(doc.perSeed).toHaveLength(2);
    expect(doc.scale).toBe(Math.min(...doc.perSeed));
    expect(doc.scale).toBeGreaterThan(1);
    expect(doc.scale).toBeLessThan(1.2); // past 300 requests/s the queue grows without bound
    expect(doc.lo).toBeLessThanOrEqual(doc.mean);
    expect(doc.peakRps).toBe(250);
    expect(doc.capacityPeakRps).toBeCloseTo(250 * doc.scale, 6);
    expect(doc.summary.slo.met).toBe(true);
    // every seed bracketed to 1 %: its capacity met, something within 1 % above it missed
    for (const [k, seed] of doc.seeds.entries()) {
      const mine = doc.probes.filter((p) => p.seed === seed);
      const missedAbove = mine.filter((p) => !p.met && p.scale > doc.perSeed[k]!).map((p) => p.scale);
      expect((Math.min(...missedAbove) - doc.perSeed[k]!) / doc.perSeed[k]!).toBeLessThanOrEqual(0.01);
    }
    const table = cli(['capacity', file, '--seeds', '1', '-q', '--out', join(dir, 'out2')]);
    expect(table.stdout).toMatch(/capacity {3}×1\.\d+ holds at every one of 1 seed\(s\)/);
    expect(table.stdout).toContain("req/s (the file's peak 250 req/s ×");
  });

  it('needs an SLO', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-capacity-'));
    const file = join(dir, 'noslo.yaml');
    writeFileSync(file, SCENARIO.replace('slo: { p99: 100ms }\n', ''));
    const r = cli(['capacity', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${file}: slo: capacity needs an SLO to hold (e.g. slo: { p99: 100ms }, or --set slo.p99=100ms)\n`);
  });
});

describe('infersim capacity on hostile arguments (as run, sweep and plan)', () => {
  it('caps --seeds and --workers, refuses seeds past 2^53 − 1 and an --out that is a file, before running anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-capacity-bad-'));
    const file = join(dir, 'cap.yaml');
    writeFileSync(file, SCENARIO);
    writeFileSync(join(dir, 'taken'), 'a file');
    const cases: [string[], RegExp][] = [
      [['--seeds', '1e9'], /--seeds/],
      [['--workers', '100000'], /--workers/],
      [['--set', `seed=${Number.MAX_SAFE_INTEGER - 1}`, '--seeds', '3'], /2\^53 − 1|9007199254740991/],
      [['--out', join(dir, 'taken')], /exists and is not a folder/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['capacity', file, '-q', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }
  });
});
