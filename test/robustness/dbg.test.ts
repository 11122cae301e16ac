import { it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/run.js';
it('dbg', () => {
  const text = "name: x\nduration: 115.128\ntraffic:\n  rate: 1\nmodel:\n  latency: { 1: 300us }\nreport: { interval: 1 }\n";
  const r = simulate(loadScenario(text, { file: 'a', baseDir: '/' }));
  console.log(r.timeline.rows.length, r.timeline.column('timeS').slice(-3), r.summary.simulatedSeconds);
});
