/**
 * Fuzzing the CLI layer (#14): `--set`/`--vary` values, variant names, merge parts, and whole
 * argument vectors. In process (many cases): the loader, the grid parser and the merge check
 * either accept or refuse with their own error, never throw anything else, and never touch
 * Object.prototype; an accepted variant name is one safe path segment. Through the built CLI
 * (a few dozen spawns in one temporary folder): never exit 1, never a stack trace, and nothing
 * written outside the output folder the command was given (or results/ by default).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioVariants, ScenarioError } from '../../src/scenario/load.js';
import { GridError, parseVary } from '../../src/analysis/grid.js';
import { partProblem } from '../../src/cli/merge.js';
import type { SweepDocument } from '../../src/analysis/sweep.js';
import { BIN } from '../helpers/cli.js';
import { numberArgArb, setArgArb, varyArgArb, variantNameArb } from './arbitraries.js';

const FUZZ_SEED = 20_261_204;
const BASE = 'name: s\nduration: 5s\ntraffic: { rate: 20 }\nmodel: { latency: { 1: 4ms, 32: 12ms } }\nfleet: { replicas: 2 }\nslo: { p99: 100ms }\n';

function noPollution(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).x).toBeUndefined();
}

describe('in process: --set, --vary, variant names and merge parts are accepted or refused cleanly', () => {
  it('--set arguments: a Scenario or a ScenarioError, Object.prototype untouched', () => {
    fc.assert(
      fc.property(fc.array(setArgArb(), { minLength: 1, maxLength: 3 }), (sets) => {
        try {
          loadScenario(BASE, { file: 's.yaml', baseDir: '/', sets });
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw new Error(`threw ${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(sets)}`);
        }
        noPollution();
      }),
      { seed: FUZZ_SEED, numRuns: 400 },
    );
  });

  it('--vary arguments: an axis or a GridError; the axis values as --set values load or are refused cleanly', () => {
    fc.assert(
      fc.property(varyArgArb(), (spec) => {
        let texts: string[];
        try {
          texts = parseVary(spec).texts;
        } catch (e) {
          if (!(e instanceof GridError)) throw new Error(`threw ${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(spec)}`);
          return;
        }
        const path = spec.slice(0, spec.indexOf('='));
        for (const t of texts.slice(0, 3)) {
          try {
            loadScenario(BASE, { file: 's.yaml', baseDir: '/', sets: [`${path}=${t}`] });
          } catch (e) {
            if (!(e instanceof ScenarioError)) throw new Error(`threw ${(e as Error).name}: ${(e as Error).message} for ${path}=${t}`);
          }
        }
        noPollution();
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });

  it('variant names: refused, or one path segment inside the results folder that is not the base run', () => {
    fc.assert(
      fc.property(fc.uniqueArray(variantNameArb(), { minLength: 1, maxLength: 3 }), (names) => {
        const text = `${BASE}variants:\n${names.map((n) => `  ${JSON.stringify(n)}: { fleet: { replicas: 3 } }`).join('\n')}\n`;
        let accepted: string[];
        try {
          accepted = loadScenarioVariants(text, { file: 's.yaml', baseDir: '/' }).variants.map((v) => v.name);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw new Error(`threw ${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(names)}`);
          return;
        }
        const root = resolve('/results/s');
        for (const n of accepted) {
          const dir = resolve(root, n);
          expect(relative(root, dir)).toBe(n);
          expect(n.includes(sep) || n.startsWith('.') || n.toLowerCase() === 'base').toBe(false);
        }
        expect(new Set(accepted.map((n) => n.toLowerCase())).size).toBe(accepted.length);
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });

  it('merge parts mutated at random paths: refused with a problem or still consistent, never a throw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-mergefuzz-'));
    writeFileSync(join(dir, 's.yaml'), BASE);
    const r = spawnSync(process.execPath, [BIN, 'sweep', 's.yaml', '--vary', 'fleet.replicas=1,2', '--workers', '1', '-q', '--out', 'o', '--no-report'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const good = JSON.parse(readFileSync(join(dir, 'o', 'sweep.json'), 'utf8')) as SweepDocument;
    expect(partProblem(good)).toBeNull();
    const leaf = fc.oneof(fc.constantFrom<unknown>(null, -1, 0, 1.5, 3e8, 'x', '../..', [], {}, true, [7]), fc.double(), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), leaf), { minLength: 1, maxLength: 3 }), (edits) => {
        const doc = structuredClone(good) as unknown as Record<string, unknown>;
        let changed = false;
        for (const [route, value] of edits) {
          // walk down by picking the k-th key at each level
          let node: unknown = doc;
          for (let i = 0; i < route.length; i++) {
            if (typeof node !== 'object' || node === null) break;
            const keys = Object.keys(node);
            if (keys.length === 0) break;
            const k = keys[route[i]! % keys.length]!;
            const child = (node as Record<string, unknown>)[k];
            if (i === route.length - 1 || typeof child !== 'object' || child === null) {
              if (JSON.stringify(child) !== JSON.stringify(value)) changed = true;
              (node as Record<string, unknown>)[k] = value;
              break;
            }
            node = child;
          }
        }
        let problem: string | null;
        try {
          problem = partProblem(doc as unknown as SweepDocument);
        } catch (e) {
          throw new Error(`partProblem threw ${(e as Error).message} for edits ${JSON.stringify(edits)}`);
        }
        // a change to what merge writes out (the figures, values, axes) is never accepted silently;
        // engine figures (wall seconds) and fields merge recomputes may change freely
        if (problem === null && changed) {
          const a = JSON.stringify({ ...(doc as object), points: (doc.points as Record<string, unknown>[]).map((p) => ({ ...p, runs: null })) });
          const b = JSON.stringify({ ...good, points: good.points.map((p) => ({ ...p, runs: null })) });
          const fields = ['partial', 'cheapest', 'pointIndices', 'kind', 'version', 'scenario', 'sets', 'stem'];
          const strip = (s: string): unknown => {
            const o = JSON.parse(s) as Record<string, unknown>;
            for (const f of fields) delete o[f];
            return o;
          };
          expect(strip(a)).toEqual(strip(b));
        }
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  }, 60_000);
});

/** Every file under `dir` (relative), with its size and mtime, to see what a command wrote. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.set(relative(dir, p), `${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

describe('through the CLI: generated argument vectors never exit 1 and write nothing outside their output folder', () => {
  it('run, validate, compare, sweep, plan and merge with hostile --set, --vary, numbers, variant names and --out', () => {
    const root = mkdtempSync(join(tmpdir(), 'infersim-clifuzz-'));
    const work = join(root, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 's.yaml'), BASE);
    mkdirSync(join(work, 'part'));
    const argv = fc.oneof(
      fc.tuple(fc.constantFrom('run', 'validate'), fc.array(setArgArb(), { maxLength: 2 }), numberArgArb()).map(([cmd, sets, seed]) => [cmd, 's.yaml', ...sets.flatMap((s) => ['--set', s]), ...(cmd === 'run' ? ['--seed', seed] : [])]),
      fc.tuple(fc.uniqueArray(variantNameArb(), { minLength: 1, maxLength: 2 }), fc.array(setArgArb(), { maxLength: 1 })).map(([names, sets]) => [
        'compare',
        'v.yaml',
        ...sets.flatMap((s) => ['--set', s]),
        `--variants-file=${JSON.stringify(names)}`,
      ]),
      fc.tuple(fc.array(varyArgArb(), { minLength: 1, maxLength: 2 }), numberArgArb(), numberArgArb()).map(([vary, seeds, workers]) => ['sweep', 's.yaml', ...vary.flatMap((v) => ['--vary', v]), '--seeds', seeds, '--workers', workers]),
      fc.tuple(fc.constantFrom('fleet.replicas', '__proto__', 'fleet.__proto__.x', 'x..y', 'seed'), fc.constantFrom('--values', '--range'), fc.constantFrom('8,1,4', '1..3', '&a [*a]', '3..1', '1..1e12', 'a,b')).map(([find, flag, v]) => ['plan', 's.yaml', '--find', find, flag, v, '--seeds', '1', '--workers', '1']),
      fc.constantFrom(['merge', 'part'], ['merge', '/dev/zero'], ['merge', 's.yaml'], ['merge', 'nonexistent']),
    );
    const outArb = fc.constantFrom<string | null>(null, 'out', 'out/deeper', 's.yaml', '.');
    const cases = fc.sample(fc.tuple(argv, outArb), { seed: FUZZ_SEED, numRuns: 24 });
    for (const [generated, out] of cases) {
      // the compare case carries its variant names: the file is written just before its run
      const names = generated.find((a) => a.startsWith('--variants-file='));
      const args = generated.filter((a) => a !== names);
      if (names !== undefined) {
        const list = JSON.parse(names.slice('--variants-file='.length)) as string[];
        writeFileSync(join(work, 'v.yaml'), `${BASE}variants:\n${list.map((n) => `  ${JSON.stringify(n)}: { fleet: { replicas: 3 } }`).join('\n')}\n`);
      }
      const full = [...args, ...(out === null ? [] : ['--out', out]), ...(['run', 'compare', 'sweep'].includes(args[0]!) ? ['--no-report', '-q'] : [])];
      const before = snapshot(root);
      const r = spawnSync(process.execPath, [BIN, ...full], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, INFERSIM_DEBUG: '' } });
      const label = JSON.stringify(full);
      expect(r.signal, label).toBeNull();
      expect([0, 2, 3], `${label}\n${r.stderr}`).toContain(r.status);
      expect(r.stderr, label).not.toMatch(/internal error|\n\s+at [\w<]/);
      const allowed = out === null ? join('work', 'results') : relative(root, resolve(work, out));
      for (const [p, stamp] of snapshot(root)) {
        if (before.get(p) === stamp) continue;
        const inside = allowed === 'work' ? p.startsWith(`work${sep}`) : p === allowed || p.startsWith(`${allowed}${sep}`);
        expect(inside, `${label} wrote ${p} outside ${allowed}`).toBe(true);
      }
      if (r.status === 2) expect(snapshot(root).size, `${label}: exit 2 wrote files`).toBe(before.size);
    }
  }, 300_000);
});
