import { randomBytes } from 'node:crypto';
import { Controller, Inject, Module } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import type { AppointmentBooked, EnvelopeBase, SendSms } from '@dailydesk/contracts';
import type { EventStore } from '@dailydesk/event-store';
import { PermanentError } from '@dailydesk/messaging';
import { eventually } from '@dailydesk/testing';
import { EVENT_STORE } from './tokens';
import { baseServiceEnv, ConfigError, parseEnv, serviceConfigOf } from './service-config';
import { startService, type RunningService } from './start-service';

const tag = randomBytes(4).toString('hex');
const namespace = `kit${tag}`;
const schemaPrefix = `t_${tag}_`;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A toy feature: every booking asks for one confirmation text (deterministic id) and records a private fact. */
@Controller()
class ToyBookingHandler {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @EventPattern('AppointmentBooked', { durable: 'toy-confirmation' })
  async onBooked(booked: AppointmentBooked): Promise<void> {
    const sms: SendSms = {
      id: `sms:${booked.data.appointmentId}:confirmation`,
      type: 'SendSms',
      v: 1,
      occurredAt: booked.occurredAt,
      businessId: booked.businessId,
      correlationId: booked.correlationId,
      causationId: booked.id,
      data: {
        messageId: `sms:${booked.data.appointmentId}:confirmation`,
        recipient: { phone: '0171 234 5678', defaultRegion: 'DE' },
        text: 'See you soon',
        purpose: 'confirmation',
        refs: { appointmentId: booked.data.appointmentId, customerId: booked.data.customerId },
      },
    } as SendSms;
    const privateFact: EnvelopeBase = { ...sms, id: `noted:${booked.data.appointmentId}`, type: 'ToyNoted', data: {} };
    await this.store.appendToStream(`toy-${booked.data.appointmentId}`, [sms, privateFact], { expectedVersion: 'any' });
  }

  @EventPattern('AppointmentCancelled', { durable: 'toy-cancel' })
  onCancelled(): never {
    throw new PermanentError('toy refuses every cancellation', { code: 'TOY_REFUSES' });
  }
}

@Module({ controllers: [ToyBookingHandler] })
class ToyModule {}

const booking = (id: string): AppointmentBooked =>
  ({
    id,
    type: 'AppointmentBooked',
    v: 1,
    occurredAt: '2026-11-29T09:15:00Z',
    businessId: 'biz-1',
    correlationId: id,
    causationId: null,
    data: { appointmentId: 'apt-42', customerId: 'cus-17', channel: 'online', startsAt: '2026-12-03T14:00:00+01:00', serviceName: 'Haircut' },
  }) as AppointmentBooked;

/** Stops the service and removes its streams and schemas. */
async function stopAndRemove(service: RunningService | undefined, schemas: string[]): Promise<void> {
  if (!service) return;
  await service.close();
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  for (const s of service.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
  await nc.close();
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  for (const name of schemas) await pg.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}${name}" CASCADE`);
  await pg.end();
}

