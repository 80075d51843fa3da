import { given } from '@dailydesk/testing';
import type { ChangeSmsSettings, SmsSettingsChanged } from './sms-settings.decider';
import { settingsOf, smsSettingsDecider as decider } from './sms-settings.decider';
import { DEFAULT_SMS_SETTINGS, type SmsSettingsPatch } from './sms-settings.schema';
import { renderTemplate, templateFor } from './templates';

const change = (patch: SmsSettingsPatch, source: 'api' | 'booking-frontend' = 'api'): ChangeSmsSettings => ({
  type: 'ChangeSmsSettings',
  data: { patch, source },
  metadata: { commandId: 'c-1', now: '2026-11-29T12:00:00Z', correlationId: 'c-1', businessId: 'biz-1' },
});

describe('SMS settings', () => {
  it('merges a change into the defaults and records the whole document with what changed', () => {
    const patch: SmsSettingsPatch = { daysBeforeAppointment: 2, enabled: { review: false }, templates: { de: { review: 'Danke {{firstName}}: {{link}}' } } };
    const settings = { ...DEFAULT_SMS_SETTINGS, daysBeforeAppointment: 2, enabled: { ...DEFAULT_SMS_SETTINGS.enabled, review: false }, templates: { de: { review: 'Danke {{firstName}}: {{link}}' } } };
    const expected: SmsSettingsChanged = { type: 'SmsSettingsChanged', data: { settings, changed: ['daysBeforeAppointment', 'enabled', 'templates'], source: 'api' } };
    given(decider, []).when(change(patch)).then([expected]);
    expect(settingsOf([expected])).toEqual(settings);
  });

  it('a change that changes nothing records nothing', () => {
    given(decider, []).when(change({ daysBeforeAppointment: 1, language: 'en' })).then([]);
  });

  it('an unknown placeholder is refused with its name', () => {
    const error = given(decider, []).when(change({ templates: { en: { confirmation: 'Hi {{first_name}}' } } })).thenThrows('UNKNOWN_PLACEHOLDER');
    expect(error.message).toContain('{{first_name}}');
    expect(error.message).toContain('templates.en.confirmation');
  });

  it('a reminder or review text without {{link}}, or with broken braces, is refused', () => {
    given(decider, []).when(change({ templates: { en: { reminder: 'See you {{date}}' } } })).thenThrows('INVALID_TEMPLATE');
    given(decider, []).when(change({ templates: { en: { confirmation: 'Hi {{firstName}' } } })).thenThrows('INVALID_TEMPLATE');
    given(decider, []).when(change({ templates: { en: { confirmation: 'Hi [[{{staff}}' } } })).thenThrows('INVALID_TEMPLATE');
  });

  it('values the merge makes invalid are refused', () => {
    given(decider, []).when(change({ quietHours: { start: '08:00', end: '08:00' } })).thenThrows('INVALID_SETTINGS');
  });
});

describe('templates', () => {
  it('fills placeholders and drops optional parts whose values are missing', () => {
    const t = 'Hi {{firstName}}, {{service}}[[ with {{staff}}]] on {{date}}.[[ At {{address}}.]]';
    expect(renderTemplate(t, { firstName: 'Ana', service: 'Cut', staff: 'Mia', date: 'Thu' })).toBe('Hi Ana, Cut with Mia on Thu.');
    expect(renderTemplate(t, { firstName: 'Ana', service: 'Cut', date: 'Thu', address: 'Main St' })).toBe('Hi Ana, Cut on Thu. At Main St.');
  });

  it('uses the business language, its own template first, English when the language has no built-in one', () => {
    expect(templateFor({ ...DEFAULT_SMS_SETTINGS, language: 'de' }, 'review')).toMatch(/^Hallo/);
    expect(templateFor({ ...DEFAULT_SMS_SETTINGS, language: 'fr' }, 'review')).toMatch(/^Hi/);
    expect(templateFor({ ...DEFAULT_SMS_SETTINGS, templates: { en: { review: 'R {{link}}' } } }, 'review')).toBe('R {{link}}');
  });
});
