import { startCallbackReceiver, type CallbackReceiver } from '../sim/callback-receiver';
import { startSimulator, type Simulator } from '../sim/simulator';
import { SkylineError, type SkylineFailure } from './client-errors';
import { SkylineClient } from './skyline-client';

const PASSWORD = 'pa55-word';
let sim: Simulator;
let rx: CallbackReceiver;
let client: SkylineClient;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, ports: 4, slots: 2, password: PASSWORD, timeScale: 0.001 });
  rx = await startCallbackReceiver();
});
afterAll(async () => {
  await sim.close();
  await rx.close();
});
beforeEach(() => {
  sim.control.reset();
  rx.received.length = 0;
  client = new SkylineClient({ baseUrl: sim.url, username: 'root', password: PASSWORD, timeoutMs: 2000, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, reports: { srUrl: `${rx.url}/sr`, srCnt: 1, smsUrl: `${rx.url}/sms` } });
});
afterEach(() => client.close());

async function failureOf(p: Promise<unknown>): Promise<SkylineError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof SkylineError)) throw new Error(`expected SkylineError, got ${String(err)}`);
  expect(err.message).not.toContain(PASSWORD);
  expect(err.url).not.toContain(PASSWORD);
  return err;
}
const task = (tid: number, extra: object = {}) => ({ tid, to: '15551230001', sms: 'hello', from: '1', ...extra });
const postsReceived = () => sim.control.requests().filter((r) => r.endpoint === 'goip_post_sms.html').length;

describe('endpoints', () => {
  it('sendSms: accepted tasks, per-task refusals, query credentials and the wire body', async () => {
    sim.control.setPort(3, { st: 1 });
    const res = await client.sendSms([task(1), task(2, { from: '3' }), task(3, { from: '9' }), task(4, { dr: true, sdr: true })]);
    expect(res).toEqual([
      { tid: 1, status: 'accepted' },
      { tid: 2, status: 'refused', code: 5, refusal: 'sim-unregistered', text: 'SIM Unregistered' },
      { tid: 3, status: 'refused', code: 2, refusal: 'invalid-port', text: 'Invalid Port' },
      { tid: 4, status: 'accepted' },
    ]);
    const [req] = sim.control.requests();
    expect(req!.path).toMatch(/^\/goip_post_sms\.html\?version=1\.1&username=root&password=\*\*\*$/);
    expect(req!.body).toMatchObject({ type: 'send-sms', task_num: 4, sr_url: `${rx.url}/sr`, sr_cnt: 1, sms_url: `${rx.url}/sms` });
    expect((req!.body as { tasks: unknown[] }).tasks[3]).toEqual({ tid: 4, to: '15551230001', sms: 'hello', from: '1', dr: 1, sdr: 1 });
    await rx.waitFor((r) => r.some((c) => c.path === '/sr') && r.some((c) => c.path === '/sms'));
  });

  it('sendSms: 13 for a tid still known, 16 when the queue limit is hit', async () => {
    sim.control.setPort(1, { sendTimeMs: 1e9 });
    sim.control.configure({ queueLimit: 2 });
    expect(await client.sendSms([task(10, { tmo: 1e6 }), task(11)])).toEqual([{ tid: 10, status: 'accepted' }, { tid: 11, status: 'accepted' }]);
    const again = await client.sendSms([task(10), task(12)]);
    expect(again[0]).toMatchObject({ status: 'refused', code: 13, refusal: 'duplicated-task-id' });
    expect(again[1]).toMatchObject({ status: 'refused', code: 16, refusal: 'too-many-task' });
  });

  it('sendSms: refuses with every vendor code 1 … 20 (and an unknown one)', async () => {
    for (const code of [...Array.from({ length: 20 }, (_, i) => i + 1), 42]) {
      sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'refuse', code } });
      const [r] = await client.sendSms([task(100 + code)]);
      expect(r).toMatchObject({ tid: 100 + code, status: 'refused', code });
      if (r!.status === 'refused') expect(r!.refusal === 'unknown-code').toBe(code === 42);
    }
  });

  it('getStatus reads ports, slots, states; url/period register pushes; port changes are pushed', async () => {
    sim.control.setPort(2, { st: 6 });
    const st = await client.getStatus({ allSims: true, url: `${rx.url}/status`, period: 60 });
    expect(st).toMatchObject({ maxPorts: 4, maxSlots: 2 });
    expect(st.ports).toHaveLength(8);
    expect(st.ports.find((p) => p.port === '2.01')).toMatchObject({ st: 6, sig: 0 });
    expect(st.ports.find((p) => p.port === '1.01')).toMatchObject({ st: 3, bal: '100.00' });
    sim.control.setPort(4, { st: 0 });
    await rx.waitFor((r) => r.some((c) => c.path === '/status' && (c.body as { type: string }).type === 'port-status'));
    await rx.waitFor((r) => r.some((c) => (c.body as { type: string }).type === 'dev-status'), 5000);
  });

  it('getTasks / pauseTasks / resumeTasks / removeTasks operate on queued tasks', async () => {
    sim.control.setPort(1, { sendTimeMs: 1e9 });
    // tid 20 occupies the port (sending, so no longer listed); 21–23 wait behind it.
    await client.sendSms([task(20, { tmo: 1e6 }), task(21, { sms: 'one' }), task(22), task(23)]);
    const page = await client.getTasks(1, { hasContent: true });
    expect(page.totalNum).toBe(3);
    expect(page.tasks[0]).toMatchObject({ tid: 21, state: 'queued', sms: 'one', to: '15551230001' });
    const paused = await client.pauseTasks([22, 999]);
    expect(paused.results).toEqual([
      { tid: 22, ok: true, code: 0, text: 'OK' },
      { tid: 999, ok: false, code: 11, text: 'TID Expected' },
    ]);
    expect((await client.getTasks(1)).tasks.find((t) => t.tid === 22)!.state).toBe('paused');
    expect((await client.resumeTasks([22])).results![0]!.ok).toBe(true);
    expect((await client.removeTasks([23])).results![0]!.ok).toBe(true);
    expect((await client.getTasks(1)).tasks.map((t) => t.tid)).toEqual([21, 22]);
    expect(await client.removeTasks()).toEqual({ code: 200, reason: 'OK', results: null });
    expect((await client.getTasks(1)).totalNum).toBe(0);
  });

  it('getInboundSms pages with next_sms and detects a reboot by ssrc', async () => {
    sim.control.injectInbound({ port: 2, from: '15551230009', text: 'STOP' });
    sim.control.injectInbound({ port: 2, from: '15551230008', text: 'Oui merci' });
    const a = await client.getInboundSms();
    expect(a.rows.map((r) => r.kind === 'sms' && r.text)).toEqual(['STOP', 'Oui merci']);
    expect(a.cursor).toEqual({ ssrc: sim.control.ssrc, nextId: 3 });
    sim.control.injectInbound({ port: 1, from: '15551230007', text: 'third' });
    const b = await client.getInboundSms(a.cursor);
    expect(b.rows).toHaveLength(1);
    expect(b.rebooted).toBe(false);
    sim.control.reboot();
    sim.control.injectInbound({ port: 1, from: '15551230006', text: 'after reboot' });
    const c = await client.getInboundSms(b.cursor);
    expect(c.rebooted).toBe(true);
    expect(c.rows.map((r) => r.kind === 'sms' && r.text)).toEqual(['after reboot']);
    expect(c.cursor.nextId).toBe(2);
  });

  it('sendCommand posts a command and reads code 0', async () => {
    expect(await client.sendCommand({ op: 'lock', ports: '1A,2-3' })).toMatchObject({ code: 0, reason: 'OK' });
    expect(sim.control.requests().at(-1)!.body).toEqual({ type: 'command', op: 'lock', ports: '1A,2-3' });
  });
});

