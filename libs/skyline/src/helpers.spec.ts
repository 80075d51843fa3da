import { parseCodeText, refusalName, taskStatusText } from './codes';
import { buildTarget, redactUrl } from './client/gateway-url';
import { classifyTransportError } from './client/http-call';
import { formatPortLetter, parsePortId, parsePortList } from './port-id';

describe('vendor codes', () => {
  it('names every refusal code 1 … 20 and marks others unknown', () => {
    expect(refusalName(13)).toBe('duplicated-task-id');
    expect(refusalName(16)).toBe('too-many-task');
    expect(refusalName(20)).toBe('mms-attachments-cache-overlimit');
    expect(refusalName(99)).toBe('unknown-code');
    expect(taskStatusText(2)).toBe('2 Invalid Port');
    expect(parseCodeText('5 SIM Unregistered')).toEqual({ code: 5, text: 'SIM Unregistered' });
    expect(parseCodeText('OK')).toBeNull();
  });
});

describe('port ids', () => {
  it('reads both notations, bare ports and lists', () => {
    expect(parsePortId('1.01')).toEqual({ port: 1, slot: 1 });
    expect(parsePortId('32.04')).toEqual({ port: 32, slot: 4 });
    expect(parsePortId('2b')).toEqual({ port: 2, slot: 2 });
    expect(parsePortId(16)).toEqual({ port: 16 });
    expect(parsePortId('0.01')).toBeNull();
    expect(formatPortLetter({ port: 3, slot: 1 })).toBe('3A');
    expect(parsePortList('1-3,6,2B')).toEqual([{ port: 1 }, { port: 2 }, { port: 3 }, { port: 6 }, { port: 2, slot: 2 }]);
    expect(parsePortList('all')).toBeNull();
    expect(() => parsePortList('1,x')).toThrow(/bad port "x"/);
  });
});

describe('password redaction', () => {
  it('never lets the password into a shown URL or message', () => {
    const t = buildTarget('http://gw:8080', '/p', 'goip_post_sms.html', { username: 'root', password: 's3cr&t=x' });
    expect(t.path).toContain('password=s3cr%26t%3Dx');
    expect(t.redacted).toBe('http://gw:8080/p/goip_post_sms.html?version=1.1&username=root&password=***');
    expect(redactUrl('GET /x?username=a&Password=hunter2 failed')).toBe('GET /x?username=a&Password=*** failed');
    expect(redactUrl('password=abc&x=1')).toBe('password=***&x=1');
  });

  it('classifies socket errors by whether the request was written', () => {
    const err = (code: string) => Object.assign(new Error(`boom ${code}`), { code });
    expect(classifyTransportError(err('ECONNREFUSED'), false)).toMatchObject({ kind: 'not-sent', cause: 'connection-refused' });
    expect(classifyTransportError(err('ECONNRESET'), false)).toMatchObject({ kind: 'not-sent', cause: 'connection-reset' });
    expect(classifyTransportError(err('UND_ERR_CONNECT_TIMEOUT'), false)).toMatchObject({ kind: 'not-sent', cause: 'connect-timeout' });
    expect(classifyTransportError(err('ECONNRESET'), true)).toMatchObject({ kind: 'unknown-outcome', cause: 'connection-reset' });
    expect(classifyTransportError(err('UND_ERR_SOCKET'), true)).toMatchObject({ kind: 'unknown-outcome', cause: 'connection-closed' });
    expect(classifyTransportError(err('UND_ERR_HEADERS_TIMEOUT'), true)).toMatchObject({ kind: 'unknown-outcome', cause: 'headers-timeout' });
    expect(classifyTransportError(err('UND_ERR_BODY_TIMEOUT'), true)).toMatchObject({ kind: 'unknown-outcome', cause: 'body-timeout' });
  });
});
