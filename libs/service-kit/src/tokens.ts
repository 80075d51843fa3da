/** Injection tokens the kit provides to every service module (global). */

/** The service's {@link EventStore} (its own schema). */
export const EVENT_STORE = Symbol.for('dailydesk.EventStore');
/** The service's {@link Database}: put projections in {@link SERVICE_SCHEMA}, next to the events. */
export const DATABASE = Symbol.for('dailydesk.Database');
/** The open `NatsConnection` (owned and drained by the kit). */
export const NATS_CONNECTION = Symbol.for('dailydesk.NatsConnection');
/** The namespaced streams and subjects ({@link Topology}). */
export const TOPOLOGY = Symbol.for('dailydesk.Topology');
/** The common {@link ServiceConfig}. */
export const SERVICE_CONFIG = Symbol.for('dailydesk.ServiceConfig');
/** Name of the schema for this service's own tables (projections, read models). */
export const SERVICE_SCHEMA = Symbol.for('dailydesk.ServiceSchema');
