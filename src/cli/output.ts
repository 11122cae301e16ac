/** Writing result files: each written whole to a temporary name, then renamed. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
