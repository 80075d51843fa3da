import { counter, gauge, histogram, initMetrics, metricsRegistry } from './metrics-registry';

describe('metric helpers', () => {
  it('register once: asking again by name returns the same metric', () => {
    const a = counter({ name: 'test_jobs_total', help: 'jobs', labelNames: ['kind'] });
    const b = counter({ name: 'test_jobs_total', help: 'jobs', labelNames: ['kind'] });
    expect(b).toBe(a);
    a.inc({ kind: 'x' });
    b.inc({ kind: 'x' });
    expect(metricsRegistry.getSingleMetric('test_jobs_total')).toBe(a);
  });

  it('refuse the same name with another type or other labels', () => {
    gauge({ name: 'test_depth', help: 'depth' });
    expect(() => histogram({ name: 'test_depth', help: 'depth' })).toThrow(/another type/);
    expect(() => gauge({ name: 'test_depth', help: 'depth', labelNames: ['x'] })).toThrow(/labels/);
  });

  it('label every series with the service', async () => {
    initMetrics({ service: 'unit-svc' });
    counter({ name: 'test_labelled_total', help: 'x' }).inc();
    expect(await metricsRegistry.metrics()).toMatch(/^test_labelled_total\{service="unit-svc"\} 1$/m);
  });
});
