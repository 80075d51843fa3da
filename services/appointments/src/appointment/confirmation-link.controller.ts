import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, type Database } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { q } from '../shared/tables';
import { APPOINTMENTS_OPTIONS, type AppointmentsOptions } from '../shared/tokens';
import { AppointmentCommands } from './appointment.commands';
import { PAGES } from './confirmation-page';
import { localDateTime } from './local-time';
import { TextContextService } from './text-context.service';

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** `GET /c/:token`: the link texted in a reminder. Records AppointmentConfirmed (published by the relay) and says so. */
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
  async confirm(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const { status, html } = await this.outcome(token);
    await reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex')
      .send(html);
  }

  private async outcome(token: string): Promise<{ status: number; html: string }> {
    if (!TOKEN.test(token)) return PAGES.unknown();
    const [link] = await this.db.query<{ appointment_id: string; business_id: string }>(
      `SELECT appointment_id, business_id FROM ${this.s}.confirmation_links WHERE token = $1`,
      [token],
    );
    if (!link) return PAGES.unknown();
    const now = this.options.clock().toISOString();
    try {
      const result = await this.commands.run({
        type: 'ConfirmByLink',
        data: { appointmentId: link.appointment_id, businessId: link.business_id, token, at: now },
        // The link itself is the cause: following it twice is one confirmation.
        metadata: { commandId: `confirm-link:${token}`, now, correlationId: `confirm-link:${token}`, businessId: link.business_id },
      });
      const what = await this.describe(link.business_id, result.state.status === 'unknown' ? null : result.state.details?.startsAt ?? null);
      return result.appended ? PAGES.confirmed(what) : PAGES.alreadyConfirmed(what);
    } catch (err) {
      if (err instanceof DomainError) {
        if (err.code === 'APPOINTMENT_CANCELLED') return PAGES.cancelled();
        if (err.code === 'LINK_SUPERSEDED') return PAGES.superseded();
        if (err.code === 'LINK_EXPIRED') return PAGES.expired();
        return PAGES.unknown();
      }
      this.logger.error({ err, appointmentId: link.appointment_id }, 'confirmation by link failed');
      return PAGES.failed();
    }
  }

  private async describe(businessId: string, startsAt: string | null): Promise<string> {
    const b = await this.contexts.business(businessId);
    if (!b || !startsAt) return '';
    const { date, time } = localDateTime(startsAt, b.timeZone, b.settings.language);
    return `at ${b.business.name} on ${date} at ${time}`;
  }
}
