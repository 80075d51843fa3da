import type { Database } from '@dailydesk/event-store';

// The service's own tables (audience, opt-outs, campaign list), in SERVICE_SCHEMA. Idempotent: run at every start.

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Creates the service's tables if missing. Returns the quoted schema name for queries. */
export async function migrateCampaignsSchema(db: Database, schema: string): Promise<string> {
  const s = quote(schema);
  await db.exec(`
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.businesses (
      business_id text PRIMARY KEY,
      name text NOT NULL,
      time_zone text NOT NULL,
      country text NOT NULL,
      occurred_at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.customers (
      business_id text NOT NULL,
      customer_id text NOT NULL,
      first_name text NOT NULL,
      last_name text,
      phone_raw text,
      phone_region text,
      phone_e164 text,
      mobile boolean NOT NULL DEFAULT false,
      marketing_consent boolean NOT NULL,
      tags text[] NOT NULL DEFAULT '{}',
      last_visit_at timestamptz,
      services_had text[] NOT NULL DEFAULT '{}',
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (business_id, customer_id)
    );
    CREATE TABLE IF NOT EXISTS ${s}.opt_outs (
      phone text PRIMARY KEY,
      opted_out boolean NOT NULL,
      at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.campaigns (
      campaign_id text PRIMARY KEY,
      business_id text NOT NULL,
      status text NOT NULL,
      next_run_at timestamptz,
      run_id text,
      version integer NOT NULL,
      view jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS campaigns_due ON ${s}.campaigns (next_run_at) WHERE status = 'active';
    CREATE INDEX IF NOT EXISTS campaigns_business ON ${s}.campaigns (business_id);
  `);
  return s;
}
