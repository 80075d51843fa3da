import type { PGlite } from '@electric-sql/pglite';
import type { EventStore, EventStoreOptions } from './event-store.port';
import { PgliteExecutor } from './pglite/pglite-executor';
import { PostgresExecutor } from './postgres/postgres-executor';
import { eventStoreSql } from './sql/event-store.sql';
import { migrate } from './sql/migrations';
import { SqlEventStore } from './sql/sql-event-store';
import type { SqlExecutor } from './sql/sql-executor';
import { borrowDatabase } from './database';
import { loadPglite } from './pglite/load-pglite';

/** Default schema of the event store tables. */
export const DEFAULT_EVENT_STORE_SCHEMA = 'event_store';

/** Options of {@link createPostgresEventStore}. */
export interface PostgresEventStoreOptions extends EventStoreOptions {
  /** e.g. `postgres://postgres@127.0.0.1:5432/test`. */
  readonly connectionString: string;
  /** Schema holding the tables (created and migrated on start); default `event_store`. */
  readonly schema?: string;
  /** Pooled connections for appends and reads; default 10. */
  readonly poolSize?: number;
}

/** Options of {@link createPgliteEventStore}. */
export interface PgliteEventStoreOptions extends EventStoreOptions {
  /** Folder of the embedded database; omitted: in memory. Ignored when `db` is given. */
  readonly dataDir?: string;
  /** An already open PGlite to use (left open by `close()`); lets tests share one instance across schemas. */
  readonly db?: PGlite;
  readonly schema?: string;
}

/** Options of {@link createEventStore}. */
export interface CreateEventStoreOptions extends EventStoreOptions {
  /** An open database to put the store in (see `openDatabase`); left open by the store's `close()`. */
  readonly database?: SqlExecutor;
  /** PostgreSQL connection string; when absent the embedded PGlite store is used. */
  readonly databaseUrl?: string;
  /** PGlite data folder when `databaseUrl` is absent; omitted: in memory. */
  readonly dataDir?: string;
  readonly schema?: string;
}

async function open(db: SqlExecutor, schema: string, options: EventStoreOptions, naiveReads = false): Promise<SqlEventStore> {
  try {
    await db.withSession((session) => migrate(session, schema));
    const store = new SqlEventStore(db, eventStoreSql(schema, { naiveReads }), options);
    await store.start();
    return store;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** The PostgreSQL adapter (node-postgres). Runs the schema migrations before resolving. */
export function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  return open(
    new PostgresExecutor(options.connectionString, options.logger, options.poolSize),
    options.schema ?? DEFAULT_EVENT_STORE_SCHEMA,
    options,
  );
}


/** The embedded adapter on PGlite (same SQL as PostgreSQL). Runs the schema migrations before resolving. */
export async function createPgliteEventStore(options: PgliteEventStoreOptions = {}): Promise<EventStore> {
  const db = options.db ?? (await loadPglite().create(options.dataDir));
  return open(new PgliteExecutor(db, options.db === undefined), options.schema ?? DEFAULT_EVENT_STORE_SCHEMA, options);
}

/**
 * The platform's event store: PostgreSQL when `databaseUrl` is set (typically `process.env.DATABASE_URL`),
 * otherwise embedded PGlite in `dataDir` (in memory when that is absent too).
 */
export function createEventStore(options: CreateEventStoreOptions = {}): Promise<EventStore> {
  const { databaseUrl, dataDir, database, ...rest } = options;
  if (database) return open(borrowDatabase(database), rest.schema ?? DEFAULT_EVENT_STORE_SCHEMA, rest);
  if (databaseUrl) return createPostgresEventStore({ ...rest, connectionString: databaseUrl });
  return createPgliteEventStore({ ...rest, ...(dataDir === undefined ? {} : { dataDir }) });
}

/** For the late-commit race test only: a PostgreSQL store whose reads skip the visibility filter. Not exported. */
export function createNaivePostgresEventStoreForTest(connectionString: string, schema: string): Promise<EventStore> {
  return open(new PostgresExecutor(connectionString), schema, {}, true);
}
