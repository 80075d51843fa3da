import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 of a number as a person entered it, read with the business's region; null when it is not a valid number. */
export function toE164(phone: string, defaultRegion: string): string | null {
  const parsed = parsePhoneNumberFromString(phone, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** The form the gateway's `to` expects: digits without `+` (skyline-gateway-api.md §4). */
export function gatewayNumber(e164: string): string {
  return e164.slice(1);
}
