/** `plan --headroom k` (N+k) and `--max-utilization`: the requirement an SRE signs off on, not only "the smallest". */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// 250 requests/s onto replicas serving one request in exactly 10 ms (100 requests/s each):
// 2 replicas are overloaded (the queue grows by 50 requests/s, p99 in seconds), 3 run at
// ρ = 0.83 (M/D/3: p99 tens of ms), so 3 is the smallest fleet meeting p99 ≤ 500 ms.
const SCENARIO = `
name: headroom
seed: 5
duration: 60s
warmup: 10s
slo: { p99: 500ms }
traffic: { rate: 250 }
model: { latency: { 1: 10ms } }
fleet:
  replicas: 1
  batching: { maxBatch: 1 }
  routing: shared-queue
  queue: { maxDepth: 100000, timeout: 1h }
cost: { gpuHourly: 1 }
`;

const setup = (): { dir: string; file: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'infersim-headroom-'));
  const file = join(dir, 'headroom.yaml');
  writeFileSync(file, SCENARIO);
  return { dir, file };
};

interface PlanJson {
  value: number | null;
  summary: { fleet?: unknown; replicas: { max: number }; gpu: { utilization: number }; slo: { met: boolean } } | null;
  headroom?: { replicasLost: number; minimumMeeting: number };
  maxUtilization?: number;
}

describe('plan --headroom and --max-utilization', () => {
  it('a fleet meeting the SLO with 3 replicas but not 2 is answered 3, and 4 with --headroom 1 (N+1)', () => {
    const { dir, file } = setup();
    const plain = cli(['plan', file, '--range', '1..20', '--seeds', '1', '--format', 'json', '-q', '--out', join(dir, 'a')]);
    expect(plain.status).toBe(0);
    const a = JSON.parse(plain.stdout) as PlanJson;
    expect(a.value).toBe(3);
    expect(a.headroom).toBeUndefined();
    // the probes show 2 missing and 3 meeting
    const probes = (JSON.parse(readFileSync(join(dir, 'a', 'plan.json'), 'utf8')) as { probes: { value: number; met: boolean }[] }).probes;
    expect(probes.find((p) => p.value === 2)?.met ?? false).toBe(false);
    expect(probes.find((p) => p.value === 3)?.met).toBe(true);

    const n1 = cli(['plan', file, '--range', '1..20', '--seeds', '1', '--headroom', '1', '--format', 'json', '-q', '--out', join(dir, 'b')]);
    expect(n1.status).toBe(0);
    const b = JSON.parse(n1.stdout) as PlanJson;
    expect(b.value).toBe(4);
    expect(b.headroom).toEqual({ replicasLost: 1, minimumMeeting: 3 });
    // the figures are those of the answer, 4 replicas
    expect(b.summary!.replicas.max).toBe(4);
    expect(b.summary!.gpu.utilization).toBeCloseTo(250 / 400, 1);

    const table = cli(['plan', file, '--range', '1..20', '--seeds', '1', '--headroom', '2', '-q', '--out', join(dir, 'c')]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('with 2 replica(s) lost (N+2)');
    expect(table.stdout).toMatch(/answer\s+fleet\.replicas = 5\n\s+3 meet\(s\) it; \+ 2 to lose = 5/);
  });

  it('--max-utilization 0.75 rejects 3 replicas at 83 % busy and answers 4', () => {
    const { dir, file } = setup();
    const r = cli(['plan', file, '--range', '1..20', '--seeds', '1', '--max-utilization', '0.75', '--format', 'json', '-q', '--out', join(dir, 'u')]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as PlanJson;
    expect(doc.value).toBe(4);
    expect(doc.maxUtilization).toBe(0.75);
    expect(doc.summary!.gpu.utilization).toBeLessThanOrEqual(0.75);
  });

  it('sweep: ★ moves from 3 to 4 replicas with --headroom 1 (3 needs 2 to meet it too) or --max-utilization 0.75', () => {
    const { dir, file } = setup();
    const star = (args: string[], out: string): number | null => {
      const r = cli(['sweep', file, '--vary', 'fleet.replicas=1..6', ...args, '--format', 'json', '-q', '--no-report', '--out', join(dir, out)]);
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as { cheapest: number | null; points: { index: number; values: Record<string, number> }[] };
      const p = doc.points.find((x) => x.index === doc.cheapest);
      return p === undefined ? null : p.values['fleet.replicas']!;
    };
    expect(star([], 's0')).toBe(3);
    expect(star(['--headroom', '1'], 's1')).toBe(4);
    expect(star(['--headroom', '2'], 's2')).toBe(5);
    expect(star(['--max-utilization', '0.75'], 's3')).toBe(4);
    const table = cli(['sweep', file, '--vary', 'fleet.replicas=1..6', '--headroom', '1', '-q', '--no-report', '--out', join(dir, 's4')]);
    expect(table.stdout).toContain('★ cheapest point meeting the SLO with 1 replica(s) lost (N+1): fleet.replicas=4');
    const noReplicas = cli(['sweep', file, '--vary', 'fleet.routing=random,round-robin', '--headroom', '1']);
    expect(noReplicas.status).toBe(2);
    expect(noReplicas.stderr).toContain('--headroom counts replicas lost: it needs --vary fleet.replicas');
  });

  it('rejects a bad --headroom or --max-utilization, and --headroom on another field', () => {
    const { file } = setup();
    expect(cli(['plan', file, '--headroom', '-1']).status).toBe(2);
    expect(cli(['plan', file, '--headroom', '1.5']).stderr).toContain('--headroom must be an integer ≥ 0');
    expect(cli(['plan', file, '--max-utilization', '0']).stderr).toContain('--max-utilization must be a number in (0, 1]');
    const other = cli(['plan', file, '--find', 'fleet.batching.maxBatch', '--values', '1,2', '--headroom', '1']);
    expect(other.status).toBe(2);
    expect(other.stderr).toBe('error: plan: --headroom counts replicas lost: it needs --find fleet.replicas (got --find fleet.batching.maxBatch)\n');
  });
});
