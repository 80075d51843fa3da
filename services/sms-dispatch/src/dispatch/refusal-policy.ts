import type { TaskSubmitResult } from '@dailydesk/skyline';

/**
 * What a per-task answer of the gateway means for that message:
 * - `sent`: the gateway holds the task (0 OK; or 13 Duplicated TaskId for a tid we may have POSTed before);
 * - `retry-same`: not accepted, nothing to fix on our side; resend the same tid/port after a back-off;
 * - `reassign`: the port cannot take it (2 Invalid Port, 5 SIM Unregistered) or the tid collides with a task we
 *   never sent (13 on a tid never POSTed); give it a new tid and another port;
 * - `reject`: the request as built can never succeed; SmsFailed gateway-rejected;
 * - `resolve`: the reply does not say (tid missing from the reply); resolve from the gateway's state.
 */
export type TaskAction =
  | { kind: 'sent' }
  | { kind: 'retry-same'; code: number; slowDown: boolean }
  | { kind: 'reassign'; code: number; portProblem: boolean }
  | { kind: 'reject'; code: number; text: string }
  | { kind: 'resolve' };

/** 4 Pending USSD, 6 Timeout, 7 Server Error, 10 Pending Transaction, 16 Too Many Task: the gateway is busy. */
const TRANSIENT = new Set([4, 6, 7, 10, 16]);
const PORT_PROBLEM = new Set([2, 5]);

/** Decides from one task's answer; `maybePosted`: a POST carrying this tid may have reached the gateway before. */
export function actionFor(result: TaskSubmitResult, maybePosted: boolean): TaskAction {
  if (result.status === 'accepted') return { kind: 'sent' };
  if (result.status === 'missing') return { kind: 'resolve' };
  const { code } = result;
  if (code === 13) return maybePosted ? { kind: 'sent' } : { kind: 'reassign', code, portProblem: false };
  if (TRANSIENT.has(code)) return { kind: 'retry-same', code, slowDown: code === 16 };
  if (PORT_PROBLEM.has(code)) return { kind: 'reassign', code, portProblem: true };
  // 1 Invalid User, 14 Unauthorized, 3/8/9/11/12/15 malformed, 17-20 MMS, unknown codes: resending cannot help.
  return { kind: 'reject', code, text: result.text };
}

/** Exponential back-off with a ceiling: base · 2^(attempt-1), at most 60 × base. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), baseMs * 60);
}
