import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import type { PublicMessageType, SendSms } from '@dailydesk/contracts';
import type { RunningService } from '@dailydesk/service-kit';
import { databaseUrl, eventually, natsUrl } from '@dailydesk/testing';
import { startAppointments } from './appointments.app';
import { loadConfig } from './config';

const tag = randomBytes(4).toString('hex');
const namespace = `ap${tag}`;
const schemaPrefix = `t_${tag}_`;
const BIZ = 'biz-int';
const STARTS = '2026-12-03T13:00:00.000Z'; // 14:00 Berlin

let now = new Date('2026-12-01T10:00:00Z');
let service: RunningService;
let jsm: JetStreamManager;
let seq = 0;

async function publish(type: PublicMessageType, data: unknown, businessId: string | null = BIZ, id = `${type}-${seq + 1}`): Promise<void> {
  seq += 1;
  const envelope = { id, type, v: 1, occurredAt: new Date(Date.parse('2026-11-29T09:00:00Z') + seq * 1000).toISOString(), businessId, correlationId: id, causationId: null, data };
  await jetstream(service.nc).publish(service.topology.subjectOf(type), JSON.stringify(envelope), { msgID: id });
}

const streamName = (suffix: string) => service.topology.streams.find((s) => s.name.endsWith(`_${suffix}`))!.name;

async function messages<T>(suffix: string): Promise<T[]> {
  const name = streamName(suffix);
  const count = (await jsm.streams.info(name)).state.messages;
  const out: T[] = [];
  for (let i = 1; i <= count; i++) out.push((await jsm.streams.getMessage(name, { seq: i }))!.json<T>());
  return out;
}

const smsOf = async (purpose: SendSms['data']['purpose']) => (await messages<SendSms>('SMS')).filter((m) => m.type === 'SendSms' && m.data.purpose === purpose);

/** Every message published so far on the consumer's subject has been handled and acknowledged. */
async function drained(purpose: string, stream = 'BOOKING'): Promise<void> {
  await eventually(async () => {
    const info = await jsm.consumers.info(streamName(stream), `appointments--${purpose}`);
    expect(info.num_pending + info.num_ack_pending).toBe(0);
  }, { timeoutMs: 10_000 });
}

async function row<T>(sql: string, params: unknown[]): Promise<T | undefined> {
  return (await service.database.query<T>(sql.replace(/\bS\./g, `"${schemaPrefix}appointments".`), params))[0];
}

function tick(schedule: string, slotAt: string): Promise<void> {
  return publish('SchedulerTicked', { schedule, slotAt, previousSlotAt: null, periodSeconds: 60, caughtUp: false, missedSlots: 0, trigger: 'clock' }, null);
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: databaseUrl(),
    NATS_URL: natsUrl(),
    NATS_NAMESPACE: namespace,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_BASE_URL: 'https://dd.example/',
  });
  service = await startAppointments(config, { clock: () => now, schemaPrefix });
  jsm = await jetstreamManager(service.nc);
  await publish('BusinessUpserted', {
    name: 'Salon Sol',
    timeZone: 'Europe/Berlin',
    country: 'DE',
    address: 'Hauptstr. 1, Berlin',
    smsSettings: { hoursAfterCheckInForTextMessages: 1, reviewUrl: 'https://g.page/salon-sol/review' },
  });
  await publish('CustomerUpserted', { customerId: 'cus-1', firstName: 'Ana', phone: '0171 2345678', marketingConsent: false, tags: [] });
  await drained('keep-businesses');
  await drained('keep-customers');
});

afterAll(async () => {
  if (!service) return;
  const names = service.topology.streams.map((s) => s.name);
  await service.close();
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: natsUrl() });
  const m = await jetstreamManager(nc);
  for (const name of names) await m.streams.delete(name).catch(() => undefined);
  await nc.close();
  const pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}appointments" CASCADE`);
  await pg.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}appointments_events" CASCADE`);
  await pg.end();
});

