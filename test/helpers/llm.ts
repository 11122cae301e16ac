/** What an LLM scenario load reports, for the tests of the LLM loader's messages. */
import { LlmScenarioError } from '../../src/llm/scenario.js';
import type { ScenarioIssue } from '../../src/scenario/issues.js';

/** The problems `load()` throws: its issues and its `error: <file>: <path>: <message>` lines; none when it loads. */
export function llmProblems(load: () => unknown): { issues: ScenarioIssue[]; lines: string[] } {
  try {
    load();
  } catch (e) {
    if (e instanceof LlmScenarioError) return { issues: e.issues, lines: e.lines };
    throw e;
  }
  return { issues: [], lines: [] };
}
