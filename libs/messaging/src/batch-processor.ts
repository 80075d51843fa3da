import type { JsMsg } from '@nats-io/jetstream';
import { settleFailure, settleSuccess, startDelivery } from './message-processor';
import type { DeliverySettings, MessageContext, Outcome } from './message-processor';

/**
 * What a batch handler answers: nothing when every message of the batch succeeded, or one entry per message, in the
 * batch's order: `undefined` (or `null`) for a success, anything else is that message's failure, retried or
 * dead-lettered exactly as if a per-message handler had thrown it.
 */
export type BatchResult = ReadonlyArray<unknown>;

/**
 * Handles several deliveries at once (those that arrived together, at most the consumer's `batchMax`). Resolve to
 * have them acked (or answer per message, {@link BatchResult}); throw to fail every one of them.
 */
export type BatchHandler<M> = (batch: ReadonlyArray<MessageContext<M>>) => Promise<BatchResult | void> | BatchResult | void;

/** Settings {@link processBatch} works with: the policy and the batch handler. */
export interface BatchProcessorSettings<M> extends DeliverySettings<M> {
  batchHandler: BatchHandler<M>;
}

/**
 * Runs deliveries that arrived together to their end, with the same policy as one at a time: undecodable or
 * over-delivered messages are dead-lettered without reaching the handler; the others go to ONE handler call, then
 * each is acked, nak'ed with back-off or dead-lettered by its own result and delivery count. Why: a handler that
 * works in batches anyway (one append for many requests) otherwise pays a per-message async chain (transport, Nest,
 * its own promise) for every message while the batch is stored; that state lives long enough to be copied by every
 * young-generation GC (README, "Batch handlers").
 */
export async function processBatch<M>(msgs: readonly JsMsg[], s: BatchProcessorSettings<M>): Promise<Outcome[]> {
  const outcomes: Array<Outcome | Promise<Outcome>> = new Array<Outcome>(msgs.length);
  const started: Array<{ index: number; m: JsMsg; ctx: MessageContext<M> }> = [];
  msgs.forEach((m, index) => {
    const d = startDelivery(m, s);
    if ('ctx' in d) started.push({ index, m, ctx: d.ctx });
    else outcomes[index] = d.outcome;
  });
  if (started.length > 0) {
    const batch = started.map((x) => x.ctx);
    const timer = s.heartbeatMs > 0 ? setInterval(() => started.forEach((x) => x.m.working()), s.heartbeatMs) : undefined;
    let results: BatchResult | void = undefined;
    let failedAll: { err: unknown } | null = null;
    try {
      results = await s.batchHandler(batch);
      if (results !== undefined && (!Array.isArray(results) || results.length !== batch.length)) {
        const got = Array.isArray(results) ? `${results.length} results` : typeof results;
        failedAll = { err: new Error(`batch handler answered ${got} for ${batch.length} messages (a programming error; retried)`) };
      }
    } catch (err) {
      failedAll = { err };
    } finally {
      if (timer) clearInterval(timer);
    }
    started.forEach((x, j) => {
      const failure = failedAll ? failedAll.err : results?.[j];
      outcomes[x.index] = failedAll || (failure !== undefined && failure !== null) ? settleFailure(x.m, s, failure, x.ctx) : settleSuccess(x.m, s, x.ctx);
    });
  }
  return Promise.all(outcomes);
}
