import { SMS_TEXT_MAX_LENGTH, type SendSms } from '@dailydesk/contracts';
import { renderTemplate, templateFor } from '../sms-settings/templates';
import type { Details, SendSmsRequested, SmsSkipped, TextContext } from './appointment.events';
import { localDateTime } from './local-time';

type AppointmentPurpose = 'confirmation' | 'reschedule' | 'reminder' | 'review';

/**
 * The deterministic id of an appointment text: appointment + purpose + the appointment's start (UTC). The same cause
 * (a redelivered event, a repeated tick, a restart) always yields the same id, so dispatch and the store drop repeats.
 */
export const messageIdOf = (appointmentId: string, purpose: AppointmentPurpose, startsAtUtc: string) =>
  `sms:appt:${appointmentId}:${purpose}:${startsAtUtc}`;

interface TextRequest {
  readonly appointmentId: string;
  readonly purpose: AppointmentPurpose;
  /** The start the id is derived from (for a review without known details: the check-in time). */
  readonly idTime: string;
  readonly details: Details | null;
  readonly context: TextContext;
  readonly link?: string;
  readonly expiresAt?: string;
}

/** The SendSms event for one text, or SmsSkipped when the customer has no phone number. */
export function textEvent(r: TextRequest): SendSmsRequested | SmsSkipped {
  const messageId = messageIdOf(r.appointmentId, r.purpose, r.idTime);
  const { context, details } = r;
  if (!context.customer.phone) {
    return { type: 'SmsSkipped', data: { appointmentId: r.appointmentId, messageId, purpose: r.purpose, reason: 'no-phone' } };
  }
  const when = details ? localDateTime(details.startsAt, context.timeZone, context.settings.language) : { date: '', time: '' };
  const text = renderTemplate(templateFor(context.settings, r.purpose), {
    firstName: context.customer.firstName,
    businessName: context.business.name,
    date: when.date,
    time: when.time,
    link: r.link,
    service: details?.serviceName,
    staff: details?.staffName,
    address: details?.location ?? context.business.address,
  });
  const data: SendSms['data'] = {
    messageId,
    recipient: { phone: context.customer.phone, defaultRegion: context.business.country },
    text: text.slice(0, SMS_TEXT_MAX_LENGTH),
    purpose: r.purpose,
    refs: { appointmentId: r.appointmentId, ...(details ? { customerId: details.customerId } : {}) },
    ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
  };
  return { type: 'SendSms', data };
}
