/** Options of the appointments module (tokens local to this service). */
export const APPOINTMENTS_OPTIONS = Symbol.for('dailydesk.appointments.Options');
/** Resolves once this service's tables exist (an async provider, so it runs before any consumer starts). */
export const TABLES_READY = Symbol.for('dailydesk.appointments.TablesReady');

export interface AppointmentsOptions {
  /** `<base>/c/<token>` is the confirmation link. */
  readonly publicBaseUrl: string;
  /** The service's clock; tests inject one. */
  readonly clock: () => Date;
}
