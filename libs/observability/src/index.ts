/**
 * @dailydesk/observability — one logging, metrics and health setup for every DailyDesk process.
 *
 * - Logging: {@link createLogger} (pino root with redaction of secrets, message bodies and phone numbers),
 *   {@link childForMessage} (the per-consumed-message child logger).
 * - Redaction for anything else that leaves the process (error messages, HTTP error bodies):
 *   {@link redactSecrets}, {@link redactString}, {@link maskPhone}.
 * - Metrics: {@link metricsRegistry}, {@link initMetrics}, idempotent {@link counter} / {@link gauge} /
 *   {@link histogram}, {@link renderMetrics}.
 * - Health: {@link registerReadinessCheck}, {@link healthRegistry}, {@link HealthRegistry}.
 * - NestJS: {@link ObservabilityModule}`.forRoot({ service })`, {@link NestPinoLogger}, the {@link LOGGER} token.
 */
export { createLogger, childForMessage } from './logging/create-logger';
export type { CreateLoggerOptions, MessageLogContext } from './logging/create-logger';

export { redactSecrets } from './redaction/redact-secrets';
export { redactString, maskPhone, REDACTED } from './redaction/redact-string';

export { metricsRegistry, initMetrics, counter, gauge, histogram, renderMetrics } from './metrics/metrics-registry';
export type { MetricDefinition, HistogramDefinition } from './metrics/metrics-registry';

export { HealthRegistry, healthRegistry, registerReadinessCheck } from './health/health-registry';
export type { ReadinessCheck, ReadinessReport, CheckResult } from './health/health-registry';

export { ObservabilityModule } from './nest/observability.module';
export type { ObservabilityModuleOptions } from './nest/observability.module';
export { NestPinoLogger } from './nest/nest-pino-logger';
export { LOGGER, OBSERVABILITY_OPTIONS } from './nest/observability.tokens';
