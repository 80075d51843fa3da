import type { EnvelopeBase } from '@dailydesk/contracts';
import type { EventStore } from '@dailydesk/event-store';
import { parsePortId } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { AuditedGateway } from '../gateway/audited-gateway';
import type { SmsTaskReportedData } from '../intake/intake.events';
import type { CircuitBreaker } from './circuit-breaker';
import type { Job, Memo } from './dispatch-jobs';
import { smsSent, type QueueRow } from './outcome-events';
import type { Clock } from './port-pacer';
import { retryDelayMs } from './refusal-policy';
import { reportStreamOf } from './store-writes';
import type { WaitingQueue } from './waiting-queue';

/** What resolving some unknown outcomes found: texts the gateway has (their SmsSent to store) and tasks to resend. */
export interface Resolution {
  readonly sent: EnvelopeBase[];
  readonly resend: Job[];
}

/**
 * The unknown-outcome rule (README "The unknown-outcome rule"): a tid the gateway lists in its queue
 * (goip_get_tasks) is accepted → SmsSent. A tid it does not list may be finished and forgotten: a status report for
 * it (SmsTaskReported) proves the gateway had it → SmsSent. Neither within `reportGraceMs` → resent with the SAME tid
 * and port: `13 Duplicated TaskId` means it has it, `0 OK` that it had not. The grace counts from when resolving
 * began in this process (after a restart it starts again: later, never sooner).
 */
export class UnknownOutcomes {
  constructor(
    private readonly gateway: AuditedGateway,
    private readonly store: EventStore,
    private readonly circuit: CircuitBreaker,
    private readonly queue: WaitingQueue,
    private readonly clock: Clock,
    private readonly o: { readonly reportGraceMs: number; readonly retryBaseMs: number },
    private readonly logger: Logger,
  ) {}

  /** Items not decided yet go back to the queue with their memo's `notBeforeMs` set. */
  async resolve(items: Array<{ row: QueueRow; memo: Memo }>): Promise<Resolution> {
    const now = new Date(this.clock()).toISOString();
    const byPort = new Map<string, Array<{ row: QueueRow; memo: Memo }>>();
    for (const it of items) byPort.set(it.memo.port, [...(byPort.get(it.memo.port) ?? []), it]);
    const sent: EnvelopeBase[] = [];
    const resend: Job[] = [];
    for (const [port, group] of byPort) {
      let listed: Set<number>;
      try {
        listed = await this.queuedTids(parsePortId(port)?.port ?? Number.parseInt(port, 10));
      } catch (err) {
        this.circuit.failed();
        this.logger.warn({ err, port }, '#error: sendSms cannot resolve unknown outcomes yet');
        for (const it of group) {
          it.memo.notBeforeMs = this.clock() + retryDelayMs(1, this.o.retryBaseMs);
          this.queue.putBack(it.row.message_id);
        }
        continue;
      }
      for (const { row, memo } of group) {
        if (listed.has(memo.tid) || (await this.wasReported(row.message_id, memo.tid))) {
          sent.push(smsSent(row, memo.tid, memo.port, now));
          continue;
        }
        const nowMs = this.clock();
        memo.unknownSinceMs ??= nowMs;
        const graceEnd = memo.unknownSinceMs + this.o.reportGraceMs;
        if (nowMs < graceEnd) {
          memo.notBeforeMs = graceEnd;
          this.queue.putBack(row.message_id);
          continue;
        }
        memo.unknownSinceMs = undefined;
        resend.push({ row, tid: memo.tid, port: memo.port, attempt: memo.attempt, maybePosted: true });
      }
    }
    return { sent, resend };
  }

  private async wasReported(messageId: string, tid: number): Promise<boolean> {
    const { events } = await this.store.readStream(reportStreamOf(messageId));
    return events.some((r) => (r.event.data as SmsTaskReportedData).tid === tid);
  }

  private async queuedTids(port: number): Promise<Set<number>> {
    const tids = new Set<number>();
    for (let pos = 0; ; ) {
      const page = await this.gateway.getTasks(port, pos, 500);
      for (const t of page.tasks) tids.add(t.tid);
      pos += page.tasks.length;
      if (page.tasks.length === 0 || pos >= page.totalNum) return tids;
    }
  }
}
