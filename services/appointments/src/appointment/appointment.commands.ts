import { Inject, Injectable } from '@nestjs/common';
import type { EnvelopeBase } from '@dailydesk/contracts';
import { defaultEnrich, DomainError, handleCommand, type EventStore, type HandleCommandResult } from '@dailydesk/event-store';
import { PermanentError } from '@dailydesk/messaging';
import { EVENT_STORE } from '@dailydesk/service-kit';
import { appointmentDecider, appointmentStreamId } from './appointment.decider';
import { evolveAppointment, initialAppointmentState } from './appointment.state';
import type { AppointmentCommand, AppointmentEvent } from './appointment.events';
import type { AppointmentState } from './appointment.state';

/**
 * Event ids: a text's id is its deterministic messageId (the SendSms id dispatch de-duplicates on), and what goes
 * with it derives from that id; everything else derives from the command (the booking event or tick it came from).
 */
function enrich(event: AppointmentEvent, context: { command: AppointmentCommand; streamId: string; index: number }): EnvelopeBase {
  const envelope = defaultEnrich(event, context);
  switch (event.type) {
    case 'SendSms':
      return { ...envelope, id: event.data.messageId };
    case 'ConfirmationLinkIssued':
      return { ...envelope, id: `${event.data.messageId}:link` };
    case 'SmsSkipped':
      return { ...envelope, id: `${event.data.messageId}:skipped` };
    case 'SmsOutcomeRecorded':
      // The same outcome re-published under another envelope id is still one fact.
      return { ...envelope, id: `${event.data.messageId}:outcome:${event.data.outcome}` };
    default:
      return envelope;
  }
}

/** Runs commands against appointment streams. */
@Injectable()
export class AppointmentCommands {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  run(command: AppointmentCommand): Promise<HandleCommandResult<AppointmentState>> {
    return handleCommand(this.store, appointmentStreamId(command.data.appointmentId), appointmentDecider, command, { enrich, maxRetries: 5 });
  }

  /** The appointment as its stream says now (read-only: for pages and the read endpoint). */
  async state(appointmentId: string): Promise<AppointmentState> {
    return (await this.stateWithVersion(appointmentId)).state;
  }

  async stateWithVersion(appointmentId: string): Promise<{ state: AppointmentState; version: number }> {
    const { version, events } = await this.store.readStream(appointmentStreamId(appointmentId));
    const state = events.reduce<AppointmentState>((s, r) => evolveAppointment(s, r.event as unknown as AppointmentEvent), initialAppointmentState());
    return { state, version };
  }

  /** As {@link run}, for consumers: a refusal of the rules can never succeed on redelivery, so it is permanent. */
  async runForMessage(command: AppointmentCommand): Promise<HandleCommandResult<AppointmentState>> {
    try {
      return await this.run(command);
    } catch (err) {
      if (err instanceof DomainError) throw new PermanentError(err.message, { code: err.code, cause: err });
      throw err;
    }
  }
}
