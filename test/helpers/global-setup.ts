/**
 * Builds the CLI once for the tests that run it as a subprocess, into a folder of its own:
 * never into the repository's dist/, which a user (or a CLI run) may be executing meanwhile.
 * The folder (system temp) holds dist/, bin/infersim.js, package.json, schema/ and a link to the
 * repository's node_modules; its path reaches every test process as INFERSIM_TEST_BUILD.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'infersim-test-build-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'infersim.js'), join(dir, 'bin', 'infersim.js'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'schema'), join(dir, 'schema'), { recursive: true }); // init's modeline names the package's schema
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--declaration', 'false', '--sourceMap', 'false'],
    { stdio: 'inherit' },
  );
  process.env.INFERSIM_TEST_BUILD = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
