import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ConcurrencyError, DuplicateEventError, type EventStore } from '@dailydesk/event-store';
import { counter, LOGGER } from '@dailydesk/observability';
import { EVENT_STORE } from '@dailydesk/service-kit';
import { parseGatewayCallback } from '@dailydesk/skyline';
import { PARSED_CALLBACKS, RECEIPTS_CONFIG } from '../receipts.tokens';
import type { ParsedCallbacks } from './parsed-callbacks';
import type { ReceiptsConfig } from '../config';
import { CALLBACK_STREAM, contentHash, QUARANTINE_STREAM, rootEvent, type GatewayCallbackQuarantined, type GatewayCallbackReceived } from './webhook.events';

/** The seed's path; also `<path>/<token>` for gateways that cannot add a query string. */
export const WEBHOOK_PATH = '/sms-gateway/handle-serverless';

const requests = counter({ name: 'receipts_webhook_requests_total', help: 'Gateway callbacks by outcome', labelNames: ['outcome'] });
const rowsIngested = counter({ name: 'receipts_webhook_rows_total', help: 'Report rows in accepted callbacks' });

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The gateway's callback endpoint (sr_url and sms_url), registered straight on Fastify in its own scope so it
 * sees the raw bytes whatever the content type: the content hash is the callback's identity, and a body that is
 * not JSON must still be kept (quarantine) rather than refused by a parser before we see it.
 */
@Injectable()
export class WebhookRoutes implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RECEIPTS_CONFIG) private readonly config: ReceiptsConfig,
    @Inject(PARSED_CALLBACKS) private readonly parsed: ParsedCallbacks | null,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    const handler = (req: FastifyRequest, reply: FastifyReply) => this.handle(req, reply);
    void fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: this.config.bodyLimit }, (_req, body, done) => done(null, body));
      scope.post(WEBHOOK_PATH, { bodyLimit: this.config.bodyLimit }, handler);
      scope.post(`${WEBHOOK_PATH}/:token`, { bodyLimit: this.config.bodyLimit }, handler);
    });
  }

  private authorised(req: FastifyRequest): boolean {
    const fromPath = (req.params as { token?: string }).token;
    const fromQuery = (req.query as { token?: unknown }).token;
    const given = fromPath ?? (typeof fromQuery === 'string' ? fromQuery : '');
    return timingSafeEqual(digest(given), digest(this.config.webhookToken)) && given.length > 0;
  }

  async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!this.authorised(req)) {
      requests.inc({ outcome: 'unauthorized' });
      this.logger.warn({ ip: req.ip }, 'receipts: callback with a wrong or missing token');
      await reply.code(401).send({ code: 401, reason: 'missing or wrong token' });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const receivedAt = new Date().toISOString();
    const hash = contentHash(body);
    const rejected = (reason: string) => this.quarantine(reply, hash, body, req.headers['content-type'] ?? null, reason, receivedAt);
    if (body.length === 0) return rejected('empty body');
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      // The parser's message quotes the body; keep only what it says is wrong.
      return rejected(`body is not JSON: ${(err as Error).message.replace(/"[^"]*"/g, '…').slice(0, 200)}`);
    }
    const cb = parseGatewayCallback(value);
    if (cb.kind === 'invalid') return rejected(`${cb.type} does not fit the gateway's format: ${cb.issues.slice(0, 5).join('; ')}`);
    if (cb.kind === 'unknown' && cb.type === null) return rejected('body has no string "type" field');
    const rows =
      cb.kind === 'status-report' ? cb.report.rpts.reduce((n, r) => n + r.sdr.length + r.fdr.length, 0) : cb.kind === 'recv-sms' ? cb.recvSms.rows.length : 0;
    const data: GatewayCallbackReceived = { kind: cb.kind, type: cb.kind === 'unknown' ? cb.type : cb.kind, rows, body: value, receivedAt };
    try {
      const stream = `${CALLBACK_STREAM}-${hash}`;
      const event = (id: string) => rootEvent(id, 'GatewayCallbackReceived', receivedAt, data);
      // Handed over before the append: the processor may read the stored event before this handler resumes.
      this.parsed?.put(`cb:${hash}`, cb, rows);
      if (cb.kind === 'recv-sms') await this.appendOccurrence(stream, `cb:${hash}`, event, (id) => this.parsed?.put(id, cb, rows));
      else await this.appendOnce(stream, event(`cb:${hash}`));
    } catch (err) {
      requests.inc({ outcome: 'store-failed' });
      this.logger.error({ err }, 'receipts: could not store a callback');
      await reply.code(503).send({ code: 503, reason: 'could not store the callback, try again' });
      return;
    }
    requests.inc({ outcome: cb.kind });
    rowsIngested.inc(rows);
    await reply.code(200).send({ code: 200, reason: 'OK' });
  }

  private async quarantine(reply: FastifyReply, hash: string, body: Buffer, contentType: string | null, reason: string, receivedAt: string): Promise<void> {
    const text = body.toString('utf8');
    const utf8 = Buffer.from(text, 'utf8').equals(body);
    const data: GatewayCallbackQuarantined = {
      reason, contentType, bytes: body.length, body: utf8 ? text : body.toString('base64'), encoding: utf8 ? 'utf8' : 'base64', receivedAt,
    };
    try {
      await this.appendOnce(`${QUARANTINE_STREAM}-${hash}`, rootEvent(`cbq:${hash}`, 'GatewayCallbackQuarantined', receivedAt, data));
    } catch (err) {
      this.logger.error({ err }, 'receipts: could not quarantine a callback');
      await reply.code(503).send({ code: 503, reason: 'could not store the callback, try again' });
      return;
    }
    requests.inc({ outcome: 'quarantined' });
    this.logger.warn({ reason, bytes: body.length }, 'receipts: callback quarantined');
    await reply.code(400).send({ code: 400, reason });
  }

  /**
   * A recv-sms body is stored once per POST: its rows have no identity of their own, and delivery reports of two
   * texts sent to one number from one port within a second are byte-identical bodies (the gateway does not retry
   * pushes, so a repeat is a new report). The first keeps the id `cb:<sha256>`; the n-th is `cb:<sha256>#n`, appended
   * at version n-1 of the callback's stream, so concurrent repeats each get their own number.
   */
  private async appendOccurrence(stream: string, firstId: string, event: (id: string) => ReturnType<typeof rootEvent>, handOver: (id: string) => void): Promise<void> {
    if ((await this.store.appendToStream(stream, [event(firstId)], { expectedVersion: 'any' })).appended) return;
    this.parsed?.take(firstId);
    for (let attempt = 0; ; attempt++) {
      const { version } = await this.store.readStream(stream);
      const id = `${firstId}#${version + 1}`;
      handOver(id);
      try {
        await this.store.appendToStream(stream, [event(id)], { expectedVersion: version });
        return;
      } catch (err) {
        this.parsed?.take(id);
        if (!(err instanceof ConcurrencyError) || attempt >= 5) throw err;
      }
    }
  }

  /** A repeat of a stored callback is a no-op (same id, same stream); one stored elsewhere is stored too. */
  private async appendOnce(stream: string, event: ReturnType<typeof rootEvent>): Promise<void> {
    try {
      await this.store.appendToStream(stream, [event], { expectedVersion: 'any' });
    } catch (err) {
      if (!(err instanceof DuplicateEventError)) throw err;
    }
  }
}
