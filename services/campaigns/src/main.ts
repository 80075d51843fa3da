import { runMain } from '@dailydesk/service-kit';
import { startCampaigns } from './campaigns.app';
import { loadConfig } from './config';

runMain(() => startCampaigns(loadConfig()));
