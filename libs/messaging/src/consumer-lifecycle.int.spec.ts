import { EnvelopeBase } from '@dailydesk/contracts';
import { connectNats } from './connection';
import { startConsumer } from './consumer';
import type { ConsumerOptions, RunningConsumer } from './consumer';
import { decoderFromSchema } from './decode';
import type { MessageHandler } from './message-processor';
import { createPublisher } from './publisher';
import { envelope, NATS_URL, openTestEnv, waitFor } from './test-support/nats-test-env';
import type { TestEnv } from './test-support/nats-test-env';

const decode = decoderFromSchema(EnvelopeBase);
// The root config's per-project testTimeout is not applied by jest 30; real NATS round trips need more than 5 s.
jest.setTimeout(30_000);

describe('consumer stop, restart and drain (real NATS)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openTestEnv();
  });
  afterAll(async () => {
    await env.cleanup();
  });

  const subjectOf = (type: string) => `${env.root}.evt.${type.toLowerCase()}`;
  const options = (durable: string, type: string, handler: MessageHandler<EnvelopeBase>): ConsumerOptions<EnvelopeBase> => ({
    stream: env.stream,
    durable,
    filterSubject: subjectOf(type),
    decode,
    handler,
    logger: env.logger,
    deadLetterPrefix: env.dlqPrefix,
    concurrency: 4,
    pullExpiresMs: 1_000,
    ackWaitMs: 2_000,
  });

  it('a consumer stopped mid-stream and started again with the same durable name loses and skips nothing', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const all = Array.from({ length: 60 }, (_, i) => envelope('Streamed', { i }));
    await publisher.publishMany(all, { maxInFlight: 16 });
    const durable = env.durable('restart');

    const ackedByFirst = new Set<string>();
    const handledBySecond: string[] = [];
    const slow: MessageHandler<EnvelopeBase> = () => new Promise((r) => setTimeout(r, 5));
    const first = await startConsumer(env.nc, {
      ...options(durable, 'Streamed', (ctx) => slow(ctx)),
      onSettled: () => undefined,
      handler: async (ctx) => {
        await slow(ctx);
        ackedByFirst.add(ctx.message.id);
      },
    });
    await waitFor('first consumer handled 20', () => ackedByFirst.size >= 20);
    await first.stop();
    const firstCount = ackedByFirst.size;
    expect(firstCount).toBeLessThan(all.length);

    const second = await startConsumer(env.nc, {
      ...options(durable, 'Streamed', () => undefined),
      handler: (ctx) => {
        handledBySecond.push(ctx.message.id);
      },
    });
    try {
      await waitFor('every message handled', () => new Set([...ackedByFirst, ...handledBySecond]).size === all.length);
      // Acked before the stop → never delivered again; the rest → delivered to the second consumer.
      expect(handledBySecond.filter((id) => ackedByFirst.has(id))).toEqual([]);
      expect(new Set(handledBySecond).size).toBe(all.length - firstCount);
      const info = await env.jsm.consumers.info(env.stream, durable);
      await waitFor('all acked', async () => (await env.jsm.consumers.info(env.stream, durable)).num_ack_pending === 0);
      expect(info.num_pending).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('messages a crashed consumer held unacked are redelivered to its successor', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    const all = Array.from({ length: 10 }, (_, i) => envelope('Crashed', { i }));
    await publisher.publishMany(all);
    const durable = env.durable('crash');
    const crashingNc = await connectNats({ servers: NATS_URL, name: 'crashing' });
    const started: string[] = [];
    const crashing = await startConsumer(crashingNc, {
      ...options(durable, 'Crashed', () => undefined),
      handler: (ctx) => {
        started.push(ctx.message.id);
        return new Promise<void>(() => undefined); // never finishes: the process "dies" mid-handler
      },
      heartbeatMs: 0,
    });
    await waitFor('crashing consumer holds 4', () => started.length === 4);
    await crashingNc.close(); // no graceful stop, no acks
    void crashing;

    const handled = new Set<string>();
    const successor = await startConsumer(env.nc, {
      ...options(durable, 'Crashed', () => undefined),
      handler: (ctx) => {
        handled.add(ctx.message.id);
      },
    });
    try {
      await waitFor('all 10 handled by the successor', () => handled.size === all.length, 15_000);
      for (const id of started) expect(handled.has(id)).toBe(true);
    } finally {
      await successor.stop();
    }
  });

  it('graceful stop lets the running handler finish and acks it before returning', async () => {
    const publisher = createPublisher({ js: env.js, subjectOf });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let entered = false;
    let finished = false;
    const durable = env.durable('drain');
    const consumer: RunningConsumer = await startConsumer(env.nc, {
      ...options(durable, 'Drained', () => undefined),
      handler: async () => {
        entered = true;
        await gate;
        finished = true;
      },
    });
    const ack = await publisher.publish(envelope('Drained', {}));
    await waitFor('handler entered', () => entered);

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    expect(consumer.inFlight).toBe(1);
    release();
    await stopping;
    expect(finished).toBe(true);
    const info = await env.jsm.consumers.info(env.stream, durable);
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(ack.seq);
  });
});
