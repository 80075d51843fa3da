import { CampaignDefinition, describeIssues, parseRrule } from './campaign.definition';
import { compileTemplate, renderTemplate, templateProblems } from './campaign.template';
import { smsEncodingOf } from './sms-encoding';

describe('templates', () => {
  it('renders known placeholders and collapses the gap of an empty one', () => {
    const t = compileTemplate('Hi {{firstName}} {{ lastName }}, {{businessName}} misses you');
    expect(renderTemplate(t, { firstName: 'Ana', lastName: '', businessName: 'Salon Nord' })).toBe('Hi Ana , Salon Nord misses you');
    expect(renderTemplate(t, { firstName: 'Ana', lastName: 'Li', businessName: 'X' })).toBe('Hi Ana Li, X misses you');
  });
  it('names unknown placeholders and unbalanced braces', () => {
    expect(templateProblems('Hi {{firstname}}')).toEqual([expect.stringContaining('unknown placeholder {{firstname}}')]);
    expect(templateProblems('Hi {{firstName}')).toEqual(['unbalanced {{ or }}']);
    expect(templateProblems('Hi {{firstName}}')).toEqual([]);
  });
  it('a definition with an unknown placeholder is refused with the field and reason', () => {
    const r = CampaignDefinition.safeParse({ name: 'n', template: 'Hi {{nickname}}', sendTime: '09:00', schedule: { kind: 'ONE_TIME', date: '2026-03-10' } });
    expect(r.success).toBe(false);
    expect(describeIssues(r.error!)).toMatch(/^template: unknown placeholder \{\{nickname\}\}/);
  });
});

describe('RRULE subset', () => {
  it('parses daily, weekly and monthly rules and explains the rest', () => {
    expect(parseRrule('FREQ=DAILY')).toEqual({ freq: 'DAILY' });
    expect(parseRrule('RRULE:FREQ=WEEKLY;BYDAY=TH,MO')).toEqual({ freq: 'WEEKLY', byDay: ['MO', 'TH'] });
    expect(parseRrule('FREQ=MONTHLY;BYMONTHDAY=15')).toEqual({ freq: 'MONTHLY', byMonthDay: 15 });
    expect(parseRrule('FREQ=MONTHLY;BYMONTHDAY=32')).toMatch(/BYMONTHDAY=1..31/);
    expect(parseRrule('FREQ=YEARLY')).toMatch(/supported/);
  });
});

describe('SMS encoding and segments', () => {
  it('counts GSM-7 septets, extension characters twice, and 153 per part beyond 160', () => {
    expect(smsEncodingOf('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsEncodingOf('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsEncodingOf('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsEncodingOf('a'.repeat(307))).toEqual({ encoding: 'GSM-7', units: 307, segments: 3 });
  });
  it('falls back to UCS-2 for anything outside GSM 03.38, 67 per part beyond 70', () => {
    expect(smsEncodingOf('Grüße ✂')).toEqual({ encoding: 'UCS-2', units: 7, segments: 1 });
    expect(smsEncodingOf('ł'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });
});
