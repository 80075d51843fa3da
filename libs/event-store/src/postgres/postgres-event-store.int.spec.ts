import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPostgresEventStore } from '../create-event-store';
import type { EventStore } from '../event-store.port';
import { describeEventStoreBehaviour } from '../testing/event-store.behaviour';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `es_${randomBytes(4).toString('hex')}`;
let next = 0;
const schemaOf = new WeakMap<EventStore, string>();

afterAll(async () => {
  const client = new Client({ connectionString });
  await client.connect();
  const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
  for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  await client.end();
});

describeEventStoreBehaviour('PostgreSQL', {
  fresh: async (options) => {
    const schema = `${prefix}_${++next}`;
    const store = await createPostgresEventStore({ ...options, connectionString, schema });
    schemaOf.set(store, schema);
    return store;
  },
  reopen: async (store) => {
    const schema = schemaOf.get(store)!;
    await store.close();
    const reopened = await createPostgresEventStore({ connectionString, schema });
    schemaOf.set(reopened, schema);
    return reopened;
  },
});
