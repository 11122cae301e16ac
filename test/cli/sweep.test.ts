/** `infersim sweep`, `plan` and `merge` as a user runs them: outputs, equivalences, exit codes. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, W1_YAML } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-sweep-'));
/** W1 (10 000 rps, 20 replicas, dynamic batching) cut to `duration`. */
const w1 = (dir: string, duration = '1s'): string => {
  const f = join(dir, 'w1.yaml');
  writeFileSync(f, readFileSync(W1_YAML, 'utf8').replace(/^duration: .*$/m, `duration: ${duration}`));
  return f;
};
const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
/** The document with every engine block (wall time, the only nondeterministic part) blanked. */
const noEngine = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'engine' ? null : v)));

interface Point {
  index: number;
  values: Record<string, unknown>;
  sloMet: boolean;
  monthlyUsd: number;
  runs: { seed: number; engine: unknown }[];
}

describe('infersim sweep', () => {
  it('writes sweep.csv (one row per point, a column per varied path) and sweep.json with per-seed summaries; a point equals `run` with its values and seed', () => {
    const dir = tmp();
    const f = w1(dir);
    const out = join(dir, 'out');
    const r = cli(['sweep', f, '--vary', 'fleet.replicas=18,20', '--vary', 'fleet.batching.maxBatch=16,32', '--seeds', '2', '--format', 'json', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`sweep: 4 point(s) × 2 seed(s) = 8 run(s) on ${Math.min(8, availableParallelism())} worker thread(s)\nw1: results in ${out}\n`);
    const doc = JSON.parse(r.stdout) as { points: Point[]; pointCount: number; seeds: number; partial: boolean; shard: unknown };
    expect(doc).toEqual(json(join(out, 'sweep.json')));
    expect(doc).toMatchObject({ pointCount: 4, seeds: 2, partial: false, shard: null });
    expect(doc.points.map((p) => p.values)).toEqual([
      { 'fleet.replicas': 18, 'fleet.batching.maxBatch': 16 },
      { 'fleet.replicas': 18, 'fleet.batching.maxBatch': 32 },
      { 'fleet.replicas': 20, 'fleet.batching.maxBatch': 16 },
      { 'fleet.replicas': 20, 'fleet.batching.maxBatch': 32 },
    ]);
    for (const p of doc.points) expect(p.runs.map((s) => s.seed)).toEqual([1, 2]);

    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'fleet.replicas,fleet.batching.maxBatch,p99Ms,p99MsLo,p99MsHi,attainment,attainmentLo,attainmentHi,sloMet,utilization,utilizationLo,utilizationHi,' +
        'costUsd,costUsdLo,costUsdHi,monthlyUsd,monthlyUsdLo,monthlyUsdHi,seeds,seedsMet,sloFailedBy',
    );
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['18,16', '18,32', '20,16', '20,32']);
    expect(csv.slice(1).map((l) => l.split(',')[8])).toEqual(doc.points.map((p) => String(p.sloMet)));

    const single = cli(['run', f, '--set', 'fleet.replicas=20', '--set', 'fleet.batching.maxBatch=16', '--seed', '2', '--format', 'json', '--out', join(dir, 'run')]);
    expect(single.status).toBe(0);
    expect(noEngine(doc.points[2]!.runs[1])).toEqual(noEngine(JSON.parse(single.stdout)));
    expect(noEngine(doc.points[2]!.runs[0])).not.toEqual(noEngine(JSON.parse(single.stdout)));
  });

  it('2 workers give the same results as 1; shards 0/2 and 1/2 merge into the same sweep.csv, byte for byte', () => {
    const dir = tmp();
    const f = w1(dir);
    const args = ['sweep', f, '--vary', 'fleet.replicas=16..20:2', '--vary', 'fleet.routing=random,round-robin', '-q'];
    expect(cli([...args, '--workers', '1', '--out', join(dir, 'w1')]).status).toBe(0);
    expect(cli([...args, '--workers', '2', '--out', join(dir, 'w2')]).status).toBe(0);
    const serial = readFileSync(join(dir, 'w1', 'sweep.csv'), 'utf8');
    expect(serial.trim().split('\n')).toHaveLength(7);
    expect(readFileSync(join(dir, 'w2', 'sweep.csv'), 'utf8')).toBe(serial);
    expect(noEngine(json(join(dir, 'w2', 'sweep.json')))).toEqual(noEngine(json(join(dir, 'w1', 'sweep.json'))));

    const s0 = cli([...args, '--shard', '0/2', '--out', join(dir, 's0'), '--format', 'json']);
    const s1 = cli([...args, '--shard', '1/2', '--out', join(dir, 's1')]);
    expect([s0.status, s1.status]).toEqual([0, 0]);
    expect(JSON.parse(s0.stdout)).toMatchObject({ shard: { index: 0, count: 2 }, pointCount: 6, pointIndices: [0, 2, 4] });
    expect(s1.stdout).toContain('shard 1/2: combine the shards');
    expect(existsSync(join(dir, 's0', 'sweep.csv'))).toBe(false); // a shard's rows are not the sweep
    const m = cli(['merge', join(dir, 's1'), join(dir, 's0'), '--out', join(dir, 'merged')]);
    expect(m.status).toBe(0);
    expect(readFileSync(join(dir, 'merged', 'sweep.csv'), 'utf8')).toBe(serial);
    expect(noEngine(json(join(dir, 'merged', 'sweep.json')))).toEqual(noEngine(json(join(dir, 'w1', 'sweep.json'))));
    // merge writes the sweep's report too, with the same charts as the unsharded sweep's
    const chartIds = (html: string): string[] => [...html.matchAll(/<figure class="chart" id="chart-([^"]+)"/g)].map((x) => x[1]!);
    const mergedReport = readFileSync(join(dir, 'merged', 'report.html'), 'utf8');
    expect(chartIds(mergedReport)).toEqual(['sweep-p99', 'sweep-cost']);
    expect(chartIds(mergedReport)).toEqual(chartIds(readFileSync(join(dir, 'w1', 'report.html'), 'utf8')));

    const missing = cli(['merge', join(dir, 's0'), '--out', join(dir, 'm2')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      'error: merge: 3 of 6 point(s) missing: 1 (fleet.replicas=16 fleet.routing=round-robin), 3 (fleet.replicas=18 fleet.routing=round-robin), ' +
        '5 (fleet.replicas=20 fleet.routing=round-robin) (a shard not given, or an interrupted one)\n',
    );
    expect(existsSync(join(dir, 'm2'))).toBe(false);
    const other = cli(['sweep', f, '--vary', 'fleet.replicas=16..20:2', '--vary', 'fleet.routing=random,round-robin', '--seeds', '2', '--shard', '1/2', '-q', '--out', join(dir, 'x')]);
    expect(other.status).toBe(0);
    const mixed = cli(['merge', join(dir, 's0'), join(dir, 'x')]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toBe(`error: ${join(dir, 'x', 'sweep.json')}: a different sweep than ${join(dir, 's0', 'sweep.json')} (scenario, --vary axes, --set or --seeds differ)\n`);
    expect(cli(['merge', join(dir, 'nowhere')]).stderr).toBe(`error: ${join(dir, 'nowhere')}: cannot read the sweep (no such file)\n`);
  });

  it('the table stars the cheapest point meeting the SLO and names it', () => {
    const dir = tmp();
    const f = w1(dir);
    const r = cli(['sweep', f, '--vary', 'fleet.replicas=16..24:2', '--set', 'cost.gpuHourly=2', '--set', 'slo.p99=10.3ms', '--out', join(dir, 'out')]);
    expect(r.status).toBe(0);
    const doc = json(join(dir, 'out', 'sweep.json')) as unknown as { cheapest: number; points: Point[] };
    const meeting = doc.points.filter((p) => p.sloMet);
    expect(meeting.length).toBeGreaterThan(0);
    expect(meeting.length).toBeLessThan(doc.points.length);
    // cost grows with replicas, so the cheapest point meeting the SLO is the smallest one meeting it
    const best = meeting[0]!;
    expect(doc.cheapest).toBe(best.index);
    const starred = r.stdout.split('\n').filter((l) => l.includes('★'));
    expect(starred).toHaveLength(2);
    expect(starred[0]).toMatch(new RegExp(`^ {2}★ +${String(best.values['fleet.replicas'])} `));
    expect(starred[1]).toMatch(new RegExp(`^★ cheapest point meeting the SLO: fleet\\.replicas=${String(best.values['fleet.replicas'])} — p99 [\\d.]+ ms, \\$[\\d,.]+/month$`));
    expect(r.stdout).toContain(`results: ${join(dir, 'out')}\n`);
  });

  it('bad grids exit 2 before running anything, naming the flag or the point', () => {
    const dir = tmp();
    const f = w1(dir);
    const out = join(dir, 'out');
    const bad = cli(['sweep', f, '--vary', 'fleet.gpu=l4,nope', '--vary', 'fleet.replicas=1,2', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`error: ${f} (fleet.gpu=nope): fleet.gpu: unknown GPU "nope" (known: t4, a10g, l4, l40s, a100-40gb, a100-80gb, h100-80gb, h200)\n`);
    expect(existsSync(out)).toBe(false);
    const common = cli(['sweep', f, '--vary', 'fleet.replicas=1,2', '--set', 'fleet.batching.maxBatch=-4', '--out', out]);
    expect(common.stderr).toBe(`error: ${f}: fleet.batching.maxBatch: must be a positive integer (got -4)\n`);
    const range = cli(['sweep', f, '--vary', 'fleet.replicas=1..x', '--out', out]);
    expect([range.status, range.stderr]).toEqual([2, 'error: --vary fleet.replicas=1..x: malformed range "1..x" (expected a..b or a..b:step with numbers, e.g. 1..10:2)\n']);
    expect(cli(['sweep', f]).stderr).toBe('error: sweep: give at least one --vary path=values, e.g. --vary fleet.replicas=4..16:4\n');
    expect(cli(['sweep', f, '--vary', 'fleet.replicas=1', '--shard', '2/2']).stderr).toBe('error: --shard 2/2: need 0 ≤ i < n (i is 0-based), e.g. 0/2\n');
    expect(cli(['sweep', f, '--vary', 'fleet.replicas=1', '--seeds', '0']).status).toBe(2);
    expect(cli(['sweep', f, '--vary', 'fleet.replicas=1', '--workers', '0']).status).toBe(2);
    expect(cli(['sweep', join(dir, 'nope.yaml'), '--vary', 'fleet.replicas=1']).stderr).toBe(`error: ${join(dir, 'nope.yaml')}: cannot read the scenario file (no such file)\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('Ctrl-C keeps the finished points, writes a partial sweep and exits 130', async () => {
    const dir = tmp();
    // points long enough (≈ 0.3 s each, 80 of them) that the sweep cannot finish before Ctrl-C
    const f = w1(dir, '20s');
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'sweep', f, '--vary', 'fleet.replicas=10..89', '--workers', '2', '--out', out], { stdio: 'pipe' });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // the start line comes once Ctrl-C is handled; then let a few points finish
    await new Promise<void>((r) => child.stderr.on('data', (d: Buffer) => d.toString().startsWith('sweep: 80 point(s)') && r()));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    const doc = json(join(out, 'sweep.json')) as unknown as { partial: boolean; pointCount: number; points: Point[] };
    expect(doc.partial).toBe(true);
    expect(doc.points.length).toBeLessThan(doc.pointCount);
    expect(stdout).toContain('(INTERRUPTED: partial)');
    expect(readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n')).toHaveLength(doc.points.length + 1);
  });
});

describe('infersim plan', () => {
  it('prints {path, value, summary, runs, analytic}; the value meets the SLO and the one below does not (checked by sweep)', () => {
    const dir = tmp();
    const f = w1(dir);
    const r = cli(['plan', f, '--set', 'slo.p99=10.2ms', '--range', '1..40', '--seeds', '2', '--format', 'json', '--out', join(dir, 'plan')]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { path: string; value: number; summary: { seed: number; slo: { met: boolean } }; runs: number; analytic: { replicas: number } };
    expect(Object.keys(doc)).toEqual(['path', 'value', 'summary', 'runs', 'analytic']);
    expect(doc.path).toBe('fleet.replicas');
    expect(doc.analytic).toMatchObject({ method: 'textbook', peakRps: 10_000, batch: 32, replicas: 6 });
    expect(doc.summary.seed).toBe(1);
    expect(doc.summary.slo.met).toBe(true);
    expect(doc.runs).toBeLessThanOrEqual((40 * 2) / 3);
    expect(doc.runs % 2).toBe(0);
    const check = cli(['sweep', f, '--set', 'slo.p99=10.2ms', '--vary', `fleet.replicas=${doc.value - 1},${doc.value}`, '--seeds', '2', '--format', 'json', '-q', '--out', join(dir, 'sweep')]);
    expect((JSON.parse(check.stdout) as { points: Point[] }).points.map((p) => p.sloMet)).toEqual([false, true]);
    const plan = json(join(dir, 'plan', 'plan.json'));
    expect(plan).toMatchObject({ path: 'fleet.replicas', value: doc.value, runs: doc.runs, seeds: 2, margin: 0 });
  });

  it('value null (exit 0) when nothing in the range meets the SLO; the table says so', () => {
    const dir = tmp();
    const f = w1(dir);
    const r = cli(['plan', f, '--set', 'slo.p99=10.2ms', '--range', '1..3', '--seeds', '1', '--format', 'json', '-q', '--out', join(dir, 'o')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ path: 'fleet.replicas', value: null, summary: null });
    const t = cli(['plan', f, '--set', 'slo.p99=10.2ms', '--range', '1..3', '--seeds', '1', '-q', '--out', join(dir, 'o')]);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/answer +none in 1\.\.3 — even fleet\.replicas = 3 gives p99 [\d.,]+ ms/);
    expect(t.stdout).toMatch(/analytic +6 replica\(s\): textbook rule/);
  });

  it('--find over an ordered list of values, with the answer and its monthly cost in the table', () => {
    const dir = tmp();
    const f = w1(dir);
    const r = cli(['plan', f, '--set', 'slo.p99=15ms', '--set', 'cost.gpuHourly=1', '--find', 'fleet.batching.maxBatch', '--values', '1,2,4,8,16,32', '--seeds', '1', '-q', '--out', join(dir, 'o')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/answer +fleet\.batching\.maxBatch = (1|2|4|8|16|32)\n/);
    expect(r.stdout).toMatch(/cost +\$14,600(\.00)?\/month/); // 20 GPUs × $1 × 730 h
    expect(r.stdout).toContain('of 1 seed(s)');
  });

  it('usage errors exit 2', () => {
    const dir = tmp();
    const f = w1(dir);
    expect(cli(['plan', f]).stderr).toBe(`error: ${f}: slo: plan needs an SLO to meet (e.g. slo: { p99: 100ms }, or --set slo.p99=100ms)\n`);
    expect(cli(['plan', f, '--set', 'slo.p99=10ms', '--range', '5..1']).stderr).toBe('error: --range 5..1: the range is empty (5 > 1)\n');
    expect(cli(['plan', f, '--set', 'slo.p99=10ms', '--range', '1..5', '--values', '1,2']).stderr).toBe('error: plan: give --range or --values, not both\n');
    expect(cli(['plan', f, '--set', 'slo.p99=10ms', '--find', 'fleet.nope']).stderr).toMatch(new RegExp(`^error: ${f}: fleet\\.nope: unknown field`));
    expect(cli(['plan', f, '--set', 'slo.p99=10ms', '--margin', '1']).status).toBe(2);
    expect(cli(['plan', f, '--set', 'slo.p99=10ms', '--seeds', 'x']).status).toBe(2);
  });
});
