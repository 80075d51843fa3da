import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SendSms } from '@dailydesk/contracts';
import type { BatchResult } from '@dailydesk/messaging';
import { DispatchRuntime } from '../dispatch/dispatch-runtime';

/**
 * SendSms in → decided and durable (queued or suppressed) → acknowledged. Redeliveries change nothing.
 * Delivered in batches (the requests that arrived together): intake stores them in batches anyway, and one Nest call
 * per request kept a chain of promises and contexts alive per request while its batch was stored (README, eighth pass).
 */
@Controller()
export class IntakeHandlers {
  constructor(@Inject(DispatchRuntime) private readonly runtime: DispatchRuntime) {}

  @EventPattern('SendSms', { durable: 'send-sms', batch: true })
  async onSendSms(requests: SendSms[]): Promise<BatchResult> {
    return this.runtime.acceptMany(requests);
  }
}
