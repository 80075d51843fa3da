import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { BusinessUpserted, CustomerUpserted } from '@dailydesk/contracts';
import { DomainError } from '@dailydesk/event-store';
import { PermanentError } from '@dailydesk/messaging';
import { SmsSettingsService } from '../sms-settings/sms-settings.service';
import { DirectoryRepository } from './directory.repository';

/** Keeps this service's copy of businesses and customers; settings the booking frontend holds become settings events. */
@Controller()
export class DirectoryHandlers {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly settings: SmsSettingsService,
  ) {}

  @EventPattern('BusinessUpserted', { durable: 'keep-businesses' })
  async keepBusiness(e: BusinessUpserted): Promise<void> {
    await this.directory.upsertBusiness(e);
    const fromFrontend = e.data.smsSettings;
    if (!fromFrontend || Object.keys(fromFrontend).length === 0) return;
    try {
      await this.settings.change(e.businessId, fromFrontend, 'booking-frontend', { id: e.id, correlationId: e.correlationId });
    } catch (err) {
      if (err instanceof DomainError) throw new PermanentError(err.message, { code: err.code, cause: err });
      throw err;
    }
  }

  @EventPattern('CustomerUpserted', { durable: 'keep-customers' })
  async keepCustomer(e: CustomerUpserted): Promise<void> {
    await this.directory.upsertCustomer(e);
  }
}
