import { BadRequestException, ServiceUnavailableException, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '@dailydesk/event-store';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { PROJECTIONS } from '../receipts.tokens';
import type { ReceiptsPipeline } from '../pipeline/inline-pipeline';
import { toCsv } from './csv';

const ListQuery = z.object({
  businessId: z.string().max(128).optional(),
  purpose: z.string().max(32).optional(),
  status: z.string().max(32).optional(),
  campaignId: z.string().max(128).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequestException(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** The analysts' HTTP API over the views of the service schema. */
@Controller('receipts')
export class ProjectionController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_SCHEMA) private readonly schema: string,
    @Inject(PROJECTIONS) pipeline: ReceiptsPipeline,
  ) {
    this.runner = pipeline.projections;
  }

  private readonly runner: ReceiptsPipeline['projections'];

  /** Messages with filters (created = requested, else sent/failed/suppressed time), newest first; CSV with Accept: text/csv. */
  @Get('messages')
  async list(@Query() query: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const f = parse(ListQuery, query);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.businessId) add('business_id = ?', f.businessId);
    if (f.purpose) add('purpose = ?', f.purpose);
    if (f.status) add('status = ?', f.status);
    if (f.campaignId) add('campaign_id = ?', f.campaignId);
    const created = 'COALESCE(requested_at, sent_at, failed_at, suppressed_at)';
    if (f.from) add(`${created} >= ?::timestamptz`, f.from);
    if (f.to) add(`${created} < ?::timestamptz`, f.to);
    params.push(f.limit + 1, f.offset);
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT message_id, business_id, purpose, campaign_id, campaign_run_id, appointment_id, customer_id, recipient_masked,
              status, requested_at, sent_at, transmitted_at, delivered_at, undelivered_at, failed_at, suppressed_at,
              segments, port, tid, failure_reason
         FROM "${this.schema}".messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${created} DESC NULLS LAST, message_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const items = rows.slice(0, f.limit).map(normalise);
    const more = rows.length > f.limit;
    if ((req.headers.accept ?? '').includes('text/csv')) {
      await reply.header('content-type', 'text/csv; charset=utf-8').header('x-next-offset', more ? String(f.offset + f.limit) : '').send(toCsv(items));
      return;
    }
    await reply.send({ items, nextOffset: more ? f.offset + f.limit : null });
  }

  @Get('campaigns/:campaignId/summary')
  async campaign(@Param('campaignId') campaignId: string): Promise<Record<string, unknown>> {
    const [row] = await this.db.query<Record<string, unknown>>(`SELECT * FROM "${this.schema}".campaign_funnel WHERE campaign_id = $1`, [campaignId]);
    return row ? normalise(row) : { campaign_id: campaignId, requested: 0, sent: 0, transmitted: 0, delivered: 0, undelivered: 0, failed: 0, suppressed: 0 };
  }

  @Get('businesses/:businessId/summary')
  async business(@Param('businessId') businessId: string, @Query() query: unknown): Promise<Record<string, unknown>> {
    const f = parse(ListQuery.pick({ from: true, to: true }), query);
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT purpose, status, count(*)::int AS messages, coalesce(sum(segments), 0)::int AS segments FROM "${this.schema}".messages
        WHERE business_id = $1 AND ($2::timestamptz IS NULL OR COALESCE(requested_at, sent_at, failed_at, suppressed_at) >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR COALESCE(requested_at, sent_at, failed_at, suppressed_at) < $3::timestamptz)
        GROUP BY purpose, status ORDER BY purpose, status`,
      [businessId, f.from ?? null, f.to ?? null],
    );
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[String(r['status'])] = (byStatus[String(r['status'])] ?? 0) + Number(r['messages']);
    return { businessId, total: rows.reduce((n, r) => n + Number(r['messages']), 0), byStatus, byPurposeAndStatus: rows.map(normalise) };
  }

  @Get('quarantine')
  async quarantine(): Promise<Record<string, unknown>[]> {
    return (await this.db.query<Record<string, unknown>>(`SELECT * FROM "${this.schema}".quarantine ORDER BY received_at DESC LIMIT 1000`)).map(normalise);
  }

  /** Replays the store into fresh tables and swaps them in; the current ones serve meanwhile. */
  @Post('projections/rebuild')
  @HttpCode(202)
  @Header('cache-control', 'no-store')
  rebuild(): { generation: number; started: boolean } {
    // One replica writes the projections (the pipeline lock); a rebuild asked of another would race it.
    if (!this.runner.runsHere) throw new ServiceUnavailableException({ code: 'NOT_HERE', reason: 'the projections run on another replica of receipts; retry' });
    const started = !this.runner.rebuildInProgress;
    void this.runner.rebuild().catch(() => undefined);
    return { generation: this.runner.activeGeneration, started };
  }

  @Get('projections/status')
  status(): { generation: number; rebuilding: boolean } {
    return { generation: this.runner.activeGeneration, rebuilding: this.runner.rebuildInProgress };
  }
}

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
  return out;
}
