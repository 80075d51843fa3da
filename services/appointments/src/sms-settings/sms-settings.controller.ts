import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Put } from '@nestjs/common';
import { EntityId } from '@dailydesk/contracts';
import { DomainError } from '@dailydesk/event-store';
import { DirectoryRepository } from '../directory/directory.repository';
import { SmsSettingsPatch, type SmsSettings } from './sms-settings.schema';
import { SmsSettingsService } from './sms-settings.service';

/** What GET and PUT answer. */
interface SettingsView {
  businessId: string;
  settings: SmsSettings;
  /** The zone texts use: `settings.timeZone`, else the business's own (null while the business is unknown). */
  effectiveTimeZone: string | null;
}

/** `GET/PUT /businesses/:id/sms-settings`: a business's texting settings, kept as events in its settings stream. */
@Controller('businesses/:businessId/sms-settings')
export class SmsSettingsController {
  constructor(
    private readonly service: SmsSettingsService,
    private readonly directory: DirectoryRepository,
  ) {}

  @Get()
  async read(@Param('businessId') businessId: string): Promise<SettingsView> {
    this.checkId(businessId);
    const [{ settings, customised }, business] = await Promise.all([this.service.read(businessId), this.directory.business(businessId)]);
    if (!customised && !business) throw new NotFoundException({ error: 'unknown-business', reason: `business ${businessId} is not known` });
    return { businessId, settings, effectiveTimeZone: settings.timeZone ?? business?.timeZone ?? null };
  }

  /** Any subset of the settings; fields left out keep their value. Templates are checked before anything is stored. */
  @Put()
  @HttpCode(200)
  async change(@Param('businessId') businessId: string, @Body() body: unknown): Promise<SettingsView> {
    this.checkId(businessId);
    const parsed = SmsSettingsPatch.safeParse(body ?? {});
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new BadRequestException({ error: 'invalid-settings', reason });
    }
    try {
      const settings = await this.service.change(businessId, parsed.data, 'api');
      const business = await this.directory.business(businessId);
      return { businessId, settings, effectiveTimeZone: settings.timeZone ?? business?.timeZone ?? null };
    } catch (err) {
      if (err instanceof DomainError) {
        const placeholder = /\{\{([^{}]*)\}\}/.exec(err.message)?.[1];
        throw new BadRequestException({
          error: err.code.toLowerCase().replace(/_/g, '-'),
          reason: err.message,
          ...(err.code === 'UNKNOWN_PLACEHOLDER' && placeholder !== undefined ? { placeholder } : {}),
        });
      }
      throw err;
    }
  }

  private checkId(businessId: string): void {
    if (!EntityId.safeParse(businessId).success) throw new BadRequestException({ error: 'invalid-business-id', reason: 'not a valid business id' });
  }
}
