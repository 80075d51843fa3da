// Event store benchmark (not a test): PostgreSQL adapter vs raw INSERTs into the same Postgres, relay vs raw JetStream
// publish, all measured in one run. `node -r @swc-node/register bench/event-store/event-store.bench.ts`
// Env: DATABASE_URL, NATS_URL, EVENTS (default 50000).
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { nanos, type Msg } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client, Pool } from 'pg';
import { createPostgresEventStore, Relay, type EventStore } from '@dailydesk/event-store';
import type { EnvelopeBase } from '@dailydesk/contracts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const EVENTS = Number(process.env.EVENTS ?? 50_000);
const tag = randomBytes(4).toString('hex');
let seq = 0;

const envelope = (): EnvelopeBase => ({
  id: `bench-${tag}-${++seq}`,
  type: 'SmsRequested',
  v: 1,
  occurredAt: new Date().toISOString(),
  businessId: 'biz-1',
  correlationId: `corr-${seq}`,
  causationId: null,
  data: { messageId: `m-${seq}`, to: '+15550000000', text: 'Your appointment is tomorrow at 10:00. Reply C to confirm.' },
});

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = () => Number(process.hrtime.bigint()) / 1e6;

/** Same row shape as the store's events table, for the raw baseline. */
const RAW_TABLE = (s: string) => `CREATE TABLE ${s}.raw_events (global_position bigserial PRIMARY KEY, transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL, stream_position bigint NOT NULL, event_id text NOT NULL UNIQUE, type text NOT NULL, v int NOT NULL,
  occurred_at timestamptz NOT NULL, business_id text, correlation_id text NOT NULL, causation_id text, data jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, stream_position))`;

