/**
 * The CLI's start-up: the chart library (vega, ~0.4 s to load) is loaded only by the commands that
 * draw a report, never on the way to every command (llm-run.ts once imported the LLM report
 * statically and every command paid for it). A module hook refuses to resolve vega: the light
 * commands must still work, and a run that writes report.html must still get its charts.
 */
import { spawnSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cli, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'infersim-startup-'));
const hooks = join(dir, 'no-vega-hooks.mjs');
writeFileSync(hooks, `export async function resolve(specifier, context, next) {\n  if (/^vega(-lite)?$/.test(specifier)) throw new Error('vega loaded at start-up: ' + context.parentURL);\n  return next(specifier, context);\n}\n`);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

/** The CLI with vega unresolvable. */
const noVega = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

// module hooks (register, --import) arrived in Node 20.6; package.json allows any Node ≥ 20
describe.skipIf(!('register' in nodeModule))('CLI start-up', () => {
  it('--version, validate, explain and an LLM run without its report never load vega', () => {
    const v = noVega(['--version']);
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    const val = noVega(['validate', join(ROOT, 'scenarios', 'quickstart.yaml'), join(ROOT, 'scenarios', 'llm-hpa-step.yaml')]);
    expect(val.stderr).toBe('');
    expect(val.status).toBe(0);
    expect(noVega(['explain', 'llm.replicas']).status).toBe(0);
    expect(noVega(['schema']).status).toBe(0);
    const run = noVega(['run', join(ROOT, 'scenarios', 'llm-hpa-step.yaml'), '--set', 'duration=4m', '--no-report', '--out', join(dir, 'llm'), '-q']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('the hook does refuse vega: a run writing report.html with it fails, and without it draws its charts', () => {
    const refused = noVega(['run', join(ROOT, 'scenarios', 'llm-hpa-step.yaml'), '--set', 'duration=4m', '--out', join(dir, 'refused'), '-q']);
    expect(refused.stderr).toContain('vega loaded at start-up');
    const ok = cli(['run', join(ROOT, 'scenarios', 'llm-hpa-step.yaml'), '--set', 'duration=4m', '--out', join(dir, 'drawn'), '-q']);
    expect(ok.status).toBe(0);
    expect(readFileSync(join(dir, 'drawn', 'report.html'), 'utf8')).toContain('<svg');
  });
});
