import { streams, subjectOf, topology } from './index';

describe('topology', () => {
  it('is the plain contract without a namespace', () => {
    const t = topology();
    expect(t.streams).toEqual(streams);
    expect(t.subjectOf('SendSms')).toBe(subjectOf('SendSms'));
    expect(t.deadLetterPrefix).toBe('deadletter');
    expect(t.deadLetterStream.name).toBe('DEAD_LETTER');
  });

  it('prefixes subjects and stream names with a namespace', () => {
    const t = topology('t-1a');
    expect(t.subjectOf('AppointmentBooked')).toBe('t-1a.booking.evt.appointment-booked');
    expect(t.streams.map((s) => s.name)).toEqual(['T_1A_BOOKING', 'T_1A_SCHEDULER', 'T_1A_SMS', 'T_1A_RECEIPTS', 'T_1A_DEAD_LETTER']);
    expect(t.deadLetterStream.subjects).toEqual(['t-1a.deadletter.>']);
    expect(t.deadLetterPrefix).toBe('t-1a.deadletter');
  });

  it('tells public types from private ones and refuses to route a private one', () => {
    const t = topology('x');
    expect(t.isPublic('SmsSent')).toBe(true);
    expect(t.isPublic('ReminderScheduled')).toBe(false);
    expect(() => t.subjectOf('ReminderScheduled')).toThrow('unknown message type "ReminderScheduled"');
  });

  it('refuses a namespace that is not a single subject token', () => {
    expect(() => topology('a.b')).toThrow('must be 1-32 of a-z 0-9 _ -');
    expect(() => topology('UPPER')).toThrow();
  });
});
