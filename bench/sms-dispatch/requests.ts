/** A SendSms as the benchmark publishes it (a German mobile number per index, review purpose unless told). */
export function sendSmsRequest(id: string, i: number, purpose: 'review' | 'confirmation' = 'review') {
  return { id, type: 'SendSms', v: 1, occurredAt: new Date().toISOString(), businessId: 'biz-1', correlationId: id, causationId: null,
    data: { messageId: id, recipient: { phone: `+4917${String(10_000_000 + (i % 9_000_000))}`, defaultRegion: 'DE' }, text: 'Your appointment is confirmed.', purpose, refs: { appointmentId: `a${i}` } } };
}
