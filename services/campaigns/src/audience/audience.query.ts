import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@dailydesk/event-store';
import { DATABASE } from '@dailydesk/service-kit';
import { SCHEMA } from '../campaigns.tokens';
import type { AudienceFilter } from '../campaign/campaign.definition';

/** One recipient of a run. */
export interface Recipient {
  readonly customerId: string;
  readonly firstName: string;
  readonly lastName: string | null;
  readonly phone: string;
}

const DAY_MS = 86_400_000;

/**
 * The WHERE clause of an audience: the campaign's filter plus the rules every campaign obeys (marketing consent,
 * not opted out platform-wide, a valid mobile number). Relative visit filters are measured from `at` (the run's time),
 * so a recurring campaign re-evaluates them at every run.
 */
function whereOf(s: string, businessId: string, filter: AudienceFilter, at: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [businessId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const clauses = [
    'c.business_id = $1',
    'c.marketing_consent',
    'c.mobile',
    'c.phone_e164 IS NOT NULL',
    `NOT EXISTS (SELECT 1 FROM ${s}.opt_outs o WHERE o.phone = c.phone_e164 AND o.opted_out)`,
  ];
  if (filter.tagsAny) clauses.push(`c.tags && ${p(filter.tagsAny)}::text[]`);
  if (filter.tagsAll) clauses.push(`c.tags @> ${p(filter.tagsAll)}::text[]`);
  if (filter.lastVisitBefore) clauses.push(`c.last_visit_at < ${p(filter.lastVisitBefore)}::timestamptz`);
  if (filter.lastVisitAfter) clauses.push(`c.last_visit_at > ${p(filter.lastVisitAfter)}::timestamptz`);
  const t = Date.parse(at);
  if (filter.noVisitForDays) clauses.push(`c.last_visit_at <= ${p(new Date(t - filter.noVisitForDays * DAY_MS).toISOString())}::timestamptz`);
  if (filter.visitedWithinDays) clauses.push(`c.last_visit_at >= ${p(new Date(t - filter.visitedWithinDays * DAY_MS).toISOString())}::timestamptz`);
  if (filter.hasHadService) clauses.push(`c.services_had @> ARRAY[${p(filter.hasHadService.toLowerCase())}::text]`);
  return { sql: clauses.join(' AND '), params };
}

interface RecipientRow {
  customer_id: string;
  first_name: string;
  last_name: string | null;
  phone_e164: string;
}

/** Reads audiences from the audience tables: keyset pages (never a whole audience in memory), counts, samples. */
@Injectable()
export class AudienceQuery {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SCHEMA) private readonly s: string,
  ) {}

  /** Up to `limit` recipients with a customer id after `afterCustomerId` ('' = from the start), in customer id order. */
  async page(businessId: string, filter: AudienceFilter, at: string, afterCustomerId: string, limit: number): Promise<Recipient[]> {
    const { sql, params } = whereOf(this.s, businessId, filter, at);
    params.push(afterCustomerId, limit);
    const rows = await this.db.query<RecipientRow>(
      `SELECT c.customer_id, c.first_name, c.last_name, c.phone_e164 FROM ${this.s}.customers c
       WHERE ${sql} AND c.customer_id > $${params.length - 1} ORDER BY c.customer_id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ customerId: r.customer_id, firstName: r.first_name, lastName: r.last_name, phone: r.phone_e164 }));
  }

  async count(businessId: string, filter: AudienceFilter, at: string): Promise<number> {
    const { sql, params } = whereOf(this.s, businessId, filter, at);
    const [row] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.customers c WHERE ${sql}`, params);
    return Number(row?.n ?? 0);
  }

  /** A customer of the business for a preview: the given one, or the first of the audience, or null. */
  async sample(businessId: string, filter: AudienceFilter, at: string, customerId?: string): Promise<Omit<Recipient, 'phone'> | null> {
    if (customerId === undefined) return (await this.page(businessId, filter, at, '', 1))[0] ?? null;
    const [r] = await this.db.query<RecipientRow>(
      `SELECT customer_id, first_name, last_name FROM ${this.s}.customers WHERE business_id = $1 AND customer_id = $2`,
      [businessId, customerId],
    );
    return r ? { customerId: r.customer_id, firstName: r.first_name, lastName: r.last_name } : null;
  }
}
