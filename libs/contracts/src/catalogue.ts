import type { z } from 'zod';
import * as booking from './messages/booking.messages';
import * as receipts from './messages/receipts.messages';
import * as scheduler from './messages/scheduler.messages';
import * as sms from './messages/sms.messages';

/** The bounded contexts; each has one JetStream stream and its own subject prefix. */
export type Context = 'booking' | 'scheduler' | 'sms' | 'receipts';

/** An event (past tense, `<context>.evt.*`) or a command (imperative, `<context>.cmd.*`). */
export type MessageKind = 'event' | 'command';

/** A message schema made by `defineMessage`: the shape has literal `type` and `v`. */
type AnyMessageSchema = z.ZodObject<{ type: z.ZodLiteral<string>; v: z.ZodLiteral<number> } & z.ZodRawShape>;

/** One public message at its current version, with where it travels and who uses it. */
export interface CatalogueEntry<S extends AnyMessageSchema = AnyMessageSchema> {
  readonly type: z.infer<S['shape']['type']>;
  readonly v: z.infer<S['shape']['v']>;
  readonly schema: S;
  readonly context: Context;
  readonly kind: MessageKind;
  readonly producer: string;
  readonly consumers: readonly string[];
  /** One sentence for the catalogue and the JSON Schema description. */
  readonly summary: string;
}

function entry<S extends AnyMessageSchema>(
  schema: S,
  where: { context: Context; kind: MessageKind },
  producer: string,
  consumers: readonly string[],
  summary: string,
): CatalogueEntry<S> {
  const type = schema.shape.type.value as z.infer<S['shape']['type']>;
  const v = schema.shape.v.value as z.infer<S['shape']['v']>;
  return { type, v, schema, ...where, producer, consumers, summary };
}

const APPOINTMENTS = 'appointments';
const CAMPAIGNS = 'campaigns';
const DISPATCH = 'sms-dispatch';
const RECEIPTS = 'receipts';
const FRONTEND = 'booking frontend';
const BOOKING = { context: 'booking', kind: 'event' } as const;
const SCHEDULER = { context: 'scheduler', kind: 'event' } as const;
const SMS_EVENT = { context: 'sms', kind: 'event' } as const;
const SMS_COMMAND = { context: 'sms', kind: 'command' } as const;
const RECEIPT = { context: 'receipts', kind: 'event' } as const;

/** Every public message of the platform at its current version. The single list the rest is derived from. */
export const catalogue = [
  entry(booking.BusinessUpserted, BOOKING, FRONTEND, [APPOINTMENTS, CAMPAIGNS],
    'A business was created or changed: name, IANA time zone, country (default phone region), address, texting settings.'),
  entry(booking.CustomerUpserted, BOOKING, FRONTEND, [APPOINTMENTS, CAMPAIGNS],
    'A customer was created or changed: phone as entered, marketing consent, and the audience facts campaigns filter on.'),
  entry(booking.AppointmentBooked, BOOKING, FRONTEND, [APPOINTMENTS],
    'A customer booked an appointment, online or through staff.'),
  entry(booking.AppointmentRescheduled, BOOKING, FRONTEND, [APPOINTMENTS],
    'An appointment moved to a new time.'),
  entry(booking.AppointmentCancelled, BOOKING, FRONTEND, [APPOINTMENTS],
    'An appointment was cancelled; nothing more is texted about it.'),
  entry(booking.CustomerCheckedIn, BOOKING, FRONTEND, [APPOINTMENTS],
    'The customer arrived; starts the review-request clock.'),
  entry(booking.AppointmentConfirmed, BOOKING, `${FRONTEND} (staff, online); ${APPOINTMENTS} (link)`, [APPOINTMENTS],
    'The customer confirmed the appointment (link, reply, staff).'),
  entry(scheduler.SchedulerTicked, SCHEDULER, 'scheduler', [APPOINTMENTS, CAMPAIGNS],
    'A schedule slot came due; consumers act on what fell due in (previousSlotAt, slotAt].'),
  entry(scheduler.SchedulerSlotSkipped, SCHEDULER, 'scheduler', ['operators (audit, alerts)'],
    'A slot got no tick of its own (downtime, or triggered twice); a later tick covers it.'),
  entry(sms.SendSms, SMS_COMMAND, `${APPOINTMENTS}, ${CAMPAIGNS}`, [DISPATCH],
    'Command: text one recipient; messageId is deterministic so a retried cause never texts twice.'),
  entry(sms.SmsSent, SMS_EVENT, DISPATCH, [RECEIPTS, APPOINTMENTS, CAMPAIGNS],
    'The gateway accepted the task (tid, port).'),
  entry(sms.SmsFailed, SMS_EVENT, DISPATCH, [RECEIPTS, APPOINTMENTS, CAMPAIGNS],
    'The gateway refused the task for good, or all retries failed.'),
  entry(sms.SmsSuppressed, SMS_EVENT, DISPATCH, [RECEIPTS, APPOINTMENTS, CAMPAIGNS],
    'The text was deliberately not sent (opted out, disabled, invalid number, expired, too long).'),
  entry(sms.SmsTasksAssigned, SMS_EVENT, DISPATCH, [RECEIPTS],
    'Before a POST: which tid and port each of its texts got, so status reports map even when the POST is never answered.'),
  entry(receipts.SmsTransmitted, RECEIPT, RECEIPTS, [APPOINTMENTS, CAMPAIGNS, DISPATCH],
    'Status report: the modem handed the SMS to the network.'),
  entry(receipts.SmsTransmissionFailed, RECEIPT, RECEIPTS, [APPOINTMENTS, CAMPAIGNS, DISPATCH],
    'Status report: the modem could not hand the SMS to the network.'),
  entry(receipts.SmsDelivered, RECEIPT, RECEIPTS, [APPOINTMENTS, CAMPAIGNS],
    'Delivery report: the handset received the SMS.'),
  entry(receipts.SmsUndelivered, RECEIPT, RECEIPTS, [APPOINTMENTS, CAMPAIGNS],
    'Delivery report: the network gave up on the SMS.'),
  entry(receipts.InboundSmsReceived, RECEIPT, RECEIPTS, [APPOINTMENTS],
    'A person texted one of the gateway SIMs (MO).'),
  entry(receipts.CustomerOptedOut, RECEIPT, RECEIPTS, [DISPATCH, CAMPAIGNS, APPOINTMENTS],
    'A phone number asked not to be texted any more (STOP); platform-wide.'),
  entry(receipts.CustomerOptedIn, RECEIPT, RECEIPTS, [DISPATCH, CAMPAIGNS, APPOINTMENTS],
    'A phone number that had opted out asked to be texted again (START); platform-wide.'),
] as const;

/** Any public message of the platform, at its current version (a union discriminated by `type`). */
export type PublicMessage = z.infer<(typeof catalogue)[number]['schema']>;

/** The `type` of any public message. */
export type PublicMessageType = PublicMessage['type'];

/** The public message of one `type`. */
export type MessageOfType<T extends PublicMessageType> = Extract<PublicMessage, { type: T }>;
