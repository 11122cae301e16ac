/** Ctrl-C during a long run: exit 130 and a partial summary (marked so) with balanced books, plus the timeline. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('Ctrl-C', () => {
  it('stops a long run cleanly and writes a partial summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-int-'));
    const f = join(dir, 'long.yaml');
    writeFileSync(
      f,
      'name: long\nduration: 24h\ntraffic: { rate: 10000 }\nmodel: { latency: { 1: 4.25ms, 32: 12ms } }\nfleet: { replicas: 20, routing: random, batching: { maxBatch: 32, maxQueueDelay: 2ms } }\n',
    );
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'infersim.js'), 'run', f, '--out', out, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.partial).toBe(true);
    expect(s.simulatedSeconds).toBeGreaterThan(0);
    expect(s.simulatedSeconds).toBeLessThan(86_400);
    const q = s.requests;
    expect(q.arrived).toBeGreaterThan(0);
    expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
    expect(JSON.parse(stdout)).toEqual(s);
    expect(existsSync(join(out, 'timeline.csv'))).toBe(true);
  }, 60_000);
});
