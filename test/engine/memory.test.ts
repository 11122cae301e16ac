/** Memory does not grow with the number of simulated requests: 10× the duration, the same peak RSS. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPeakRss } from '../helpers/cli.js';

/** Runs the built CLI on `yaml` (no report); its peak RSS and completed requests. */
function runInChild(yaml: string): { rssMb: number; completed: number } {
  const out = mkdtempSync(join(tmpdir(), 'infersim-memory-'));
  try {
    const r = cliPeakRss(['run', '-', '--format', 'json', '--no-report', '-q', '--out', out], yaml, 300_000);
    if (r.status !== 0) throw new Error(r.stderr);
    const s = JSON.parse(r.stdout) as { requests: { completed: number } };
    return { rssMb: r.rssMb, completed: s.requests.completed };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const peakRssMb = (seconds: number): { rssMb: number; completed: number } =>
  runInChild(
    `name: m\nduration: ${seconds}s\ntraffic: { rate: 10000 }\nmodel: { latency: { 1: 4.25ms, 32: 12ms } }\nfleet: { replicas: 20, routing: random, batching: { maxBatch: 32, maxQueueDelay: 2ms } }\n`,
  );

describe('memory', () => {
  it('peak RSS stays flat when the simulated duration grows tenfold (W1 load)', () => {
    const short = peakRssMb(30);
    const long = peakRssMb(300);
    expect(long.completed).toBeGreaterThan(9 * short.completed);
    expect(long.rssMb).toBeLessThan(short.rssMb * 1.25 + 5);
  });
});
