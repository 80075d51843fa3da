import type { DestinationStream } from 'pino';
import { childForMessage, createLogger } from './create-logger';

/** A real pino destination that keeps the written lines, so assertions run on the exact output text. */
function capture(): { stream: DestinationStream; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  return {
    stream: { write: (s: string) => void chunks.push(s) },
    text: () => chunks.join(''),
    lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const PASSWORD = 'Gw-S3cret!pw';
const PHONE = '+4915112345678';
const GATEWAY_URL = `http://192.0.2.10:8080/goip_post_sms.html?version=1.1&username=root&password=${encodeURIComponent(PASSWORD)}`;

describe('createLogger redaction (issue 2: a log line with the gateway URL and a phone number contains neither)', () => {
  it('keeps the password and the phone number out of a line built from the gateway URL and the recipient', () => {
    const out = capture();
    const logger = createLogger({ service: 'sms-dispatch', destination: out.stream });
    logger.info({ url: GATEWAY_URL, to: PHONE }, `POST ${GATEWAY_URL} for ${PHONE}`);
    const text = out.text();
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(PHONE.slice(1));
    const [line] = out.lines();
    expect(line).toMatchObject({ service: 'sms-dispatch', level: 'info', to: '***********678' });
    expect(line?.msg).toBe(
      'POST http://192.0.2.10:8080/goip_post_sms.html?version=1.1&username=root&password=[REDACTED] for ***********678',
    );
  });

  it('redacts errors whose message and stack carry the URL, logged alone or under a key', () => {
    const out = capture();
    const logger = createLogger({ service: 't', destination: out.stream });
    const err = new Error(`fetch failed: ${GATEWAY_URL}&to=${PHONE.slice(1)}`);
    logger.error(err);
    logger.error({ err, attempt: 2 }, 'send failed');
    logger.warn({ deep: { deeper: { error: err } } }, 'nested');
    const text = out.text();
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
    expect(text).not.toContain(PHONE.slice(1));
    const [alone, keyed] = out.lines() as Array<{ msg: string; err: { type: string; stack: string } }>;
    expect(alone?.msg).toContain('password=[REDACTED]');
    expect(alone?.err.type).toBe('Error');
    expect(alone?.err.stack).toContain('password=[REDACTED]');
    expect(keyed?.err.type).toBe('Error');
  });

  it('redacts secret keys at depth, message bodies, interpolated arguments and child bindings', () => {
    const out = capture();
    const logger = createLogger({ service: 't', destination: out.stream });
    const child = logger.child({ gateway: { url: GATEWAY_URL, apiKey: 'key-123' } });
    child.info({ cfg: { db: { password: 'pg-pw' } }, task: { sms: 'Your code is 9876', to: PHONE } }, 'sent to %s via %o', PHONE, { token: 'tok-1' });
    const text = out.text();
    for (const leaked of [encodeURIComponent(PASSWORD), 'key-123', 'pg-pw', 'Your code is 9876', PHONE, 'tok-1']) {
      expect(text).not.toContain(leaked);
    }
    expect(text).toContain('[REDACTED 17 chars]');
  });

  it('redacts what only the finished line shows (a message prefix)', () => {
    const out = capture();
    const logger = createLogger({ service: 't', destination: out.stream });
    logger.child({}, { msgPrefix: `[${GATEWAY_URL}] ` }).info('sent');
    expect(out.text()).not.toContain(encodeURIComponent(PASSWORD));
    expect(out.lines()[0]?.msg).toContain('password=[REDACTED]');
  });

  it('childForMessage carries the message context on every line', () => {
    const out = capture();
    const logger = createLogger({ service: 't', destination: out.stream });
    const log = childForMessage(logger, {
      subject: 'sms.cmd.send-sms',
      type: 'SendSms',
      messageId: 'm-1',
      correlationId: 'c-1',
      deliveryCount: 3,
    });
    log.info('handled');
    expect(out.lines()[0]).toMatchObject({
      subject: 'sms.cmd.send-sms',
      type: 'SendSms',
      messageId: 'm-1',
      correlationId: 'c-1',
      deliveryCount: 3,
      msg: 'handled',
    });
  });

  it('rejects an unknown LOG_LEVEL instead of guessing', () => {
    const before = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'loud';
    try {
      expect(() => createLogger({ service: 't' })).toThrow(/LOG_LEVEL/);
    } finally {
      if (before === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = before;
    }
  });
});
