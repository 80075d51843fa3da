import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SendSms, SmsFailed, SmsSent, SmsSuppressed, SmsTasksAssigned } from '@dailydesk/contracts';
import type { EventStore } from '@dailydesk/event-store';
import { EVENT_STORE } from '@dailydesk/service-kit';
import { observedEvent, type ObservedMessage } from './lifecycle.events';

/**
 * Keeps every SMS lifecycle message of the dispatcher (and the requests themselves) in our own store, so the
 * processor can map tids to messages and the projections can be rebuilt from the store alone. Redelivery appends
 * the same id to the same stream: a no-op.
 */
@Controller()
export class KeepSmsLifecycleWhenPublished {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @EventPattern('SendSms', { durable: 'keep-send-sms' })
  onRequested(m: SendSms): Promise<void> {
    return this.keep(m);
  }

  @EventPattern('SmsSent', { durable: 'keep-sms-sent' })
  onSent(m: SmsSent): Promise<void> {
    return this.keep(m);
  }

  /** One per POST: maps status reports of a task whose POST was never answered (dispatch then has no SmsSent). */
  @EventPattern('SmsTasksAssigned', { durable: 'keep-sms-tasks-assigned' })
  onTasksAssigned(m: SmsTasksAssigned): Promise<void> {
    return this.keep(m);
  }

  @EventPattern('SmsFailed', { durable: 'keep-sms-failed' })
  onFailed(m: SmsFailed): Promise<void> {
    return this.keep(m);
  }

  @EventPattern('SmsSuppressed', { durable: 'keep-sms-suppressed' })
  onSuppressed(m: SmsSuppressed): Promise<void> {
    return this.keep(m);
  }

  private async keep(m: ObservedMessage): Promise<void> {
    const { streamId, event } = observedEvent(m);
    await this.store.appendToStream(streamId, [event], { expectedVersion: 'any' });
  }
}
