#!/usr/bin/env node
// Golden outputs for a refactor: runs every shipped scenario (base and each variant) and
// every file of a fuzz corpus (see corpus.gen.ts) through the built CLI, keeping
// summary.json (without its `engine` timing block) and every CSV each run writes.
//   node test/golden/golden.mjs <corpus-dir> <out-dir>
// then `diff -r before after` must print nothing.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { join, basename, resolve } from 'node:path';
import { parse } from 'yaml';

const [corpus, outArg] = process.argv.slice(2);
if (!corpus || !outArg) { console.error('usage: golden.mjs <corpus-dir> <out-dir>'); process.exit(2); }
const out = resolve(outArg);
const root = resolve(new URL('../..', import.meta.url).pathname);
const bin = join(root, 'bin/infersim.js');
const jobs = [];
for (const f of readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort()) {
  const file = join(root, 'scenarios', f);
  const doc = parse(readFileSync(file, 'utf8'));
  jobs.push({ id: basename(f, '.yaml'), args: [file] });
  for (const v of Object.keys(doc?.variants ?? {})) jobs.push({ id: `${basename(f, '.yaml')}@${v}`, args: [file, '--variant', v] });
}
for (const f of readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort()) jobs.push({ id: basename(f, '.yaml'), args: [join(resolve(corpus), f)] });

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const work = join(out, '.work');
let next = 0, failed = 0;
function walk(dir) { return readdirSync(dir).flatMap((e) => statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)).map((x) => join(e, x)) : [e]); }
async function worker() {
  while (next < jobs.length) {
    const job = jobs[next++];
    const dir = join(work, job.id);
    const code = await new Promise((res) => {
      const p = spawn(process.execPath, [bin, 'run', ...job.args, '--out', dir, '-q', '--no-report', '--format', 'json'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (c) => { if (c !== 0 && c !== 3) console.error(`${job.id}: exit ${c}\n${err}`); res(c); });
    });
    const keep = join(out, job.id);
    mkdirSync(keep, { recursive: true });
    writeFileSync(join(keep, 'exit'), `${code}\n`);
    if (code !== 0 && code !== 3) { failed++; continue; }
    for (const f of walk(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('summary.json')) {
        const s = JSON.parse(text);
        delete s.engine;
        mkdirSync(join(keep, f, '..'), { recursive: true });
        writeFileSync(join(keep, f), JSON.stringify(s, null, 1));
      } else if (f.endsWith('.csv')) {
        mkdirSync(join(keep, f, '..'), { recursive: true });
        writeFileSync(join(keep, f), text);
      }
    }
  }
}
await Promise.all([worker(), worker()]);
rmSync(work, { recursive: true, force: true });
console.log(`${jobs.length} runs, ${failed} failed, outputs in ${out}`);
