import type { EnvelopeBase, SmsSent, SmsTasksAssigned } from '@dailydesk/contracts';
import type { RecordedEvent } from '@dailydesk/event-store';
import { decodeRecvSmsRow } from '@dailydesk/skyline';
import { SmsDelivered, SmsTransmissionFailed, SmsTransmitted, SmsUndelivered } from '@dailydesk/contracts';
import { observedEvent } from '../lifecycle/lifecycle.events';
import { mergeRow, messagePatch } from '../projection/message-row';
import { rootEvent } from '../webhook/webhook.events';
import { FolderState } from './folder-state';
import { ReceiptFolder } from './receipt-folder';

const T0 = 1_800_000_000; // epoch seconds
const contracts = { SmsDelivered, SmsTransmissionFailed, SmsTransmitted, SmsUndelivered };
let position = 0;
const rec = (event: EnvelopeBase): RecordedEvent => ({ event, streamId: 's', streamPosition: 1, globalPosition: ++position });

const sent = (n: number, tid: number, to: string, atS: number, port = '3.01'): RecordedEvent =>
  rec(
    observedEvent({
      id: `sent-${n}`,
      type: 'SmsSent',
      v: 1,
      occurredAt: new Date(atS * 1000).toISOString(),
      businessId: 'biz-1',
      correlationId: `corr-${n}`,
      causationId: `req-${n}`,
      data: { messageId: `m${n}`, purpose: 'reminder', refs: { appointmentId: `a${n}` }, tid, port, to, segments: 1, encoding: 'GSM-7', sentAt: new Date(atS * 1000).toISOString() },
    } as SmsSent).event,
  );
const assigned = (id: string, tasks: Array<{ n: number; tid: number; to: string }>, atS = T0): RecordedEvent =>
  rec(
    observedEvent({
      id,
      type: 'SmsTasksAssigned',
      v: 1,
      occurredAt: new Date(atS * 1000).toISOString(),
      businessId: null,
      correlationId: id,
      causationId: null,
      data: {
        tasks: tasks.map((t) => ({ messageId: `m${t.n}`, tid: t.tid, port: '3.01', attempt: 1, to: t.to, businessId: 'biz-1', correlationId: `corr-${t.n}` })),
        assignedAt: new Date(atS * 1000).toISOString(),
      },
    } as SmsTasksAssigned).event,
  );
const callback = (id: string, body: unknown) =>
  rec(rootEvent(`cb:${id}`, 'GatewayCallbackReceived', '2027-01-15T08:00:00.000Z', { kind: 'x', type: null, rows: 0, body, receivedAt: '' }));
const sr = (id: string, tid: number, number: string, ts: number, ok = true) =>
  callback(id, {
    type: 'status-report',
    rpts: [{ tid, sent: ok ? 1 : 0, failed: ok ? 0 : 1, ...(ok ? { sdr: [[0, number, '3.01', ts]] } : { fdr: [[0, number, '3.01', ts, '2 Send Failed', '41 Temporary failure']] }) }],
  });
const dlr = (id: string, number: string, ts: number, code = 0) => callback(id, { type: 'recv-sms', sms: [[1, '3.01', ts, '8613800100500', number, `${code} 250820064536A8`]] });
const mo = (id: string, from: string, text: string, ts: number) =>
  callback(id, { type: 'recv-sms', sms: [[0, '3.01', ts, from, '', Buffer.from(text).toString('base64')]] });

/** Folds events one batch at a time over one state, as the processor does; returns type:messageId of what it derived. */
function fold(...batches: RecordedEvent[][]) {
  const state = new FolderState();
  const out: EnvelopeBase[] = [];
  for (const batch of batches) {
    const folder = new ReceiptFolder(state);
    batch.forEach((e) => folder.apply(e));
    out.push(...folder.derived);
  }
  return { state, out, names: out.map((e) => `${e.type}:${(e.data as { messageId?: string }).messageId ?? ''}`) };
}

