/**
 * The SQL of the event store, shared by the PostgreSQL and PGlite executors. Everything is qualified by the schema,
 * which is validated once so it can be spliced into the text.
 *
 * Global order. `global_position` comes from a sequence and `transaction_id` records the writing transaction.
 * Appends (the `append_events` function) take a session advisory lock before their first write and release it right
 * after their INSERT (before COMMIT): the transaction id and the positions of one append are therefore assigned while no other append assigns
 * any, so positions follow transaction-id order across appends. A reader only returns rows whose transaction is older
 * than the oldest transaction still running (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`); every row
 * that can still appear belongs to a transaction at least that young, hence has a higher position than every row
 * returned. Readers advancing by position never skip a late commit, and commits themselves stay concurrent.
 */

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** Throws unless `schema` is a plain lower-case identifier (≤ 48 characters). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid event store schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*, at most 48 characters`);
  return schema;
}

/** Positions as text (bigint), so ORDER BY must name the table's columns (`e.`), never these aliases. */
const EVENT_COLUMNS = `global_position::text AS global_position, stream_id, stream_position::text AS stream_position, event_id, type, v,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  business_id, correlation_id, causation_id, data`;

export interface EventRow {
  global_position: string;
  stream_id: string;
  stream_position: string;
  event_id: string;
  type: string;
  v: number;
  occurred_at: string;
  business_id: string | null;
  correlation_id: string;
  causation_id: string | null;
  data: unknown;
}

/** The statements of one schema. `$n` parameters are documented on each. */
export function eventStoreSql(schema: string, options: { naiveReads?: boolean } = {}) {
  const s = `"${checkSchemaName(schema)}"`;
  // Kept only so the late-commit race test can show what goes wrong without the visibility filter.
  const visible = options.naiveReads ? 'TRUE' : 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  return {
    schema,
    channel: `${schema}_appended`,
    /**
     * $1 stream id, $2 json array of rows {i, id, type, v, occurred_at, business_id, correlation_id, causation_id, data},
     * $3 required current version or null for 'any'. One statement, its own transaction: inserts every row, or fails
     * with SQLSTATE DDES1 (version or id conflict) and inserts none. The function takes the append lock before its
     * first write and releases it before returning.
     */
    append: `SELECT global_position::text AS global_position, stream_position::text AS stream_position
      FROM ${s}.append_events($1, $2::json, $3::bigint)`,
    refusedCode: 'DDES1',
    /** $1 stream id. */
    streamVersion: `SELECT coalesce(max(stream_position), 0)::text AS version FROM ${s}.events WHERE stream_id = $1`,
    /** $1 text[] of event ids. */
    findIds: `SELECT event_id, stream_id, global_position::text AS global_position FROM ${s}.events WHERE event_id = ANY($1::text[])`,
    /** $1 stream id. */
    readStream: `SELECT ${EVENT_COLUMNS} FROM ${s}.events e WHERE stream_id = $1 ORDER BY e.stream_position`,
    /** $1 after position, $2 limit. */
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${s}.events e
      WHERE e.global_position > $1::bigint AND ${visible}
      ORDER BY e.global_position LIMIT $2::int`,
    /**
     * $1 after position, $2 limit, $3 text[] of types. Looks at the same events as readAll and returns those of the
     * types; every row carries `scanned_to`, the position of the last event looked at (one row of nulls when none
     * matched, `scanned_to` null when nothing is readable).
     */
    readAllOfTypes: `WITH w AS (SELECT e.global_position, e.type FROM ${s}.events e
        WHERE e.global_position > $1::bigint AND ${visible} ORDER BY e.global_position LIMIT $2::int)
      SELECT (SELECT max(w.global_position) FROM w)::text AS scanned_to, ${EVENT_COLUMNS}
      FROM (SELECT 1) AS one LEFT JOIN ${s}.events e ON e.global_position IN (SELECT w.global_position FROM w WHERE w.type = ANY($3::text[]))
      ORDER BY e.global_position`,
    /** $1 name. */
    readCheckpoint: `SELECT position::text AS position FROM ${s}.checkpoints WHERE name = $1`,
    /** $1 name, $2 position. */
    storeCheckpoint: `INSERT INTO ${s}.checkpoints (name, position) VALUES ($1, $2::bigint)
      ON CONFLICT (name) DO UPDATE SET position = GREATEST(${s}.checkpoints.position, excluded.position), updated_at = now()`,
    /** $1 leadership name. Session-level: held until released or the connection ends. */
    tryLeadership: `SELECT pg_try_advisory_lock(hashtext('dailydesk.event-store.leader:${schema}'), hashtext($1)) AS ok`,
    releaseLeadership: `SELECT pg_advisory_unlock(hashtext('dailydesk.event-store.leader:${schema}'), hashtext($1)) AS ok`,
  };
}

export type EventStoreSql = ReturnType<typeof eventStoreSql>;
