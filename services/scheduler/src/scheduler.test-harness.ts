import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import type { EnvelopeBase, Topology } from '@dailydesk/contracts';
import { databaseUrl, natsUrl } from '@dailydesk/testing';
import { loadConfig, type SchedulerConfig } from './config';

/** A namespace and schema prefix of their own, so test files sharing the machine's NATS and Postgres never meet. */
export function isolatedEnv(extra: Record<string, string> = {}): { config: SchedulerConfig; schemaPrefix: string; namespace: string } {
  const tag = randomBytes(4).toString('hex');
  const namespace = `sch${tag}`;
  const schemaPrefix = `t_${tag}_`;
  const config = loadConfig({ NATS_URL: natsUrl(), DATABASE_URL: databaseUrl(), NATS_NAMESPACE: namespace, PORT: '0', LOG_LEVEL: 'silent', ...extra });
  return { config, schemaPrefix, namespace };
}

/** Every message in the namespace's SCHEDULER stream, in stream order. */
export async function schedulerMessages(nc: NatsConnection, topo: Topology): Promise<EnvelopeBase[]> {
  const jsm = await jetstreamManager(nc);
  const stream = topo.streams.find((s) => s.name.endsWith('SCHEDULER'))!.name;
  const { state } = await jsm.streams.info(stream);
  const out: EnvelopeBase[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (m) out.push(m.json<EnvelopeBase>());
  }
  return out;
}

/** Deletes the namespace's streams and the service's schemas. */
export async function dropIsolated(topo: Topology | undefined, schemaPrefix: string): Promise<void> {
  if (topo) {
    const nc = await connect({ servers: natsUrl() });
    const jsm = await jetstreamManager(nc);
    for (const s of topo.streams) await jsm.streams.delete(s.name).catch(() => undefined);
    await nc.close();
  }
  const pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}scheduler_events" CASCADE`);
  await pg.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}scheduler" CASCADE`);
  await pg.end();
}
