import { PortPacer } from './port-pacer';
import { actionFor } from './refusal-policy';

describe('PortPacer', () => {
  it('spreads new recipients round-robin, keeps known ones on their port, and never exceeds pace or cap', () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    const p = new PortPacer({ perMinute: 2, dailyCap: 3, clock: () => now });
    p.setPorts(['1.01', '2.01']);
    const a = p.choose(undefined)!;
    p.take(a);
    const b = p.choose(undefined)!;
    p.take(b);
    expect([a, b]).toEqual(['1.01', '2.01']);
    p.take(p.choose('1.01')!);
    expect(p.choose('1.01')).toBeNull(); // sticky waits for its own port's pace
    expect(p.choose(undefined)).toBe('2.01');
    p.take('2.01');
    expect(p.choose(undefined)).toBeNull();
    now += 60_001;
    expect(p.choose('1.01')).toBe('1.01');
    p.take('1.01');
    expect(p.choose('1.01')).toBeNull(); // daily cap 3 reached
    p.markUnhealthy('2.01');
    expect(p.choose('2.01')).toBeNull();
  });

  it("counts a SIM's daily cap per UTC day: a full SIM sends again after midnight UTC, not before", () => {
    let now = Date.parse('2026-03-02T23:59:00Z');
    const p = new PortPacer({ perMinute: null, dailyCap: 2, clock: () => now });
    p.setPorts(['1.01']);
    p.take('1.01');
    p.take('1.01');
    expect(p.choose(undefined)).toBeNull();
    now = Date.parse('2026-03-02T23:59:59.999Z');
    expect(p.choose(undefined)).toBeNull();
    now = Date.parse('2026-03-03T00:00:00.000Z');
    expect(p.choose(undefined)).toBe('1.01');
    p.take('1.01');
    p.take('1.01');
    expect(p.choose(undefined)).toBeNull();
  });
});

describe('refusal policy', () => {
  it('maps vendor codes to actions', () => {
    const refused = (code: number) => ({ tid: 1, status: 'refused' as const, code, refusal: 'unknown-code' as const, text: `${code}` });
    expect(actionFor({ tid: 1, status: 'accepted' }, false)).toEqual({ kind: 'sent' });
    expect(actionFor(refused(13), true)).toEqual({ kind: 'sent' });
    expect(actionFor(refused(13), false)).toMatchObject({ kind: 'reassign' });
    expect(actionFor(refused(16), false)).toMatchObject({ kind: 'retry-same', slowDown: true });
    expect(actionFor(refused(5), false)).toMatchObject({ kind: 'reassign', portProblem: true });
    expect(actionFor(refused(14), false)).toMatchObject({ kind: 'reject' });
    expect(actionFor({ tid: 1, status: 'missing' }, true)).toEqual({ kind: 'resolve' });
  });
});
