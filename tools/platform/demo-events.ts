import { randomUUID } from 'node:crypto';
import type { PublicMessage } from '@dailydesk/contracts';
import { DateTime } from 'luxon';

/** A customer of the demo business; phones are fictitious German mobile numbers in the formats people type. */
export interface DemoCustomer {
  readonly customerId: string;
  readonly firstName: string;
  readonly phone: string;
  /** Digits as the gateway sees them (E.164 without +). */
  readonly digits: string;
  readonly marketingConsent: boolean;
}

/** Everything one demo run publishes, plus what a newcomer should then see. */
export interface DemoScenario {
  readonly runId: string;
  readonly businessId: string;
  readonly businessName: string;
  readonly timeZone: string;
  readonly customers: readonly DemoCustomer[];
  readonly events: readonly PublicMessage[];
  /** Texts the flows should produce, by purpose (campaign texts come from the HTTP API, not from events). */
  readonly expected: ReadonlyArray<{ purpose: string; customer: string; why: string }>;
}

const TZ = 'Europe/Berlin';

/**
 * A small salon on one afternoon: a business with texting settings, three customers (two agreed to marketing),
 * an online booking (instant confirmation), an online reschedule (new details), and a customer who checked in
 * (review request on the next review tick, because the business asks for it 0 hours after check-in).
 * Ids carry a run id, so every run is new to JetStream's de-duplication and the services' idempotency.
 */
export function demoScenario(now = DateTime.now().setZone(TZ), runId = now.toMillis().toString(36)): DemoScenario {
  const businessId = `demo-salon-${runId}`;
  const businessName = 'Studio Lumen';
  const at = now.toUTC().toISO()!;
  let seq = 0;
  const correlationId = `demo-${runId}`;
  // One second apart, in the past: services order changes to one appointment by occurredAt (a later reschedule wins).
  const envelope = <T extends PublicMessage['type']>(type: T, data: unknown) => {
    seq += 1;
    const occurredAt = now.minus({ seconds: 20 - seq }).toUTC().toISO()!;
    return { id: `demo-${runId}-${seq}`, type, v: 1, occurredAt, businessId, correlationId, causationId: null, data } as unknown as Extract<PublicMessage, { type: T }>;
  };
  const customers: DemoCustomer[] = [
    { customerId: `cus-anna-${runId}`, firstName: 'Anna', phone: '+49 151 23456701', digits: '4915123456701', marketingConsent: true },
    { customerId: `cus-ben-${runId}`, firstName: 'Ben', phone: '0151 23456702', digits: '4915123456702', marketingConsent: true },
    { customerId: `cus-clara-${runId}`, firstName: 'Clara', phone: '0151-234 567 03', digits: '4915123456703', marketingConsent: false },
  ];
  const [anna, ben, clara] = customers;
  const local = (d: DateTime) => d.toISO({ suppressMilliseconds: true })!;
  const tomorrow10 = now.plus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const in2days15 = now.plus({ days: 2 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
  const in3days11 = now.plus({ days: 3 }).set({ hour: 11, minute: 0, second: 0, millisecond: 0 });
  const claraStart = now.minus({ minutes: 10 }).set({ second: 0, millisecond: 0 });
  const events: PublicMessage[] = [
    envelope('BusinessUpserted', {
      name: businessName,
      timeZone: TZ,
      country: 'DE',
      address: 'Hauptstr. 1, 10115 Berlin',
      smsSettings: { daysBeforeAppointment: 1, hoursAfterCheckInForTextMessages: 0, reviewUrl: 'https://example.com/review/studio-lumen' },
    }),
    ...customers.map((c) =>
      envelope('CustomerUpserted', {
        customerId: c.customerId,
        firstName: c.firstName,
        phone: c.phone,
        marketingConsent: c.marketingConsent,
        ...(c.marketingConsent ? { consentedAt: at } : {}),
        tags: c.marketingConsent ? ['regular'] : [],
        lastVisitAt: null,
        servicesHad: ['Haircut'],
      }),
    ),
    envelope('AppointmentBooked', { appointmentId: `apt-anna-${runId}`, customerId: anna.customerId, channel: 'online', startsAt: local(tomorrow10), endsAt: local(tomorrow10.plus({ hours: 1 })), serviceName: 'Haircut', staffName: 'Lena' }),
    envelope('AppointmentBooked', { appointmentId: `apt-ben-${runId}`, customerId: ben.customerId, channel: 'staff', startsAt: local(in2days15), serviceName: 'Beard trim' }),
    envelope('AppointmentRescheduled', { appointmentId: `apt-ben-${runId}`, customerId: ben.customerId, channel: 'online', startsAt: local(in3days11), previousStartsAt: local(in2days15), serviceName: 'Beard trim' }),
    envelope('AppointmentBooked', { appointmentId: `apt-clara-${runId}`, customerId: clara.customerId, channel: 'staff', startsAt: local(claraStart), serviceName: 'Colour' }),
    envelope('CustomerCheckedIn', { appointmentId: `apt-clara-${runId}`, customerId: clara.customerId, checkedInAt: local(now) }),
  ];
  return {
    runId,
    businessId,
    businessName,
    timeZone: TZ,
    customers,
    events,
    expected: [
      { purpose: 'confirmation', customer: 'Anna', why: 'booked online' },
      { purpose: 'reschedule', customer: 'Ben', why: 'rescheduled online' },
      { purpose: 'review', customer: 'Clara', why: 'checked in; review 0 h after check-in' },
      { purpose: 'campaign', customer: 'Anna', why: 'campaign, consented' },
      { purpose: 'campaign', customer: 'Ben', why: 'campaign, consented' },
    ],
  };
}

/** Body of POST /campaigns: a one-time campaign at the next full minute (local), to everyone who consented. */
export function demoCampaign(s: DemoScenario, now = DateTime.now().setZone(s.timeZone)) {
  // Leave at least 20 s between creating the campaign and its minute, so the tick of that minute sees it.
  const sendAt = now.plus({ minutes: now.second > 40 ? 2 : 1 });
  return {
    campaignId: `demo-${s.runId}-${randomUUID().slice(0, 8)}`,
    businessId: s.businessId,
    name: 'Autumn offer (demo)',
    template: 'Hi {{firstName}}, 20% off any treatment at {{businessName}} this week. Reply STOP to opt out.',
    audience: {},
    schedule: { kind: 'ONE_TIME', date: sendAt.toISODate()! },
    sendTime: sendAt.toFormat('HH:mm'),
  };
}
