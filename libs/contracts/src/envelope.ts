import { z } from 'zod';

/**
 * Identifier of a message, an event or a side effect. Deterministic ids (e.g. `sms:appt-42:reminder:2026-12-01T09:00Z`)
 * are welcome: they are what makes a retried cause harmless. Safe as a NATS `Nats-Msg-Id` header value.
 */
export const MessageId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9._:@+=\-/]+$/, 'ids use letters, digits and . _ : @ + = - / only');
export type MessageId = z.infer<typeof MessageId>;

/** An instant with an explicit offset, ISO 8601 (`2026-11-29T12:00:00.000Z`). */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

/**
 * The envelope every public message travels in. `data` is typed per message by {@link defineMessage}.
 * - `businessId` is null only for platform-wide messages (scheduler ticks).
 * - `causationId` is null only for a root cause (a booking made by a person, a tick of the clock).
 */
export const EnvelopeBase = z.object({
  id: MessageId,
  type: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'type is PascalCase'),
  v: z.number().int().min(1),
  occurredAt: Instant,
  businessId: z.string().min(1).max(128).nullable(),
  correlationId: MessageId,
  causationId: MessageId.nullable(),
  data: z.unknown(),
});
export type EnvelopeBase = z.infer<typeof EnvelopeBase>;

/** The schema of one message type at one version: the envelope with a literal `type`, `v` and typed `data`. */
export function defineMessage<T extends string, V extends number, D extends z.ZodType>(type: T, v: V, data: D) {
  return EnvelopeBase.extend({ type: z.literal(type), v: z.literal(v), data });
}

/** The TypeScript type of a message schema made by {@link defineMessage}. */
export type MessageOf<S extends z.ZodType> = z.infer<S>;
