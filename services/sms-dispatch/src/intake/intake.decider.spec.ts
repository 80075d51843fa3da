import { given } from '@dailydesk/testing';
import type { SendSms } from '@dailydesk/contracts';
import { decideIntake, intakeDecider, type AcceptSmsRequest } from './intake.decider';
import { shapeOf } from './sms-text';

const request: SendSms['data'] = {
  messageId: 'sms:apt-1:confirmation',
  recipient: { phone: '0171 234 5678', defaultRegion: 'DE' },
  text: 'See you at 10:00',
  purpose: 'confirmation',
  refs: { appointmentId: 'apt-1' },
};
const now = '2026-03-02T08:00:00.000Z';
const cmd = (data: Partial<SendSms['data']> = {}, context: Partial<AcceptSmsRequest['data']['context']> = {}): AcceptSmsRequest => ({
  type: 'AcceptSmsRequest',
  data: { request: { ...request, ...data }, context: { enabled: true, maxSegments: 10, optedOut: new Set(), ...context } },
  metadata: { commandId: 'c1', now, correlationId: 'c1', businessId: 'biz-1' },
});
const suppressed = (reason: string, detail: string) => [
  { type: 'SmsSuppressed', data: { messageId: request.messageId, purpose: 'confirmation', refs: request.refs, reason, detail, suppressedAt: now } },
];

describe('intake decider', () => {
  it('queues a valid request normalised to E.164 with encoding, segments and the purpose priority', () => {
    given(intakeDecider, []).when(cmd()).then([
      { type: 'SmsQueued', data: { messageId: request.messageId, to: '+491712345678', text: request.text, encoding: 'GSM-7', segments: 1, purpose: 'confirmation', priority: 'instant', refs: request.refs, queuedAt: now } },
    ]);
  });
  it('records the instant in UTC with milliseconds, whatever form now comes in (and again after another now)', () => {
    const context = { enabled: true, maxSegments: 10, optedOut: new Set<string>() };
    const at = (n: string) => (decideIntake(request, context, n).data as { queuedAt: string }).queuedAt;
    expect(at('2026-03-02T09:00:00+01:00')).toBe(now);
    expect(at('2026-03-02T09:00:00+01:00')).toBe(now);
    expect(at('2026-03-02T08:00:01Z')).toBe('2026-03-02T08:00:01.000Z');
    expect(() => at('not an instant')).toThrow(RangeError);
    expect(at('2026-03-02T09:00:00+01:00')).toBe(now);
  });
  it('changes nothing for a request already decided', () => {
    given(intakeDecider, [{ type: 'SmsQueued', data: {} as never }]).when(cmd()).then([]);
  });
  it('suppresses with each reason', () => {
    given(intakeDecider, []).when(cmd({}, { enabled: false })).then(suppressed('disabled', 'SMS_ENABLED is not true') as never);
    given(intakeDecider, []).when(cmd({ expiresAt: '2026-03-02T07:59:59Z' })).then(suppressed('expired', 'expiresAt passed before the request was handled') as never);
    given(intakeDecider, []).when(cmd({ recipient: { phone: '123', defaultRegion: 'DE' } })).then(suppressed('invalid-number', 'not a valid phone number for region DE') as never);
    given(intakeDecider, []).when(cmd({}, { optedOut: new Set(['+491712345678']) })).then(suppressed('opted-out', 'the recipient opted out') as never);
    given(intakeDecider, []).when(cmd({ text: 'x'.repeat(307) }, { maxSegments: 2 })).then(suppressed('too-long', '3 GSM-7 segments, at most 2 allowed') as never);
  });
});

describe('text shape', () => {
  it('counts GSM-7 septets (extension characters twice) and UCS-2 code units', () => {
    expect(shapeOf('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(shapeOf('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(shapeOf('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(shapeOf('Grüße ж')).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(shapeOf('ж'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });
});
