// Browser check of report.html (run after `npm run build`): renders a run, a compare,
// a sweep, an LLM run and an LLM compare report from the compiled dist/ modules, opens each in Debian's
// chromium (apt-get install chromium) through playwright-core, and fails on any
// console error, page error or network request, or on a chart drawn empty.
// It also checks legibility at 100 % zoom: every chart fits the page without being shrunk,
// and its axis and legend text is at least 10 px as rendered.
// Full-page screenshots go to results/screenshots/{run,compare,sweep,sweep-flagship,llm,llm-compare,llm-compare-15}.png
// (SCREENSHOTS_DIR overrides).
//
//   npm run build && npm run test:browser
//   (KEEP_REPORTS=1 keeps the generated HTML files and prints their folder; CHROMIUM_PATH overrides /usr/bin/chromium)
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { simulate } = await import(pathToFileURL(join(root, 'dist/run.js')).href);
const { renderRunReport, renderCompareReport, renderSweepReport } = await import(pathToFileURL(join(root, 'dist/report/html.js')).href);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const { loadScenario } = await import(pathToFileURL(join(root, 'dist/scenario/load.js')).href);
const { loadLlmScenario } = await import(pathToFileURL(join(root, 'dist/llm/scenario.js')).href);
const { runLlmFleet } = await import(pathToFileURL(join(root, 'dist/llm/fleet.js')).href);
const { renderLlmRunReport, renderLlmCompareReport } = await import(pathToFileURL(join(root, 'dist/report/llm-html.js')).href);

// An LLM run: chat traffic stepping 4 → 16 req/s onto 2 replicas with a KV cache small enough to
// preempt, a shared system prompt, and a KPA, so every LLM chart has something to draw.
const LLM_YAML = `
name: browser check llm <b>
seed: 5
duration: 5m
warmup: 30s
slo: { ttft: { p99: 500ms }, tpot: { p99: 40ms } }
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 2
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 600 }
  stepTime: { beta0: 6ms, beta1: 0.00003, beta2: 0.0001, beta3: 0.0000001 }
  coldStart: { loadBandwidth: 4GB }
  autoscaler: { kind: kpa, target: 20, maxReplicas: 6, stableWindow: 30s }
traffic:
  rate: [ { at: 0s, rate: 4 }, { at: 2m, rate: 16 } ]
  tokens: { prompt: { lognormal: { mean: 600, cv: 1, max: 4000 } }, output: { lognormal: { mean: 200, cv: 1, max: 2000 } } }
  systemPrompt: 200
report: { interval: 5s }
`;
const llmScenario = loadLlmScenario(LLM_YAML, { file: 'llm.yaml', baseDir: root, readFile: () => '' });
const llmRun = runLlmFleet(llmScenario.spec);
// compared with 3 replicas and no autoscaler (the LLM compare report: the runs overlaid)
const llmFixed = loadLlmScenario(LLM_YAML.replace('replicas: 2', 'replicas: 3').replace(/^  autoscaler: .*\n/m, ''), { file: 'llm.yaml', baseDir: root, readFile: () => '' });
const llmFixedRun = runLlmFleet(llmFixed.spec);

// A 20-minute ramp from 300 to 1 300 requests/s onto a small fleet, so queues and p99 move.
const SCENARIO_YAML = `
name: browser check <b>& "quotes"
seed: 3
duration: 20m
warmup: 1m
slo: { p99: 50ms, maxErrorRate: 0.01 }
traffic:
  rate: [ { at: 0s, rps: 300 }, { at: 10m, rps: 1300, ramp: 5m } ]
model:
  latency: { 1: 4ms, 16: 14ms }
  variability: { dist: lognormal, cv: 0.1 }
  responseBytes: 1KiB
fleet:
  replicas: 1
  batching: { maxBatch: 16, maxQueueDelay: 2ms }
  queue: { maxDepth: 2000, timeout: 1s }
  routing: least-outstanding
cost: { gpuHourly: 0.8, egressPerGB: 0.09 }
report: { interval: 5s }
`;

