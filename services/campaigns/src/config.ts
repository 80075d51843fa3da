import { z } from 'zod';
import { baseServiceEnv, parseEnv, serviceConfigOf, type ServiceConfig } from '@dailydesk/service-kit';

const Env = baseServiceEnv(3003).extend({
  /** Base URL of the receipts service as analysts reach it; campaign views link their results there. */
  RECEIPTS_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3005'),
  /** SendSms requests appended per store transaction during a run (each batch is one checkpoint). */
  CAMPAIGN_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(2500),
  /** A campaign text not handed to the gateway within this many hours after its send time is suppressed (expired). */
  CAMPAIGN_SMS_TTL_HOURS: z.coerce.number().min(1).max(168).default(12),
});

/** The campaigns service's configuration. */
export interface CampaignsConfig {
  readonly service: ServiceConfig;
  readonly receiptsPublicUrl: string;
  readonly batchSize: number;
  readonly smsTtlHours: number;
}

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CampaignsConfig {
  const e = parseEnv('campaigns', Env, env);
  return Object.freeze({
    service: serviceConfigOf(e),
    receiptsPublicUrl: e.RECEIPTS_PUBLIC_URL.replace(/\/+$/, ''),
    batchSize: e.CAMPAIGN_BATCH_SIZE,
    smsTtlHours: e.CAMPAIGN_SMS_TTL_HOURS,
  });
}