describe('appointments over real NATS and PostgreSQL', () => {
  const booking = { appointmentId: 'apt-1', customerId: 'cus-1', channel: 'online', startsAt: '2026-12-03T14:00:00+01:00', serviceName: 'Haircut', staffName: 'Mia' };

  it('an online booking yields exactly one confirmation SendSms on NATS, also when the booking is delivered twice', async () => {
    await publish('AppointmentBooked', booking, BIZ, 'booked-1');
    await publish('AppointmentBooked', booking, BIZ, 'booked-1-again'); // the same booking re-sent as a new message
    await drained('record-booking-and-confirm');
    await eventually(async () => expect(await smsOf('confirmation')).toHaveLength(1), { timeoutMs: 10_000 });
    const [sms] = await smsOf('confirmation');
    expect(sms!.id).toBe(`sms:appt:apt-1:confirmation:${STARTS}`);
    expect(sms!.data).toMatchObject({ messageId: sms!.id, recipient: { phone: '0171 2345678', defaultRegion: 'DE' }, refs: { appointmentId: 'apt-1' } });
    expect(sms!.data.text).toMatch(/^Hi Ana, your Haircut with Mia at Salon Sol is booked for Thu, Dec 3, 2026 at 2:00\sPM\. Address: Hauptstr\. 1, Berlin\.$/u);
    expect((await service.store.readStream('appointment-apt-1')).version).toBe(2);
  });

  it('the reminder tick sends one reminder whose link shows the appointment on GET and confirms only on POST; a bad token gets a clear 404', async () => {
    await eventually(async () => expect(await row('SELECT status FROM S.appointments WHERE appointment_id = $1', ['apt-1'])).toEqual({ status: 'booked' }));
    await tick('confirmation-reminders', '2026-12-02T14:00:00Z');
    await tick('confirmation-reminders', '2026-12-02T14:00:00Z'); // the same tick again
    await drained('send-reminders-and-review-requests', 'SCHEDULER');
    await eventually(async () => expect(await smsOf('reminder')).toHaveLength(1), { timeoutMs: 10_000 });
    const [reminder] = await smsOf('reminder');
    const link = /https:\/\/dd\.example\/c\/([A-Za-z0-9_-]{22})$/.exec(reminder!.data.text);
    expect(link).not.toBeNull();
    const token = link![1]!;
    await eventually(async () => expect(await row('SELECT appointment_id FROM S.confirmation_links WHERE token = $1', [token])).toBeDefined());

    now = new Date('2026-12-02T15:00:00Z');
    // Opening the link (what a messaging app's preview bot does) shows the appointment and a button; it confirms nothing.
    const shown = await fetch(`${service.url}/c/${token}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toMatch(/^text\/html/);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(shown.headers.get('x-robots-tag')).toBe('noindex');
    expect(shown.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'/);
    const form = await shown.text();
    expect(form).toContain('<strong>Haircut at Salon Sol</strong><br>Thu, Dec 3, 2026 at 2:00');
    expect(form).toContain(`<form method="post" action="${token}">`);
    expect(form).not.toMatch(/<script|https?:\/\//);
    const head = await fetch(`${service.url}/c/${token}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const confirmations = async () => (await service.store.readStream('appointment-apt-1')).events.filter((r) => r.event.type === 'AppointmentConfirmed');
    expect(await confirmations()).toEqual([]);

    // The button posts the form back to the same URL: only that confirms.
    const submit = () => fetch(`${service.url}/c/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' });
    const page = await submit();
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('Appointment confirmed');
    expect((await confirmations()).map((r) => r.event)).toEqual([expect.objectContaining({ data: expect.objectContaining({ source: 'link' }) })]);
    // Published by the relay on the booking stream, for the booking frontend.
    await eventually(async () => expect((await messages<{ type: string }>('BOOKING')).filter((m) => m.type === 'AppointmentConfirmed')).toHaveLength(1), { timeoutMs: 10_000 });
    const again = await submit();
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Already confirmed');
    const reopened = await fetch(`${service.url}/c/${token}`);
    expect(reopened.status).toBe(200);
    expect(await reopened.text()).toMatch(/Already confirmed(?![\s\S]*<form)/);
    expect(await confirmations()).toHaveLength(1);

    const bad = await fetch(`${service.url}/c/${'A'.repeat(22)}`);
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('This confirmation link is not valid');
    const garbage = await fetch(`${service.url}/c/%3Cscript%3E`);
    expect(garbage.status).toBe(404);
    expect(await garbage.text()).not.toContain('<script>');
    expect((await fetch(`${service.url}/c/${'A'.repeat(22)}`, { method: 'POST' })).status).toBe(404);
  });

  it('a reschedule to the same start (only the staff changed) records the new staff, texts nothing and keeps the confirmation', async () => {
    await publish('AppointmentRescheduled', { appointmentId: 'apt-1', customerId: 'cus-1', channel: 'staff', startsAt: '2026-12-03T14:00:00+01:00', staffName: 'Leo' });
    await drained('record-reschedule-and-text');
    const types = (await service.store.readStream('appointment-apt-1')).events.map((r) => r.event.type);
    expect(types.at(-1)).toBe('AppointmentDetailsChanged');
    expect(await smsOf('reschedule')).toEqual([]);
    await eventually(async () => expect(await row('SELECT status, stream_version FROM S.appointments WHERE appointment_id = $1', ['apt-1'])).toEqual({ status: 'confirmed', stream_version: types.length }));
  });

  it('check-in plus the review tick yields exactly one review SendSms; the review state becomes sent', async () => {
    await publish('CustomerCheckedIn', { appointmentId: 'apt-1', customerId: 'cus-1', checkedInAt: '2026-12-03T12:55:00Z' });
    await eventually(async () => expect(await row('SELECT review_state FROM S.appointments WHERE appointment_id = $1', ['apt-1'])).toEqual({ review_state: 'pending' }));
    await tick('review-requests', '2026-12-03T13:30:00Z'); // only 35 minutes after check-in: not yet
    await tick('review-requests', '2026-12-03T14:00:00Z');
    await tick('review-requests', '2026-12-03T14:01:00Z');
    await drained('send-reminders-and-review-requests', 'SCHEDULER');
    await eventually(async () => expect(await smsOf('review')).toHaveLength(1), { timeoutMs: 10_000 });
    const [review] = await smsOf('review');
    expect(review!.data.text).toBe('Hi Ana, thank you for visiting Salon Sol! We would love your review: https://g.page/salon-sol/review');
    await eventually(async () => expect(await row('SELECT review_state FROM S.appointments WHERE appointment_id = $1', ['apt-1'])).toEqual({ review_state: 'sent' }));
  });

  it('a cancellation that arrives just before the reminder tick stops the reminder', async () => {
    await publish('AppointmentBooked', { ...booking, appointmentId: 'apt-2', channel: 'staff' });
    await eventually(async () => expect(await row('SELECT status FROM S.appointments WHERE appointment_id = $1', ['apt-2'])).toEqual({ status: 'booked' }));
    await publish('AppointmentCancelled', { appointmentId: 'apt-2', customerId: 'cus-1', channel: 'online' });
    await drained('record-cancellation');
    await tick('confirmation-reminders', '2026-12-02T14:30:00Z');
    await drained('send-reminders-and-review-requests', 'SCHEDULER');
    expect((await service.store.readStream('appointment-apt-2')).events.map((r) => r.event.type)).toEqual(['AppointmentRecorded', 'CancellationRecorded']);
  });

  it('a booking that arrives before its customer is recorded, redelivered, and confirmed once the customer is known', async () => {
    await publish('AppointmentBooked', { ...booking, appointmentId: 'apt-3', customerId: 'cus-3' });
    await eventually(async () => expect((await service.store.readStream('appointment-apt-3')).version).toBe(1));
    expect((await smsOf('confirmation')).map((m) => m.data.refs.appointmentId)).toEqual(['apt-1']);
    await publish('CustomerUpserted', { customerId: 'cus-3', firstName: 'Ben', phone: '0171 7654321', marketingConsent: false, tags: [] });
    // The first redelivery comes after the consumer's 1 s back-off.
    await eventually(async () => expect((await smsOf('confirmation')).map((m) => m.data.refs.appointmentId)).toEqual(['apt-1', 'apt-3']), { timeoutMs: 10_000 });
    expect((await smsOf('confirmation'))[1]!.data.text).toMatch(/^Hi Ben, /);
  });

  it('settings: an unknown placeholder is a 400 naming it; a valid change is stored and read back', async () => {
    const url = `${service.url}/businesses/${BIZ}/sms-settings`;
    const put = (body: unknown) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await put({ templates: { en: { confirmation: 'Hi {{nickname}}, see you {{date}}' } } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'unknown-placeholder', placeholder: 'nickname' });
    const invalid = await put({ daysBeforeAppointment: 99 });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { reason: string }).reason).toMatch(/^daysBeforeAppointment: /);
    const ok = await put({ daysBeforeAppointment: 2, quietHours: { start: '22:00', end: '07:30' }, templates: { de: { review: 'Danke {{firstName}}: {{link}}' } } });
    expect(ok.status).toBe(200);
    const read = await (await fetch(url)).json();
    expect(read).toMatchObject({
      businessId: BIZ,
      effectiveTimeZone: 'Europe/Berlin',
      settings: { daysBeforeAppointment: 2, hoursAfterCheckInForTextMessages: 1, reviewUrl: 'https://g.page/salon-sol/review', quietHours: { start: '22:00', end: '07:30' } },
    });
    expect((await fetch(`${service.url}/businesses/nobody/sms-settings`)).status).toBe(404);
  });

  it("dispatch's outcomes land in the appointment: GET /appointments/:id shows which texts went out, also under redelivery", async () => {
    const id = (purpose: string) => `sms:appt:apt-1:${purpose}:${STARTS}`;
    const sent = (purpose: string) => ({
      messageId: id(purpose), purpose, refs: { appointmentId: 'apt-1', customerId: 'cus-1' },
      tid: 40001, port: '3.01', to: '+4917123456789', segments: 1, encoding: 'GSM-7', sentAt: '2026-12-01T10:00:02Z',
    });
    await publish('SmsSent', sent('confirmation'), BIZ, 'sent-confirmation');
    await publish('SmsSent', sent('confirmation'), BIZ, 'sent-confirmation'); // JetStream redelivery / re-publish
    await publish('SmsSent', sent('confirmation'), BIZ, 'sent-confirmation-again'); // the same outcome under a new id
    const failed = { messageId: id('reminder'), purpose: 'reminder', refs: { appointmentId: 'apt-1' }, reason: 'retries-exhausted', attempts: 8, failedAt: '2026-12-02T14:30:00Z' };
    await publish('SmsFailed', failed);
    await publish('SmsSuppressed', { messageId: id('review'), purpose: 'review', refs: { appointmentId: 'apt-1' }, reason: 'opted-out', suppressedAt: '2026-12-03T14:00:01Z' });
    // Not ours: a campaign text, and a text of an appointment this service does not know.
    await publish('SmsSuppressed', { messageId: 'sms:run-9:cus-1', purpose: 'campaign', refs: { campaignId: 'c-1', campaignRunId: 'run-9' }, reason: 'opted-out', suppressedAt: '2026-12-03T14:00:01Z' });
    await publish('SmsSent', { ...sent('confirmation'), messageId: 'sms:appt:apt-x:confirmation:x', refs: { appointmentId: 'apt-x' } });
    for (const purpose of ['record-sms-sent', 'record-sms-failed', 'record-sms-suppressed']) await drained(purpose, 'SMS');

    const view = (await (await fetch(`${service.url}/appointments/apt-1`)).json()) as { texts: unknown[] };
    expect(view).toMatchObject({ appointmentId: 'apt-1', businessId: BIZ, status: 'checked-in', staffName: 'Leo', review: 'sent' });
    expect(view.texts).toEqual([
      { messageId: id('confirmation'), purpose: 'confirmation', state: 'sent', at: '2026-12-01T10:00:02.000Z' },
      { messageId: id('reminder'), purpose: 'reminder', state: 'failed', reason: 'retries-exhausted', at: '2026-12-02T14:30:00.000Z' },
      { messageId: id('review'), purpose: 'review', state: 'suppressed', reason: 'opted-out', at: '2026-12-03T14:00:01.000Z' },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/0171|\+49|https?:/);
    const outcomes = (await service.store.readStream('appointment-apt-1')).events.filter((r) => r.event.type === 'SmsOutcomeRecorded');
    expect(outcomes).toHaveLength(3);
    expect((await service.store.readStream('appointment-apt-x')).version).toBe(0);
    // Private facts: nothing of them is relayed to NATS.
    expect((await messages<{ type: string }>('SMS')).filter((m) => m.type === 'SmsOutcomeRecorded')).toEqual([]);

    expect((await fetch(`${service.url}/appointments/apt-x`)).status).toBe(404);
    const bad = await fetch(`${service.url}/appointments/${encodeURIComponent('a b')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid-appointment-id' });
  });
});
