import { Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, type Database } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { q } from '../shared/tables';
import { APPOINTMENTS_OPTIONS, type AppointmentsOptions } from '../shared/tokens';
import { AppointmentCommands } from './appointment.commands';
import { linkStatus, type LinkStatus } from './appointment.decider';
import { detailsOf, type AppointmentState } from './appointment.state';
import { PAGE_CSP, PAGES, type AppointmentSummary } from './confirmation-page';
import { localDateTime } from './local-time';
import { TextContextService } from './text-context.service';

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

type Page = { status: number; html: string };
type Link = { appointment_id: string; business_id: string };

const REFUSED: Record<Exclude<LinkStatus, 'confirmable' | 'already-confirmed'>, () => Page> = {
  unknown: PAGES.unknown,
  cancelled: PAGES.cancelled,
  superseded: PAGES.superseded,
  expired: PAGES.expired,
};
const BY_CODE: Record<string, () => Page> = {
  APPOINTMENT_CANCELLED: PAGES.cancelled,
  LINK_SUPERSEDED: PAGES.superseded,
  LINK_EXPIRED: PAGES.expired,
};

/**
 * The link texted in a reminder. `GET /c/:token` only shows the appointment and a Confirm button: link-preview bots
 * (messaging apps unfurl links) follow GETs, so a GET must not confirm. The button's `POST /c/:token` records
 * AppointmentConfirmed (published by the relay).
 */
@Controller('c')
export class ConfirmationLinkController {
  private readonly s: string;

  constructor(
    private readonly commands: AppointmentCommands,
    private readonly contexts: TextContextService,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_SCHEMA) schema: string,
    @Inject(APPOINTMENTS_OPTIONS) private readonly options: AppointmentsOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.s = q(schema);
  }

  @Get(':token')
  async show(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, await this.guard(token, (link) => this.preview(link, token)));
  }

  @Post(':token')
  async confirm(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, await this.guard(token, (link) => this.record(link, token)));
  }

  private async guard(token: string, then: (link: Link) => Promise<Page>): Promise<Page> {
    if (!TOKEN.test(token)) return PAGES.unknown();
    try {
      const [link] = await this.db.query<Link>(`SELECT appointment_id, business_id FROM ${this.s}.confirmation_links WHERE token = $1`, [token]);
      return link ? await then(link) : PAGES.unknown();
    } catch (err) {
      this.logger.error({ err }, 'confirmation link failed');
      return PAGES.failed();
    }
  }

  private async preview(link: Link, token: string): Promise<Page> {
    const state = await this.commands.state(link.appointment_id);
    const status = linkStatus(state, token, this.now());
    if (status === 'confirmable') return PAGES.confirm(await this.summary(link.business_id, state), token);
    if (status === 'already-confirmed') return PAGES.alreadyConfirmed(await this.summary(link.business_id, state));
    return REFUSED[status]();
  }

  private async record(link: Link, token: string): Promise<Page> {
    const now = this.now();
    try {
      const result = await this.commands.run({
        type: 'ConfirmByLink',
        data: { appointmentId: link.appointment_id, businessId: link.business_id, token, at: now },
        // The link itself is the cause: submitting it twice is one confirmation.
        metadata: { commandId: `confirm-link:${token}`, now, correlationId: `confirm-link:${token}`, businessId: link.business_id },
      });
      const summary = await this.summary(link.business_id, result.state);
      return result.appended ? PAGES.confirmed(summary) : PAGES.alreadyConfirmed(summary);
    } catch (err) {
      if (err instanceof DomainError) return (BY_CODE[err.code] ?? PAGES.unknown)();
      throw err;
    }
  }

  private async summary(businessId: string, state: AppointmentState): Promise<AppointmentSummary | null> {
    const details = detailsOf(state);
    const b = await this.contexts.business(businessId);
    if (!b || !details) return null;
    const { date, time } = localDateTime(details.startsAt, b.timeZone, b.settings.language);
    return { businessName: b.business.name, date, time, ...(details.serviceName ? { service: details.serviceName } : {}) };
  }

  private now(): string {
    return this.options.clock().toISOString();
  }

  private async send(reply: FastifyReply, { status, html }: Page): Promise<void> {
    await reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', PAGE_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('x-robots-tag', 'noindex')
      .send(html);
  }
}
