import { given } from '@dailydesk/testing';
import type { AppointmentEvent } from './appointment.events';
import { awaitsInstantText, appointmentDecider as decider, linkStatus } from './appointment.decider';
import { APPT, BIZ, book, cancel, checkIn, confirmLink, context, details, recorded, remind, reschedule, reviewTick, STARTS } from './appointment.fixtures';
import { messageIdOf } from './appointment.texts';
import { localDateTime } from './local-time';

const REVIEW_URL = 'https://g.page/salon-sol/review';
const when = (startsAt: string) => localDateTime(startsAt, 'Europe/Berlin', 'en');

function sms(purpose: 'confirmation' | 'reschedule' | 'reminder' | 'review', startsAt: string, text: string, expiresAt?: string): AppointmentEvent {
  return {
    type: 'SendSms',
    data: {
      messageId: messageIdOf(APPT, purpose, startsAt),
      recipient: { phone: '0171 2345678', defaultRegion: 'DE' },
      text,
      purpose,
      refs: { appointmentId: APPT, customerId: 'cus-1' },
      ...(expiresAt ? { expiresAt } : {}),
    },
  };
}

const confirmationText = (startsAt = STARTS) =>
  `Hi Ana, your Haircut with Mia at Salon Sol is booked for ${when(startsAt).date} at ${when(startsAt).time}. Address: Hauptstr. 1, Berlin.`;
const rescheduleText = (startsAt: string) =>
  `Hi Ana, your Haircut with Mia at Salon Sol has moved to ${when(startsAt).date} at ${when(startsAt).time}. Address: Hauptstr. 1, Berlin.`;
const reminderText = (startsAt: string, token: string) =>
  `Hi Ana, see you on ${when(startsAt).date} at ${when(startsAt).time} for Haircut at Salon Sol. Please confirm: https://dd.example/c/${token}`;
const reviewText = `Hi Ana, thank you for visiting Salon Sol! We would love your review: ${REVIEW_URL}`;

const confirmationSent = sms('confirmation', STARTS, confirmationText(), STARTS);
const link = (token: string, startsAt = STARTS): AppointmentEvent => ({
  type: 'ConfirmationLinkIssued',
  data: { appointmentId: APPT, businessId: BIZ, token, forStartsAt: startsAt, expiresAt: startsAt, messageId: messageIdOf(APPT, 'reminder', startsAt) },
});
const reminderSent = (token = 'tok-A', startsAt = STARTS) => sms('reminder', startsAt, reminderText(startsAt, token), startsAt);
const cancelled: AppointmentEvent = {
  type: 'CancellationRecorded',
  data: { appointmentId: APPT, businessId: BIZ, sourceId: 'cx-1', cancelledAt: '2026-12-02T12:59:00.000Z' },
};
const checkedIn: AppointmentEvent = {
  type: 'CheckInRecorded',
  data: { appointmentId: APPT, businessId: BIZ, sourceId: 'ci-1', checkedInAt: '2026-12-03T12:55:00.000Z' },
};
const NEXT = '2026-12-10T13:00:00.000Z';
const moved = (startsAt = NEXT, previous = STARTS): AppointmentEvent => ({
  type: 'AppointmentMoved',
  data: { appointmentId: APPT, businessId: BIZ, sourceId: `rs-${startsAt}`, details: details(startsAt, '2026-11-30T10:00:00.000Z'), previousStartsAt: previous },
});

