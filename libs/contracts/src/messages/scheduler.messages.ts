import { z } from 'zod';
import { defineMessage } from '../envelope';
import { KebabName, UtcInstant, whenFieldsValid } from '../fields';

// Ticks of the clock (context `scheduler`). Platform-wide: `businessId` is null; each consumer fans out
// over its own businesses, in their own time zones.

/** The schedules of v1. Others may be added (any kebab-case name); consumers ignore schedules they do not know. */
export const KNOWN_SCHEDULES = ['review-requests', 'confirmation-reminders', 'campaigns'] as const;

const Schedule = KebabName.describe(`schedule name, kebab-case; v1 emits ${KNOWN_SCHEDULES.join(', ')}`);

/**
 * A schedule's slot came due. Consumers act on everything that fell due in `(previousSlotAt, slotAt]`, so one
 * tick after downtime covers every slot that was missed (`caughtUp` = true, `missedSlots` > 0) and nothing is
 * done twice or skipped.
 */
export const SchedulerTicked = defineMessage(
  'SchedulerTicked',
  1,
  z
    .object({
      schedule: Schedule,
      slotAt: UtcInstant.describe('the slot this tick stands for, aligned to the schedule period, UTC'),
      previousSlotAt: UtcInstant.nullable()
        .describe(
          'exclusive start of the window this tick covers: the slot of the previous tick of this schedule, or, when a ' +
            'downtime outlasted the catch-up horizon, the last slot skipped beyond it; null for the first tick ever',
        ),
      periodSeconds: z.number().int().min(1).max(86_400 * 31).describe('the schedule period'),
      caughtUp: z.boolean().describe('true when the tick was emitted late and covers missed slots'),
      missedSlots: z.number().int().min(0).describe('slots after previousSlotAt and before slotAt that got no tick'),
      trigger: z.enum(['clock', 'http']).describe('the scheduler clock, or a POST /crons/* call'),
    })
    .refine((d) => d.previousSlotAt === null || Date.parse(d.previousSlotAt) < Date.parse(d.slotAt), {
      path: ['previousSlotAt'],
      message: 'must be before slotAt',
      ...whenFieldsValid,
    })
    .refine((d) => d.caughtUp === d.missedSlots > 0, {
      path: ['caughtUp'],
      message: 'must be true exactly when missedSlots > 0',
      ...whenFieldsValid,
    })
    .describe('previousSlotAt, when not null, is before slotAt; caughtUp is true exactly when missedSlots > 0'),
  'platform',
);
export type SchedulerTicked = z.infer<typeof SchedulerTicked>;

/**
 * A slot got no tick of its own: the scheduler was down (a later tick covers it), the downtime outlasted the
 * catch-up horizon (`beyond-catch-up-horizon`: no tick covers it; the work of that slot is abandoned), or the same
 * slot was triggered twice. For audit and alerting; consumers need not act on it.
 */
export const SchedulerSlotSkipped = defineMessage(
  'SchedulerSlotSkipped',
  1,
  z
    .object({
      schedule: Schedule,
      slotAt: UtcInstant,
      reason: z.enum(['missed-during-downtime', 'already-ticked', 'beyond-catch-up-horizon']),
      coveredBySlotAt: UtcInstant.describe(
        'the slot of the tick that covers this one (for beyond-catch-up-horizon: the tick that resumed the schedule, whose window starts after it)',
      ),
    })
    .refine((d) => Date.parse(d.coveredBySlotAt) >= Date.parse(d.slotAt), {
      path: ['coveredBySlotAt'],
      message: 'must not be before slotAt',
      ...whenFieldsValid,
    })
    .describe('coveredBySlotAt is not before slotAt'),
  'platform',
);
export type SchedulerSlotSkipped = z.infer<typeof SchedulerSlotSkipped>;
