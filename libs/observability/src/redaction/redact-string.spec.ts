import { maskPhone, redactString } from './redact-string';

describe('maskPhone', () => {
  it('keeps only the last 3 digits and the length', () => {
    expect(maskPhone('+4915112345678')).toBe('***********678');
    expect(maskPhone('15551230001,15551230002')).toBe('********001,********002');
  });

  it('leaves values with 3 digits or fewer as they are (Skyline ports such as "3.01")', () => {
    expect(maskPhone('3.01')).toBe('3.01');
  });
});

describe('redactString', () => {
  const gatewayUrl =
    'http://10.0.0.5:8080/goip_post_sms.html?version=1.1&username=root&password=s3cr%21t&op=send';

  it('redacts the gateway password in a URL and keeps the rest readable', () => {
    expect(redactString(gatewayUrl)).toBe(
      'http://10.0.0.5:8080/goip_post_sms.html?version=1.1&username=root&password=[REDACTED]&op=send',
    );
  });

  it('redacts password= inside an error message and in URL-encoded form', () => {
    const out = redactString(`connect ECONNREFUSED while calling ${gatewayUrl}: password=hunter2 rejected`);
    expect(out).not.toContain('s3cr');
    expect(out).not.toContain('hunter2');
    expect(redactString('cb=http%3A%2F%2Fx%3Fpassword%3Dtopsecret')).toBe('cb=http%3A%2F%2Fx%3Fpassword%3D[REDACTED]');
  });

  it('does not touch names that merely end like a secret', () => {
    expect(redactString('bypass=1&compass=north')).toBe('bypass=1&compass=north');
  });

  it('redacts other secret parameters and URL userinfo passwords', () => {
    expect(redactString('?token=abc&api_key=def&apiKey=ghi')).toBe(
      '?token=[REDACTED]&api_key=[REDACTED]&apiKey=[REDACTED]',
    );
    expect(redactString('postgres://app:pg-pass@db:5432/x')).toBe('postgres://app:[REDACTED]@db:5432/x');
  });

  it('masks E.164 numbers anywhere and phone parameters without a plus', () => {
    expect(redactString('sms to +4915112345678 failed')).toBe('sms to ***********678 failed');
    expect(redactString('?to=15551230001,15551230002&port=1')).toBe('?to=********001,********002&port=1');
    expect(redactString('number=%2B4915112345678')).toBe('number=***********678');
  });

  it('leaves timestamps and ids without a plus alone', () => {
    const s = 'at 2025-01-02T03:04:05.678+01:00 seq=1732881234567 id=42';
    expect(redactString(s)).toBe(s);
  });

  it('redacts JSON quoted in a string: secrets, bodies, numbers', () => {
    const body = '{"username":"root","password":"pw","tasks":[{"to":"15551230001","sms":"Your code is 1234"}]}';
    const out = redactString(`gateway said 400 to ${body}`);
    expect(out).toBe(
      'gateway said 400 to {"username":"root","password":"[REDACTED]","tasks":[{"to":"********001","sms":"[REDACTED 17 chars]"}]}',
    );
  });

  it('is idempotent', () => {
    const once = redactString(`${gatewayUrl} +4915112345678 {"sms":"hello"}`);
    expect(redactString(once)).toBe(once);
  });
});

describe('maskPhone with a number typed with spaces', () => {
  it('masks it as one number, leaking no digit but the last three', () => {
    expect(maskPhone('0151 12345678')).toBe('**********678');
    expect(maskPhone('+49 151 1234 5678,+1 555 0100')).toBe('**************678,********100');
  });
});