describe('ReceiptFolder', () => {
  it('sent → transmitted → delivered, and a late status report after delivery is absorbed', () => {
    const { names, out } = fold([sent(1, 101, '+15551230001', T0), sr('a', 101, '15551230001', T0 + 1), dlr('b', '15551230001', T0 + 5)], [sr('late', 101, '15551230001', T0 + 9, false)]);
    expect(names).toEqual(['SmsTransmitted:m1', 'SmsDelivered:m1']);
    expect(out[0]).toMatchObject({ id: 'rcpt:tx:m1', businessId: 'biz-1', correlationId: 'corr-1', causationId: 'cb:a' });
  });

  it('maps a status report by the assignment alone (POST never answered, no SmsSent), before or after the report', () => {
    const before = fold([assigned('as-1', [{ n: 21, tid: 2101, to: '+15551230021' }, { n: 22, tid: 2102, to: '+15551230022' }])], [sr('a', 2101, '15551230021', T0 + 1)]);
    expect(before.names).toEqual(['SmsTransmitted:m21']);
    expect(before.out[0]).toMatchObject({ id: 'rcpt:tx:m21', businessId: 'biz-1', correlationId: 'corr-21', data: { tid: 2101, to: '+15551230021', port: '3.01' } });
    const after = fold([sr('b', 2102, '15551230022', T0 + 1, false)], [assigned('as-2', [{ n: 22, tid: 2102, to: '+15551230022' }])]);
    expect(after.names).toEqual(['SmsTransmissionFailed:m22']);
  });

  it('a message known only from its assignment never takes a delivery report; its SmsSent makes it a candidate', () => {
    const { names } = fold([assigned('as-3', [{ n: 23, tid: 2301, to: '+15551230023' }]), dlr('d', '15551230023', T0 + 5)], [sent(23, 2301, '+15551230023', T0 + 2)]);
    expect(names).toEqual(['SmsDelivered:m23']);
    const none = fold([assigned('as-4', [{ n: 24, tid: 2401, to: '+15551230024' }]), dlr('e', '15551230024', T0 + 5)]);
    expect(none.names).toEqual([]);
  });

  it('an SmsSent that came first wins over a later assignment of the same message', () => {
    const { names, out } = fold([sent(25, 2501, '+15551230025', T0)], [assigned('as-5', [{ n: 25, tid: 2599, to: '+15551230025' }])], [sr('f', 2501, '15551230025', T0 + 1)]);
    expect(names).toEqual(['SmsTransmitted:m25']);
    expect(out[0]).toMatchObject({ data: { tid: 2501 } });
  });

  it('keeps a report for an unknown tid and matches it when the SmsSent shows up', () => {
    const { names, state } = fold([sr('a', 202, '15551230002', T0 + 1, false)], [sent(2, 202, '+15551230002', T0)]);
    expect(names).toEqual(['SmsTransmissionFailed:m2']);
    expect(state.pending.size).toBe(0);
  });

  it('a status report after the delivery report still records the transmission time; the row stays delivered', () => {
    const { names, out } = fold([sent(3, 303, '+15551230003', T0), dlr('d', '+15551230003', T0 + 3)], [sr('s', 303, '15551230003', T0 + 1)]);
    expect(names).toEqual(['SmsDelivered:m3', 'SmsTransmitted:m3']);
    const row = out.map(messagePatch).reduce((a, b) => mergeRow(a!, b!));
    expect(row).toMatchObject({ status: 'delivered', transmitted_at: new Date((T0 + 1) * 1000).toISOString(), delivered_at: new Date((T0 + 3) * 1000).toISOString() });
  });

  it('a failed status report after the delivery report is absorbed (the delivery outranks it)', () => {
    const { names } = fold([sent(3, 303, '+15551230003', T0), dlr('d', '+15551230003', T0 + 3)], [sr('s', 303, '15551230003', T0 + 1, false)]);
    expect(names).toEqual(['SmsDelivered:m3']);
  });

  it('every receipt it builds fits its contract (they are not validated again before the append)', () => {
    const { out } = fold(
      [sent(11, 1101, '+15551230011', T0), sent(12, 1102, '+15551230012', T0), sent(13, 1103, '+15551230013', T0)],
      [sr('a', 1101, '15551230011', T0 + 1), sr('b', 1102, '15551230012', T0 + 1, false), dlr('c', '15551230011', T0 + 4), dlr('d', '15551230013', T0 + 4, 70)],
    );
    expect(out.map((e) => e.type).sort()).toEqual(['SmsDelivered', 'SmsTransmissionFailed', 'SmsTransmitted', 'SmsUndelivered']);
    for (const e of out) expect(contracts[e.type as keyof typeof contracts].safeParse(e).error?.issues ?? []).toEqual([]);
  });

  it('drops (and counts) a report whose gateway time no UtcInstant can carry, leaving the message as it was', () => {
    const { names, state } = fold([sent(14, 1401, '+15551230014', T0), sr('far', 1401, '15551230014', 9e12)], [sr('ok', 1401, '15551230014', T0 + 1)]);
    expect(names).toEqual(['SmsTransmitted:m14']);
    expect(state.messages.get('m14')?.tx).toBe(1);
  });

  it('two messages to the same number close together get their delivery reports oldest first', () => {
    const { names, out } = fold([sent(4, 401, '+15551230004', T0), sent(5, 402, '+15551230004', T0 + 2)], [dlr('x', '15551230004', T0 + 6, 70)], [dlr('y', '15551230004', T0 + 7)]);
    expect(names).toEqual(['SmsUndelivered:m4', 'SmsDelivered:m5']);
    expect(out[0]!.data).toMatchObject({ statusCode: 70 });
  });

  it('a delivery report for a number nobody texted waits and is matched when the SmsSent arrives', () => {
    const { names, state } = fold([dlr('x', '15551239999', T0)], [sent(6, 601, '+15551239999', T0 - 10)]);
    expect(names).toEqual(['SmsDelivered:m6']);
    expect(state.pending.size).toBe(0);
  });

  it('identical delivery reports pushed twice are two reports (two texts from one port in one second), each matched once', () => {
    // Same port, second, number, code and SCTS: the gateway's rows for two texts are byte-identical.
    const twins = [sent(15, 1501, '+15551230015', T0), sent(16, 1502, '+15551230015', T0), sent(17, 1503, '+15551230015', T0)];
    const { names } = fold(twins, [dlr('t1', '15551230015', T0 + 1)], [dlr('t2', '15551230015', T0 + 1)], [dlr('t3', '15551230015', T0 + 1)]);
    expect(names).toEqual(['SmsDelivered:m15', 'SmsDelivered:m16', 'SmsDelivered:m17']);
  });

  it('a pull of delivery reports adds only what the pushes missed', () => {
    const row = [1, '3.01', T0 + 1, '8613800100500', '15551230018', '0 250820064536A8'];
    const pull = (rows: unknown[][]) =>
      rec(rootEvent(`pull:${rows.length}`, 'GatewayInboxPulled', '2027-01-15T08:00:00.000Z', { ssrc: 'a', fromId: 1, nextId: 1 + rows.length, rows: rows.map(decodeRecvSmsRow), pulledAt: '' }));
    const three = [sent(18, 1801, '+15551230018', T0), sent(19, 1802, '+15551230018', T0), sent(20, 1803, '+15551230018', T0)];
    // Two of three identical reports were pushed; the pull returns all three inbox rows and adds the third only.
    const { names, state } = fold(three, [dlr('u1', '15551230018', T0 + 1)], [dlr('u2', '15551230018', T0 + 1)], [pull([row, row, row])]);
    expect(names).toEqual(['SmsDelivered:m18', 'SmsDelivered:m19', 'SmsDelivered:m20']);
    expect(state.pending.size).toBe(0);
  });

  it('ignores a delivery report older than the window of the message', () => {
    const { names } = fold([sent(7, 701, '+15551230007', T0), dlr('x', '15551230007', T0 - 3600)]);
    expect(names).toEqual([]);
  });

  it('STOP opts out with the number of the last text, START opts in, other text is a reply tied to the business', () => {
    const { out } = fold([sent(8, 801, '+15551230008', T0), mo('a', '15551230008', ' stop ', T0 + 60), mo('b', '15551230008', 'Start', T0 + 90), mo('c', '15551230008', 'See you', T0 + 99)]);
    expect(out.map((e) => e.type)).toEqual(['CustomerOptedOut', 'CustomerOptedIn', 'InboundSmsReceived']);
    expect(out[0]).toMatchObject({ businessId: null, data: { phone: '+15551230008', keyword: 'STOP', via: 'sms-reply' } });
    expect(out[2]).toMatchObject({ businessId: 'biz-1', data: { text: 'See you', fromE164: '+15551230008' } });
  });

  it('the same inbound row pushed and later pulled is folded once', () => {
    const row = [0, '3.01', T0, '+15551230010', '', Buffer.from('STOP').toString('base64')];
    const pulled = rec(rootEvent('pull:1', 'GatewayInboxPulled', '2027-01-15T08:00:00.000Z', { ssrc: 'a', fromId: 1, nextId: 2, rows: [decodeRecvSmsRow(row)], pulledAt: '' }));
    const { out } = fold([callback('p', { type: 'recv-sms', sms: [row] })], [pulled]);
    expect(out.map((e) => e.type)).toEqual(['CustomerOptedOut']);
  });

  it('derives the same ids when the same events are folded again from the same state', () => {
    const events = [sent(9, 901, '+15551230009', T0), sr('a', 901, '15551230009', T0 + 1)];
    expect(fold(events).out).toEqual(fold(events).out);
  });
});
