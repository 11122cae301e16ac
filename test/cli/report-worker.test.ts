/**
 * report.html rendered in the worker thread (as `run` does) is the same text as rendered
 * in this thread; a renderer whose worker cannot start still renders (in this thread).
 * The run and the reference rendering use src/; only ReportRenderer comes from the test build
 * (test/helpers/global-setup.ts), because its worker thread loads the compiled report-worker.js
 * next to it: a worker cannot start from the TypeScript source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRunReport } from '../../src/report/html.js';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { DIST, ROOT } from '../helpers/cli.js';

const dist = (p: string): string => pathToFileURL(join(DIST, p)).href;

interface RendererModule {
  ReportRenderer: new () => { render(result: unknown, version: string, command: string): Promise<string>; close(): void };
}

describe('ReportRenderer', () => {
  it('renders in its worker exactly what renderRunReport renders here', async () => {
    const { ReportRenderer } = (await import(dist('cli/report-worker.js'))) as RendererModule;
    const file = join(ROOT, 'scenarios', 'quickstart.yaml');
    const sc = loadScenario(readFileSync(file, 'utf8'), { file, baseDir: join(ROOT, 'scenarios'), sets: ['duration=120s'] });
    const result = simulate(sc);
    const here = await renderRunReport({ result, version: '9.9.9', command: 'npx infersim run x.yaml' });
    const renderer = new ReportRenderer();
    try {
      const there = await renderer.render(result, '9.9.9', 'npx infersim run x.yaml');
      expect(there).toBe(here);
      expect(there).toContain('<svg');
      // a second report through the same worker matches a second one here (vega numbers
      // its clip paths per process, so a second document differs from the first in both)
      const here2 = await renderRunReport({ result, version: '9.9.9', command: 'npx infersim run x.yaml' });
      expect(await renderer.render(result, '9.9.9', 'npx infersim run x.yaml')).toBe(here2);
    } finally {
      renderer.close();
    }
  }, 60_000);

  it('falls back to rendering in this thread when its worker is gone', async () => {
    const { ReportRenderer } = (await import(dist('cli/report-worker.js'))) as RendererModule;
    const file = join(ROOT, 'scenarios', 'quickstart.yaml');
    const sc = loadScenario(readFileSync(file, 'utf8'), { file, baseDir: join(ROOT, 'scenarios'), sets: ['duration=60s'] });
    const renderer = new ReportRenderer();
    renderer.close();
    const html = await renderer.render(simulate(sc), '9.9.9', 'x');
    expect(html).toContain('<svg');
  }, 60_000);
});
