/** Injection token of the process's pino root logger (`@Inject(LOGGER) logger: Logger`). */
export const LOGGER = Symbol.for('dailydesk.observability.logger');

/** Injection token of the options given to `ObservabilityModule.forRoot`. */
export const OBSERVABILITY_OPTIONS = Symbol.for('dailydesk.observability.options');
