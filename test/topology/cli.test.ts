/** What run and compare write and print for regions and shards: a timeline per site, the sites' table, the failover lines. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { siteTimelineFile } from '../../src/report/topology.js';

const SCENARIO = `
name: two regions
duration: 120s
slo: { p99: 100ms }
traffic: { rate: 50 }
model: { latency: { 1: 2ms } }
fleet: { replicas: 1 }
regions:
  - { name: us-east, share: 0.5, rtt: { eu/west: 40ms } }
  - { name: eu/west, share: 0.5, rtt: { us-east: 40ms } }
events: [ { at: 30s, kind: region-outage, region: us-east, for: 100s } ]
variants:
  passive: { topology: { kind: active-passive, primary: us-east } }
`;

describe('run and compare with regions', () => {
  it('names site timelines after the site, with nothing but safe characters', () => {
    expect(siteTimelineFile('us-east')).toBe('timeline-us-east.csv');
    expect(siteTimelineFile('eu/west 1')).toBe('timeline-eu_west_1.csv');
  });

  it('run writes timeline-<region>.csv beside timeline.csv and prints the regions and the outage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-topology-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(file, SCENARIO);
    const r = cli(['run', file, '--out', join(dir, 'out'), '--no-report']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0); // the outage misses the SLO, but only --assert-slo makes that an exit code
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['summary.json', 'timeline-eu_west.csv', 'timeline-us-east.csv', 'timeline.csv']);
    const header = readFileSync(join(dir, 'out', 'timeline.csv'), 'utf8').split('\n')[0];
    expect(readFileSync(join(dir, 'out', 'timeline-us-east.csv'), 'utf8').split('\n')[0]).toBe(header);
    expect(r.stdout).toMatch(/^ {2}region +share/m);
    expect(r.stdout).toContain('outage of us-east at 30 s: detected 60 s, traffic moved 120 s, recovered never');
    const s = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(s.regions.map((x: { name: string }) => x.name)).toEqual(['us-east', 'eu/west']);
  });

  it("compare writes each variant's region timelines and says when each recovered", () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-topology-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(file, SCENARIO.replace('duration: 120s', 'duration: 200s'));
    const r = cli(['compare', file, '--out', join(dir, 'out'), '--no-report', '--wide']);
    expect(r.status).toBe(0);
    for (const v of ['base', 'passive']) expect(readdirSync(join(dir, 'out', v))).toContain('timeline-us-east.csv');
    expect(r.stdout).toContain('base: outage of us-east at 30 s: traffic moved after 90 s, recovered after 100 s');
    expect(r.stdout).toMatch(/passive: outage of us-east at 30 s: traffic moved after 90 s, recovered after 100 s, [\d,]+ failed requests/);
    // the table has a recovery column (the slowest recovery over the outages), and so has compare.csv
    expect(r.stdout).toMatch(/monthly \$\s+recovery s\n/);
    expect(r.stdout).toMatch(/\n\s*base .* 100 ?\*?\s*\n/);
    const csv = readFileSync(join(dir, 'out', 'compare.csv'), 'utf8').trim().split('\n');
    const col = csv[0]!.split(',').indexOf('recoveryS');
    expect(col).toBeGreaterThan(0);
    expect(csv.slice(1).map((l) => l.split(',')[col])).toEqual(['100', '100']);
  });
});
