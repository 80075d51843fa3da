import { createHash, randomUUID } from 'node:crypto';
import type { EnvelopeBase } from '@dailydesk/contracts';
import { DuplicateEventError, type EventStore } from '@dailydesk/event-store';

/**
 * Deterministic event id of one fact about one message. `intake` is the first decision (queued or suppressed),
 * `outcome` the last (sent, failed or suppressed): the store keeps each id once, so neither can happen twice.
 */
export function eventIdOf(kind: string, messageId: string): string {
  const id = `sms:${messageId}:${kind}`;
  return id.length <= 256 ? id : `sms:h${createHash('sha256').update(messageId).digest('hex')}:${kind}`;
}

/** Stream of the status reports dispatch keeps for one message whose POST outcome was unknown (SmsTaskReported). */
export function reportStreamOf(messageId: string): string {
  return `sms-report-${messageId}`;
}

/** What {@link appendNew} stored. */
export interface AppendedBatch {
  readonly appended: EnvelopeBase[];
  /** Event ids already in the store (an earlier delivery or decision): nothing was written for them. */
  readonly repeated: Set<string>;
  readonly lastGlobalPosition: number;
}

/**
 * Appends many messages' events in ONE transaction, to a fresh stream (`<prefix>-<uuid>`). Ids already stored
 * anywhere are a repeat: they are dropped and the rest appended, so the store's unique ids decide what happened first.
 */
export async function appendNew(store: EventStore, prefix: string, events: EnvelopeBase[]): Promise<AppendedBatch> {
  const repeated = new Set<string>();
  let pending = events;
  while (pending.length > 0) {
    try {
      const r = await store.appendToStream(`${prefix}-${randomUUID()}`, pending, { expectedVersion: 'no-stream' });
      return { appended: pending, repeated, lastGlobalPosition: r.lastGlobalPosition };
    } catch (err) {
      if (!(err instanceof DuplicateEventError)) throw err;
      for (const id of err.eventIds) repeated.add(id);
      pending = pending.filter((e) => !repeated.has(e.id));
    }
  }
  return { appended: [], repeated, lastGlobalPosition: 0 };
}
