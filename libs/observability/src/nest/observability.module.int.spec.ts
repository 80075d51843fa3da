import 'reflect-metadata';
import { Controller, Get, Inject, Module, Query } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { DestinationStream, Logger } from 'pino';
import { registerReadinessCheck } from '../health/health-registry';
import { createLogger } from '../logging/create-logger';
import { counter } from '../metrics/metrics-registry';
import { NestPinoLogger } from './nest-pino-logger';
import { ObservabilityModule } from './observability.module';
import { LOGGER } from './observability.tokens';

const PHONE = '+4915112345678';

@Controller('demo')
class DemoController {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  @Get('send')
  send(@Query('to') to: string): { queued: boolean } {
    counter({ name: 'demo_sent_total', help: 'demo', labelNames: ['port'] }).inc({ port: '1' });
    this.logger.info({ to }, 'queued');
    return { queued: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('gateway http://gw/goip_post_sms.html?password=boom-secret refused');
  }
}

@Module({ controllers: [DemoController] })
class DemoModule {}

describe('ObservabilityModule over a real Nest Fastify app', () => {
  const chunks: string[] = [];
  const destination: DestinationStream = { write: (s: string) => void chunks.push(s) };
  const lines = () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  let app: NestFastifyApplication;
  const disposers: Array<() => void> = [];

  beforeAll(async () => {
    const logger = createLogger({ service: 'demo-svc', level: 'debug', destination });
    const moduleRef = await Test.createTestingModule({
      imports: [ObservabilityModule.forRoot({ service: 'demo-svc', logger }), DemoModule],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { bufferLogs: true });
    app.useLogger(app.get(NestPinoLogger));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    disposers.forEach((d) => d());
    await app?.close();
  });

  it('GET /metrics serves Prometheus text with default metrics, the service label and our counters', async () => {
    await app.inject({ method: 'GET', url: `/demo/send?to=${encodeURIComponent(PHONE)}` });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^process_cpu_user_seconds_total\{service="demo-svc"\} /m);
    expect(res.body).toMatch(/^demo_sent_total\{port="1",service="demo-svc"\} 1$/m);
    expect(res.body).toMatch(/^http_request_duration_seconds_count\{service="demo-svc",method="GET",route="\/demo\/send",status="200"\} 1$/m);
  });

  it('GET /health/live answers 200', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', service: 'demo-svc' });
  });

  it('GET /health/ready is 200 while every check is up and 503 with the reason (redacted) when one is down', async () => {
    let natsUp = true;
    disposers.push(registerReadinessCheck('nats', () => natsUp));
    disposers.push(registerReadinessCheck('store', async () => undefined));
    const ok = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', checks: { nats: { status: 'up' }, store: { status: 'up' } } });

    natsUp = false;
    disposers.push(
      registerReadinessCheck('gateway', () => {
        throw new Error('GET http://gw/goip_get_status.html?username=root&password=pw-in-check failed');
      }),
    );
    const down = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'fail',
      checks: { nats: { status: 'down', error: 'check returned false' }, store: { status: 'up' }, gateway: { status: 'down' } },
    });
    expect(down.body).not.toContain('pw-in-check');
  });

  it('a check that never settles makes readiness fail within its timeout instead of hanging', async () => {
    const dispose = registerReadinessCheck('hung', () => new Promise(() => undefined), { timeoutMs: 100 });
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.hung).toMatchObject({ status: 'down', error: 'timed out after 100 ms' });
    } finally {
      dispose();
    }
  });

  it('logs each request once with method, route, status and duration, phone masked, and 404s too', async () => {
    chunks.length = 0;
    await app.inject({ method: 'GET', url: `/demo/send?to=${encodeURIComponent(PHONE)}` });
    await app.inject({ method: 'GET', url: '/nope' });
    const text = chunks.join('');
    expect(text).not.toContain(PHONE.slice(1));
    const http = lines().filter((l) => l.component === 'http');
    expect(http).toHaveLength(2);
    expect(http[0]).toMatchObject({ service: 'demo-svc', method: 'GET', route: '/demo/send', status: 200, level: 'info' });
    expect(typeof http[0]?.durationMs).toBe('number');
    expect(http[1]).toMatchObject({ route: '(unmatched)', status: 404, level: 'warn' });
    expect(lines().find((l) => l.msg === 'queued')).toMatchObject({ to: '***********678' });
  });

  it("routes Nest's own logs through pino, redacted (an unhandled error's message and stack)", async () => {
    chunks.length = 0;
    const res = await app.inject({ method: 'GET', url: '/demo/boom' });
    expect(res.statusCode).toBe(500);
    expect(chunks.join('')).not.toContain('boom-secret');
    const nestLine = lines().find((l) => l.context === 'ExceptionsHandler');
    expect(nestLine).toMatchObject({ level: 'error', service: 'demo-svc' });
    const http = lines().find((l) => l.component === 'http');
    expect(http).toMatchObject({ status: 500, level: 'error', route: '/demo/boom' });
  });
});
