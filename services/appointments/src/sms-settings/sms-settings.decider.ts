import { DomainError, type Command, type Decider, type DomainEvent } from '@dailydesk/event-store';
import { DEFAULT_SMS_SETTINGS, SmsSettings, type SmsSettingsPatch } from './sms-settings.schema';
import { validateTemplates } from './templates';

/** Who changed the settings: the HTTP API, or the booking frontend's BusinessUpserted.smsSettings. */
export type SettingsSource = 'api' | 'booking-frontend';

export type ChangeSmsSettings = Command<'ChangeSmsSettings', { patch: SmsSettingsPatch; source: SettingsSource }>;

/** Private event: the whole settings document after the change, and which fields changed. */
export type SmsSettingsChanged = DomainEvent<'SmsSettingsChanged', { settings: SmsSettings; changed: string[]; source: SettingsSource }>;

export type SmsSettingsState = { status: 'default'; settings: SmsSettings } | { status: 'customised'; settings: SmsSettings };

/** Stream of one business's settings. */
export const settingsStreamId = (businessId: string) => `sms-settings-${businessId}`;

/** Folds stored events of a settings stream (as `{ type, data }`) into the settings in force. */
export function settingsOf(events: ReadonlyArray<{ type: string; data: unknown }>): SmsSettings {
  return events.reduce<SmsSettingsState>((s, e) => smsSettingsDecider.evolve(s, e as SmsSettingsChanged), smsSettingsDecider.initialState())
    .settings;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Per-business SMS settings. A change merges the patch into the settings in force (`enabled` per kind, `templates`
 * per language and kind), validates the templates, and records the whole new document; a change that changes
 * nothing records nothing.
 */
export const smsSettingsDecider: Decider<ChangeSmsSettings, SmsSettingsChanged, SmsSettingsState> = {
  initialState: () => ({ status: 'default', settings: DEFAULT_SMS_SETTINGS }),
  evolve: (_state, event) => ({ status: 'customised', settings: event.data.settings }),
  decide: (command, state) => {
    const { patch, source } = command.data;
    const current = state.settings;
    const templates = { ...current.templates };
    for (const [language, byKind] of Object.entries(patch.templates ?? {})) {
      templates[language] = { ...templates[language], ...byKind };
    }
    const candidate = { ...current, ...patch, enabled: { ...current.enabled, ...patch.enabled }, templates };
    const parsed = SmsSettings.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DomainError('INVALID_SETTINGS', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    validateTemplates(patch.templates ?? {});
    const next = parsed.data;
    const changed = (Object.keys(next) as Array<keyof SmsSettings>).filter((k) => !same(next[k], current[k]));
    if (changed.length === 0) return [];
    return [{ type: 'SmsSettingsChanged', data: { settings: next, changed, source } }];
  },
};
