import { createHash } from 'node:crypto';
import type { Database, EventStore } from '@dailydesk/event-store';
import type { SkylineClient } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import { INBOX_STREAM, rootEvent, type GatewayInboxPulled } from '../webhook/webhook.events';

/**
 * Pulls the gateway's inbox (goip_get_sms from the stored ssrc / next id) to recover pushes that never reached us.
 * Pulled rows are stored as one event per page; the processor counts identical rows per source and folds only what
 * the pushes missed (max(pushed, pulled)), so recovering is safe to repeat. The cursor moves after the page is stored.
 */
export class InboxReconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly client: Pick<SkylineClient, 'getInboundSms'>,
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async migrate(): Promise<void> {
    await this.db.exec(`CREATE TABLE IF NOT EXISTS "${this.schema}".inbox_cursor (id integer PRIMARY KEY, ssrc text NOT NULL, next_id integer NOT NULL)`);
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.reconcile()
        .then(() => undefined, (err: unknown) => this.logger.warn({ err }, 'receipts: inbox reconciliation failed; will retry'))
        .finally(() => (this.running = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass: pages until the gateway has nothing newer. Resolves with the number of rows pulled. */
  async reconcile(pageSize = 200): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await this.db.query<{ ssrc: string; next_id: number }>(`SELECT ssrc, next_id FROM "${this.schema}".inbox_cursor WHERE id = 1`);
      const cursor = row ? { ssrc: row.ssrc, nextId: Number(row.next_id) } : {};
      const page = await this.client.getInboundSms(cursor, { max: pageSize });
      if (page.rows.length > 0) {
        const fromId = page.rebooted ? 1 : (cursor.nextId ?? 1);
        const data: GatewayInboxPulled = { ssrc: page.cursor.ssrc, fromId, nextId: page.cursor.nextId, rows: page.rows, pulledAt: this.now().toISOString() };
        const id = `pull:${createHash('sha256').update(JSON.stringify([data.ssrc, fromId, page.rows])).digest('hex')}`;
        await this.store.appendToStream(INBOX_STREAM, [rootEvent(id, 'GatewayInboxPulled', data.pulledAt, data)], { expectedVersion: 'any' });
        total += page.rows.length;
      }
      await this.db.query(
        `INSERT INTO "${this.schema}".inbox_cursor VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET ssrc = EXCLUDED.ssrc, next_id = EXCLUDED.next_id`,
        [page.cursor.ssrc, page.cursor.nextId],
      );
      if (page.rows.length < pageSize) return total;
    }
  }
}
