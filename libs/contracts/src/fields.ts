import { z } from 'zod';
import { ISO_COUNTRY_CODES } from './country-codes';

// Field schemas shared by the public messages. Every bound here is also in the exported JSON Schema
// (refinements that JSON Schema cannot express are named in the field's description instead).

/** An identifier chosen by the system that owns the entity (appointment, customer, campaign…). */
export const EntityId = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:@+=\-/]+$/, 'ids use letters, digits and . _ : @ + = - / only');

/** An instant in UTC, `Z` suffix required (`2026-11-29T12:00:00Z`). */
export const UtcInstant = z.iso.datetime({ error: 'must be an ISO 8601 UTC instant ending in Z, e.g. 2026-11-29T12:00:00Z' });

/** An instant with an explicit offset (`2026-11-29T13:00:00+01:00` or `…Z`). */
export const OffsetInstant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 instant with Z or an offset, e.g. 2026-11-29T13:00:00+01:00',
});

function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name known to the runtime's tz database (`Europe/Berlin`, `America/New_York`, `UTC`). */
export const TimeZone = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/, {
    message: 'must be an IANA time zone name such as Europe/Berlin',
    abort: true,
  })
  .refine(isKnownTimeZone, 'is not a time zone of the IANA tz database')
  .describe('IANA time zone name, e.g. Europe/Berlin; must exist in the tz database');

/** ISO 3166-1 alpha-2 country code, upper case; used as the default region to read national phone numbers. */
export const CountryCode = z.enum(ISO_COUNTRY_CODES, {
  error: 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. DE',
});

/**
 * A phone number as a person typed it (`0171 234 5678`, `+49 (171) 234-5678`). Not yet normalised: the SMS
 * dispatcher parses it with the business's default region and suppresses the SMS when it is not a valid number.
 */
export const PhoneAsEntered = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(40, 'must be at most 40 characters')
  .regex(/^[0-9+()\-./\s]*[0-9][0-9+()\-./\s]*$/, 'must contain digits and only + ( ) - . / or spaces besides them')
  .describe('phone number as entered by a person; normalised to E.164 by the SMS dispatcher');

/** A phone number in E.164 form: `+`, country code, subscriber number, 8 to 15 digits in all. */
export const E164 = z
  .string()
  .regex(/^\+[1-9][0-9]{7,14}$/, 'must be an E.164 number: + then 8 to 15 digits, e.g. +4917123456789')
  .describe('phone number in E.164 form, e.g. +4917123456789');

/** A gateway port (GSM module) as the Skyline gateway names it: `3.01`, `1A`, `12`. */
export const GatewayPort = z
  .string()
  .regex(/^[0-9]{1,3}(?:\.[0-9]{2}|[A-Z])?$/, 'must be a gateway port such as 3.01, 1A or 12')
  .describe('gateway port (module[.slot]) as the Skyline gateway names it, e.g. 3.01 or 1A');

/** A gateway task id: positive 31-bit integer (what every Skyline firmware accepts). */
export const TaskId = z
  .number()
  .int('must be an integer')
  .min(1, 'must be at least 1')
  .max(2_147_483_647, 'must fit in 31 bits (at most 2147483647)')
  .describe('gateway task id (tid), 1 … 2^31-1');

/** A short human-readable name (person, business, service, staff member). */
export const Name = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(200, 'must be at most 200 characters')
  .regex(/\S/, 'must not be blank');

/** A lower-case kebab-case word list (`review-requests`). */
export const KebabName = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'must be lower-case kebab-case, e.g. review-requests');

/** Free text for operators (failure details); never carries a message body or a phone number. */
export const Detail = z.string().max(500, 'must be at most 500 characters');

/**
 * Options for a cross-field refinement: run it only when every field parsed, so a reason names the field
 * that is wrong rather than a consequence of it.
 */
export const whenFieldsValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };
