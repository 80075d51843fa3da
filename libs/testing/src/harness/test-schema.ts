import { Client, Pool } from 'pg';
import { databaseUrl, uniqueName } from './test-env';

/** A private PostgreSQL schema for one test file; see {@link withTestSchema}. */
export interface TestSchema {
  /** The schema's name (random). */
  schema: string;
  /** `databaseUrl` with `options=-c search_path=<schema>`: every connection made from it lands in the schema. */
  connectionString: string;
  /** A pool on `connectionString`, closed by `dispose`. */
  pool: Pool;
  /** Closes the pool and drops the schema with everything in it. Call it in `afterAll`. */
  dispose(): Promise<void>;
}

/**
 * Creates a random schema in the test database (`DATABASE_URL`, or `options.url`) and returns a pool and a
 * connection string whose `search_path` is that schema, so unqualified table names stay private to the test.
 * @example
 * let db: TestSchema;
 * beforeAll(async () => { db = await withTestSchema(); });
 * afterAll(() => db.dispose());
 */
export async function withTestSchema(options: { url?: string; prefix?: string } = {}): Promise<TestSchema> {
  const url = options.url ?? databaseUrl();
  const schema = uniqueName(options.prefix ?? 'test');
  await admin(url, `CREATE SCHEMA "${schema}"`);
  const connectionString = withSearchPath(url, schema);
  const pool = new Pool({ connectionString, max: 4 });
  // An idle client losing its server (a test restarting PostgreSQL) must not crash the jest worker.
  pool.on('error', () => undefined);
  let disposed = false;
  return {
    schema,
    connectionString,
    pool,
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await pool.end();
      } finally {
        await admin(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    },
  };
}

/** Adds `options=-c search_path=<schema>` to a PostgreSQL URL, keeping any options it already had. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const existing = parsed.searchParams.get('options');
  const option = `-c search_path=${schema}`;
  parsed.searchParams.set('options', existing ? `${existing} ${option}` : option);
  return parsed.toString();
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
