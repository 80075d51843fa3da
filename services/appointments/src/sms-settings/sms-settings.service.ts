import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { handleCommand, type EventStore } from '@dailydesk/event-store';
import { EVENT_STORE } from '@dailydesk/service-kit';
import { APPOINTMENTS_OPTIONS, type AppointmentsOptions } from '../shared/tokens';
import { settingsOf, settingsStreamId, smsSettingsDecider, type SettingsSource } from './sms-settings.decider';
import type { SmsSettings, SmsSettingsPatch } from './sms-settings.schema';

/** Reads and changes a business's SMS settings through its settings stream (the store is the truth). */
@Injectable()
export class SmsSettingsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APPOINTMENTS_OPTIONS) private readonly options: AppointmentsOptions,
  ) {}

  /** The settings in force, and whether anyone ever changed them. */
  async read(businessId: string): Promise<{ settings: SmsSettings; customised: boolean }> {
    const { version, events } = await this.store.readStream(settingsStreamId(businessId));
    return { settings: settingsOf(events.map((r) => r.event)), customised: version > 0 };
  }

  /**
   * Applies a change. `cause` is the id of what caused it (the BusinessUpserted envelope), so a redelivery writes
   * nothing new; API changes get a fresh id. Throws DomainError INVALID_SETTINGS / UNKNOWN_PLACEHOLDER / INVALID_TEMPLATE.
   */
  async change(businessId: string, patch: SmsSettingsPatch, source: SettingsSource, cause?: { id: string; correlationId: string }): Promise<SmsSettings> {
    const commandId = cause?.id ?? `settings-api:${randomUUID()}`;
    const result = await handleCommand(this.store, settingsStreamId(businessId), smsSettingsDecider, {
      type: 'ChangeSmsSettings',
      data: { patch, source },
      metadata: { commandId, now: this.options.clock().toISOString(), correlationId: cause?.correlationId ?? commandId, businessId },
    });
    return result.state.settings;
  }
}
