import { SMS_TEXT_MAX_LENGTH, type SendSms } from '@dailydesk/contracts';
import type { Recipient } from '../audience/audience.query';
import { compileTemplate, renderTemplate, type CompiledTemplate } from '../campaign/campaign.template';
import type { RunInProgress } from '../campaign/campaign.decider';
import { instantOf } from '../campaign/campaign.schedule';

/** The deterministic id of one campaign text: run + customer, so a resumed or repeated run never texts twice. */
export const messageIdOf = (runId: string, customerId: string) => `cmp:${runId}:${customerId}`;

/** Builds the SendSms requests of one run (the template is compiled once). */
export class SendSmsBuilder {
  private readonly template: CompiledTemplate;
  private readonly campaignId: string;
  private readonly expiresAt: string;
  /** The instant the run's occurrence was scheduled for; relative audience filters are measured from it. */
  readonly scheduledAt: string;

  constructor(
    private readonly run: RunInProgress,
    private readonly businessId: string,
    ttlHours: number,
  ) {
    this.template = compileTemplate(run.template);
    this.campaignId = run.runId.slice(0, run.runId.length - run.occurrence.length - 1);
    const scheduled = Date.parse(instantOf(run.occurrence, run.scheduledAt.slice(11), run.business.timeZone));
    this.scheduledAt = new Date(scheduled).toISOString();
    this.expiresAt = new Date(scheduled + ttlHours * 3_600_000).toISOString();
  }

  /** The request for one recipient, or null when the rendered text is too long to send. */
  build(r: Recipient, now: string): SendSms | null {
    const text = renderTemplate(this.template, { firstName: r.firstName, lastName: r.lastName ?? '', businessName: this.run.business.name });
    if (text.length > SMS_TEXT_MAX_LENGTH || !/\S/.test(text)) return null;
    const messageId = messageIdOf(this.run.runId, r.customerId);
    return {
      id: messageId,
      type: 'SendSms',
      v: 1,
      occurredAt: now,
      businessId: this.businessId,
      correlationId: this.run.runId,
      causationId: this.run.runId,
      data: {
        messageId,
        recipient: { phone: r.phone, defaultRegion: this.run.business.country as SendSms['data']['recipient']['defaultRegion'] },
        text,
        purpose: 'campaign',
        priority: 'bulk',
        expiresAt: this.expiresAt,
        refs: { campaignId: this.campaignId, campaignRunId: this.run.runId, customerId: r.customerId },
      },
    };
  }
}
