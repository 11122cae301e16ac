/**
 * Ctrl-C: the first SIGINT stops a run at the next slice and writes a partial summary
 * ("partial": true, balanced books) and the timeline so far, and the CLI exits 130.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

/** CPU seconds a process has used (Linux /proc), or null where that is not available. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}

describe('Ctrl-C during a run', () => {
  it('exits 130 with a partial summary.json (balanced books) and timeline.csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-sigint-'));
    const file = join(dir, 'long.yaml');
    // 86 M requests: about a quarter of a minute of work, so the run is still going when interrupted
    writeFileSync(file, 'name: long\nduration: 24h\ntraffic: { rate: 1000 }\nmodel: { latency: { 1: 4ms, 32: 12ms } }\nfleet: { replicas: 4, batching: { maxBatch: 32, maxQueueDelay: 2ms } }\nreport: { interval: 1m }\n');
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'run', file, '--out', out, '--format', 'json', '--no-report'], {
      cwd: ROOT,
      env: { ...process.env, INFERSIM_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // under way: 1.5 s of CPU where /proc tells (start-up takes well under that), else 1.5 s of wall time
    const t0 = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const cpu = cpuSeconds(child.pid!);
      if (cpu === null ? Date.now() - t0 >= 1500 : cpu >= 1.5) break;
      if (Date.now() - t0 > 30_000) break;
    }
    expect(child.exitCode).toBeNull(); // still running: the interruption is what ends it
    child.kill('SIGINT');
    const { code, signal } = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit 30 s after SIGINT; stderr: ${stderr}`)), 30_000)),
    ]);

    expect(signal).toBeNull();
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted: finishing the current run and writing a partial summary');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      partial: boolean;
      simulatedSeconds: number;
      requests: { arrived: number; completed: number; rejected: number; timedOut: number; inFlightAtEnd: number };
    };
    expect(JSON.parse(stdout)).toEqual(summary); // --format json prints the same partial summary
    expect(summary.partial).toBe(true);
    expect(summary.simulatedSeconds).toBeGreaterThan(0);
    expect(summary.simulatedSeconds).toBeLessThan(86_400);
    const q = summary.requests;
    expect(q.arrived).toBeGreaterThan(0);
    expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);

    expect(existsSync(join(out, 'timeline.csv'))).toBe(true);
    const rows = readFileSync(join(out, 'timeline.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    const last = rows[rows.length - 1]!.split(',');
    // the timeline closes its last, shorter interval at the stop and covers every arrival
    expect(Number(last[0])).toBeCloseTo(summary.simulatedSeconds, 6);
    const arrivals = rows.reduce((sum, r) => sum + Number(r.split(',')[1]), 0);
    expect(arrivals).toBe(q.arrived);
  });
});
