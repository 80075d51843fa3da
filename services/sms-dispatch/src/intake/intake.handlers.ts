import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SendSms } from '@dailydesk/contracts';
import { DispatchRuntime } from '../dispatch/dispatch-runtime';

/** SendSms in → decided and durable (queued or suppressed) → acknowledged. Redeliveries change nothing. */
@Controller()
export class IntakeHandlers {
  constructor(@Inject(DispatchRuntime) private readonly runtime: DispatchRuntime) {}

  @EventPattern('SendSms', { durable: 'send-sms' })
  async onSendSms(request: SendSms): Promise<void> {
    await this.runtime.accept(request);
  }
}
