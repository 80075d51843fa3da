import { catalogue, deadLetterSubjectOf, kebabOf, streamOf, streams, subjectMatches, subjectOf, type PublicMessageType } from './index';

describe('subjects and streams', () => {
  it('names subjects <context>.evt.<event-kebab> and <context>.cmd.<command-kebab>', () => {
    expect(subjectOf('SendSms')).toBe('sms.cmd.send-sms');
    expect(subjectOf('AppointmentBooked')).toBe('booking.evt.appointment-booked');
    expect(subjectOf('SchedulerTicked')).toBe('scheduler.evt.scheduler-ticked');
    expect(subjectOf('SmsTransmissionFailed')).toBe('receipts.evt.sms-transmission-failed');
    expect(subjectOf('InboundSmsReceived')).toBe('receipts.evt.inbound-sms-received');
    expect(subjectOf('CustomerOptedOut')).toBe('receipts.evt.customer-opted-out');
    for (const e of catalogue) {
      expect(subjectOf(e.type)).toMatch(new RegExp(`^${e.context}\\.${e.kind === 'event' ? 'evt' : 'cmd'}\\.[a-z0-9-]+$`));
    }
  });

  it('gives every message its own subject', () => {
    const subjects = catalogue.map((e) => subjectOf(e.type));
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it('throws on a type outside the catalogue', () => {
    expect(() => subjectOf('AppointmentMoved' as PublicMessageType)).toThrow('unknown message type "AppointmentMoved"');
  });

  it('kebab-cases acronym-free PascalCase names', () => {
    expect(kebabOf('SmsSent')).toBe('sms-sent');
    expect(kebabOf('CustomerOptedIn')).toBe('customer-opted-in');
  });

  it('has one stream per context plus the dead-letter stream, and each subject lands in its context stream', () => {
    expect(streams.map((s) => [s.name, s.subjects])).toEqual([
      ['BOOKING', ['booking.>']],
      ['SCHEDULER', ['scheduler.>']],
      ['SMS', ['sms.>']],
      ['RECEIPTS', ['receipts.>']],
      ['DEAD_LETTER', ['deadletter.>']],
    ]);
    for (const e of catalogue) expect(streamOf(subjectOf(e.type))?.name).toBe(e.context.toUpperCase());
    expect(streamOf(deadLetterSubjectOf(subjectOf('SendSms')))?.name).toBe('DEAD_LETTER');
    expect(deadLetterSubjectOf('sms.cmd.send-sms')).toBe('deadletter.sms.cmd.send-sms');
    expect(streamOf('billing.evt.invoice-paid')).toBeUndefined();
  });

  it('keeps stream subjects disjoint (JetStream refuses overlapping streams)', () => {
    const all = streams.flatMap((s) => s.subjects.map((f) => [s.name, f.split('.')[0]] as const));
    expect(new Set(all.map(([, prefix]) => prefix)).size).toBe(all.length);
  });

  it('matches NATS wildcards like the server does', () => {
    expect(subjectMatches('sms.>', 'sms.cmd.send-sms')).toBe(true);
    expect(subjectMatches('sms.>', 'sms')).toBe(false);
    expect(subjectMatches('sms.*', 'sms.cmd')).toBe(true);
    expect(subjectMatches('sms.*', 'sms.cmd.send-sms')).toBe(false);
    expect(subjectMatches('sms.*.send-sms', 'sms.cmd.send-sms')).toBe(true);
    expect(subjectMatches('sms.evt.sms-sent', 'sms.evt.sms-sent')).toBe(true);
    expect(subjectMatches('sms.evt.sms-sent', 'sms.evt')).toBe(false);
    expect(subjectMatches('smsx.>', 'sms.evt.sms-sent')).toBe(false);
  });
});
