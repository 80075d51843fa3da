import { DateTime } from 'luxon';

// Pure scheduling rules of a campaign. Dates are the business's local calendar dates (YYYY-MM-DD); the send time
// is a local wall-clock time (HH:mm); instants are computed in the business's IANA zone, never the server's.

export type LocalDate = string;
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Recurrence =
  | { readonly freq: 'DAILY' }
  | { readonly freq: 'WEEKLY'; readonly byDay: readonly Weekday[] }
  | { readonly freq: 'MONTHLY'; readonly byMonthDay: number };

export type Schedule =
  | { readonly kind: 'ONE_TIME'; readonly date: LocalDate }
  | { readonly kind: 'RECURRING'; readonly recurrence: Recurrence; readonly startDate: LocalDate };

/** When a campaign sends: which local dates, at what local time, until when (inclusive). */
export interface Timing {
  readonly schedule: Schedule;
  readonly sendTime: string;
  readonly endDate: LocalDate | null;
}

// Longest gap between two occurrences of any supported rule (monthly on the 31st clamps, so ≤ 31 days).
const SEARCH_DAYS = 62;

function day(date: LocalDate): DateTime {
  return DateTime.fromISO(date, { zone: 'UTC' });
}

/** Adds `days` to a local date. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return day(date).plus({ days }).toISODate()!;
}

/** The later of two local dates. */
export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a >= b ? a : b;
}

/** The business's local calendar date at `instant`. */
export function localDateAt(instant: string, zone: string): LocalDate {
  return DateTime.fromISO(instant, { setZone: true }).setZone(zone).toISODate()!;
}

/**
 * The UTC instant of `sendTime` on `date` in `zone`. A send time inside a spring-forward gap moves forward by the
 * gap (02:30 on the night clocks jump from 02:00 to 03:00 is 03:30); in the autumn overlap the earlier instant wins.
 */
export function instantOf(date: LocalDate, sendTime: string, zone: string): string {
  const local = DateTime.fromISO(`${date}T${sendTime}`, { zone });
  return local.toUTC().toISO({ suppressMilliseconds: true })!;
}

/** Whether the rule has an occurrence on `date` (ignoring start and end dates). Monthly on a day a month lacks falls on its last day. */
export function recursOn(recurrence: Recurrence, date: LocalDate): boolean {
  const d = day(date);
  switch (recurrence.freq) {
    case 'DAILY':
      return true;
    case 'WEEKLY':
      return recurrence.byDay.includes(WEEKDAYS[d.weekday - 1]!);
    case 'MONTHLY':
      return d.day === Math.min(recurrence.byMonthDay, d.daysInMonth!);
  }
}

/** Whether `date` is an occurrence of the timing (start and end dates included). */
export function occursOn(timing: Timing, date: LocalDate): boolean {
  if (timing.endDate !== null && date > timing.endDate) return false;
  const s = timing.schedule;
  if (s.kind === 'ONE_TIME') return date === s.date;
  return date >= s.startDate && recursOn(s.recurrence, date);
}

/**
 * The first occurrence on or after `from` whose send instant is not before `notBefore`, or null when the
 * timing has none left (one-time date passed, end date reached).
 */
export function firstOccurrence(timing: Timing, from: LocalDate, zone: string, notBefore: string): LocalDate | null {
  const floor = Date.parse(notBefore);
  const s = timing.schedule;
  if (s.kind === 'ONE_TIME') {
    const ok = s.date >= from && occursOn(timing, s.date) && Date.parse(instantOf(s.date, timing.sendTime, zone)) >= floor;
    return ok ? s.date : null;
  }
  let date = maxDate(from, s.startDate);
  for (let i = 0; i <= SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (timing.endDate !== null && date > timing.endDate) return null;
    if (occursOn(timing, date) && Date.parse(instantOf(date, timing.sendTime, zone)) >= floor) return date;
  }
  return null;
}

/** Whether the occurrence on `date` is due at `now`: its local send time has passed in the zone. */
export function isDue(date: LocalDate, sendTime: string, zone: string, now: string): boolean {
  return Date.parse(instantOf(date, sendTime, zone)) <= Date.parse(now);
}

/** `2026-03-29 09:00 Europe/Berlin (+02:00)`: how the API shows an occurrence to a person. */
export function renderLocal(date: LocalDate, sendTime: string, zone: string): string {
  const local = DateTime.fromISO(`${date}T${sendTime}`, { zone });
  return `${local.toFormat('yyyy-MM-dd HH:mm')} ${zone} (${local.toFormat('ZZ')})`;
}
