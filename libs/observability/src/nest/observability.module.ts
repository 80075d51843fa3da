import { type DynamicModule, Module } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { healthRegistry, HealthRegistry } from '../health/health-registry';
import { createLogger } from '../logging/create-logger';
import { initMetrics } from '../metrics/metrics-registry';
import { HttpRequestLogger } from './http-request-logger';
import { NestPinoLogger } from './nest-pino-logger';
import { ObservabilityController } from './observability.controller';
import { LOGGER, OBSERVABILITY_OPTIONS } from './observability.tokens';

/** Options of {@link ObservabilityModule.forRoot}. */
export interface ObservabilityModuleOptions {
  /** Service name: `service` on every log line and label on every metric. */
  service: string;
  /** Log level when the module creates the logger (default `LOG_LEVEL`, else `info`). */
  level?: Level | 'silent';
  /** The process's root logger, when `main.ts` created it already (to log before Nest starts). */
  logger?: Logger;
  /** Route templates logged at debug instead of info (default: the metrics and health routes). */
  quietRoutes?: string[];
}

/**
 * Global module giving every service the same logging, metrics and health surface:
 * - providers: `LOGGER` (pino root logger), {@link NestPinoLogger}, {@link HealthRegistry} (the process-wide one);
 * - routes: `GET /metrics`, `GET /health/live`, `GET /health/ready`;
 * - a Fastify `onResponse` hook logging method, route, status and duration of every request.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    const logger = options.logger ?? createLogger({ service: options.service, ...(options.level ? { level: options.level } : {}) });
    initMetrics({ service: options.service });
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [ObservabilityController],
      providers: [
        { provide: OBSERVABILITY_OPTIONS, useValue: options },
        { provide: LOGGER, useValue: logger },
        { provide: NestPinoLogger, useValue: new NestPinoLogger(logger) },
        { provide: HealthRegistry, useValue: healthRegistry },
        HttpRequestLogger,
      ],
      exports: [LOGGER, NestPinoLogger, HealthRegistry],
    };
  }
}
