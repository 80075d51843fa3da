import type { EnvelopeBase } from '@dailydesk/contracts';
import { mayHaveTakenEffect, type SkylineError, type TaskSubmitResult } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { Job, Memo } from './dispatch-jobs';
import { smsFailed, smsSent } from './outcome-events';
import type { PortPacer } from './port-pacer';
import { actionFor, retryDelayMs } from './refusal-policy';
import type { WaitingQueue } from './waiting-queue';

/** What one POST's answer decided: the outcomes to store (their texts leave the queue once stored), and a pause. */
export interface Settlement {
  readonly outcomes: EnvelopeBase[];
  /** Message ids of `outcomes`. */
  readonly finished: string[];
  /** `16 Too Many Task`: no POST before this instant (ms), or null. */
  readonly pauseUntil: number | null;
}

/** What settling changes besides the outcomes: each text's memo, the pacer's budget, the waiting queue. */
export interface SettlementContext {
  readonly memo: Map<string, Memo>;
  readonly pacer: PortPacer;
  readonly queue: WaitingQueue;
  readonly o: { readonly maxAttempts: number; readonly retryBaseMs: number };
  readonly logger: Logger;
}

/**
 * Maps each job of one POST to what happens next (refusal-policy.ts): sent → SmsSent; refused for good or out of
 * attempts → SmsFailed; otherwise back to the queue to resend, reassign or resolve, with its back-off. A transport
 * failure with no answer: a POST that never left (or got a 4xx) is resent; one that may have reached the gateway is
 * resolved from the gateway's state first.
 */
export function settle(jobs: Job[], results: TaskSubmitResult[] | null, failure: SkylineError | null, nowMs: number, c: SettlementContext): Settlement {
  const now = new Date(nowMs).toISOString();
  const outcomes: EnvelopeBase[] = [];
  const finished: string[] = [];
  let pauseUntil: number | null = null;
  jobs.forEach((j, i) => {
    const memo = c.memo.get(j.row.message_id)!;
    const f = failure?.failure;
    const result: TaskSubmitResult | null = results
      ? (results[i] ?? { tid: j.tid, status: 'missing' })
      : f?.kind === 'gateway-refused'
        ? { tid: j.tid, status: 'refused', code: f.code, refusal: 'unknown-code', text: f.reason }
        : null;
    if (result === null) {
      if (!mayHaveTakenEffect(f!)) Object.assign(memo, { maybePosted: j.maybePosted, next: 'resend' });
      else memo.next = 'resolve';
      memo.notBeforeMs = nowMs + retryDelayMs(1, c.o.retryBaseMs);
      c.pacer.refund(j.port);
      c.queue.putBack(j.row.message_id);
      return;
    }
    const action = actionFor(result, j.maybePosted);
    if (action.kind === 'sent') {
      outcomes.push(smsSent(j.row, j.tid, j.port, now));
      finished.push(j.row.message_id);
      return;
    }
    c.pacer.refund(j.port);
    if (action.kind === 'resolve') {
      memo.next = 'resolve';
      c.queue.putBack(j.row.message_id);
      return;
    }
    if (action.kind === 'reject' || j.attempt >= c.o.maxAttempts) {
      const rejected = action.kind === 'reject';
      outcomes.push(smsFailed(j.row, now, { reason: rejected ? 'gateway-rejected' : 'retries-exhausted', vendorCode: action.code, detail: `gateway answered ${action.code}`, attempts: j.attempt }));
      finished.push(j.row.message_id);
      c.logger.error({ messageId: j.row.message_id, code: action.code }, j.row.purpose === 'campaign' ? '#error: sendCampaign' : '#error: sendSms');
      return;
    }
    if (action.kind === 'reassign' && action.portProblem) c.pacer.markUnhealthy(j.port);
    if (action.kind === 'retry-same' && action.slowDown) pauseUntil = nowMs + retryDelayMs(j.attempt, c.o.retryBaseMs);
    Object.assign(memo, {
      next: action.kind === 'reassign' ? 'reassign' : 'resend',
      maybePosted: j.maybePosted,
      attempt: action.kind === 'retry-same' ? j.attempt + 1 : j.attempt,
      notBeforeMs: action.kind === 'reassign' ? 0 : nowMs + retryDelayMs(j.attempt, c.o.retryBaseMs),
    });
    c.queue.putBack(j.row.message_id);
  });
  return { outcomes, finished, pauseUntil };
}
