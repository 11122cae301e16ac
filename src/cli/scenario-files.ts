/**
 * Reading scenario files and the files they point at (traces): the only place where
 * the scenario layer meets the file system.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { loadScenario, loadScenarioVariants, ScenarioError } from '../scenario/load.js';
import type { Scenario, TraceSpec } from '../config/scenario.js';
import { scanTrace, TraceError, type LineSource } from '../workload/trace.js';
import { fileLineSource } from './line-source.js';
import { replayProblem, traceShortWarning } from '../workload/trace-replay.js';
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
export function readSmallFile(path: string, maxBytes = MAX_SCENARIO_BYTES): string {
  const st = statSync(path);
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!st.isFile()) throw Object.assign(new Error('not a regular file (a pipe, device or socket)'), { code: 'ENOTREG' });
  if (st.size > maxBytes) throw Object.assign(new Error(`${st.size} bytes, more than the ${maxBytes} it may have`), { code: 'ETOOBIG' });
  const text = readFileSync(path, 'utf8');
  // it may have grown since stat
  if (text.length > maxBytes) throw Object.assign(new Error(`more than the ${maxBytes} bytes it may have`), { code: 'ETOOBIG' });
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

/**
 * The traces a scenario replays, each with where it is set: its own `traffic.trace`, or with a models
 * list each model's (`models.<i>.traffic.trace`; a model with its own traffic replays its own file).
 */
export function scenarioTraces(sc: Scenario): { where: string; model: string | null; trace: TraceSpec }[] {
  const out: { where: string; model: string | null; trace: TraceSpec }[] = [];
  if (sc.topology?.kind === 'models') {
    // every model brings its own traffic (scenario/load.ts buildModels): the top-level one is the first model's
    sc.topology.models.forEach((m, i) => {
      const t = m.traffic?.trace;
      if (t) out.push({ where: `models.${i}.traffic.trace`, model: m.name, trace: t });
    });
    return out;
  }
  if (sc.traffic.trace) out.push({ where: 'traffic.trace', model: null, trace: sc.traffic.trace });
  return out;
}

/** The distinct trace files of these scenarios (for the output folders' input check). */
export function traceFilesOf(scenarios: readonly Scenario[]): string[] {
  return [...new Set(scenarios.flatMap((sc) => scenarioTraces(sc).map((t) => t.trace.file)))];
}

/** Reads, parses and fully validates one scenario file (trace included); throws UserError with every problem. */
export function readScenarioFile(file: string, sets: string[] = [], variant?: string): LoadedScenario {
  // "-": the scenario comes on standard input; its relative paths resolve against the working directory
  const stdin = file === '-';
  const label = stdin ? '<stdin>' : file;
  let text: string;
  try {
    if (stdin) text = readFileSync(0, 'utf8');
    else text = readSmallFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new UserError([`error: ${label}: is a directory, not a scenario file`]);
    throw new UserError([`error: ${label}: cannot read the scenario file (${whyUnreadable(err)})`]);
  }
  let scenario: Scenario;
  try {
    const opts = { file: label, baseDir: stdin ? process.cwd() : dirname(resolve(file)), sets, readFile: readInputFile };
    if (variant === undefined) scenario = loadScenario(text, opts);
    else {
      const { variants } = loadScenarioVariants(text, opts);
      const found = variants.find((v) => v.name === variant);
      if (found === undefined) {
        const names = variants.map((v) => v.name);
        throw new UserError([`error: ${label}: --variant ${variant}: no such variant (${names.length === 0 ? 'the file has none' : `the file has ${names.join(', ')}`})`]);
      }
      scenario = found.scenario;
    }
  } catch (err) {
    if (err instanceof ScenarioError) throw new UserError(err.message.split('\n'));
    throw err;
  }
  for (const { where, trace } of scenarioTraces(scenario)) {
    let lines: (LineSource & { close(): void }) | undefined;
    try {
      if (!statSync(trace.file).isFile()) throw new UserError([`error: ${label}: ${where}.file: ${trace.file} is not a regular file (a pipe, device or socket cannot be replayed)`]);
      lines = fileLineSource(trace.file);
      const scan = scanTrace(lines, trace, trace.file);
      const problem = replayProblem(trace, scan);
      if (problem !== null) throw new UserError([`error: ${label}: ${where}: ${problem}`]);
      const short = traceShortWarning(trace, scan, scenario.durationS);
      // said as the run says it (run.ts adds a trace's short warning unless it is there already); the path names the model's file
      if (short !== null && !scenario.warnings.includes(short)) scenario.warnings.push(short);
    } catch (err) {
      if (err instanceof UserError) throw err;
      if (err instanceof TraceError) throw new UserError([`error: ${label}: ${where}.file: ${err.message}`]);
      const code = (err as NodeJS.ErrnoException).code;
      if (code) throw new UserError([`error: ${label}: ${where}.file: cannot read ${trace.file} (${code === 'ENOENT' ? 'no such file' : code})`]);
      throw err;
    } finally {
      lines?.close();
    }
  }
  const stem = stdin ? 'stdin' : basename(file, extname(file));
  return { file, stem: variant === undefined ? stem : `${stem}/${variant}`, scenario };
}

/** Resolves every variant of a scenario file (`validate` checks the whole file, not only its base); throws UserError with every problem. */
export function checkScenarioVariants(file: string, sets: string[] = []): void {
  if (file === '-') return; // standard input was read once for the base
  try {
    loadScenarioVariants(readSmallFile(file), { file, baseDir: dirname(resolve(file)), sets, readFile: readInputFile });
  } catch (err) {
    if (err instanceof ScenarioError) throw new UserError(err.message.split('\n'));
    throw err;
  }
}

/** Reads several files, collecting the errors of all of them before failing. */
export function readScenarioFiles(files: string[], sets: string[] = [], variant?: string): LoadedScenario[] {
  const loaded: LoadedScenario[] = [];
  const problems: string[] = [];
  if (files.filter((f) => f === '-').length > 1) throw new UserError(['error: standard input (-) can be read only once']);
  for (const f of files) {
    try {
      loaded.push(readScenarioFile(f, sets, variant));
    } catch (err) {
      if (err instanceof UserError) problems.push(...err.lines);
      else throw err;
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  return loaded;
}
