/**
 * The README's Kubernetes Indexed Job (k8s/sweep-job.yaml), run as written: its container's
 * command, verbatim, with JOB_COMPLETION_INDEX = 0 … completions − 1 and the manifest's env,
 * from the repository (its workingDir); then `infersim merge`, compared byte for byte with
 * the unsharded sweep. Only the env values RESULTS (the volume's mount) and SWEEP (the grid:
 * a tiny one, so this runs in seconds) are replaced.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, ROOT } from '../helpers/cli.js';

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', fail);
    p.on('close', (status) => done({ status, stderr }));
  });
}

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  workingDir: string;
}

it('k8s/sweep-job.yaml: every index runs its shard, merge equals the unsharded sweep byte for byte', async () => {
  const job = parse(readFileSync(join(ROOT, 'k8s', 'sweep-job.yaml'), 'utf8')) as {
    kind: string;
    spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: Container[] } } };
  };
  expect(job.kind).toBe('Job');
  expect(job.spec.completionMode).toBe('Indexed');
  const c = job.spec.template.spec.containers[0]!;
  const env: Record<string, string> = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
  const n = job.spec.completions;
  expect(Number(env.SHARDS)).toBe(n); // the --shard i/n must match the Job's completions
  expect(c.command).toEqual(['sh', '-c']);
  expect(c.args).toHaveLength(1);
  expect(readFileSync(join(ROOT, env.SCENARIO!), 'utf8')).toContain('name:'); // the scenario it names ships here

  const dir = mkdtempSync(join(tmpdir(), 'infersim-job-'));
  // 2 × 3 points, 1 seed, 5 simulated seconds each: 8 shards, two of them empty
  const sweep = '--vary fleet.replicas=2..4 --vary fleet.gpu=l4,a100-80gb --set duration=5s --set warmup=1s';
  // the Job's pods run in parallel (parallelism = completions): so do these
  const runs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      run(c.command[0]!, [...c.command.slice(1), c.args[0]!], {
        cwd: ROOT, // the container's workingDir: this repository
        env: { ...process.env, ...env, SWEEP: sweep, RESULTS: dir, JOB_COMPLETION_INDEX: String(i) },
      }),
    ),
  );
  runs.forEach((r, i) => {
    expect(r.stderr, `index ${i}`).toBe('');
    expect(r.status, `index ${i}`).toBe(0);
  });
  const shards = Array.from({ length: n }, (_, i) => join(dir, `shard-${i}`));
  const merged = cli(['merge', ...shards, '--out', join(dir, 'merged')]);
  expect(merged.status).toBe(0);
  const whole = cli(['sweep', env.SCENARIO!, ...sweep.split(' '), '-q', '--workers', '1', '--out', join(dir, 'whole')]);
  expect(whole.status).toBe(0);
  expect(readFileSync(join(dir, 'merged', 'sweep.csv'), 'utf8')).toBe(readFileSync(join(dir, 'whole', 'sweep.csv'), 'utf8'));
  // sweep.json also holds each run's wall-clock seconds (summary.engine): everything else byte for byte
  const noEngine = (f: string): string => readFileSync(f, 'utf8').replace(/"engine": \{[^}]*\}/g, '"engine": null');
  expect(noEngine(join(dir, 'merged', 'sweep.json'))).toBe(noEngine(join(dir, 'whole', 'sweep.json')));
}, 180_000);
