import { z } from 'zod';
import { defineMessage, MessageId } from '../envelope';
import { CountryCode, Detail, E164, EntityId, GatewayPort, PhoneAsEntered, TaskId, UtcInstant, whenFieldsValid } from '../fields';

// The SMS request and what the dispatcher made of it (context `sms`). One recipient = one message = one
// gateway task. All concern one business: `businessId` is required.

/** Why a text is sent. Decides the default priority and which `refs` must be present. */
export const SmsPurpose = z.enum(['confirmation', 'reschedule', 'reminder', 'review', 'campaign', 'test']);
export type SmsPurpose = z.infer<typeof SmsPurpose>;

/**
 * Dispatch order: all `instant` before any `normal`, all `normal` before any `bulk`. A closed enum rather than
 * a number so that producers cannot invent levels between the ones the dispatcher has queues for.
 */
export const SmsPriority = z.enum(['instant', 'normal', 'bulk']);
export type SmsPriority = z.infer<typeof SmsPriority>;

/** The priority a purpose gets when the request names none. */
export const SMS_PRIORITY_BY_PURPOSE: Readonly<Record<SmsPurpose, SmsPriority>> = {
  confirmation: 'instant',
  reschedule: 'instant',
  test: 'instant',
  reminder: 'normal',
  review: 'normal',
  campaign: 'bulk',
};

/** Longest text accepted: 10 GSM-7 segments (10 × 153). Longer, or more than 10 segments, is suppressed `too-long`. */
export const SMS_TEXT_MAX_LENGTH = 1530;

/** What caused a text; echoed on every outcome so producers can match outcomes without their own lookup. */
export const SmsRefs = z.object({
  appointmentId: EntityId.optional(),
  campaignId: EntityId.optional(),
  campaignRunId: EntityId.optional(),
  customerId: EntityId.optional(),
});
export type SmsRefs = z.infer<typeof SmsRefs>;

const APPOINTMENT_PURPOSES: readonly SmsPurpose[] = ['confirmation', 'reschedule', 'reminder', 'review'];

/**
 * Command: text one recipient. `messageId` is derived from the cause (appointment + purpose, campaign run +
 * customer), so a retried cause is recognised and never texts a person twice.
 */
export const SendSms = defineMessage(
  'SendSms',
  1,
  z
    .object({
      messageId: MessageId.describe('deterministic id of this text, derived from what caused it'),
      recipient: z.object({
        phone: PhoneAsEntered,
        defaultRegion: CountryCode.describe('region for reading a national number (the business country)'),
      }),
      text: z
        .string()
        .min(1, { message: 'must not be empty', abort: true })
        .max(SMS_TEXT_MAX_LENGTH, `must be at most ${SMS_TEXT_MAX_LENGTH} characters`)
        .regex(/\S/, 'must not be only whitespace')
        .describe('the message body, UTF-16 length ≤ 1530; never logged'),
      purpose: SmsPurpose,
      priority: SmsPriority.optional().describe('defaults by purpose: see SMS_PRIORITY_BY_PURPOSE'),
      notBefore: UtcInstant.optional().describe('do not hand to the gateway before this instant'),
      expiresAt: UtcInstant.optional().describe('suppress (reason expired) if not sent by this instant'),
      refs: SmsRefs,
    })
    .refine((d) => !d.notBefore || !d.expiresAt || Date.parse(d.expiresAt) > Date.parse(d.notBefore), {
      path: ['expiresAt'],
      message: 'must be after notBefore',
      ...whenFieldsValid,
    })
    .refine((d) => d.purpose !== 'campaign' || (d.refs.campaignId && d.refs.campaignRunId), {
      path: ['refs'],
      message: 'a campaign text needs refs.campaignId and refs.campaignRunId',
      ...whenFieldsValid,
    })
    .refine((d) => !APPOINTMENT_PURPOSES.includes(d.purpose) || d.refs.appointmentId, {
      path: ['refs', 'appointmentId'],
      message: 'is required for confirmation, reschedule, reminder and review texts',
      ...whenFieldsValid,
    })
    .describe(
      'expiresAt, when both present, is after notBefore; confirmation, reschedule, reminder and review texts need ' +
        'refs.appointmentId; campaign texts need refs.campaignId and refs.campaignRunId',
    ),
  'business',
);
export type SendSms = z.infer<typeof SendSms>;

/** The priority a request is dispatched with: its own, or the default of its purpose. */
export function priorityOf(data: Pick<SendSms['data'], 'purpose' | 'priority'>): SmsPriority {
  return data.priority ?? SMS_PRIORITY_BY_PURPOSE[data.purpose];
}

const outcome = { messageId: MessageId, purpose: SmsPurpose, refs: SmsRefs };

/** The gateway accepted the task (`0 OK`). Not yet on the network: see SmsTransmitted. */
export const SmsSent = defineMessage(
  'SmsSent',
  1,
  z.object({
    ...outcome,
    tid: TaskId,
    port: GatewayPort,
    to: E164,
    segments: z.number().int().min(1).max(255),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    sentAt: UtcInstant,
  }),
  'business',
);
export type SmsSent = z.infer<typeof SmsSent>;

/** The gateway refused the task for good, or every retry failed. */
export const SmsFailed = defineMessage(
  'SmsFailed',
  1,
  z.object({
    ...outcome,
    reason: z.enum(['gateway-rejected', 'retries-exhausted', 'no-port-available']),
    vendorCode: z.number().int().min(0).max(999).optional().describe('the gateway status code, e.g. 5 SIM Unregistered'),
    detail: Detail.optional(),
    attempts: z.number().int().min(1),
    failedAt: UtcInstant,
  }),
  'business',
);
export type SmsFailed = z.infer<typeof SmsFailed>;

/** The text was deliberately not sent. */
export const SmsSuppressed = defineMessage(
  'SmsSuppressed',
  1,
  z.object({
    ...outcome,
    reason: z.enum(['opted-out', 'disabled', 'invalid-number', 'expired', 'too-long']),
    detail: Detail.optional(),
    suppressedAt: UtcInstant,
  }),
  'business',
);
export type SmsSuppressed = z.infer<typeof SmsSuppressed>;

/**
 * The tids and ports of one POST's tasks, recorded by the dispatcher BEFORE that POST (one event per POST). Lets
 * receipts map the gateway's status reports of a task whose POST never got an answer (no SmsSent yet), so dispatch
 * can learn from them that the gateway had the task instead of resending it.
 */
export const SmsTasksAssigned = defineMessage(
  'SmsTasksAssigned',
  1,
  z.object({
    tasks: z
      .array(
        z.object({
          messageId: MessageId,
          tid: TaskId,
          port: GatewayPort,
          attempt: z.number().int().min(1),
          to: E164.optional().describe('the recipient; absent only on assignments recorded before it was published'),
          businessId: EntityId.nullable().optional().describe('the business of the text (the envelope spans several)'),
          correlationId: MessageId.optional().describe('the correlation id of the text'),
        }),
      )
      .min(1),
    assignedAt: UtcInstant,
  }),
  'platform',
);
export type SmsTasksAssigned = z.infer<typeof SmsTasksAssigned>;
