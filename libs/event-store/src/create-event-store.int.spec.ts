import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createEventStore } from './create-event-store';
import { envelope } from './testing/event-store.behaviour';

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
    const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `es_create_${randomBytes(4).toString('hex')}`;
    const store = await createEventStore({ databaseUrl, schema });
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await store.appendToStream('s', [envelope()], { expectedVersion: 'no-stream' });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
      expect(rows[0].n).toBe(1);
      const migrations = await client.query(`SELECT version FROM "${schema}".migrations`);
      expect(migrations.rows.map((r: { version: number }) => r.version).sort()).toEqual([1, 2]);
    } finally {
      await store.close();
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('lets several processes migrate the same schema at once', async () => {
    const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `es_migrate_${randomBytes(4).toString('hex')}`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => createEventStore({ databaseUrl, schema })));
    await Promise.all(stores.map((s) => s.close()));
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  });
});
