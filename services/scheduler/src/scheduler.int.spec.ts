import { fork } from 'node:child_process';
import path from 'node:path';
import type { EnvelopeBase, SchedulerSlotSkipped, SchedulerTicked } from '@dailydesk/contracts';
import { databaseUrl, eventually, natsUrl } from '@dailydesk/testing';
import { ManualClock } from './schedules/schedule-clock';
import { startScheduler, type RunningScheduler } from './scheduler.app';
import { dropIsolated, isolatedEnv, schedulerMessages } from './scheduler.test-harness';

const API_KEY = 'k3y-for-tests-0123456789';
const YEARLY = '0 0 1 1 *';
const T0 = '2031-03-01T00:00:30.000Z';
const slot = (minute: number) => new Date(Date.parse('2031-03-01T00:00:00.000Z') + minute * 60_000).toISOString();

const reviewTicks = (messages: EnvelopeBase[]) =>
  messages.filter((m): m is SchedulerTicked => m.type === 'SchedulerTicked' && (m as SchedulerTicked).data.schedule === 'review-requests');
const reviewSkips = (messages: EnvelopeBase[]) =>
  messages.filter((m): m is SchedulerSlotSkipped => m.type === 'SchedulerSlotSkipped' && (m as SchedulerSlotSkipped).data.schedule === 'review-requests');

describe('two replicas over one PostgreSQL store and NATS', () => {
  const env = {
    SCHEDULE_REVIEW_REQUESTS: '* * * * *',
    SCHEDULE_CONFIRMATION_REMINDERS: YEARLY,
    SCHEDULE_CAMPAIGNS: YEARLY,
    CRON_API_KEY: API_KEY,
  };
  const { config, schemaPrefix, namespace } = isolatedEnv(env);
  const clock = new ManualClock(T0);
  let local: RunningScheduler;
  let remote: ReplicaProcess;

  beforeAll(async () => {
    // A tiny chapter size makes the replicas also race over closing one chapter and opening the next.
    local = await startScheduler(config, { clock, schemaPrefix, chapterSize: 4 });
    remote = await forkReplica({ ...env, NATS_NAMESPACE: namespace, SCHEMA_PREFIX: schemaPrefix, CLOCK_START: T0, CHAPTER_SIZE: '4' });
  });
  afterAll(async () => {
    await remote?.close();
    await local?.close();
    await dropIsolated(local?.topology, schemaPrefix);
  });

  const ticksOnNats = async () => reviewTicks(await schedulerMessages(local.nc, local.topology));

  it('publishes exactly one tick per slot while both clock loops and direct calls race for every slot', async () => {
    for (let minute = 1; minute <= 5; minute++) {
      const at = new Date(Date.parse(T0) + minute * 60_000).toISOString();
      clock.set(at);
      remote.send({ set: at });
      await eventually(async () => expect((await ticksOnNats()).map((t) => t.data.slotAt)).toContain(slot(minute)), { timeoutMs: 10_000 });
    }
    const spec = config.schedules.find((s) => s.name === 'review-requests')!;
    for (let minute = 6; minute <= 15; minute++) {
      const at = new Date(Date.parse(slot(minute)) + 500).toISOString();
      clock.set(at);
      remote.send({ set: at });
      const [mine, theirs] = await Promise.all([local.scheduler.ticker.tick(spec, new Date(at), 'clock'), remote.tick(at)]);
      // Both loops and both direct calls went for this slot; at most one of the direct calls may have stored it.
      expect(Number(mine.tick !== null) + Number(theirs)).toBeLessThanOrEqual(1);
    }

    await eventually(async () => expect((await ticksOnNats()).map((t) => t.data.slotAt)).toContain(slot(15)), { timeoutMs: 10_000 });
    const ticks = await ticksOnNats();
    expect(ticks.map((t) => t.data.slotAt)).toEqual(Array.from({ length: 16 }, (_, m) => slot(m)));
    expect(ticks.map((t) => t.data.previousSlotAt)).toEqual([null, ...Array.from({ length: 15 }, (_, m) => slot(m))]);
    expect(ticks.every((t) => t.id === `tick:review-requests:${t.data.slotAt}` && t.data.missedSlots === 0)).toBe(true);
    expect(reviewSkips(await schedulerMessages(local.nc, local.topology))).toEqual([]);
    // The history moved through several chapters (4 events each) without breaking the chain above.
    expect((await local.scheduler.ticker.read('review-requests')).chapter).toBeGreaterThan(3);
  });

  it('makes an HTTP call for a slot the clock already ticked the same tick: nothing new on NATS', async () => {
    const before = (await ticksOnNats()).length;
    const response = await fetch(`${remote.url}/crons/send-review-sms`, { method: 'POST', headers: { 'x-api-key': API_KEY } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ schedule: 'review-requests', emitted: false, lastSlotAt: slot(15) });
    await eventually(async () => expect(reviewSkips(await schedulerMessages(local.nc, local.topology)).map((s) => s.data)).toEqual([
      { schedule: 'review-requests', slotAt: slot(15), reason: 'already-ticked', coveredBySlotAt: slot(15) },
    ]), { timeoutMs: 10_000 });
    expect(await ticksOnNats()).toHaveLength(before);
  });
});

