import type { EnvelopeBase } from '@dailydesk/contracts';
import type { ExpectedVersion } from './event-store.port';

/**
 * Bad input to `appendToStream` (empty batch, malformed envelope, invalid expected version). Nothing was appended.
 * The envelope's business rules (type names, schemas) are the contracts' job at the edges; the store checks only
 * what it needs to store and read back the envelope faithfully.
 */
export class InvalidAppendError extends Error {
  readonly code = 'INVALID_APPEND';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

const isString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * Checks the append arguments and returns the events with `occurredAt` normalised to UTC ISO (what every adapter reads
 * back): the caller's own objects when it already is (no copy per event on the hot path; adapters read only the
 * envelope's fields and copy what they keep), copies otherwise.
 */
export function checkAppendInput(streamId: string, events: EnvelopeBase[], expectedVersion: ExpectedVersion): EnvelopeBase[] {
  if (!isString(streamId, 256)) throw new InvalidAppendError('streamId must be a non-empty string of at most 256 characters');
  if (
    expectedVersion !== 'any' &&
    expectedVersion !== 'no-stream' &&
    !(typeof expectedVersion === 'number' && Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)
  ) {
    throw new InvalidAppendError(`expectedVersion must be 'no-stream', 'any' or an integer ≥ 0 (got ${String(expectedVersion)})`);
  }
  if (!Array.isArray(events) || events.length === 0) throw new InvalidAppendError(`nothing to append to stream ${streamId}`);
  const seen = new Set<string>();
  // Built only for an error message (a string per event on the hot path otherwise).
  const at = (i: number): string => `stream ${streamId}, event #${i}`;
  // A batch's events usually share one instant: it is parsed and printed once (two Date calls per event were ~1 µs).
  let normalised: string | undefined;
  return events.map((e, i) => {
    if (typeof e !== 'object' || e === null) throw new InvalidAppendError(`${at(i)}: not an envelope`);
    if (!isString(e.id, 256)) throw new InvalidAppendError(`${at(i)}: id must be a non-empty string of at most 256 characters`);
    if (seen.has(e.id)) throw new InvalidAppendError(`${at(i)}: id ${e.id} appears twice in the batch`);
    seen.add(e.id);
    if (!isString(e.type, 256)) throw new InvalidAppendError(`${at(i)}: type must be a non-empty string`);
    if (!Number.isSafeInteger(e.v) || e.v < 1) throw new InvalidAppendError(`${at(i)}: v must be an integer ≥ 1`);
    const sameInstant = e.occurredAt === normalised;
    const ms = sameInstant ? 0 : typeof e.occurredAt === 'string' ? Date.parse(e.occurredAt) : Number.NaN;
    if (Number.isNaN(ms)) throw new InvalidAppendError(`${at(i)}: occurredAt must be an ISO 8601 instant`);
    if (!isString(e.correlationId, 256)) throw new InvalidAppendError(`${at(i)}: correlationId must be a non-empty string`);
    if (e.causationId !== null && !isString(e.causationId, 256)) {
      throw new InvalidAppendError(`${at(i)}: causationId must be a non-empty string or null`);
    }
    if (e.businessId !== null && !isString(e.businessId, 128)) {
      throw new InvalidAppendError(`${at(i)}: businessId must be a non-empty string or null`);
    }
    if (e.data === undefined) throw new InvalidAppendError(`${at(i)}: data is missing`);
    if (sameInstant) return e;
    const occurredAt = new Date(ms).toISOString();
    if (occurredAt === e.occurredAt) {
      normalised = occurredAt;
      return e;
    }
    return {
      id: e.id,
      type: e.type,
      v: e.v,
      occurredAt,
      businessId: e.businessId,
      correlationId: e.correlationId,
      causationId: e.causationId,
      data: e.data,
    };
  });
}

/** The version a stream must have for the append to proceed, or null for 'any'. */
export function requiredVersion(expected: ExpectedVersion): number | null {
  if (expected === 'any') return null;
  if (expected === 'no-stream') return 0;
  return expected;
}
