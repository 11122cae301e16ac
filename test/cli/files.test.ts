/** The CLI around users' own files and shells: run -, --variant, --format json, explain, init, completion. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { BIN, cli, ROOT } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-files-'));
const SMALL = `name: small
duration: 5s
traffic: { rate: 200 }
model: { latency: { 1: 2ms, 8: 4ms } }
fleet: { replicas: 1, batching: { maxBatch: 8, maxQueueDelay: 1ms } }
variants:
  two: { fleet: { replicas: 2 } }
`;

function withStdin(args: string[], input: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scenarios from standard input and one variant', () => {
  it('run - reads the scenario from stdin and gives the same summary as the file; --variant runs one variant', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'small.yaml'), SMALL);
    const fromFile = cli(['run', 'small.yaml', '--format', 'json', '-q', '--no-report'], dir);
    const fromStdin = withStdin(['run', '-', '--format', 'json', '-q', '--no-report'], SMALL, dir);
    expect(fromFile.status).toBe(0);
    expect(fromStdin.status).toBe(0);
    const strip = (s: string): unknown => ({ ...(JSON.parse(s) as object), engine: null });
    expect(strip(fromStdin.stdout)).toEqual(strip(fromFile.stdout));
    expect(existsSync(join(dir, 'results', 'stdin', 'summary.json'))).toBe(true);

    const two = cli(['run', 'small.yaml', '--variant', 'two', '--format', 'json', '-q', '--no-report'], dir);
    expect(two.status).toBe(0);
    expect((JSON.parse(two.stdout) as { replicas: { max: number } }).replicas.max).toBe(2);
    expect(existsSync(join(dir, 'results', 'small', 'two', 'summary.json'))).toBe(true);
    const none = cli(['run', 'small.yaml', '--variant', 'three'], dir);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('error: small.yaml: --variant three: no such variant (the file has two)\n');
  });

  it('validate --format json prints one document; problems still exit 2 on stderr', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'small.yaml'), SMALL);
    const r = cli(['validate', 'small.yaml', '--format', 'json'], dir);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ file: 'small.yaml', ok: true, name: 'small', warnings: [] }]);
    const bad = withStdin(['validate', '-', '--format', 'json'], 'name: x\nduration: 1s\n', dir);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('error: <stdin>: traffic.rate: required');
  });

  it('validate checks every variant of a file (compare runs them all); --variant checks that one', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'small.yaml'), `${SMALL.replace(/variants:[\s\S]*$/, '')}variants:\n  bad: { fleet: { replicas: -3 } }\n`);
    const r = cli(['validate', 'small.yaml'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: small.yaml: variants.bad.fleet.replicas: must be an integer ≥ 0 (got -3)\n');
    const llm = 'name: l\nllm: { model: llama-3.1-8b, gpu: h100-80gb, stepTime: builtin }\ntraffic: { rate: 1, tokens: { prompt: 10, output: 10 } }\nvariants:\n  big: { llm: { tensorParallel: 3 } }\n';
    writeFileSync(join(dir, 'llm.yaml'), llm);
    const l = cli(['validate', 'llm.yaml'], dir);
    expect(l.status).toBe(2);
    expect(l.stderr).toMatch(/^error: llm\.yaml: variants\.big\.llm\.tensorParallel: /);
  });

  it('catalog --format json lists the GPUs and profiles with their sources', () => {
    const r = cli(['catalog', '--format', 'json']);
    expect(r.status).toBe(0);
    const c = JSON.parse(r.stdout) as { gpus: { id: string; price: { source: string } }[]; profiles: { id: string }[] };
    expect(c.gpus.map((g) => g.id)).toContain('l4');
    expect(c.gpus.every((g) => g.price.source.length > 0)).toBe(true);
    expect(c.profiles.map((p) => p.id)).toContain('bert-base-seq128');
  });
});

describe('files a scenario points at, in every command', () => {
  it('sweep (in worker threads too) reads config.pbtxt and perf_analyzer CSVs', () => {
    const dir = tmp();
    const fx = join(ROOT, 'test', 'fixtures', 'files');
    writeFileSync(
      join(dir, 'mine.yaml'),
      `name: mine\nduration: 5s\ntraffic: { rate: 400 }\nmodel: { perfAnalyzer: { 1: ${fx}/pa-b1.csv, 8: ${fx}/pa-b8.csv, 16: ${fx}/pa-b16.csv } }\nfleet: { tritonConfig: ${fx}/minimal.pbtxt }\n`,
    );
    const sweep = cli(['sweep', 'mine.yaml', '--vary', 'fleet.replicas=1,2', '--workers', '2', '-q', '--out', join(dir, 'sw')], dir);
    expect(sweep.stderr).toBe('');
    expect(sweep.status).toBe(0);
    expect(readFileSync(join(dir, 'sw', 'sweep.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

describe('explain, init, completion', () => {
  it('explain prints a field; an unknown path exits 2 naming where to look', () => {
    const r = cli(['explain', 'fleet.tritonConfig']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Triton's config.pbtxt");
    const bad = cli(['explain', 'fleet.batching.maxBatchSize']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('error: explain: the scenario has no field fleet.batching.maxBatchSize (see: infersim explain fleet.batching)\n');
  });

  it('init writes a commented starter that validates and satisfies the schema its modeline names; --from-hpa builds on the manifest', () => {
    const dir = tmp();
    const r = cli(['init'], dir);
    expect(r.status).toBe(0);
    const text = readFileSync(join(dir, 'scenario.yaml'), 'utf8');
    const modeline = /^# yaml-language-server: \$schema=(.+)$/m.exec(text.split('\n')[0]!);
    expect(modeline).not.toBeNull();
    const schema = JSON.parse(readFileSync(join(dir, modeline![1]!), 'utf8')) as object;
    expect(new Ajv({ strict: false }).validate(schema, parse(text))).toBe(true);
    expect(cli(['validate', 'scenario.yaml'], dir).status).toBe(0);
    expect(cli(['init'], dir).status).toBe(2); // never overwrites without --force

    writeFileSync(
      join(dir, 'hpa.yaml'),
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: bert }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: bert }
  minReplicas: 3
  maxReplicas: 12
  metrics:
    - type: Pods
      pods:
        metric: { name: triton_queue_size }
        target: { type: AverageValue, averageValue: "10" }
`,
    );
    const h = cli(['init', '--from-hpa', 'hpa.yaml', '-o', 'bert.yaml'], dir);
    expect(h.status).toBe(0);
    const made = readFileSync(join(dir, 'bert.yaml'), 'utf8');
    expect(made).toContain('manifest: ./hpa.yaml');
    expect(made).toContain('triton_queue_size: queueDepth');
    const v = cli(['validate', 'bert.yaml', '--format', 'json'], dir);
    expect(v.status).toBe(0);
    const run = cli(['run', 'bert.yaml', '--set', 'duration=2m', '--set', 'warmup=0', '--format', 'json', '-q', '--no-report'], dir);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { replicas: { min: number } }).replicas.min).toBeGreaterThanOrEqual(3);
  });

  it('completion bash lists every command and completes a command\'s options', () => {
    const r = cli(['completion', 'bash']);
    expect(r.status).toBe(0);
    for (const c of ['run', 'validate', 'compare', 'sweep', 'plan', 'merge', 'catalog', 'explain', 'init', 'completion', 'schema']) expect(r.stdout).toMatch(new RegExp(`\\b${c}\\b`));
    const bash = spawnSync('bash', ['-c', `${r.stdout}\nCOMP_WORDS=(infersim run --va); COMP_CWORD=2; _infersim_complete; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    expect(bash.stdout.trim()).toBe('--variant');
    const zsh = cli(['completion', 'zsh']);
    expect(zsh.stdout).toContain('bashcompinit');
  });
});
