import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SmsFailed, SmsSent, SmsSuppressed } from '@dailydesk/contracts';
import { APPOINTMENTS_OPTIONS, type AppointmentsOptions } from '../shared/tokens';
import { AppointmentCommands } from './appointment.commands';
import type { SmsOutcome } from './appointment.events';

const APPOINTMENT_PURPOSES: ReadonlySet<string> = new Set(['confirmation', 'reschedule', 'reminder', 'review']);

/**
 * Records sms-dispatch's outcome of each appointment text in the appointment's stream, so the appointment shows
 * whether its texts actually went out. Outcomes of other texts (campaigns, tests) are acknowledged and ignored.
 */
@Controller()
export class SmsOutcomeHandlers {
  constructor(
    private readonly commands: AppointmentCommands,
    @Inject(APPOINTMENTS_OPTIONS) private readonly options: AppointmentsOptions,
  ) {}

  @EventPattern('SmsSent', { durable: 'record-sms-sent' })
  recordSent(e: SmsSent): Promise<void> {
    return this.record(e, 'sent', e.data.sentAt);
  }

  @EventPattern('SmsFailed', { durable: 'record-sms-failed' })
  recordFailed(e: SmsFailed): Promise<void> {
    return this.record(e, 'failed', e.data.failedAt, e.data.reason);
  }

  @EventPattern('SmsSuppressed', { durable: 'record-sms-suppressed' })
  recordSuppressed(e: SmsSuppressed): Promise<void> {
    return this.record(e, 'suppressed', e.data.suppressedAt, e.data.reason);
  }

  private async record(e: SmsSent | SmsFailed | SmsSuppressed, outcome: SmsOutcome, at: string, reason?: string): Promise<void> {
    const { appointmentId } = e.data.refs;
    if (!appointmentId || !APPOINTMENT_PURPOSES.has(e.data.purpose)) return;
    await this.commands.runForMessage({
      type: 'RecordSmsOutcome',
      data: { appointmentId, businessId: e.businessId, messageId: e.data.messageId, outcome, at, ...(reason ? { reason } : {}) },
      metadata: { commandId: e.id, now: this.options.clock().toISOString(), correlationId: e.correlationId, businessId: e.businessId },
    });
  }
}