/** The scenario resolved by the real loader (defaults filled in), with `sets` overrides. */
function scenario(sets = []) {
  return loadScenario(SCENARIO_YAML, { file: 'browser.yaml', baseDir: root, sets });
}

const version = 'browser-check';
const one = simulate(scenario());
const two = simulate(scenario(['fleet.replicas=2']), { variant: 'two replicas' });
const points = [];
for (const routing of ['random', 'least-outstanding']) {
  for (const replicas of [1, 2, 3, 4]) {
    const p99 = 400 / replicas ** 2 + (routing === 'random' ? 8 : 0);
    points.push({
      values: { 'fleet.replicas': replicas, 'fleet.routing': routing },
      p99Ms: p99,
      p99MsLo: p99 * 0.9,
      p99MsHi: p99 * 1.15,
      costUsd: 0.8 * replicas,
      sloMet: p99 <= 50,
    });
  }
}
const chosenIndex = points.findIndex((p) => p.sloMet && p.values['fleet.routing'] === 'least-outstanding');

// The README's flagship sweep shape: 3 GPUs × 2 batch sizes × 5 replica counts (30 points),
// with figures of the right magnitudes (a categorical first axis, a monthly cost).
const flagship = [];
const gpus = { t4: { rps: 950, hourly: 0.53 }, l4: { rps: 1900, hourly: 0.8 }, 'a100-40gb': { rps: 4200, hourly: 3.67 } };
for (const [gpu, g] of Object.entries(gpus)) {
  for (const maxBatch of [16, 32]) {
    for (let replicas = 1; replicas <= 5; replicas++) {
      const rho = 4000 / (replicas * g.rps * (maxBatch === 32 ? 1.1 : 1));
      const p99 = rho >= 1 ? 480 + 40 * replicas : 8 + 6 / (1 - rho);
      const monthly = replicas * g.hourly * 730 + 1350;
      flagship.push({ values: { 'fleet.gpu': gpu, 'fleet.batching.maxBatch': maxBatch, 'fleet.replicas': replicas }, p99Ms: p99, costUsd: monthly / 730 / 5, monthlyUsd: monthly, sloMet: p99 <= 100 });
    }
  }
}
let flagshipChosen = null;
flagship.forEach((p, i) => {
  if (p.sloMet && (flagshipChosen === null || p.monthlyUsd < flagship[flagshipChosen].monthlyUsd)) flagshipChosen = i;
});

const reports = {
  run: await renderRunReport({ result: one, version, command: 'npx infersim run browser.yaml --seed 3' }),
  compare: await renderCompareReport({ results: [one, two], labels: ['one replica', 'two <replicas>'], version, command: 'npx infersim compare browser.yaml' }),
  sweep: await renderSweepReport({
    points,
    varied: ['fleet.replicas', 'fleet.routing'],
    sloP99Ms: 50,
    chosenIndex,
    version,
    command: 'npx infersim sweep browser.yaml --vary fleet.replicas=1,2,3,4 --vary fleet.routing=random,least-outstanding',
    title: 'Sweep: replicas × routing',
  }),
  'sweep-flagship': await renderSweepReport({
    points: flagship,
    varied: ['fleet.gpu', 'fleet.batching.maxBatch', 'fleet.replicas'],
    sloP99Ms: 100,
    chosenIndex: flagshipChosen,
    version,
    command: 'npx infersim sweep scenarios/bert-10k-qps.yaml --vary fleet.gpu=t4,l4,a100-40gb --vary fleet.batching.maxBatch=16,32 --vary fleet.replicas=1..5',
    title: 'bert-10k-qps: sweep of fleet.gpu × fleet.batching.maxBatch × fleet.replicas',
  }),
  llm: await renderLlmRunReport({ sc: llmScenario, results: llmRun.results, timeline: llmRun.timeline, version, command: 'npx infersim run llm.yaml --seed 5' }),
  'llm-compare': await renderLlmCompareReport({
    runs: [
      { label: 'kpa <2–6>', sc: llmScenario, ...llmRun },
      { label: 'three fixed', sc: llmFixed, ...llmFixedRun },
    ],
    version,
    command: 'npx infersim compare llm.yaml',
  }),
  // as many variants as scenarios/llm-chat-azure.yaml has: the run legend wraps into a grid, 20 colours
  'llm-compare-15': await renderLlmCompareReport({
    runs: Array.from({ length: 15 }, (_, i) => (i % 2 === 0 ? { label: `h100-tp2-x${i + 1}-budget2k`, sc: llmScenario, ...llmRun } : { label: `a100-x${i + 1}`, sc: llmFixed, ...llmFixedRun })),
    version,
    command: 'npx infersim compare llm.yaml',
  }),
};

