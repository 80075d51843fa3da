import { BadRequestException, Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { EntityId } from '@dailydesk/contracts';
import { AppointmentCommands } from './appointment.commands';
import { detailsOf, type AppointmentState, type TextRecord } from './appointment.state';

/** What `GET /appointments/:id` answers: no phone numbers, text bodies or link tokens (a token confirms). */
export interface AppointmentView {
  appointmentId: string;
  businessId: string;
  status: Exclude<AppointmentState['status'], 'unknown'>;
  customerId: string | null;
  startsAt: string | null;
  endsAt: string | null;
  serviceName: string | null;
  staffName: string | null;
  location: string | null;
  confirmedAt: string | null;
  checkedInAt: string | null;
  cancelledAt: string | null;
  review: 'pending' | 'sent' | 'skipped' | null;
  /** Every text asked for, in order, with dispatch's outcome once known (`requested` until then). */
  texts: TextRecord[];
  /** Version of the appointment's stream this view was read at. */
  version: number;
}

/** `GET /appointments/:id`: the appointment as its stream says now, and what became of its texts. */
@Controller('appointments')
export class AppointmentReadController {
  constructor(private readonly commands: AppointmentCommands) {}

  @Get(':appointmentId')
  async read(@Param('appointmentId') appointmentId: string): Promise<AppointmentView> {
    const id = EntityId.safeParse(appointmentId);
    if (!id.success) throw new BadRequestException({ error: 'invalid-appointment-id', reason: id.error.issues.map((i) => i.message).join('; ') });
    const { state: s, version } = await this.commands.stateWithVersion(appointmentId);
    if (s.status === 'unknown' || s.businessId === null) {
      throw new NotFoundException({ error: 'unknown-appointment', reason: `appointment ${appointmentId} is not known` });
    }
    const d = detailsOf(s);
    return {
      appointmentId,
      businessId: s.businessId,
      status: s.status,
      customerId: d?.customerId ?? null,
      startsAt: d?.startsAt ?? null,
      endsAt: d?.endsAt ?? null,
      serviceName: d?.serviceName ?? null,
      staffName: d?.staffName ?? null,
      location: d?.location ?? null,
      confirmedAt: s.status === 'confirmed' ? s.confirmedAt : null,
      checkedInAt: s.status === 'checked-in' ? s.checkedInAt : null,
      cancelledAt: s.status === 'cancelled' ? s.cancelledAt : null,
      review: s.status === 'checked-in' ? s.review : null,
      texts: [...s.texts],
      version,
    };
  }
}
