import { randomBytes } from 'node:crypto';

/** The NATS server integration tests use: `NATS_URL`, else the machine's `nats://127.0.0.1:4222`. */
export function natsUrl(): string {
  return process.env.NATS_URL || 'nats://127.0.0.1:4222';
}

/** The PostgreSQL database integration tests use: `DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/test`. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

/**
 * A random name `<prefix>_<12 hex>` valid as a NATS stream, consumer or subject token and as an unquoted
 * PostgreSQL identifier (lower case, at most 63 bytes). `prefix` must start with a letter and contain only
 * `a-z`, `0-9`, `_` (at most 40 characters).
 */
export function uniqueName(prefix = 't'): string {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new Error(`uniqueName: prefix must match /^[a-z][a-z0-9_]{0,39}$/ (got "${prefix}")`);
  }
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}
