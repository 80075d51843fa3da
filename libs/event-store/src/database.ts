import type { Logger } from 'pino';
import { loadPglite } from './pglite/load-pglite';
import { PgliteExecutor } from './pglite/pglite-executor';
import { PostgresExecutor } from './postgres/postgres-executor';
import type { SqlExecutor } from './sql/sql-executor';

/**
 * A service's database: PostgreSQL (a pool) or embedded PGlite (one in-process session), behind one interface.
 * The service's event store lives in it (its own schema), and so do its projections (another schema of its own),
 * so a projection can be updated in the same database the events come from.
 */
export type Database = SqlExecutor;
export type { SqlSession } from './sql/sql-executor';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; absent → embedded PGlite. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data folder (absent: in memory). Ignored with `databaseUrl`. */
  readonly dataDir?: string | undefined;
  /** Pool size for PostgreSQL, default 10. */
  readonly poolSize?: number;
  readonly logger?: Logger;
}

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite in `dataDir` (in memory without one). */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return new PostgresExecutor(options.databaseUrl, options.logger, options.poolSize);
  const db = await loadPglite().create(options.dataDir);
  return new PgliteExecutor(db, true);
}

/** The same database with a `close()` that does nothing: for a component that uses a database it does not own. */
export function borrowDatabase(database: Database): Database {
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop === 'close') return async () => undefined;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
