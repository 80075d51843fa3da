import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Client } from 'pg';
import { Cleanup, eventually } from './eventually';
import { databaseUrl } from './test-env';
import { withTestSchema } from './test-schema';
import { connectTestNats, createTestStream } from './test-stream';

async function schemaExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [name]);
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

describe('withTestSchema (machine PostgreSQL)', () => {
  it('creates a random schema that unqualified names land in, and drops it on dispose', async () => {
    const db = await withTestSchema();
    try {
      expect(await schemaExists(db.schema)).toBe(true);
      await db.pool.query('CREATE TABLE things (id int)');
      await db.pool.query('INSERT INTO things VALUES (1)');
      const { rows } = await db.pool.query<{ table_schema: string }>(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'things'",
      );
      expect(rows.map((r) => r.table_schema)).toContain(db.schema);
      // A separate connection from the connection string sees the same table without qualifying it.
      const other = new Client({ connectionString: db.connectionString });
      await other.connect();
      expect((await other.query('SELECT count(*)::int AS n FROM things')).rows[0]).toEqual({ n: 1 });
      await other.end();
    } finally {
      await db.dispose();
    }
    expect(await schemaExists(db.schema)).toBe(false);
  });

  it('gives each call its own schema', async () => {
    const cleanup = new Cleanup();
    try {
      const a = cleanup.add(await withTestSchema());
      const b = cleanup.add(await withTestSchema());
      expect(a.schema).not.toBe(b.schema);
    } finally {
      await cleanup.run();
    }
  });
});

describe('createTestStream (machine NATS)', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connectTestNats();
  });
  afterAll(() => nc?.close());

  it('creates a stream on a random subject space and deletes it on dispose', async () => {
    const stream = await createTestStream(nc, { config: { max_msgs: 100 } });
    const jsm = await jetstreamManager(nc);
    try {
      await jetstream(nc).publish(`${stream.subjectPrefix}.hello`, 'hi');
      await eventually(async () => expect((await jsm.streams.info(stream.name)).state.messages).toBe(1));
      expect(stream.info.config.max_msgs).toBe(100);
    } finally {
      await stream.dispose();
    }
    await expect(jsm.streams.info(stream.name)).rejects.toThrow(/stream not found/i);
    await stream.dispose(); // a second dispose is harmless
  });
});
