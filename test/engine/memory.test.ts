/** Memory does not grow with the number of simulated requests: 10× the duration, the same peak RSS. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST } from '../helpers/cli.js';

function runInChild(yaml: string): { rssMb: number; completed: number; rejected: number; arrived: number } {
  const code = `
    import { simulate } from ${JSON.stringify(join(DIST, 'run.js'))};
    import { loadScenario } from ${JSON.stringify(join(DIST, 'scenario', 'load.js'))};
    const sc = loadScenario(${JSON.stringify(yaml)}, { file: 'm.yaml', baseDir: '.' });
    const q = simulate(sc).summary.requests;
    console.log(JSON.stringify({ rssMb: process.resourceUsage().maxRSS / 1024, completed: q.completed, rejected: q.rejected, arrived: q.arrived }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { rssMb: number; completed: number; rejected: number; arrived: number };
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
