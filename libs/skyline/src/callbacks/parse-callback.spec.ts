import { parseGatewayCallback, type GatewayCallback } from './parse-callback';
import { decodeRecvSmsRow } from './recv-sms.decode';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
function expectKind<K extends GatewayCallback['kind']>(r: GatewayCallback, kind: K): Extract<GatewayCallback, { kind: K }> {
  if (r.kind !== kind) throw new Error(`expected ${kind}, got ${r.kind}: ${JSON.stringify(r)}`);
  return r as Extract<GatewayCallback, { kind: K }>;
}

describe('status-report', () => {
  it('reads the spec example: cumulative counters, delta sdr / fdr rows', () => {
    const r = expectKind(
      parseGatewayCallback({
        type: 'status-report',
        rpt_num: 1,
        rpts: [
          {
            tid: 40001, sending: 0, sent: 1, failed: 1, unsent: 0,
            sdr: [[0, '15551230001', '3.01', 1716200000]],
            fdr: [[1, '15551230002', '3.01', 1716200031, '<progress reason>', '<carrier reason>']],
          },
        ],
      }),
      'status-report',
    );
    const e = r.report.rpts[0]!;
    expect(e).toMatchObject({ tid: 40001, sent: 1, failed: 1, sending: 0, unsent: 0 });
    expect(e.sdr).toEqual([{ index: 0, number: '15551230001', port: '3.01', ts: 1716200000 }]);
    expect(e.fdr[0]).toEqual({ index: 1, number: '15551230002', port: '3.01', ts: 1716200031, progressReason: '<progress reason>', carrierReason: '<carrier reason>' });
  });

  it('tolerates string numbers, letter ports, missing sdr/fdr, short fdr rows and a raw JSON string', () => {
    const text = JSON.stringify({ type: 'status-report', rpt_num: '2', rpts: [{ tid: '7', sent: '1', sdr: [['0', 15551230001, '2B', '1716200000']] }, { tid: 8, failed: 1, fdr: [[0, '1555', '1A', 1]] }] });
    const r = expectKind(parseGatewayCallback(text), 'status-report');
    expect(r.report.rpts[0]).toMatchObject({ tid: 7, sent: 1, failed: 0, sending: 0, unsent: 0, fdr: [] });
    expect(r.report.rpts[0]!.sdr[0]).toEqual({ index: 0, number: '15551230001', port: '2.02', ts: 1716200000 });
    expect(r.report.rpts[1]!.fdr[0]).toMatchObject({ port: '1.01', progressReason: '', carrierReason: '' });
  });

  it('reports a status-report without rpts as invalid, keeping the raw body', () => {
    const raw = { type: 'status-report', rpt_num: 1 };
    const r = expectKind(parseGatewayCallback(raw), 'invalid');
    expect(r.type).toBe('status-report');
    expect(r.raw).toBe(raw);
    expect(r.issues.join()).toMatch(/rpts/);
  });
});

describe('recv-sms', () => {
  it('decodes an inbound SMS (base64 UTF-8) and a delivery report row', () => {
    const r = expectKind(
      parseGatewayCallback({
        type: 'recv-sms', sms_num: 2,
        sms: [
          [0, '3.01', 1716200100, '15551230001', '15559990000', b64('STOP — merci')],
          [1, '3.01', 1716200040, '+15550000100', '15551230002', '0 250820064536A8'],
        ],
      }),
      'recv-sms',
    );
    expect(r.recvSms.rows[0]).toEqual({ kind: 'sms', port: '3.01', ts: 1716200100, from: '15551230001', to: '15559990000', text: 'STOP — merci', encoding: 'base64', headers: null, extra: [] });
    expect(r.recvSms.rows[1]).toMatchObject({ kind: 'delivery-report', smsc: '+15550000100', recipient: '15551230002', statusCode: 0, outcome: 'delivered', detail: '250820064536A8' });
  });

  it('splits the Sender/Receiver/SMSC/SCTS/Slot header block variant', () => {
    const text = 'Sender: 1205xxxxxxx\r\nReceiver: "12.01" 1646xxxxxxx\r\nSMSC: 1405xxxxxxx\r\nSCTS: 250820064536A8\r\nSlot: "01"\r\n\r\nHello\r\nworld';
    const row = decodeRecvSmsRow([0, '12.01', 1, '1205xxxxxxx', '', b64(text)]);
    expect(row).toMatchObject({ kind: 'sms', text: 'Hello\r\nworld', headers: { sender: '1205xxxxxxx', receiver: '"12.01" 1646xxxxxxx', smsc: '1405xxxxxxx', scts: '250820064536A8', slot: '01' } });
  });

  it('keeps 9-element rows, sim_src, a numeric port, and plain (non-base64) content', () => {
    const r = expectKind(
      parseGatewayCallback({ type: 'recv-sms', sms_num: 1, sim_src: 1, sms: [[0, 24.01, 1716200100, '15551230001', '', b64('hi'), '8986011628991', '460014978', 'x'], [0, 24.1, 1, '1', null, 'not base64!']] }),
      'recv-sms',
    );
    expect(r.recvSms.sim_src).toBe(1);
    expect(r.recvSms.rows[0]).toMatchObject({ kind: 'sms', port: '24.01', text: 'hi', extra: ['8986011628991', '460014978', 'x'] });
    expect(r.recvSms.rows[1]).toMatchObject({ kind: 'sms', port: '24.10', text: 'not base64!', encoding: 'plain', to: '' });
  });

  it('classifies delivery codes (0 delivered, 32–63 pending, 64+/128+ failed, no code unknown) and keeps bad rows', () => {
    const dr = (c: string) => decodeRecvSmsRow([1, '1.01', 1, 'smsc', '1555', c]);
    expect(dr('0 250820064536A8')).toMatchObject({ outcome: 'delivered', statusCode: 0 });
    expect(dr('48 x')).toMatchObject({ outcome: 'pending' });
    expect(dr('134 15551230002')).toMatchObject({ outcome: 'failed', statusCode: 134, detail: '15551230002' });
    expect(dr('garbled')).toMatchObject({ outcome: 'unknown', statusCode: null });
    expect(decodeRecvSmsRow([0, '1.01'])).toMatchObject({ kind: 'invalid' });
    expect(decodeRecvSmsRow([2, '1.01', 1, 'a', 'b', 'c'])).toMatchObject({ kind: 'invalid', issue: 'unknown row flag 2' });
  });
});

