/**
 * Paths for the tests, and the built CLI run as a user would, capturing stdout, stderr and the exit code.
 *
 * Tests never run the repository's own dist/ (a user may be running it while the tests build):
 * global-setup.ts compiles src/ into a fresh folder of its own (TEST_BUILD, under the system's
 * temporary directory) with a copy of bin/infersim.js and package.json, and removes it afterwards.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The test build (set by global-setup.ts for every test process). */
export const TEST_BUILD = process.env.INFERSIM_TEST_BUILD ?? join(ROOT, '.test-build-missing');
/** The compiled library of the test build: import `${DIST}/run.js` and so on in child processes. */
export const DIST = join(TEST_BUILD, 'dist');
/** The launcher of the test build (bin/infersim.js, copied). */
export const BIN = join(TEST_BUILD, 'bin', 'infersim.js');

/** Reference model W1 (bench/w1): the scenario and the hand-written C model. */
export const W1_YAML = join(ROOT, 'bench', 'w1', 'w1.yaml');
export const W1_C = join(ROOT, 'bench', 'w1', 'w1.c');
/** The vendored Azure LLM inference traces (scenarios/traces, CC BY 4.0). */
export const TRACES = join(ROOT, 'scenarios', 'traces');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `infersim args…` from `cwd` (default the repo root). */
export function cli(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, INFERSIM_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `cliPeakRss` returns: the run, how it ended, and the child's peak resident set. */
export interface PeakRssResult extends CliResult {
  signal: NodeJS.Signals | null;
  /** Peak RSS of the CLI process in MB (it reports it itself as it exits); NaN when it did not. */
  rssMb: number;
}

// Runs the launcher as `node bin/infersim.js args…` would, and writes the process's peak RSS to stderr as it exits.
const RSS_PROBE = `
  import { pathToFileURL } from 'node:url';
  const [bin, ...args] = process.argv.slice(1);
  process.argv = [process.argv[0], bin, ...args];
  process.on('exit', () => process.stderr.write('\\n@maxRSS ' + process.resourceUsage().maxRSS + '\\n'));
  await import(pathToFileURL(bin).href);
`;

/** `infersim args…` with `input` on stdin, measuring the CLI process's peak RSS (for memory tests). */
export function cliPeakRss(args: string[], input: string, timeoutMs: number, cwd = ROOT): PeakRssResult {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', RSS_PROBE, BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 1 << 28,
    env: { ...process.env, INFERSIM_DEBUG: '' },
  });
  const m = /\n@maxRSS (\d+)\n$/.exec(r.stderr ?? '');
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: m ? r.stderr.slice(0, m.index) : r.stderr,
    rssMb: m ? Number(m[1]) / 1024 : NaN,
  };
}
