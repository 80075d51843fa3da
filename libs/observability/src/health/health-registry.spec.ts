import { HealthRegistry } from './health-registry';

describe('HealthRegistry', () => {
  it('is ready with no checks, and reports each check by name', async () => {
    const health = new HealthRegistry();
    expect(await health.check()).toEqual({ status: 'ok', checks: {} });
    health.register('a', () => true);
    health.register('b', async () => {
      throw new Error('down: postgres://app:pw@db/x');
    });
    const report = await health.check();
    expect(report.status).toBe('fail');
    expect(report.checks.a?.status).toBe('up');
    expect(report.checks.b).toMatchObject({ status: 'down', error: 'down: postgres://app:[REDACTED]@db/x' });
  });

  it('refuses a second check under the same name; the disposer removes only its own', async () => {
    const health = new HealthRegistry();
    const dispose = health.register('nats', () => true);
    expect(() => health.register('nats', () => true)).toThrow(/already registered/);
    dispose();
    expect(health.names()).toEqual([]);
  });
});
