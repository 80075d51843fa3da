import { given } from '@dailydesk/testing';
import type { AppointmentCommand, AppointmentEvent } from './appointment.events';
import { appointmentDecider as decider } from './appointment.decider';
import { APPT, BIZ, recorded, STARTS } from './appointment.fixtures';
import { messageIdOf } from './appointment.texts';

const reminderId = messageIdOf(APPT, 'reminder', STARTS);
const reminderSent: AppointmentEvent = {
  type: 'SendSms',
  data: { messageId: reminderId, recipient: { phone: '0171 2345678', defaultRegion: 'DE' }, text: 'see you', purpose: 'reminder', refs: { appointmentId: APPT } },
};

describe('SMS outcomes from dispatch', () => {
  const outcome = (o: 'sent' | 'failed' | 'suppressed', at = '2026-12-02T14:00:05Z', reason?: string, messageId = reminderId): AppointmentCommand => ({
    type: 'RecordSmsOutcome',
    data: { appointmentId: APPT, businessId: BIZ, messageId, outcome: o, at, ...(reason ? { reason } : {}) },
    metadata: { commandId: `out-${o}-${at}`, now: at, correlationId: 'c', businessId: BIZ },
  });
  const recordedOutcome = (o: 'sent' | 'failed' | 'suppressed', at = '2026-12-02T14:00:05.000Z', reason?: string): AppointmentEvent => ({
    type: 'SmsOutcomeRecorded',
    data: { appointmentId: APPT, businessId: BIZ, messageId: reminderId, purpose: 'reminder', outcome: o, ...(reason ? { reason } : {}), at },
  });
  const reminded = [recorded(), reminderSent];
  const textsOf = (events: AppointmentEvent[]) => events.reduce(decider.evolve, decider.initialState()).texts;

  it('records that the reminder went out; the appointment shows it', () => {
    given(decider, reminded).when(outcome('sent')).then([recordedOutcome('sent')]);
    expect(textsOf([...reminded, recordedOutcome('sent')])).toEqual([{ messageId: reminderId, purpose: 'reminder', state: 'sent', at: '2026-12-02T14:00:05.000Z' }]);
  });
  it('records a failure or suppression with its reason', () => {
    given(decider, reminded).when(outcome('failed', undefined, 'retries-exhausted')).then([recordedOutcome('failed', undefined, 'retries-exhausted')]);
    given(decider, reminded).when(outcome('suppressed', undefined, 'opted-out')).then([recordedOutcome('suppressed', undefined, 'opted-out')]);
  });
  it('a redelivered outcome records nothing', () => {
    given(decider, [...reminded, recordedOutcome('sent')]).when(outcome('sent')).then([]);
    given(decider, [...reminded, recordedOutcome('failed', undefined, 'gateway-rejected')]).when(outcome('failed', undefined, 'gateway-rejected')).then([]);
  });
  it('out of order: nothing replaces sent; sent replaces a failure; the first failure is kept', () => {
    given(decider, [...reminded, recordedOutcome('sent')]).when(outcome('failed', '2026-12-02T13:00:00Z', 'retries-exhausted')).then([]);
    given(decider, [...reminded, recordedOutcome('failed', undefined, 'retries-exhausted')]).when(outcome('sent', '2026-12-02T14:10:00Z')).then([
      recordedOutcome('sent', '2026-12-02T14:10:00.000Z'),
    ]);
    given(decider, [...reminded, recordedOutcome('failed', undefined, 'retries-exhausted')]).when(outcome('suppressed', undefined, 'expired')).then([]);
  });
  it('an outcome of a text this appointment never asked for, or of an unknown appointment, records nothing', () => {
    given(decider, reminded).when(outcome('sent', undefined, undefined, 'sms:appt:apt-1:review:whatever')).then([]);
    given(decider, []).when(outcome('sent')).then([]);
  });
  it('an outcome naming another business is refused', () => {
    given(decider, reminded).when({ ...outcome('sent'), data: { ...outcome('sent').data, businessId: 'biz-2' } } as AppointmentCommand).thenThrows('BUSINESS_MISMATCH');
  });
});

