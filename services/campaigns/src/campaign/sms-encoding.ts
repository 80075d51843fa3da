// GSM 03.38 encoding and segment count of an SMS text. sms-dispatch has its own copy of this rule: services share
// no code but the libs, and the contracts lib holds only schemas.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';
const basic: ReadonlySet<string> = new Set(GSM7_BASIC);
const extension: ReadonlySet<string> = new Set(GSM7_EXTENSION);

/** How a text travels and how many SMS segments it takes. */
export interface SmsEncodingInfo {
  readonly encoding: 'GSM-7' | 'UCS-2';
  /** GSM-7 septets (extension characters count 2) or UCS-2 16-bit units. */
  readonly units: number;
  readonly segments: number;
}

/** GSM-7 when every character is in the default alphabet or its extension table, else UCS-2. */
export function smsEncodingOf(text: string): SmsEncodingInfo {
  let septets = 0;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else return ucs2(text);
  }
  return { encoding: 'GSM-7', units: septets, segments: segmentsOf(septets, 160, 153) };
}

function ucs2(text: string): SmsEncodingInfo {
  return { encoding: 'UCS-2', units: text.length, segments: segmentsOf(text.length, 70, 67) };
}

function segmentsOf(units: number, single: number, perPart: number): number {
  if (units <= single) return 1;
  return Math.ceil(units / perPart);
}
