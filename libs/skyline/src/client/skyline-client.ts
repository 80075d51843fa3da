import { Pool, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { parseCodeText, refusalName } from '../codes';
import { devStatusSchema, type DevStatus } from '../callbacks/dev-status.schema';
import { decodeRecvSmsRow, type RecvSmsRow } from '../callbacks/recv-sms.decode';
import { SkylineError, type SkylineFailure } from './client-errors';
import { buildTarget, redactUrl, type GatewayCredentials, type GatewayTarget } from './gateway-url';
import { httpCall, type CallTimeouts } from './http-call';
import {
  codedReplySchema,
  getSmsReplySchema,
  SUCCESS_CODES,
  taskStatusReplySchema,
  tasksReplySchema,
  tidResultsReplySchema,
} from './response.schemas';
import type {
  CallOptions,
  GatewayCommand,
  InboundCursor,
  QueuedTasksPage,
  ReportSettings,
  SkylineClientOptions,
  SmsTask,
  TaskSubmitResult,
  TidOperationResult,
} from './client-types';
import { toWireTask, validateTasks } from './task-wire';

/** Typed client of the Skyline / Ejoin goip_* HTTP API over one keep-alive undici pool. */
export class SkylineClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly credentials: GatewayCredentials;
  private readonly defaults: Omit<CallTimeouts, 'signal'>;
  private readonly reports: ReportSettings;
  private readonly logger: Logger | undefined;

  constructor(options: SkylineClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be http(s)');
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.credentials = { username: options.username, password: options.password };
    this.defaults = {
      timeoutMs: options.timeoutMs ?? 20_000,
      headersTimeoutMs: options.headersTimeoutMs ?? 15_000,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 15_000,
    };
    this.reports = options.reports ?? {};
    this.logger = options.logger;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Pool(this.origin, {
        connections: options.connections ?? 4,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
        connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      });
  }

  /** The gateway origin with no credentials, safe to log. */
  get redactedBaseUrl(): string {
    return redactUrl(this.origin + this.basePath);
  }

  /**
   * Submits tasks with `POST /goip_post_sms.html`. Resolves with one result per task, in the order given;
   * throws {@link SkylineError} when the call itself failed (see its `failure.kind`).
   */
  async sendSms(tasks: SmsTask[], options: ReportSettings & CallOptions = {}): Promise<TaskSubmitResult[]> {
    validateTasks(tasks);
    const r = { ...this.reports, ...definedOnly(options) };
    const body = {
      type: 'send-sms',
      task_num: tasks.length,
      ...(r.srUrl !== undefined && { sr_url: r.srUrl }),
      ...(r.srCnt !== undefined && { sr_cnt: r.srCnt }),
      ...(r.srPrd !== undefined && { sr_prd: r.srPrd }),
      ...(r.smsUrl !== undefined && { sms_url: r.smsUrl }),
      ...(r.smsCnt !== undefined && { sms_cnt: r.smsCnt }),
      ...(r.smsPrd !== undefined && { sms_prd: r.smsPrd }),
      tasks: tasks.map(toWireTask),
    };
    const reply = await this.json('goip_post_sms.html', 'POST', {}, body, options, taskStatusReplySchema);
    const byTid = new Map<number, string | number>();
    for (const s of reply.status) byTid.set(s.tid, s.status);
    return tasks.map((t): TaskSubmitResult => {
      const raw = byTid.get(t.tid);
      if (raw === undefined) return { tid: t.tid, status: 'missing' };
      const ct = parseCodeText(raw) ?? { code: 7, text: String(raw) };
      if (ct.code === 0) return { tid: t.tid, status: 'accepted' };
      return { tid: t.tid, status: 'refused', code: ct.code, refusal: refusalName(ct.code), text: ct.text };
    });
  }

  /** Reads device and port status (`GET /goip_get_status.html`); `url`/`period` also register status pushes. */
  async getStatus(
    query: { allSims?: boolean; allSlots?: boolean; url?: string; period?: number } = {},
    options: CallOptions = {},
  ): Promise<DevStatus> {
    const extra = {
      all_sims: query.allSims ? 1 : undefined,
      all_slots: query.allSlots ? 1 : undefined,
      url: query.url,
      period: query.period,
    };
    const { target, text, status } = await this.raw('goip_get_status.html', 'GET', extra, undefined, options);
    return this.decode(text, status, target, devStatusSchema, 'goip_get_status.html');
  }

  /** Lists not-yet-sent tasks of one port (`GET /goip_get_tasks.html`). */
  async getTasks(
    port: number,
    page: { pos?: number; num?: number; hasContent?: boolean } = {},
    options: CallOptions = {},
  ): Promise<QueuedTasksPage> {
    const extra = { port, pos: page.pos ?? 0, num: page.num ?? 10, has_content: page.hasContent ? 1 : 0 };
    const r = await this.json('goip_get_tasks.html', 'GET', extra, undefined, options, tasksReplySchema);
    return {
      totalNum: r.total_num,
      taskNum: r.task_num,
      tasks: r.tasks.map((t) => ({
        tid: t.tid,
        state: t.state === 1 ? 'paused' : 'queued',
        stateCode: t.state,
        from: t.from,
        to: t.to,
        ...(t.chs !== undefined && { chs: t.chs }),
        ...(t.coding !== undefined && { coding: t.coding }),
        ...(t.sms !== undefined && { sms: t.sms }),
      })),
    };
  }

  /** Pauses queued tasks (all when `tids` is omitted). */
  pauseTasks(tids?: number[], options: CallOptions = {}): Promise<TidOperationResult> {
    return this.tidOperation('goip_pause_sms.html', tids, options);
  }

  /** Resumes paused tasks (all when `tids` is omitted). */
  resumeTasks(tids?: number[], options: CallOptions = {}): Promise<TidOperationResult> {
    return this.tidOperation('goip_resume_sms.html', tids, options);
  }

  /** Deletes queued tasks (all when `tids` is omitted). */
  removeTasks(tids?: number[], options: CallOptions = {}): Promise<TidOperationResult> {
    return this.tidOperation('goip_remove_sms.html', tids, options);
  }

  /**
   * Pulls received SMS from `cursor.nextId` (`GET /goip_get_sms.html`). When the reply's `ssrc` differs from
   * `cursor.ssrc` the device rebooted and numbering restarted: the call re-reads from id 1 and sets `rebooted`.
   */
  async getInboundSms(
    cursor: Partial<InboundCursor> = {},
    query: { max?: number; delete?: boolean } = {},
    options: CallOptions = {},
  ): Promise<{ rows: RecvSmsRow[]; cursor: InboundCursor; rebooted: boolean }> {
    const read = (fromId: number) =>
      this.json(
        'goip_get_sms.html',
        'GET',
        { sms_id: fromId, sms_num: query.max ?? 0, sms_del: query.delete ? 1 : undefined },
        undefined,
        options,
        getSmsReplySchema,
      );
    const fromId = cursor.nextId ?? 1;
    let reply = await read(fromId);
    const rebooted = cursor.ssrc !== undefined && cursor.ssrc !== '' && reply.ssrc !== cursor.ssrc;
    if (rebooted && fromId !== 1) reply = await read(1);
    const start = rebooted ? 1 : fromId;
    const nextId = reply.next_sms ?? start + reply.data.length;
    return { rows: reply.data.map(decodeRecvSmsRow), cursor: { ssrc: reply.ssrc, nextId }, rebooted };
  }

  /** Sends a device command (`POST /goip_send_cmd.html`, `{"type":"command",...}`); resolves with code / reason. */
  async sendCommand(command: GatewayCommand, options: CallOptions = {}): Promise<{ code: number; reason: string; raw: unknown }> {
    const r = await this.json('goip_send_cmd.html', 'POST', {}, { type: 'command', ...command }, options, codedReplySchema);
    return { code: r.code, reason: r.reason, raw: r };
  }

  /** Closes the pool (when the client created it). In-flight calls fail with `not-sent`/`unknown-outcome`. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async tidOperation(endpoint: string, tids: number[] | undefined, options: CallOptions): Promise<TidOperationResult> {
    const body = tids === undefined ? {} : { tids };
    const r = await this.json(endpoint, 'POST', {}, body, options, tidResultsReplySchema);
    const results =
      r.results === undefined
        ? null
        : r.results.map((x) => {
            const ct = parseCodeText(x.status) ?? { code: 7, text: String(x.status) };
            return { tid: x.tid, ok: ct.code === 0, code: ct.code, text: ct.text };
          });
    return { code: r.code, reason: r.reason, results };
  }

  private async json<S extends z.ZodType<{ code: number; reason: string }>>(
    endpoint: string,
    method: 'GET' | 'POST',
    extra: Record<string, string | number | undefined>,
    body: unknown,
    options: CallOptions,
    schema: S,
  ): Promise<z.output<S>> {
    const { target, text, status } = await this.raw(endpoint, method, extra, body, options);
    const reply = this.decode(text, status, target, schema, endpoint);
    if (!SUCCESS_CODES.has(reply.code)) {
      throw this.fail({ kind: 'gateway-refused', code: reply.code, reason: reply.reason }, endpoint, target, 0);
    }
    return reply;
  }

  private async raw(
    endpoint: string,
    method: 'GET' | 'POST',
    extra: Record<string, string | number | undefined>,
    body: unknown,
    options: CallOptions,
  ): Promise<{ target: GatewayTarget; text: string; status: number }> {
    const target = buildTarget(this.origin, this.basePath, endpoint, this.credentials, extra);
    const t: CallTimeouts = { ...this.defaults, ...definedOnly(options) };
    try {
      const res = await httpCall(this.dispatcher, endpoint, method, target, body === undefined ? undefined : JSON.stringify(body), t);
      this.logger?.debug({ endpoint, url: target.redacted, status: res.status, ms: Math.round(res.elapsedMs) }, 'gateway call');
      if (res.status !== 200) {
        throw this.fail({ kind: 'http-status', status: res.status, detail: snippet(res.body) }, endpoint, target, res.elapsedMs);
      }
      return { target, text: res.body, status: res.status };
    } catch (err) {
      if (err instanceof SkylineError) {
        this.logger?.warn({ endpoint, url: err.url, failure: err.failure.kind, ms: Math.round(err.elapsedMs) }, err.message);
      }
      throw err;
    }
  }

  private decode<S extends z.ZodType>(text: string, status: number, target: GatewayTarget, schema: S, endpoint: string): z.output<S> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.fail({ kind: 'bad-response', status, detail: `not JSON: ${snippet(text)}` }, endpoint, target, 0);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw this.fail({ kind: 'bad-response', status, detail: issues.join('; ') }, endpoint, target, 0);
    }
    return parsed.data;
  }

  private fail(failure: SkylineFailure, endpoint: string, target: GatewayTarget, elapsedMs: number): SkylineError {
    return new SkylineError(failure, endpoint, target.redacted, elapsedMs);
  }
}

function snippet(text: string): string {
  const s = redactUrl(text.replace(/\s+/g, ' ').trim());
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