describe('dev-status and port-status', () => {
  const port = { port: '1.01', sim: '', seq: 8, st: 3, imei: '898610599441327', iccid: '89860116289910033431', imsi: '460014978212473', sn: '', opr: '46001 CHINA UNICOM GSM', bal: '0.00', sig: 15, tot_dur: '0/-1', mon_dur: '0/-1', day_dur: '0/-1' };

  it('reads the vendor example with max-slot, and max-slots as well', () => {
    const base = { type: 'dev-status', seq: 3, expires: 60, mac: '00-30-f1-00-6c-55', ip: '192.168.1.67', ver: '532', 'max-ports': 32 };
    const a = expectKind(parseGatewayCallback({ ...base, 'max-slot': 4, status: [port] }), 'dev-status');
    expect(a.devStatus).toMatchObject({ maxPorts: 32, maxSlots: 4 });
    expect(a.devStatus.ports[0]).toMatchObject({ port: '1.01', st: 3, sig: 15, bal: '0.00', opr: '46001 CHINA UNICOM GSM', tot_dur: '0/-1' });
    const b = expectKind(parseGatewayCallback({ ...base, 'max-slots': '8', status: [] }), 'dev-status');
    expect(b.devStatus.maxSlots).toBe(8);
  });

  it('accepts mixed port styles, minimal entries, "3 OK" states and numeric balances', () => {
    const d = expectKind(
      parseGatewayCallback({ type: 'dev-status', expires: -1, status: [{ port: '6A', st: '3 OK', bal: 12.5 }, { port: '5.01', sim: '', seq: 2124, st: 0, imei: '862032045299252' }, { port: '15G' }] }),
      'dev-status',
    );
    expect(d.devStatus.ports.map((p) => [p.port, p.st])).toEqual([['6.01', 3], ['5.01', 0], ['15.07', null]]);
    expect(d.devStatus.ports[0]!.bal).toBe('12.5');
  });

  it('reads port-status with st (int) or status ("3 OK"), and rejects one with neither', () => {
    const a = expectKind(parseGatewayCallback({ type: 'port-status', port: '2B', seq: 1, status: '3 OK', bal: '100.00', opr: '46000 China Mobile' }), 'port-status');
    expect(a.portStatus).toMatchObject({ port: '2.02', st: 3, stText: 'OK' });
    const b = expectKind(parseGatewayCallback({ type: 'port-status', port: '4.01', st: 6 }), 'port-status');
    expect(b.portStatus.st).toBe(6);
    expectKind(parseGatewayCallback({ type: 'port-status', port: '4.01' }), 'invalid');
  });
});

describe('unknown and malformed bodies are reported, not dropped', () => {
  it('returns unknown for other types (e.g. the newer object API) and for bodies without type', () => {
    const raw = { type: 'sms-sent-status', statuses: [] };
    expect(parseGatewayCallback(raw)).toEqual({ kind: 'unknown', type: 'sms-sent-status', raw });
    expect(parseGatewayCallback([1, 2])).toMatchObject({ kind: 'unknown', type: null });
  });

  it('returns invalid for text that is not JSON', () => {
    expect(parseGatewayCallback('<html>')).toMatchObject({ kind: 'invalid', issues: [expect.stringMatching(/^not JSON/)] });
  });
});
