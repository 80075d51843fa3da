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

  it('fails what is still waiting when closed', async () => {
    const publisher = new JetStreamPublisher(nc);
    const listener = nc.subscribe(`${prefix}.plain2.>`);
    const waiting = publisher.publish(`${prefix}.plain2.x`, data('c'), 'c-1');
    publisher.close();
    await expect(waiting).rejects.toThrow(/closed/);
    listener.unsubscribe();
  });
});
