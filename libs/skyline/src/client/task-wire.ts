import type { SmsTask } from './client-types';

const MAX_TID = 2 ** 31 - 1;

/** Rejects tasks the gateway would refuse or misread, before anything is sent. */
export function validateTasks(tasks: SmsTask[]): void {
  if (tasks.length === 0) throw new RangeError('sendSms needs at least one task');
  const seen = new Set<number>();
  for (const [i, t] of tasks.entries()) {
    if (!Number.isInteger(t.tid) || t.tid < 1 || t.tid > MAX_TID) throw new RangeError(`task ${i}: tid must be an integer 1 … 2^31-1`);
    if (seen.has(t.tid)) throw new RangeError(`task ${i}: tid ${t.tid} appears twice in one request`);
    seen.add(t.tid);
    const to = Array.isArray(t.to) ? t.to : [t.to];
    if (to.length === 0 || to.some((n) => !/^\+?\d{3,20}$/.test(n.trim()))) {
      throw new RangeError(`task ${i} (tid ${t.tid}): every recipient must be 3–20 digits`);
    }
    if (typeof t.sms !== 'string' || t.sms.length === 0) throw new RangeError(`task ${i} (tid ${t.tid}): sms is empty`);
  }
}

/** Maps a task to the vendor's wire object (flags as 0/1, recipients comma-joined, `+` stripped). */
export function toWireTask(t: SmsTask): Record<string, unknown> {
  const to = (Array.isArray(t.to) ? t.to : [t.to]).map((n) => n.trim().replace(/^\+/, '')).join(',');
  const w: Record<string, unknown> = { tid: t.tid, to, sms: t.sms };
  if (t.from !== undefined) w['from'] = String(t.from);
  if (t.coding !== undefined) w['coding'] = t.coding;
  if (t.sdr !== undefined) w['sdr'] = t.sdr ? 1 : 0;
  if (t.fdr !== undefined) w['fdr'] = t.fdr ? 1 : 0;
  if (t.dr !== undefined) w['dr'] = t.dr ? 1 : 0;
  if (t.tmo !== undefined) w['tmo'] = t.tmo;
  if (t.intvl !== undefined) w['intvl'] = String(t.intvl);
  if (t.srCnt !== undefined) w['sr_cnt'] = t.srCnt;
  if (t.srPrd !== undefined) w['sr_prd'] = t.srPrd;
  if (t.smsc !== undefined) w['smsc'] = t.smsc;
  return w;
}
