/** Runs the built CLI (bin/infersim.js → dist/) as a user would, capturing stdout, stderr and the exit code. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = join(ROOT, '..', 'shared');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `infersim args…` from `cwd` (default the repo root). */
export function cli(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'infersim.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, INFERSIM_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
