/**
 * `infersim merge DIR... [--out DIR]`: combines the sweep.json of each shard (`sweep --shard i/n`)
 * into the sweep.csv and sweep.json an unsharded sweep would have written. Exit 2 when the
 * parts come from different sweeps or a point is missing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { aggregatePoint, mergeSweeps, SweepMergeError, sweepDocumentProblem, type PointResult, type SweepDocument } from '../analysis/sweep.js';
import { gridPoint, inShard, MAX_GRID_POINTS, type Axis } from '../analysis/grid.js';
import { EXIT, UserError } from './errors.js';
import { claimOutputDirs, errnoWords, outputDir, WriteError, writeResult } from './output.js';
import { MAX_SEEDS, printSweep, sweepReport, writeSweep } from './sweep.js';

export interface MergeCommandOptions {
  out?: string;
  format: 'table' | 'json';
  quiet: boolean;
  report?: boolean;
  wide?: boolean;
}

/** Largest sweep.json merge reads (Node's longest string is ~512 MiB; 10^5 runs take ~500 MB). */
export const MAX_PART_BYTES = 512 * 1024 * 1024;

/** Whether `stem` can name a results folder: one path segment, printable, not "." or "..". */
function safeStem(stem: unknown): stem is string {
  return typeof stem === 'string' && stem !== '' && stem.length <= 200 && stem !== '.' && stem !== '..' && !/[/\\\u0000-\u001f\u007f-\u009f]/.test(stem);
}

const isInt = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;

/**
 * What is wrong with a parsed sweep.json beyond its kind and version, or null: the structure merge
 * relies on (axes, point count, points with their runs), and every point's figures recomputed from
 * its own runs (a part edited by hand, or damaged, is refused rather than merged).
 */
export function partProblem(doc: SweepDocument): string | null {
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.axes) || !Array.isArray(doc.points)) return 'sweep.json is incomplete (axes or points missing)';
  if (!safeStem(doc.stem)) return `"stem" must be a file name without folders (got ${JSON.stringify(doc.stem)})`;
  if (typeof doc.scenario !== 'string') return '"scenario" must be a string';
  if (!Array.isArray(doc.sets) || !doc.sets.every((x) => typeof x === 'string')) return '"sets" must be a list of strings';
  if (!isInt(doc.seeds, 1, MAX_SEEDS)) return `"seeds" must be an integer from 1 to ${MAX_SEEDS}`;
  let size = 1;
  for (const [i, a] of (doc.axes as unknown[]).entries()) {
    const ax = a as Partial<Axis> | null;
    if (typeof ax !== 'object' || ax === null || typeof ax.path !== 'string' || !Array.isArray(ax.values) || !Array.isArray(ax.texts) || ax.values.length === 0 || ax.values.length !== ax.texts.length) {
      return `axes.${i}: must be { path, values, texts } with as many texts as values (at least one)`;
    }
    size *= ax.values.length;
    if (size > MAX_GRID_POINTS) return `the axes make more than ${MAX_GRID_POINTS} points`;
  }
  if (doc.axes.length === 0) return '"axes" is empty';
  if (doc.pointCount !== size) return `"pointCount" ${JSON.stringify(doc.pointCount)} is not the axes' ${size} points`;
  if (doc.shard !== null && (typeof doc.shard !== 'object' || !isInt(doc.shard.count, 1, MAX_GRID_POINTS) || !isInt(doc.shard.index, 0, doc.shard.count - 1))) {
    return '"shard" must be null or { index, count } with 0 ≤ index < count';
  }
  const seen = new Set<number>();
  for (const [k, p] of (doc.points as unknown[]).entries()) {
    const pt = p as Partial<PointResult> | null;
    if (typeof pt !== 'object' || pt === null || !isInt(pt.index, 0, size - 1)) return `points.${k}: "index" must be an integer from 0 to ${size - 1}`;
    if (seen.has(pt.index)) return `points.${k}: point ${pt.index} appears twice`;
    seen.add(pt.index);
    if (doc.shard !== null && !inShard(pt.index, doc.shard)) return `points.${k}: point ${pt.index} is not in shard ${doc.shard.index}/${doc.shard.count}`;
    if (!Array.isArray(pt.runs) || pt.runs.length !== doc.seeds) return `points.${k}: "runs" must hold the summary of each of the ${doc.seeds} seed(s)`;
    let again: PointResult;
    try {
      again = aggregatePoint(gridPoint(doc.axes, pt.index), pt.runs);
    } catch {
      return `points.${k}: its runs are not summaries infersim wrote`;
    }
    if (JSON.stringify(again) !== JSON.stringify(pt)) return `points.${k} (point ${pt.index}): its figures do not match its own runs (edited or damaged)`;
  }
  return null;
}

/** Reads DIR/sweep.json (or a .json file given directly); throws UserError. */
function readPart(input: string): { label: string; doc: SweepDocument } {
  const path = existsSync(input) && statSync(input).isDirectory() ? join(input, 'sweep.json') : input;
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError([`error: ${path}: not a regular file (a sweep.json, or the folder holding one)`]);
    if (st.size > MAX_PART_BYTES) throw new UserError([`error: ${path}: ${st.size} bytes, more than a sweep.json can be (${MAX_PART_BYTES})`]);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError([`error: ${path}: cannot read the sweep (${errnoWords(err)})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError([`error: ${path}: not valid JSON (${(err as Error).message})`]);
  }
  const problem = sweepDocumentProblem(parsed) ?? partProblem(parsed as SweepDocument);
  if (problem !== null) throw new UserError([`error: ${path}: ${problem}`]);
  return { label: path, doc: parsed as SweepDocument };
}

/** The merge command; returns the exit code. */
export async function mergeCommand(inputs: string[], o: MergeCommandOptions): Promise<number> {
  const parts: { label: string; doc: SweepDocument }[] = [];
  const problems: string[] = [];
  for (const input of inputs) {
    try {
      parts.push(readPart(input));
    } catch (err) {
      if (err instanceof UserError) problems.push(...err.lines);
      else throw err;
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  let doc: SweepDocument;
  try {
    doc = mergeSweeps(parts);
  } catch (err) {
    if (err instanceof SweepMergeError) throw new UserError(err.lines);
    throw err;
  }
  const dir = outputDir(doc.stem, o.out, false);
  const release = claimOutputDirs([dir], parts.map((p) => p.label));
  try {
    writeSweep(dir, doc);
    if (o.report !== false) writeResult(dir, 'report.html', await sweepReport(doc));
  } catch (err) {
    if (err instanceof WriteError) printSweep(doc, '(not written)', o);
    throw err;
  } finally {
    release();
  }
  printSweep(doc, dir, o);
  return EXIT.ok;
}

/** Adds `merge` to the program; `setExit` receives the exit code. */
export function registerMerge(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('combine the folders of a sharded sweep (sweep --shard i/n) into one sweep.csv, sweep.json and report.html')
    .argument('<dir...>', 'folders holding a shard\'s sweep.json (or the sweep.json files)')
    .option('--out <dir>', 'output folder (default results/<scenario file name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'no log lines on stderr', false)
    .option('--no-report', 'do not write report.html')
    .option('--wide', 'tables as wide as they need (default: fit 100 columns)', false)
    .action(async (dirs: string[], o: MergeCommandOptions) => {
      setExit(await mergeCommand(dirs, o));
    });
}
