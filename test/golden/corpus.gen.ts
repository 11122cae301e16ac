/**
 * Writes the refactor fuzz corpus: GOLDEN_COUNT (default 320) valid scenarios drawn
 * by the robustness generator from a fixed seed, as golden-NNN.yaml in GOLDEN_CORPUS.
 * Not part of `npm test` (its name does not end in .test.ts); run it with
 *   GOLDEN_CORPUS=/tmp/corpus npx vitest run --config test/golden/vitest.config.ts
 * and compare outputs before and after a refactor with test/golden/golden.sh.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { renderDoc, scenarioDoc } from '../robustness/arbitraries.js';

const SEED = 20_261_204;

it('writes the corpus', () => {
  const dir = process.env.GOLDEN_CORPUS;
  if (!dir) throw new Error('set GOLDEN_CORPUS to the folder to write');
  const count = Number(process.env.GOLDEN_COUNT ?? 320);
  mkdirSync(dir, { recursive: true });
  const docs = fc.sample(scenarioDoc(), { seed: SEED, numRuns: count });
  docs.forEach(({ doc }, i) => {
    const id = `golden-${String(i).padStart(3, '0')}`;
    writeFileSync(join(dir, `${id}.yaml`), renderDoc({ ...doc, name: id }, 'yaml-block'));
  });
});
