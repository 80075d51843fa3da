import { runMain } from '@dailydesk/service-kit';
import { loadConfig } from './config';
import { startSmsDispatch } from './sms-dispatch.app';

runMain(() => startSmsDispatch(loadConfig()));
