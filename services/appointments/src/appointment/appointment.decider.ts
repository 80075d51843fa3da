import { DomainError, type Decider } from '@dailydesk/event-store';
import type {
  AppointmentCommand,
  AppointmentEvent,
  ConfirmByLink,
  Details,
  RecordSmsOutcome,
  RecordBooking,
  RecordReschedule,
  SendReminder,
  SendReviewRequest,
  TextContext,
} from './appointment.events';
import { detailsOf, evolveAppointment, initialAppointmentState, type AppointmentState } from './appointment.state';
import { messageIdOf, textEvent } from './appointment.texts';
import { isQuiet, plusHours, toUtc, windowOpensAt } from './local-time';

/** Stream of one appointment. Appointment ids come from the booking frontend and are unique across businesses. */
export const appointmentStreamId = (appointmentId: string) => `appointment-${appointmentId}`;

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The state a list of events leads to (for deciding on what the command itself just produced). */
const fold = (s: AppointmentState, events: AppointmentEvent[]) => events.reduce(evolveAppointment, s);

/** True when the instant text of `kind` for the appointment's current start is still owed (for handlers waiting on a customer). */
export function awaitsInstantText(s: AppointmentState, appointmentId: string, kind: 'confirmation' | 'reschedule', startsAt: string, now: string): boolean {
  if (s.status !== 'booked' && s.status !== 'confirmed') return false;
  const at = toUtc(startsAt);
  if (kind === 'reschedule' && !s.movedTo.includes(at)) return false; // same start, other details: nothing to tell
  return s.details.startsAt === at && at > toUtc(now) && !s.sent.includes(messageIdOf(appointmentId, kind, at));
}

function instantText(s: AppointmentState, c: RecordBooking | RecordReschedule, kind: 'confirmation' | 'reschedule', context: TextContext | null) {
  const { appointmentId, booking } = c.data;
  if (!context || !context.settings.enabled[kind]) return [];
  if (!awaitsInstantText(s, appointmentId, kind, booking.startsAt, c.metadata.now)) return [];
  const details = detailsOf(s) as Details;
  return [textEvent({ appointmentId, purpose: kind, idTime: details.startsAt, details, context, expiresAt: details.startsAt })];
}

function recordBookingOrMove(c: RecordBooking | RecordReschedule, s: AppointmentState): AppointmentEvent[] {
  const { appointmentId, businessId, source, booking } = c.data;
  const events: AppointmentEvent[] = [];
  const previous = detailsOf(s);
  const changedAt = toUtc(source.occurredAt);
  const newer = previous === null || previous.changedAt < changedAt;
  if (!s.seen.includes(source.id) && newer) {
    const details: Details = defined({
      ...previous,
      ...defined(booking),
      startsAt: toUtc(booking.startsAt),
      endsAt: booking.endsAt === undefined ? undefined : toUtc(booking.endsAt),
      changedAt,
    });
    const sourced = { appointmentId, businessId, sourceId: source.id };
    const unchanged = previous !== null && JSON.stringify({ ...previous, changedAt }) === JSON.stringify(details);
    if (!unchanged) events.push(
      c.type === 'RecordBooking'
        ? { type: 'AppointmentRecorded', data: { ...sourced, details } }
        : previous?.startsAt === details.startsAt
          ? { type: 'AppointmentDetailsChanged', data: { ...sourced, details } }
          : { type: 'AppointmentMoved', data: { ...sourced, details, previousStartsAt: previous?.startsAt ?? null } },
    );
  }
  const kind = c.type === 'RecordBooking' ? (booking.channel === 'online' ? 'confirmation' : null) : 'reschedule';
  return kind ? [...events, ...instantText(fold(s, events), c, kind, c.data.context)] : events;
}

function reminder(c: SendReminder, s: AppointmentState): AppointmentEvent[] {
  if (s.status !== 'booked') return []; // confirmed, checked in, cancelled or unknown: nothing to remind
  const { appointmentId, businessId, token, linkBaseUrl, context } = c.data;
  const { settings, timeZone } = context;
  const at = toUtc(c.data.at);
  const startsAt = s.details.startsAt;
  if (!settings.enabled.reminder || settings.daysBeforeAppointment === 0) return [];
  if (startsAt <= at || windowOpensAt(startsAt, timeZone, settings.daysBeforeAppointment) > at) return [];
  const messageId = messageIdOf(appointmentId, 'reminder', startsAt);
  if (s.sent.includes(messageId) || isQuiet(at, timeZone, settings.quietHours)) return [];
  const text = textEvent({ appointmentId, purpose: 'reminder', idTime: startsAt, details: s.details, context, link: `${linkBaseUrl}/c/${token}`, expiresAt: startsAt });
  if (text.type === 'SmsSkipped') return [text];
  return [{ type: 'ConfirmationLinkIssued', data: { appointmentId, businessId, token, forStartsAt: startsAt, expiresAt: startsAt, messageId } }, text];
}

