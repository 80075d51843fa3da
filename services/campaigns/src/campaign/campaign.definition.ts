import { z } from 'zod';
import { OffsetInstant } from '@dailydesk/contracts';
import { templateProblems } from './campaign.template';
import { WEEKDAYS, type Recurrence } from './campaign.schedule';

// What a person defines about a campaign, parsed at the HTTP edge and stored in the campaign's events.

const LocalDate = z.iso.date({ error: 'must be a local date YYYY-MM-DD' });
const SendTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a local time HH:mm (24 h)');
const Tag = z.string().min(1).max(64, 'must be at most 64 characters');

/** Who receives a campaign, besides the rules every run applies (consent, not opted out, valid mobile number). */
export const AudienceFilter = z
  .object({
    tagsAny: z.array(Tag).min(1).max(50).optional().describe('customers with at least one of these tags'),
    tagsAll: z.array(Tag).min(1).max(50).optional().describe('customers with every one of these tags'),
    lastVisitBefore: OffsetInstant.optional(),
    lastVisitAfter: OffsetInstant.optional(),
    noVisitForDays: z.number().int().min(1).max(3650).optional().describe('last visit at least this many days before the run'),
    visitedWithinDays: z.number().int().min(1).max(3650).optional().describe('last visit at most this many days before the run'),
    hasHadService: z.string().min(1).max(200).optional().describe('name of a service the customer has had (case-insensitive)'),
  })
  .strict();
export type AudienceFilter = z.infer<typeof AudienceFilter>;

const RRULE = /^FREQ=(DAILY|WEEKLY|MONTHLY)(?:;(BYDAY|BYMONTHDAY)=([A-Z0-9,]+))?$/;

/** Parses the supported RRULE subset: FREQ=DAILY, FREQ=WEEKLY;BYDAY=MO,WE, FREQ=MONTHLY;BYMONTHDAY=15. */
export function parseRrule(rule: string): Recurrence | string {
  const m = RRULE.exec(rule.trim().toUpperCase().replace(/^RRULE:/, ''));
  if (!m) return 'supported: FREQ=DAILY, FREQ=WEEKLY;BYDAY=MO,WE,…, FREQ=MONTHLY;BYMONTHDAY=1..31';
  const [, freq, part, value] = m;
  if (freq === 'DAILY') return part ? 'FREQ=DAILY takes no BYDAY/BYMONTHDAY' : { freq: 'DAILY' };
  if (freq === 'WEEKLY') {
    const days = (value ?? '').split(',');
    if (part !== 'BYDAY' || !days.every((d) => (WEEKDAYS as readonly string[]).includes(d))) return 'FREQ=WEEKLY needs BYDAY=MO,TU,…';
    return { freq: 'WEEKLY', byDay: WEEKDAYS.filter((d) => days.includes(d)) };
  }
  const n = Number(value);
  if (part !== 'BYMONTHDAY' || !Number.isInteger(n) || n < 1 || n > 31) return 'FREQ=MONTHLY needs BYMONTHDAY=1..31';
  return { freq: 'MONTHLY', byMonthDay: n };
}

const RecurrenceSchema = z.discriminatedUnion('freq', [
  z.object({ freq: z.literal('DAILY') }).strict(),
  z.object({ freq: z.literal('WEEKLY'), byDay: z.array(z.enum(WEEKDAYS)).min(1).max(7) }).strict(),
  z.object({ freq: z.literal('MONTHLY'), byMonthDay: z.number().int().min(1).max(31) }).strict(),
]);

const RecurrenceInput = z.union([RecurrenceSchema, z.string().max(100)]).transform((v, ctx) => {
  if (typeof v !== 'string') return v;
  const r = parseRrule(v);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return r;
});

export const ScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ONE_TIME'), date: LocalDate }).strict(),
  z.object({ kind: z.literal('RECURRING'), recurrence: RecurrenceInput, startDate: LocalDate }).strict(),
]);

/** A campaign as a person defines it (HTTP body of create; edits send any subset and are merged, then re-checked). */
export const CampaignDefinition = z
  .object({
    name: z.string().min(1).max(200).regex(/\S/, 'must not be blank'),
    template: z
      .string()
      .min(1)
      .max(1530, 'must be at most 1530 characters')
      .regex(/\S/, 'must not be blank')
      .superRefine((t, ctx) => templateProblems(t).forEach((message) => ctx.addIssue({ code: 'custom', message }))),
    audience: AudienceFilter.default({}),
    schedule: ScheduleSchema,
    sendTime: SendTime,
    endDate: LocalDate.nullable().default(null),
  })
  .strict()
  .refine((d) => d.endDate === null || d.endDate >= (d.schedule.kind === 'ONE_TIME' ? d.schedule.date : d.schedule.startDate), {
    path: ['endDate'],
    message: 'must not be before the (start) date',
  });
export type CampaignDefinition = z.infer<typeof CampaignDefinition>;

/** The reason of the first few zod issues, each naming its field; never echoes the input. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
