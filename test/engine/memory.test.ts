/** Memory does not grow with the number of simulated requests: 10× the duration, the same peak RSS. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function peakRssMb(seconds: number): { rssMb: number; completed: number } {
  const code = `
    import { simulate } from ${JSON.stringify(join(ROOT, 'dist', 'run.js'))};
    import { loadScenario } from ${JSON.stringify(join(ROOT, 'dist', 'scenario', 'load.js'))};
    const sc = loadScenario('name: m\\nduration: ${seconds}s\\ntraffic: { rate: 10000 }\\nmodel: { latency: { 1: 4.25ms, 32: 12ms } }\\nfleet: { replicas: 20, routing: random, batching: { maxBatch: 32, maxQueueDelay: 2ms } }\\n', { file: 'm.yaml', baseDir: '.' });
    const s = simulate(sc).summary;
    console.log(JSON.stringify({ rssMb: process.resourceUsage().maxRSS / 1024, completed: s.requests.completed }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { rssMb: number; completed: number };
}

describe('memory', () => {
  it('peak RSS stays flat when the simulated duration grows tenfold (W1 load)', () => {
    const short = peakRssMb(30);
    const long = peakRssMb(300);
    expect(long.completed).toBeGreaterThan(9 * short.completed);
    expect(long.rssMb).toBeLessThan(short.rssMb * 1.25 + 5);
  });
});
