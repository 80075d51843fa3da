// Shared by this lib's integration tests: a real NATS, random stream names, everything deleted after.
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EnvelopeBase } from '@dailydesk/contracts';
import pino from 'pino';
import type { Logger } from 'pino';
import { connectNats } from '../connection';
import type { RunningConsumer } from '../consumer';
import { readDeadLetter } from '../dead-letter';
import type { ReadDeadLetter } from '../dead-letter';
import { ensureStreams } from '../streams';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestEnv {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  id: string;
  stream: string;
  /** Subjects of the test stream are `<root>.>`. */
  root: string;
  dlqStream: string;
  dlqPrefix: string;
  logger: Logger;
  /** A fresh `<service>--<purpose>` durable name. */
  durable(purpose: string): string;
  deadLetters(): Promise<ReadDeadLetter[]>;
  cleanup(): Promise<void>;
}

export async function openTestEnv(): Promise<TestEnv> {
  const id = randomBytes(5).toString('hex');
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const nc = await connectNats({ servers: NATS_URL, name: `messaging-test-${id}` });
  const jsm = await jetstreamManager(nc);
  const stream = `T_${id.toUpperCase()}`;
  const root = `t${id}`;
  const dlqStream = `T_${id.toUpperCase()}_DLQ`;
  const dlqPrefix = `t${id}dlq`;
  await ensureStreams(jsm, [{ name: stream, subjects: [`${root}.>`], description: 'messaging test' }], {
    deadLetter: { name: dlqStream, subjects: [`${dlqPrefix}.>`] },
  });
  let n = 0;
  return {
    nc,
    js: jetstream(nc),
    jsm,
    id,
    stream,
    root,
    dlqStream,
    dlqPrefix,
    logger,
    durable: (purpose) => `t${id}x${n++}--${purpose}`,
    deadLetters: async () => {
      const info = await jsm.streams.info(dlqStream);
      const out: ReadDeadLetter[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(dlqStream, { seq });
        if (m) out.push(readDeadLetter((k) => m.header.get(k), m.data));
      }
      return out;
    },
    cleanup: async () => {
      for (const s of [stream, dlqStream]) await jsm.streams.delete(s).catch(() => undefined);
      await nc.drain();
    },
  };
}

let seq = 0;
/** A valid envelope (per the contracts' EnvelopeBase) with a unique id unless one is given. */
export function envelope(type: string, data: unknown, id?: string): EnvelopeBase {
  const n = seq++;
  return {
    id: id ?? `test-${randomBytes(6).toString('hex')}-${n}`,
    type,
    v: 1,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString(),
    businessId: 'biz-1',
    correlationId: `corr-${n}`,
    causationId: null,
    data,
  };
}

/** Polls `check` until it returns true or the deadline passes (then throws with `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A test file's environment (opened before all, deleted after all) and the consumers its tests start, stopped after
 * each test; `subjectOf(type)` is a subject of the test stream.
 */
export function useConsumerTestEnv(): { readonly env: TestEnv; readonly consumers: RunningConsumer[]; subjectOf(type: string): string } {
  let env: TestEnv | undefined;
  const consumers: RunningConsumer[] = [];
  beforeAll(async () => {
    env = await openTestEnv();
  });
  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop();
  });
  afterAll(async () => {
    await env?.cleanup();
  });
  return {
    get env() {
      if (!env) throw new Error('the test environment is opened in beforeAll');
      return env;
    },
    consumers,
    subjectOf: (type) => `${env!.root}.evt.${type.toLowerCase()}`,
  };
}
