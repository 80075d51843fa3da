/**
 * Vendor code tables of the goip_* HTTP API (skyline-gateway-api.md §1.2, §2.2).
 */

/** Task status codes returned per tid by goip_post_sms / pause / resume / remove (0 = OK). */
export const TASK_STATUS_CODES = {
  0: 'OK',
  1: 'Invalid User',
  2: 'Invalid Port',
  3: 'USSD Expected',
  4: 'Pending USSD',
  5: 'SIM Unregistered',
  6: 'Timeout',
  7: 'Server Error',
  8: 'SMS expected',
  9: 'TO expected',
  10: 'Pending Transaction',
  11: 'TID Expected',
  12: 'FROM Expected',
  13: 'Duplicated TaskId',
  14: 'Unauthorized',
  15: 'Invalid CMD',
  16: 'Too Many Task',
  17: 'MMS Title expected',
  18: 'Too Many MMS Attachments',
  19: 'MMS Attachments expected',
  20: 'MMS Attachments Cache size Overlimit',
} as const satisfies Record<number, string>;

/** Stable machine names of the refusal codes 1 … 20; any other non-zero code maps to `'unknown-code'`. */
export const REFUSAL_NAMES = {
  1: 'invalid-user',
  2: 'invalid-port',
  3: 'ussd-expected',
  4: 'pending-ussd',
  5: 'sim-unregistered',
  6: 'timeout',
  7: 'server-error',
  8: 'sms-expected',
  9: 'to-expected',
  10: 'pending-transaction',
  11: 'tid-expected',
  12: 'from-expected',
  13: 'duplicated-task-id',
  14: 'unauthorized',
  15: 'invalid-cmd',
  16: 'too-many-task',
  17: 'mms-title-expected',
  18: 'too-many-mms-attachments',
  19: 'mms-attachments-expected',
  20: 'mms-attachments-cache-overlimit',
} as const;

/** Machine name of a vendor refusal code. */
export type RefusalName = (typeof REFUSAL_NAMES)[keyof typeof REFUSAL_NAMES] | 'unknown-code';

/** Maps a non-zero vendor task status code to its machine name (`'unknown-code'` outside 1 … 20). */
export function refusalName(code: number): RefusalName {
  return (REFUSAL_NAMES as Record<number, RefusalName>)[code] ?? 'unknown-code';
}

/** Formats a vendor status string such as `"13 Duplicated TaskId"`. */
export function taskStatusText(code: number): string {
  const text = (TASK_STATUS_CODES as Record<number, string>)[code];
  return text === undefined ? `${code} Unknown` : `${code} ${text}`;
}

/**
 * Splits a vendor `"<code> <text>"` string (also accepts a bare number). Returns null when no leading integer exists.
 */
export function parseCodeText(value: string | number): { code: number; text: string } | null {
  if (typeof value === 'number') return Number.isInteger(value) ? { code: value, text: '' } : null;
  const m = /^\s*(-?\d+)\s*(.*)$/s.exec(value);
  if (!m) return null;
  return { code: Number(m[1]), text: (m[2] ?? '').trim() };
}

/** Port (SIM) state codes `st` of dev-status / port-status (10 is unused by the vendor). */
export const PORT_STATES = {
  0: 'no SIM card',
  1: 'idle SIM card present (not registered)',
  2: 'registering',
  3: 'registered',
  4: 'call connected',
  5: 'no balance / alarm',
  6: 'register failed',
  7: 'SIM locked by device',
  8: 'SIM locked by operator',
  9: 'SIM card recognise error',
  11: 'card detected',
  12: 'user locked',
  13: 'port inter-calling',
  14: 'inter-calling holding',
  15: 'access mobile network',
  16: 'module response timeout',
} as const satisfies Record<number, string>;

/** States integrators treat as able to send (3 registered, 4 busy on a call, 15 access mobile network). */
export function isPortStateActive(st: number): boolean {
  return st === 3 || st === 4 || st === 15;
}
