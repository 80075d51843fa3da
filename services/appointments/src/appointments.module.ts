import { Module, type DynamicModule } from '@nestjs/common';
import type { Database } from '@dailydesk/event-store';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { AppointmentCommands } from './appointment/appointment.commands';
import { AppointmentProjection } from './appointment/appointment.projection';
import { AppointmentReadController } from './appointment/appointment-read.controller';
import { BookingHandlers } from './appointment/booking.handlers';
import { ConfirmationLinkController } from './appointment/confirmation-link.controller';
import { SmsOutcomeHandlers } from './appointment/sms-outcome.handlers';
import { TextContextService } from './appointment/text-context.service';
import { TickHandlers } from './appointment/tick.handlers';
import { DirectoryHandlers } from './directory/directory.handlers';
import { DirectoryRepository } from './directory/directory.repository';
import { SmsSettingsController } from './sms-settings/sms-settings.controller';
import { SmsSettingsService } from './sms-settings/sms-settings.service';
import { createTables } from './shared/tables';
import { APPOINTMENTS_OPTIONS, TABLES_READY, type AppointmentsOptions } from './shared/tokens';

/** The whole appointments service: directory copies, SMS settings, the Appointment aggregate, ticks and the link. */
@Module({})
export class AppointmentsModule {
  static forRoot(options: AppointmentsOptions): DynamicModule {
    return {
      module: AppointmentsModule,
      controllers: [DirectoryHandlers, BookingHandlers, TickHandlers, SmsOutcomeHandlers, ConfirmationLinkController, AppointmentReadController, SmsSettingsController],
      providers: [
        { provide: APPOINTMENTS_OPTIONS, useValue: options },
        {
          // Async, so Nest awaits it while building the app — before any consumer delivers a message.
          provide: TABLES_READY,
          inject: [DATABASE, SERVICE_SCHEMA],
          useFactory: async (db: Database, schema: string) => {
            await createTables(db, schema);
            return true;
          },
        },
        DirectoryRepository,
        SmsSettingsService,
        TextContextService,
        AppointmentCommands,
        AppointmentProjection,
      ],
    };
  }
}
