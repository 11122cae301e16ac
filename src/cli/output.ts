/** Writing result files: each written whole to a temporary name, then renamed. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { colorWanted, DEFAULT_WIDTH, type TerminalStyle } from '../report/table.js';

/** Writes `text` to `dir/name` atomically (creating `dir`). */
export function writeResult(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
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
