import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { DEAD_LETTER_STREAM } from './dead-letter';

/** A stream as the contracts describe it: plain data, no NATS types. */
export interface StreamDefinition {
  name: string;
  subjects: readonly string[];
  description?: string;
}

/** Options of {@link ensureStreams}. */
export interface EnsureStreamsOptions {
  /** JetStream de-duplication window for `Nats-Msg-Id`, ms (default 120 000 = 2 min). */
  duplicateWindowMs?: number;
  /** Replicas per stream: 1 on a single server, 3 on the production cluster (default 1). */
  replicas?: number;
  /** Discard messages older than this, ms (default 0 = keep until another limit applies). */
  maxAgeMs?: number;
  /** Stream size cap in bytes (default -1 = unlimited). */
  maxBytes?: number;
  /**
   * Dead-letter stream to ensure as well (default {@link DEAD_LETTER_STREAM}); `false` to skip it. Skipped when
   * `defs` already holds a stream of that name (the contracts' list includes it).
   */
  deadLetter?: StreamDefinition | false;
  /** Age limit of the dead-letter stream, ms (default 0 = keep until an operator purges). */
  deadLetterMaxAgeMs?: number;
  logger?: Logger;
}

/** What {@link ensureStreams} did to one stream. */
export interface EnsureStreamResult {
  name: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** A stream configuration as this library writes it (the fields it sets). */
export type ManagedStreamConfig = Partial<StreamConfig> & { name: string; subjects: string[] };

/** The JetStream configuration this library gives a stream definition: file storage, limits retention, discard old. */
export function streamConfigFor(def: StreamDefinition, options: EnsureStreamsOptions = {}): ManagedStreamConfig {
  return {
    name: def.name,
    subjects: [...def.subjects],
    description: def.description ?? '',
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    max_age: nanos(options.maxAgeMs ?? 0),
    max_bytes: options.maxBytes ?? -1,
    max_msgs: -1,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    max_consumers: -1,
    allow_rollup_hdrs: false,
    deny_delete: false,
    deny_purge: false,
    allow_direct: false,
    mirror_direct: false,
    sealed: false,
  };
}

/** The fields {@link ensureStreams} owns; anything else an operator changed on a stream is left alone. */
const MANAGED: ReadonlyArray<keyof StreamConfig> = [
  'subjects', 'description', 'num_replicas', 'duplicate_window', 'max_age', 'max_bytes', 'discard',
];

/**
 * Creates each stream that does not exist and updates the managed settings (subjects, description, replicas,
 * duplicate window, age and size limits, discard policy) of those that differ; running it again changes nothing.
 * Also ensures the dead-letter stream unless `deadLetter: false`. Storage and retention cannot change on a live
 * stream: a mismatch is an error naming the stream, never a silent recreate (that would lose messages).
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  defs: readonly StreamDefinition[],
  options: EnsureStreamsOptions = {},
): Promise<EnsureStreamResult[]> {
  const wanted = defs.map((d) => streamConfigFor(d, options));
  const dlq = options.deadLetter === undefined ? DEAD_LETTER_STREAM : options.deadLetter;
  if (dlq && !defs.some((d) => d.name === dlq.name)) wanted.push(streamConfigFor(dlq, { ...options, maxAgeMs: options.deadLetterMaxAgeMs ?? 0, maxBytes: -1 }));
  const results: EnsureStreamResult[] = [];
  for (const cfg of wanted) {
    const action = await ensureOne(jsm, cfg);
    options.logger?.info({ stream: cfg.name, action }, 'stream ensured');
    results.push({ name: cfg.name, action });
  }
  return results;
}

async function ensureOne(jsm: JetStreamManager, cfg: ManagedStreamConfig): Promise<EnsureStreamResult['action']> {
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(cfg.name)).config;
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    await jsm.streams.add(cfg);
    return 'created';
  }
  if (current.storage !== cfg.storage || current.retention !== cfg.retention) {
    throw new Error(
      `stream ${cfg.name} exists with storage=${current.storage} retention=${current.retention}; ` +
        `wanted storage=${cfg.storage} retention=${cfg.retention} (cannot change in place: migrate it by hand)`,
    );
  }
  const delta = diffManaged(current, cfg);
  if (Object.keys(delta).length === 0) return 'unchanged';
  await jsm.streams.update(cfg.name, delta);
  return 'updated';
}

/** The managed fields of `wanted` that differ from `current` (subjects compared as sets). */
export function diffManaged(current: Partial<StreamConfig>, wanted: ManagedStreamConfig): Partial<StreamConfig> {
  const delta: Record<string, unknown> = {};
  for (const key of MANAGED) {
    const a = current[key];
    const b = wanted[key];
    const same =
      key === 'subjects'
        ? sameSet((a as string[] | undefined) ?? [], b as string[])
        : key === 'description'
          ? (a ?? '') === (b ?? '')
          : a === b;
    if (!same) delta[key] = b;
  }
  return delta as Partial<StreamConfig>;
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}
