import { z } from 'zod';
import { TimeZone } from '@dailydesk/contracts';

/** The kinds of appointment text a business can switch on or off and word itself. */
export const SMS_KINDS = ['confirmation', 'reschedule', 'reminder', 'review'] as const;
export type SmsKind = (typeof SMS_KINDS)[number];

const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:mm (24 h), e.g. 21:00');
const Language = z.string().regex(/^[a-z]{2}$/, 'must be a two-letter language code such as en or de');
const Template = z.string().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');

/** Local hours (business zone) in which reminders and review requests wait; `start` > `end` spans midnight. */
export const QuietHours = z
  .object({ start: LocalTime, end: LocalTime })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] });
export type QuietHours = z.infer<typeof QuietHours>;

const TemplatesOfLanguage = z
  .object({ confirmation: Template, reschedule: Template, reminder: Template, review: Template })
  .partial()
  .strict();

/** A business's texting settings, as stored in its settings stream and shown by `GET /businesses/:id/sms-settings`. */
export const SmsSettings = z
  .object({
    /** null: the business's own zone from BusinessUpserted. */
    timeZone: TimeZone.nullable(),
    daysBeforeAppointment: z.number().int().min(0).max(30),
    hoursAfterCheckInForTextMessages: z.number().min(0).max(720),
    quietHours: QuietHours.nullable(),
    reviewUrl: z
      .string()
      .max(500, 'must be at most 500 characters')
      .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'must be an http(s) URL')
      .nullable(),
    language: Language,
    enabled: z.object({ confirmation: z.boolean(), reschedule: z.boolean(), reminder: z.boolean(), review: z.boolean() }).strict(),
    /** Per language, per kind; a kind without its own template uses the built-in one. */
    templates: z.record(Language, TemplatesOfLanguage),
  })
  .strict();
export type SmsSettings = z.infer<typeof SmsSettings>;

/** Body of `PUT /businesses/:id/sms-settings`: any subset of the fields; those left out keep their value. */
export const SmsSettingsPatch = SmsSettings.extend({
  enabled: SmsSettings.shape.enabled.partial(),
})
  .partial()
  .strict();
export type SmsSettingsPatch = z.infer<typeof SmsSettingsPatch>;

/** What a business gets before anyone changed anything. */
export const DEFAULT_SMS_SETTINGS: SmsSettings = Object.freeze({
  timeZone: null,
  daysBeforeAppointment: 1,
  hoursAfterCheckInForTextMessages: 2,
  quietHours: { start: '21:00', end: '08:00' },
  reviewUrl: null,
  language: 'en',
  enabled: { confirmation: true, reschedule: true, reminder: true, review: true },
  templates: {},
}) as SmsSettings;
