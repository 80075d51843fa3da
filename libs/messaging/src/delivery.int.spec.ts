import { EnvelopeBase } from '@dailydesk/contracts';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { startConsumer } from './consumer';
import { decoderFromSchema } from './decode';
import { PermanentError } from './errors';
import { Headers } from './headers';
import type { MessageContext } from './message-processor';
import { createPublisher } from './publisher';
import { envelope, useConsumerTestEnv, waitFor } from './test-support/nats-test-env';
import type { TestEnv } from './test-support/nats-test-env';

const decode = decoderFromSchema(EnvelopeBase);
// The root config's per-project testTimeout is not applied by jest 30; real NATS round trips need more than 5 s.
jest.setTimeout(30_000);

describe('JetStream delivery (real NATS)', () => {
  const t = useConsumerTestEnv();
  const { consumers, subjectOf } = t;
  let env: TestEnv;
  beforeAll(() => {
    env = t.env;
  });

  const start = async (
    purpose: string,
    type: string,
    handler: (ctx: MessageContext<EnvelopeBase>) => Promise<void> | void,
    extra: { maxDeliveries?: number; backoffMs?: number[]; concurrency?: number } = {},
  ) => {
    const c = await startConsumer(env.nc, {
      stream: env.stream,
      durable: env.durable(purpose),
      filterSubject: subjectOf(type),
      decode,
      handler,
      logger: env.logger,
      deadLetterPrefix: env.dlqPrefix,
      concurrency: 1,
      pullExpiresMs: 1_000,
      ...extra,
    });
    consumers.push(c);
    return c;
  };

  it('stores a message published twice with the same id once, and delivers it once', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const seen: string[] = [];
    await start('dedupe', 'Deduped', (ctx) => {
      seen.push(ctx.message.id);
    });
    const first = envelope('Deduped', { n: 1 });
    const a = await publisher.publish(first);
    const b = await publisher.publish({ ...first, data: { n: 2 } });
    const sentinel = envelope('Deduped', { n: 3 });
    await publisher.publish(sentinel);

    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ stream: env.stream, seq: a.seq, duplicate: true });
    await waitFor('sentinel handled', () => seen.includes(sentinel.id));
    expect(seen).toEqual([first.id, sentinel.id]);
  });

  it('gives the handler its delivery context, destructurable (logger and working() too)', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const e = envelope('Described', { n: 1 });
    const ack = await publisher.publish(e);
    let seen: Record<string, unknown> | null = null;
    const c = await start('described', 'Described', ({ message, subject, deliveryCount, stream, streamSeq, consumer, logger, working }) => {
      working(); // a detached call: the server's ack wait is reset for this message
      logger.info('handled in a test');
      seen = { id: message.id, subject, deliveryCount, stream, streamSeq, consumer, hasChild: typeof logger.child === 'function' };
    });
    await waitFor('handled', () => seen !== null);
    expect(seen).toEqual({ id: e.id, subject: subjectOf('Described'), deliveryCount: 1, stream: env.stream, streamSeq: ack.seq, consumer: c.durable, hasChild: true });
  });

  it('carries type, version and correlation id as headers', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const e = envelope('Headed', {});
    const ack = await publisher.publish(e);
    const stored = await env.jsm.streams.getMessage(env.stream, { seq: ack.seq });
    expect(stored?.header.get('Nats-Msg-Id')).toBe(e.id);
    expect(stored?.header.get(Headers.Type)).toBe('Headed');
    expect(stored?.header.get(Headers.Version)).toBe('1');
    expect(stored?.header.get(Headers.CorrelationId)).toBe(e.correlationId);
    expect(stored?.json()).toEqual(e);
  });

  it('redelivers after a transient error, with a growing delay', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const at: number[] = [];
    const counts: number[] = [];
    let acked = false;
    await start(
      'retry',
      'Flaky',
      (ctx) => {
        at.push(Date.now());
        counts.push(ctx.deliveryCount);
        if (ctx.deliveryCount < 3) throw new Error('database unavailable');
        acked = true;
      },
      { backoffMs: [200, 700], maxDeliveries: 5 },
    );
    await publisher.publish(envelope('Flaky', {}));
    await waitFor('third delivery handled', () => acked);
    expect(counts).toEqual([1, 2, 3]);
    const [t1, t2, t3] = at as [number, number, number];
    expect(t2 - t1).toBeGreaterThanOrEqual(180);
    expect(t3 - t2).toBeGreaterThanOrEqual(650);
    expect(t3 - t2).toBeGreaterThan(t2 - t1);
  });

  it('dead-letters undecodable messages with the reason, original subject and payload', async () => {
    let called = 0;
    const durableStart = await start('undecodable', 'Broken', () => {
      called++;
    });
    const subject = subjectOf('Broken');
    const badJson = new TextEncoder().encode('{"id": "x", oops');
    const wrongShape = new TextEncoder().encode(JSON.stringify({ id: 'x', type: 'Broken' }));
    const h = natsHeaders();
    h.set('Dd-Type', 'Broken');
    const ackJson = await env.js.publish(subject, badJson, { headers: h });
    const ackShape = await env.js.publish(subject, wrongShape);

    await waitFor('two dead letters', async () => (await env.deadLetters()).length === 2);
    const [d1, d2] = await env.deadLetters();
    expect(d1).toMatchObject({
      reason: 'undecodable',
      subject,
      stream: env.stream,
      streamSeq: ackJson.seq,
      consumer: durableStart.durable,
      deliveryCount: 1,
    });
    expect(d1?.detail).toMatch(/^invalid JSON/);
    expect(Buffer.from(d1?.payload ?? []).equals(Buffer.from(badJson))).toBe(true);
    expect(d2).toMatchObject({ reason: 'undecodable', subject, streamSeq: ackShape.seq });
    expect(d2?.detail).toMatch(/^schema: .*v/);
    expect(called).toBe(0);
    // Terminated, not pending: the consumer holds nothing unacknowledged.
    await waitFor('nothing pending', async () => {
      const info = await env.jsm.consumers.info(env.stream, durableStart.durable);
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    await env.jsm.streams.purge(env.dlqStream);
  });

  it('dead-letters a message that keeps failing once it reaches max deliveries', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const counts: number[] = [];
    await start(
      'exhaust',
      'Doomed',
      (ctx) => {
        counts.push(ctx.deliveryCount);
        throw new Error('gateway down');
      },
      { backoffMs: [20], maxDeliveries: 3 },
    );
    const ack = await publisher.publish(envelope('Doomed', { x: 1 }));
    await waitFor('dead letter', async () => (await env.deadLetters()).length === 1);
    const [d] = await env.deadLetters();
    expect(d).toMatchObject({ reason: 'max-deliveries', subject: subjectOf('Doomed'), streamSeq: ack.seq, deliveryCount: 3 });
    expect(d?.detail).toBe('Error: gateway down');
    expect(counts).toEqual([1, 2, 3]);
    await env.jsm.streams.purge(env.dlqStream);
  });

  it('dead-letters at once when the handler reports a permanent failure', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    let calls = 0;
    await start('permanent', 'Rejected', () => {
      calls++;
      throw new PermanentError('appointment is cancelled', { code: 'APPOINTMENT_CANCELLED' });
    });
    await publisher.publish(envelope('Rejected', {}));
    await waitFor('dead letter', async () => (await env.deadLetters()).length === 1);
    const [d] = await env.deadLetters();
    expect(d).toMatchObject({ reason: 'permanent-failure', deliveryCount: 1, detail: 'APPOINTMENT_CANCELLED: appointment is cancelled' });
    expect(calls).toBe(1);
    await env.jsm.streams.purge(env.dlqStream);
  });
});
