/**
 * @dailydesk/service-kit — how every DailyDesk service starts and stops: configuration from the environment,
 * NATS and the namespaced streams, the service's database and event store, the relay publishing its public events,
 * and a NestJS app (Fastify) with durable `@EventPattern` delivery, `/metrics` and `/health/*`.
 */
export { startService } from './start-service';
export { relayOptions, upcastStored } from './relay-options';
export { RelayThread } from './relay-thread';
export { SupervisedWorker, workerExecArgv, type WorkerLifecycleMessage } from './supervised-worker';
export type { RunningService, StartServiceOptions } from './start-service';
export { baseServiceEnv, ConfigError, parseEnv, serviceConfigOf } from './service-config';
export type { ServiceConfig } from './service-config';
export { DATABASE, EVENT_STORE, NATS_CONNECTION, SERVICE_CONFIG, SERVICE_SCHEMA, TOPOLOGY } from './tokens';
export { runMain } from './run-main';
