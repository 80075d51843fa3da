import { z } from 'zod';
import { defineMessage } from '../envelope';
import { CountryCode, EntityId, Name, OffsetInstant, PhoneAsEntered, TimeZone, whenFieldsValid } from '../fields';

// Events the booking frontend publishes (context `booking`). Every one concerns exactly one business:
// the envelope's `businessId` is required.

/** Who made a booking change: the customer online, or staff at the desk / by phone. */
export const BookingChannel = z.enum(['online', 'staff']);
export type BookingChannel = z.infer<typeof BookingChannel>;

const endsAfterStart = (d: { startsAt: string; endsAt?: string | undefined }) =>
  d.endsAt === undefined || Date.parse(d.endsAt) > Date.parse(d.startsAt);
const endsAfterStartIssue = { path: ['endsAt'], message: 'must be after startsAt', ...whenFieldsValid };

/** A business was created or changed. Carries what texting needs: its local time and its phone region. */
export const BusinessUpserted = defineMessage(
  'BusinessUpserted',
  1,
  z.object({
    name: Name,
    timeZone: TimeZone,
    country: CountryCode.describe('ISO 3166-1 alpha-2; the default region for reading national phone numbers'),
    address: z.string().max(500, 'must be at most 500 characters').optional(),
    smsSettings: z
      .object({
        daysBeforeAppointment: z.number().int().min(0).max(30).optional()
          .describe('confirmation reminders go out this many days before the appointment; 0 = off'),
        hoursAfterCheckInForTextMessages: z.number().min(0).max(720).optional()
          .describe('review requests go out this many hours after check-in'),
        reviewUrl: z
          .string()
          .max(500, 'must be at most 500 characters')
          .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'must be an http(s) URL')
          .optional()
          .describe('the review link texted in review requests'),
      })
      .optional()
      .describe('per-business texting settings, when the booking frontend holds them'),
  }),
  'business',
);
export type BusinessUpserted = z.infer<typeof BusinessUpserted>;

/** A customer was created or changed: how to text them, whether they agreed to marketing, and audience facts. */
export const CustomerUpserted = defineMessage(
  'CustomerUpserted',
  1,
  z
    .object({
      customerId: EntityId,
      firstName: Name,
      lastName: Name.optional(),
      phone: PhoneAsEntered.nullable().describe('phone as entered; null when the customer gave none'),
      marketingConsent: z.boolean().describe('the customer agreed to marketing texts (campaigns)'),
      consentedAt: OffsetInstant.optional().describe('when consent was given; only with marketingConsent = true'),
      tags: z.array(z.string().min(1).max(64, 'must be at most 64 characters')).max(100, 'at most 100 tags'),
      lastVisitAt: OffsetInstant.nullable().optional(),
      servicesHad: z.array(Name).max(200, 'at most 200 services').optional()
        .describe('names of services the customer has had, for campaign audience filters'),
    })
    .refine((d) => d.marketingConsent || d.consentedAt === undefined, {
      path: ['consentedAt'],
      message: 'must be absent when marketingConsent is false',
      ...whenFieldsValid,
    })
    .describe('consentedAt only with marketingConsent = true'),
  'business',
);
export type CustomerUpserted = z.infer<typeof CustomerUpserted>;

/** A customer booked an appointment (online or through staff). */
export const AppointmentBooked = defineMessage(
  'AppointmentBooked',
  1,
  z
    .object({
      appointmentId: EntityId,
      customerId: EntityId,
      channel: BookingChannel,
      startsAt: OffsetInstant,
      endsAt: OffsetInstant.optional(),
      serviceName: Name,
      staffName: Name.optional(),
      location: z.string().max(500, 'must be at most 500 characters').optional()
        .describe('where the appointment takes place, when not the business address'),
    })
    .refine(endsAfterStart, endsAfterStartIssue)
    .describe('endsAt, when present, is after startsAt'),
  'business',
);
export type AppointmentBooked = z.infer<typeof AppointmentBooked>;

/** An appointment moved to a new time (and possibly a new service, staff member or place). */
export const AppointmentRescheduled = defineMessage(
  'AppointmentRescheduled',
  1,
  z
    .object({
      appointmentId: EntityId,
      customerId: EntityId,
      channel: BookingChannel,
      startsAt: OffsetInstant,
      endsAt: OffsetInstant.optional(),
      previousStartsAt: OffsetInstant.optional(),
      serviceName: Name.optional(),
      staffName: Name.optional(),
      location: z.string().max(500, 'must be at most 500 characters').optional(),
    })
    .refine(endsAfterStart, endsAfterStartIssue)
    .describe('endsAt, when present, is after startsAt'),
  'business',
);
export type AppointmentRescheduled = z.infer<typeof AppointmentRescheduled>;

/** An appointment was cancelled. Nothing more is texted about it. */
export const AppointmentCancelled = defineMessage(
  'AppointmentCancelled',
  1,
  z.object({
    appointmentId: EntityId,
    customerId: EntityId,
    channel: BookingChannel,
    reason: z.string().max(500, 'must be at most 500 characters').optional(),
  }),
  'business',
);
export type AppointmentCancelled = z.infer<typeof AppointmentCancelled>;

/** The customer arrived for an appointment; starts the review-request clock. */
export const CustomerCheckedIn = defineMessage(
  'CustomerCheckedIn',
  1,
  z.object({ appointmentId: EntityId, customerId: EntityId, checkedInAt: OffsetInstant }),
  'business',
);
export type CustomerCheckedIn = z.infer<typeof CustomerCheckedIn>;

/** The customer confirmed they will come: by the link in a reminder, by replying, or through staff. */
export const AppointmentConfirmed = defineMessage(
  'AppointmentConfirmed',
  1,
  z.object({
    appointmentId: EntityId,
    customerId: EntityId,
    source: z.enum(['link', 'staff', 'sms-reply', 'online']),
    confirmedAt: OffsetInstant,
  }),
  'business',
);
export type AppointmentConfirmed = z.infer<typeof AppointmentConfirmed>;
