import { EnvelopeBase } from '@dailydesk/contracts';
import type { BatchHandler } from './batch-processor';
import { startConsumer } from './consumer';
import { decoderFromSchema } from './decode';
import { PermanentError } from './errors';
import type { Outcome } from './message-processor';
import { createPublisher } from './publisher';
import { envelope, useConsumerTestEnv, waitFor } from './test-support/nats-test-env';
import type { TestEnv } from './test-support/nats-test-env';

const decode = decoderFromSchema(EnvelopeBase);
jest.setTimeout(30_000);

/** One handler call as the test saw it: the ids and delivery counts of its messages. */
type Call = Array<{ id: string; n: number; deliveryCount: number }>;

describe('JetStream batch delivery (real NATS)', () => {
  const t = useConsumerTestEnv();
  const { consumers, subjectOf } = t;
  let env: TestEnv;
  beforeAll(() => {
    env = t.env;
  });
  afterEach(async () => {
    await env.jsm.streams.purge(env.dlqStream);
  });

  /** Publishes `count` messages of `type` (data `{ n }`), then starts a batch consumer on them. */
  const run = async (
    type: string,
    count: number,
    answer: (call: Call) => ReturnType<BatchHandler<EnvelopeBase>>,
    extra: { batchMax?: number; concurrency?: number; maxDeliveries?: number } = {},
  ) => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const sent = Array.from({ length: count }, (_, n) => envelope(type, { n }));
    await publisher.publishMany(sent, { maxInFlight: 64 });
    const calls: Call[] = [];
    const settled: Outcome[] = [];
    const durable = env.durable(type.toLowerCase());
    const c = await startConsumer(env.nc, {
      stream: env.stream,
      durable,
      filterSubject: subjectOf(type),
      decode,
      logger: env.logger,
      deadLetterPrefix: env.dlqPrefix,
      backoffMs: [50],
      pullExpiresMs: 1_000,
      concurrency: 100,
      ...extra,
      batchHandler: (batch) => {
        const call = batch.map((ctx) => ({ id: ctx.message.id, n: (ctx.message.data as { n: number }).n, deliveryCount: ctx.deliveryCount }));
        calls.push(call);
        return answer(call);
      },
      onSettled: (outcome) => settled.push(outcome),
    });
    consumers.push(c);
    const idle = async () => {
      const info = await env.jsm.consumers.info(env.stream, durable);
      return info.num_ack_pending === 0 && info.num_pending === 0 && info.num_redelivered === 0;
    };
    return { sent, calls, settled, idle };
  };

  it('hands messages that arrived together to one call and acks each once', async () => {
    const { sent, calls, settled, idle } = await run('Together', 60, () => undefined);
    await waitFor('all acked', async () => settled.length === 60 && (await idle()));
    const handled = calls.flat();
    expect(handled.map((h) => h.id).sort()).toEqual(sent.map((e) => e.id).sort());
    expect(calls.length).toBeLessThan(60); // at least one call carried several messages
    expect(Math.max(...calls.map((c) => c.length))).toBeGreaterThan(1);
    expect(settled.every((o) => o === 'acked')).toBe(true);
  });

  it('never puts more than batchMax messages in one call', async () => {
    const { calls, settled, idle } = await run('Capped', 40, () => undefined, { batchMax: 7 });
    await waitFor('all acked', async () => settled.length === 40 && (await idle()));
    expect(calls.flat()).toHaveLength(40);
    expect(Math.max(...calls.map((c) => c.length))).toBeLessThanOrEqual(7);
  });

  it('settles each message by its own answer: a failure is retried alone, a permanent one dead-lettered alone', async () => {
    const { calls, settled } = await run('Mixed', 20, (call) =>
      call.map((h) => {
        if (h.n === 3 && h.deliveryCount === 1) return new Error('one row failed');
        if (h.n === 7) return new PermanentError('recipient unknown', { code: 'RECIPIENT_UNKNOWN' });
        return undefined;
      }),
    );
    await waitFor('dead letter and retry', async () => (await env.deadLetters()).length === 1 && settled.length === 21);
    const deliveries = calls.flat();
    // Every message once, except n = 3 (twice: the retry) and no other redelivery.
    expect(deliveries.filter((h) => h.n === 3).map((h) => h.deliveryCount)).toEqual([1, 2]);
    expect(deliveries.filter((h) => h.n !== 3).every((h) => h.deliveryCount === 1)).toBe(true);
    expect(deliveries).toHaveLength(21);
    const [d] = await env.deadLetters();
    expect(d).toMatchObject({ reason: 'permanent-failure', detail: 'RECIPIENT_UNKNOWN: recipient unknown', deliveryCount: 1 });
    expect(settled.filter((o) => o === 'acked')).toHaveLength(19);
    expect(settled.filter((o) => o === 'retry')).toHaveLength(1);
  });

  it('retries every message of a call that threw', async () => {
    let calls0 = 0;
    const { calls, settled, idle } = await run('Thrown', 10, () => {
      if (calls0++ === 0) throw new Error('store unavailable');
    });
    await waitFor('all acked in the end', async () => settled.filter((o) => o === 'acked').length === 10 && (await idle()));
    const first = calls[0]!;
    for (const h of first) expect(calls.flat().filter((x) => x.id === h.id).map((x) => x.deliveryCount)).toEqual([1, 2]);
    expect(settled.filter((o) => o === 'retry')).toHaveLength(first.length);
  });

  it('retries every message of a call that answered the wrong number of results (a programming error)', async () => {
    let calls0 = 0;
    const { calls, settled, idle } = await run('Miscounted', 10, () => (calls0++ === 0 ? [] : undefined));
    await waitFor('all acked in the end', async () => settled.filter((o) => o === 'acked').length === 10 && (await idle()));
    const first = calls[0]!;
    for (const h of first) expect(calls.flat().filter((x) => x.id === h.id).map((x) => x.deliveryCount)).toEqual([1, 2]);
  });

  it('dead-letters an undecodable message without it reaching the handler; the rest of the call is handled', async () => {
    const subject = subjectOf('Partly');
    await env.js.publish(subject, new TextEncoder().encode('{"not": "an envelope"'));
    const { calls, settled, idle } = await run('Partly', 5, () => undefined);
    await waitFor('handled and dead-lettered', async () => settled.length === 6 && (await idle()) && (await env.deadLetters()).length === 1);
    expect(calls.flat()).toHaveLength(5);
    const [d] = await env.deadLetters();
    expect(d).toMatchObject({ reason: 'undecodable', subject });
  });

  it('refuses options with both handler and batchHandler, or neither', async () => {
    const base = { stream: env.stream, durable: env.durable('neither'), filterSubject: subjectOf('Nothing'), decode, logger: env.logger };
    await expect(startConsumer(env.nc, base)).rejects.toThrow(/exactly one of handler and batchHandler/);
    await expect(startConsumer(env.nc, { ...base, handler: () => undefined, batchHandler: () => undefined })).rejects.toThrow(
      /exactly one of handler and batchHandler/,
    );
  });
});
