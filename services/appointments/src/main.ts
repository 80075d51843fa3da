import { runMain } from '@dailydesk/service-kit';
import { startAppointments } from './appointments.app';
import { loadConfig } from './config';

runMain(() => startAppointments(loadConfig()));
