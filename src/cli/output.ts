/**
 * Writing result files: each written whole to a temporary name, then renamed; a write that
 * fails (full disk, permissions) removes its temporary file and says what failed. Output
 * folders are checked before anything is simulated, locked while a command writes into them,
 * and never hold the command's own inputs.
 */
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';
import { colorWanted, DEFAULT_WIDTH, type TerminalStyle } from '../report/table.js';

/** Why a file-system call failed, in words. */
export function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'is a folder';
    case 'EEXIST':
      return 'already exists';
    case 'ENAMETOOLONG':
      return 'name too long';
    default:
      return code ?? (err instanceof Error ? err.message : String(err));
  }
}

/** A result file could not be written: exit 2 with the path and the reason (nothing half-written is left). */
export class WriteError extends UserError {}

/** Writes `text` to `dir/name` atomically (creating `dir`); throws WriteError and leaves no temporary file when that fails. */
export function writeResult(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    throw new WriteError([`error: cannot write ${path} (${errnoWords(err)})`]);
  }
  return path;
}

/** The output folder for a scenario: `--out` as given, else results/<stem>/ under the working directory. */
export function outputDir(stem: string, out: string | undefined, several: boolean): string {
  if (out) return several ? resolve(out, stem) : resolve(out);
  return resolve('results', stem);
}

/** How stdout is laid out: DEFAULT_WIDTH columns unless --wide, colour by colorWanted (a terminal, NO_COLOR, FORCE_COLOR). */
export function terminalStyle(wide: boolean | undefined): TerminalStyle {
  return { width: wide === true ? Infinity : DEFAULT_WIDTH, color: colorWanted(process.env, process.stdout.isTTY === true) };
}

/** The names of files infersim writes into an output folder (site timelines are timeline-<site>.csv). */
const WRITTEN = /^(summary\.json|timeline(-.*)?\.csv|report\.html|compare\.csv|sweep\.json|sweep\.csv|plan\.json)$/;

/** The real path of `p` when it exists, else its absolute path. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** Whether `child` is `parent` or inside it (both absolute). */
function within(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/**
 * Checks, before anything is simulated, that results can be written to `dir` (created when
 * missing: a file in the way, a folder without write permission are exit 2 now, not lost
 * results later) and that none of `inputs` would be overwritten by them.
 */
export function checkOutputDir(dir: string, inputs: readonly string[]): { created: boolean } {
  const existed = existsSync(dir);
  if (existed && !statSync(dir).isDirectory()) throw new UserError([`error: --out ${dir}: exists and is not a folder`]);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new UserError([`error: cannot write results to ${dir} (${errnoWords(err)})`]);
  }
  const out = real(dir);
  for (const input of inputs) {
    const r = real(input);
    if (within(r, out) && WRITTEN.test(basename(r))) {
      throw new UserError([`error: ${input}: the results written to ${dir} would overwrite this input: choose another --out`]);
    }
  }
  return { created: !existed };
}

/** Whether process `pid` is alive (on this machine). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const LOCK = '.infersim.lock';

/**
 * Takes `dir` for this process until release(): a second infersim writing into the same folder at
 * once is refused (exit 2) rather than leaving a folder mixed from two runs. A lock left by a
 * process that no longer exists is taken over.
 */
export function lockOutputDir(dir: string): { release(): void } {
  const path = join(dir, LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw new UserError([`error: cannot write results to ${dir} (${errnoWords(err)})`]);
      let pid = NaN;
      try {
        pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch {
        // unreadable: treat as stale
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UserError([`error: ${dir}: another infersim (pid ${pid}) is writing its results here; wait for it or choose another --out (remove ${path} if no such run is going)`]);
      }
      rmSync(path, { force: true });
    }
  }
  let held = true;
  return {
    release(): void {
      if (!held) return;
      held = false;
      rmSync(path, { force: true });
    },
  };
}

/** Checks and locks every folder in `dirs` (distinct); returns the release of them all. */
export function claimOutputDirs(dirs: readonly string[], inputs: readonly string[]): () => void {
  const locks: { release(): void }[] = [];
  const releaseAll = (): void => {
    for (const l of locks) l.release();
  };
  try {
    for (const d of new Set(dirs)) {
      const { created } = checkOutputDir(d, inputs);
      const lock = lockOutputDir(d);
      locks.push({
        release(): void {
          lock.release();
          // a folder made for a run that never wrote into it (interrupted before it, or failed) goes again
          if (created) {
            try {
              rmdirSync(d);
            } catch {
              // not empty: it holds results
            }
          }
        },
      });
    }
  } catch (err) {
    releaseAll();
    throw err;
  }
  return releaseAll;
}
