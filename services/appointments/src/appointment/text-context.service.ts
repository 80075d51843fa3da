import { Injectable } from '@nestjs/common';
import { DirectoryRepository, type BusinessRow, type CustomerRow } from '../directory/directory.repository';
import { SmsSettingsService } from '../sms-settings/sms-settings.service';
import type { SmsSettings } from '../sms-settings/sms-settings.schema';
import type { TextContext } from './appointment.events';

/** A business as texting needs it: its row, its settings, and the zone local times are read in. */
export interface BusinessTexting {
  readonly business: BusinessRow;
  readonly settings: SmsSettings;
  readonly timeZone: string;
}

/** Gathers what the appointment decider needs to word a text; null pieces mean "not known yet". */
@Injectable()
export class TextContextService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly settings: SmsSettingsService,
  ) {}

  async business(businessId: string): Promise<BusinessTexting | null> {
    const business = await this.directory.business(businessId);
    if (!business) return null;
    const { settings } = await this.settings.read(businessId);
    return { business, settings, timeZone: settings.timeZone ?? business.timeZone };
  }

  async customers(businessId: string, customerIds: readonly string[]): Promise<Map<string, CustomerRow>> {
    return this.directory.customers(businessId, customerIds);
  }

  /** The context for one customer, or null while the business or the customer is unknown. */
  async forCustomer(businessId: string, customerId: string): Promise<TextContext | null> {
    const b = await this.business(businessId);
    const customer = (await this.customers(businessId, [customerId])).get(customerId);
    return b && customer ? contextOf(b, customer) : null;
  }
}

export const contextOf = (b: BusinessTexting, customer: CustomerRow): TextContext => ({
  business: { name: b.business.name, country: b.business.country, ...(b.business.address ? { address: b.business.address } : {}) },
  timeZone: b.timeZone,
  settings: b.settings,
  customer,
});
