import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** A phone as campaigns can use it: E.164, and whether it can receive SMS as far as the numbering plan tells. */
export interface NormalisedPhone {
  readonly e164: string;
  readonly mobile: boolean;
}

/**
 * Reads a phone as entered with the business country as default region (null when it is not a valid number).
 * `mobile` is false for numbers the plan knows to be fixed line, pager, premium…; true for mobile and for plans that
 * do not tell mobile from fixed (FIXED_LINE_OR_MOBILE, e.g. the US).
 */
export function normalisePhone(raw: string, region: string | null): NormalisedPhone | null {
  const parsed = parsePhoneNumberFromString(raw, region ? { defaultCountry: region as CountryCode } : undefined);
  if (!parsed || !parsed.isValid()) return null;
  const type = parsed.getType();
  return { e164: parsed.number, mobile: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE' };
}
