import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { HealthRegistry, type ReadinessReport } from '../health/health-registry';
import { metricsRegistry } from '../metrics/metrics-registry';
import { OBSERVABILITY_OPTIONS } from './observability.tokens';
import type { ObservabilityModuleOptions } from './observability.module';

/** `/metrics` (Prometheus text), `/health/live` (process up) and `/health/ready` (all readiness checks up). */
@Controller()
export class ObservabilityController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthRegistry,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityModuleOptions,
  ) {}

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }

  /** 200 while the event loop answers; it checks nothing else, so a dependency outage never restarts us. */
  @Get('health/live')
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok'; service: string; uptimeSeconds: number } {
    return { status: 'ok', service: this.options.service, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  /** 200 with each check's outcome when all are up; 503 with the same body when any is down. */
  @Get('health/ready')
  @Header('Cache-Control', 'no-store')
  async ready(): Promise<ReadinessReport> {
    const report = await this.health.check();
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }
}
