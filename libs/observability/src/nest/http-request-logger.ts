import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import { histogram } from '../metrics/metrics-registry';
import { LOGGER, OBSERVABILITY_OPTIONS } from './observability.tokens';
import type { ObservabilityModuleOptions } from './observability.module';

// The slice of Fastify this hook needs; typed here so the lib does not depend on fastify's types directly.
interface FastifyRequestLike {
  method: string;
  url: string;
  routeOptions?: { url?: string };
}
interface FastifyReplyLike {
  statusCode: number;
  elapsedTime: number;
}
interface FastifyLike {
  addHook(
    name: 'onResponse',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
}

/**
 * Logs every HTTP response once (method, route template, status, duration) and records it in
 * `http_request_duration_seconds`. A Fastify `onResponse` hook rather than a Nest interceptor: it also sees 404s,
 * body-parser 400s and the real status and time after the reply is sent.
 */
@Injectable()
export class HttpRequestLogger implements OnModuleInit {
  private readonly duration = histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityModuleOptions,
  ) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance?.() as Partial<FastifyLike> | undefined;
    if (!instance) return; // a microservice-only application has no HTTP server
    if (typeof instance.addHook !== 'function') {
      this.logger.warn('HTTP request logging needs @nestjs/platform-fastify; requests are not logged');
      return;
    }
    const quiet = new Set(this.options.quietRoutes ?? ['/metrics', '/health/live', '/health/ready']);
    const log = this.logger.child({ component: 'http' });
    instance.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions?.url ?? '(unmatched)';
      const status = reply.statusCode;
      const durationMs = Math.round(reply.elapsedTime * 10) / 10;
      this.duration.observe({ method: req.method, route, status: String(status) }, reply.elapsedTime / 1000);
      const line = { method: req.method, route, url: req.url, status, durationMs };
      if (status >= 500) log.error(line, 'request failed');
      else if (quiet.has(route)) log.debug(line, 'request completed');
      else if (status >= 400) log.warn(line, 'request rejected');
      else log.info(line, 'request completed');
      done();
    });
  }
}
