import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { CustomerOptedIn, CustomerOptedOut } from '@dailydesk/contracts';
import { EVENT_STORE } from '@dailydesk/service-kit';
import type { EventStore } from '@dailydesk/event-store';
import { RECIPIENT_CONSENT_CHANGED } from '../intake/intake.events';

/**
 * Keeps receipts' platform-wide opt-outs in this service's own store (private RecipientConsentChanged, stream per
 * number); the queue projection folds them into the consent table by their `at`, so a late START/STOP cannot win
 * over a newer one. Checked at intake and again when a waiting text is picked.
 */
@Controller()
export class ConsentHandlers {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @EventPattern('CustomerOptedOut', { durable: 'opt-outs' })
  async onOptedOut(event: CustomerOptedOut): Promise<void> {
    await this.record(event, true);
  }

  @EventPattern('CustomerOptedIn', { durable: 'opt-ins' })
  async onOptedIn(event: CustomerOptedIn): Promise<void> {
    await this.record(event, false);
  }

  private async record(event: CustomerOptedOut | CustomerOptedIn, optedOut: boolean): Promise<void> {
    const id = `consent:${event.id}`.slice(0, 256);
    await this.store.appendToStream(
      `consent-${event.data.phone}`,
      [{ ...event, id, type: RECIPIENT_CONSENT_CHANGED, v: 1, causationId: event.id, data: { phone: event.data.phone, optedOut, at: event.data.at } }],
      { expectedVersion: 'any' },
    );
  }
}
