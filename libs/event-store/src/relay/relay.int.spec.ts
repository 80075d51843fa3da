import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { startNatsServer } from '@dailydesk/testing';
import { createPostgresEventStore } from '../create-event-store';
import type { EventStore } from '../event-store.port';
import { envelope, eventually } from '../testing/event-store.behaviour';
import { Relay } from './relay';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const tag = randomBytes(4).toString('hex');
let nc: NatsConnection;
let jsm: JetStreamManager;
let next = 0;
const schemas: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
const streams: string[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  for (const name of streams) await jsm.streams.delete(name).catch(() => undefined);
  await nc.close();
  const client = new Client({ connectionString });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

/** A fresh store schema and JetStream stream (2 min duplicate window) for one test. */
async function setup() {
  const n = ++next;
  const schema = `es_relay_${tag}_${n}`;
  const stream = `ES_RELAY_${tag}_${n}`;
  const prefix = `esrelay.${tag}.${n}`;
  schemas.push(schema);
  streams.push(stream);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: nanos(120_000) });
  const store = await createPostgresEventStore({ connectionString, schema });
  cleanups.push(() => store.close());
  return { schema, stream, prefix, store };
}

async function appendMany(store: EventStore, count: number, perAppend = 250): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += perAppend) {
    const batch = Array.from({ length: Math.min(perAppend, count - i) }, () => envelope());
    await store.appendToStream(`s-${i % 7}`, batch, { expectedVersion: 'any' });
    ids.push(...batch.map((e) => e.id));
  }
  return ids;
}

const messageCount = async (stream: string) => (await jsm.streams.info(stream)).state.messages;

/** Every message of the stream in stream order, as [Nats-Msg-Id, envelope id]. */
async function streamContents(stream: string, expected: number): Promise<[string | undefined, string][]> {
  const consumer = await jetstream(nc).consumers.get(stream);
  const out: [string | undefined, string][] = [];
  const messages = await consumer.consume();
  for await (const m of messages) {
    out.push([m.headers?.get('Nats-Msg-Id'), (m.json() as { id: string }).id]);
    if (out.length === expected) break;
  }
  return out;
}

describe('relay to JetStream', () => {
  it('publishes every event in global order with Nats-Msg-Id = event id, and keeps up with new appends', async () => {
    const { stream, prefix, store } = await setup();
    const first = await appendMany(store, 1200);
    const relay = new Relay({ store, nc, subjectFor: (e) => `${prefix}.${e.type}`, batchSize: 300, maxInFlight: 64 });
    relay.start();
    cleanups.push(() => relay.stop());
    await eventually(async () => (await messageCount(stream)) === 1200);
    const later = await appendMany(store, 50);
    await eventually(async () => (await messageCount(stream)) === 1250);
    const all = [...first, ...later];
    expect(await streamContents(stream, 1250)).toEqual(all.map((id) => [id, id]));
    await eventually(async () => (await store.readCheckpoint('relay')) === (await store.readAll(1249, 1))[0]?.globalPosition);
  });

  it('publishes a chain again one by one when it cannot be shown stored (an event already in the stream breaks it)', async () => {
    const { stream, prefix, store } = await setup();
    const first = await appendMany(store, 20);
    const relay = new Relay({ store, nc, subjectFor: (e) => `${prefix}.${e.type}`, batchSize: 1000 });
    relay.start();
    cleanups.push(() => relay.stop());
    await eventually(async () => (await messageCount(stream)) === 20); // its first batch learns the stream, one by one
    expect(relay.stats.brokenChains).toBe(0);
    const batch = Array.from({ length: 600 }, () => envelope());
    // Another publisher stored the 300th already: in the relay's chain it is a duplicate, so the next one is refused.
    await jetstream(nc).publish(`${prefix}.elsewhere`, JSON.stringify(batch[299]), { msgID: batch[299]!.id });
    await store.appendToStream('s-chain', batch, { expectedVersion: 'any' });
    await eventually(async () => (await messageCount(stream)) === 620);
    const ids = (await streamContents(stream, 620)).map(([msgId]) => msgId);
    expect(new Set(ids).size).toBe(620);
    expect(ids.slice(0, 21)).toEqual([...first, batch[299]!.id]);
    expect(relay.stats.brokenChains).toBe(1);
    expect(relay.stats.duplicates).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await store.readCheckpoint('relay')) === (await store.readAll(619, 1))[0]?.globalPosition);
  });

  it('keeps events private when subjectFor returns null, and moves the checkpoint past them', async () => {
    const { stream, prefix, store } = await setup();
    await store.appendToStream('p-1', [envelope({ type: 'PrivateThing' }), envelope(), envelope({ type: 'PrivateThing' })], { expectedVersion: 'any' });
    const relay = new Relay({ store, nc, subjectFor: (e) => (e.type === 'PrivateThing' ? null : `${prefix}.${e.type}`) });
    relay.start();
    cleanups.push(() => relay.stop());
    await eventually(async () => (await store.readCheckpoint('relay')) === (await store.readAll(0, 10)).at(-1)?.globalPosition);
    expect(await messageCount(stream)).toBe(1);
    expect(relay.stats).toEqual({ published: 1, duplicates: 0, skipped: 2, brokenChains: 0 });
  });

  it('runs one active relay when two share a store; the standby takes over when the leader stops', async () => {
    const { stream, prefix, store } = await setup();
    const second = await createPostgresEventStore({ connectionString, schema: schemas[schemas.length - 1]! });
    const options = { nc, subjectFor: (e: { type: string }) => `${prefix}.${e.type}`, batchSize: 100, leadershipCheckMs: 50 };
    cleanups.push(() => second.close());
    const a = new Relay({ ...options, store });
    const b = new Relay({ ...options, store: second });
    cleanups.push(() => a.stop(), () => b.stop());
    a.start();
    b.start();
    await appendMany(store, 500);
    await eventually(async () => (await messageCount(stream)) === 500);
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    expect(standby.stats.published).toBe(0);
    await leader.stop();
    await appendMany(store, 100);
    await eventually(() => leader.stats.published + standby.stats.published === 600);
    expect(await messageCount(stream)).toBe(600);
    expect(standby.isLeader).toBe(true);
    expect(standby.stats.duplicates).toBe(0);
  });

  it('loses nothing when the relay process is SIGKILLed mid-batch and restarted; JetStream drops the repeats', async () => {
    const { schema, stream, prefix, store } = await setup();
    const ids = await appendMany(store, 5000, 500);
    const spawnRelay = (): ChildProcess =>
      spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'relay-child.fixture.ts')], {
        cwd: path.resolve(__dirname, '../../../..'),
        env: { ...process.env, DATABASE_URL: connectionString, ES_SCHEMA: schema, NATS_URL: natsUrl, SUBJECT_PREFIX: prefix, BATCH_SIZE: '1000', MAX_IN_FLIGHT: '8' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));
    const first = spawnRelay();
    try {
      await eventually(async () => (await messageCount(stream)) >= 1500, 30_000);
    } finally {
      first.kill('SIGKILL');
      await exited(first);
    }
    const publishedAtKill = await messageCount(stream);
    const checkpointAtKill = await store.readCheckpoint('relay');
    const acknowledgedBatches = (await store.readAll(0, 5000)).filter((r) => r.globalPosition <= checkpointAtKill).length;
    // Killed mid-batch: messages are in JetStream beyond the checkpoint, and not everything was published.
    expect(publishedAtKill).toBeGreaterThan(acknowledgedBatches);
    expect(publishedAtKill).toBeLessThan(5000);

    const second = spawnRelay();
    try {
      await eventually(async () => (await store.readCheckpoint('relay')) === (await store.readAll(4999, 1))[0]?.globalPosition, 30_000);
    } finally {
      second.kill('SIGKILL');
      await exited(second);
    }
    expect(await messageCount(stream)).toBe(5000);
    const contents = await streamContents(stream, 5000);
    expect(new Set(contents.map(([msgId]) => msgId)).size).toBe(5000);
    expect(contents.map(([, id]) => id)).toEqual(ids);
    process.stdout.write(`kill test: published ${publishedAtKill} before SIGKILL, checkpoint covered ${acknowledgedBatches}; after restart 5000 messages, each id once\n`);
  }, 60_000);
});

