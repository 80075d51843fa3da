import { priorityOf, type SendSms, type SmsSuppressed } from '@dailydesk/contracts';
import type { Command, Decider, DomainEvent } from '@dailydesk/event-store';
import type { SmsQueuedData } from './intake.events';
import { toE164 } from './phone-number';
import { shapeOf } from './sms-text';

/** What intake knows besides the request: the switch, the limit and the opted-out numbers it looked up. */
export interface IntakeContext {
  readonly enabled: boolean;
  readonly maxSegments: number;
  readonly optedOut: ReadonlySet<string>;
}

export type AcceptSmsRequest = Command<'AcceptSmsRequest', { request: SendSms['data']; context: IntakeContext }>;
export type IntakeEvent = DomainEvent<'SmsQueued', SmsQueuedData> | DomainEvent<'SmsSuppressed', SmsSuppressed['data']>;
export type IntakeState = { status: 'new' } | { status: 'queued' } | { status: 'suppressed' };

type Reason = SmsSuppressed['data']['reason'];

/**
 * The first decision about an SMS request: queue it (normalised to E.164, encoding and segments known) or suppress
 * it with a reason. Made once per messageId: a repeated request after the first decision changes nothing.
 */
export const intakeDecider: Decider<AcceptSmsRequest, IntakeEvent, IntakeState> = {
  initialState: () => ({ status: 'new' }),
  evolve: (_state, event) => (event.type === 'SmsQueued' ? { status: 'queued' } : { status: 'suppressed' }),
  decide(command, state) {
    if (state.status !== 'new') return [];
    return [decideIntake(command.data.request, command.data.context, command.metadata.now)];
  },
};

let lastNow = '';
let lastAt = '';
/** `now` as a UTC ISO instant with milliseconds; a batch's requests share one `now`, so it is parsed and printed once. */
function canonicalInstant(now: string): string {
  if (now !== lastNow) {
    lastAt = new Date(now).toISOString();
    lastNow = now;
  }
  return lastAt;
}

/**
 * The pure decision for one request at `now` (ISO instant). `to`: the recipient in E.164 (null: not a valid number),
 * when the caller has normalised it already (intake does, for the opt-out lookup).
 */
export function decideIntake(
  request: SendSms['data'],
  context: IntakeContext,
  now: string,
  to: string | null = toE164(request.recipient.phone, request.recipient.defaultRegion),
): IntakeEvent {
  const at = canonicalInstant(now);
  const suppress = (reason: Reason, detail?: string): IntakeEvent => ({
    type: 'SmsSuppressed',
    data: { messageId: request.messageId, purpose: request.purpose, refs: request.refs, reason, ...(detail && { detail }), suppressedAt: at },
  });
  if (!context.enabled) return suppress('disabled', 'SMS_ENABLED is not true');
  if (request.expiresAt && Date.parse(request.expiresAt) <= Date.parse(now)) return suppress('expired', 'expiresAt passed before the request was handled');
  if (!to) return suppress('invalid-number', `not a valid phone number for region ${request.recipient.defaultRegion}`);
  if (context.optedOut.has(to)) return suppress('opted-out', 'the recipient opted out');
  const shape = shapeOf(request.text);
  if (shape.segments > context.maxSegments) {
    return suppress('too-long', `${shape.segments} ${shape.encoding} segments, at most ${context.maxSegments} allowed`);
  }
  return {
    type: 'SmsQueued',
    data: {
      messageId: request.messageId,
      to,
      text: request.text,
      encoding: shape.encoding,
      segments: shape.segments,
      purpose: request.purpose,
      priority: priorityOf(request),
      ...(request.notBefore && { notBefore: new Date(request.notBefore).toISOString() }),
      ...(request.expiresAt && { expiresAt: new Date(request.expiresAt).toISOString() }),
      refs: request.refs,
      queuedAt: at,
    },
  };
}
