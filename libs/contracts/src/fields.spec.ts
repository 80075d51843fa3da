import { CountryCode, E164, ISO_COUNTRY_CODES, PhoneAsEntered, priorityOf, SMS_PRIORITY_BY_PURPOSE, SmsPurpose, TimeZone } from './index';

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) => schema.safeParse(v).success;

describe('field schemas', () => {
  it('lists the 249 officially assigned ISO 3166-1 alpha-2 codes, each a region the runtime knows', () => {
    expect(ISO_COUNTRY_CODES).toHaveLength(249);
    expect(new Set(ISO_COUNTRY_CODES).size).toBe(249);
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    const unknown = ISO_COUNTRY_CODES.filter((c) => names.of(c) === c || names.of(c) === 'Unknown Region');
    expect(unknown).toEqual([]);
    expect(ok(CountryCode, 'XK')).toBe(false); // Kosovo: user-assigned, not ISO
  });

  it.each(['Europe/Berlin', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT+5', 'America/Port-au-Prince'])('accepts time zone %s', (tz) => {
    expect(ok(TimeZone, tz)).toBe(true);
  });

  it.each(['Europe/Atlantis', '+01:00', 'CET+1', '', 'Europe/Berlin ', '../etc/passwd'])('rejects time zone %j', (tz) => {
    expect(ok(TimeZone, tz)).toBe(false);
  });

  it.each(['0171 234 5678', '+49 (171) 234-5678', '171.234.5678', '5'])('accepts phone as entered %j', (p) => {
    expect(ok(PhoneAsEntered, p)).toBe(true);
  });

  it.each(['', ' ', '+', 'abc', '0171 234 5678 ext', '1'.repeat(41)])('rejects phone as entered %j', (p) => {
    expect(ok(PhoneAsEntered, p)).toBe(false);
  });

  it.each([
    ['+4917123456789', true],
    ['+14155550100', true],
    ['4917123456789', false],
    ['+0917123456789', false],
    ['+49 171 2345678', false],
    ['+1234567', false],
    ['+1234567890123456', false],
  ] as const)('E.164 %s → %s', (n, valid) => {
    expect(ok(E164, n)).toBe(valid);
  });

  it('derives priority from the purpose unless the request names one', () => {
    for (const purpose of SmsPurpose.options) expect(priorityOf({ purpose })).toBe(SMS_PRIORITY_BY_PURPOSE[purpose]);
    expect(priorityOf({ purpose: 'confirmation' })).toBe('instant');
    expect(priorityOf({ purpose: 'review' })).toBe('normal');
    expect(priorityOf({ purpose: 'campaign' })).toBe('bulk');
    expect(priorityOf({ purpose: 'campaign', priority: 'instant' })).toBe('instant');
  });
});
