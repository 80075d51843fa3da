import { DateTime } from 'luxon';
import type { QuietHours } from '../sms-settings/sms-settings.schema';

// Every local computation goes through the business's IANA zone, never the server's.

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** An instant as UTC ISO with milliseconds (`2026-12-03T13:00:00.000Z`): the one form used in ids and comparisons. */
export function toUtc(instant: string): string {
  const dt = DateTime.fromISO(instant, { setZone: true });
  if (!dt.isValid) throw new Error(`not an ISO instant: ${instant}`);
  return dt.toUTC().toISO() as string;
}

/** True when `instant` falls inside the quiet hours, read on the wall clock of `zone`. */
export function isQuiet(instant: string, zone: string, quiet: QuietHours | null): boolean {
  if (!quiet) return false;
  const local = DateTime.fromISO(instant, { zone });
  const m = local.hour * 60 + local.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The first instant at or after `instant` outside the quiet hours: the local end of the quiet period, resolved in
 * `zone` (on a DST change day this is still the local wall-clock time, e.g. 08:00 CEST rather than 08:00 CET).
 */
export function nextAllowedAt(instant: string, zone: string, quiet: QuietHours | null): string {
  if (!isQuiet(instant, zone, quiet) || !quiet) return toUtc(instant);
  const local = DateTime.fromISO(instant, { zone });
  const [h, m] = [Number(quiet.end.slice(0, 2)), Number(quiet.end.slice(3, 5))];
  let end = local.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (end <= local) end = end.plus({ days: 1 });
  return end.toUTC().toISO() as string;
}

/** `startsAt` minus `days` calendar days on the local wall clock (a reminder window that spans a DST change keeps its local time). */
export function windowOpensAt(startsAt: string, zone: string, days: number): string {
  return DateTime.fromISO(startsAt, { zone }).minus({ days }).toUTC().toISO() as string;
}

/** Date and time of `instant` as a person in `zone` reads them, in `language`. */
export function localDateTime(instant: string, zone: string, language: string): { date: string; time: string } {
  const local = DateTime.fromISO(instant, { zone }).setLocale(language);
  return { date: local.toLocaleString(DateTime.DATE_MED_WITH_WEEKDAY), time: local.toLocaleString(DateTime.TIME_SIMPLE) };
}

/** `instant` plus `hours` (exact elapsed hours, whatever the wall clock does). */
export function plusHours(instant: string, hours: number): string {
  return DateTime.fromISO(instant, { setZone: true }).toUTC().plus({ milliseconds: Math.round(hours * 3_600_000) }).toISO() as string;
}
