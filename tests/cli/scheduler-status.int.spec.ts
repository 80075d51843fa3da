import { startScheduler, type RunningScheduler } from '../../services/scheduler/src/scheduler.app';
import { ManualClock } from '../../services/scheduler/src/schedules/schedule-clock';
import { dropIsolated, isolatedEnv } from '../../services/scheduler/src/scheduler.test-harness';
import { cli } from './cli-io';

const { config, schemaPrefix } = isolatedEnv({ SCHEDULER_CLOCK_ENABLED: 'false' });
let svc: RunningScheduler;

beforeAll(async () => {
  svc = await startScheduler(config, { clock: new ManualClock('2031-03-01T00:07:30.000Z'), schemaPrefix });
}, 45_000);

afterAll(async () => {
  await svc?.close();
  await dropIsolated(svc?.topology, schemaPrefix);
});

it('dailydesk scheduler status lists each schedule with its cron and next slot (real scheduler)', async () => {
  const run = await cli(['scheduler', 'status', '--scheduler-url', svc.url]);
  expect(run).toMatchObject({ code: 0, err: '' });
  expect(run.out).toContain('now 2031-03-01T00:07:30.000Z, clock OFF');
  expect(run.out).toMatch(/review-requests\s+\* \* \* \* \*\s+none yet\s+2031-03-01T00:08:00.000Z/);
  expect(run.out).toMatch(/confirmation-reminders\s+\*\/30 \* \* \* \*/);
  const json = JSON.parse((await cli(['scheduler', 'status', '--json', '--scheduler-url', svc.url])).out) as { schedules: unknown[] };
  expect(json.schedules).toHaveLength(3);
});