interface ReplicaProcess {
  readonly url: string;
  send(order: { set: string }): void;
  tick(at: string): Promise<boolean>;
  close(): Promise<void>;
}

async function forkReplica(env: Record<string, string>): Promise<ReplicaProcess> {
  const child = fork(path.join(__dirname, 'replica-child.fixture.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    env: { ...process.env, ...env, NATS_URL: natsUrl(), DATABASE_URL: databaseUrl(), PORT: '0', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('replica did not start'))));
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
  let nextId = 0;
  return {
    url,
    send: (order) => child.send(order),
    tick: (at) =>
      new Promise<boolean>((resolve) => {
        const id = ++nextId;
        const onMessage = (m: { id?: number; ticked?: boolean }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          resolve(Boolean(m.ticked));
        };
        child.on('message', onMessage);
        child.send({ tick: at, id });
      }),
    close: async () => {
      if (child.exitCode === null) child.send({ close: true });
      await exited;
    },
  };
}

describe('catch-up after downtime', () => {
  const { config, schemaPrefix } = isolatedEnv({
    SCHEDULE_REVIEW_REQUESTS: '* * * * *',
    SCHEDULE_CONFIRMATION_REMINDERS: YEARLY,
    SCHEDULE_CAMPAIGNS: YEARLY,
    SCHEDULER_CATCH_UP_HORIZON_MINUTES: '3',
  });
  let running: RunningScheduler | undefined;
  afterAll(async () => {
    const topo = running?.topology;
    await running?.close();
    await dropIsolated(topo, schemaPrefix);
  });

  it('emits one catch-up tick covering the slots inside the horizon and records the older ones as skipped', async () => {
    running = await startScheduler(config, { clock: new ManualClock(T0), schemaPrefix });
    const first = running;
    await eventually(async () => expect(reviewTicks(await schedulerMessages(first.nc, first.topology))).toHaveLength(1), { timeoutMs: 10_000 });
    await first.close();

    // Down from 00:00:30 to 00:07:30: slots 00:01 … 00:06 got no tick; the horizon (3 min) starts at 00:04:30.
    running = await startScheduler(config, { clock: new ManualClock('2031-03-01T00:07:30.000Z'), schemaPrefix });
    const second = running;
    await eventually(async () => expect(reviewTicks(await schedulerMessages(second.nc, second.topology))).toHaveLength(2), { timeoutMs: 10_000 });
    const messages = await schedulerMessages(second.nc, second.topology);
    expect(reviewTicks(messages)[1].data).toEqual({
      schedule: 'review-requests', slotAt: slot(7), previousSlotAt: slot(4), periodSeconds: 60, caughtUp: true, missedSlots: 2, trigger: 'clock',
    });
    expect(reviewSkips(messages).map((s) => [s.data.slotAt, s.data.reason, s.data.coveredBySlotAt])).toEqual([
      [slot(1), 'beyond-catch-up-horizon', slot(7)],
      [slot(2), 'beyond-catch-up-horizon', slot(7)],
      [slot(3), 'beyond-catch-up-horizon', slot(7)],
      [slot(4), 'beyond-catch-up-horizon', slot(7)],
      [slot(5), 'missed-during-downtime', slot(7)],
      [slot(6), 'missed-during-downtime', slot(7)],
    ]);

    const view = (await (await fetch(`${second.url}/schedules`)).json()) as { schedules: Array<Record<string, unknown>> };
    expect(view.schedules.find((s) => s.schedule === 'review-requests')).toMatchObject({
      lastSlotAt: slot(7), nextSlotAt: slot(8), skippedSlotsInChapter: 6, lastTick: { slotAt: slot(7), caughtUp: true, missedSlots: 2 },
    });
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/scheduler_slots_skipped_total\{[^}]*reason="beyond-catch-up-horizon"[^}]*\} 4/);
    expect(metrics).toMatch(/scheduler_last_tick_slot_seconds\{[^}]*schedule="review-requests"[^}]*\} 1930090020/);
  });
});

