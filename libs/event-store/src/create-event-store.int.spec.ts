import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { EnvelopeBase } from '@dailydesk/contracts';
import { createEventStore } from './create-event-store';
import { ConcurrencyError, DuplicateEventError } from './event-store.port';
import { migrate } from './sql/migrations';
import { envelope } from './testing/event-store.behaviour';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema migrated up to `migration` (an installation of an older version), dropped after `fn`. */
async function withSchemaAt(prefix: string, migration: number, fn: (client: Client, schema: string) => Promise<void>): Promise<void> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const session = {
    query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
    exec: async (text: string) => void (await client.query(text)),
  };
  try {
    await migrate(session, schema, migration);
    await fn(client, schema);
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

/** An envelope as a row of the append function's parameter. */
const appendRow = (e: EnvelopeBase, i = 1) => ({
  i, id: e.id, type: e.type, v: e.v, occurred_at: e.occurredAt, business_id: e.businessId, correlation_id: e.correlationId, causation_id: e.causationId, data: e.data,
});

describe('createEventStore', () => {
  it('without a database URL keeps events in an embedded PGlite folder that survives a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'es-pglite-'));
    try {
      const first = await createEventStore({ dataDir });
      const e = envelope();
      await first.appendToStream('s', [e], { expectedVersion: 'no-stream' });
      await first.storeCheckpoint('c', 1);
      await first.close();
      const reopened = await createEventStore({ dataDir });
      expect((await reopened.readStream('s')).events.map((r) => r.event)).toEqual([e]);
      expect(await reopened.readCheckpoint('c')).toBe(1);
      await reopened.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('with a database URL uses PostgreSQL, in the schema it names', async () => {
    const schema = `es_create_${randomBytes(4).toString('hex')}`;
    const store = await createEventStore({ databaseUrl, schema });
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await store.appendToStream('s', [envelope()], { expectedVersion: 'no-stream' });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
      expect(rows[0].n).toBe(1);
      const migrations = await client.query(`SELECT version FROM "${schema}".migrations`);
      expect(migrations.rows.map((r: { version: number }) => r.version).sort()).toEqual([1, 2, 3, 4]);
    } finally {
      await store.close();
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('moves a schema whose event data is jsonb (migration 2) to json with its events intact', async () => {
    await withSchemaAt('es_json', 2, async (client, schema) => {
      const old = envelope({ data: { text: 'Grüße 👋', nested: { b: 1, a: [1, 'x', null] } } });
      await client.query(`SELECT * FROM "${schema}".append_events('s', $1::jsonb, 0)`, [JSON.stringify([appendRow(old)])]);
      const store = await createEventStore({ databaseUrl, schema });
      try {
        const next = envelope();
        await store.appendToStream('s', [next], { expectedVersion: 1 });
        expect((await store.readStream('s')).events.map((r) => r.event)).toEqual([old, next]);
        const { rows } = await client.query(`SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'events' AND column_name = 'data'`, [schema]);
        expect(rows[0].data_type).toBe('json');
      } finally {
        await store.close();
      }
    });
  });

  it('moves a schema at migration 3 to the append without ON CONFLICT: events kept, refusals the same, the lock released', async () => {
    await withSchemaAt('es_plain', 3, async (client, schema) => {
      const old = envelope();
      await client.query(`SELECT * FROM "${schema}".append_events('s', $1::json, 0)`, [JSON.stringify([appendRow(old)])]);
      const store = await createEventStore({ databaseUrl, schema });
      try {
        const { rows } = await client.query(`SELECT prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = 'append_events'`, [schema]);
        expect(rows[0].prosrc).not.toContain('ON CONFLICT');
        const fresh = envelope();
        // A stored id among new ones: refused as a whole, the stored id named.
        const dup = await store.appendToStream('t', [fresh, old], { expectedVersion: 'no-stream' }).catch((e: unknown) => e);
        expect(dup).toBeInstanceOf(DuplicateEventError);
        expect((dup as DuplicateEventError).eventIds).toEqual([old.id]);
        await expect(store.appendToStream('s', [fresh], { expectedVersion: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
        // After the refused appends the append lock is free (the function releases it after its exception block, and
        // the executor drops a session's advisory locks after any failed statement): another session appends at once.
        await client.query(`SET statement_timeout = 5000`);
        const other = envelope();
        const answer = await client.query(`SELECT global_position::int AS g, stream_position::int AS s FROM "${schema}".append_events('u', $1::json, 0)`, [
          JSON.stringify([appendRow(fresh), appendRow(other, 2)]),
        ]);
        expect((await store.readStream('s')).events.map((r) => r.event)).toEqual([old]);
        const u = await store.readStream('u');
        expect(u.events.map((r) => r.event.id)).toEqual([fresh.id, other.id]);
        // One row back, the append's last positions (not one per event).
        expect(answer.rows).toEqual([{ g: u.events[1]!.globalPosition, s: 2 }]);
        expect((await store.readStream('t')).version).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  it('lets several processes migrate the same schema at once', async () => {
    const schema = `es_migrate_${randomBytes(4).toString('hex')}`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => createEventStore({ databaseUrl, schema })));
    await Promise.all(stores.map((s) => s.close()));
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  });
});
