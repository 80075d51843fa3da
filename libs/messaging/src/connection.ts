import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** One URL or several (`nats://127.0.0.1:4222`); a cluster's seed list in production. */
  servers: string | string[];
  /** Connection name shown by the server (`connz`); use the service name. */
  name: string;
  /** Root logger; connection status changes are logged at info / warn. */
  logger?: Logger;
  /**
   * Keep retrying when the first connect fails instead of rejecting (default false: a service that cannot reach
   * NATS at boot fails fast and lets its supervisor restart it).
   */
  waitOnFirstConnect?: boolean;
  /** Pause between reconnect attempts to one server, ms (default 1000, plus jitter). */
  reconnectTimeWaitMs?: number;
  /** Timeout of the first connect, ms (default 5000). */
  timeoutMs?: number;
}

/**
 * Connects to NATS with settings meant for long-lived services: reconnect forever (JetStream keeps the messages
 * while we are away), jittered reconnect waits, pings every 20 s with 3 missed pings meaning a dead connection.
 * Status changes (disconnect, reconnect, server errors) are logged through `logger`.
 * Close it with `nc.drain()` on shutdown so pending publishes and acks are flushed.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 1_000,
    reconnectJitter: 250,
    pingInterval: 20_000,
    maxPingOut: 3,
    timeout: options.timeoutMs ?? 5_000,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
    // Without it nats.js builds a RequestError and a TimeoutError up front on every request (each JetStream
    // publish), which cost the relay ~2/3 of its CPU in profiles; errors still carry their message and code.
    noAsyncTraces: true,
  });
  const logger = options.logger;
  if (logger) {
    logger.info({ server: nc.getServer(), name: options.name }, 'nats connected');
    void watchStatus(nc, logger);
  }
  return nc;
}

async function watchStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case 'disconnect':
        logger.warn({ server: s.server }, 'nats disconnected');
        break;
      case 'reconnect':
        logger.info({ server: s.server }, 'nats reconnected');
        break;
      case 'error':
        logger.warn({ err: s.error }, 'nats server error');
        break;
      case 'slowConsumer':
        logger.warn({ pending: s.pending }, 'nats slow consumer');
        break;
      default:
        break;
    }
  }
}
