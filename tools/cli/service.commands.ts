import { Presets, SingleBar } from 'cli-progress';
import { CliError } from './cli-errors';
import type { CliConfig } from './cli-config';
import { columns, table, type Io } from './output';
import { callService } from './service-http';

interface GatewayStatus {
  enabled: boolean;
  reachable: boolean;
  latencyMs: number | null;
  ports: { registered: number; total: number; active: unknown[] };
  queue: { instant: number; normal: number; bulk: number };
  circuit: { state: string; consecutiveFailures: number; openUntil: string | null };
  lastSuccessfulSendAt: string | null;
}

/** `gateway status`: sms-dispatch's view of the gateway. */
export async function gatewayStatus(config: CliConfig, io: Io, opts: { json?: boolean }): Promise<void> {
  const s = await callService<GatewayStatus>(config, 'sms-dispatch', '/sms-gateway/status');
  if (opts.json) return io.out(JSON.stringify(s, null, 2));
  io.out(`Gateway (as sms-dispatch at ${config.services['sms-dispatch']} sees it)`);
  io.out(table([
    ['sending enabled', s.enabled ? 'yes' : 'NO (SMS_ENABLED=false: texts are suppressed)'],
    ['reachable', s.reachable ? `yes${s.latencyMs !== null && s.latencyMs !== undefined ? ` (${s.latencyMs} ms)` : ''}` : 'NO'],
    ['ports', `${s.ports?.registered ?? '?'} registered of ${s.ports?.total ?? '?'}${s.ports?.active?.length ? `; active: ${s.ports.active.map((p) => (typeof p === 'object' ? JSON.stringify(p) : String(p))).join(', ')}` : ''}`],
    ['queue', `instant ${s.queue?.instant ?? 0}, normal ${s.queue?.normal ?? 0}, bulk ${s.queue?.bulk ?? 0}`],
    ['circuit', `${s.circuit?.state ?? '?'}${s.circuit?.consecutiveFailures ? `, ${s.circuit.consecutiveFailures} failures in a row` : ''}${s.circuit?.openUntil ? `, open until ${s.circuit.openUntil}` : ''}`],
    ['last successful send', s.lastSuccessfulSendAt ?? 'never (since start)'],
  ]).join('\n'));
}

interface ScheduleView {
  cron?: string;
  lastSlotAt?: string | null;
  nextSlotAt?: string | null;
  lastTick?: { emittedAt?: string; trigger?: string; caughtUp?: boolean; missedSlots?: number } | null;
  skippedSlotsInChapter?: number;
}

/** `scheduler status`: each schedule's cron, last and next slot, last tick. */
export async function schedulerStatus(config: CliConfig, io: Io, opts: { json?: boolean }): Promise<void> {
  const body = await callService<unknown>(config, 'scheduler', '/schedules');
  if (opts.json) return io.out(JSON.stringify(body, null, 2));
  const view = body as { now?: string; clockEnabled?: boolean; schedules?: Array<ScheduleView & { schedule?: string }> };
  const entries: Array<[string, ScheduleView]> = (view.schedules ?? []).map((s) => [s.schedule ?? '?', s]);
  io.out(`Scheduler at ${config.services.scheduler}: now ${view.now ?? '?'}, clock ${view.clockEnabled === false ? 'OFF (only POST /crons/* ticks)' : 'on'}`);
  io.out(columns(
    ['schedule', 'cron', 'last slot', 'next slot', 'last tick', 'skipped'],
    entries.map(([name, s]) => [
      name, s.cron, s.lastSlotAt ?? 'none yet', s.nextSlotAt,
      s.lastTick ? `${s.lastTick.emittedAt ?? '?'} (${s.lastTick.trigger ?? '?'}${s.lastTick.caughtUp ? `, caught up ${s.lastTick.missedSlots ?? 0} missed` : ''})` : '-',
      s.skippedSlotsInChapter ?? 0,
    ]),
  ).join('\n'));
}

/** `quarantine list`: gateway callbacks receipts refused. */
export async function quarantineList(config: CliConfig, io: Io, opts: { json?: boolean }): Promise<void> {
  const rows = await callService<Array<Record<string, unknown>>>(config, 'receipts', '/receipts/quarantine');
  if (opts.json) return io.out(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return io.out('Quarantine is empty.');
  io.out(columns(['received at', 'reason', 'content type', 'bytes', 'event'], rows.map((r) => [r['received_at'], r['reason'], r['content_type'], r['bytes'], r['event_id']])).join('\n'));
  io.out(`${rows.length} quarantined callback(s)${rows.length >= 1000 ? ' (newest 1000)' : ''}.`);
}

interface ProjectionStatus { generation: number; rebuilding: boolean }

/** `projections rebuild`: starts a rebuild and polls its status until it is done or `timeoutSeconds` pass. */
export async function projectionsRebuild(config: CliConfig, io: Io, opts: { timeoutSeconds: number; pollMs?: number }): Promise<void> {
  const started = await callService<{ generation: number; started: boolean }>(config, 'receipts', '/receipts/projections/rebuild', { method: 'POST' });
  io.out(started.started ? `Rebuild started: generation ${started.generation} serves until g${started.generation + 1} is ready.` : 'A rebuild was already running; following it.');
  const from = started.generation;
  // receipts reports no progress figure, only whether a rebuild runs: the bar counts elapsed time up to the limit.
  const bar = new SingleBar({ stream: process.stderr, format: 'rebuild [{bar}] {duration}s (generation {generation})' }, Presets.shades_classic);
  if (io.interactive) bar.start(opts.timeoutSeconds, 0, { generation: from });
  const deadline = Date.now() + opts.timeoutSeconds * 1_000;
  const t0 = Date.now();
  try {
    for (;;) {
      const s = await callService<ProjectionStatus>(config, 'receipts', '/receipts/projections/status');
      if (io.interactive) bar.update(Math.min(opts.timeoutSeconds, Math.round((Date.now() - t0) / 1_000)), { generation: s.generation });
      if (!s.rebuilding) {
        if (io.interactive) bar.stop();
        if (s.generation <= from && started.started) throw new CliError(`rebuild ended but generation is still ${s.generation}: it failed, see receipts' log`);
        io.out(`Projections rebuilt: generation ${s.generation} serves now (${((Date.now() - t0) / 1_000).toFixed(1)} s).`);
        return;
      }
      if (Date.now() > deadline) throw new CliError(`rebuild still running after ${opts.timeoutSeconds} s (it goes on in receipts; \`projections status\` shows it)`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  } finally {
    if (io.interactive) bar.stop();
  }
}

/** `projections status`. */
export async function projectionsStatus(config: CliConfig, io: Io, opts: { json?: boolean }): Promise<void> {
  const s = await callService<ProjectionStatus>(config, 'receipts', '/receipts/projections/status');
  io.out(opts.json ? JSON.stringify(s) : `generation ${s.generation}${s.rebuilding ? ', rebuild running' : ''}`);
}
