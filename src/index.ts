/**
 * The library API: load a scenario, simulate it, read the summary and timeline.
 *
 *   import { loadScenario, simulate } from 'infersim';
 *   const sc = loadScenario(yamlText, { file: 'x.yaml', baseDir: '.' });
 *   const { summary, timeline } = simulate(sc);
 *
 * Nothing here reads files, the clock or the environment: hosts pass text (and a
 * readFile for manifests, a LineSource for traces) in.
 */
export { simulate, startRun, type RunResult, type RunHandle, type SimulateOptions } from './run.js';
export { loadScenario, loadScenarioVariants, resolveScenario, applySets, ScenarioError, type ScenarioIssue, type LoadOptions } from './scenario/load.js';
export { ISSUE_CODES, type IssueCode } from './scenario/issues.js';
export type { Scenario } from './config/scenario.js';
export type { Summary } from './metrics/summary.js';
export { Timeline, TIMELINE_COLUMNS } from './metrics/timeline.js';
export { TraceReader, type LineSource } from './workload/trace.js';
export * as capacity from './theory/capacity.js';
export * as catalog from './catalog/index.js';
/** The catalog as the `infersim catalog` text (formatting lives in report/, so it is no longer catalog.formatCatalog). */
export { formatCatalog } from './report/catalog.js';