function rawInsert(s: string, streamId: string, from: number, events: EnvelopeBase[]) {
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(streamId, from + i + 1, e.id, e.type, e.v, e.occurredAt, e.businessId, e.correlationId, e.causationId, JSON.stringify(e.data));
    const b = i * 10;
    return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9},$${b + 10})`;
  });
  return {
    text: `INSERT INTO ${s}.raw_events (stream_id, stream_position, event_id, type, v, occurred_at, business_id, correlation_id, causation_id, data) VALUES ${rows.join(',')}`,
    values,
  };
}

async function main(): Promise<void> {
  const schema = `bench_es_${tag}`;
  const store = await createPostgresEventStore({ connectionString: databaseUrl, schema, poolSize: 16 });
  const pool = new Pool({ connectionString: databaseUrl, max: 16 });
  await pool.query(RAW_TABLE(schema));
  const results: [string, string, string, string][] = [];
  const rate = (n: number, t: number) => `${Math.round((n / t) * 1000).toLocaleString('en')}/s`;

  // 1. Batched appends: 500 events per append (one transaction) vs 500-row INSERT statements.
  {
    let t = ms();
    for (let i = 0; i < EVENTS; i += 500) await store.appendToStream('batch', Array.from({ length: 500 }, envelope), { expectedVersion: i });
    const storeMs = ms() - t;
    t = ms();
    for (let i = 0; i < EVENTS; i += 500) await pool.query(rawInsert(schema, 'batch', i, Array.from({ length: 500 }, envelope)));
    const rawMs = ms() - t;
    results.push(['append, 500 events/tx', rate(EVENTS, storeMs), rate(EVENTS, rawMs), `${((rawMs / storeMs) * 100).toFixed(0)} %`]);
  }

  // 2. Many concurrent streams: 16 writers, 10 events per append, own stream each.
  {
    const writers = 16;
    const per = Math.floor(EVENTS / 5 / writers / 10) * 10;
    let t = ms();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let v = 0; v < per; v += 10) await store.appendToStream(`w-${w}`, Array.from({ length: 10 }, envelope), { expectedVersion: v });
      }),
    );
    const storeMs = ms() - t;
    t = ms();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let v = 0; v < per; v += 10) await pool.query(rawInsert(schema, `w-${w}`, v, Array.from({ length: 10 }, envelope)));
      }),
    );
    const rawMs = ms() - t;
    results.push([`append, ${writers} concurrent streams, 10 events/tx`, rate(per * writers, storeMs), rate(per * writers, rawMs), `${((rawMs / storeMs) * 100).toFixed(0)} %`]);
  }

  // 3. Single-event append latency, sequential.
  {
    const n = 2000;
    const storeLat: number[] = [];
    const rawLat: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = ms();
      await store.appendToStream('single', [envelope()], { expectedVersion: i });
      storeLat.push(ms() - t);
    }
    for (let i = 0; i < n; i++) {
      const t = ms();
      await pool.query(rawInsert(schema, 'single', i, [envelope()]));
      rawLat.push(ms() - t);
    }
    const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms / p99 ${pct(xs, 99).toFixed(2)} ms`;
    results.push(['single append latency', f(storeLat), f(rawLat), `p99 ×${(pct(storeLat, 99) / pct(rawLat, 99)).toFixed(2)}`]);
  }

  // 4. Relay throughput (store → JetStream, checkpointed) vs raw JetStream publish, 256 in flight, same payloads.
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `BENCH_ES_${tag}`;
  const prefix = `benches.${tag}`;
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: nanos(120_000) });
  try {
    const relayStore: EventStore = await createPostgresEventStore({ connectionString: databaseUrl, schema: `${schema}_relay` });
    const n = Math.min(EVENTS, 20_000);
    for (let i = 0; i < n; i += 500) await relayStore.appendToStream(`r-${i}`, Array.from({ length: 500 }, envelope), { expectedVersion: 'no-stream' });
    const relay = new Relay({ store: relayStore, nc, subjectFor: (e) => `${prefix}.relay.${e.type}`, batchSize: 1000, maxInFlight: 256, leadershipCheckMs: 50 });
    let t = ms();
    relay.start();
    while (relay.stats.published < n) await new Promise((r) => setTimeout(r, 2));
    const relayMs = ms() - t;
    const payloads = Array.from({ length: n }, envelope);
    t = ms();
    const window: Promise<PubAck>[] = [];
    for (const e of payloads) {
      if (window.length >= 256) await window.shift();
      window.push(js.publish(`${prefix}.raw.${e.type}`, new TextEncoder().encode(JSON.stringify(e)), { msgID: e.id }));
    }
    await Promise.all(window);
    const rawMs = ms() - t;
    results.push(['relay throughput (store → JetStream)', rate(n, relayMs), rate(n, rawMs), `${((rawMs / relayMs) * 100).toFixed(0)} %`]);

    // 5. Relay lag: append one event at a time (~1000/s), time from append resolved to message seen on NATS.
    const appendedAt = new Map<string, number>();
    const lags: number[] = [];
    const sub = nc.subscribe(`${prefix}.relay.>`, {
      callback: (_err: Error | null, msg: Msg) => {
        const id = (msg.json() as { id: string }).id;
        const at = appendedAt.get(id);
        if (at !== undefined) lags.push(ms() - at);
      },
    });
    const m = 2000;
    for (let i = 0; i < m; i++) {
      const e = envelope();
      const r = relayStore.appendToStream(`lag-${i % 10}`, [e], { expectedVersion: 'any' });
      await r;
      appendedAt.set(e.id, ms());
      if (i % 2 === 0) await new Promise((r2) => setTimeout(r2, 1));
    }
    const deadline = Date.now() + 10_000;
    while (lags.length < m && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    sub.unsubscribe();
    results.push(['relay lag append → NATS (~1k/s)', `p50 ${pct(lags, 50).toFixed(2)} ms / p99 ${pct(lags, 99).toFixed(2)} ms`, '', `${lags.length}/${m} seen`]);
    await relay.stop();
    await relayStore.close();
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }

  await store.close();
  await pool.end();
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.query(`DROP SCHEMA "${schema}_relay" CASCADE`);
  await admin.end();

  const header: [string, string, string, string] = ['measure', 'event store', 'raw baseline', 'ratio (store / raw)'];
  const widths = header.map((h, i) => Math.max(h.length, ...results.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of results) console.log(line(r));
  console.log('targets: append throughput ≥ 50 % of raw batched INSERT; single append p99 < 5 ms');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
