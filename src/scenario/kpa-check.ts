/**
 * Knative's limits on a KPA configuration (pkg/apis/autoscaling), checked where the user
 * wrote the field. The ranges of single fields are the schema's own (schema.ts builds the
 * autoscaler's kpa leaves from KNATIVE below, so the loader, the JSON Schema and
 * `infersim explain` state one range); what needs several fields is checked here, on the
 * configuration with Knative's defaults filled in.
 */
import * as M from './messages.js';
import type { ScenarioIssue } from './issues.js';
import { KNATIVE } from '../config/kpa.js';


/**
 * The problems of a KPA configuration that no single field shows: `written` is what the
 * scenario set under `autoscaler`, `resolved` the same with Knative's defaults filled in.
 */
export function kpaConfigIssues(
  written: { target?: number | undefined; targetUtilization?: number | undefined },
  resolved: { target: number; targetUtilization: number },
): ScenarioIssue[] {
  const perPod = resolved.target * resolved.targetUtilization;
  if (perPod >= KNATIVE.targetMin) return [];
  // the field the user wrote (a default is not theirs to change); target when both are
  const field = written.target === undefined && written.targetUtilization !== undefined ? 'targetUtilization' : 'target';
  return [{ code: 'cross_field', path: ['autoscaler', field], message: M.kpaTargetTooSmall(resolved.target, resolved.targetUtilization, KNATIVE.targetMin) }];
}
