/**
 * `infersim merge DIR... [--out DIR]`: combines the sweep.json of each shard (`sweep --shard i/n`)
 * into the sweep.csv and sweep.json an unsharded sweep would have written. Exit 2 when the
 * parts come from different sweeps or a point is missing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { mergeSweeps, SweepMergeError, sweepDocumentProblem, type SweepDocument } from '../analysis/sweep.js';
import { EXIT, UserError } from './errors.js';
import { outputDir, writeResult } from './output.js';
import { printSweep, sweepReport, writeSweep } from './sweep.js';

export interface MergeCommandOptions {
  out?: string;
  format: 'table' | 'json';
  quiet: boolean;
  report?: boolean;
  wide?: boolean;
}

/** Reads DIR/sweep.json (or a .json file given directly); throws UserError. */
function readPart(input: string): { label: string; doc: SweepDocument } {
  const path = existsSync(input) && statSync(input).isDirectory() ? join(input, 'sweep.json') : input;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError([`error: ${path}: cannot read the sweep (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError([`error: ${path}: not valid JSON (${(err as Error).message})`]);
  }
  const problem = sweepDocumentProblem(parsed);
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
  writeSweep(dir, doc);
  if (o.report !== false) writeResult(dir, 'report.html', await sweepReport(doc));
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
