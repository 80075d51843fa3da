import { runMain } from '@dailydesk/service-kit';
import { loadConfig } from './config';
import { startReceipts } from './receipts.app';

runMain(() => startReceipts(loadConfig()));
