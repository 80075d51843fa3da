import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

const parsedNumbers = new Map<string, string | null>();

/**
 * E.164 of a number as a person entered it, read with the business's region; null when it is not a valid number.
 * Remembered (up to 50,000 inputs): intake reads each number twice (opt-out lookup, decision) and campaigns text the
 * same numbers again; libphonenumber-js is the costliest step of intake.
 */
export function toE164(phone: string, defaultRegion: string): string | null {
  const key = `${defaultRegion}:${phone}`;
  const known = parsedNumbers.get(key);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumberFromString(phone, defaultRegion as CountryCode);
  const e164 = parsed?.isValid() ? parsed.number : null;
  if (parsedNumbers.size >= 50_000) parsedNumbers.clear();
  parsedNumbers.set(key, e164);
  return e164;
}

/** The form the gateway's `to` expects: digits without `+` (skyline-gateway-api.md §4). */
export function gatewayNumber(e164: string): string {
  return e164.slice(1);
}
