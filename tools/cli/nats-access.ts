import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { CliError, describe } from './cli-errors';
import { startHint, type CliConfig } from './cli-config';

/** An open NATS connection with its JetStream handles; close it with `close()`. */
export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

/** Connects once for one command; a NATS that does not answer is a {@link CliError} naming the URL. */
export async function openBus(config: CliConfig): Promise<Bus> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: config.natsUrl.split(','), name: 'dailydesk-cli', timeout: 3_000, maxReconnectAttempts: 0 });
  } catch (err) {
    throw new CliError(`NATS does not answer at ${config.natsUrl}: ${describe(err)}.\n${startHint(config)} (override: --nats-url or NATS_URL)`);
  }
  const jsm = await jetstreamManager(nc).catch(async (err: unknown) => {
    await nc.close();
    throw new CliError(`NATS at ${config.natsUrl} has no JetStream: ${describe(err)}`);
  });
  return { nc, js: jetstream(nc), jsm, close: () => nc.close() };
}

/** Runs `work` with a bus that is closed afterwards, whatever happens. */
export async function withBus<T>(config: CliConfig, work: (bus: Bus) => Promise<T>): Promise<T> {
  const bus = await openBus(config);
  try {
    return await work(bus);
  } finally {
    await bus.close().catch(() => undefined);
  }
}

/** Whether an error is JetStream's "stream not found". */
export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

/** Number of messages in a stream, or a CliError saying which stream of which namespace is missing. */
export async function messageCount(bus: Bus, stream: string, namespace: string): Promise<number> {
  try {
    return (await bus.jsm.streams.info(stream)).state.messages;
  } catch (err) {
    if (isStreamNotFound(err)) {
      throw new CliError(`stream ${stream} does not exist (namespace "${namespace}"): no service has started in this namespace yet, or --namespace is wrong`);
    }
    throw err;
  }
}

/**
 * Every message the stream holds now, oldest first (an ordered consumer: ephemeral, nothing acknowledged, nothing
 * changed on the stream). Stops when the server says nothing more is pending, or after `max` messages.
 */
export async function* readStream(bus: Bus, stream: string, options: { max?: number; startTime?: Date } = {}): AsyncGenerator<JsMsg> {
  const count = await bus.jsm.streams.info(stream).then((i) => i.state.messages);
  if (count === 0 || options.max === 0) return;
  const consumer = await bus.js.consumers.get(stream, options.startTime ? { opt_start_time: options.startTime.toISOString() } : {});
  let seen = 0;
  const messages = await consumer.consume({ max_messages: 256 });
  // A start time after the last message leaves nothing pending and nothing delivered: silence ends the read.
  let timer = setTimeout(() => void messages.close(), 5_000);
  try {
    for await (const m of messages) {
      clearTimeout(timer);
      yield m;
      seen += 1;
      if (m.info.pending === 0 || (options.max !== undefined && seen >= options.max)) break;
      timer = setTimeout(() => void messages.close(), 5_000);
    }
  } finally {
    clearTimeout(timer);
    await messages.close().catch(() => undefined);
  }
}

/**
 * Follows a stream from `startSeq` as messages arrive; `onMessage` returns true when it has seen enough.
 * Resolves true then, false when `deadline` (epoch ms) passes first.
 */
export async function followStream(bus: Bus, stream: string, startSeq: number, deadline: number, onMessage: (m: JsMsg) => boolean): Promise<boolean> {
  const consumer = await bus.js.consumers.get(stream, { opt_start_seq: startSeq });
  const messages = await consumer.consume({ max_messages: 256 });
  const timer = setTimeout(() => void messages.close(), Math.max(0, deadline - Date.now()));
  try {
    for await (const m of messages) {
      if (onMessage(m)) return true;
    }
    return false;
  } finally {
    clearTimeout(timer);
    await messages.close().catch(() => undefined);
  }
}
