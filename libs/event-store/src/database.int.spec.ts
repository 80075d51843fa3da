import { randomBytes } from 'node:crypto';
import { createEventStore } from './create-event-store';
import { openDatabase, type Database } from './database';
import { envelope } from './testing/event-store.behaviour';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe.each([
  ['PGlite (in memory)', () => openDatabase({})],
  ['PostgreSQL', () => openDatabase({ databaseUrl: connectionString })],
])('a service database on %s', (_name, open) => {
  const schema = `es_db_${randomBytes(4).toString('hex')}`;
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_views" CASCADE`);
    await db.close();
  });

  it('holds the event store and the service projections side by side; closing the store leaves it open', async () => {
    const store = await createEventStore({ database: db, schema });
    await store.appendToStream('s-1', [envelope(), envelope()], { expectedVersion: 'no-stream' });
    await db.transaction(async (tx) => {
      await tx.exec(`CREATE SCHEMA "${schema}_views"; CREATE TABLE "${schema}_views".counts (n int)`);
      await tx.query(`INSERT INTO "${schema}_views".counts SELECT count(*) FROM "${schema}".events`);
    });
    await store.close();
    expect(await db.query<{ n: number }>(`SELECT n FROM "${schema}_views".counts`)).toEqual([{ n: 2 }]);
  });
});
