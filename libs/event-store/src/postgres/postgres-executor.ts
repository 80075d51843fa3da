import type { Logger } from 'pino';
import { Client, Pool, type PoolClient } from 'pg';
import type { Leadership } from '../event-store.port';
import type { SqlExecutor, SqlSession } from '../sql/sql-executor';

const sessionOf = (client: Pool | PoolClient | Client): SqlSession => ({
  async query<R>(text: string, params?: unknown[]) {
    return (await client.query(text, params)).rows as R[];
  },
  async exec(text: string) {
    await client.query(text);
  },
});

/** {@link SqlExecutor} on node-postgres: a pool for queries, dedicated clients for LISTEN and leadership locks. */
export class PostgresExecutor implements SqlExecutor {
  private readonly pool: Pool;
  private readonly pooled: SqlSession;
  private readonly dedicated = new Set<Client>();

  constructor(
    private readonly connectionString: string,
    private readonly logger?: Logger,
    poolSize = 10,
  ) {
    this.pool = new Pool({ connectionString, max: poolSize });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger?.warn({ err: err.message }, 'event store: idle PostgreSQL client failed'));
    this.pooled = sessionOf(this.pool);
  }

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
    return this.pooled.query<R>(text, params);
  }

  exec(text: string): Promise<void> {
    return this.pooled.exec(text);
  }

  async withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(sessionOf(client));
    } catch (err) {
      // A session that failed midway may still hold session-level locks: never give it back to the pool.
      broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.withSession(async (session) => {
      await session.exec('BEGIN');
      try {
        const result = await fn(session);
        await session.exec('COMMIT');
        return result;
      } catch (err) {
        await session.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async queryReleasingLocks<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
    const client = await this.pool.connect();
    try {
      const rows = (await client.query(text, params)).rows as R[];
      client.release();
      return rows;
    } catch (err) {
      try {
        await client.query('SELECT pg_advisory_unlock_all()');
        client.release();
      } catch {
        client.release(true);
      }
      throw err;
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let client: Client | undefined;
    const connect = async (): Promise<void> => {
      const c = new Client({ connectionString: this.connectionString, keepAlive: true });
      c.on('notification', (msg) => onNotify(msg.payload ?? ''));
      c.on('error', (err) => {
        this.logger?.warn({ err: err.message }, 'event store: LISTEN connection lost; reconnecting');
        this.dedicated.delete(c);
        c.end().catch(() => undefined);
        if (!stopped) setTimeout(() => void connect().catch(() => undefined), 1_000);
      });
      await c.connect();
      this.dedicated.add(c);
      await c.query(`LISTEN "${channel}"`);
      client = c;
      // Appends made while we were away would otherwise wait for the polling period.
      onNotify('');
    };
    await connect();
    return async () => {
      stopped = true;
      if (client) {
        this.dedicated.delete(client);
        await client.end().catch(() => undefined);
      }
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async tryAcquireLeadership(lockSql: string, unlockSql: string, name: string): Promise<Leadership | null> {
    const client = new Client({ connectionString: this.connectionString, keepAlive: true });
    let held = false;
    client.on('error', (err) => {
      if (held) this.logger?.warn({ err: err.message, leadership: name }, 'event store: leadership connection lost');
      held = false;
    });
    client.on('end', () => {
      held = false;
    });
    await client.connect();
    const rows = (await client.query<{ ok: boolean }>(lockSql, [name])).rows;
    if (!rows[0]?.ok) {
      await client.end();
      return null;
    }
    held = true;
    this.dedicated.add(client);
    return {
      get held() {
        return held;
      },
      release: async () => {
        if (!this.dedicated.delete(client)) return;
        if (held) await client.query(unlockSql, [name]).catch(() => undefined);
        held = false;
        await client.end().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.dedicated].map((c) => c.end().catch(() => undefined)));
    this.dedicated.clear();
    await this.pool.end();
  }
}