describe('POST /crons/* (EventBridge)', () => {
  const { config, schemaPrefix } = isolatedEnv({ SCHEDULER_CLOCK_ENABLED: 'false', CRON_API_KEY: API_KEY });
  let running: RunningScheduler;
  beforeAll(async () => {
    running = await startScheduler(config, { clock: new ManualClock('2031-03-01T10:20:00.000Z'), schemaPrefix });
  });
  afterAll(async () => {
    await running?.close();
    await dropIsolated(running?.topology, schemaPrefix);
  });

  const post = (route: string, headers: Record<string, string> = {}) => fetch(`${running.url}/crons/${route}`, { method: 'POST', headers });

  it('refuses a wrong or missing API key with 401 and emits nothing', async () => {
    expect((await post('send-campaign', { 'x-api-key': 'wrong-key-wrong-key-0' })).status).toBe(401);
    expect((await post('send-campaign', { 'x-api-key': API_KEY.slice(0, -1) })).status).toBe(401);
    const missing = await post('send-review-sms');
    expect(missing.status).toBe(401);
    expect(JSON.stringify(await missing.json())).not.toContain(API_KEY);
    expect(await running.store.readAll(0, 10)).toEqual([]);
    expect(await schedulerMessages(running.nc, running.topology)).toEqual([]);
  });

  it('emits the current slot of the schedule as an http tick, once, however often it is called', async () => {
    expect((await post('no-such-cron', { 'x-api-key': API_KEY })).status).toBe(404);
    const first = await post('send-campaign', { 'x-api-key': API_KEY });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ schedule: 'campaigns', emitted: true, tick: { id: 'tick:campaigns:2031-03-01T10:15:00.000Z', trigger: 'http' } });
    const again = await post('send-campaign', { 'x-api-key': API_KEY });
    expect(await again.json()).toMatchObject({ emitted: false, lastSlotAt: '2031-03-01T10:15:00.000Z' });
    await eventually(async () => expect(await schedulerMessages(running.nc, running.topology)).toHaveLength(2), { timeoutMs: 10_000 });
    // The 401s before left nothing behind: the only tick on NATS is this one.
    const messages = await schedulerMessages(running.nc, running.topology);
    expect(messages.map((m) => [m.type, m.id])).toEqual([
      ['SchedulerTicked', 'tick:campaigns:2031-03-01T10:15:00.000Z'],
      ['SchedulerSlotSkipped', 'skip:campaigns:2031-03-01T10:15:00.000Z:already-ticked'],
    ]);
  });
});
