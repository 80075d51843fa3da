import type { SqlSession } from '@dailydesk/event-store';
import { FIRST_WINS, type MessageRow } from './message-row';

// Read model tables live in a generation schema `<schema>_g<n>`; the service schema holds stable views over the
// active generation (what analysts and the API query), so a rebuild fills a new generation and swaps the views.

const q = (s: string) => `"${s}"`;

export function generationTables(g: string): string {
  const s = q(g);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.messages (
  message_id text PRIMARY KEY, business_id text, purpose text, campaign_id text, campaign_run_id text,
  appointment_id text, customer_id text, recipient_masked text, status text NOT NULL, status_rank smallint NOT NULL,
  requested_at timestamptz, sent_at timestamptz, transmitted_at timestamptz, delivered_at timestamptz,
  undelivered_at timestamptz, failed_at timestamptz, suppressed_at timestamptz, segments integer, port text, tid integer,
  failure_reason text, projected_at timestamptz NOT NULL DEFAULT clock_timestamp()) WITH (fillfactor = 70);
-- Every message row is updated 2-3 times after its insert (sent, transmitted, delivered) and no update changes an
-- indexed column: with room left on its page, PostgreSQL updates it in place (HOT) instead of adding an entry to
-- each of the three indexes. Set on tables made before too (it applies to pages filled from now on).
ALTER TABLE ${s}.messages SET (fillfactor = 70);
CREATE INDEX IF NOT EXISTS messages_business ON ${s}.messages (business_id, requested_at);
CREATE INDEX IF NOT EXISTS messages_campaign ON ${s}.messages (campaign_id);
CREATE TABLE IF NOT EXISTS ${s}.consent_changes (event_id text PRIMARY KEY, phone_masked text NOT NULL, action text NOT NULL,
  keyword text NOT NULL, via text NOT NULL, at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.inbound_sms (event_id text PRIMARY KEY, business_id text, from_masked text NOT NULL,
  port text NOT NULL, received_at timestamptz NOT NULL, text_length integer NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.quarantine (event_id text PRIMARY KEY, reason text NOT NULL, content_type text,
  bytes integer NOT NULL, received_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.checkpoint (id integer PRIMARY KEY, position bigint NOT NULL);
INSERT INTO ${s}.checkpoint VALUES (1, 0) ON CONFLICT DO NOTHING;
`;
}

/** Views over one generation, and the analysts' views over those (documented in the README). */
export function viewsOver(schema: string, g: string): string {
  const s = q(schema);
  const base = ['messages', 'consent_changes', 'inbound_sms', 'quarantine']
    .map((t) => `CREATE OR REPLACE VIEW ${s}.${t} AS SELECT * FROM ${q(g)}.${t};`)
    .join('\n');
  return `${base}
CREATE OR REPLACE VIEW ${s}.campaign_funnel AS
  SELECT business_id, campaign_id, count(*)::int AS requested, count(sent_at)::int AS sent, count(transmitted_at)::int AS transmitted,
    count(delivered_at)::int AS delivered, count(undelivered_at)::int AS undelivered,
    (count(*) FILTER (WHERE status IN ('failed', 'transmission-failed')))::int AS failed,
    count(suppressed_at)::int AS suppressed, min(COALESCE(requested_at, sent_at)) AS first_at, max(COALESCE(delivered_at, transmitted_at, sent_at)) AS last_at
  FROM ${s}.messages WHERE campaign_id IS NOT NULL GROUP BY business_id, campaign_id;
CREATE OR REPLACE VIEW ${s}.daily_volume AS
  SELECT business_id, purpose, (COALESCE(requested_at, sent_at, failed_at, suppressed_at) AT TIME ZONE 'UTC')::date AS day_utc,
    count(*)::int AS messages, count(sent_at)::int AS sent, count(delivered_at)::int AS delivered, coalesce(sum(segments), 0)::int AS segments
  FROM ${s}.messages GROUP BY 1, 2, 3;
CREATE OR REPLACE VIEW ${s}.failures_by_reason AS
  SELECT business_id, status, failure_reason, count(*)::int AS messages FROM ${s}.messages
  WHERE failure_reason IS NOT NULL GROUP BY 1, 2, 3;
CREATE OR REPLACE VIEW ${s}.failures_by_port AS
  SELECT port, (count(*) FILTER (WHERE status IN ('transmission-failed', 'undelivered', 'failed')))::int AS failed, count(*)::int AS messages
  FROM ${s}.messages WHERE port IS NOT NULL GROUP BY port;
CREATE OR REPLACE VIEW ${s}.opt_outs AS
  SELECT DISTINCT ON (phone_masked) phone_masked, action, keyword, via, at FROM ${s}.consent_changes ORDER BY phone_masked, at DESC;
`;
}

export const ANALYST_VIEWS = ['messages', 'consent_changes', 'inbound_sms', 'quarantine', 'campaign_funnel', 'daily_volume', 'failures_by_reason', 'failures_by_port', 'opt_outs'];

/** The read-only role analysts use with psql (PostgreSQL only: PGlite has a single user). */
export function analystRole(schema: string): string {
  const role = q(`${schema}_analyst`);
  return `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${schema}_analyst') THEN CREATE ROLE ${role} NOLOGIN; END IF;
END $$;
GRANT USAGE ON SCHEMA ${q(schema)} TO ${role};
${ANALYST_VIEWS.map((v) => `GRANT SELECT ON ${q(schema)}.${v} TO ${role};`).join('\n')}
`;
}

const COLS = ['message_id', ...FIRST_WINS, 'status', 'status_rank', 'failure_reason'];
const TYPES: Record<string, string> = {
  requested_at: 'timestamptz', sent_at: 'timestamptz', transmitted_at: 'timestamptz', delivered_at: 'timestamptz',
  undelivered_at: 'timestamptz', failed_at: 'timestamptz', suppressed_at: 'timestamptz', segments: 'integer', tid: 'integer', status_rank: 'smallint',
  at: 'timestamptz', received_at: 'timestamptz', bytes: 'integer', text_length: 'integer',
};

/** Columns of the append-only tables, in the order their rows are built (projection-runner's `collect`). */
export const APPEND_ONLY = {
  consent_changes: ['event_id', 'phone_masked', 'action', 'keyword', 'via', 'at'],
  inbound_sms: ['event_id', 'business_id', 'from_masked', 'port', 'received_at', 'text_length'],
  quarantine: ['event_id', 'reason', 'content_type', 'bytes', 'received_at'],
} as const;
type AppendOnlyTable = keyof typeof APPEND_ONLY;

const recordset = (param: string, cols: readonly string[]) =>
  `jsonb_to_recordset(${param}::jsonb) AS r(${cols.map((c) => `${c} ${TYPES[c] ?? 'text'}`).join(', ')})`;

/** Upsert of merged message rows (a jsonb array in `param`) with the same rules as `mergeRow`. */
function upsertMessagesSql(g: string, param: string): string {
  const firstWins = FIRST_WINS.map((c) => `${c} = COALESCE(m.${c}, EXCLUDED.${c})`).join(', ');
  return `INSERT INTO ${q(g)}.messages AS m (${COLS.join(', ')})
     SELECT ${COLS.join(', ')} FROM ${recordset(param, COLS)}
     ON CONFLICT (message_id) DO UPDATE SET ${firstWins},
       status = CASE WHEN EXCLUDED.status_rank > m.status_rank THEN EXCLUDED.status ELSE m.status END,
       failure_reason = CASE WHEN EXCLUDED.status_rank > m.status_rank THEN COALESCE(EXCLUDED.failure_reason, m.failure_reason)
                             ELSE COALESCE(m.failure_reason, EXCLUDED.failure_reason) END,
       status_rank = GREATEST(m.status_rank, EXCLUDED.status_rank),
       projected_at = clock_timestamp()`;
}

/** Insert of rows of an append-only table (event id is the key: a replay inserts nothing twice). */
function insertRowsSql(g: string, table: AppendOnlyTable, param: string): string {
  const cols = APPEND_ONLY[table];
  return `INSERT INTO ${q(g)}.${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${recordset(param, cols)} ON CONFLICT (event_id) DO NOTHING`;
}

/**
 * Upserts message rows alone, without moving the generation's checkpoint: the processor's receipts (see
 * `ProjectionRunner.projectReceipts`), which reach the read model this way rather than through the subscription.
 */
export async function upsertMessages(db: SqlSession, g: string, rows: MessageRow[]): Promise<void> {
  if (rows.length > 0) await db.query(upsertMessagesSql(g, '$1'), [JSON.stringify(rows)]);
}

/** What one batch writes into a generation. */
export interface ProjectionWrites {
  messages: MessageRow[];
  consent_changes: Array<Record<string, unknown>>;
  inbound_sms: Array<Record<string, unknown>>;
  quarantine: Array<Record<string, unknown>>;
  /** The generation's checkpoint after this batch. */
  position: number;
}

/**
 * Writes a batch and moves the generation's checkpoint in ONE statement (data-modifying CTEs on disjoint tables):
 * atomic like the transaction it replaces, in one round trip instead of five or more.
 */
export async function writeProjection(db: SqlSession, g: string, w: ProjectionWrites): Promise<void> {
  await db.query(
    `WITH m AS (${upsertMessagesSql(g, '$1')} RETURNING 1),
       c AS (${insertRowsSql(g, 'consent_changes', '$2')} RETURNING 1),
       i AS (${insertRowsSql(g, 'inbound_sms', '$3')} RETURNING 1),
       qu AS (${insertRowsSql(g, 'quarantine', '$4')} RETURNING 1)
     UPDATE ${q(g)}.checkpoint SET position = GREATEST(position, $5) WHERE id = 1`,
    [JSON.stringify(w.messages), JSON.stringify(w.consent_changes), JSON.stringify(w.inbound_sms), JSON.stringify(w.quarantine), w.position],
  );
}