describe('instant texts', () => {
  it('an online booking records the appointment and asks for one confirmation text with the local details', () => {
    given(decider, []).when(book()).then([recorded(), confirmationSent]);
    expect(confirmationText()).toContain('Thu, Dec 3, 2026'); // 13:00 UTC read in Berlin: 14:00
    expect(when(STARTS).time).toMatch(/^2:00\s?PM$/u);
  });

  it('a staff booking is recorded without a text', () => {
    given(decider, []).when(book({ channel: 'staff' })).then([recorded(details(STARTS, undefined, 'staff'))]);
  });

  it('a redelivered booking changes nothing and texts nobody twice', () => {
    given(decider, [recorded(), confirmationSent]).when(book()).then([]);
  });

  it('the same booking re-sent as a new message (new id, later time, same details) records nothing new', () => {
    given(decider, [recorded(), confirmationSent]).when(book({ id: 'bk-1-again', at: '2026-11-29T09:16:00.000Z' })).then([]);
  });

  it('a booking whose customer is not known yet is recorded; its redelivery with the customer sends the text', () => {
    given(decider, []).when(book({ ctx: null })).then([recorded()]);
    given(decider, [recorded()]).when(book()).then([confirmationSent]);
  });

  it('a customer without a phone number is skipped once, not retried', () => {
    const skipped: AppointmentEvent = {
      type: 'SmsSkipped',
      data: { appointmentId: APPT, messageId: messageIdOf(APPT, 'confirmation', STARTS), purpose: 'confirmation', reason: 'no-phone' },
    };
    given(decider, []).when(book({ ctx: context({}, null) })).then([recorded(), skipped]);
  });

  it('a disabled kind sends nothing', () => {
    const ctx = context({ enabled: { confirmation: false, reschedule: true, reminder: true, review: true } });
    given(decider, []).when(book({ ctx })).then([recorded()]);
  });

  it('a reschedule records the new time and texts the new details', () => {
    given(decider, [recorded(), confirmationSent]).when(reschedule(NEXT)).then([moved(), sms('reschedule', NEXT, rescheduleText(NEXT), NEXT)]);
  });

  describe('a reschedule that keeps the start time (only staff, service, place or end changed)', () => {
    const staffChange = (at = '2026-12-01T09:00:00.000Z') => reschedule(STARTS, { id: 'rs-staff', at, staffName: 'Leo' });
    const changed: AppointmentEvent = {
      type: 'AppointmentDetailsChanged',
      data: { appointmentId: APPT, businessId: BIZ, sourceId: 'rs-staff', details: { ...details(), staffName: 'Leo', changedAt: '2026-12-01T09:00:00.000Z' } },
    };
    const confirmedByStaff: AppointmentEvent = {
      type: 'ConfirmationRecorded',
      data: { appointmentId: APPT, businessId: BIZ, sourceId: 'cf-1', via: 'staff', confirmedAt: '2026-11-30T10:00:00.000Z' },
    };
    const state = (events: AppointmentEvent[]) => events.reduce(decider.evolve, decider.initialState());

    it('records the new details, texts nothing and keeps the confirmation', () => {
      given(decider, [recorded(), confirmationSent, confirmedByStaff]).when(staffChange()).then([changed]);
      const after = state([recorded(), confirmationSent, confirmedByStaff, changed]);
      expect(after).toMatchObject({ status: 'confirmed', details: { staffName: 'Leo', startsAt: STARTS } });
      given(decider, [recorded(), confirmationSent, confirmedByStaff, changed]).when(remind('2026-12-02T14:00:00.000Z')).then([]);
    });

    it('leaves the reminder and its link as they were: no second reminder, the link still confirms', () => {
      const history = [recorded(), link('tok-A'), reminderSent(), changed];
      given(decider, [recorded(), link('tok-A'), reminderSent()]).when(staffChange()).then([changed]);
      given(decider, history).when(remind('2026-12-02T14:30:00.000Z', context(), 'tok-B')).then([]);
      given(decider, history)
        .when(confirmLink('tok-A', '2026-12-02T15:00:00Z'))
        .then([{ type: 'AppointmentConfirmed', data: { appointmentId: APPT, customerId: 'cus-1', source: 'link', confirmedAt: '2026-12-02T15:00:00.000Z' } }]);
    });

    it('does not wait for an unknown customer (no text is owed), and its redelivery records nothing', () => {
      given(decider, [recorded(), confirmationSent]).when(reschedule(STARTS, { id: 'rs-staff', at: '2026-12-01T09:00:00.000Z', staffName: 'Leo', ctx: null })).then([changed]);
      expect(awaitsInstantText(state([recorded(), confirmationSent, changed]), APPT, 'reschedule', STARTS, '2026-12-01T09:00:00.000Z')).toBe(false);
      given(decider, [recorded(), confirmationSent, changed]).when(staffChange()).then([]);
    });

    it('a real move still texts, also a move back to the first time; a staff change after it does not text again', () => {
      given(decider, [recorded(), confirmationSent, moved()]).when(reschedule(STARTS, { id: 'rs-back', at: '2026-12-01T08:00:00.000Z' })).then([
        { type: 'AppointmentMoved', data: { appointmentId: APPT, businessId: BIZ, sourceId: 'rs-back', details: details(STARTS, '2026-12-01T08:00:00.000Z'), previousStartsAt: NEXT } },
        sms('reschedule', STARTS, rescheduleText(STARTS), STARTS),
      ]);
      const afterMove = [recorded(), confirmationSent, moved(), sms('reschedule', NEXT, rescheduleText(NEXT), NEXT)];
      given(decider, afterMove).when(reschedule(NEXT, { id: 'rs-staff', at: '2026-12-01T09:00:00.000Z', staffName: 'Leo' })).then([
        { type: 'AppointmentDetailsChanged', data: { appointmentId: APPT, businessId: BIZ, sourceId: 'rs-staff', details: { ...details(NEXT, '2026-12-01T09:00:00.000Z'), staffName: 'Leo' } } },
      ]);
    });

    it('a move recorded while the customer was unknown is still texted when its redelivery finds the customer', () => {
      given(decider, [recorded(), confirmationSent]).when(reschedule(NEXT, { ctx: null })).then([moved()]);
      given(decider, [recorded(), confirmationSent, moved()]).when(reschedule(NEXT)).then([sms('reschedule', NEXT, rescheduleText(NEXT), NEXT)]);
    });
  });

  it('a booking older than the reschedule already recorded (reordered delivery) changes nothing', () => {
    given(decider, [moved(NEXT, STARTS)]).when(book()).then([]);
  });

  it('a booking for a time already past is recorded without a text', () => {
    given(decider, []).when(book({ at: '2026-12-03T14:00:00.000Z' })).then([recorded(details(STARTS, '2026-12-03T14:00:00.000Z'), 'bk-1')]);
  });

  it('an appointment id of another business is refused', () => {
    given(decider, [recorded()]).when({ ...book(), data: { ...book().data, businessId: 'biz-2' } } as never).thenThrows('BUSINESS_MISMATCH');
  });
});

