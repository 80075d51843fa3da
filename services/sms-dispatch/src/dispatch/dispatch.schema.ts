import type { Database } from '@dailydesk/event-store';

/** Idempotent DDL of the service's own tables (schema SERVICE_SCHEMA). */
export async function migrateDispatchSchema(db: Database, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await db.exec(`
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.messages (
      message_id text PRIMARY KEY,
      business_id text,
      correlation_id text NOT NULL,
      intake_event_id text NOT NULL,
      lane smallint NOT NULL,
      position bigint NOT NULL,
      to_e164 text NOT NULL,
      body text,
      encoding text NOT NULL,
      segments int NOT NULL,
      purpose text NOT NULL,
      refs jsonb NOT NULL,
      not_before timestamptz,
      expires_at timestamptz,
      state text NOT NULL,
      tid int,
      port text,
      attempt int NOT NULL DEFAULT 0,
      sent_at timestamptz,
      outcome text
    );
    -- messages holds the texts still waiting (queued or assigned) and nothing else: a finished text's row is deleted
    -- (its history is the event log, and receipts' projections for analysts), one queued and finished within a fold
    -- batch is never written. Read whole at takeover and counted by status, so no index but its key; every row is
    -- deleted soon after it enters: vacuum it early.
    ALTER TABLE ${s}.messages SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 2000, autovacuum_analyze_scale_factor = 0.02);
    -- Texts sent per port (SIM) and UTC day, for the daily cap after a takeover. 'through' is the position of the last
    -- SmsSent counted: a batch folded again after a crash counts only what lies beyond it.
    CREATE TABLE IF NOT EXISTS ${s}.port_day_sent (port text NOT NULL, day date NOT NULL, sent int NOT NULL, through bigint NOT NULL, PRIMARY KEY (port, day));
    -- Upgrade of a table that kept finished texts (before 2026-11-30): today's counts move to port_day_sent (through 0:
    -- a batch folded again right after the upgrade may count twice, which only stops a SIM early), then the rows go.
    DROP INDEX IF EXISTS ${s}.messages_waiting;
    DROP INDEX IF EXISTS ${s}.messages_sent_day;
    INSERT INTO ${s}.port_day_sent (port, day, sent, through)
      SELECT port, (sent_at AT TIME ZONE 'UTC')::date, count(*), 0 FROM ${s}.messages
      WHERE state = 'sent' AND port IS NOT NULL AND sent_at >= now() - interval '2 days' GROUP BY 1, 2
      ON CONFLICT DO NOTHING;
    DELETE FROM ${s}.messages WHERE state NOT IN ('queued', 'assigned');
    -- The leader's count of waiting texts per lane, rewritten within a second of each change (every 30 s otherwise):
    -- what standbys report as queue depth (most waiting texts are held in the leader's memory only, not in messages:
    -- see queue-fold.ts).
    CREATE TABLE IF NOT EXISTS ${s}.leader_queue (
      one boolean PRIMARY KEY DEFAULT true CHECK (one), instant int NOT NULL, normal int NOT NULL, bulk int NOT NULL, at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.consent (phone text PRIMARY KEY, opted_out boolean NOT NULL, at timestamptz NOT NULL);
    CREATE TABLE IF NOT EXISTS ${s}.recipient_ports (phone text PRIMARY KEY, port text NOT NULL, at timestamptz NOT NULL);
    CREATE TABLE IF NOT EXISTS ${s}.gateway_calls (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      endpoint text NOT NULL,
      request jsonb NOT NULL,
      answer jsonb NOT NULL,
      duration_ms int NOT NULL
    );
    CREATE INDEX IF NOT EXISTS gateway_calls_at ON ${s}.gateway_calls (at); -- retention (retention.ts)
    CREATE SEQUENCE IF NOT EXISTS ${s}.tid_seq MINVALUE 1 MAXVALUE 2147483647 CYCLE;
  `);
}

/** Lane order of the priority enum: instant before normal before bulk. */
export const LANE = { instant: 0, normal: 1, bulk: 2 } as const;
