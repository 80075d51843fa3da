import { z } from 'zod';

/**
 * Identifier of a message, an event or a side effect. Deterministic ids (e.g. `sms:appt-42:reminder:2026-12-01T09:00Z`)
 * are welcome: they are what makes a retried cause harmless. Safe as a NATS `Nats-Msg-Id` header value.
 */
export const MessageId = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(256, 'must be at most 256 characters')
  .regex(/^[A-Za-z0-9._:@+=\-/]+$/, 'ids use letters, digits and . _ : @ + = - / only');
export type MessageId = z.infer<typeof MessageId>;

/** An instant with an explicit offset, ISO 8601 (`2026-11-29T12:00:00.000Z`). */
export const Instant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 instant with Z or an offset, e.g. 2026-11-29T12:00:00Z',
});
export type Instant = z.infer<typeof Instant>;

/**
 * The envelope every public message travels in. `data` is typed per message by {@link defineMessage}.
 * - `businessId` is null only for platform-wide messages (scheduler ticks).
 * - `causationId` is null only for a root cause (a booking made by a person, a tick of the clock).
 */
export const EnvelopeBase = z.object({
  id: MessageId.describe('unique id of this message; the NATS Nats-Msg-Id (de-duplication)'),
  type: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'type is PascalCase'),
  v: z.number().int().min(1),
  occurredAt: Instant.describe('when it happened'),
  businessId: z.string().min(1).max(128).nullable().describe('the business it concerns; null when platform-wide'),
  correlationId: MessageId.describe('id shared by every message of one flow (the id of its root cause)'),
  causationId: MessageId.nullable().describe('id of the message that caused this one; null for a root cause'),
  data: z.unknown(),
});
export type EnvelopeBase = z.infer<typeof EnvelopeBase>;

/**
 * Which businesses a message concerns, fixing the envelope's `businessId`:
 * - `business`: exactly one business, `businessId` is a string;
 * - `platform`: none, `businessId` is null (scheduler ticks, platform-wide opt-outs);
 * - `either`: the envelope's own rule (string or null).
 */
export type MessageScope = 'business' | 'platform' | 'either';

const BusinessIdOf = {
  business: z
    .string({ error: 'must be the id of the business this message concerns' })
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    .describe('the business this message concerns'),
  platform: z.null({ error: 'must be null: this message is platform-wide' }).describe('null: platform-wide'),
  either: EnvelopeBase.shape.businessId,
} as const;

/**
 * The schema of one message type at one version: the envelope with a literal `type`, `v` and typed `data`.
 * `scope` (default `either`) narrows `businessId`; see {@link MessageScope}.
 */
export function defineMessage<
  T extends string,
  V extends number,
  D extends z.ZodType,
  S extends MessageScope = 'either',
>(type: T, v: V, data: D, scope?: S) {
  const businessId = BusinessIdOf[scope ?? 'either'] as (typeof BusinessIdOf)[S];
  return EnvelopeBase.extend({ type: z.literal(type), v: z.literal(v), businessId, data });
}

/** The TypeScript type of a message schema made by {@link defineMessage}. */
export type MessageOf<S extends z.ZodType> = z.infer<S>;
