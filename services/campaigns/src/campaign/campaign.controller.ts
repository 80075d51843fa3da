import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, HttpException, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { EntityId } from '@dailydesk/contracts';
import { DomainError } from '@dailydesk/event-store';
import { z } from 'zod';
import { AudienceProjection } from '../audience/audience.projection';
import { AudienceQuery } from '../audience/audience.query';
import { CLOCK, type Clock } from '../campaigns.tokens';
import { CampaignDefinition, describeIssues } from './campaign.definition';
import type { CampaignCommand } from './campaign.decider';
import { CampaignProjection, type LoadedCampaign } from './campaign.projection';
import { compileTemplate, renderTemplate } from './campaign.template';
import { smsEncodingOf } from './sms-encoding';

const CampaignId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ -');
const CreateHead = z.object({ campaignId: CampaignId.optional(), businessId: EntityId });
const PreviewBody = z.object({ customerId: EntityId.optional() }).strict();

const STATUS_OF_CODE: Record<string, number> = { CAMPAIGN_NOT_FOUND: 404 };

function fail(status: number, code: string, reason: string): never {
  throw new HttpException({ statusCode: status, code, message: reason }, status);
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) fail(400, 'INVALID_REQUEST', describeIssues(r.error));
  return r.data;
}

async function mapDomainErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) fail(STATUS_OF_CODE[err.code] ?? 409, err.code, err.message);
    throw err;
  }
}

type Lifecycle = 'ActivateCampaign' | 'PauseCampaign' | 'ResumeCampaign' | 'ArchiveCampaign';

/** The campaigns HTTP API: define, edit, activate, pause, resume, archive, list, preview. */
@Controller('campaigns')
export class CampaignController {
  constructor(
    private readonly campaigns: CampaignProjection,
    private readonly businesses: AudienceProjection,
    private readonly audience: AudienceQuery,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  async create(@Body() body: Record<string, unknown> | undefined) {
    const { campaignId: _id, businessId: _b, ...rest } = body ?? {};
    const head = parse(CreateHead, { campaignId: _id, businessId: _b });
    const definition = parse(CampaignDefinition, rest);
    const business = await this.businesses.business(head.businessId);
    if (!business) fail(409, 'BUSINESS_UNKNOWN', 'no BusinessUpserted has been received for this business yet');
    const campaignId = head.campaignId ?? randomUUID();
    return this.command(campaignId, head.businessId, 'CreateCampaign', { campaignId, businessId: head.businessId, timeZone: business.timeZone, definition });
  }

  @Get()
  async list(@Query('businessId') businessId: string | undefined, @Query('status') status: string | undefined) {
    const id = parse(EntityId, businessId);
    return { campaigns: await this.campaigns.list(id, status) };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return this.campaigns.view(await this.existing(id));
  }

  @Patch(':id')
  async edit(@Param('id') id: string, @Body() body: Record<string, unknown> | undefined) {
    const loaded = await this.existing(id);
    if (loaded.state.status === 'none') throw new Error('unreachable');
    const definition = parse(CampaignDefinition, { ...loaded.state.definition, ...(body ?? {}) });
    const zone = await this.zoneOf(loaded.state.businessId, loaded.state.timeZone);
    return this.command(id, loaded.state.businessId, 'EditCampaign', { definition, timeZone: zone });
  }

  @Post(':id/activate')
  @HttpCode(200)
  activate(@Param('id') id: string) {
    return this.lifecycle(id, 'ActivateCampaign');
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id') id: string) {
    return this.lifecycle(id, 'PauseCampaign');
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string) {
    return this.lifecycle(id, 'ResumeCampaign');
  }

  @Post(':id/archive')
  @HttpCode(200)
  archive(@Param('id') id: string) {
    return this.lifecycle(id, 'ArchiveCampaign');
  }

  @Post(':id/preview')
  @HttpCode(200)
  previewPost(@Param('id') id: string, @Body() body: unknown) {
    return this.preview(id, parse(PreviewBody, body).customerId);
  }

  @Get(':id/preview')
  previewGet(@Param('id') id: string, @Query('customerId') customerId: string | undefined) {
    return this.preview(id, customerId === undefined ? undefined : parse(EntityId, customerId));
  }

  /** The template rendered for a sample customer, the audience size now, and the text's encoding and segments. */
  private async preview(id: string, customerId: string | undefined) {
    const { state } = await this.existing(id);
    if (state.status === 'none') throw new Error('unreachable');
    const { businessId, definition } = state;
    const now = this.clock().toISOString();
    const business = await this.businesses.business(businessId);
    const sample = await this.audience.sample(businessId, definition.audience, now, customerId);
    if (customerId !== undefined && !sample) fail(404, 'CUSTOMER_NOT_FOUND', 'no such customer of this business');
    const values = sample
      ? { firstName: sample.firstName, lastName: sample.lastName ?? '', businessName: business?.name ?? '' }
      : { firstName: 'Alex', lastName: 'Example', businessName: business?.name ?? '' };
    const text = renderTemplate(compileTemplate(definition.template), values);
    const encoding = smsEncodingOf(text);
    return {
      campaignId: id,
      sampleCustomerId: sample?.customerId ?? null,
      text,
      characters: text.length,
      encoding: encoding.encoding,
      segments: encoding.segments,
      audienceSize: await this.audience.count(businessId, definition.audience, now),
    };
  }

  private async lifecycle(id: string, type: Lifecycle) {
    const loaded = await this.existing(id);
    if (loaded.state.status === 'none') throw new Error('unreachable');
    const zone = await this.zoneOf(loaded.state.businessId, loaded.state.timeZone);
    const data = type === 'ActivateCampaign' || type === 'ResumeCampaign' ? { timeZone: zone } : {};
    return this.command(id, loaded.state.businessId, type, data);
  }

  private async command(campaignId: string, businessId: string, type: CampaignCommand['type'], data: unknown) {
    const commandId = randomUUID();
    const loaded = await mapDomainErrors(() =>
      this.campaigns.execute(campaignId, businessId, { type, data, metadata: { commandId, correlationId: commandId } } as never),
    );
    return this.campaigns.view(loaded);
  }

  private async existing(id: string): Promise<LoadedCampaign> {
    parse(CampaignId, id);
    const loaded = await this.campaigns.load(id);
    if (loaded.state.status === 'none') fail(404, 'CAMPAIGN_NOT_FOUND', 'no such campaign');
    return loaded;
  }

  /** The business's zone now (it may have moved since the campaign was defined). */
  private async zoneOf(businessId: string, fallback: string): Promise<string> {
    return (await this.businesses.business(businessId))?.timeZone ?? fallback;
  }
}
