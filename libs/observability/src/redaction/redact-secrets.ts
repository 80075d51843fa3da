import { stdSerializers } from 'pino';
import { maskPhone, REDACTED, redactBody, redactString } from './redact-string';

// Keys compared after lower-casing and dropping `-` and `_`, so `apiKey`, `api_key`, `x-api-key` all match.
const SECRET_KEYS = new Set([
  'password', 'passwd', 'pass', 'pwd', 'token', 'apikey', 'xapikey', 'authorization', 'secret', 'cookie',
  'setcookie', 'proxyauthorization',
]);
const SECRET_SUFFIXES = ['password', 'token', 'secret', 'apikey'];
const BODY_KEYS = new Set(['text', 'sms', 'body', 'content']);
const PHONE_KEYS = new Set(['to', 'from', 'phone', 'recipient', 'recipients', 'number', 'numbers', 'msisdn', 'sender']);
const PHONE_SUFFIXES = ['phone', 'phonenumber', 'msisdn'];

const MAX_DEPTH = 10;

type KeyKind = 'secret' | 'body' | 'phone' | 'plain';

const kindCache = new Map<string, KeyKind>();

function kindOf(key: string): KeyKind {
  const cached = kindCache.get(key);
  if (cached) return cached;
  const k = key.toLowerCase().replace(/[-_]/g, '');
  let kind: KeyKind = 'plain';
  if (SECRET_KEYS.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s))) kind = 'secret';
  else if (BODY_KEYS.has(k)) kind = 'body';
  else if (PHONE_KEYS.has(k) || PHONE_SUFFIXES.some((s) => k.endsWith(s))) kind = 'phone';
  // Keys come from code, not data, so the cache stays small; the bound guards against data-shaped keys.
  if (kindCache.size < 10_000) kindCache.set(key, kind);
  return kind;
}

/**
 * Returns a deep copy of `value` that is safe to log or to put in an error message:
 * - values under secret keys (`password`, `pass`, `pwd`, `token`, `apiKey`, `api_key`, `authorization`, `secret`,
 *   `x-api-key`, `cookie`, any key ending in password/token/secret/apikey) → `[REDACTED]`, at any depth;
 * - message bodies (`text`, `sms`, `body`, `content`) → `[REDACTED n chars]` for strings, `[REDACTED]` otherwise;
 * - phone numbers under `to`, `from`, `phone`, `recipient`, `number`, `msisdn`, … → masked except the last 3 digits;
 * - every other string → {@link redactString} (`password=…` in URLs, `+`E.164 numbers, URL userinfo);
 * - `Error`s → plain `{ type, message, stack, code?, … }` objects (causes included), sanitized the same way.
 * Never mutates its input; cycles become `[Circular]`, nesting deeper than 10 becomes `[Truncated]`.
 */
export function redactSecrets<T>(value: T): T;
export function redactSecrets(value: unknown): unknown {
  return walk(value, 0, new WeakSet<object>());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return redactString(value);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[Binary ${value.byteLength} bytes]`;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return walkObject(errorToObject(value), depth, seen);
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    if (value instanceof Map) return walkObject(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return [...value].map((item) => walk(item, depth + 1, seen));
    return walkObject(value as Record<string, unknown>, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function walkObject(obj: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined) continue;
    switch (kindOf(key)) {
      case 'secret':
        out[key] = v === null || v === '' ? v : REDACTED;
        break;
      case 'body':
        out[key] = typeof v === 'string' ? redactBody(v) : v === null ? null : REDACTED;
        break;
      case 'phone':
        out[key] = maskPhoneValue(v, depth, seen);
        break;
      default:
        out[key] = walk(v, depth + 1, seen);
    }
  }
  return out;
}

function maskPhoneValue(v: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return maskPhone(v);
  if (typeof v === 'number' || typeof v === 'bigint') return maskPhone(String(v));
  if (Array.isArray(v)) return v.map((item) => maskPhoneValue(item, depth + 1, seen));
  // `from` may well be an object (a port, an address): walk it like any other value.
  return walk(v, depth + 1, seen);
}

// pino's own serializer flattens causes into message/stack; we drop its `raw` back-reference to the original.
function errorToObject(err: Error): Record<string, unknown> {
  const serialized = stdSerializers.err(err) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(serialized)) {
    if (key !== 'raw') out[key] = serialized[key];
  }
  return out;
}
