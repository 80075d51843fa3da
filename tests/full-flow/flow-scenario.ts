import type { PublicMessage, PublicMessageType } from '@dailydesk/contracts';
import { DateTime } from 'luxon';

/** A customer of the suite's salon. */
export interface FlowCustomer {
  readonly customerId: string;
  readonly firstName: string;
  /** As the booking frontend stores it (national spelling). */
  readonly phone: string | null;
  /** E.164 digits without '+', as the gateway sees them. */
  readonly digits: string;
  readonly marketingConsent: boolean;
}

export const TZ = 'Europe/Berlin';

/**
 * Builds contract envelopes the way the booking frontend does: ids unique to the run (so JetStream's
 * de-duplication and the services' idempotency see new messages), `occurredAt` strictly increasing.
 */
export class FlowScenario {
  readonly businessId: string;
  private seq = 0;
  private lastAt = 0;

  constructor(readonly runId: string) {
    this.businessId = `ff-salon-${runId}`;
  }

  envelope<T extends PublicMessageType>(type: T, data: unknown, businessId: string | null = this.businessId): Extract<PublicMessage, { type: T }> {
    this.seq += 1;
    // Services order changes to one aggregate by occurredAt: never let two messages share an instant.
    this.lastAt = Math.max(Date.now(), this.lastAt + 1);
    const id = `ff-${this.runId}-${this.seq}`;
    return { id, type, v: 1, occurredAt: new Date(this.lastAt).toISOString(), businessId, correlationId: id, causationId: null, data } as unknown as Extract<PublicMessage, { type: T }>;
  }

  /** A customer with a fictitious German mobile number unique to `n` (national spelling, as people type it). */
  customer(name: string, n: number, marketingConsent: boolean, withPhone = true): FlowCustomer {
    const local = `1512${String(n).padStart(7, '0')}`;
    return {
      customerId: `cus-${name.toLowerCase()}-${this.runId}`,
      firstName: name,
      phone: withPhone ? `0${local.slice(0, 3)} ${local.slice(3)}` : null,
      digits: `49${local}`,
      marketingConsent,
    };
  }

  /** The booking frontend's CustomerUpserted; consenting customers are tagged 'regular' unless `tags` says otherwise. */
  customerUpserted(c: FlowCustomer, tags?: string[]) {
    return this.envelope('CustomerUpserted', {
      customerId: c.customerId,
      firstName: c.firstName,
      phone: c.phone,
      marketingConsent: c.marketingConsent,
      ...(c.marketingConsent ? { consentedAt: new Date().toISOString() } : {}),
      tags: tags ?? (c.marketingConsent ? ['regular'] : []),
      lastVisitAt: null,
      servicesHad: ['Haircut'],
    });
  }

  /** Local wall-clock time in the salon's zone, `days` from today at `hour`:00. */
  static at(days: number, hour: number, minute = 0): DateTime {
    return DateTime.now().setZone(TZ).plus({ days }).set({ hour, minute, second: 0, millisecond: 0 });
  }

  static iso(d: DateTime): string {
    return d.toISO({ suppressMilliseconds: true })!;
  }

  /** The id appointments gives a text: `sms:appt:<appointmentId>:<purpose>:<startsAt UTC>`. */
  static apptSmsId(appointmentId: string, purpose: string, startsAt: DateTime): string {
    return `sms:appt:${appointmentId}:${purpose}:${startsAt.toUTC().toISO()}`;
  }
}
