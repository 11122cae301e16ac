/**
 * Overload does not eat memory: a simulated hour at 10× capacity, run by the built CLI in a
 * child process per scenario (so its peak RSS is its own), keeps every queue at its bound (the default 10 000 per
 * replica queue, shared queue or gateway queue, README), counts the excess as
 * rejections, and peaks below 300 MB.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPeakRss } from '../helpers/cli.js';

// Two replicas of 100 req/s each (10 ms per request, no batching) against 2000 req/s: 10× capacity.
const BASE = 'duration: 1h\ntraffic: { rate: 2000 }\nmodel: { latency: { 1: 10ms } }\nreport: { interval: 10s }\n';
const SCENARIOS: Record<string, string> = {
  'replica queues': `name: per-replica\n${BASE}fleet: { replicas: 2, routing: round-robin }\n`,
  'shared queue': `name: shared\n${BASE}fleet: { replicas: 2, routing: shared-queue }\n`,
  // no replica is ever ready (a 2 h model load): every request waits at the gateway
  'gateway queue': `name: gateway\n${BASE}fleet: { replicas: 0, coldStart: { modelLoad: 2h } }\nautoscaler: { kind: kpa, maxReplicas: 5 }\n`,
};

interface Outcome {
  requests: { arrived: number; completed: number; rejected: number; timedOut: number; inFlightAtEnd: number };
  maxQueueDepth: number;
}

/** Runs each scenario through the built CLI, one child each; their outcomes and the highest peak RSS of the children. */
function runChild(scenarios: Record<string, string>): { out: Record<string, Outcome>; rssMb: number } {
  const out: Record<string, Outcome> = {};
  let rssMb = 0;
  for (const [name, text] of Object.entries(scenarios)) {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-overload-'));
    try {
      const r = cliPeakRss(['run', '-', '--format', 'json', '--no-report', '-q', '--out', dir], text, 120_000);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { requests: Outcome['requests'] };
      const [head, ...rows] = readFileSync(join(dir, 'timeline.csv'), 'utf8').trim().split('\n');
      const col = head!.split(',').indexOf('queueDepth');
      out[name] = { requests: summary.requests, maxQueueDepth: Math.max(...rows.map((row) => Number(row.split(',')[col]))) };
      rssMb = Math.max(rssMb, r.rssMb);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { out, rssMb };
}

describe('a simulated hour at 10× capacity', () => {
  it('keeps queues at their default bound of 10 000, counts rejections, and peaks below 300 MB RSS', () => {
    const started = Date.now();
    const { out, rssMb } = runChild(SCENARIOS);
    console.log(`overload: peak RSS ${rssMb.toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s for three simulated hours at 10× capacity`);

    for (const [name, o] of Object.entries(out)) {
      const q = o.requests;
      expect(q.arrived, name).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
      // 2000 req/s for an hour: 7.2 M ± a few thousand (Poisson)
      expect(q.arrived, name).toBeGreaterThan(7_180_000);
      expect(q.arrived, name).toBeLessThan(7_220_000);
      expect(q.rejected, name).toBeGreaterThan(0.85 * q.arrived);
    }
    // two replicas of 100 req/s serve 720 000 in the hour, the rest is rejected at full queues
    const perReplica = out['replica queues']!;
    expect(perReplica.requests.completed).toBeGreaterThan(719_000);
    expect(perReplica.requests.completed).toBeLessThanOrEqual(720_000);
    expect(perReplica.maxQueueDepth).toBe(20_000); // 2 × 10 000, full
    expect(perReplica.requests.inFlightAtEnd).toBeLessThanOrEqual(20_002); // + one request in each GPU
    expect(out['shared queue']!.maxQueueDepth).toBe(10_000);
    expect(out['shared queue']!.requests.inFlightAtEnd).toBeLessThanOrEqual(10_002);
    const gateway = out['gateway queue']!;
    expect(gateway.requests.completed).toBe(0);
    expect(gateway.maxQueueDepth).toBe(10_000);
    expect(gateway.requests.inFlightAtEnd).toBe(10_000);
    expect(gateway.requests.rejected).toBe(gateway.requests.arrived - 10_000);

    expect(rssMb).toBeLessThan(300);

    // the hour needs no more memory than its first minute (queues are full after 10 s): an unbounded
    // queue would hold 6.5 M requests by the end, about 200 MB more
    const minute = runChild(Object.fromEntries(Object.entries(SCENARIOS).map(([k, v]) => [k, v.replace('duration: 1h', 'duration: 1m')])));
    console.log(`overload: peak RSS ${minute.rssMb.toFixed(0)} MB for the same at one simulated minute`);
    expect(rssMb).toBeLessThan(minute.rssMb + 40);
  });
});
