import { classifyInbound, e164Of, numberKey } from './inbound-keywords';

describe('classifyInbound', () => {
  it.each(['STOP', 'stop', ' Stop ', 'S T O P', 'stop!', 'StopAll', 'unsubscribe', 'Cancel', 'END', 'quit.'])('%p opts out', (t) =>
    expect(classifyInbound(t)).toEqual({ kind: 'opt-out', keyword: t.replace(/[\s!.]/g, '').toUpperCase() }),
  );
  it.each(['START', ' start', 'Un Stop'])('%p opts in', (t) => expect(classifyInbound(t).kind).toBe('opt-in'));
  it.each(['please stop texting me', 'stopp', 'Thanks!', ''])('%p is a reply', (t) => expect(classifyInbound(t)).toEqual({ kind: 'reply' }));
});

describe('numbers', () => {
  it('matches the gateway spelling of a number to its E.164 form on the last 9 digits', () => {
    expect(numberKey('+4917123456789')).toBe(numberKey('4917123456789'));
    expect(numberKey('017123456789')).toBe(numberKey('+4917123456789'));
  });
  it('reads E.164 only from international spellings', () => {
    expect(e164Of('+15551230001')).toBe('+15551230001');
    expect(e164Of('15551230001')).toBe('+15551230001');
    expect(e164Of('017123456')).toBeNull();
    expect(e164Of('ALERTS')).toBeNull();
  });
});
