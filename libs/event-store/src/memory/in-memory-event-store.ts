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
import { acquireInProcess } from '../in-process-leadership';
import { SubscriptionRunner } from '../subscription/subscription-runner';
import { AppendListeners } from '../subscription/wake-signal';

/** The in-memory adapter: same behaviour as the SQL adapters, nothing survives the process. For unit tests. */
class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly checkpoints = new Map<string, GlobalPosition>();
  private readonly leaders = new Set<string>();
  private readonly listeners = new AppendListeners();
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly options: EventStoreOptions) {}

  async appendToStream(
    streamId: string,
    events: EnvelopeBase[],
    { expectedVersion }: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    const checked = checkAppendInput(streamId, events, expectedVersion);
    const stream = this.streams.get(streamId) ?? [];
    const existing = checked.map((e) => this.byId.get(e.id)).filter((r): r is RecordedEvent => r !== undefined);
    if (existing.length === checked.length && existing.every((r) => r.streamId === streamId)) {
      return { nextExpectedVersion: stream.length, lastGlobalPosition: existing[existing.length - 1]!.globalPosition, appended: false };
    }
    const required = requiredVersion(expectedVersion);
    if (required !== null && required !== stream.length) throw new ConcurrencyError(streamId, expectedVersion, stream.length);
    if (existing.length > 0) throw new DuplicateEventError(streamId, existing.map((r) => r.event.id));
    for (const event of checked) {
      // A JSON round trip gives the same copy semantics as jsonb: the caller's later mutations never reach the store.
      const recorded: RecordedEvent = {
        event: {
          id: event.id,
          type: event.type,
          v: event.v,
          occurredAt: event.occurredAt,
          businessId: event.businessId,
          correlationId: event.correlationId,
          causationId: event.causationId,
          data: JSON.parse(JSON.stringify(event.data)) as unknown,
        },
        streamId,
        streamPosition: stream.length + 1,
        globalPosition: this.log.length + 1,
      };
      stream.push(recorded);
      this.log.push(recorded);
      this.byId.set(event.id, recorded);
    }
    this.streams.set(streamId, stream);
    this.listeners.notify(this.log.length);
    return { nextExpectedVersion: stream.length, lastGlobalPosition: this.log.length, appended: true };
  }

  async storedIds(eventIds: readonly string[]): Promise<Set<string>> {
    return new Set(eventIds.filter((id) => this.byId.has(id)));
  }

  async readStream(streamId: string): Promise<ReadStreamResult> {
    const stream = this.streams.get(streamId) ?? [];
    return { version: stream.length, events: stream.map((r) => this.copy(r)) };
  }

  async readAll(after: GlobalPosition, limit: number): Promise<RecordedEvent[]> {
    return this.log.slice(Math.max(0, after), Math.max(0, after) + limit).map((r) => this.copy(r));
  }

  async readCheckpoint(name: string): Promise<GlobalPosition> {
    return this.checkpoints.get(name) ?? 0;
  }

  async storeCheckpoint(name: string, position: GlobalPosition): Promise<void> {
    this.checkpoints.set(name, Math.max(position, this.checkpoints.get(name) ?? 0));
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

  async tryAcquireLeadership(name: string): Promise<Leadership | null> {
    return acquireInProcess(this.leaders, name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private copy(recorded: RecordedEvent): RecordedEvent {
    const event = { ...recorded.event, data: JSON.parse(JSON.stringify(recorded.event.data)) as unknown };
    return { ...recorded, event: this.options.upcast ? this.options.upcast(event) : event };
  }
}

/** Creates an empty in-memory event store (unit tests). */
export function createInMemoryEventStore(options: EventStoreOptions = {}): EventStore {
  return new InMemoryEventStore(options);
}
