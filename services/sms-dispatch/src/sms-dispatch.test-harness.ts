import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import type { SendSms } from '@dailydesk/contracts';
import { openDatabase, type Database } from '@dailydesk/event-store';
import { startSimulator, type Simulator, type SimulatorOptions } from '@dailydesk/skyline';
import { databaseUrl, eventually, natsUrl } from '@dailydesk/testing';
import { loadConfig } from './config';
import { migrateDispatchSchema } from './dispatch/dispatch.schema';
import { startSmsDispatch, type RunningSmsDispatch, type SmsDispatchOverrides } from './sms-dispatch.app';

/** One isolated installation per test file: namespace, schema prefix, simulator. */
export class Harness {
  readonly tag = randomBytes(4).toString('hex');
  readonly namespace = `sd${this.tag}`;
  readonly schemaPrefix = `t_${this.tag}_`;
  sim!: Simulator;
  service: RunningSmsDispatch | null = null;
  readonly replicas: RunningSmsDispatch[] = [];

  /** The simulator's credentials, made up per harness (no password written in the code). */
  readonly credentials = { username: 'dispatch-test', password: randomBytes(12).toString('base64url') };

  async startSim(options: SimulatorOptions = {}): Promise<Simulator> {
    this.sim = await startSimulator({ port: 0, ports: 4, ...this.credentials, ...options });
    return this.sim;
  }

  async start(env: Record<string, string> = {}, overrides: SmsDispatchOverrides = {}): Promise<RunningSmsDispatch> {
    const config = loadConfig({
      DATABASE_URL: databaseUrl(),
      NATS_URL: natsUrl(),
      NATS_NAMESPACE: this.namespace,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SMS_ENABLED: 'true',
      SMS_BASE_URL: this.sim.url,
      SMS_USERNAME: this.credentials.username,
      SMS_PASSWORD: this.credentials.password,
      RECEIPTS_WEBHOOK_URL: 'http://127.0.0.1:9/sms-gateway/handle-serverless?token=t',
      SMS_PORT_PER_MINUTE: '0',
      SMS_GATEWAY_TIMEOUT_MS: '1000',
      SMS_RETRY_BASE_MS: '20',
      SMS_CIRCUIT_COOLDOWN_MS: '50',
      SMS_CIRCUIT_MAX_COOLDOWN_MS: '200',
      SMS_REPORT_GRACE_MS: '200',
      ...env,
    });
    this.service = await startSmsDispatch(config, { schemaPrefix: this.schemaPrefix, idleMs: 20, leadershipCheckMs: 50, ...overrides });
    return this.service;
  }

  /** Another replica of the same installation (same namespace, schemas, gateway) in this process. */
  async startReplica(env: Record<string, string> = {}): Promise<RunningSmsDispatch> {
    const first = this.service;
    const replica = await this.start(env);
    this.replicas.push(replica);
    this.service = first ?? replica;
    return replica;
  }

  async stopService(): Promise<void> {
    await this.service?.close();
    this.service = null;
  }

  async publish(requests: SendSms[], msgIdSuffix = ''): Promise<void> {
    const js = jetstream(this.service!.nc);
    for (const r of requests) await js.publish(this.service!.topology.subjectOf('SendSms'), JSON.stringify(r), { msgID: `${r.id}${msgIdSuffix}` });
  }

  /** Resolves when the SendSms consumer has handled (acked) everything published so far. */
  async intakeDrained(): Promise<void> {
    const jsm = await jetstreamManager(this.service!.nc);
    const stream = this.service!.topology.streams.find((s) => s.name.endsWith('_SMS'))!.name;
    await eventually(async () => {
      const info = await jsm.consumers.info(stream, 'sms-dispatch--send-sms');
      expect(info.num_pending + info.num_ack_pending).toBe(0);
    }, { timeoutMs: 10_000 });
  }

  /** Outcome events stored, by type. */
  async outcomes(): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
    const out: Array<{ type: string; data: Record<string, unknown> }> = [];
    for (let pos = 0; ; ) {
      const batch = await this.service!.store.readAll(pos, 1000);
      if (batch.length === 0) return out;
      for (const r of batch) if (['SmsSent', 'SmsFailed', 'SmsSuppressed'].includes(r.event.type)) out.push({ type: r.event.type, data: r.event.data as Record<string, unknown> });
      pos = batch[batch.length - 1]!.globalPosition;
    }
  }

  /** Tasks the simulator received in send-sms POSTs, in arrival order. */
  postedTasks(): Array<{ tid: number; to: string; from: string }> {
    return this.sim.control
      .requests()
      .filter((r) => r.endpoint === 'goip_post_sms.html')
      .flatMap((r) => ((r.body as { tasks?: Array<{ tid: number; to: string; from: string }> } | undefined)?.tasks ?? []));
  }

  async dispose(): Promise<void> {
    for (const r of this.replicas) await r.close().catch(() => undefined);
    await this.stopService().catch(() => undefined);
    await this.sim?.close();
    const nc = await connect({ servers: natsUrl() });
    const jsm = await jetstreamManager(nc);
    for (const s of (await jsm.streams.names().next()) ?? []) if (s.startsWith(this.namespace.toUpperCase())) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    const pg = new Client({ connectionString: databaseUrl() });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${this.schemaPrefix}sms_dispatch_events" CASCADE; DROP SCHEMA IF EXISTS "${this.schemaPrefix}sms_dispatch" CASCADE`);
    await pg.end();
  }
}

let seq = 0;
/** A valid SendSms; `over` patches its data. */
export function sendSms(messageId: string, over: Partial<SendSms['data']> = {}, businessId = 'biz-1'): SendSms {
  const n = ++seq;
  return {
    id: `req-${messageId}-${n}`,
    type: 'SendSms',
    v: 1,
    occurredAt: new Date().toISOString(),
    businessId,
    correlationId: `corr-${messageId}`,
    causationId: null,
    data: {
      messageId,
      recipient: { phone: '0171 234 56' + String(10 + (n % 90)), defaultRegion: 'DE' },
      text: 'Your appointment is confirmed.',
      purpose: 'confirmation',
      refs: { appointmentId: `apt-${messageId}` },
      ...over,
    },
  } as SendSms;
}

/**
 * The service's tables alone, in a fresh schema of the test database, for a test file of one table-level piece (no
 * service running): created in `beforeAll`, dropped in `afterAll`. `s` is the quoted schema name for SQL.
 */
export function useDispatchTables(prefix: string): { readonly db: Database; readonly schema: string; readonly s: string } {
  const t = { schema: `${prefix}_${randomBytes(4).toString('hex')}` } as { db: Database; schema: string; s: string };
  t.s = `"${t.schema}"`;
  beforeAll(async () => {
    t.db = await openDatabase({ databaseUrl: databaseUrl() });
    await migrateDispatchSchema(t.db, t.schema);
  });
  afterAll(async () => {
    await t.db.exec(`DROP SCHEMA IF EXISTS ${t.s} CASCADE`);
    await t.db.close();
  });
  return t;
}
