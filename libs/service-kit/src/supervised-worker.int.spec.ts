import path from 'node:path';
import { healthRegistry } from '@dailydesk/observability';
import pino from 'pino';
import { SupervisedWorker } from './supervised-worker';

const FIXTURE = path.join(__dirname, 'supervised-worker.fixture.ts');
const checkOf = async (name: string) => (await healthRegistry.check()).checks[name];

describe('SupervisedWorker', () => {
  it('is part of readiness while it runs: down from a crash until its restart is ready, removed when stopped', async () => {
    const worker = new SupervisedWorker(FIXTURE, {}, 'test worker thread', pino({ level: 'silent' }));
    await worker.start();
    try {
      expect(worker.running).toBe(true);
      expect((await checkOf('test worker thread'))?.status).toBe('up');
      worker.post({ type: 'crash' });
      for (const deadline = Date.now() + 5_000; worker.running && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      expect((await checkOf('test worker thread'))?.status).toBe('down');
      for (const deadline = Date.now() + 10_000; !worker.running && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      expect((await checkOf('test worker thread'))?.status).toBe('up');
    } finally {
      await worker.stop();
    }
    expect(await checkOf('test worker thread')).toBeUndefined();
  }, 20_000);
});
