import { randomBytes } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { SchedulerTicked } from '@dailydesk/contracts';
import { DomainError, type Database } from '@dailydesk/event-store';
import type { JetStreamContext } from '@dailydesk/messaging';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { DEFAULT_SMS_SETTINGS } from '../sms-settings/sms-settings.schema';
import { q } from '../shared/tables';
import { APPOINTMENTS_OPTIONS, type AppointmentsOptions } from '../shared/tokens';
import { AppointmentCommands } from './appointment.commands';
import { isQuiet, nextAllowedAt } from './local-time';
import { contextOf, TextContextService, type BusinessTexting } from './text-context.service';

interface Candidate {
  appointment_id: string;
  business_id: string;
  customer_id: string;
  sort_at: Date;
}

const PAGE = 500;
/** A 128-bit random token, base64url (22 characters): the confirmation link cannot be guessed from any id. */
const newToken = () => randomBytes(16).toString('base64url');

/**
 * Reminders and review requests on the scheduler's ticks. The projection tables only say which appointments may
 * be due (cheap, indexed); each one then goes through the decider on its own stream, which re-checks every rule
 * (cancelled, confirmed, already texted, quiet hours) — so a stale row can cost a no-op, never a wrong text.
 * Acting on state rather than on the tick window makes a repeated or catch-up tick harmless.
 */
@Controller()
export class TickHandlers {
  private readonly s: string;

  constructor(
    private readonly commands: AppointmentCommands,
    private readonly contexts: TextContextService,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_SCHEMA) schema: string,
    @Inject(APPOINTMENTS_OPTIONS) private readonly options: AppointmentsOptions,
  ) {
    this.s = q(schema);
  }

  @EventPattern('SchedulerTicked', { durable: 'send-reminders-and-review-requests' })
  async sendDueTexts(@Payload() tick: SchedulerTicked, @Ctx() ctx: JetStreamContext): Promise<void> {
    if (tick.data.schedule === 'confirmation-reminders') await this.run(tick, ctx, 'reminder');
    else if (tick.data.schedule === 'review-requests') await this.run(tick, ctx, 'review');
  }

  private async run(tick: SchedulerTicked, ctx: JetStreamContext, kind: 'reminder' | 'review'): Promise<void> {
    const at = tick.data.slotAt;
    const log = ctx.getLogger();
    const businesses = new Map<string, BusinessTexting | null>();
    let after: [Date, string] | null = null;
    let failures = 0;
    let decided = 0;
    for (;;) {
      const page = await this.candidates(kind, at, after);
      for (const c of page) {
        ctx.working();
        if (!businesses.has(c.business_id)) businesses.set(c.business_id, await this.contexts.business(c.business_id));
        const b = businesses.get(c.business_id);
        if (!b) continue;
        if (isQuiet(at, b.timeZone, b.settings.quietHours)) {
          log.debug({ businessId: c.business_id, until: nextAllowedAt(at, b.timeZone, b.settings.quietHours) }, `${kind}s deferred by quiet hours`);
          continue;
        }
        const customer = (await this.contexts.customers(c.business_id, [c.customer_id])).get(c.customer_id);
        if (!customer) {
          log.warn({ appointmentId: c.appointment_id }, `${kind} waits: customer not known yet`);
          continue;
        }
        const base = { appointmentId: c.appointment_id, businessId: c.business_id, at, context: contextOf(b, customer) };
        const metadata = { commandId: tick.id, now: this.options.clock().toISOString(), correlationId: tick.correlationId, businessId: c.business_id };
        try {
          const result = await this.commands.run(
            kind === 'reminder'
              ? { type: 'SendReminder', data: { ...base, token: newToken(), linkBaseUrl: this.options.publicBaseUrl }, metadata }
              : { type: 'SendReviewRequest', data: base, metadata },
          );
          if (result.appended) decided += 1;
        } catch (err) {
          // One bad appointment must not hold back the others; a non-rule failure redelivers the tick (harmless).
          if (!(err instanceof DomainError)) failures += 1;
          log.error({ err, appointmentId: c.appointment_id }, `${kind} failed`);
        }
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1] as Candidate;
      after = [last.sort_at, last.appointment_id];
    }
    log.info({ schedule: tick.data.schedule, slotAt: at, decided }, `${kind} tick handled`);
    if (failures > 0) throw new Error(`${failures} ${kind} decision(s) failed; the tick will be redelivered`);
  }

  private candidates(kind: 'reminder' | 'review', at: string, after: [Date, string] | null): Promise<Candidate[]> {
    const params: unknown[] = kind === 'reminder' ? [at, DEFAULT_SMS_SETTINGS.daysBeforeAppointment] : [at];
    const keyset = after ? `AND (sort_at, appointment_id) > ($${params.length + 1}::timestamptz, $${params.length + 2}::text)` : '';
    if (after) params.push(...after);
    // The reminder window is widened by a day so that DST never hides a due appointment; the decider is exact.
    const inner =
      kind === 'reminder'
        ? `SELECT a.appointment_id, a.business_id, a.customer_id, a.starts_at AS sort_at
           FROM ${this.s}.appointments a LEFT JOIN ${this.s}.sms_settings s USING (business_id)
           WHERE a.status = 'booked' AND a.customer_id IS NOT NULL AND a.starts_at > $1::timestamptz
             AND a.reminder_for_starts_at IS DISTINCT FROM a.starts_at
             AND COALESCE(s.reminders_on, true) AND COALESCE(s.days_before_appointment, $2::int) > 0
             AND a.starts_at <= $1::timestamptz + make_interval(days => COALESCE(s.days_before_appointment, $2::int) + 1)`
        : `SELECT a.appointment_id, a.business_id, a.customer_id, a.checked_in_at AS sort_at
           FROM ${this.s}.appointments a JOIN ${this.s}.sms_settings s USING (business_id)
           WHERE a.status = 'checked-in' AND a.review_state = 'pending' AND a.customer_id IS NOT NULL
             AND s.reviews_on AND s.review_url IS NOT NULL
             AND a.checked_in_at + make_interval(secs => s.hours_after_check_in * 3600) <= $1::timestamptz`;
    return this.db.query<Candidate>(`SELECT * FROM (${inner}) c WHERE true ${keyset} ORDER BY sort_at, appointment_id LIMIT ${PAGE}`, params);
  }
}
