/**
 * `npm run demo`: what the booking frontend and a business owner would do, against the platform `npm start` runs.
 * Publishes a few booking events on JetStream exactly as the booking frontend does (subject from the contracts'
 * topology, Nats-Msg-Id = envelope id, every message checked by encodeMessage), creates a small campaign through
 * the campaigns API, then watches texts reach the gateway simulator and receipts reach the analyst API.
 * Services that do not answer are reported and their part is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMessage, topology } from '@dailydesk/contracts';
import { ensureStreams } from '@dailydesk/messaging';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { demoCampaign, demoScenario, type DemoScenario } from './demo-events';
import { http, isUp, simulatorSeq, simulatorTasks, type SimTask } from './demo-probes';
import { loadPlatformConfig, serviceUrl } from './platform-config';

const say = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunningPlatform {
  natsUrl: string;
  natsNamespace: string;
  simulatorUrl: string | null;
  cronApiKey: string;
  services: Record<string, string>;
}

function platform(): RunningPlatform {
  const config = loadPlatformConfig();
  const file = path.join(config.dataDir, 'platform.json');
  const state = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<RunningPlatform> & { services?: Record<string, { url: string }> }) : {};
  return {
    natsUrl: process.env.NATS_URL || state.natsUrl || config.natsUrl,
    natsNamespace: process.env.NATS_NAMESPACE ?? state.natsNamespace ?? config.natsNamespace,
    simulatorUrl: process.env.SIM_URL || state.simulatorUrl || (config.gateway.simulate ? `http://127.0.0.1:${config.gateway.simPort}` : null),
    cronApiKey: config.secrets.cronApiKey,
    services: Object.fromEntries(config.services.map((s) => [s.name, state.services?.[s.name]?.url ?? serviceUrl(config, s.name)])),
  };
}

async function publishBookings(p: RunningPlatform, s: DemoScenario): Promise<void> {
  const topo = topology(p.natsNamespace);
  const nc = await connect({ servers: p.natsUrl.split(','), timeout: 3_000, name: 'dailydesk-demo' }).catch((err: unknown) => {
    throw new Error(`cannot reach NATS at ${p.natsUrl} (${err instanceof Error ? err.message : String(err)}): is \`npm start\` running?`);
  });
  try {
    // Services create the streams when they start; creating them here too lets the demo run before any has.
    await ensureStreams(await jetstreamManager(nc), topo.streams, { deadLetter: false, replicas: Number(process.env.NATS_STREAM_REPLICAS || '1') });
    const js = jetstream(nc);
    for (const event of s.events) {
      const ack = await js.publish(topo.subjectOf(event.type), encodeMessage(event), { msgID: event.id });
      say(`  published ${event.type.padEnd(22)} ${event.id.padEnd(28)} → ${ack.stream} #${ack.seq}${ack.duplicate ? ' (duplicate)' : ''}`);
    }
  } finally {
    await nc.close();
  }
}

async function createCampaign(p: RunningPlatform, s: DemoScenario): Promise<string | null> {
  const url = p.services.campaigns;
  if (!(await isUp(url))) {
    say(`  skipped: campaigns does not answer at ${url}`);
    return null;
  }
  // campaigns learns the business from BusinessUpserted asynchronously: 409 BUSINESS_UNKNOWN until it has.
  const until = Date.now() + 20_000;
  for (;;) {
    const body = demoCampaign(s);
    const created = await http<{ campaignId?: string }>(`${url}/campaigns`, { method: 'POST', body: JSON.stringify(body) });
    if (created.ok) {
      const activated = await http(`${url}/campaigns/${body.campaignId}/activate`, { method: 'POST' });
      say(`  campaign ${body.campaignId}: created${activated.ok ? ' and activated' : `, activation failed: ${activated.error}`}; sends ${body.schedule.date} ${body.sendTime} ${s.timeZone}`);
      return activated.ok ? body.campaignId : null;
    }
    if (created.status !== 409 || Date.now() > until) {
      say(`  campaign not created: HTTP ${created.status ?? '-'} ${created.error}`);
      return null;
    }
    await sleep(500);
  }
}

interface ReceiptRow {
  message_id: string;
  purpose: string;
  status: string;
  recipient_masked: string | null;
  customer_id: string | null;
}

async function watch(p: RunningPlatform, s: DemoScenario, simSince: number, campaignCreated: boolean): Promise<void> {
  const deadline = Date.now() + Number(process.env.DEMO_TIMEOUT_MS || 120_000);
  const ours = new Set(s.customers.map((c) => c.digits));
  const expected = s.expected.filter((e) => campaignCreated || e.purpose !== 'campaign').length;
  const receiptsUp = await isUp(p.services.receipts);
  const simUp = p.simulatorUrl !== null && (await http(`${p.simulatorUrl}/_sim/state`)).ok;
  if (!receiptsUp && !simUp) {
    say('  neither the simulator nor receipts answers: nothing to watch');
    return;
  }
  if (!receiptsUp) say(`  receipts does not answer at ${p.services.receipts}: only the simulator side is shown`);
  let tasks: SimTask[] = [];
  let rows: ReceiptRow[] = [];
  let shown = '';
  while (Date.now() < deadline) {
    if (p.simulatorUrl) {
      tasks = (await simulatorTasks(p.simulatorUrl, simSince)).filter((t) => t.to.split(',').some((n) => ours.has(n.replace(/\D/g, ''))));
      // A real gateway batches status reports for up to sr_prd seconds; flushing shows receipts without the wait.
      await http(`${p.simulatorUrl}/_sim/flush`, { method: 'POST' });
    }
    if (receiptsUp) {
      const r = await http<{ items: ReceiptRow[] }>(`${p.services.receipts}/receipts/messages?businessId=${encodeURIComponent(s.businessId)}&limit=100`);
      if (r.ok) rows = r.body.items;
    }
    const reported = rows.filter((r) => ['delivered', 'undelivered', 'transmitted'].includes(r.status)).length;
    const delivered = rows.filter((r) => ['delivered', 'undelivered'].includes(r.status)).length;
    const line = `  ${Math.round((deadline - Date.now()) / 1000)}s left: ${tasks.length}/${expected} texts at the simulator, ${rows.length} in receipts (${reported} with a status report, ${delivered} with a delivery report)`;
    if (line.replace(/^\s+\d+s left/, '') !== shown) {
      say(line);
      shown = line.replace(/^\s+\d+s left/, '');
    }
    if (tasks.length >= expected && (!receiptsUp || (rows.length >= expected && delivered >= expected))) break;
    await sleep(2_000);
  }
  say('');
  say('Texts the gateway simulator received:');
  const who = (to: string) => s.customers.find((c) => to.replace(/\D/g, '').includes(c.digits))?.firstName ?? '?';
  for (const t of tasks) say(`  tid ${String(t.tid).padEnd(6)} to ${who(t.to).padEnd(6)} "${t.text.length > 90 ? `${t.text.slice(0, 87)}...` : t.text}"`);
  if (tasks.length === 0) say('  (none yet)');
  if (receiptsUp) {
    say('');
    say(`Receipts projection (GET ${p.services.receipts}/receipts/messages?businessId=${s.businessId}):`);
    for (const r of rows) say(`  ${r.purpose.padEnd(13)} ${r.status.padEnd(12)} ${String(r.recipient_masked ?? '').padEnd(16)} ${r.message_id}`);
    if (rows.length === 0) say('  (none yet)');
  }
  say('');
  say('Expected from this demo:');
  for (const e of s.expected) {
    const got = rows.some((r) => r.purpose === e.purpose && (r.customer_id ?? '').includes(e.customer.toLowerCase()));
    say(`  ${got ? '✓' : '·'} ${e.purpose.padEnd(13)} ${e.customer.padEnd(6)} (${e.why})${e.purpose === 'campaign' && !campaignCreated ? ' — skipped' : ''}`);
  }
}

async function main(): Promise<void> {
  const p = platform();
  const s = demoScenario();
  say(`DailyDesk demo — business ${s.businessName} (${s.businessId}), NATS ${p.natsUrl}${p.natsNamespace ? ` namespace ${p.natsNamespace}` : ''}`);
  const up = Object.fromEntries(await Promise.all(Object.entries(p.services).map(async ([n, u]) => [n, await isUp(u)] as const)));
  say(`services answering: ${Object.entries(up).map(([n, ok]) => `${n} ${ok ? 'yes' : 'NO'}`).join(', ')}`);
  const simUp = p.simulatorUrl ? (await http(`${p.simulatorUrl}/_sim/state`)).ok : false;
  say(`gateway simulator: ${p.simulatorUrl && simUp ? p.simulatorUrl : 'not answering (real gateway, or `npm start` not running)'}`);
  const simSince = p.simulatorUrl && simUp ? await simulatorSeq(p.simulatorUrl) : 0;
  say('');
  say('1. Booking frontend events (JetStream, Nats-Msg-Id = envelope id):');
  await publishBookings(p, s);
  say('');
  say('2. A small campaign through the campaigns API:');
  const campaignId = await createCampaign(p, s);
  say('');
  say('3. Watching texts reach the simulator and receipts reach the projections:');
  await watch(p, { ...s }, simSince, campaignId !== null);
  const skipped = Object.entries(up).filter(([, ok]) => !ok).map(([n]) => n);
  if (skipped.length > 0) say(`\nNot running, so their part of the flow was skipped: ${skipped.join(', ')}`);
}

main().catch((err: unknown) => {
  say(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
