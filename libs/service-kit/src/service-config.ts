import { z } from 'zod';

/**
 * Environment every service reads, parsed once at start-up. A service extends it with its own variables:
 * `const Env = baseServiceEnv(3002).extend({ ... })`.
 */
export function baseServiceEnv(defaultPort: number) {
  return z.object({
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    /** Prefix of every stream and subject (see the contracts' `topology`); empty in production. */
    NATS_NAMESPACE: z.string().default(''),
    /** Replicas of each stream when a service creates it: 1 on one server, 3 on a production cluster. */
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    /** PostgreSQL for the event store and projections; unset → embedded PGlite under DATA_DIR. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    /** Prefix of the service's schemas, so several installations (or test suites) share one database. */
    SCHEMA_PREFIX: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _, starting with a letter').optional(),
    HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  });
}

/** What {@link baseServiceEnv} parses to, in the names the code uses. */
export interface ServiceConfig {
  readonly natsUrl: string;
  readonly natsNamespace: string;
  readonly natsStreamReplicas: number;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly schemaPrefix: string | undefined;
  readonly httpHost: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A configuration that cannot start the service; the message lists every bad variable (never its value). */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with `schema`, or throws a {@link ConfigError} naming each variable and what is wrong with it. */
export function parseEnv<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const blankToUndefined = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' && k !== 'NATS_NAMESPACE' ? undefined : v]));
  const r = schema.safeParse(blankToUndefined);
  if (!r.success) throw new ConfigError(service, r.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  return r.data;
}

/** The common part of a parsed environment, in the names the code uses. */
export function serviceConfigOf(env: z.infer<ReturnType<typeof baseServiceEnv>>): ServiceConfig {
  return Object.freeze({
    natsUrl: env.NATS_URL,
    natsNamespace: env.NATS_NAMESPACE,
    natsStreamReplicas: env.NATS_STREAM_REPLICAS,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    schemaPrefix: env.SCHEMA_PREFIX,
    httpHost: env.HTTP_HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
  });
}
