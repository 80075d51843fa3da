import { Harness } from '../../services/sms-dispatch/src/sms-dispatch.test-harness';
import { cli } from './cli-io';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const h = new Harness();
let base: string[];

beforeAll(async () => {
  await h.startSim({ sendTimeMs: 0 });
  const svc = await h.start();
  // receipts is not running in this file: the sms send follows dispatch's outcome and then reports receipts missing.
  base = ['--nats-url', natsUrl, '--namespace', h.namespace, '--sms-dispatch-url', svc.url, '--receipts-url', 'http://127.0.0.1:9'];
}, 45_000);

afterAll(() => h.dispose());

describe('dailydesk sms send / gateway status against a real sms-dispatch and the simulator', () => {
  it('publishes a test SendSms, reports SmsSent with tid and port, and the gateway got exactly that text', async () => {
    const run = await cli([...base, 'sms', 'send', '--to', '0151 12345678', '--text', 'CLI test', '--wait', '5']);
    expect(run.out).toMatch(/Published SendSms cli-test-[0-9a-f-]+ \(messageId sms:cli-test-[0-9a-f-]+:test\) to \*+678/);
    expect(run.out).toMatch(/SmsSent: tid \d+, port \S+, 1 segment\(s\) GSM-7/);
    expect(run.out).not.toContain('12345678');
    expect(run.err).toContain("receipts' view is missing");
    expect(run.code).toBe(0);
    const requests = (await (await fetch(`${h.sim.url}/_sim/requests`)).json()) as Array<{ endpoint: string; body: unknown }>;
    const posted = requests.flatMap((r) => ((r.body as { tasks?: Array<{ to: string; sms: string }> } | null)?.tasks ?? []));
    expect(posted.filter((t) => t.sms === 'CLI test')).toHaveLength(1);
  });

  it('reports a suppressed text as a failure (exit 1)', async () => {
    const run = await cli([...base, 'sms', 'send', '--to', '12', '--text', 'to nowhere', '--wait', '5']);
    expect(run.out).toContain('SmsSuppressed: reason invalid-number');
    expect(run.code).toBe(1);
  });

  it('prints the gateway status', async () => {
    const run = await cli([...base, 'gateway', 'status']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('sending enabled       yes');
    expect(run.out).toMatch(/reachable\s+yes/);
    expect(JSON.parse((await cli([...base, 'gateway', 'status', '--json'])).out)).toMatchObject({ enabled: true, reachable: true });
  });
});