describe('confirmation reminders', () => {
  const inWindow = '2026-12-02T14:00:00.000Z'; // 15:00 Berlin, 23 h before
  it('within daysBeforeAppointment, unconfirmed: one reminder with a confirmation link', () => {
    given(decider, [recorded(), confirmationSent]).when(remind(inWindow)).then([link('tok-A'), reminderSent()]);
  });

  it('before the window opens: nothing', () => {
    given(decider, [recorded()]).when(remind('2026-12-02T12:30:00.000Z')).then([]);
  });

  it('a tick delivered twice (or a second tick) sends no second reminder', () => {
    given(decider, [recorded(), link('tok-A'), reminderSent()]).when(remind(inWindow, context(), 'tok-B')).then([]);
    given(decider, [recorded(), link('tok-A'), reminderSent()]).when(remind('2026-12-02T14:30:00.000Z', context(), 'tok-B')).then([]);
  });

  it('cancelled just before the tick: no reminder', () => {
    given(decider, [recorded(), confirmationSent, cancelled]).when(remind(inWindow)).then([]);
  });

  it('confirmed (by staff or the link): no reminder', () => {
    const confirmed: AppointmentEvent = {
      type: 'ConfirmationRecorded',
      data: { appointmentId: APPT, businessId: BIZ, sourceId: 'cf-1', via: 'staff', confirmedAt: '2026-12-01T10:00:00.000Z' },
    };
    given(decider, [recorded(), confirmed]).when(remind(inWindow)).then([]);
  });

  it('a reschedule after the reminder makes it eligible again for the new time, once', () => {
    const history = [recorded(), link('tok-A'), reminderSent(), moved()];
    given(decider, history).when(remind(inWindow)).then([]); // new time is a week away
    const newWindow = '2026-12-09T14:00:00.000Z';
    given(decider, history).when(remind(newWindow, context(), 'tok-B')).then([link('tok-B', NEXT), reminderSent('tok-B', NEXT)]);
    given(decider, [...history, link('tok-B', NEXT), reminderSent('tok-B', NEXT)]).when(remind(newWindow, context(), 'tok-C')).then([]);
  });

  it('quiet hours defer the reminder to the first tick after they end', () => {
    const evening = '2026-12-02T20:30:00.000Z'; // 21:30 Berlin
    given(decider, [recorded()]).when(remind(evening)).then([]);
    given(decider, [recorded()]).when(remind('2026-12-03T06:30:00.000Z')).then([]); // 07:30 Berlin
    given(decider, [recorded()]).when(remind('2026-12-03T07:00:00.000Z')).then([link('tok-A'), reminderSent()]); // 08:00
  });

  it('quiet hours across the spring-forward DST change are read on the local wall clock', () => {
    const sunday = '2026-03-29T15:00:00.000Z'; // Berlin switches to CEST at 02:00 that morning
    const history = [recorded(details(sunday))];
    // 06:30 UTC: 08:30 CEST on the DST day → allowed (the day before, 06:30 UTC was 07:30 CET → quiet)
    given(decider, history).when(remind('2026-03-29T06:30:00.000Z')).then([link('tok-A', sunday), reminderSent('tok-A', sunday)]);
    given(decider, history).when(remind('2026-03-29T05:30:00.000Z')).then([]); // 07:30 CEST: still quiet
    given(decider, history).when(remind('2026-03-28T06:30:00.000Z')).then([]); // 07:30 CET, a day earlier: quiet
  });

  it('the reminder window counts calendar days on the local clock across the autumn DST change', () => {
    const sunday = '2026-10-25T09:00:00.000Z'; // 10:00 CET, hours after the 03:00 CEST → 02:00 CET switch
    const history = [recorded(details(sunday))];
    // one local day before = Saturday 10:00 CEST = 08:00 UTC (24 h before would be 09:00 UTC)
    given(decider, history).when(remind('2026-10-24T07:59:00.000Z')).then([]);
    given(decider, history).when(remind('2026-10-24T08:30:00.000Z')).then([link('tok-A', sunday), reminderSent('tok-A', sunday)]);
  });

  it('daysBeforeAppointment 0 switches reminders off', () => {
    given(decider, [recorded()]).when(remind(inWindow, context({ daysBeforeAppointment: 0 }))).then([]);
  });
});

