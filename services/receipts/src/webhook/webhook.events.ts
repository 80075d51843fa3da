import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EnvelopeBase } from '@dailydesk/contracts';

// Private events of the receipts service: the raw audit of everything the gateway sent us.

/**
 * Prefix of the stream of one accepted raw callback (`gateway-callbacks-<sha256>`; the event id is `cb:<sha256>`, so a
 * repeat is a no-op). One stream per callback: appends to one hot stream would serialise on its version row.
 */
export const CALLBACK_STREAM = 'gateway-callbacks';
/** Prefix of the stream of one rejected callback (`gateway-quarantine-<sha256>`), kept with the reason. */
export const QUARANTINE_STREAM = 'gateway-quarantine';
/** Stream holding what the reconciler pulled from the gateway's inbox. */
export const INBOX_STREAM = 'gateway-inbox-pulls';

/** A callback the gateway POSTed, kept exactly as parsed JSON. `kind` is the parser's verdict at ingestion. */
export const GatewayCallbackReceived = z.object({
  kind: z.enum(['status-report', 'recv-sms', 'dev-status', 'port-status', 'unknown']),
  type: z.string().nullable(),
  rows: z.number().int().min(0),
  body: z.unknown(),
  receivedAt: z.string(),
});
export type GatewayCallbackReceived = z.infer<typeof GatewayCallbackReceived>;

/** A callback we answered 400: the body as text (base64 when not UTF-8) and why. */
export const GatewayCallbackQuarantined = z.object({
  reason: z.string(),
  contentType: z.string().nullable(),
  bytes: z.number().int().min(0),
  body: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  receivedAt: z.string(),
});
export type GatewayCallbackQuarantined = z.infer<typeof GatewayCallbackQuarantined>;

/** Rows pulled with goip_get_sms, as the Skyline client decoded them (`RecvSmsRow`). */
export const GatewayInboxPulled = z.object({
  ssrc: z.string(),
  fromId: z.number().int(),
  nextId: z.number().int(),
  rows: z.array(z.unknown()),
  pulledAt: z.string(),
});
export type GatewayInboxPulled = z.infer<typeof GatewayInboxPulled>;

/** sha256 hex of the bytes: the identity of a callback. */
export function contentHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A private event envelope (root cause: no business, no causation). */
export function rootEvent(id: string, type: string, at: string, data: unknown): EnvelopeBase {
  return { id, type, v: 1, occurredAt: at, businessId: null, correlationId: id, causationId: null, data };
}
