import { BaseRpcContext } from '@nestjs/microservices';
import type { Logger } from 'pino';
import type { MessageContext } from '../message-processor';

/**
 * The Nest RPC context of a JetStream delivery (`@Ctx() ctx: JetStreamContext`): subject, delivery count,
 * stream sequence, the per-message child logger and `working()` for long handlers.
 */
export class JetStreamContext extends BaseRpcContext<[MessageContext<unknown>]> {
  /** The library's message context behind this Nest context. */
  getMessageContext(): MessageContext<unknown> {
    return this.args[0];
  }
  /** Subject the message was published on. */
  getSubject(): string {
    return this.args[0].subject;
  }
  /** 1 on first delivery, 2 on the first redelivery, ... */
  getDeliveryCount(): number {
    return this.args[0].deliveryCount;
  }
  /** The message's stream sequence. */
  getStreamSeq(): number {
    return this.args[0].streamSeq;
  }
  /** Durable consumer name (`<service>--<purpose>`). */
  getConsumer(): string {
    return this.args[0].consumer;
  }
  /** Child logger with subject, type, messageId, correlationId and delivery count. */
  getLogger(): Logger {
    return this.args[0].logger;
  }
  /** Resets the server's ack wait for this message (also sent automatically while the handler runs). */
  working(): void {
    this.args[0].working();
  }
}