describe('the confirmation link', () => {
  const issued = [recorded(), link('tok-A'), reminderSent()];
  it('confirms the appointment (a public AppointmentConfirmed)', () => {
    given(decider, issued)
      .when(confirmLink('tok-A', '2026-12-02T15:00:00Z'))
      .then([{ type: 'AppointmentConfirmed', data: { appointmentId: APPT, customerId: 'cus-1', source: 'link', confirmedAt: '2026-12-02T15:00:00.000Z' } }]);
  });
  it('followed again: nothing new', () => {
    const confirmed: AppointmentEvent = { type: 'AppointmentConfirmed', data: { appointmentId: APPT, customerId: 'cus-1', source: 'link', confirmedAt: '2026-12-02T15:00:00.000Z' } };
    given(decider, [...issued, confirmed]).when(confirmLink('tok-A', '2026-12-02T16:00:00Z')).then([]);
  });
  it('unknown token, cancelled appointment, moved appointment, started appointment: refused with a reason', () => {
    given(decider, issued).when(confirmLink('tok-X', '2026-12-02T15:00:00Z')).thenThrows('LINK_UNKNOWN');
    given(decider, [...issued, cancelled]).when(confirmLink('tok-A', '2026-12-02T15:00:00Z')).thenThrows('APPOINTMENT_CANCELLED');
    given(decider, [...issued, moved()]).when(confirmLink('tok-A', '2026-12-02T15:00:00Z')).thenThrows('LINK_SUPERSEDED');
    given(decider, issued).when(confirmLink('tok-A', STARTS)).thenThrows('LINK_EXPIRED');
  });
  it('what opening the link (GET, which changes nothing) shows follows the same rule', () => {
    const state = (events: AppointmentEvent[]) => events.reduce(decider.evolve, decider.initialState());
    const at = '2026-12-02T15:00:00.000Z';
    const confirmed: AppointmentEvent = { type: 'AppointmentConfirmed', data: { appointmentId: APPT, customerId: 'cus-1', source: 'link', confirmedAt: at } };
    expect(linkStatus(state(issued), 'tok-A', at)).toBe('confirmable');
    expect(linkStatus(state(issued), 'tok-X', at)).toBe('unknown');
    expect(linkStatus(state([...issued, confirmed]), 'tok-A', at)).toBe('already-confirmed');
    expect(linkStatus(state([...issued, cancelled]), 'tok-A', at)).toBe('cancelled');
    expect(linkStatus(state([...issued, moved()]), 'tok-A', at)).toBe('superseded');
    expect(linkStatus(state(issued), 'tok-A', STARTS)).toBe('expired');
  });
});

