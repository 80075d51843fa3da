import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { JetStreamPublisher } from './jetstream-publisher';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const tag = randomBytes(4).toString('hex');
const stream = `ES_PUB_${tag}`;
const prefix = `espub.${tag}`;
const data = (s: string) => new TextEncoder().encode(s);
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.stored.>`], duplicate_window: nanos(120_000) });
});
afterAll(async () => {
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

describe('JetStreamPublisher', () => {
  it("answers each publish with the stream's sequence, and a repeated Nats-Msg-Id as a duplicate stored once", async () => {
    const publisher = new JetStreamPublisher(nc);
    try {
      const acks = await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publish(`${prefix}.stored.x`, data(`m${i}`), `id-${i}`)));
      expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(acks.every((a) => a.stream === stream && !a.duplicate)).toBe(true);
      const again = await publisher.publish(`${prefix}.stored.x`, data('m7'), 'id-7');
      expect(again).toEqual({ stream, seq: 8, duplicate: true });
      expect((await jsm.streams.info(stream)).state.messages).toBe(500);
      const m = await jsm.streams.getMessage(stream, { seq: 8 });
      expect(m?.header.get('Nats-Msg-Id')).toBe('id-7');
    } finally {
      publisher.close();
    }
  });

  it('fails a publish no stream takes, and one nobody acknowledges in time', async () => {
    const publisher = new JetStreamPublisher(nc, 300);
    const listener = nc.subscribe(`${prefix}.plain.>`); // a core subscriber that never answers
    try {
      await expect(publisher.publish(`${prefix}.nowhere.x`, data('a'), 'n-1')).rejects.toThrow(/no JetStream stream/);
      await expect(publisher.publish(`${prefix}.plain.x`, data('b'), 'n-2')).rejects.toThrow(/no JetStream acknowledgement within 300 ms/);
    } finally {
      listener.unsubscribe();
      publisher.close();
    }
  });

  it('publishes a chain with two acknowledgements, and answers false when a message of it was refused', async () => {
    const name = `${stream}_CHAIN`;
    await jsm.streams.add({ name, subjects: [`${prefix}.chain.>`], duplicate_window: nanos(120_000), max_msg_size: 200 });
    const publisher = new JetStreamPublisher(nc);
    try {
      const chain = (from: number, size = 100) =>
        Array.from({ length: size }, (_, i) => ({ subject: `${prefix}.chain.x`, data: data(`c${from + i}`), msgId: `chain-${from + i}` }));
      expect(await publisher.publishChain(chain(0))).toBe(true);
      expect((await jsm.streams.info(name)).state.messages).toBe(100);
      const stored = await Promise.all([1, 50, 100].map((seq) => jsm.streams.getMessage(name, { seq })));
      expect(stored.map((m) => m?.header.get('Nats-Msg-Id'))).toEqual(['chain-0', 'chain-49', 'chain-99']);
      expect(publisher.streamOf(`${prefix}.chain.x`)).toBe(name);
      // The 6th is over the stream's size limit and refused without a word: the 7th expects it last, so it and every later
      // one is refused too, and the chain cannot be shown stored (without the header on the middle ones it would look fine).
      const broken = chain(100);
      broken[5] = { ...broken[5]!, data: data('x'.repeat(400)) };
      expect(await publisher.publishChain(broken)).toBe(false);
      expect((await jsm.streams.info(name)).state.messages).toBe(105);
      // A first message stored long ago (a duplicate now) is not the stream's last: the rest is refused, false again.
      expect(await publisher.publishChain([...chain(10, 1), ...chain(300, 5)])).toBe(false);
      expect((await jsm.streams.info(name)).state.messages).toBe(105);
    } finally {
      publisher.close();
      await jsm.streams.delete(name).catch(() => undefined);
    }
  });

  it('fails what is still waiting when closed', async () => {
    const publisher = new JetStreamPublisher(nc);
    const listener = nc.subscribe(`${prefix}.plain2.>`);
    const waiting = publisher.publish(`${prefix}.plain2.x`, data('c'), 'c-1');
    publisher.close();
    await expect(waiting).rejects.toThrow(/closed/);
    listener.unsubscribe();
  });
});
