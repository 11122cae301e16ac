/** Terminal output: tables fit 100 columns by default (wider with --wide), colour only where asked, overrides in the title. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorWanted, fitTable, wrapLine } from '../../src/report/table.js';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../helpers/cli.js';

/** `infersim args…` with stdout piped and the colour variables only as given. */
function cli(args: string[], cwd = ROOT, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const base: Record<string, string | undefined> = { ...process.env, INFERSIM_DEBUG: '' };
  delete base.FORCE_COLOR;
  delete base.NO_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The widest line, in characters (not bytes: ≈ and ★ are one column). */
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

describe('terminal width', () => {
  it('catalog, run (with a cache), compare (regions, outage lines) and sweep fit 100 columns; --wide lifts the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-width-'));
    const catalog = cli(['catalog']);
    expect(catalog.status).toBe(0);
    expect(widest(catalog.stdout)).toBeLessThanOrEqual(100);
    expect(catalog.stdout).toContain('Sources:');
    expect(widest(cli(['catalog', '--wide']).stdout)).toBeGreaterThan(200);

    const bert = join(ROOT, 'scenarios', 'bert-10k-qps.yaml');
    const run = cli(['run', bert, '--set', 'duration=40s', '--set', 'warmup=10s', '--set', 'fleet.replicas=3', '--no-report', '-q', '--out', join(dir, 'run')]);
    expect(run.status).toBe(0);
    expect(widest(run.stdout)).toBeLessThanOrEqual(100);
    // the cache section, and the overrides in the title
    expect(run.stdout).toMatch(/\n {2}cache {2}hit rate {2}stale hits {2}delayed hits {2}misses\/s/);
    expect(run.stdout.split('\n')[0]).toBe('BERT-base sentiment, 10k QPS peak (duration=40s, warmup=10s, fleet.replicas=3)');
    // piped, not a terminal: no colour codes
    expect(run.stdout).not.toContain('\u001b[');

    const outage = join(ROOT, 'scenarios', 'region-outage.yaml');
    const compare = cli(['compare', outage, '--set', 'duration=6m', '--set', 'events.0.at=2m', '--set', 'warmup=30s', '--no-report', '-q', '--out', join(dir, 'cmp')]);
    expect(compare.status).toBe(0);
    expect(widest(compare.stdout)).toBeLessThanOrEqual(100);
    expect(compare.stdout).toContain('cold-standby');
    const wide = cli(['compare', outage, '--set', 'duration=6m', '--set', 'events.0.at=2m', '--set', 'warmup=30s', '--no-report', '-q', '--wide', '--out', join(dir, 'cmp2')]);
    expect(widest(wide.stdout)).toBeGreaterThan(100);

    const f = join(dir, 's.yaml');
    writeFileSync(f, 'name: width\nduration: 5s\nslo: { p99: 50ms }\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 10ms, 8: 20ms } }\nfleet: { replicas: 1 }\ncost: { gpuHourly: 1 }\n');
    const sweep = cli(['sweep', f, '--vary', 'fleet.replicas=1,2', '--vary', 'fleet.routing=random,least-outstanding', '--vary', 'fleet.batching.maxBatch=1,8', '--seeds', '2', '-q', '--no-report', '--out', join(dir, 'sw')]);
    expect(sweep.status).toBe(0);
    expect(widest(sweep.stdout)).toBeLessThanOrEqual(100);
    expect(sweep.stdout).toContain('monthly');
    // colour forced: the verdict and the star coloured, widths unchanged
    const forced = cli(['sweep', f, '--vary', 'fleet.replicas=1,2', '-q', '--no-report', '--out', join(dir, 'sw2')], ROOT, { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[33m★\u001b[0m');
    expect(forced.stdout).toContain('\u001b[32mmet\u001b[0m');
  });

  it('fitTable stacks column blocks under the row labels; wrapLine hangs continuations', () => {
    const rows = [
      ['name', 'aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc'],
      ['x', '1', '2', '3'],
    ];
    expect(fitTable(rows, 30)).toBe('name  aaaaaaaaaa  bbbbbbbbbb\nx              1           2\n\nname  cccccccccc\nx              3');
    expect(wrapLine('one two three four', 9, 2)).toEqual(['one two', '  three', '  four']);
  });

  it('colour: FORCE_COLOR forces, NO_COLOR disables, else only on a terminal', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted({ TERM: 'dumb' }, true)).toBe(false);
  });
});

describe('nothing completed', () => {
  it('the latency row says so instead of printing 0 ms (#14)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-none-'));
    writeFileSync(
      join(dir, 'none.yaml'),
      'name: nothing completes\nduration: 10s\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 20s } }\n' +
        'fleet: { replicas: 1, batching: { maxBatch: 1 }, queue: { maxDepth: 5, timeout: 1s } }\nslo: { p99: 100ms }\n',
    );
    const r = cli(['run', 'none.yaml', '--no-report', '--out', 'o'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n {2}ms +— +— +— +— +— +— +— {2}\(no request completed\)\n/);
    expect(r.stdout).not.toMatch(/\n {2}ms +0 +0 /);
  });
});
