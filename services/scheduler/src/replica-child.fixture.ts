// A second scheduler replica in its own process (one process can run one service of a name: its readiness checks
// are registered process-wide). Forked with IPC by scheduler.int.spec.ts; configured by the env it inherits plus
// SCHEMA_PREFIX, CLOCK_START, CHAPTER_SIZE. Messages: { set: iso } moves its clock; { tick: iso, id } runs one
// review-requests tick now and answers { id, ticked }; { close: true } stops it.
import { loadConfig } from './config';
import { ManualClock } from './schedules/schedule-clock';
import { startScheduler } from './scheduler.app';

interface Order {
  readonly set?: string;
  readonly tick?: string;
  readonly id?: number;
  readonly close?: boolean;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const clock = new ManualClock(process.env.CLOCK_START!);
  const running = await startScheduler(config, { clock, schemaPrefix: process.env.SCHEMA_PREFIX, chapterSize: Number(process.env.CHAPTER_SIZE ?? 500) });
  const spec = config.schedules.find((s) => s.name === 'review-requests')!;
  process.on('message', (order: Order) => {
    void (async () => {
      if (order.set) clock.set(order.set);
      if (order.tick) {
        const outcome = await running.scheduler.ticker.tick(spec, new Date(order.tick), 'clock');
        process.send?.({ id: order.id, ticked: outcome.tick !== null });
      }
      if (order.close) {
        await running.close();
        process.exit(0);
      }
    })().catch((err: unknown) => {
      process.stderr.write(`replica child: ${String(err)}\n`);
      process.exit(1);
    });
  });
  process.send?.({ ready: running.url });
}

main().catch((err: unknown) => {
  process.stderr.write(`replica child failed: ${String(err)}\n`);
  process.exit(1);
});
