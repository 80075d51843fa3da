import { checkSchemaName } from './event-store.sql';
import type { SqlSession } from './sql-executor';

/** Versioned migrations of the event store schema; append new ones, never edit a published one. */
const MIGRATIONS: { version: number; name: string; sql: (s: string) => string }[] = [
  {
    version: 1,
    name: 'events, checkpoints',
    sql: (s) => `
      CREATE TABLE ${s}.events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id text NOT NULL,
        stream_position bigint NOT NULL CHECK (stream_position > 0),
        event_id text NOT NULL,
        type text NOT NULL,
        v integer NOT NULL,
        occurred_at timestamptz NOT NULL,
        business_id text,
        correlation_id text NOT NULL,
        causation_id text,
        data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_position_unique UNIQUE (stream_id, stream_position)
      );
      CREATE TABLE ${s}.checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 2,
    name: 'append_events function',
    // One round trip per append, and the append lock is held only while the function runs, never across the network.
    sql: (s) => `
      CREATE FUNCTION ${s}.append_events(p_stream text, p_rows jsonb, p_required bigint)
      RETURNS TABLE (global_position bigint, stream_position bigint) LANGUAGE plpgsql AS $fn$
      DECLARE inserted bigint;
      BEGIN
        PERFORM pg_advisory_lock(hashtext('dailydesk.event-store.append'), hashtext('${s.replace(/"/g, '')}'));
        RETURN QUERY
          WITH cur AS (SELECT coalesce(max(e.stream_position), 0) AS version FROM ${s}.events e WHERE e.stream_id = p_stream)
          INSERT INTO ${s}.events AS ev (stream_id, stream_position, event_id, type, v, occurred_at, business_id, correlation_id, causation_id, data)
          SELECT p_stream, cur.version + r.i, r.id, r.type, r.v, r.occurred_at, r.business_id, r.correlation_id, r.causation_id, r.data
          FROM cur, jsonb_to_recordset(p_rows) AS r(i bigint, id text, type text, v int, occurred_at timestamptz,
            business_id text, correlation_id text, causation_id text, data jsonb)
          WHERE p_required IS NULL OR cur.version = p_required
          ORDER BY r.i
          ON CONFLICT DO NOTHING
          RETURNING ev.global_position, ev.stream_position;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        PERFORM pg_advisory_unlock(hashtext('dailydesk.event-store.append'), hashtext('${s.replace(/"/g, '')}'));
        IF inserted <> jsonb_array_length(p_rows) THEN
          RAISE SQLSTATE 'DDES1' USING MESSAGE = 'append refused (version or id conflict)';
        END IF;
      END
      $fn$`,
  },
];

/** Highest migration version this code knows. */
export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings `schema` up to date. Runs under a session advisory lock keyed on the schema, so processes starting together
 * migrate one after the other; each migration commits together with its row in `migrations`.
 */
export async function migrate(session: SqlSession, schema: string): Promise<void> {
  const s = `"${checkSchemaName(schema)}"`;
  const key = `hashtext('dailydesk.event-store.migrate'), hashtext('${schema}')`;
  await session.query(`SELECT pg_advisory_lock(${key})`);
  try {
    await session.exec(`CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`);
    const rows = await session.query<{ version: number }>(`SELECT version FROM ${s}.migrations`);
    const applied = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_MIGRATION) {
      throw new Error(`event store schema ${schema} is at migration ${newest}, newer than this code (${LATEST_MIGRATION})`);
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      try {
        await session.exec(`BEGIN; ${m.sql(s)};
          INSERT INTO ${s}.migrations (version, name) VALUES (${m.version}, '${m.name.replace(/'/g, "''")}'); COMMIT;`);
      } catch (err) {
        await session.exec('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${key})`);
  }
}
