import type { PGlite } from '@electric-sql/pglite';
import type { Leadership } from '../event-store.port';
import { acquireInProcess } from '../in-process-leadership';
import type { SqlExecutor, SqlSession } from '../sql/sql-executor';

interface Queryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(text: string): Promise<unknown>;
}

const sessionOf = (db: Queryable): SqlSession => ({
  async query<R>(text: string, params?: unknown[]) {
    return (await db.query<R>(text, params)).rows;
  },
  async exec(text: string) {
    await db.exec(text);
  },
});

/**
 * {@link SqlExecutor} on PGlite: one in-process session; PGlite runs one statement at a time and every append is one
 * statement, so appends never overlap (the late-commit race cannot happen here; the visibility filter is harmless).
 * Leadership is an in-process set: a PGlite data folder is only ever open in one process.
 */
export class PgliteExecutor implements SqlExecutor {
  private readonly session: SqlSession;
  private readonly leaders = new Set<string>();

  constructor(
    private readonly db: PGlite,
    private readonly ownsDb: boolean,
  ) {
    this.session = sessionOf(db as unknown as Queryable);
  }

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
    return this.session.query<R>(text, params);
  }

  exec(text: string): Promise<void> {
    return this.session.exec(text);
  }

  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return fn(this.session);
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(sessionOf(tx as unknown as Queryable)));
  }

  async queryReleasingLocks<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
    try {
      return await this.session.query<R>(text, params);
    } catch (err) {
      await this.db.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      throw err;
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.db.listen(channel, (payload) => onNotify(payload ?? ''));
    return async () => {
      if (!this.db.closed) await unlisten();
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async tryAcquireLeadership(_lockSql: string, _unlockSql: string, name: string): Promise<Leadership | null> {
    return acquireInProcess(this.leaders, name);
  }

  async close(): Promise<void> {
    if (this.ownsDb && !this.db.closed) await this.db.close();
  }
}
