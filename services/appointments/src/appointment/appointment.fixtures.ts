import type { AppointmentCommand, AppointmentEvent, Details, TextContext } from './appointment.events';
import { DEFAULT_SMS_SETTINGS, type SmsSettings } from '../sms-settings/sms-settings.schema';

// Builders shared by the decider specs: one Berlin salon, one customer, one appointment.

export const APPT = 'apt-1';
export const BIZ = 'biz-1';
export const STARTS = '2026-12-03T13:00:00.000Z'; // 14:00 in Berlin
export const BOOKED_AT = '2026-11-29T09:15:00.000Z';

export function context(settings: Partial<SmsSettings> = {}, phone: string | null = '0171 2345678'): TextContext {
  return {
    business: { name: 'Salon Sol', country: 'DE', address: 'Hauptstr. 1, Berlin' },
    timeZone: 'Europe/Berlin',
    settings: { ...DEFAULT_SMS_SETTINGS, reviewUrl: 'https://g.page/salon-sol/review', ...settings },
    customer: { firstName: 'Ana', phone },
  };
}

const meta = (commandId: string, now: string) => ({ commandId, now, correlationId: commandId, businessId: BIZ });

export function book(opts: { id?: string; startsAt?: string; channel?: 'online' | 'staff'; at?: string; ctx?: TextContext | null } = {}): AppointmentCommand {
  const id = opts.id ?? 'bk-1';
  const at = opts.at ?? BOOKED_AT;
  return {
    type: 'RecordBooking',
    data: {
      appointmentId: APPT,
      businessId: BIZ,
      source: { id, occurredAt: at },
      booking: { customerId: 'cus-1', channel: opts.channel ?? 'online', startsAt: opts.startsAt ?? STARTS, serviceName: 'Haircut', staffName: 'Mia' },
      context: opts.ctx === undefined ? context() : opts.ctx,
    },
    metadata: meta(id, at),
  };
}

export function reschedule(startsAt: string, opts: { id?: string; at?: string; ctx?: TextContext | null; staffName?: string } = {}): AppointmentCommand {
  const id = opts.id ?? `rs-${startsAt}`;
  const at = opts.at ?? '2026-11-30T10:00:00.000Z';
  return {
    type: 'RecordReschedule',
    data: {
      appointmentId: APPT,
      businessId: BIZ,
      source: { id, occurredAt: at },
      booking: { customerId: 'cus-1', channel: 'online', startsAt, ...(opts.staffName ? { staffName: opts.staffName } : {}) },
      context: opts.ctx === undefined ? context() : opts.ctx,
    },
    metadata: meta(id, at),
  };
}

export function cancel(at = '2026-12-02T12:59:00.000Z', id = 'cx-1'): AppointmentCommand {
  return { type: 'RecordCancellation', data: { appointmentId: APPT, businessId: BIZ, source: { id, occurredAt: at }, customerId: 'cus-1' }, metadata: meta(id, at) };
}

export function checkIn(checkedInAt = '2026-12-03T12:55:00.000Z', id = 'ci-1'): AppointmentCommand {
  return {
    type: 'RecordCheckIn',
    data: { appointmentId: APPT, businessId: BIZ, source: { id, occurredAt: checkedInAt }, customerId: 'cus-1', checkedInAt },
    metadata: meta(id, checkedInAt),
  };
}

export function remind(at: string, ctx: TextContext = context(), token = 'tok-A'): AppointmentCommand {
  return {
    type: 'SendReminder',
    data: { appointmentId: APPT, businessId: BIZ, at, token, linkBaseUrl: 'https://dd.example', context: ctx },
    metadata: meta(`tick-${at}`, at),
  };
}

export function reviewTick(at: string, ctx: TextContext = context()): AppointmentCommand {
  return { type: 'SendReviewRequest', data: { appointmentId: APPT, businessId: BIZ, at, context: ctx }, metadata: meta(`tick-${at}`, at) };
}

export function confirmLink(token: string, at: string): AppointmentCommand {
  return { type: 'ConfirmByLink', data: { appointmentId: APPT, businessId: BIZ, token, at }, metadata: meta(`link-${at}`, at) };
}

export function details(startsAt = STARTS, changedAt = BOOKED_AT, channel: 'online' | 'staff' = 'online'): Details {
  return { customerId: 'cus-1', channel, startsAt, serviceName: 'Haircut', staffName: 'Mia', changedAt };
}

export const recorded = (d: Details = details(), sourceId = 'bk-1'): AppointmentEvent => ({
  type: 'AppointmentRecorded',
  data: { appointmentId: APPT, businessId: BIZ, sourceId, details: d },
});
