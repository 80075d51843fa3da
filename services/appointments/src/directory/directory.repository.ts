import { Inject, Injectable } from '@nestjs/common';
import type { BusinessUpserted, CustomerUpserted, SendSms } from '@dailydesk/contracts';
import type { Database } from '@dailydesk/event-store';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { q } from '../shared/tables';

type Country = SendSms['data']['recipient']['defaultRegion'];

export interface BusinessRow {
  readonly name: string;
  readonly timeZone: string;
  readonly country: Country;
  readonly address?: string;
}

export interface CustomerRow {
  readonly firstName: string;
  readonly phone: string | null;
}

/**
 * This service's copy of the businesses and customers the booking frontend announces. An upsert only replaces a
 * row with a newer one (by the event's occurredAt), so a late redelivery of an old version changes nothing.
 */
@Injectable()
export class DirectoryRepository {
  private readonly s: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_SCHEMA) schema: string,
  ) {
    this.s = q(schema);
  }

  async upsertBusiness(e: BusinessUpserted): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.s}.businesses AS t (business_id, name, time_zone, country, address, source_occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (business_id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, country = excluded.country,
         address = excluded.address, source_occurred_at = excluded.source_occurred_at
       WHERE excluded.source_occurred_at >= t.source_occurred_at`,
      [e.businessId, e.data.name, e.data.timeZone, e.data.country, e.data.address ?? null, e.occurredAt],
    );
  }

  async upsertCustomer(e: CustomerUpserted): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.s}.customers AS t (business_id, customer_id, first_name, phone, source_occurred_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (business_id, customer_id) DO UPDATE SET first_name = excluded.first_name, phone = excluded.phone,
         source_occurred_at = excluded.source_occurred_at
       WHERE excluded.source_occurred_at >= t.source_occurred_at`,
      [e.businessId, e.data.customerId, e.data.firstName, e.data.phone, e.occurredAt],
    );
  }

  async business(businessId: string): Promise<BusinessRow | null> {
    const [row] = await this.db.query<{ name: string; time_zone: string; country: Country; address: string | null }>(
      `SELECT name, time_zone, country, address FROM ${this.s}.businesses WHERE business_id = $1`,
      [businessId],
    );
    if (!row) return null;
    return { name: row.name, timeZone: row.time_zone, country: row.country, ...(row.address ? { address: row.address } : {}) };
  }

  async customers(businessId: string, customerIds: readonly string[]): Promise<Map<string, CustomerRow>> {
    const rows = await this.db.query<{ customer_id: string; first_name: string; phone: string | null }>(
      `SELECT customer_id, first_name, phone FROM ${this.s}.customers WHERE business_id = $1 AND customer_id = ANY($2::text[])`,
      [businessId, customerIds],
    );
    return new Map(rows.map((r) => [r.customer_id, { firstName: r.first_name, phone: r.phone }]));
  }
}