describe('startService', () => {
  let service: RunningService;

  beforeAll(async () => {
    const env = parseEnv('toy', baseServiceEnv(0), { DATABASE_URL: databaseUrl, NATS_NAMESPACE: namespace, PORT: '0', LOG_LEVEL: 'silent' });
    service = await startService({ name: 'toy', modules: [ToyModule], config: serviceConfigOf(env), schemaPrefix, consumer: { backoffMs: [100] } });
  });

  afterAll(() => stopAndRemove(service, ['toy_events']));

  it('delivers an event pattern durably, and the relay publishes only the public events it appended', async () => {
    const js = jetstream(service.nc);
    const subject = service.topology.subjectOf('AppointmentBooked');
    await js.publish(subject, JSON.stringify(booking('bk-1')), { msgID: 'bk-1' });
    await js.publish(subject, JSON.stringify(booking('bk-1-again')), { msgID: 'bk-1-again' });
    const jsm = await jetstreamManager(service.nc);
    const sms = service.topology.streams.find((s) => s.name.endsWith('_SMS'))!.name;
    await eventually(async () => expect((await jsm.streams.info(sms)).state.messages).toBe(1), { timeoutMs: 10_000 });
    const stored = (await jsm.streams.getMessage(sms, { seq: 1 }))!;
    expect(stored.json<SendSms>().id).toBe('sms:apt-42:confirmation');
    // The redelivered cause appended the same ids again: a no-op in the store, so nothing more to relay.
    expect((await service.store.readStream('toy-apt-42')).version).toBe(2);
    // The private event is filtered out in the store's read (the relay reads only the catalogue's types): never read here.
    await eventually(() => expect(service.relay?.stats).toEqual({ published: 1, duplicates: 0, skipped: 0, brokenChains: 0 }), { timeoutMs: 10_000 });
    // Its checkpoint still moves past it (stored just after the batch's publishes are acknowledged).
    await eventually(() => expect(service.relay!.position).toBeGreaterThanOrEqual(2), { timeoutMs: 10_000 });
  });

  it('dead-letters a message that does not match the contract, with the reason, in its own namespace', async () => {
    const js = jetstream(service.nc);
    const bad = { ...booking('bk-bad'), data: { appointmentId: 'apt-43' } };
    await js.publish(service.topology.subjectOf('AppointmentBooked'), JSON.stringify(bad), { msgID: 'bk-bad' });
    const jsm = await jetstreamManager(service.nc);
    await eventually(async () => expect((await jsm.streams.info(service.topology.deadLetterStream.name)).state.messages).toBe(1), { timeoutMs: 10_000 });
    const letter = (await jsm.streams.getMessage(service.topology.deadLetterStream.name, { seq: 1 }))!;
    expect(letter.subject).toBe(`${namespace}.deadletter.${namespace}.booking.evt.appointment-booked`);
    expect(letter.header.get('Dd-Dlq-Reason') + letter.header.get('Dd-Dlq-Detail')).toMatch(/customerId/);
  });

  it('dead-letters a PermanentError thrown by a handler on its first delivery (the filter reaches the transport)', async () => {
    const js = jetstream(service.nc);
    const cancelled = { ...booking('cx-1'), type: 'AppointmentCancelled', data: { appointmentId: 'apt-42', customerId: 'cus-17', channel: 'online' } };
    await js.publish(service.topology.subjectOf('AppointmentCancelled'), JSON.stringify(cancelled), { msgID: 'cx-1' });
    const jsm = await jetstreamManager(service.nc);
    const dlq = service.topology.deadLetterStream.name;
    await eventually(async () => expect((await jsm.streams.info(dlq)).state.messages).toBe(2), { timeoutMs: 10_000 });
    const letter = (await jsm.streams.getMessage(dlq, { seq: 2 }))!;
    expect(letter.header.get('Dd-Dlq-Deliveries')).toBe('1');
    expect(letter.header.get('Dd-Dlq-Detail')).toContain('toy refuses');
  });

  it('answers health and metrics over HTTP', async () => {
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('service="toy"');
  });
});

describe('parseEnv', () => {
  it('names every bad variable and never echoes its value', () => {
    let error: unknown;
    try {
      parseEnv('toy', baseServiceEnv(3000), { PORT: 'eighty', DATABASE_URL: 'mysql://secret@x/db', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(/DATABASE_URL: /);
    expect(message).toMatch(/LOG_LEVEL: /);
    expect(message).not.toContain('secret');
  });
});

describe("startService with relay: 'thread'", () => {
  const ns = `kitt${tag}`;
  let service: RunningService;

  beforeAll(async () => {
    const env = parseEnv('toy', baseServiceEnv(0), { DATABASE_URL: databaseUrl, NATS_NAMESPACE: ns, PORT: '0', LOG_LEVEL: 'silent' });
    service = await startService({ name: 'toy-thread', modules: [], config: serviceConfigOf(env), schemaPrefix, relay: 'thread' });
  }, 30_000);

  afterAll(() => stopAndRemove(service, ['toy_thread', 'toy_thread_events']), 30_000);

  it('publishes the public events the service appends from its own thread, and only those', async () => {
    expect(service.relay).toBeNull();
    const sms = { ...booking('t-1'), id: 'sms:t-1', type: 'SendSms', data: { messageId: 'sms:t-1', recipient: { phone: '0171 234 5678', defaultRegion: 'DE' }, text: 'Hi', purpose: 'confirmation', refs: {} } };
    await service.store.appendToStream('toy-thread-1', [{ ...sms, id: 'private:t-1', type: 'ToyNoted', data: {} }, sms], { expectedVersion: 'no-stream' });
    const jsm = await jetstreamManager(service.nc);
    const stream = service.topology.streams.find((s) => s.name.endsWith('_SMS'))!.name;
    await eventually(async () => expect((await jsm.streams.info(stream)).state.messages).toBe(1), { timeoutMs: 10_000 });
    expect((await jsm.streams.getMessage(stream, { seq: 1 }))!.json<SendSms>().id).toBe('sms:t-1');
  });
});