const tmp = mkdtempSync(join(tmpdir(), 'infersim-reports-'));
const shots = process.env.SCREENSHOTS_DIR ?? join(root, 'results/screenshots');
mkdirSync(shots, { recursive: true });
const failures = [];
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const [name, html] of Object.entries(reports)) {
    const file = join(tmp, `${name}.html`);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
    // a report is one file: the only request is the document itself
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`unexpected request: ${r.url()}`);
    });
    await page.goto(url, { waitUntil: 'load' });
    const svgs = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg')).map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = Array.from(svg.querySelectorAll('g[class*="role-mark"] path, g[class*="role-mark"] line, g[class*="role-mark"] rect')).filter((el) => {
          const b = el.getBoundingClientRect();
          return b.width > 0 || b.height > 0;
        });
        const figure = svg.closest('figure');
        // legibility at 100 % zoom: the chart is drawn at (at most) its own size, inside the
        // page, and no axis or legend text is smaller than 10 px as rendered
        const intrinsic = Number(svg.getAttribute('width')) || box.width;
        const scale = box.width / intrinsic;
        let minFont = Infinity;
        let smallest = '';
        for (const t of svg.querySelectorAll('g[class*="role-axis"] text, g[class*="role-legend"] text')) {
          if (!t.textContent) continue;
          const px = parseFloat(getComputedStyle(t).fontSize) * scale;
          if (px < minFont) {
            minFont = px;
            smallest = t.textContent;
          }
        }
        return {
          id: figure ? figure.id : '(no figure)',
          width: box.width,
          height: box.height,
          marks: marks.length,
          intrinsic,
          scale,
          minFont,
          smallest,
          right: box.right,
          pageWidth: document.documentElement.clientWidth,
        };
      }),
    );
    if (svgs.length === 0) problems.push('no <svg> in the page');
    for (const s of svgs) {
      if (!(s.width > 0 && s.height > 0)) problems.push(`${s.id}: svg has zero size (${s.width}×${s.height})`);
      if (s.marks === 0) problems.push(`${s.id}: svg has no drawn marks`);
      if (s.intrinsic > s.pageWidth || s.right > s.pageWidth + 0.5) problems.push(`${s.id}: chart ${s.intrinsic.toFixed(0)} px wide, wider than the page (${s.pageWidth} px)`);
      if (s.scale < 0.98) problems.push(`${s.id}: chart shrunk to ${(s.scale * 100).toFixed(0)} % to fit the page`);
      if (s.minFont < 10) problems.push(`${s.id}: axis/legend text ${s.minFont.toFixed(1)} px ("${s.smallest}"), under 10 px`);
    }
    const shot = join(shots, `${name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    await page.close();
    const kb = (statSync(file).size / 1024).toFixed(0);
    console.log(`${name}: ${svgs.length} charts (${svgs.map((s) => `${s.id}:${s.marks}`).join(', ')}), ${kb} KiB, screenshot ${shot}`);
    for (const p of problems) failures.push(`${name}: ${p}`);
  }
} finally {
  await browser.close();
  if (!process.env.KEEP_REPORTS) rmSync(tmp, { recursive: true, force: true });
  else console.log(`reports kept in ${tmp}`);
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  console.log(`browser: ${Object.keys(reports).length - new Set(failures.map((f) => f.split(':')[0])).size} passed, ${new Set(failures.map((f) => f.split(':')[0])).size} failed`);
  process.exit(1);
}
console.log(`browser: ${Object.keys(reports).length} passed, 0 failed`);
