/**
 * Creates or updates the platform's JetStream streams (and the dead-letter stream) with NATS_STREAM_REPLICAS
 * replicas, then exits. Run once against a new cluster (deploy/nats/ensure-streams-job.yaml) so the streams exist
 * at R3 before the first service starts; services run the same idempotent ensureStreams at start-up.
 *   NATS_URL (nats://127.0.0.1:4222, comma-separated for a cluster) NATS_NAMESPACE ('') NATS_STREAM_REPLICAS (1)
 */
import { topology } from '@dailydesk/contracts';
import { ensureStreams } from '@dailydesk/messaging';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

async function main(): Promise<void> {
  const servers = (process.env.NATS_URL || 'nats://127.0.0.1:4222').split(',');
  const replicas = Number(process.env.NATS_STREAM_REPLICAS || '1');
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new Error('NATS_STREAM_REPLICAS must be 1-5');
  const topo = topology(process.env.NATS_NAMESPACE ?? '');
  const nc = await connect({ servers, timeout: 10_000, name: 'ensure-streams' });
  try {
    const results = await ensureStreams(await jetstreamManager(nc), topo.streams, { deadLetter: false, replicas });
    for (const r of results) console.log(`${r.name.padEnd(24)} ${r.action} (replicas ${replicas})`);
  } finally {
    await nc.close();
  }
}

main().catch((err: unknown) => {
  console.error(`ensure-streams failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