describe('relay across a NATS crash', () => {
  it('publishes every event exactly once into the stream when the server is SIGKILLed mid-run and restarted', async () => {
    const server = await startNatsServer();
    const relayNc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const adminNc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const admin = await jetstreamManager(adminNc);
      const n = ++next;
      const schema = `es_relay_${tag}_${n}`;
      const stream = `ES_RELAY_CRASH_${tag}`;
      const prefix = `esrelaycrash.${tag}`;
      schemas.push(schema);
      await admin.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: nanos(120_000) });
      const store = await createPostgresEventStore({ connectionString, schema });
      cleanups.push(() => store.close());
      const relay = new Relay({ store, nc: relayNc, subjectFor: (e) => `${prefix}.${e.type}`, batchSize: 200, maxInFlight: 100, ackTimeoutMs: 1_000 });
      relay.start();
      cleanups.push(() => relay.stop());
      const ids = await appendMany(store, 1500, 300);
      await eventually(() => relay.stats.published >= 1500);
      await server.kill(); // publishes made from now on, and their acknowledgements, are lost or held by the client
      ids.push(...(await appendMany(store, 1500, 300)));
      await new Promise((r) => setTimeout(r, 2_500)); // the relay's batches time out (1 s) and are tried again meanwhile
      expect(relay.stats.published).toBe(1500);
      await server.restart();
      await eventually(async () => (await store.readCheckpoint('relay')) === (await store.readAll(0, 10_000)).at(-1)?.globalPosition, 30_000);
      const info = await admin.streams.info(stream);
      expect(info.state.messages).toBe(3000); // repeats of unacknowledged batches were dropped by Nats-Msg-Id
      const seen = new Set<string>();
      for (let seq = 1; seq <= info.state.last_seq; seq++) {
        const m = await admin.streams.getMessage(stream, { seq }); // null only for a deleted sequence; other errors fail the test
        if (m) seen.add(m.header.get('Nats-Msg-Id'));
      }
      expect([...seen].sort()).toEqual([...ids].sort());
    } finally {
      await relayNc.close().catch(() => undefined);
      await adminNc.close().catch(() => undefined);
      await server.dispose();
    }
  }, 60_000);
});
