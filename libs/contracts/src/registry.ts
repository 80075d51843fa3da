import type { z } from 'zod';
import { describeIssues } from './issues';

/**
 * A frozen older version of a message, and the pure function that lifts it one version up (v → v + 1).
 * The upcaster's result is validated against the next version's schema, so a wrong upcaster fails loudly.
 */
export interface OlderVersion {
  readonly v: number;
  readonly schema: z.ZodType;
  readonly upcast: (message: never) => unknown;
}

/** Builds an {@link OlderVersion} with the upcaster's parameter typed by the frozen schema. */
export function olderVersion<S extends z.ZodType>(v: number, schema: S, upcast: (message: z.infer<S>) => unknown): OlderVersion {
  return { v, schema, upcast: upcast as (message: never) => unknown };
}

/** What the registry knows of one message type: its current version and schema, and older versions. */
export interface RegistryEntry {
  readonly type: string;
  readonly v: number;
  readonly schema: z.ZodType;
  readonly older?: readonly OlderVersion[];
}

/** Result of decoding: the message at its current version, or why it could not be decoded. */
export type DecodeResult<M> =
  | { readonly ok: true; readonly message: M; readonly upcastFrom?: number }
  | { readonly ok: false; readonly reason: string };

/** Thrown by `encode` when a message does not satisfy its current schema. */
export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ContractViolationError';
  }
}

/** Decoding and encoding over a set of message types. */
export interface Registry<M> {
  /** Bytes, JSON text or a parsed value → the message at its current version (older versions upcast). */
  decode(input: unknown): DecodeResult<M>;
  /** Validates a message against its current schema and returns its JSON text. @throws ContractViolationError */
  encode(message: M): string;
  /** The entry of a type, if known. */
  entryOf(type: string): RegistryEntry | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Type names come from the wire; echo them only when they look like a type name, so a reason never carries
// arbitrary (possibly personal) input.
const printableType = (t: unknown) => (typeof t === 'string' && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(t) ? `"${t}"` : '(not a type name)');

function toValue(input: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  let text: string;
  if (input instanceof Uint8Array) {
    try {
      text = utf8.decode(input);
    } catch {
      return { ok: false, reason: 'body is not valid UTF-8' };
    }
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return { ok: true, value: input };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // JSON.parse messages quote the input; the reason must not carry message content.
    return { ok: false, reason: 'body is not valid JSON' };
  }
}

/**
 * A registry over the given entries. Checks at construction that types are unique and that older versions
 * are contiguous below the current one (v1 … current − 1, each with an upcaster).
 */
export function createRegistry<M>(entries: readonly RegistryEntry[]): Registry<M> {
  const byType = new Map<string, RegistryEntry>();
  for (const e of entries) {
    if (byType.has(e.type)) throw new Error(`registry: type ${e.type} registered twice`);
    const vs = (e.older ?? []).map((o) => o.v).sort((a, b) => a - b);
    const expected = Array.from({ length: e.v - 1 }, (_, i) => i + 1);
    if (vs.length > 0 && vs.join() !== expected.slice(expected.length - vs.length).join()) {
      throw new Error(`registry: older versions of ${e.type} must be contiguous below v${e.v}, got v${vs.join(', v')}`);
    }
    byType.set(e.type, e);
  }

  function decode(input: unknown): DecodeResult<M> {
    const parsed = toValue(input);
    if (!parsed.ok) return parsed;
    const raw = parsed.value;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, reason: 'message is not a JSON object' };
    }
    const { type, v } = raw as { type?: unknown; v?: unknown };
    if (typeof type !== 'string') return { ok: false, reason: 'type: missing or not a string' };
    const entry = byType.get(type);
    if (!entry) return { ok: false, reason: `unknown message type ${printableType(type)}` };
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      return { ok: false, reason: `${type}: v: missing or not a positive integer` };
    }
    if (v > entry.v) return { ok: false, reason: `${type} v${v} is newer than the v${entry.v} this build knows` };

    let value: unknown = raw;
    for (let at = v; at < entry.v; at++) {
      const older = entry.older?.find((o) => o.v === at);
      if (!older) return { ok: false, reason: `${type} v${at} is not supported (oldest known is v${oldest(entry)})` };
      const r = older.schema.safeParse(value);
      if (!r.success) return { ok: false, reason: `${type} v${at}: ${describeIssues(r.error.issues, value)}` };
      value = older.upcast(r.data as never);
    }
    const r = entry.schema.safeParse(value);
    if (!r.success) {
      const where = v === entry.v ? `${type} v${v}` : `${type} v${v} upcast to v${entry.v}`;
      return { ok: false, reason: `${where}: ${describeIssues(r.error.issues, value)}` };
    }
    return v === entry.v ? { ok: true, message: r.data as M } : { ok: true, message: r.data as M, upcastFrom: v };
  }

  function encode(message: M): string {
    const { type, v } = (message ?? {}) as { type?: unknown; v?: unknown };
    const entry = typeof type === 'string' ? byType.get(type) : undefined;
    if (!entry) throw new ContractViolationError(`unknown message type ${printableType(type)}`);
    if (v !== entry.v) throw new ContractViolationError(`${entry.type}: only the current v${entry.v} is encoded, got v${String(v)}`);
    const r = entry.schema.safeParse(message);
    if (!r.success) throw new ContractViolationError(`${entry.type} v${entry.v}: ${describeIssues(r.error.issues, message)}`);
    return JSON.stringify(r.data);
  }

  return { decode, encode, entryOf: (type) => byType.get(type) };
}

function oldest(entry: RegistryEntry): number {
  return Math.min(entry.v, ...(entry.older ?? []).map((o) => o.v));
}
