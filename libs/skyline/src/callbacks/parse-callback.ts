import { z } from 'zod';
import { devStatusSchema, portStatusSchema, type DevStatus, type PortStatus } from './dev-status.schema';
import { recvSmsSchema, type RecvSms } from './recv-sms.decode';
import { statusReportSchema, type StatusReport } from './status-report.schema';

/** Result of parsing one body the gateway POSTed. Nothing is thrown away: unknown and invalid bodies come back. */
export type GatewayCallback =
  | { kind: 'status-report'; report: StatusReport }
  | { kind: 'recv-sms'; recvSms: RecvSms }
  | { kind: 'dev-status'; devStatus: DevStatus }
  | { kind: 'port-status'; portStatus: PortStatus }
  /** A body with a `type` this parser does not know (e.g. the newer object API's `sms-sent-status`). */
  | { kind: 'unknown'; type: string | null; raw: unknown }
  /** A known `type` whose body does not fit the spec even read tolerantly. */
  | { kind: 'invalid'; type: string; issues: string[]; raw: unknown };

const schemas = {
  'status-report': statusReportSchema,
  'recv-sms': recvSmsSchema,
  'dev-status': devStatusSchema,
  'port-status': portStatusSchema,
} as const;

/**
 * Parses a callback body (already JSON-decoded, or the raw text / Buffer). Never throws.
 */
export function parseGatewayCallback(body: unknown): GatewayCallback {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch (err) {
      return { kind: 'invalid', type: '', issues: [`not JSON: ${(err as Error).message}`], raw: body };
    }
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(type in schemas)) {
    return { kind: 'unknown', type: typeof type === 'string' ? type : null, raw: value };
  }
  const t = type as keyof typeof schemas;
  const parsed = (schemas[t] as z.ZodType).safeParse(value);
  if (!parsed.success) {
    return { kind: 'invalid', type: t, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`), raw: value };
  }
  switch (t) {
    case 'status-report':
      return { kind: t, report: parsed.data as StatusReport };
    case 'recv-sms':
      return { kind: t, recvSms: parsed.data as RecvSms };
    case 'dev-status':
      return { kind: t, devStatus: parsed.data as DevStatus };
    case 'port-status':
      return { kind: t, portStatus: parsed.data as PortStatus };
  }
}
