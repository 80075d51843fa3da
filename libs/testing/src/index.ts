/**
 * @dailydesk/testing — helpers for DailyDesk tests.
 *
 * - Deciders: {@link given}`(decider, events).when(command).then(events)` / `.thenThrows(code)`.
 * - Integration harness against the machine's NATS and PostgreSQL (`NATS_URL`, `DATABASE_URL`):
 *   {@link natsUrl}, {@link databaseUrl}, {@link uniqueName}, {@link withTestSchema}, {@link connectTestNats},
 *   {@link createTestStream}, {@link deleteTestStream}, {@link eventually}, {@link Cleanup}.
 * - Private infrastructure for tests that stop, crash or restart it: {@link startNatsServer}, {@link startPostgres}.
 *
 * Every helper that creates something returns a `dispose()`; call it in `afterAll`/`afterEach` (or collect them in
 * a {@link Cleanup}) so it runs even when a test fails.
 */
export { given } from './decider/given-when-then';
export type { GivenStep, WhenStep } from './decider/given-when-then';

export { natsUrl, databaseUrl, uniqueName } from './harness/test-env';
export { eventually, Cleanup } from './harness/eventually';
export type { EventuallyOptions, Disposer } from './harness/eventually';
export { withTestSchema, withSearchPath } from './harness/test-schema';
export type { TestSchema } from './harness/test-schema';
export { connectTestNats, createTestStream, deleteTestStream } from './harness/test-stream';
export type { TestStream } from './harness/test-stream';

export { freePort } from './infra/free-port';
export { startNatsServer, natsServerBinary } from './infra/nats-server';
export type { NatsServerOptions, NatsServerHandle } from './infra/nats-server';
export { startPostgres, postgresBinDir } from './infra/postgres-server';
export type { PostgresServerOptions, PostgresServerHandle } from './infra/postgres-server';
