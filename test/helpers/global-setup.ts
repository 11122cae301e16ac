/** Builds dist/ once before the tests that run the CLI as a subprocess. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}
