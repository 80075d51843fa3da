import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { BusinessUpserted, CustomerOptedIn, CustomerOptedOut, CustomerUpserted } from '@dailydesk/contracts';
import { AudienceProjection } from './audience.projection';

/** Keeps the audience tables current from the booking frontend's customers and businesses and receipts' opt-outs. */
@Controller()
export class AudienceHandlers {
  constructor(private readonly audience: AudienceProjection) {}

  @EventPattern('BusinessUpserted', { durable: 'audience-businesses' })
  async recordBusiness(e: BusinessUpserted): Promise<void> {
    await this.audience.upsertBusiness(e);
  }

  @EventPattern('CustomerUpserted', { durable: 'audience-customers' })
  async recordCustomer(e: CustomerUpserted): Promise<void> {
    await this.audience.upsertCustomer(e);
  }

  @EventPattern('CustomerOptedOut', { durable: 'audience-opt-outs' })
  async recordOptOut(e: CustomerOptedOut): Promise<void> {
    await this.audience.recordConsentChange(e);
  }

  @EventPattern('CustomerOptedIn', { durable: 'audience-opt-ins' })
  async recordOptIn(e: CustomerOptedIn): Promise<void> {
    await this.audience.recordConsentChange(e);
  }
}
