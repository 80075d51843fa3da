// Benchmark (not a test): gateway status-report rows ingested per second through the webhook, and projection lag
// (row's projection commit − the POST's 200) per row. Env: DATABASE_URL, NATS_URL, MESSAGES (default 50000),
// ROWS_PER_CALLBACK (100), IN_FLIGHT (8), RECEIPTS_PIPELINE (inline: the service's default, or worker), LOG_LEVEL
// (warn; debug logs the processor's and the projection's per-batch timings).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import type { SmsSent } from '@dailydesk/contracts';
import { loadConfig } from '../../services/receipts/src/config';
import { observedEvent } from '../../services/receipts/src/lifecycle/lifecycle.events';
import { startReceipts } from '../../services/receipts/src/receipts.app';
import { WEBHOOK_PATH } from '../../services/receipts/src/webhook/webhook.routes';

const DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.MESSAGES ?? 50_000);
const PER = Number(process.env.ROWS_PER_CALLBACK ?? 100);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 8);
const PIPELINE = process.env.RECEIPTS_PIPELINE ?? 'inline';
const tag = randomBytes(4).toString('hex');
const prefix = `b_${tag}_`;
const schema = `${prefix}receipts`;
const T0 = 1_800_000_000;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs gateway-client.ts as a child process; returns each callback's 200 time and the ingest duration. */
function postFromGatewayProcess(url: string, callbacks: number): Promise<{ ackAt: Map<number, number>; ingestSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'gateway-client.ts')], {
      env: { ...process.env, URL: url, MESSAGES: String(N), ROWS_PER_CALLBACK: String(PER), IN_FLIGHT: String(IN_FLIGHT), T0: String(T0) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`gateway client exited with ${code}`));
      const ackAt = new Map<number, number>();
      let ingestSeconds = NaN;
      for (const line of out.trim().split('\n')) {
        const [a, b] = line.split(' ');
        if (a === 'done') ingestSeconds = Number(b);
        else ackAt.set(Number(a), Number(b));
      }
      if (ackAt.size !== callbacks) return reject(new Error(`gateway client reported ${ackAt.size} of ${callbacks} callbacks`));
      resolve({ ackAt, ingestSeconds });
    });
  });
}

async function main(): Promise<void> {
  const token = randomBytes(16).toString('hex');
  const svc = await startReceipts(loadConfig({ DATABASE_URL: DB, NATS_NAMESPACE: `bench${tag}`, PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', RECEIPTS_WEBHOOK_TOKEN: token, RECEIPTS_PIPELINE: PIPELINE }), { schemaPrefix: prefix });
  const pg = new Client({ connectionString: DB });
  await pg.connect();
  const count = async (sql: string) => Number((await pg.query(sql)).rows[0].n);
  try {
    // Raw baseline in the same run: 500-row INSERT statements of the same row count.
    await pg.query(`CREATE TABLE "${schema}_raw" (id int, tid int, number text, port text, ts bigint)`);
    const rawStart = performance.now();
    for (let i = 0; i < N; i += 500) {
      const rows = Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ id: i + k, tid: i + k + 1, number: `1555${String(i + k).padStart(7, '0')}`, port: '1.01', ts: T0 }));
      await pg.query(`INSERT INTO "${schema}_raw" SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id int, tid int, number text, port text, ts bigint)`, [JSON.stringify(rows)]);
    }
    const rawRate = N / ((performance.now() - rawStart) / 1000);
    await pg.query(`DROP TABLE IF EXISTS "${schema}_raw"`);

    // Seed: dispatch's SmsSent for every message, kept in the receipts store as the NATS consumer would.
    for (let i = 0; i < N; i += 500) {
      const events = Array.from({ length: Math.min(500, N - i) }, (_, k) => {
        const n = i + k;
        const sent = {
          id: `sent-${n}`, type: 'SmsSent', v: 1, occurredAt: new Date(T0 * 1000).toISOString(), businessId: `biz-${n % 20}`, correlationId: `c-${n}`, causationId: null,
          data: { messageId: `m${n}`, purpose: 'campaign', refs: { campaignId: 'camp', campaignRunId: 'run' }, tid: n + 1, port: '1.01', to: `+1555${String(n).padStart(7, '0')}`, segments: 1, encoding: 'GSM-7', sentAt: new Date(T0 * 1000).toISOString() },
        } as SmsSent;
        return observedEvent(sent).event;
      });
      await svc.store.appendToStream(`bench-seed-${i}`, events, { expectedVersion: 'any' });
    }
    await until(async () => (await count(`SELECT count(*) AS n FROM "${schema}".messages WHERE status = 'sent'`)) === N, 300_000);
    await until(async () => (await count(`SELECT count(*) AS n FROM "${schema}".proc_messages`)) === N, 300_000);

    // Ingest: status reports of PER rows (one rpts entry per task, as the gateway batches them), IN_FLIGHT at once,
    // posted by a separate process as the real gateway is (in-process, the client took CPU from the service).
    const url = `${svc.url}${WEBHOOK_PATH}?token=${token}`;
    const callbacks = Math.ceil(N / PER);
    const { ackAt, ingestSeconds } = await postFromGatewayProcess(url, callbacks);
    await until(async () => (await count(`SELECT count(*) AS n FROM "${schema}".messages WHERE status = 'transmitted'`)) === N, 300_000);
    const projected = await pg.query<{ message_id: string; at: string }>(`SELECT message_id, (extract(epoch FROM projected_at) * 1000)::float8 AS at FROM "${schema}".messages`);
    const lags = projected.rows.map((r) => Number(r.at) - ackAt.get(Math.floor(Number(r.message_id.slice(1)) / PER))!).sort((a, b) => a - b);
    const rate = N / ingestSeconds;
    const table = [
      ['what', 'value', 'ratio'],
      ['raw INSERT, 500 rows/statement (rows/s)', rawRate.toFixed(0), '1.00'],
      [`webhook ingest, ${PER} rows/callback, ${IN_FLIGHT} in flight, client in its own process (rows/s)`, rate.toFixed(0), (rate / rawRate).toFixed(2)],
      ['projection lag p50 (ms)', pct(lags, 50).toFixed(0), ''],
      ['projection lag p99 (ms)', pct(lags, 99).toFixed(0), ''],
      ['projection lag max (ms)', lags[lags.length - 1]!.toFixed(0), ''],
    ];
    process.stdout.write(`receipts benchmark: ${N} messages, ${callbacks} callbacks, pipeline ${PIPELINE}\n`);
    for (const r of table) process.stdout.write(`${r[0]!.padEnd(60)} ${r[1]!.padStart(10)} ${r[2]!.padStart(6)}\n`);
  } finally {
    await svc.close();
    for (const s of [schema, `${schema}_events`, `${schema}_g1`]) await pg.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pg.query(`DROP ROLE IF EXISTS "${schema}_analyst"`);
    await pg.end();
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    for (const s of svc.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
    await nc.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
