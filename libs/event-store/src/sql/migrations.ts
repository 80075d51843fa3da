import { checkSchemaName } from './event-store.sql';
import type { SqlSession } from './sql-executor';

/**
 * The append function: one statement that takes the append lock, inserts the batch ($2, an array of rows in `t`) and
 * releases the lock. Migration 2 created it over jsonb, migration 3 over json (the generated text of 2 is unchanged).
 */
const appendEventsFunction = (s: string, t: 'jsonb' | 'json'): string => `
      CREATE FUNCTION ${s}.append_events(p_stream text, p_rows ${t}, p_required bigint)
      RETURNS TABLE (global_position bigint, stream_position bigint) LANGUAGE plpgsql AS $fn$
      DECLARE inserted bigint;
      BEGIN
        PERFORM pg_advisory_lock(hashtext('dailydesk.event-store.append'), hashtext('${s.replace(/"/g, '')}'));
        RETURN QUERY
          WITH cur AS (SELECT coalesce(max(e.stream_position), 0) AS version FROM ${s}.events e WHERE e.stream_id = p_stream)
          INSERT INTO ${s}.events AS ev (stream_id, stream_position, event_id, type, v, occurred_at, business_id, correlation_id, causation_id, data)
          SELECT p_stream, cur.version + r.i, r.id, r.type, r.v, r.occurred_at, r.business_id, r.correlation_id, r.causation_id, r.data
          FROM cur, ${t}_to_recordset(p_rows) AS r(i bigint, id text, type text, v int, occurred_at timestamptz,
            business_id text, correlation_id text, causation_id text, data ${t})
          WHERE p_required IS NULL OR cur.version = p_required
          ORDER BY r.i
          ON CONFLICT DO NOTHING
          RETURNING ev.global_position, ev.stream_position;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        PERFORM pg_advisory_unlock(hashtext('dailydesk.event-store.append'), hashtext('${s.replace(/"/g, '')}'));
        IF inserted <> ${t}_array_length(p_rows) THEN
          RAISE SQLSTATE 'DDES1' USING MESSAGE = 'append refused (version or id conflict)';
        END IF;
      END
      $fn$`;

/**
 * The append function of migration 4: a plain INSERT, a unique violation caught in one exception block, and ONE row
 * back (the append's last global and stream positions: all a caller uses) instead of a row per event.
 * `ON CONFLICT DO NOTHING` made every row a speculative insertion (a pre-check of both unique indexes, a speculative
 * token and a confirmation record in the WAL); the outcome was the same, because any refused row fails the whole
 * append. Measured against this machine's PostgreSQL, 40 appends of 2,000 SmsQueued-sized events, three alternations
 * each: without ON CONFLICT (still a row per event back) 2.60-2.78 s of server CPU instead of 3.24-3.33 s; this
 * function against migration 3's, later in a faster hour, 2.12-2.20 s instead of 2.44-2.61 s, wall 2.6-2.7 s instead
 * of 2.9-3.1 s. The session advisory lock is taken before the block and released after it, so the rollback of the
 * block never leaves it held.
 */
const appendEventsFunctionPlainInsert = (s: string): string => `
      CREATE OR REPLACE FUNCTION ${s}.append_events(p_stream text, p_rows json, p_required bigint)
      RETURNS TABLE (global_position bigint, stream_position bigint) LANGUAGE plpgsql AS $fn$
      DECLARE inserted bigint; last_global bigint; last_in_stream bigint;
      BEGIN
        PERFORM pg_advisory_lock(hashtext('dailydesk.event-store.append'), hashtext('${s.replace(/"/g, '')}'));
        BEGIN
          WITH cur AS (SELECT coalesce(max(e.stream_position), 0) AS version FROM ${s}.events e WHERE e.stream_id = p_stream),
          ins AS (
            INSERT INTO ${s}.events AS ev (stream_id, stream_position, event_id, type, v, occurred_at, business_id, correlation_id, causation_id, data)
            SELECT p_stream, cur.version + r.i, r.id, r.type, r.v, r.occurred_at, r.business_id, r.correlation_id, r.causation_id, r.data
            FROM cur, json_to_recordset(p_rows) AS r(i bigint, id text, type text, v int, occurred_at timestamptz,
              business_id text, correlation_id text, causation_id text, data json)
            WHERE p_required IS NULL OR cur.version = p_required
            ORDER BY r.i
            RETURNING ev.global_position, ev.stream_position)
          SELECT count(*), max(ins.global_position), max(ins.stream_position) INTO inserted, last_global, last_in_stream FROM ins;
        EXCEPTION WHEN unique_violation THEN
          inserted := -1; -- an id already stored, or a position taken: refused like a version conflict
        END;
        PERFORM pg_advisory_unlock(hashtext('dailydesk.event-store.append'), hashtext('${s.replace(/"/g, '')}'));
        IF inserted <> json_array_length(p_rows) THEN
          RAISE SQLSTATE 'DDES1' USING MESSAGE = 'append refused (version or id conflict)';
        END IF;
        RETURN QUERY SELECT last_global, last_in_stream;
      END
      $fn$`;

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
    sql: (s) => appendEventsFunction(s, 'jsonb'),
  },
  {
    version: 3,
    name: 'event data as json, append rows as json',
    // jsonb parses every event into its binary form on append and prints it back to text on every read; the store
    // never queries inside `data` (every reader parses it in node), so `json` (validated, kept as text) is cheaper on
    // both paths: measured on this machine, 40k SmsQueued-sized rows inserted in 0.72 s instead of 1.0-1.17 s and read
    // back in 34 ms instead of 89-107 ms. The batch parameter is json too (a jsonb parameter parsed the whole batch into
    // binary first). Rewrites the table once.
    sql: (s) => `
      ALTER TABLE ${s}.events ALTER COLUMN data TYPE json USING data::json;
      DROP FUNCTION ${s}.append_events(text, jsonb, bigint);${appendEventsFunction(s, 'json')}`,
  },
  {
    version: 4,
    name: 'append_events without ON CONFLICT, one row back',
    sql: (s) => appendEventsFunctionPlainInsert(s),
  },
];

/** Highest migration version this code knows. */
export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings `schema` up to date (or up to migration `upTo`: tests of a migration start from the one before). Runs under a session advisory lock keyed on the schema, so processes starting together
 * migrate one after the other; each migration commits together with its row in `migrations`.
 */
export async function migrate(session: SqlSession, schema: string, upTo = LATEST_MIGRATION): Promise<void> {
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
      if (applied.has(m.version) || m.version > upTo) continue;
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
