/**
 * Installed like a user's own tool: `npm pack`'s tarball, `npm install -g` into a temporary
 * prefix, then `infersim` from another folder writes results/ there. (Packs the built dist/
 * as it is, without re-running the build, so the other CLI tests keep their dist/.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

it('npm pack → npm install -g --prefix → infersim run/init/validate from any folder', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'infersim-install-'));
  const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--pack-destination', tmp, '--json'], { cwd: ROOT, encoding: 'utf8' });
  expect(pack.status, pack.stderr).toBe(0);
  const packed = (JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  const paths = packed.files.map((f) => f.path);
  expect(paths).toContain('bin/infersim.js');
  expect(paths).toContain('dist/cli/main.js');
  expect(paths).toContain('schema/scenario.schema.json');
  expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/'))).toBe(false);

  const prefix = join(tmp, 'prefix');
  const install = spawnSync(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, packed.filename)], {
    encoding: 'utf8',
  });
  expect(install.status, install.stderr).toBe(0);
  const bin = join(prefix, 'bin', 'infersim');
  expect(existsSync(bin)).toBe(true);

  const work = join(tmp, 'elsewhere');
  mkdirSync(work);
  writeFileSync(
    join(work, 'mine.yaml'),
    'name: mine\nduration: 5s\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 2ms, 8: 4ms } }\nfleet: { batching: { maxBatch: 8 } }\n',
  );
  const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
  const sh = (cmd: string): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync('sh', ['-c', cmd], { cwd: work, env, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  expect(sh('command -v infersim').stdout.trim()).toBe(bin);
  const run = sh('infersim run mine.yaml -q');
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('results: ');
  expect(JSON.parse(readFileSync(join(work, 'results', 'mine', 'summary.json'), 'utf8'))).toMatchObject({ scenario: 'mine' });
  expect(existsSync(join(work, 'results', 'mine', 'report.html'))).toBe(true);
  // a starter whose modeline points into the installed package's schema
  expect(sh('infersim init -o starter.yaml').status).toBe(0);
  const line = readFileSync(join(work, 'starter.yaml'), 'utf8').split('\n')[0]!;
  const schemaPath = line.replace('# yaml-language-server: $schema=', '');
  expect(existsSync(join(work, schemaPath))).toBe(true);
  expect(sh('infersim validate starter.yaml').status).toBe(0);
  expect(sh('infersim --version').stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
}, 300_000);
