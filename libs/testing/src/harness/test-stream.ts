import { jetstreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsUrl, uniqueName } from './test-env';

/**
 * Connects to the test NATS server (`NATS_URL`, or `url`). Close it in `afterAll` (`await nc.drain()` or
 * `await nc.close()`).
 */
export function connectTestNats(options: { url?: string; name?: string } = {}): Promise<NatsConnection> {
  return connect({ servers: options.url ?? natsUrl(), name: options.name ?? 'dailydesk-test', maxReconnectAttempts: 10 });
}

/** A JetStream stream of one test; see {@link createTestStream}. */
export interface TestStream {
  /** The stream's random name. */
  name: string;
  /** A random subject prefix; the stream captures `<subjectPrefix>.>`. */
  subjectPrefix: string;
  /** The subjects the stream captures. */
  subjects: string[];
  info: StreamInfo;
  /** Deletes the stream (a stream already gone is fine). Call it in `afterAll`/`afterEach`. */
  dispose(): Promise<void>;
}

/**
 * Creates a stream with a random name capturing a random subject space (`<prefix>_<hex>.>`), file storage unless
 * `config` says otherwise. Extra `config` fields are passed to the server as they are (NATS 2.9 features only).
 */
export async function createTestStream(
  nc: NatsConnection,
  options: { prefix?: string; config?: Partial<StreamConfig> } = {},
): Promise<TestStream> {
  const name = uniqueName(options.prefix ?? 'stream');
  const subjectPrefix = `${name}_subj`;
  const subjects = options.config?.subjects ?? [`${subjectPrefix}.>`];
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.add({ ...options.config, name, subjects });
  return {
    name,
    subjectPrefix,
    subjects,
    info,
    dispose: () => deleteTestStream(nc, name),
  };
}

/** Deletes stream `name`; a stream that does not exist (any more) is not an error. */
export async function deleteTestStream(nc: NatsConnection, name: string): Promise<void> {
  if (nc.isClosed()) throw new Error(`cannot delete stream ${name}: the NATS connection is closed (dispose before closing)`);
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.delete(name);
  } catch (error) {
    if (/stream not found/i.test(String((error as Error).message))) return;
    throw error;
  }
}
