import { BaseRpcContext } from '@nestjs/microservices';
import type { MessageContext } from '../message-processor';

/**
 * The Nest RPC context of a batch delivery (`@EventPattern(…, { batch: true })`, `@Ctx() ctx: JetStreamBatchContext`):
 * the library's context of each message, in the order of the payload array (subject, delivery count, stream
 * sequence, its child logger, `working()`).
 */
export class JetStreamBatchContext extends BaseRpcContext<[ReadonlyArray<MessageContext<unknown>>]> {
  /** The contexts of the batch's messages, in payload order. */
  getMessageContexts(): ReadonlyArray<MessageContext<unknown>> {
    return this.args[0];
  }
  /** Resets the server's ack wait of every message in the batch (also sent automatically while the handler runs). */
  working(): void {
    for (const ctx of this.args[0]) ctx.working();
  }
}
