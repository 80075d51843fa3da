import { z } from 'zod';
import { baseServiceEnv, parseEnv, serviceConfigOf, type ServiceConfig } from '@dailydesk/service-kit';

const Env = baseServiceEnv(3002).extend({
  /** Base of the confirmation links texted in reminders: `<PUBLIC_BASE_URL>/c/<token>`. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3002'),
  /** Prefix of this service's schemas (tests: a random one); empty in production. */
  SCHEMA_PREFIX: z.string().regex(/^[a-z][a-z0-9_]*$/).optional(),
});

/** The appointments service's configuration. */
export interface AppointmentsConfig extends ServiceConfig {
  /** Without a trailing slash. */
  readonly publicBaseUrl: string;
  readonly schemaPrefix: string | undefined;
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppointmentsConfig {
  const parsed = parseEnv('appointments', Env, env);
  return Object.freeze({
    ...serviceConfigOf(parsed),
    publicBaseUrl: parsed.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    schemaPrefix: parsed.SCHEMA_PREFIX,
  });
}
