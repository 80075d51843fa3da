import type { BookingChannel, SendSms } from '@dailydesk/contracts';
import type { Command, DomainEvent } from '@dailydesk/event-store';
import type { SmsSettings } from '../sms-settings/sms-settings.schema';

// Commands and events of the Appointment aggregate (stream `appointment-<appointmentId>`). Events recording what
// the booking frontend said are private; SendSms and AppointmentConfirmed are public and published by the relay.

/** The booking event a command records: its envelope id (idempotency) and when it happened (ordering). */
export interface SourceRef {
  readonly id: string;
  readonly occurredAt: string;
}

/** What texting needs besides the appointment; null when the customer is not known yet. */
export interface TextContext {
  readonly business: { readonly name: string; readonly country: SendSms['data']['recipient']['defaultRegion']; readonly address?: string };
  /** The zone local times are read in: the settings' own, else the business's. */
  readonly timeZone: string;
  readonly settings: SmsSettings;
  readonly customer: { readonly firstName: string; readonly phone: string | null };
}

interface Booking {
  readonly customerId: string;
  readonly channel: BookingChannel;
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly serviceName?: string;
  readonly staffName?: string;
  readonly location?: string;
}

type Meta = { appointmentId: string; businessId: string };

export type RecordBooking = Command<'RecordBooking', Meta & { source: SourceRef; booking: Booking & { serviceName: string }; context: TextContext | null }>;
export type RecordReschedule = Command<'RecordReschedule', Meta & { source: SourceRef; booking: Booking; context: TextContext | null }>;
export type RecordCancellation = Command<'RecordCancellation', Meta & { source: SourceRef; customerId: string }>;
export type RecordCheckIn = Command<'RecordCheckIn', Meta & { source: SourceRef; customerId: string; checkedInAt: string }>;
export type RecordConfirmation = Command<
  'RecordConfirmation',
  Meta & { source: SourceRef; customerId: string; via: 'link' | 'staff' | 'sms-reply' | 'online'; confirmedAt: string }
>;
/** Tick of `confirmation-reminders`: `at` is the tick's slot; `token` is fresh randomness for the link, used only if a reminder is decided. */
export type SendReminder = Command<'SendReminder', Meta & { at: string; token: string; linkBaseUrl: string; context: TextContext }>;
export type SendReviewRequest = Command<'SendReviewRequest', Meta & { at: string; context: TextContext }>;
export type ConfirmByLink = Command<'ConfirmByLink', Meta & { token: string; at: string }>;

/** What sms-dispatch made of a text: SmsSent → sent (the gateway accepted it), SmsFailed → failed, SmsSuppressed → suppressed. */
export type SmsOutcome = 'sent' | 'failed' | 'suppressed';
/** One of this appointment's texts as far as this service knows: asked for, skipped (no phone), or dispatch's outcome. */
export type TextState = 'requested' | 'skipped' | SmsOutcome;
export type RecordSmsOutcome = Command<'RecordSmsOutcome', Meta & { messageId: string; outcome: SmsOutcome; reason?: string; at: string }>;

export type AppointmentCommand =
  | RecordBooking
  | RecordReschedule
  | RecordCancellation
  | RecordCheckIn
  | RecordConfirmation
  | SendReminder
  | SendReviewRequest
  | ConfirmByLink
  | RecordSmsOutcome;

/** The appointment's details as last set by a booking or reschedule (times in UTC). */
export interface Details extends Booking {
  /** occurredAt of the booking event that set them: an older event arriving late changes nothing. */
  readonly changedAt: string;
}

type Sourced = { appointmentId: string; businessId: string; sourceId: string };

export type AppointmentRecorded = DomainEvent<'AppointmentRecorded', Sourced & { details: Details }>;
export type AppointmentMoved = DomainEvent<'AppointmentMoved', Sourced & { details: Details; previousStartsAt: string | null }>;
/** A reschedule that kept the start time (staff, service, place or end changed): not a move, so no text, no new confirmation. */
export type AppointmentDetailsChanged = DomainEvent<'AppointmentDetailsChanged', Sourced & { details: Details }>;
export type CancellationRecorded = DomainEvent<'CancellationRecorded', Sourced & { cancelledAt: string }>;
export type CheckInRecorded = DomainEvent<'CheckInRecorded', Sourced & { checkedInAt: string }>;
export type ConfirmationRecorded = DomainEvent<'ConfirmationRecorded', Sourced & { via: string; confirmedAt: string }>;
/** A reminder's confirmation link; `token` is what `GET /c/:token` looks up. */
export type ConfirmationLinkIssued = DomainEvent<
  'ConfirmationLinkIssued',
  { appointmentId: string; businessId: string; token: string; forStartsAt: string; expiresAt: string; messageId: string }
>;
/** A text that was due but could not go out (no phone number); counts as done so ticks stop picking it. */
export type SmsSkipped = DomainEvent<'SmsSkipped', { appointmentId: string; messageId: string; purpose: SendSms['data']['purpose']; reason: 'no-phone' }>;
/** Dispatch's outcome of one of this appointment's texts (private: a fact about the appointment, not a new message). */
export type SmsOutcomeRecorded = DomainEvent<
  'SmsOutcomeRecorded',
  { appointmentId: string; businessId: string; messageId: string; purpose: SendSms['data']['purpose']; outcome: SmsOutcome; reason?: string; at: string }
>;
export type SendSmsRequested = DomainEvent<'SendSms', SendSms['data']>;
export type AppointmentConfirmedByLink = DomainEvent<
  'AppointmentConfirmed',
  { appointmentId: string; customerId: string; source: 'link'; confirmedAt: string }
>;

export type AppointmentEvent =
  | AppointmentRecorded
  | AppointmentMoved
  | AppointmentDetailsChanged
  | CancellationRecorded
  | CheckInRecorded
  | ConfirmationRecorded
  | ConfirmationLinkIssued
  | SmsSkipped
  | SmsOutcomeRecorded
  | SendSmsRequested
  | AppointmentConfirmedByLink;
