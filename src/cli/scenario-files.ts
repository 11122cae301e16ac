/**
 * Reading scenario files and the files they point at (traces): the only place where
 * the scenario layer meets the file system.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { scanTrace, TraceError, type LineSource } from '../workload/trace.js';
import { fileLineSource } from './line-source.js';
import { UserError } from './errors.js';
import { errnoWords } from './output.js';

export interface LoadedScenario {
  file: string;
  /** File name without extension: the results folder's name. */
  stem: string;
  scenario: Scenario;
}

/** Largest scenario or HPA manifest file read (real ones are a few KB; YAML parsing is slow on megabytes). */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/**
 * Reads a small text input (scenario, manifest) whole: a regular file (a FIFO or /dev/zero would
 * block or never end) of at most MAX_SCENARIO_BYTES. Throws an Error with a `code` like readFileSync,
 * or a RangeError whose message says what is wrong.
 */
export function readSmallFile(path: string): string {
  const st = statSync(path);
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!st.isFile()) throw Object.assign(new Error('not a regular file (a pipe, device or socket)'), { code: 'ENOTREG' });
  if (st.size > MAX_SCENARIO_BYTES) throw Object.assign(new Error(`${st.size} bytes, more than the ${MAX_SCENARIO_BYTES} a scenario may have`), { code: 'ETOOBIG' });
  const text = readFileSync(path, 'utf8');
  // it may have grown since stat
  if (text.length > MAX_SCENARIO_BYTES) throw Object.assign(new Error(`more than the ${MAX_SCENARIO_BYTES} bytes a scenario may have`), { code: 'ETOOBIG' });
  return text;
}

/** Why reading failed, in words for messages. */
function whyUnreadable(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOTREG' || e.code === 'ETOOBIG') return e.message;
  return errnoWords(err);
}

/** readSmallFile for the loader's readFile hook (HPA manifests): errors keep their code, the message says why. */
export function readInputFile(path: string): string {
  try {
    return readSmallFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // the loader words ENOENT, EACCES and EISDIR itself, and prints the message otherwise
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw err;
    throw Object.assign(new Error(whyUnreadable(err)), { code });
  }
}

/** Reads, parses and fully validates one scenario file (trace included); throws UserError with every problem. */
export function readScenarioFile(file: string, sets: string[] = []): LoadedScenario {
  const label = file;
  let text: string;
  try {
    text = readSmallFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new UserError([`error: ${label}: is a directory, not a scenario file`]);
    throw new UserError([`error: ${label}: cannot read the scenario file (${whyUnreadable(err)})`]);
  }
  let scenario: Scenario;
  try {
    scenario = loadScenario(text, { file: label, baseDir: dirname(resolve(file)), sets, readFile: readInputFile });
  } catch (err) {
    if (err instanceof ScenarioError) throw new UserError(err.message.split('\n'));
    throw err;
  }
  const trace = scenario.traffic.trace;
  if (trace) {
    let lines: (LineSource & { close(): void }) | undefined;
    try {
      if (!statSync(trace.file).isFile()) throw new UserError([`error: ${label}: traffic.trace.file: ${trace.file} is not a regular file (a pipe, device or socket cannot be replayed)`]);
      lines = fileLineSource(trace.file);
      scanTrace(lines, trace, trace.file);
    } catch (err) {
      if (err instanceof UserError) throw err;
      if (err instanceof TraceError) throw new UserError([`error: ${label}: traffic.trace.file: ${err.message}`]);
      const code = (err as NodeJS.ErrnoException).code;
      if (code) throw new UserError([`error: ${label}: traffic.trace.file: cannot read ${trace.file} (${code === 'ENOENT' ? 'no such file' : code})`]);
      throw err;
    } finally {
      lines?.close();
    }
  }
  return { file, stem: basename(file, extname(file)), scenario };
}

/** Reads several files, collecting the errors of all of them before failing. */
export function readScenarioFiles(files: string[], sets: string[] = []): LoadedScenario[] {
  const loaded: LoadedScenario[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      loaded.push(readScenarioFile(f, sets));
    } catch (err) {
      if (err instanceof UserError) problems.push(...err.lines);
      else throw err;
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  return loaded;
}
