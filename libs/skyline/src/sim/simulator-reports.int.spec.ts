import { parseGatewayCallback, type GatewayCallback } from '../callbacks/parse-callback';
import type { RecvSmsRow } from '../callbacks/recv-sms.decode';
import type { StatusReportEntry } from '../callbacks/status-report.schema';
import { SkylineClient } from '../client/skyline-client';
import type { SmsTask } from '../client/client-types';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import { startSimulator, type Simulator } from './simulator';
import type { SimulatorOptions } from './sim-options';

let rx: CallbackReceiver;
const open: Array<{ close(): Promise<void> }> = [];
beforeEach(async () => {
  rx = await startCallbackReceiver();
  open.push(rx);
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function setup(o: SimulatorOptions): Promise<{ sim: Simulator; client: SkylineClient }> {
  const sim = await startSimulator({ timeScale: 0.001, startEpochMs: 1_716_200_000_000, ...o });
  const client = new SkylineClient({ baseUrl: sim.url, username: 'root', password: 'root', reports: { srUrl: `${rx.url}/sr`, srCnt: 50, srPrd: 1, smsUrl: `${rx.url}/sms` } });
  open.push(sim, client);
  return { sim, client };
}
const parsed = (path: string): GatewayCallback[] => rx.received.filter((c) => c.path === path).map((c) => parseGatewayCallback(c.body));
const entries = (): StatusReportEntry[] => parsed('/sr').flatMap((c) => (c.kind === 'status-report' ? c.report.rpts : []));
const recvRows = (): RecvSmsRow[] => parsed('/sms').flatMap((c) => (c.kind === 'recv-sms' ? c.recvSms.rows : []));
const recipientsOf = (tid: number): string[] => Array.from({ length: (tid % 3) + 1 }, (_, i) => `1555${String(tid).padStart(5, '0')}${i}`);

function makeTasks(from: number, count: number, extra: (tid: number) => Partial<SmsTask> = () => ({})): SmsTask[] {
  return Array.from({ length: count }, (_, i) => {
    const tid = from + i;
    return { tid, to: recipientsOf(tid), sms: `msg ${tid}`, from: String(((tid - 1) % 8) + 1), sdr: true, fdr: true, ...(tid % 5 === 0 && { srCnt: 1 }), ...extra(tid) };
  });
}

async function sendAll(client: SkylineClient, tasks: SmsTask[], perPost = 100, srCnt?: number): Promise<void> {
  for (let i = 0; i < tasks.length; i += perPost) {
    const res = await client.sendSms(tasks.slice(i, i + perPost), srCnt === undefined ? {} : { srCnt });
    expect(res.every((r) => r.status === 'accepted')).toBe(true);
  }
}

/** Folds reports the way a receiver must: rows accumulate (deduplicated by tid+index), counters are cumulative. */
function fold(list: StatusReportEntry[]) {
  const rows = new Map<number, Map<number, { number: string; port: string; ok: boolean }>>();
  const last = new Map<number, StatusReportEntry>();
  let duplicateRows = 0;
  for (const e of list) {
    const m = rows.get(e.tid) ?? new Map();
    rows.set(e.tid, m);
    const rowsOf = [...e.sdr.map((r) => ({ ...r, ok: true })), ...e.fdr.map((r) => ({ ...r, ok: false }))];
    for (const r of rowsOf) {
      if (m.has(r.index)) duplicateRows++;
      else m.set(r.index, { number: r.number, port: r.port, ok: r.ok });
    }
    const prev = last.get(e.tid);
    if (!prev || e.sent + e.failed >= prev.sent + prev.failed) last.set(e.tid, e);
  }
  return { rows, last, duplicateRows };
}

it('1,000 tasks over 8 ports: every tid, every number, counters consistent', async () => {
  const { sim, client } = await setup({ seed: 42, ports: 8, failureRate: 0.1 });
  const tasks = makeTasks(1, 1000);
  await sendAll(client, tasks);
  await sim.control.settle();
  const list = entries();
  const bodies = parsed('/sr');
  expect(bodies.every((b) => b.kind === 'status-report' && b.report.rpt_num === b.report.rpts.length)).toBe(true);
  const { rows, last, duplicateRows } = fold(list);
  expect(duplicateRows).toBe(0);
  expect([...rows.keys()].sort((a, b) => a - b)).toEqual(tasks.map((t) => t.tid));
  let failed = 0;
  let total = 0;
  const truth = new Map(sim.control.tasks().map((t) => [t.tid, t]));
  for (const t of tasks) {
    const to = t.to as string[];
    const got = rows.get(t.tid)!;
    expect([...got.keys()].sort()).toEqual(to.map((_, i) => i));
    for (const [i, r] of got) {
      expect(r.number).toBe(to[i]);
      expect(r.port).toBe(`${t.from}.01`);
    }
    const fin = last.get(t.tid)!;
    const oks = [...got.values()].filter((r) => r.ok).length;
    expect(fin).toMatchObject({ sending: 0, unsent: 0, sent: oks, failed: to.length - oks });
    expect(truth.get(t.tid)).toMatchObject({ sent: oks, failed: to.length - oks, done: true });
    failed += to.length - oks;
    total += to.length;
  }
  // Every entry is self-consistent and counters never go backwards within a tid.
  const seen = new Map<number, StatusReportEntry>();
  for (const e of list) {
    expect(e.sending + e.sent + e.failed + e.unsent).toBe((e.tid % 3) + 1);
    const p = seen.get(e.tid);
    if (p) expect(e.sent >= p.sent && e.failed >= p.failed).toBe(true);
    seen.set(e.tid, e);
  }
  expect(list.length).toBeGreaterThan(1000); // srCnt:1 tasks report more than once
  expect(failed / total).toBeGreaterThan(0.05);
  expect(failed / total).toBeLessThan(0.15);
});

it('is deterministic for a seed: same outcomes per tid and number', async () => {
  const outcomes = async (): Promise<string> => {
    const { sim, client } = await setup({ seed: 9, failureRate: 0.3 });
    await sendAll(client, makeTasks(1, 200, () => ({ from: undefined })));
    await sim.control.settle();
    const { rows } = fold(entries());
    rx.received.length = 0;
    return JSON.stringify([...rows].sort((a, b) => a[0] - b[0]).map(([tid, m]) => [tid, [...m].sort((a, b) => a[0] - b[0])]));
  };
  expect(await outcomes()).toBe(await outcomes());
});

it('duplicated, reordered and delayed status reports still add up; lost ones are recorded', async () => {
  const { sim, client } = await setup({ seed: 3, failureRate: 0.2, callbackFaults: { duplicateRate: 0.3, reorderRate: 0.3, delayMs: 500 } });
  const tasks = makeTasks(1, 300);
  await sendAll(client, tasks, 100, 5);
  await sim.control.settle();
  const faults = sim.control.callbacks().map((c) => c.fault);
  expect(faults).toEqual(expect.arrayContaining(['duplicate', 'reordered', 'delayed']));
  const { rows, duplicateRows } = fold(entries());
  expect(duplicateRows).toBeGreaterThan(0);
  for (const t of tasks) expect(rows.get(t.tid)!.size).toBe((t.to as string[]).length);

  sim.control.reset();
  rx.received.length = 0;
  sim.control.setCallbackFaults({ lossRate: 1 });
  await sendAll(client, makeTasks(1, 20));
  await sim.control.settle();
  expect(rx.received).toHaveLength(0);
  expect(sim.control.callbacks().length).toBeGreaterThan(0);
  expect(sim.control.callbacks().every((c) => c.fault === 'lost')).toBe(true);
});

it('delivery reports (dr:1): one flag-1 row per sent number, delivered or not; optionally before the status report', async () => {
  const { sim, client } = await setup({ seed: 5, undeliveredRate: 0.3, dlrDelayMs: 3000 });
  await sendAll(client, makeTasks(1, 40, () => ({ dr: true })));
  await sim.control.settle();
  await rx.waitFor(() => recvRows().length === makeTasks(1, 40).reduce((n, t) => n + (t.to as string[]).length, 0));
  const dlrs = recvRows();
  expect(dlrs.every((r) => r.kind === 'delivery-report')).toBe(true);
  expect(new Set(dlrs.map((r) => (r.kind === 'delivery-report' ? r.outcome : '')))).toEqual(new Set(['delivered', 'failed']));

  sim.control.reset();
  rx.received.length = 0;
  sim.control.setCallbackFaults({ dlrBeforeStatusReport: true });
  await sendAll(client, makeTasks(101, 30, () => ({ dr: true })));
  await sim.control.settle();
  const order = rx.received.map((c) => parseGatewayCallback(c.body));
  for (const t of makeTasks(101, 30)) {
    for (const n of t.to as string[]) {
      const dlrAt = order.findIndex((c) => c.kind === 'recv-sms' && c.recvSms.rows.some((r) => r.kind === 'delivery-report' && r.recipient === n));
      const srAt = order.findIndex((c) => c.kind === 'status-report' && c.report.rpts.some((e) => e.tid === t.tid && e.sdr.some((r) => r.number === n)));
      expect(dlrAt).toBeGreaterThanOrEqual(0);
      expect(srAt).toBeGreaterThan(dlrAt);
    }
  }
});

it('a port going unregistered mid-run fails the rest of its queue, pushes port-status, and refuses new tasks with 5', async () => {
  const { sim, client } = await setup({ seed: 1 });
  await client.getStatus({ url: `${rx.url}/status`, period: 0 });
  sim.control.unregisterPortAfter(1, 5);
  sim.control.setPort(1, { sendTimeMs: 1000 });
  await sendAll(client, Array.from({ length: 12 }, (_, i) => ({ tid: i + 1, to: `155500000${i}`, sms: 'x', from: '1', sdr: true })));
  await sim.control.settle();
  const { rows } = fold(entries());
  const outcomes = [...rows.values()].map((m) => m.get(0)!.ok);
  expect(outcomes.filter(Boolean)).toHaveLength(5);
  expect(entries().flatMap((e) => e.fdr).every((r) => r.progressReason === '5 SIM Unregistered')).toBe(true);
  await rx.waitFor((r) => r.some((c) => c.path === '/status'));
  expect(parseGatewayCallback(rx.received.find((c) => c.path === '/status')!.body)).toMatchObject({ kind: 'port-status', portStatus: { port: '1.01', st: 6 } });
  expect(await client.sendSms([{ tid: 99, to: '15550000000', sms: 'x', from: '1' }])).toEqual([expect.objectContaining({ code: 5 })]);
});

it('inbound SMS variants and buffered pushes parse back; the HTTP control API drives it all', async () => {
  const { sim, client } = await setup({ seed: 2, recvSmsVariant: { headerBlock: true, nineElementRows: true, simSrc: true } });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  await client.sendSms([{ tid: 1, to: '15550000001', sms: 'x' }], { smsCnt: 2, smsPrd: 600 });
  expect((await call('POST', '/_sim/inbound', { port: 3, from: '15551230009', text: 'STOP' })).status).toBe(200);
  expect((await call('POST', '/_sim/inbound', { port: 4, from: '15551230008', text: 'Ça va' })).body).toEqual({ id: 2 });
  await rx.waitFor(() => recvRows().length === 2);
  expect(rx.received.filter((c) => c.path === '/sms')).toHaveLength(1); // sms_cnt 2: one POST with both rows
  const [row] = recvRows();
  expect(row).toMatchObject({ kind: 'sms', port: '3.01', from: '15551230009', text: 'STOP', headers: { sender: '15551230009', slot: '01' } });
  expect(row!.kind === 'sms' && row!.extra).toHaveLength(3);
  expect(parsed('/sms')[0]).toMatchObject({ recvSms: { sim_src: 1 } });

  expect((await call('POST', '/_sim/inbound', { port: 'x' })).status).toBe(400);
  expect((await call('POST', '/_sim/ports/2', { st: 0 })).status).toBe(200);
  expect((await client.sendSms([{ tid: 2, to: '15550000001', sms: 'x', from: '2' }]))[0]).toMatchObject({ code: 5 });
  expect((await call('POST', '/_sim/faults', { endpoint: 'goip_post_sms.html', times: 1, fault: { kind: 'refuse', code: 16 } })).status).toBe(200);
  expect((await client.sendSms([{ tid: 3, to: '15550000001', sms: 'x' }]))[0]).toMatchObject({ code: 16 });
  const reqs = (await fetch(`${sim.url}/_sim/requests`).then((r) => r.json())) as Array<{ endpoint: string; fault?: string }>;
  expect(reqs.filter((r) => r.fault === 'refuse')).toHaveLength(1);
  const before = sim.control.ssrc;
  expect((await call('POST', '/_sim/reboot')).body['ssrc']).not.toBe(before);
  expect((await call('POST', '/_sim/reset')).status).toBe(200);
  expect((await call('GET', '/_sim/state')).body['tasks']).toEqual([]);
  expect((await call('GET', '/_sim/nope')).status).toBe(404);
});
