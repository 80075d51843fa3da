import type { Database } from '@dailydesk/event-store';

/** Quotes a schema name for SQL (it comes from configuration, never from input). */
export const q = (schema: string) => `"${schema.replace(/"/g, '""')}"`;

/**
 * This service's own tables, created idempotently at start. Everything but `businesses` and `customers` (copies of
 * the booking frontend's CustomerUpserted / BusinessUpserted) is a projection of the service's event store and
 * can be rebuilt from it.
 */
export async function createTables(db: Database, schema: string): Promise<void> {
  const s = q(schema);
  await db.exec(`
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.businesses (
      business_id text PRIMARY KEY,
      name text NOT NULL,
      time_zone text NOT NULL,
      country text NOT NULL,
      address text,
      source_occurred_at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.customers (
      business_id text NOT NULL,
      customer_id text NOT NULL,
      first_name text NOT NULL,
      phone text,
      source_occurred_at timestamptz NOT NULL,
      PRIMARY KEY (business_id, customer_id)
    );
    CREATE TABLE IF NOT EXISTS ${s}.sms_settings (
      business_id text PRIMARY KEY,
      settings jsonb NOT NULL,
      days_before_appointment int NOT NULL,
      hours_after_check_in numeric NOT NULL,
      review_url text,
      reminders_on boolean NOT NULL,
      reviews_on boolean NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.appointments (
      appointment_id text PRIMARY KEY,
      business_id text NOT NULL,
      customer_id text,
      status text NOT NULL,
      starts_at timestamptz,
      checked_in_at timestamptz,
      reminder_for_starts_at timestamptz,
      review_state text,
      stream_version int NOT NULL
    );
    CREATE INDEX IF NOT EXISTS appointments_booked_by_start ON ${s}.appointments (starts_at, appointment_id) WHERE status = 'booked';
    CREATE INDEX IF NOT EXISTS appointments_review_pending ON ${s}.appointments (checked_in_at, appointment_id)
      WHERE status = 'checked-in' AND review_state = 'pending';
    CREATE TABLE IF NOT EXISTS ${s}.confirmation_links (
      token text PRIMARY KEY,
      appointment_id text NOT NULL,
      business_id text NOT NULL,
      for_starts_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    );
  `);
}
