import type { EnvelopeBase } from '@dailydesk/contracts';
import { checkAppendInput, requiredVersion } from '../append-input';
import {
  ConcurrencyError,
  DuplicateEventError,
  type AppendResult,
  type EventStore,
  type EventStoreOptions,
  type ExpectedVersion,
  type GlobalPosition,
  type Leadership,
  type ReadStreamResult,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import { SubscriptionRunner, type TypedRead } from '../subscription/subscription-runner';
import { AppendListeners } from '../subscription/wake-signal';
import type { EventRow, EventStoreSql } from './event-store.sql';
import type { SqlExecutor } from './sql-executor';

const ANY_VERSION_ATTEMPTS = 5;

/** The event store over any {@link SqlExecutor}: PostgreSQL and PGlite share all of this. */
export class SqlEventStore implements EventStore {
  private readonly listeners = new AppendListeners();
  private readonly subscriptions = new Set<Subscription>();
  private unlisten: (() => Promise<void>) | null = null;
  private notifying = false;
  private notifyAgain = false;
  /** Highest position this process has appended: the payload of its NOTIFYs. */
  private appendedUpTo = 0;

  constructor(
    private readonly db: SqlExecutor,
    private readonly sql: EventStoreSql,
    private readonly options: EventStoreOptions,
  ) {}

  /** Starts listening for appends made by other processes. */
  async start(): Promise<void> {
    // The payload is the appending process's last position ('' from older writers and after a reconnect: unknown).
    this.unlisten = await this.db.listen(this.sql.channel, (payload) => this.listeners.notify(/^\d+$/.test(payload) ? Number(payload) : undefined));
  }

  async appendToStream(
    streamId: string,
    events: EnvelopeBase[],
    { expectedVersion }: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    const checked = checkAppendInput(streamId, events, expectedVersion);
    const rows = toAppendRows(checked);
    const required = requiredVersion(expectedVersion);
    for (let attempt = 1; ; attempt++) {
      const inserted = await this.insert(streamId, rows, required);
      if (inserted) {
        this.announce(inserted.lastGlobalPosition);
        return { ...inserted, appended: true };
      }
      const outcome = await this.explainRefusal(streamId, checked, expectedVersion);
      // 'any' lost a race for the next position to a concurrent append: try again at the new end.
      if (outcome === 'retry' && attempt < ANY_VERSION_ATTEMPTS) continue;
      if (outcome === 'retry') throw new ConcurrencyError(streamId, expectedVersion, -1);
      return outcome;
    }
  }

  /** One append statement; null (nothing inserted) when refused for a version or id conflict. */
  private async insert(streamId: string, rows: string, required: number | null) {
    try {
      const result = await this.db.queryReleasingLocks<{ global_position: string; stream_position: string }>(this.sql.append, [streamId, rows, required]);
      return {
        nextExpectedVersion: Math.max(...result.map((r) => Number(r.stream_position))),
        lastGlobalPosition: Math.max(...result.map((r) => Number(r.global_position))),
      };
    } catch (err) {
      if ((err as { code?: string }).code === this.sql.refusedCode) return null;
      throw err;
    }
  }

  /** Why nothing was appended: an idempotent repeat (returns its result), a conflict, a duplicate id, or a lost 'any' race. */
  private async explainRefusal(streamId: string, events: EnvelopeBase[], expected: ExpectedVersion): Promise<AppendResult | 'retry'> {
    const found = await this.db.query<{ event_id: string; stream_id: string; global_position: string }>(this.sql.findIds, [
      events.map((e) => e.id),
    ]);
    const [{ version }] = (await this.db.query<{ version: string }>(this.sql.streamVersion, [streamId])) as [{ version: string }];
    const actual = Number(version);
    if (found.length === events.length && found.every((r) => r.stream_id === streamId)) {
      const last = Math.max(...found.map((r) => Number(r.global_position)));
      return { nextExpectedVersion: actual, lastGlobalPosition: last, appended: false };
    }
    const required = requiredVersion(expected);
    if (required !== null && required !== actual) throw new ConcurrencyError(streamId, expected, actual);
    if (found.length > 0) throw new DuplicateEventError(streamId, found.map((r) => r.event_id));
    if (required === null) return 'retry';
    // The version matched when we looked but a concurrent append took the position first.
    throw new ConcurrencyError(streamId, expected, actual);
  }

  async storedIds(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const found = await this.db.query<{ event_id: string }>(this.sql.findIds, [eventIds]);
    return new Set(found.map((r) => r.event_id));
  }

  async readStream(streamId: string): Promise<ReadStreamResult> {
    const rows = await this.db.query<EventRow>(this.sql.readStream, [streamId]);
    const events = rows.map((r) => this.decode(r));
    return { version: events.length === 0 ? 0 : events[events.length - 1]!.streamPosition, events };
  }

  async readAll(after: GlobalPosition, limit: number): Promise<RecordedEvent[]> {
    const rows = await this.db.query<EventRow>(this.sql.readAll, [after, limit]);
    return rows.map((r) => this.decode(r));
  }

  /** The events of `types` among the next `limit` readable ones (see the subscription option `types`). */
  async readAllOfTypes(after: GlobalPosition, limit: number, types: readonly string[]): Promise<TypedRead> {
    const rows = await this.db.query<EventRow & { scanned_to: string | null }>(this.sql.readAllOfTypes, [after, limit, types]);
    const scanned = rows[0]?.scanned_to;
    return { events: rows.filter((r) => r.event_id !== null).map((r) => this.decode(r)), scannedTo: scanned == null ? null : Number(scanned) };
  }

  async readCheckpoint(name: string): Promise<GlobalPosition> {
    const rows = await this.db.query<{ position: string }>(this.sql.readCheckpoint, [name]);
    return rows.length === 0 ? 0 : Number(rows[0]!.position);
  }

  async storeCheckpoint(name: string, position: GlobalPosition): Promise<void> {
    await this.db.query(this.sql.storeCheckpoint, [name, position]);
  }

  subscribe(options: SubscribeOptions): Subscription {
    const runner = new SubscriptionRunner(this, options, (wake) => this.listeners.add(wake));
    this.subscriptions.add(runner);
    return {
      get position() {
        return runner.position;
      },
      stop: async () => {
        this.subscriptions.delete(runner);
        await runner.stop();
      },
    };
  }

  tryAcquireLeadership(name: string): Promise<Leadership | null> {
    return this.db.tryAcquireLeadership(this.sql.tryLeadership, this.sql.releaseLeadership, name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.unlisten?.();
    await this.db.close();
  }

  /**
   * Wakes local subscribers at once and other processes through NOTIFY. The NOTIFY is sent after the commit, outside
   * the append transaction (a NOTIFY inside it would serialise all committing appends on PostgreSQL's notify lock),
   * and coalesced: at most one in flight, one more if appends happened meanwhile.
   */
  private announce(lastPosition: number): void {
    this.appendedUpTo = Math.max(this.appendedUpTo, lastPosition);
    this.listeners.notify(lastPosition);
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    const send = (): void => {
      this.notifyAgain = false;
      this.db
        .notify(this.sql.channel, String(this.appendedUpTo))
        .catch((err: unknown) => this.options.logger?.warn({ err }, 'event store NOTIFY failed; subscribers fall back to polling'))
        .finally(() => {
          if (this.notifyAgain) send();
          else this.notifying = false;
        });
    };
    send();
  }

  private decode(row: EventRow): RecordedEvent {
    const event: EnvelopeBase = {
      id: row.event_id,
      type: row.type,
      v: Number(row.v),
      occurredAt: row.occurred_at,
      businessId: row.business_id,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      data: row.data,
    };
    return {
      event: this.options.upcast ? this.options.upcast(event) : event,
      streamId: row.stream_id,
      streamPosition: Number(row.stream_position),
      globalPosition: Number(row.global_position),
    };
  }
}

/** The `$2` parameter of the append statement: the batch as a JSON array of rows. */
export function toAppendRows(events: EnvelopeBase[]): string {
  return JSON.stringify(
    events.map((e, i) => ({
      i: i + 1,
      id: e.id,
      type: e.type,
      v: e.v,
      occurred_at: e.occurredAt,
      business_id: e.businessId,
      correlation_id: e.correlationId,
      causation_id: e.causationId,
      data: e.data,
    })),
  );
}