function reviewRequest(c: SendReviewRequest, s: AppointmentState): AppointmentEvent[] {
  if (s.status !== 'checked-in' || s.review !== 'pending') return [];
  const { appointmentId, context } = c.data;
  const { settings, timeZone } = context;
  const at = toUtc(c.data.at);
  if (!settings.enabled.review || !settings.reviewUrl) return [];
  if (plusHours(s.checkedInAt, settings.hoursAfterCheckInForTextMessages) > at || isQuiet(at, timeZone, settings.quietHours)) return [];
  const idTime = s.details?.startsAt ?? s.checkedInAt;
  if (s.sent.includes(messageIdOf(appointmentId, 'review', idTime))) return [];
  return [textEvent({ appointmentId, purpose: 'review', idTime, details: s.details, context, link: settings.reviewUrl })];
}

/** What following a confirmation link would do now: the one rule read by `GET /c/:token` (which changes nothing) and `POST`. */
export type LinkStatus = 'unknown' | 'cancelled' | 'superseded' | 'already-confirmed' | 'expired' | 'confirmable';

export function linkStatus(s: AppointmentState, token: string, at: string): LinkStatus {
  const link = s.links.find((l) => l.token === token);
  if (!link) return 'unknown';
  if (s.status === 'cancelled') return 'cancelled';
  if (detailsOf(s)?.startsAt !== link.forStartsAt) return 'superseded';
  if (s.status !== 'booked') return 'already-confirmed'; // confirmed or checked in: nothing left to confirm
  if (toUtc(at) >= link.expiresAt) return 'expired';
  return 'confirmable';
}

const LINK_REFUSALS = {
  unknown: ['LINK_UNKNOWN', 'this confirmation link is not known'],
  cancelled: ['APPOINTMENT_CANCELLED', 'the appointment was cancelled'],
  superseded: ['LINK_SUPERSEDED', 'the appointment moved to another time'],
  expired: ['LINK_EXPIRED', 'the appointment has already started'],
} as const;

function confirmByLink(c: ConfirmByLink, s: AppointmentState): AppointmentEvent[] {
  const status = linkStatus(s, c.data.token, c.data.at);
  if (status === 'already-confirmed') return [];
  if (status !== 'confirmable') {
    const [code, message] = LINK_REFUSALS[status];
    throw new DomainError(code, message);
  }
  const details = detailsOf(s) as Details;
  const data = { appointmentId: c.data.appointmentId, customerId: details.customerId, source: 'link' as const, confirmedAt: toUtc(c.data.at) };
  return [{ type: 'AppointmentConfirmed', data }];
}

/**
 * Dispatch's outcome of one of our texts. Outcomes arrive redelivered and out of order: the first one is kept, except
 * that `sent` replaces a failure or suppression (a text the gateway accepted went out) and nothing replaces `sent`.
 * An outcome of a text this appointment never asked for (or of an appointment not known here) records nothing.
 */
function smsOutcome(c: RecordSmsOutcome, s: AppointmentState): AppointmentEvent[] {
  const { appointmentId, businessId, messageId, outcome, reason, at } = c.data;
  const text = s.texts.find((t) => t.messageId === messageId);
  if (!text || text.state === 'skipped' || text.state === 'sent') return [];
  if (text.state !== 'requested' && outcome !== 'sent') return [];
  return [{ type: 'SmsOutcomeRecorded', data: { appointmentId, businessId, messageId, purpose: text.purpose, outcome, ...(reason ? { reason } : {}), at: toUtc(at) } }];
}

/**
 * The Appointment aggregate: records what the booking frontend says (tolerating redelivery and reordering), and
 * decides every text about the appointment — instant confirmation / reschedule texts, one reminder per start time,
 * one review request — and confirmations by link. Pure: time, randomness and settings arrive on the command.
 */
export const appointmentDecider: Decider<AppointmentCommand, AppointmentEvent, AppointmentState> = {
  initialState: initialAppointmentState,
  evolve: evolveAppointment,
  decide: (c, s) => {
    if (s.businessId !== null && s.businessId !== c.data.businessId) {
      throw new DomainError('BUSINESS_MISMATCH', `appointment ${c.data.appointmentId} belongs to another business`);
    }
    const { appointmentId, businessId } = c.data;
    switch (c.type) {
      case 'RecordBooking':
      case 'RecordReschedule':
        return recordBookingOrMove(c, s);
      case 'RecordCancellation':
        if (s.status === 'cancelled' || s.seen.includes(c.data.source.id)) return [];
        return [{ type: 'CancellationRecorded', data: { appointmentId, businessId, sourceId: c.data.source.id, cancelledAt: toUtc(c.data.source.occurredAt) } }];
      case 'RecordCheckIn':
        if (s.status === 'cancelled' || s.status === 'checked-in') return [];
        return [{ type: 'CheckInRecorded', data: { appointmentId, businessId, sourceId: c.data.source.id, checkedInAt: toUtc(c.data.checkedInAt) } }];
      case 'RecordConfirmation':
        if (s.status !== 'booked' || s.seen.includes(c.data.source.id)) return [];
        return [{ type: 'ConfirmationRecorded', data: { appointmentId, businessId, sourceId: c.data.source.id, via: c.data.via, confirmedAt: toUtc(c.data.confirmedAt) } }];
      case 'SendReminder':
        return reminder(c, s);
      case 'SendReviewRequest':
        return reviewRequest(c, s);
      case 'ConfirmByLink':
        return confirmByLink(c, s);
      case 'RecordSmsOutcome':
        return smsOutcome(c, s);
    }
  },
};
