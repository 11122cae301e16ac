/**
 * Builds the CLI once for the tests that run it as a subprocess, into a folder of its own:
 * never into the repository's dist/, which a user (or a CLI run) may be executing meanwhile.
 * The folder (system temp) holds dist/, bin/infersim.js, package.json, schema/ and a link to the
 * repository's node_modules; its path reaches every test process as INFERSIM_TEST_BUILD.
 *
 * The compile (tsc, about 12 s of one core, before any test starts) is kept in
 * node_modules/.cache/infersim-test-build/<key>, where <key> hashes everything the output depends
 * on: every file under src/, both tsconfigs, package-lock.json (the TypeScript and @types versions)
 * and the tsc arguments. The
 * same sources give the same key and the kept output is copied, not compiled again; any change to
 * them gives a new key and a fresh compile. A key's folder appears whole (written beside it, then
 * renamed), so a run never copies half of one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './cli.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const CACHE = join(ROOT, 'node_modules', '.cache', 'infersim-test-build');
/** Kept compiles older than this are removed (the current one is touched on use). */
const KEEP_MS = 7 * 24 * 3600 * 1000;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** A hash of every input of `tsc args` (see the header). */
function buildKey(args: string[]): string {
  const h = createHash('sha256');
  const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }).version;
  h.update(`typescript ${version}\0${args.map((a) => a.replace(ROOT, '.')).join('\0')}\0`);
  const inputs = [join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json'), join(ROOT, 'package-lock.json'), ...files(join(ROOT, 'src'))];
  for (const f of inputs) {
    h.update(`${relative(ROOT, f)}\0`);
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

/** Compiles src/ into `outDir`, or copies the kept compile of the same sources. */
function compile(outDir: string): void {
  const args = ['-p', join(ROOT, 'tsconfig.build.json'), '--declaration', 'false', '--sourceMap', 'false'];
  let key: string | null = null;
  try {
    key = buildKey(args);
  } catch {
    // sources unreadable for hashing: compile without the cache
  }
  const kept = key === null ? null : join(CACHE, key);
  if (kept !== null && existsSync(kept)) {
    try {
      const now = new Date();
      utimesSync(kept, now, now); // in use: pruning (by another run) keeps it
    } catch {
      // a nicety
    }
    cpSync(kept, outDir, { recursive: true });
    return;
  }
  execFileSync(process.execPath, [TSC, ...args, '--outDir', outDir], { stdio: 'inherit' });
  if (kept === null) return;
  try {
    mkdirSync(CACHE, { recursive: true });
    const partial = mkdtempSync(join(CACHE, `.${key}-`));
    cpSync(outDir, partial, { recursive: true });
    try {
      renameSync(partial, kept); // whole or not at all; another run may have kept the same compile first
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
    const now = Date.now();
    for (const e of readdirSync(CACHE)) {
      const p = join(CACHE, e);
      if (p !== kept && now - statSync(p).mtimeMs > KEEP_MS) rmSync(p, { recursive: true, force: true });
    }
  } catch {
    // a cache that cannot be written only costs the next run a compile
  }
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'infersim-test-build-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'infersim.js'), join(dir, 'bin', 'infersim.js'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'schema'), join(dir, 'schema'), { recursive: true }); // init's modeline names the package's schema
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  compile(join(dir, 'dist'));
  process.env.INFERSIM_TEST_BUILD = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
