import { z } from 'zod';
import { E164, GatewayPort, MessageId, SmsPriority, SmsPurpose, SmsRefs, TaskId, UtcInstant } from '@dailydesk/contracts';

// Events private to sms-dispatch (never published: the relay only publishes the contracts' types).

/** An accepted request, normalised and waiting in the durable queue for the dispatcher. */
export const SmsQueuedData = z.object({
  messageId: MessageId,
  to: E164,
  text: z.string().min(1),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  segments: z.number().int().min(1),
  purpose: SmsPurpose,
  priority: SmsPriority,
  notBefore: UtcInstant.optional(),
  expiresAt: UtcInstant.optional(),
  refs: SmsRefs,
  queuedAt: UtcInstant,
});
export type SmsQueuedData = z.infer<typeof SmsQueuedData>;

/** A tid and a port were given to a queued message, recorded BEFORE the POST that carries it. */
export const SmsTaskAssignedData = z.object({
  messageId: MessageId,
  tid: TaskId,
  port: GatewayPort,
  attempt: z.number().int().min(1),
  assignedAt: UtcInstant,
});
export type SmsTaskAssignedData = z.infer<typeof SmsTaskAssignedData>;

/**
 * The tids and ports of one POST's tasks, recorded as ONE event BEFORE that POST (one row to append and fold instead
 * of one per text). `SmsTaskAssigned` (one per text) is still folded for logs written before.
 */
export const SmsTasksAssignedData = z.object({
  tasks: z
    .array(
      SmsTaskAssignedData.omit({ assignedAt: true }).extend({
        // Published as the public SmsTasksAssigned: receipts maps status reports by these before any SmsSent.
        to: E164.optional(),
        businessId: z.string().nullable().optional(),
        correlationId: MessageId.optional(),
      }),
    )
    .min(1),
  assignedAt: UtcInstant,
});
export type SmsTasksAssignedData = z.infer<typeof SmsTasksAssignedData>;

/** A consent change received from receipts (CustomerOptedOut / CustomerOptedIn), kept in this service's own store. */
export const RecipientConsentChangedData = z.object({
  phone: E164,
  optedOut: z.boolean(),
  at: UtcInstant,
});
export type RecipientConsentChangedData = z.infer<typeof RecipientConsentChangedData>;

/**
 * Receipts reported a status (SmsTransmitted / SmsTransmissionFailed) for a task whose POST outcome is unknown: the
 * gateway had that tid, so it must not be resent. Stream `sms-report-<messageId>`, id `sms:<messageId>:report:<tid>`.
 */
export const SmsTaskReportedData = z.object({
  messageId: MessageId,
  tid: TaskId,
  transmitted: z.boolean(),
  reportEventId: z.string(),
});
export type SmsTaskReportedData = z.infer<typeof SmsTaskReportedData>;

export const SMS_QUEUED = 'SmsQueued';
export const SMS_TASK_REPORTED = 'SmsTaskReported';
export const SMS_TASK_ASSIGNED = 'SmsTaskAssigned';
export const SMS_TASKS_ASSIGNED = 'SmsTasksAssigned';
export const RECIPIENT_CONSENT_CHANGED = 'RecipientConsentChanged';
