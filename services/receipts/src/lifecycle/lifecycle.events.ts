import type { EnvelopeBase, SendSms, SmsFailed, SmsSent, SmsSuppressed, SmsTasksAssigned } from '@dailydesk/contracts';

/**
 * Private event: a public SMS lifecycle message consumed from NATS, kept in our own store so that the store alone
 * is the truth of every projection (a rebuild is a pure replay). It wraps the message rather than storing it under
 * its own type so that our relay never republishes another service's events.
 */
export const SMS_LIFECYCLE_OBSERVED = 'SmsLifecycleObserved';

export type ObservedMessage = SendSms | SmsSent | SmsFailed | SmsSuppressed | SmsTasksAssigned;

export interface SmsLifecycleObservedData {
  message: ObservedMessage;
}

/** The stored envelope: id `obs:<original id>`, in stream `observed-<messageId>` (`observed-tasks-<id>` for a POST's assignments). */
export function observedEvent(message: ObservedMessage): { streamId: string; event: EnvelopeBase } {
  return {
    streamId: message.type === 'SmsTasksAssigned' ? `observed-tasks-${message.id}` : `observed-${message.data.messageId}`,
    event: {
      id: `obs:${message.id}`,
      type: SMS_LIFECYCLE_OBSERVED,
      v: 1,
      occurredAt: message.occurredAt,
      businessId: message.businessId,
      correlationId: message.correlationId,
      causationId: message.id,
      data: { message } satisfies SmsLifecycleObservedData,
    },
  };
}