describe('review requests', () => {
  const due = '2026-12-03T14:55:00.000Z'; // check-in + 2 h
  it('checked in at least hoursAfterCheckIn ago: one review request with the review link', () => {
    given(decider, [recorded(), checkedIn]).when(reviewTick(due)).then([sms('review', STARTS, reviewText)]);
  });
  it('not yet due: nothing', () => {
    given(decider, [recorded(), checkedIn]).when(reviewTick('2026-12-03T14:54:59.000Z')).then([]);
  });
  it('a tick delivered twice: still exactly one', () => {
    given(decider, [recorded(), checkedIn, sms('review', STARTS, reviewText)]).when(reviewTick(due)).then([]);
  });
  it('cancelled just before the tick: no review request', () => {
    given(decider, [recorded(), checkedIn, cancelled]).when(reviewTick(due)).then([]);
  });
  it('no review link configured: nothing', () => {
    given(decider, [recorded(), checkedIn]).when(reviewTick(due, context({ reviewUrl: null }))).then([]);
  });
  it('quiet hours defer it; across the autumn DST change too', () => {
    const sunday = '2026-10-25T05:00:00.000Z'; // 06:00 CET, after the 03:00 → 02:00 switch
    const early = [recorded(details(sunday)), { ...checkedIn, data: { ...checkedIn.data, checkedInAt: '2026-10-25T04:00:00.000Z' } } as AppointmentEvent];
    given(decider, early).when(reviewTick('2026-10-25T06:30:00.000Z')).then([]); // 07:30 CET: quiet
    given(decider, early).when(reviewTick('2026-10-25T07:00:00.000Z')).then([sms('review', sunday, reviewText)]); // 08:00 CET
  });
  it('a check-in after a cancellation is ignored, and a cancel after check-in stops the review', () => {
    given(decider, [recorded(), cancelled]).when(checkIn()).then([]);
    given(decider, [recorded(), checkedIn]).when(cancel('2026-12-03T13:30:00.000Z')).then([
      { type: 'CancellationRecorded', data: { appointmentId: APPT, businessId: BIZ, sourceId: 'cx-1', cancelledAt: '2026-12-03T13:30:00.000Z' } },
    ]);
  });
});

