import { buildDeadLetter, readDeadLetter } from './dead-letter';
import type { DeadLetterRecord } from './dead-letter';
import { decodeBody, decoderFromSchema } from './decode';
import { describeFailure, PermanentError } from './errors';

const record: DeadLetterRecord = {
  reason: 'undecodable',
  detail: 'schema: v: expected number\r\nsecond line',
  subject: 'booking.evt.appointment-booked',
  stream: 'BOOKING',
  streamSeq: 42,
  consumer: 'appointments--send-confirmation',
  deliveryCount: 3,
  deadLetteredAt: '2026-11-29T12:00:00.000Z',
  payload: new TextEncoder().encode('{"broken'),
  originalHeaders: [
    ['Nats-Msg-Id', 'evt-1'],
    ['Dd-Type', 'AppointmentBooked'],
  ],
};

describe('buildDeadLetter', () => {
  const letter = buildDeadLetter(record);

  it('files it under deadletter.<original subject> with an id stable per stream sequence and consumer', () => {
    expect(letter.subject).toBe('deadletter.booking.evt.appointment-booked');
    expect(letter.msgID).toBe('dlq:BOOKING:42:appointments--send-confirmation');
    expect(buildDeadLetter(record, 'x').subject.startsWith('x.')).toBe(true);
  });

  it('keeps the payload byte for byte and the non-NATS original headers', () => {
    expect(letter.body).toBe(record.payload);
    const names = letter.headers.map(([k]) => k);
    expect(names).toContain('Dd-Type');
    expect(names).not.toContain('Nats-Msg-Id');
  });

  it('round-trips through readDeadLetter, with line breaks flattened out of the detail', () => {
    const get = (k: string) => letter.headers.find(([n]) => n === k)?.[1];
    const back = readDeadLetter(get, letter.body);
    expect(back).toEqual({
      reason: 'undecodable',
      detail: 'schema: v: expected number second line',
      subject: record.subject,
      stream: 'BOOKING',
      streamSeq: 42,
      consumer: record.consumer,
      deliveryCount: 3,
      deadLetteredAt: record.deadLetteredAt,
      payload: record.payload,
    });
  });

  it('refuses to read a message without dead-letter headers', () => {
    expect(() => readDeadLetter(() => '', new Uint8Array())).toThrow('Dd-Dlq-Reason');
  });
});

describe('decodeBody', () => {
  const schema = {
    safeParse: (v: unknown) =>
      typeof v === 'object' && v !== null && 'id' in v
        ? ({ success: true, data: v } as const)
        : ({ success: false, error: { issues: [{ path: ['id'], message: 'required' }] } } as const),
  };
  const decode = decoderFromSchema(schema);
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('reports bad JSON without quoting the body', () => {
    const r = decodeBody(bytes('{"phone": "+15551234567", oops'), decode);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^invalid JSON \(30 bytes, error at position 26\)$/);
    expect(!r.ok && r.reason).not.toContain('555');
  });

  it('refuses a body that is not UTF-8, and decodes the next one normally (the shared decoder keeps no state)', () => {
    const broken = new Uint8Array([...bytes('{"id":"'), 0xc3, 0x28, ...bytes('"}')]);
    expect(decodeBody(broken, decode)).toEqual({ ok: false, reason: 'invalid JSON (11 bytes)' });
    expect(decodeBody(bytes('{"id":"é"}'), decode)).toEqual({ ok: true, message: { id: 'é' } });
  });

  it('reports schema issues by path', () => {
    expect(decodeBody(bytes('{}'), decode)).toEqual({ ok: false, reason: 'schema: id: required' });
    expect(decodeBody(bytes('{"id":1}'), decode)).toEqual({ ok: true, message: { id: 1 } });
  });
});

describe('describeFailure', () => {
  it('prefers a string code, and flattens to one line', () => {
    expect(describeFailure(new PermanentError('gone', { code: 'GONE' }))).toBe('GONE: gone');
    expect(describeFailure(new TypeError('a\nb'))).toBe('TypeError: a b');
    expect(describeFailure({ status: 'error', message: 'Internal server error' })).toBe('Internal server error');
    expect(describeFailure('x'.repeat(900)).length).toBe(500);
  });
});
