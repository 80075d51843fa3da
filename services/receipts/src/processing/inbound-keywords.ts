/** What an inbound text asks for. */
export type InboundIntent = { kind: 'opt-out' | 'opt-in'; keyword: string } | { kind: 'reply' };

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP']);

/**
 * Classifies a reply. The whole text must be the keyword; case, spaces and punctuation are ignored
 * (" stop ", "Stop!", "S T O P" are STOP; "please stop texting me" is a reply, as carriers treat it).
 */
export function classifyInbound(text: string): InboundIntent {
  const word = text.normalize('NFKC').replace(/[\s\p{P}]+/gu, '').toUpperCase();
  if (OPT_OUT.has(word)) return { kind: 'opt-out', keyword: word };
  if (OPT_IN.has(word)) return { kind: 'opt-in', keyword: word };
  return { kind: 'reply' };
}

/**
 * The key numbers are matched on: the last 9 digits. The gateway writes numbers as it received them in the task
 * (with or without `+`, sometimes national); 9 digits are the subscriber part in every numbering plan we serve.
 */
export function numberKey(number: string): string {
  return number.replace(/\D/g, '').slice(-9);
}

/** E.164 of a sender when it can be told from the text alone (international digits), else null. */
export function e164Of(number: string): string | null {
  const digits = number.replace(/\D/g, '');
  if (!/^[1-9][0-9]{7,14}$/.test(digits)) return null;
  if (number.trim().startsWith('+') || digits.length >= 10) return `+${digits}`;
  return null;
}
