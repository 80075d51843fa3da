import type { JetStreamClient } from '@nats-io/jetstream';

/** A SendSms as the benchmark publishes it (a German mobile number per index, review purpose unless told). */
export function sendSmsRequest(id: string, i: number, purpose: 'review' | 'confirmation' = 'review') {
  return { id, type: 'SendSms', v: 1, occurredAt: new Date().toISOString(), businessId: 'biz-1', correlationId: id, causationId: null,
    data: { messageId: id, recipient: { phone: `+4917${String(10_000_000 + (i % 9_000_000))}`, defaultRegion: 'DE' }, text: 'Your appointment is confirmed.', purpose, refs: { appointmentId: `a${i}` } } };
}

/** Publishes `count` of them to `subject` (ids `<prefix>-<i>`, at most 256 unacknowledged); resolves with the rate per second. */
export async function publishRequests(js: JetStreamClient, subject: string, prefix: string, count: number): Promise<number> {
  const t0 = performance.now();
  const pubs: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    pubs.push(js.publish(subject, JSON.stringify(sendSmsRequest(id, i)), { msgID: id }));
    if (pubs.length >= 256) await Promise.all(pubs.splice(0));
  }
  await Promise.all(pubs);
  return count / ((performance.now() - t0) / 1000);
}
