import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SmsTransmissionFailed, SmsTransmitted } from '@dailydesk/contracts';
import { DuplicateEventError, type EventStore } from '@dailydesk/event-store';
import { EVENT_STORE } from '@dailydesk/service-kit';
import { DispatchRuntime } from '../dispatch/dispatch-runtime';
import { eventIdOf, reportStreamOf } from '../dispatch/store-writes';
import { SMS_TASK_REPORTED, type SmsTaskReportedData } from '../intake/intake.events';

/**
 * Receipts' status reports (SmsTransmitted / SmsTransmissionFailed) prove the gateway had a task. For a message not
 * final yet (its POST outcome may be unknown) the proof is kept as a private SmsTaskReported, so the
 * dispatcher records SmsSent instead of resending a task the gateway may have finished and forgotten. Reports for
 * messages already final (the usual case) cost one indexed lookup of the outcome's event id and are dropped.
 */
@Controller()
export class ReportHandlers {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DispatchRuntime) private readonly runtime: DispatchRuntime,
  ) {}

  @EventPattern('SmsTransmitted', { durable: 'transmitted' })
  async onTransmitted(event: SmsTransmitted): Promise<void> {
    await this.record(event, true);
  }

  @EventPattern('SmsTransmissionFailed', { durable: 'transmission-failed' })
  async onTransmissionFailed(event: SmsTransmissionFailed): Promise<void> {
    await this.record(event, false);
  }

  private async record(event: SmsTransmitted | SmsTransmissionFailed, transmitted: boolean): Promise<void> {
    await this.runtime.ready;
    const { messageId, tid } = event.data;
    // A message has one outcome event (SmsSent, SmsFailed or a send-time SmsSuppressed) under one id: once it is
    // stored the report changes nothing. Asked of the store, not of the queue table, which holds only waiting texts
    // and is folded lazily. Keeping one report too many is harmless.
    if ((await this.store.storedIds([eventIdOf('outcome', messageId)])).size > 0) return;
    const data: SmsTaskReportedData = { messageId, tid, transmitted, reportEventId: event.id };
    try {
      await this.store.appendToStream(
        reportStreamOf(messageId),
        [{ id: eventIdOf(`report:${tid}`, messageId), type: SMS_TASK_REPORTED, v: 1, occurredAt: new Date().toISOString(), businessId: event.businessId, correlationId: event.correlationId, causationId: event.id, data }],
        { expectedVersion: 'any' },
      );
    } catch (err) {
      if (!(err instanceof DuplicateEventError)) throw err;
    }
    this.runtime.dispatcher.reported(messageId);
  }
}
