import { redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it('redacts secret keys at any depth, in any spelling', () => {
    const input = {
      a: { b: { c: { d: { password: 'p1', apiKey: 'k1', 'x-api-key': 'k2', api_key: 'k3', SMS_PASSWORD: 'p2' } } } },
      headers: { Authorization: 'Bearer t', cookie: 'sid=1' },
      list: [{ token: 't1' }, { secret: 's1', pwd: 'p3', pass: 'p4' }],
    };
    const text = JSON.stringify(redactSecrets(input));
    for (const secret of ['p1', 'k1', 'k2', 'k3', 'p2', 'Bearer t', 'sid=1', 't1', 's1', 'p3', 'p4']) {
      expect(text).not.toContain(`"${secret}"`);
    }
    expect(redactSecrets(input).a.b.c.d.password).toBe('[REDACTED]');
  });

  it('replaces message bodies by their length and masks phone keys', () => {
    const out = redactSecrets({ to: '+4915112345678', from: '3.01', phone: 4915112345678, text: 'Hi Anna', body: { x: 1 } });
    expect(out).toEqual({ to: '***********678', from: '3.01', phone: '**********678', text: '[REDACTED 7 chars]', body: '[REDACTED]' });
  });

  it('turns errors into sanitized plain objects, message and stack included', () => {
    const err = new Error('POST http://gw/goip_post_sms.html?username=root&password=hunter2 failed for +4915112345678');
    const out = redactSecrets({ err }) as unknown as { err: { type: string; message: string; stack: string } };
    expect(out.err.type).toBe('Error');
    expect(out.err.message).toContain('password=[REDACTED]');
    expect(JSON.stringify(out)).not.toMatch(/hunter2|4915112345/);
    expect(out.err.stack).toContain('password=[REDACTED]');
  });

  it('includes error causes, sanitized', () => {
    const err = new Error('send failed', { cause: new Error('GET /x?password=inner-secret') });
    expect(JSON.stringify(redactSecrets(err))).not.toContain('inner-secret');
  });

  it('does not mutate its input and survives cycles', () => {
    const input: Record<string, unknown> = { password: 'p', nested: { to: '+4915112345678' } };
    input.self = input;
    const out = redactSecrets(input);
    expect(input.password).toBe('p');
    expect((input.nested as { to: string }).to).toBe('+4915112345678');
    expect(out.self).toBe('[Circular]');
  });

  it('passes primitives through', () => {
    expect(redactSecrets(42)).toBe(42);
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets('plain')).toBe('plain');
  });
});
