import { randomBytes } from 'node:crypto';
import { createEventStore, openDatabase, type Database, type EventStore } from '@dailydesk/event-store';
import { eventually } from '@dailydesk/testing';
import pino from 'pino';
import { InlinePipeline } from './inline-pipeline';

// Two replicas of receipts on one PostgreSQL: each with its own pool and store, as two processes would have.
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `t_${randomBytes(4).toString('hex')}_receipts`;
const logger = pino({ level: 'silent' });
const replicas: Array<{ db: Database; store: EventStore; pipeline: InlinePipeline }> = [];

async function replica(): Promise<InlinePipeline> {
  const db = await openDatabase({ databaseUrl: url, logger });
  await db.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const store = await createEventStore({ database: db, schema: `${schema}_events`, logger });
  const pipeline = new InlinePipeline({ store, db, schema, postgres: true, logger, leadershipCheckMs: 100 });
  replicas.push({ db, store, pipeline });
  return pipeline;
}

afterAll(async () => {
  for (const r of replicas) {
    await r.pipeline.stop();
    await r.store.close();
  }
  // The service schema, its store and every projection generation (`<schema>_g<n>`; the test rebuilds once).
  const db = replicas[0]?.db;
  const names = db ? await db.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${schema}%`]) : [];
  for (const { nspname } of names) await db!.exec(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  for (const r of replicas) await r.db.close();
}, 30_000);

describe('receipts pipeline with two replicas', () => {
  it('runs the processor and the projections on one replica only; the other takes over when it stops', async () => {
    const a = await replica();
    await a.start();
    const b = await replica();
    await b.start();
    expect([a.leading, b.leading]).toEqual([true, false]);
    expect(b.projections.runsHere).toBe(false);
    await expect(b.projections.rebuild()).rejects.toThrow(/another replica/);

    await a.stop();
    await eventually(() => expect(b.leading).toBe(true), { timeoutMs: 5_000 });
    expect(b.projections.runsHere).toBe(true);
    expect(await b.projections.rebuild()).toBe(2);
  }, 30_000);
});
