import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Database, EventStore, RecordedEvent, Subscription } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { settingsOf } from '../sms-settings/sms-settings.decider';
import { q } from '../shared/tables';
import { TABLES_READY } from '../shared/tokens';
import type { AppointmentEvent } from './appointment.events';
import { detailsOf, evolveAppointment, initialAppointmentState, type AppointmentState } from './appointment.state';

/** Name of the store subscription feeding the tables; a new name rebuilds them from the first event. */
export const PROJECTION_NAME = 'projection-v1';

const APPOINTMENT_PREFIX = 'appointment-';
const SETTINGS_PREFIX = 'sms-settings-';

/**
 * Keeps the query tables (appointments, confirmation_links, sms_settings) in step with the store through a
 * checkpointed subscription: at-least-once, and each row is rewritten from the whole folded stream, so replaying a
 * batch or catching up after a crash gives the same rows. Ticks use these rows only to find candidates; the
 * decider re-checks every rule on the stream itself.
 */
@Injectable()
export class AppointmentProjection implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | null = null;
  private readonly s: string;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_SCHEMA) schema: string,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(TABLES_READY) _ready: true,
  ) {
    this.s = q(schema);
  }

  onApplicationBootstrap(): void {
    this.subscription = this.store.subscribe({
      name: PROJECTION_NAME,
      handler: (events) => this.apply(events),
      batchSize: 500,
      pollIntervalMs: 500,
      logger: this.logger,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Applies a batch (public for tests and rebuild tooling). */
  async apply(events: RecordedEvent[]): Promise<void> {
    const streams = [...new Set(events.map((e) => e.streamId))];
    for (const streamId of streams) {
      if (streamId.startsWith(APPOINTMENT_PREFIX)) await this.projectAppointment(streamId);
      else if (streamId.startsWith(SETTINGS_PREFIX)) await this.projectSettings(streamId.slice(SETTINGS_PREFIX.length));
    }
  }

  private async projectAppointment(streamId: string): Promise<void> {
    const { version, events } = await this.store.readStream(streamId);
    const state = events.reduce<AppointmentState>((st, r) => evolveAppointment(st, r.event as unknown as AppointmentEvent), initialAppointmentState());
    if (state.businessId === null) return;
    const appointmentId = streamId.slice(APPOINTMENT_PREFIX.length);
    const details = detailsOf(state);
    const reminded = details ? state.links.some((l) => l.forStartsAt === details.startsAt) : false;
    const review = state.status === 'checked-in' ? state.review : null;
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ${this.s}.appointments AS t
           (appointment_id, business_id, customer_id, status, starts_at, checked_in_at, reminder_for_starts_at, review_state, stream_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (appointment_id) DO UPDATE SET business_id = excluded.business_id, customer_id = excluded.customer_id,
           status = excluded.status, starts_at = excluded.starts_at, checked_in_at = excluded.checked_in_at,
           reminder_for_starts_at = excluded.reminder_for_starts_at, review_state = excluded.review_state, stream_version = excluded.stream_version
         WHERE excluded.stream_version >= t.stream_version`,
        [
          appointmentId,
          state.businessId,
          details?.customerId ?? null,
          state.status,
          details?.startsAt ?? null,
          state.status === 'checked-in' ? state.checkedInAt : null,
          reminded && details ? details.startsAt : null,
          review,
          version,
        ],
      );
      for (const link of state.links) {
        await tx.query(
          `INSERT INTO ${this.s}.confirmation_links (token, appointment_id, business_id, for_starts_at, expires_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token) DO NOTHING`,
          [link.token, appointmentId, state.businessId, link.forStartsAt, link.expiresAt],
        );
      }
    });
  }

  private async projectSettings(businessId: string): Promise<void> {
    const { events } = await this.store.readStream(`${SETTINGS_PREFIX}${businessId}`);
    const st = settingsOf(events.map((r) => r.event));
    await this.db.query(
      `INSERT INTO ${this.s}.sms_settings (business_id, settings, days_before_appointment, hours_after_check_in, review_url, reminders_on, reviews_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (business_id) DO UPDATE SET settings = excluded.settings, days_before_appointment = excluded.days_before_appointment,
         hours_after_check_in = excluded.hours_after_check_in, review_url = excluded.review_url,
         reminders_on = excluded.reminders_on, reviews_on = excluded.reviews_on`,
      [businessId, JSON.stringify(st), st.daysBeforeAppointment, st.hoursAfterCheckInForTextMessages, st.reviewUrl, st.enabled.reminder, st.enabled.review],
    );
  }
}
