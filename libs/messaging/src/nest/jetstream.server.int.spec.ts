import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EnvelopeBase } from '@dailydesk/contracts';
import { decoderFromSchema } from '../decode';
import { PermanentError } from '../errors';
import { createPublisher } from '../publisher';
import { envelope, openTestEnv, waitFor } from '../test-support/nats-test-env';
import type { TestEnv } from '../test-support/nats-test-env';
import type { BatchResult } from '../batch-processor';
import { JetStreamBatchContext } from './jetstream-batch.context';
import { JetStreamExceptionFilter } from './jetstream-exception.filter';
import { JetStreamContext } from './jetstream.context';
import { JetStreamServer } from './jetstream.server';

jest.setTimeout(30_000);

interface Seen {
  id: string;
  deliveryCount: number;
  subject: string;
}

describe('JetStreamServer: Nest custom transport (real NATS)', () => {
  let env: TestEnv;
  let app: INestMicroservice;
  const booked: Seen[] = [];
  const flaky: Seen[] = [];
  let rejectedCalls = 0;
  const batchCalls: Seen[][] = [];
  let service: string;

  beforeAll(async () => {
    env = await openTestEnv();
    service = `svc${env.id}`;
    const root = env.root;

    @Controller()
    class Handlers {
      @EventPattern(`${root}.evt.appointment-booked`, { durable: 'send-confirmation' })
      onBooked(@Payload() e: EnvelopeBase, @Ctx() ctx: JetStreamContext): void {
        booked.push({ id: e.id, deliveryCount: ctx.getDeliveryCount(), subject: ctx.getSubject() });
      }

      @EventPattern('FlakyHappened')
      async onFlaky(@Payload() e: EnvelopeBase, @Ctx() ctx: JetStreamContext): Promise<void> {
        flaky.push({ id: e.id, deliveryCount: ctx.getDeliveryCount(), subject: ctx.getSubject() });
        if (ctx.getDeliveryCount() === 1) throw new Error('store busy');
      }

      @EventPattern(`${root}.evt.batched`, { durable: 'batched', batch: true })
      onBatched(@Payload() es: EnvelopeBase[], @Ctx() ctx: JetStreamBatchContext): BatchResult {
        const contexts = ctx.getMessageContexts();
        batchCalls.push(es.map((e, i) => ({ id: e.id, deliveryCount: contexts[i]!.deliveryCount, subject: contexts[i]!.subject })));
        return es.map((e, i) => ((e.data as { fail?: boolean }).fail && contexts[i]!.deliveryCount === 1 ? new Error('row failed') : undefined));
      }

      @EventPattern(`${root}.evt.rejected`)
      onRejected(): void {
        rejectedCalls++;
        throw new PermanentError('no such business', { code: 'BUSINESS_UNKNOWN' });
      }
    }
    @Module({ controllers: [Handlers] })
    class AppModule {}

    app = await NestFactory.createMicroservice(AppModule, {
      logger: false,
      strategy: new JetStreamServer({
        service,
        connection: env.nc,
        decode: decoderFromSchema(EnvelopeBase),
        subjectOf: (type) => `${root}.evt.${type === 'FlakyHappened' ? 'flaky-happened' : type.toLowerCase()}`,
        consumer: { backoffMs: [100], deadLetterPrefix: env.dlqPrefix, pullExpiresMs: 1_000 },
        logger: env.logger,
      }),
    });
    app.useGlobalFilters(new JetStreamExceptionFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await env.cleanup();
  });

  it('delivers an @EventPattern message through a durable <service>--<purpose> consumer and acks it', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf: () => `${env.root}.evt.appointment-booked` });
    const e = envelope('AppointmentBooked', { appointmentId: 'a-1' });
    const ack = await publisher.publish(e);
    await waitFor('handled', () => booked.length === 1);
    expect(booked[0]).toEqual({ id: e.id, deliveryCount: 1, subject: `${env.root}.evt.appointment-booked` });
    await waitFor('acked', async () => {
      const info = await env.jsm.consumers.info(env.stream, `${service}--send-confirmation`);
      return info.num_ack_pending === 0 && info.ack_floor.stream_seq >= ack.seq;
    });
  });

  it('redelivers to a handler that threw (pattern given as a message type)', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf: () => `${env.root}.evt.flaky-happened` });
    const e = envelope('FlakyHappened', {});
    await publisher.publish(e);
    await waitFor('second delivery handled', () => flaky.length === 2);
    expect(flaky.map((s) => s.deliveryCount)).toEqual([1, 2]);
    expect(flaky.every((s) => s.id === e.id)).toBe(true);
    await waitFor('acked', async () => {
      const info = await env.jsm.consumers.info(env.stream, `${service}--flaky-happened`);
      return info.num_ack_pending === 0;
    });
  });

  it('dead-letters a permanent failure once (error kept intact by JetStreamExceptionFilter)', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf: () => `${env.root}.evt.rejected` });
    await publisher.publish(envelope('Rejected', {}));
    await waitFor('dead letter', async () => (await env.deadLetters()).length === 1);
    const [d] = await env.deadLetters();
    expect(d).toMatchObject({
      reason: 'permanent-failure',
      detail: 'BUSINESS_UNKNOWN: no such business',
      subject: `${env.root}.evt.rejected`,
      consumer: `${service}--${env.root}-evt-rejected`,
      deliveryCount: 1,
    });
    expect(rejectedCalls).toBe(1);
  });

  it('delivers a batch pattern as an array with one context per message, settling each by its answer', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf: () => `${env.root}.evt.batched` });
    const sent = Array.from({ length: 6 }, (_, i) => envelope('Batched', { fail: i === 2 }));
    await publisher.publishMany(sent);
    await waitFor('all handled, the failed one again', () => batchCalls.flat().length === 7);
    const deliveries = batchCalls.flat();
    expect(deliveries.filter((d) => d.id === sent[2]!.id).map((d) => d.deliveryCount)).toEqual([1, 2]);
    expect(deliveries.filter((d) => d.id !== sent[2]!.id).map((d) => d.id).sort()).toEqual(sent.filter((_, i) => i !== 2).map((e) => e.id).sort());
    expect(deliveries.every((d) => d.subject === `${env.root}.evt.batched`)).toBe(true);
    expect(Math.max(...batchCalls.map((c) => c.length))).toBeGreaterThan(1);
    await waitFor('acked', async () => {
      const info = await env.jsm.consumers.info(env.stream, `${service}--batched`);
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
  });
});
