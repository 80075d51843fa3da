import { runMain } from '@dailydesk/service-kit';
import { loadConfig } from './config';
import { startScheduler } from './scheduler.app';

runMain(() => startScheduler(loadConfig()));
