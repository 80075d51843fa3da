import type { EnvelopeBase } from '@dailydesk/contracts';
import { checkAppendInput, InvalidAppendError } from './append-input';

const envelope = (id: string, occurredAt: string): EnvelopeBase => ({
  id, type: 'Tested', v: 1, occurredAt, businessId: 'b', correlationId: 'c', causationId: null, data: {},
});

describe('checkAppendInput: occurredAt', () => {
  it('keeps the caller\'s objects when the instant is already UTC ISO, however many share it', () => {
    const events = [envelope('a', '2026-11-29T12:00:00.000Z'), envelope('b', '2026-11-29T12:00:00.000Z'), envelope('c', '2026-11-29T12:00:01.000Z')];
    const checked = checkAppendInput('s', events, 'any');
    expect(checked).toHaveLength(3);
    checked.forEach((e, i) => expect(e).toBe(events[i]));
  });

  it('normalises every event of a shared offset instant to UTC (copies, the caller\'s objects untouched)', () => {
    const events = [envelope('a', '2026-11-29T13:00:00+01:00'), envelope('b', '2026-11-29T13:00:00+01:00'), envelope('c', '2026-11-29T12:00:00.000Z')];
    const checked = checkAppendInput('s', events, 'any');
    expect(checked.map((e) => e.occurredAt)).toEqual(['2026-11-29T12:00:00.000Z', '2026-11-29T12:00:00.000Z', '2026-11-29T12:00:00.000Z']);
    expect(events[0]!.occurredAt).toBe('2026-11-29T13:00:00+01:00');
    expect(checked[2]).toBe(events[2]);
  });

  it('still refuses a bad instant that follows good ones in the batch', () => {
    const events = [envelope('a', '2026-11-29T12:00:00.000Z'), envelope('b', '2026-11-29T12:00:00.000Z'), envelope('c', 'yesterday')];
    expect(() => checkAppendInput('s', events, 'any')).toThrow(InvalidAppendError);
    expect(() => checkAppendInput('s', events, 'any')).toThrow('stream s, event #2: occurredAt must be an ISO 8601 instant');
  });
});
