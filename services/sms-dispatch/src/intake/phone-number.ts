import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * E.164 of a number as a person entered it, read with the business's region; null when it is not a valid number.
 * Not remembered: intake parses each request's number once and hands it to the decision (a 50,000-entry cache served
 * mostly that second read; in a burst the numbers are distinct, and the cache's map cost more than it saved).
 */
export function toE164(phone: string, defaultRegion: string): string | null {
  const parsed = parsePhoneNumberFromString(phone, defaultRegion as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** The form the gateway's `to` expects: digits without `+` (skyline-gateway-api.md §4). */
export function gatewayNumber(e164: string): string {
  return e164.slice(1);
}
