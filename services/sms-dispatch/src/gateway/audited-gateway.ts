import { maskPhone } from '@dailydesk/observability';
import { SkylineError, type DevStatus, type QueuedTasksPage, type SkylineClient, type SmsTask, type TaskSubmitResult } from '@dailydesk/skyline';
import type { Database } from '@dailydesk/event-store';
import type { Logger } from 'pino';

type DevStatusOf<T> = T extends (...a: never[]) => Promise<infer R> ? R : never;
export type GatewayStatus = DevStatusOf<SkylineClient['getStatus']>;

/**
 * The gateway client with an audit row per call (what was asked, the answer, the duration — phones masked, no
 * body, no password) and the latency/reachability the status endpoint reports.
 */
export class AuditedGateway {
  lastLatencyMs: number | null = null;
  reachable: boolean | null = null;

  constructor(
    private readonly client: SkylineClient,
    private readonly db: Database,
    private readonly schema: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async sendSms(tasks: SmsTask[]): Promise<TaskSubmitResult[]> {
    const request = { tasks: tasks.map((t) => ({ tid: t.tid, from: t.from, to: maskPhone(String(t.to)), coding: t.coding })) };
    return this.call('goip_post_sms.html', request, () => this.client.sendSms(tasks, { timeoutMs: this.timeoutMs }), (r) => ({
      results: r.map((x) => (x.status === 'refused' ? { tid: x.tid, code: x.code } : { tid: x.tid, status: x.status })),
    }));
  }

  async getStatus(): Promise<GatewayStatus> {
    return this.call('goip_get_status.html', {}, () => this.client.getStatus({}, { timeoutMs: this.timeoutMs }), (s) => ({ ports: s.ports.length }));
  }

  async getTasks(port: number, pos: number, num: number): Promise<QueuedTasksPage> {
    return this.call('goip_get_tasks.html', { port, pos, num }, () => this.client.getTasks(port, { pos, num }, { timeoutMs: this.timeoutMs }), (p) => ({
      total: p.totalNum,
      tids: p.tasks.map((t) => t.tid),
    }));
  }

  private async call<T>(endpoint: string, request: object, run: () => Promise<T>, summarise: (r: T) => object): Promise<T> {
    const started = performance.now();
    let answer: object;
    try {
      const r = await run();
      answer = summarise(r);
      this.reachable = true;
      return r;
    } catch (err) {
      answer = err instanceof SkylineError ? { failure: err.failure.kind, cause: describe(err) } : { error: 'unexpected' };
      if (!(err instanceof SkylineError) || err.failure.kind === 'not-sent' || err.failure.kind === 'unknown-outcome') this.reachable = false;
      throw err;
    } finally {
      const duration = Math.round(performance.now() - started);
      this.lastLatencyMs = duration;
      this.db
        .query(`INSERT INTO "${this.schema}".gateway_calls (at, endpoint, request, answer, duration_ms) VALUES (now(), $1, $2, $3, $4)`, [
          endpoint,
          JSON.stringify(request),
          JSON.stringify(answer!),
          duration,
        ])
        .catch((e: unknown) => this.logger.warn({ err: e, endpoint }, 'gateway audit row not written'));
    }
  }
}

function describe(err: SkylineError): string {
  const f = err.failure;
  if (f.kind === 'http-status' || f.kind === 'bad-response') return `status ${f.status}`;
  if (f.kind === 'gateway-refused') return `code ${f.code}`;
  return f.cause;
}

export type { DevStatus };
