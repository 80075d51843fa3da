import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type {
  AppointmentBooked,
  AppointmentCancelled,
  AppointmentConfirmed,
  AppointmentRescheduled,
  CustomerCheckedIn,
  EnvelopeBase,
} from '@dailydesk/contracts';
import { APPOINTMENTS_OPTIONS, type AppointmentsOptions } from '../shared/tokens';
import { AppointmentCommands } from './appointment.commands';
import { awaitsInstantText } from './appointment.decider';
import { TextContextService } from './text-context.service';

/** Thrown to have a booking event redelivered later: its text waits for the customer or business to be known. */
class WaitingForDirectory extends Error {
  readonly code = 'WAITING_FOR_DIRECTORY';
}

/** Records what the booking frontend says about appointments; online bookings and reschedules are texted at once. */
@Controller()
export class BookingHandlers {
  constructor(
    private readonly commands: AppointmentCommands,
    private readonly contexts: TextContextService,
    @Inject(APPOINTMENTS_OPTIONS) private readonly options: AppointmentsOptions,
  ) {}

  @EventPattern('AppointmentBooked', { durable: 'record-booking-and-confirm' })
  async recordBookingAndSendConfirmation(e: AppointmentBooked): Promise<void> {
    const context = e.data.channel === 'online' ? await this.contexts.forCustomer(e.businessId, e.data.customerId) : null;
    const { appointmentId, ...booking } = e.data;
    const result = await this.commands.runForMessage({
      type: 'RecordBooking',
      data: { appointmentId, businessId: e.businessId, source: this.source(e), booking, context },
      metadata: this.metadata(e),
    });
    if (e.data.channel === 'online' && context === null && awaitsInstantText(result.state, appointmentId, 'confirmation', e.data.startsAt, this.now())) {
      throw new WaitingForDirectory(`confirmation of ${appointmentId} waits for its customer or business to be known`);
    }
  }

  @EventPattern('AppointmentRescheduled', { durable: 'record-reschedule-and-text' })
  async recordRescheduleAndSendNewDetails(e: AppointmentRescheduled): Promise<void> {
    const context = await this.contexts.forCustomer(e.businessId, e.data.customerId);
    const { appointmentId, previousStartsAt: _previous, ...booking } = e.data;
    const result = await this.commands.runForMessage({
      type: 'RecordReschedule',
      data: { appointmentId, businessId: e.businessId, source: this.source(e), booking, context },
      metadata: this.metadata(e),
    });
    if (context === null && awaitsInstantText(result.state, appointmentId, 'reschedule', e.data.startsAt, this.now())) {
      throw new WaitingForDirectory(`reschedule text of ${appointmentId} waits for its customer or business to be known`);
    }
  }

  @EventPattern('AppointmentCancelled', { durable: 'record-cancellation' })
  async recordCancellation(e: AppointmentCancelled): Promise<void> {
    await this.commands.runForMessage({
      type: 'RecordCancellation',
      data: { appointmentId: e.data.appointmentId, businessId: e.businessId, source: this.source(e), customerId: e.data.customerId },
      metadata: this.metadata(e),
    });
  }

  @EventPattern('CustomerCheckedIn', { durable: 'record-check-in' })
  async recordCheckIn(e: CustomerCheckedIn): Promise<void> {
    await this.commands.runForMessage({
      type: 'RecordCheckIn',
      data: { appointmentId: e.data.appointmentId, businessId: e.businessId, source: this.source(e), customerId: e.data.customerId, checkedInAt: e.data.checkedInAt },
      metadata: this.metadata(e),
    });
  }

  /** Confirmations by staff, online or reply; our own link confirmations come back here too and change nothing. */
  @EventPattern('AppointmentConfirmed', { durable: 'record-confirmation' })
  async recordConfirmation(e: AppointmentConfirmed): Promise<void> {
    await this.commands.runForMessage({
      type: 'RecordConfirmation',
      data: {
        appointmentId: e.data.appointmentId,
        businessId: e.businessId,
        source: this.source(e),
        customerId: e.data.customerId,
        via: e.data.source,
        confirmedAt: e.data.confirmedAt,
      },
      metadata: this.metadata(e),
    });
  }

  private now(): string {
    return this.options.clock().toISOString();
  }

  private source(e: EnvelopeBase) {
    return { id: e.id, occurredAt: e.occurredAt };
  }

  private metadata(e: EnvelopeBase & { businessId: string }) {
    return { commandId: e.id, now: this.now(), correlationId: e.correlationId, businessId: e.businessId };
  }
}
