import { Inject, Injectable } from '@nestjs/common';
import type { BusinessUpserted, CustomerOptedIn, CustomerOptedOut, CustomerUpserted } from '@dailydesk/contracts';
import type { Database } from '@dailydesk/event-store';
import { DATABASE } from '@dailydesk/service-kit';
import { SCHEMA } from '../campaigns.tokens';
import { normalisePhone } from './phone';

/** A business as campaigns know it. */
export interface BusinessRow {
  readonly businessId: string;
  readonly name: string;
  readonly timeZone: string;
  readonly country: string;
}

const PAGE = 1000;

/**
 * The audience read model: businesses, customers and platform-wide opt-outs, folded from the booking frontend's and
 * receipts' events. Every write is guarded by the event's own time so redelivered or reordered events never move a
 * row backwards.
 */
@Injectable()
export class AudienceProjection {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SCHEMA) private readonly s: string,
  ) {}

  async upsertBusiness(e: BusinessUpserted): Promise<void> {
    const rows = await this.db.query<{ country_changed: boolean }>(
      `INSERT INTO ${this.s}.businesses AS b (business_id, name, time_zone, country, occurred_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (business_id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, country = excluded.country,
         occurred_at = excluded.occurred_at
       WHERE b.occurred_at <= excluded.occurred_at
       RETURNING true AS country_changed`,
      [e.businessId, e.data.name, e.data.timeZone, e.data.country, e.occurredAt],
    );
    if (rows.length) await this.renormalisePhones(e.businessId, e.data.country);
  }

  /** Customers whose phone was read with another (or no) region are read again with the business's country. */
  private async renormalisePhones(businessId: string, country: string): Promise<void> {
    for (;;) {
      const page = await this.db.query<{ customer_id: string; phone_raw: string }>(
        `SELECT customer_id, phone_raw FROM ${this.s}.customers
         WHERE business_id = $1 AND phone_raw IS NOT NULL AND phone_region IS DISTINCT FROM $2 LIMIT ${PAGE}`,
        [businessId, country],
      );
      if (!page.length) return;
      const ids = page.map((r) => r.customer_id);
      const phones = page.map((r) => normalisePhone(r.phone_raw, country));
      await this.db.query(
        `UPDATE ${this.s}.customers c SET phone_region = $2, phone_e164 = u.e164, mobile = coalesce(u.mobile, false)
         FROM unnest($3::text[], $4::text[], $5::boolean[]) AS u(customer_id, e164, mobile)
         WHERE c.business_id = $1 AND c.customer_id = u.customer_id`,
        [businessId, country, ids, phones.map((p) => p?.e164 ?? null), phones.map((p) => p?.mobile ?? false)],
      );
    }
  }

  async upsertCustomer(e: CustomerUpserted): Promise<void> {
    const d = e.data;
    const business = await this.business(e.businessId);
    const region = business?.country ?? null;
    const phone = d.phone === null ? null : normalisePhone(d.phone, region);
    await this.db.query(
      `INSERT INTO ${this.s}.customers AS c (business_id, customer_id, first_name, last_name, phone_raw, phone_region, phone_e164, mobile,
         marketing_consent, tags, last_visit_at, services_had, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (business_id, customer_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
         phone_raw = excluded.phone_raw, phone_region = excluded.phone_region, phone_e164 = excluded.phone_e164, mobile = excluded.mobile,
         marketing_consent = excluded.marketing_consent, tags = excluded.tags, last_visit_at = excluded.last_visit_at,
         services_had = excluded.services_had, occurred_at = excluded.occurred_at
       WHERE c.occurred_at <= excluded.occurred_at`,
      [
        e.businessId, d.customerId, d.firstName, d.lastName ?? null, d.phone, region, phone?.e164 ?? null, phone?.mobile ?? false,
        d.marketingConsent, d.tags, d.lastVisitAt ?? null, (d.servicesHad ?? []).map((x) => x.toLowerCase()), e.occurredAt,
      ],
    );
    // Read without the business's country, the number may be unreadable. If the business was stored meanwhile, its
    // re-reading of phones may have run before this row existed: read them again now. (Either that re-reading saw
    // this row, or it finished before this insert, and then the business is visible here.)
    if (region === null && d.phone !== null) {
      const stored = await this.business(e.businessId);
      if (stored) await this.renormalisePhones(e.businessId, stored.country);
    }
  }

  async recordConsentChange(e: CustomerOptedOut | CustomerOptedIn): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.s}.opt_outs AS o (phone, opted_out, at) VALUES ($1, $2, $3)
       ON CONFLICT (phone) DO UPDATE SET opted_out = excluded.opted_out, at = excluded.at WHERE o.at <= excluded.at`,
      [e.data.phone, e.type === 'CustomerOptedOut', e.data.at],
    );
  }

  async business(businessId: string): Promise<BusinessRow | null> {
    const [row] = await this.db.query<{ name: string; time_zone: string; country: string }>(
      `SELECT name, time_zone, country FROM ${this.s}.businesses WHERE business_id = $1`,
      [businessId],
    );
    return row ? { businessId, name: row.name, timeZone: row.time_zone, country: row.country } : null;
  }
}
