/**
 * The one shape of a scenario problem, whichever check found it (the zod schema, the
 * HPA manifest reader, the KPA check, the simulation limits, imported files, `--set`):
 * `{ code, path, message }`, as zod's own issues. `code` is a stable name from
 * ISSUE_CODES (tests and tools key on it, never on the wording), `path` the field in
 * the scenario file as segments (list indices are numbers), `message` the user's text
 * without the path (messages.ts). The CLI prints `error: <file>: <path>: <message>`.
 */

/**
 * Every code a scenario issue can carry, each with what it means. zod's names where one
 * fits (invalid_type, too_small, too_big, invalid_enum_value); our own where zod has
 * none. Add a code here before any check emits it (test/scenario/issues.test.ts checks).
 */
export const ISSUE_CODES = {
  invalid_type: 'the value is of the wrong kind: a string for a number, a list for a mapping, a fraction for an integer, an infinite number',
  required: 'a field that must be given is missing',
  too_small: 'a number (or duration, size) below the lowest value the field accepts',
  too_big: 'a number (or duration, size) above the highest value the field accepts',
  invalid_enum_value: 'a word that is not one of the field\'s options',
  invalid_format: 'a string that does not parse as what the field holds: a duration, a size, a Kubernetes quantity, a name with control characters',
  unknown_key: 'a key the mapping does not have (usually a typo: the message suggests the closest name)',
  unknown_reference: 'a name that refers to nothing known: a GPU, MIG profile or latency profile not in the catalog (or a profile without a table for the GPU), a region not in regions',
  cross_field: 'a rule over several fields fails: warmup below duration, one of two exclusive fields, a field that applies to another kind, bounds in order, shares summing to 1',
  unsupported: 'valid input this version of infersim cannot simulate',
  limit_exceeded: 'the run would be too large to simulate in reasonable time and memory (LIMITS in load.ts)',
  invalid_syntax: 'the text is not valid YAML, JSON or the imported file\'s own format',
  invalid_override: 'a --set argument that is not a well-formed path=value',
  invalid_file: 'a file the scenario points at does not hold what the field says: an HPA manifest without a usable HorizontalPodAutoscaler, a config.pbtxt, perf_analyzer CSV or Prometheus JSON with a problem (the message names the place in the file)',
  file_unreadable: 'a file the scenario points at cannot be read',
} as const satisfies Record<string, string>;

export type IssueCode = keyof typeof ISSUE_CODES;

export type IssuePath = (string | number)[];

/** One problem in a scenario: a stable code, the field's path (`[]` for the document itself) and what is wrong. */
export interface ScenarioIssue {
  code: IssueCode;
  path: IssuePath;
  message: string;
}

export function isIssueCode(x: unknown): x is IssueCode {
  return typeof x === 'string' && Object.hasOwn(ISSUE_CODES, x);
}

/** The path as the user writes it (and as `--set` takes it): segments joined by dots, "" for the document. */
export function pathText(path: readonly (string | number)[]): string {
  return path.join('.');
}

/** A path written as text, dots between names and `[i]` for list indices (kubectl's `spec.metrics[0].type`), as segments: ['spec', 'metrics', 0, 'type']. */
export function pathSegments(text: string): IssuePath {
  const out: IssuePath = [];
  if (text === '') return out;
  for (const part of text.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) {
      out.push(part);
      continue;
    }
    if (m[1] !== '') out.push(m[1]!);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** The CLI's line for one issue: `error: <file>: <path>: <message>` (no path segment for the document). */
export function formatIssue(file: string, issue: ScenarioIssue): string {
  return issue.path.length === 0 ? `error: ${file}: ${issue.message}` : `error: ${file}: ${pathText(issue.path)}: ${issue.message}`;
}

/** An invalid scenario; `message` holds one `error: <file>: <path>: <message>` line per issue. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** The same issue found under `prefix` (a variant, a region). */
export function under(prefix: IssuePath, issue: ScenarioIssue): ScenarioIssue {
  return { code: issue.code, path: [...prefix, ...issue.path], message: issue.message };
}
