import type { Leadership } from '../event-store.port';

/** One database session: parameterised queries and multi-statement scripts. */
export interface SqlSession {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (simple query protocol). */
  exec(text: string): Promise<void>;
}

/**
 * What the shared SQL event store needs from a database: PostgreSQL (a pool of connections) or PGlite (one
 * in-process session). The SQL text is the same; only how it reaches the database differs.
 */
export interface SqlExecutor extends SqlSession {
  /**
   * Runs one statement as its own transaction; if it fails, drops the session-level advisory locks it may have left
   * (the append lock) before the session is used again.
   */
  queryReleasingLocks<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `fn` inside BEGIN … COMMIT on one session; rolls back if it throws (projections use it). */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Runs `fn` on one session held for its duration (for session-level advisory locks). */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Calls `onNotify` with the payload of every NOTIFY on `channel` ('' when unknown) until the returned function is called. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Sends NOTIFY on `channel` with `payload` outside any append transaction. */
  notify(channel: string, payload: string): Promise<void>;
  /** Runs `lockSql` (returning `ok`) on a session kept for the leadership's lifetime; null when not acquired. */
  tryAcquireLeadership(lockSql: string, unlockSql: string, name: string): Promise<Leadership | null>;
  close(): Promise<void>;
}
