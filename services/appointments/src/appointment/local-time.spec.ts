import { isQuiet, nextAllowedAt, toUtc, windowOpensAt } from './local-time';

const quiet = { start: '21:00', end: '08:00' };

describe('local time in the business zone', () => {
  it('quiet hours spanning midnight, read on the Berlin wall clock in winter and summer', () => {
    expect(isQuiet('2026-01-10T19:59:00Z', 'Europe/Berlin', quiet)).toBe(false); // 20:59 CET
    expect(isQuiet('2026-01-10T20:00:00Z', 'Europe/Berlin', quiet)).toBe(true); // 21:00 CET
    expect(isQuiet('2026-07-10T06:00:00Z', 'Europe/Berlin', quiet)).toBe(false); // 08:00 CEST
    expect(isQuiet('2026-01-10T06:00:00Z', 'Europe/Berlin', quiet)).toBe(true); // 07:00 CET
    expect(isQuiet('2026-01-10T06:00:00Z', 'Europe/Berlin', null)).toBe(false);
  });

  it('quiet hours inside one day', () => {
    const lunch = { start: '12:00', end: '13:30' };
    expect(isQuiet('2026-01-10T11:15:00Z', 'Europe/Berlin', lunch)).toBe(true);
    expect(isQuiet('2026-01-10T12:30:00Z', 'Europe/Berlin', lunch)).toBe(false);
  });

  it('the next allowed time is the local end of quiet hours, also on DST change days', () => {
    // Spring forward (29 March 2026): 08:00 local is CEST = 06:00 UTC, not 07:00.
    expect(nextAllowedAt('2026-03-28T23:30:00Z', 'Europe/Berlin', quiet)).toBe('2026-03-29T06:00:00.000Z');
    // Fall back (25 October 2026): 08:00 local is CET = 07:00 UTC.
    expect(nextAllowedAt('2026-10-24T22:30:00Z', 'Europe/Berlin', quiet)).toBe('2026-10-25T07:00:00.000Z');
    // New York springs forward on 8 March 2026.
    expect(nextAllowedAt('2026-03-08T05:00:00Z', 'America/New_York', quiet)).toBe('2026-03-08T12:00:00.000Z');
    expect(nextAllowedAt('2026-03-08T13:00:00Z', 'America/New_York', quiet)).toBe('2026-03-08T13:00:00.000Z');
  });

  it('window opening keeps the local time across a DST change', () => {
    expect(windowOpensAt('2026-03-30T07:00:00Z', 'Europe/Berlin', 2)).toBe('2026-03-28T08:00:00.000Z');
  });

  it('normalises offsets to one UTC form', () => {
    expect(toUtc('2026-12-03T14:00:00+01:00')).toBe('2026-12-03T13:00:00.000Z');
    expect(() => toUtc('yesterday')).toThrow('not an ISO instant');
  });
});