describe('failure classification', () => {
  const kind = (e: SkylineError): Pick<SkylineFailure, 'kind'> & { cause?: string } => e.failure as SkylineFailure & { cause?: string };

  it('connection refused → not-sent', async () => {
    const dead = await startSimulator();
    const url = dead.url;
    await dead.close();
    const c = new SkylineClient({ baseUrl: url, username: 'root', password: PASSWORD });
    const e = await failureOf(c.sendSms([task(1)]));
    expect(kind(e)).toMatchObject({ kind: 'not-sent', cause: 'connection-refused' });
    expect(e.mayHaveTakenEffect).toBe(false);
    await c.close();
  });

  it('deadline while the request waits for a socket → not-sent, and it is never sent later', async () => {
    const c = new SkylineClient({ baseUrl: sim.url, username: 'root', password: PASSWORD, connections: 1 });
    sim.control.addFault({ endpoint: 'goip_get_status.html', times: 1, fault: { kind: 'hang' } });
    const hung = failureOf(c.getStatus({}, { timeoutMs: 400 }));
    const e = await failureOf(c.sendSms([task(31)], { timeoutMs: 100 }));
    expect(kind(e)).toMatchObject({ kind: 'not-sent', cause: 'timeout' });
    expect(kind(await hung)).toMatchObject({ kind: 'unknown-outcome' });
    await c.getStatus();
    expect(postsReceived()).toBe(0);
    await c.close();
  });

  it('caller abort before sending → not-sent (aborted)', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(kind(await failureOf(client.sendSms([task(32)], { signal: ac.signal })))).toMatchObject({ kind: 'not-sent', cause: 'aborted' });
    expect(postsReceived()).toBe(0);
  });

  it('hang past the timeout after the request was written → unknown-outcome; the task was queued', async () => {
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'hang' } });
    const e = await failureOf(client.sendSms([task(41)], { headersTimeoutMs: 200, timeoutMs: 1000 }));
    expect(kind(e).kind).toBe('unknown-outcome');
    expect(['headers-timeout', 'timeout']).toContain((e.failure as { cause: string }).cause);
    expect(e.mayHaveTakenEffect).toBe(true);
    // Resolving it the way dispatch will: resend with the same tid; 13 means it was already queued.
    sim.control.setPort(1, { sendTimeMs: 1e9 });
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'hang' } });
    await failureOf(client.sendSms([task(42, { tmo: 1e6 })], { timeoutMs: 200 }));
    expect(await client.sendSms([task(42, { tmo: 1e6 })])).toEqual([expect.objectContaining({ tid: 42, status: 'refused', code: 13 })]);
  });

  it('overall deadline after writing → unknown-outcome (timeout)', async () => {
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'hang', process: false } });
    expect(kind(await failureOf(client.sendSms([task(43)], { timeoutMs: 150 })))).toMatchObject({ kind: 'unknown-outcome', cause: 'timeout' });
  });

  it('accept then drop the connection → unknown-outcome (connection-closed)', async () => {
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'drop' } });
    const e = await failureOf(client.sendSms([task(51)]));
    expect(kind(e).kind).toBe('unknown-outcome');
    expect(['connection-closed', 'connection-reset']).toContain((e.failure as { cause: string }).cause);
    expect(postsReceived()).toBe(1);
  });

  it('slow response within the timeout succeeds; beyond it → unknown-outcome', async () => {
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'slow', delayMs: 100 } });
    expect(await client.sendSms([task(61)])).toEqual([{ tid: 61, status: 'accepted' }]);
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'slow', delayMs: 600 } });
    // undici's headersTimeout is honoured loosely under CPU load; our own deadline (timeoutMs) is the backstop.
    const e = await failureOf(client.sendSms([task(62)], { headersTimeoutMs: 200, timeoutMs: 400 }));
    expect(e.failure.kind).toBe('unknown-outcome');
    expect(['headers-timeout', 'timeout']).toContain((e.failure as { cause: string }).cause);
  });

  it('HTTP 5xx → http-status (may have taken effect); 401 → http-status (did not)', async () => {
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'http-status', status: 503 } });
    const e = await failureOf(client.sendSms([task(71)]));
    expect(e.failure).toMatchObject({ kind: 'http-status', status: 503 });
    expect(e.mayHaveTakenEffect).toBe(true);
    sim.control.configure({ badAuth: 'http-401' });
    const bad = new SkylineClient({ baseUrl: sim.url, username: 'root', password: 'wrong-pw' });
    const e2 = await failureOf(bad.getStatus());
    expect(e2.failure).toMatchObject({ kind: 'http-status', status: 401 });
    expect(e2.message).not.toContain('wrong-pw');
    expect(e2.mayHaveTakenEffect).toBe(false);
    await bad.close();
  });

  it('200 with a body that is not the expected JSON → bad-response', async () => {
    sim.control.addFault({ endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'bad-body', body: '<html>oops</html>' } });
    expect((await failureOf(client.sendSms([task(81)]))).failure).toMatchObject({ kind: 'bad-response', status: 200 });
    sim.control.addFault({ endpoint: 'goip_get_status.html', times: 1, fault: { kind: 'bad-body', body: '{"type":"something-else"}', contentType: 'application/json' } });
    expect((await failureOf(client.getStatus())).failure).toMatchObject({ kind: 'bad-response' });
  });

  it('bad credentials in every style the device might use', async () => {
    const bad = new SkylineClient({ baseUrl: sim.url, username: 'root', password: 'nope-nope' });
    sim.control.configure({ badAuth: 'task-status' });
    expect(await bad.sendSms([task(91)])).toEqual([expect.objectContaining({ status: 'refused', code: 1, refusal: 'invalid-user' })]);
    sim.control.configure({ badAuth: 'json' });
    expect((await failureOf(bad.sendSms([task(92)]))).failure).toEqual({ kind: 'gateway-refused', code: 1, reason: 'Invalid User' });
    sim.control.configure({ badAuth: 'html-login' });
    expect((await failureOf(bad.getTasks(1))).failure).toMatchObject({ kind: 'bad-response' });
    expect(sim.control.requests().every((r) => !r.path.includes('nope-nope'))).toBe(true);
    await bad.close();
  });

  it('credentials in the JSON body and upper-case parameter names are accepted by the simulator', async () => {
    const { request } = await import('undici');
    const res = await request(`${sim.url}/goip_post_sms.html?Username=root`, {
      method: 'POST',
      body: JSON.stringify({ password: PASSWORD, type: 'send-sms', task_num: '1', tasks: [{ tid: '5', to: '1555123', sms: 'x' }] }),
    });
    expect(await res.body.json()).toEqual({ code: 200, reason: 'OK', type: 'task-status', status: [{ tid: 5, status: '0 OK' }] });
  });
});
